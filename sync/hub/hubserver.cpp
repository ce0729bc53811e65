#include "hubserver.h"

#include "core/crypto.h"
#include "net/lowdelaytcpserver.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTimer>
#include <QUrlQuery>

#include <openssl/crypto.h>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcHub)
Q_LOGGING_CATEGORY(lcHubHttp, "setia.hub.http", QtInfoMsg)

namespace setia::hub {

namespace {

using Method = QHttpServerRequest::Method;
using Code = QHttpServerResponder::StatusCode;

struct Reply {
    int status = 200;
    QByteArray body;
};

Reply json(const QJsonObject &o, int status = 200) { return {status, QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n'}; }
Reply json(const QJsonArray &a) { return {200, QJsonDocument(a).toJson(QJsonDocument::Compact) + '\n'}; }

int statusFor(const QString &code)
{
    static const QHash<QString, int> map = {
        {u"malformed_json"_s, 400}, {u"malformed_request"_s, 400}, {u"invalid_field"_s, 400}, {u"batch_too_large"_s, 413},
        {u"payload_too_large"_s, 413}, {u"unsupported_version"_s, 400}, {u"unauthorized"_s, 401}, {u"bad_signature"_s, 401},
        {u"unknown_terminal"_s, 404}, {u"terminal_revoked"_s, 403}, {u"invalid_token"_s, 403}, {u"token_used"_s, 409},
        {u"token_expired"_s, 403}, {u"terminal_exists"_s, 409}, {u"unknown_member"_s, 404}, {u"not_found"_s, 404},
        {u"program_version_exists"_s, 409}, {u"program_version_old"_s, 409}, {u"hub_store_error"_s, 503},
    };
    if (map.contains(code))
        return map.value(code);
    return code.startsWith(u"program"_s) || code.startsWith(u"invalid"_s) || code.startsWith(u"missing"_s) ? 422 : 400;
}

Reply fail(const QString &code, const QString &message) { return json(QJsonObject{{u"error"_s, code}, {u"message"_s, message}}, statusFor(code)); }
Reply fail(const Error &e) { return fail(e.code, e.message); }

QByteArray header(const QHttpServerRequest &req, const QByteArray &name)
{
    for (const auto &[k, v] : req.headers())
        if (k.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    return {};
}

Result<QJsonObject> bodyObject(const QHttpServerRequest &req)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(req.body(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(u"malformed_json"_s, pe.error != QJsonParseError::NoError
                                                  ? u"%1 at byte %2"_s.arg(pe.errorString()).arg(pe.offset)
                                                  : u"the body must be a JSON object"_s);
    return doc.object();
}

qint64 queryInt(const QHttpServerRequest &req, const QString &key, qint64 fallback)
{
    const QString v = req.query().queryItemValue(key);
    bool ok = false;
    const qint64 n = v.toLongLong(&ok);
    return ok ? n : fallback;
}

} // namespace

QList<HubRoute> hubRoutes()
{
    return {
        {u"GET"_s, u"/v1/health"_s},
        {u"POST"_s, u"/v1/register"_s},
        {u"POST"_s, u"/v1/push"_s},
        {u"GET"_s, u"/v1/feed"_s},
        {u"GET"_s, u"/v1/lease"_s},
        {u"POST"_s, u"/v1/admin/tokens"_s},
        {u"GET"_s, u"/v1/admin/terminals"_s},
        {u"POST"_s, u"/v1/admin/terminals/revoke"_s},
        {u"GET"_s, u"/v1/admin/alerts"_s},
        {u"GET"_s, u"/v1/admin/quarantine"_s},
        {u"POST"_s, u"/v1/admin/programs"_s},
        {u"GET"_s, u"/v1/admin/members"_s},
        {u"POST"_s, u"/v1/admin/members/erase"_s},
        {u"GET"_s, u"/v1/admin/events"_s},
        {u"GET"_s, u"/v1/admin/report"_s},
    };
}

struct HubServer::Private {
    HubStore &store;
    QByteArray operatorToken;
    QHttpServer server;
    QTimer settler; // publishes members nobody has read since they were written (HubStore::settle())

    Private(HubStore &s, QByteArray token) : store(s), operatorToken(std::move(token)) {}

    bool operatorOk(const QHttpServerRequest &req) const
    {
        const QByteArray auth = header(req, "authorization");
        if (operatorToken.isEmpty() || auth.size() < 7 || qstrnicmp(auth.constData(), "Bearer ", 7) != 0)
            return false;
        const QByteArray given = auth.mid(7).trimmed();
        return given.size() == operatorToken.size() && CRYPTO_memcmp(given.constData(), operatorToken.constData(), size_t(given.size())) == 0;
    }

    // The terminal that signed this request, or an error reply.
    Result<TerminalAuth> signer(const QHttpServerRequest &req) const
    {
        const QString id = QString::fromLatin1(header(req, sync::kTerminalHeader));
        auto sig = sync::fromBase64Strict(QString::fromLatin1(header(req, sync::kSignatureHeader)), 64);
        if (id.isEmpty() || !sig)
            return makeError(u"unauthorized"_s, u"A terminal request needs the X-Setia-Terminal and X-Setia-Signature headers."_s);
        auto t = store.terminal(id);
        if (!t)
            return makeError(u"unknown_terminal"_s, u"Terminal %1 is not registered with this hub."_s.arg(id.left(64)));
        QByteArray target = req.url().path(QUrl::FullyEncoded).toUtf8();
        if (req.url().hasQuery())
            target += '?' + req.url().query(QUrl::FullyEncoded).toUtf8();
        const QByteArray method = req.method() == Method::Get ? "GET" : "POST";
        if (!sync::verify(t->publicKey, sync::requestSigningInput(method, target, req.body()), sig.value()))
            return makeError(u"bad_signature"_s, u"The request's signature does not verify with terminal %1's key."_s.arg(id));
        if (t->revoked)
            return makeError(u"terminal_revoked"_s, u"Terminal %1 was revoked; the hub refuses its requests."_s.arg(id));
        return t.value();
    }

    Reply health(const QHttpServerRequest &)
    {
        return json(QJsonObject{{u"status"_s, u"ok"_s}, {u"hubId"_s, store.hubId()},
                                {u"publicKey"_s, QString::fromLatin1(store.publicKey().toBase64())},
                                {u"protocol"_s, sync::kProtocolVersion}});
    }

    Reply registerTerminal(const QHttpServerRequest &req)
    {
        auto o = bodyObject(req);
        if (!o)
            return fail(o.error());
        auto key = sync::fromBase64Strict(o->value(u"publicKey"_s).toString(), 32);
        if (!key)
            return fail(u"invalid_field"_s, u"publicKey: base64 of a 32-byte Ed25519 public key"_s);
        auto st = store.registerTerminal(o->value(u"token"_s).toString(), o->value(u"terminalId"_s).toString(),
                                         o->value(u"storeId"_s).toString(), key.value(), o->value(u"name"_s).toString());
        if (!st)
            return fail(st.error());
        return json(QJsonObject{{u"hubId"_s, store.hubId()}, {u"hubKey"_s, QString::fromLatin1(store.publicKey().toBase64())},
                                {u"terminalId"_s, o->value(u"terminalId"_s).toString()}});
    }

    Reply push(const QHttpServerRequest &req)
    {
        auto t = signer(req);
        if (!t)
            return fail(t.error());
        auto p = sync::decodePush(req.body());
        if (!p)
            return fail(p.error());
        if (p->terminalId != t->terminalId)
            return fail(u"malformed_request"_s, u"terminalId: the batch names another terminal than the one that signed it"_s);
        auto r = store.ingest(t.value(), p.value());
        if (!r)
            return fail(r.error());
        return {200, sync::encodePushResponse(r.value()) + '\n'};
    }

    Reply feed(const QHttpServerRequest &req)
    {
        auto t = signer(req);
        if (!t)
            return fail(t.error());
        auto page = store.feed(queryInt(req, u"after"_s, 0), int(queryInt(req, u"limit"_s, 1000)));
        if (!page)
            return fail(page.error());
        return {200, sync::encodeFeedPage(page.value()) + '\n'};
    }

    Reply lease(const QHttpServerRequest &req)
    {
        auto t = signer(req);
        if (!t)
            return fail(t.error());
        return {200, store.signedLease(t->terminalId) + '\n'};
    }

    Reply adminTokens(const QHttpServerRequest &req)
    {
        auto o = bodyObject(req);
        if (!o)
            return fail(o.error());
        auto token = store.createEnrollmentToken(o->value(u"storeId"_s).toString(), o->value(u"name"_s).toString());
        if (!token)
            return fail(token.error());
        return json(QJsonObject{{u"token"_s, token.value()}, {u"storeId"_s, o->value(u"storeId"_s).toString().trimmed()}}, 201);
    }

    Reply adminRevoke(const QHttpServerRequest &req)
    {
        auto o = bodyObject(req);
        if (!o)
            return fail(o.error());
        if (auto st = store.revokeTerminal(o->value(u"terminalId"_s).toString(), u"operator"_s); !st)
            return fail(st.error());
        return json(QJsonObject{{u"revoked"_s, o->value(u"terminalId"_s).toString()}});
    }

    Reply adminPrograms(const QHttpServerRequest &req)
    {
        auto v = store.publishProgram(req.body(), u"operator"_s);
        if (!v)
            return fail(v.error());
        return json(QJsonObject{{u"version"_s, v.value()}}, 201);
    }

    Reply adminMember(const QHttpServerRequest &req)
    {
        auto m = store.member(req.query().queryItemValue(u"memberId"_s));
        if (!m)
            return fail(m.error());
        return json(m.value());
    }

    Reply adminErase(const QHttpServerRequest &req)
    {
        auto o = bodyObject(req);
        if (!o)
            return fail(o.error());
        if (auto st = store.eraseMember(o->value(u"memberId"_s).toString(), o->value(u"reason"_s).toString(), u"operator"_s); !st)
            return fail(st.error());
        return json(QJsonObject{{u"erased"_s, o->value(u"memberId"_s).toString()}});
    }
};

HubServer::HubServer(HubStore &store, QByteArray operatorToken, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>(store, std::move(operatorToken)))
{
    // Feed reads and operator reads settle first anyway; this only bounds how stale the hub's
    // own tables get when nobody reads. Not shorter: every round re-reads the tier window of
    // each member touched since, which is the work settle() exists to do less often.
    d->settler.setInterval(60'000);
    connect(&d->settler, &QTimer::timeout, this, [this] {
        if (auto st = d->store.settle(); !st)
            qCWarning(lcHubHttp, "publishing the members: %s", qPrintable(st.error().message));
    });
    d->settler.start();
    using Handler = Reply (Private::*)(const QHttpServerRequest &);
    struct Binding {
        const char16_t *path;
        Handler handler;
        bool admin;
    };
    const QList<Binding> bindings = {
        {u"/v1/health", &Private::health, false},
        {u"/v1/register", &Private::registerTerminal, false},
        {u"/v1/push", &Private::push, false},
        {u"/v1/feed", &Private::feed, false},
        {u"/v1/lease", &Private::lease, false},
        {u"/v1/admin/tokens", &Private::adminTokens, true},
        {u"/v1/admin/terminals/revoke", &Private::adminRevoke, true},
        {u"/v1/admin/programs", &Private::adminPrograms, true},
        {u"/v1/admin/members", &Private::adminMember, true},
        {u"/v1/admin/members/erase", &Private::adminErase, true},
    };
    Private *p = d.get();
    for (const HubRoute &r : hubRoutes()) {
        const Method method = r.method == u"GET"_s ? Method::Get : Method::Post;
        const QString path = r.path;
        std::function<Reply(const QHttpServerRequest &)> handler;
        const auto b = std::find_if(bindings.begin(), bindings.end(), [&](const Binding &x) { return path == QStringView(x.path); });
        bool admin = path.startsWith(u"/v1/admin/"_s);
        if (b != bindings.end()) {
            const Handler h = b->handler;
            handler = [p, h](const QHttpServerRequest &req) { return (p->*h)(req); };
        } else if (path == u"/v1/admin/terminals"_s) {
            handler = [p](const QHttpServerRequest &) { return json(p->store.terminals()); };
        } else if (path == u"/v1/admin/alerts"_s) {
            handler = [p](const QHttpServerRequest &) { return json(p->store.alerts()); };
        } else if (path == u"/v1/admin/quarantine"_s) {
            handler = [p](const QHttpServerRequest &) { return json(p->store.quarantine()); };
        } else if (path == u"/v1/admin/events"_s) {
            handler = [p](const QHttpServerRequest &req) {
                return json(p->store.events(queryInt(req, u"after"_s, 0), int(queryInt(req, u"limit"_s, 1000))));
            };
        } else if (path == u"/v1/admin/report"_s) {
            handler = [p](const QHttpServerRequest &req) {
                return json(p->store.report(queryInt(req, u"from"_s, 0), queryInt(req, u"to"_s, std::numeric_limits<qint64>::max())));
            };
        } else {
            qCCritical(lcHubHttp, "route %s has no handler", qPrintable(path));
            continue;
        }
        d->server.route(path, method, [p, handler, admin](const QHttpServerRequest &req) {
            Reply reply;
            if (req.body().size() > sync::kMaxRequestBytes)
                reply = fail(u"payload_too_large"_s, u"A request may carry at most %1 bytes."_s.arg(sync::kMaxRequestBytes));
            else if (admin && !p->operatorOk(req))
                reply = fail(u"unauthorized"_s, u"Operator routes need the operator's token (Authorization: Bearer)."_s);
            else
                reply = handler(req);
            qCDebug(lcHubHttp, "%s %d", qPrintable(req.url().path()), reply.status);
            QHttpServerResponse resp(reply.body, static_cast<Code>(reply.status));
            resp.setHeader("Content-Type", "application/json; charset=utf-8");
            resp.setHeader("Cache-Control", "no-store");
            if (reply.status == 401) // terminals sign requests; operators send a Bearer token
                resp.setHeader("WWW-Authenticate", admin ? "Bearer realm=\"setia-hub\"" : "Setia-Signature realm=\"setia-hub\"");
            return resp;
        });
    }
    d->server.setMissingHandler([](const QHttpServerRequest &req, QHttpServerResponder &&resp) {
        const QString path = req.url().path();
        const QList<HubRoute> all = hubRoutes();
        const bool known = std::any_of(all.begin(), all.end(), [&](const HubRoute &r) { return r.path == path; });
        const Reply r = known ? json(QJsonObject{{u"error"_s, u"method_not_allowed"_s}, {u"message"_s, u"Not this method."_s}}, 405)
                              : json(QJsonObject{{u"error"_s, u"not_found"_s}, {u"message"_s, u"No such route."_s}}, 404);
        resp.write(r.body, {{"Content-Type", "application/json; charset=utf-8"}, {"Cache-Control", "no-store"}}, static_cast<Code>(r.status));
    });
}

HubServer::~HubServer() = default;

quint16 HubServer::listen(const QHostAddress &address, quint16 port)
{
    auto *tcp = new setia::net::LowDelayTcpServer(&d->server);
    if (!tcp->listen(address, port)) {
        m_error = u"cannot listen on %1 port %2: %3"_s.arg(address.toString()).arg(port).arg(tcp->errorString());
        delete tcp;
        return 0;
    }
    tcp->setListenBacklogSize(256);
    d->server.bind(tcp);
    qCInfo(lcHubHttp, "listening on %s port %u", qPrintable(address.toString()), unsigned(tcp->serverPort()));
    return tcp->serverPort();
}

} // namespace setia::hub
