// setia-agent with a hub (issues #5 and #6): the real agent, provisioned with a store file,
// registers itself with a real setia-hub on its first start, syncs on its own, reports the
// sync state at GET /v1/sync, and refuses a redemption beyond its offline lease with the
// stable error lease_exceeded in both languages.
#include "hubprocess.h"
#include "tst_agent_client.h"

#include <QCryptographicHash>
#include <QSqlQuery>

using namespace Qt::StringLiterals;
using namespace setia;
using namespace synctest;

namespace {
constexpr char16_t kCard[] = u"2000000000107";
}

class TestAgentSync : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<Hub> m_hub;
    agenttest::Agent m_agent;
    std::unique_ptr<agenttest::Client> m_http;
    QString m_member;

private Q_SLOTS:
    void initTestCase()
    {
        m_hub = std::make_unique<Hub>(QString(), QStringList{u"--lease-member-cap"_s, u"50"_s});
        QString error;
        QVERIFY2(m_hub->start(&error), qPrintable(error));
        int status = 0;
        m_hub->admin("POST", u"/v1/admin/programs"_s, syncProgram(), &status);
        QCOMPARE(status, 201);
        // The till's store, as the installer's provisioning leaves it: initialised, not registered.
        test::TempStore store(syncProgram());
        QVERIFY2(store.ok(), qPrintable(store.error()));
        m_member = store.enroll(u"Budi Santoso"_s, u"0812-1111-2222"_s, {}, {}, QString::fromUtf16(kCard));
        QVERIFY(!m_member.isEmpty());
        QVERIFY(store.loyalty().adjust(m_member, 500, u"opening balance"_s, u"test"_s).ok());
        store.close();
        for (const QString &f : {u"setia.db"_s, u"setia.db.key"_s})
            QVERIFY(QFile::copy(QDir(store.dir()).filePath(f), m_dir.filePath(f)));
        QFile::setPermissions(m_dir.filePath(u"setia.db.key"_s), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        // The store file a per-store package carries (packaging/make-store-package.sh).
        QFile sf(m_dir.filePath(u"store.json"_s));
        QVERIFY(sf.open(QIODevice::WriteOnly));
        sf.write(test::toJson(QJsonObject{{u"store_id"_s, u"test-store"_s},
                                          {u"hub_url"_s, u"http://127.0.0.1:%1"_s.arg(m_hub->port())},
                                          {u"enrollment_token"_s, m_hub->token(u"test-store"_s)},
                                          {u"terminal_name"_s, u"Kasir 1"_s}}));
        sf.close();
        const QByteArray token = QCryptographicHash::hash("tst_agentsync", QCryptographicHash::Sha256).toHex();
        QFile t(m_dir.filePath(u"agent.token"_s));
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write(token + '\n');
        t.close();
        t.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QVERIFY2(m_agent.start({u"--db"_s, m_dir.filePath(u"setia.db"_s), u"--token-file"_s, m_dir.filePath(u"agent.token"_s),
                                u"--no-usb"_s, u"--no-contactless"_s, u"--store-file"_s, m_dir.filePath(u"store.json"_s),
                                u"--sync-interval"_s, u"1000"_s},
                               &error),
                 qPrintable(error));
        m_http = std::make_unique<agenttest::Client>(m_agent, token);
    }

    void registersAndSyncsByItself()
    {
        QJsonObject sync;
        QVERIFY(waitFor([&] {
            sync = m_http->get(u"/v1/sync"_s).json();
            return sync.value(u"state"_s).toString() == u"online"_s && sync.value(u"waitingEvents"_s).toInt() == 0
                   && sync.value(u"redemptionLease"_s).isObject();
        }, 30000));
        QVERIFY(sync.value(u"registered"_s).toBool());
        QVERIFY(!sync.value(u"lastSuccessAt"_s).toString().isEmpty());
        // The first pull is over (one member, the agent's own, came back from the hub).
        QCOMPARE(sync.value(u"preparing"_s), QJsonValue(false));
        QCOMPARE(sync.value(u"membersReceived"_s).toInteger(), 1);
        QCOMPARE(sync.value(u"hubUrl"_s).toString(), u"http://127.0.0.1:%1"_s.arg(m_hub->port()));
        const QJsonObject lease = sync.value(u"redemptionLease"_s).toObject();
        QCOMPARE(lease.value(u"memberCap"_s).toInteger(), 50);
        QCOMPARE(lease.value(u"usedCount"_s).toInteger(), 0);
        const QJsonArray terminals = m_hub->admin("GET", u"/v1/admin/terminals"_s).array();
        QCOMPARE(terminals.size(), 1);
        QCOMPARE(terminals.first().toObject().value(u"name"_s).toString(), u"Kasir 1"_s);
        QCOMPARE(m_hub->member(m_member).value(u"balance"_s).toString(), u"500"_s);
    }

    void redemptionBeyondTheLeaseRefused()
    {
        // Beyond the lease's 50 points for one member: refused, in the cashier's language.
        agenttest::Answer a = m_http->post(u"/v1/redeem/points"_s, {{u"card"_s, QString::fromUtf16(kCard)}, {u"points"_s, 60},
                                                                      {u"receiptId"_s, u"POS-L1"_s}});
        QCOMPARE(a.status, 409);
        QCOMPARE(a.code(), u"lease_exceeded"_s);
        QVERIFY2(a.message().contains(u"online"_s), qPrintable(a.message()));
        a = m_http->post(u"/v1/redeem/points"_s, {{u"card"_s, QString::fromUtf16(kCard)}, {u"points"_s, 60}, {u"receiptId"_s, u"POS-L1"_s}}, "en");
        QCOMPARE(a.code(), u"lease_exceeded"_s);
        QVERIFY2(a.message().contains(u"back online"_s), qPrintable(a.message()));
        // Within it: paid, and confirmed by the hub at the next sync.
        a = m_http->post(u"/v1/redeem/points"_s, {{u"card"_s, QString::fromUtf16(kCard)}, {u"points"_s, 40}, {u"receiptId"_s, u"POS-L2"_s}});
        QCOMPARE(a.status, 200);
        QVERIFY(waitFor([&] { return m_hub->member(m_member).value(u"balance"_s).toString() == u"460"_s; }, 30000));
        QVERIFY(waitFor([&] {
            return m_http->get(u"/v1/sync"_s).json().value(u"redemptionLease"_s).toObject().value(u"usedCount"_s).toInteger() == 0;
        }, 30000));
        // Confirmed, the lease is free again for this member.
        a = m_http->post(u"/v1/redeem/points"_s, {{u"card"_s, QString::fromUtf16(kCard)}, {u"points"_s, 40}, {u"receiptId"_s, u"POS-L3"_s}});
        QCOMPARE(a.status, 200);
    }

    void cleanupTestCase() { QCOMPARE(m_agent.stop(), 0); }
};

QTEST_GUILESS_MAIN(TestAgentSync)
#include "tst_agentsync.moc"
