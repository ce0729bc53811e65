// setia-agent under the load of a busy store, from a second process on loopback (this test is the
// POS, the agent is its own process): earns at 20 a second for SETIA_AGENT_LOAD_SECONDS (default
// 60; CTest label "load"), then a burst of 1,000 concurrent quotes on 1,000 connections. Nothing
// may be lost and every answer must be right; p50/p99 latencies are printed.
#include "tst_agent_client.h"

#include "testsupport.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;
using agenttest::Answer;

namespace {

constexpr auto kCard = u"2900000000017";

double percentile(QList<double> v, double p)
{
    if (v.isEmpty())
        return 0;
    std::sort(v.begin(), v.end());
    const qsizetype i = std::min(v.size() - 1, qsizetype(p * double(v.size() - 1) + 0.5));
    return v.at(i);
}

QJsonObject basket(const QString &receipt, qint64 qty)
{
    return QJsonObject{{u"receiptId"_s, receipt},
                       {u"lines"_s, QJsonArray{QJsonObject{{u"sku"_s, u"KOP-001"_s}, {u"category"_s, u"coffee"_s},
                                                           {u"quantity"_s, qty}, {u"unitPrice"_s, 28000}},
                                               QJsonObject{{u"sku"_s, u"BAK-001"_s}, {u"category"_s, u"bakery"_s},
                                                           {u"quantity"_s, 1}, {u"unitPrice"_s, 25000}}}}};
}

} // namespace

class TestAgentLoad : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void sustainedEarns();
    void burstOfConcurrentQuotes();

private:
    qint64 eventCount();
    std::unique_ptr<setia::test::TempStore> m_store;
    QTemporaryDir m_dir;
    QByteArray m_token;
    QString m_member;
    agenttest::Agent m_agent;
    std::unique_ptr<agenttest::Client> m_http;
};

qint64 TestAgentLoad::eventCount()
{
    auto store = setia::Store::open(m_store->dbPath(), {setia::Store::Mode::ReadOnly, false});
    if (!store)
        return -1;
    QSqlQuery q(store.value()->reader());
    if (!q.exec(u"SELECT COUNT(*) FROM events"_s) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

void TestAgentLoad::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // testsupport's base program: 1 point per Rp10.000, no caps, tiers, missions or bonuses, so every
    // earn of a basket is worth what its quote said, however many came before.
    const QJsonObject program = setia::test::baseProgram();
    m_store = std::make_unique<setia::test::TempStore>(setia::test::toJson(program));
    QVERIFY2(m_store->ok(), qPrintable(m_store->error()));
    m_member = m_store->enroll(u"Budi Santoso"_s, u"0812-1111-2222"_s, {}, {}, QString::fromUtf16(kCard));
    QVERIFY(!m_member.isEmpty());
    m_store->close();
    m_token = QCryptographicHash::hash("tst_agent_load", QCryptographicHash::Sha256).toHex();
    const QString tokenPath = m_dir.filePath(u"agent.token"_s);
    QFile t(tokenPath);
    QVERIFY(t.open(QIODevice::WriteOnly));
    t.write(m_token);
    t.close();
    QVERIFY(t.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QString why;
    QVERIFY2(m_agent.start({u"--db"_s, m_store->dbPath(), u"--key"_s, m_store->keyPath(), u"--token-file"_s, tokenPath,
                            u"--no-usb"_s, u"--no-contactless"_s},
                           &why),
             qPrintable(why));
    m_http = std::make_unique<agenttest::Client>(m_agent, m_token);
}

void TestAgentLoad::cleanupTestCase()
{
    m_http.reset();
    QCOMPARE(m_agent.stop(), 0);
}

void TestAgentLoad::sustainedEarns()
{
    const int seconds = qEnvironmentVariableIsSet("SETIA_AGENT_LOAD_SECONDS") ? qEnvironmentVariableIntValue("SETIA_AGENT_LOAD_SECONDS") : 60;
    QVERIFY(seconds > 0 && seconds <= 600);
    const int total = seconds * 20;
    // The expected points of each basket size, from a quote (nothing written).
    QHash<qint64, qint64> expected;
    for (qint64 qty = 1; qty <= 5; ++qty) {
        const Answer q = m_http->post(u"/v1/quote"_s, {{u"memberId"_s, m_member}, {u"basket"_s, basket({}, qty)}});
        QCOMPARE(q.status, 200);
        expected.insert(qty, q.json().value(u"totalPoints"_s).toInteger());
    }
    const qint64 events = eventCount();
    const qint64 balanceBefore = m_http->post(u"/v1/members/lookup"_s, {{u"memberId"_s, m_member}}).json().value(u"balance"_s).toInteger();

    QList<double> latency;
    int sent = 0, answered = 0, wrong = 0;
    qint64 pointsSum = 0;
    QElapsedTimer clock;
    clock.start();
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    QEventLoop loop;
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        // 20 a second on the wall clock: catch up if a tick came late, never run ahead.
        while (sent < total && clock.elapsed() >= sent * 50) {
            const qint64 qty = 1 + sent % 5;
            const QString receipt = u"LOAD-%1"_s.arg(sent, 6, 10, QLatin1Char('0'));
            QNetworkReply *r = m_http->nam().post(
                m_http->request(u"/v1/earn"_s),
                QJsonDocument(QJsonObject{{u"memberId"_s, m_member}, {u"basket"_s, basket(receipt, qty)}}).toJson(QJsonDocument::Compact));
            const qint64 startNs = clock.nsecsElapsed();
            ++sent;
            QObject::connect(r, &QNetworkReply::finished, &loop, [&, r, startNs, qty, receipt] {
                latency << double(clock.nsecsElapsed() - startNs) / 1e6;
                ++answered;
                const QJsonObject o = QJsonDocument::fromJson(r->readAll()).object();
                const qint64 pts = o.value(u"points"_s).toInteger() + o.value(u"bonusPoints"_s).toInteger();
                if (r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200 || o.value(u"replayed"_s).toBool()
                    || o.value(u"receiptId"_s).toString() != receipt || pts != expected.value(qty))
                    ++wrong;
                pointsSum += pts;
                r->deleteLater();
                if (answered == total)
                    loop.quit();
            });
        }
    });
    tick.start(5);
    QTimer::singleShot((seconds + 30) * 1000, &loop, &QEventLoop::quit); // bounded
    loop.exec();
    tick.stop();
    const double elapsedS = double(clock.elapsed()) / 1000.0;
    std::printf("earn through the API: %d requests in %.1f s (%.1f/s): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", answered,
                elapsedS, answered / elapsedS, percentile(latency, 0.50), percentile(latency, 0.99), percentile(latency, 1.0));
    std::fflush(stdout);
    QCOMPARE(sent, total);
    QCOMPARE(answered, total);
    QCOMPARE(wrong, 0);
    // Nothing lost, nothing doubled: one earn event per receipt (bonuses aside) and the balance adds up.
    const qint64 balanceAfter = m_http->post(u"/v1/members/lookup"_s, {{u"memberId"_s, m_member}}).json().value(u"balance"_s).toInteger();
    QCOMPARE(balanceAfter - balanceBefore, pointsSum);
    QVERIFY(eventCount() - events >= total);
    QVERIFY2(percentile(latency, 0.99) < 1000.0, "p99 of an earn above one second");
}

void TestAgentLoad::burstOfConcurrentQuotes()
{
    constexpr int kBurst = 1000;
    // The right answer for each of 10 baskets, asked one by one first.
    QList<qint64> expected;
    for (qint64 qty = 1; qty <= 10; ++qty) {
        const Answer q = m_http->post(u"/v1/quote"_s, {{u"card"_s, QString::fromUtf16(kCard)}, {u"basket"_s, basket({}, qty)}});
        QCOMPARE(q.status, 200);
        expected << q.json().value(u"totalPoints"_s).toInteger();
    }
    QVERIFY(expected.last() > expected.first());
    const qint64 events = eventCount();

    // 1,000 connections at once, one quote each.
    struct Conn {
        std::unique_ptr<QTcpSocket> socket;
        QByteArray in;
        qint64 startNs = 0;
        double ms = -1;
        int qty = 0;
    };
    std::vector<Conn> conns(kBurst);
    QElapsedTimer clock;
    clock.start();
    QEventLoop loop;
    int done = 0;
    const QByteArray host = "Host: 127.0.0.1:" + QByteArray::number(m_agent.port()) + "\r\n";
    for (int i = 0; i < kBurst; ++i) {
        Conn &c = conns[size_t(i)];
        c.qty = 1 + i % 10;
        c.socket = std::make_unique<QTcpSocket>();
        const QByteArray body = QJsonDocument(QJsonObject{{u"card"_s, QString::fromUtf16(kCard)}, {u"basket"_s, basket({}, c.qty)}})
                                    .toJson(QJsonDocument::Compact);
        const QByteArray request = "POST /v1/quote HTTP/1.1\r\n" + host + "Authorization: Bearer " + m_token
            + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        QTcpSocket *s = c.socket.get();
        QObject::connect(s, &QTcpSocket::connected, s, [s, request] { s->write(request); });
        auto finish = [&, i] {
            Conn &cc = conns[size_t(i)];
            if (cc.ms >= 0)
                return;
            const qsizetype end = cc.in.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            static const QRegularExpression re(u"\r\ncontent-length: *(\\d+)"_s, QRegularExpression::CaseInsensitiveOption);
            const auto m = re.match(QString::fromLatin1(cc.in.left(end + 2)));
            if (!m.hasMatch() || cc.in.size() < end + 4 + m.captured(1).toLongLong())
                return;
            cc.ms = double(clock.nsecsElapsed() - cc.startNs) / 1e6;
            if (++done == kBurst)
                loop.quit();
        };
        QObject::connect(s, &QTcpSocket::readyRead, s, [&, s, i, finish] {
            conns[size_t(i)].in += s->readAll();
            finish();
        });
        c.startNs = clock.nsecsElapsed();
        s->connectToHost(u"127.0.0.1"_s, m_agent.port());
    }
    QTimer::singleShot(120000, &loop, &QEventLoop::quit); // bounded
    if (done < kBurst)
        loop.exec();
    const double elapsedMs = double(clock.nsecsElapsed()) / 1e6;
    QList<double> latency;
    int right = 0;
    for (const Conn &c : conns) {
        if (c.ms < 0)
            continue;
        latency << c.ms;
        const qsizetype end = c.in.indexOf("\r\n\r\n");
        const QJsonObject o = QJsonDocument::fromJson(c.in.mid(end + 4)).object();
        if (c.in.startsWith("HTTP/1.1 200") && o.value(u"totalPoints"_s).toInteger() == expected.at(c.qty - 1)
            && o.value(u"memberId"_s).toString() == m_member)
            ++right;
    }
    std::printf("quote through the API, %d concurrent connections: all answered in %.0f ms: p50 %.2f ms, p99 %.2f ms\n", kBurst,
                elapsedMs, percentile(latency, 0.50), percentile(latency, 0.99));
    // And one at a time (the latency a single till sees).
    QList<double> single;
    for (int i = 0; i < 200; ++i) {
        QElapsedTimer t;
        t.start();
        const Answer q = m_http->post(u"/v1/quote"_s, {{u"card"_s, QString::fromUtf16(kCard)}, {u"basket"_s, basket({}, 1 + i % 10)}});
        single << double(t.nsecsElapsed()) / 1e6;
        QCOMPARE(q.json().value(u"totalPoints"_s).toInteger(), expected.at(i % 10));
    }
    std::printf("quote through the API, one at a time (200): p50 %.2f ms, p99 %.2f ms\n", percentile(single, 0.50), percentile(single, 0.99));
    std::fflush(stdout);
    QCOMPARE(done, kBurst);
    QCOMPARE(right, kBurst);
    QCOMPARE(eventCount(), events); // quotes write nothing
}

QTEST_GUILESS_MAIN(TestAgentLoad)
#include "tst_agent_load.moc"
