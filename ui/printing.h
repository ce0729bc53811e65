#pragma once
// What the till prints: the points slip after an earn or a redemption and a member's card
// (drivers/slip.h), on the receipt printer (drivers/usbprinter.h) or, for the demo and tests,
// into a file.
#include "drivers/slip.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>

namespace setia {
class UsbPrinterManager;
struct PrinterStatus;
}

namespace setia::ui {

// The till's receipt printing: the first ready USB printer, or a file that takes every job
// (setia --printer-file: the demo's and tests' virtual printer). Answers come as finished().
class Printing : public QObject {
    Q_OBJECT
public:
    explicit Printing(QObject *parent = nullptr);
    ~Printing() override;

    // USB receipt printers through libusb; false (with why) if USB cannot be used at all.
    bool enableUsb(QString *error = nullptr);
    UsbPrinterManager *usb() const { return m_usb; }
    QString usbError() const { return m_usbError; }
    // Every job is appended to this file as it would go to the printer ("": no file printer).
    void setFile(const QString &path) { m_file = path; }
    QString file() const { return m_file; }

    // Whether a job would go anywhere now, and the paper it would be printed on.
    bool ready() const;
    PaperWidth paper() const;
    // Sends the slip; false with why (no printer, paper out, cannot write) when it cannot go.
    // A USB job's outcome arrives later as finished().
    bool print(const Slip &slip, QString *why = nullptr);
    qint64 jobsSent() const { return m_sent; }

Q_SIGNALS:
    void finished(bool ok, const QString &detail);
    void statusChanged();

private:
    UsbPrinterManager *m_usb = nullptr;
    QString m_usbError;
    QString m_file;
    qint64 m_sent = 0;
};

} // namespace setia::ui
