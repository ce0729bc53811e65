<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="id_ID" sourcelanguage="en">
<context>
    <name>Texts</name>
    <message>
        <location filename="../texts.cpp" line="13"/>
        <source>This card is not registered. Ask for the member&apos;s phone number, or enroll them.</source>
        <translation>Kartu ini belum terdaftar. Tanyakan nomor HP member, atau daftarkan sebagai member baru.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="15"/>
        <source>This card is blocked — ask for the replacement card.</source>
        <translation>Kartu ini sudah diblokir — minta kartu pengganti.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="17"/>
        <source>This membership is blocked. Please call the manager.</source>
        <translation>Keanggotaan ini diblokir. Silakan hubungi manajer.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="19"/>
        <source>This membership was closed at the member&apos;s request.</source>
        <translation>Keanggotaan ini sudah ditutup atas permintaan member.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="21"/>
        <source>No member found. Check the number, or enroll a new member.</source>
        <translation>Member tidak ditemukan. Periksa nomornya, atau daftarkan member baru.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="23"/>
        <source>Not enough points for this reward.</source>
        <translation>Poin tidak cukup untuk hadiah ini.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="25"/>
        <source>This phone number is already a member. Look the member up instead.</source>
        <translation>Nomor HP ini sudah terdaftar sebagai member. Cari data membernya saja.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="27"/>
        <source>That phone number is not complete. Type it like 0812-3456-7890.</source>
        <translation>Nomor HP belum lengkap. Ketik seperti 0812-3456-7890.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="29"/>
        <source>That card already belongs to another member. Use a new card.</source>
        <translation>Kartu ini sudah dipakai member lain. Gunakan kartu baru.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="31"/>
        <source>This reward is out of stock.</source>
        <translation>Stok hadiah ini habis.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="33"/>
        <source>This reward is not available today.</source>
        <translation>Hadiah ini tidak tersedia hari ini.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="35"/>
        <source>This member has reached today&apos;s redemption limit. They can redeem again tomorrow.</source>
        <translation>Member ini sudah mencapai batas tukar poin hari ini. Bisa tukar lagi besok.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="37"/>
        <source>This receipt was already fully refunded.</source>
        <translation>Struk ini sudah di-refund seluruhnya.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="39"/>
        <source>No points were earned on this receipt here, so there is nothing to take back.</source>
        <translation>Struk ini tidak mendapat poin di sini, jadi tidak ada poin yang perlu ditarik kembali.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="41"/>
        <source>The refund amount is more than what is left on the receipt.</source>
        <translation>Jumlah refund melebihi sisa nilai di struk.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="43"/>
        <source>This receipt number was already used for another sale.</source>
        <translation>Nomor struk ini sudah dipakai untuk transaksi lain.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="45"/>
        <source>This voucher was already used.</source>
        <translation>Voucher ini sudah dipakai.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="47"/>
        <source>This voucher has expired.</source>
        <translation>Voucher ini sudah kedaluwarsa.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="49"/>
        <source>That is not a valid voucher code. Check it for a typo.</source>
        <translation>Kode voucher tidak valid. Periksa apakah ada salah ketik.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="51"/>
        <source>The purchase is too small for this voucher.</source>
        <translation>Belanja belum mencapai minimum untuk voucher ini.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="53"/>
        <source>The terminal&apos;s disk is full: nothing was saved. Call the manager.</source>
        <translation>Penyimpanan terminal penuh: tidak ada yang tersimpan. Hubungi manajer.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="55"/>
        <source>The terminal is busy. Try again in a moment.</source>
        <translation>Terminal sedang sibuk. Coba lagi sebentar lagi.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="57"/>
        <source>No loyalty program is loaded. Call the manager.</source>
        <translation>Program loyalitas belum dimuat. Hubungi manajer.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="59"/>
        <source>Please give a reason.</source>
        <translation>Mohon isi alasannya.</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="61"/>
        <source>Check the amount: %1</source>
        <translation>Periksa jumlahnya: %1</translation>
    </message>
    <message>
        <location filename="../texts.cpp" line="63"/>
        <source>Check the details: %1</source>
        <translation>Periksa datanya: %1</translation>
    </message>
</context>
<context>
    <name>setia::ui::EarnPage</name>
    <message>
        <location filename="../pages.cpp" line="261"/>
        <source>e.g. 125.000</source>
        <translation>contoh: 125.000</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="263"/>
        <source>POS receipt number</source>
        <translation>Nomor struk POS</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="265"/>
        <source>Cash</source>
        <translation>Tunai</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="266"/>
        <source>QRIS</source>
        <translation>QRIS</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="267"/>
        <source>Debit card</source>
        <translation>Kartu debit</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="268"/>
        <source>Credit card</source>
        <translation>Kartu kredit</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="269"/>
        <source>E-wallet</source>
        <translation>Dompet digital</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="270"/>
        <source>Earn points</source>
        <translation>Kumpulkan poin</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="271"/>
        <source>Amount paid (Rp)</source>
        <translation>Jumlah dibayar (Rp)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="272"/>
        <source>Payment</source>
        <translation>Pembayaran</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="273"/>
        <source>Receipt</source>
        <translation>Struk</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="281"/>
        <source>Points for this purchase</source>
        <translation>Poin untuk pembelian ini</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="285"/>
        <source>Confirm (Enter)</source>
        <translation>Konfirmasi (Enter)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="286"/>
        <source>Back (Esc)</source>
        <translation>Kembali (Esc)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="329"/>
        <source>+%1 points</source>
        <translation>+%1 poin</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="333"/>
        <source>Base points on %1</source>
        <translation>Poin dasar dari %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="335"/>
        <source>Below the minimum spend of %1</source>
        <translation>Di bawah minimum belanja %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="337"/>
        <source>Limit reached</source>
        <translation>Batas tercapai</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="350"/>
        <source>Type the amount the customer paid.</source>
        <translation>Ketik jumlah yang dibayar pelanggan.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="355"/>
        <source>Type the receipt number.</source>
        <translation>Ketik nomor struk.</translation>
    </message>
</context>
<context>
    <name>setia::ui::EnrollPage</name>
    <message>
        <location filename="../pages.cpp" line="577"/>
        <source>optional</source>
        <translation>opsional</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="579"/>
        <source>DD-MM-YYYY (optional)</source>
        <translation>DD-MM-YYYY (opsional)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="581"/>
        <source>a friend&apos;s code (optional)</source>
        <translation>kode dari teman (opsional)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="583"/>
        <source>scan the card now</source>
        <translation>scan kartunya sekarang</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="584"/>
        <source>New member</source>
        <translation>Member baru</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="585"/>
        <source>Name</source>
        <translation>Nama</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="586"/>
        <source>Phone</source>
        <translation>No. HP</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="587"/>
        <source>E-mail</source>
        <translation>Email</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="588"/>
        <source>Birth date</source>
        <translation>Tanggal lahir</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="589"/>
        <source>Referral code</source>
        <translation>Kode referral</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="590"/>
        <source>Card</source>
        <translation>Kartu</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="595"/>
        <source>Read this to the customer:</source>
        <translation>Bacakan kepada pelanggan:</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="596"/>
        <source>We keep your name, phone number and birth date to give you points and rewards. You can ask us to show, correct or delete them at any time.</source>
        <translation>Kami menyimpan nama, nomor telepon, dan tanggal lahir Anda untuk memberikan poin dan hadiah. Anda dapat meminta kami untuk menunjukkan, memperbaiki, atau menghapus data tersebut kapan saja.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="599"/>
        <source>May we send offers by SMS or e-mail?</source>
        <translation>Bolehkah kami mengirimkan penawaran melalui SMS atau email?</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="600"/>
        <source>May we send offers by WhatsApp?</source>
        <translation>Bolehkah kami mengirimkan penawaran melalui WhatsApp?</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="601"/>
        <source>No plastic card: issue a digital card</source>
        <translation>Tanpa kartu plastik: buat kartu digital</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="606"/>
        <source>Enroll (Enter)</source>
        <translation>Daftarkan (Enter)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="607"/>
        <source>Cancel (Esc)</source>
        <translation>Batal (Esc)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="640"/>
        <source>Type the birth date as DD-MM-YYYY, for example 15-03-1994.</source>
        <translation>Ketik tanggal lahir dengan format DD-MM-YYYY, contoh 15-03-1994.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="660"/>
        <source>Welcome! The member can be found by phone number.</source>
        <translation>Selamat bergabung! Member bisa dicari dengan nomor HP.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="661"/>
        <source>Welcome! Card number %1.</source>
        <translation>Selamat bergabung! Nomor kartu %1.</translation>
    </message>
</context>
<context>
    <name>setia::ui::MemberPage</name>
    <message>
        <location filename="../pages.cpp" line="178"/>
        <source>Earn points (F5)</source>
        <translation>Kumpulkan poin (F5)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="179"/>
        <source>Redeem (F6)</source>
        <translation>Tukar poin (F6)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="180"/>
        <source>Refund (F7)</source>
        <translation>Refund (F7)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="181"/>
        <source>Done (Esc)</source>
        <translation>Selesai (Esc)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="202"/>
        <source>%1 points</source>
        <translation>%1 poin</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="209"/>
        <source>%1 more spending to %2</source>
        <translation>Belanja %1 lagi untuk naik ke %2</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="210"/>
        <source>%1 more points to %2</source>
        <translation>%1 poin lagi untuk naik ke %2</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="213"/>
        <source>Highest tier</source>
        <translation>Level tertinggi</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="216"/>
        <source>⚠ %1 points expire by %2</source>
        <translation>⚠ %1 poin hangus pada %2</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="222"/>
        <source>🎂 Birthday this month</source>
        <translation>🎂 Ulang tahun bulan ini</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="230"/>
        <source>Rewards available now: %1 of %2</source>
        <translation>Hadiah yang bisa ditukar: %1 dari %2</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="234"/>
        <source>Vouchers: %1</source>
        <translation>Voucher: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="237"/>
        <source>Badges: %1</source>
        <translation>Lencana: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="242"/>
        <source>✔ %1</source>
        <translation>✔ %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="243"/>
        <source>%1: %2 / %3</source>
        <translation>%1: %2 / %3</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="246"/>
        <source>Missions:</source>
        <translation>Misi:</translation>
    </message>
</context>
<context>
    <name>setia::ui::ReceiptPage</name>
    <message>
        <location filename="../pages.cpp" line="385"/>
        <source>Done (Enter)</source>
        <translation>Selesai (Enter)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="406"/>
        <source>Receipt %1</source>
        <translation>Struk %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="407"/>
        <location filename="../pages.cpp" line="429"/>
        <source>Member: %1</source>
        <translation>Member: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="408"/>
        <source>Purchase: %1</source>
        <translation>Belanja: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="411"/>
        <source>Base points</source>
        <translation>Poin dasar</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="412"/>
        <source>Points earned: %1</source>
        <translation>Poin didapat: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="413"/>
        <location filename="../pages.cpp" line="434"/>
        <source>New balance: %1</source>
        <translation>Saldo poin baru: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="415"/>
        <source>New tier: %1</source>
        <translation>Level baru: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="417"/>
        <source>(this receipt had already earned its points)</source>
        <translation>(struk ini sudah pernah mendapat poin)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="430"/>
        <source>Redeemed: %1</source>
        <translation>Ditukar: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="431"/>
        <source>Points used: %1</source>
        <translation>Poin terpakai: %1</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="433"/>
        <source>Voucher code: %1</source>
        <translation>Kode voucher: %1</translation>
    </message>
</context>
<context>
    <name>setia::ui::RedeemPage</name>
    <message>
        <location filename="../pages.cpp" line="447"/>
        <source>Redeem a reward</source>
        <translation>Tukar poin dengan hadiah</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="455"/>
        <source>Yes, redeem (Enter)</source>
        <translation>Ya, tukar (Enter)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="456"/>
        <source>No</source>
        <translation>Tidak</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="467"/>
        <source>Voucher code</source>
        <translation>Kode voucher</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="469"/>
        <source>Receipt</source>
        <translation>Struk</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="471"/>
        <source>Purchase (Rp)</source>
        <translation>Belanja (Rp)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="472"/>
        <source>Use voucher</source>
        <translation>Pakai voucher</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="478"/>
        <source>Back (Esc)</source>
        <translation>Kembali (Esc)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="509"/>
        <source>Voucher accepted: %1 off.</source>
        <translation>Voucher diterima: potongan %1.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="537"/>
        <source>%1
%2 points</source>
        <translation>%1
%2 poin</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="538"/>
        <source>%1
%2 points — %3 more needed</source>
        <translation>%1
%2 poin — kurang %3 poin</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="558"/>
        <source>Redeem %1 for %2 points? Balance after: %3</source>
        <translation>Tukar %1 dengan %2 poin? Sisa poin: %3</translation>
    </message>
</context>
<context>
    <name>setia::ui::RefundPage</name>
    <message>
        <location filename="../pages.cpp" line="676"/>
        <source>empty: the whole receipt</source>
        <translation>kosongkan: seluruh struk</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="678"/>
        <source>e.g. goods returned</source>
        <translation>contoh: barang diretur</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="679"/>
        <source>Refund a receipt</source>
        <translation>Refund struk</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="680"/>
        <source>The points of the refunded purchase are taken back.</source>
        <translation>Poin dari pembelian yang di-refund akan ditarik kembali.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="681"/>
        <source>Receipt</source>
        <translation>Struk</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="682"/>
        <source>Amount refunded (Rp)</source>
        <translation>Jumlah refund (Rp)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="683"/>
        <source>Reason</source>
        <translation>Alasan</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="686"/>
        <source>Refund (Enter)</source>
        <translation>Refund (Enter)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="687"/>
        <source>Cancel (Esc)</source>
        <translation>Batal (Esc)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="713"/>
        <source>Type the refunded amount in rupiah, or leave it empty for the whole receipt.</source>
        <translation>Ketik jumlah refund dalam rupiah, atau kosongkan untuk refund seluruh struk.</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="723"/>
        <source>Refund saved: %1 points taken back. The member&apos;s balance is now %2.</source>
        <translation>Refund tersimpan: %1 poin ditarik kembali. Saldo poin member sekarang %2.</translation>
    </message>
</context>
<context>
    <name>setia::ui::ScanPage</name>
    <message>
        <location filename="../pages.cpp" line="98"/>
        <source>Scan the member&apos;s card or QR code</source>
        <translation>Scan kartu member atau kode QR</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="99"/>
        <source>…or type the card number or phone number and press Enter</source>
        <translation>…atau ketik nomor kartu atau nomor HP, lalu tekan Enter</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="103"/>
        <source>Card number or phone (0812…)</source>
        <translation>Nomor kartu atau HP (0812…)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="106"/>
        <source>Find</source>
        <translation>Cari</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="114"/>
        <source>New member (F2)</source>
        <translation>Member baru (F2)</translation>
    </message>
    <message>
        <location filename="../pages.cpp" line="115"/>
        <source>Refund a receipt (F7)</source>
        <translation>Refund struk (F7)</translation>
    </message>
</context>
<context>
    <name>setia::ui::TerminalWindow</name>
    <message>
        <location filename="../terminalwindow.cpp" line="214"/>
        <source>Card %1 scanned.</source>
        <translation>Kartu %1 berhasil di-scan.</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="226"/>
        <source>That scan is not a member card (too long). Scan again.</source>
        <translation>Yang di-scan bukan kartu member (terlalu panjang). Scan ulang.</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="291"/>
        <source>● Not connected to a hub — everything is kept on this terminal</source>
        <translation>● Tidak terhubung ke hub — semua data disimpan di terminal ini</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="292"/>
        <source>● Hub %1: sync not set up yet</source>
        <translation>● Hub %1: sinkronisasi belum diatur</translation>
    </message>
    <message>
        <location filename="../terminalwindow.cpp" line="293"/>
        <source>Cashier: %1</source>
        <translation>Kasir: %1</translation>
    </message>
</context>
</TS>
