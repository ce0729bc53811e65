#include "usbhidscanner.h"

#include "usbcommon.h"

#include <libusb.h>

#include <string.h> // explicit_bzero

#include <QDateTime>
#include <QElapsedTimer>
#include <QLoggingCategory>

#include <utility>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcUsbScanner, "setia.drivers.usbscanner", QtInfoMsg)

namespace setia {

namespace {

constexpr int kTransferTimeoutMs = 100; // how long a stop request may wait for the I/O thread
constexpr int kMaxErrorStreak = 20;      // transfer errors in a row before a scanner is given up
constexpr quint16 kBarCodeScannerPage = 0x8C;
constexpr int kSwipeGapMs = 500; // a swipe's packets come back to back; a gap this long ends it

// Where a scanner's reports come from: which interface, which endpoint.
struct Endpoint {
    int interfaceNumber = -1;
    quint8 address = 0;
    int packetSize = 0;
    int reportDescriptorLength = 0; // from the HID class descriptor; 0 if it has none
};

int reportDescriptorLength(const libusb_interface_descriptor &alt)
{
    // HID class descriptor (HID 1.11, 6.2.1): bLength, 0x21, bcdHID, bCountryCode,
    // bNumDescriptors, then (bDescriptorType, wDescriptorLength) pairs.
    const unsigned char *p = alt.extra;
    int left = alt.extra_length;
    while (left >= 2 && p[0] >= 2 && p[0] <= left) {
        if (p[1] == 0x21 && p[0] >= 9) {
            for (int i = 0; i < p[5] && 6 + 3 * i + 2 < p[0]; ++i)
                if (p[6 + 3 * i] == 0x22)
                    return p[7 + 3 * i] | (p[8 + 3 * i] << 8);
        }
        left -= p[0];
        p += p[0];
    }
    return 0;
}

// The interface a scanner of this protocol is read on: a boot keyboard interface for keyboard
// mode; for HID POS a HID interface that is not a boot keyboard (its report descriptor is
// checked for the bar code scanner page once the interface is claimed).
std::optional<Endpoint> findEndpoint(libusb_device *device, UsbScannerProtocol protocol)
{
    libusb_config_descriptor *config = nullptr;
    if (libusb_get_active_config_descriptor(device, &config) != 0 && libusb_get_config_descriptor(device, 0, &config) != 0)
        return std::nullopt;
    std::optional<Endpoint> found;
    for (int i = 0; i < config->bNumInterfaces && !found; ++i) {
        if (config->interface[i].num_altsetting < 1)
            continue;
        const libusb_interface_descriptor &alt = config->interface[i].altsetting[0];
        if (alt.bInterfaceClass != LIBUSB_CLASS_HID)
            continue;
        const bool bootKeyboard = alt.bInterfaceSubClass == 1 && alt.bInterfaceProtocol == 1;
        if (bootKeyboard != (protocol == UsbScannerProtocol::Keyboard))
            continue;
        for (int e = 0; e < alt.bNumEndpoints; ++e) {
            const libusb_endpoint_descriptor &ep = alt.endpoint[e];
            if ((ep.bmAttributes & 0x03) == LIBUSB_TRANSFER_TYPE_INTERRUPT && (ep.bEndpointAddress & LIBUSB_ENDPOINT_IN)) {
                found = Endpoint{alt.bInterfaceNumber, ep.bEndpointAddress, ep.wMaxPacketSize & 0x7FF,
                                 reportDescriptorLength(alt)};
                break;
            }
        }
    }
    libusb_free_config_descriptor(config);
    if (found && found->packetSize <= 0)
        return std::nullopt;
    return found;
}

QString detailFor(UsbScannerState state, int rc, const QString &node)
{
    switch (state) {
    case UsbScannerState::Ready: return {};
    case UsbScannerState::Missing: return u"The scanner is not plugged in."_s;
    case UsbScannerState::Busy:
        return u"Another program is using the scanner (it holds the USB interface). Close it, or unplug the "
               u"scanner and plug it in again."_s;
    case UsbScannerState::NotPermitted: return usbNotPermittedDetail(u"the scanner"_s, u"the scanner"_s, node);
    case UsbScannerState::Failed: return usbFailedDetail(u"The scanner"_s, rc);
    }
    return {};
}

} // namespace

// One scanner's I/O thread: opens and claims the interface, reads it with interrupt transfers
// until asked to stop or the scanner goes away, gives the interface back to the kernel.
class UsbScannerWorker : public QThread {
    Q_OBJECT
public:
    struct Params {
        libusb_device *device = nullptr; // referenced; unreferenced by the worker's destructor
        Endpoint endpoint;
        UsbScannerProtocol protocol = UsbScannerProtocol::Keyboard;
        HidKeyboardLayout layout = HidKeyboardLayout::Us;
        int quietEndMs = 0;
        std::function<qint64()> nowMs;
        QString port;
    };

    UsbScannerWorker(Params params, QObject *parent) : QThread(parent), m_p(std::move(params))
    {
        setObjectName(u"setia-usb-"_s + m_p.port);
    }
    ~UsbScannerWorker() override
    {
        requestStop();
        wait();
        libusb_unref_device(m_p.device);
    }
    void requestStop() { m_stop = true; }

Q_SIGNALS:
    void scanned(const setia::Scan &scan);
    void stateChanged(setia::UsbScannerState state, const QString &detail);

protected:
    void run() override;

private:
    bool claim(libusb_device_handle *handle);
    void fail(int rc, const char *what);
    void emitScan(QByteArray payload, const QString &symbology, Scan::Source source = Scan::Source::HidScanner);

    Params m_p;
    std::atomic<bool> m_stop{false};
};

void UsbScannerWorker::fail(int rc, const char *what)
{
    const UsbScannerState state = usbScannerStateForError(rc);
    qCDebug(lcUsbScanner, "%s: %s failed: %s", qPrintable(m_p.port), what, libusb_error_name(rc));
    Q_EMIT stateChanged(state, detailFor(state, rc, usbDeviceNode(m_p.device)));
}

bool UsbScannerWorker::claim(libusb_device_handle *handle)
{
    const int iface = m_p.endpoint.interfaceNumber;
    // The kernel's usbhid driver is detached while Setia holds the interface (so the scanner
    // does not type into other windows) and re-attached when it lets go.
    if (const int rc = usbClaimInterface(handle, iface, lcUsbScanner, m_p.port); rc != 0) {
        fail(rc, "claiming the interface");
        return false;
    }
    if (m_p.protocol != UsbScannerProtocol::HidPos || m_p.endpoint.reportDescriptorLength <= 0)
        return true;
    // HID POS: when the report descriptor can be read, it must be a bar code scanner's. When it
    // cannot (some devices, and replayed ones), the table's word is taken for it.
    QByteArray descriptor(m_p.endpoint.reportDescriptorLength, '\0');
    const int n = libusb_control_transfer(handle, quint8(int(LIBUSB_ENDPOINT_IN) | int(LIBUSB_REQUEST_TYPE_STANDARD) | int(LIBUSB_RECIPIENT_INTERFACE)),
                                          LIBUSB_REQUEST_GET_DESCRIPTOR, quint16(LIBUSB_DT_REPORT << 8), quint16(iface),
                                          reinterpret_cast<unsigned char *>(descriptor.data()), quint16(descriptor.size()), 500);
    if (n < 0) {
        qCDebug(lcUsbScanner, "%s: report descriptor not readable (%s); the table says HID POS", qPrintable(m_p.port),
                libusb_error_name(n));
        return true;
    }
    if (hidReportDescriptorUsesPage(QByteArrayView(descriptor).first(n), kBarCodeScannerPage))
        return true;
    (void)libusb_release_interface(handle, iface); // closed right after; nothing to do if it fails
    Q_EMIT stateChanged(UsbScannerState::Failed,
                        u"The scanner is not in HID POS mode (its report descriptor has no bar code scanner usage). "
                        u"Scan the 'USB HID POS' programming barcode from its manual, or list it as a keyboard-mode scanner."_s);
    return false;
}

void UsbScannerWorker::emitScan(QByteArray payload, const QString &symbology, Scan::Source source)
{
    Scan scan;
    scan.source = source;
    scan.symbology = symbology;
    scan.payload = std::move(payload);
    scan.atMs = m_p.nowMs ? m_p.nowMs() : QDateTime::currentMSecsSinceEpoch();
    Q_EMIT scanned(scan);
}

void UsbScannerWorker::run()
{
    libusb_device_handle *handle = nullptr;
    if (const int rc = libusb_open(m_p.device, &handle); rc != 0) {
        fail(rc, "opening the device");
        return;
    }
    if (!claim(handle)) {
        libusb_close(handle);
        return;
    }
    Q_EMIT stateChanged(UsbScannerState::Ready, {});

    HidKeyboardDecoder keyboard(m_p.layout);
    HidPosDecoder pos;
    MagTekDecoder magtek;
    QByteArray buffer(m_p.endpoint.packetSize, '\0');
    QElapsedTimer sinceReport;
    sinceReport.start();
    int errorStreak = 0;
    while (!m_stop) {
        int n = 0;
        const int rc = libusb_interrupt_transfer(handle, m_p.endpoint.address, reinterpret_cast<unsigned char *>(buffer.data()),
                                                 int(buffer.size()), &n, kTransferTimeoutMs);
        if (n > 0) { // a timed-out transfer may still have brought data
            sinceReport.restart();
            const QByteArrayView report = QByteArrayView(buffer).first(n);
            if (m_p.protocol == UsbScannerProtocol::Keyboard) {
                for (const QString &text : keyboard.feed(report))
                    emitScan(text.toUtf8(), {});
            } else if (m_p.protocol == UsbScannerProtocol::MagTekHid) {
                if (auto read = magtek.feed(report))
                    emitScan(std::move(read->tracks), u"track"_s, Scan::Source::MagStripe);
            } else if (auto read = pos.feed(report)) {
                emitScan(std::move(read->data), read->symbology);
            }
            explicit_bzero(buffer.data(), size_t(n)); // the packet may hold a payment card's track
        }
        // A swipe cut short (the card pulled back, a packet lost): what came is forgotten and
        // the cashier is asked to swipe again (an empty read is a garbled scan to core).
        if (magtek.pending() > 0 && sinceReport.elapsed() >= kSwipeGapMs) {
            magtek.reset();
            emitScan({}, u"track"_s, Scan::Source::MagStripe);
        }
        if (rc == 0 || rc == LIBUSB_ERROR_TIMEOUT || rc == LIBUSB_ERROR_INTERRUPTED) {
            errorStreak = 0;
            if (m_p.quietEndMs > 0 && rc == LIBUSB_ERROR_TIMEOUT && sinceReport.elapsed() >= m_p.quietEndMs
                && !keyboard.pending().isEmpty()) {
                const QString text = keyboard.flush();
                if (!text.isEmpty())
                    emitScan(text.toUtf8(), {});
            }
            continue;
        }
        if (rc == LIBUSB_ERROR_NO_DEVICE) {
            Q_EMIT stateChanged(UsbScannerState::Missing, detailFor(UsbScannerState::Missing, rc, {}));
            break;
        }
        if (errorStreak++ == 0)
            qCWarning(lcUsbScanner, "%s: reading failed: %s", qPrintable(m_p.port), libusb_error_name(rc));
        if (errorStreak >= kMaxErrorStreak) {
            Q_EMIT stateChanged(UsbScannerState::Failed, detailFor(UsbScannerState::Failed, rc, {}));
            break;
        }
        if (rc == LIBUSB_ERROR_PIPE) // a stalled endpoint: clear it and try again (the streak still counts)
            (void)libusb_clear_halt(handle, m_p.endpoint.address);
        QThread::msleep(50);
    }
    // Releasing gives the interface back to the kernel driver: the scanner types again.
    usbReleaseAndClose(handle, m_p.endpoint.interfaceNumber, lcUsbScanner, m_p.port);
}

struct UsbScannerManager::Entry {
    UsbScannerStatus status;
    libusb_device *device = nullptr; // referenced while the scanner is plugged in
    Endpoint endpoint;
    HidKeyboardLayout layout = HidKeyboardLayout::Us;
    UsbScannerWorker *worker = nullptr;
};

QString usbScannerProtocolName(UsbScannerProtocol protocol)
{
    switch (protocol) {
    case UsbScannerProtocol::Keyboard: return u"keyboard"_s;
    case UsbScannerProtocol::HidPos: return u"hid-pos"_s;
    case UsbScannerProtocol::MagTekHid: return u"magtek-hid"_s;
    }
    return {};
}

QList<UsbScannerModel> defaultUsbScannerModels()
{
    using P = UsbScannerProtocol;
    return {
        {0x05e0, 0x1200, u"Zebra (Symbol) LS2208 / DS2208, USB keyboard"_s, P::Keyboard, std::nullopt},
        {0x0c2e, 0x0200, u"Honeywell (Metrologic) MS7120, USB keyboard"_s, P::Keyboard, std::nullopt},
        {0x0c2e, 0x0b6a, u"Honeywell Voyager 1200g / 1250g, USB keyboard"_s, P::Keyboard, std::nullopt},
        {0x0c2e, 0x0b8f, u"Honeywell Voyager 1400g, HID POS"_s, P::HidPos, std::nullopt},
        // Magnetic-stripe readers: MagTek's swipe readers in HID mode (0002, 0011) and in
        // keyboard-emulation mode (0001), whose tracks arrive as typed text.
        {0x0801, 0x0002, u"MagTek Mini Swipe Reader, HID"_s, P::MagTekHid, std::nullopt},
        {0x0801, 0x0011, u"MagTek Dynamag / Mini Swipe Reader, HID"_s, P::MagTekHid, std::nullopt},
        {0x0801, 0x0001, u"MagTek Mini Swipe Reader, keyboard emulation"_s, P::Keyboard, std::nullopt},
        // Vendors that make only scanners: any product with a boot keyboard interface.
        {0x0c2e, UsbScannerModel::kAnyProduct, u"Honeywell scanner, USB keyboard"_s, P::Keyboard, std::nullopt},
        {0x05e0, UsbScannerModel::kAnyProduct, u"Zebra (Symbol) scanner, USB keyboard"_s, P::Keyboard, std::nullopt},
    };
}

QString usbScannerStateName(UsbScannerState state)
{
    switch (state) {
    case UsbScannerState::Ready: return u"ready"_s;
    case UsbScannerState::Missing: return u"missing"_s;
    case UsbScannerState::Busy: return u"busy"_s;
    case UsbScannerState::NotPermitted: return u"not-permitted"_s;
    case UsbScannerState::Failed: return u"failed"_s;
    }
    return {};
}

UsbScannerState usbScannerStateForError(int libusbError)
{
    return usbStateForError<UsbScannerState>(libusbError);
}

QString UsbScannerStatus::vidPid() const
{
    return usbVidPid(vendorId, productId);
}

UsbScannerManager::UsbScannerManager(QObject *parent) : UsbScannerManager(Settings{}, parent) {}

UsbScannerManager::UsbScannerManager(Settings settings, QObject *parent)
    : QObject(parent), m_settings(std::move(settings)),
      m_usb(std::make_unique<UsbDeviceWatcher>(this, [this] { rescan(); })),
      m_entries(std::make_unique<UsbDeviceTable<Entry>>())
{
    qRegisterMetaType<setia::Scan>();
    qRegisterMetaType<setia::UsbScannerStatus>();
    qRegisterMetaType<setia::UsbScannerState>();
}

UsbScannerManager::~UsbScannerManager()
{
    stop();
}

bool UsbScannerManager::isRunning() const
{
    return m_usb->isRunning();
}

bool UsbScannerManager::usesHotplug() const
{
    return m_usb->usesHotplug();
}

bool UsbScannerManager::start()
{
    if (m_usb->isRunning())
        return true;
    if (const int rc = m_usb->start({m_settings.useHotplug, m_settings.rescanMs, u"setia-usb-events"_s, lcUsbScanner});
        rc != 0) {
        m_error = u"USB scanners cannot be used: libusb did not start (%1)."_s.arg(usbErrorName(rc));
        return false;
    }
    m_error.clear();
    rescan();
    return true;
}

void UsbScannerManager::stop()
{
    if (!m_usb->isRunning())
        return;
    m_usb->stopWatching();
    m_entries->forEach([](Entry &e) {
        if (e.worker)
            e.worker->requestStop(); // all at once, then wait for each
    });
    m_entries->forEach([this](Entry &e) {
        stopWorker(e);
        if (e.device) {
            usbDropDevice(e.device);
            // The caller stopped it: no statusChanged (stop() also runs in the destructor).
            e.status.state = UsbScannerState::Missing;
            e.status.detail = u"Setia is not reading USB scanners."_s;
        }
    });
    m_usb->close();
}

QList<UsbScannerStatus> UsbScannerManager::devices() const
{
    return m_entries->statuses<UsbScannerStatus>();
}

const UsbScannerModel *UsbScannerManager::modelFor(quint16 vendorId, quint16 productId) const
{
    const UsbScannerModel *anyProduct = nullptr;
    for (const UsbScannerModel &m : m_settings.models) {
        if (m.vendorId != vendorId)
            continue;
        if (m.productId == productId)
            return &m;
        if (m.productId == UsbScannerModel::kAnyProduct && !anyProduct && m.protocol == UsbScannerProtocol::Keyboard)
            anyProduct = &m;
    }
    return anyProduct;
}

void UsbScannerManager::rescan()
{
    libusb_context *ctx = m_usb->beginRescan();
    if (!ctx)
        return;
    const bool listed = usbForEachDevice(ctx, lcUsbScanner, [this](libusb_device *device, quint16 vendorId, quint16 productId) {
        const UsbScannerModel *model = modelFor(vendorId, productId);
        if (!model)
            return;
        const std::optional<Endpoint> endpoint = findEndpoint(device, model->protocol);
        if (!endpoint)
            return; // not in the mode the table expects (or not a scanner at all)
        const QString port = usbPortPath(device);
        const QString key = usbDeviceKey(port, vendorId, productId);
        Entry &e = m_entries->found(key, [&](Entry &made) {
            made.status.port = port;
            made.status.name = model->name;
            made.status.vendorId = vendorId;
            made.status.productId = productId;
            made.status.protocol = model->protocol;
        });
        e.endpoint = *endpoint;
        e.layout = model->layout.value_or(m_settings.keyboardLayout);
        m_entries->plugged(
            e, device, [this](Entry &old) { stopWorker(old); }, [this, &key](Entry &now) { startWorker(now, key); });
    });
    if (!listed)
        return;
    m_entries->endRescan([this](Entry &e) {
        stopWorker(e);
        usbDropDevice(e.device);
        setState(e, UsbScannerState::Missing, detailFor(UsbScannerState::Missing, 0, {}));
    });
}

void UsbScannerManager::startWorker(Entry &e, const QString &key)
{
    UsbScannerWorker::Params p;
    p.device = libusb_ref_device(e.device);
    p.endpoint = e.endpoint;
    p.protocol = e.status.protocol;
    p.layout = e.layout;
    p.quietEndMs = m_settings.quietEndMs;
    p.nowMs = m_settings.nowMs;
    p.port = e.status.port;
    auto *worker = new UsbScannerWorker(std::move(p), this);
    e.worker = worker;
    connect(worker, &UsbScannerWorker::scanned, this, &UsbScannerManager::scanned, Qt::QueuedConnection);
    // With the worker as context: nothing of a worker that was stopped and deleted arrives.
    connect(worker, &UsbScannerWorker::stateChanged, worker, [this, key](UsbScannerState state, const QString &detail) {
        if (Entry *entry = m_entries->find(key))
            setState(*entry, state, detail);
    }, Qt::QueuedConnection);
    connect(worker, &QThread::finished, worker, [this, key, worker] {
        if (Entry *entry = m_entries->find(key); entry && entry->worker == worker)
            entry->worker = nullptr;
        worker->deleteLater();
    }, Qt::QueuedConnection);
    worker->start();
}

void UsbScannerManager::stopWorker(Entry &e)
{
    if (!e.worker)
        return;
    delete std::exchange(e.worker, nullptr); // stop, wait, release the interface, delete
}

void UsbScannerManager::setState(Entry &e, UsbScannerState state, const QString &detail)
{
    if (e.status.state == state && e.status.detail == detail)
        return;
    e.status.state = state;
    e.status.detail = detail;
    usbLogState(lcUsbScanner, e.status.vidPid(), e.status.port, e.status.name, usbScannerStateName(state),
                state != UsbScannerState::Ready && state != UsbScannerState::Missing, detail);
    Q_EMIT statusChanged(e.status);
}

} // namespace setia

#include "usbhidscanner.moc"
