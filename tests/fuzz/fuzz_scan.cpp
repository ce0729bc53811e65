// Fuzz target: the scan classifier (app/core/scanmeaning.h, classifyScan).
//
// Input: byte 0 picks the source (ScanSource, % 7), byte 1 the symbology from the list below,
// the rest is the payload exactly as a device or the cashier's keyboard would hand it over.
// Invariants (abort when broken):
//   - A payment card's meaning carries no value, the error payment_card and a brand.
//   - Garbled: no value, the error garbled_scan or partial_scan.
//   - No meaning's error, brand or detail holds four digits in a row: those fields never carry
//     any of the scanned bytes.
//   - The classifier's own rule, checked from the outside: when the bytes it inspects (the first
//     kMaxScanInspect) hold a run of 13–19 digits, single spaces or dashes between groups
//     allowed, that paymentCardBrand() recognises, the meaning is PaymentCard. Product barcodes
//     (symbology ean13, ean8, upca, upce) are exempt: there the classifier trusts the scanner
//     that the digits are an EAN.
//   - No meaning but PaymentCard has a value holding a payment card number — 13–19 digits with
//     up to two of " -./_,()" between groups (found by this target: the classifier used to let
//     such numbers through as text; docs/fuzzing.md). Product barcodes are exempt as above.
//   - A payload longer than kMaxScanPayload is a payment card or garbled.
//   - The same input gives the same meaning (the classifier keeps no state).
#include "fuzzcheck.h"

#include "core/scanmeaning.h"

#include <QByteArray>
#include <QString>

#include <algorithm>
#include <array>
#include <string_view>

using namespace Qt::StringLiterals;
using setia::ScanMeaning;
using setia::ScanSource;
using Kind = ScanMeaning::Kind;

namespace {

bool isDigit(QChar c) { return c >= u'0' && c <= u'9'; }
int codeAt(const QByteArray &s, qsizetype i) { return quint8(s[i]); }
int codeAt(const QString &s, qsizetype i) { return s[i].unicode(); }

bool hasDigitRun(const QString &s, int length)
{
    int run = 0;
    for (QChar c : s) {
        run = isDigit(c) ? run + 1 : 0;
        if (run >= length)
            return true;
    }
    return false;
}

// Runs of digits in s, with up to maxGap characters of gapChars between groups; true when one of
// 13–19 digits is a payment card number (paymentCardBrand). Non-ASCII text is never a digit.
template <typename Text>
bool holdsPaymentCardNumber(const Text &s, int maxGap, std::string_view gapChars)
{
    QString run;
    auto end = [&] {
        const bool found = run.size() >= 13 && run.size() <= 19 && !setia::paymentCardBrand(run).isEmpty();
        run.clear();
        return found;
    };
    auto digitAt = [&](qsizetype i) { return i < s.size() && codeAt(s, i) >= '0' && codeAt(s, i) <= '9'; };
    for (qsizetype i = 0; i < s.size(); ++i) {
        if (digitAt(i)) {
            run += QChar(char16_t(codeAt(s, i)));
            continue;
        }
        qsizetype gap = 0;
        while (gap < maxGap && i + gap < s.size() && codeAt(s, i + gap) < 0x80
               && gapChars.find(char(codeAt(s, i + gap))) != std::string_view::npos)
            ++gap;
        if (gap > 0 && !run.isEmpty() && digitAt(i + gap)) {
            i += gap - 1;
            continue;
        }
        if (end())
            return true;
    }
    return end();
}

bool same(const ScanMeaning &a, const ScanMeaning &b)
{
    return a.kind == b.kind && a.value == b.value && a.error == b.error && a.brand == b.brand && a.detail == b.detail
        && a.setiaNumber == b.setiaNumber && a.swiped == b.swiped;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 2)
        return 0;
    static const std::array<QString, 14> symbologies = {
        QString(), u"ean13"_s, u"ean8"_s, u"upca"_s, u"upce"_s, u"qr"_s,
        u"code128"_s, u"track"_s, u"datamatrix"_s, u" EAN13 "_s, u"Track"_s, u"pdf417"_s,
        u"uid"_s, u"emv"_s, // a contactless reader's
    };
    const auto source = ScanSource(data[0] % 7);
    const QString &symbology = symbologies[data[1] % symbologies.size()];
    const QByteArray payload(reinterpret_cast<const char *>(data) + 2, qsizetype(size) - 2);

    const ScanMeaning m = setia::classifyScan(payload, symbology, source);

    for (const QString *field : {&m.error, &m.brand, &m.detail})
        SETIA_FUZZ_CHECK(!hasDigitRun(*field, 4));
    switch (m.kind) {
    case Kind::PaymentCard:
        SETIA_FUZZ_CHECK(m.value.isEmpty());
        SETIA_FUZZ_CHECK(m.error == u"payment_card"_s);
        SETIA_FUZZ_CHECK(!m.brand.isEmpty());
        break;
    case Kind::Garbled:
        SETIA_FUZZ_CHECK(m.value.isEmpty());
        SETIA_FUZZ_CHECK(m.error == u"garbled_scan"_s || m.error == u"partial_scan"_s || m.error == u"random_chip_id"_s);
        SETIA_FUZZ_CHECK(m.brand.isEmpty());
        break;
    default:
        SETIA_FUZZ_CHECK(m.brand.isEmpty());
        SETIA_FUZZ_CHECK(payload.size() <= setia::kMaxScanPayload);
        break;
    }
    const QString sym = symbology.trimmed().toLower();
    const bool productBarcode = sym == u"ean13"_s || sym == u"ean8"_s || sym == u"upca"_s || sym == u"upce"_s;
    if (!productBarcode) {
        const QByteArray inspected = payload.first(std::min(payload.size(), setia::kMaxScanInspect));
        if (holdsPaymentCardNumber(inspected, 1, " -"))
            SETIA_FUZZ_CHECK(m.kind == Kind::PaymentCard);
        if (m.kind != Kind::PaymentCard)
            SETIA_FUZZ_CHECK(!holdsPaymentCardNumber(m.value, 2, " -./_,()"));
    }

    SETIA_FUZZ_CHECK(same(m, setia::classifyScan(payload, symbology, source)));
    return 0;
}
