// The fallback to the previous version after a failed store upgrade (app/core/fallback.h,
// docs/install.md "Upgrades"): the marker previous/ACTIVE, the schema of a store read without
// migrating it, the decision, the hand-over itself in a child process (fallback_probe), and the
// removal of the marker after a successful upgrade.
//
// These tests run as root in CI: root may read and write any file, so "this user cannot read
// the store" is made with files that are missing or are no database, never with permissions.
#include "testsupport.h"

#include "core/fallback.h"
#include "core/store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace setia;

namespace {

const QString kProgram = u"fallback_probe"_s;
const QString kFix = u"fix the cause, then, as root: dpkg-reconfigure setia"_s;

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size() && f.flush();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A SQLite file with one table and PRAGMA user_version = schema (a store's schema as far as the
// fallback reads it). Empty on success, the error otherwise.
QString makeSchemaFile(const QString &path, int schema)
{
    const QString connection = u"tst_fallback_%1"_s.arg(path);
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connection);
        db.setDatabaseName(path);
        if (!db.open()) {
            error = db.lastError().text();
        } else {
            QSqlQuery q(db);
            if (!q.exec(u"CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT)"_s) || !q.exec(u"PRAGMA user_version=%1"_s.arg(schema)))
                error = q.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return error;
}

// What shouldHandOver() says about a store at an older schema / one it cannot read.
QString whyOlder(const QString &store, int schema, const QString &reason)
{
    return u"the store %1 is at schema %2 and was not upgraded to schema %3 (%4)"_s.arg(store).arg(schema).arg(
        Store::latestSchemaVersion()).arg(reason);
}

QString whyUnreadable(const QString &store, const QString &reason)
{
    return u"the upgrade of the store %1 to schema %2 did not happen (%3), and this user cannot read the store to see whether it has since"_s
        .arg(store)
        .arg(Store::latestSchemaVersion())
        .arg(reason);
}

// SETIA_PREVIOUS_DIR of this process, for previousDir() and clearMarker(); restored on scope exit.
class PreviousDirEnv {
public:
    explicit PreviousDirEnv(const QString &dir)
        : m_had(qEnvironmentVariableIsSet("SETIA_PREVIOUS_DIR"))
        , m_old(qgetenv("SETIA_PREVIOUS_DIR"))
    {
        qputenv("SETIA_PREVIOUS_DIR", QFile::encodeName(dir));
    }
    ~PreviousDirEnv()
    {
        if (m_had)
            qputenv("SETIA_PREVIOUS_DIR", m_old);
        else
            qunsetenv("SETIA_PREVIOUS_DIR");
    }
    PreviousDirEnv(const PreviousDirEnv &) = delete;
    PreviousDirEnv &operator=(const PreviousDirEnv &) = delete;

private:
    bool m_had;
    QByteArray m_old;
};

struct ProbeRun {
    bool finished = false;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Runs fallback_probe with args, SETIA_PREVIOUS_DIR=previousDir and no SETIA_HANDED_OVER unless
// guard is given.
ProbeRun runProbe(const QString &previousDir, const QStringList &args, const QByteArray &guard = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"SETIA_PREVIOUS_DIR"_s, previousDir);
    env.remove(u"SETIA_HANDED_OVER"_s);
    if (!guard.isNull())
        env.insert(u"SETIA_HANDED_OVER"_s, QString::fromLatin1(guard));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::SeparateChannels);
    p.start(QString::fromUtf8(SETIA_FALLBACK_PROBE), args);
    ProbeRun r;
    r.finished = p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit;
    if (!r.finished) {
        p.kill();
        p.waitForFinished();
    }
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QByteArray newOutput(const QStringList &args, const QByteArray &guard = "unset")
{
    return "NEW " + args.join(u' ').toUtf8() + "\nSETIA_HANDED_OVER=" + guard + '\n';
}

} // namespace

class TestFallback : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    void previousDirFromEnvironment();
    void readMarkerWithoutActive();
    void readMarker_data();
    void readMarker();
    void storeSchema();
    void storeSchemaReadsWithoutWriting();
    void shouldHandOverInactive();
    void shouldHandOverStaleMarker();
    void shouldHandOverOlderStore();
    void shouldHandOverUnreadableStore_data();
    void shouldHandOverUnreadableStore();

    void handOverWithoutMarker();
    void handOverToPrevious();
    void handOverNotWhenStoreIsUpgraded();
    void handOverNotWhenWritableByOthers_data();
    void handOverNotWhenWritableByOthers();
    void handOverNotWhenOwnedBySomeoneElse();
    void handOverOnceAtMost();
    void handOverNotWhenPreviousIsMissing_data();
    void handOverNotWhenPreviousIsMissing();
    void handOverNotToItself();
    void handOverThatFailsGoesOn();

    void clearMarkerWithoutMarker();
    void clearMarkerOfThisStore();
    void clearMarkerOfAnotherStore();

private:
    // A folder for one test: previous/ (the previous version) and the stores.
    struct Folder {
        QTemporaryDir tmp;
        QString previous() const { return tmp.filePath(u"previous"_s); }
        QString program() const { return QDir(previous()).filePath(kProgram); }
        QString path(const QString &name) const { return tmp.filePath(name); }
    };
    static bool makeFolder(Folder &f) { return f.tmp.isValid() && QDir().mkpath(f.previous()); }
    // Copies fallback_probe into previous/ as the previous version, mode 0755.
    static bool installPrevious(const Folder &f);
    static bool writeMarker(const Folder &f, const QString &store, const QString &reason = u"migration 5 failed"_s,
                            const QByteArray &version = "0.1.0\n");
};

bool TestFallback::installPrevious(const Folder &f)
{
    const QByteArray target = QFile::encodeName(f.program());
    return QFile::copy(QString::fromUtf8(SETIA_FALLBACK_PROBE), f.program()) && ::chmod(target.constData(), 0755) == 0;
}

bool TestFallback::writeMarker(const Folder &f, const QString &store, const QString &reason, const QByteArray &version)
{
    QByteArray active = "STORE=" + store.toUtf8() + "\nVERSION=0.1.0\nTIME=2026-03-02T10:00:00+07:00\n";
    if (!reason.isEmpty())
        active += "REASON=" + reason.toUtf8() + '\n';
    return writeFile(QDir(f.previous()).filePath(u"ACTIVE"_s), active)
        && (version.isNull() || writeFile(QDir(f.previous()).filePath(u"VERSION"_s), version));
}

void TestFallback::initTestCase()
{
    // The hand-over tests use a schema-4 store (the schema of 0.1.0) as the one left behind.
    QVERIFY2(Store::latestSchemaVersion() > 4, "the tests need a latest schema above 4");
    QVERIFY2(QFileInfo(QString::fromUtf8(SETIA_FALLBACK_PROBE)).isExecutable(), SETIA_FALLBACK_PROBE);
}

void TestFallback::previousDirFromEnvironment()
{
    {
        PreviousDirEnv env(u"/tmp/somewhere/previous"_s);
        QCOMPARE(fallback::previousDir(), u"/tmp/somewhere/previous"_s);
    }
    {
        PreviousDirEnv env(QString{});
        QCOMPARE(fallback::previousDir(), u"/var/lib/setia/previous"_s);
    }
    QCOMPARE(fallback::defaultStorePath(), u"/var/lib/setia/setia.db"_s);
}

void TestFallback::readMarkerWithoutActive()
{
    Folder f;
    QVERIFY(makeFolder(f));
    QVERIFY(writeFile(QDir(f.previous()).filePath(u"VERSION"_s), "0.1.0\n"));
    const fallback::Marker m = fallback::readMarker(f.previous());
    QVERIFY(!m.active);
    QVERIFY(m.store.isEmpty());
    QVERIFY(m.reason.isEmpty());
    QVERIFY(m.version.isEmpty());
    QVERIFY(!fallback::readMarker(f.path(u"no-such-folder"_s)).active);
}

void TestFallback::readMarker_data()
{
    QTest::addColumn<QByteArray>("active");
    QTest::addColumn<QByteArray>("version"); // null: no VERSION file
    QTest::addColumn<QString>("store");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("expectedVersion");

    const QString def = fallback::defaultStorePath();
    QTest::newRow("store and reason") << QByteArray("STORE=/srv/till/setia.db\nREASON=Upgrading the store to schema 5 failed\n")
                                      << QByteArray("0.1.0\n") << u"/srv/till/setia.db"_s
                                      << u"Upgrading the store to schema 5 failed"_s << u"0.1.0"_s;
    QTest::newRow("empty ACTIVE") << QByteArray("") << QByteArray() << def << QString() << QString();
    QTest::newRow("no STORE line") << QByteArray("REASON=disk full\nTIME=2026-03-02T10:00:00+07:00\n") << QByteArray("0.1.0")
                                   << def << u"disk full"_s << u"0.1.0"_s;
    QTest::newRow("empty STORE") << QByteArray("STORE=\nREASON=x\n") << QByteArray() << def << u"x"_s << QString();
    QTest::newRow("spaces and CRLF") << QByteArray("  STORE= /srv/a b.db \r\nREASON=  why  \r\n") << QByteArray("  0.2.0  \r\nsecond\n")
                                     << u"/srv/a b.db"_s << u"why"_s << u"0.2.0"_s;
    QTest::newRow("value with =") << QByteArray("STORE=/srv/x=y.db\nREASON=a=b\n") << QByteArray() << u"/srv/x=y.db"_s << u"a=b"_s
                                  << QString();
    QTest::newRow("other lines ignored") << QByteArray("# written by postinst\n=nokey\nstore=/lower.db\nSTOREX=/x.db\nnoequals\n")
                                         << QByteArray() << def << QString() << QString();
    QTest::newRow("last line wins") << QByteArray("STORE=/first.db\nSTORE=/second.db\nREASON=one\nREASON=two\n") << QByteArray()
                                    << u"/second.db"_s << u"two"_s << QString();
    QTest::newRow("no final newline") << QByteArray("REASON=r\nSTORE=/srv/last.db") << QByteArray("") << u"/srv/last.db"_s << u"r"_s
                                      << QString();
}

void TestFallback::readMarker()
{
    QFETCH(QByteArray, active);
    QFETCH(QByteArray, version);
    QFETCH(QString, store);
    QFETCH(QString, reason);
    QFETCH(QString, expectedVersion);
    Folder f;
    QVERIFY(makeFolder(f));
    QVERIFY(writeFile(QDir(f.previous()).filePath(u"ACTIVE"_s), active));
    if (!version.isNull())
        QVERIFY(writeFile(QDir(f.previous()).filePath(u"VERSION"_s), version));
    const fallback::Marker m = fallback::readMarker(f.previous());
    QVERIFY(m.active);
    QCOMPARE(m.store, store);
    QCOMPARE(m.reason, reason);
    QCOMPARE(m.version, expectedVersion);
}

void TestFallback::storeSchema()
{
    Folder f;
    QVERIFY(makeFolder(f));
    QCOMPARE(fallback::storeSchema(f.path(u"missing.db"_s)), -1);
    QCOMPARE(fallback::storeSchema(f.previous()), -1); // a folder
    QVERIFY(writeFile(f.path(u"text.db"_s), QByteArray("This is not a SQLite database, only some text.\n").repeated(40)));
    QCOMPARE(fallback::storeSchema(f.path(u"text.db"_s)), -1);
    // An empty file is an empty SQLite database: schema 0.
    QVERIFY(writeFile(f.path(u"empty.db"_s), {}));
    QCOMPARE(fallback::storeSchema(f.path(u"empty.db"_s)), 0);

    QCOMPARE(makeSchemaFile(f.path(u"v4.db"_s), 4), QString());
    QCOMPARE(fallback::storeSchema(f.path(u"v4.db"_s)), 4);
    QCOMPARE(makeSchemaFile(f.path(u"v0.db"_s), 0), QString());
    QCOMPARE(fallback::storeSchema(f.path(u"v0.db"_s)), 0);

    // A real store, as Setia makes it.
    test::TempStore ts;
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    QCOMPARE(fallback::storeSchema(ts.dbPath()), Store::latestSchemaVersion());
    ts.close();
    QCOMPARE(fallback::storeSchema(ts.dbPath()), Store::latestSchemaVersion());
}

void TestFallback::storeSchemaReadsWithoutWriting()
{
    Folder f;
    QVERIFY(makeFolder(f));
    const QString db = f.path(u"v4.db"_s);
    QCOMPARE(makeSchemaFile(db, 4), QString());
    const QByteArray before = readFile(db);
    QVERIFY(!before.isEmpty());
    QCOMPARE(fallback::storeSchema(db), 4);
    QCOMPARE(readFile(db), before);
    QCOMPARE(QDir(f.tmp.path()).entryList(QDir::Files | QDir::Hidden), QStringList{u"v4.db"_s});
}

void TestFallback::shouldHandOverInactive()
{
    fallback::Marker m;
    m.store = u"/nonexistent/setia.db"_s; // would hand over if the marker were active
    QString why = u"untouched"_s;
    QVERIFY(!fallback::shouldHandOver(m, Store::latestSchemaVersion(), &why));
    QCOMPARE(why, u"untouched"_s);
}

void TestFallback::shouldHandOverStaleMarker()
{
    Folder f;
    QVERIFY(makeFolder(f));
    const int latest = Store::latestSchemaVersion();
    fallback::Marker m;
    m.active = true;
    m.reason = u"migration failed"_s;
    QString why = u"untouched"_s;

    test::TempStore ts;
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    ts.close();
    m.store = ts.dbPath();
    QVERIFY(!fallback::shouldHandOver(m, latest, &why));

    QCOMPARE(makeSchemaFile(f.path(u"newer.db"_s), latest + 1), QString());
    m.store = f.path(u"newer.db"_s);
    QVERIFY(!fallback::shouldHandOver(m, latest, &why));

    // The schema is compared with the one given, not with this build's.
    QCOMPARE(makeSchemaFile(f.path(u"v4.db"_s), 4), QString());
    m.store = f.path(u"v4.db"_s);
    QVERIFY(!fallback::shouldHandOver(m, 4, &why));
    QVERIFY(!fallback::shouldHandOver(m, 3, &why));
    QCOMPARE(why, u"untouched"_s);
    QVERIFY(fallback::shouldHandOver(m, 5, &why));
    QCOMPARE(why, u"the store %1 is at schema 4 and was not upgraded to schema 5 (migration failed)"_s.arg(m.store));
}

void TestFallback::shouldHandOverOlderStore()
{
    Folder f;
    QVERIFY(makeFolder(f));
    const QString db = f.path(u"v4.db"_s);
    QCOMPARE(makeSchemaFile(db, 4), QString());
    fallback::Marker m;
    m.active = true;
    m.store = db;
    m.reason = u"Upgrading the store to schema 5 failed and was rolled back"_s;
    QString why;
    QVERIFY(fallback::shouldHandOver(m, Store::latestSchemaVersion(), &why));
    QCOMPARE(why, whyOlder(db, 4, m.reason));

    m.reason.clear();
    QVERIFY(fallback::shouldHandOver(m, Store::latestSchemaVersion(), &why));
    QCOMPARE(why, whyOlder(db, 4, u"the reason is in previous/ACTIVE"_s));

    QCOMPARE(makeSchemaFile(f.path(u"one-behind.db"_s), Store::latestSchemaVersion() - 1), QString());
    m.store = f.path(u"one-behind.db"_s);
    m.reason = u"r"_s;
    QVERIFY(fallback::shouldHandOver(m, Store::latestSchemaVersion(), &why));
    QCOMPARE(why, whyOlder(m.store, Store::latestSchemaVersion() - 1, u"r"_s));
}

void TestFallback::shouldHandOverUnreadableStore_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content"); // null: no file
    QTest::newRow("missing") << u"missing.db"_s << QByteArray();
    QTest::newRow("not a database") << u"text.db"_s << QByteArray("not a database\n").repeated(100);
}

void TestFallback::shouldHandOverUnreadableStore()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    Folder f;
    QVERIFY(makeFolder(f));
    if (!content.isNull())
        QVERIFY(writeFile(f.path(name), content));
    fallback::Marker m;
    m.active = true;
    m.store = f.path(name);
    m.reason = u"disk full"_s;
    QString why;
    QVERIFY(fallback::shouldHandOver(m, Store::latestSchemaVersion(), &why));
    QCOMPARE(why, whyUnreadable(m.store, u"disk full"_s));
}

void TestFallback::handOverWithoutMarker()
{
    Folder f;
    QVERIFY(makeFolder(f));
    QVERIFY(installPrevious(f));
    QVERIFY(writeFile(QDir(f.previous()).filePath(u"VERSION"_s), "0.1.0\n"));
    const QStringList args{u"--db"_s, f.path(u"v4.db"_s), u"members"_s};
    const ProbeRun r = runProbe(f.previous(), args);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, newOutput(args));
    QCOMPARE(r.err, QByteArray());
}

void TestFallback::handOverToPrevious()
{
    Folder f;
    QVERIFY(makeFolder(f));
    QVERIFY(installPrevious(f));
    const QString db = f.path(u"v4.db"_s);
    QCOMPARE(makeSchemaFile(db, 4), QString());
    const QString reason = u"Upgrading the store to schema 5 failed and was rolled back"_s;
    QVERIFY(writeMarker(f, db, reason));
    const QStringList args{u"--db"_s, db, u"--kiosk"_s, u"members"_s};
    const ProbeRun r = runProbe(f.previous(), args);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, "OLD " + args.join(u' ').toUtf8() + " 1\n");
    QCOMPARE(QString::fromLocal8Bit(r.err),
             u"fallback_probe: %1. Running the previous version 0.1.0 (%2) until the upgrade succeeds: %3.\n"_s.arg(
                 whyOlder(db, 4, reason), f.program(), kFix));

    // No VERSION file: the message names no version.
    QVERIFY(QFile::remove(QDir(f.previous()).filePath(u"VERSION"_s)));
    const ProbeRun r2 = runProbe(f.previous(), {});
    QVERIFY(r2.finished);
    QCOMPARE(r2.out, QByteArray("OLD 1\n"));
    QCOMPARE(QString::fromLocal8Bit(r2.err),
             u"fallback_probe: %1. Running the previous version (%2) until the upgrade succeeds: %3.\n"_s.arg(
                 whyOlder(db, 4, reason), f.program(), kFix));
}

void TestFallback::handOverNotWhenStoreIsUpgraded()
{
    Folder f;
    QVERIFY(makeFolder(f));
    QVERIFY(installPrevious(f));
    test::TempStore ts;
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    ts.close();
    QCOMPARE(fallback::storeSchema(ts.dbPath()), Store::latestSchemaVersion());
    QVERIFY(writeMarker(f, ts.dbPath()));
    const QStringList args{u"--db"_s, ts.dbPath()};
    const ProbeRun r = runProbe(f.previous(), args);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, newOutput(args));
    QCOMPARE(r.err, QByteArray());
}

void TestFallback::handOverNotWhenWritableByOthers_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("group-writable 0775") << 0775;
    QTest::newRow("other-writable 0757") << 0757;
    QTest::newRow("writable by all 0777") << 0777;
}

void TestFallback::handOverNotWhenWritableByOthers()
{
    QFETCH(int, mode);
    Folder f;
    QVERIFY(makeFolder(f));
    QVERIFY(installPrevious(f));
    QCOMPARE(::chmod(QFile::encodeName(f.program()).constData(), mode_t(mode)), 0);
    const QString db = f.path(u"v4.db"_s);
    QCOMPARE(makeSchemaFile(db, 4), QString());
    QVERIFY(writeMarker(f, db, u"r"_s));
    const QStringList args{u"--db"_s, db};
    const ProbeRun r = runProbe(f.previous(), args);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, newOutput(args));
    QCOMPARE(QString::fromLocal8Bit(r.err), u"fallback_probe: %1; %2 is not run: it is not root's or may be changed by others.\n"_s.arg(
                                                whyOlder(db, 4, u"r"_s), f.program()));
}

void TestFallback::handOverNotWhenOwnedBySomeoneElse()
{
    if (::geteuid() != 0)
        QSKIP("needs root to give the previous program to another user");
    Folder f;
    QVERIFY(makeFolder(f));
    QVERIFY(installPrevious(f));
    QCOMPARE(::chown(QFile::encodeName(f.program()).constData(), 65534, 65534), 0);
    // chown may clear set-id bits, not the permissions: still 0755, only the owner is wrong.
    QCOMPARE(::chmod(QFile::encodeName(f.program()).constData(), 0755), 0);
    const QString db = f.path(u"v4.db"_s);
    QCOMPARE(makeSchemaFile(db, 4), QString());
    QVERIFY(writeMarker(f, db, u"r"_s));
    const QStringList args{u"--db"_s, db};
    const ProbeRun r = runProbe(f.previous(), args);
    QVERIFY(r.finished);
    QCOMPARE(r.out, newOutput(args));
    QCOMPARE(QString::fromLocal8Bit(r.err), u"fallback_probe: %1; %2 is not run: it is not root's or may be changed by others.\n"_s.arg(
                                                whyOlder(db, 4, u"r"_s), f.program()));
}

void TestFallback::handOverOnceAtMost()
{
    Folder f;
    QVERIFY(makeFolder(f));
    QVERIFY(installPrevious(f));
    const QString db = f.path(u"v4.db"_s);
    QCOMPARE(makeSchemaFile(db, 4), QString());
    QVERIFY(writeMarker(f, db));
    const QStringList args{u"--db"_s, db};
    for (const QByteArray &guard : {QByteArray("1"), QByteArray("")}) {
        const ProbeRun r = runProbe(f.previous(), args, guard);
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, newOutput(args, guard));
        QCOMPARE(r.err, QByteArray());
    }
}

void TestFallback::handOverNotWhenPreviousIsMissing_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("missing") << u"missing"_s;
    QTest::newRow("not executable 0644") << u"0644"_s;
    QTest::newRow("a folder") << u"folder"_s;
}

void TestFallback::handOverNotWhenPreviousIsMissing()
{
    QFETCH(QString, kind);
    Folder f;
    QVERIFY(makeFolder(f));
    if (kind == u"0644"_s) {
        QVERIFY(installPrevious(f));
        QCOMPARE(::chmod(QFile::encodeName(f.program()).constData(), 0644), 0);
    } else if (kind == u"folder"_s) {
        QVERIFY(QDir().mkpath(f.program()));
    }
    const QString db = f.path(u"v4.db"_s);
    QCOMPARE(makeSchemaFile(db, 4), QString());
    QVERIFY(writeMarker(f, db, u"r"_s));
    const QStringList args{u"--db"_s, db};
    const ProbeRun r = runProbe(f.previous(), args);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, newOutput(args));
    QCOMPARE(QString::fromLocal8Bit(r.err),
             u"fallback_probe: %1; the previous version's %2 is not there, so this version runs (and may refuse the store): %3.\n"_s.arg(
                 whyOlder(db, 4, u"r"_s), f.program(), kFix));
}

void TestFallback::handOverNotToItself()
{
    // previous/fallback_probe is a hard link to the running binary: the same file, so this is
    // the previous version already (nothing said).
    Folder f;
    QVERIFY(makeFolder(f));
    if (::link(SETIA_FALLBACK_PROBE, QFile::encodeName(f.program()).constData()) != 0)
        QSKIP("cannot hard-link the probe into the temporary folder (another file system)");
    struct stat st {};
    QCOMPARE(::stat(SETIA_FALLBACK_PROBE, &st), 0);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        QSKIP("the probe in the build folder is writable by others, so it would not be run anyway");
    const QString db = f.path(u"v4.db"_s);
    QCOMPARE(makeSchemaFile(db, 4), QString());
    QVERIFY(writeMarker(f, db));
    // Started from the build folder (not from previous/), so the probe plays the new version.
    const QStringList args{u"--db"_s, db};
    const ProbeRun r = runProbe(f.previous(), args);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, newOutput(args));
    QCOMPARE(r.err, QByteArray());
}

void TestFallback::handOverThatFailsGoesOn()
{
    // An executable file that execve() refuses (ENOEXEC: no ELF, no "#!"): this version says so,
    // takes the guard back and goes on.
    Folder f;
    QVERIFY(makeFolder(f));
    QVERIFY(writeFile(f.program(), QByteArray("this is no program\n").repeated(10)));
    QCOMPARE(::chmod(QFile::encodeName(f.program()).constData(), 0755), 0);
    const QString db = f.path(u"v4.db"_s);
    QCOMPARE(makeSchemaFile(db, 4), QString());
    QVERIFY(writeMarker(f, db, u"r"_s));
    const QStringList args{u"--db"_s, db};
    const ProbeRun r = runProbe(f.previous(), args);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, newOutput(args));
    QCOMPARE(QString::fromLocal8Bit(r.err),
             u"fallback_probe: %1. Running the previous version 0.1.0 (%2) until the upgrade succeeds: %3.\n"
             "fallback_probe: cannot run %2 (%4); this version goes on.\n"_s.arg(whyOlder(db, 4, u"r"_s), f.program(), kFix,
                                                                                 QString::fromLocal8Bit(std::strerror(ENOEXEC))));
}

void TestFallback::clearMarkerWithoutMarker()
{
    Folder f;
    QVERIFY(makeFolder(f));
    PreviousDirEnv env(f.previous());
    QString why = u"untouched"_s;
    QVERIFY(fallback::clearMarker(f.path(u"v4.db"_s), &why));
    QCOMPARE(why, u"untouched"_s);
}

void TestFallback::clearMarkerOfThisStore()
{
    Folder f;
    QVERIFY(makeFolder(f));
    QVERIFY(QDir().mkpath(f.path(u"data"_s)));
    const QString db = f.path(u"data/setia.db"_s);
    QCOMPARE(makeSchemaFile(db, 4), QString());
    QVERIFY(QFile::link(f.path(u"data"_s), f.path(u"alias"_s)));
    PreviousDirEnv env(f.previous());
    const QString active = QDir(f.previous()).filePath(u"ACTIVE"_s);

    // The same store by another spelling of its path: removed.
    for (const QString &named : {db, f.path(u"data/../data/./setia.db"_s), f.path(u"alias/setia.db"_s)}) {
        QVERIFY(writeMarker(f, named));
        QString why = u"untouched"_s;
        QVERIFY(fallback::clearMarker(db, &why));
        QVERIFY2(!QFileInfo::exists(active), qPrintable(named));
        QCOMPARE(why, u"untouched"_s);
        QVERIFY(QFileInfo::exists(QDir(f.previous()).filePath(u"VERSION"_s))); // only ACTIVE goes
    }
    // And the other way round: the marker names the canonical path, the caller another one.
    QVERIFY(writeMarker(f, db));
    QString why;
    QVERIFY(fallback::clearMarker(f.path(u"alias/setia.db"_s), &why));
    QVERIFY(!QFileInfo::exists(active));
}

void TestFallback::clearMarkerOfAnotherStore()
{
    Folder f;
    QVERIFY(makeFolder(f));
    const QString db = f.path(u"setia.db"_s), other = f.path(u"other.db"_s);
    QCOMPARE(makeSchemaFile(db, 4), QString());
    QCOMPARE(makeSchemaFile(other, 4), QString());
    PreviousDirEnv env(f.previous());
    const QString active = QDir(f.previous()).filePath(u"ACTIVE"_s);
    QVERIFY(writeMarker(f, other));
    const QByteArray before = readFile(active);
    QString why = u"untouched"_s;
    QVERIFY(fallback::clearMarker(db, &why));
    QCOMPARE(readFile(active), before);
    QCOMPARE(why, u"untouched"_s);
    // A marker without STORE is about the package's store, not this one.
    QVERIFY(writeFile(active, "REASON=r\n"));
    QVERIFY(fallback::clearMarker(db, &why));
    QCOMPARE(readFile(active), QByteArray("REASON=r\n"));
}

QTEST_GUILESS_MAIN(TestFallback)
#include "tst_fallback.moc"
