#include "usbprinter.h"

#include "usbcommon.h"

#include <libusb.h>

#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>
#include <QWaitCondition>

#include <deque>
#include <utility>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcUsbPrinter, "setia.drivers.printer", QtInfoMsg)

namespace setia {

namespace {

constexpr int kChunkBytes = 4096;    // one bulk OUT transfer (one URB) at most
constexpr int kEventSliceMs = 100;   // how long a stop request may wait for the I/O thread
constexpr int kMaxUnanswered = 2;    // status requests without an answer before the printer is not asked again
const char kPaperStatusRequest[] = {0x10, 0x04, 0x04}; // DLE EOT 4: paper roll sensor status

// Where a printer's jobs go: which interface (and alternate setting), which endpoints.
struct Endpoints {
    int interfaceNumber = -1;
    int altSetting = 0;
    bool printerClass = false;
    quint8 out = 0;
    quint8 in = 0; // 0: no bulk IN, so no status
    int inPacketSize = 0;
};

// The printer-class (7) interface with a bulk OUT endpoint, preferring a bidirectional one
// (protocol 2, with bulk IN for status). With `vendorClass`, a vendor-specific interface with
// bulk OUT is taken when there is no printer-class one (for listed models only).
std::optional<Endpoints> findEndpoints(libusb_device *device, bool vendorClass)
{
    libusb_config_descriptor *config = nullptr;
    if (libusb_get_active_config_descriptor(device, &config) != 0 && libusb_get_config_descriptor(device, 0, &config) != 0)
        return std::nullopt;
    std::optional<Endpoints> best;
    auto score = [](const Endpoints &e) { return (e.printerClass ? 4 : 0) + (e.in ? 2 : 0); };
    for (int i = 0; i < config->bNumInterfaces; ++i) {
        for (int a = 0; a < config->interface[i].num_altsetting; ++a) {
            const libusb_interface_descriptor &alt = config->interface[i].altsetting[a];
            const bool printer = alt.bInterfaceClass == LIBUSB_CLASS_PRINTER;
            if (!printer && !(vendorClass && alt.bInterfaceClass == LIBUSB_CLASS_VENDOR_SPEC))
                continue;
            if (printer && alt.bInterfaceProtocol == 3)
                continue; // IEEE 1284.4: a packet protocol, not a plain byte stream
            Endpoints e;
            e.interfaceNumber = alt.bInterfaceNumber;
            e.altSetting = alt.bAlternateSetting;
            e.printerClass = printer;
            for (int k = 0; k < alt.bNumEndpoints; ++k) {
                const libusb_endpoint_descriptor &ep = alt.endpoint[k];
                if ((ep.bmAttributes & 0x03) != LIBUSB_TRANSFER_TYPE_BULK)
                    continue;
                if (ep.bEndpointAddress & LIBUSB_ENDPOINT_IN) {
                    if (!e.in) {
                        e.in = ep.bEndpointAddress;
                        e.inPacketSize = ep.wMaxPacketSize & 0x7FF;
                    }
                } else if (!e.out) {
                    e.out = ep.bEndpointAddress;
                }
            }
            if (!e.out)
                continue;
            if (e.inPacketSize <= 0)
                e.in = 0;
            if (!best || score(e) > score(*best))
                best = e;
        }
    }
    libusb_free_config_descriptor(config);
    return best;
}

QString detailFor(PrinterState state, int rc, const QString &node)
{
    switch (state) {
    case PrinterState::Ready: return {};
    case PrinterState::Missing: return u"The receipt printer is not plugged in (or switched off)."_s;
    case PrinterState::Busy:
        return u"Another program is using the receipt printer (it holds the USB interface), often CUPS with the "
               u"printer set up as a system printer. Remove it from CUPS or close that program, or unplug the "
               u"printer and plug it in again."_s;
    case PrinterState::NotPermitted: return usbNotPermittedDetail(u"the receipt printer"_s, u"the printer"_s, node);
    case PrinterState::PaperOut:
        return u"The receipt printer is out of paper. Load a new paper roll and close the cover."_s;
    case PrinterState::Failed: return usbFailedDetail(u"The receipt printer"_s, rc);
    }
    return {};
}

QString usblpDetail()
{
    return u"The kernel's usblp driver holds the receipt printer and Setia could not take it over. Unload it "
           u"('modprobe -r usblp') or blacklist it (docs/hardware.md), then plug the printer in again."_s;
}

void LIBUSB_CALL transferDone(libusb_transfer *transfer)
{
    *static_cast<int *>(transfer->user_data) = 1;
}

} // namespace

// One printer's I/O thread: opens and claims the printer interface, writes the jobs queued for
// it until asked to stop or the printer goes away, gives the interface back to the kernel.
class UsbPrinterWorker : public QThread {
    Q_OBJECT
public:
    struct Params {
        libusb_context *ctx = nullptr;
        libusb_device *device = nullptr; // referenced; unreferenced by the worker's destructor
        Endpoints endpoints;
        QString port;
        int writeTimeoutMs = 5000;
        int statusTimeoutMs = 500;
        int paperPollMs = 1000;
    };
    struct Job {
        quint64 id = 0;
        QByteArray bytes;
    };

    UsbPrinterWorker(Params params, QObject *parent) : QThread(parent), m_p(std::move(params))
    {
        setObjectName(u"setia-printer-"_s + m_p.port);
    }
    ~UsbPrinterWorker() override
    {
        requestStop({});
        wait();
        libusb_unref_device(m_p.device);
    }
    // `why`: what a job cut short by the stop is told (empty: Setia stopped printing).
    void requestStop(const QString &why)
    {
        QMutexLocker lock(&m_mutex);
        if (!why.isEmpty())
            m_stopReason = why;
        m_stop = true;
        m_wake.wakeAll();
    }
    void enqueue(Job job)
    {
        QMutexLocker lock(&m_mutex);
        m_queue.push_back(std::move(job));
        m_wake.wakeAll();
    }
    // The jobs this worker will not write any more (once it has stopped).
    std::deque<Job> takeQueued()
    {
        QMutexLocker lock(&m_mutex);
        return std::exchange(m_queue, {});
    }

Q_SIGNALS:
    void stateChanged(setia::PrinterState state, const QString &detail);
    void jobFinished(quint64 jobId, bool ok, const QString &detail);

protected:
    void run() override;

private:
    enum class Paper { Present, Out, Unknown };
    bool claim(libusb_device_handle *handle);
    int transfer(libusb_device_handle *handle, quint8 endpoint, char *data, int length, int *actual, int timeoutMs);
    Paper askPaper(libusb_device_handle *handle, int *rc);
    int write(libusb_device_handle *handle, const QByteArray &bytes, qsizetype *sent);
    void logFailure(int rc, const char *what);
    void setState(PrinterState state, const QString &detail);
    QString stopReason()
    {
        QMutexLocker lock(&m_mutex);
        return m_stopReason.isEmpty() ? u"Setia stopped using the receipt printer"_s : m_stopReason;
    }

    Params m_p;
    std::atomic<bool> m_stop{false};
    QMutex m_mutex;
    QWaitCondition m_wake;
    std::deque<Job> m_queue;
    QString m_stopReason;
    std::optional<PrinterState> m_state;
    int m_unanswered = 0;
    bool m_inStreak = false; // a failure was logged and nothing has succeeded since
};

void UsbPrinterWorker::logFailure(int rc, const char *what)
{
    if (std::exchange(m_inStreak, true))
        return;
    qCWarning(lcUsbPrinter, "%s: %s failed: %s", qPrintable(m_p.port), what, libusb_error_name(rc));
}

void UsbPrinterWorker::setState(PrinterState state, const QString &detail)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state, detail);
}

bool UsbPrinterWorker::claim(libusb_device_handle *handle)
{
    const int iface = m_p.endpoints.interfaceNumber;
    // usblp (the kernel's printer driver, /dev/usb/lpN) is detached while Setia holds the
    // interface and re-attached when it lets go.
    int rc = usbClaimInterface(handle, iface, lcUsbPrinter, m_p.port);
    if (rc == 0 && m_p.endpoints.altSetting != 0)
        rc = libusb_set_interface_alt_setting(handle, iface, m_p.endpoints.altSetting);
    if (rc != 0) {
        const PrinterState state = printerStateForError(rc);
        qCDebug(lcUsbPrinter, "%s: claiming the printer interface failed: %s", qPrintable(m_p.port), libusb_error_name(rc));
        const bool usblp = rc == LIBUSB_ERROR_BUSY && libusb_kernel_driver_active(handle, iface) == 1;
        setState(state, usblp ? usblpDetail() : detailFor(state, rc, usbDeviceNode(m_p.device)));
        return false;
    }
    return true;
}

// A bulk transfer like libusb_bulk_transfer() (one URB for up to 4096 bytes), except that a stop
// request cancels it within kEventSliceMs instead of waiting for its timeout.
int UsbPrinterWorker::transfer(libusb_device_handle *handle, quint8 endpoint, char *data, int length, int *actual, int timeoutMs)
{
    *actual = 0;
    libusb_transfer *t = libusb_alloc_transfer(0);
    if (!t)
        return LIBUSB_ERROR_NO_MEM;
    int completed = 0;
    libusb_fill_bulk_transfer(t, handle, endpoint, reinterpret_cast<unsigned char *>(data), length, &transferDone,
                              &completed, unsigned(std::max(1, timeoutMs)));
    if (const int rc = libusb_submit_transfer(t); rc != 0) {
        libusb_free_transfer(t);
        return rc;
    }
    bool cancelled = false;
    while (!completed) {
        timeval tv{0, kEventSliceMs * 1000};
        const int rc = libusb_handle_events_timeout_completed(m_p.ctx, &tv, &completed);
        if ((m_stop || (rc < 0 && rc != LIBUSB_ERROR_INTERRUPTED)) && !cancelled && !completed) {
            // Cancelled transfers still complete (status CANCELLED): keep handling events.
            (void)libusb_cancel_transfer(t); // NOT_FOUND: it completed meanwhile
            cancelled = true;
        }
    }
    *actual = t->actual_length;
    int rc = LIBUSB_ERROR_IO;
    switch (t->status) {
    case LIBUSB_TRANSFER_COMPLETED: rc = 0; break;
    case LIBUSB_TRANSFER_TIMED_OUT: rc = LIBUSB_ERROR_TIMEOUT; break;
    case LIBUSB_TRANSFER_CANCELLED: rc = LIBUSB_ERROR_INTERRUPTED; break;
    case LIBUSB_TRANSFER_STALL: rc = LIBUSB_ERROR_PIPE; break;
    case LIBUSB_TRANSFER_NO_DEVICE: rc = LIBUSB_ERROR_NO_DEVICE; break;
    case LIBUSB_TRANSFER_OVERFLOW: rc = LIBUSB_ERROR_OVERFLOW; break;
    case LIBUSB_TRANSFER_ERROR: rc = LIBUSB_ERROR_IO; break;
    }
    libusb_free_transfer(t);
    return rc;
}

UsbPrinterWorker::Paper UsbPrinterWorker::askPaper(libusb_device_handle *handle, int *rc)
{
    *rc = 0;
    if (!m_p.endpoints.in || m_unanswered >= kMaxUnanswered)
        return Paper::Unknown;
    QByteArray request(kPaperStatusRequest, sizeof kPaperStatusRequest);
    int n = 0;
    *rc = transfer(handle, m_p.endpoints.out, request.data(), int(request.size()), &n, m_p.statusTimeoutMs);
    if (*rc != 0)
        return Paper::Unknown;
    QByteArray answer(m_p.endpoints.inPacketSize, '\0');
    *rc = transfer(handle, m_p.endpoints.in, answer.data(), int(answer.size()), &n, m_p.statusTimeoutMs);
    if (*rc == LIBUSB_ERROR_TIMEOUT || (*rc == 0 && n == 0)) {
        // Not every printer answers (or has a paper sensor): print without knowing.
        if (++m_unanswered >= kMaxUnanswered)
            qCInfo(lcUsbPrinter, "%s: the printer does not answer status requests; printing without a paper check",
                   qPrintable(m_p.port));
        *rc = 0;
        return Paper::Unknown;
    }
    if (*rc != 0)
        return Paper::Unknown;
    m_unanswered = 0;
    // The last byte is the newest. A status byte has bits 1 and 4 set, bits 0 and 7 clear.
    const auto status = uchar(answer[n - 1]);
    if ((status & 0x93) != 0x12)
        return Paper::Unknown;
    return (status & 0x60) == 0x60 ? Paper::Out : Paper::Present;
}

int UsbPrinterWorker::write(libusb_device_handle *handle, const QByteArray &bytes, qsizetype *sent)
{
    *sent = 0;
    QByteArray buffer = bytes; // libusb wants a writable buffer
    while (*sent < buffer.size()) {
        const int n = int(std::min<qsizetype>(kChunkBytes, buffer.size() - *sent));
        int done = 0;
        const int rc = transfer(handle, m_p.endpoints.out, buffer.data() + *sent, n, &done, m_p.writeTimeoutMs);
        *sent += done;
        if (rc != 0)
            return rc;
    }
    return 0;
}

void UsbPrinterWorker::run()
{
    libusb_device_handle *handle = nullptr;
    if (const int rc = libusb_open(m_p.device, &handle); rc != 0) {
        const PrinterState state = printerStateForError(rc);
        qCDebug(lcUsbPrinter, "%s: opening the printer failed: %s", qPrintable(m_p.port), libusb_error_name(rc));
        setState(state, detailFor(state, rc, usbDeviceNode(m_p.device)));
        return;
    }
    if (!claim(handle)) {
        libusb_close(handle);
        return;
    }
    int rc = 0;
    const Paper initial = askPaper(handle, &rc);
    if (rc == LIBUSB_ERROR_NO_DEVICE) {
        setState(PrinterState::Missing, detailFor(PrinterState::Missing, rc, {}));
        libusb_close(handle);
        return;
    }
    if (initial == Paper::Out)
        setState(PrinterState::PaperOut, detailFor(PrinterState::PaperOut, 0, {}));
    else
        setState(PrinterState::Ready, {});

    while (!m_stop) {
        std::optional<Job> job;
        {
            QMutexLocker lock(&m_mutex);
            if (m_queue.empty() && !m_stop)
                m_wake.wait(&m_mutex, QDeadlineTimer(m_p.paperPollMs));
            if (m_stop)
                break;
            if (!m_queue.empty()) {
                job = std::move(m_queue.front());
                m_queue.pop_front();
            }
        }
        if (!job) {
            if (m_state == PrinterState::PaperOut) { // has paper been loaded?
                const Paper paper = askPaper(handle, &rc);
                if (rc == LIBUSB_ERROR_NO_DEVICE) {
                    setState(PrinterState::Missing, detailFor(PrinterState::Missing, rc, {}));
                    break;
                }
                if (paper != Paper::Out)
                    setState(PrinterState::Ready, {});
            }
            continue;
        }
        const Paper paper = askPaper(handle, &rc);
        if (rc == LIBUSB_ERROR_NO_DEVICE) {
            Q_EMIT jobFinished(job->id, false, u"The printer was unplugged; the slip was not printed. Plug it in and print again."_s);
            setState(PrinterState::Missing, detailFor(PrinterState::Missing, rc, {}));
            break;
        }
        if (paper == Paper::Out) {
            qCWarning(lcUsbPrinter, "%s: out of paper; job %llu refused", qPrintable(m_p.port), job->id);
            setState(PrinterState::PaperOut, detailFor(PrinterState::PaperOut, 0, {}));
            Q_EMIT jobFinished(job->id, false,
                               u"The receipt printer is out of paper: load a new paper roll, close the cover and print "
                               u"again. The slip was not printed."_s);
            continue;
        }
        if (m_state == PrinterState::PaperOut)
            setState(PrinterState::Ready, {});
        qsizetype sent = 0;
        rc = write(handle, job->bytes, &sent);
        if (rc == 0) {
            m_inStreak = false;
            qCDebug(lcUsbPrinter, "%s: job %llu printed (%lld bytes)", qPrintable(m_p.port), job->id, qlonglong(sent));
            Q_EMIT jobFinished(job->id, true, {});
            continue;
        }
        logFailure(rc, "writing a job");
        const QString progress = u"%1 of %2 bytes were sent"_s.arg(sent).arg(job->bytes.size());
        if (rc == LIBUSB_ERROR_NO_DEVICE) {
            Q_EMIT jobFinished(job->id, false,
                               u"The printer was unplugged while printing (%1). Plug it in and print the slip again."_s.arg(progress));
            setState(PrinterState::Missing, detailFor(PrinterState::Missing, rc, {}));
            break;
        }
        if (rc == LIBUSB_ERROR_INTERRUPTED) { // stopped while printing
            Q_EMIT jobFinished(job->id, false, u"%1 while printing (%2). Print the slip again."_s.arg(stopReason(), progress));
            break;
        }
        if (rc == LIBUSB_ERROR_TIMEOUT) {
            Q_EMIT jobFinished(job->id, false,
                               u"The printer did not take the slip within %1 s (%2): is its cover open, the paper "
                               u"jammed, or is it switched off? Check it and print again."_s
                                   .arg(m_p.writeTimeoutMs / 1000.0).arg(progress));
            continue;
        }
        if (rc == LIBUSB_ERROR_PIPE) // a stalled endpoint: clear it for the next job
            (void)libusb_clear_halt(handle, m_p.endpoints.out);
        Q_EMIT jobFinished(job->id, false,
                           u"Printing failed: %1 (%2, %3). Print the slip again."_s.arg(
                               usbErrorText(rc), usbErrorName(rc), progress));
    }
    // Releasing gives the interface back to the kernel (usblp attaches again).
    usbReleaseAndClose(handle, m_p.endpoints.interfaceNumber, lcUsbPrinter, m_p.port);
}

struct UsbPrinterManager::Entry {
    PrinterStatus status;
    libusb_device *device = nullptr; // referenced while the printer is plugged in
    Endpoints endpoints;
    UsbPrinterWorker *worker = nullptr;
};

QList<UsbPrinterModel> defaultUsbPrinterModels()
{
    using W = PaperWidth;
    return {
        {0x04b8, 0x0202, u"Epson TM-T88 / TM-T70 series (UB-U USB interface)"_s, W::Mm80},
        {0x04b8, 0x0e03, u"Epson TM-T20"_s, W::Mm80},
        {0x04b8, 0x0e15, u"Epson TM-T20II"_s, W::Mm80},
        {0x04b8, 0x0e28, u"Epson TM-T20III"_s, W::Mm80},
        {0x0416, 0x5011, u"58 mm POS printer (Winbond USB controller, \"POS58\")"_s, W::Mm58},
        // Epson's other receipt printers: any product with a printer-class interface.
        {0x04b8, UsbPrinterModel::kAnyProduct, u"Epson TM receipt printer"_s, W::Mm80},
    };
}

QString printerStateName(PrinterState state)
{
    switch (state) {
    case PrinterState::Ready: return u"ready"_s;
    case PrinterState::Missing: return u"missing"_s;
    case PrinterState::Busy: return u"busy"_s;
    case PrinterState::NotPermitted: return u"not-permitted"_s;
    case PrinterState::PaperOut: return u"paper-out"_s;
    case PrinterState::Failed: return u"failed"_s;
    }
    return {};
}

PrinterState printerStateForError(int libusbError)
{
    return usbStateForError<PrinterState>(libusbError);
}

QString PrinterStatus::vidPid() const
{
    return usbVidPid(vendorId, productId);
}

UsbPrinterManager::UsbPrinterManager(QObject *parent) : UsbPrinterManager(Settings{}, parent) {}

UsbPrinterManager::UsbPrinterManager(Settings settings, QObject *parent)
    : QObject(parent), m_settings(std::move(settings)),
      m_usb(std::make_unique<UsbDeviceWatcher>(this, [this] { rescan(); })),
      m_entries(std::make_unique<UsbDeviceTable<Entry>>())
{
    qRegisterMetaType<setia::PrinterStatus>();
    qRegisterMetaType<setia::PrinterState>();
}

UsbPrinterManager::~UsbPrinterManager()
{
    stop();
}

bool UsbPrinterManager::isRunning() const
{
    return m_usb->isRunning();
}

bool UsbPrinterManager::usesHotplug() const
{
    return m_usb->usesHotplug();
}

bool UsbPrinterManager::start()
{
    if (m_usb->isRunning())
        return true;
    if (const int rc = m_usb->start({m_settings.useHotplug, m_settings.rescanMs, u"setia-printer-events"_s, lcUsbPrinter});
        rc != 0) {
        m_error = u"USB receipt printers cannot be used: libusb did not start (%1)."_s.arg(usbErrorName(rc));
        return false;
    }
    m_error.clear();
    rescan();
    return true;
}

void UsbPrinterManager::stop()
{
    if (!m_usb->isRunning())
        return;
    m_usb->stopWatching();
    const QString why = u"Setia stopped using the receipt printer"_s;
    m_entries->forEach([&why](Entry &e) {
        if (e.worker)
            e.worker->requestStop(why); // all at once, then wait for each
    });
    m_entries->forEach([this, &why](Entry &e) {
        stopWorker(e, why);
        if (e.device) {
            usbDropDevice(e.device);
            e.status.state = PrinterState::Missing;
            e.status.detail = u"Setia is not using USB receipt printers."_s;
        }
    });
    m_usb->close();
}

QList<PrinterStatus> UsbPrinterManager::printers() const
{
    return m_entries->statuses<PrinterStatus>();
}

std::optional<PrinterStatus> UsbPrinterManager::readyPrinter() const
{
    if (const Entry *e = m_entries->first([](const Entry &x) { return x.status.state == PrinterState::Ready && x.worker; }))
        return e->status;
    return std::nullopt;
}

quint64 UsbPrinterManager::print(const QByteArray &job, const QString &port)
{
    if (!m_usb->isRunning()) {
        m_error = u"Setia is not using USB receipt printers (the printer driver did not start)."_s;
        return 0;
    }
    const auto atPort = [&port](const Entry &e) { return port.isEmpty() || e.status.port == port; };
    Entry *target = nullptr;
    for (int pass = 0; pass < 2 && !target; ++pass) { // a ready printer first, then one out of paper
        const PrinterState wanted = pass == 0 ? PrinterState::Ready : PrinterState::PaperOut;
        target = m_entries->first([&](const Entry &e) { return e.worker && e.status.state == wanted && atPort(e); });
    }
    if (!target) {
        const Entry *seen = m_entries->first(atPort);
        if (!seen)
            m_error = port.isEmpty() ? u"No receipt printer is plugged in."_s
                                     : u"No receipt printer is plugged in at USB port %1."_s.arg(port);
        else
            m_error = u"The receipt printer (%1) cannot print now: %2"_s.arg(
                seen->status.name, seen->status.detail.isEmpty() ? printerStateName(seen->status.state) : seen->status.detail);
        return 0;
    }
    const quint64 id = m_nextJob++;
    m_error.clear();
    target->worker->enqueue({id, job});
    return id;
}

void UsbPrinterManager::rescan()
{
    libusb_context *ctx = m_usb->beginRescan();
    if (!ctx)
        return;
    const QString unplugged = u"The printer was unplugged"_s;
    const bool listed = usbForEachDevice(ctx, lcUsbPrinter, [&](libusb_device *device, quint16 vendorId, quint16 productId) {
        const UsbPrinterModel *exact = nullptr;
        const UsbPrinterModel *vendor = nullptr;
        for (const UsbPrinterModel &m : std::as_const(m_settings.models)) {
            if (m.vendorId != vendorId)
                continue;
            if (m.productId == productId && !exact)
                exact = &m;
            else if (m.productId == UsbPrinterModel::kAnyProduct && !vendor)
                vendor = &m;
        }
        // Listed models may use a vendor-specific interface; everything else must be a printer.
        const std::optional<Endpoints> endpoints = findEndpoints(device, exact != nullptr);
        if (!endpoints || (!exact && !endpoints->printerClass))
            return;
        UsbPrinterModel model;
        if (exact)
            model = *exact;
        else if (vendor)
            model = *vendor;
        else if (m_settings.anyPrinterClass)
            model = UsbPrinterModel{vendorId, productId, u"USB printer"_s, PaperWidth::Mm80};
        else
            return;
        const QString port = usbPortPath(device);
        const QString key = usbDeviceKey(port, vendorId, productId);
        Entry &e = m_entries->found(key, [&](Entry &made) {
            made.status.port = port;
            made.status.name = model.name;
            made.status.vendorId = vendorId;
            made.status.productId = productId;
            made.status.paper = model.paper;
        });
        e.endpoints = *endpoints;
        m_entries->plugged(
            e, device, [&](Entry &old) { stopWorker(old, unplugged); }, [&](Entry &now) { startWorker(now, key); });
    });
    if (!listed)
        return;
    m_entries->endRescan([&](Entry &e) {
        stopWorker(e, unplugged);
        usbDropDevice(e.device);
        setState(e, PrinterState::Missing, detailFor(PrinterState::Missing, 0, {}));
    });
}

void UsbPrinterManager::finishLater(quint64 jobId, bool ok, const QString &detail)
{
    QMetaObject::invokeMethod(this, [this, jobId, ok, detail] { Q_EMIT jobFinished(jobId, ok, detail); }, Qt::QueuedConnection);
}

void UsbPrinterManager::startWorker(Entry &e, const QString &key)
{
    UsbPrinterWorker::Params p;
    p.ctx = m_usb->context();
    p.device = libusb_ref_device(e.device);
    p.endpoints = e.endpoints;
    p.port = e.status.port;
    p.writeTimeoutMs = m_settings.writeTimeoutMs;
    p.statusTimeoutMs = m_settings.statusTimeoutMs;
    p.paperPollMs = std::max(50, m_settings.paperPollMs);
    auto *worker = new UsbPrinterWorker(std::move(p), this);
    e.worker = worker;
    // With the manager as context: a job's result arrives even when its worker is gone by then.
    connect(worker, &UsbPrinterWorker::jobFinished, this, &UsbPrinterManager::jobFinished, Qt::QueuedConnection);
    // With the worker as context: nothing of a worker that was stopped and deleted arrives.
    connect(worker, &UsbPrinterWorker::stateChanged, worker, [this, key](PrinterState state, const QString &detail) {
        if (Entry *entry = m_entries->find(key))
            setState(*entry, state, detail);
    }, Qt::QueuedConnection);
    connect(worker, &QThread::finished, worker, [this, key, worker] {
        QString why = u"The receipt printer stopped before printing it"_s;
        if (Entry *entry = m_entries->find(key); entry && entry->worker == worker) {
            entry->worker = nullptr;
            if (!entry->status.detail.isEmpty())
                why = entry->status.detail;
        }
        for (const UsbPrinterWorker::Job &job : worker->takeQueued())
            finishLater(job.id, false, why + u" The slip was not printed."_s);
        worker->deleteLater();
    }, Qt::QueuedConnection);
    worker->start();
}

void UsbPrinterManager::stopWorker(Entry &e, const QString &why)
{
    if (!e.worker)
        return;
    UsbPrinterWorker *worker = std::exchange(e.worker, nullptr);
    worker->requestStop(why);
    worker->wait();
    for (const UsbPrinterWorker::Job &job : worker->takeQueued())
        finishLater(job.id, false, why + u"; the slip was not printed. Print it again."_s);
    delete worker; // releases the interface (already done by the thread), unreferences the device
}

void UsbPrinterManager::setState(Entry &e, PrinterState state, const QString &detail)
{
    if (e.status.state == state && e.status.detail == detail)
        return;
    e.status.state = state;
    e.status.detail = detail;
    usbLogState(lcUsbPrinter, e.status.vidPid(), e.status.port, e.status.name, printerStateName(state),
                state != PrinterState::Ready && state != PrinterState::Missing, detail);
    Q_EMIT statusChanged(e.status);
}

} // namespace setia

#include "usbprinter.moc"
