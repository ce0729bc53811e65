#include "usbhiddecoder.h"

#include <string.h> // explicit_bzero

#include <algorithm>
#include <utility>

using namespace Qt::StringLiterals;

namespace setia {

namespace {

// Modifier bits of a boot keyboard report (HID 1.11, 8.3).
constexpr quint8 kLeftCtrl = 0x01, kLeftShift = 0x02, kLeftAlt = 0x04, kLeftGui = 0x08;
constexpr quint8 kRightCtrl = 0x10, kRightShift = 0x20, kRightAlt = 0x40, kRightGui = 0x80;

// Keyboard usages (HID Usage Tables, page 0x07) with a meaning of their own.
constexpr quint8 kErrorRollOver = 0x01, kPostFail = 0x02, kErrorUndefined = 0x03;
constexpr quint8 kEnter = 0x28, kTab = 0x2B, kKeypadEnter = 0x58;

// What one key types: without modifiers, with Shift, with AltGr (0: nothing). A dead key types
// nothing by itself and changes the next character.
struct Key {
    char16_t plain = 0;
    char16_t shift = 0;
    char16_t altGr = 0;
    bool deadPlain = false;
    bool deadShift = false;
};

using Table = std::array<Key, 0x68>;

void fillCommon(Table &t)
{
    for (int i = 0; i < 26; ++i)
        t[0x04 + i] = Key{char16_t(u'a' + i), char16_t(u'A' + i)};
    t[0x2C] = Key{u' ', u' '};
    // The keypad types the same whatever Shift says (Num Lock on, as scanners assume).
    t[0x54] = Key{u'/', u'/'};
    t[0x55] = Key{u'*', u'*'};
    t[0x56] = Key{u'-', u'-'};
    t[0x57] = Key{u'+', u'+'};
    for (int i = 0; i < 9; ++i)
        t[0x59 + i] = Key{char16_t(u'1' + i), char16_t(u'1' + i)};
    t[0x62] = Key{u'0', u'0'};
    t[0x63] = Key{u'.', u'.'};
    t[0x67] = Key{u'=', u'='};
}

Table makeUs()
{
    Table t{};
    fillCommon(t);
    const char16_t digits[] = u"1234567890";
    const char16_t shifted[] = u"!@#$%^&*()";
    for (int i = 0; i < 10; ++i)
        t[0x1E + i] = Key{digits[i], shifted[i]};
    t[0x2D] = Key{u'-', u'_'};
    t[0x2E] = Key{u'=', u'+'};
    t[0x2F] = Key{u'[', u'{'};
    t[0x30] = Key{u']', u'}'};
    t[0x31] = Key{u'\\', u'|'};
    t[0x32] = Key{u'\\', u'|'}; // "Non-US #": the same key on a US keyboard
    t[0x33] = Key{u';', u':'};
    t[0x34] = Key{u'\'', u'"'};
    t[0x35] = Key{u'`', u'~'};
    t[0x36] = Key{u',', u'<'};
    t[0x37] = Key{u'.', u'>'};
    t[0x38] = Key{u'/', u'?'};
    t[0x64] = Key{u'\\', u'|'}; // "Non-US \ and |"
    return t;
}

// German T1 (DIN 2137), as Linux's and Windows' "de" layouts: QWERTZ, with dead keys.
Table makeGerman()
{
    Table t{};
    fillCommon(t);
    t[0x1C] = Key{u'z', u'Z'}; // the key a US keyboard calls Y
    t[0x1D] = Key{u'y', u'Y'}; // … and Z
    t[0x14].altGr = u'@';      // Q
    t[0x08].altGr = u'€';      // E
    t[0x10].altGr = u'µ';      // M
    const char16_t digits[] = u"1234567890";
    const char16_t shifted[] = u"!\"§$%&/()=";
    for (int i = 0; i < 10; ++i)
        t[0x1E + i] = Key{digits[i], shifted[i]};
    t[0x1F].altGr = u'²';
    t[0x20].altGr = u'³';
    t[0x24].altGr = u'{';
    t[0x25].altGr = u'[';
    t[0x26].altGr = u']';
    t[0x27].altGr = u'}';
    t[0x2D] = Key{u'ß', u'?', u'\\'};
    t[0x2E] = Key{u'´', u'`', 0, true, true};
    t[0x2F] = Key{u'ü', u'Ü'};
    t[0x30] = Key{u'+', u'*', u'~'};
    t[0x31] = Key{u'#', u'\''};
    t[0x32] = Key{u'#', u'\''}; // ISO keyboards send "Non-US #" for this key
    t[0x33] = Key{u'ö', u'Ö'};
    t[0x34] = Key{u'ä', u'Ä'};
    t[0x35] = Key{u'^', u'°', 0, true, false};
    t[0x36] = Key{u',', u';'};
    t[0x37] = Key{u'.', u':'};
    t[0x38] = Key{u'-', u'_'};
    t[0x63] = Key{u',', u','}; // the keypad's decimal separator
    t[0x64] = Key{u'<', u'>', u'|'};
    return t;
}

const Table &table(HidKeyboardLayout layout)
{
    static const Table us = makeUs();
    static const Table german = makeGerman();
    return layout == HidKeyboardLayout::German ? german : us;
}

// The combining mark of a dead key's accent.
char16_t combining(char16_t accent)
{
    switch (accent) {
    case u'^': return u'\u0302';
    case u'´': return u'\u0301';
    case u'`': return u'\u0300';
    default: return 0;
    }
}

} // namespace

QString hidKeyboardLayoutName(HidKeyboardLayout layout)
{
    switch (layout) {
    case HidKeyboardLayout::Us: return u"us"_s;
    case HidKeyboardLayout::German: return u"de"_s;
    }
    return {};
}

std::optional<HidKeyboardLayout> hidKeyboardLayoutFromName(QStringView name)
{
    const QString n = name.trimmed().toString().toLower();
    if (n == u"us"_s || n == u"en-us"_s)
        return HidKeyboardLayout::Us;
    if (n == u"de"_s || n == u"de-de"_s || n == u"german"_s)
        return HidKeyboardLayout::German;
    return std::nullopt;
}

HidKeyboardDecoder::HidKeyboardDecoder(HidKeyboardLayout layout) : m_layout(layout) {}

QStringList HidKeyboardDecoder::feed(QByteArrayView report)
{
    if (report.size() < 3)
        return {};
    const auto modifiers = quint8(report[0]);
    std::array<quint8, 6> keys{};
    const qsizetype count = std::min<qsizetype>(6, report.size() - 2);
    for (qsizetype i = 0; i < count; ++i)
        keys[size_t(i)] = quint8(report[2 + i]);
    // "Too many keys" (or a self-test failure): the report says nothing about which keys are
    // down. Keep the previous state, as the HID specification asks.
    if (std::any_of(keys.begin(), keys.end(),
                    [](quint8 k) { return k == kErrorRollOver || k == kPostFail || k == kErrorUndefined; }))
        return {};
    QStringList done;
    for (size_t i = 0; i < keys.size(); ++i) {
        const quint8 k = keys[i];
        if (k == 0)
            continue;
        const bool held = std::find(m_down.begin(), m_down.end(), k) != m_down.end();
        const bool earlierSlot = std::find(keys.begin(), keys.begin() + qsizetype(i), k) != keys.begin() + qsizetype(i);
        if (!held && !earlierSlot)
            type(k, modifiers, done);
    }
    m_down = keys;
    return done;
}

void HidKeyboardDecoder::type(quint8 usage, quint8 modifiers, QStringList &done)
{
    if (usage == kEnter || usage == kKeypadEnter || usage == kTab) {
        if (m_dead)
            append(QStringView(&m_dead, 1));
        m_dead = 0;
        QString scan = takeScan();
        if (!scan.isEmpty())
            done << scan;
        return;
    }
    const Table &keys = table(m_layout);
    if (usage >= keys.size())
        return;
    const bool ctrlAny = modifiers & (kLeftCtrl | kRightCtrl);
    const bool altGr = (modifiers & kRightAlt) || (ctrlAny && (modifiers & kLeftAlt));
    const bool ctrl = ctrlAny && !(modifiers & kLeftAlt);
    const bool shift = modifiers & (kLeftShift | kRightShift);
    if ((modifiers & (kLeftGui | kRightGui)) || ((modifiers & kLeftAlt) && !altGr))
        return; // shortcuts, not text
    const Key &key = keys[usage];
    char16_t c = altGr ? key.altGr : shift ? key.shift : key.plain;
    if (!c)
        return;
    const bool dead = !altGr && (shift ? key.deadShift : key.deadPlain);
    if (ctrl) {
        if (c >= u'a' && c <= u'z')
            c = char16_t(c - 0x60);
        else if (c > u'@' && c <= u'_')
            c = char16_t(c - 0x40);
        else
            return;
        m_dead = 0;
        append(QStringView(&c, 1));
        return;
    }
    if (m_dead) {
        const char16_t accent = std::exchange(m_dead, char16_t(0));
        if (c == u' ') {
            append(QStringView(&accent, 1));
            return;
        }
        const char16_t pair[] = {c, combining(accent)};
        const QString composed = QStringView(pair, 2).toString().normalized(QString::NormalizationForm_C);
        if (composed.size() == 1) {
            append(composed);
            return;
        }
        append(QStringView(&accent, 1));
    }
    if (dead) {
        m_dead = c;
        return;
    }
    append(QStringView(&c, 1));
}

void HidKeyboardDecoder::append(QStringView text)
{
    if (m_overflow)
        return;
    if (m_text.size() + text.size() > kMaxPending) {
        m_overflow = true;
        m_text.clear();
        return;
    }
    m_text += text;
}

QString HidKeyboardDecoder::takeScan()
{
    if (std::exchange(m_overflow, false)) {
        m_text.clear();
        return {};
    }
    return std::exchange(m_text, QString());
}

QString HidKeyboardDecoder::flush()
{
    if (m_dead)
        append(QStringView(&m_dead, 1));
    m_dead = 0;
    return takeScan();
}

void HidKeyboardDecoder::reset()
{
    m_down = {};
    m_text.clear();
    m_dead = 0;
    m_overflow = false;
}

std::optional<HidPosRead> HidPosDecoder::feed(QByteArrayView report)
{
    if (report.isEmpty() || quint8(report[0]) != kReportId)
        return std::nullopt;
    constexpr qsizetype kDataAt = 5;
    constexpr qsizetype kMoreAt = 63;
    const qsizetype declared = report.size() > 1 ? quint8(report[1]) : 0;
    const qsizetype available = std::max<qsizetype>(0, std::min(report.size(), kDataAt + kMaxChunk) - kDataAt);
    const qsizetype n = std::min({declared, kMaxChunk, available});
    if (!std::exchange(m_started, true) && report.size() >= kDataAt && report[2] == ']')
        m_aim = report.sliced(2, 3).toByteArray();
    if (!m_overflow) {
        if (m_data.size() + n > kMaxBarcode) {
            m_overflow = true;
            m_data.clear();
            m_data.squeeze();
        } else {
            m_data += report.sliced(std::min(kDataAt, report.size()), n);
        }
    }
    const bool more = report.size() > kMoreAt && report[kMoreAt] != 0;
    if (more)
        return std::nullopt;
    m_started = false;
    HidPosRead read;
    const bool overflow = std::exchange(m_overflow, false);
    read.data = std::exchange(m_data, QByteArray());
    read.aim = std::exchange(m_aim, QByteArray());
    if (overflow)
        return std::nullopt;
    while (!read.data.isEmpty() && (read.data.endsWith('\r') || read.data.endsWith('\n') || read.data.endsWith('\t')))
        read.data.chop(1);
    if (read.data.isEmpty())
        return std::nullopt;
    if (!read.aim.startsWith(']'))
        read.aim.clear();
    read.symbology = symbologyFromAim(read.aim);
    return read;
}

void HidPosDecoder::reset()
{
    m_started = false;
    m_data.clear();
    m_aim.clear();
    m_overflow = false;
}

QString symbologyFromAim(QByteArrayView aim)
{
    if (aim.size() < 2 || aim[0] != ']')
        return {};
    const char modifier = aim.size() > 2 ? aim[2] : '0';
    switch (aim[1]) {
    case 'A': return u"code39"_s;
    case 'C': return u"code128"_s;
    case 'E': return modifier == '4' ? u"ean8"_s : u"ean13"_s;
    case 'F': return u"codabar"_s;
    case 'G': return u"code93"_s;
    case 'I': return u"itf"_s;
    case 'L': return u"pdf417"_s;
    case 'Q': return u"qr"_s;
    case 'U': return u"maxicode"_s;
    case 'd': return u"datamatrix"_s;
    case 'e': return u"databar"_s;
    case 'z': return u"aztec"_s;
    default: return {};
    }
}

bool hidReportDescriptorUsesPage(QByteArrayView d, quint16 usagePage)
{
    qsizetype i = 0;
    while (i < d.size()) {
        const auto prefix = quint8(d[i]);
        if (prefix == 0xFE) { // long item: size, tag, data
            if (i + 2 >= d.size())
                return false;
            i += 3 + quint8(d[i + 1]);
            continue;
        }
        const qsizetype size = (prefix & 0x03) == 3 ? 4 : (prefix & 0x03);
        if (i + 1 + size > d.size())
            return false;
        quint32 value = 0;
        for (qsizetype b = 0; b < size; ++b)
            value |= quint32(quint8(d[i + 1 + b])) << (8 * b);
        const int type = (prefix >> 2) & 0x03;
        const int tag = prefix >> 4;
        if (type == 1 && tag == 0 && value == usagePage) // Global: Usage Page
            return true;
        if (type == 2 && tag == 0 && size == 4 && (value >> 16) == usagePage) // Local: extended Usage
            return true;
        i += 1 + size;
    }
    return false;
}

// ---- MagTek HID swipe readers ----

MagTekDecoder::~MagTekDecoder() { reset(); }

void MagTekDecoder::reset() { wipeBytes(m_report); }

std::optional<MagTekRead> MagTekDecoder::feed(QByteArrayView packet)
{
    const qsizetype take = qMin(packet.size(), kReportSize - m_report.size());
    if (m_report.capacity() < kReportSize)
        m_report.reserve(kReportSize); // no reallocation: no stray copy of track data is left behind
    m_report.append(packet.first(take));
    if (m_report.size() < kReportSize)
        return std::nullopt;
    MagTekRead read;
    const auto *r = reinterpret_cast<const unsigned char *>(m_report.constData());
    read.tracks.reserve(3 * kTrackSize);
    for (int t = 0; t < 3; ++t) {
        const qsizetype length = qMin<qsizetype>(r[3 + t], kTrackSize);
        if (length == 0)
            continue;
        if (r[t] != 0) {
            ++read.badTracks;
            continue;
        }
        ++read.goodTracks;
        read.tracks.append(m_report.constData() + kTrackOffset[t], length);
    }
    reset();
    return read;
}

void wipeBytes(QByteArray &bytes)
{
    if (!bytes.isEmpty() && bytes.isDetached())
        explicit_bzero(bytes.data(), size_t(bytes.size()));
    bytes.clear();
}

} // namespace setia
