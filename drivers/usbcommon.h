#pragma once
// Internal to Setia::Drivers: what the libusb device managers (UsbScannerManager in
// usbhidscanner.h, UsbPrinterManager in usbprinter.h) share. Not a public header: the managers'
// headers only forward-declare what they hold of it, and libusb's own header stays out of here.
#include <QHash>
#include <QList>
#include <QLoggingCategory>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>

struct libusb_context;
struct libusb_device;
struct libusb_device_handle;

namespace setia {

// A logging category (what Q_LOGGING_CATEGORY defines): the caller's, so logs keep its name.
using UsbLogCategory = const QLoggingCategory &(*)();

QString usbErrorName(int libusbError); // "LIBUSB_ERROR_ACCESS"
QString usbErrorText(int libusbError); // libusb's sentence for it: "Access denied (insufficient permissions)"
QString hex4(quint16 v);               // "05e0"
QString usbVidPid(quint16 vendorId, quint16 productId); // "05e0:1200"
QString usbPortPath(libusb_device *device);   // bus and port path, "1-1.4"
QString usbDeviceNode(libusb_device *device); // "/dev/bus/usb/001/002"
// What a manager keys a device by: the same while it stays plugged in at the same port.
QString usbDeviceKey(const QString &port, quint16 vendorId, quint16 productId); // "1-1 05e0:1200"

// Holding a device: `slot` references `device` (and lets go of what it referenced before).
void usbHoldDevice(libusb_device *&slot, libusb_device *device);
// Letting go of it: `slot` is unreferenced and null.
void usbDropDevice(libusb_device *&slot);

// What a libusb error code (from opening or claiming) means for a device's state.
enum class UsbErrorClass { None, NotPermitted, Busy, Missing, Other };
UsbErrorClass usbErrorClass(int libusbError);
// The same for a manager's state enum (which has Ready, NotPermitted, Busy, Missing, Failed).
template <typename State>
State usbStateForError(int libusbError)
{
    switch (usbErrorClass(libusbError)) {
    case UsbErrorClass::None: return State::Ready;
    case UsbErrorClass::NotPermitted: return State::NotPermitted;
    case UsbErrorClass::Busy: return State::Busy;
    case UsbErrorClass::Missing: return State::Missing;
    case UsbErrorClass::Other: break;
    }
    return State::Failed;
}

// The detail texts both managers give in the same words. `device`: "the scanner"; `shortName`:
// what to plug in again ("the scanner", "the printer"); `subject`: "The scanner".
QString usbNotPermittedDetail(const QString &device, const QString &shortName, const QString &node);
QString usbFailedDetail(const QString &subject, int libusbError); // "The scanner cannot be used: … (…)."

// Claims interface `iface` of an open device. The kernel's driver (usbhid, usblp) is detached
// while Setia holds it and attached again when it lets go; where detaching is not available but
// no driver holds the interface either, it is claimed as it is. Returns libusb's code (0: claimed).
int usbClaimInterface(libusb_device_handle *handle, int iface, UsbLogCategory category,
                      const QString &port);
// Releases the interface (the kernel's driver attaches again) and closes the handle.
void usbReleaseAndClose(libusb_device_handle *handle, int iface, UsbLogCategory category,
                        const QString &port);

// Logs a device's new state: ready and missing as information, the others as warnings with `detail`.
void usbLogState(UsbLogCategory category, const QString &vidPid, const QString &port,
                 const QString &name, const QString &stateName, bool trouble, const QString &detail);

// A libusb context and what tells a manager that devices came or went: libusb's hot-plug events,
// handled on an event thread of its own (where libusb has them), and a rescan timer (without
// hot-plug the only way; with it, the retry period for busy devices). `rescan` runs in the
// thread of `context` (the manager), from the timer or queued; hot-plug events never queue more
// than one rescan at a time.
class UsbDeviceWatcher {
public:
    struct Options {
        bool useHotplug = true;
        int rescanMs = 2000;
        QString eventThreadName;                        // "setia-usb-events"
        UsbLogCategory category = nullptr;
    };

    UsbDeviceWatcher(QObject *context, std::function<void()> rescan);
    ~UsbDeviceWatcher();
    UsbDeviceWatcher(const UsbDeviceWatcher &) = delete;
    UsbDeviceWatcher &operator=(const UsbDeviceWatcher &) = delete;

    // Starts libusb, hot-plug (if wanted and available) and the timer; does not rescan. Returns
    // libusb_init's code: 0 when it runs.
    [[nodiscard]] int start(const Options &options);
    // Stops the timer, the hot-plug events and their thread. libusb stays open (close()).
    void stopWatching();
    // libusb_exit; after stopWatching() and after every device was let go of.
    void close();

    libusb_context *context() const { return m_ctx; }
    bool isRunning() const { return m_ctx != nullptr; }
    bool usesHotplug() const { return m_hotplug; }

    // At the start of a rescan: the one queued has begun. The context (null: not running).
    libusb_context *beginRescan();
    // From any thread: a rescan soon, in the context's thread.
    void queueRescan();

private:
    QObject *m_contextObject;
    std::function<void()> m_rescan;
    QTimer m_timer;
    libusb_context *m_ctx = nullptr;
    bool m_hotplug = false;
    int m_hotplugHandle = 0;
    std::unique_ptr<QThread> m_eventThread;
    std::atomic<bool> m_stopEvents{false};
    std::atomic<bool> m_rescanQueued{false};
};

// Calls `visit` for every device on the bus with its vendor and product ID. False (logged) when
// the bus cannot be listed.
bool usbForEachDevice(libusb_context *ctx, UsbLogCategory category,
                      const std::function<void(libusb_device *device, quint16 vendorId, quint16 productId)> &visit);

// The devices a manager has seen since it started, in the order first seen, by usbDeviceKey().
// Entry: a struct with `status` (the manager's status struct), `device` (libusb_device *,
// referenced while plugged in) and `worker` (its I/O thread, null when it has none).
template <typename Entry>
class UsbDeviceTable {
public:
    // A device a rescan found: its entry (made by `make` when it is new), marked present.
    template <typename Make>
    Entry &found(const QString &key, Make &&make)
    {
        m_present.insert(key);
        std::shared_ptr<Entry> &slot = m_entries[key];
        if (!slot) {
            slot = std::make_shared<Entry>();
            make(*slot);
            m_order << key;
        }
        return *slot;
    }
    // After found(): when the entry holds another device (or none), it was plugged in (again):
    // `stop` its old worker, hold the new device and `start` it. When it holds this device but
    // has no worker (busy, not permitted, failed before), `start` again.
    template <typename Stop, typename Start>
    void plugged(Entry &e, libusb_device *device, Stop &&stop, Start &&start)
    {
        if (e.device != device) {
            stop(e);
            usbHoldDevice(e.device, device);
            start(e);
        } else if (!e.worker) {
            start(e);
        }
    }
    // At the end of a rescan: each entry still holding a device that was not found is `gone`
    // (in the order first seen). The next rescan starts from nothing present.
    template <typename Gone>
    void endRescan(Gone &&gone)
    {
        for (const QString &key : std::as_const(m_order)) {
            Entry &e = *m_entries[key];
            if (!m_present.contains(key) && e.device)
                gone(e);
        }
        m_present.clear();
    }

    Entry *find(const QString &key) const
    {
        const auto it = m_entries.constFind(key);
        return it == m_entries.constEnd() ? nullptr : it->get();
    }
    // The first entry (in the order first seen) that `pred` accepts, or null.
    template <typename Pred>
    Entry *first(Pred &&pred) const
    {
        for (const QString &key : m_order)
            if (Entry *e = m_entries.value(key).get(); pred(std::as_const(*e)))
                return e;
        return nullptr;
    }
    // Every entry in the order first seen.
    template <typename F>
    void forEach(F &&f) const
    {
        for (const QString &key : m_order)
            f(*m_entries.value(key));
    }
    template <typename Status>
    QList<Status> statuses() const
    {
        QList<Status> out;
        out.reserve(m_order.size());
        forEach([&](const Entry &e) { out << e.status; });
        return out;
    }

private:
    QHash<QString, std::shared_ptr<Entry>> m_entries;
    QStringList m_order;
    QSet<QString> m_present;
};

} // namespace setia
