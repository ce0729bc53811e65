// ContactlessReader against the REAL pcsc-lite stack, no mocks: the test runs its own pcscd
// (Debian's /usr/sbin/pcscd) with the virtual reader driver vpcd (vsmartcard-vpcd's
// libifdvpcd.so), and plays the virtual CARDS itself, over vpcd's TCP protocol.
//
// Isolation: pcscd runs in its own mount and network namespaces (unshare -m -n; CI runs as
// root). Its /run/pcscd is a folder of this test (pcscd 1.9.9 always serves
// /run/pcscd/pcscd.comm and ignores PCSCLITE_CSOCK_NAME; the client library honours it), so a
// system pcscd, its readers and its clients are never touched; vpcd's card port (it listens on
// every interface) exists only inside that network namespace, where only loopback is up. The
// cards connect to it from a thread that joined that namespace (setns). Its reader.conf.d is a
// folder of this test too (pcscd --config).
//
// Without pcscd, libifdvpcd.so or the namespaces, the tests that need pcscd are skipped and the
// executable exits 77 (CTest: skipped), after the tests that need no pcscd have run.
#include "drivers/contactlessreader.h"

#include <PCSC/winscard.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QMutex>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <csignal>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>

using namespace Qt::StringLiterals;
using setia::ContactlessReader;
using setia::ContactlessReaderStatus;
using setia::ContactlessState;

namespace {

const QString kPcscd = u"/usr/sbin/pcscd"_s;
const QString kVpcd = u"/usr/lib/pcsc/drivers/serial/libifdvpcd.so"_s;
constexpr quint16 kPort = 0x8C7B; // vpcd's own default; free inside the test's network namespace
const QByteArray kReaderName = "Setia Virtual PCD 00 00";
constexpr int kWaitMs = 6000;       // every wait for pcscd or a card
constexpr int kProcessMs = 3000;    // pcscd start and stop

// The base folder: the client socket path (PCSCLITE_CSOCK_NAME) is fixed for the whole process
// (libpcsclite reads it once), so it is made in main() before anything talks PC/SC.
QTemporaryDir *gBase = nullptr;
QString runDir() { return gBase->filePath(u"run"_s); }
QString confDir() { return gBase->filePath(u"reader.conf.d"_s); }
QString socketPath() { return runDir() + u"/pcscd.comm"_s; }

// Everything the code under test logs, from any thread.
QMutex gLogMutex;
QStringList gLog;
QtMessageHandler gPreviousHandler = nullptr;
void captureMessages(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&gLogMutex);
        gLog << QString::fromLatin1(context.category ? context.category : "") + u": "_s + message;
    }
    if (gPreviousHandler)
        gPreviousHandler(type, context, message);
}
QString allLogs()
{
    QMutexLocker lock(&gLogMutex);
    return gLog.join(u'\n');
}
int countLogs(const QString &needle)
{
    QMutexLocker lock(&gLogMutex);
    int n = 0;
    for (const QString &line : std::as_const(gLog))
        n += line.contains(needle) ? 1 : 0;
    return n;
}

qint64 cpuMs()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return qint64(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

bool luhnValid(const QByteArray &digits)
{
    int sum = 0;
    for (qsizetype i = 0; i < digits.size(); ++i) {
        int d = digits.at(digits.size() - 1 - i) - '0';
        if (i % 2 == 1)
            d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
    }
    return !digits.isEmpty() && sum % 10 == 0;
}

// ---------------------------------------------------------------------------------------------
// Our own pcscd, in its own mount and network namespaces.
class Pcscd {
public:
    ~Pcscd() { stop(); }

    // Starts pcscd (again, unless it already runs with this configuration).
    bool start(bool withReader)
    {
        if (running() && m_withReader == withReader)
            return true;
        stop();
        m_withReader = withReader;
        QDir().mkpath(runDir());
        QDir(confDir()).removeRecursively();
        QDir().mkpath(confDir());
        if (withReader) {
            QFile conf(confDir() + u"/vpcd"_s);
            if (!conf.open(QIODevice::WriteOnly))
                return fail(u"cannot write "_s + conf.fileName());
            conf.write(QStringLiteral("FRIENDLYNAME \"Setia Virtual PCD\"\nDEVICENAME   /dev/null:0x%1\n"
                                      "LIBPATH      %2\nCHANNELID    0x%1\n")
                           .arg(kPort, 0, 16)
                           .arg(kVpcd)
                           .toUtf8());
        }
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        // pcscd ends with the test even if the test crashes.
        m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        // $1: the folder that becomes /run/pcscd, $2: reader.conf.d.
        const QString script = u"ip link set lo up && mount -t tmpfs setia-test /run && mkdir /run/pcscd && "
                               u"mount --bind \"$1\" /run/pcscd && exec \"$3\" --foreground --debug --config \"$2\""_s;
        m_process->start(u"unshare"_s, {u"--mount"_s, u"--net"_s, u"--"_s, u"/bin/sh"_s, u"-c"_s, script, u"sh"_s,
                                        runDir(), confDir(), kPcscd});
        if (!m_process->waitForStarted(kProcessMs))
            return fail(u"unshare did not start: "_s + m_process->errorString());
        // Ready when a client can connect and (with a reader) pcscd lists it.
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < kWaitMs) {
            if (m_process->state() != QProcess::Running)
                return fail(u"pcscd ended: "_s + QString::fromLocal8Bit(m_process->readAll()));
            if (QFile::exists(socketPath()) && readerListed() == (withReader ? 1 : 0))
                return true;
            QTest::qWait(20);
        }
        return fail(u"pcscd did not become ready: "_s + QString::fromLocal8Bit(m_process->readAll()));
    }

    void stop()
    {
        if (!m_process)
            return;
        if (m_process->state() != QProcess::NotRunning) {
            m_process->terminate();
            if (!m_process->waitForFinished(kProcessMs)) {
                m_process->kill();
                m_process->waitForFinished(kProcessMs);
            }
        }
        m_output += QString::fromLocal8Bit(m_process->readAll());
        m_process.reset();
    }

    bool running() const { return m_process && m_process->state() == QProcess::Running; }
    qint64 pid() const { return m_process ? m_process->processId() : 0; }
    QString error() const { return m_error; }
    QString output()
    {
        if (m_process)
            m_output += QString::fromLocal8Bit(m_process->readAll());
        return m_output;
    }

    // Whether pcscd answers and lists the virtual reader (through the real client library):
    // -1 no answer, 0 answers without the reader, 1 lists it.
    static int readerListed()
    {
        SCARDCONTEXT ctx = 0;
        if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &ctx) != SCARD_S_SUCCESS)
            return -1;
        char names[1024] = {};
        DWORD size = sizeof names;
        const LONG rv = SCardListReaders(ctx, nullptr, names, &size);
        SCardReleaseContext(ctx);
        if (rv == SCARD_E_NO_READERS_AVAILABLE)
            return 0;
        return rv == SCARD_S_SUCCESS && QByteArray(names, int(size)).contains(kReaderName) ? 1 : -1;
    }

    // Waits (bounded) until pcscd sees a card on the virtual reader, or sees none.
    static bool waitCard(bool present)
    {
        SCARDCONTEXT ctx = 0;
        if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &ctx) != SCARD_S_SUCCESS)
            return false;
        SCARD_READERSTATE state{};
        state.szReader = kReaderName.constData();
        state.dwCurrentState = SCARD_STATE_UNAWARE;
        bool reached = false;
        QElapsedTimer t;
        t.start();
        while (!reached && t.elapsed() < kWaitMs) {
            const LONG rv = SCardGetStatusChange(ctx, 200, &state, 1);
            if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT)
                break;
            state.dwCurrentState = state.dwEventState & ~DWORD(SCARD_STATE_CHANGED);
            reached = bool(state.dwEventState & SCARD_STATE_PRESENT) == present;
            QCoreApplication::processEvents(); // the cards answer pcscd from this thread's event loop
            QTest::qWait(5);
        }
        SCardReleaseContext(ctx);
        return reached;
    }

private:
    bool fail(const QString &why)
    {
        m_error = why;
        stop();
        return false;
    }

    std::unique_ptr<QProcess> m_process;
    bool m_withReader = false;
    QString m_error;
    QString m_output;
};

// ---------------------------------------------------------------------------------------------
// A virtual card: a TCP client of vpcd (2-byte big-endian length, then the payload; a 1-byte
// payload is a control: 0 power off, 1 power on, 2 reset, 4 "your ATR?"; longer ones are APDUs,
// answered by the response APDU).
class VirtualCard : public QObject {
public:
    struct Spec {
        QByteArray atr;
        QByteArray ppseAnswer;    // to SELECT "2PAY.SYS.DDF01"
        QByteArray getDataAnswer; // to FF CA 00 00 00
    };

    explicit VirtualCard(Spec spec) : m_spec(std::move(spec))
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, this, [this] { onData(); });
    }

    // Puts the card on the reader: connects to vpcd inside pcscd's network namespace.
    bool put(qint64 pcscdPid)
    {
        const int ns = ::open(qPrintable(u"/proc/%1/ns/net"_s.arg(pcscdPid)), O_RDONLY | O_CLOEXEC);
        if (ns < 0)
            return false;
        int fd = -1;
        std::thread joiner([&] {
            // Only this helper thread joins the namespace; the socket stays in it afterwards.
            if (setns(ns, CLONE_NEWNET) != 0)
                return;
            const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (s < 0)
                return;
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_port = htons(kPort);
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (::connect(s, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) != 0) {
                ::close(s);
                return;
            }
            fd = s;
        });
        joiner.join();
        ::close(ns);
        if (fd < 0)
            return false;
        m_buffer.clear();
        return m_socket.setSocketDescriptor(fd, QAbstractSocket::ConnectedState, QIODevice::ReadWrite);
    }
    // Takes the card away: the connection closes.
    void take()
    {
        m_socket.abort();
    }

    QList<QByteArray> apdus; // every command APDU the card got, in order

private:
    void onData()
    {
        m_buffer += m_socket.readAll();
        while (m_buffer.size() >= 2) {
            const int length = (quint8(m_buffer.at(0)) << 8) | quint8(m_buffer.at(1));
            if (m_buffer.size() < 2 + length)
                return;
            const QByteArray message = m_buffer.mid(2, length);
            m_buffer.remove(0, 2 + length);
            if (message.size() == 1) {
                if (message.at(0) == 0x04)
                    send(m_spec.atr);
                continue; // power off / on / reset need no answer
            }
            apdus << message;
            send(answer(message));
        }
    }
    QByteArray answer(const QByteArray &apdu) const
    {
        if (apdu.startsWith(QByteArray::fromHex("00A40400")) && apdu.contains("2PAY.SYS.DDF01"))
            return m_spec.ppseAnswer;
        if (apdu == QByteArray::fromHex("FFCA000000"))
            return m_spec.getDataAnswer;
        return QByteArray::fromHex("6D00");
    }
    void send(const QByteArray &payload)
    {
        QByteArray frame;
        frame.append(char(payload.size() >> 8)).append(char(payload.size() & 0xFF)).append(payload);
        m_socket.write(frame);
        m_socket.flush();
    }

    Spec m_spec;
    QTcpSocket m_socket;
    QByteArray m_buffer;
};

// PC/SC part 3 ATRs, as contactless readers make them up.
const QByteArray kAtrUltralight = QByteArray::fromHex("3B8F8001804F0CA0000003060300030000000068");
const QByteArray kAtrIso14443_4 = QByteArray::fromHex("3B80800101");
// A PAN-looking tag 5A with Luhn-valid digits inside a payment card's PPSE FCI.
const QByteArray kFakePan = "4761739001010010";
QByteArray emvFci(const QByteArray &sw)
{
    const QByteArray entry = QByteArray::fromHex("4F07A0000000031010") + QByteArray::fromHex("870101")
        + QByteArray::fromHex("5A08") + QByteArray::fromHex(kFakePan);
    const QByteArray directory = QByteArray::fromHex("61") + char(entry.size()) + entry;
    const QByteArray bf0c = QByteArray::fromHex("BF0C") + char(directory.size()) + directory;
    const QByteArray a5 = QByteArray::fromHex("A5") + char(bf0c.size()) + bf0c;
    const QByteArray name = QByteArray::fromHex("840E") + "2PAY.SYS.DDF01";
    const QByteArray body = name + a5;
    return QByteArray::fromHex("6F") + char(body.size()) + body + sw;
}

// Records the reader's signals.
struct Recorder {
    QList<setia::Scan> scans;
    QList<ContactlessReaderStatus> statuses;
    explicit Recorder(ContactlessReader &r)
    {
        QObject::connect(&r, &ContactlessReader::scanned, &r, [this](const setia::Scan &s) { scans << s; });
        QObject::connect(&r, &ContactlessReader::statusChanged, &r,
                         [this](const ContactlessReaderStatus &s) { statuses << s; });
    }
    bool sawStatus(const QByteArray &reader, ContactlessState state, const QString &detailPart = {}) const
    {
        return std::any_of(statuses.cbegin(), statuses.cend(), [&](const ContactlessReaderStatus &s) {
            return s.reader == QString::fromUtf8(reader) && s.state == state && s.detail.contains(detailPart);
        });
    }
};

ContactlessReaderStatus rowFor(const ContactlessReader &r, const QByteArray &reader)
{
    for (const ContactlessReaderStatus &s : r.readers())
        if (s.reader == QString::fromUtf8(reader))
            return s;
    return {u"(absent)"_s, ContactlessState::Failed, {}};
}

} // namespace

class TestContactless : public QObject {
    Q_OBJECT
public:
    bool pcscdUsable = false;
    QString whyNot;

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void stateNames();
    void serviceDownThenUpThenDown();
    void cardOnReader_data();
    void cardOnReader();
    void heldCardIsOneScanAndNextCardsAreScanned();
    void noReaderIsNotAServiceFault();
    void stopIsPrompt();

private:
    bool needPcscd(bool withReader = true);
    Pcscd m_pcscd;
};

void TestContactless::initTestCase()
{
    gPreviousHandler = qInstallMessageHandler(captureMessages);
    QLoggingCategory::setFilterRules(u"setia.drivers.contactless.debug=true"_s);
}

void TestContactless::cleanup()
{
    if (QTest::currentTestFailed()) {
        std::fprintf(stderr, "--- pcscd output ---\n%s\n--- log ---\n%s\n", qPrintable(m_pcscd.output()),
                     qPrintable(allLogs()));
        m_pcscd.stop(); // a card may still be on the reader: the next test gets a fresh pcscd
    }
}

bool TestContactless::needPcscd(bool withReader)
{
    if (!pcscdUsable)
        return false;
    return m_pcscd.start(withReader);
}

void TestContactless::stateNames()
{
    QCOMPARE(setia::contactlessStateName(ContactlessState::Ready), u"ready"_s);
    QCOMPARE(setia::contactlessStateName(ContactlessState::NoReader), u"no-reader"_s);
    QCOMPARE(setia::contactlessStateName(ContactlessState::ServiceDown), u"service-down"_s);
    QCOMPARE(setia::contactlessStateName(ContactlessState::Failed), u"failed"_s);
}

// No pcscd behind the socket: ServiceDown with a detail saying what to do, retried without a
// busy loop and logged once; then pcscd comes and the reader is found; then pcscd goes.
void TestContactless::serviceDownThenUpThenDown()
{
    m_pcscd.stop();
    QVERIFY(!QFile::exists(socketPath()));
    ContactlessReader::Settings settings;
    settings.retryMs = 250;
    ContactlessReader reader(settings);
    Recorder rec(reader);
    const int warningsBefore = countLogs(u"no PC/SC context"_s);
    QVERIFY(reader.start());
    QVERIFY(reader.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(rec.sawStatus({}, ContactlessState::ServiceDown), kWaitMs);
    const ContactlessReaderStatus down = rec.statuses.last();
    QVERIFY2(down.detail.contains(u"pcscd"_s) && down.detail.contains(u"apt install pcscd"_s), qPrintable(down.detail));
    QCOMPARE(reader.readers().size(), 1);
    QCOMPARE(reader.readers().first().reader, QString());
    QCOMPARE(reader.readers().first().state, ContactlessState::ServiceDown);

    // ~6 retries in 1.5 s: little CPU, one warning, one status.
    const qint64 cpuBefore = cpuMs();
    QTest::qWait(1500);
    const qint64 cpuUsed = cpuMs() - cpuBefore;
    QVERIFY2(cpuUsed < 300, qPrintable(u"%1 ms of CPU in 1.5 s while the service was down"_s.arg(cpuUsed)));
    QCOMPARE(countLogs(u"no PC/SC context"_s) - warningsBefore, 1);
    QCOMPARE(rec.statuses.size(), 1);

    if (!needPcscd())
        QSKIP(qPrintable(u"cannot run pcscd: "_s + (whyNot.isEmpty() ? m_pcscd.error() : whyNot)));
    QTRY_VERIFY_WITH_TIMEOUT(rec.sawStatus(kReaderName, ContactlessState::Ready), kWaitMs);
    QCOMPARE(rowFor(reader, kReaderName).state, ContactlessState::Ready);
    QVERIFY(!reader.readers().first().reader.isEmpty());

    rec.statuses.clear();
    m_pcscd.stop();
    QTRY_VERIFY_WITH_TIMEOUT(rec.sawStatus({}, ContactlessState::ServiceDown, u"pcscd"_s), kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(rec.sawStatus(kReaderName, ContactlessState::NoReader), kWaitMs); // its row went away
    QCOMPARE(reader.readers().size(), 1);
    QCOMPARE(reader.readers().first().state, ContactlessState::ServiceDown);
    reader.stop();
    QVERIFY(!reader.isRunning());
}

void TestContactless::cardOnReader_data()
{
    QTest::addColumn<QByteArray>("atr");
    QTest::addColumn<QByteArray>("ppseAnswer");
    QTest::addColumn<QByteArray>("getDataAnswer");
    QTest::addColumn<QString>("symbology"); // empty: no scan
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("detailPart"); // empty: the detail must be empty
    QTest::addColumn<int>("apduCount");      // how many commands the card may get

    const QByteArray notFound = QByteArray::fromHex("6A82");
    QTest::newRow("NTAG, 7-byte UID") << kAtrUltralight << notFound << QByteArray::fromHex("04A1B2C3D4E5F69000")
                                      << u"uid"_s << QByteArray("04A1B2C3D4E5F6") << QString() << 2;
    QTest::newRow("MIFARE Classic, 4-byte UID") << kAtrUltralight << notFound << QByteArray::fromHex("DEADBEEF9000")
                                                << u"uid"_s << QByteArray("DEADBEEF") << QString() << 2;
    QTest::newRow("ISO 14443-4 card without PPSE") << kAtrIso14443_4 << QByteArray::fromHex("6D00")
                                                   << QByteArray::fromHex("08123456" "9000") << u"uid"_s
                                                   << QByteArray("08123456") << QString() << 2;
    QTest::newRow("EMV payment card, 90 00") << kAtrIso14443_4 << emvFci(QByteArray::fromHex("9000"))
                                             << QByteArray::fromHex("0811223344" "9000") << u"emv"_s << QByteArray()
                                             << QString() << 1;
    QTest::newRow("EMV payment card, 61 xx") << kAtrIso14443_4 << QByteArray::fromHex("612C")
                                             << QByteArray::fromHex("08112233" "9000") << u"emv"_s << QByteArray()
                                             << QString() << 1;
    QTest::newRow("GET DATA not supported") << kAtrUltralight << notFound << QByteArray::fromHex("6A81") << QString()
                                            << QByteArray() << u"6A 81"_s << 2;
    QTest::newRow("GET DATA failed") << kAtrUltralight << notFound << QByteArray::fromHex("6300") << QString()
                                     << QByteArray() << u"63 00"_s << 2;
}

void TestContactless::cardOnReader()
{
    QFETCH(QByteArray, atr);
    QFETCH(QByteArray, ppseAnswer);
    QFETCH(QByteArray, getDataAnswer);
    QFETCH(QString, symbology);
    QFETCH(QByteArray, payload);
    QFETCH(QString, detailPart);
    QFETCH(int, apduCount);
    if (!needPcscd())
        QSKIP(qPrintable(u"cannot run pcscd: "_s + (whyNot.isEmpty() ? m_pcscd.error() : whyNot)));
    QVERIFY(luhnValid(kFakePan));
    {
        QMutexLocker lock(&gLogMutex);
        gLog.clear();
    }

    ContactlessReader reader;
    Recorder rec(reader);
    QVERIFY(reader.start());
    QTRY_VERIFY_WITH_TIMEOUT(rec.sawStatus(kReaderName, ContactlessState::Ready), kWaitMs);

    VirtualCard card({atr, ppseAnswer, getDataAnswer});
    QVERIFY(card.put(m_pcscd.pid()));
    if (!symbology.isEmpty()) {
        QTRY_VERIFY_WITH_TIMEOUT(!rec.scans.isEmpty(), kWaitMs);
        QTest::qWait(150); // time for a wrong second scan
        QCOMPARE(rec.scans.size(), 1);
        const setia::Scan scan = rec.scans.first();
        QCOMPARE(scan.source, setia::Scan::Source::Contactless);
        QCOMPARE(scan.symbology, symbology);
        QCOMPARE(scan.payload, payload);
        QVERIFY(scan.atMs > 0);
        QCOMPARE(rowFor(reader, kReaderName).detail, QString());
    } else {
        QTRY_VERIFY_WITH_TIMEOUT(rec.sawStatus(kReaderName, ContactlessState::Ready, detailPart), kWaitMs);
        QTest::qWait(150);
        QCOMPARE(rec.scans.size(), 0);
        const ContactlessReaderStatus row = rowFor(reader, kReaderName);
        QCOMPARE(row.state, ContactlessState::Ready); // the reader still works: only this card cannot be used
        QVERIFY2(row.detail.contains(detailPart), qPrintable(row.detail));
    }
    // Nothing more than the two commands (the payment card: only the SELECT) ever reached the card.
    QCOMPARE(card.apdus.size(), apduCount);
    QVERIFY(card.apdus.first().contains("2PAY.SYS.DDF01"));
    if (apduCount > 1)
        QCOMPARE(card.apdus.at(1), QByteArray::fromHex("FFCA000000"));

    // Neither the PAN-looking digits nor the FCI ever leave the reader code.
    const QString logs = allLogs();
    QVERIFY(!logs.isEmpty()); // the capture works (the reader logged at least "reader is there")
    for (const setia::Scan &s : std::as_const(rec.scans))
        QVERIFY(!s.payload.contains(kFakePan) && !s.payload.toHex().contains(kFakePan));
    QVERIFY2(!logs.contains(QString::fromLatin1(kFakePan)), qPrintable(logs));
    QVERIFY(!logs.contains(QString::fromLatin1(ppseAnswer.toHex()), Qt::CaseInsensitive));
    for (const ContactlessReaderStatus &s : std::as_const(rec.statuses))
        QVERIFY(!s.detail.contains(QString::fromLatin1(kFakePan)));

    card.take();
    QVERIFY(Pcscd::waitCard(false));
    reader.stop();
}

// A card left on the reader is one scan; taken away and put back at once: still one; put back
// after repeatHoldMs: a second; another card: a third. Idle, the reader uses little CPU.
void TestContactless::heldCardIsOneScanAndNextCardsAreScanned()
{
    if (!needPcscd())
        QSKIP(qPrintable(u"cannot run pcscd: "_s + (whyNot.isEmpty() ? m_pcscd.error() : whyNot)));
    auto clock = std::make_shared<std::atomic<qint64>>(1'760'000'000'000);
    ContactlessReader::Settings settings;
    settings.repeatHoldMs = 1500;
    settings.nowMs = [clock] { return clock->load(); };
    ContactlessReader reader(settings);
    Recorder rec(reader);
    QVERIFY(reader.start());
    QTRY_VERIFY_WITH_TIMEOUT(rec.sawStatus(kReaderName, ContactlessState::Ready), kWaitMs);

    const qint64 cpuIdle = cpuMs();
    QTest::qWait(600);
    const qint64 idleUsed = cpuMs() - cpuIdle;
    QVERIFY2(idleUsed < 150, qPrintable(u"%1 ms of CPU in 0.6 s waiting for a card"_s.arg(idleUsed)));

    const QByteArray ntagUid = QByteArray::fromHex("04A1B2C3D4E5F69000");
    VirtualCard first({kAtrUltralight, QByteArray::fromHex("6A82"), ntagUid});
    QVERIFY(first.put(m_pcscd.pid()));
    QTRY_COMPARE_WITH_TIMEOUT(rec.scans.size(), 1, kWaitMs);
    QCOMPARE(rec.scans.at(0).atMs, clock->load());
    QTest::qWait(1000); // held: pcscd polls the card (every 400 ms) meanwhile
    QCOMPARE(rec.scans.size(), 1);
    QCOMPARE(first.apdus.size(), 2);

    // Taken away, put back within repeatHoldMs (the clock did not move): read, but no new scan.
    first.take();
    QVERIFY(Pcscd::waitCard(false));
    QVERIFY(first.put(m_pcscd.pid()));
    QTRY_COMPARE_WITH_TIMEOUT(first.apdus.size(), 4, kWaitMs);
    QTest::qWait(200);
    QCOMPARE(rec.scans.size(), 1);
    QVERIFY(countLogs(u"the same card again"_s) >= 1);

    // Later than repeatHoldMs: the same card is a new scan.
    first.take();
    QVERIFY(Pcscd::waitCard(false));
    clock->fetch_add(1600);
    QVERIFY(first.put(m_pcscd.pid()));
    QTRY_COMPARE_WITH_TIMEOUT(rec.scans.size(), 2, kWaitMs);
    QCOMPARE(rec.scans.at(1).payload, QByteArray("04A1B2C3D4E5F6"));
    QCOMPARE(rec.scans.at(1).atMs, clock->load());

    // Another card right after: scanned at once (another UID).
    first.take();
    QVERIFY(Pcscd::waitCard(false));
    VirtualCard second({kAtrUltralight, QByteArray::fromHex("6A82"), QByteArray::fromHex("0455667788990A9000")});
    QVERIFY(second.put(m_pcscd.pid()));
    QTRY_COMPARE_WITH_TIMEOUT(rec.scans.size(), 3, kWaitMs);
    QCOMPARE(rec.scans.at(2).payload, QByteArray("0455667788990A"));
    QCOMPARE(rec.scans.at(2).symbology, u"uid"_s);
    second.take();
    QVERIFY(Pcscd::waitCard(false));
    reader.stop();
}

// pcscd runs but has no reader: NoReader (not ServiceDown), and waiting on the PnP
// notification alone is not a busy loop either.
void TestContactless::noReaderIsNotAServiceFault()
{
    if (!needPcscd(false))
        QSKIP(qPrintable(u"cannot run pcscd: "_s + (whyNot.isEmpty() ? m_pcscd.error() : whyNot)));
    ContactlessReader reader;
    Recorder rec(reader);
    QVERIFY(reader.start());
    QTRY_VERIFY_WITH_TIMEOUT(countLogs(u"pcscd lists 0 reader(s)"_s) >= 1, kWaitMs);
    const qint64 cpuBefore = cpuMs();
    QTest::qWait(1000);
    const qint64 used = cpuMs() - cpuBefore;
    QVERIFY2(used < 200, qPrintable(u"%1 ms of CPU in 1 s with no reader"_s.arg(used)));
    QCOMPARE(reader.readers().size(), 1);
    const ContactlessReaderStatus row = reader.readers().first();
    QCOMPARE(row.reader, QString());
    QCOMPARE(row.state, ContactlessState::NoReader);
    QVERIFY2(row.detail.contains(u"reader"_s), qPrintable(row.detail));
    QVERIFY(!rec.sawStatus({}, ContactlessState::ServiceDown));
    reader.stop();
}

void TestContactless::stopIsPrompt()
{
    if (!needPcscd())
        QSKIP(qPrintable(u"cannot run pcscd: "_s + (whyNot.isEmpty() ? m_pcscd.error() : whyNot)));
    ContactlessReader::Settings settings;
    settings.pollMs = 2000; // SCardCancel must end the wait long before this
    auto reader = std::make_unique<ContactlessReader>(settings);
    Recorder rec(*reader);
    QVERIFY(reader->start());
    QTRY_VERIFY_WITH_TIMEOUT(rec.sawStatus(kReaderName, ContactlessState::Ready), kWaitMs);
    QTest::qWait(100); // inside SCardGetStatusChange by now
    QElapsedTimer t;
    t.start();
    reader->stop();
    const qint64 stopMs = t.elapsed();
    QVERIFY2(stopMs < 1000, qPrintable(u"stop() took %1 ms"_s.arg(stopMs)));
    QCOMPARE(reader->readers().size(), 1);
    QCOMPARE(reader->readers().first().state, ContactlessState::NoReader);
    // start again, then the destructor stops it.
    QVERIFY(reader->start());
    QTRY_VERIFY_WITH_TIMEOUT(rowFor(*reader, kReaderName).state == ContactlessState::Ready, kWaitMs);
    t.restart();
    reader.reset();
    QVERIFY(t.elapsed() < 1000);
    m_pcscd.stop();
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir base(QDir::tempPath() + u"/setia-pcsc-XXXXXX"_s);
    if (!base.isValid()) {
        std::fputs("SKIP: no temporary folder\n", stderr);
        return 77;
    }
    gBase = &base;
    // Only this process' client library: never the system's pcscd.
    qputenv("PCSCLITE_CSOCK_NAME", socketPath().toLocal8Bit());

    TestContactless test;
    QStringList missing;
    for (const QString &file : {kPcscd, kVpcd})
        if (!QFile::exists(file))
            missing << file;
    for (const QString &tool : {u"unshare"_s, u"ip"_s})
        if (QStandardPaths::findExecutable(tool).isEmpty() && QStandardPaths::findExecutable(tool, {u"/usr/sbin"_s, u"/sbin"_s}).isEmpty())
            missing << tool;
    if (!missing.isEmpty()) {
        test.whyNot = u"missing "_s + missing.join(u", "_s) + u" (install pcscd, vsmartcard-vpcd, util-linux, iproute2)"_s;
    } else if (::geteuid() != 0) {
        test.whyNot = u"not root: the test's own pcscd needs mount and network namespaces"_s;
    } else {
        // Can pcscd run here at all (namespaces allowed, pcscd starts)?
        Pcscd probe;
        if (probe.start(true))
            test.pcscdUsable = true;
        else
            test.whyNot = probe.error();
    }
    const int rc = QTest::qExec(&test, argc, argv);
    if (rc == 0 && !test.pcscdUsable) {
        std::fprintf(stderr, "SKIP: the tests that need pcscd did not run: %s\n", qPrintable(test.whyNot));
        return 77;
    }
    return rc;
}

#include "tst_contactless.moc"
