// The pure decoders of USB HID scanners: boot keyboard reports in two layouts, Honeywell HID POS
// reports, HID report descriptors. Expected texts are written by hand from the HID Usage Tables
// (keyboard page 0x07) and the US and German (DIN 2137 T1) keyboard layouts.
#include "drivers/usbhiddecoder.h"

#include <QTest>

using namespace Qt::StringLiterals;
using setia::HidKeyboardDecoder;
using setia::HidKeyboardLayout;
using setia::HidPosDecoder;

namespace {

constexpr quint8 LCTRL = 0x01, LSHIFT = 0x02, LALT = 0x04, RSHIFT = 0x20, RALT = 0x40;
constexpr quint8 ENTER = 0x28, TAB = 0x2B, SPACE = 0x2C, KP_ENTER = 0x58;

QByteArray rep(quint8 mod, std::initializer_list<quint8> keys = {})
{
    QByteArray r(8, '\0');
    r[0] = char(mod);
    int i = 2;
    for (quint8 k : keys)
        r[i++] = char(k);
    return r;
}

// Press and release, as a scanner types a character.
QList<QByteArray> tap(quint8 mod, quint8 key)
{
    return {rep(mod, {key}), rep(0)};
}

QList<QByteArray> taps(quint8 mod, std::initializer_list<quint8> keys)
{
    QList<QByteArray> out;
    for (quint8 k : keys)
        out += tap(mod, k);
    return out;
}

// A Honeywell HID POS report (report ID 2, 64 bytes unless `size` says otherwise).
QByteArray posReport(const QByteArray &aim, const QByteArray &chunk, bool more, int size = 64, int declared = -1)
{
    QByteArray r(size, '\0');
    r[0] = 0x02;
    if (size > 1)
        r[1] = char(declared >= 0 ? declared : int(chunk.size()));
    for (int i = 0; i < aim.size() && 2 + i < size; ++i)
        r[2 + i] = aim[i];
    for (int i = 0; i < chunk.size() && 5 + i < size; ++i)
        r[5 + i] = chunk[i];
    if (size > 61)
        r[61] = 's';
    if (size > 63)
        r[63] = more ? 1 : 0;
    return r;
}

} // namespace

class TestHidDecoder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keyboard_data();
    void keyboard();
    void keyboardFlushForScannersWithoutTerminator();
    void keyboardDropsOverlongScans();
    void keyboardIgnoresShortReports();
    void layoutNames();
    void pos_data();
    void pos();
    void posDropsOverlongBarcodes();
    void aim_data();
    void aim();
    void reportDescriptor_data();
    void reportDescriptor();
    void magtek_data();
    void magtek();
    void magtekWholeReportInAnyPackets();
};

void TestHidDecoder::keyboard_data()
{
    QTest::addColumn<QString>("layout");
    QTest::addColumn<QList<QByteArray>>("reports");
    QTest::addColumn<QStringList>("scans");
    QTest::addColumn<QString>("pending");

    const auto enter = tap(0, ENTER);
    QTest::newRow("digits, Enter") << u"us"_s << (taps(0, {0x1F, 0x24, 0x27}) + enter) << QStringList{u"270"_s} << QString();
    QTest::newRow("left and right Shift")
        << u"us"_s << (tap(LSHIFT, 0x04) + tap(RSHIFT, 0x05) + tap(0, 0x06) + enter) << QStringList{u"ABc"_s} << QString();
    QTest::newRow("Shift pressed alone first")
        << u"us"_s << (QList<QByteArray>{rep(LSHIFT), rep(LSHIFT, {0x04}), rep(LSHIFT), rep(0)} + enter)
        << QStringList{u"A"_s} << QString();
    QTest::newRow("US shifted digits")
        << u"us"_s << (taps(LSHIFT, {0x1E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27}) + enter)
        << QStringList{u"!@#$%^&*()"_s} << QString();
    QTest::newRow("US symbols")
        << u"us"_s
        << (taps(0, {0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, SPACE})
            + taps(LSHIFT, {0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38}) + enter)
        << QStringList{u"-=[]\\;'`,./ _+{}|:\"~<>?"_s} << QString();
    QTest::newRow("key repeat types once")
        << u"us"_s << (QList<QByteArray>{rep(0, {0x04}), rep(0, {0x04}), rep(0, {0x04}), rep(0)} + enter)
        << QStringList{u"a"_s} << QString();
    QTest::newRow("the same key twice needs a release")
        << u"us"_s << (taps(0, {0x04, 0x04}) + enter) << QStringList{u"aa"_s} << QString();
    QTest::newRow("rollover: only newly pressed keys")
        << u"us"_s
        << (QList<QByteArray>{rep(0, {0x04}), rep(0, {0x04, 0x05}), rep(0, {0x05}), rep(0, {0x05, 0x06}), rep(0)} + enter)
        << QStringList{u"abc"_s} << QString();
    QTest::newRow("two new keys in one report, in slot order")
        << u"us"_s << (QList<QByteArray>{rep(0, {0x05, 0x04}), rep(0)} + enter) << QStringList{u"ba"_s} << QString();
    QTest::newRow("a key in two slots types once")
        << u"us"_s << (QList<QByteArray>{rep(0, {0x04, 0x04}), rep(0)} + enter) << QStringList{u"a"_s} << QString();
    QTest::newRow("ErrorRollOver keeps the previous state")
        << u"us"_s
        << (QList<QByteArray>{rep(0, {0x04}), rep(0, {1, 1, 1, 1, 1, 1}), rep(0, {0x04}), rep(0)} + enter)
        << QStringList{u"a"_s} << QString();
    QTest::newRow("Tab and keypad Enter end scans")
        << u"us"_s << (tap(0, 0x04) + tap(0, TAB) + tap(0, 0x05) + tap(0, KP_ENTER)) << QStringList{u"a"_s, u"b"_s}
        << QString();
    QTest::newRow("the last key and Enter in one report")
        << u"us"_s << QList<QByteArray>{rep(0, {0x04, ENTER}), rep(0)} << QStringList{u"a"_s} << QString();
    QTest::newRow("a lone Enter is no scan") << u"us"_s << (enter + enter) << QStringList{} << QString();
    QTest::newRow("text after the terminator waits for the next one")
        << u"us"_s << (tap(0, 0x04) + enter + tap(0, 0x05)) << QStringList{u"a"_s} << u"b"_s;
    QTest::newRow("keypad, US") << u"us"_s << (taps(LSHIFT, {0x59, 0x62, 0x63, 0x54, 0x55, 0x56, 0x57}) + enter)
                                << QStringList{u"10./*-+"_s} << QString();
    QTest::newRow("Ctrl+] is GS (GS1)")
        << u"us"_s << (taps(0, {0x27, 0x1E}) + tap(LCTRL, 0x30) + taps(0, {0x1E, 0x27}) + enter)
        << QStringList{u"01\x1d" u"10"_s} << QString();
    QTest::newRow("Left Alt and GUI shortcuts type nothing")
        << u"us"_s << (tap(LALT, 0x04) + tap(0x08, 0x05) + tap(0, 0x06) + enter) << QStringList{u"c"_s} << QString();
    QTest::newRow("keys without a character are ignored")
        << u"us"_s << (taps(0, {0x3A, 0x4F, 0x2A, 0x29, 0x04}) + enter) << QStringList{u"a"_s} << QString();
    QTest::newRow("AltGr on a US scanner types nothing")
        << u"us"_s << (tap(RALT, 0x14) + tap(0, 0x04) + enter) << QStringList{u"a"_s} << QString();

    // German: the same usages, other characters.
    QTest::newRow("US: y z -") << u"us"_s << (taps(0, {0x1C, 0x1D, 0x38}) + taps(LSHIFT, {0x1C, 0x1D}) + enter)
                               << QStringList{u"yz/YZ"_s} << QString();
    QTest::newRow("German: z y -") << u"de"_s << (taps(0, {0x1C, 0x1D, 0x38}) + taps(LSHIFT, {0x1C, 0x1D}) + enter)
                                   << QStringList{u"zy-ZY"_s} << QString();
    QTest::newRow("German shifted digits")
        << u"de"_s << (taps(LSHIFT, {0x1E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27}) + enter)
        << QStringList{u"!\"§$%&/()="_s} << QString();
    QTest::newRow("German AltGr")
        << u"de"_s
        << (tap(RALT, 0x14) + taps(RALT, {0x24, 0x25, 0x26, 0x27, 0x2D, 0x30, 0x64, 0x08}) + tap(LCTRL | LALT, 0x14) + enter)
        << QStringList{u"@{[]}\\~|€@"_s} << QString();
    QTest::newRow("German letters and punctuation")
        << u"de"_s
        << (taps(0, {0x2F, 0x33, 0x34, 0x2D, 0x30, 0x32, 0x36, 0x37, 0x38, 0x64})
            + taps(LSHIFT, {0x2F, 0x33, 0x34, 0x2D, 0x30, 0x32, 0x36, 0x37, 0x38, 0x64}) + enter)
        << QStringList{u"üöäß+#,.-<ÜÖÄ?*';:_>"_s} << QString();
    QTest::newRow("German keypad decimal is a comma")
        << u"de"_s << (taps(0, {0x59, 0x62, 0x63}) + enter) << QStringList{u"10,"_s} << QString();
    QTest::newRow("German dead keys")
        << u"de"_s
        << (tap(0, 0x35) + tap(0, SPACE)              // ^ then space: ^
            + tap(0, 0x35) + tap(0, 0x08)             // ^ e: ê
            + tap(0, 0x2E) + tap(0, 0x08)             // ´ e: é
            + tap(LSHIFT, 0x2E) + tap(0, 0x04)        // ` a: à
            + tap(0, 0x35) + tap(0, 0x1E)             // ^ 1: ^1
            + tap(LSHIFT, 0x35)                       // °, not dead
            + tap(0, 0x2E) + enter)                   // ´ then Enter: ´
        << QStringList{u"^êéà^1°´"_s} << QString();
}

void TestHidDecoder::keyboard()
{
    QFETCH(QString, layout);
    QFETCH(QList<QByteArray>, reports);
    QFETCH(QStringList, scans);
    QFETCH(QString, pending);
    const auto l = setia::hidKeyboardLayoutFromName(layout);
    QVERIFY(l);
    HidKeyboardDecoder d(*l);
    QStringList got;
    for (const QByteArray &r : reports)
        got += d.feed(r);
    QCOMPARE(got, scans);
    QCOMPARE(d.pending(), pending);
}

void TestHidDecoder::keyboardFlushForScannersWithoutTerminator()
{
    HidKeyboardDecoder d;
    for (const QByteArray &r : taps(0, {0x1F, 0x24}))
        QVERIFY(d.feed(r).isEmpty());
    QCOMPARE(d.flush(), u"27"_s);
    QCOMPARE(d.pending(), QString());
    QCOMPARE(d.flush(), QString());
}

void TestHidDecoder::keyboardDropsOverlongScans()
{
    HidKeyboardDecoder d;
    for (qsizetype i = 0; i <= HidKeyboardDecoder::kMaxPending; ++i)
        for (const QByteArray &r : tap(0, 0x04))
            QVERIFY(d.feed(r).isEmpty());
    QVERIFY(d.pending().size() <= HidKeyboardDecoder::kMaxPending);
    QCOMPARE(d.feed(rep(0, {ENTER})), QStringList{}); // dropped whole, not cut
    d.feed(rep(0));
    QStringList got;
    for (const QByteArray &r : tap(0, 0x05) + tap(0, ENTER))
        got += d.feed(r);
    QCOMPARE(got, QStringList{u"b"_s}); // and the next scan is read again
}

void TestHidDecoder::keyboardIgnoresShortReports()
{
    HidKeyboardDecoder d;
    QVERIFY(d.feed(QByteArray()).isEmpty());
    QVERIFY(d.feed(QByteArray(2, '\0')).isEmpty());
    // Three bytes: modifiers, reserved, one key — read as far as it goes.
    QVERIFY(d.feed(QByteArray("\x00\x00\x04", 3)).isEmpty());
    QCOMPARE(d.pending(), u"a"_s);
    // More than eight bytes: the rest is ignored.
    QCOMPARE(d.feed(QByteArray("\x00\x00\x28\x00\x00\x00\x00\x00\x05\x06", 10)), QStringList{u"a"_s});
}

void TestHidDecoder::layoutNames()
{
    QCOMPARE(setia::hidKeyboardLayoutFromName(u"DE"), HidKeyboardLayout::German);
    QCOMPARE(setia::hidKeyboardLayoutFromName(u" us "), HidKeyboardLayout::Us);
    QVERIFY(!setia::hidKeyboardLayoutFromName(u"fr"));
    for (auto l : {HidKeyboardLayout::Us, HidKeyboardLayout::German})
        QCOMPARE(setia::hidKeyboardLayoutFromName(setia::hidKeyboardLayoutName(l)), l);
}

void TestHidDecoder::pos_data()
{
    QTest::addColumn<QList<QByteArray>>("reports");
    QTest::addColumn<QList<QByteArray>>("data");
    QTest::addColumn<QStringList>("symbologies");
    QTest::addColumn<QList<QByteArray>>("aims");

    QTest::newRow("EAN-13 in one report") << QList<QByteArray>{posReport("]E0", "2700000000014", false)}
                                          << QList<QByteArray>{"2700000000014"} << QStringList{u"ean13"_s}
                                          << QList<QByteArray>{"]E0"};
    QTest::newRow("EAN-8") << QList<QByteArray>{posReport("]E4", "96385074", false)} << QList<QByteArray>{"96385074"}
                           << QStringList{u"ean8"_s} << QList<QByteArray>{"]E4"};
    const QByteArray a(56, 'a'), b(56, 'b'), c("cccccccccc");
    QTest::newRow("QR over three reports")
        << QList<QByteArray>{posReport("]Q1", a, true), posReport("]Q1", b, true), posReport("]Q1", c, false)}
        << QList<QByteArray>{a + b + c} << QStringList{u"qr"_s} << QList<QByteArray>{"]Q1"};
    QTest::newRow("CR LF suffix stripped") << QList<QByteArray>{posReport("]C0", "ABC-123\r\n", false)}
                                           << QList<QByteArray>{"ABC-123"} << QStringList{u"code128"_s}
                                           << QList<QByteArray>{"]C0"};
    QByteArray status(64, '\0');
    status[0] = 0x04;
    status[1] = 0x10;
    QTest::newRow("reports with another ID are ignored")
        << QList<QByteArray>{status, posReport("]Q1", a, true), status, posReport("]Q1", c, false), status}
        << QList<QByteArray>{a + c} << QStringList{u"qr"_s} << QList<QByteArray>{"]Q1"};
    QTest::newRow("declared length beyond the report is clamped")
        << QList<QByteArray>{posReport("]Q1", QByteArray(60, 'x'), false, 64, 200)} << QList<QByteArray>{QByteArray(56, 'x')}
        << QStringList{u"qr"_s} << QList<QByteArray>{"]Q1"};
    QTest::newRow("a short report ends its barcode")
        << QList<QByteArray>{posReport("]E0", "2700000000014", false, 15)} << QList<QByteArray>{"2700000000"}
        << QStringList{u"ean13"_s} << QList<QByteArray>{"]E0"};
    QTest::newRow("two barcodes in a row")
        << QList<QByteArray>{posReport("]E0", "2700000000014", false), posReport("]d2", "0109501101530003", false)}
        << QList<QByteArray>{"2700000000014", "0109501101530003"} << QStringList{u"ean13"_s, u"datamatrix"_s}
        << QList<QByteArray>{"]E0", "]d2"};
    QTest::newRow("an empty barcode is no read") << QList<QByteArray>{posReport("]E0", "", false), posReport("]E0", "\r", false)}
                                                 << QList<QByteArray>{} << QStringList{} << QList<QByteArray>{};
    QTest::newRow("no AIM identifier") << QList<QByteArray>{posReport(QByteArray(3, '\0'), "HELLO", false)}
                                       << QList<QByteArray>{"HELLO"} << QStringList{QString()} << QList<QByteArray>{""};
    QTest::newRow("unknown AIM identifier") << QList<QByteArray>{posReport("]X0", "HELLO", false)}
                                            << QList<QByteArray>{"HELLO"} << QStringList{QString()}
                                            << QList<QByteArray>{"]X0"};
    QTest::newRow("binary bytes kept") << QList<QByteArray>{posReport("]Q1", QByteArray("\x00\x01\xff" "AB", 5), false)}
                                       << QList<QByteArray>{QByteArray("\x00\x01\xff" "AB", 5)} << QStringList{u"qr"_s}
                                       << QList<QByteArray>{"]Q1"};
}

void TestHidDecoder::pos()
{
    QFETCH(QList<QByteArray>, reports);
    QFETCH(QList<QByteArray>, data);
    QFETCH(QStringList, symbologies);
    QFETCH(QList<QByteArray>, aims);
    HidPosDecoder d;
    QList<QByteArray> gotData, gotAims;
    QStringList gotSymbologies;
    for (const QByteArray &r : reports) {
        if (auto read = d.feed(r)) {
            gotData << read->data;
            gotSymbologies << read->symbology;
            gotAims << read->aim;
        }
    }
    QCOMPARE(gotData, data);
    QCOMPARE(gotSymbologies, symbologies);
    QCOMPARE(gotAims, aims);
    QVERIFY(!d.inProgress());
}

void TestHidDecoder::posDropsOverlongBarcodes()
{
    HidPosDecoder d;
    const QByteArray chunk(56, 'z');
    int reports = 0;
    for (qsizetype total = 0; total <= HidPosDecoder::kMaxBarcode; total += chunk.size(), ++reports)
        QVERIFY(!d.feed(posReport("]Q1", chunk, true)));
    QVERIFY(reports > 1);
    QVERIFY(d.inProgress());
    QVERIFY(!d.feed(posReport("]Q1", "end", false))); // dropped whole
    QVERIFY(!d.inProgress());
    const auto next = d.feed(posReport("]E0", "2700000000014", false));
    QVERIFY(next);
    QCOMPARE(next->data, QByteArray("2700000000014"));
}

void TestHidDecoder::aim_data()
{
    QTest::addColumn<QByteArray>("aim");
    QTest::addColumn<QString>("symbology");
    QTest::newRow("EAN-13") << QByteArray("]E0") << u"ean13"_s;
    QTest::newRow("EAN-8") << QByteArray("]E4") << u"ean8"_s;
    QTest::newRow("Code 128") << QByteArray("]C0") << u"code128"_s;
    QTest::newRow("GS1-128") << QByteArray("]C1") << u"code128"_s;
    QTest::newRow("QR") << QByteArray("]Q1") << u"qr"_s;
    QTest::newRow("Data Matrix") << QByteArray("]d1") << u"datamatrix"_s;
    QTest::newRow("Code 39") << QByteArray("]A0") << u"code39"_s;
    QTest::newRow("ITF") << QByteArray("]I0") << u"itf"_s;
    QTest::newRow("PDF417") << QByteArray("]L2") << u"pdf417"_s;
    QTest::newRow("Aztec") << QByteArray("]z0") << u"aztec"_s;
    QTest::newRow("not AIM") << QByteArray("Q1") << QString();
    QTest::newRow("empty") << QByteArray() << QString();
}

void TestHidDecoder::aim()
{
    QFETCH(QByteArray, aim);
    QFETCH(QString, symbology);
    QCOMPARE(setia::symbologyFromAim(aim), symbology);
}

void TestHidDecoder::reportDescriptor_data()
{
    QTest::addColumn<QByteArray>("descriptor");
    QTest::addColumn<int>("page");
    QTest::addColumn<bool>("uses");
    // Bar code scanner: Usage Page (0x8C, two bytes), Usage (Bar Code Scanner), Collection,
    // Report ID 2, … End Collection.
    const QByteArray pos = QByteArray::fromHex("068C000902A101850275089540150026FF0081020902C0");
    // A boot keyboard: Generic Desktop, Keyboard, modifiers and keys from page 0x07.
    const QByteArray keyboard = QByteArray::fromHex(
        "05010906A101050719E029E71500250175019508810295017508810195067508150025650507190029658100C0");
    QTest::newRow("scanner, page 0x8C") << pos << 0x8C << true;
    QTest::newRow("keyboard is not a scanner") << keyboard << 0x8C << false;
    QTest::newRow("keyboard uses page 7") << keyboard << 0x07 << true;
    QTest::newRow("one-byte usage page") << QByteArray::fromHex("058CA101C0") << 0x8C << true;
    QTest::newRow("32-bit usage with the page") << QByteArray::fromHex("0B02008C00A101C0") << 0x8C << true;
    QTest::newRow("long item skipped") << QByteArray::fromHex("FE0210AAAA068C00") << 0x8C << true;
    QTest::newRow("truncated item") << QByteArray::fromHex("068C") << 0x8C << false;
    QTest::newRow("page as a report size is not a page") << QByteArray::fromHex("758C") << 0x8C << false;
    QTest::newRow("empty") << QByteArray() << 0x8C << false;
}

void TestHidDecoder::reportDescriptor()
{
    QFETCH(QByteArray, descriptor);
    QFETCH(int, page);
    QFETCH(bool, uses);
    QCOMPARE(setia::hidReportDescriptorUsesPage(descriptor, quint16(page)), uses);
}

namespace {
// A MagTek HID swipe report, written out field by field as the reader's manual lays it out.
QByteArray magtekReport(const std::array<int, 3> &status, const std::array<QByteArray, 3> &tracks, int lengthOverride = -1)
{
    QByteArray r(337, '\0');
    for (int t = 0; t < 3; ++t) {
        r[t] = char(status[size_t(t)]);
        r[3 + t] = char(lengthOverride >= 0 && t == 0 ? lengthOverride : int(tracks[size_t(t)].size()));
        r.replace(7 + 110 * t, tracks[size_t(t)].size(), tracks[size_t(t)]);
    }
    return r;
}
} // namespace

void TestHidDecoder::magtek_data()
{
    QTest::addColumn<QByteArray>("report");
    QTest::addColumn<QByteArray>("tracks");
    QTest::addColumn<int>("good");
    QTest::addColumn<int>("bad");
    const QByteArray t1 = "%B2700000000014^MEMBER/SETIA^?", t2 = ";2700000000014=?", t3 = ";0123?";
    QTest::newRow("three tracks") << magtekReport({0, 0, 0}, {t1, t2, t3}) << t1 + t2 + t3 << 3 << 0;
    QTest::newRow("track 2 only") << magtekReport({0, 0, 0}, {QByteArray(), t2, QByteArray()}) << t2 << 1 << 0;
    QTest::newRow("track 1 misread") << magtekReport({1, 0, 0}, {t1, t2, QByteArray()}) << t2 << 1 << 1;
    QTest::newRow("nothing read cleanly") << magtekReport({1, 1, 1}, {t1, t2, t3}) << QByteArray() << 0 << 3;
    QTest::newRow("blank card") << magtekReport({0, 0, 0}, {QByteArray(), QByteArray(), QByteArray()}) << QByteArray() << 0 << 0;
    // A length past the 110-byte field is cut to the field: never reads into track 2's bytes.
    QTest::newRow("length too long") << magtekReport({0, 1, 1}, {t1, t2, QByteArray()}, 200)
                                     << t1 + QByteArray(110 - t1.size(), '\0') << 1 << 1;
}

void TestHidDecoder::magtek()
{
    QFETCH(QByteArray, report);
    QFETCH(QByteArray, tracks);
    QFETCH(int, good);
    QFETCH(int, bad);
    setia::MagTekDecoder d;
    QVERIFY(!d.feed(QByteArrayView(report).first(336)).has_value()); // one byte short: not yet
    QCOMPARE(d.pending(), 336);
    const auto read = d.feed(QByteArrayView(report).sliced(336));
    QVERIFY(read.has_value());
    QCOMPARE(read->tracks, tracks);
    QCOMPARE(read->goodTracks, good);
    QCOMPARE(read->badTracks, bad);
    QCOMPARE(d.pending(), 0);
}

void TestHidDecoder::magtekWholeReportInAnyPackets()
{
    const QByteArray report = magtekReport({0, 0, 0}, {QByteArray("%B1^A^?"), QByteArray(";1=?"), QByteArray()});
    for (const int packet : {1, 8, 64, 337, 400}) {
        setia::MagTekDecoder d;
        QList<setia::MagTekRead> reads;
        QByteArray stream = report + report; // two swipes back to back, the second padded
        if (stream.size() % packet)
            stream += QByteArray(packet - stream.size() % packet, '\0');
        for (qsizetype i = 0; i + packet <= stream.size(); i += packet)
            if (auto r = d.feed(QByteArrayView(stream).sliced(i, packet)))
                reads << *r;
        // A packet that carries the end of one report and the start of the next (400 > 337)
        // ends the first; the reader never does that (one report per transfer), so the rest goes.
        QVERIFY2(reads.size() >= 1, qPrintable(QString::number(packet)));
        QCOMPARE(reads.first().tracks, QByteArray("%B1^A^?;1=?"));
        if (packet <= 337 && 337 % packet == 0)
            QCOMPARE(reads.size(), 2);
    }
    setia::MagTekDecoder cut;
    QVERIFY(!cut.feed(QByteArrayView(report).first(100)).has_value());
    cut.reset(); // a swipe cut short: forgotten
    QCOMPARE(cut.pending(), 0);
    QVERIFY(!cut.feed(QByteArrayView(report).first(100)).has_value());
}

QTEST_GUILESS_MAIN(TestHidDecoder)
#include "tst_hiddecoder.moc"
