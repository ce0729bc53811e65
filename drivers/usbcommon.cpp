#include "usbcommon.h"

#include <libusb.h>

#include <algorithm>
#include <utility>

using namespace Qt::StringLiterals;

namespace setia {

namespace {

// Runs on whichever thread is handling libusb's events: only queue a rescan.
int LIBUSB_CALL hotplugCallback(libusb_context *, libusb_device *, libusb_hotplug_event, void *watcher)
{
    static_cast<UsbDeviceWatcher *>(watcher)->queueRescan();
    return 0; // stay registered
}

} // namespace

QString usbErrorName(int libusbError)
{
    return QString::fromLatin1(libusb_error_name(libusbError));
}

QString usbErrorText(int libusbError)
{
    return QString::fromUtf8(libusb_strerror(libusbError));
}

QString hex4(quint16 v)
{
    return u"%1"_s.arg(v, 4, 16, QLatin1Char('0'));
}

QString usbVidPid(quint16 vendorId, quint16 productId)
{
    return hex4(vendorId) + u':' + hex4(productId);
}

QString usbPortPath(libusb_device *device)
{
    QString path = QString::number(libusb_get_bus_number(device));
    uint8_t ports[8];
    const int n = libusb_get_port_numbers(device, ports, int(sizeof ports));
    for (int i = 0; i < n; ++i)
        path += (i == 0 ? u'-' : u'.') + QString::number(ports[i]);
    return path;
}

QString usbDeviceNode(libusb_device *device)
{
    return u"/dev/bus/usb/%1/%2"_s.arg(libusb_get_bus_number(device), 3, 10, QLatin1Char('0'))
        .arg(libusb_get_device_address(device), 3, 10, QLatin1Char('0'));
}

QString usbDeviceKey(const QString &port, quint16 vendorId, quint16 productId)
{
    return port + u' ' + usbVidPid(vendorId, productId);
}

void usbHoldDevice(libusb_device *&slot, libusb_device *device)
{
    if (slot)
        libusb_unref_device(slot);
    slot = libusb_ref_device(device);
}

void usbDropDevice(libusb_device *&slot)
{
    libusb_unref_device(std::exchange(slot, nullptr));
}

UsbErrorClass usbErrorClass(int libusbError)
{
    switch (libusbError) {
    case LIBUSB_SUCCESS: return UsbErrorClass::None;
    case LIBUSB_ERROR_ACCESS: return UsbErrorClass::NotPermitted;
    case LIBUSB_ERROR_BUSY: return UsbErrorClass::Busy;
    case LIBUSB_ERROR_NO_DEVICE:
    case LIBUSB_ERROR_NOT_FOUND: return UsbErrorClass::Missing;
    default: return UsbErrorClass::Other;
    }
}

QString usbNotPermittedDetail(const QString &device, const QString &shortName, const QString &node)
{
    return u"Setia may not open %1 (%2: permission denied). Install packaging/udev/70-setia-scanners.rules in "
           u"/etc/udev/rules.d/, run 'udevadm control --reload', then plug %3 in again (docs/hardware.md)."_s
        .arg(device, node, shortName);
}

QString usbFailedDetail(const QString &subject, int libusbError)
{
    return u"%1 cannot be used: %2 (%3)."_s.arg(subject, usbErrorText(libusbError), usbErrorName(libusbError));
}

int usbClaimInterface(libusb_device_handle *handle, int iface, UsbLogCategory category,
                      const QString &port)
{
    if (const int rc = libusb_set_auto_detach_kernel_driver(handle, 1); rc != LIBUSB_SUCCESS)
        qCDebug(category, "%s: no kernel driver detaching here (%s)", qPrintable(port), libusb_error_name(rc));
    int rc = libusb_claim_interface(handle, iface);
    if ((rc == LIBUSB_ERROR_OTHER || rc == LIBUSB_ERROR_NOT_SUPPORTED) && libusb_kernel_driver_active(handle, iface) == 0) {
        // Detaching is not available here (an old kernel, an emulated device) but no driver
        // holds the interface either: claim it as it is.
        libusb_set_auto_detach_kernel_driver(handle, 0);
        rc = libusb_claim_interface(handle, iface);
    }
    return rc;
}

void usbReleaseAndClose(libusb_device_handle *handle, int iface, UsbLogCategory category,
                        const QString &port)
{
    if (const int rc = libusb_release_interface(handle, iface); rc != 0 && rc != LIBUSB_ERROR_NO_DEVICE)
        qCDebug(category, "%s: releasing the interface: %s", qPrintable(port), libusb_error_name(rc));
    libusb_close(handle);
}

void usbLogState(UsbLogCategory category, const QString &vidPid, const QString &port,
                 const QString &name, const QString &stateName, bool trouble, const QString &detail)
{
    if (!trouble)
        qCInfo(category, "%s %s (%s): %s", qPrintable(vidPid), qPrintable(port), qPrintable(name), qPrintable(stateName));
    else
        qCWarning(category, "%s %s (%s): %s: %s", qPrintable(vidPid), qPrintable(port), qPrintable(name),
                  qPrintable(stateName), qPrintable(detail));
}

UsbDeviceWatcher::UsbDeviceWatcher(QObject *context, std::function<void()> rescan)
    : m_contextObject(context), m_rescan(std::move(rescan))
{
    QObject::connect(&m_timer, &QTimer::timeout, context, [this] { m_rescan(); });
}

UsbDeviceWatcher::~UsbDeviceWatcher()
{
    stopWatching();
    close();
}

int UsbDeviceWatcher::start(const Options &options)
{
    if (m_ctx)
        return 0;
    if (const int rc = libusb_init(&m_ctx); rc != 0) {
        m_ctx = nullptr;
        qCWarning(options.category, "libusb_init: %s", libusb_error_name(rc));
        return rc;
    }
    m_hotplug = false;
    if (options.useHotplug && libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
        const int rc = libusb_hotplug_register_callback(
            m_ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, LIBUSB_HOTPLUG_NO_FLAGS,
            LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, &hotplugCallback, this,
            &m_hotplugHandle);
        if (rc == 0) {
            m_hotplug = true;
            // Hot-plug callbacks run inside libusb's event handling; this thread handles the
            // events when no device's I/O thread happens to.
            m_stopEvents = false;
            m_eventThread.reset(QThread::create([this] {
                while (!m_stopEvents.load()) {
                    timeval tv{0, 250000};
                    const int handled = libusb_handle_events_timeout_completed(m_ctx, &tv, nullptr);
                    if (handled < 0 && handled != LIBUSB_ERROR_INTERRUPTED && handled != LIBUSB_ERROR_TIMEOUT)
                        QThread::msleep(100); // no busy loop if event handling keeps failing
                }
            }));
            m_eventThread->setObjectName(options.eventThreadName);
            m_eventThread->start();
        } else {
            qCWarning(options.category, "hot-plug not available (%s): rescanning every %d ms", libusb_error_name(rc),
                      options.rescanMs);
        }
    }
    // Without hot-plug this finds arrivals and departures; with it, it retries busy devices.
    m_timer.start(std::max(100, options.rescanMs));
    return 0;
}

void UsbDeviceWatcher::stopWatching()
{
    if (!m_ctx)
        return;
    m_timer.stop();
    if (m_hotplug)
        libusb_hotplug_deregister_callback(m_ctx, m_hotplugHandle);
    if (m_eventThread) {
        m_stopEvents = true;
        libusb_interrupt_event_handler(m_ctx);
        m_eventThread->wait();
        m_eventThread.reset();
    }
    m_hotplug = false;
}

void UsbDeviceWatcher::close()
{
    if (m_ctx)
        libusb_exit(std::exchange(m_ctx, nullptr));
}

libusb_context *UsbDeviceWatcher::beginRescan()
{
    m_rescanQueued = false;
    return m_ctx;
}

void UsbDeviceWatcher::queueRescan()
{
    if (!m_rescanQueued.exchange(true))
        QMetaObject::invokeMethod(m_contextObject, [this] { m_rescan(); }, Qt::QueuedConnection);
}

bool usbForEachDevice(libusb_context *ctx, UsbLogCategory category,
                      const std::function<void(libusb_device *device, quint16 vendorId, quint16 productId)> &visit)
{
    libusb_device **list = nullptr;
    const ssize_t count = libusb_get_device_list(ctx, &list);
    if (count < 0) {
        qCWarning(category, "listing USB devices failed: %s", libusb_error_name(int(count)));
        return false;
    }
    for (ssize_t i = 0; i < count; ++i) {
        libusb_device_descriptor desc{};
        if (libusb_get_device_descriptor(list[i], &desc) == 0)
            visit(list[i], desc.idVendor, desc.idProduct);
    }
    libusb_free_device_list(list, 1);
    return true;
}

} // namespace setia
