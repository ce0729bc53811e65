#pragma once
// USB receipt printers written directly through libusb (docs/hardware.md).
//
// UsbPrinterManager finds the printers of a table of USB IDs (and, unless told not to, any
// USB printer-class device), claims their printer interface — the kernel's usblp driver is
// detached first — and gives each printer its own I/O thread. print() queues an ESC/POS job
// (escpos.h) for a printer; the thread writes it with bulk OUT transfers of at most 4096 bytes
// and the result comes back through the queued signal jobFinished(). When the printer has a
// bulk IN endpoint, the paper sensor is asked first (DLE EOT 4): a printer out of paper refuses
// the job, and its state says so until paper is loaded. Printers may be unplugged and plugged
// in again while it runs (libusb hot-plug events or a rescan every two seconds).
//
// The manager lives in the thread that made it (usually the GUI thread); its signals are
// delivered there. Its functions must be called from that thread.
#include "escpos.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>
#include <optional>

struct libusb_context;
struct libusb_device;

namespace setia {

// One row of the table of supported printers.
struct UsbPrinterModel {
    static constexpr quint16 kAnyProduct = 0;
    quint16 vendorId = 0;
    quint16 productId = kAnyProduct; // kAnyProduct: any product of the vendor with a printer-class interface
    QString name;
    PaperWidth paper = PaperWidth::Mm80;
};

// The built-in table (docs/hardware.md says where each ID comes from).
QList<UsbPrinterModel> defaultUsbPrinterModels();

enum class PrinterState {
    Ready,        // claimed; jobs are printed
    Missing,      // seen before, not plugged in now
    Busy,         // another program (or a driver that would not let go) holds the interface
    NotPermitted, // the device node may not be opened: the udev rule is missing
    PaperOut,     // the paper roll sensor says the roll is empty
    Failed,       // anything else; detail says what
};
QString printerStateName(PrinterState state); // "ready", "missing", "busy", "not-permitted", "paper-out", "failed"
// The state a libusb error code (from opening or claiming) leads to.
PrinterState printerStateForError(int libusbError);

struct PrinterStatus {
    QString port; // USB bus and port path, "1-1.4"
    QString name; // from the table, or "USB printer" for an unknown printer-class device
    quint16 vendorId = 0;
    quint16 productId = 0;
    PaperWidth paper = PaperWidth::Mm80;
    PrinterState state = PrinterState::Missing;
    QString detail; // for a person: what is wrong and what to do; empty when ready
    QString vidPid() const; // "04b8:0e15"
};

class UsbPrinterWorker;
class UsbDeviceWatcher;
template <typename Entry>
class UsbDeviceTable;

class UsbPrinterManager : public QObject {
    Q_OBJECT
public:
    struct Settings {
        QList<UsbPrinterModel> models = defaultUsbPrinterModels();
        bool anyPrinterClass = true; // also take unknown USB printer-class (7) devices (as 80 mm printers)
        bool useHotplug = true;      // false: find arrivals and departures by rescanning only
        int rescanMs = 2000;         // rescan period (without hot-plug), retry period (busy, not permitted)
        int writeTimeoutMs = 5000;   // one bulk OUT chunk may take this long before the job fails
        int statusTimeoutMs = 500;   // waiting for the answer to DLE EOT 4; no answer: print anyway
        int paperPollMs = 1000;      // while out of paper, ask the sensor this often
    };

    explicit UsbPrinterManager(QObject *parent = nullptr);
    explicit UsbPrinterManager(Settings settings, QObject *parent = nullptr);
    ~UsbPrinterManager() override; // stop → wait → delete

    // Starts libusb, looks for printers and watches for new ones. False (see errorString()) if
    // libusb cannot start.
    [[nodiscard]] bool start();
    // Stops every I/O thread (each printer's interface goes back to the kernel) and libusb. Jobs
    // not yet written finish with ok = false. Every printer is then listed as missing;
    // statusChanged() is not emitted for that.
    void stop();
    bool isRunning() const;
    bool usesHotplug() const;
    QString errorString() const { return m_error; }

    // Every printer seen since start(), in the order they were first seen.
    QList<PrinterStatus> printers() const;
    std::optional<PrinterStatus> readyPrinter() const; // the first ready printer

    // Queues a job for the ready printer (or the one on `port`); it is written on that printer's
    // I/O thread. Returns a job id > 0, or 0 when no printer is ready (errorString() says why in
    // words). A printer out of paper takes the job too: its sensor is asked again first. Every
    // job id returned is answered by exactly one jobFinished().
    quint64 print(const QByteArray &job, const QString &port = {});

Q_SIGNALS:
    void jobFinished(quint64 jobId, bool ok, const QString &detail); // queued, in the manager's thread
    void statusChanged(const setia::PrinterStatus &status);

private:
    struct Entry;
    void rescan();
    void startWorker(Entry &entry, const QString &key);
    void stopWorker(Entry &entry, const QString &why);
    void setState(Entry &entry, PrinterState state, const QString &detail);
    void finishLater(quint64 jobId, bool ok, const QString &detail);

    Settings m_settings;
    std::unique_ptr<UsbDeviceWatcher> m_usb;         // libusb, hot-plug, rescan timer (usbcommon.h)
    std::unique_ptr<UsbDeviceTable<Entry>> m_entries; // every printer seen, in order
    QString m_error;
    quint64 m_nextJob = 1;
};

} // namespace setia

Q_DECLARE_METATYPE(setia::PrinterStatus)
Q_DECLARE_METATYPE(setia::PrinterState)
