#pragma once
// USB HID barcode scanners read directly through libusb (docs/hardware.md).
//
// UsbScannerManager finds the scanners of a table of USB IDs, claims their HID interface — the
// kernel's keyboard driver is detached first, so a scan never types into another window — and
// reads each scanner on its own I/O thread. What a scanner read leaves the thread as a Scan
// (Source::HidScanner, the decoded text without its terminator; Source::MagStripe with
// symbology "track" for a magnetic-stripe reader's tracks) through the queued signal scanned(). Scanners may be plugged in, pulled out and plugged in again while it runs:
// libusb's hot-plug events (or, where libusb has none, a rescan every two seconds) keep
// devices() current, and statusChanged() says when a scanner's state changed.
//
// The manager lives in the thread that made it (usually the GUI thread); its signals are
// delivered there. Its functions must be called from that thread.
#include "scan.h"
#include "usbhiddecoder.h"

#include <QHash>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

struct libusb_context;
struct libusb_device;

namespace setia {

// How a scanner sends what it read.
enum class UsbScannerProtocol {
    Keyboard, // boot keyboard reports (interface class 3 / subclass 1 / protocol 1)
    HidPos,   // HID POS bar code scanner reports (usage page 0x8C), Honeywell format
    MagTekHid, // MagTek magnetic-stripe swipe readers in HID mode: 337-byte vendor reports
};
QString usbScannerProtocolName(UsbScannerProtocol protocol); // "keyboard", "hid-pos", "magtek-hid"

// One row of the table of supported scanners.
struct UsbScannerModel {
    static constexpr quint16 kAnyProduct = 0;
    quint16 vendorId = 0;
    // kAnyProduct: every product of the vendor that has a boot keyboard interface (only for
    // vendors that make nothing but scanners: a keyboard must never be taken away).
    quint16 productId = kAnyProduct;
    QString name;
    UsbScannerProtocol protocol = UsbScannerProtocol::Keyboard;
    // The keyboard country the scanner is programmed for; unset: Settings::keyboardLayout.
    std::optional<HidKeyboardLayout> layout;
};

// The built-in table (docs/hardware.md says where each ID comes from).
QList<UsbScannerModel> defaultUsbScannerModels();

enum class UsbScannerState {
    Ready,        // claimed and being read
    Missing,      // seen before, not plugged in now
    Busy,         // another program (or driver) holds the interface
    NotPermitted, // the device node may not be opened: the udev rule is missing
    Failed,       // anything else; detail says what
};
QString usbScannerStateName(UsbScannerState state); // "ready", "missing", "busy", "not-permitted", "failed"
// The state a libusb error code (from opening or claiming) leads to.
UsbScannerState usbScannerStateForError(int libusbError);

struct UsbScannerStatus {
    QString port;   // USB bus and port path, "1-1.4": stays the same while the scanner does
    QString name;   // from the table
    quint16 vendorId = 0;
    quint16 productId = 0;
    UsbScannerProtocol protocol = UsbScannerProtocol::Keyboard;
    UsbScannerState state = UsbScannerState::Missing;
    QString detail; // for a person: what is wrong and what to do; empty when ready
    QString vidPid() const; // "05e0:1200"
};

class UsbScannerWorker;
class UsbDeviceWatcher;
template <typename Entry>
class UsbDeviceTable;

class UsbScannerManager : public QObject {
    Q_OBJECT
public:
    struct Settings {
        QList<UsbScannerModel> models = defaultUsbScannerModels();
        HidKeyboardLayout keyboardLayout = HidKeyboardLayout::Us;
        bool useHotplug = true;  // false: find arrivals and departures by rescanning only
        int rescanMs = 2000;     // rescan period (without hot-plug) and retry period (busy, not permitted)
        int quietEndMs = 250;    // keyboard mode: text with no terminator is a scan after this much quiet (0: never)
        // Scan::atMs; called on the I/O threads. Unset: the system clock (UTC ms).
        std::function<qint64()> nowMs;
    };

    explicit UsbScannerManager(QObject *parent = nullptr);
    explicit UsbScannerManager(Settings settings, QObject *parent = nullptr);
    ~UsbScannerManager() override;

    // Starts libusb, looks for scanners and watches for new ones. False (see errorString())
    // if libusb cannot start — no USB access at all on this machine.
    [[nodiscard]] bool start();
    // Stops every I/O thread (each scanner's interface goes back to the kernel) and libusb.
    // Every scanner is then listed as missing; statusChanged() is not emitted for that.
    void stop();
    bool isRunning() const;
    // Whether arrivals and departures come from libusb's hot-plug events (else: rescans).
    bool usesHotplug() const;
    QString errorString() const { return m_error; }

    // Every scanner seen since start(), in the order they were first seen.
    QList<UsbScannerStatus> devices() const;

Q_SIGNALS:
    void scanned(const setia::Scan &scan);
    void statusChanged(const setia::UsbScannerStatus &status);

private:
    struct Entry;
    void rescan();
    void startWorker(Entry &entry, const QString &key);
    void stopWorker(Entry &entry);
    void setState(Entry &entry, UsbScannerState state, const QString &detail);
    const UsbScannerModel *modelFor(quint16 vendorId, quint16 productId) const;

    Settings m_settings;
    std::unique_ptr<UsbDeviceWatcher> m_usb;         // libusb, hot-plug, rescan timer (usbcommon.h)
    std::unique_ptr<UsbDeviceTable<Entry>> m_entries; // every scanner seen, in order
    QString m_error;
};

} // namespace setia

Q_DECLARE_METATYPE(setia::UsbScannerStatus)
Q_DECLARE_METATYPE(setia::UsbScannerState)
