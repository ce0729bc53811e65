// UsbPrinterManager's real libusb code against emulated USB receipt printers (umockdev), no hardware.
//
// The test re-runs itself inside `umockdev-wrapper` ("inner" runs). An inner run builds the
// testbed with libumockdev's C API from tests/drivers/fixtures/printer-tm-t20ii.umockdev (made
// by make_printer_fixtures.py) and plays the printers itself: a UMockdevIoctlBase handler
// answers every usbfs request of /dev/bus/usb/001/002 (Epson TM-T20II, bulk OUT 0x01 and bulk
// IN 0x82) and 001/003 (a 58 mm printer with bulk OUT only) — claim, release, the kernel driver
// (usblp) questions, SUBMITURB / REAPURB(NDELAY) / DISCARDURB — records every bulk OUT buffer as
// it was submitted, URB by URB, and answers DLE EOT 4 on bulk IN with the status byte the
// scenario wants (or never). The inner run prints what happened, one line per event; the outer
// test compares the bytes on the wire with what it expects, byte for byte.
// Without umockdev-wrapper or libumockdev the test exits 77: CTest shows it as skipped.
#include "drivers/usbprinter.h"
#include "umockdevtestbed.h"

#include <libusb.h>

#include <QCoreApplication>
#include <QFile>
#include <QMutex>
#include <QMutexLocker>
#include <QTest>

#include <cstdio>

#ifdef SETIA_HAVE_LIBUMOCKDEV
#include <linux/usbdevice_fs.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>
#endif

using namespace Qt::StringLiterals;
using setia::PrinterState;
using setia::PrinterStatus;
using setia::UsbPrinterManager;
using setia::test::say;

namespace {

const QString kFixtures = QStringLiteral(SETIA_USB_FIXTURES_DIR);
const QString kDevice = kFixtures + u"/printer-tm-t20ii.umockdev"_s;
const QString kEpsonNode = u"/dev/bus/usb/001/002"_s;
const QString kPos58Node = u"/dev/bus/usb/001/003"_s;
const QString kEpsonSysfs = u"/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1"_s;
const QString kEpson = u"04b8:0e15"_s;
const QString kPos58 = u"0416:5011"_s;
constexpr int kInnerWaitMs = 15000;
constexpr int kChildMs = 60000;

// A job of `size` bytes: ESC @, then a repeating pattern that is not the same in any two chunks
// (so a lost, repeated or reordered chunk shows).
QByteArray testJob(int size, char seed)
{
    QByteArray job("\x1b@", 2);
    for (int i = 0; job.size() < size; ++i)
        job.append(char(0x20 + (i * 7 + i / 4096 * 13 + seed) % 95));
    return job;
}

#ifdef SETIA_HAVE_LIBUMOCKDEV
using setia::test::dropFileCapabilities;
using setia::test::Testbed;

// ---------------------------------------------------------------------------------------------
// The emulated printer: answers usbfs requests like the kernel would for a printer on the bus.

class EmulatedPrinter {
public:
    explicit EmulatedPrinter(quint8 inEndpoint) : m_in(inEndpoint) {}
    ~EmulatedPrinter()
    {
        for (const Urb &u : std::as_const(m_flying) + m_ready + m_discarded)
            release(u);
    }
    EmulatedPrinter(const EmulatedPrinter &) = delete;
    EmulatedPrinter &operator=(const EmulatedPrinter &) = delete;

    // What the scenario sets (under the lock, from the test's thread).
    void setStatusByte(int status) // < 0: never answer on bulk IN
    {
        QMutexLocker lock(&m_mutex);
        m_status = status;
    }
    void setUsblpBound(bool bound)
    {
        QMutexLocker lock(&m_mutex);
        m_usblp = bound;
    }
    void setBusy(bool busy)
    {
        QMutexLocker lock(&m_mutex);
        m_busy = busy;
    }
    // Once this many bytes arrived, bulk OUT URBs stay pending (a printer that stopped taking data).
    void holdAfter(qsizetype bytes)
    {
        QMutexLocker lock(&m_mutex);
        m_holdAfter = bytes;
    }
    // Pulled out: what is pending completes with -ESHUTDOWN, as the kernel does, then every
    // request fails with ENODEV.
    void unplug()
    {
        QMutexLocker lock(&m_mutex);
        m_gone = true;
        for (Urb &u : m_flying) {
            u.status = -ESHUTDOWN;
            u.actual = 0;
            m_ready << u;
        }
        m_flying.clear();
    }
    void plugIn()
    {
        QMutexLocker lock(&m_mutex);
        m_gone = false;
        m_holdAfter = -1;
        for (const Urb &u : std::as_const(m_ready) + m_discarded)
            release(u);
        m_ready.clear();
        m_discarded.clear();
    }
    // Every bulk OUT URB's buffer so far, in hex, and takes them away.
    QStringList takeOutUrbs()
    {
        QMutexLocker lock(&m_mutex);
        QStringList out;
        for (const QByteArray &b : std::exchange(m_outUrbs, {}))
            out << QString::fromLatin1(b.toHex());
        return out;
    }
    QStringList events()
    {
        QMutexLocker lock(&m_mutex);
        return m_events;
    }
    bool hasPendingOut()
    {
        QMutexLocker lock(&m_mutex);
        return std::any_of(m_flying.begin(), m_flying.end(), [](const Urb &u) { return !u.in; });
    }

    // From now on this printer answers the usbfs requests on `node`.
    bool attach(Testbed &tb, const QString &node)
    {
        return tb.attachHandler(node, G_CALLBACK(&EmulatedPrinter::handleIoctl), this);
    }

private:
    struct Urb {
        UMockdevIoctlData *urb = nullptr;
        UMockdevIoctlData *buffer = nullptr;
        bool in = false;
        int status = 0;
        int actual = 0;
    };
    static void release(const Urb &u)
    {
        umockdev_ioctl_data_unref(u.buffer);
        umockdev_ioctl_data_unref(u.urb);
    }

    static gboolean handleIoctl(UMockdevIoctlBase *, UMockdevIoctlClient *client, gpointer self)
    {
        return static_cast<EmulatedPrinter *>(self)->handle(client);
    }

    gboolean handle(UMockdevIoctlClient *client)
    {
        QMutexLocker lock(&m_mutex);
        const gulong request = umockdev_ioctl_client_get_request(client);
        UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
        if (request == USBDEVFS_REAPURB || request == USBDEVFS_REAPURBNDELAY)
            return reap(client, arg);
        if (m_gone) {
            umockdev_ioctl_client_complete(client, -1, ENODEV);
            return TRUE;
        }
        switch (request) {
        case USBDEVFS_GET_CAPABILITIES: {
            UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), nullptr);
            const guint32 caps = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM
                                 | USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_ZERO_PACKET;
            std::memcpy(d->data, &caps, sizeof caps);
            umockdev_ioctl_data_unref(d);
            umockdev_ioctl_client_complete(client, 0, 0);
            return TRUE;
        }
        case USBDEVFS_GETDRIVER: {
            UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_getdriver), nullptr);
            auto *gd = reinterpret_cast<usbdevfs_getdriver *>(d->data);
            if (m_usblp || m_busy) {
                std::strcpy(gd->driver, m_usblp ? "usblp" : "usbfs");
                umockdev_ioctl_client_complete(client, 0, 0);
            } else {
                umockdev_ioctl_client_complete(client, -1, ENODATA);
            }
            umockdev_ioctl_data_unref(d);
            return TRUE;
        }
        case USBDEVFS_DISCONNECT_CLAIM: {
            UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_disconnect_claim), nullptr);
            const auto *dc = reinterpret_cast<const usbdevfs_disconnect_claim *>(d->data);
            const bool exceptUsbfs = (dc->flags & USBDEVFS_DISCONNECT_CLAIM_EXCEPT_DRIVER) && qstrcmp(dc->driver, "usbfs") == 0;
            m_events << u"disconnect-claim %1%2%3"_s.arg(dc->interface).arg(exceptUsbfs ? u" except-usbfs"_s : QString(),
                                                                          m_usblp ? u" detached-usblp"_s : QString());
            umockdev_ioctl_data_unref(d);
            if (m_busy) { // another program holds it with usbfs: not detached
                umockdev_ioctl_client_complete(client, -1, EBUSY);
                return TRUE;
            }
            m_usblp = false;
            umockdev_ioctl_client_complete(client, 0, 0);
            return TRUE;
        }
        case USBDEVFS_CLAIMINTERFACE:
            m_events << u"claim"_s;
            umockdev_ioctl_client_complete(client, m_busy || m_usblp ? -1 : 0, m_busy || m_usblp ? EBUSY : 0);
            return TRUE;
        case USBDEVFS_RELEASEINTERFACE:
            m_events << u"release"_s;
            umockdev_ioctl_client_complete(client, 0, 0);
            return TRUE;
        case USBDEVFS_IOCTL: // USBDEVFS_CONNECT: the kernel driver attaches again
            m_events << u"reattach"_s;
            umockdev_ioctl_client_complete(client, 0, 0);
            return TRUE;
        case USBDEVFS_SETINTERFACE:
        case USBDEVFS_CLEAR_HALT:
        case USBDEVFS_RESET:
        case USBDEVFS_RESETEP:
            umockdev_ioctl_client_complete(client, 0, 0);
            return TRUE;
        case USBDEVFS_SUBMITURB:
            return submit(client, arg);
        case USBDEVFS_DISCARDURB: {
            const gulong addr = *reinterpret_cast<const gulong *>(arg->data);
            for (qsizetype i = 0; i < m_flying.size(); ++i)
                if (m_flying[i].urb->client_addr == addr) {
                    m_discarded << m_flying.takeAt(i);
                    umockdev_ioctl_client_complete(client, 0, 0);
                    return TRUE;
                }
            umockdev_ioctl_client_complete(client, -1, EINVAL);
            return TRUE;
        }
        default:
            umockdev_ioctl_client_complete(client, -1, ENOTTY);
            return TRUE;
        }
    }

    gboolean submit(UMockdevIoctlClient *client, UMockdevIoctlData *arg)
    {
        Urb u;
        u.urb = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_urb), nullptr);
        auto *urb = reinterpret_cast<usbdevfs_urb *>(u.urb->data);
        if (urb->type != USBDEVFS_URB_TYPE_BULK || urb->buffer_length < 0) {
            umockdev_ioctl_data_unref(u.urb);
            umockdev_ioctl_client_complete(client, -1, EINVAL);
            return TRUE;
        }
        u.buffer = umockdev_ioctl_data_resolve(u.urb, G_STRUCT_OFFSET(usbdevfs_urb, buffer), gsize(urb->buffer_length), nullptr);
        u.in = (urb->endpoint & 0x80) != 0;
        if (!u.in) {
            const QByteArray data(reinterpret_cast<const char *>(u.buffer->data), urb->buffer_length);
            const bool hold = m_holdAfter >= 0 && m_received >= m_holdAfter;
            if (!hold) {
                m_outUrbs << data;
                m_received += data.size();
                if (data == QByteArrayView("\x10\x04\x04"))
                    ++m_statusRequests;
                u.actual = urb->buffer_length;
                m_ready << u;
            } else {
                m_flying << u; // accepted by the host controller, never taken by the printer
            }
        } else if (urb->endpoint == m_in && m_status >= 0 && m_statusRequests > 0 && urb->buffer_length >= 1) {
            --m_statusRequests;
            u.buffer->data[0] = guint8(m_status);
            std::memcpy(urb->buffer, u.buffer->data, 1); // same address space: the client's buffer too
            u.actual = 1;
            m_ready << u;
        } else {
            m_flying << u; // nothing to say: libusb times out and discards it
        }
        umockdev_ioctl_client_complete(client, 0, 0);
        return TRUE;
    }

    gboolean reap(UMockdevIoctlClient *client, UMockdevIoctlData *arg)
    {
        Urb u;
        if (!m_discarded.isEmpty()) {
            u = m_discarded.takeFirst();
            u.status = -ENOENT;
            u.actual = 0;
        } else if (!m_ready.isEmpty()) {
            u = m_ready.takeFirst();
        } else {
            umockdev_ioctl_client_complete(client, -1, m_gone ? ENODEV : EAGAIN);
            return TRUE;
        }
        auto *urb = reinterpret_cast<usbdevfs_urb *>(u.urb->data);
        urb->status = u.status;
        urb->actual_length = u.actual;
        UMockdevIoctlData *ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), nullptr);
        umockdev_ioctl_data_set_ptr(ptr, 0, u.urb);
        umockdev_ioctl_client_complete(client, 0, 0);
        umockdev_ioctl_data_unref(ptr);
        release(u);
        return TRUE;
    }

    const quint8 m_in;
    QMutex m_mutex;
    int m_status = 0x12; // DLE EOT 4 answer: paper present (bits 1 and 4 are always set)
    bool m_usblp = false;
    bool m_busy = false;
    bool m_gone = false;
    qsizetype m_holdAfter = -1;
    qsizetype m_received = 0;
    int m_statusRequests = 0;
    QList<Urb> m_flying, m_ready, m_discarded;
    QList<QByteArray> m_outUrbs;
    QStringList m_events;
};

// ---------------------------------------------------------------------------------------------
// Inner runs

struct Recorder {
    QList<PrinterStatus> statuses;
    struct Job {
        quint64 id;
        bool ok;
        QString detail;
    };
    QList<Job> jobs;
    explicit Recorder(UsbPrinterManager &m)
    {
        QObject::connect(&m, &UsbPrinterManager::statusChanged, &m, [this](const PrinterStatus &s) {
            statuses << s;
            say(u"STATUS %1 %2 %3 %4"_s.arg(s.vidPid(), s.port, setia::printerStateName(s.state), s.detail));
        });
        QObject::connect(&m, &UsbPrinterManager::jobFinished, &m, [this](quint64 id, bool ok, const QString &detail) {
            jobs << Job{id, ok, detail};
            say(u"JOB %1 %2 %3"_s.arg(id).arg(ok ? 1 : 0).arg(detail));
        });
    }
    PrinterState last(const QString &vidPid) const
    {
        for (qsizetype i = statuses.size() - 1; i >= 0; --i)
            if (statuses[i].vidPid() == vidPid)
                return statuses[i].state;
        return PrinterState::Missing;
    }
    bool finished(quint64 id) const
    {
        return std::any_of(jobs.begin(), jobs.end(), [id](const Job &j) { return j.id == id; });
    }
};

void sayUrbs(const QString &phase, EmulatedPrinter &p)
{
    say(u"URBS %1 %2"_s.arg(phase, p.takeOutUrbs().join(u',')));
}

QString portOf(const UsbPrinterManager &m, const QString &vidPid)
{
    for (const PrinterStatus &s : m.printers())
        if (s.vidPid() == vidPid)
            return s.port;
    return {};
}

// Prints `job` on the printer `vidPid` and waits for its result.
bool printAndWait(UsbPrinterManager &m, Recorder &rec, const QString &vidPid, const QByteArray &job)
{
    const quint64 id = m.print(job, portOf(m, vidPid));
    if (id == 0) {
        say(u"PRINT-REFUSED "_s + m.errorString());
        return true;
    }
    return QTest::qWaitFor([&] { return rec.finished(id); }, kInnerWaitMs);
}

struct Scenario {
    Testbed tb;
    EmulatedPrinter epson{0x82};
    EmulatedPrinter pos58{0};
    bool setUp()
    {
        return tb.addFile(kDevice) && epson.attach(tb, kEpsonNode) && pos58.attach(tb, kPos58Node);
    }
};

UsbPrinterManager::Settings fastSettings()
{
    UsbPrinterManager::Settings s;
    s.rescanMs = 300;
    s.statusTimeoutMs = 300;
    s.paperPollMs = 200;
    s.writeTimeoutMs = 3000;
    return s;
}

int innerPrint()
{
    Scenario sc;
    if (!sc.setUp())
        return 2;
    sc.epson.setUsblpBound(true); // as on Debian: usblp took the printer when it was plugged in
    UsbPrinterManager manager(fastSettings());
    Recorder rec(manager);
    if (!manager.start()) {
        say(u"ERROR "_s + manager.errorString());
        return 2;
    }
    if (!QTest::qWaitFor([&] { return rec.last(kEpson) == PrinterState::Ready && rec.last(kPos58) == PrinterState::Ready; },
                         kInnerWaitMs))
        return setia::test::timedOut(u"ready"_s);
    for (const PrinterStatus &s : manager.printers())
        say(u"DEVICE %1 %2 %3 %4"_s.arg(s.vidPid(), s.port, setia::printerStateName(s.state), setia::paperWidthName(s.paper)));
    if (const auto ready = manager.readyPrinter())
        say(u"READY-PRINTER "_s + ready->vidPid());
    sayUrbs(u"start"_s, sc.epson);
    if (!printAndWait(manager, rec, kEpson, testJob(10000, 'a')))
        return setia::test::timedOut(u"big job"_s);
    sayUrbs(u"big"_s, sc.epson);
    if (!printAndWait(manager, rec, kPos58, QByteArray("\x1b@Hi\n\x1dV\x42\x00", 9)))
        return setia::test::timedOut(u"58 mm job"_s);
    sayUrbs(u"pos58"_s, sc.pos58);
    manager.stop();
    say(u"EVENTS "_s + sc.epson.events().join(u','));
    say(u"DONE"_s);
    return 0;
}

int innerPaper()
{
    Scenario sc;
    if (!sc.setUp())
        return 2;
    sc.epson.setStatusByte(0x72); // bits 5 and 6: paper end
    UsbPrinterManager manager(fastSettings());
    Recorder rec(manager);
    if (!manager.start())
        return 2;
    if (!QTest::qWaitFor([&] { return rec.last(kEpson) == PrinterState::PaperOut; }, kInnerWaitMs))
        return setia::test::timedOut(u"paper out"_s);
    if (!printAndWait(manager, rec, kEpson, testJob(600, 'p')))
        return setia::test::timedOut(u"refused job"_s);
    sayUrbs(u"empty"_s, sc.epson);
    say(u"LOADED"_s);
    sc.epson.setStatusByte(0x1e); // paper near its end (bits 2, 3) still prints
    if (!QTest::qWaitFor([&] { return rec.last(kEpson) == PrinterState::Ready; }, kInnerWaitMs))
        return setia::test::timedOut(u"ready after loading paper"_s);
    sc.epson.takeOutUrbs(); // the sensor polls while it was out of paper
    if (!printAndWait(manager, rec, kEpson, testJob(600, 'q')))
        return setia::test::timedOut(u"job after loading"_s);
    sayUrbs(u"loaded"_s, sc.epson);
    manager.stop();
    say(u"DONE"_s);
    return 0;
}

int innerSilent()
{
    Scenario sc;
    if (!sc.setUp())
        return 2;
    sc.epson.setStatusByte(-1); // a printer that never answers a status request
    UsbPrinterManager manager(fastSettings());
    Recorder rec(manager);
    if (!manager.start())
        return 2;
    if (!QTest::qWaitFor([&] { return rec.last(kEpson) == PrinterState::Ready; }, kInnerWaitMs))
        return setia::test::timedOut(u"ready"_s);
    for (const char seed : {'x', 'y', 'z'})
        if (!printAndWait(manager, rec, kEpson, testJob(100, seed)))
            return setia::test::timedOut(u"silent job"_s);
    sayUrbs(u"silent"_s, sc.epson);
    manager.stop();
    say(u"DONE"_s);
    return 0;
}

int innerUnplug(const QStringList &args)
{
    Scenario sc;
    if (!sc.setUp())
        return 2;
    UsbPrinterManager::Settings settings = fastSettings();
    settings.useHotplug = args.value(3) == u"hotplug"_s;
    settings.rescanMs = settings.useHotplug ? 600000 : 300; // with hot-plug: only its events
    settings.writeTimeoutMs = 20000; // the unplug, not a timeout, must end the job
    UsbPrinterManager manager(settings);
    Recorder rec(manager);
    if (!manager.start())
        return 2;
    say(u"HOTPLUG %1"_s.arg(manager.usesHotplug() ? 1 : 0));
    if (!QTest::qWaitFor([&] { return rec.last(kEpson) == PrinterState::Ready; }, kInnerWaitMs))
        return setia::test::timedOut(u"ready"_s);
    sc.epson.takeOutUrbs();
    sc.epson.holdAfter(3 + 4096); // takes the status request and one chunk, then stops taking data
    const quint64 id = manager.print(testJob(10000, 'u'), portOf(manager, kEpson));
    if (id == 0)
        return setia::test::timedOut(u"job accepted"_s);
    if (!QTest::qWaitFor([&] { return sc.epson.hasPendingOut(); }, kInnerWaitMs))
        return setia::test::timedOut(u"job in flight"_s);
    say(u"UNPLUG"_s);
    sc.epson.unplug();
    sc.tb.unplug(kEpsonSysfs);
    if (!QTest::qWaitFor([&] { return rec.finished(id) && rec.last(kEpson) == PrinterState::Missing; }, kInnerWaitMs))
        return setia::test::timedOut(u"job failed and printer missing"_s);
    sayUrbs(u"before-unplug"_s, sc.epson);
    if (manager.print(testJob(50, 'm'), portOf(manager, kEpson)) == 0)
        say(u"PRINT-REFUSED "_s + manager.errorString());
    say(u"REPLUG"_s);
    sc.epson.plugIn();
    sc.tb.detachIfAttached(kEpsonNode);
    if (!sc.tb.addDevice(kDevice, kEpsonSysfs) || !sc.epson.attach(sc.tb, kEpsonNode))
        return 2;
    sc.tb.announce(kEpsonSysfs);
    if (!QTest::qWaitFor([&] { return rec.last(kEpson) == PrinterState::Ready; }, kInnerWaitMs))
        return setia::test::timedOut(u"ready after re-plug"_s);
    sc.epson.takeOutUrbs();
    if (!printAndWait(manager, rec, kEpson, testJob(5000, 'r')))
        return setia::test::timedOut(u"job after re-plug"_s);
    sayUrbs(u"after-replug"_s, sc.epson);
    manager.stop();
    say(u"DONE"_s);
    return 0;
}

int innerDenied()
{
    Scenario sc;
    if (!sc.setUp())
        return 2;
    if (!sc.tb.chmodNode(kEpsonNode, 0) || !dropFileCapabilities()) {
        say(u"ERROR cannot take the permission away"_s);
        return 2;
    }
    UsbPrinterManager manager(fastSettings());
    Recorder rec(manager);
    if (!manager.start())
        return 2;
    if (!QTest::qWaitFor([&] { return rec.last(kEpson) == PrinterState::NotPermitted; }, kInnerWaitMs))
        return setia::test::timedOut(u"not permitted"_s);
    if (manager.print(testJob(50, 'd'), portOf(manager, kEpson)) == 0)
        say(u"PRINT-REFUSED "_s + manager.errorString());
    say(u"PERMITTED"_s);
    sc.tb.chmodNode(kEpsonNode, 0666);
    if (!QTest::qWaitFor([&] { return rec.last(kEpson) == PrinterState::Ready; }, kInnerWaitMs))
        return setia::test::timedOut(u"ready after permission"_s);
    sc.epson.takeOutUrbs();
    if (!printAndWait(manager, rec, kEpson, testJob(50, 'e')))
        return setia::test::timedOut(u"job after permission"_s);
    sayUrbs(u"permitted"_s, sc.epson);
    manager.stop();
    say(u"DONE"_s);
    return 0;
}

int innerBusy()
{
    Scenario sc;
    if (!sc.setUp())
        return 2;
    sc.epson.setBusy(true);
    UsbPrinterManager manager(fastSettings());
    Recorder rec(manager);
    if (!manager.start())
        return 2;
    if (!QTest::qWaitFor([&] { return rec.last(kEpson) == PrinterState::Busy; }, kInnerWaitMs))
        return setia::test::timedOut(u"busy"_s);
    QTest::qWait(800); // retries: still busy, no new status line
    say(u"RELEASED"_s);
    sc.epson.setBusy(false);
    if (!QTest::qWaitFor([&] { return rec.last(kEpson) == PrinterState::Ready; }, kInnerWaitMs))
        return setia::test::timedOut(u"ready after release"_s);
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
#ifdef SETIA_HAVE_LIBUMOCKDEV
    if (what == u"print"_s)
        return innerPrint();
    if (what == u"paper"_s)
        return innerPaper();
    if (what == u"silent"_s)
        return innerSilent();
    if (what == u"unplug"_s)
        return innerUnplug(args);
    if (what == u"denied"_s)
        return innerDenied();
    if (what == u"busy"_s)
        return innerBusy();
#endif
    say(u"ERROR unknown inner run "_s + what);
    return 2;
}

// ---------------------------------------------------------------------------------------------
// The outer test

struct Transcript : setia::test::Transcript {
    QString status(const QString &vidPid, const QString &state) const
    {
        for (const QString &s : tagged(u"STATUS"_s))
            if (s.section(u' ', 0, 0) == vidPid && s.section(u' ', 2, 2) == state)
                return s.section(u' ', 3);
        return {};
    }
    // The bulk OUT URBs of one phase, as hex strings.
    QStringList urbs(const QString &phase) const
    {
        for (const QString &s : tagged(u"URBS"_s))
            if (s.section(u' ', 0, 0) == phase)
                return s.section(u' ', 1).split(u',', Qt::SkipEmptyParts);
        return {u"<no URBS line for "_s + phase + u'>'};
    }
    struct Job {
        bool ok = false;
        QString detail;
    };
    QList<Job> jobs() const
    {
        QList<Job> out;
        for (const QString &s : tagged(u"JOB"_s))
            out << Job{s.section(u' ', 1, 1) == u"1"_s, s.section(u' ', 2)};
        return out;
    }
};

Transcript runUnderWrapper(const QStringList &innerArgs)
{
    return {setia::test::runUnderWrapper(innerArgs, kChildMs)};
}

// The URBs a job is written in: 4096 bytes at most each, in order.
QStringList chunks(const QByteArray &job)
{
    QStringList out;
    for (qsizetype i = 0; i < job.size(); i += 4096)
        out << QString::fromLatin1(job.mid(i, 4096).toHex());
    return out;
}

const QString kStatusRequest = u"100404"_s; // DLE EOT 4, written out by hand

} // namespace

class TestUsbPrinter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void printsExactBytesInChunks();
    void paperOutRefusesTheJob();
    void silentPrinterStillPrints();
    void unplugFailsTheJobAndReplugPrints_data();
    void unplugFailsTheJobAndReplugPrints();
    void notPermittedPointsAtTheUdevRule();
    void busyUntilReleased();
    void errorCodesToStates_data();
    void errorCodesToStates();
    void udevRuleCoversTheTable();
};

void TestUsbPrinter::printsExactBytesInChunks()
{
    const Transcript t = runUnderWrapper({u"print"_s});
    QVERIFY2(t.exitCode == 0, qPrintable(t.text));
    // Both printers found, with their paper widths; the keyboard (046d:c31c) is left alone.
    QStringList devices = t.tagged(u"DEVICE"_s);
    QVERIFY(!devices.isEmpty());
    // readyPrinter(): the first printer in printers() (the order they were first seen) that is ready.
    QCOMPARE(t.tagged(u"READY-PRINTER"_s), QStringList{devices.first().section(u' ', 0, 0)});
    devices.sort();
    QCOMPARE(devices, (QStringList{kPos58 + u" 1-2 ready 58mm"_s, kEpson + u" 1-1 ready 80mm"_s}));
    // The first paper check, when the printer was claimed.
    QCOMPARE(t.urbs(u"start"_s), QStringList{kStatusRequest});
    // 10000 bytes: a paper check, then URBs of 4096, 4096 and 1808 bytes, exactly the job.
    const QByteArray big = testJob(10000, 'a');
    QCOMPARE(big.size(), 10000);
    const QStringList bigUrbs = t.urbs(u"big"_s);
    QCOMPARE(bigUrbs.size(), 4);
    QCOMPARE(bigUrbs.value(0), kStatusRequest);
    QCOMPARE(bigUrbs.value(1).size(), 2 * 4096);
    QCOMPARE(bigUrbs.value(2).size(), 2 * 4096);
    QCOMPARE(bigUrbs.value(3).size(), 2 * 1808);
    QCOMPARE(bigUrbs.mid(1), chunks(big));
    QCOMPARE(QByteArray::fromHex(bigUrbs.mid(1).join(QString()).toLatin1()), big);
    // The 58 mm printer has no bulk IN: no status request, only the job.
    QCOMPARE(t.urbs(u"pos58"_s), QStringList{u"1b4048690a1d564200"_s});
    const auto jobs = t.jobs();
    QCOMPARE(jobs.size(), 2);
    QVERIFY2(jobs[0].ok && jobs[1].ok, qPrintable(t.text));
    // usblp was bound: it was detached by claiming with USBDEVFS_DISCONNECT_CLAIM (all drivers
    // but usbfs), and attached again when Setia let go.
    const QStringList events = t.tagged(u"EVENTS"_s).value(0).split(u',');
    QVERIFY2(events.contains(u"disconnect-claim 0 except-usbfs detached-usblp"_s), qPrintable(t.text));
    QVERIFY2(events.contains(u"release"_s), qPrintable(t.text));
    QVERIFY2(events.contains(u"reattach"_s), qPrintable(t.text));
}

void TestUsbPrinter::paperOutRefusesTheJob()
{
    const Transcript t = runUnderWrapper({u"paper"_s});
    QVERIFY2(t.exitCode == 0, qPrintable(t.text));
    QCOMPARE(t.states(kEpson), (QStringList{u"paper-out"_s, u"ready"_s}));
    QVERIFY2(t.status(kEpson, u"paper-out"_s).contains(u"Load a new paper roll"_s), qPrintable(t.text));
    const auto jobs = t.jobs();
    QCOMPARE(jobs.size(), 2);
    QVERIFY(!jobs[0].ok);
    QVERIFY2(jobs[0].detail.contains(u"out of paper"_s) && jobs[0].detail.contains(u"load a new paper roll"_s),
             qPrintable(jobs[0].detail));
    QVERIFY(jobs[1].ok);
    // Out of paper: only status requests went to the printer, not one byte of the job.
    const QStringList empty = t.urbs(u"empty"_s);
    QVERIFY(!empty.isEmpty());
    for (const QString &urb : empty)
        QCOMPARE(urb, kStatusRequest);
    // After loading paper: a status request, then the job.
    QCOMPARE(t.urbs(u"loaded"_s), QStringList{kStatusRequest} + chunks(testJob(600, 'q')));
}

void TestUsbPrinter::silentPrinterStillPrints()
{
    const Transcript t = runUnderWrapper({u"silent"_s});
    QVERIFY2(t.exitCode == 0, qPrintable(t.text));
    QCOMPARE(t.states(kEpson), QStringList{u"ready"_s});
    const auto jobs = t.jobs();
    QCOMPARE(jobs.size(), 3);
    for (const auto &j : jobs)
        QVERIFY2(j.ok, qPrintable(j.detail));
    // The question at start and before the first job go unanswered; after two, Setia stops asking.
    const QStringList expected = QStringList{kStatusRequest, kStatusRequest} + chunks(testJob(100, 'x'))
                                 + chunks(testJob(100, 'y')) + chunks(testJob(100, 'z'));
    QCOMPARE(t.urbs(u"silent"_s), expected);
}

void TestUsbPrinter::unplugFailsTheJobAndReplugPrints_data()
{
    QTest::addColumn<QString>("mode");
    QTest::newRow("libusb hot-plug events") << u"hotplug"_s;
    QTest::newRow("rescan") << u"rescan"_s;
}

void TestUsbPrinter::unplugFailsTheJobAndReplugPrints()
{
    QFETCH(QString, mode);
    const Transcript t = runUnderWrapper({u"unplug"_s, mode});
    QVERIFY2(t.exitCode == 0, qPrintable(t.text));
    QCOMPARE(t.tagged(u"HOTPLUG"_s), QStringList{mode == u"hotplug"_s ? u"1"_s : u"0"_s});
    QCOMPARE(t.states(kEpson), (QStringList{u"ready"_s, u"missing"_s, u"ready"_s}));
    const auto jobs = t.jobs();
    QCOMPARE(jobs.size(), 2);
    QVERIFY(!jobs[0].ok);
    QVERIFY2(jobs[0].detail.contains(u"unplugged"_s) && jobs[0].detail.contains(u"print"_s), qPrintable(jobs[0].detail));
    QVERIFY2(jobs[0].detail.contains(u"4096 of 10000 bytes"_s), qPrintable(jobs[0].detail));
    QVERIFY(jobs[1].ok);
    // Before the unplug the printer took the status request and the first chunk.
    const QByteArray first = testJob(10000, 'u');
    QCOMPARE(t.urbs(u"before-unplug"_s), (QStringList{kStatusRequest, chunks(first).value(0)}));
    // While unplugged, print() says why it cannot.
    const QStringList refused = t.tagged(u"PRINT-REFUSED"_s);
    QCOMPARE(refused.size(), 1);
    QVERIFY2(refused[0].contains(u"not plugged in"_s), qPrintable(refused[0]));
    // After the re-plug: the status request at claim, the one before the job, then the job.
    QCOMPARE(t.urbs(u"after-replug"_s), QStringList{kStatusRequest} + chunks(testJob(5000, 'r')));
}

void TestUsbPrinter::notPermittedPointsAtTheUdevRule()
{
    const Transcript t = runUnderWrapper({u"denied"_s});
    QVERIFY2(t.exitCode == 0, qPrintable(t.text));
    QCOMPARE(t.states(kEpson), (QStringList{u"not-permitted"_s, u"ready"_s}));
    const QString denied = t.status(kEpson, u"not-permitted"_s);
    QVERIFY2(denied.contains(u"packaging/udev/70-setia-scanners.rules"_s), qPrintable(denied));
    QVERIFY2(denied.contains(kEpsonNode), qPrintable(denied));
    const QStringList refused = t.tagged(u"PRINT-REFUSED"_s);
    QCOMPARE(refused.size(), 1);
    QVERIFY2(refused[0].contains(u"permission denied"_s), qPrintable(refused[0]));
    QCOMPARE(t.urbs(u"permitted"_s), QStringList{kStatusRequest} + chunks(testJob(50, 'e')));
}

void TestUsbPrinter::busyUntilReleased()
{
    const Transcript t = runUnderWrapper({u"busy"_s});
    QVERIFY2(t.exitCode == 0, qPrintable(t.text));
    QCOMPARE(t.states(kEpson), (QStringList{u"busy"_s, u"ready"_s}));
    QVERIFY2(t.status(kEpson, u"busy"_s).contains(u"Another program is using the receipt printer"_s), qPrintable(t.text));
}

void TestUsbPrinter::errorCodesToStates_data()
{
    setia::test::addErrorCodeRows();
}

void TestUsbPrinter::errorCodesToStates()
{
    QFETCH(int, rc);
    QFETCH(QString, state);
    QCOMPARE(setia::printerStateName(setia::printerStateForError(rc)), state);
}

void TestUsbPrinter::udevRuleCoversTheTable()
{
    const QStringList rules = setia::test::udevRules({u"ATTR{idVendor}"_s, u"ENV{ID_USB_INTERFACES}"_s});
    QVERIFY(!rules.isEmpty());
    for (const setia::UsbPrinterModel &m : setia::defaultUsbPrinterModels()) {
        const bool covered = setia::test::udevRulesCover(rules, m.vendorId, m.productId,
                                                         m.productId == setia::UsbPrinterModel::kAnyProduct,
                                                         {u"TAG+=\"uaccess\""_s, u"GROUP=\"setia\""_s});
        QVERIFY2(covered, qPrintable(u"no rule for "_s + m.name));
    }
    // anyPrinterClass: a rule for every USB printer-class interface's device.
    QVERIFY2(std::any_of(rules.begin(), rules.end(), [](const QString &r) {
                 return r.startsWith(u"ENV{ID_USB_INTERFACES}==\"*:0701\?\?:*\""_s) && r.contains(u"TAG+=\"uaccess\""_s)
                        && r.contains(u"GROUP=\"setia\""_s);
             }),
             "no rule for printer-class devices");
}

int main(int argc, char **argv)
{
    if (argc >= 3 && qstrcmp(argv[1], "--inner") == 0)
        return runInner(argc, argv);
    QCoreApplication app(argc, argv);
    if (const auto missing = setia::test::umockdevToolsMissing({u"umockdev-wrapper"_s})) {
        std::fputs(qPrintable(*missing), stderr);
        return 77;
    }
    TestUsbPrinter test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_usbprinter.moc"
