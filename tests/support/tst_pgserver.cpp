// PgServer, the throw-away PostgreSQL of the integration tests: it starts, serves Qt's QPSQL
// driver and psql, keeps its data over restart(), cleans up when destroyed, and two of them in
// one process get their own port and folder. Skipped where PostgreSQL or QPSQL is missing.
#include "pgserver.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using setia::test::PgServer;

// Starts pg or ends the calling test: skipped when PostgreSQL is not installed, failed otherwise.
#define START_OR_SKIP(pg)                                                                                              \
    do {                                                                                                               \
        if (!(pg).start()) {                                                                                           \
            if ((pg).skippable())                                                                                      \
                QSKIP(qPrintable((pg).error()));                                                                       \
            QFAIL(qPrintable((pg).error()));                                                                           \
        }                                                                                                              \
    } while (false)

namespace {

// A named QPSQL connection to pg's database, removed again when it goes out of scope.
class Connection {
public:
    Connection(const PgServer &pg, const QString &name) : m_name(name)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        db.setHostName(pg.host());
        db.setPort(pg.port());
        db.setDatabaseName(pg.database());
        db.setUserName(pg.user());
        db.setPassword(pg.password());
        if (!db.open())
            m_error = db.lastError().text();
    }
    ~Connection()
    {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    QString error() const { return m_error; }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }

    // Runs sql, returns the first column of the first row (or the error text, prefixed).
    QString value(const QString &sql) const
    {
        QSqlQuery q(db());
        if (!q.exec(sql))
            return u"ERROR: "_s + q.lastError().text();
        return q.next() ? q.value(0).toString() : QString();
    }
    bool exec(const QString &sql) const
    {
        QSqlQuery q(db());
        const bool ok = q.exec(sql);
        if (!ok)
            qWarning().noquote() << sql << "->" << q.lastError().text();
        return ok;
    }

private:
    QString m_name;
    QString m_error;
};

} // namespace

class TestPgServer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!QSqlDatabase::isDriverAvailable(u"QPSQL"_s))
            QSKIP("Qt's QPSQL driver is not installed (Debian: libqt6sql6-psql)");
    }

    void startQueryRestart()
    {
        PgServer pg;
        QVERIFY(!pg.running());
        QElapsedTimer timer;
        timer.start();
        START_OR_SKIP(pg);
        qInfo("start() took %lld ms (port %d, %s)", timer.elapsed(), pg.port(), qPrintable(pg.binDir()));
        QVERIFY(pg.running());
        QCOMPARE(pg.host(), u"127.0.0.1"_s);
        QCOMPARE(pg.database(), u"setia"_s);
        QCOMPARE(pg.user(), u"setia"_s);
        QVERIFY(pg.port() > 0 && pg.port() < 65536);
        QCOMPARE(pg.connInfo(), u"host=127.0.0.1 port=%1 dbname=setia user=setia"_s.arg(pg.port()));

        {
            Connection c(pg, u"pg1"_s);
            QVERIFY2(c.error().isEmpty(), qPrintable(c.error()));
            QCOMPARE(c.value(u"SELECT current_database()"_s), u"setia"_s);
            QVERIFY(c.value(u"SELECT version()"_s).startsWith(u"PostgreSQL "_s));
            QCOMPARE(c.value(u"SHOW listen_addresses"_s), u"127.0.0.1"_s);
            QCOMPARE(c.value(u"SHOW fsync"_s), u"off"_s);
            QVERIFY(c.exec(u"CREATE TABLE members (id integer PRIMARY KEY, name text NOT NULL)"_s));
            QVERIFY(c.exec(u"INSERT INTO members VALUES (1, 'Ani'), (2, 'Budi')"_s));
            QCOMPARE(c.value(u"SELECT name FROM members WHERE id = 2"_s), u"Budi"_s);
            QCOMPARE(c.value(u"SELECT count(*) FROM members"_s), u"2"_s);
        }

        // connInfo() as psql takes it.
        const QString psql = pg.binDir() + u"/psql"_s;
        if (QFileInfo(psql).isExecutable()) {
            QProcess p;
            p.start(psql, {u"-X"_s, u"-tA"_s, u"-c"_s, u"SELECT name FROM members WHERE id = 1"_s, pg.connInfo()});
            QVERIFY(p.waitForFinished(30'000));
            QCOMPARE(p.exitCode(), 0);
            QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()).trimmed(), u"Ani"_s);
        }

        const int port = pg.port();
        const QString dir = pg.dataDir();
        timer.restart();
        QVERIFY2(pg.restart(), qPrintable(pg.error()));
        qInfo("restart() took %lld ms", timer.elapsed());
        QVERIFY(pg.running());
        QCOMPARE(pg.port(), port);
        QCOMPARE(pg.dataDir(), dir);
        {
            Connection c(pg, u"pg1-again"_s);
            QVERIFY2(c.error().isEmpty(), qPrintable(c.error()));
            QCOMPARE(c.value(u"SELECT string_agg(name, ',' ORDER BY id) FROM members"_s), u"Ani,Budi"_s);
        }

        pg.stop();
        QVERIFY(!pg.running());
    }

    void twoServers()
    {
        PgServer a;
        PgServer b;
        START_OR_SKIP(a);
        START_OR_SKIP(b);
        QVERIFY(a.running() && b.running());
        QVERIFY(a.port() != b.port());
        QVERIFY(a.dataDir() != b.dataDir());

        Connection ca(a, u"a"_s);
        Connection cb(b, u"b"_s);
        QVERIFY2(ca.error().isEmpty(), qPrintable(ca.error()));
        QVERIFY2(cb.error().isEmpty(), qPrintable(cb.error()));
        QVERIFY(ca.exec(u"CREATE TABLE t (v text)"_s));
        QVERIFY(cb.exec(u"CREATE TABLE t (v text)"_s));
        QVERIFY(ca.exec(u"INSERT INTO t VALUES ('from a')"_s));
        QVERIFY(cb.exec(u"INSERT INTO t VALUES ('from b')"_s));
        QCOMPARE(ca.value(u"SELECT string_agg(v, ',') FROM t"_s), u"from a"_s);
        QCOMPARE(cb.value(u"SELECT string_agg(v, ',') FROM t"_s), u"from b"_s);
    }

    void destructionStopsAndRemoves()
    {
        QString dir;
        int port = 0;
        {
            PgServer pg;
            START_OR_SKIP(pg);
            dir = pg.dataDir();
            port = pg.port();
            QVERIFY(QFileInfo::exists(dir + u"/PG_VERSION"_s));
            Connection c(pg, u"open-while-destroyed"_s); // an open session must not block the stop
            QVERIFY2(c.error().isEmpty(), qPrintable(c.error()));
            QElapsedTimer timer;
            timer.start();
            pg.stop();
            qInfo("stop() with an open session took %lld ms", timer.elapsed());
        }
        QVERIFY(!QFileInfo::exists(dir));
        // Nothing listens there any more.
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, u"gone"_s);
        db.setHostName(u"127.0.0.1"_s);
        db.setPort(port);
        db.setDatabaseName(u"setia"_s);
        db.setUserName(u"setia"_s);
        db.setConnectOptions(u"connect_timeout=5"_s);
        QVERIFY(!db.open());
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(u"gone"_s);
    }
};

QTEST_GUILESS_MAIN(TestPgServer)
#include "tst_pgserver.moc"
