// UsbScannerManager's real libusb code against emulated USB devices (umockdev), no hardware.
//
// The test re-runs itself inside umockdev ("inner" runs) and checks what the inner run printed:
//  - umockdev-run --device F.umockdev --ioctl /dev/bus/usb/001/002=F.ioctl -- self --inner scan LAYOUT
//    replays a recorded scanner (tests/drivers/fixtures, made by make_fixtures.py) and prints
//    the first complete scan and the device list (replay starts again at the end of the
//    recording: only the first scan counts);
//  - umockdev-wrapper self --inner hotplug|busy|denied … builds the testbed itself with
//    libumockdev's C API to unplug and re-plug the scanner, to have another program hold its
//    interface (EBUSY) and to take away the permission to open it (EACCES).
// Without umockdev-run, umockdev-wrapper or libumockdev the test exits 77: CTest shows it as
// skipped, never as passed.
#include "drivers/usbhidscanner.h"
#include "umockdevtestbed.h"

#include <libusb.h>

#include <QCoreApplication>
#include <QFile>
#include <QTest>

#include <cstdio>

#ifdef SETIA_HAVE_LIBUMOCKDEV
#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>
#endif

using namespace Qt::StringLiterals;
using setia::UsbScannerManager;
using setia::UsbScannerState;
using setia::UsbScannerStatus;
using setia::test::say;
using setia::test::Transcript;

namespace {

const QString kFixtures = QStringLiteral(SETIA_USB_FIXTURES_DIR);
const QString kNode = u"/dev/bus/usb/001/002"_s;
const QString kScannerSysfs = u"/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1"_s;
constexpr int kInnerWaitMs = 15000; // each wait inside an inner run
constexpr int kChildMs = 60000;     // a whole inner run

// ---------------------------------------------------------------------------------------------
// Inner runs: print what happens, one line per event, for the outer test to check.

QString statusLine(const UsbScannerStatus &s)
{
    return u"STATUS %1 %2 %3 %4"_s.arg(s.vidPid(), s.port, setia::usbScannerStateName(s.state), s.detail);
}

// Records the manager's signals. A replayed scanner scans again and again: only the first scan
// after each status change is printed.
struct Recorder {
    QList<UsbScannerStatus> statuses;
    QList<setia::Scan> scans;
    bool scanPrinted = false;

    explicit Recorder(UsbScannerManager &m)
    {
        QObject::connect(&m, &UsbScannerManager::statusChanged, &m, [this](const UsbScannerStatus &s) {
            statuses << s;
            scanPrinted = false;
            say(statusLine(s));
        });
        QObject::connect(&m, &UsbScannerManager::scanned, &m, [this](const setia::Scan &scan) {
            scans << scan;
            if (!std::exchange(scanPrinted, true))
                say(u"SCAN %1 %2 %3"_s.arg(setia::sourceName(scan.source),
                                           scan.symbology.isEmpty() ? u"-"_s : scan.symbology,
                                           QString::fromLatin1(scan.payload.toHex())));
        });
    }
    UsbScannerState last() const { return statuses.isEmpty() ? UsbScannerState::Missing : statuses.last().state; }
};

std::optional<setia::HidKeyboardLayout> layoutArg(const QStringList &args, int at)
{
    return setia::hidKeyboardLayoutFromName(args.value(at, u"us"_s));
}

// Under umockdev-run: the device and its replay are already there.
int innerScan(const QStringList &args)
{
    UsbScannerManager::Settings settings;
    settings.keyboardLayout = layoutArg(args, 3).value_or(setia::HidKeyboardLayout::Us);
    UsbScannerManager manager(settings);
    Recorder rec(manager);
    if (!manager.start()) {
        say(u"ERROR "_s + manager.errorString());
        return 2;
    }
    if (!QTest::qWaitFor([&] { return !rec.scans.isEmpty(); }, kInnerWaitMs))
        return setia::test::timedOut(u"no scan"_s);
    for (const UsbScannerStatus &s : manager.devices())
        say(u"DEVICE %1 %2 %3"_s.arg(s.vidPid(), s.port, setia::usbScannerStateName(s.state)));
    manager.stop();
    say(u"DONE"_s);
    return 0;
}

#ifdef SETIA_HAVE_LIBUMOCKDEV
using setia::test::dropFileCapabilities;
using setia::test::Testbed;

// Another program holds the interface: claiming it fails with EBUSY.
gboolean busyIoctl(UMockdevIoctlBase *, UMockdevIoctlClient *client, gpointer)
{
    if (umockdev_ioctl_client_get_request(client) != USBDEVFS_CLAIMINTERFACE)
        return FALSE; // everything else: not handled
    umockdev_ioctl_client_complete(client, -1, EBUSY);
    return TRUE;
}

int innerHotplug(const QStringList &args)
{
    const bool useHotplug = args.value(3) == u"hotplug"_s;
    const QString device = kFixtures + u"/zebra-keyboard.umockdev"_s;
    const QString replay = kFixtures + u"/us-card.ioctl"_s;
    Testbed tb;
    if (!tb.addFile(device) || !tb.loadIoctl(kNode, replay))
        return 2;
    UsbScannerManager::Settings settings;
    settings.useHotplug = useHotplug;
    // With hot-plug, only its events may find the unplug and the re-plug: no rescan in time.
    settings.rescanMs = useHotplug ? 600000 : 2000;
    UsbScannerManager manager(settings);
    Recorder rec(manager);
    if (!manager.start()) {
        say(u"ERROR "_s + manager.errorString());
        return 2;
    }
    say(u"HOTPLUG %1"_s.arg(manager.usesHotplug() ? 1 : 0));
    if (!QTest::qWaitFor([&] { return rec.last() == UsbScannerState::Ready && !rec.scans.isEmpty(); }, kInnerWaitMs))
        return setia::test::timedOut(u"first scan"_s);
    say(u"UNPLUG"_s);
    tb.unplug(kScannerSysfs);
    if (!QTest::qWaitFor([&] { return rec.last() == UsbScannerState::Missing; }, kInnerWaitMs))
        return setia::test::timedOut(u"missing after unplug"_s);
    // Stay unplugged a moment. Scans read before the unplug may still be queued; after that,
    // nothing may arrive (a worker still reading the unplugged scanner would go on scanning).
    QTest::qWait(100);
    const qsizetype drained = rec.scans.size();
    QTest::qWait(500);
    say(u"WHILE-UNPLUGGED %1"_s.arg(rec.scans.size() - drained));
    say(u"REPLUG"_s);
    if (!tb.addDevice(device, kScannerSysfs) || !tb.loadIoctl(kNode, replay))
        return 2;
    tb.announce(kScannerSysfs);
    if (!QTest::qWaitFor([&] { return rec.last() == UsbScannerState::Ready; }, kInnerWaitMs))
        return setia::test::timedOut(u"ready after re-plug"_s);
    const qsizetype before = rec.scans.size();
    if (!QTest::qWaitFor([&] { return rec.scans.size() > before; }, kInnerWaitMs))
        return setia::test::timedOut(u"scan after re-plug"_s);
    manager.stop();
    say(u"DONE"_s);
    return 0;
}

int innerBusy()
{
    Testbed tb;
    if (!tb.addFile(kFixtures + u"/zebra-keyboard.umockdev"_s) || !tb.attachHandler(kNode, G_CALLBACK(&busyIoctl), nullptr))
        return 2;
    UsbScannerManager::Settings settings;
    settings.rescanMs = 300; // the retry period, shortened for the test
    UsbScannerManager manager(settings);
    Recorder rec(manager);
    if (!manager.start()) {
        say(u"ERROR "_s + manager.errorString());
        return 2;
    }
    if (!QTest::qWaitFor([&] { return rec.last() == UsbScannerState::Busy; }, kInnerWaitMs))
        return setia::test::timedOut(u"busy"_s);
    QTest::qWait(1000); // a few retries: still busy, no new status line, no scan
    say(u"RELEASED"_s);     // the other program lets go
    if (!tb.detachIoctl(kNode) || !tb.loadIoctl(kNode, kFixtures + u"/us-card.ioctl"_s))
        return 2;
    if (!QTest::qWaitFor([&] { return rec.last() == UsbScannerState::Ready && !rec.scans.isEmpty(); }, kInnerWaitMs))
        return setia::test::timedOut(u"ready after release"_s);
    manager.stop();
    say(u"DONE"_s);
    return 0;
}

int innerDenied()
{
    Testbed tb;
    if (!tb.addFile(kFixtures + u"/zebra-keyboard.umockdev"_s) || !tb.loadIoctl(kNode, kFixtures + u"/us-card.ioctl"_s))
        return 2;
    if (!tb.chmodNode(kNode, 0) || !dropFileCapabilities()) {
        say(u"ERROR cannot take the permission away"_s);
        return 2;
    }
    UsbScannerManager::Settings settings;
    settings.rescanMs = 300;
    UsbScannerManager manager(settings);
    Recorder rec(manager);
    if (!manager.start()) {
        say(u"ERROR "_s + manager.errorString());
        return 2;
    }
    if (!QTest::qWaitFor([&] { return rec.last() == UsbScannerState::NotPermitted; }, kInnerWaitMs))
        return setia::test::timedOut(u"not permitted"_s);
    say(u"PERMITTED"_s); // the udev rule is installed
    tb.chmodNode(kNode, 0666);
    if (!QTest::qWaitFor([&] { return rec.last() == UsbScannerState::Ready && !rec.scans.isEmpty(); }, kInnerWaitMs))
        return setia::test::timedOut(u"ready after permission"_s);
    manager.stop();
    say(u"DONE"_s);
    return 0;
}
#endif

int runInner(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QString what = args.value(2);
    if (what == u"scan"_s)
        return innerScan(args);
#ifdef SETIA_HAVE_LIBUMOCKDEV
    if (what == u"hotplug"_s)
        return innerHotplug(args);
    if (what == u"busy"_s)
        return innerBusy();
    if (what == u"denied"_s)
        return innerDenied();
#endif
    say(u"ERROR unknown inner run "_s + what);
    return 2;
}

// ---------------------------------------------------------------------------------------------
// The outer test: runs the inner runs and checks their transcripts.

struct ScanLine {
    QString source, symbology;
    QString payload; // UTF-8 decoded
};

ScanLine parseScan(const QString &s)
{
    const QStringList f = s.split(u' ');
    return {f.value(0), f.value(1) == u"-"_s ? QString() : f.value(1),
            QString::fromUtf8(QByteArray::fromHex(f.value(2).toLatin1()))};
}

Transcript runUnderUmockdevRun(const QString &device, const QString &ioctl, const QString &layout)
{
    return setia::test::runTranscript(
        u"umockdev-run"_s,
        {u"--device"_s, kFixtures + u'/' + device, u"--ioctl"_s, kNode + u'=' + kFixtures + u'/' + ioctl, u"--"_s,
         QCoreApplication::applicationFilePath(), u"--inner"_s, u"scan"_s, layout},
        kChildMs);
}

Transcript runUnderWrapper(const QStringList &innerArgs)
{
    return setia::test::runUnderWrapper(innerArgs, kChildMs);
}

} // namespace

class TestUsbScanner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void scansThroughUmockdev_data();
    void scansThroughUmockdev();
    void unplugAndReplug_data();
    void unplugAndReplug();
    void busyUntilReleased();
    void notPermittedPointsAtTheUdevRule();
    void errorCodesToStates_data();
    void errorCodesToStates();
    void defaultTableHasNoWildcardForPos();
    void udevRuleCoversTheTable();
};

void TestUsbScanner::scansThroughUmockdev_data()
{
    QTest::addColumn<QString>("device");
    QTest::addColumn<QString>("ioctl");
    QTest::addColumn<QString>("layout");
    QTest::addColumn<QString>("vidPid");
    QTest::addColumn<QString>("symbology");
    QTest::addColumn<QString>("payload");
    QTest::addColumn<QString>("source");
    QTest::newRow("keyboard mode, member card, Enter")
        << u"zebra-keyboard.umockdev"_s << u"us-card.ioctl"_s << u"us"_s << u"05e0:1200"_s << QString()
        << u"2700000000014"_s << u"hid-scanner"_s;
    QTest::newRow("keyboard mode, QR with capitals and symbols, rollover, Tab")
        << u"zebra-keyboard.umockdev"_s << u"us-qr.ioctl"_s << u"us"_s << u"05e0:1200"_s << QString()
        << u"https://setia.id/c/SETIA1:2700000000014?k=7KQ2M9XD4T&v=2_A!"_s << u"hid-scanner"_s;
    QTest::newRow("keyboard mode, German scanner")
        << u"zebra-keyboard.umockdev"_s << u"de-url.ioctl"_s << u"de"_s << u"05e0:1200"_s << QString()
        << u"https://setia.id/m?c=Zy-42&t=a@b^1"_s << u"hid-scanner"_s;
    // The same reports read as a US keyboard: the configured layout decides what a key means.
    QTest::newRow("keyboard mode, German scanner configured as US")
        << u"zebra-keyboard.umockdev"_s << u"de-url.ioctl"_s << u"us"_s << u"05e0:1200"_s << QString()
        << u"https>&&setia.id&m_c)Yz/42^t)ab` 1"_s << u"hid-scanner"_s;
    QTest::newRow("HID POS, QR over two reports")
        << u"honeywell-pos.umockdev"_s << u"pos-qr.ioctl"_s << u"us"_s << u"0c2e:0b8f"_s << u"qr"_s
        << u"SETIA1:2700000000014:20261125:7KQ2M9XD4T|https://setia.id/c/2700000000014?lang=id-ID&src=qr"_s
        << u"hid-scanner"_s;
    // A magnetic-stripe reader: tracks 1 and 2 as read, track 3 (a decode error) left out.
    QTest::newRow("MagTek HID swipe reader, member card")
        << u"magtek-hid.umockdev"_s << u"magtek-member.ioctl"_s << u"us"_s << u"0801:0002"_s << u"track"_s
        << u"%B2700000000014^MEMBER/SETIA^?;2700000000014=?"_s << u"magstripe"_s;
}

void TestUsbScanner::scansThroughUmockdev()
{
    QFETCH(QString, device);
    QFETCH(QString, ioctl);
    QFETCH(QString, layout);
    QFETCH(QString, vidPid);
    QFETCH(QString, symbology);
    QFETCH(QString, payload);
    QFETCH(QString, source);
    const Transcript t = runUnderUmockdevRun(device, ioctl, layout);
    QVERIFY2(t.exitCode == 0, qPrintable(t.text));
    const QStringList scans = t.tagged(u"SCAN"_s);
    QVERIFY2(!scans.isEmpty(), qPrintable(t.text));
    const ScanLine scan = parseScan(scans.first());
    QCOMPARE(scan.source, source);
    QCOMPARE(scan.symbology, symbology);
    QCOMPARE(scan.payload, payload);
    // Only the scanner was taken: the ordinary keyboard in the keyboard fixture (046d:c31c) is
    // not in the table and never appears.
    QCOMPARE(t.tagged(u"DEVICE"_s), QStringList{vidPid + u" 1-1 ready"_s});
    QCOMPARE(t.states(vidPid), QStringList{u"ready"_s});
}

void TestUsbScanner::unplugAndReplug_data()
{
    QTest::addColumn<QString>("mode");
    QTest::newRow("libusb hot-plug events") << u"hotplug"_s;
    QTest::newRow("rescan every 2 s") << u"rescan"_s;
}

void TestUsbScanner::unplugAndReplug()
{
    QFETCH(QString, mode);
    const Transcript t = runUnderWrapper({u"hotplug"_s, mode});
    QVERIFY2(t.exitCode == 0, qPrintable(t.text));
    QCOMPARE(t.tagged(u"HOTPLUG"_s), QStringList{mode == u"hotplug"_s ? u"1"_s : u"0"_s});
    QCOMPARE(t.states(u"05e0:1200"_s), (QStringList{u"ready"_s, u"missing"_s, u"ready"_s}));
    QCOMPARE(t.tagged(u"WHILE-UNPLUGGED"_s), QStringList{u"0"_s});
    // A scan before the unplug and one after the re-plug, both complete and the same card.
    const qsizetype unplug = t.lines.indexOf(u"UNPLUG"_s);
    const qsizetype replug = t.lines.indexOf(u"REPLUG"_s);
    QVERIFY2(unplug > 0 && replug > unplug, qPrintable(t.text));
    QStringList before, after;
    for (qsizetype i = 0; i < t.lines.size(); ++i)
        if (t.lines[i].startsWith(u"SCAN "_s))
            (i < unplug ? before : i > replug ? after : before) << parseScan(t.lines[i].mid(5)).payload;
    QVERIFY2(!before.isEmpty() && !after.isEmpty(), qPrintable(t.text));
    QCOMPARE(before.first(), u"2700000000014"_s);
    QCOMPARE(after.last(), u"2700000000014"_s);
}

void TestUsbScanner::busyUntilReleased()
{
    const Transcript t = runUnderWrapper({u"busy"_s});
    QVERIFY2(t.exitCode == 0, qPrintable(t.text));
    QCOMPARE(t.states(u"05e0:1200"_s), (QStringList{u"busy"_s, u"ready"_s}));
    const qsizetype released = t.lines.indexOf(u"RELEASED"_s);
    QVERIFY2(released > 0, qPrintable(t.text));
    for (qsizetype i = 0; i < released; ++i)
        QVERIFY2(!t.lines[i].startsWith(u"SCAN "_s), "a scan while another program held the scanner");
    const QString busy = t.tagged(u"STATUS"_s).first();
    QVERIFY2(busy.contains(u"Another program is using the scanner"_s), qPrintable(busy));
    QCOMPARE(parseScan(t.tagged(u"SCAN"_s).first()).payload, u"2700000000014"_s);
}

void TestUsbScanner::notPermittedPointsAtTheUdevRule()
{
    const Transcript t = runUnderWrapper({u"denied"_s});
    QVERIFY2(t.exitCode == 0, qPrintable(t.text));
    QCOMPARE(t.states(u"05e0:1200"_s), (QStringList{u"not-permitted"_s, u"ready"_s}));
    const QString denied = t.tagged(u"STATUS"_s).first();
    QVERIFY2(denied.contains(u"packaging/udev/70-setia-scanners.rules"_s), qPrintable(denied));
    QVERIFY2(denied.contains(u"/dev/bus/usb/001/002"_s), qPrintable(denied));
    QCOMPARE(parseScan(t.tagged(u"SCAN"_s).first()).payload, u"2700000000014"_s);
}

void TestUsbScanner::errorCodesToStates_data()
{
    setia::test::addErrorCodeRows();
}

void TestUsbScanner::errorCodesToStates()
{
    QFETCH(int, rc);
    QFETCH(QString, state);
    QCOMPARE(setia::usbScannerStateName(setia::usbScannerStateForError(rc)), state);
}

void TestUsbScanner::defaultTableHasNoWildcardForPos()
{
    // A vendor-wide row may only take boot keyboard interfaces; HID POS needs its exact ID.
    for (const setia::UsbScannerModel &m : setia::defaultUsbScannerModels()) {
        QVERIFY(m.vendorId != 0);
        QVERIFY(!m.name.isEmpty());
        if (m.productId == setia::UsbScannerModel::kAnyProduct)
            QCOMPARE(m.protocol, setia::UsbScannerProtocol::Keyboard);
    }
}

void TestUsbScanner::udevRuleCoversTheTable()
{
    const QStringList rules = setia::test::udevRules({u"ATTR{idVendor}"_s});
    QVERIFY(!rules.isEmpty());
    for (const QString &rule : rules) {
        QVERIFY2(rule.contains(u"TAG+=\"uaccess\""_s), qPrintable(rule));
        QVERIFY2(rule.contains(u"GROUP=\"setia\""_s), qPrintable(rule));
        QVERIFY2(rule.contains(u"MODE=\"0660\""_s), qPrintable(rule));
    }
    for (const setia::UsbScannerModel &m : setia::defaultUsbScannerModels()) {
        const bool covered = setia::test::udevRulesCover(rules, m.vendorId, m.productId,
                                                         m.productId == setia::UsbScannerModel::kAnyProduct);
        QVERIFY2(covered, qPrintable(u"no rule for "_s + m.name));
    }
}

int main(int argc, char **argv)
{
    if (argc >= 3 && qstrcmp(argv[1], "--inner") == 0)
        return runInner(argc, argv);
    QCoreApplication app(argc, argv);
    if (const auto missing = setia::test::umockdevToolsMissing({u"umockdev-run"_s, u"umockdev-wrapper"_s})) {
        std::fputs(qPrintable(*missing), stderr);
        return 77;
    }
    TestUsbScanner test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_usbscanner.moc"
