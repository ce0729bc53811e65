#include "contactlessreader.h"

#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>

#include <QDateTime>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QThread>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string.h> // explicit_bzero
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcContactless, "setia.drivers.contactless", QtInfoMsg)

namespace setia {

QString contactlessStateName(ContactlessState state)
{
    switch (state) {
    case ContactlessState::Ready: return u"ready"_s;
    case ContactlessState::NoReader: return u"no-reader"_s;
    case ContactlessState::ServiceDown: return u"service-down"_s;
    case ContactlessState::Failed: return u"failed"_s;
    }
    return {};
}

namespace {

constexpr char kPnpReader[] = "\\\\?PnP?\\Notification";
constexpr int kMaxListAttempts = 3;
constexpr int kQuickRoundMs = 5;  // a wait that returned faster than this with nothing new...
constexpr int kQuickRoundPauseMs = 50; // ...is followed by this pause: never a busy loop

// SELECT by name of the Proximity Payment System Environment (EMV Book B): only a payment card has it.
constexpr std::array<BYTE, 20> kSelectPpse{0x00, 0xA4, 0x04, 0x00, 0x0E, '2', 'P', 'A', 'Y', '.', 'S',
                                           'Y',  'S',  '.',  'D',  'D',  'F', '0', '1', 0x00};
// PC/SC part 3 GET DATA: the card's UID (the reader answers it, whatever the card is).
constexpr std::array<BYTE, 5> kGetUid{0xFF, 0xCA, 0x00, 0x00, 0x00};

QString pcscError(LONG rv)
{
    return u"%1 (0x%2)"_s.arg(QString::fromLatin1(pcsc_stringify_error(rv))).arg(quint32(rv), 8, 16, QLatin1Char('0'));
}

bool serviceGone(LONG rv)
{
    return rv == SCARD_E_NO_SERVICE || rv == SCARD_E_SERVICE_STOPPED || rv == SCARD_E_INVALID_HANDLE
        || rv == SCARD_F_COMM_ERROR;
}

bool cardGone(LONG rv)
{
    return rv == SCARD_W_REMOVED_CARD || rv == SCARD_E_NO_SMARTCARD;
}

QString serviceDownDetail(LONG rv, int retryMs)
{
    return u"The smart-card service pcscd is not running (%1). Install and start it: "
           u"'sudo apt install pcscd', then 'sudo systemctl enable --now pcscd.socket'. "
           u"Setia tries again every %2 s."_s.arg(pcscError(rv))
        .arg(qMax(1, (retryMs + 999) / 1000));
}

QString noReaderDetail()
{
    return u"No contactless card reader is connected. Plug in a PC/SC reader (ACR122U, ACR1252U, "
           u"Identiv, HID Omnikey; docs/hardware.md)."_s;
}

QString swText(BYTE sw1, BYTE sw2)
{
    return u"%1 %2"_s.arg(sw1, 2, 16, QLatin1Char('0')).arg(sw2, 2, 16, QLatin1Char('0')).toUpper();
}

// A response APDU, wiped when it goes out of scope: what a card answered (the FCI of a payment
// card among it) never stays in memory.
struct Response {
    std::array<BYTE, 262> bytes{};
    DWORD length = 0;
    Response() = default;
    Response(const Response &) = delete;
    Response &operator=(const Response &) = delete;
    ~Response() { wipe(); }
    void wipe()
    {
        explicit_bzero(bytes.data(), bytes.size());
        length = 0;
    }
    bool hasSw() const { return length >= 2; }
    BYTE sw1() const { return bytes[length - 2]; }
    BYTE sw2() const { return bytes[length - 1]; }
    DWORD dataLength() const { return hasSw() ? length - 2 : 0; }
};

} // namespace

// The I/O thread: one PC/SC context, every reader watched with SCardGetStatusChange.
class ContactlessWorker : public QThread {
public:
    ContactlessWorker(ContactlessReader *owner, ContactlessReader::Settings settings, quint64 generation)
        : m_owner(owner), m_settings(std::move(settings)), m_generation(generation)
    {
        setObjectName(u"setia-contactless"_s);
        if (!m_settings.nowMs)
            m_settings.nowMs = [] { return QDateTime::currentMSecsSinceEpoch(); };
        m_settings.pollMs = qMax(10, m_settings.pollMs);
        m_settings.retryMs = qMax(50, m_settings.retryMs);
    }
    ~ContactlessWorker() override
    {
        requestStop();
        wait();
    }

    void requestStop()
    {
        {
            std::lock_guard lock(m_waitMutex);
            m_stop = true;
        }
        m_wake.notify_all();
        std::lock_guard lock(m_ctxMutex);
        if (m_haveCtx)
            SCardCancel(m_ctx); // ends a running SCardGetStatusChange at once
    }

protected:
    void run() override;

private:
    struct Entry {
        QByteArray name;
        DWORD currentState = SCARD_STATE_UNAWARE;
        bool present = false;
        DWORD eventCount = 0;
        ContactlessReaderStatus status;
        QString lastSymbology;
        QByteArray lastPayload;
        qint64 lastScanMs = 0;
        bool scannedBefore = false;
    };
    enum class Read { Scanned, Gone, Failed };

    bool stopping() const { return m_stop.load(); }
    void waitForStop(int ms)
    {
        std::unique_lock lock(m_waitMutex);
        m_wake.wait_for(lock, std::chrono::milliseconds(ms), [this] { return m_stop.load(); });
    }
    bool establish();
    void release();
    LONG listReaders(QList<QByteArray> &names);
    void syncReaders(const QList<QByteArray> &names);
    bool waitRound();
    void handleEvent(Entry &entry, DWORD eventState);
    void readCard(Entry &entry);
    Read classify(Entry &entry, SCARDHANDLE card, DWORD protocol);
    LONG transmit(SCARDHANDLE card, DWORD protocol, const BYTE *apdu, DWORD length, Response &response);
    void emitScan(Entry &entry, const QString &symbology, const QByteArray &payload);
    void setEntryStatus(Entry &entry, ContactlessState state, const QString &detail);
    void setServiceState(ContactlessState state, const QString &detail);
    void publish();

    ContactlessReader *const m_owner;
    ContactlessReader::Settings m_settings;
    const quint64 m_generation; // signals queued by an earlier run are dropped after stop()

    std::mutex m_waitMutex;
    std::condition_variable m_wake;
    std::atomic<bool> m_stop{false};

    std::mutex m_ctxMutex; // guards m_ctx / m_haveCtx against SCardCancel from requestStop()
    SCARDCONTEXT m_ctx = 0;
    bool m_haveCtx = false;

    std::vector<Entry> m_entries;
    DWORD m_pnpState = SCARD_STATE_UNAWARE;
    bool m_serviceUp = false;
    ContactlessReaderStatus m_serviceRow; // the row shown when there are no readers
    QList<ContactlessReaderStatus> m_published;
    LONG m_lastLoggedError = SCARD_S_SUCCESS;
};

void ContactlessWorker::run()
{
    m_serviceRow = {QString(), ContactlessState::NoReader, noReaderDetail()};
    while (!stopping()) {
        if (!m_haveCtx && !establish()) {
            waitForStop(m_settings.retryMs);
            continue;
        }
        QList<QByteArray> names;
        const LONG rv = listReaders(names);
        if (rv != SCARD_S_SUCCESS) {
            if (m_lastLoggedError != rv)
                qCWarning(lcContactless, "listing the readers failed: %s", pcsc_stringify_error(rv));
            m_lastLoggedError = rv;
            release();
            const bool down = serviceGone(rv);
            m_entries.clear();
            setServiceState(down ? ContactlessState::ServiceDown : ContactlessState::Failed,
                            down ? serviceDownDetail(rv, m_settings.retryMs)
                                 : u"The smart-card service cannot list the readers: %1."_s.arg(pcscError(rv)));
            waitForStop(m_settings.retryMs);
            continue;
        }
        syncReaders(names);
        if (!waitRound())
            waitForStop(kQuickRoundPauseMs);
    }
    release();
}

bool ContactlessWorker::establish()
{
    SCARDCONTEXT ctx = 0;
    const LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &ctx);
    if (rv != SCARD_S_SUCCESS) {
        if (m_lastLoggedError != rv)
            qCWarning(lcContactless, "no PC/SC context: %s", pcsc_stringify_error(rv));
        m_lastLoggedError = rv;
        m_entries.clear();
        if (rv == SCARD_E_NO_SERVICE || rv == SCARD_E_SERVICE_STOPPED)
            setServiceState(ContactlessState::ServiceDown, serviceDownDetail(rv, m_settings.retryMs));
        else
            setServiceState(ContactlessState::Failed,
                            u"The smart-card service cannot be used: %1. Restart pcscd "
                            u"('sudo systemctl restart pcscd')."_s.arg(pcscError(rv)));
        return false;
    }
    {
        std::lock_guard lock(m_ctxMutex);
        m_ctx = ctx;
        m_haveCtx = true;
    }
    if (stopping()) // a stop request that came before the context existed could not cancel it
        SCardCancel(ctx);
    if (m_lastLoggedError != SCARD_S_SUCCESS)
        qCInfo(lcContactless, "connected to pcscd");
    m_lastLoggedError = SCARD_S_SUCCESS;
    m_pnpState = SCARD_STATE_UNAWARE;
    m_serviceRow = {QString(), ContactlessState::NoReader, noReaderDetail()};
    return true;
}

void ContactlessWorker::release()
{
    std::lock_guard lock(m_ctxMutex);
    if (m_haveCtx)
        SCardReleaseContext(m_ctx);
    m_haveCtx = false;
    m_ctx = 0;
}

LONG ContactlessWorker::listReaders(QList<QByteArray> &names)
{
    names.clear();
    for (int attempt = 0; attempt < kMaxListAttempts; ++attempt) {
        DWORD size = 0;
        LONG rv = SCardListReaders(m_ctx, nullptr, nullptr, &size);
        if (rv == SCARD_E_NO_READERS_AVAILABLE)
            return SCARD_S_SUCCESS;
        if (rv != SCARD_S_SUCCESS)
            return rv;
        QByteArray buffer(int(size), '\0');
        rv = SCardListReaders(m_ctx, nullptr, buffer.data(), &size);
        if (rv == SCARD_E_NO_READERS_AVAILABLE)
            return SCARD_S_SUCCESS;
        if (rv == SCARD_E_INSUFFICIENT_BUFFER)
            continue; // a reader arrived between the two calls
        if (rv != SCARD_S_SUCCESS)
            return rv;
        // A multi-string: names separated by NUL, ended by an empty one.
        const char *p = buffer.constData();
        const char *end = p + qMin<qsizetype>(size, buffer.size());
        while (p < end && *p) {
            const qsizetype n = qstrnlen(p, end - p);
            names << QByteArray(p, n);
            p += n + 1;
        }
        return SCARD_S_SUCCESS;
    }
    return SCARD_E_INSUFFICIENT_BUFFER;
}

void ContactlessWorker::syncReaders(const QList<QByteArray> &names)
{
    for (const Entry &old : m_entries)
        if (!names.contains(old.name))
            qCInfo(lcContactless, "reader \"%s\" went away", old.name.constData());
    std::vector<Entry> next;
    next.reserve(size_t(names.size()));
    for (const QByteArray &name : names) {
        auto it = std::find_if(m_entries.begin(), m_entries.end(), [&](const Entry &e) { return e.name == name; });
        if (it != m_entries.end()) {
            next.push_back(std::move(*it));
        } else {
            Entry e;
            e.name = name;
            e.status = {QString::fromUtf8(name), ContactlessState::Ready, QString()};
            qCInfo(lcContactless, "reader \"%s\" is there", name.constData());
            next.push_back(std::move(e));
        }
    }
    if (!m_serviceUp || next.size() != m_entries.size())
        qCDebug(lcContactless, "pcscd lists %d reader(s)", int(next.size()));
    m_entries = std::move(next);
    m_serviceUp = true;
    m_serviceRow = {QString(), ContactlessState::NoReader, noReaderDetail()};
    publish();
}

// One SCardGetStatusChange round. False when it returned at once with nothing to do (the
// caller pauses then, so a misbehaving service never makes this a busy loop).
bool ContactlessWorker::waitRound()
{
    std::vector<SCARD_READERSTATE> states(m_entries.size() + 1);
    states[0].szReader = kPnpReader;
    states[0].dwCurrentState = m_pnpState;
    for (size_t i = 0; i < m_entries.size(); ++i) {
        states[i + 1].szReader = m_entries[i].name.constData();
        states[i + 1].dwCurrentState = m_entries[i].currentState;
    }
    QElapsedTimer timer;
    timer.start();
    const LONG rv = SCardGetStatusChange(m_ctx, DWORD(m_settings.pollMs), states.data(), DWORD(states.size()));
    const bool quick = timer.elapsed() < kQuickRoundMs;
    if (rv == SCARD_E_TIMEOUT || rv == SCARD_E_CANCELLED)
        return true;
    if (rv == SCARD_E_UNKNOWN_READER)
        return !quick; // a reader went away between listing and waiting: list again
    if (rv != SCARD_S_SUCCESS) {
        if (m_lastLoggedError != rv)
            qCWarning(lcContactless, "waiting for cards failed: %s", pcsc_stringify_error(rv));
        m_lastLoggedError = rv;
        release();
        m_entries.clear();
        if (serviceGone(rv)) {
            setServiceState(ContactlessState::ServiceDown, serviceDownDetail(rv, m_settings.retryMs));
            return true; // establish() waits retryMs if the service stays down
        }
        setServiceState(ContactlessState::Failed,
                        u"The smart-card service stopped answering: %1. Setia tries again."_s.arg(pcscError(rv)));
        waitForStop(m_settings.retryMs);
        return true;
    }
    bool changed = false;
    if (states[0].dwEventState & SCARD_STATE_CHANGED) {
        m_pnpState = states[0].dwEventState & ~DWORD(SCARD_STATE_CHANGED);
        changed = true; // the reader list changed: the next round lists it again
    }
    for (size_t i = 0; i < m_entries.size() && !stopping(); ++i) {
        const DWORD ev = states[i + 1].dwEventState;
        if (!(ev & SCARD_STATE_CHANGED))
            continue;
        changed = true;
        m_entries[i].currentState = ev & ~DWORD(SCARD_STATE_CHANGED);
        handleEvent(m_entries[i], ev);
    }
    return changed || !quick;
}

void ContactlessWorker::handleEvent(Entry &entry, DWORD ev)
{
    const DWORD count = ev >> 16; // pcsc-lite counts insertions and removals in the high word
    if (!(ev & SCARD_STATE_PRESENT)) {
        if (entry.present)
            qCDebug(lcContactless, "%s: card removed", entry.name.constData());
        entry.present = false;
        entry.eventCount = count;
        return;
    }
    if (entry.present && count == entry.eventCount)
        return; // the same card still there; only "in use" or similar changed
    entry.present = true;
    entry.eventCount = count;
    if (ev & SCARD_STATE_MUTE) {
        setEntryStatus(entry, ContactlessState::Ready,
                       u"The card on the reader does not answer. Take it away and hold it flat on the reader again."_s);
        return;
    }
    readCard(entry);
}

void ContactlessWorker::readCard(Entry &entry)
{
    SCARDHANDLE card = 0;
    DWORD protocol = 0;
    const LONG rv = SCardConnect(m_ctx, entry.name.constData(), SCARD_SHARE_SHARED,
                                 SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol);
    if (rv != SCARD_S_SUCCESS) {
        qCDebug(lcContactless, "%s: connecting to the card failed: %s", entry.name.constData(), pcsc_stringify_error(rv));
        if (cardGone(rv))
            return; // taken away at once: nothing to tell
        if (rv == SCARD_E_SHARING_VIOLATION)
            setEntryStatus(entry, ContactlessState::Failed,
                           u"Another program holds the reader for itself. Close it (or restart pcscd) and put the "
                           u"card on the reader again."_s);
        else if (rv == SCARD_W_UNRESPONSIVE_CARD || rv == SCARD_W_UNPOWERED_CARD || rv == SCARD_E_PROTO_MISMATCH
                 || rv == SCARD_W_UNSUPPORTED_CARD)
            setEntryStatus(entry, ContactlessState::Ready,
                           u"This card cannot be read by the reader: %1. Use another card."_s.arg(pcscError(rv)));
        else
            setEntryStatus(entry, ContactlessState::Ready,
                           u"The card could not be read: %1. Put it on the reader again."_s.arg(pcscError(rv)));
        return;
    }
    const Read result = classify(entry, card, protocol);
    if (const LONG drv = SCardDisconnect(card, SCARD_LEAVE_CARD); drv != SCARD_S_SUCCESS)
        qCDebug(lcContactless, "%s: disconnecting failed: %s", entry.name.constData(), pcsc_stringify_error(drv));
    if (result == Read::Gone)
        entry.present = false; // so that the card, put back, is read again
}

LONG ContactlessWorker::transmit(SCARDHANDLE card, DWORD protocol, const BYTE *apdu, DWORD length, Response &response)
{
    response.wipe();
    DWORD received = DWORD(response.bytes.size());
    const SCARD_IO_REQUEST *pci = protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    const LONG rv = SCardTransmit(card, pci, apdu, length, nullptr, response.bytes.data(), &received);
    response.length = rv == SCARD_S_SUCCESS ? qMin<DWORD>(received, DWORD(response.bytes.size())) : 0;
    return rv;
}

ContactlessWorker::Read ContactlessWorker::classify(Entry &entry, SCARDHANDLE card, DWORD protocol)
{
    const char *reader = entry.name.constData();
    Response response;
    // 1. Is it a payment card? Only the status word of the answer is looked at; the answer
    //    itself (the FCI) is wiped unread.
    LONG rv = transmit(card, protocol, kSelectPpse.data(), DWORD(kSelectPpse.size()), response);
    if (cardGone(rv))
        return Read::Gone;
    if (rv == SCARD_S_SUCCESS && response.hasSw()
        && ((response.sw1() == 0x90 && response.sw2() == 0x00) || response.sw1() == 0x61)) {
        response.wipe();
        qCInfo(lcContactless, "%s: a contactless payment card: refused, nothing read from it", reader);
        setEntryStatus(entry, ContactlessState::Ready, QString());
        emitScan(entry, u"emv"_s, QByteArray());
        return Read::Scanned;
    }
    if (rv == SCARD_W_RESET_CARD) {
        DWORD active = 0;
        rv = SCardReconnect(card, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_LEAVE_CARD, &active);
        if (rv == SCARD_S_SUCCESS)
            protocol = active;
    } else if (rv != SCARD_S_SUCCESS) {
        // Some readers refuse an ISO 7816-4 command to a memory card outright; GET DATA is
        // answered by the reader itself, so it is still worth asking.
        qCDebug(lcContactless, "%s: SELECT PPSE failed: %s", reader, pcsc_stringify_error(rv));
    }
    response.wipe();

    // 2. Not a payment card: its UID.
    rv = transmit(card, protocol, kGetUid.data(), DWORD(kGetUid.size()), response);
    if (cardGone(rv))
        return Read::Gone;
    if (rv != SCARD_S_SUCCESS) {
        qCWarning(lcContactless, "%s: GET DATA (UID) failed: %s", reader, pcsc_stringify_error(rv));
        setEntryStatus(entry, ContactlessState::Ready,
                       u"The card's UID could not be read: %1. Put the card on the reader again."_s.arg(pcscError(rv)));
        return Read::Failed;
    }
    if (!response.hasSw()) {
        setEntryStatus(entry, ContactlessState::Ready,
                       u"The reader gave no answer to the UID request. Put the card on the reader again."_s);
        return Read::Failed;
    }
    const BYTE sw1 = response.sw1();
    const BYTE sw2 = response.sw2();
    const DWORD uidLength = response.dataLength();
    if (sw1 == 0x90 && sw2 == 0x00 && uidLength >= 1 && uidLength <= 16) {
        const QByteArray uid = QByteArray(reinterpret_cast<const char *>(response.bytes.data()), qsizetype(uidLength)).toHex().toUpper();
        response.wipe();
        qCDebug(lcContactless, "%s: card with a %u-byte UID", reader, unsigned(uidLength));
        setEntryStatus(entry, ContactlessState::Ready, QString());
        emitScan(entry, u"uid"_s, uid);
        return Read::Scanned;
    }
    response.wipe();
    QString detail;
    if (sw1 == 0x6A && sw2 == 0x81)
        detail = u"The reader cannot read this card's UID (it answered 6A 81: not supported). This card cannot be "
                 u"used as a member card."_s;
    else if (sw1 == 0x63 && sw2 == 0x00)
        detail = u"The card's UID could not be read (the reader answered 63 00). Hold the card still on the reader "
                 u"and try again."_s;
    else if (sw1 == 0x90 && sw2 == 0x00)
        detail = u"The reader sent a UID of %1 bytes, which is not a card UID. Try the card again."_s.arg(uidLength);
    else
        detail = u"The card's UID could not be read (the reader answered %1). This card cannot be used as a member "
                 u"card."_s.arg(swText(sw1, sw2));
    qCWarning(lcContactless, "%s: no UID: GET DATA answered %s", reader, qPrintable(swText(sw1, sw2)));
    setEntryStatus(entry, ContactlessState::Ready, detail);
    return Read::Failed;
}

void ContactlessWorker::emitScan(Entry &entry, const QString &symbology, const QByteArray &payload)
{
    const qint64 now = m_settings.nowMs();
    if (entry.scannedBefore && entry.lastSymbology == symbology && entry.lastPayload == payload
        && now - entry.lastScanMs < m_settings.repeatHoldMs) {
        qCDebug(lcContactless, "%s: the same card again within %d ms: not a new scan", entry.name.constData(),
                m_settings.repeatHoldMs);
        return;
    }
    entry.scannedBefore = true;
    entry.lastSymbology = symbology;
    entry.lastPayload = payload;
    entry.lastScanMs = now;
    Scan scan;
    scan.source = Scan::Source::Contactless;
    scan.symbology = symbology;
    scan.payload = payload;
    scan.atMs = now;
    ContactlessReader *owner = m_owner;
    const quint64 generation = m_generation;
    QMetaObject::invokeMethod(
        owner,
        [owner, scan, generation] {
            if (owner->m_generation == generation)
                Q_EMIT owner->scanned(scan);
        },
        Qt::QueuedConnection);
}

void ContactlessWorker::setEntryStatus(Entry &entry, ContactlessState state, const QString &detail)
{
    entry.status.state = state;
    entry.status.detail = detail;
    publish();
}

void ContactlessWorker::setServiceState(ContactlessState state, const QString &detail)
{
    m_serviceUp = false;
    m_serviceRow = {QString(), state, detail};
    publish();
}

void ContactlessWorker::publish()
{
    QList<ContactlessReaderStatus> rows;
    for (const Entry &e : m_entries)
        rows << e.status;
    if (rows.isEmpty())
        rows << m_serviceRow;
    QList<ContactlessReaderStatus> changes;
    for (const ContactlessReaderStatus &row : rows) {
        auto it = std::find_if(m_published.cbegin(), m_published.cend(),
                               [&](const ContactlessReaderStatus &p) { return p.reader == row.reader; });
        if (it == m_published.cend() || *it != row)
            changes << row;
    }
    for (const ContactlessReaderStatus &old : std::as_const(m_published)) {
        const bool still = std::any_of(rows.cbegin(), rows.cend(),
                                       [&](const ContactlessReaderStatus &r) { return r.reader == old.reader; });
        if (!still && !old.reader.isEmpty())
            changes.prepend({old.reader, ContactlessState::NoReader, u"The reader was unplugged."_s});
    }
    m_published = rows;
    m_owner->publish(rows);
    if (changes.isEmpty())
        return;
    ContactlessReader *owner = m_owner;
    const quint64 generation = m_generation;
    QMetaObject::invokeMethod(
        owner,
        [owner, changes, generation] {
            if (owner->m_generation != generation)
                return;
            for (const ContactlessReaderStatus &s : changes)
                Q_EMIT owner->statusChanged(s);
        },
        Qt::QueuedConnection);
}

// ---------------------------------------------------------------------------------------------

ContactlessReader::ContactlessReader(QObject *parent) : ContactlessReader(Settings{}, parent) {}

ContactlessReader::ContactlessReader(Settings settings, QObject *parent)
    : QObject(parent), m_settings(std::move(settings))
{
    qRegisterMetaType<setia::Scan>();
    qRegisterMetaType<setia::ContactlessReaderStatus>();
    m_rows = {ContactlessReaderStatus{QString(), ContactlessState::NoReader, noReaderDetail()}};
}

ContactlessReader::~ContactlessReader()
{
    stop();
}

bool ContactlessReader::start()
{
    if (m_worker)
        return true;
    m_worker = std::make_unique<ContactlessWorker>(this, m_settings, m_generation);
    m_worker->start();
    if (!m_worker->isRunning() && !m_worker->isFinished()) {
        qCWarning(lcContactless, "the contactless I/O thread cannot start");
        m_worker.reset();
        return false;
    }
    return true;
}

void ContactlessReader::stop()
{
    if (!m_worker)
        return;
    m_worker->requestStop();
    m_worker->wait();
    m_worker.reset();
    ++m_generation; // what the stopped thread queued is not delivered any more
    QMutexLocker lock(&m_mutex);
    m_rows = {ContactlessReaderStatus{QString(), ContactlessState::NoReader, noReaderDetail()}};
}

bool ContactlessReader::isRunning() const
{
    return m_worker != nullptr;
}

QList<ContactlessReaderStatus> ContactlessReader::readers() const
{
    QMutexLocker lock(&m_mutex);
    return m_rows;
}

void ContactlessReader::publish(const QList<ContactlessReaderStatus> &rows)
{
    QMutexLocker lock(&m_mutex);
    m_rows = rows;
}

} // namespace setia
