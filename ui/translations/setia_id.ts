<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="id_ID" sourcelanguage="en">
<context>
    <name>Texts</name>
    <message>
        <location filename="../texts.cpp" line="14"/>
        <source>This card is not registered. Ask for the member&apos;s phone number, or enroll them.</source>
        <translation>Kartu ini belum terdaftar. Tanyakan nomor HP member, atau daftarkan sebagai member baru.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="16"/>
        <source>This card is blocked — ask for the replacement card.</source>
        <translation>Kartu ini sudah diblokir — minta kartu pengganti.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="20"/>
        <source>This is a bank card. Loyalty needs the member card or phone number.</source>
        <translation>Ini kartu bank. Untuk poin, perlu kartu member atau nomor HP.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="22"/>
        <source>That scan could not be read. Scan again, or type the card or phone number.</source>
        <translation>Hasil scan tidak terbaca. Scan ulang, atau ketik nomor kartu atau nomor HP.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="24"/>
        <source>The card was read only in part. Swipe it again in one smooth move.</source>
        <translation>Kartu hanya terbaca sebagian. Gesek lagi dengan satu gerakan yang mulus.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="26"/>
        <source>This card (or phone) gives a new number at every tap, so it cannot be a member card. Ask for the member card, the QR code or the phone number.</source>
        <translation>Kartu (atau HP) ini memberi nomor baru setiap kali ditempel, jadi tidak bisa menjadi kartu member. Minta kartu member, kode QR, atau nomor HP.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="29"/>
        <source>This is a voucher, not a member card. Open the member, then use it on the Redeem page (F6).</source>
        <translation>Ini voucher, bukan kartu member. Buka data member, lalu pakai voucher di halaman Tukar poin (F6).</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="31"/>
        <source>This is a digital card: scan the QR code on the member&apos;s phone, or find them by phone number.</source>
        <translation>Ini kartu digital: scan kode QR di HP member, atau cari dengan nomor HP.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="33"/>
        <source>This QR code is not a card from this store. Ask for the member&apos;s phone number.</source>
        <translation>Kode QR ini bukan kartu dari toko ini. Minta nomor HP member.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="35"/>
        <source>This digital card has expired. Find the member by phone number and show them their new QR code.</source>
        <translation>Kartu digital ini sudah kedaluwarsa. Cari member dengan nomor HP dan tunjukkan kode QR barunya.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="37"/>
        <source>This QR code&apos;s date is wrong (a terminal&apos;s clock may be off). Find the member by phone number.</source>
        <translation>Tanggal kode QR ini salah (jam salah satu terminal mungkin tidak tepat). Cari member dengan nomor HP.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="39"/>
        <source>This membership is blocked. Please call the manager.</source>
        <translation>Keanggotaan ini diblokir. Silakan hubungi manajer.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="41"/>
        <source>This membership was closed at the member&apos;s request.</source>
        <translation>Keanggotaan ini sudah ditutup atas permintaan member.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="43"/>
        <source>No member found. Check the number, or enroll a new member.</source>
        <translation>Member tidak ditemukan. Periksa nomornya, atau daftarkan member baru.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="45"/>
        <source>Not enough points for this reward.</source>
        <translation>Poin tidak cukup untuk hadiah ini.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="47"/>
        <source>This phone number is already a member. Look the member up instead.</source>
        <translation>Nomor HP ini sudah terdaftar sebagai member. Cari data membernya saja.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="49"/>
        <source>That phone number is not complete. Type it like 0812-3456-7890.</source>
        <translation>Nomor HP belum lengkap. Ketik seperti 0812-3456-7890.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="51"/>
        <source>That card already belongs to another member. Use a new card.</source>
        <translation>Kartu ini sudah dipakai member lain. Gunakan kartu baru.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="53"/>
        <source>This reward is out of stock.</source>
        <translation>Stok hadiah ini habis.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="55"/>
        <source>This reward is not available today.</source>
        <translation>Hadiah ini tidak tersedia hari ini.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="57"/>
        <source>This member has reached today&apos;s redemption limit. They can redeem again tomorrow.</source>
        <translation>Member ini sudah mencapai batas tukar poin hari ini. Bisa tukar lagi besok.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="59"/>
        <source>This receipt was already fully refunded.</source>
        <translation>Struk ini sudah di-refund seluruhnya.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="61"/>
        <source>No points were earned on this receipt here, so there is nothing to take back.</source>
        <translation>Struk ini tidak mendapat poin di sini, jadi tidak ada poin yang perlu ditarik kembali.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="63"/>
        <source>The refund amount is more than what is left on the receipt.</source>
        <translation>Jumlah refund melebihi sisa nilai di struk.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="65"/>
        <source>This receipt number was already used for another sale.</source>
        <translation>Nomor struk ini sudah dipakai untuk transaksi lain.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="67"/>
        <source>This voucher was already used.</source>
        <translation>Voucher ini sudah dipakai.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="69"/>
        <source>This voucher has expired.</source>
        <translation>Voucher ini sudah kedaluwarsa.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="71"/>
        <source>That is not a valid voucher code. Check it for a typo.</source>
        <translation>Kode voucher tidak valid. Periksa apakah ada salah ketik.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="73"/>
        <source>The purchase is too small for this voucher.</source>
        <translation>Belanja belum mencapai minimum untuk voucher ini.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="75"/>
        <source>The terminal&apos;s disk is full: nothing was saved. Call the manager.</source>
        <translation>Penyimpanan terminal penuh: tidak ada yang tersimpan. Hubungi manajer.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="77"/>
        <source>The terminal is busy. Try again in a moment.</source>
        <translation>Terminal sedang sibuk. Coba lagi sebentar lagi.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="79"/>
        <source>No loyalty program is loaded. Call the manager.</source>
        <translation>Program loyalitas belum dimuat. Hubungi manajer.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="81"/>
        <source>Please give a reason.</source>
        <translation>Mohon isi alasannya.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="87"/>
        <source>Wrong PIN. Tries left before a 5-minute lock: %1.</source>
        <translation>PIN salah. Sisa percobaan sebelum dikunci 5 menit: %1.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="88"/>
        <source>Wrong PIN. Try again.</source>
        <translation>PIN salah. Coba lagi.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="95"/>
        <source>Too many wrong PINs: locked for %1 min. Wait, or ask another manager.</source>
        <translation>Terlalu banyak PIN salah: dikunci selama %1 menit. Tunggu, atau minta bantuan manajer lain.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="96"/>
        <source>Too many wrong PINs: locked for a few minutes. Wait, or ask another manager.</source>
        <translation>Terlalu banyak PIN salah: dikunci beberapa menit. Tunggu, atau minta bantuan manajer lain.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="99"/>
        <source>Nobody with that name works on this terminal. Check the spelling.</source>
        <translation>Tidak ada staf dengan nama itu di terminal ini. Periksa ejaannya.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="101"/>
        <source>This person can no longer sign in on this terminal.</source>
        <translation>Staf ini sudah tidak bisa masuk di terminal ini.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="104"/>
        <source>A PIN has 4 to 8 digits, numbers only.</source>
        <translation>PIN terdiri dari 4 sampai 8 digit, hanya angka.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="105"/>
        <source>That PIN is too easy to guess (like 1234 or 1111). Choose another.</source>
        <translation>PIN itu terlalu mudah ditebak (seperti 1234 atau 1111). Pilih PIN lain.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="107"/>
        <source>There is already someone with that name. Add a surname or initial.</source>
        <translation>Sudah ada staf dengan nama itu. Tambahkan nama belakang atau inisial.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="109"/>
        <source>Type the person&apos;s name (up to 60 characters).</source>
        <translation>Ketik nama staf (maksimal 60 karakter).</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="111"/>
        <source>That alert was already acknowledged.</source>
        <translation>Peringatan itu sudah ditindaklanjuti.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="113"/>
        <source>Check the amount: %1</source>
        <translation>Periksa jumlahnya: %1</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="115"/>
        <source>Check the details: %1</source>
        <translation>Periksa datanya: %1</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="439"/>
        <source>Voucher %1 scanned: check the receipt and total, then use it.</source>
        <translation>Voucher %1 terpindai: periksa nomor struk dan totalnya, lalu pakai.</translation>
    </message>
</context>
<context>
    <name>setia::sync::SyncClient</name>
    <message>
        <location filename="../../sync/client/syncclient.cpp" line="131"/>
        <location filename="../../sync/client/syncclient.cpp" line="169"/>
        <source>The hub&apos;s certificate is not the one this store was set up with. Nothing was sent; ask the installer.</source>
        <translation>Sertifikat hub bukan yang dipasang untuk toko ini. Tidak ada yang dikirim; hubungi petugas instalasi.</translation>
    </message>
    <message>
        <location filename="../../sync/client/syncclient.cpp" line="144"/>
        <source>The hub cannot be reached (%1). Sales and earning go on; points sync when the network is back.</source>
        <translation>Hub tidak bisa dihubungi (%1). Penjualan dan pengumpulan poin tetap jalan; poin disinkronkan saat jaringan kembali.</translation>
    </message>
    <message>
        <location filename="../../sync/client/syncclient.cpp" line="148"/>
        <source>This terminal was revoked at the hub; it cannot sync. Ask the chain&apos;s operator.</source>
        <translation>Terminal ini dicabut di hub; tidak bisa sinkron. Hubungi operator jaringan toko.</translation>
    </message>
    <message>
        <location filename="../../sync/client/syncclient.cpp" line="150"/>
        <source>The hub does not recognise this terminal (%1). It must be registered again.</source>
        <translation>Hub tidak mengenali terminal ini (%1). Terminal harus didaftarkan ulang.</translation>
    </message>
    <message>
        <location filename="../../sync/client/syncclient.cpp" line="151"/>
        <source>The hub answered %1: %2</source>
        <translation>Hub menjawab %1: %2</translation>
    </message>
    <message>
        <location filename="../../sync/client/syncclient.cpp" line="177"/>
        <source>The hub&apos;s answer has no usable key.</source>
        <translation>Jawaban hub tidak berisi kunci yang bisa dipakai.</translation>
    </message>
    <message>
        <location filename="../../sync/client/syncclient.cpp" line="179"/>
        <source>The hub&apos;s key is not the one this store was set up with; registration refused.</source>
        <translation>Kunci hub bukan yang dipasang untuk toko ini; pendaftaran ditolak.</translation>
    </message>
    <message>
        <location filename="../../sync/client/syncclient.cpp" line="193"/>
        <source>This terminal is not registered with a hub yet.</source>
        <translation>Terminal ini belum terdaftar di hub.</translation>
    </message>
    <message>
        <location filename="../../sync/client/syncclient.cpp" line="225"/>
        <source>The hub&apos;s answer could not be read: %1</source>
        <translation>Jawaban hub tidak bisa dibaca: %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../sync/client/syncclient.cpp" line="242"/>
        <source>%n event(s) were not accepted by the hub (%1); a manager must look at the hub&apos;s alerts.</source>
        <translation>
            <numerusform>%n kejadian tidak diterima hub (%1); manajer harus memeriksa peringatan di hub.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../sync/client/syncclient.cpp" line="262"/>
        <source>The hub&apos;s change feed could not be read: %1</source>
        <translation>Data perubahan dari hub tidak bisa dibaca: %1</translation>
    </message>
    <message>
        <location filename="../../sync/client/syncclient.cpp" line="276"/>
        <source>The hub&apos;s change feed could not be applied: %1</source>
        <translation>Data perubahan dari hub tidak bisa diterapkan: %1</translation>
    </message>
    <message>
        <location filename="../../sync/client/syncclient.cpp" line="317"/>
        <source>The name index could not be completed: %1</source>
        <translation>Indeks nama anggota tidak bisa diselesaikan: %1</translation>
    </message>
    <message>
        <location filename="../../sync/client/syncclient.cpp" line="292"/>
        <source>The hub sent a lease for another terminal.</source>
        <translation>Hub mengirim izin penukaran untuk terminal lain.</translation>
    </message>
</context>
<context>
    <name>setia::ui::EarnPage</name>
    <message>
        <location filename="../pages.cpp" line="415"/>
        <source>e.g. 125.000</source>
        <translation>contoh: 125.000</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="417"/>
        <source>POS receipt number</source>
        <translation>Nomor struk POS</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="419"/>
        <source>Cash</source>
        <translation>Tunai</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="420"/>
        <source>QRIS</source>
        <translation>QRIS</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="421"/>
        <source>Debit card</source>
        <translation>Kartu debit</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="422"/>
        <source>Credit card</source>
        <translation>Kartu kredit</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="423"/>
        <source>E-wallet</source>
        <translation>Dompet digital</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="424"/>
        <source>Earn points</source>
        <translation>Kumpulkan poin</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="425"/>
        <source>Amount paid (Rp)</source>
        <translation>Jumlah dibayar (Rp)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="426"/>
        <source>Payment</source>
        <translation>Pembayaran</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="427"/>
        <source>Receipt</source>
        <translation>Struk</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="436"/>
        <source>Points for this purchase</source>
        <translation>Poin untuk pembelian ini</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="440"/>
        <source>Confirm (Enter)</source>
        <translation>Konfirmasi (Enter)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="441"/>
        <source>Back (Esc)</source>
        <translation>Kembali (Esc)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="484"/>
        <source>+%1 points</source>
        <translation>+%1 poin</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="488"/>
        <source>Base points on %1</source>
        <translation>Poin dasar dari %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="490"/>
        <source>Below the minimum spend of %1</source>
        <translation>Di bawah minimum belanja %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="492"/>
        <source>Limit reached</source>
        <translation>Batas tercapai</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="505"/>
        <source>Type the amount the customer paid.</source>
        <translation>Ketik jumlah yang dibayar pelanggan.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="510"/>
        <source>Type the receipt number.</source>
        <translation>Ketik nomor struk.</translation>
    </message>
</context>
<context>
    <name>setia::ui::EnrollPage</name>
    <message>
        <location filename="../pages.cpp" line="771"/>
        <source>optional</source>
        <translation>opsional</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="773"/>
        <source>DD-MM-YYYY (optional)</source>
        <translation>DD-MM-YYYY (opsional)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="775"/>
        <source>a friend&apos;s code (optional)</source>
        <translation>kode dari teman (opsional)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="777"/>
        <source>scan the card now</source>
        <translation>scan kartunya sekarang</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="778"/>
        <source>New member</source>
        <translation>Member baru</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="779"/>
        <source>Name</source>
        <translation>Nama</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="780"/>
        <source>Phone</source>
        <translation>No. HP</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="781"/>
        <source>E-mail</source>
        <translation>Email</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="782"/>
        <source>Birth date</source>
        <translation>Tanggal lahir</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="783"/>
        <source>Referral code</source>
        <translation>Kode referral</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="784"/>
        <source>Card</source>
        <translation>Kartu</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="790"/>
        <source>Read this to the customer:</source>
        <translation>Bacakan kepada pelanggan:</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="791"/>
        <source>We keep your name, phone number and birth date to give you points and rewards. You can ask us to show, correct or delete them at any time.</source>
        <translation>Kami menyimpan nama, nomor telepon, dan tanggal lahir Anda untuk memberikan poin dan hadiah. Anda dapat meminta kami untuk menunjukkan, memperbaiki, atau menghapus data tersebut kapan saja.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="794"/>
        <source>May we send offers by SMS or e-mail?</source>
        <translation>Bolehkah kami mengirimkan penawaran melalui SMS atau email?</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="795"/>
        <source>May we send offers by WhatsApp?</source>
        <translation>Bolehkah kami mengirimkan penawaran melalui WhatsApp?</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="796"/>
        <source>No plastic card: issue a digital card</source>
        <translation>Tanpa kartu plastik: buat kartu digital</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="803"/>
        <source>Enroll (Enter)</source>
        <translation>Daftarkan (Enter)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="804"/>
        <source>Cancel (Esc)</source>
        <translation>Batal (Esc)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="837"/>
        <source>Type the birth date as DD-MM-YYYY, for example 15-03-1994.</source>
        <translation>Ketik tanggal lahir dengan format DD-MM-YYYY, contoh 15-03-1994.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="857"/>
        <source>Welcome! The member can be found by phone number.</source>
        <translation>Selamat bergabung! Member bisa dicari dengan nomor HP.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="858"/>
        <source>Welcome! Card number %1.</source>
        <translation>Selamat bergabung! Nomor kartu %1.</translation>
    </message>
</context>
<context>
    <name>setia::ui::ManagerPanel</name>
    <message>
        <location filename="../managerpanel.cpp" line="125"/>
        <source>Lock and leave (Esc)</source>
        <translation>Kunci dan keluar (Esc)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="131"/>
        <source>Dashboard</source>
        <translation>Dasbor</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="132"/>
        <source>Members</source>
        <translation>Member</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="133"/>
        <location filename="../managerpanel.cpp" line="891"/>
        <source>Alerts</source>
        <translation>Peringatan</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="134"/>
        <source>Audit log</source>
        <translation>Log audit</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="135"/>
        <source>Program</source>
        <translation>Program</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="136"/>
        <source>Export</source>
        <translation>Ekspor</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="137"/>
        <source>Settings</source>
        <translation>Pengaturan</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="202"/>
        <source>The manager&apos;s screens were locked after %1 without activity.</source>
        <translation>Layar manajer dikunci setelah %1 tanpa aktivitas.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="207"/>
        <source>%1 min</source>
        <translation>%1 menit</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="207"/>
        <source>%1 s</source>
        <translation>%1 detik</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="258"/>
        <source>Signed in as manager %1. The screens lock after %2 without activity.</source>
        <translation>Masuk sebagai manajer %1. Layar terkunci otomatis setelah %2 tanpa aktivitas.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="277"/>
        <source>Type your name.</source>
        <translation>Ketik nama Anda.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="282"/>
        <source>Type your PIN.</source>
        <translation>Ketik PIN Anda.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="294"/>
        <source>%1 is a cashier. Only a manager can open the manager&apos;s screens.</source>
        <translation>%1 adalah kasir. Hanya manajer yang bisa membuka layar manajer.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="307"/>
        <source>Type the manager&apos;s name.</source>
        <translation>Ketik nama manajer.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="312"/>
        <source>The two PINs are not the same. Type the PIN twice.</source>
        <translation>Kedua PIN tidak sama. Ketik PIN yang sama dua kali.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="330"/>
        <source>Manager %1 created. Remember the PIN: nobody can read it back.</source>
        <translation>Manajer %1 sudah dibuat. Ingat PIN-nya: PIN tidak bisa dilihat kembali oleh siapa pun.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="361"/>
        <source>Unlock (Enter)</source>
        <translation>Buka (Enter)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="362"/>
        <location filename="../managerpanel.cpp" line="393"/>
        <source>Back to the till (Esc)</source>
        <translation>Kembali ke kasir (Esc)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="363"/>
        <location filename="../managerpanel.cpp" line="1279"/>
        <location filename="../managerpanel.cpp" line="1305"/>
        <source>Manager</source>
        <translation>Manajer</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="364"/>
        <source>Type your name and PIN to open the manager&apos;s screens.</source>
        <translation>Ketik nama dan PIN Anda untuk membuka layar manajer.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="365"/>
        <location filename="../managerpanel.cpp" line="398"/>
        <location filename="../managerpanel.cpp" line="1282"/>
        <source>Name</source>
        <translation>Nama</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="366"/>
        <location filename="../managerpanel.cpp" line="399"/>
        <location filename="../managerpanel.cpp" line="1284"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="392"/>
        <source>Create the manager (Enter)</source>
        <translation>Buat manajer (Enter)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="394"/>
        <source>Create the first manager</source>
        <translation>Buat manajer pertama</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="395"/>
        <source>This terminal has no manager yet. The manager&apos;s PIN opens reports, point adjustments, the program and the settings. Choose 4 to 8 digits that are hard to guess.</source>
        <translation>Terminal ini belum punya manajer. PIN manajer membuka laporan, penyesuaian poin, program, dan pengaturan. Pilih 4 sampai 8 digit yang sulit ditebak.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="400"/>
        <source>PIN again</source>
        <translation>Ulangi PIN</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="448"/>
        <source>Points earned</source>
        <translation>Poin didapat</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="448"/>
        <source>Bonus points</source>
        <translation>Poin bonus</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="449"/>
        <source>Points redeemed</source>
        <translation>Poin ditukar</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="449"/>
        <source>New members</source>
        <translation>Member baru</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="450"/>
        <source>Redemption rate</source>
        <translation>Tingkat penukaran</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="450"/>
        <source>Receipts</source>
        <translation>Struk</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="462"/>
        <source>Top members</source>
        <translation>Member teratas</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="477"/>
        <location filename="../managerpanel.cpp" line="925"/>
        <source>Refresh</source>
        <translation>Muat ulang</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="508"/>
        <source>Calculating…</source>
        <translation>Menghitung…</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="517"/>
        <source>The figures could not be read: %1</source>
        <translation>Angka tidak bisa dibaca: %1</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="533"/>
        <location filename="../managerpanel.cpp" line="695"/>
        <location filename="../managerpanel.cpp" line="734"/>
        <source>(name erased)</source>
        <translation>(nama dihapus)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="533"/>
        <source>%1. %2 — %3 points</source>
        <translation>%1. %2 — %3 poin</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="535"/>
        <source>No points earned yet.</source>
        <translation>Belum ada poin yang didapat.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="537"/>
        <source>Today, %1</source>
        <translation>Hari ini, %1</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="538"/>
        <source>This week, since %1</source>
        <translation>Minggu ini, sejak %1</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="540"/>
        <source>Updated at %1.</source>
        <translation>Diperbarui pukul %1.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="544"/>
        <location filename="../managerpanel.cpp" line="744"/>
        <source>Earned</source>
        <translation>Didapat</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="545"/>
        <location filename="../managerpanel.cpp" line="748"/>
        <source>Redeemed</source>
        <translation>Ditukar</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="571"/>
        <source>Hour of the day (store time)</source>
        <translation>Jam (waktu toko)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="583"/>
        <source>Points earned and redeemed today, by hour</source>
        <translation>Poin didapat dan ditukar hari ini, per jam</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="599"/>
        <source>Card, phone or name</source>
        <translation>Kartu, nomor HP, atau nama</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="600"/>
        <source>Search</source>
        <translation>Cari</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="612"/>
        <source>History (newest first)</source>
        <translation>Riwayat (terbaru di atas)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="621"/>
        <source>+50 or -20</source>
        <translation>+50 atau -20</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="623"/>
        <source>required, e.g. receipt not scanned</source>
        <translation>wajib, mis. struk lupa di-scan</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="625"/>
        <source>Adjust points</source>
        <translation>Sesuaikan poin</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="626"/>
        <source>Points adjustment</source>
        <translation>Penyesuaian poin</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="627"/>
        <source>Points</source>
        <translation>Poin</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="628"/>
        <location filename="../managerpanel.cpp" line="644"/>
        <source>Reason</source>
        <translation>Alasan</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="636"/>
        <source>empty: the whole receipt</source>
        <translation>kosongkan: seluruh struk</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="638"/>
        <source>required</source>
        <translation>wajib</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="640"/>
        <source>Reverse the receipt</source>
        <translation>Batalkan poin struk</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="641"/>
        <source>Reverse a receipt</source>
        <translation>Pembatalan struk</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="642"/>
        <source>Receipt</source>
        <translation>Struk</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="643"/>
        <source>Amount (Rp)</source>
        <translation>Jumlah (Rp)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="667"/>
        <source>Scanned: %1 (%2 characters)</source>
        <translation>Ter-scan: %1 (%2 karakter)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="680"/>
        <source>Type a card number, phone number or name.</source>
        <translation>Ketik nomor kartu, nomor HP, atau nama.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="688"/>
        <source>Searching…</source>
        <translation>Mencari…</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="695"/>
        <source>%1 · %2 · %3 points</source>
        <translation>%1 · %2 · %3 poin</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="712"/>
        <source>No member found for “%1”.</source>
        <translation>Tidak ada member untuk “%1”.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="734"/>
        <source>%1 — %2 points — card %3</source>
        <translation>%1 — %2 poin — kartu %3</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="736"/>
        <source>none</source>
        <translation>tidak ada</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="746"/>
        <source>Bonus</source>
        <translation>Bonus</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="750"/>
        <source>Refund</source>
        <translation>Refund</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="752"/>
        <source>Adjustment</source>
        <translation>Penyesuaian</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="754"/>
        <source>Expired</source>
        <translation>Kedaluwarsa</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="756"/>
        <source>Enrolled</source>
        <translation>Daftar member</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="758"/>
        <source>Tier changed</source>
        <translation>Level berubah</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="760"/>
        <source>Card assigned</source>
        <translation>Kartu didaftarkan</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="765"/>
        <source>receipt %1</source>
        <translation>struk %1</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="770"/>
        <source>by %1</source>
        <translation>oleh %1</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="774"/>
        <source>No history yet.</source>
        <translation>Belum ada riwayat.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="780"/>
        <source>Search for the member first.</source>
        <translation>Cari membernya dulu.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="786"/>
        <source>Type the points to add (like +50) or take away (like -20).</source>
        <translation>Ketik poin yang ditambah (mis. +50) atau dikurangi (mis. -20).</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="791"/>
        <source>Every adjustment needs a reason. Type why the points change.</source>
        <translation>Setiap penyesuaian wajib ada alasannya. Ketik kenapa poinnya diubah.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="802"/>
        <source>Adjustment saved: %1%2 points. The balance is now %3.</source>
        <translation>Penyesuaian tersimpan: %1%2 poin. Saldo sekarang %3.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="812"/>
        <source>Type the receipt number.</source>
        <translation>Ketik nomor struk.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="820"/>
        <source>Type the refunded amount in rupiah, or leave it empty for the whole receipt.</source>
        <translation>Ketik jumlah refund dalam rupiah, atau kosongkan untuk refund seluruh struk.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="826"/>
        <source>Every reversal needs a reason. Type why the receipt is reversed.</source>
        <translation>Setiap pembatalan wajib ada alasannya. Ketik kenapa struk ini dibatalkan.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="838"/>
        <source>Receipt %1 reversed: %2 points taken back. The member&apos;s balance is now %3.</source>
        <translation>Struk %1 dibatalkan: %2 poin ditarik kembali. Saldo member sekarang %3.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="852"/>
        <source>Open alerts: unusual activity the system noticed. Check each one, then acknowledge it.</source>
        <translation>Peringatan terbuka: aktivitas tidak biasa yang terdeteksi sistem. Periksa satu per satu, lalu tandai sudah ditindaklanjuti.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="857"/>
        <source>Acknowledge</source>
        <translation>Tandai sudah dicek</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="874"/>
        <source>Large points adjustment</source>
        <translation>Penyesuaian poin besar</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="876"/>
        <source>One card scanned many times</source>
        <translation>Satu kartu di-scan berkali-kali</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="878"/>
        <source>Unusually large redemption</source>
        <translation>Penukaran poin yang tidak biasa besarnya</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="888"/>
        <source>No open alerts.</source>
        <translation>Tidak ada peringatan terbuka.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="891"/>
        <source>Alerts (%1)</source>
        <translation>Peringatan (%1)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="899"/>
        <source>Choose an alert first.</source>
        <translation>Pilih peringatan dulu.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="906"/>
        <source>Alert acknowledged by %1.</source>
        <translation>Peringatan sudah dicek oleh %1.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="918"/>
        <source>When</source>
        <translation>Waktu</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="918"/>
        <source>Who</source>
        <translation>Oleh</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="918"/>
        <source>What</source>
        <translation>Tindakan</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="918"/>
        <source>About</source>
        <translation>Terkait</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="918"/>
        <source>Details</source>
        <translation>Rincian</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="923"/>
        <source>Who did what, newest first (store time).</source>
        <translation>Siapa melakukan apa, terbaru di atas (waktu toko).</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="935"/>
        <source>Points adjusted</source>
        <translation>Poin disesuaikan</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="935"/>
        <source>Alert acknowledged</source>
        <translation>Peringatan dicek</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="936"/>
        <source>Card blocked</source>
        <translation>Kartu diblokir</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="936"/>
        <source>Member erased</source>
        <translation>Data member dihapus</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="937"/>
        <source>Members imported</source>
        <translation>Member diimpor</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="937"/>
        <source>Profile changed</source>
        <translation>Profil diubah</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="938"/>
        <source>Program loaded</source>
        <translation>Program dimuat</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="938"/>
        <source>Receipt reversed</source>
        <translation>Struk dibatalkan</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="939"/>
        <source>Setting changed</source>
        <translation>Pengaturan diubah</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="939"/>
        <source>Staff added</source>
        <translation>Staf ditambahkan</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="940"/>
        <source>PIN changed</source>
        <translation>PIN diganti</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="940"/>
        <source>Wrong PIN</source>
        <translation>PIN salah</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="941"/>
        <source>Locked out</source>
        <translation>Terkunci</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="941"/>
        <source>Member blocked</source>
        <translation>Member diblokir</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="963"/>
        <source>Load a new program</source>
        <translation>Muat program baru</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="964"/>
        <source>The program file (JSON) from head office. It takes effect from its start date; nothing changes if the file has any mistake.</source>
        <translation>File program (JSON) dari kantor pusat. Berlaku mulai tanggal mulainya; tidak ada yang berubah kalau file itu ada kesalahan.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="968"/>
        <source>/media/usb/program.json</source>
        <translation>/media/usb/program.json</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="969"/>
        <source>Check and load</source>
        <translation>Periksa dan muat</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="988"/>
        <source>Version %1, in force since %2.</source>
        <translation>Versi %1, berlaku sejak %2.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="990"/>
        <source>Earning points</source>
        <translation>Mendapatkan poin</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="992"/>
        <source>1 point for every %1 spent</source>
        <translation>1 poin untuk setiap belanja %1</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="993"/>
        <source>%1 points for every %2 spent</source>
        <translation>%1 poin untuk setiap belanja %2</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="994"/>
        <source> (rounded down)</source>
        <translation> (dibulatkan ke bawah)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="994"/>
        <source> (rounded up)</source>
        <translation> (dibulatkan ke atas)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="994"/>
        <source> (rounded)</source>
        <translation> (dibulatkan)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="997"/>
        <source>No points below a purchase of %1.</source>
        <translation>Tidak ada poin untuk belanja di bawah %1.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="999"/>
        <source>No points on: %1.</source>
        <translation>Tidak dapat poin untuk: %1.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1001"/>
        <source>At most %1 points per receipt.</source>
        <translation>Maksimal %1 poin per struk.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1003"/>
        <source>At most %1 points per member per day.</source>
        <translation>Maksimal %1 poin per member per hari.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1007"/>
        <source>Extra points</source>
        <translation>Poin tambahan</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1011"/>
        <source>on %1</source>
        <translation>untuk %1</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1013"/>
        <source>on items %1</source>
        <translation>untuk barang %1</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1021"/>
        <source>from %1 to %2</source>
        <translation>pukul %1 sampai %2</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1023"/>
        <source>paid with %1</source>
        <translation>bayar dengan %1</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1025"/>
        <source>for %1 members</source>
        <translation>untuk member %1</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1026"/>
        <source>%1: points ×%2</source>
        <translation>%1: poin ×%2</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1033"/>
        <source>Tiers</source>
        <translation>Level member</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1036"/>
        <source>from %1 spent in %2 days</source>
        <translation>mulai belanja %1 dalam %2 hari</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1037"/>
        <source>from %1 points in %2 days</source>
        <translation>mulai %1 poin dalam %2 hari</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1039"/>
        <source>points ×%1</source>
        <translation>poin ×%1</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1045"/>
        <source>Rewards</source>
        <translation>Hadiah</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1047"/>
        <source>%1 — %2 points</source>
        <translation>%1 — %2 poin</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1048"/>
        <source>(stock %1)</source>
        <translation>(stok %1)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1050"/>
        <source>No rewards.</source>
        <translation>Tidak ada hadiah.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1052"/>
        <source>Points can pay: 1 point = %1 (at least %2 points).</source>
        <translation>Poin bisa untuk membayar: 1 poin = %1 (minimal %2 poin).</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1058"/>
        <source>%1 points on the member&apos;s birthday</source>
        <translation>%1 poin pada hari ulang tahun member</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1059"/>
        <source>%1 points in the member&apos;s birthday month</source>
        <translation>%1 poin di bulan ulang tahun member</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1061"/>
        <source>%1 points on each membership anniversary</source>
        <translation>%1 poin setiap ulang tahun keanggotaan</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1063"/>
        <source>Referral: %1 points for the friend who referred, %2 for the new member (first purchase from %3)</source>
        <translation>Referral: %1 poin untuk teman yang mengajak, %2 poin untuk member baru (belanja pertama mulai %3)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1068"/>
        <source>Mission “%1”: %2 bonus points</source>
        <translation>Misi “%1”: bonus %2 poin</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1070"/>
        <source>Bonuses</source>
        <translation>Bonus</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1076"/>
        <source>Expiry</source>
        <translation>Masa berlaku poin</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1077"/>
        <source>Points expire %1 days after they are earned.</source>
        <translation>Poin hangus %1 hari setelah didapat.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1077"/>
        <source>Points never expire.</source>
        <translation>Poin tidak pernah hangus.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1080"/>
        <source>An adjustment of %1 points or more raises an alert.</source>
        <translation>Penyesuaian %1 poin atau lebih memunculkan peringatan.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1095"/>
        <source>Type the path of the program file.</source>
        <translation>Ketik lokasi file program.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1101"/>
        <source>Cannot read %1: %2</source>
        <translation>Tidak bisa membaca %1: %2</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1109"/>
        <source>The program was NOT loaded. Mistakes in the file: %1, listed on the right.</source>
        <translation>Program TIDAK dimuat. Ada %1 kesalahan di file, lihat daftar di kanan.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1115"/>
        <source>The program was NOT loaded: %1</source>
        <translation>Program TIDAK dimuat: %1</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1118"/>
        <source>Loaded: version %1.</source>
        <translation>Dimuat: versi %1.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1119"/>
        <source>Program version %1 loaded.</source>
        <translation>Program versi %1 sudah dimuat.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1134"/>
        <source>/media/usb/members.csv</source>
        <translation>/media/usb/member.csv</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1135"/>
        <source>Include personal data (name, phone, e-mail, birth date)</source>
        <translation>Sertakan data pribadi (nama, nomor HP, e-mail, tanggal lahir)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1137"/>
        <source>Export members</source>
        <translation>Ekspor member</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1138"/>
        <source>Members (CSV)</source>
        <translation>Member (CSV)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1139"/>
        <source>Without personal data the file holds member numbers, tiers and balances only. Personal data is protected by law (UU PDP): export it only when needed, and keep the file safe.</source>
        <translation>Tanpa data pribadi, file hanya berisi nomor member, level, dan saldo poin. Data pribadi dilindungi undang-undang (UU PDP): ekspor hanya bila perlu, dan simpan filenya dengan aman.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1144"/>
        <location filename="../managerpanel.cpp" line="1159"/>
        <source>File</source>
        <translation>File</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1153"/>
        <source>/media/usb/events.csv</source>
        <translation>/media/usb/transaksi.csv</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1154"/>
        <source>Export events</source>
        <translation>Ekspor transaksi poin</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1155"/>
        <source>Points events (CSV)</source>
        <translation>Transaksi poin (CSV)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1156"/>
        <source>Every earn, redemption, refund and adjustment on this terminal, for accounting.</source>
        <translation>Semua perolehan, penukaran, refund, dan penyesuaian poin di terminal ini, untuk pembukuan.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1175"/>
        <source>Type where to save the file, e.g. /media/usb/members.csv.</source>
        <translation>Ketik lokasi penyimpanan file, mis. /media/usb/member.csv.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1211"/>
        <source>Exporting… The terminal keeps working meanwhile.</source>
        <translation>Mengekspor… Terminal tetap bisa dipakai selama itu.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1212"/>
        <source>Exporting… %1 files in the queue. The terminal keeps working meanwhile.</source>
        <translation>Mengekspor… %1 file dalam antrean. Terminal tetap bisa dipakai selama itu.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1224"/>
        <source>Nothing was saved: the store could not be read (%1).</source>
        <translation>Tidak ada yang disimpan: data toko tidak bisa dibaca (%1).</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1227"/>
        <source>Cannot save %1: %2</source>
        <translation>Tidak bisa menyimpan %1: %2</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1230"/>
        <source>Saved %1. Members: %2.</source>
        <translation>Tersimpan di %1. Jumlah member: %2.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1375"/>
        <source>Keyboard-wedge scanner: keys closer together than the gap below are one scan. People type 60 ms or more apart.</source>
        <translation>Scanner keyboard-wedge: tombol yang lebih rapat dari jeda di bawah dianggap satu scan. Orang mengetik dengan jeda 60 ms atau lebih.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1382"/>
        <source>A code ends with</source>
        <translation>Akhir kode</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1451"/>
        <source>● Receipt printer: a file (%1) — the virtual printer</source>
        <translation>● Printer struk: sebuah file (%1) — printer virtual</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1454"/>
        <source>○ USB receipt printers: USB cannot be used here (%1)</source>
        <translation>○ Printer struk USB: USB tidak bisa dipakai di sini (%1)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1456"/>
        <source>○ Receipt printer: none plugged in (the supported models are in docs/hardware.md)</source>
        <translation>○ Printer struk: tidak ada yang terpasang (model yang didukung ada di docs/hardware.md)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1464"/>
        <source>out of paper</source>
        <translation>kertas habis</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1468"/>
        <source>Receipt printer %1 (%2, %3 mm): %4</source>
        <translation>Printer struk %1 (%2, %3 mm): %4</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1472"/>
        <source>○ Receipt printer: not started on this terminal</source>
        <translation>○ Printer struk: tidak dijalankan di terminal ini</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1479"/>
        <source>ready — tap a card</source>
        <translation>siap — tempelkan kartu</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1480"/>
        <source>no reader plugged in</source>
        <translation>tidak ada pembaca yang terpasang</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1481"/>
        <source>the PC/SC service (pcscd) is not running</source>
        <translation>layanan PC/SC (pcscd) tidak berjalan</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1484"/>
        <source>Contactless reader</source>
        <translation>Pembaca kartu nirsentuh</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1484"/>
        <source>Contactless reader %1</source>
        <translation>Pembaca kartu nirsentuh %1</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1489"/>
        <source>○ Contactless readers: not started on this terminal</source>
        <translation>○ Pembaca kartu nirsentuh: tidak dijalankan di terminal ini</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1494"/>
        <source>○ Camera: none found (a USB webcam lets the till read QR codes from phones, F3 on the scan page)</source>
        <translation>○ Kamera: tidak ditemukan (webcam USB membuat kasir bisa membaca kode QR dari HP, F3 di halaman scan)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1496"/>
        <source>Camera %1: %2</source>
        <translation>Kamera %1: %2</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1496"/>
        <source>on</source>
        <translation>menyala</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1496"/>
        <source>off (F3 on the scan page)</source>
        <translation>mati (F3 di halaman scan)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1192"/>
        <source>Type where to save the file, e.g. /media/usb/events.csv.</source>
        <translation>Ketik lokasi penyimpanan file, mis. /media/usb/transaksi.csv.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1231"/>
        <source>Saved %1. Events: %2.</source>
        <translation>Tersimpan di %1. Jumlah transaksi: %2.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1256"/>
        <source>empty: no hub</source>
        <translation>kosongkan: tanpa hub</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1257"/>
        <source>Save settings</source>
        <translation>Simpan pengaturan</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1258"/>
        <source>Store</source>
        <translation>Toko</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1259"/>
        <source>Store name</source>
        <translation>Nama toko</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1260"/>
        <source>Time zone</source>
        <translation>Zona waktu</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1261"/>
        <source>Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT).</source>
        <translation>Asia/Jakarta (WIB), Asia/Makassar (WITA), atau Asia/Jayapura (WIT).</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1262"/>
        <source>Language</source>
        <translation>Bahasa</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1263"/>
        <source>Hub URL</source>
        <translation>URL hub</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1271"/>
        <source>Staff</source>
        <translation>Staf</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1278"/>
        <location filename="../managerpanel.cpp" line="1305"/>
        <source>Cashier</source>
        <translation>Kasir</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1281"/>
        <source>Add</source>
        <translation>Tambah</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1283"/>
        <source>Role</source>
        <translation>Peran</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1306"/>
        <source>inactive</source>
        <translation>nonaktif</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1316"/>
        <source>Type the store&apos;s name.</source>
        <translation>Ketik nama toko.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1321"/>
        <source>“%1” is not a time zone. Use Asia/Jakarta, Asia/Makassar or Asia/Jayapura.</source>
        <translation>“%1” bukan zona waktu. Gunakan Asia/Jakarta, Asia/Makassar, atau Asia/Jayapura.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1328"/>
        <source>The hub URL must look like https://hub.example.co.id.</source>
        <translation>URL hub harus seperti https://hub.contoh.co.id.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1346"/>
        <source>Settings saved.</source>
        <translation>Pengaturan tersimpan.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1346"/>
        <source>Nothing changed.</source>
        <translation>Tidak ada yang berubah.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1365"/>
        <source> ms</source>
        <translation> ms</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1369"/>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1370"/>
        <source>Tab</source>
        <translation>Tab</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1371"/>
        <source>Nothing (a pause)</source>
        <translation>Tidak ada (jeda)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1372"/>
        <source>Apply and save</source>
        <translation>Terapkan dan simpan</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1374"/>
        <source>Devices</source>
        <translation>Perangkat</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1380"/>
        <source>Longest gap between keys</source>
        <translation>Jeda terlama antar tombol</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1381"/>
        <source>Shortest code (characters)</source>
        <translation>Kode terpendek (karakter)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1394"/>
        <source>Print the slip by itself after every earn and redemption</source>
        <translation>Cetak slip otomatis setiap kali poin didapat atau ditukar</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1421"/>
        <source>○ USB scanners: not started on this terminal</source>
        <translation>○ Pemindai USB: belum dijalankan di terminal ini</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1423"/>
        <source>○ USB scanners: USB cannot be used here (%1)</source>
        <translation>○ Pemindai USB: USB tidak bisa dipakai di sini (%1)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1427"/>
        <source>○ USB scanners: none plugged in (the supported models are in docs/hardware.md)</source>
        <translation>○ Pemindai USB: tidak ada yang terpasang (model yang didukung ada di docs/hardware.md)</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1431"/>
        <location filename="../managerpanel.cpp" line="1460"/>
        <source>ready</source>
        <translation>siap</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1432"/>
        <location filename="../managerpanel.cpp" line="1461"/>
        <source>unplugged</source>
        <translation>dicabut</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1433"/>
        <location filename="../managerpanel.cpp" line="1462"/>
        <source>in use by another program</source>
        <translation>sedang dipakai program lain</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1434"/>
        <location filename="../managerpanel.cpp" line="1463"/>
        <source>no permission</source>
        <translation>tidak ada izin</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1435"/>
        <location filename="../managerpanel.cpp" line="1465"/>
        <location filename="../managerpanel.cpp" line="1482"/>
        <source>not working</source>
        <translation>tidak berfungsi</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1438"/>
        <source>USB scanner %1 (%2): %3</source>
        <translation>Pemindai USB %1 (%2): %3</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1509"/>
        <source>Scan a card here to test: its code appears on this line.</source>
        <translation>Scan kartu di sini untuk mencoba: kodenya muncul di baris ini.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1511"/>
        <source>● Keyboard-wedge scanner: listening</source>
        <translation>● Scanner keyboard-wedge: siap menerima</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1511"/>
        <source>○ Keyboard-wedge scanner: off on this terminal</source>
        <translation>○ Scanner keyboard-wedge: mati di terminal ini</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1537"/>
        <source>Scanner settings applied and saved: keys up to %1 ms apart, codes of %2 characters or more.</source>
        <translation>Pengaturan scanner diterapkan dan disimpan: jeda tombol sampai %1 ms, kode %2 karakter atau lebih.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1541"/>
        <source>Scanner settings saved. No keyboard-wedge scanner listens on this terminal now.</source>
        <translation>Pengaturan scanner disimpan. Saat ini tidak ada scanner keyboard-wedge yang aktif di terminal ini.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1550"/>
        <source>Type the new person&apos;s name.</source>
        <translation>Ketik nama staf baru.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1563"/>
        <source>Manager %1 added.</source>
        <translation>Manajer %1 ditambahkan.</translation>
    </message>
    <message>
        <location filename="../managerpanel.cpp" line="1563"/>
        <source>Cashier %1 added.</source>
        <translation>Kasir %1 ditambahkan.</translation>
    </message>
</context>
<context>
    <name>setia::ui::MemberPage</name>
    <message>
        <location filename="../pages.cpp" line="272"/>
        <source>Earn points (F5)</source>
        <translation>Kumpulkan poin (F5)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="273"/>
        <source>Redeem (F6)</source>
        <translation>Tukar poin (F6)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="274"/>
        <source>Refund (F7)</source>
        <translation>Refund (F7)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="275"/>
        <source>Past receipts (F8)</source>
        <translation>Struk sebelumnya (F8)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="276"/>
        <source>Print card (F4)</source>
        <translation>Cetak kartu (F4)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="277"/>
        <source>Done (Esc)</source>
        <translation>Selesai (Esc)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="304"/>
        <source>Member card</source>
        <translation>Kartu member</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="306"/>
        <source>Card %1</source>
        <translation>Kartu %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="311"/>
        <source>Show this card at the till to earn and redeem points.</source>
        <translation>Tunjukkan kartu ini di kasir untuk mengumpulkan dan menukar poin.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="319"/>
        <source>This member has no active card to print. Give them one on the manager&apos;s Members screen.</source>
        <translation>Member ini belum punya kartu aktif untuk dicetak. Berikan kartu di layar Member milik manajer.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="324"/>
        <source>Printing the member&apos;s card…</source>
        <translation>Mencetak kartu member…</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="336"/>
        <source>%1 points</source>
        <translation>%1 poin</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="343"/>
        <source>%1 more spending to %2</source>
        <translation>Belanja %1 lagi untuk naik ke %2</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="344"/>
        <source>%1 more points to %2</source>
        <translation>%1 poin lagi untuk naik ke %2</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="347"/>
        <source>Highest tier</source>
        <translation>Level tertinggi</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="350"/>
        <source>⚠ %1 points expire by %2</source>
        <translation>⚠ %1 poin hangus pada %2</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="356"/>
        <source>🎂 Birthday this month</source>
        <translation>🎂 Ulang tahun bulan ini</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="367"/>
        <source>Digital card %1</source>
        <translation>Kartu digital %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="384"/>
        <source>Rewards available now: %1 of %2</source>
        <translation>Hadiah yang bisa ditukar: %1 dari %2</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="388"/>
        <source>Vouchers: %1</source>
        <translation>Voucher: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="391"/>
        <source>Badges: %1</source>
        <translation>Lencana: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="396"/>
        <source>✔ %1</source>
        <translation>✔ %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="397"/>
        <source>%1: %2 / %3</source>
        <translation>%1: %2 / %3</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="400"/>
        <source>Missions:</source>
        <translation>Misi:</translation>
    </message>
</context>
<context>
    <name>setia::ui::Printing</name>
    <message>
        <location filename="../printing.cpp" line="21"/>
        <location filename="../printing.cpp" line="59"/>
        <source>Printed.</source>
        <translation>Sudah dicetak.</translation>
    </message>
    <message>
        <location filename="../printing.cpp" line="21"/>
        <source>The slip was not printed: %1</source>
        <translation>Slip tidak tercetak: %1</translation>
    </message>
    <message>
        <location filename="../printing.cpp" line="56"/>
        <source>The slip could not be written to %1 (%2).</source>
        <translation>Slip tidak bisa ditulis ke %1 (%2).</translation>
    </message>
    <message>
        <location filename="../printing.cpp" line="63"/>
        <source>No receipt printer is set up on this terminal.</source>
        <translation>Belum ada printer struk di terminal ini.</translation>
    </message>
    <message>
        <location filename="../printing.cpp" line="68"/>
        <source>No receipt printer is connected. Plug it in, or give the member the slip on screen.</source>
        <translation>Printer struk tidak terhubung. Pasang printernya, atau tunjukkan slip di layar kepada member.</translation>
    </message>
    <message>
        <location filename="../printing.cpp" line="69"/>
        <location filename="../printing.cpp" line="72"/>
        <source>The receipt printer is not ready: %1</source>
        <translation>Printer struk belum siap: %1</translation>
    </message>
</context>
<context>
    <name>setia::ui::ReceiptPage</name>
    <message>
        <location filename="../pages.cpp" line="542"/>
        <source>Done (Enter)</source>
        <translation>Selesai (Enter)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="543"/>
        <source>Print slip (F4)</source>
        <translation>Cetak slip (F4)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="569"/>
        <source>Printing the slip…</source>
        <translation>Mencetak slip…</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="591"/>
        <source>Receipt %1</source>
        <translation>Struk %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="592"/>
        <location filename="../pages.cpp" line="614"/>
        <source>Member: %1</source>
        <translation>Member: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="593"/>
        <source>Purchase: %1</source>
        <translation>Belanja: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="596"/>
        <source>Base points</source>
        <translation>Poin dasar</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="598"/>
        <source>Points earned: %1</source>
        <translation>Poin didapat: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="599"/>
        <location filename="../pages.cpp" line="621"/>
        <source>New balance: %1</source>
        <translation>Saldo poin baru: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="601"/>
        <source>New tier: %1</source>
        <translation>Level baru: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="603"/>
        <source>(this receipt had already earned its points)</source>
        <translation>(struk ini sudah pernah mendapat poin)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="604"/>
        <location filename="../pages.cpp" line="622"/>
        <source>Thank you!</source>
        <translation>Terima kasih!</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="615"/>
        <source>Redeemed: %1</source>
        <translation>Ditukar: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="616"/>
        <source>Points used: %1</source>
        <translation>Poin terpakai: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="618"/>
        <source>Voucher code: %1</source>
        <translation>Kode voucher: %1</translation>
    </message>
</context>
<context>
    <name>setia::ui::ReceiptsPage</name>
    <message>
        <location filename="../pages.cpp" line="965"/>
        <source>Choose the receipt with ↑ ↓ and press Enter to refund it, whole or in part.</source>
        <translation>Pilih struk dengan ↑ ↓ lalu tekan Enter untuk me-refund, seluruhnya atau sebagian.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="972"/>
        <source>Refund this receipt (Enter)</source>
        <translation>Refund struk ini (Enter)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="973"/>
        <source>Back (Esc)</source>
        <translation>Kembali (Esc)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="994"/>
        <source>Receipts of %1</source>
        <translation>Struk milik %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="994"/>
        <source>Receipts</source>
        <translation>Struk</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="1015"/>
        <source>%1 · +%2 points</source>
        <translation>%1 · +%2 poin</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="1017"/>
        <source>refunded</source>
        <translation>sudah di-refund</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="1019"/>
        <source>%1 refunded, %2 left</source>
        <translation>%1 sudah di-refund, sisa %2</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="1020"/>
        <source>Receipt %1 — %2</source>
        <translation>Struk %1 — %2</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="1023"/>
        <source>Receipt %1 of %2: %3, +%4 points.</source>
        <translation>Struk %1 tanggal %2: %3, +%4 poin.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="1028"/>
        <source>No receipts with points yet.</source>
        <translation>Belum ada struk dengan poin.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="1054"/>
        <source>Choose a receipt first.</source>
        <translation>Pilih struk terlebih dahulu.</translation>
    </message>
</context>
<context>
    <name>setia::ui::RedeemPage</name>
    <message>
        <location filename="../pages.cpp" line="634"/>
        <source>Redeem a reward</source>
        <translation>Tukar poin dengan hadiah</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="642"/>
        <source>Yes, redeem (Enter)</source>
        <translation>Ya, tukar (Enter)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="643"/>
        <source>No</source>
        <translation>Tidak</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="654"/>
        <source>Voucher code</source>
        <translation>Kode voucher</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="656"/>
        <source>Receipt</source>
        <translation>Struk</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="658"/>
        <source>Purchase (Rp)</source>
        <translation>Belanja (Rp)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="659"/>
        <source>Use voucher</source>
        <translation>Pakai voucher</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="665"/>
        <source>Back (Esc)</source>
        <translation>Kembali (Esc)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="696"/>
        <source>Voucher accepted: %1 off.</source>
        <translation>Voucher diterima: potongan %1.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="731"/>
        <source>%1
%2 points</source>
        <translation>%1
%2 poin</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="732"/>
        <source>%1
%2 points — %3 more needed</source>
        <translation>%1
%2 poin — kurang %3 poin</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="752"/>
        <source>Redeem %1 for %2 points? Balance after: %3</source>
        <translation>Tukar %1 dengan %2 poin? Sisa poin: %3</translation>
    </message>
</context>
<context>
    <name>setia::ui::RefundPage</name>
    <message>
        <location filename="../pages.cpp" line="873"/>
        <location filename="../pages.cpp" line="905"/>
        <source>empty: the whole receipt</source>
        <translation>kosongkan: seluruh struk</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="875"/>
        <source>e.g. goods returned</source>
        <translation>contoh: barang diretur</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="878"/>
        <source>Refund a receipt</source>
        <translation>Refund struk</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="879"/>
        <source>The points of the refunded purchase are taken back.</source>
        <translation>Poin dari pembelian yang di-refund akan ditarik kembali.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="881"/>
        <source>Receipt</source>
        <translation>Struk</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="882"/>
        <source>Amount refunded (Rp)</source>
        <translation>Jumlah refund (Rp)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="883"/>
        <source>Reason</source>
        <translation>Alasan</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="887"/>
        <source>Refund (Enter)</source>
        <translation>Refund (Enter)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="888"/>
        <source>Cancel (Esc)</source>
        <translation>Batal (Esc)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="919"/>
        <source>empty: all that is left, %1</source>
        <translation>kosongkan: semua sisanya, %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="926"/>
        <source>Type the receipt number.</source>
        <translation>Ketik nomor struk.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="934"/>
        <source>Type the refunded amount in rupiah, or leave it empty for the whole receipt.</source>
        <translation>Ketik jumlah refund dalam rupiah, atau kosongkan untuk refund seluruh struk.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="940"/>
        <source>Type the reason for the refund, e.g. goods returned.</source>
        <translation>Ketik alasan refund, misalnya barang dikembalikan.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="954"/>
        <source>Refund saved: %1 points taken back. The member&apos;s balance is now %2.</source>
        <translation>Refund tersimpan: %1 poin ditarik kembali. Saldo poin member sekarang %2.</translation>
    </message>
</context>
<context>
    <name>setia::ui::ScanPage</name>
    <message>
        <location filename="../pages.cpp" line="138"/>
        <source>Scan the member&apos;s card or QR code</source>
        <translation>Scan kartu member atau kode QR</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="139"/>
        <source>…or type the card number or phone number and press Enter</source>
        <translation>…atau ketik nomor kartu atau nomor HP, lalu tekan Enter</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="146"/>
        <source>Card number or phone (0812…)</source>
        <translation>Nomor kartu atau HP (0812…)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="149"/>
        <source>Find</source>
        <translation>Cari</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="157"/>
        <location filename="../pages.cpp" line="213"/>
        <source>Camera (F3)</source>
        <translation>Kamera (F3)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="158"/>
        <source>New member (F2)</source>
        <translation>Member baru (F2)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="159"/>
        <source>Refund a receipt (F7)</source>
        <translation>Refund struk (F7)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="160"/>
        <source>Manager (F9)</source>
        <translation>Manajer (F9)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="203"/>
        <source>Camera off (F3)</source>
        <translation>Matikan kamera (F3)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="204"/>
        <source>Hold the QR code on the member&apos;s phone in front of the camera.</source>
        <translation>Arahkan kode QR di HP member ke depan kamera.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="206"/>
        <source>Camera on: hold the member&apos;s QR code up to it.</source>
        <translation>Kamera menyala: arahkan kode QR member ke kamera.</translation>
    </message>
</context>
<context>
    <name>setia::ui::TerminalWindow</name>
    <message>
        <location filename="../terminalwindow.cpp" line="140"/>
        <source>the contactless reader&apos;s thread could not start</source>
        <translation>proses pembaca kartu nirsentuh tidak bisa dimulai</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="163"/>
        <source>The camera stopped: %1</source>
        <translation>Kamera berhenti: %1</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="171"/>
        <source>The camera cannot be used: %1</source>
        <translation>Kamera tidak bisa dipakai: %1</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="483"/>
        <source>Card %1 scanned.</source>
        <translation>Kartu %1 berhasil di-scan.</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="540"/>
        <source>Only a manager can close Setia here: open Manager (F9), sign in with the PIN, then close it.</source>
        <translation>Hanya manajer yang bisa menutup Setia di sini: buka Manajer (F9), masuk dengan PIN, lalu tutup.</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="557"/>
        <source>● Not connected to a hub — everything is kept on this terminal</source>
        <translation>● Tidak terhubung ke hub — semua data disimpan di terminal ini</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="558"/>
        <source>○ Hub %1 set, but this terminal has no enrollment token: ask the installer</source>
        <translation>○ Hub %1 sudah diisi, tetapi terminal ini tidak punya token pendaftaran: hubungi petugas instalasi</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="561"/>
        <source>○ Registering with the hub…</source>
        <translation>○ Mendaftar ke hub…</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="562"/>
        <source>○ Not registered with the hub yet (retrying): %1</source>
        <translation>○ Belum terdaftar di hub (dicoba lagi): %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../terminalwindow.cpp" line="564"/>
        <source>⚠ %n event(s) not accepted by the hub — a manager must look at Manager → Alerts</source>
        <translation>
            <numerusform>⚠ %n kejadian tidak diterima hub — manajer harus memeriksa Manajer → Peringatan</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../terminalwindow.cpp" line="566"/>
        <source>○ Offline · %n event(s) waiting — sales and earning go on</source>
        <translation>
            <numerusform>○ Offline · %n kejadian menunggu — penjualan dan pengumpulan poin tetap jalan</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="567"/>
        <source>○ Offline — sales and earning go on</source>
        <translation>○ Offline — penjualan dan pengumpulan poin tetap jalan</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="569"/>
        <source>◐ Preparing this terminal: %1 chain members received — sales go on</source>
        <translation>◐ Menyiapkan terminal: %1 anggota jaringan diterima — penjualan tetap jalan</translation>
    </message>
    <message numerus="yes">
        <location filename="../terminalwindow.cpp" line="572"/>
        <source>● Online · %n event(s) waiting</source>
        <translation>
            <numerusform>● Online · %n kejadian menunggu</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="573"/>
        <source>● Synced with the hub at %1</source>
        <translation>● Tersinkron dengan hub pukul %1</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="584"/>
        <source>Manager: %1</source>
        <translation>Manajer: %1</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="586"/>
        <source>Cashier: %1</source>
        <translation>Kasir: %1</translation>
    </message>
</context>
</TS>
