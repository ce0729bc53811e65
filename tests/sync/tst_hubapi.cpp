// setia-hub's HTTP API as documented in docs/api/hub-openapi.yaml: the document names exactly the
// routes of hubRoutes(), and an in-process hub (HubStore on a temporary SQLite file, HubServer on
// a free loopback port) answers over real HTTP as the document says: operator token, enrollment,
// request signing, the signed lease, errors. Every wait is bounded.
#include "sync/hub/hubserver.h"
#include "sync/hub/hubstore.h"
#include "sync/protocol/protocol.h"

#include "core/ledger.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;
using setia::sync::KeyPair;

namespace {

constexpr auto kOperatorToken = "optoken";
const QString kStore = u"store-1"_s;
constexpr int kTimeoutMs = 15000;

struct Answer {
    int status = 0; // 0: no answer within kTimeoutMs
    QByteArray body, contentType, wwwAuthenticate;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString code() const { return json().value(u"error"_s).toString(); }
};

QString newTerminalId() { return QUuid::createUuid().toString(QUuid::WithoutBraces); }

// Empty when the answer is the documented error {"error": code, "message": a sentence} with that
// status; otherwise what was answered instead.
QString errorMismatch(const Answer &a, int status, const QString &code)
{
    const QJsonObject o = a.json();
    const bool ok = a.status == status && o.value(u"error"_s).toString() == code
                    && !o.value(u"message"_s).toString().isEmpty() && a.contentType.startsWith("application/json");
    return ok ? QString() : u"expected %1 %2, got %3 %4"_s.arg(status).arg(code).arg(a.status).arg(QString::fromUtf8(a.body));
}

} // namespace

#define QCOMPARE_HUB_ERROR(answer, status, code)                                                                      \
    do {                                                                                                               \
        const QString why_ = errorMismatch((answer), (status), QStringLiteral(code));                                 \
        QVERIFY2(why_.isEmpty(), qPrintable(why_));                                                                    \
    } while (false)

class TestHubApi : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void openApiMatchesRoutes();
    void health();
    void operatorTokenRequired_data();
    void operatorTokenRequired();
    void adminReadRoutes();
    void enrollmentToken();
    void registerWithBadToken();
    void unsignedPushRefused_data();
    void unsignedPushRefused();
    void unknownTerminalRefused();
    void registerIsIdempotentButOneTerminalPerToken();
    void registerWithoutName();
    void pushResults();
    void memberAndErase();
    void signedLease();
    void signatureCoversQuery();
    void revokedTerminalRefused();
    void malformedProgramRefused();
    void unknownPath_data();
    void unknownPath();
    void otherMethodNotAllowed();
    void largeRequestsDoNotWaitForDelayedAcks();

private:
    Answer send(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body = {},
                const QList<QPair<QByteArray, QByteArray>> &headers = {});
    Answer admin(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body = {});
    Answer signedRequest(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body,
                         const QString &terminalId, const QByteArray &privateKey);
    QString enrollmentToken(QString *why);
    QByteArray registerBody(const QString &token, const QString &terminalId, const QByteArray &publicKey) const;
    // Registers a new terminal of kStore; false (and why) when the hub refused.
    bool registerTerminal(QString *terminalId, KeyPair *key, QString *why);

    QTemporaryDir m_dir;
    std::unique_ptr<setia::hub::HubStore> m_store;
    std::unique_ptr<setia::hub::HubServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_http;
    quint16 m_port = 0;
    QByteArray m_hubKey; // raw, from GET /v1/health
};

Answer TestHubApi::send(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body,
                        const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest req(QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(pathAndQuery)));
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    req.setTransferTimeout(kTimeoutMs);
    for (const auto &[name, value] : headers)
        req.setRawHeader(name, value);
    QNetworkReply *reply = m_http->sendCustomRequest(req, method, body);
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    timer.start(kTimeoutMs);
    if (!reply->isFinished())
        loop.exec();
    Answer a;
    if (reply->isFinished()) {
        a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        a.body = reply->readAll();
        a.contentType = reply->rawHeader("Content-Type");
        a.wwwAuthenticate = reply->rawHeader("WWW-Authenticate");
    } else {
        reply->abort();
    }
    reply->deleteLater();
    return a;
}

Answer TestHubApi::admin(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body)
{
    return send(method, pathAndQuery, body, {{"Authorization", QByteArray("Bearer ") + kOperatorToken}});
}

Answer TestHubApi::signedRequest(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body,
                                 const QString &terminalId, const QByteArray &privateKey)
{
    const QByteArray signature =
        setia::sync::sign(privateKey, setia::sync::requestSigningInput(method, pathAndQuery.toUtf8(), body));
    return send(method, pathAndQuery, body,
                {{setia::sync::kTerminalHeader, terminalId.toLatin1()}, {setia::sync::kSignatureHeader, signature.toBase64()}});
}

QString TestHubApi::enrollmentToken(QString *why)
{
    const Answer a = admin("POST", u"/v1/admin/tokens"_s,
                           QJsonDocument(QJsonObject{{u"storeId"_s, kStore}, {u"name"_s, u"till"_s}}).toJson());
    const QString token = a.json().value(u"token"_s).toString();
    if (a.status != 201 || token.isEmpty())
        *why = u"POST /v1/admin/tokens: %1 %2"_s.arg(a.status).arg(QString::fromUtf8(a.body));
    return a.status == 201 ? token : QString();
}

QByteArray TestHubApi::registerBody(const QString &token, const QString &terminalId, const QByteArray &publicKey) const
{
    return QJsonDocument(QJsonObject{{u"token"_s, token},
                                     {u"terminalId"_s, terminalId},
                                     {u"storeId"_s, kStore},
                                     {u"publicKey"_s, QString::fromLatin1(publicKey.toBase64())},
                                     {u"name"_s, u"till"_s}})
        .toJson(QJsonDocument::Compact);
}

bool TestHubApi::registerTerminal(QString *terminalId, KeyPair *key, QString *why)
{
    const QString token = enrollmentToken(why);
    if (token.isEmpty())
        return false;
    *terminalId = newTerminalId();
    *key = setia::sync::generateKeyPair();
    const Answer a = send("POST", u"/v1/register"_s, registerBody(token, *terminalId, key->publicKey));
    if (a.status != 200) {
        *why = u"POST /v1/register: %1 %2"_s.arg(a.status).arg(QString::fromUtf8(a.body));
        return false;
    }
    return true;
}

void TestHubApi::initTestCase()
{
    QVERIFY(m_dir.isValid());
    setia::hub::HubConfig config;
    config.database = m_dir.filePath(u"hub.db"_s);
    config.keyPath = m_dir.filePath(u"hub.key"_s);
    auto store = setia::hub::HubStore::open(config);
    QVERIFY2(store.ok(), store.ok() ? "" : qPrintable(store.error().code + u": "_s + store.error().message));
    m_store = std::move(store).value();
    m_server = std::make_unique<setia::hub::HubServer>(*m_store, QByteArray(kOperatorToken));
    m_port = m_server->listen(QHostAddress::LocalHost, 0);
    QVERIFY2(m_port != 0, qPrintable(m_server->error()));
    m_http = std::make_unique<QNetworkAccessManager>();

    const Answer a = send("GET", u"/v1/health"_s);
    QCOMPARE(a.status, 200);
    auto key = setia::sync::fromBase64Strict(a.json().value(u"publicKey"_s).toString(), 32);
    QVERIFY2(key.ok(), a.body.constData());
    m_hubKey = key.value();
}

void TestHubApi::cleanupTestCase()
{
    m_http.reset();
    m_server.reset(); // before the store it serves
    m_store.reset();
}

void TestHubApi::openApiMatchesRoutes()
{
    QFile f(QStringLiteral(SETIA_SOURCE_DIR "/docs/api/hub-openapi.yaml"));
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
    // paths:                 (top level)
    //   /v1/register:        (two spaces)
    //     post:              (four spaces)
    QSet<QString> documented;
    QString path;
    bool inPaths = false;
    const QList<QByteArray> lines = f.readAll().split('\n');
    QVERIFY(lines.size() > 50);
    QVERIFY(lines.first().startsWith("openapi: 3.0.3"));
    static const QRegularExpression pathLine(u"^  (/\\S+):\\s*$"_s), methodLine(u"^    (get|post|put|delete|patch|head|options):\\s*$"_s);
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
    for (const auto &r : setia::hub::hubRoutes())
        code.insert(r.method + u" "_s + r.path);
    QVERIFY(!code.isEmpty());
    const QSet<QString> undocumented = code - documented, stale = documented - code;
    QVERIFY2(undocumented.isEmpty(), qPrintable(u"in the code, not in the document: "_s + QStringList(undocumented.values()).join(u", "_s)));
    QVERIFY2(stale.isEmpty(), qPrintable(u"in the document, not in the code: "_s + QStringList(stale.values()).join(u", "_s)));
}

void TestHubApi::health()
{
    const Answer a = send("GET", u"/v1/health"_s);
    QCOMPARE(a.status, 200);
    QVERIFY(a.contentType.startsWith("application/json"));
    const QJsonObject o = a.json();
    QCOMPARE(o.value(u"status"_s).toString(), u"ok"_s);
    QCOMPARE(o.value(u"protocol"_s).toInt(), setia::sync::kProtocolVersion);
    QCOMPARE(o.value(u"hubId"_s).toString(), m_store->hubId());
    QCOMPARE(o.value(u"publicKey"_s).toString(), QString::fromLatin1(m_store->publicKey().toBase64()));
}

void TestHubApi::operatorTokenRequired_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::newRow("none") << QByteArray();
    QTest::newRow("wrong token") << QByteArray("Bearer wrong-token");
    QTest::newRow("a prefix of the token") << QByteArray("Bearer optok");
    QTest::newRow("the token and more") << QByteArray("Bearer optokenx");
    QTest::newRow("empty bearer") << QByteArray("Bearer ");
    QTest::newRow("basic scheme") << QByteArray("Basic optoken");
}

void TestHubApi::operatorTokenRequired()
{
    QFETCH(QByteArray, authorization);
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!authorization.isEmpty())
        headers.append({"Authorization", authorization});
    for (const auto &r : setia::hub::hubRoutes()) {
        if (!r.path.startsWith(u"/v1/admin/"_s))
            continue;
        const Answer a = send(r.method.toLatin1(), r.path, r.method == u"POST"_s ? QByteArray("{\"storeId\":\"s\"}") : QByteArray(), headers);
        QCOMPARE_HUB_ERROR(a, 401, "unauthorized");
        QCOMPARE(a.wwwAuthenticate, QByteArray("Bearer realm=\"setia-hub\""));
    }
}

void TestHubApi::adminReadRoutes()
{
    // Every operator GET answers with the operator's token; 64-bit integers are decimal strings.
    QString why, id;
    KeyPair key;
    QVERIFY2(registerTerminal(&id, &key, &why), qPrintable(why));
    for (const auto &r : setia::hub::hubRoutes()) {
        if (r.method != u"GET"_s || !r.path.startsWith(u"/v1/admin/"_s) || r.path == u"/v1/admin/members"_s)
            continue;
        const Answer a = admin("GET", r.path);
        QVERIFY2(a.status == 200, qPrintable(r.path + u": "_s + QString::fromUtf8(a.body)));
        QVERIFY2(!QJsonDocument::fromJson(a.body).isNull(), qPrintable(r.path));
    }
    const QJsonArray terminals = QJsonDocument::fromJson(admin("GET", u"/v1/admin/terminals"_s).body).array();
    const auto mine = std::find_if(terminals.begin(), terminals.end(),
                                   [&](const QJsonValue &t) { return t.toObject().value(u"terminalId"_s).toString() == id; });
    QVERIFY(mine != terminals.end());
    const QJsonObject t = mine->toObject();
    QCOMPARE(t.value(u"storeId"_s).toString(), kStore);
    QCOMPARE(t.value(u"revoked"_s).toBool(true), false);
    QVERIFY(t.value(u"registeredAt"_s).isString() && t.value(u"registeredAt"_s).toString().toLongLong() > 0);
    QCOMPARE(t.value(u"lastSeq"_s).toString(), u"0"_s);

    const Answer report = admin("GET", u"/v1/admin/report?from=0&to=1000"_s);
    QCOMPARE(report.status, 200);
    QCOMPARE(report.json().value(u"from"_s).toString(), u"0"_s);
    QCOMPARE(report.json().value(u"to"_s).toString(), u"1000"_s);
    QCOMPARE(report.json().value(u"total"_s).toObject().value(u"receipts"_s).toString(), u"0"_s);

    QCOMPARE_HUB_ERROR(admin("GET", u"/v1/admin/members?memberId=%1"_s.arg(newTerminalId())), 404, "unknown_member");
}

void TestHubApi::enrollmentToken()
{
    // "name" is optional (docs/api/hub-openapi.yaml; setia-hub token without --name).
    const Answer a = admin("POST", u"/v1/admin/tokens"_s, QJsonDocument(QJsonObject{{u"storeId"_s, kStore}}).toJson());
    QVERIFY2(a.status == 201, a.body.constData());
    static const QRegularExpression tokenShape(u"^setia-enroll-[A-Za-z0-9_-]{32}$"_s);
    QVERIFY2(tokenShape.match(a.json().value(u"token"_s).toString()).hasMatch(), a.body.constData());
    QCOMPARE(a.json().value(u"storeId"_s).toString(), kStore);
    QVERIFY(admin("POST", u"/v1/admin/tokens"_s, QJsonDocument(QJsonObject{{u"storeId"_s, kStore}}).toJson()).json().value(u"token"_s)
            != a.json().value(u"token"_s));
    QCOMPARE_HUB_ERROR(admin("POST", u"/v1/admin/tokens"_s, "{}"), 400, "invalid_field");
    QCOMPARE_HUB_ERROR(admin("POST", u"/v1/admin/tokens"_s, "[1,2]"), 400, "malformed_json");
}

void TestHubApi::registerWithBadToken()
{
    const KeyPair key = setia::sync::generateKeyPair();
    QCOMPARE_HUB_ERROR(send("POST", u"/v1/register"_s, registerBody(u"setia-enroll-not-a-real-token"_s, newTerminalId(), key.publicKey)),
                       403, "invalid_token");
    QCOMPARE_HUB_ERROR(send("POST", u"/v1/register"_s, "{\"token\":"), 400, "malformed_json");
    QString why;
    const QString token = enrollmentToken(&why);
    QVERIFY2(!token.isEmpty(), qPrintable(why));
    QCOMPARE_HUB_ERROR(send("POST", u"/v1/register"_s, registerBody(token, u"not-a-uuid"_s, key.publicKey)), 400, "invalid_field");
    QCOMPARE_HUB_ERROR(send("POST", u"/v1/register"_s, registerBody(token, newTerminalId(), QByteArray(31, 'k'))), 400, "invalid_field");
    // The token of another store.
    QJsonObject other = QJsonDocument::fromJson(registerBody(token, newTerminalId(), key.publicKey)).object();
    other.insert(u"storeId"_s, u"store-2"_s);
    QCOMPARE_HUB_ERROR(send("POST", u"/v1/register"_s, QJsonDocument(other).toJson()), 403, "invalid_token");
}

void TestHubApi::unsignedPushRefused_data()
{
    QTest::addColumn<QByteArray>("terminal");
    QTest::addColumn<QByteArray>("signature");
    QTest::newRow("no headers") << QByteArray() << QByteArray();
    QTest::newRow("no signature") << newTerminalId().toLatin1() << QByteArray();
    QTest::newRow("no terminal") << QByteArray() << QByteArray(64, 's').toBase64();
    QTest::newRow("signature not base64") << newTerminalId().toLatin1() << QByteArray("!!not base64!!");
    QTest::newRow("signature of 63 bytes") << newTerminalId().toLatin1() << QByteArray(63, 's').toBase64();
}

void TestHubApi::unsignedPushRefused()
{
    QFETCH(QByteArray, terminal);
    QFETCH(QByteArray, signature);
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!terminal.isEmpty())
        headers.append({setia::sync::kTerminalHeader, terminal});
    if (!signature.isEmpty())
        headers.append({setia::sync::kSignatureHeader, signature});
    const Answer a = send("POST", u"/v1/push"_s, R"({"v":1,"terminalId":"x","events":[]})", headers);
    QCOMPARE_HUB_ERROR(a, 401, "unauthorized");
    QVERIFY(!a.wwwAuthenticate.isEmpty());
}

void TestHubApi::unknownTerminalRefused()
{
    const QByteArray garbage = QByteArray(64, '\x5a').toBase64();
    const QString id = newTerminalId();
    const QByteArray body = R"({"v":1,"terminalId":")" + id.toLatin1() + R"(","events":[]})";
    QCOMPARE_HUB_ERROR(send("POST", u"/v1/push"_s, body, {{setia::sync::kTerminalHeader, id.toLatin1()}, {setia::sync::kSignatureHeader, garbage}}),
                       404, "unknown_terminal");
    QCOMPARE_HUB_ERROR(send("GET", u"/v1/lease"_s, {}, {{setia::sync::kTerminalHeader, id.toLatin1()}, {setia::sync::kSignatureHeader, garbage}}),
                       404, "unknown_terminal");
}

void TestHubApi::registerIsIdempotentButOneTerminalPerToken()
{
    QString why;
    const QString token = enrollmentToken(&why);
    QVERIFY2(!token.isEmpty(), qPrintable(why));
    const QString id = newTerminalId();
    const KeyPair key = setia::sync::generateKeyPair();
    QCOMPARE(key.publicKey.size(), 32);

    Answer a = send("POST", u"/v1/register"_s, registerBody(token, id, key.publicKey));
    QVERIFY2(a.status == 200, a.body.constData());
    QCOMPARE(a.json().value(u"hubKey"_s).toString(), QString::fromLatin1(m_hubKey.toBase64()));
    QCOMPARE(a.json().value(u"hubId"_s).toString(), m_store->hubId());
    QCOMPARE(a.json().value(u"terminalId"_s).toString(), id);

    // The reply was lost: the terminal sends the same registration again.
    const Answer again = send("POST", u"/v1/register"_s, registerBody(token, id, key.publicKey));
    QVERIFY2(again.status == 200, again.body.constData());
    QCOMPARE(again.json(), a.json());

    // The token is spent: not for another terminal, nor for this terminal with another key.
    QCOMPARE_HUB_ERROR(send("POST", u"/v1/register"_s, registerBody(token, newTerminalId(), key.publicKey)), 409, "token_used");
    QCOMPARE_HUB_ERROR(send("POST", u"/v1/register"_s, registerBody(token, id, setia::sync::generateKeyPair().publicKey)), 409, "token_used");
    // A new token does not take over a registered terminal id.
    const QString second = enrollmentToken(&why);
    QVERIFY2(!second.isEmpty(), qPrintable(why));
    QCOMPARE_HUB_ERROR(send("POST", u"/v1/register"_s, registerBody(second, id, setia::sync::generateKeyPair().publicKey)), 409, "terminal_exists");
}

void TestHubApi::registerWithoutName()
{
    QString why;
    const QString token = enrollmentToken(&why);
    QVERIFY2(!token.isEmpty(), qPrintable(why));
    QJsonObject body = QJsonDocument::fromJson(registerBody(token, newTerminalId(), setia::sync::generateKeyPair().publicKey)).object();
    body.remove(u"name"_s); // optional
    const Answer a = send("POST", u"/v1/register"_s, QJsonDocument(body).toJson());
    QVERIFY2(a.status == 200, a.body.constData());
}

void TestHubApi::pushResults()
{
    QString why, id;
    KeyPair key;
    QVERIFY2(registerTerminal(&id, &key, &why), qPrintable(why));
    QString prev = setia::kGenesisHash;
    auto event = [&](qint64 seq) {
        setia::LedgerEvent e;
        e.eventId = newTerminalId();
        e.terminalId = id;
        e.terminalSeq = seq;
        e.hlc = seq;
        e.occurredAt = 1767225600000 + seq;
        e.type = u"adjust"_s;
        e.payloadJson = "{}";
        e.prevHash = prev;
        e.hash = setia::computeHash(e);
        prev = e.hash;
        return e;
    };
    const setia::LedgerEvent first = event(1), second = event(2), third = event(3);
    auto push = [&](const QList<setia::LedgerEvent> &events) {
        const Answer a = signedRequest("POST", u"/v1/push"_s, setia::sync::encodePush({id, events, {}}), id, key.privateKey);
        return a.json().value(u"results"_s).toArray();
    };
    QJsonObject r = push({first}).at(0).toObject();
    QCOMPARE(r.value(u"status"_s).toString(), u"accepted"_s);
    QVERIFY(r.value(u"serverSeq"_s).isString());
    const QString serverSeq = r.value(u"serverSeq"_s).toString();
    QVERIFY(serverSeq.toLongLong() > 0);
    r = push({first}).at(0).toObject(); // sent again
    QCOMPARE(r.value(u"status"_s).toString(), u"duplicate"_s);
    QCOMPARE(r.value(u"serverSeq"_s).toString(), serverSeq);
    r = push({third}).at(0).toObject(); // 2 is missing
    QCOMPARE(r.value(u"status"_s).toString(), u"held"_s);
    QCOMPARE(r.value(u"reason"_s).toString(), u"gap"_s);
    QVERIFY(!r.contains(u"serverSeq"_s));
    r = push({second}).at(0).toObject();
    QCOMPARE(r.value(u"status"_s).toString(), u"accepted"_s);
    r = push({third}).at(0).toObject(); // released from held when 2 came
    QCOMPARE(r.value(u"status"_s).toString(), u"duplicate"_s);

    // memberId, receiptId, refEventId and actor are optional in an event on the wire.
    const setia::LedgerEvent fourth = event(4);
    QJsonObject bare = setia::sync::eventToJson(fourth);
    for (const QString &k : {u"memberId"_s, u"receiptId"_s, u"refEventId"_s, u"actor"_s})
        bare.remove(k);
    const QByteArray body = QJsonDocument(QJsonObject{{u"v"_s, 1}, {u"terminalId"_s, id}, {u"events"_s, QJsonArray{bare}}})
                                .toJson(QJsonDocument::Compact);
    const Answer a = signedRequest("POST", u"/v1/push"_s, body, id, key.privateKey);
    QVERIFY2(a.status == 200, a.body.constData());
    QCOMPARE(a.json().value(u"results"_s).toArray().at(0).toObject().value(u"status"_s).toString(), u"accepted"_s);

    // Whole-batch refusals.
    QCOMPARE_HUB_ERROR(signedRequest("POST", u"/v1/push"_s, "{\"v\":2,\"terminalId\":\"" + id.toLatin1() + "\",\"events\":[]}", id, key.privateKey),
                       400, "unsupported_version");
    QCOMPARE_HUB_ERROR(signedRequest("POST", u"/v1/push"_s, "[]", id, key.privateKey), 400, "malformed_json");
}

void TestHubApi::memberAndErase()
{
    QString why, id;
    KeyPair key;
    QVERIFY2(registerTerminal(&id, &key, &why), qPrintable(why));
    const QString member = newTerminalId();
    setia::LedgerEvent e;
    e.eventId = newTerminalId();
    e.terminalId = id;
    e.terminalSeq = 1;
    e.hlc = 1;
    e.occurredAt = 1767225600000;
    e.type = u"enroll"_s;
    e.memberId = member;
    e.payloadJson = R"({"homeStore":"store-1","tier":""})"; // canonical: keys sorted, no white space
    e.prevHash = setia::kGenesisHash;
    e.hash = setia::computeHash(e);
    const Answer pushed = signedRequest("POST", u"/v1/push"_s, setia::sync::encodePush({id, {e}, {}}), id, key.privateKey);
    QVERIFY2(pushed.status == 200, pushed.body.constData());
    QCOMPARE(pushed.json().value(u"results"_s).toArray().at(0).toObject().value(u"status"_s).toString(), u"accepted"_s);

    Answer a = admin("GET", u"/v1/admin/members?memberId="_s + member);
    QVERIFY2(a.status == 200, a.body.constData());
    QCOMPARE(a.json().value(u"status"_s).toString(), u"active"_s);
    QCOMPARE(a.json().value(u"homeStore"_s).toString(), kStore);
    QCOMPARE(a.json().value(u"balance"_s).toString(), u"0"_s);
    QVERIFY(a.json().value(u"asOf"_s).isString());

    const QByteArray erase = QJsonDocument(QJsonObject{{u"memberId"_s, member}, {u"reason"_s, u"asked at the till"_s}}).toJson();
    a = admin("POST", u"/v1/admin/members/erase"_s, erase);
    QVERIFY2(a.status == 200, a.body.constData());
    QCOMPARE(a.json().value(u"erased"_s).toString(), member);
    QCOMPARE(admin("GET", u"/v1/admin/members?memberId="_s + member).json().value(u"status"_s).toString(), u"erased"_s);
    QCOMPARE(admin("POST", u"/v1/admin/members/erase"_s, erase).status, 200); // again: nothing more to do
    QCOMPARE_HUB_ERROR(admin("POST", u"/v1/admin/members/erase"_s, QJsonDocument(QJsonObject{{u"memberId"_s, newTerminalId()}}).toJson()),
                       404, "unknown_member");
}

void TestHubApi::signedLease()
{
    QString why, id;
    KeyPair key;
    QVERIFY2(registerTerminal(&id, &key, &why), qPrintable(why));

    const Answer a = signedRequest("GET", u"/v1/lease"_s, {}, id, key.privateKey);
    QVERIFY2(a.status == 200, a.body.constData());
    auto lease = setia::sync::decodeSignedLease(a.body, m_hubKey);
    QVERIFY2(lease.ok(), lease.ok() ? "" : qPrintable(lease.error().message));
    QCOMPARE(lease->terminalId, id);
    QVERIFY(lease->expiresAt > lease->issuedAt);
    QCOMPARE(lease->memberCap, setia::hub::HubConfig{}.leaseMemberCap);
    // 64-bit integers travel as decimal strings.
    const QJsonObject raw = a.json().value(u"lease"_s).toObject();
    for (const QString &k : {u"asOfServerSeq"_s, u"expiresAt"_s, u"issuedAt"_s, u"maxCount"_s, u"memberCap"_s, u"terminalCap"_s})
        QVERIFY2(raw.value(k).isString(), qPrintable(k));
    // The lease does not verify with another key.
    QVERIFY(!setia::sync::decodeSignedLease(a.body, setia::sync::generateKeyPair().publicKey).ok());

    // The same request signed by another key.
    const KeyPair other = setia::sync::generateKeyPair();
    const Answer forged = signedRequest("GET", u"/v1/lease"_s, {}, id, other.privateKey);
    QCOMPARE_HUB_ERROR(forged, 401, "bad_signature");
    QVERIFY(!forged.wwwAuthenticate.isEmpty());
    // A signature of the right key over another method or path.
    const QByteArray elsewhere = setia::sync::sign(key.privateKey, setia::sync::requestSigningInput("GET", "/v1/feed", {}));
    QCOMPARE_HUB_ERROR(send("GET", u"/v1/lease"_s, {}, {{setia::sync::kTerminalHeader, id.toLatin1()}, {setia::sync::kSignatureHeader, elsewhere.toBase64()}}),
                       401, "bad_signature");
}

void TestHubApi::signatureCoversQuery()
{
    QString why, id;
    KeyPair key;
    QVERIFY2(registerTerminal(&id, &key, &why), qPrintable(why));
    const Answer page = signedRequest("GET", u"/v1/feed?after=0&limit=10"_s, {}, id, key.privateKey);
    QVERIFY2(page.status == 200, page.body.constData());
    QVERIFY(page.json().value(u"next"_s).isString());
    QVERIFY(page.json().value(u"items"_s).isArray());
    QVERIFY(page.json().value(u"more"_s).isBool());
    QVERIFY(setia::sync::decodeFeedPage(page.body).ok());

    // Signed for one query, sent with another.
    const QByteArray sig = setia::sync::sign(key.privateKey, setia::sync::requestSigningInput("GET", "/v1/feed?after=0", {}));
    QCOMPARE_HUB_ERROR(send("GET", u"/v1/feed?after=5"_s, {}, {{setia::sync::kTerminalHeader, id.toLatin1()}, {setia::sync::kSignatureHeader, sig.toBase64()}}),
                       401, "bad_signature");
    // A signed push covers the body: an empty batch is fine, the same signature on another body is not.
    const QByteArray body = setia::sync::encodePush({id, {}, {}});
    const Answer pushed = signedRequest("POST", u"/v1/push"_s, body, id, key.privateKey);
    QVERIFY2(pushed.status == 200, pushed.body.constData());
    QVERIFY(pushed.json().value(u"results"_s).isArray());
    const QByteArray pushSig = setia::sync::sign(key.privateKey, setia::sync::requestSigningInput("POST", "/v1/push", body));
    QCOMPARE_HUB_ERROR(send("POST", u"/v1/push"_s, body + ' ', {{setia::sync::kTerminalHeader, id.toLatin1()}, {setia::sync::kSignatureHeader, pushSig.toBase64()}}),
                       401, "bad_signature");
    // A batch that names another terminal than the signer.
    QCOMPARE_HUB_ERROR(signedRequest("POST", u"/v1/push"_s, setia::sync::encodePush({newTerminalId(), {}, {}}), id, key.privateKey), 400,
                       "malformed_request");
}

void TestHubApi::revokedTerminalRefused()
{
    QString why, id;
    KeyPair key;
    QVERIFY2(registerTerminal(&id, &key, &why), qPrintable(why));
    const QByteArray body = QJsonDocument(QJsonObject{{u"terminalId"_s, id}}).toJson();
    const Answer revoked = admin("POST", u"/v1/admin/terminals/revoke"_s, body);
    QVERIFY2(revoked.status == 200, revoked.body.constData());
    QCOMPARE(revoked.json().value(u"revoked"_s).toString(), id);
    QCOMPARE_HUB_ERROR(signedRequest("GET", u"/v1/lease"_s, {}, id, key.privateKey), 403, "terminal_revoked");
    QCOMPARE_HUB_ERROR(admin("POST", u"/v1/admin/terminals/revoke"_s, body), 404, "unknown_terminal");
}

void TestHubApi::malformedProgramRefused()
{
    const Answer a = admin("POST", u"/v1/admin/programs"_s, "{\"version\": 2, ");
    QVERIFY2(a.status >= 400 && a.status < 500 && !a.code().isEmpty(), a.body.constData());
    QCOMPARE_HUB_ERROR(a, 422, "invalid_program"); // as documented
    QCOMPARE_HUB_ERROR(admin("POST", u"/v1/admin/programs"_s, "{}"), 422, "invalid_program");
}

void TestHubApi::unknownPath_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::newRow("GET /v1/nothing") << QByteArray("GET") << u"/v1/nothing"_s;
    QTest::newRow("POST /v1/nothing") << QByteArray("POST") << u"/v1/nothing"_s;
    QTest::newRow("GET /v2/health") << QByteArray("GET") << u"/v2/health"_s;
    QTest::newRow("GET /") << QByteArray("GET") << u"/"_s;
    QTest::newRow("trailing slash") << QByteArray("GET") << u"/v1/health/"_s;
    QTest::newRow("longer name") << QByteArray("GET") << u"/v1/healthz"_s;
    QTest::newRow("below a route") << QByteArray("GET") << u"/v1/admin/terminals/x"_s;
}

void TestHubApi::unknownPath()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QCOMPARE_HUB_ERROR(admin(method, path), 404, "not_found");
}

void TestHubApi::otherMethodNotAllowed()
{
    for (const auto &r : setia::hub::hubRoutes()) {
        const QByteArray other = r.method == u"GET"_s ? "POST" : "GET";
        const Answer a = admin(other, r.path, other == "POST" ? QByteArray("{}") : QByteArray());
        const QString why = errorMismatch(a, 405, u"method_not_allowed"_s);
        QVERIFY2(why.isEmpty(), qPrintable(QString::fromLatin1(other) + u" "_s + r.path + u": "_s + why));
    }
}

// A push batch is a few hundred kilobytes, sent by Qt's HTTP client with Nagle's algorithm on
// (it gives no access to its socket). Its last partial segment waits for the hub's ACK of the
// ones before, and Linux delays that ACK up to 40 ms in a request/response exchange, which
// cost every push batch ~33 ms (docs/performance.md "Sync", round 6). The hub's sockets
// acknowledge at once (net::LowDelayTcpServer, TCP_QUICKACK). The median of 15 round trips
// of a 400 kB request on one kept-alive connection must stay well below that stall; a fast
// answer (the body is not JSON) keeps the hub's own work out of it.
void TestHubApi::largeRequestsDoNotWaitForDelayedAcks()
{
#if !defined(Q_OS_LINUX)
    QSKIP("delayed ACKs are Linux's");
#endif
    const QByteArray body(400 * 1024 + 123, 'x');
    QList<qint64> micros;
    for (int i = 0; i < 16; ++i) {
        QElapsedTimer t;
        t.start();
        const Answer a = send("POST", u"/v1/register"_s, body);
        const qint64 us = t.nsecsElapsed() / 1000;
        QCOMPARE(a.status, 400);
        QCOMPARE(a.json().value(u"error"_s).toString(), u"malformed_json"_s);
        if (i > 0) // the first opens the connection
            micros << us;
    }
    std::sort(micros.begin(), micros.end());
    const qint64 median = micros.at(micros.size() / 2);
    qInfo("round trips of a 400 kB request: median %lld us, longest %lld us", median, micros.last());
    QVERIFY2(median < 20'000, qPrintable(u"median round trip %1 us: the hub waits for delayed ACKs again"_s.arg(median)));
}

QTEST_GUILESS_MAIN(TestHubApi)
#include "tst_hubapi.moc"
