// setia-agent as the store's POS software uses it: the real executable on a free loopback port,
// a demo store made by TempStore, the virtual scanner (setiactl scan) and the file printer, driven
// over HTTP. Whatever a request does wrong, nothing is written (events counted in the store).
#include "tst_agent_client.h"

#include "agent/agent.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using agenttest::Answer;

namespace {
constexpr auto kBudiCard = u"2900000000017";
constexpr auto kBlockedCard = u"2900000000024";
constexpr auto kVisa = "4111111111111111"; // the published Visa test number
} // namespace

class TestAgent : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void healthNeedsNoToken();
    void noTokenRefused_data();
    void noTokenRefused();
    void foreignHostOrOriginRefused_data();
    void foreignHostOrOriginRefused();
    void everyRouteIsRegistered();
    void openApiMatchesRoutes();
    void wholeSale();
    void earnRetriedAfterTimeout();
    void refundPartialThenFull();
    void enrollAndDuplicate();
    void redeemAndVoucher();
    void partialRefundRetriedWithKey();
    void rewardRetriedAfterDroppedConnection();
    void voucherAndPointsRetriedWithKey();
    void badIdempotencyKeyRefused_data();
    void badIdempotencyKeyRefused();
    void refusalsInBothLanguages_data();
    void refusalsInBothLanguages();
    void badInputWritesNothing_data();
    void badInputWritesNothing();
    void scansLongPoll();
    void scansServerSentEvents();
    void paymentCardEventCarriesNoCardData();
    void printing();
    void syncStatusIsHonest();
    void refusesToStartUnsafely_data();
    void refusesToStartUnsafely();

private:
    QJsonObject basket(const QString &receipt, qint64 coffeeQty = 2) const;
    qint64 eventCount();
    qint64 balance(const QString &card);
    bool scan(const QString &payload, QString *why);
    // Sends a request on a raw socket and closes it as soon as the request is written: a POS that
    // gives up before the answer (its timeout). Then waits (bounded) for the store to change.
    // Returns whether the request was carried out (events were written).
    bool sendAndDrop(const QByteArray &path, const QByteArray &extraHeaders, const QByteArray &body);
    QByteArray rawRequest(const QByteArray &method, const QByteArray &path, const QByteArray &extraHeaders,
                          const QByteArray &body = {}) const;

    std::unique_ptr<setia::test::TempStore> m_store;
    QTemporaryDir m_dir;
    QByteArray m_token;
    QString m_socket, m_printerFile;
    QString m_budi;
    agenttest::Agent m_agent;
    std::unique_ptr<agenttest::Client> m_http;
};

QJsonObject TestAgent::basket(const QString &receipt, qint64 coffeeQty) const
{
    return QJsonObject{{u"receiptId"_s, receipt},
                       {u"paymentMethod"_s, u"cash"_s},
                       {u"lines"_s, QJsonArray{QJsonObject{{u"sku"_s, u"KOP-001"_s}, {u"category"_s, u"coffee"_s},
                                                           {u"quantity"_s, coffeeQty}, {u"unitPrice"_s, 28000}},
                                               QJsonObject{{u"sku"_s, u"BAK-001"_s}, {u"category"_s, u"bakery"_s},
                                                           {u"quantity"_s, 1}, {u"unitPrice"_s, 25000}}}}};
}

qint64 TestAgent::eventCount()
{
    // Straight from the store, read-only, beside the running agent (WAL readers never checkpoint).
    auto store = setia::Store::open(m_store->dbPath(), {setia::Store::Mode::ReadOnly, false});
    if (!store)
        return -1;
    QSqlQuery q(store.value()->reader());
    if (!q.exec(u"SELECT COUNT(*) FROM events"_s) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

qint64 TestAgent::balance(const QString &card)
{
    const Answer a = m_http->post(u"/v1/members/lookup"_s, {{u"card"_s, card}});
    return a.status == 200 ? qint64(a.json().value(u"balance"_s).toDouble()) : -1;
}

bool TestAgent::scan(const QString &payload, QString *why)
{
    QProcess p;
    p.start(QString::fromUtf8(SETIACTL), {u"scan"_s, u"--socket"_s, m_socket, payload});
    if (!p.waitForFinished(15000)) {
        p.kill();
        p.waitForFinished(2000);
        *why = u"setiactl scan did not finish"_s;
        return false;
    }
    *why = QString::fromUtf8(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

QByteArray TestAgent::rawRequest(const QByteArray &method, const QByteArray &path, const QByteArray &extraHeaders,
                                 const QByteArray &body) const
{
    QByteArray r = method + ' ' + path + " HTTP/1.1\r\n" + extraHeaders + "Connection: close\r\n";
    if (!body.isEmpty() || method == "POST")
        r += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    return r + "\r\n" + body;
}

bool TestAgent::sendAndDrop(const QByteArray &path, const QByteArray &extraHeaders, const QByteArray &body)
{
    const qint64 events = eventCount();
    {
        QTcpSocket s;
        s.connectToHost(u"127.0.0.1"_s, m_agent.port());
        if (!s.waitForConnected(5000))
            return false;
        s.write(rawRequest("POST", path,
                           "Host: 127.0.0.1:" + QByteArray::number(m_agent.port()) + "\r\nAuthorization: Bearer " + m_token
                               + "\r\n" + extraHeaders,
                           body));
        s.waitForBytesWritten(5000);
        s.abort();
    }
    // The agent did it anyway (or not at all if the request was lost): wait, bounded, to know.
    QElapsedTimer t;
    t.start();
    while (eventCount() == events && t.elapsed() < 5000)
        QTest::qWait(20);
    return eventCount() > events;
}

void TestAgent::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_store = std::make_unique<setia::test::TempStore>(setia::test::demoProgram());
    QVERIFY2(m_store->ok(), qPrintable(m_store->error()));
    m_budi = m_store->enroll(u"Budi Santoso"_s, u"0812-1111-2222"_s, {}, {}, QString::fromUtf16(kBudiCard));
    QVERIFY(!m_budi.isEmpty());
    const QString rina = m_store->enroll(u"Rina Wulandari"_s, u"0813-3333-4444"_s, {}, {}, QString::fromUtf16(kBlockedCard));
    QVERIFY(!rina.isEmpty());
    QVERIFY(m_store->loyalty().blockCard(QString::fromUtf16(kBlockedCard), u"lost"_s, {}, u"test"_s).ok());
    QVERIFY(m_store->loyalty().adjust(m_budi, 500, u"opening balance for the test"_s, u"test"_s).ok());
    m_store->close();

    m_token = QCryptographicHash::hash("tst_agent", QCryptographicHash::Sha256).toHex();
    const QString tokenPath = m_dir.filePath(u"agent.token"_s);
    QFile t(tokenPath);
    QVERIFY(t.open(QIODevice::WriteOnly));
    t.write(m_token + '\n');
    t.close();
    QVERIFY(t.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    m_socket = m_dir.filePath(u"scanner.sock"_s);
    m_printerFile = m_dir.filePath(u"printer.bin"_s);
    QString why;
    QVERIFY2(m_agent.start({u"--db"_s, m_store->dbPath(), u"--key"_s, m_store->keyPath(), u"--token-file"_s, tokenPath,
                            u"--printer-file"_s, m_printerFile, u"--virtual-scanner"_s, u"--scanner-socket"_s, m_socket,
                            u"--no-usb"_s, u"--no-contactless"_s},
                           &why),
             qPrintable(why));
    QVERIFY(m_agent.port() != 0);
    m_http = std::make_unique<agenttest::Client>(m_agent, m_token);
}

void TestAgent::cleanupTestCase()
{
    m_http.reset();
    const QByteArray err = m_agent.stderrText();
    QCOMPARE(m_agent.stop(), 0); // SIGTERM: a clean stop
    // The journal never sees a card number or a phone number.
    QVERIFY2(!err.contains(kVisa) && !err.contains("1111") && !err.contains("2222"), err.constData());
}

void TestAgent::healthNeedsNoToken()
{
    const Answer a = m_http->get(u"/v1/health"_s, {}, false);
    QCOMPARE(a.status, 200);
    QCOMPARE(a.json().value(u"status"_s).toString(), u"ok"_s);
    QCOMPARE(m_http->get(u"/v1/devices"_s).status, 200);
}

void TestAgent::noTokenRefused_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("authorization");
    for (const auto &r : setia::agent::routes()) {
        if (r.path == u"/v1/health"_s)
            continue;
        QTest::addRow("%s %s none", qPrintable(r.method), qPrintable(r.path)) << r.method << r.path << QByteArray();
        QTest::addRow("%s %s wrong", qPrintable(r.method), qPrintable(r.path)) << r.method << r.path
                                                                                << QByteArray("Bearer " + QByteArray(64, 'a'));
    }
    QTest::newRow("unknown path") << u"GET"_s << u"/v1/nothing"_s << QByteArray();
}

void TestAgent::noTokenRefused()
{
    QFETCH(QString, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, authorization);
    const qint64 before = eventCount();
    const QByteArray headers = "Host: 127.0.0.1:" + QByteArray::number(m_agent.port()) + "\r\n"
        + (authorization.isEmpty() ? QByteArray() : "Authorization: " + authorization + "\r\n");
    const QByteArray body = method == u"POST"_s ? QJsonDocument(QJsonObject{{u"card"_s, QString::fromUtf16(kBudiCard)}}).toJson() : QByteArray();
    const Answer a = agenttest::raw(m_agent.port(), rawRequest(method.toLatin1(), path.toLatin1(), headers, body));
    QCOMPARE(a.status, 401);
    QCOMPARE(a.code(), u"unauthorized"_s);
    QCOMPARE(eventCount(), before);
}

void TestAgent::foreignHostOrOriginRefused_data()
{
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    const QByteArray port = QByteArray::number(m_agent.port());
    const QByteArray auth = "Authorization: Bearer " + m_token + "\r\n";
    QTest::newRow("local") << QByteArray("Host: 127.0.0.1:" + port + "\r\n" + auth) << 200 << QString();
    QTest::newRow("localhost") << QByteArray("Host: localhost:" + port + "\r\n" + auth) << 200 << QString();
    QTest::newRow("rebinding") << QByteArray("Host: evil.example:" + port + "\r\n" + auth) << 421 << u"host_not_local"_s;
    QTest::newRow("lookalike") << QByteArray("Host: 127.0.0.1.evil.example:" + port + "\r\n" + auth) << 421 << u"host_not_local"_s;
    QTest::newRow("other port") << QByteArray("Host: 127.0.0.1:1\r\n" + auth) << 421 << u"host_not_local"_s;
    QTest::newRow("no host") << QByteArray(auth) << 421 << u"host_not_local"_s;
    QTest::newRow("web page") << QByteArray("Host: 127.0.0.1:" + port + "\r\nOrigin: http://evil.example\r\n" + auth) << 403
                              << u"origin_not_allowed"_s;
    QTest::newRow("null origin") << QByteArray("Host: 127.0.0.1:" + port + "\r\nOrigin: null\r\n" + auth) << 403
                                 << u"origin_not_allowed"_s;
    QTest::newRow("cross-site fetch") << QByteArray("Host: 127.0.0.1:" + port + "\r\nSec-Fetch-Site: cross-site\r\n" + auth) << 403
                                      << u"origin_not_allowed"_s;
}

void TestAgent::foreignHostOrOriginRefused()
{
    QFETCH(QByteArray, headers);
    QFETCH(int, status);
    QFETCH(QString, code);
    const qint64 before = eventCount();
    // a POST that would write (an enrollment) if it got through
    const QString phone = u"0819-9999-%1"_s.arg(qHash(QByteArray(QTest::currentDataTag())) % 10000, 4, 10, QLatin1Char('0'));
    const QByteArray body = QJsonDocument(QJsonObject{{u"name"_s, u"Evil"_s}, {u"phone"_s, phone}}).toJson();
    const Answer get = agenttest::raw(m_agent.port(), rawRequest("GET", "/v1/devices", headers));
    QCOMPARE(get.status, status);
    QCOMPARE(get.code(), code);
    const Answer post = agenttest::raw(m_agent.port(), rawRequest("POST", "/v1/members", headers, body));
    if (status == 200) {
        QCOMPARE(post.status, 201);
        QVERIFY(eventCount() > before);
        return;
    }
    QCOMPARE(post.status, status);
    QCOMPARE(post.code(), code);
    QVERIFY(!post.body.contains("Access-Control"));
    QCOMPARE(eventCount(), before);
}

void TestAgent::everyRouteIsRegistered()
{
    // What routes() lists is what answers: no route of the list is "not_found", and the other
    // method on the same path is method_not_allowed.
    for (const auto &r : setia::agent::routes()) {
        if (r.method == u"POST"_s) {
            // an empty object is refused by the route itself (4xx with its own code)
            const Answer a = m_http->postRaw(r.path, "{}");
            QVERIFY2(a.status >= 400 && a.status < 500 && !a.code().isEmpty() && a.code() != u"not_found"_s
                         && a.code() != u"method_not_allowed"_s,
                     qPrintable(r.path + u" "_s + QString::fromUtf8(a.body)));
        } else if (r.path == u"/v1/events/stream"_s) {
            // a stream does not end: scansServerSentEvents reads it
        } else if (r.path == u"/v1/events"_s) {
            QCOMPARE(m_http->get(r.path + u"?waitMs=0"_s).status, 200);
        } else {
            const Answer a = m_http->get(r.path);
            QVERIFY2(a.status == 200, qPrintable(r.path));
        }
        const Answer other = r.method == u"GET"_s ? m_http->postRaw(r.path, "{}") : m_http->get(r.path);
        QCOMPARE(other.status, 405);
        QCOMPARE(other.code(), u"method_not_allowed"_s);
    }
    QCOMPARE(m_http->get(u"/v2/health"_s).status, 404);
}

void TestAgent::openApiMatchesRoutes()
{
    QFile f(QStringLiteral(SETIA_SOURCE_DIR "/docs/api/agent-openapi.yaml"));
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
    // paths:            (top level)
    //   /v1/earn:       (two spaces)
    //     post:         (four spaces)
    QSet<QString> documented;
    QString path;
    bool inPaths = false;
    const QList<QByteArray> lines = f.readAll().split('\n');
    QVERIFY(lines.size() > 50);
    static const QRegularExpression pathLine(u"^  (/\\S+):\\s*$"_s), methodLine(u"^    (get|post|put|delete|patch):\\s*$"_s);
    for (const QByteArray &raw : lines) {
        const QString line = QString::fromUtf8(raw);
        if (!line.startsWith(u' ') && !line.trimmed().isEmpty())
            inPaths = line.startsWith(u"paths:"_s);
        if (!inPaths)
            continue;
        if (auto m = pathLine.match(line); m.hasMatch())
            path = m.captured(1);
        else if (auto mm = methodLine.match(line); mm.hasMatch())
            documented.insert(mm.captured(1).toUpper() + u" "_s + path);
    }
    QSet<QString> code;
    for (const auto &r : setia::agent::routes())
        code.insert(r.method + u" "_s + r.path);
    QVERIFY(!code.isEmpty());
    const QSet<QString> undocumented = code - documented, stale = documented - code;
    QVERIFY2(undocumented.isEmpty(), qPrintable(u"in the code, not in the document: "_s + QStringList(undocumented.values()).join(u", "_s)));
    QVERIFY2(stale.isEmpty(), qPrintable(u"in the document, not in the code: "_s + QStringList(stale.values()).join(u", "_s)));
}

void TestAgent::wholeSale()
{
    // The cashier scans the member card: the POS looks the member up.
    Answer a = m_http->post(u"/v1/members/lookup"_s, {{u"card"_s, QString::fromUtf16(kBudiCard)}});
    QCOMPARE(a.status, 200);
    QCOMPARE(a.json().value(u"memberId"_s).toString(), m_budi);
    QCOMPARE(a.json().value(u"name"_s).toString(), u"Budi Santoso"_s);
    QVERIFY(!a.body.contains("1111-2222") && !a.body.contains("6281211112222")); // the phone is masked
    const qint64 before = qint64(a.json().value(u"balance"_s).toDouble());
    const qint64 events = eventCount();

    // The total is known: a quote, nothing written.
    a = m_http->post(u"/v1/quote"_s, {{u"card"_s, QString::fromUtf16(kBudiCard)}, {u"basket"_s, basket({})}});
    QCOMPARE(a.status, 200);
    const qint64 quoted = qint64(a.json().value(u"totalPoints"_s).toDouble());
    QVERIFY(quoted > 0);
    QVERIFY(!a.json().value(u"explanation"_s).toArray().isEmpty());
    QCOMPARE(eventCount(), events);
    QCOMPARE(balance(QString::fromUtf16(kBudiCard)), before);

    // Paid: earn on the receipt.
    a = m_http->post(u"/v1/earn"_s, {{u"memberId"_s, m_budi}, {u"basket"_s, basket(u"POS-1001"_s)}, {u"cashier"_s, u"Ani"_s}});
    QCOMPARE(a.status, 200);
    QCOMPARE(a.json().value(u"replayed"_s).toBool(), false);
    QCOMPARE(a.json().value(u"receiptId"_s).toString(), u"POS-1001"_s);
    const qint64 earned = qint64(a.json().value(u"points"_s).toDouble() + a.json().value(u"bonusPoints"_s).toDouble());
    QCOMPARE(earned, quoted);
    QCOMPARE(qint64(a.json().value(u"balance"_s).toDouble()), before + earned);
    QCOMPARE(balance(QString::fromUtf16(kBudiCard)), before + earned);
    QVERIFY(eventCount() > events);
}

void TestAgent::earnRetriedAfterTimeout()
{
    const QJsonObject request{{u"card"_s, QString::fromUtf16(kBudiCard)}, {u"basket"_s, basket(u"POS-1002"_s, 3)}};
    const QByteArray body = QJsonDocument(request).toJson(QJsonDocument::Compact);
    const qint64 before = balance(QString::fromUtf16(kBudiCard));
    const qint64 events = eventCount();
    // The POS sends the earn and gives up before the answer arrives (its timeout): the socket is
    // closed as soon as the request is written.
    {
        QTcpSocket s;
        s.connectToHost(u"127.0.0.1"_s, m_agent.port());
        QVERIFY(s.waitForConnected(5000));
        s.write(rawRequest("POST", "/v1/earn",
                           "Host: 127.0.0.1:" + QByteArray::number(m_agent.port()) + "\r\nAuthorization: Bearer " + m_token + "\r\n",
                           body));
        QVERIFY(s.waitForBytesWritten(5000));
        s.abort();
    }
    // The agent earned anyway (or not at all if the request was lost): wait, bounded, to know.
    QElapsedTimer t;
    t.start();
    while (eventCount() == events && t.elapsed() < 5000)
        QTest::qWait(20);
    const bool firstArrived = eventCount() > events;
    const qint64 afterFirst = eventCount();

    // It retries the very same request.
    const Answer retry = m_http->postRaw(u"/v1/earn"_s, body);
    QCOMPARE(retry.status, 200);
    QCOMPARE(retry.json().value(u"replayed"_s).toBool(), firstArrived);
    const qint64 earned = qint64(retry.json().value(u"points"_s).toDouble() + retry.json().value(u"bonusPoints"_s).toDouble());
    QVERIFY(earned > 0);
    // And once more, with its answer read this time: the same answer, nothing more earned.
    const Answer again = m_http->postRaw(u"/v1/earn"_s, body);
    QCOMPARE(again.status, 200);
    QCOMPARE(again.json().value(u"replayed"_s).toBool(), true);
    QJsonObject a = retry.json(), b = again.json();
    a.remove(u"replayed"_s);
    b.remove(u"replayed"_s);
    QCOMPARE(b, a);
    QCOMPARE(balance(QString::fromUtf16(kBudiCard)), before + earned);
    if (firstArrived)
        QCOMPARE(eventCount(), afterFirst);
    QVERIFY(eventCount() > events);
    // The same receipt with other content is a conflict, not a second earn.
    QJsonObject changed = request;
    changed.insert(u"basket"_s, basket(u"POS-1002"_s, 4));
    const qint64 count = eventCount();
    const Answer conflict = m_http->post(u"/v1/earn"_s, changed);
    QCOMPARE(conflict.status, 409);
    QCOMPARE(conflict.code(), u"receipt_conflict"_s);
    QCOMPARE(eventCount(), count);
}

void TestAgent::refundPartialThenFull()
{
    const QString card = QString::fromUtf16(kBudiCard);
    Answer a = m_http->post(u"/v1/earn"_s, {{u"card"_s, card}, {u"basket"_s, basket(u"POS-2001"_s, 4)}}); // 137.000
    QCOMPARE(a.status, 200);
    const qint64 earned = qint64(a.json().value(u"points"_s).toDouble() + a.json().value(u"bonusPoints"_s).toDouble());
    const qint64 afterEarn = balance(card);
    QVERIFY(earned > 0);

    a = m_http->post(u"/v1/refunds"_s, {{u"receiptId"_s, u"POS-2001"_s}, {u"amount"_s, 56000}, {u"reason"_s, u"2 kopi dikembalikan"_s}});
    QCOMPARE(a.status, 200);
    const qint64 partial = qint64(a.json().value(u"pointsReversed"_s).toDouble());
    QVERIFY(partial > 0 && partial < earned);
    QCOMPARE(a.json().value(u"fullyRefunded"_s).toBool(), false);
    QCOMPARE(balance(card), afterEarn - partial);

    a = m_http->post(u"/v1/refunds"_s, {{u"receiptId"_s, u"POS-2001"_s}, {u"reason"_s, u"semua dikembalikan"_s}});
    QCOMPARE(a.status, 200);
    QCOMPARE(a.json().value(u"fullyRefunded"_s).toBool(), true);
    QCOMPARE(qint64(a.json().value(u"pointsReversed"_s).toDouble()), earned - partial);
    QCOMPARE(balance(card), afterEarn - earned);

    const qint64 events = eventCount();
    a = m_http->post(u"/v1/refunds"_s, {{u"receiptId"_s, u"POS-2001"_s}, {u"reason"_s, u"lagi"_s}});
    QCOMPARE(a.status, 409);
    QCOMPARE(a.code(), u"already_refunded"_s);
    a = m_http->post(u"/v1/refunds"_s, {{u"receiptId"_s, u"NO-SUCH"_s}, {u"reason"_s, u"x"_s}});
    QCOMPARE(a.status, 404);
    QCOMPARE(a.code(), u"unknown_receipt"_s);
    QCOMPARE(eventCount(), events);
}

void TestAgent::enrollAndDuplicate()
{
    const QJsonObject request{{u"name"_s, u"Siti Rahma"_s}, {u"phone"_s, u"0812-5555-6666"_s}, {u"card"_s, u"2900000000031"_s},
                              {u"consent"_s, QJsonObject{{u"whatsapp"_s, true}}}};
    Answer a = m_http->post(u"/v1/members"_s, request);
    QCOMPARE(a.status, 201);
    const QString id = a.json().value(u"memberId"_s).toString();
    QVERIFY(setia::isUuid(id));
    QCOMPARE(a.json().value(u"cards"_s).toArray().at(0).toObject().value(u"number"_s).toString(), u"2900000000031"_s);
    a = m_http->post(u"/v1/members/lookup"_s, {{u"phone"_s, u"+62 812 5555 6666"_s}});
    QCOMPARE(a.status, 200);
    QCOMPARE(a.json().value(u"memberId"_s).toString(), id);

    const qint64 events = eventCount();
    QJsonObject again = request;
    again.remove(u"card"_s);
    a = m_http->post(u"/v1/members"_s, again, "en");
    QCOMPARE(a.status, 409);
    QCOMPARE(a.code(), u"duplicate_member"_s);
    QCOMPARE(a.message(), setia::agent::errorMessage(u"duplicate_member"_s, u"en"_s));
    QCOMPARE(eventCount(), events);
}

void TestAgent::redeemAndVoucher()
{
    const QString card = QString::fromUtf16(kBudiCard);
    const qint64 before = balance(card);
    QVERIFY(before >= 80);
    Answer a = m_http->post(u"/v1/redeem/reward"_s, {{u"card"_s, card}, {u"rewardId"_s, u"voucher-10k"_s}});
    QCOMPARE(a.status, 200);
    QCOMPARE(qint64(a.json().value(u"points"_s).toDouble()), 80);
    QCOMPARE(balance(card), before - 80);
    const QString voucher = a.json().value(u"voucher"_s).toString();
    QVERIFY2(!voucher.isEmpty(), a.body.constData());

    a = m_http->post(u"/v1/vouchers/use"_s, {{u"code"_s, voucher}, {u"receiptId"_s, u"POS-3001"_s}, {u"basketTotal"_s, 20000}});
    QCOMPARE(a.code(), u"voucher_min_spend"_s);
    a = m_http->post(u"/v1/vouchers/use"_s, {{u"code"_s, voucher}, {u"receiptId"_s, u"POS-3001"_s}, {u"basketTotal"_s, 60000}});
    QCOMPARE(a.status, 200);
    QCOMPARE(qint64(a.json().value(u"discount"_s).toDouble()), 10000);
    a = m_http->post(u"/v1/vouchers/use"_s, {{u"code"_s, voucher}, {u"receiptId"_s, u"POS-3002"_s}, {u"basketTotal"_s, 60000}});
    QCOMPARE(a.status, 409);
    QCOMPARE(a.code(), u"voucher_used"_s);

    const qint64 mid = balance(card);
    a = m_http->post(u"/v1/redeem/points"_s, {{u"card"_s, card}, {u"points"_s, 20}, {u"receiptId"_s, u"POS-3003"_s}});
    QCOMPARE(a.status, 200);
    QCOMPARE(qint64(a.json().value(u"value"_s).toDouble()), 20 * 100); // valuePerPoint 100
    QCOMPARE(balance(card), mid - 20);
}

void TestAgent::partialRefundRetriedWithKey()
{
    const QString card = QString::fromUtf16(kBudiCard);
    Answer a = m_http->post(u"/v1/earn"_s, {{u"card"_s, card}, {u"basket"_s, basket(u"POS-4001"_s, 4)}}); // 137.000
    QCOMPARE(a.status, 200);
    const qint64 earned = qint64(a.json().value(u"points"_s).toDouble() + a.json().value(u"bonusPoints"_s).toDouble());
    QVERIFY(earned > 0);
    const qint64 afterEarn = balance(card);
    const QJsonObject refund{{u"receiptId"_s, u"POS-4001"_s}, {u"amount"_s, 56000}, {u"reason"_s, u"2 kopi dikembalikan"_s}};
    const QList<std::pair<QByteArray, QByteArray>> key{{"Idempotency-Key", "0b7c2a64-refund-POS-4001-1"}};

    const Answer first = m_http->postWith(u"/v1/refunds"_s, refund, key);
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json().value(u"replayed"_s).toBool(), false);
    const qint64 partial = qint64(first.json().value(u"pointsReversed"_s).toDouble());
    QVERIFY(partial > 0 && partial < earned);
    QCOMPARE(balance(card), afterEarn - partial);
    const qint64 events = eventCount();

    // The answer was lost; the POS sends the same refund with the same key: refunded once.
    const Answer again = m_http->postWith(u"/v1/refunds"_s, refund, key);
    QCOMPARE(again.status, 200);
    QCOMPARE(again.json().value(u"replayed"_s).toBool(), true);
    QJsonObject x = first.json(), y = again.json();
    x.remove(u"replayed"_s);
    y.remove(u"replayed"_s);
    QCOMPARE(y, x);
    QCOMPARE(eventCount(), events);
    QCOMPARE(balance(card), afterEarn - partial);

    // The same key with another amount is a conflict, not a second refund.
    QJsonObject other = refund;
    other.insert(u"amount"_s, 28000);
    const Answer conflict = m_http->postWith(u"/v1/refunds"_s, other, key, "en");
    QCOMPARE(conflict.status, 409);
    QCOMPARE(conflict.code(), u"request_conflict"_s);
    QCOMPARE(conflict.field(), u"Idempotency-Key"_s);
    QCOMPARE(conflict.message(), setia::agent::errorMessage(u"request_conflict"_s, u"en"_s));
    QCOMPARE(eventCount(), events);
    QCOMPARE(balance(card), afterEarn - partial);

    // Without a key each request is a refund of its own (as documented): a second one refunds again.
    const Answer unkeyed = m_http->post(u"/v1/refunds"_s, other);
    QCOMPARE(unkeyed.status, 200);
    QCOMPARE(unkeyed.json().value(u"replayed"_s).toBool(), false);
    QVERIFY(eventCount() > events);
    QVERIFY(balance(card) < afterEarn - partial);
}

void TestAgent::rewardRetriedAfterDroppedConnection()
{
    const QString card = QString::fromUtf16(kBudiCard);
    const qint64 before = balance(card);
    QVERIFY(before >= 80); // voucher-10k costs 80
    const qint64 events = eventCount();
    const QJsonObject request{{u"card"_s, card}, {u"rewardId"_s, u"voucher-10k"_s}};
    const QByteArray body = QJsonDocument(request).toJson(QJsonDocument::Compact);
    const bool firstArrived = sendAndDrop("/v1/redeem/reward", "Idempotency-Key: tst-reward-7f3e\r\n", body);
    const qint64 afterFirst = eventCount();

    // The POS retries with the same key.
    const QList<std::pair<QByteArray, QByteArray>> key{{"Idempotency-Key", "tst-reward-7f3e"}};
    const Answer retry = m_http->postWith(u"/v1/redeem/reward"_s, request, key);
    QCOMPARE(retry.status, 200);
    QCOMPARE(retry.json().value(u"replayed"_s).toBool(), firstArrived);
    QCOMPARE(qint64(retry.json().value(u"points"_s).toDouble()), 80);
    QVERIFY(!retry.json().value(u"voucher"_s).toString().isEmpty());
    if (firstArrived)
        QCOMPARE(eventCount(), afterFirst);
    const qint64 afterRetry = eventCount();
    // Once more, its answer read this time: the same answer, nothing more spent.
    const Answer again = m_http->postWith(u"/v1/redeem/reward"_s, request, key);
    QCOMPARE(again.status, 200);
    QCOMPARE(again.json().value(u"replayed"_s).toBool(), true);
    QJsonObject a = retry.json(), b = again.json();
    a.remove(u"replayed"_s);
    b.remove(u"replayed"_s);
    QCOMPARE(b, a);
    QCOMPARE(eventCount(), afterRetry);
    QVERIFY(afterRetry > events);
    QCOMPARE(balance(card), before - 80); // spent once
    QCOMPARE(qint64(again.json().value(u"balance"_s).toDouble()), before - 80);

    // The same key for another reward, or on another route, is a conflict.
    const Answer conflict = m_http->postWith(u"/v1/redeem/reward"_s, {{u"card"_s, card}, {u"rewardId"_s, u"es-kopi-susu"_s}}, key);
    QCOMPARE(conflict.status, 409);
    QCOMPARE(conflict.code(), u"request_conflict"_s);
    const Answer elsewhere = m_http->postWith(u"/v1/refunds"_s, {{u"receiptId"_s, u"POS-1001"_s}, {u"amount"_s, 1000}, {u"reason"_s, u"x"_s}}, key);
    QCOMPARE(elsewhere.status, 409);
    QCOMPARE(elsewhere.code(), u"request_conflict"_s);
    QCOMPARE(eventCount(), afterRetry);
}

void TestAgent::voucherAndPointsRetriedWithKey()
{
    const QString card = QString::fromUtf16(kBudiCard);
    Answer r = m_http->post(u"/v1/redeem/reward"_s, {{u"card"_s, card}, {u"rewardId"_s, u"voucher-10k"_s}});
    QCOMPARE(r.status, 200);
    const QString voucher = r.json().value(u"voucher"_s).toString();
    QVERIFY(!voucher.isEmpty());
    const QJsonObject use{{u"code"_s, voucher}, {u"receiptId"_s, u"POS-4101"_s}, {u"basketTotal"_s, 60000}};
    const QList<std::pair<QByteArray, QByteArray>> useKey{{"Idempotency-Key", "tst-voucher-1"}};
    const Answer first = m_http->postWith(u"/v1/vouchers/use"_s, use, useKey);
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json().value(u"replayed"_s).toBool(), false);
    const qint64 events = eventCount();
    const Answer again = m_http->postWith(u"/v1/vouchers/use"_s, use, useKey);
    QCOMPARE(again.status, 200); // not voucher_used: the retry of the use that succeeded
    QCOMPARE(again.json().value(u"replayed"_s).toBool(), true);
    QCOMPARE(again.json().value(u"code"_s), first.json().value(u"code"_s));
    QCOMPARE(again.json().value(u"discount"_s), first.json().value(u"discount"_s));
    QCOMPARE(eventCount(), events);
    const Answer unkeyed = m_http->post(u"/v1/vouchers/use"_s, use);
    QCOMPARE(unkeyed.status, 409);
    QCOMPARE(unkeyed.code(), u"voucher_used"_s);

    const qint64 mid = balance(card);
    const QJsonObject pay{{u"card"_s, card}, {u"points"_s, 10}, {u"receiptId"_s, u"POS-4102"_s}};
    const QList<std::pair<QByteArray, QByteArray>> payKey{{"Idempotency-Key", "tst-pay-1"}};
    const Answer paid = m_http->postWith(u"/v1/redeem/points"_s, pay, payKey);
    QCOMPARE(paid.status, 200);
    QCOMPARE(paid.json().value(u"replayed"_s).toBool(), false);
    const qint64 afterPay = eventCount();
    const Answer repaid = m_http->postWith(u"/v1/redeem/points"_s, pay, payKey);
    QCOMPARE(repaid.status, 200);
    QCOMPARE(repaid.json().value(u"replayed"_s).toBool(), true);
    QCOMPARE(repaid.json().value(u"eventId"_s), paid.json().value(u"eventId"_s));
    QCOMPARE(eventCount(), afterPay);
    QCOMPARE(balance(card), mid - 10);
}

void TestAgent::badIdempotencyKeyRefused_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::newRow("empty") << QByteArray("Idempotency-Key:\r\n");
    QTest::newRow("space inside") << QByteArray("Idempotency-Key: two words\r\n");
    QTest::newRow("too long") << QByteArray("Idempotency-Key: " + QByteArray(129, 'k') + "\r\n");
}

void TestAgent::badIdempotencyKeyRefused()
{
    QFETCH(QByteArray, header);
    const qint64 events = eventCount();
    const QByteArray body = QJsonDocument(QJsonObject{{u"receiptId"_s, u"POS-1001"_s}, {u"amount"_s, 1000}, {u"reason"_s, u"x"_s}})
                                .toJson(QJsonDocument::Compact);
    const Answer a = agenttest::raw(
        m_agent.port(),
        rawRequest("POST", "/v1/refunds",
                   "Host: 127.0.0.1:" + QByteArray::number(m_agent.port()) + "\r\nAuthorization: Bearer " + m_token + "\r\n" + header,
                   body));
    QCOMPARE(a.status, 400);
    QCOMPARE(a.code(), u"invalid_request_id"_s);
    QCOMPARE(a.field(), u"Idempotency-Key"_s);
    QCOMPARE(eventCount(), events);
}

void TestAgent::refusalsInBothLanguages_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::newRow("unknown card") << u"/v1/members/lookup"_s << QJsonObject{{u"card"_s, u"2999999999999"_s}} << 404 << u"unknown_card"_s;
    QTest::newRow("blocked card") << u"/v1/members/lookup"_s << QJsonObject{{u"card"_s, QString::fromUtf16(kBlockedCard)}} << 422
                                  << u"card_blocked"_s;
    QTest::newRow("payment card") << u"/v1/members/lookup"_s
                                  << QJsonObject{{u"scan"_s, QJsonObject{{u"payload"_s, QString::fromLatin1(kVisa)}}}} << 422
                                  << u"payment_card"_s;
    QTest::newRow("insufficient points") << u"/v1/redeem/points"_s
                                         << QJsonObject{{u"card"_s, QString::fromUtf16(kBudiCard)}, {u"points"_s, 10000000},
                                                        {u"receiptId"_s, u"POS-X"_s}}
                                         << 422 << u"insufficient_points"_s;
    QTest::newRow("unknown reward") << u"/v1/redeem/reward"_s
                                    << QJsonObject{{u"card"_s, QString::fromUtf16(kBudiCard)}, {u"rewardId"_s, u"no-such"_s}} << 404
                                    << u"unknown_reward"_s;
}

void TestAgent::refusalsInBothLanguages()
{
    QFETCH(QString, path);
    QFETCH(QJsonObject, body);
    QFETCH(int, status);
    QFETCH(QString, code);
    const qint64 events = eventCount();
    const Answer id = m_http->post(path, body, "id-ID,id;q=0.9,en;q=0.5");
    const Answer en = m_http->post(path, body, "en-US,en;q=0.9");
    // No Accept-Language at all (QNetworkAccessManager always sends one): Bahasa Indonesia.
    const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
    const Answer plain = agenttest::raw(
        m_agent.port(), rawRequest("POST", path.toLatin1(),
                                   "Host: 127.0.0.1:" + QByteArray::number(m_agent.port()) + "\r\nAuthorization: Bearer " + m_token + "\r\n",
                                   json));
    QCOMPARE(plain.status, status);
    QCOMPARE(plain.message(), setia::agent::errorMessage(code, u"id"_s));
    QCOMPARE(id.status, status);
    QCOMPARE(en.status, status);
    QCOMPARE(id.code(), code);
    QCOMPARE(en.code(), code);
    QCOMPARE(id.message(), setia::agent::errorMessage(code, u"id"_s));
    QCOMPARE(en.message(), setia::agent::errorMessage(code, u"en"_s));
    QVERIFY(id.message() != en.message());
    QVERIFY(!id.body.contains(kVisa) && !en.body.contains("4111"));
    QCOMPARE(eventCount(), events);
}

void TestAgent::badInputWritesNothing_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("field");
    auto earn = [this](const QJsonObject &b) {
        return QJsonDocument(QJsonObject{{u"card"_s, QString::fromUtf16(kBudiCard)}, {u"basket"_s, b}}).toJson();
    };
    const QByteArray json = "application/json";
    QTest::newRow("malformed json") << QByteArray(R"({"card": "2900000000017", "basket": {)") << json << 400 << u"malformed_json"_s << QString();
    QTest::newRow("not an object") << QByteArray("[1,2,3]") << json << 400 << u"malformed_json"_s << QString();
    QTest::newRow("huge body") << QByteArray(R"({"card":")" + QByteArray(1536 * 1024, '7') + R"("})") << json << 413
                               << u"payload_too_large"_s << QString();
    QTest::newRow("not json") << earn(basket(u"BAD-1"_s)) << QByteArray("text/plain") << 415 << u"unsupported_media_type"_s
                              << u"Content-Type"_s;
    QJsonObject negative = basket(u"BAD-2"_s, -2);
    QTest::newRow("negative quantity") << earn(negative) << json << 400 << u"invalid_basket"_s << u"basket.lines[0].quantity"_s;
    QTest::newRow("zero quantity") << earn(basket(u"BAD-3"_s, 0)) << json << 400 << u"invalid_basket"_s << u"basket.lines[0].quantity"_s;
    QJsonObject fraction = basket(u"BAD-4"_s);
    QJsonArray lines = fraction.value(u"lines"_s).toArray();
    QJsonObject l1 = lines.at(1).toObject();
    l1.insert(u"unitPrice"_s, 2500.5);
    lines.replace(1, l1);
    fraction.insert(u"lines"_s, lines);
    QTest::newRow("fractional price") << earn(fraction) << json << 400 << u"invalid_basket"_s << u"basket.lines[1].unitPrice"_s;
    QJsonObject negTotal = basket(u"BAD-5"_s);
    negTotal.insert(u"total"_s, -100);
    QTest::newRow("negative total") << earn(negTotal) << json << 400 << u"invalid_basket"_s << u"basket.total"_s;
    QJsonObject misspelt = basket(u"BAD-6"_s);
    misspelt.insert(u"recieptId"_s, u"BAD-6"_s);
    QTest::newRow("unknown basket field") << earn(misspelt) << json << 400 << u"invalid_basket"_s << u"basket.recieptId"_s;
    QJsonObject lineField = basket(u"BAD-7"_s);
    QJsonArray ll = lineField.value(u"lines"_s).toArray();
    QJsonObject l0 = ll.at(0).toObject();
    l0.insert(u"discount"_s, 5000);
    ll.replace(0, l0);
    lineField.insert(u"lines"_s, ll);
    QTest::newRow("unknown line field") << earn(lineField) << json << 400 << u"invalid_basket"_s << u"basket.lines[0].discount"_s;
    QTest::newRow("unknown top field") << QJsonDocument(QJsonObject{{u"card"_s, QString::fromUtf16(kBudiCard)},
                                                                    {u"basket"_s, basket(u"BAD-8"_s)}, {u"points"_s, 999}})
                                              .toJson()
                                       << json << 400 << u"unknown_field"_s << u"points"_s;
    QJsonObject noReceipt = basket({});
    noReceipt.remove(u"receiptId"_s);
    QTest::newRow("no receipt") << earn(noReceipt) << json << 400 << u"invalid_basket"_s << u"basket.receiptId"_s;
    QJsonObject other = basket(u"BAD-9"_s);
    other.insert(u"currency"_s, u"USD"_s);
    QTest::newRow("other currency") << earn(other) << json << 400 << u"invalid_basket"_s << u"basket.currency"_s;
    QTest::newRow("no member") << QJsonDocument(QJsonObject{{u"basket"_s, basket(u"BAD-10"_s)}}).toJson() << json << 400
                               << u"missing_field"_s << u"memberId"_s;
    QTest::newRow("quantity as text") << QByteArray(R"({"card":"2900000000017","basket":{"receiptId":"BAD-11","lines":[{"sku":"A","quantity":"2","unitPrice":1000}]}})")
                                      << json << 400 << u"invalid_basket"_s << u"basket.lines[0].quantity"_s;
}

void TestAgent::badInputWritesNothing()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(QString, field);
    const qint64 events = eventCount();
    const qint64 before = balance(QString::fromUtf16(kBudiCard));
    QVERIFY(events > 0 && before >= 0);
    const Answer a = m_http->postRaw(u"/v1/earn"_s, body, contentType);
    QCOMPARE(a.status, status);
    QCOMPARE(a.code(), code);
    QCOMPARE(a.field(), field);
    QVERIFY(!a.message().isEmpty());
    if (code == u"invalid_basket"_s) // the sentence names the line and the field
        QVERIFY2(a.message().contains(field), qPrintable(a.message()));
    QCOMPARE(eventCount(), events);
    QCOMPARE(balance(QString::fromUtf16(kBudiCard)), before);
    // a quote of the same basket is refused the same way
    if (status == 400 && code != u"malformed_json"_s && code != u"unknown_field"_s && field != u"basket.receiptId"_s) {
        const Answer q = m_http->postRaw(u"/v1/quote"_s, body, contentType);
        QCOMPARE(q.code(), code);
    }
}

void TestAgent::scansLongPoll()
{
    const qint64 after = m_http->get(u"/v1/events?waitMs=0"_s).json().value(u"last"_s).toInteger();
    // The POS waits for the next scan...
    QNetworkReply *poll = m_http->nam().get(m_http->request(u"/v1/events?after=%1&waitMs=10000"_s.arg(after)));
    QTest::qWait(100);
    QVERIFY(!poll->isFinished());
    // ...the cashier scans Budi's card on the (virtual) scanner.
    QString why;
    QVERIFY2(scan(QString::fromUtf16(kBudiCard), &why), qPrintable(why));
    const Answer a = m_http->wait(poll, 10000);
    QCOMPARE(a.status, 200);
    const QJsonArray events = a.json().value(u"events"_s).toArray();
    QCOMPARE(events.size(), 1);
    const QJsonObject e = events.at(0).toObject();
    QCOMPARE(e.value(u"kind"_s).toString(), u"member"_s);
    QCOMPARE(e.value(u"member"_s).toObject().value(u"memberId"_s).toString(), m_budi);
    QCOMPARE(e.value(u"seq"_s).toInteger(), after + 1);
    QCOMPARE(a.json().value(u"last"_s).toInteger(), after + 1);
    // A scan that is nobody's card: an event that says so.
    QVERIFY2(scan(u"2999999999999"_s, &why), qPrintable(why));
    const Answer b = m_http->get(u"/v1/events?after=%1&waitMs=5000"_s.arg(after + 1));
    const QJsonObject refused = b.json().value(u"events"_s).toArray().at(0).toObject();
    QCOMPARE(refused.value(u"kind"_s).toString(), u"refused"_s);
    QCOMPARE(refused.value(u"error"_s).toObject().value(u"code"_s).toString(), u"unknown_card"_s);
    // Nothing new: the long-poll ends empty after waitMs.
    QElapsedTimer t;
    t.start();
    const Answer c = m_http->get(u"/v1/events?after=%1&waitMs=300"_s.arg(after + 2));
    QCOMPARE(c.status, 200);
    QVERIFY(c.json().value(u"events"_s).toArray().isEmpty());
    QVERIFY(t.elapsed() >= 250);
    // A seq from an earlier run of the agent (the POS kept it over a restart): answered at once.
    t.restart();
    const Answer stale = m_http->get(u"/v1/events?after=999999&waitMs=5000"_s);
    QCOMPARE(stale.status, 200);
    QVERIFY(t.elapsed() < 4000);
    QVERIFY(stale.json().value(u"events"_s).toArray().size() >= 2);
    QCOMPARE(m_http->get(u"/v1/events?waitMs=99999"_s).code(), u"invalid_field"_s);
    QCOMPARE(m_http->get(u"/v1/events?since=3"_s).code(), u"unknown_field"_s);
}

void TestAgent::scansServerSentEvents()
{
    QNetworkRequest r = m_http->request(u"/v1/events/stream"_s, "en");
    r.setRawHeader("Accept", "text/event-stream");
    QNetworkReply *reply = m_http->nam().get(r);
    QByteArray received;
    connect(reply, &QNetworkReply::readyRead, reply, [&] { received += reply->readAll(); });
    QElapsedTimer t;
    t.start();
    while (!received.contains(": setia-agent stream") && t.elapsed() < 5000)
        QTest::qWait(20);
    QVERIFY2(received.contains(": setia-agent stream"), received.constData());
    QString why;
    QVERIFY2(scan(QString::fromUtf16(kBudiCard), &why), qPrintable(why));
    QVERIFY2(scan(QString::fromUtf16(kBlockedCard), &why), qPrintable(why));
    t.restart();
    while (received.count("event: scan") < 2 && t.elapsed() < 10000)
        QTest::qWait(20);
    QCOMPARE(received.count("event: scan"), 2);
    QVERIFY(received.contains(m_budi.toLatin1()));
    QVERIFY(received.contains("\"card_blocked\""));
    QVERIFY(received.contains(setia::agent::errorMessage(u"card_blocked"_s, u"en"_s).toUtf8()));
    reply->abort();
    reply->deleteLater();
}

void TestAgent::paymentCardEventCarriesNoCardData()
{
    const qint64 after = m_http->get(u"/v1/events?waitMs=0"_s).json().value(u"last"_s).toInteger();
    const qint64 events = eventCount();
    QString why;
    QVERIFY2(scan(QString::fromLatin1(kVisa), &why), qPrintable(why));
    // and swiped: a track 1 + track 2 of the same test card
    QVERIFY2(scan(u"%B4111111111111111^TEST/CARD^29121010000000000000?;4111111111111111=29121010000000000000?"_s, &why), qPrintable(why));
    const Answer a = m_http->get(u"/v1/events?after=%1&waitMs=5000"_s.arg(after));
    QCOMPARE(a.status, 200);
    QJsonArray list = a.json().value(u"events"_s).toArray();
    QElapsedTimer t;
    t.start();
    while (list.size() < 2 && t.elapsed() < 5000)
        list += m_http->get(u"/v1/events?after=%1&waitMs=1000"_s.arg(after + list.size())).json().value(u"events"_s).toArray();
    QCOMPARE(list.size(), 2);
    for (const QJsonValue &v : list) {
        QJsonObject e = v.toObject();
        QCOMPARE(e.value(u"kind"_s).toString(), u"payment_card"_s);
        QCOMPARE(e.value(u"error"_s).toObject().value(u"code"_s).toString(), u"payment_card"_s);
        e.remove(u"seq"_s);
        e.remove(u"at"_s);
        const QByteArray text = QJsonDocument(e).toJson(QJsonDocument::Compact);
        for (char c : text)
            QVERIFY2(c < '0' || c > '9', text.constData()); // not a digit of the card, nor its brand
        QVERIFY(!text.contains("Visa") && !text.contains("TEST"));
    }
    QCOMPARE(eventCount(), events); // nothing of it in the store
}

void TestAgent::printing()
{
    QFile::remove(m_printerFile);
    Answer a = m_http->post(u"/v1/print/member-card"_s, {{u"card"_s, QString::fromUtf16(kBudiCard)}}, "en");
    QCOMPARE(a.status, 200);
    QCOMPARE(a.json().value(u"printed"_s).toBool(), true);
    QVERIFY(a.json().value(u"text"_s).toString().contains(u"Budi Santoso"_s));
    QFile f(m_printerFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray first = f.readAll();
    f.close();
    QVERIFY(first.startsWith("\x1b@"));                 // ESC @: initialise
    QVERIFY(first.contains("2900000000017"));           // the barcode's data
    QCOMPARE(first.size(), qint64(a.json().value(u"bytes"_s).toDouble()));
    a = m_http->post(u"/v1/print/points-slip"_s, {{u"card"_s, QString::fromUtf16(kBudiCard)}});
    QCOMPARE(a.status, 200);
    QVERIFY(a.json().value(u"text"_s).toString().contains(u"Poin"_s));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.size(), first.size() + qint64(a.json().value(u"bytes"_s).toDouble())); // appended
    a = m_http->post(u"/v1/print/points-slip"_s, {{u"card"_s, u"2999999999999"_s}});
    QCOMPARE(a.code(), u"unknown_card"_s);
}

void TestAgent::syncStatusIsHonest()
{
    const Answer a = m_http->get(u"/v1/sync"_s);
    QCOMPARE(a.status, 200);
    QCOMPARE(a.json().value(u"state"_s).toString(), u"not_configured"_s);
    QVERIFY(a.json().value(u"redemptionLease"_s).isNull());
}

void TestAgent::refusesToStartUnsafely_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("why");
    const QString open = m_dir.filePath(u"open.token"_s);
    QFile f(open);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("0123456789abcdef0123456789abcdef");
    f.close();
    QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    QTest::newRow("token readable by all") << QStringList{u"--token-file"_s, open} << 3 << QByteArray("may be read by every user");
    QTest::newRow("not loopback") << QStringList{u"--listen"_s, u"0.0.0.0"_s} << 2 << QByteArray("loopback address only");
    QTest::newRow("lan address") << QStringList{u"--listen"_s, u"192.168.1.10"_s} << 2 << QByteArray("loopback address only");
}

void TestAgent::refusesToStartUnsafely()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, why);
    QProcess p;
    p.start(QString::fromUtf8(SETIA_AGENT), QStringList{u"--db"_s, m_dir.filePath(u"none.db"_s), u"--port"_s, u"0"_s} + args);
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitCode(), exitCode);
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains(why), err.constData());
    QVERIFY(!p.readAllStandardOutput().contains("listening"));
}

QTEST_GUILESS_MAIN(TestAgent)
#include "tst_agent.moc"
