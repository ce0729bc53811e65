// Sync end to end (issue #5, docs/sync.md): real setia-hub processes on 127.0.0.1 — on SQLite
// and on a PostgreSQL the test starts — real terminal stores and their sync clients, and a
// fault-injecting proxy between them. Every wait is bounded.
//
// After each scenario converged() checks: the hub's ledger equals the union of the terminals'
// ledgers exactly (plus the hub's own conflict events), every balance and tier on the hub
// equals a reference computed from that union, and every terminal, after one more sync,
// shows the hub's balance and tier and passes its own ledger verification.
#include "faultproxy.h"
#include "hubprocess.h"
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
#include <QCryptographicHash>
#include <QSet>
#include <QSslKey>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <sys/prctl.h>

using namespace Qt::StringLiterals;
using namespace setia;
using namespace synctest;

namespace {

// One terminal: a real store (the chain's shared key ring), its sync client, its proxy.
class Terminal {
public:
    // seedDb: start from a copy of this store file (closed) instead of a new store.
    Terminal(const QString &storeId, const QString &chainKey, quint64 seed, qint64 clockOffsetMs = 0, const QString &seedDb = {})
        : m_clock(QDateTime::currentMSecsSinceEpoch() + clockOffsetMs), m_random(seed)
    {
        m_chainKey = chainKey;
        if (!seedDb.isEmpty() && !QFile::copy(seedDb, m_dir.filePath(u"setia.db"_s))) {
            m_error = u"cannot copy the seed store"_s;
            return;
        }
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
        if (seedDb.isEmpty())
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

    // Registers with the hub, through this terminal's fault proxy (or at url, with the pinned
    // certificate fingerprint pin).
    bool attach(Hub &hub, const QString &storeId, QString *error, const QUrl &url = {}, const QByteArray &pin = {},
                const std::function<void(sync::ClientConfig &)> &tweak = {})
    {
        m_proxy.setUpstreamPort(hub.port());
        sync::ClientConfig c;
        c.hubUrl = url.isEmpty() ? QUrl(u"http://127.0.0.1:%1"_s.arg(m_proxy.port())) : url;
        c.certSha256 = pin;
        c.keyPath = m_dir.filePath(u"sync.key"_s);
        c.batchSize = 500;
        c.intervalMs = 3'600'000; // the tests sync by hand
        c.backoffBaseMs = 3'600'000;
        c.backoffMaxMs = 4 * 3'600'000;
        c.timeoutMs = 60'000;
        if (tweak)
            tweak(c);
        m_config = c;
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
    // A push sent by hand (signed with this terminal's key) straight to the hub, bypassing
    // the client: for duplicated, reordered and concurrent batches. Returns the HTTP status.
    QNetworkReply *rawPushAsync(quint16 hubPort, const QList<LedgerEvent> &events)
    {
        auto key = sync::loadOrCreateKeyFile(m_dir.filePath(u"sync.key"_s), false);
        sync::PushRequest push{m_loyalty->terminalId(), events, {}};
        const QByteArray body = sync::encodePush(push);
        QNetworkRequest req(QUrl(u"http://127.0.0.1:%1/v1/push"_s.arg(hubPort)));
        req.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        req.setRawHeader(sync::kTerminalHeader, m_loyalty->terminalId().toLatin1());
        req.setRawHeader(sync::kSignatureHeader,
                         sync::sign(key ? key->privateKey : QByteArray(32, 'x'), sync::requestSigningInput("POST", "/v1/push", body)).toBase64());
        return m_net.post(req, body);
    }
    QList<sync::EventResult> rawPush(quint16 hubPort, const QList<LedgerEvent> &events, int *status = nullptr)
    {
        QNetworkReply *r = rawPushAsync(hubPort, events);
        QEventLoop loop;
        QObject::connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(60000, &loop, &QEventLoop::quit);
        loop.exec();
        if (status)
            *status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        auto results = sync::decodePushResponse(r->readAll());
        r->deleteLater();
        return results ? results.value() : QList<sync::EventResult>();
    }
    QString dbPath() const { return m_dir.filePath(u"setia.db"_s); }
    void close()
    {
        m_client.reset();
        m_loyalty.reset();
        m_store.reset();
    }
    // Closes the store, lets f change the file, opens it again (as a tamperer with the file would).
    bool tamper(const std::function<void(QSqlDatabase &)> &f)
    {
        m_client.reset();
        m_loyalty.reset();
        m_store.reset();
        {
            QSqlDatabase d = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"tamper"_s);
            d.setDatabaseName(dbPath());
            if (!d.open())
                return false;
            f(d);
            d.close();
        }
        QSqlDatabase::removeDatabase(u"tamper"_s);
        auto st = Store::open(dbPath(), Store::Options{Store::Mode::ReadWrite, false});
        if (!st)
            return false;
        m_store = std::move(st).value();
        auto keys = KeyRing::open(m_chainKey, false);
        if (!keys)
            return false;
        m_loyalty = std::make_unique<Loyalty>(*m_store, std::move(keys).value(), m_clock, m_random);
        m_client = std::make_unique<sync::SyncClient>(*m_loyalty, m_config);
        return true;
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
    QString m_chainKey;
    sync::ClientConfig m_config;
    QNetworkAccessManager m_net;
};

} // namespace

class TestSync : public QObject {
    Q_OBJECT

    test::PgServer m_pg;
    bool m_pgReady = false;
    QString m_pgError;
    int m_databases = 0;
    QTemporaryDir m_chain; // the chain's shared key ring
    QString m_offlineDay;  // the 50,000-event store file, made once
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
                    if ((type == u"earn"_s || type == u"bonus"_s || type == u"reverse"_s) && q.value(6).toLongLong() > now - 365LL * 86'400'000)
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

    // The reply is lost after the hub committed: the retry is answered "duplicate", nothing twice.
    void lostReplyIsRetriedOnce()
    {
        auto hub = newHub();
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 11);
        QString error;
        QVERIFY2(a.ok() && a.attach(*hub, u"store-a"_s, &error), qPrintable(a.error() + error));
        const QString m = a.enroll(u"Budi"_s, u"0813-2222-3333"_s);
        for (int i = 0; i < 5; ++i)
            QVERIFY(a.earn(m, u"R-%1"_s.arg(i), 150'000));
        // Two: Qt resends a request once by itself when a kept-alive connection closes before
        // any answer, so the first loss is already a retry the hub must answer "duplicate".
        a.proxy().dropNextReplies(2);
        QVERIFY(!a.sync());
        QCOMPARE(a.proxy().repliesDropped(), 2);
        QVERIFY(!a.client().status().lastError.isEmpty());
        QCOMPARE(a.client().status().waiting, 6); // the terminal does not know the hub stored them
        QCOMPARE(hub->allEvents().size(), 6);     // ...but it did, once
        a.proxy().setMode(FaultProxy::Mode::Pass);
        QVERIFY(a.sync());
        QCOMPARE(hub->allEvents().size(), 6);     // the retry stored nothing again
        QCOMPARE(hub->member(m).value(u"balance"_s).toString(), u"75"_s);
        converged(*hub, {&a});
    }

    // The network comes back while the client waits out its back-off: it syncs at once, not an
    // hour later. (QNetworkInformation's reachability signal calls networkChanged(); CI has no
    // NetworkManager to send it, so the test calls it as the signal would.)
    void networkBackSyncsAtOnce()
    {
        auto hub = newHub();
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 21);
        QString error;
        QVERIFY2(a.ok() && a.attach(*hub, u"store-a"_s, &error), qPrintable(a.error() + error));
        const QString m = a.enroll(u"Nur"_s, u"0813-4444-5555"_s);
        QVERIFY(a.earn(m, u"N-1"_s, 120'000));
        QVERIFY(!a.client().networkChanged(true)); // not started: the app decides when syncing begins
        a.proxy().setMode(FaultProxy::Mode::Down);
        QSignalSpy finished(&a.client(), &sync::SyncClient::finished);
        a.client().start(); // its first attempt at once, which fails: the network is cut
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.takeFirst().first().toBool(), false);
        QCOMPARE(a.client().status().failures, 1);
        const qint64 delay = a.client().status().nextAttemptAt - QDateTime::currentMSecsSinceEpoch();
        QVERIFY2(delay > 1'790'000, qPrintable(QString::number(delay))); // backing off for half an hour or more
        QVERIFY(!a.client().networkChanged(false)); // going away starts nothing
        a.proxy().setMode(FaultProxy::Mode::Pass);
        QVERIFY(a.client().networkChanged(true));
        QVERIFY(!a.client().networkChanged(true)); // one sync at a time: a second is refused while it runs
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.takeFirst().first().toBool(), true);
        QCOMPARE(a.client().status().failures, 0);
        QCOMPARE(a.client().status().waiting, 0);
        QCOMPARE(hub->member(m).value(u"balance"_s).toString(), u"12"_s);
        a.client().stop();
        QVERIFY(!a.client().networkChanged(true)); // stopped: nothing
        converged(*hub, {&a});
    }

    // A terminal's first pull gathers feed pages and applies them in chunks of firstPullMembers
    // (docs/sync.md); a chunk cut off by the network is pulled again; later pulls apply page by
    // page.
    void firstPullInChunks()
    {
        auto hub = newHub();
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 22), b(u"store-b"_s, chainKey(), 23);
        QString error;
        QVERIFY2(a.ok() && a.attach(*hub, u"store-a"_s, &error), qPrintable(a.error() + error));
        QStringList members;
        for (int i = 0; i < 30; ++i) {
            members << a.enroll(u"Warga %1"_s.arg(i), u"0815%1"_s.arg(20'000'000 + i));
            QVERIFY(a.earn(members.last(), u"W-%1"_s.arg(i), 10'000 * (i + 1)));
        }
        QVERIFY(!members.contains(QString()));
        QVERIFY2(a.sync(), qPrintable(a.client().status().lastError));
        auto small = [](sync::ClientConfig &c) {
            c.feedPageSize = 4;
            c.firstPullMembers = 10;
        };
        QVERIFY2(b.ok() && b.attach(*hub, u"store-b"_s, &error, {}, {}, small), qPrintable(b.error() + error));
        auto count = [](Terminal &t) {
            QSqlQuery q(t.store().writer());
            return q.exec(u"SELECT COUNT(*) FROM members"_s) && q.next() ? q.value(0).toInt() : -1;
        };
        // The network goes at the first request after a chunk was applied (the cursor moved).
        const qint64 before = b.loyalty().feedCursor();
        QCOMPARE(before, 0);
        auto cut = connect(&b.proxy(), &FaultProxy::requestForwarded, &b.proxy(), [&] {
            if (b.loyalty().feedCursor() != before)
                b.proxy().setMode(FaultProxy::Mode::Down);
        });
        QVERIFY(!b.sync());
        disconnect(cut);
        const int firstChunk = count(b);
        QVERIFY2(firstChunk >= 10 && firstChunk < 30, qPrintable(QString::number(firstChunk))); // one chunk, not a page
        QVERIFY(!b.loyalty().feedCaughtUp());
        // The screen says the terminal is being prepared, with the members it has so far.
        QVERIFY(b.client().status().preparing);
        QCOMPARE(b.client().status().membersReceived, qint64(firstChunk));
        // The next sync goes on with the first pull in chunks (the cursor is no longer 0).
        b.proxy().setMode(FaultProxy::Mode::Pass);
        const qint64 afterFirst = b.loyalty().feedCursor();
        cut = connect(&b.proxy(), &FaultProxy::requestForwarded, &b.proxy(), [&] {
            if (b.loyalty().feedCursor() != afterFirst)
                b.proxy().setMode(FaultProxy::Mode::Down);
        });
        QVERIFY(!b.sync());
        disconnect(cut);
        QVERIFY2(count(b) - firstChunk >= 10, qPrintable(QString::number(count(b) - firstChunk)));
        QVERIFY(b.client().status().preparing);
        QCOMPARE(b.client().status().membersReceived, qint64(count(b))); // counted on from the store
        b.proxy().setMode(FaultProxy::Mode::Pass);
        QVERIFY2(b.sync(), qPrintable(b.client().status().lastError));
        QVERIFY(b.loyalty().feedCaughtUp());
        QVERIFY(!b.client().status().preparing);
        QCOMPARE(b.client().status().membersReceived, qint64(30));
        QCOMPARE(count(b), 30);
        for (const QString &m : std::as_const(members)) {
            auto mine = b.loyalty().member(m);
            QVERIFY(mine.ok());
            QCOMPARE(mine->balance, hub->member(m).value(u"balance"_s).toString().toLongLong());
        }
        QVERIFY(!b.loyalty().search(u"Warga 17"_s, 0, 10).value().isEmpty()); // the name index too
        // The feed's transactions commit with synchronous=NORMAL and a bigger cache; the cashier's
        // own commits after them wait for the disk again, with the usual cache.
        {
            QSqlQuery q(b.store().writer());
            QVERIFY(q.exec(u"PRAGMA synchronous"_s) && q.next());
            QCOMPARE(q.value(0).toInt(), 2); // FULL
            QVERIFY(q.exec(u"PRAGMA cache_size"_s) && q.next());
            QCOMPARE(q.value(0).toInt(), -Store::kCacheKiB);
            QVERIFY(q.exec(u"PRAGMA wal_autocheckpoint"_s) && q.next()); // the WAL as usual again
            QCOMPARE(q.value(0).toInt(), Store::kWalPages);
        }
        // A later pull (the cursor is not 0): page by page, so a cut keeps every page applied.
        for (int i = 30; i < 40; ++i)
            QVERIFY(!a.enroll(u"Warga %1"_s.arg(i), u"0815%1"_s.arg(20'000'000 + i)).isEmpty());
        QVERIFY2(a.sync(), qPrintable(a.client().status().lastError));
        { // marking pushed events synced does not wait for the disk either; the cashier's commits do
            QSqlQuery q(a.store().writer());
            QVERIFY(q.exec(u"PRAGMA synchronous"_s) && q.next());
            QCOMPARE(q.value(0).toInt(), 2); // FULL
        }
        const qint64 caughtUp = b.loyalty().feedCursor();
        cut = connect(&b.proxy(), &FaultProxy::requestForwarded, &b.proxy(), [&] {
            if (b.loyalty().feedCursor() != caughtUp)
                b.proxy().setMode(FaultProxy::Mode::Down);
        });
        QVERIFY(!b.sync());
        disconnect(cut);
        const int onePage = count(b) - 30;
        QVERIFY2(onePage >= 1 && onePage <= 4, qPrintable(QString::number(onePage)));
        b.proxy().setMode(FaultProxy::Mode::Pass);
        QCOMPARE(count(b), 30 + onePage);
        converged(*hub, {&a, &b});
        QCOMPARE(count(b), 40);
    }

    // A first pull stages its members' names (one row each) and merges them into the name index
    // in sorted slices once the feed is caught up (docs/sync.md, docs/storage.md). Until then a
    // search finds them in the staged rows, and a rename or an erasure there moves them as usual.
    void firstPullStagesNames()
    {
        auto hub = newHub();
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 32), b(u"store-b"_s, chainKey(), 33);
        QString error;
        QVERIFY2(a.ok() && a.attach(*hub, u"store-a"_s, &error), qPrintable(a.error() + error));
        for (int i = 0; i < 24; ++i)
            QVERIFY(!a.enroll(u"Sari Dewi %1"_s.arg(i), u"0816%1"_s.arg(30'000'000 + i)).isEmpty());
        QVERIFY2(a.sync(), qPrintable(a.client().status().lastError));
        QVERIFY2(b.ok() && b.attach(*hub, u"store-b"_s, &error, {}, {}, [](sync::ClientConfig &c) {
            c.feedPageSize = 4;
            c.firstPullMembers = 12;
        }), qPrintable(b.error() + error));
        auto rows = [](Terminal &t, const QString &sql) {
            QStringList out;
            QSqlQuery q(t.store().writer());
            if (q.exec(sql))
                while (q.next())
                    out << q.value(0).toString() + u' ' + q.value(1).toString();
            return out;
        };
        auto found = [&b](const QString &query, const QString &id) {
            auto r = b.loyalty().search(query, 0, 50);
            return r.ok() && std::any_of(r->begin(), r->end(), [&](const MemberSummary &s) { return s.memberId == id; });
        };
        // The network goes after the first chunk: b has some members, all of them staged.
        auto cut = connect(&b.proxy(), &FaultProxy::requestForwarded, &b.proxy(), [&] {
            if (b.loyalty().feedCursor() != 0)
                b.proxy().setMode(FaultProxy::Mode::Down);
        });
        QVERIFY(!b.sync());
        disconnect(cut);
        const QStringList have = rows(b, u"SELECT member_id, '' FROM members ORDER BY member_id"_s);
        QVERIFY2(have.size() >= 12 && have.size() < 24, qPrintable(QString::number(have.size())));
        QVERIFY(b.loyalty().namesStaged());
        QCOMPARE(rows(b, u"SELECT COUNT(*), '' FROM member_names"_s), QStringList{u"0 "_s});
        QCOMPARE(rows(b, u"SELECT COUNT(*), '' FROM member_names_staged"_s), QStringList{QString::number(have.size()) + u' '});
        QVERIFY(!b.loyalty().indexStagedNames().value()); // not before the pull is over
        QVERIFY(b.loyalty().namesStaged());
        QCOMPARE(rows(b, u"PRAGMA wal_autocheckpoint"_s), QStringList{QString::number(Store::kPreparingWalPages) + u' '});
        const QString kept = have.at(0).trimmed(), renamed = have.at(1).trimmed(), erased = have.at(2).trimmed();
        const QString keptName = b.loyalty().member(kept)->profile.name, oldName = b.loyalty().member(renamed)->profile.name,
                      erasedName = b.loyalty().member(erased)->profile.name;
        QVERIFY(found(keptName, kept));
        QVERIFY(found(u"sari de"_s, kept));
        QVERIFY(!found(u"sari du"_s, kept));
        QVERIFY(b.loyalty().updateProfile(renamed, Profile{u"Ratna Kemuning"_s, u"0816%1"_s.arg(40'000'001), {}, {}}, u"kasir"_s).ok());
        QVERIFY(found(u"Ratna Kemu"_s, renamed));
        QVERIFY(!found(oldName, renamed));
        QVERIFY(b.loyalty().erase(erased, u"member's request"_s, u"manager"_s).ok());
        QVERIFY(!found(erasedName, erased));
        QCOMPARE(rows(b, u"SELECT COUNT(*), '' FROM member_names_staged"_s), QStringList{QString::number(have.size() - 2) + u' '});
        QVERIFY(b.loyalty().verify().ok());
        // A merge cut short (the terminal closed after three slices) is finished by the next
        // sync. The feed is marked caught up by hand here so that the merge may begin; the rest
        // of the chain then comes page by page, straight into the index.
        QVERIFY(QSqlQuery(b.store().writer()).exec(u"INSERT OR REPLACE INTO settings(key, value) VALUES('feed_caught_up', '1')"_s));
        for (int i = 0; i < 3; ++i)
            QVERIFY(b.loyalty().indexStagedNames().value());
        QCOMPARE(rows(b, u"SELECT value, '' FROM settings WHERE key = 'names_staged_slice'"_s), QStringList{u"3 "_s});
        QVERIFY(b.loyalty().namesStaged());
        QVERIFY(found(keptName, kept)); // whichever slices its tokens are in
        QVERIFY(found(u"sari de"_s, kept));
        // The pull goes on to its end, then the merge: nothing staged, and b's name index is a's
        // (the same chain key, so the same tokens), but for the rename and the erasure.
        b.proxy().setMode(FaultProxy::Mode::Pass);
        QVERIFY2(b.sync(), qPrintable(b.client().status().lastError));
        QVERIFY(!b.loyalty().namesStaged());
        QVERIFY(!b.client().status().preparing);
        QCOMPARE(rows(b, u"SELECT COUNT(*), '' FROM member_names_staged"_s), QStringList{u"0 "_s});
        QCOMPARE(rows(b, u"PRAGMA wal_autocheckpoint"_s), QStringList{QString::number(Store::kWalPages) + u' '});
        QVERIFY2(a.sync(), qPrintable(a.client().status().lastError)); // a gets the rename and the erasure
        const QString names = u"SELECT token, member_id FROM member_names ORDER BY 1, 2"_s;
        QCOMPARE(rows(b, names), rows(a, names));
        QVERIFY(rows(b, names).size() >= 22 * 6); // sa sar sari de dew dewi (and "12" for 12 and up)
        QVERIFY(found(keptName, kept));
        QVERIFY(found(u"Ratna"_s, renamed));
        QVERIFY(!found(oldName, renamed));
        QVERIFY(!found(erasedName, erased));
        for (int i = 0; i < 24; i += 5) {
            const QString name = u"Sari Dewi %1"_s.arg(i);
            if (name == oldName || name == erasedName)
                continue;
            auto r = b.loyalty().search(name, 0, 50);
            QVERIFY(r.ok());
            QVERIFY2(std::any_of(r->begin(), r->end(), [&](const MemberSummary &s) { return s.name == name; }), qPrintable(name));
        }
        QVERIFY(b.loyalty().verify().ok());
    }

    // Batches sent twice and out of order: gaps are held until filled, copies are duplicates.
    void duplicatedAndReorderedBatches()
    {
        auto hub = newHub();
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 12);
        QString error;
        QVERIFY2(a.ok() && a.attach(*hub, u"store-a"_s, &error), qPrintable(a.error() + error));
        const QString m = a.enroll(u"Citra"_s, u"0814-3333-4444"_s);
        for (int i = 0; i < 9; ++i)
            QVERIFY(a.earn(m, u"R-%1"_s.arg(i), 100'000));
        REQUIRE_OK(events, a.loyalty().unsyncedEvents(100));
        QCOMPARE(events->size(), 10);
        int status = 0;
        auto late = a.rawPush(hub->port(), events->mid(5), &status); // the second half first
        QCOMPARE(status, 200);
        QCOMPARE(late.size(), 5);
        for (const auto &r : late) {
            QCOMPARE(r.status, u"held"_s);
            QCOMPARE(r.reason, u"gap"_s);
        }
        QCOMPARE(hub->allEvents().size(), 0);
        const QJsonObject t = hub->admin("GET", u"/v1/admin/terminals"_s).array().first().toObject();
        QCOMPARE(t.value(u"heldEvents"_s).toInt(), 5);
        QCOMPARE(t.value(u"waitingFor"_s).toString(), u"1"_s);
        QList<LedgerEvent> first = events->mid(0, 5);
        std::reverse(first.begin(), first.end()); // and shuffled within the batch
        auto early = a.rawPush(hub->port(), first, &status);
        QCOMPARE(status, 200);
        for (const auto &r : early)
            QCOMPARE(r.status, u"accepted"_s);
        QCOMPARE(hub->allEvents().size(), 10); // the held half followed on
        auto again = a.rawPush(hub->port(), events.value(), &status);
        QCOMPARE(again.size(), 10);
        for (const auto &r : again) {
            QCOMPARE(r.status, u"duplicate"_s);
            QVERIFY(r.serverSeq > 0);
        }
        converged(*hub, {&a});
        QCOMPARE(a.loyalty().member(m)->balance, 90);
    }

    // The hub is killed (SIGKILL) in the middle of a push of several batches and restarted.
    void hubKilledMidBatch()
    {
        auto hub = newHub();
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 13);
        QString error;
        QVERIFY2(a.ok() && a.attach(*hub, u"store-a"_s, &error), qPrintable(a.error() + error));
        const QString m = a.enroll(u"Dewi"_s, u"0815-4444-5555"_s);
        for (int i = 0; i < 1500; ++i)
            QVERIFY(a.earn(m, u"R-%1"_s.arg(i), 20'000));
        QSignalSpy finished(&a.client(), &sync::SyncClient::finished);
        bool killed = false;
        QObject::connect(&a.proxy(), &FaultProxy::requestForwarded, &a.proxy(), [&] {
            if (!killed && a.proxy().requestsForwarded() >= 3) { // inside the second or third batch
                killed = true;
                hub->kill();
            }
        });
        QVERIFY(a.client().syncNow());
        QVERIFY(!a.client().syncNow()); // a second sync while one runs is refused
        QVERIFY(finished.wait(60000));
        QVERIFY(killed);
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY(a.client().status().waiting > 0);
        QVERIFY2(hub->start(&error), qPrintable(error));
        a.retarget(hub->port());
        QVERIFY2(a.sync(), qPrintable(a.client().status().lastError));
        QCOMPARE(a.client().status().waiting, 0);
        QCOMPARE(hub->allEvents().size(), a.ledger().size()); // enroll, 1,500 earns, a tier change
        converged(*hub, {&a});
        QCOMPARE(a.loyalty().member(m)->balance, 3000);
    }

    // A whole offline day of 50,000 events with the network cut, then one sync. The day is
    // written once (a store file both backends' rows start from): writing it is the slow part.
    void offlineDay()
    {
        if (m_offlineDay.isEmpty()) {
            Terminal day(u"store-a"_s, chainKey(), 14);
            QVERIFY2(day.ok(), qPrintable(day.error()));
            QVERIFY(QSqlQuery(day.store().writer()).exec(u"PRAGMA synchronous=OFF"_s)); // fsync is not tested here
            QStringList members;
            for (int i = 0; i < 200; ++i)
                members << day.enroll(u"Member %1"_s.arg(i), u"0816%1"_s.arg(10'000'000 + i));
            QVERIFY(!members.contains(QString()));
            QElapsedTimer made;
            made.start();
            for (int i = 0; day.loyalty().unsyncedCount() < 50'000 && i < 60'000; ++i) {
                QVERIFY(day.earn(members.at(i % members.size()), u"D-%1"_s.arg(i), 10'000 + (i % 7) * 10'000));
                day.clock().advance(1'000);
            }
            QCOMPARE(day.loyalty().unsyncedCount(), 50'000);
            qInfo("50,000 offline events written in %lld ms", made.elapsed());
            const QString path = day.dbPath();
            day.close(); // checkpointed into the one file
            m_offlineDay = m_chain.filePath(u"offline-day.db"_s);
            QVERIFY(QFile::copy(path, m_offlineDay));
        }
        auto hub = newHub();
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 14, 0, m_offlineDay);
        QString error;
        QVERIFY2(a.ok() && a.attach(*hub, u"store-a"_s, &error), qPrintable(a.error() + error));
        QCOMPARE(a.loyalty().unsyncedCount(), 50'000);
        // The network is cut: the client reports, in words, why it cannot sync and backs off.
        a.proxy().setMode(FaultProxy::Mode::Down);
        QVERIFY(!a.sync());
        QVERIFY(!a.client().status().online);
        QVERIFY2(a.client().status().lastError.contains(u"cannot be reached"_s), qPrintable(a.client().status().lastError));
        // Exponential back-off with jitter (base 1 h in these tests): the first retry in [½ h, 1 h],
        // the second in [1 h, 2 h].
        qint64 delay = a.client().status().nextAttemptAt - QDateTime::currentMSecsSinceEpoch();
        QVERIFY2(delay > 1'790'000 && delay <= 3'600'000, qPrintable(QString::number(delay)));
        QVERIFY(!a.sync());
        QCOMPARE(a.client().status().failures, 2);
        delay = a.client().status().nextAttemptAt - QDateTime::currentMSecsSinceEpoch();
        QVERIFY2(delay > 3'590'000 && delay <= 7'200'000, qPrintable(QString::number(delay)));
        QCOMPARE(a.client().status().waiting, 50'000);
        QCOMPARE(hub->allEvents().size(), 0);
        a.proxy().setMode(FaultProxy::Mode::Pass);
        QElapsedTimer pushed;
        pushed.start();
        QVERIFY2(a.sync(600000), qPrintable(a.client().status().lastError));
        qInfo("50,000 events synced in %lld ms", pushed.elapsed());
        QCOMPARE(a.client().status().waiting, 0);
        QVERIFY(a.client().status().online);
        converged(*hub, {&a});
    }

    // Two uploaders at once for one terminal: the same batch twice, concurrently.
    void twoUploaders()
    {
        auto hub = newHub();
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 15);
        QString error;
        QVERIFY2(a.ok() && a.attach(*hub, u"store-a"_s, &error), qPrintable(a.error() + error));
        const QString m = a.enroll(u"Eka"_s, u"0817-5555-6666"_s);
        for (int i = 0; i < 300; ++i)
            QVERIFY(a.earn(m, u"R-%1"_s.arg(i), 10'000));
        REQUIRE_OK(events, a.loyalty().unsyncedEvents(1000));
        QNetworkReply *one = a.rawPushAsync(hub->port(), events.value());
        QNetworkReply *two = a.rawPushAsync(hub->port(), events.value());
        QVERIFY(waitFor([&] { return one->isFinished() && two->isFinished(); }, 60000));
        auto r1 = sync::decodePushResponse(one->readAll()), r2 = sync::decodePushResponse(two->readAll());
        QVERIFY(r1.ok() && r2.ok());
        int accepted = 0, duplicate = 0;
        for (const auto &list : {r1.value(), r2.value()})
            for (const auto &r : list)
                (r.status == u"accepted"_s ? accepted : duplicate) += r.stored() ? 1 : 0;
        QCOMPARE(accepted, events->size()); // each event once, whichever uploader got there first
        QCOMPARE(duplicate, events->size());
        one->deleteLater();
        two->deleteLater();
        converged(*hub, {&a});
    }

    // Terminal clocks three days ahead and a year behind still sync and converge.
    void clockSkew()
    {
        auto hub = newHub();
        QVERIFY(hub);
        Terminal ahead(u"store-a"_s, chainKey(), 16, 3 * 86'400'000LL), behind(u"store-b"_s, chainKey(), 17, -366 * 86'400'000LL);
        QString error;
        QVERIFY2(ahead.ok() && ahead.attach(*hub, u"store-a"_s, &error), qPrintable(ahead.error() + error));
        QVERIFY2(behind.ok() && behind.attach(*hub, u"store-b"_s, &error), qPrintable(behind.error() + error));
        const QString m = ahead.enroll(u"Fitri"_s, u"0818-6666-7777"_s, u"2000000000022"_s);
        QVERIFY(ahead.earn(m, u"A-1"_s, 3'000'000));
        QVERIFY(ahead.sync());
        QVERIFY(behind.sync());
        QVERIFY(behind.earn(m, u"B-1"_s, 500'000));
        QVERIFY(behind.sync());
        converged(*hub, {&ahead, &behind});
        // The year-old purchase is outside the hub's tier window; the recent one counts.
        QCOMPARE(hub->member(m).value(u"tierId"_s).toString(), u"gold"_s);
        QCOMPARE(behind.loyalty().member(m)->balance, 350);
        // A lease is timed by the terminal's own clock from when it arrived.
        REQUIRE_OK(r, behind.loyalty().redeemPoints(m, 10, u"B-2"_s, u"kasir"_s));
        QCOMPARE(r->balance, 340);
    }

    // The same points spent at two stores while both are offline.
    void doubleSpendAcrossStores()
    {
        auto hub = newHub({u"--lease-member-cap"_s, u"800"_s});
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 18), b(u"store-b"_s, chainKey(), 19);
        QString error;
        QVERIFY2(a.ok() && a.attach(*hub, u"store-a"_s, &error), qPrintable(a.error() + error));
        QVERIFY2(b.ok() && b.attach(*hub, u"store-b"_s, &error), qPrintable(b.error() + error));
        const QString m = a.enroll(u"Gita"_s, u"0819-7777-8888"_s);
        QVERIFY(a.earn(m, u"A-1"_s, 10'000'000));
        QVERIFY(a.sync());
        QVERIFY(b.sync());
        QVERIFY(a.sync()); // both hold the member (1,000 points) and a fresh lease
        QCOMPARE(b.loyalty().member(m)->balance, 1000);
        QVERIFY(b.loyalty().lease().has_value());
        a.proxy().setMode(FaultProxy::Mode::Down);
        b.proxy().setMode(FaultProxy::Mode::Down);
        REQUIRE_OK(ra, a.loyalty().redeemPoints(m, 800, u"A-2"_s, u"kasir"_s));
        REQUIRE_OK(rb, b.loyalty().redeemPoints(m, 800, u"B-2"_s, u"kasir"_s));
        QCOMPARE(ra->balance, 200);
        QCOMPARE(rb->balance, 200);
        // A third offline redemption is refused: beyond the lease's cap for this member.
        QCOMPARE_ERROR(a.loyalty().redeemPoints(m, 100, u"A-3"_s, u"kasir"_s), "lease_exceeded");
        QCOMPARE_ERROR(a.loyalty().redeemReward(m, u"kopi"_s, u"kasir"_s), "lease_exceeded");
        QVERIFY(a.earn(m, u"A-4"_s, 100'000)); // earning offline always works
        a.proxy().setMode(FaultProxy::Mode::Pass);
        b.proxy().setMode(FaultProxy::Mode::Pass);
        QVERIFY(a.sync());
        QVERIFY(b.sync());
        converged(*hub, {&a, &b});
        QCOMPARE(hub->member(m).value(u"balance"_s).toString(), u"-590"_s); // 1,000 + 10 - 800 - 800
        QCOMPARE(a.loyalty().member(m)->balance, -590);
        QCOMPARE(b.loyalty().member(m)->balance, -590);
        bool overdraftEvent = false;
        for (const QJsonValue &v : hub->allEvents())
            overdraftEvent |= v.toObject().value(u"type"_s).toString() == u"overdraft"_s;
        QVERIFY(overdraftEvent);
        bool alert = false;
        for (const QJsonValue &v : hub->alerts())
            alert |= v.toObject().value(u"kind"_s).toString() == u"overdraft"_s && v.toObject().value(u"memberId"_s).toString() == m;
        QVERIFY(alert);
        for (Terminal *t : {&a, &b}) { // on the manager's screen at both stores
            bool seen = false;
            for (const AlertView &v : t->loyalty().alerts())
                seen |= v.kind == u"overdraft"_s && v.memberId == m;
            QVERIFY(seen);
        }
        // Online again, a redemption is refused for the balance, and later earnings repay it.
        QCOMPARE_ERROR(a.loyalty().redeemPoints(m, 10, u"A-5"_s, u"kasir"_s), "insufficient_points");
        QVERIFY(b.earn(m, u"B-3"_s, 7'000'000));
        QCOMPARE(b.loyalty().member(m)->balance, 110);
        converged(*hub, {&a, &b});
        QCOMPARE(hub->member(m).value(u"balance"_s).toString(), u"110"_s);
    }

    // A single-use voucher used at two stores while offline: the first stored wins.
    void voucherUsedTwice()
    {
        auto hub = newHub();
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 20), b(u"store-b"_s, chainKey(), 21);
        QString error;
        QVERIFY2(a.ok() && a.attach(*hub, u"store-a"_s, &error), qPrintable(a.error() + error));
        QVERIFY2(b.ok() && b.attach(*hub, u"store-b"_s, &error), qPrintable(b.error() + error));
        const QString m = a.enroll(u"Hana"_s, u"0821-8888-9999"_s);
        REQUIRE_OK(v, a.loyalty().issueVoucher(m, u"disc-10k"_s, u"kasir"_s));
        QVERIFY(a.sync());
        QVERIFY(b.sync());
        REQUIRE_OK(atB, b.loyalty().vouchers(m));
        QCOMPARE(atB->size(), 1);
        a.proxy().setMode(FaultProxy::Mode::Down);
        b.proxy().setMode(FaultProxy::Mode::Down);
        REQUIRE_OK(ua, a.loyalty().useVoucher(v->code, u"A-1"_s, 80'000, u"kasir"_s));
        REQUIRE_OK(ub, b.loyalty().useVoucher(v->code, u"B-1"_s, 90'000, u"kasir"_s));
        a.proxy().setMode(FaultProxy::Mode::Pass);
        b.proxy().setMode(FaultProxy::Mode::Pass);
        QVERIFY(a.sync());
        QVERIFY(b.sync());
        converged(*hub, {&a, &b});
        int conflicts = 0;
        for (const QJsonValue &e : hub->allEvents())
            conflicts += e.toObject().value(u"type"_s).toString() == u"voucher_conflict"_s;
        QCOMPARE(conflicts, 1);
        bool alert = false;
        for (const QJsonValue &x : hub->alerts())
            alert |= x.toObject().value(u"kind"_s).toString() == u"voucher_reused"_s;
        QVERIFY(alert);
        bool seen = false;
        for (const AlertView &x : a.loyalty().alerts())
            seen |= x.kind == u"voucher_reused"_s;
        QVERIFY(seen);
    }

    // The same person enrolled at two stores (same phone): merged, cards and points combined.
    void duplicateEnrollmentMerged()
    {
        auto hub = newHub();
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 22), b(u"store-b"_s, chainKey(), 23);
        QString error;
        QVERIFY2(a.ok() && a.attach(*hub, u"store-a"_s, &error), qPrintable(a.error() + error));
        QVERIFY2(b.ok() && b.attach(*hub, u"store-b"_s, &error), qPrintable(b.error() + error));
        const QString first = a.enroll(u"Indah"_s, u"0822-1234-5678"_s, u"2000000000039"_s);
        const QString second = b.enroll(u"Indah P."_s, u"+62 822 1234 5678"_s, u"2000000000046"_s);
        QVERIFY(!first.isEmpty() && !second.isEmpty() && first != second);
        QVERIFY(a.earn(first, u"A-1"_s, 1'000'000));
        QVERIFY(b.earn(second, u"B-1"_s, 500'000));
        QVERIFY(a.sync());
        QVERIFY(b.sync());
        converged(*hub, {&a, &b});
        QCOMPARE(hub->member(first).value(u"balance"_s).toString(), u"150"_s);
        QCOMPARE(hub->member(second).value(u"status"_s).toString(), u"merged"_s);
        QCOMPARE(hub->member(second).value(u"mergedInto"_s).toString(), first);
        for (Terminal *t : {&a, &b}) {
            REQUIRE_OK(byPhone, t->loyalty().memberByPhone(u"+6282212345678"_s));
            QCOMPARE(byPhone->memberId, first);
            QCOMPARE(byPhone->balance, 150);
            REQUIRE_OK(byCard, t->loyalty().memberByCard(u"2000000000046"_s)); // the second card joined her
            QCOMPARE(byCard->memberId, first);
        }
        bool alert = false;
        for (const QJsonValue &x : hub->alerts())
            alert |= x.toObject().value(u"kind"_s).toString() == u"duplicate_enrollment"_s;
        QVERIFY(alert);
        QVERIFY(b.earn(first, u"B-2"_s, 100'000)); // earning after the merge goes to the kept member
        converged(*hub, {&a, &b});
        QCOMPARE(a.loyalty().member(first)->balance, 160);
    }

    // UU PDP erasure reaches every terminal; a stale terminal cannot bring the data back.
    void erasurePropagates()
    {
        auto hub = newHub();
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 24), b(u"store-b"_s, chainKey(), 25);
        QString error;
        QVERIFY2(a.ok() && a.attach(*hub, u"store-a"_s, &error), qPrintable(a.error() + error));
        QVERIFY2(b.ok() && b.attach(*hub, u"store-b"_s, &error), qPrintable(b.error() + error));
        const QString m = a.enroll(u"Joko Widodo"_s, u"0823-2345-6789"_s, u"2000000000053"_s);
        QVERIFY(a.earn(m, u"A-1"_s, 200'000));
        QVERIFY(a.sync());
        QVERIFY(b.sync());
        QCOMPARE(b.loyalty().member(m)->profile.name, u"Joko Widodo"_s);
        // B goes stale: offline, and a cashier there edits the profile.
        b.proxy().setMode(FaultProxy::Mode::Down);
        QVERIFY(b.loyalty().updateProfile(m, Profile{u"Joko W."_s, u"0823-2345-6789"_s, u"joko@example.id"_s, {}}, u"kasir"_s).ok());
        QVERIFY(a.loyalty().erase(m, u"member's request"_s, u"manager"_s).ok());
        QVERIFY(a.sync());
        QVERIFY(!hub->member(m).contains(u"profile"_s));
        QCOMPARE(hub->member(m).value(u"status"_s).toString(), u"erased"_s);
        b.proxy().setMode(FaultProxy::Mode::Pass);
        QVERIFY(b.sync());
        QCOMPARE(hub->member(m).value(u"status"_s).toString(), u"erased"_s);
        QVERIFY(!hub->member(m).contains(u"profile"_s)); // the stale edit did not restore it
        REQUIRE_OK(atB, b.loyalty().member(m));
        QCOMPARE(atB->status, u"erased"_s);
        QVERIFY(atB->profile.name.isEmpty());
        QCOMPARE_ERROR(b.loyalty().memberByPhone(u"+6282323456789"_s), "unknown_member");
        QVERIFY(!b.loyalty().memberByCard(u"2000000000053"_s).ok());
        converged(*hub, {&a, &b});
        // An erasure the operator makes on the hub reaches the terminals too.
        const QString n = b.enroll(u"Kartika"_s, u"0824-3456-7890"_s);
        QVERIFY(b.sync());
        QVERIFY(a.sync());
        QCOMPARE(a.loyalty().member(n)->profile.name, u"Kartika"_s);
        int status = 0;
        hub->admin("POST", u"/v1/admin/members/erase"_s, test::toJson(QJsonObject{{u"memberId"_s, n}, {u"reason"_s, u"request"_s}}), &status);
        QCOMPARE(status, 200);
        QVERIFY(a.sync());
        QCOMPARE(a.loyalty().member(n)->status, u"erased"_s);
        QVERIFY(a.loyalty().member(n)->profile.name.isEmpty());
    }

    // Tampering: each refused or quarantined with its own reason.
    void tampering()
    {
        auto hub = newHub();
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 26);
        QString error;
        QVERIFY2(a.ok() && a.attach(*hub, u"store-a"_s, &error), qPrintable(a.error() + error));
        const QString m = a.enroll(u"Lestari"_s, u"0825-4567-8901"_s);
        QVERIFY(a.earn(m, u"R-1"_s, 100'000));
        QVERIFY(a.sync());
        // An old payload replayed under a new id, in a slot already taken.
        REQUIRE_OK(old, [&]() -> Result<QList<LedgerEvent>> {
            QSqlQuery q(a.store().writer());
            q.exec(u"SELECT event_id, terminal_id, terminal_seq, hlc, occurred_at, type, member_id, points, amount, receipt_id,"
                   " COALESCE(ref_event_id,''), actor, payload, prev_hash, hash FROM events WHERE type = 'earn'"_s);
            if (!q.next())
                return makeError(u"none"_s, u"no earn"_s);
            LedgerEvent e;
            SeededRandom fresh(99);
            e.eventId = uuidv7(a.loyalty().nowMs(), fresh);
            e.terminalId = q.value(1).toString();
            e.terminalSeq = q.value(2).toLongLong();
            e.hlc = q.value(3).toLongLong();
            e.occurredAt = q.value(4).toLongLong();
            e.type = q.value(5).toString();
            e.memberId = q.value(6).toString();
            e.points = q.value(7).toLongLong();
            e.amount = q.value(8).toLongLong();
            e.receiptId = q.value(9).toString();
            e.refEventId = q.value(10).toString();
            e.actor = q.value(11).toString();
            e.payloadJson = q.value(12).toString().toUtf8();
            e.prevHash = q.value(13).toString();
            e.hash = computeHash(e);
            return QList<LedgerEvent>{e};
        }());
        auto replay = a.rawPush(hub->port(), old.value());
        QCOMPARE(replay.size(), 1);
        QCOMPARE(replay.first().status, u"rejected"_s);
        QCOMPARE(replay.first().reason, u"sequence_taken"_s);
        // An amount edited in the terminal's SQLite file.
        QVERIFY(a.earn(m, u"R-2"_s, 100'000));
        QVERIFY(a.tamper([](QSqlDatabase &d) {
            QSqlQuery q(d);
            QVERIFY(q.exec(u"UPDATE events SET points = 5000 WHERE receipt_id = 'R-2' AND type = 'earn'"_s));
        }));
        QVERIFY(!a.sync());
        QVERIFY(a.client().status().lastError.contains(u"not accepted"_s));
        QCOMPARE(a.client().status().refused, 1);
        // An event deleted from the middle.
        QVERIFY(a.tamper([](QSqlDatabase &d) {
            QSqlQuery q(d);
            QVERIFY(q.exec(u"UPDATE events SET points = 10 WHERE receipt_id = 'R-2' AND type = 'earn'"_s)); // put it back
        }));
        QVERIFY(a.earn(m, u"R-3"_s, 100'000));
        QVERIFY(a.earn(m, u"R-4"_s, 100'000));
        QVERIFY(a.tamper([](QSqlDatabase &d) {
            QSqlQuery q(d);
            QVERIFY(q.exec(u"DELETE FROM events WHERE receipt_id = 'R-3' AND type = 'earn'"_s));
        }));
        QVERIFY(!a.sync());
        QVERIFY2(a.client().status().lastError.contains(u"gap"_s), qPrintable(a.client().status().lastError));
        const QJsonObject t = hub->admin("GET", u"/v1/admin/terminals"_s).array().first().toObject();
        QCOMPARE(t.value(u"heldEvents"_s).toInt(), 1); // R-4 waits for the missing event, forever
        QStringList reasons;
        for (const QJsonValue &q : hub->admin("GET", u"/v1/admin/quarantine"_s).array())
            reasons << q.toObject().value(u"reason"_s).toString();
        QVERIFY2(reasons.contains(u"sequence_taken"_s), qPrintable(reasons.join(u',')));
        QVERIFY2(reasons.contains(u"hash_mismatch"_s), qPrintable(reasons.join(u',')));
        // A batch signed by a revoked terminal.
        int status = 0;
        hub->admin("POST", u"/v1/admin/terminals/revoke"_s, test::toJson(QJsonObject{{u"terminalId"_s, a.loyalty().terminalId()}}), &status);
        QCOMPARE(status, 200);
        QVERIFY(a.earn(m, u"R-5"_s, 100'000));
        const int before = hub->allEvents().size();
        QVERIFY(!a.sync());
        QVERIFY2(a.client().status().lastError.contains(u"revoked"_s), qPrintable(a.client().status().lastError));
        a.rawPush(hub->port(), a.loyalty().unsyncedEvents(10).value(), &status);
        QCOMPARE(status, 403);
        QCOMPARE(hub->allEvents().size(), before);
    }

    // A lease runs out offline: redemptions stop, earning goes on.
    void leaseRunsOut()
    {
        auto hub = newHub({u"--lease-hours"_s, u"24"_s, u"--lease-count"_s, u"2"_s});
        QVERIFY(hub);
        Terminal a(u"store-a"_s, chainKey(), 27);
        QString error;
        QVERIFY2(a.ok() && a.attach(*hub, u"store-a"_s, &error), qPrintable(a.error() + error));
        const QString m = a.enroll(u"Maya"_s, u"0826-5678-9012"_s);
        QVERIFY(a.earn(m, u"R-1"_s, 1'000'000));
        QCOMPARE_ERROR(a.loyalty().redeemPoints(m, 1, u"R-0"_s, u"kasir"_s), "lease_exceeded"); // registered, no lease yet
        QVERIFY(a.sync());
        a.proxy().setMode(FaultProxy::Mode::Down);
        QVERIFY(a.loyalty().redeemPoints(m, 5, u"R-2"_s, u"kasir"_s).ok());
        QVERIFY(a.loyalty().redeemPoints(m, 5, u"R-3"_s, u"kasir"_s).ok());
        QCOMPARE_ERROR(a.loyalty().redeemPoints(m, 5, u"R-4"_s, u"kasir"_s), "lease_exceeded"); // the count
        a.proxy().setMode(FaultProxy::Mode::Pass);
        QVERIFY(a.sync());
        QVERIFY(a.loyalty().redeemPoints(m, 5, u"R-5"_s, u"kasir"_s).ok()); // online again: a new lease
        a.proxy().setMode(FaultProxy::Mode::Down);
        a.clock().advance(25 * 3'600'000LL);
        QCOMPARE_ERROR(a.loyalty().redeemPoints(m, 5, u"R-6"_s, u"kasir"_s), "lease_exceeded"); // expired
        QVERIFY(a.earn(m, u"R-7"_s, 100'000));
        a.proxy().setMode(FaultProxy::Mode::Pass);
        converged(*hub, {&a});
    }

    // HTTPS through a TLS-terminating proxy: the terminal pins the certificate from its
    // provisioning; any other certificate (a self-signed one of someone else) is refused.
    void pinnedCertificate()
    {
        QFETCH_GLOBAL(QString, backend);
        if (backend != u"sqlite"_s)
            QSKIP("the transport does not depend on the hub's database");
        QTemporaryDir certs;
        auto makeCert = [&](const QString &name) -> QSslConfiguration {
            QProcess openssl;
            openssl.start(u"openssl"_s, {u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
                                         u"-nodes"_s, u"-days"_s, u"2"_s, u"-subj"_s, u"/CN=hub.test"_s,
                                         u"-keyout"_s, certs.filePath(name + u".key"_s), u"-out"_s, certs.filePath(name + u".crt"_s)});
            if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0)
                return {};
            QFile c(certs.filePath(name + u".crt"_s)), k(certs.filePath(name + u".key"_s));
            if (!c.open(QIODevice::ReadOnly) || !k.open(QIODevice::ReadOnly))
                return {};
            QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
            tls.setLocalCertificate(QSslCertificate(c.readAll()));
            tls.setPrivateKey(QSslKey(k.readAll(), QSsl::Ec));
            return tls;
        };
        const QSslConfiguration hubTls = makeCert(u"hub"_s), otherTls = makeCert(u"other"_s);
        QVERIFY2(!hubTls.localCertificate().isNull() && !otherTls.localCertificate().isNull(), "openssl could not make test certificates");
        auto hub = newHub();
        QVERIFY(hub);
        TlsProxy genuine(hubTls, hub->port()), impostor(otherTls, hub->port());
        QVERIFY(genuine.listen() && impostor.listen());
        const QByteArray pin = hubTls.localCertificate().digest(QCryptographicHash::Sha256);
        QString error;
        Terminal a(u"store-a"_s, chainKey(), 30);
        QVERIFY(a.ok());
        // Someone else's certificate: registration refused, nothing sent.
        QVERIFY(!a.attach(*hub, u"store-a"_s, &error, QUrl(u"https://127.0.0.1:%1"_s.arg(impostor.port())), pin));
        QVERIFY2(error.contains(u"certificate"_s), qPrintable(error));
        QCOMPARE(hub->admin("GET", u"/v1/admin/terminals"_s).array().size(), 0);
        // The pinned one: registered, and a sale synced over TLS.
        Terminal b(u"store-a"_s, chainKey(), 31);
        QVERIFY2(b.attach(*hub, u"store-a"_s, &error, QUrl(u"https://127.0.0.1:%1"_s.arg(genuine.port())), pin), qPrintable(error));
        const QString m = b.enroll(u"Oki"_s, u"0828-7890-1234"_s);
        QVERIFY(b.earn(m, u"R-1"_s, 100'000));
        QVERIFY2(b.sync(), qPrintable(b.client().status().lastError));
        QCOMPARE(hub->member(m).value(u"balance"_s).toString(), u"10"_s);
    }

    // Several hub processes against one PostgreSQL, terminals pushing through different ones.
    void severalHubProcesses()
    {
        QFETCH_GLOBAL(QString, backend);
        if (backend != u"postgres"_s)
            QSKIP("several hub processes share one PostgreSQL; a SQLite hub is one process");
        auto one = newHub();
        QVERIFY(one);
        // A second process on the same database (the first one's connection string).
        QString conn = u"host=%1 port=%2 dbname=t%3 user=%4"_s.arg(m_pg.host()).arg(m_pg.port()).arg(m_databases).arg(m_pg.user());
        Hub two(conn, {});
        QString error;
        QVERIFY2(two.start(&error), qPrintable(error));
        Terminal a(u"store-a"_s, chainKey(), 28), b(u"store-b"_s, chainKey(), 29);
        QVERIFY2(a.ok() && a.attach(*one, u"store-a"_s, &error), qPrintable(a.error() + error));
        QVERIFY2(b.ok() && b.attach(two, u"store-b"_s, &error), qPrintable(b.error() + error));
        const QString m = a.enroll(u"Nina"_s, u"0827-6789-0123"_s, u"2000000000060"_s);
        QVERIFY(a.sync());
        QVERIFY(b.sync());
        for (int i = 0; i < 400; ++i) {
            QVERIFY(a.earn(m, u"A-%1"_s.arg(i), 10'000));
            QVERIFY(b.earn(m, u"B-%1"_s.arg(i), 10'000));
        }
        QSignalSpy fa(&a.client(), &sync::SyncClient::finished), fb(&b.client(), &sync::SyncClient::finished);
        QVERIFY(a.client().syncNow());
        QVERIFY(b.client().syncNow()); // at the same time, through two processes
        QVERIFY(waitFor([&] { return fa.size() == 1 && fb.size() == 1; }, 120000));
        QVERIFY(fa.first().first().toBool() && fb.first().first().toBool());
        // server_seq is unique and in commit order: a feed read never skips a row.
        QList<qint64> seqs;
        for (const QJsonValue &v : one->allEvents())
            seqs << v.toObject().value(u"serverSeq"_s).toString().toLongLong();
        QVERIFY(std::is_sorted(seqs.begin(), seqs.end()));
        QCOMPARE(qsizetype(QSet<qint64>(seqs.begin(), seqs.end()).size()), seqs.size());
        converged(*one, {&a, &b});
        QCOMPARE(a.loyalty().member(m)->balance, 800);
        QCOMPARE(b.loyalty().member(m)->balance, 800);
    }
};

QTEST_GUILESS_MAIN(TestSync)
#include "tst_sync.moc"
