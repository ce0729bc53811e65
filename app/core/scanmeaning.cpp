#include "scanmeaning.h"

#include "cardtoken.h"
#include "ids.h"
#include "phone.h"

#include <QRegularExpression>
#include <QVarLengthArray>

#include <openssl/crypto.h>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace setia {

namespace {

// ---- payment cards ----

// Issuer identification ranges (ISO/IEC 7812 IINs as the networks publish them) and the PAN
// lengths each network issues. A number is refused as a payment card when it is Luhn-valid and
// both its prefix and its length match a row. Lengths matter: they keep the 13-digit Setia
// numbers (prefix 2) clear of Mastercard's 2221–2720 (16 digits) and Mir's 2200–2204, and
// Indonesian phone numbers (0…, 62… up to 14 digits, 8… up to 12) clear of UnionPay's 62 and
// 81 (16–19 digits).
struct IssuerRange {
    int low, high;    // prefix, as a number of `digits` digits
    int digits;
    quint32 lengths;  // bit n: an n-digit PAN exists
    const char16_t *brand;
};
constexpr quint32 lengthsFrom(int from, int to)
{
    quint32 m = 0;
    for (int n = from; n <= to; ++n)
        m |= 1u << n;
    return m;
}
constexpr quint32 kVisaLengths = (1u << 13) | (1u << 16) | (1u << 19);
constexpr IssuerRange kIssuers[] = {
    {4, 4, 1, kVisaLengths, u"Visa"},
    {51, 55, 2, 1u << 16, u"Mastercard"},
    {2221, 2720, 4, 1u << 16, u"Mastercard"},
    {34, 34, 2, 1u << 15, u"American Express"},
    {37, 37, 2, 1u << 15, u"American Express"},
    {3528, 3589, 4, lengthsFrom(16, 19), u"JCB"},
    {300, 305, 3, lengthsFrom(14, 19), u"Diners Club"},
    {3095, 3095, 4, lengthsFrom(14, 19), u"Diners Club"},
    {36, 36, 2, lengthsFrom(14, 19), u"Diners Club"},
    {38, 39, 2, lengthsFrom(16, 19), u"Diners Club"},
    {2200, 2204, 4, lengthsFrom(16, 19), u"Mir"},
    {6011, 6011, 4, lengthsFrom(16, 19), u"Discover"},
    {644, 649, 3, lengthsFrom(16, 19), u"Discover"},
    {65, 65, 2, lengthsFrom(16, 19), u"Discover"},
    {62, 62, 2, lengthsFrom(16, 19), u"UnionPay"},
    {81, 81, 2, lengthsFrom(16, 19), u"UnionPay"},
    {9360, 9360, 4, lengthsFrom(16, 19), u"GPN"}, // Gerbang Pembayaran Nasional (Indonesian debit)
    {50, 50, 2, lengthsFrom(13, 19), u"Maestro"},
    {56, 58, 2, lengthsFrom(13, 19), u"Maestro"},
    // Every other 6…: Maestro, RuPay, and the domestic debit cards of Indonesian banks (BCA 6019,
    // ATM Bersama and Prima members) that carry 6-prefixed numbers.
    {60, 69, 2, lengthsFrom(16, 19), u"Debit card"},
};

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool allDigits(QByteArrayView d)
{
    if (d.isEmpty())
        return false;
    for (char c : d)
        if (!isDigit(c))
            return false;
    return true;
}

bool luhn(QByteArrayView d)
{
    if (!allDigits(d))
        return false;
    int sum = 0;
    bool twice = false;
    for (qsizetype i = d.size() - 1; i >= 0; --i) {
        int v = d[i] - '0';
        if (twice && (v *= 2) > 9)
            v -= 9;
        sum += v;
        twice = !twice;
    }
    return sum % 10 == 0;
}

bool setiaNumber(QByteArrayView d)
{
    if (d.size() != 13 || d[0] != '2' || !allDigits(d))
        return false;
    int sum = 0; // GS1: from the right of the body, weights 3, 1, 3, …
    for (int i = 0; i < 12; ++i)
        sum += (d[11 - i] - '0') * (i % 2 == 0 ? 3 : 1);
    return (10 - sum % 10) % 10 == d[12] - '0';
}

const char16_t *networkOf(QByteArrayView d)
{
    const qsizetype n = d.size();
    if (n < 13 || n > 19 || !luhn(d) || setiaNumber(d))
        return nullptr;
    for (const IssuerRange &r : kIssuers) {
        if (!(r.lengths & (1u << n)))
            continue;
        int prefix = 0;
        for (int i = 0; i < r.digits; ++i)
            prefix = prefix * 10 + (d[i] - '0');
        if (prefix >= r.low && prefix <= r.high)
            return r.brand;
    }
    return nullptr;
}

// Between groups of a card number as people write it: spaces (and the no-break space, C2 A0 in
// UTF-8), dashes, dots, slashes, underscores, commas, brackets.
bool isGroupGap(char c)
{
    switch (c) {
    case ' ': case '-': case '.': case '/': case '_': case ',': case '(': case ')': case '\xC2': case '\xA0':
        return true;
    default:
        return false;
    }
}
constexpr qsizetype kMaxGroupGap = 3; // "4111 - 1111", "4111\xC2\xA01111"

// Digit groups joined by up to three of the characters above make a run ("4111 1111 1111 1111",
// "4111.1111.1111.1111", "(4111) 1111 …"), anywhere in the bytes: a number typed, pasted or
// read in some other wrapping. Every stretch of whole groups of a run that holds 13 to 19 digits
// is checked, so where a card number starts and ends in a longer run does not matter. Found by
// fuzzing (tests/fuzz/fuzz_scan): first only single spaces and dashes were accepted, then a run
// of joined groups longer than 19 digits hid the card number inside it.
const char16_t *networkInDigitRuns(QByteArrayView buf)
{
    struct Group {
        qsizetype from, length;
    };
    QVarLengthArray<Group, 16> groups;
    const char16_t *found = nullptr;
    auto checkRun = [&] {
        char digits[19];
        for (qsizetype first = 0; first < groups.size() && !found; ++first) {
            int count = 0;
            for (qsizetype g = first; g < groups.size() && !found; ++g) {
                if (count + groups[g].length > 19)
                    break;
                std::copy_n(buf.data() + groups[g].from, groups[g].length, digits + count);
                count += int(groups[g].length);
                if (count >= 13)
                    found = networkOf(QByteArrayView(digits, count));
            }
        }
        OPENSSL_cleanse(digits, sizeof digits);
        groups.clear();
    };
    qsizetype i = 0;
    const qsizetype n = buf.size();
    while (i < n && !found) {
        if (!isDigit(buf[i])) {
            ++i;
            continue;
        }
        qsizetype end = i;
        while (end < n && isDigit(buf[end]))
            ++end;
        groups.append({i, end - i});
        qsizetype next = end;
        while (next < n && next - end < kMaxGroupGap && isGroupGap(buf[next]))
            ++next;
        i = next;
        if (next == end || next >= n || !isDigit(buf[next]))
            checkRun(); // the run ends here
    }
    if (!found)
        checkRun();
    return found;
}

// ---- magnetic-stripe tracks ----
//
// Why core has its own track reading instead of drivers' parseMagStripe(): app/core may not link
// drivers/ (CMake enforces the arrow), and core must understand track text that never went
// through a magnetic-stripe driver — a reader in keyboard mode types it through the keyboard
// wedge, a cashier may paste it. drivers/magstripe.h is the complete, device-facing parser
// (every error reported, the best of repeated reads chosen); this is the little core needs to
// decide what a card is: where the tracks are, each one's account field, complete or not, LRC
// right or wrong. Both follow the same rules and are tested with the same kinds of reads
// (tests/drivers/tst_magstripe.cpp, tests/core/tst_scan.cpp). Only indexes into the caller's
// buffer are kept: no copy of a track is made here.

struct Track {
    int number = 0;
    qsizetype from = 0, to = 0; // the body, between the sentinels
    bool complete = false, lrcBad = false;
};
struct Tracks {
    QVarLengthArray<Track, 8> list;
    bool garbage = false;
};

bool isSeparator(char c) { return c == '\r' || c == '\n' || c == '\t' || c == ' '; }
bool isStart(char c) { return c == '%' || c == ';'; }
bool inCharset(int track, char c)
{
    const auto u = static_cast<unsigned char>(c);
    return track == 1 ? (u >= 0x20 && u <= 0x5F) : (u >= 0x30 && u <= 0x3F);
}
char lrcOf(int track, char start, QByteArrayView body)
{
    const int offset = track == 1 ? 0x20 : 0x30, mask = track == 1 ? 0x3F : 0x0F;
    int x = ((static_cast<unsigned char>(start) - offset) & mask) ^ ((static_cast<unsigned char>('?') - offset) & mask);
    for (char c : body)
        x ^= (static_cast<unsigned char>(c) - offset) & mask;
    return static_cast<char>(offset + x);
}

Tracks findTracks(QByteArrayView buf)
{
    Tracks out;
    int last = 0; // the previous track's number in this swipe
    qsizetype pos = 0;
    const qsizetype n = buf.size();
    while (pos < n && out.list.size() < 16) {
        const char c = buf[pos];
        if (isSeparator(c)) {
            ++pos;
            continue;
        }
        if (!isStart(c)) {
            out.garbage = true;
            ++pos;
            continue;
        }
        qsizetype i = pos + 1;
        while (i < n && buf[i] != '?' && buf[i] != '\r' && buf[i] != '\n' && buf[i] != '\t' && !isStart(buf[i]))
            ++i;
        Track t;
        t.from = pos + 1;
        t.to = i;
        t.complete = i < n && buf[i] == '?';
        t.number = c == '%' ? 1 : (last == 2 || t.to - t.from > 37 ? 3 : 2);
        last = t.number == 3 ? 0 : t.number;
        pos = t.complete ? i + 1 : i;
        if (t.complete && pos < n) { // the LRC, when the reader passes it on
            const char next = buf[pos];
            const char expected = lrcOf(t.number, c, buf.sliced(t.from, t.to - t.from));
            if (isStart(next)) {
                if (next == expected && (pos + 1 >= n || isSeparator(buf[pos + 1]) || isStart(buf[pos + 1])))
                    ++pos;
            } else if (next == expected) {
                ++pos;
            } else if (!isSeparator(next) && inCharset(t.number, next)) {
                t.lrcBad = true;
                ++pos;
            }
        }
        out.list.append(t);
    }
    return out;
}

// The primary account field: after the format code up to '^' on track 1, up to '=' on 2 and 3.
QByteArrayView accountOf(QByteArrayView buf, const Track &t)
{
    QByteArrayView body = buf.sliced(t.from, t.to - t.from);
    if (t.number == 1)
        body = body.isEmpty() ? body : body.sliced(1);
    const qsizetype sep = body.indexOf(t.number == 1 ? '^' : '=');
    return sep < 0 ? body : body.first(sep);
}

const char16_t *networkInTracks(QByteArrayView buf, const Tracks &tracks)
{
    for (const Track &t : tracks.list) {
        const QByteArrayView account = accountOf(buf, t);
        if (const char16_t *brand = networkOf(account))
            return brand;
        // ISO 4909 track 3 starts with a two-digit format code before the PAN.
        if (t.number == 3 && account.size() > 2)
            if (const char16_t *brand = networkOf(account.sliced(2)))
                return brand;
        // Format code B is ISO 7813's for financial cards: a Luhn-valid 13–19 digit account on it
        // is a bank card even when its network is missing from the table.
        if (t.number == 1 && t.to > t.from && buf[t.from] == 'B' && account.size() >= 13 && account.size() <= 19
            && luhn(account) && !setiaNumber(account))
            return u"Bank card";
    }
    return nullptr;
}


ScanMeaning garbled(const QString &code, const QString &detail)
{
    ScanMeaning m;
    m.kind = ScanMeaning::Kind::Garbled;
    m.error = code;
    m.detail = detail;
    return m;
}

ScanMeaning paymentCard(const QString &brand, bool swiped,
                        const QString &detail = QStringLiteral("a payment card number; refused and not kept"))
{
    ScanMeaning m;
    m.kind = ScanMeaning::Kind::PaymentCard;
    m.error = u"payment_card"_s;
    m.brand = brand;
    m.swiped = swiped;
    m.detail = detail;
    return m;
}

ScanMeaning memberCard(const QString &number, bool swiped)
{
    ScanMeaning m;
    m.kind = ScanMeaning::Kind::MemberCard;
    m.value = number;
    m.setiaNumber = isSetiaCardNumber(number);
    m.swiped = swiped;
    if (!m.setiaNumber && number.size() == 13 && number.startsWith(u'2'))
        m.detail = u"a Setia-shaped number whose check digit is wrong (misread or mistyped)"_s;
    return m;
}

ScanMeaning fromTracks(QByteArrayView buf, const Tracks &tracks)
{
    if (tracks.list.isEmpty() || tracks.garbage)
        return garbled(u"garbled_scan"_s, u"bytes outside the magnetic tracks"_s);
    for (const Track &t : tracks.list)
        if (!t.complete)
            return garbled(u"partial_scan"_s, u"track %1 has no end sentinel: a partial read"_s.arg(t.number));
    for (const Track &t : tracks.list)
        if (t.lrcBad)
            return garbled(u"garbled_scan"_s, u"track %1's LRC does not match"_s.arg(t.number));
    // A Setia number on any track wins; two different ones are two cards in one read.
    QString setia;
    for (const Track &t : tracks.list) {
        const QByteArrayView account = accountOf(buf, t);
        if (!setiaNumber(account))
            continue;
        const QString number = QString::fromLatin1(account);
        if (!setia.isEmpty() && setia != number)
            return garbled(u"garbled_scan"_s, u"two different cards in one read"_s);
        setia = number;
    }
    if (!setia.isEmpty())
        return memberCard(setia, true);
    // A card of another scheme (imported from an older loyalty system): track 2, else 1, else 3.
    for (int number : {2, 1, 3})
        for (const Track &t : tracks.list)
            if (t.number == number) {
                const QString account = QString::fromLatin1(accountOf(buf, t)).toUpper();
                if (isPlausibleCardNumber(account))
                    return memberCard(account, true);
            }
    return garbled(u"garbled_scan"_s, u"no card number on the tracks"_s);
}

// A contactless chip's UID (ISO/IEC 14443-3: 4, 7 or 10 bytes) as the reader gives it, in hex.
// The member card's number is the UID in upper-case hex. A 4-byte UID that starts with 08 is a
// random one, new at every tap (ISO/IEC 14443-3, 6.5.4: phones emulating a card, many bank
// cards): it can never identify a member twice.
ScanMeaning fromChipUid(QByteArrayView buf)
{
    const qsizetype n = buf.size();
    if (n != 8 && n != 14 && n != 20)
        return garbled(u"garbled_scan"_s, u"a chip UID of %1 hex digits (4, 7 or 10 bytes expected)"_s.arg(n));
    QString hex;
    hex.reserve(n);
    for (char c : buf) {
        const char u = (c >= 'a' && c <= 'f') ? char(c - 32) : c;
        if (!((u >= '0' && u <= '9') || (u >= 'A' && u <= 'F')))
            return garbled(u"garbled_scan"_s, u"a chip UID that is not hexadecimal"_s);
        hex += QLatin1Char(u);
    }
    if (n == 8 && hex.startsWith(u"08"_s))
        return garbled(u"random_chip_id"_s, u"a random chip UID (08…), different at every tap"_s);
    return memberCard(hex, false);
}

// Copies of the scan made while classifying are overwritten when they go (a copy handed out in
// the result shares its buffer and is only released).
struct WipeOnExit {
    QString &text;
    ~WipeOnExit() { wipeBuffer(text); }
};

// networkInDigitRuns() over text: its ASCII characters as they are, every other one a byte
// that is neither a digit nor a gap. The copy is overwritten before it goes.
const char16_t *networkInText(const QString &text)
{
    QByteArray plain(text.size(), '\x01');
    for (qsizetype i = 0; i < text.size(); ++i)
        if (text[i].unicode() < 0x80)
            plain[i] = char(text[i].unicode());
    const char16_t *brand = networkInDigitRuns(plain);
    wipeBuffer(plain);
    return brand;
}

// The scanner's own word that the bytes are a product barcode (an EAN or UPC): a PAN is never
// printed as one, so a 13-digit EAN that happens to pass Luhn with a 4 prefix is not a Visa.
bool isProductBarcode(const QString &symbology)
{
    static const QStringList productBarcodes = {u"ean13"_s, u"ean8"_s, u"upca"_s, u"upce"_s};
    return productBarcodes.contains(symbology);
}

bool phoneShapedDigits(const QString &digits)
{
    return digits.size() >= 9 && digits.size() <= 15
        && (digits.startsWith(u'0') || digits.startsWith(u"62"_s) || digits.startsWith(u'8'));
}

ScanMeaning classify(QByteArrayView buf, qsizetype originalSize, const QString &symbology, ScanSource source)
{
    while (!buf.isEmpty() && (isSeparator(buf.back()) || buf.back() == '\0'))
        buf.chop(1); // scanner suffixes: CR, LF, Tab (and a NUL some HID readers pad with)
    while (!buf.isEmpty() && isSeparator(buf.front()))
        buf = buf.sliced(1);
    // A contactless reader (drivers/contactlessreader.h) says what it read in the symbology: a
    // payment card recognised by its payment application ("emv", nothing of it read), or a chip's
    // UID ("uid", upper-case hex, below). Before the empty check: an "emv" scan has no bytes.
    if (symbology == u"emv"_s)
        return paymentCard(u"Contactless bank card"_s, false,
                           u"a contactless payment card (it has a payment application); refused, nothing of it read"_s);
    if (buf.isEmpty())
        return garbled(u"garbled_scan"_s, u"empty"_s);

    // Payment cards first, whatever else is wrong with the read: a bank card is refused as one.
    // Track data starts with a start sentinel; from a card reader, garbage may come first. A
    // reader set to strip the sentinels sends plain text, which the rules below read as typed.
    const bool fromReader = source == ScanSource::MagStripe || symbology == u"track"_s;
    const bool trackShaped = isStart(buf.front()) || (fromReader && (buf.contains('%') || buf.contains(';')));
    Tracks tracks;
    if (trackShaped)
        tracks = findTracks(buf);
    // A PAN is never printed as a product barcode: the scanner's symbology (when it says) keeps
    // a 13-digit EAN that happens to pass Luhn with a 4 prefix from being called a Visa.
    const char16_t *network = trackShaped ? networkInTracks(buf, tracks) : nullptr;
    if (!network && !isProductBarcode(symbology))
        network = networkInDigitRuns(buf);
    if (network)
        return paymentCard(QString::fromUtf16(network), trackShaped);

    // A chip UID, after the payment-card rule: bytes that hold a card number are refused as one
    // whatever the device said they were (found by tests/fuzz/fuzz_scan).
    // Too long for any scan, a chip's UID included (before it: the UID rule would count the
    // digits of a read of any length into its message; found by tests/fuzz/fuzz_scan).
    if (originalSize > kMaxScanPayload)
        return garbled(u"garbled_scan"_s, u"longer than %1 bytes"_s.arg(kMaxScanPayload));
    if (symbology == u"uid"_s)
        return fromChipUid(buf);
    if (trackShaped)
        return fromTracks(buf, tracks);
    for (char c : buf) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F)
            return garbled(u"garbled_scan"_s, u"control characters"_s);
    }
    QString text = QString::fromUtf8(buf);
    const WipeOnExit wipeText{text};
    if (text.contains(QChar::ReplacementCharacter))
        return garbled(u"garbled_scan"_s, u"not UTF-8 text"_s);
    for (QChar c : std::as_const(text))
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            return garbled(u"garbled_scan"_s, u"control characters"_s);

    // The same payment-card rule over the text as a person reads it: every kind of white space
    // (tabs, runs of spaces, no-break and other Unicode spaces) one space — the form a Text or
    // Phone meaning's value takes. Found by tests/fuzz/fuzz_scan.
    if (!isProductBarcode(symbology)) {
        QString simple = text.simplified();
        const char16_t *brand = networkInText(simple);
        wipeBuffer(simple);
        if (brand)
            return paymentCard(QString::fromUtf16(brand), false);
    }
    ScanMeaning m;
    if (looksLikeCardToken(buf.toByteArray())) {
        m.kind = ScanMeaning::Kind::DigitalCard;
        m.value = text;
        return m;
    }
    // Digits, maybe grouped with spaces or dashes: a card number or a phone number.
    static const QRegularExpression groupedDigits(u"^[0-9]+(?:[ -][0-9]+)*$"_s);
    if (groupedDigits.match(text).hasMatch()) {
        QString digits = text;
        const WipeOnExit wipeDigits{digits};
        digits.remove(u' ').remove(u'-');
        if (isSetiaCardNumber(digits))
            return memberCard(digits, false);
        if (phoneShapedDigits(digits)) {
            if (auto e164 = normalizePhone(digits)) {
                m.kind = ScanMeaning::Kind::Phone;
                m.value = e164.value();
                return m;
            }
        }
        if (digits.size() >= 4 && digits.size() <= 32)
            return memberCard(digits, false);
    }
    // A phone written with its punctuation: "+62 812-3456-7890", "(021) 555-1234".
    static const QRegularExpression phonePunctuation(u"^[+(]?[0-9][0-9 ().-]{6,24}$"_s);
    if (phonePunctuation.match(text).hasMatch()) {
        if (auto e164 = normalizePhone(text)) {
            m.kind = ScanMeaning::Kind::Phone;
            m.value = e164.value();
            return m;
        }
    }
    // A voucher: 10 Crockford base32 characters and a check character, printed ABCD-EFGH-JKM.
    // Only in its printed shape (dashes, or all upper case as a scanner reads it) and with at
    // least one letter, so that a typed name or an all-digit number is not taken for one.
    static const QRegularExpression voucherShape(u"^[0-9A-Za-z]{4}([- ]?)[0-9A-Za-z]{4}\\1[0-9A-Za-z]{3}$"_s);
    if (voucherShape.match(text).hasMatch() && (text.contains(u'-') || text == text.toUpper())) {
        const QString code = normalizeHumanCode(text);
        static const QRegularExpression letter(u"[A-Z]"_s);
        if (code.size() == 11 && isValidHumanCode(code) && code.contains(letter)) {
            m.kind = ScanMeaning::Kind::Voucher;
            m.value = code;
            m.error = u"voucher_scanned"_s;
            return m;
        }
    }
    m.kind = ScanMeaning::Kind::Text;
    m.value = text.simplified();
    return m;
}

} // namespace

QString scanKindName(ScanMeaning::Kind kind)
{
    switch (kind) {
    case ScanMeaning::Kind::MemberCard: return u"member_card"_s;
    case ScanMeaning::Kind::DigitalCard: return u"digital_card"_s;
    case ScanMeaning::Kind::Voucher: return u"voucher"_s;
    case ScanMeaning::Kind::Phone: return u"phone"_s;
    case ScanMeaning::Kind::Text: return u"text"_s;
    case ScanMeaning::Kind::PaymentCard: return u"payment_card"_s;
    case ScanMeaning::Kind::Garbled: return u"garbled"_s;
    }
    return {};
}

ScanMeaning classifyScan(QByteArray payload, const QString &symbology, ScanSource source)
{
    // One copy of our own, of bounded size, that every rule reads and that is overwritten below.
    const qsizetype size = payload.size();
    QByteArray buf(payload.constData(), qMin(size, kMaxScanInspect));
    wipeBuffer(payload);
    const QString sym = symbology.trimmed().toLower();
    ScanMeaning m = classify(buf, size, sym, source);
    wipeBuffer(buf);
    // The last word on every meaning that carries a value: the value as it leaves here (a phone
    // number with its punctuation taken out, text with its white space made single) must not
    // hold a card number either. "+4387872)62 ........65 90" is a phone number by its shape, and
    // its E.164 form is a Visa number (found by tests/fuzz/fuzz_scan).
    if (m.kind != ScanMeaning::Kind::PaymentCard && !m.value.isEmpty() && !isProductBarcode(sym)) {
        if (const char16_t *brand = networkInText(m.value)) {
            const bool swiped = m.swiped;
            wipeBuffer(m.value);
            return paymentCard(QString::fromUtf16(brand), swiped);
        }
    }
    return m;
}

bool isSetiaCardNumber(QStringView number)
{
    if (number.size() != 13)
        return false;
    char d[13];
    for (int i = 0; i < 13; ++i)
        d[i] = number[i].unicode() < 128 ? char(number[i].unicode()) : 'x';
    return setiaNumber(QByteArrayView(d, 13));
}

bool luhnValid(QStringView digits)
{
    if (digits.isEmpty() || digits.size() > 64)
        return false;
    char d[64];
    for (qsizetype i = 0; i < digits.size(); ++i)
        d[i] = digits[i].unicode() < 128 ? char(digits[i].unicode()) : 'x';
    const bool ok = luhn(QByteArrayView(d, digits.size()));
    OPENSSL_cleanse(d, sizeof d);
    return ok;
}

QString paymentCardBrand(QStringView digits)
{
    if (digits.size() < 13 || digits.size() > 19)
        return {};
    char d[19];
    for (qsizetype i = 0; i < digits.size(); ++i)
        d[i] = digits[i].unicode() < 128 ? char(digits[i].unicode()) : 'x';
    const char16_t *brand = networkOf(QByteArrayView(d, digits.size()));
    OPENSSL_cleanse(d, sizeof d);
    return brand ? QString::fromUtf16(brand) : QString();
}

void wipeBuffer(QByteArray &bytes)
{
    if (!bytes.isEmpty() && bytes.isDetached())
        OPENSSL_cleanse(bytes.data(), size_t(bytes.size()));
    bytes.clear();
}

void wipeBuffer(QString &text)
{
    if (!text.isEmpty() && text.isDetached())
        OPENSSL_cleanse(text.data(), size_t(text.size()) * sizeof(QChar));
    text.clear();
}

} // namespace setia
