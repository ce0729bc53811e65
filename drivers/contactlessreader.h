#pragma once
// Contactless (NFC, ISO/IEC 14443) card readers through PC/SC: pcsc-lite's pcscd and its CCID
// driver on Linux (docs/hardware.md). Every reader pcscd knows is watched on one I/O thread.
//
// When a card is put on a reader, the reader code first asks whether it is a contactless
// PAYMENT card (SELECT of the PPSE, "2PAY.SYS.DDF01"): if the card answers 90 00 (or 61xx), it
// is reported as Scan{Source::Contactless, "emv", empty payload} and nothing more is read from
// it — no card number ever leaves this file. Otherwise the card's UID is read with the PC/SC
// GET DATA command (FF CA 00 00 00) and reported as Scan{Source::Contactless, "uid", the UID as
// upper-case hex}. A card left on the reader is one scan; the same card put back within
// Settings::repeatHoldMs is not scanned again (readers that lose and find a held card).
//
// The reader lives in the thread that made it (usually the GUI thread); its signals are
// delivered there (queued from the I/O thread). start(), stop() and the destructor must be
// called from that thread; readers() may be called from any thread.
#include "scan.h"

#include <QList>
#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

namespace setia {

enum class ContactlessState {
    Ready,       // the reader is there, waiting for a card (detail: why the last card was not read, if it was not)
    NoReader,    // pcscd runs but no reader is plugged in (or this reader was unplugged)
    ServiceDown, // pcscd is not running (or not installed); retried every Settings::retryMs
    Failed,      // anything else; detail says what
};
QString contactlessStateName(ContactlessState state); // "ready", "no-reader", "service-down", "failed"

struct ContactlessReaderStatus {
    QString reader; // the PC/SC reader name; empty for the row that stands for "no reader" / "service down"
    ContactlessState state = ContactlessState::NoReader;
    QString detail; // for a person: what is wrong and what to do; empty when all is well
    friend bool operator==(const ContactlessReaderStatus &, const ContactlessReaderStatus &) = default;
};

class ContactlessWorker;

class ContactlessReader : public QObject {
    Q_OBJECT
public:
    struct Settings {
        int pollMs = 500;        // SCardGetStatusChange timeout per round, so stop() is prompt
        int repeatHoldMs = 1500; // the same card (same reader, same UID) again within this: no new scan
        int retryMs = 3000;      // how often a missing pcscd is tried again
        // Scan::atMs and the repeat window; called on the I/O thread. Unset: the system clock (UTC ms).
        std::function<qint64()> nowMs;
    };

    explicit ContactlessReader(QObject *parent = nullptr);
    explicit ContactlessReader(Settings settings, QObject *parent = nullptr);
    ~ContactlessReader() override; // stop → wait → delete

    // Starts the I/O thread (which connects to pcscd, retrying while it is down). False only if
    // the thread cannot start at all. True (and nothing done) if already running.
    [[nodiscard]] bool start();
    // Stops the I/O thread; returns within about Settings::pollMs (at once, as a rule: the wait is
    // cancelled). The readers are then listed as one row "no reader"; statusChanged() is not
    // emitted for that, and nothing the thread queued before is delivered after stop().
    void stop();
    bool isRunning() const;

    // A snapshot of every reader pcscd knows (in its order); one row with an empty reader name
    // when there is none, or when pcscd is down. Thread-safe.
    QList<ContactlessReaderStatus> readers() const;

Q_SIGNALS:
    // A card was put on a reader: Scan{Source::Contactless, symbology "uid", payload = the UID as
    // upper-case hex, e.g. "04A1B2C3D4E5F6"}. A contactless PAYMENT card (it answers SELECT of the
    // PPSE "2PAY.SYS.DDF01" with 90 00) gives Scan{Source::Contactless, symbology "emv", payload
    // empty}: nothing of the card beyond that is read, and no PAN ever leaves the reader code.
    void scanned(const setia::Scan &scan);
    // A reader's state or detail changed (also: a reader appeared, or went away as NoReader).
    void statusChanged(const setia::ContactlessReaderStatus &status);

private:
    friend class ContactlessWorker;
    void publish(const QList<ContactlessReaderStatus> &rows); // from the I/O thread

    Settings m_settings;
    std::unique_ptr<ContactlessWorker> m_worker;
    mutable QMutex m_mutex;
    QList<ContactlessReaderStatus> m_rows; // guarded by m_mutex
    quint64 m_generation = 0;              // GUI thread only: one per start(), see stop()
};

} // namespace setia

Q_DECLARE_METATYPE(setia::ContactlessReaderStatus)
