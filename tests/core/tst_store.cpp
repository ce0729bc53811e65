// The SQLite store: schema and connection settings, refusing files it must not touch, the
// writer lock, readers that never checkpoint, integrity checks, encryption at rest, backup and
// restore, migrations, ledger tamper detection and write errors that lose nothing.
#include "testsupport.h"

#include "core/crypto.h"
#include "core/ledger.h"
#include "core/loyalty.h"
#include "core/store.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringEncoder>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QVariant>

#include <csignal>
#include <optional>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace setia;
using namespace setia::test;

namespace {

const Store::Options kCreate{Store::Mode::ReadWrite, true};
const Store::Options kWrite{Store::Mode::ReadWrite, false};
const Store::Options kRead{Store::Mode::ReadOnly, false};

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(bytes) == bytes.size() && f.flush();
}

qint64 fileSize(const QString &path) { return QFileInfo(path).exists() ? QFileInfo(path).size() : -1; }

QVariant scalar(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    if (!q.exec(sql) || !q.next())
        return {};
    return q.value(0);
}

qint64 eventCount(const Store &s)
{
    return scalar(s.readOnly() ? s.reader() : s.writer(), u"SELECT COUNT(*) FROM events"_s).toLongLong();
}

// A connection of the test's own, outside Store, for building and inspecting files.
class RawDb {
public:
    explicit RawDb(const QString &path, bool readOnly = false)
    {
        static int counter = 0;
        m_name = u"tst-store-raw-%1"_s.arg(++counter);
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_name);
        db.setDatabaseName(path);
        if (readOnly)
            db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        m_open = db.open();
    }
    ~RawDb()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    RawDb(const RawDb &) = delete;
    RawDb &operator=(const RawDb &) = delete;
    bool isOpen() const { return m_open; }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }
    bool exec(const QString &sql) const
    {
        QSqlQuery q(db());
        return q.exec(sql);
    }
    QVariant value(const QString &sql) const { return scalar(db(), sql); }

private:
    QString m_name;
    bool m_open = false;
};

// A pid that certainly belonged to a process that has exited (and been reaped).
qint64 deadPid()
{
    const pid_t pid = ::fork();
    if (pid == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return qint64(pid);
}

EnrollRequest sitiRequest()
{
    EnrollRequest r;
    r.name = u"Siti Rahmawati"_s;
    r.phone = u"+6281234567890"_s;
    r.email = u"siti.rahmawati@example.co.id"_s;
    r.birthDate = QDate(1990, 5, 17);
    r.actor = u"test"_s;
    return r;
}

// Two members with a few sales each: a ledger worth verifying.
QStringList populate(TempStore &ts, int receiptsEach = 3)
{
    QStringList ids;
    ids << ts.enroll(u"Budi Santoso"_s, u"081111111111"_s) << ts.enroll(u"Dewi Lestari"_s, u"082222222222"_s);
    int receipt = 0;
    for (const QString &id : std::as_const(ids))
        for (int i = 0; i < receiptsEach; ++i) {
            ts.clock().advance(60'000);
            auto e = ts.loyalty().earn(id, ts.basket(u"R-%1"_s.arg(++receipt), 150'000 + i * 10'000), u"test"_s);
            if (!e)
                qWarning("earn failed: %s", qPrintable(e.error().message));
        }
    return ids;
}

// The events in chain order: (event id, terminal seq, points).
struct EventRow {
    QString id;
    qint64 seq = 0, points = 0;
    QString member;
};
QList<EventRow> events(const Store &s)
{
    QList<EventRow> out;
    QSqlQuery q(s.readOnly() ? s.reader() : s.writer());
    q.exec(u"SELECT event_id, terminal_seq, points, COALESCE(member_id,'') FROM events ORDER BY terminal_id, terminal_seq"_s);
    while (q.next())
        out << EventRow{q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toLongLong(), q.value(3).toString()};
    return out;
}

bool anyContains(const QStringList &problems, const QString &a, const QString &b = {})
{
    for (const QString &p : problems)
        if (p.contains(a) && (b.isEmpty() || p.contains(b)))
            return true;
    return false;
}

// Overwrites one page in the middle of a closed database file with bytes no b-tree page has.
bool corruptMiddlePage(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadWrite))
        return false;
    constexpr qint64 page = 4096;
    const qint64 pages = f.size() / page;
    if (pages < 4)
        return false;
    if (!f.seek((pages / 2) * page))
        return false;
    return f.write(QByteArray(page, char(0xFF))) == page;
}

} // namespace

class TestStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void newStoreSchemaAndPragmas();
    void schemaTooNewIsRefusedUntouched();
    void notADatabaseIsRefusedUntouched_data();
    void notADatabaseIsRefusedUntouched();
    void oldSchemaReadOnlyIsRefused();
    void oneWriterManyReaders();
    void staleLockOfDeadProcessDoesNotBlock();
    void readersNeverCheckpoint();
    void lastReaderClosingCrashedWalDoesNotCheckpoint();
    void integrityCheckFindsDamage();
    void personalDataIsEncryptedAtRest();
    void backupWhileInUseIsConsistent();
    void restoreRefusesBadInputsAndKeepsTarget();
    void restoreReplacesAndKeepsPrevious();
    void restoreKeepsUncheckpointedWalOfReplaced();
    void migrationsRunOnceAndInATransaction();
    void verifyDetectsEditedEvent();
    void verifyDetectsDeletedEvent();
    void verifyDetectsCacheAndRebuildRepairsIt();
    void diskFullLosesNothing();
    void writeErrorSavingCardIsNotMisreported();
    void upgradeFromSchema1KeepsData();
};

void TestStore::newStoreSchemaAndPragmas()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"new/setia.db"_s);
    // Without create, a missing store is an error that says how to make one.
    auto missing = Store::open(path, kWrite);
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, u"store_missing"_s);
    QVERIFY(!QFileInfo::exists(path));

    {
        auto opened = Store::open(path, kCreate);
        QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
        Store &s = *opened.value();
        QVERIFY(Store::latestSchemaVersion() >= 1);
        QCOMPARE(s.schemaVersion(), Store::latestSchemaVersion());
        QVERIFY(!s.readOnly());
        QCOMPARE(s.path(), QFileInfo(path).absoluteFilePath());

        const QSqlDatabase w = s.writer();
        QCOMPARE(scalar(w, u"PRAGMA journal_mode"_s).toString(), u"wal"_s);
        QCOMPARE(scalar(w, u"PRAGMA synchronous"_s).toInt(), 2); // FULL
        QCOMPARE(scalar(w, u"PRAGMA foreign_keys"_s).toInt(), 1);
        QCOMPARE(scalar(w, u"PRAGMA user_version"_s).toInt(), Store::latestSchemaVersion());
        QVERIFY(scalar(w, u"SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='events'"_s).toInt() == 1);
        QVERIFY(QFileInfo::exists(path + u".lock"_s));

        // Foreign keys are enforced, not just reported.
        {
            QSqlQuery q(w);
            QVERIFY(!q.exec(u"INSERT INTO cards(card_number, member_id, kind, issued_at) VALUES('C1','nobody','barcode',0)"_s));
        }

        // Readers: read-only and never checkpointing.
        const QSqlDatabase r = s.reader();
        QVERIFY(r.isOpen());
        QCOMPARE(scalar(r, u"PRAGMA journal_mode"_s).toString(), u"wal"_s);
        QCOMPARE(scalar(r, u"PRAGMA query_only"_s).toInt(), 1);
        QCOMPARE(scalar(r, u"PRAGMA wal_autocheckpoint"_s).toInt(), 0);
        QVERIFY(scalar(w, u"PRAGMA wal_autocheckpoint"_s).toInt() > 0);
        {
            QSqlQuery q(r);
            QVERIFY(!q.exec(u"INSERT INTO settings(key, value) VALUES('x','y')"_s));
        }
        QCOMPARE(scalar(w, u"SELECT COUNT(*) FROM settings WHERE key='x'"_s).toInt(), 0);
        QVERIFY(s.integrityCheck().isEmpty());
    } // closing releases the lock
    QVERIFY(!QFileInfo::exists(path + u".lock"_s));
}

void TestStore::schemaTooNewIsRefusedUntouched()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"future.db"_s);
    {
        RawDb raw(path);
        QVERIFY(raw.isOpen());
        QVERIFY(raw.exec(u"CREATE TABLE future_things(id INTEGER PRIMARY KEY, what TEXT)"_s));
        QVERIFY(raw.exec(u"INSERT INTO future_things(what) VALUES('from a newer Setia')"_s));
        QVERIFY(raw.exec(u"PRAGMA user_version=%1"_s.arg(Store::latestSchemaVersion() + 5)));
    }
    const QByteArray before = fileHash(path);
    QVERIFY(!before.isEmpty());

    for (const auto &options : {kWrite, kRead}) {
        auto s = Store::open(path, options);
        QVERIFY(!s);
        QCOMPARE(s.error().code, u"schema_too_new"_s);
        QVERIFY2(s.error().message.contains(u"newer Setia"_s), qPrintable(s.error().message));
        QVERIFY(s.error().message.contains(QString::number(Store::latestSchemaVersion() + 5)));
        // Nothing written: same bytes, no journal left behind, the lock released.
        QCOMPARE(fileHash(path), before);
        QVERIFY(!QFileInfo::exists(path + u"-wal"_s));
        QVERIFY(!QFileInfo::exists(path + u".lock"_s));
    }
    // Still readable by its own version (rollback journal mode kept).
    RawDb raw(path, true);
    QCOMPARE(raw.value(u"PRAGMA journal_mode"_s).toString(), u"delete"_s);
    QCOMPARE(raw.value(u"SELECT what FROM future_things"_s).toString(), u"from a newer Setia"_s);
}

void TestStore::notADatabaseIsRefusedUntouched_data()
{
    QTest::addColumn<QByteArray>("content");
    QByteArray noise(16 * 1024, Qt::Uninitialized);
    SeededRandom r(7);
    r.fill(noise.data(), size_t(noise.size()));
    QTest::newRow("random bytes") << noise;
    QTest::newRow("text file") << QByteArray("name,phone\nSiti Rahmawati,081234567890\n").repeated(200);
    QTest::newRow("short text") << QByteArray("hello\n");
}

void TestStore::notADatabaseIsRefusedUntouched()
{
    QFETCH(QByteArray, content);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"setia.db"_s);
    QVERIFY(writeFile(path, content));
    for (const auto &options : {kWrite, kRead, kCreate}) {
        auto s = Store::open(path, options);
        QVERIFY(!s);
        QCOMPARE(s.error().code, u"store_corrupt"_s);
        QVERIFY2(s.error().message.contains(u"not a Setia database"_s), qPrintable(s.error().message));
        QVERIFY(s.error().message.contains(QFileInfo(path).absoluteFilePath()));
        QCOMPARE(readAll(path), content);
        QVERIFY(!QFileInfo::exists(path + u"-wal"_s));
        QVERIFY(!QFileInfo::exists(path + u".lock"_s));
    }
}

void TestStore::oldSchemaReadOnlyIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"old.db"_s);
    {
        RawDb raw(path);
        QVERIFY(raw.exec(u"CREATE TABLE t(x)"_s)); // a database, user_version 0
    }
    const QByteArray before = fileHash(path);
    auto s = Store::open(path, kRead);
    QVERIFY(!s);
    QCOMPARE(s.error().code, u"schema_too_old"_s);
    QCOMPARE(fileHash(path), before);
}

void TestStore::oneWriterManyReaders()
{
    TempStore ts(toJson(baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    const QString id = ts.enroll(u"Budi Santoso"_s, u"081111111111"_s);
    QVERIFY(!id.isEmpty());

    // A second writer (same process here; another process gets the same answer) is refused.
    QElapsedTimer t;
    t.start();
    auto second = Store::open(ts.dbPath(), kWrite);
    QVERIFY(!second);
    QCOMPARE(second.error().code, u"store_in_use"_s);
    QVERIFY(second.error().message.contains(QString::number(QCoreApplication::applicationPid())));
    QVERIFY(t.elapsed() < 5000);

    // A reader can open at the same time and sees committed data, including the WAL.
    auto reader = Store::open(ts.dbPath(), kRead);
    QVERIFY2(reader, reader ? "" : qPrintable(reader.error().message));
    QVERIFY(reader.value()->readOnly());
    QCOMPARE(reader.value()->schemaVersion(), Store::latestSchemaVersion());
    QCOMPARE(eventCount(*reader.value()), eventCount(ts.store()));
    QVERIFY(eventCount(*reader.value()) > 0);
    {
        ManualClock clock(ts.clock().nowMs());
        SeededRandom random(9);
        auto keys = KeyRing::open(ts.keyPath(), false);
        QVERIFY(keys);
        Loyalty ro(*reader.value(), keys.value(), clock, random);
        auto m = ro.member(id);
        QVERIFY(m);
        QCOMPARE(m->profile.name, u"Budi Santoso"_s);
        auto refused = ro.enroll(sitiRequest());
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, u"store_readonly"_s);
    }
    // A commit made while the reader is open is visible to its next read.
    QVERIFY(!ts.enroll(u"Dewi Lestari"_s, u"082222222222"_s).isEmpty());
    QCOMPARE(eventCount(*reader.value()), eventCount(ts.store()));
    // While a reader is open, the writer lock is still the only one: another writer is refused.
    QCOMPARE(Store::open(ts.dbPath(), kWrite).error().code, u"store_in_use"_s);

    // Once the first writer closes, a new writer gets in.
    ts.close();
    auto again = Store::open(ts.dbPath(), kWrite);
    QVERIFY2(again, again ? "" : qPrintable(again.error().message));
    QCOMPARE(eventCount(*again.value()), eventCount(*reader.value()));
}

void TestStore::staleLockOfDeadProcessDoesNotBlock()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"setia.db"_s);
    {
        auto s = Store::open(path, kCreate);
        QVERIFY(s);
    }
    QVERIFY(!QFileInfo::exists(path + u".lock"_s));

    // 1. A lock file written the way QLockFile writes it, by a process that no longer exists.
    const qint64 pid = deadPid();
    QVERIFY(::kill(pid_t(pid), 0) == -1);
    QVERIFY(writeFile(path + u".lock"_s,
                      QByteArray::number(pid) + "\nsetia\n" + QSysInfo::machineHostName().toUtf8() + '\n'));
    QElapsedTimer t;
    t.start();
    {
        auto s = Store::open(path, kWrite);
        QVERIFY2(s, s ? "" : qPrintable(s.error().message));
        QVERIFY(t.elapsed() < 5000);
        // The lock is now ours.
        qint64 holder = 0;
        QString host, app;
        QLockFile probe(path + u".lock"_s);
        QVERIFY(probe.getLockInfo(&holder, &host, &app));
        QCOMPARE(holder, QCoreApplication::applicationPid());
    }

    // 2. A real QLockFile taken by a child process that then dies without unlocking.
    const pid_t child = ::fork();
    if (child == 0) {
        QLockFile lock(path + u".lock"_s);
        ::_exit(lock.tryLock(0) ? 0 : 1);
    }
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    QVERIFY(QFileInfo::exists(path + u".lock"_s));
    t.restart();
    auto s = Store::open(path, kWrite);
    QVERIFY2(s, s ? "" : qPrintable(s.error().message));
    QVERIFY(t.elapsed() < 5000);
}

void TestStore::readersNeverCheckpoint()
{
    TempStore ts(toJson(baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    const QString wal = ts.dbPath() + u"-wal"_s;
    QVERIFY(ts.store().checkpoint());
    QCOMPARE(fileSize(wal), qint64(0));

    // Grow the WAL well past a few pages, staying under the writer's automatic checkpoint.
    populate(ts, 10);
    {
        WriteTransaction tx(ts.store());
        QVERIFY(tx.begun());
        QSqlQuery q(ts.store().writer());
        q.prepare(u"INSERT INTO settings(key, value) VALUES(?, ?)"_s);
        for (int i = 0; i < 100; ++i) {
            q.bindValue(0, u"filler-%1"_s.arg(i));
            q.bindValue(1, QString(2000, QLatin1Char('x')));
            QVERIFY(q.exec());
        }
        QVERIFY(tx.commit());
    }
    const qint64 walSize = fileSize(wal);
    QVERIFY2(walSize > 64 * 4096, qPrintable(QString::number(walSize)));
    const QByteArray dbHash = fileHash(ts.dbPath());
    const qint64 events = eventCount(ts.store());

    // The writer's own reader on this thread reads through the WAL.
    QCOMPARE(scalar(ts.store().reader(), u"SELECT COUNT(*) FROM events"_s).toLongLong(), events);
    QCOMPARE(scalar(ts.store().reader(), u"SELECT COUNT(*) FROM settings WHERE key LIKE 'filler-%'"_s).toInt(), 100);
    // A read connection on another thread, and a separate read-only store opened and closed.
    qint64 seenOnThread = -1;
    {
        auto other = Store::open(ts.dbPath(), kRead);
        QVERIFY(other);
        QThread *thread = QThread::create([&] {
            auto ro = Store::open(ts.dbPath(), kRead);
            if (ro)
                seenOnThread = eventCount(*ro.value());
        });
        thread->start();
        QVERIFY(thread->wait(30000));
        delete thread;
        QCOMPARE(eventCount(*other.value()), events);
        QVERIFY(other.value()->integrityCheck().isEmpty());
    }
    QCOMPARE(seenOnThread, events);
    QCOMPARE(fileSize(wal), walSize);         // not truncated or reset by any reader closing
    QCOMPARE(fileHash(ts.dbPath()), dbHash);  // and nothing copied back into the database

    // A checkpoint that a read in progress keeps from finishing says so instead of claiming success.
    {
        QVERIFY(scalar(ts.store().writer(), u"PRAGMA busy_timeout=100"_s).isValid());
        QSqlQuery hold(ts.store().reader());
        hold.setForwardOnly(true);
        QVERIFY(hold.exec(u"SELECT event_id FROM events"_s));
        QVERIFY(hold.next());
        auto busy = ts.store().checkpoint();
        QVERIFY(!busy);
        QCOMPARE(busy.error().code, u"store_busy"_s);
        QCOMPARE(fileSize(wal), walSize);
        QVERIFY(scalar(ts.store().writer(), u"PRAGMA busy_timeout=5000"_s).isValid());
    }
    // An explicit checkpoint, on the writer, does move the WAL into the database and truncate it.
    QVERIFY(ts.store().checkpoint());
    QCOMPARE(fileSize(wal), qint64(0));
    QVERIFY(fileHash(ts.dbPath()) != dbHash);
    QCOMPARE(eventCount(ts.store()), events);
    QVERIFY(verifyLedger(ts.store()).ok());
}

void TestStore::lastReaderClosingCrashedWalDoesNotCheckpoint()
{
    // The writer dies (power cut, crash) leaving committed transactions only in the WAL. A
    // read-only session (setiactl report) is then the last connection to close: it must not
    // checkpoint. The next writer does, and nothing is lost.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"setia.db"_s);
    const QString keyPath = dir.filePath(u"setia.db.key"_s);
    const QString wal = path + u"-wal"_s;
    const pid_t child = ::fork();
    if (child == 0) {
        ManualClock clock(at(u"2026-03-02T10:00:00+07:00"_s));
        SeededRandom random(5);
        auto s = Store::open(path, kCreate);
        auto keys = KeyRing::open(keyPath, true);
        if (!s || !keys)
            ::_exit(2);
        Loyalty l(*s.value(), keys.value(), clock, random);
        if (!l.initialize(u"crash-store"_s, u"Crash"_s, u"Asia/Jakarta"_s, u"IDR"_s)
            || !l.loadProgram(toJson(baseProgram()), u"test"_s))
            ::_exit(3);
        auto m = l.enroll(sitiRequest());
        if (!m)
            ::_exit(4);
        for (int i = 0; i < 5; ++i) {
            Basket b;
            b.receiptId = u"C-%1"_s.arg(i);
            b.total = 250'000;
            b.paymentMethod = u"cash"_s;
            clock.advance(1000);
            if (!l.earn(m->memberId, b, u"test"_s))
                ::_exit(5);
        }
        ::_exit(0); // no destructors: the connection is never closed, nothing checkpointed
    }
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);

    const qint64 walSize = fileSize(wal);
    QVERIFY2(walSize > 0, "the crashed writer left no WAL");
    const QByteArray dbHash = fileHash(path);
    qint64 events = 0;
    {
        auto ro = Store::open(path, kRead);
        QVERIFY2(ro, ro ? "" : qPrintable(ro.error().message));
        events = eventCount(*ro.value());
        QCOMPARE(events, qint64(6)); // enroll + 5 earns, all only in the WAL
        QVERIFY(verifyLedger(*ro.value()).ok());
        QVERIFY(ro.value()->integrityCheck().isEmpty());
    } // the reader is the last connection to close
    QCOMPARE(fileSize(wal), walSize);
    QCOMPARE(fileHash(path), dbHash);

    // The crashed writer's lock is stale; the next writer opens, checkpoints, loses nothing.
    QVERIFY(QFileInfo::exists(path + u".lock"_s));
    auto rw = Store::open(path, kWrite);
    QVERIFY2(rw, rw ? "" : qPrintable(rw.error().message));
    QVERIFY(rw.value()->checkpoint());
    QCOMPARE(fileSize(wal), qint64(0));
    QCOMPARE(eventCount(*rw.value()), events);
    QVERIFY(verifyLedger(*rw.value()).ok());
}

void TestStore::integrityCheckFindsDamage()
{
    QTemporaryDir copies;
    const QString damaged = copies.filePath(u"damaged.db"_s);
    {
        TempStore ts(toJson(baseProgram()));
        QVERIFY2(ts.ok(), qPrintable(ts.error()));
        populate(ts, 20);
        QVERIFY(ts.store().integrityCheck().isEmpty());
        const QString db = ts.dbPath();
        ts.close(); // the last writer closes: WAL checkpointed into the file and removed
        QVERIFY(!QFileInfo::exists(db + u"-wal"_s));
        QVERIFY(QFile::copy(db, damaged));
        // The untouched original still checks out.
        auto s = Store::open(db, kRead);
        QVERIFY(s);
        QVERIFY(s.value()->integrityCheck().isEmpty());
    }
    QVERIFY(corruptMiddlePage(damaged));
    for (const auto &options : {kRead, kWrite}) {
        auto s = Store::open(damaged, options);
        if (!s) { // refusing to open is as good as reporting, if it says why
            QCOMPARE(s.error().code, u"store_corrupt"_s);
            continue;
        }
        const QStringList problems = s.value()->integrityCheck();
        QVERIFY2(!problems.isEmpty(), "integrity_check found nothing wrong with a damaged page");
    }

    // A row that refers to a missing member (written with enforcement off) is reported too.
    TempStore ts(toJson(baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    QSqlDatabase w = ts.store().writer();
    {
        QSqlQuery q(w);
        QVERIFY(q.exec(u"PRAGMA foreign_keys=OFF"_s));
        QVERIFY(q.exec(u"INSERT INTO cards(card_number, member_id, kind, issued_at) VALUES('ORPHAN1','ghost','barcode',0)"_s));
        QVERIFY(q.exec(u"PRAGMA foreign_keys=ON"_s));
    }
    const QStringList problems = ts.store().integrityCheck();
    QVERIFY2(anyContains(problems, u"foreign key: cards"_s, u"members"_s), qPrintable(problems.join(u'\n')));
}

void TestStore::personalDataIsEncryptedAtRest()
{
    TempStore ts(toJson(baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    QVERIFY(ts.store().checkpoint());
    auto siti = ts.loyalty().enroll(sitiRequest());
    QVERIFY2(siti, siti ? "" : qPrintable(siti.error().message));
    const QString id = siti->memberId;
    EnrollRequest second;
    second.name = u"Rahmawati Siti Nurhaliza"_s;
    second.phone = u"081298765432"_s;
    second.email = u"nurhaliza@example.com"_s;
    second.birthDate = QDate(1985, 12, 1);
    second.actor = u"test"_s;
    QVERIFY(ts.loyalty().enroll(second));
    auto earned = ts.loyalty().earn(id, ts.basket(u"R-1"_s, 1'230'000), u"test"_s);
    QVERIFY(earned);
    const qint64 balance = earned->balance;
    QVERIFY(balance > 0);

    const QString backup = ts.dir() + u"/backups/siti.db"_s;
    QVERIFY(ts.store().backupTo(backup));

    const QStringList needles{u"Siti Rahmawati"_s,         u"Rahmawati"_s,     u"rahmawati"_s,
                              u"Siti"_s,                   u"+6281234567890"_s, u"6281234567890"_s,
                              u"081234567890"_s,           u"81234567890"_s,   u"siti.rahmawati@example.co.id"_s,
                              u"siti.rahmawati"_s,         u"1990-05-17"_s,    u"19900517"_s,
                              u"Nurhaliza"_s,              u"081298765432"_s,  u"81298765432"_s,
                              u"nurhaliza@example.com"_s,  u"1985-12-01"_s};
    QList<QByteArray> patterns;
    for (const QString &n : needles)
        patterns << n.toUtf8();
    for (const QString &n : {u"Siti Rahmawati"_s, u"Rahmawati"_s, u"Nurhaliza"_s, u"81234567890"_s}) {
        patterns << QByteArray(QStringEncoder(QStringEncoder::Utf16LE).encode(n));
        patterns << QByteArray(QStringEncoder(QStringEncoder::Utf16BE).encode(n));
    }

    const QByteArray db = readAll(ts.dbPath());
    const QByteArray wal = readAll(ts.dbPath() + u"-wal"_s);
    const QByteArray bak = readAll(backup);
    QVERIFY(db.size() > 0);
    QVERIFY2(wal.size() > 0, "the writes are expected in the WAL before a checkpoint");
    QVERIFY(bak.size() > 0);
    // The data is there (the member rows are in the WAL): the check would see plaintext.
    QVERIFY(wal.contains(id.toUtf8()));
    QVERIFY(bak.contains(id.toUtf8()));
    for (const auto &[what, bytes] : {std::pair{"database", &db}, {"wal", &wal}, {"backup", &bak}})
        for (const QByteArray &p : std::as_const(patterns))
            QVERIFY2(!bytes->contains(p), qPrintable(u"%1 contains '%2'"_s.arg(QLatin1StringView(what),
                                                                              QString::fromUtf8(p.toHex()))));

    // With the key file, the member is readable, by id and by every form of the phone number.
    auto m = ts.loyalty().member(id);
    QVERIFY(m);
    QCOMPARE(m->profile.name, u"Siti Rahmawati"_s);
    QCOMPARE(m->profile.phone, u"+6281234567890"_s);
    QCOMPARE(m->profile.email, u"siti.rahmawati@example.co.id"_s);
    QCOMPARE(m->profile.birthDate, QDate(1990, 5, 17));
    for (const QString &phone : {u"+6281234567890"_s, u"081234567890"_s, u"81234567890"_s, u"0812-3456-7890"_s}) {
        auto byPhone = ts.loyalty().memberByPhone(phone);
        QVERIFY2(byPhone, qPrintable(phone));
        QCOMPARE(byPhone->memberId, id);
    }

    // The backup with the right key reads the same.
    {
        auto s = Store::open(backup, kRead);
        QVERIFY2(s, s ? "" : qPrintable(s.error().message));
        auto keys = KeyRing::open(ts.keyPath(), false);
        QVERIFY(keys);
        ManualClock clock(ts.clock().nowMs());
        SeededRandom random(3);
        Loyalty l(*s.value(), keys.value(), clock, random);
        auto bm = l.memberByPhone(u"081234567890"_s);
        QVERIFY(bm);
        QCOMPARE(bm->profile.name, u"Siti Rahmawati"_s);
        QCOMPARE(bm->balance, balance);
    }
    // The backup with a different (new) key file: balances read, no personal data at all.
    {
        auto s = Store::open(backup, kRead);
        QVERIFY(s);
        QTemporaryDir other;
        const QString otherKey = other.filePath(u"other.key"_s);
        auto keys = KeyRing::open(otherKey, true);
        QVERIFY(keys);
        QVERIFY(readAll(otherKey) != readAll(ts.keyPath()));
        ManualClock clock(ts.clock().nowMs());
        SeededRandom random(4);
        Loyalty l(*s.value(), keys.value(), clock, random);
        auto bm = l.member(id);
        QVERIFY(bm);
        QVERIFY(bm->profile.name.isEmpty());
        QVERIFY(bm->profile.phone.isEmpty());
        QVERIFY(bm->profile.email.isEmpty());
        QVERIFY(!bm->profile.birthDate.isValid());
        QCOMPARE(bm->balance, balance);
        QCOMPARE(bm->status, u"active"_s);
        auto byPhone = l.memberByPhone(u"081234567890"_s);
        QVERIFY(!byPhone);
        QCOMPARE(byPhone.error().code, u"unknown_member"_s);
        auto found = l.search(u"Siti"_s);
        QVERIFY(!found || found->isEmpty());
        QVERIFY(verifyLedger(*s.value()).ok());
    }
}

void TestStore::backupWhileInUseIsConsistent()
{
    TempStore ts(toJson(baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    const QStringList ids = populate(ts, 4);
    const qint64 atBackup = eventCount(ts.store());
    QVERIFY(atBackup >= 10);
    QVERIFY(fileSize(ts.dbPath() + u"-wal"_s) > 0); // live, un-checkpointed data

    // From the writer.
    const QString b1 = ts.dir() + u"/b/one.db"_s;
    QVERIFY(ts.store().backupTo(b1));
    // From a read-only session (setiactl backup while the till runs), mid-read on the writer.
    const QString b2 = ts.dir() + u"/b/two.db"_s;
    {
        QSqlQuery open(ts.store().reader());
        open.setForwardOnly(true);
        QVERIFY(open.exec(u"SELECT event_id FROM events ORDER BY seq"_s));
        QVERIFY(open.next()); // a read transaction in progress
        auto ro = Store::open(ts.dbPath(), kRead);
        QVERIFY(ro);
        QVERIFY(ro.value()->backupTo(b2));
    }
    // Writes after the backups are not in them.
    ts.clock().advance(60'000);
    QVERIFY(ts.loyalty().earn(ids.first(), ts.basket(u"AFTER-1"_s, 500'000), u"test"_s));
    QVERIFY(eventCount(ts.store()) > atBackup);

    for (const QString &b : {b1, b2}) {
        QVERIFY(!QFileInfo::exists(b + u"-wal"_s));
        QVERIFY(!(QFileInfo(b).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther)));
        auto s = Store::open(b, kRead);
        QVERIFY2(s, s ? "" : qPrintable(s.error().message));
        QCOMPARE(s.value()->schemaVersion(), Store::latestSchemaVersion());
        QVERIFY(s.value()->integrityCheck().isEmpty());
        const VerifyReport v = verifyLedger(*s.value());
        QVERIFY2(v.ok(), qPrintable(v.problems.join(u'\n')));
        QCOMPARE(v.events, atBackup);
    }

    // An existing file is never overwritten.
    const QByteArray before = fileHash(b1);
    auto again = ts.store().backupTo(b1);
    QVERIFY(!again);
    QCOMPARE(again.error().code, u"backup_exists"_s);
    QCOMPARE(fileHash(b1), before);
    QVERIFY(!ts.store().backupTo(ts.dbPath()));
    QVERIFY(verifyLedger(ts.store()).ok());
}

void TestStore::restoreRefusesBadInputsAndKeepsTarget()
{
    TempStore ts(toJson(baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    populate(ts, 2);
    const QString good = ts.dir() + u"/good.db"_s;
    QVERIFY(ts.store().backupTo(good));
    const qint64 events = eventCount(ts.store());

    // While the target is open for writing.
    auto busy = Store::restore(good, ts.dbPath());
    QVERIFY(!busy);
    QCOMPARE(busy.error().code, u"store_in_use"_s);
    QVERIFY(!QFileInfo::exists(ts.dbPath() + u".before-restore"_s));
    QCOMPARE(eventCount(ts.store()), events);

    ts.close();
    const QByteArray target = fileHash(ts.dbPath());

    // A missing backup.
    auto missing = Store::restore(ts.dir() + u"/nope.db"_s, ts.dbPath());
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, u"backup_missing"_s);

    // Not a database at all.
    const QString junk = ts.dir() + u"/junk.db"_s;
    QVERIFY(writeFile(junk, QByteArray("this is not a backup\n").repeated(500)));
    // A real backup with a damaged page.
    const QString damaged = ts.dir() + u"/damaged.db"_s;
    QVERIFY(QFile::copy(good, damaged));
    QVERIFY(corruptMiddlePage(damaged));
    // A database of another program / a newer schema.
    const QString future = ts.dir() + u"/future.db"_s;
    {
        RawDb raw(future);
        QVERIFY(raw.exec(u"CREATE TABLE t(x)"_s));
        QVERIFY(raw.exec(u"PRAGMA user_version=%1"_s.arg(Store::latestSchemaVersion() + 1)));
    }
    for (const QString &bad : {junk, damaged, future}) {
        auto r = Store::restore(bad, ts.dbPath());
        QVERIFY2(!r, qPrintable(bad));
        QCOMPARE(r.error().code, u"backup_invalid"_s);
        QCOMPARE(fileHash(ts.dbPath()), target);
        QVERIFY(!QFileInfo::exists(ts.dbPath() + u".before-restore"_s));
        QVERIFY(!QFileInfo::exists(ts.dbPath() + u".restore-tmp"_s));
    }
    QVERIFY(ts.reopen());
    QCOMPARE(eventCount(ts.store()), events);
    QVERIFY(verifyLedger(ts.store()).ok());
}

void TestStore::restoreReplacesAndKeepsPrevious()
{
    TempStore ts(toJson(baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    const QStringList ids = populate(ts, 2);
    const QString backup = ts.dir() + u"/backup.db"_s;
    QVERIFY(ts.store().backupTo(backup));
    const qint64 atBackup = eventCount(ts.store());
    const qint64 balanceAtBackup = ts.loyalty().member(ids.first())->balance;

    ts.clock().advance(60'000);
    auto late = ts.loyalty().earn(ids.first(), ts.basket(u"LATE-1"_s, 900'000), u"test"_s);
    QVERIFY(late);
    const QString lateEvent = late->eventId;
    const qint64 afterBackup = eventCount(ts.store());
    QVERIFY(afterBackup > atBackup);
    ts.close();

    QVERIFY(Store::restore(backup, ts.dbPath()));
    QVERIFY(QFileInfo::exists(ts.dbPath() + u".before-restore"_s));
    QVERIFY(!QFileInfo::exists(ts.dbPath() + u".restore-tmp"_s));
    QVERIFY(!QFileInfo::exists(ts.dbPath() + u".lock"_s));

    QVERIFY(ts.reopen());
    QCOMPARE(eventCount(ts.store()), atBackup);
    QCOMPARE(scalar(ts.store().writer(), u"SELECT COUNT(*) FROM events WHERE event_id = '%1'"_s.arg(lateEvent)).toInt(), 0);
    QCOMPARE(ts.loyalty().member(ids.first())->balance, balanceAtBackup);
    QVERIFY(verifyLedger(ts.store()).ok());
    // The receipt written after the backup can be earned again (it is gone, not half there).
    QVERIFY(ts.loyalty().earn(ids.first(), ts.basket(u"LATE-1"_s, 900'000), u"test"_s));

    // The replaced database is kept whole.
    auto previous = Store::open(ts.dbPath() + u".before-restore"_s, kRead);
    QVERIFY2(previous, previous ? "" : qPrintable(previous.error().message));
    QCOMPARE(eventCount(*previous.value()), afterBackup);
    QVERIFY(verifyLedger(*previous.value()).ok());
}

void TestStore::restoreKeepsUncheckpointedWalOfReplaced()
{
    // A terminal crashed with committed sales only in its WAL; the manager restores last
    // night's backup. The .before-restore copy must still hold those sales.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"setia.db"_s);
    const QString keyPath = dir.filePath(u"setia.db.key"_s);
    const QString backup = dir.filePath(u"nightly.db"_s);
    {
        auto s = Store::open(path, kCreate);
        QVERIFY(s);
        auto keys = KeyRing::open(keyPath, true);
        QVERIFY(keys);
        ManualClock clock(at(u"2026-03-02T10:00:00+07:00"_s));
        SeededRandom random(11);
        Loyalty l(*s.value(), keys.value(), clock, random);
        QVERIFY(l.initialize(u"s1"_s, u"S1"_s, u"Asia/Jakarta"_s, u"IDR"_s));
        QVERIFY(l.loadProgram(toJson(baseProgram()), u"test"_s));
        QVERIFY(l.enroll(sitiRequest()));
        QVERIFY(s.value()->backupTo(backup));
    }
    const qint64 atBackup = [&] {
        auto s = Store::open(backup, kRead);
        return s ? eventCount(*s.value()) : -1;
    }();
    QVERIFY(atBackup > 0);

    const pid_t child = ::fork();
    if (child == 0) {
        ManualClock clock(at(u"2026-03-03T10:00:00+07:00"_s));
        SeededRandom random(12);
        auto s = Store::open(path, kWrite);
        auto keys = KeyRing::open(keyPath, false);
        if (!s || !keys)
            ::_exit(2);
        Loyalty l(*s.value(), keys.value(), clock, random);
        auto m = l.memberByPhone(u"081234567890"_s);
        if (!m)
            ::_exit(3);
        for (int i = 0; i < 3; ++i) {
            Basket b;
            b.receiptId = u"CRASH-%1"_s.arg(i);
            b.total = 300'000;
            b.paymentMethod = u"cash"_s;
            if (!l.earn(m->memberId, b, u"test"_s))
                ::_exit(4);
        }
        ::_exit(0);
    }
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
    QVERIFY(fileSize(path + u"-wal"_s) > 0);
    qint64 beforeRestore = 0;
    {
        auto ro = Store::open(path, kRead);
        QVERIFY(ro);
        beforeRestore = eventCount(*ro.value());
    }
    QCOMPARE(beforeRestore, atBackup + 3);

    QVERIFY(Store::restore(backup, path));
    {
        auto restored = Store::open(path, kWrite);
        QVERIFY(restored);
        QCOMPARE(eventCount(*restored.value()), atBackup);
        QVERIFY(verifyLedger(*restored.value()).ok());
    }
    auto previous = Store::open(path + u".before-restore"_s, kRead);
    QVERIFY2(previous, previous ? "" : qPrintable(previous.error().message));
    QCOMPARE(eventCount(*previous.value()), beforeRestore);
    QVERIFY(verifyLedger(*previous.value()).ok());
}

void TestStore::migrationsRunOnceAndInATransaction()
{
    // Reopening a current store does not run the migrations again: data and version stay.
    {
        TempStore ts(toJson(baseProgram()));
        QVERIFY2(ts.ok(), qPrintable(ts.error()));
        const QStringList ids = populate(ts, 1);
        const qint64 events = eventCount(ts.store());
        for (int i = 0; i < 3; ++i) {
            QVERIFY2(ts.reopen(), qPrintable(ts.error()));
            QCOMPARE(ts.store().schemaVersion(), Store::latestSchemaVersion());
            QCOMPARE(eventCount(ts.store()), events);
            QCOMPARE(ts.loyalty().member(ids.first())->profile.name, u"Budi Santoso"_s);
        }
        QVERIFY(verifyLedger(ts.store()).ok());
    }
    // A migration that fails half way leaves nothing of itself behind.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"half.db"_s);
    {
        RawDb raw(path);
        // A table in the way of a statement that comes after several CREATEs in migration 1.
        QVERIFY(raw.exec(u"CREATE TABLE cards(x)"_s));
        QVERIFY(raw.exec(u"INSERT INTO cards VALUES('keep me')"_s));
    }
    auto s = Store::open(path, kWrite);
    QVERIFY(!s);
    QCOMPARE(s.error().code, u"migration_failed"_s);
    QVERIFY2(s.error().message.contains(u"rolled back"_s), qPrintable(s.error().message));
    RawDb raw(path, true);
    QCOMPARE(raw.value(u"PRAGMA user_version"_s).toInt(), 0);
    QCOMPARE(raw.value(u"SELECT group_concat(name) FROM sqlite_master"_s).toString(), u"cards"_s);
    QCOMPARE(raw.value(u"SELECT x FROM cards"_s).toString(), u"keep me"_s);
}

void TestStore::verifyDetectsEditedEvent()
{
    TempStore ts(toJson(baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    populate(ts, 3);
    QVERIFY(verifyLedger(ts.store()).ok());
    const QList<EventRow> all = events(ts.store());
    QVERIFY(all.size() >= 8);
    // An earn in the middle of the chain.
    EventRow target;
    for (qsizetype i = all.size() / 2; i < all.size(); ++i)
        if (all[i].points > 0) {
            target = all[i];
            break;
        }
    QVERIFY(!target.id.isEmpty());
    {
        QSqlQuery q(ts.store().writer());
        q.prepare(u"UPDATE events SET points = points + 1000 WHERE event_id = ?"_s);
        q.addBindValue(target.id);
        QVERIFY(q.exec());
        QCOMPARE(q.numRowsAffected(), 1);
    }
    VerifyReport v = verifyLedger(ts.store());
    QVERIFY(!v.ok());
    QCOMPARE(v.events, qint64(all.size()));
    QVERIFY2(anyContains(v.problems, target.id, u"does not match its hash"_s), qPrintable(v.problems.join(u'\n')));
    QCOMPARE(v.firstBrokenLink, target.id);
    // Only that event's content is wrong; the links after it still hold.
    QVERIFY(!anyContains(v.problems, u"previous-hash link broken"_s));

    // Rebuilding the cache does not hide an edited event.
    QVERIFY(rebuildBalances(ts.store()));
    v = verifyLedger(ts.store());
    QVERIFY(!v.ok());
    QVERIFY(anyContains(v.problems, target.id, u"does not match its hash"_s));
}

void TestStore::verifyDetectsDeletedEvent()
{
    TempStore ts(toJson(baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    populate(ts, 3);
    const QList<EventRow> all = events(ts.store());
    QVERIFY(all.size() >= 8);
    const qsizetype mid = all.size() / 2;
    {
        QSqlQuery q(ts.store().writer());
        q.prepare(u"DELETE FROM events WHERE event_id = ?"_s);
        q.addBindValue(all[mid].id);
        QVERIFY(q.exec());
        QCOMPARE(q.numRowsAffected(), 1);
    }
    VerifyReport v = verifyLedger(ts.store());
    QVERIFY(!v.ok());
    QCOMPARE(v.events, qint64(all.size() - 1));
    const QString next = all[mid + 1].id;
    QVERIFY2(anyContains(v.problems, next, u"sequence gap: expected %1"_s.arg(all[mid].seq)), qPrintable(v.problems.join(u'\n')));
    QVERIFY(anyContains(v.problems, next, u"previous-hash link broken"_s));
    QCOMPARE(v.firstBrokenLink, next);

    QVERIFY(rebuildBalances(ts.store()));
    v = verifyLedger(ts.store());
    QVERIFY(!v.ok());
    QVERIFY(anyContains(v.problems, next, u"sequence gap"_s));
}

void TestStore::verifyDetectsCacheAndRebuildRepairsIt()
{
    TempStore ts(toJson(baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    const QStringList ids = populate(ts, 3);
    const qint64 real = ts.loyalty().member(ids.last())->balance;
    QVERIFY(real > 0);
    {
        QSqlQuery q(ts.store().writer());
        q.prepare(u"UPDATE balances SET points = points + 77 WHERE member_id = ?"_s);
        q.addBindValue(ids.last());
        QVERIFY(q.exec());
        QCOMPARE(q.numRowsAffected(), 1);
    }
    QCOMPARE(ts.loyalty().member(ids.last())->balance, real + 77);
    VerifyReport v = verifyLedger(ts.store());
    QVERIFY(!v.ok());
    QVERIFY2(anyContains(v.problems, ids.last(), u"cached balance %1 but the events sum to %2"_s.arg(real + 77).arg(real)),
             qPrintable(v.problems.join(u'\n')));
    QVERIFY(!anyContains(v.problems, u"hash"_s));
    QVERIFY(v.firstBrokenLink.isEmpty());

    QVERIFY(rebuildBalances(ts.store()));
    v = verifyLedger(ts.store());
    QVERIFY2(v.ok(), qPrintable(v.problems.join(u'\n')));
    QCOMPARE(ts.loyalty().member(ids.last())->balance, real);
    QCOMPARE(sumOfEvents(ts.store(), ids.last()), real);
}

void TestStore::diskFullLosesNothing()
{
    TempStore ts(toJson(baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    const QStringList ids = populate(ts, 1);
    QSqlDatabase w = ts.store().writer();
    // No page may be added from now on (SQLite keeps the limit at the current size at least).
    QVERIFY(scalar(w, u"PRAGMA max_page_count = 1"_s).isValid());
    const qint64 pages = scalar(w, u"PRAGMA page_count"_s).toLongLong();
    QCOMPARE(scalar(w, u"PRAGMA max_page_count"_s).toLongLong(), pages);

    auto counts = [&] {
        return QList<qint64>{eventCount(ts.store()), scalar(w, u"SELECT COUNT(*) FROM members"_s).toLongLong(),
                             scalar(w, u"SELECT COUNT(*) FROM receipts"_s).toLongLong(),
                             scalar(w, u"SELECT COALESCE(SUM(points),0) FROM balances"_s).toLongLong()};
    };

    // Enrolments fill the free space left in existing pages, then fail cleanly.
    std::optional<Error> enrollError;
    QList<qint64> before;
    for (int i = 0; i < 500 && !enrollError; ++i) {
        before = counts();
        EnrollRequest r;
        r.name = u"Member Number %1"_s.arg(i);
        r.phone = u"0813%1"_s.arg(10'000'000 + i);
        r.email = u"member%1@example.com"_s.arg(i);
        r.actor = u"test"_s;
        auto m = ts.loyalty().enroll(r);
        if (!m)
            enrollError = m.error();
    }
    QVERIFY2(enrollError, "enrolment never hit the page limit");
    QVERIFY2(enrollError->code == u"disk_full"_s, qPrintable(enrollError->code + u": "_s + enrollError->message));
    QVERIFY(enrollError->message.contains(u"disk is full"_s, Qt::CaseInsensitive));
    QVERIFY(enrollError->message.contains(u"nothing was saved"_s));
    QCOMPARE(counts(), before);
    QVERIFY(verifyLedger(ts.store()).ok());
    QVERIFY(ts.store().integrityCheck().isEmpty());

    // Sales too.
    std::optional<Error> earnError;
    for (int i = 0; i < 500 && !earnError; ++i) {
        before = counts();
        ts.clock().advance(1000);
        auto e = ts.loyalty().earn(ids.first(), ts.basket(u"FULL-%1"_s.arg(i), 200'000), u"test"_s);
        if (!e)
            earnError = e.error();
    }
    QVERIFY2(earnError, "earning never hit the page limit");
    QVERIFY2(earnError->code == u"disk_full"_s, qPrintable(earnError->code + u": "_s + earnError->message));
    QCOMPARE(counts(), before);
    const VerifyReport v = verifyLedger(ts.store());
    QVERIFY2(v.ok(), qPrintable(v.problems.join(u'\n')));

    // Space comes back: the store works again, with the same transaction bookkeeping.
    QVERIFY(scalar(w, u"PRAGMA max_page_count = 1073741823"_s).isValid());
    auto again = ts.loyalty().earn(ids.first(), ts.basket(u"AFTER-FULL"_s, 200'000), u"test"_s);
    QVERIFY2(again, again ? "" : qPrintable(again.error().message));
    QVERIFY(ts.loyalty().enroll(sitiRequest()));
    QVERIFY(verifyLedger(ts.store()).ok());
    // And everything survives a restart.
    const QList<qint64> now = counts();
    w = QSqlDatabase();
    QVERIFY(ts.reopen());
    w = ts.store().writer();
    QCOMPARE(counts(), now);
}

void TestStore::writeErrorSavingCardIsNotMisreported()
{
    // A write error at the card step of an enrolment (simulated: the insert fails the way a
    // full disk does) is reported as what it is, not as a bad card kind, and saves nothing.
    TempStore ts(toJson(baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    populate(ts, 1);
    QSqlDatabase w = ts.store().writer();
    auto counts = [&] {
        return QList<qint64>{eventCount(ts.store()), scalar(w, u"SELECT COUNT(*) FROM members"_s).toLongLong(),
                             scalar(w, u"SELECT COUNT(*) FROM cards"_s).toLongLong(),
                             scalar(w, u"SELECT COUNT(*) FROM member_names"_s).toLongLong()};
    };
    const QList<qint64> before = counts();
    {
        QSqlQuery q(w);
        QVERIFY2(q.exec(u"CREATE TEMP TRIGGER cards_fail BEFORE INSERT ON main.cards"
                        " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"_s),
                 qPrintable(q.lastError().text()));
    }
    EnrollRequest r = sitiRequest();
    r.cardNumber = u"CARD-0001"_s;
    auto m = ts.loyalty().enroll(r);
    QVERIFY(!m);
    QVERIFY2(m.error().code == u"disk_full"_s, qPrintable(m.error().code + u": "_s + m.error().message));
    QCOMPARE(counts(), before);
    QVERIFY(verifyLedger(ts.store()).ok());
    {
        QSqlQuery q(w);
        QVERIFY(q.exec(u"DROP TRIGGER temp.cards_fail"_s));
    }
    // A card kind the schema does not know is still a card error.
    r.cardKind = u"paper"_s;
    auto bad = ts.loyalty().enroll(r);
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, u"invalid_card"_s);
    QCOMPARE(counts(), before);
    // And with the disk back, the same enrolment goes through.
    r.cardKind = u"barcode"_s;
    auto ok = ts.loyalty().enroll(r);
    QVERIFY2(ok, ok ? "" : qPrintable(ok.error().message));
    QCOMPARE(ok->cards.size(), 1);
    QVERIFY(verifyLedger(ts.store()).ok());
}

void TestStore::upgradeFromSchema1KeepsData()
{
    // A store as version 1 of the schema left it: no staff or scans tables, user_version 1.
    TempStore ts(toJson(baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    populate(ts, 2);
    const qint64 events = eventCount(ts.store());
    {
        QSqlQuery q(ts.store().writer());
        QVERIFY(q.exec(u"DROP TABLE staff"_s));
        QVERIFY(q.exec(u"DROP TABLE scans"_s));
        QString why;
        QVERIFY2(nameIndexAsBeforeSchema6(ts.store().writer(), &why), qPrintable(why));
        QVERIFY(q.exec(u"PRAGMA user_version=1"_s));
    }
    QVERIFY(ts.reopen());
    QCOMPARE(ts.store().schemaVersion(), Store::latestSchemaVersion());
    QVERIFY(Store::latestSchemaVersion() >= 2);
    QCOMPARE(eventCount(ts.store()), events);
    QVERIFY(verifyLedger(ts.store()).ok());
    QSqlQuery q(ts.store().writer());
    QVERIFY(q.exec(u"SELECT COUNT(*) FROM staff"_s) && q.next()); // the new table exists
    QCOMPARE(q.value(0).toInt(), 0);
    // The name index came over to schema 6's table: a search by name still finds each.
    QVERIFY(!q.exec(u"SELECT 1 FROM member_name_index"_s));
    QVERIFY(q.exec(u"SELECT COUNT(*), MIN(length(token)), MAX(length(token)) FROM member_names"_s) && q.next());
    QVERIFY(q.value(0).toInt() > 0);
    QCOMPARE(q.value(1).toInt(), 16);
    QCOMPARE(q.value(2).toInt(), 16);
    for (const auto &[query, name] : {std::pair{u"budi san"_s, u"Budi Santoso"_s}, std::pair{u"lest"_s, u"Dewi Lestari"_s}}) {
        auto found = ts.loyalty().search(query);
        QVERIFY2(found, found ? "" : qPrintable(found.error().message));
        QCOMPARE(found->size(), 1);
        QCOMPARE(found->at(0).name, name);
    }
}

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
