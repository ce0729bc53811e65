#include "printing.h"

#include "drivers/usbprinter.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace setia::ui {

Printing::Printing(QObject *parent) : QObject(parent) {}

Printing::~Printing() = default;

bool Printing::enableUsb(QString *error)
{
    if (!m_usb) {
        m_usb = new UsbPrinterManager(this);
        connect(m_usb, &UsbPrinterManager::statusChanged, this, &Printing::statusChanged);
        connect(m_usb, &UsbPrinterManager::jobFinished, this, [this](quint64, bool ok, const QString &detail) {
            Q_EMIT finished(ok, ok ? tr("Printed.") : tr("The slip was not printed: %1").arg(detail));
        });
        m_usbError.clear();
        if (!m_usb->start())
            m_usbError = m_usb->errorString();
    }
    if (error)
        *error = m_usbError;
    return m_usbError.isEmpty();
}

bool Printing::ready() const
{
    return !m_file.isEmpty() || (m_usb && m_usb->readyPrinter().has_value());
}

PaperWidth Printing::paper() const
{
    if (m_file.isEmpty() && m_usb)
        if (const auto p = m_usb->readyPrinter())
            return p->paper;
    return PaperWidth::Mm80;
}

bool Printing::print(const Slip &slip, QString *why)
{
    auto fail = [why](const QString &text) {
        if (why)
            *why = text;
        return false;
    };
    const QByteArray job = slipJob(slip, paper());
    if (!m_file.isEmpty()) {
        QFile f(m_file);
        if (!f.open(QIODevice::Append) || f.write(job) != job.size() || !f.flush())
            return fail(tr("The slip could not be written to %1 (%2).").arg(m_file, f.errorString()));
        ++m_sent;
        // Said after the caller's "printing…", as a USB printer's answer would be.
        QMetaObject::invokeMethod(this, [this] { Q_EMIT finished(true, tr("Printed.")); }, Qt::QueuedConnection);
        return true;
    }
    if (!m_usb)
        return fail(tr("No receipt printer is set up on this terminal."));
    if (!m_usb->readyPrinter()) {
        // Say what is wrong with the printer there is (paper out, unplugged, no permission).
        const QList<PrinterStatus> all = m_usb->printers();
        if (all.isEmpty())
            return fail(tr("No receipt printer is connected. Plug it in, or give the member the slip on screen."));
        return fail(tr("The receipt printer is not ready: %1").arg(all.first().detail));
    }
    if (m_usb->print(job) == 0)
        return fail(tr("The receipt printer is not ready: %1").arg(m_usb->errorString()));
    ++m_sent;
    return true;
}

} // namespace setia::ui
