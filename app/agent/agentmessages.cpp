// The API's error sentences in Bahasa Indonesia and English, one table (no .ts file: the agent
// has no screens, and a POS developer reads these in docs/agent.md too). Core's own English
// sentence travels beside them as "detail".
#include "agent.h"

#include <QHash>

using namespace Qt::StringLiterals;

namespace setia::agent {

namespace {

struct Sentences {
    const char16_t *id;
    const char16_t *en;
};

const QHash<QString, Sentences> &table()
{
    static const QHash<QString, Sentences> t = {
        // the API's own
        {u"unauthorized"_s, {u"Token agen tidak ada atau salah. Kirim header Authorization: Bearer <token> dari berkas token.",
                             u"The agent token is missing or wrong. Send Authorization: Bearer <token> from the token file."}},
        {u"host_not_local"_s, {u"Permintaan ini tidak ditujukan ke komputer ini (Host bukan 127.0.0.1 atau localhost) dan ditolak.",
                               u"This request was not addressed to this computer (Host is not 127.0.0.1 or localhost) and is refused."}},
        {u"origin_not_allowed"_s, {u"Permintaan dari halaman web ditolak: hanya program POS di komputer ini yang boleh memakai agen.",
                                   u"Requests from a web page are refused: only the POS program on this computer may use the agent."}},
        {u"not_found"_s, {u"Alamat ini tidak ada di API agen. Lihat docs/api/agent-openapi.yaml.",
                          u"There is no such address in the agent API. See docs/api/agent-openapi.yaml."}},
        {u"method_not_allowed"_s, {u"Metode HTTP ini tidak dipakai di alamat ini.", u"This HTTP method is not used at this address."}},
        {u"payload_too_large"_s, {u"Isi permintaan terlalu besar (paling banyak 1 MiB).", u"The request body is too large (at most 1 MiB)."}},
        {u"unsupported_media_type"_s, {u"Isi permintaan harus JSON (Content-Type: application/json).",
                                       u"The request body must be JSON (Content-Type: application/json)."}},
        {u"malformed_json"_s, {u"Isi permintaan bukan JSON yang benar.", u"The request body is not valid JSON."}},
        {u"unknown_field"_s, {u"Kolom %1 tidak dikenal; periksa ejaannya di dokumentasi API.",
                              u"The field %1 is unknown; check its spelling in the API documentation."}},
        {u"missing_field"_s, {u"Kolom %1 wajib diisi.", u"The field %1 is required."}},
        {u"invalid_field"_s, {u"Kolom %1 berisi nilai yang salah.", u"The field %1 has a wrong value."}},
        {u"too_many_waiters"_s, {u"Terlalu banyak sambungan menunggu pindaian; tutup yang tidak dipakai.",
                                 u"Too many connections are waiting for scans; close the ones not in use."}},
        {u"printer_unavailable"_s, {u"Printer struk tidak siap. Periksa kabel, kertas dan daya printer.",
                                    u"The receipt printer is not ready. Check its cable, paper and power."}},
        {u"internal_error"_s, {u"Terjadi kesalahan di agen; lihat log (journalctl -u setia-agent).",
                               u"Something went wrong in the agent; see its log (journalctl -u setia-agent)."}},
        // the invalid basket: which line, what is wrong
        {u"invalid_basket"_s, {u"Keranjang tidak valid: %1.", u"The basket is not valid: %1."}},
        // core's codes that a POS meets
        {u"unknown_card"_s, {u"Kartu tidak dikenal. Periksa nomornya atau daftarkan anggota baru.",
                             u"Unknown card. Check the number or enroll a new member."}},
        {u"unknown_member"_s, {u"Anggota tidak ditemukan.", u"No such member."}},
        {u"card_blocked"_s, {u"Kartu ini diblokir dan tidak bisa dipakai. Minta kartu pengganti di toko.",
                             u"This card is blocked and cannot be used. Ask the store for a replacement card."}},
        {u"member_blocked"_s, {u"Keanggotaan ini diblokir. Hubungi manajer toko.", u"This membership is blocked. Ask the store manager."}},
        {u"member_erased"_s, {u"Data anggota ini sudah dihapus.", u"This member's data was erased."}},
        {u"payment_card"_s, {u"Ini kartu pembayaran (bank), bukan kartu anggota. Kartu tidak disimpan; pindai kartu anggota.",
                             u"This is a payment (bank) card, not a member card. Nothing of it was kept; scan the member card."}},
        {u"garbled_scan"_s, {u"Pindaian tidak terbaca. Pindai sekali lagi.", u"The scan could not be read. Scan again."}},
        {u"partial_scan"_s, {u"Pindaian terpotong. Pindai sekali lagi.", u"The scan was cut short. Scan again."}},
        {u"voucher_scanned"_s, {u"Ini voucher, bukan kartu anggota. Pakai voucher saat pembayaran.",
                                u"This is a voucher, not a member card. Use it at payment."}},
        {u"digital_card_needs_qr"_s, {u"Kartu digital: pindai kode QR di ponsel anggota atau cari dengan nomor telepon.",
                                      u"A digital card: scan the QR code on the member's phone or look up the phone number."}},
        {u"forged_card_token"_s, {u"Kode QR kartu digital tidak sah.", u"The digital card's QR code is not genuine."}},
        {u"expired_card_token"_s, {u"Kode QR kartu digital sudah kedaluwarsa; minta anggota membuka ulang aplikasinya.",
                                   u"The digital card's QR code has expired; ask the member to open it again."}},
        {u"future_card_token"_s, {u"Kode QR kartu digital bertanggal di masa depan; periksa jam ponsel dan kasir.",
                                  u"The digital card's QR code is dated in the future; check the phone's and the till's clocks."}},
        {u"insufficient_points"_s, {u"Poin tidak cukup.", u"Not enough points."}},
        {u"redeem_limit"_s, {u"Batas penukaran poin tercapai.", u"The redemption limit has been reached."}},
        {u"lease_exceeded"_s, {u"Penukaran ini melebihi batas saat kasir offline. Anggota bisa menukar poin setelah kasir kembali online; mengumpulkan poin tetap bisa.",
                               u"This redemption is beyond what this till may redeem while offline. The member can redeem once the till is back online; earning works as usual."}},
        {u"points_not_payment"_s, {u"Poin tidak bisa dipakai sebagai pembayaran di program ini.",
                                   u"Points cannot be used as payment in this program."}},
        {u"invalid_points"_s, {u"Jumlah poin tidak valid.", u"The number of points is not valid."}},
        {u"unknown_reward"_s, {u"Hadiah tidak dikenal.", u"Unknown reward."}},
        {u"reward_unavailable"_s, {u"Hadiah ini sedang tidak tersedia.", u"This reward is not available now."}},
        {u"out_of_stock"_s, {u"Stok hadiah habis.", u"The reward is out of stock."}},
        {u"unknown_voucher"_s, {u"Voucher tidak dikenal.", u"Unknown voucher."}},
        {u"voucher_used"_s, {u"Voucher sudah dipakai.", u"The voucher was already used."}},
        {u"voucher_expired"_s, {u"Voucher sudah kedaluwarsa.", u"The voucher has expired."}},
        {u"voucher_min_spend"_s, {u"Belanja belum mencapai minimum untuk voucher ini.",
                                  u"The purchase is below this voucher's minimum spend."}},
        {u"unknown_receipt"_s, {u"Struk tidak dikenal: belum ada poin untuk nomor struk ini.",
                                u"Unknown receipt: no points were earned on this receipt number."}},
        {u"already_refunded"_s, {u"Struk ini sudah dikembalikan seluruhnya.", u"This receipt was already fully refunded."}},
        {u"invalid_refund"_s, {u"Jumlah pengembalian tidak valid.", u"The refund amount is not valid."}},
        {u"receipt_conflict"_s, {u"Nomor struk ini sudah dipakai untuk belanja lain; transaksi baru perlu nomor struk baru.",
                                 u"This receipt number was already used for another sale; a new sale needs a new receipt number."}},
        {u"request_conflict"_s, {u"Idempotency-Key ini sudah dipakai untuk permintaan lain; permintaan baru perlu kunci baru.",
                                 u"This Idempotency-Key was already used for a different request; a new request needs a new key."}},
        {u"invalid_request_id"_s, {u"Idempotency-Key tidak valid: 1 sampai 128 huruf, angka dan . _ : - (misalnya UUID).",
                                   u"The Idempotency-Key is not valid: 1 to 128 letters, digits and . _ : - (a UUID, say)."}},
        {u"duplicate_member"_s, {u"Nomor telepon ini sudah terdaftar sebagai anggota.", u"This phone number is already enrolled."}},
        {u"card_in_use"_s, {u"Kartu ini sudah dipakai anggota lain.", u"This card already belongs to another member."}},
        {u"invalid_phone"_s, {u"Nomor telepon tidak valid.", u"The phone number is not valid."}},
        {u"invalid_member"_s, {u"Data anggota tidak valid.", u"The member's details are not valid."}},
        {u"invalid_card"_s, {u"Nomor kartu tidak valid.", u"The card number is not valid."}},
        {u"unknown_referral"_s, {u"Kode referal tidak dikenal.", u"Unknown referral code."}},
        {u"reason_required"_s, {u"Alasan wajib diisi.", u"A reason is required."}},
        {u"no_program"_s, {u"Belum ada program loyalitas yang berlaku.", u"No loyalty program is in force."}},
        {u"store_busy"_s, {u"Penyimpanan sedang sibuk; coba lagi sebentar.", u"The store is busy; try again in a moment."}},
        {u"store_error"_s, {u"Penyimpanan gagal; lihat log agen.", u"The store failed; see the agent's log."}},
        {u"store_readonly"_s, {u"Penyimpanan hanya-baca; agen tidak bisa menulis.", u"The store is read-only; the agent cannot write."}},
        {u"disk_full"_s, {u"Disk penuh; hubungi dukungan.", u"The disk is full; call support."}},
    };
    return t;
}

} // namespace

QString errorMessage(const QString &code, const QString &lang, const QString &field)
{
    const bool en = lang == u"en"_s;
    const auto it = table().constFind(code);
    if (it == table().cend())
        return en ? u"The request was refused (%1)."_s.arg(code) : u"Permintaan ditolak (%1)."_s.arg(code);
    QString s = QString::fromUtf16(en ? it->en : it->id);
    if (s.contains(u"%1"_s))
        s = s.arg(field.isEmpty() ? (en ? u"(see detail)"_s : u"(lihat detail)"_s) : field);
    return s;
}

int statusForCode(const QString &code)
{
    static const QHash<QString, int> status = {
        {u"unauthorized"_s, 401}, {u"host_not_local"_s, 421}, {u"origin_not_allowed"_s, 403},
        {u"not_found"_s, 404}, {u"method_not_allowed"_s, 405}, {u"payload_too_large"_s, 413},
        {u"unsupported_media_type"_s, 415}, {u"too_many_waiters"_s, 503}, {u"printer_unavailable"_s, 503},
        {u"unknown_card"_s, 404}, {u"unknown_member"_s, 404}, {u"unknown_receipt"_s, 404},
        {u"unknown_reward"_s, 404}, {u"unknown_voucher"_s, 404}, {u"unknown_referral"_s, 404},
        {u"duplicate_member"_s, 409}, {u"card_in_use"_s, 409}, {u"receipt_conflict"_s, 409}, {u"request_conflict"_s, 409},
        {u"already_refunded"_s, 409}, {u"voucher_used"_s, 409}, {u"lease_exceeded"_s, 409},
        {u"store_busy"_s, 503}, {u"store_error"_s, 500}, {u"store_readonly"_s, 503}, {u"disk_full"_s, 507},
        {u"internal_error"_s, 500}, {u"no_program"_s, 503}, {u"not_initialized"_s, 503},
    };
    if (const auto it = status.constFind(code); it != status.cend())
        return *it;
    if (code.startsWith(u"invalid_"_s) || code == u"malformed_json"_s || code == u"unknown_field"_s
        || code == u"missing_field"_s || code == u"reason_required"_s)
        return 400;
    return 422; // refused by a rule: blocked card, payment card, insufficient points, ...
}

QString languageFrom(const QByteArray &acceptLanguage, const QString &fallback)
{
    // "en-US,en;q=0.9,id;q=0.8": the highest q among id and en, the first on a tie.
    QString best;
    double bestQ = -1;
    for (const QByteArray &part : acceptLanguage.split(',')) {
        const QList<QByteArray> bits = part.trimmed().split(';');
        const QByteArray tag = bits.value(0).trimmed().toLower();
        const QByteArray primary = tag.split('-').value(0);
        double q = 1.0;
        for (qsizetype i = 1; i < bits.size(); ++i) {
            const QByteArray p = bits[i].trimmed();
            if (p.startsWith("q=")) {
                bool ok = false;
                q = p.mid(2).toDouble(&ok);
                if (!ok)
                    q = 0;
            }
        }
        if ((primary == "id" || primary == "in" || primary == "en") && q > 0 && q > bestQ) {
            best = primary == "en" ? u"en"_s : u"id"_s;
            bestQ = q;
        }
    }
    return best.isEmpty() ? fallback : best;
}

} // namespace setia::agent
