// Sync end to end (issue #5, docs/sync.md): real setia-hub processes on 127.0.0.1 — on SQLite
// and on a PostgreSQL the test starts — real terminal stores and their sync clients, and a
// fault-injecting proxy between them. Every wait is bounded.
//
// After each scenario converged() checks: the hub's ledger equals the union of the terminals'
// ledgers exactly (plus the hub's own conflict events), every balance and tier on the hub
// equals a reference computed from that union, and every terminal, after one more sync,
// shows the hub's balance and tier and passes its own ledger verification.
#include "faultproxy.h"
#include "pgserver.h"
#include "testsupport.h"

#include "core/crypto.h"
#include "core/program.h"
#include "sync/client/syncclient.h"
#include "sync/protocol/protocol.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QTimer>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace setia;

namespace {

QByteArray syncProgram(qint64 memberCapUnused = 0)
{
    Q_UNUSED(memberCapUnused);
    QJsonObject p = test::baseProgram();
    p.insert(u"tierWindow"_s, QJsonObject{{u"basis"_s, u"spend"_s}, {u"days"_s, 365}});
    p.insert(u"tiers"_s, QJsonArray{QJsonObject{{u"id"_s, u"silver"_s}, {u"name"_s, u"Silver"_s}, {u"threshold"_s, 0}, {u"multiplier"_s, 1}},
                                    QJsonObject{{u"id"_s, u"gold"_s}, {u"name"_s, u"Gold"_s}, {u"threshold"_s, 2000000}, {u"multiplier"_s, 1}}});
    p.insert(u"vouchers"_s, QJsonArray{QJsonObject{{u"id"_s, u"disc-10k"_s}, {u"name"_s, u"Potongan Rp10.000"_s}, {u"discount"_s, 10000},
                                                   {u"minSpend"_s, 50000}, {u"validDays"_s, 30}}});
    p.insert(u"rewards"_s, QJsonArray{QJsonObject{{u"id"_s, u"kopi"_s}, {u"name"_s, u"Es Kopi"_s}, {u"cost"_s, 50}}});
    p.insert(u"pointsAsPayment"_s, QJsonObject{{u"valuePerPoint"_s, 100}, {u"minPoints"_s, 1}});
    return test::toJson(p);
}

bool waitFor(const std::function<bool()> &done, int ms)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > ms)
            return false;
        QTest::qWait(10);
    }
    return true;
}

// One setia-hub process.
class Hub {
public:
    Hub(QString postgres, QStringList extra) : m_postgres(std::move(postgres)), m_extra(std::move(extra)) {}
    ~Hub() { kill(); }

    bool start(QString *error)
    {
        QFile::remove(m_dir.filePath(u"port"_s));
        QStringList args;
        if (m_postgres.isEmpty())
            args << u"--db"_s << m_dir.filePath(u"hub.db"_s);
        else
            args << u"--postgres"_s << m_postgres;
        args << u"--key"_s << m_dir.filePath(u"hub.key"_s) << u"--operator-token-file"_s << m_dir.filePath(u"op.token"_s)
             << u"--listen"_s << u"127.0.0.1:%1"_s.arg(m_port) << u"--port-file"_s << m_dir.filePath(u"port"_s) << m_extra;
        m_proc = std::make_unique<QProcess>();
        m_proc->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_proc->start(QStringLiteral(SETIA_HUB_BIN), args);
        if (!m_proc->waitForStarted(10000)) {
            *error = u"setia-hub did not start: "_s + m_proc->errorString();
            return false;
        }
        if (!waitFor([&] { return QFile::exists(m_dir.filePath(u"port"_s)) || m_proc->state() != QProcess::Running; }, 30000)
            || m_proc->state() != QProcess::Running) {
            *error = u"setia-hub did not come up"_s;
            return false;
        }
        QFile pf(m_dir.filePath(u"port"_s));
        if (!pf.open(QIODevice::ReadOnly)) {
            *error = u"no port file"_s;
            return false;
        }
        m_port = quint16(pf.readAll().trimmed().toUInt());
        QFile tf(m_dir.filePath(u"op.token"_s));
        if (!tf.open(QIODevice::ReadOnly))
            return false;
        m_token = tf.readAll().trimmed();
        return m_port != 0;
    }
    void kill()
    {
        if (m_proc && m_proc->state() != QProcess::NotRunning) {
            ::kill(pid_t(m_proc->processId()), SIGKILL);
            m_proc->waitForFinished(10000);
        }
    }
    quint16 port() const { return m_port; }
    QString dir() const { return m_dir.path(); }

    // An operator request; the JSON answer (status in *status).
    QJsonDocument admin(const QByteArray &method, const QString &path, const QByteArray &body = {}, int *status = nullptr)
    {
        QNetworkRequest req(QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(path)));
        req.setRawHeader("Authorization", "Bearer " + m_token);
        req.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        QNetworkReply *r = method == "GET" ? m_net.get(req) : m_net.post(req, body);
        QEventLoop loop;
        QObject::connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(30000, &loop, &QEventLoop::quit);
        loop.exec();
        if (status)
            *status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonDocument d = QJsonDocument::fromJson(r->readAll());
        r->deleteLater();
        return d;
    }
    QString token(const QString &storeId)
    {
        return admin("POST", u"/v1/admin/tokens"_s, test::toJson(QJsonObject{{u"storeId"_s, storeId}, {u"name"_s, u"till"_s}}))
            .object()
            .value(u"token"_s)
            .toString();
    }
    QJsonArray allEvents()
    {
        QJsonArray all;
        qint64 after = 0;
        for (int page = 0; page < 1000; ++page) {
            const QJsonArray a = admin("GET", u"/v1/admin/events?after=%1&limit=10000"_s.arg(after)).array();
            for (const QJsonValue &v : a)
                all.append(v);
            if (a.size() < 10000)
                break;
            after = a.last().toObject().value(u"serverSeq"_s).toString().toLongLong();
        }
        return all;
    }
    QJsonObject member(const QString &id) { return admin("GET", u"/v1/admin/members?memberId="_s + id).object(); }
    QJsonArray alerts() { return admin("GET", u"/v1/admin/alerts"_s).array(); }

private:
    QTemporaryDir m_dir;
    QString m_postgres;
    QStringList m_extra;
    std::unique_ptr<QProcess> m_proc;
    quint16 m_port = 0;
    QByteArray m_token;
    QNetworkAccessManager m_net;
};

// One terminal: a real store (the chain's shared key ring), its sync client, its proxy.
class Terminal {
public:
    Terminal(const QString &storeId, const QString &chainKey, quint64 seed, qint64 clockOffsetMs = 0)
        : m_clock(QDateTime::currentMSecsSinceEpoch() + clockOffsetMs), m_random(seed)
    {
        auto s = Store::open(m_dir.filePath(u"setia.db"_s), Store::Options{Store::Mode::ReadWrite, true});
        if (!s) {
            m_error = s.error().message;
            return;
        }
        m_store = std::move(s).value();
        auto keys = KeyRing::open(chainKey, true);
        if (!keys) {
            m_error = keys.error().message;
            return;
        }
        m_loyalty = std::make_unique<Loyalty>(*m_store, std::move(keys).value(), m_clock, m_random);
        if (auto st = m_loyalty->initialize(storeId, storeId, u"Asia/Jakarta"_s, u"IDR"_s); !st) {
            m_error = st.error().message;
            return;
        }
        if (auto v = m_loyalty->loadProgram(syncProgram(), u"test"_s); !v)
            m_error = v.error().message;
        m_proxy.listen();
    }
    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }
    Loyalty &loyalty() { return *m_loyalty; }
    Store &store() { return *m_store; }
    ManualClock &clock() { return m_clock; }
    FaultProxy &proxy() { return m_proxy; }
    sync::SyncClient &client() { return *m_client; }

    bool attach(Hub &hub, const QString &storeId, QString *error)
    {
        m_proxy.setUpstreamPort(hub.port());
        sync::ClientConfig c;
        c.hubUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(m_proxy.port()));
        c.keyPath = m_dir.filePath(u"sync.key"_s);
        c.batchSize = 500;
        c.intervalMs = 3'600'000; // the tests sync by hand
        c.backoffBaseMs = 3'600'000;
        c.timeoutMs = 60'000;
        m_client = std::make_unique<sync::SyncClient>(*m_loyalty, c);
        bool done = false, okay = false;
        m_client->registerTerminal(hub.token(storeId), u"till"_s, [&](bool o, const QString &e) {
            done = true;
            okay = o;
            *error = e;
        });
        return waitFor([&] { return done; }, 30000) && okay;
    }
    // One whole sync; its result.
    bool sync(int timeoutMs = 120000)
    {
        QSignalSpy spy(m_client.get(), &sync::SyncClient::finished);
        if (!m_client->syncNow())
            return false;
        if (!spy.wait(timeoutMs))
            return false;
        return spy.first().first().toBool();
    }
    // Reconnects the client to a (restarted) hub on another port.
    void retarget(quint16 hubPort) { m_proxy.setUpstreamPort(hubPort); }

    QString enroll(const QString &name, const QString &phone, const QString &card = {})
    {
        EnrollRequest r;
        r.name = name;
        r.phone = phone;
        r.cardNumber = card;
        r.actor = u"kasir"_s;
        auto m = m_loyalty->enroll(r);
        return m ? m->memberId : QString();
    }
    bool earn(const QString &member, const QString &receipt, qint64 total)
    {
        Basket b;
        b.receiptId = receipt;
        b.paymentMethod = u"cash"_s;
        b.total = total;
        return m_loyalty->earn(member, b, u"kasir"_s).ok();
    }
    QList<std::pair<QString, QString>> ledger() // event id, hash
    {
        QList<std::pair<QString, QString>> out;
        QSqlQuery q(m_store->writer());
        q.exec(u"SELECT event_id, hash FROM events"_s);
        while (q.next())
            out.append({q.value(0).toString(), q.value(1).toString()});
        return out;
    }

private:
    QTemporaryDir m_dir;
    ManualClock m_clock;
    SeededRandom m_random;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<Loyalty> m_loyalty;
    std::unique_ptr<sync::SyncClient> m_client;
    FaultProxy m_proxy;
    QString m_error;
};

} // namespace

class TestSync : public QObject {
    Q_OBJECT

    test::PgServer m_pg;
    bool m_pgReady = false;
    QString m_pgError;
    int m_databases = 0;
    QTemporaryDir m_chain; // the chain's shared key ring
    QString chainKey() const { return m_chain.filePath(u"chain.key"_s); }

    // A new hub for this test on the backend of the current data row.
    std::unique_ptr<Hub> newHub(QStringList extra = {})
    {
        QFETCH_GLOBAL(QString, backend);
        QString conn;
        if (backend == u"postgres"_s) {
            const QString name = u"t%1"_s.arg(++m_databases);
            {
                QSqlDatabase d = QSqlDatabase::addDatabase(u"QPSQL"_s, u"admin"_s);
                d.setHostName(m_pg.host());
                d.setPort(m_pg.port());
                d.setDatabaseName(m_pg.database());
                d.setUserName(m_pg.user());
                if (!d.open())
                    return {};
                QSqlQuery q(d);
                if (!q.exec(u"CREATE DATABASE "_s + name))
                    return {};
            }
            QSqlDatabase::removeDatabase(u"admin"_s);
            conn = u"host=%1 port=%2 dbname=%3 user=%4"_s.arg(m_pg.host()).arg(m_pg.port()).arg(name, m_pg.user());
        }
        auto hub = std::make_unique<Hub>(conn, extra);
        QString error;
        if (!hub->start(&error)) {
            qWarning("%s", qPrintable(error));
            return {};
        }
        // The chain's operator publishes the program: the hub computes tiers with it.
        int status = 0;
        hub->admin("POST", u"/v1/admin/programs"_s, syncProgram(), &status);
        if (status != 201) {
            qWarning("publishing the program: HTTP %d", status);
            return {};
        }
        return hub;
    }

    // The hub's ledger is the union of the terminals' (plus its own events); balances and
    // tiers equal a reference from that union; every terminal converges after one more sync.
    void converged(Hub &hub, const QList<Terminal *> &terminals)
    {
        for (Terminal *t : terminals)
            QVERIFY2(t->sync(), qPrintable(t->client().status().lastError));
        const QJsonArray hubEvents = hub.allEvents();
        QHash<QString, QString> hubHash;
        QHash<QString, QString> memberOfEvent;
        QHash<QString, QString> mergedInto;
        QList<QJsonObject> hubOwn;
        for (const QJsonValue &v : hubEvents) {
            const QJsonObject e = v.toObject();
            const QString id = e.value(u"eventId"_s).toString();
            QVERIFY2(!hubHash.contains(id), "an event stored twice");
            hubHash.insert(id, e.value(u"hash"_s).toString());
            memberOfEvent.insert(id, e.value(u"memberId"_s).toString());
            if (e.value(u"terminalId"_s).toString() == u"hub"_s)
                hubOwn.append(e);
        }
        for (const QJsonObject &e : hubOwn)
            if (e.value(u"type"_s).toString() == u"merge"_s)
                mergedInto.insert(memberOfEvent.value(e.value(u"refEventId"_s).toString()), e.value(u"memberId"_s).toString());
        QSet<QString> unionIds;
        QHash<QString, qint64> reference;
        QHash<QString, qint64> spend;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (Terminal *t : terminals) {
            QSqlQuery q(t->store().writer());
            QVERIFY(q.exec(u"SELECT event_id, hash, COALESCE(member_id,''), points, amount, type, occurred_at, server_seq FROM events"_s));
            while (q.next()) {
                const QString id = q.value(0).toString();
                QVERIFY2(hubHash.contains(id), qPrintable(u"event %1 is not on the hub"_s.arg(id)));
                QCOMPARE(hubHash.value(id), q.value(1).toString());
                QVERIFY2(!q.value(7).isNull(), "an event the hub stored is not marked synced");
                if (unionIds.contains(id))
                    continue;
                unionIds.insert(id);
                QString m = q.value(2).toString();
                for (int i = 0; i < 8 && mergedInto.contains(m); ++i)
                    m = mergedInto.value(m);
                if (!m.isEmpty()) {
                    reference[m] += q.value(3).toLongLong();
                    const QString type = q.value(5).toString();
                    if ((type == u"earn"_s || type == u"bonus"_s || type == u"reverse"_s) && q.value(6).toLongLong() > now - 365LL * 86'400'000
                        && q.value(6).toLongLong() <= now)
                        spend[m] += q.value(4).toLongLong();
                }
            }
        }
        QCOMPARE(qsizetype(unionIds.size()), qsizetype(hubHash.size() - hubOwn.size()));
        auto program = parseProgram(syncProgram());
        QVERIFY(program.ok());
        for (auto it = reference.begin(); it != reference.end(); ++it) {
            const QJsonObject m = hub.member(it.key());
            QCOMPARE(m.value(u"balance"_s).toString().toLongLong(), it.value());
            if (m.value(u"status"_s).toString() == u"active"_s) {
                const Tier *tier = program->tierFor(spend.value(it.key()));
                QCOMPARE(m.value(u"tierId"_s).toString(), tier ? tier->id : QString());
            }
        }
        for (Terminal *t : terminals) {
            QVERIFY2(t->sync(), qPrintable(t->client().status().lastError));
            QCOMPARE(t->loyalty().unsyncedCount(), 0);
            const VerifyReport v = t->loyalty().verify();
            QVERIFY2(v.ok(), qPrintable(v.problems.join(u"; "_s)));
            for (auto it = reference.begin(); it != reference.end(); ++it) {
                auto m = t->loyalty().member(it.key());
                if (!m)
                    continue; // erased before this terminal knew it
                const QJsonObject h = hub.member(it.key());
                QCOMPARE(m->balance, h.value(u"balance"_s).toString().toLongLong());
                if (h.value(u"status"_s).toString() == u"active"_s)
                    QCOMPARE(m->tierId, h.value(u"tierId"_s).toString());
            }
        }
    }

private Q_SLOTS:
    void initTestCase_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << u"sqlite"_s;
        QTest::newRow("postgres") << u"postgres"_s;
    }

    void initTestCase()
    {
        m_pgReady = m_pg.start();
        if (!m_pgReady)
            m_pgError = m_pg.error();
        QVERIFY(KeyRing::open(chainKey(), true).ok());
    }

    void init()
    {
        QFETCH_GLOBAL(QString, backend);
        if (backend == u"postgres"_s && !m_pgReady) {
            if (m_pg.skippable())
                QSKIP(qPrintable(u"PostgreSQL is not installed here: "_s + m_pgError));
            QFAIL(qPrintable(u"PostgreSQL did not start: "_s + m_pgError));
        }
    }

    // Two stores: a member enrolled at A earns at B; a program published on the hub reaches both.
    void twoStoresConverge()
    {
        auto hub = newHub();
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 1), b(u"store-b"_s, chainKey(), 2);
        QVERIFY2(a.ok() && b.ok(), qPrintable(a.error() + b.error()));
        QString error;
        QVERIFY2(a.attach(*hub, u"store-a"_s, &error), qPrintable(error));
        QVERIFY2(b.attach(*hub, u"store-b"_s, &error), qPrintable(error));
        QVERIFY(a.loyalty().syncRegistered());
        const QString siti = a.enroll(u"Siti Rahayu"_s, u"0812-1111-2222"_s, u"2000000000015"_s);
        QVERIFY(!siti.isEmpty());
        QVERIFY(a.earn(siti, u"A-1"_s, 2'500'000));
        QVERIFY(a.sync());
        QCOMPARE(a.client().status().waiting, 0);
        QVERIFY(a.client().status().online);
        QVERIFY(b.sync());
        // Store B knows her by card and by phone, with her points and the hub's tier.
        REQUIRE_OK(atB, b.loyalty().memberByCard(u"2000000000015"_s));
        QCOMPARE(atB->memberId, siti);
        QCOMPARE(atB->balance, 250);
        QCOMPARE(atB->tierId, u"gold"_s);
        QCOMPARE(atB->profile.name, u"Siti Rahayu"_s);
        REQUIRE_OK(byPhone, b.loyalty().memberByPhone(u"+6281211112222"_s));
        QCOMPARE(byPhone->memberId, siti);
        QVERIFY(b.earn(siti, u"B-1"_s, 100'000));
        QCOMPARE(b.loyalty().member(siti)->balance, 260);
        // The operator publishes version 2 of the program.
        QJsonObject p2 = QJsonDocument::fromJson(syncProgram()).object();
        p2.insert(u"version"_s, 2);
        int status = 0;
        hub->admin("POST", u"/v1/admin/programs"_s, test::toJson(p2), &status);
        QCOMPARE(status, 201);
        converged(*hub, {&a, &b});
        QCOMPARE(a.loyalty().member(siti)->balance, 260);
        QCOMPARE(a.loyalty().program()->version, 2);
        QCOMPARE(b.loyalty().program()->version, 2);
        // The operator sees both terminals and their last sync.
        const QJsonArray terminals = hub->admin("GET", u"/v1/admin/terminals"_s).array();
        QCOMPARE(terminals.size(), 2);
        for (const QJsonValue &t : terminals)
            QVERIFY(t.toObject().value(u"lastSync"_s).toString().toLongLong() > 0);
        const QJsonObject report = hub->admin("GET", u"/v1/admin/report"_s).object();
        QCOMPARE(report.value(u"total"_s).toObject().value(u"pointsEarned"_s).toString(), u"260"_s);
        QCOMPARE(report.value(u"stores"_s).toArray().size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestSync)
#include "tst_sync.moc"
