#include "agent.h"

#include "core/ids.h"
#include "core/phone.h"
#include "net/lowdelaytcpserver.h"
#include "drivers/slip.h"

#include <QDateTime>
#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QTcpSocket>
#include <QTimeZone>
#include <QTimer>
#include <QUrlQuery>
#include <QUuid>

#include <list>
#include <optional>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAgent, "setia.agent", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAgentHttp, "setia.agent.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAgentScan, "setia.agent.scan", QtInfoMsg)

namespace setia::agent {

namespace {

using Method = QHttpServerRequest::Method;
using Status = QHttpServerResponder::StatusCode;

QString isoUtc(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODateWithMs); }

QByteArray header(const QHttpServerRequest &req, const QByteArray &name)
{
    const auto headers = req.headers();
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    return {};
}

bool hasHeader(const QHttpServerRequest &req, const QByteArray &name)
{
    const auto headers = req.headers();
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

// Constant-time comparison of the token (no early exit on the first differing byte).
bool sameToken(const QByteArray &a, const QByteArray &b)
{
    if (a.isEmpty() || b.isEmpty())
        return false;
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const qsizetype n = std::max(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i)
        diff |= static_cast<unsigned char>(a.at(i % a.size()) ^ b.at(i % b.size()));
    return diff == 0;
}

// 127.0.0.1, localhost or [::1], optionally with this port: the only names this API answers to.
bool localHost(const QByteArray &host, quint16 port)
{
    QByteArray name = host.trimmed().toLower();
    QByteArray portPart;
    if (name.startsWith('[')) {
        const qsizetype close = name.indexOf(']');
        if (close < 0)
            return false;
        portPart = name.mid(close + 1);
        name = name.left(close + 1);
        if (!portPart.isEmpty() && !portPart.startsWith(':'))
            return false;
        portPart = portPart.mid(1);
    } else if (const qsizetype colon = name.lastIndexOf(':'); colon >= 0) {
        portPart = name.mid(colon + 1);
        name = name.left(colon);
    }
    if (name != "127.0.0.1" && name != "localhost" && name != "[::1]")
        return false;
    if (portPart.isEmpty())
        return true;
    bool ok = false;
    const uint p = portPart.toUInt(&ok);
    return ok && p == port;
}

// ---- what the routes return ----

struct Reply {
    int status = 200;
    QJsonObject body;
};

Reply fail(const ApiError &e, const QString &lang)
{
    QJsonObject err{{u"code"_s, e.code}, {u"message"_s, errorMessage(e.code, lang, e.field)}};
    if (!e.field.isEmpty())
        err.insert(u"field"_s, e.field);
    if (!e.detail.isEmpty())
        err.insert(u"detail"_s, e.detail);
    return Reply{e.status, QJsonObject{{u"error"_s, err}}};
}

ApiError apiError(const QString &code, const QString &field = {}, const QString &detail = {})
{
    return ApiError{statusForCode(code), code, field, detail};
}

ApiError fromCore(const Error &e, const QString &fieldPrefix = {})
{
    ApiError a = apiError(e.code, {}, e.message);
    if (e.code == u"invalid_request_id"_s || e.code == u"request_conflict"_s)
        a.field = u"Idempotency-Key"_s;
    if (e.code == u"invalid_basket"_s) {
        // core names the field first: "lines[1].quantity: must be ..."
        const qsizetype colon = e.message.indexOf(u':');
        if (colon > 0 && colon < 64 && !e.message.left(colon).contains(u' '))
            a.field = fieldPrefix + e.message.left(colon);
        else
            a.field = fieldPrefix.chopped(fieldPrefix.endsWith(u'.') ? 1 : 0);
    }
    return a;
}

// ---- reading a request body strictly ----

class Fields {
public:
    Fields(QJsonObject o, QString prefix) : m_o(std::move(o)), m_prefix(std::move(prefix)) {}

    // Unknown keys are refused: a misspelt "recieptId" must not earn without a receipt.
    std::optional<ApiError> only(const QStringList &known, const QString &code = u"unknown_field"_s) const
    {
        for (auto it = m_o.begin(); it != m_o.end(); ++it)
            if (!known.contains(it.key()))
                return code == u"unknown_field"_s ? apiError(code, path(it.key()))
                                                  : ApiError{400, code, path(it.key()), u"unknown field"_s};
        return std::nullopt;
    }
    bool has(const QString &key) const { return m_o.contains(key) && !m_o.value(key).isNull(); }
    QString path(const QString &key) const { return m_prefix + key; }

    std::optional<ApiError> string(const QString &key, QString *out, bool required, qsizetype maxLength = 200) const
    {
        if (!has(key))
            return required ? std::optional(apiError(u"missing_field"_s, path(key))) : std::nullopt;
        const QJsonValue v = m_o.value(key);
        if (!v.isString() || v.toString().size() > maxLength)
            return apiError(u"invalid_field"_s, path(key), u"must be a string of at most %1 characters"_s.arg(maxLength));
        *out = v.toString();
        return std::nullopt;
    }
    std::optional<ApiError> integer(const QString &key, qint64 *out, bool required, qint64 min, qint64 max,
                                    const QString &code = u"invalid_field"_s) const
    {
        if (!has(key))
            return required ? std::optional(ApiError{400, code == u"invalid_field"_s ? u"missing_field"_s : code, path(key),
                                                     u"is required"_s})
                            : std::nullopt;
        const QJsonValue v = m_o.value(key);
        const double d = v.toDouble();
        if (!v.isDouble() || d != double(qint64(d)) || d < -9.0e15 || d > 9.0e15)
            return ApiError{400, code, path(key), u"must be a whole number"_s};
        const qint64 n = qint64(d);
        if (n < min)
            return ApiError{400, code, path(key), min == 1 ? u"must be at least 1"_s : u"must not be negative"_s};
        if (n > max)
            return ApiError{400, code, path(key), u"must be at most %1"_s.arg(max)};
        *out = n;
        return std::nullopt;
    }
    std::optional<ApiError> boolean(const QString &key, bool *out) const
    {
        if (!has(key))
            return std::nullopt;
        if (!m_o.value(key).isBool())
            return apiError(u"invalid_field"_s, path(key), u"must be true or false"_s);
        *out = m_o.value(key).toBool();
        return std::nullopt;
    }
    const QJsonObject &object() const { return m_o; }

private:
    QJsonObject m_o;
    QString m_prefix;
};

// The sentence of an invalid_basket error says which line and what is wrong, in the request's
// language: "lines[1].quantity: harus minimal 1".
QString basketReason(const QString &english, const QString &lang)
{
    if (lang == u"en"_s)
        return english;
    static const QHash<QString, QString> id = {
        {u"must be a whole number"_s, u"harus bilangan bulat"_s},
        {u"must be at least 1"_s, u"harus minimal 1 (pengembalian barang dicatat sebagai refund)"_s},
        {u"must not be negative"_s, u"tidak boleh negatif"_s},
        {u"unknown field"_s, u"kolom tidak dikenal"_s},
        {u"is required"_s, u"wajib diisi"_s},
        {u"must be an object"_s, u"harus objek JSON"_s},
        {u"must be a list"_s, u"harus daftar (array)"_s},
        {u"must be a string"_s, u"harus teks"_s},
        {u"at most 1000 lines"_s, u"paling banyak 1000 baris"_s},
    };
    for (auto it = id.begin(); it != id.end(); ++it)
        if (english.startsWith(it.key()))
            return it.value();
    if (english.startsWith(u"must be at most"_s))
        return u"terlalu besar"_s;
    return english;
}

// The basket, shaped as basketToJson()/setiactl's --basket file; every mistake names its field.
Result<Basket> readBasket(const QJsonValue &value, bool receiptRequired, ApiError *error)
{
    auto bad = [&](const QString &field, const QString &why) {
        *error = ApiError{400, u"invalid_basket"_s, field, why};
        return Error{u"invalid_basket"_s, why};
    };
    if (!value.isObject())
        return bad(u"basket"_s, u"must be an object"_s);
    const Fields f(value.toObject(), u"basket."_s);
    if (auto e = f.only({u"receiptId"_s, u"total"_s, u"currency"_s, u"paymentMethod"_s, u"lines"_s}, u"invalid_basket"_s)) {
        *error = *e;
        return Error{e->code, e->detail};
    }
    Basket b;
    auto take = [&](std::optional<ApiError> e) {
        if (!e)
            return true;
        *error = *e;
        error->code = u"invalid_basket"_s;
        error->status = 400;
        if (error->detail.isEmpty())
            error->detail = u"must be a string"_s;
        return false;
    };
    if (!take(f.string(u"receiptId"_s, &b.receiptId, receiptRequired, 128)))
        return Error{error->code, error->detail};
    if (receiptRequired && b.receiptId.trimmed().isEmpty())
        return bad(u"basket.receiptId"_s, u"is required"_s);
    QString currency = u"IDR"_s;
    if (!take(f.string(u"currency"_s, &currency, false, 3)) || !take(f.string(u"paymentMethod"_s, &b.paymentMethod, false, 32)))
        return Error{error->code, error->detail};
    b.currency = currency;
    qint64 sum = 0;
    if (f.has(u"lines"_s)) {
        if (!f.object().value(u"lines"_s).isArray())
            return bad(u"basket.lines"_s, u"must be a list"_s);
        const QJsonArray lines = f.object().value(u"lines"_s).toArray();
        if (lines.size() > 1000)
            return bad(u"basket.lines"_s, u"at most 1000 lines"_s);
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const QString at = u"basket.lines[%1]"_s.arg(i);
            if (!lines.at(i).isObject())
                return bad(at, u"must be an object"_s);
            const Fields lf(lines.at(i).toObject(), at + u"."_s);
            if (auto e = lf.only({u"sku"_s, u"category"_s, u"name"_s, u"quantity"_s, u"unitPrice"_s}, u"invalid_basket"_s)) {
                *error = *e;
                return Error{e->code, e->detail};
            }
            BasketLine l;
            if (!take(lf.string(u"sku"_s, &l.sku, false, 64)) || !take(lf.string(u"category"_s, &l.category, false, 64))
                || !take(lf.string(u"name"_s, &l.name, false, 200))
                || !take(lf.integer(u"quantity"_s, &l.quantity, false, 1, 100000, u"invalid_basket"_s))
                || !take(lf.integer(u"unitPrice"_s, &l.unitPrice, true, 0, 1'000'000'000'000LL, u"invalid_basket"_s)))
                return Error{error->code, error->detail};
            if (l.unitPrice > 1'000'000'000'000LL / l.quantity)
                return bad(at, u"must be at most 1000000000000 (quantity × unitPrice)"_s);
            sum += l.amount();
            b.lines << l;
        }
    }
    if (f.has(u"total"_s)) {
        if (!take(f.integer(u"total"_s, &b.total, true, 0, 1'000'000'000'000LL, u"invalid_basket"_s)))
            return Error{error->code, error->detail};
    } else if (!b.lines.isEmpty()) {
        b.total = sum;
    } else {
        return bad(u"basket.total"_s, u"is required"_s);
    }
    return b;
}

QJsonObject memberJson(const MemberView &m)
{
    QJsonArray cards;
    for (const auto &c : m.cards)
        cards.append(QJsonObject{{u"number"_s, c.number}, {u"kind"_s, c.kind}, {u"status"_s, c.status}});
    return QJsonObject{{u"memberId"_s, m.memberId},
                       {u"status"_s, m.status},
                       {u"name"_s, m.profile.name},
                       {u"phone"_s, maskPhone(m.profile.phone)},
                       {u"tier"_s, m.tierId},
                       {u"tierName"_s, m.tierName},
                       {u"balance"_s, m.balance},
                       {u"referralCode"_s, m.referralCode},
                       {u"enrolledAt"_s, isoUtc(m.enrolledAt)},
                       {u"cards"_s, cards},
                       {u"badges"_s, QJsonArray::fromStringList(m.badges)}};
}

ScanSource coreSource(Scan::Source s)
{
    switch (s) {
    case Scan::Source::KeyboardWedge: return ScanSource::KeyboardWedge;
    case Scan::Source::HidScanner: return ScanSource::HidScanner;
    case Scan::Source::MagStripe: return ScanSource::MagStripe;
    case Scan::Source::Camera: return ScanSource::Camera;
    case Scan::Source::Contactless: return ScanSource::Contactless;
    case Scan::Source::Virtual: return ScanSource::Virtual;
    case Scan::Source::Manual: return ScanSource::Manual;
    }
    return ScanSource::Manual;
}

} // namespace

QList<Route> routes()
{
    return {
        {u"GET"_s, u"/v1/health"_s},
        {u"GET"_s, u"/v1/devices"_s},
        {u"GET"_s, u"/v1/sync"_s},
        {u"GET"_s, u"/v1/events"_s},
        {u"GET"_s, u"/v1/events/stream"_s},
        {u"POST"_s, u"/v1/members"_s},
        {u"POST"_s, u"/v1/members/lookup"_s},
        {u"POST"_s, u"/v1/quote"_s},
        {u"POST"_s, u"/v1/earn"_s},
        {u"POST"_s, u"/v1/redeem/reward"_s},
        {u"POST"_s, u"/v1/redeem/points"_s},
        {u"POST"_s, u"/v1/vouchers/use"_s},
        {u"POST"_s, u"/v1/refunds"_s},
        {u"POST"_s, u"/v1/print/member-card"_s},
        {u"POST"_s, u"/v1/print/points-slip"_s},
    };
}

// ---- printers ----

bool FilePrinter::print(const QByteArray &job, QJsonObject *answer, QString *error)
{
    QFile f(m_path);
    if (!f.open(QIODevice::Append) || f.write(job) != job.size() || !f.flush()) {
        *error = u"cannot write the print job to %1: %2"_s.arg(m_path, f.errorString());
        return false;
    }
    *answer = QJsonObject{{u"printed"_s, true}, {u"printer"_s, u"file"_s}, {u"bytes"_s, job.size()}};
    return true;
}

QJsonObject FilePrinter::status() const
{
    return QJsonObject{{u"kind"_s, u"file"_s}, {u"path"_s, m_path}, {u"state"_s, u"ready"_s},
                       {u"paper"_s, m_paper == PaperWidth::Mm58 ? u"58mm"_s : u"80mm"_s}};
}

// ---- the server ----

struct Api::Private {
    Api *q;
    Loyalty &loyalty;
    Settings s;
    QHttpServer server;
    std::unique_ptr<Printer> printer;
    QList<std::pair<QString, std::function<QJsonArray()>>> devices;
    const QString streamId = QUuid::createUuid().toString(QUuid::WithoutBraces);

    struct Event {
        qint64 seq = 0;
        QJsonObject body;  // without the message: that is in the reader's language
        QString errorCode; // refused scans
    };
    std::list<Event> events;
    qint64 lastSeq = 0;

    struct Waiter {
        std::unique_ptr<QHttpServerResponder> responder;
        QPointer<QTcpSocket> socket;
        qint64 after = 0;
        int limit = 50;
        QString lang;
        std::unique_ptr<QTimer> deadline;
        bool stream = false;
    };
    std::list<Waiter> waiters;
    QTimer keepAlive;

    Private(Api *api, Loyalty &l, Settings settings) : q(api), loyalty(l), s(std::move(settings)) {}

    QString actor(const Fields &f) const
    {
        QString cashier = f.object().value(u"cashier"_s).toString().simplified().left(64);
        return cashier.isEmpty() ? s.actorPrefix : s.actorPrefix + u":"_s + cashier;
    }

    // The member a request names by exactly one of memberId, card or phone.
    Result<QString> member(const Fields &f, ApiError *error) const
    {
        int given = int(f.has(u"memberId"_s)) + int(f.has(u"card"_s)) + int(f.has(u"phone"_s));
        if (given != 1) {
            *error = ApiError{400, given == 0 ? u"missing_field"_s : u"invalid_field"_s, u"memberId"_s,
                              u"give exactly one of memberId, card, phone"_s};
            return Error{error->code, error->detail};
        }
        QString ref;
        for (const QString &key : {u"memberId"_s, u"card"_s, u"phone"_s}) {
            if (!f.has(key))
                continue;
            if (auto e = f.string(key, &ref, true, 64)) {
                *error = *e;
                return Error{e->code, e->detail};
            }
            Result<MemberView> m = Error{};
            if (key == u"memberId"_s) {
                if (!isUuid(ref)) {
                    *error = apiError(u"invalid_field"_s, key, u"is not a member id"_s);
                    return Error{error->code, error->detail};
                }
                m = loyalty.member(ref);
            } else if (key == u"card"_s) {
                m = loyalty.memberByCard(ref);
            } else {
                m = loyalty.memberByPhone(ref);
            }
            if (!m) {
                *error = fromCore(m.error());
                if (key != u"card"_s)
                    error->field = key;
                return m.error();
            }
            if (m->status != u"active"_s) { // found by id: a blocked or erased membership
                *error = apiError(m->status == u"erased"_s ? u"member_erased"_s : u"member_blocked"_s);
                return Error{error->code, {}};
            }
            return m->memberId;
        }
        *error = apiError(u"internal_error"_s);
        return Error{};
    }

    // ---- gate: every request, before any route ----
    std::optional<ApiError> gate(const QHttpServerRequest &req, bool needsToken) const
    {
        if (!localHost(header(req, "host"), q->m_port))
            return apiError(u"host_not_local"_s, u"Host"_s);
        if (hasHeader(req, "origin") && !s.allowedOrigins.contains(QString::fromLatin1(header(req, "origin"))))
            return apiError(u"origin_not_allowed"_s, u"Origin"_s);
        const QByteArray site = header(req, "sec-fetch-site").toLower();
        if (site == "cross-site" || site == "same-site")
            return apiError(u"origin_not_allowed"_s, u"Sec-Fetch-Site"_s);
        if (!req.remoteAddress().isLoopback())
            return apiError(u"host_not_local"_s);
        if (needsToken) {
            const QByteArray auth = header(req, "authorization");
            if (!auth.startsWith("Bearer ") || !sameToken(auth.mid(7).trimmed(), s.token))
                return apiError(u"unauthorized"_s, u"Authorization"_s);
        }
        return std::nullopt;
    }

    std::optional<ApiError> parseBody(const QHttpServerRequest &req, QJsonObject *out) const
    {
        const QByteArray body = req.body();
        if (body.size() > s.maxBodyBytes || header(req, "content-length").toLongLong() > s.maxBodyBytes)
            return apiError(u"payload_too_large"_s);
        const QByteArray type = header(req, "content-type").toLower();
        if (!type.startsWith("application/json"))
            return apiError(u"unsupported_media_type"_s, u"Content-Type"_s);
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
        if (pe.error != QJsonParseError::NoError)
            return ApiError{400, u"malformed_json"_s, {}, u"%1 at byte %2"_s.arg(pe.errorString()).arg(pe.offset)};
        if (!doc.isObject())
            return ApiError{400, u"malformed_json"_s, {}, u"the body must be a JSON object"_s};
        *out = doc.object();
        return std::nullopt;
    }

    QHttpServerResponse respond(const Reply &r) const
    {
        QHttpServerResponse resp(QJsonDocument(r.body).toJson(QJsonDocument::Compact) + '\n',
                                 static_cast<Status>(r.status));
        resp.setHeader("Content-Type", "application/json; charset=utf-8");
        if (r.status == 401)
            resp.setHeader("WWW-Authenticate", "Bearer realm=\"setia-agent\"");
        return resp;
    }

    void log(const QHttpServerRequest &req, int status) const
    {
        // The path only: query strings and bodies (phones, card numbers) never reach the journal.
        if (status >= 400)
            qCInfo(lcAgentHttp, "%s %s -> %d", qPrintable(QVariant::fromValue(req.method()).toString()),
                   qPrintable(req.url().path()), status);
        else
            qCDebug(lcAgentHttp, "%s %s -> %d", qPrintable(QVariant::fromValue(req.method()).toString()),
                    qPrintable(req.url().path()), status);
    }

    // ---- the routes ----
    using Handler = Reply (Private::*)(const Fields &, const QHttpServerRequest &, const QString &lang);

    Reply health(const Fields &, const QHttpServerRequest &, const QString &)
    {
        return Reply{200, QJsonObject{{u"status"_s, u"ok"_s}, {u"version"_s, s.version}, {u"api"_s, u"v1"_s}}};
    }

    Reply deviceStatus(const Fields &, const QHttpServerRequest &, const QString &)
    {
        QJsonObject o;
        for (const auto &[kind, source] : devices)
            o.insert(kind, source());
        o.insert(u"printer"_s, printer ? printer->status() : QJsonObject{{u"kind"_s, u"none"_s}, {u"state"_s, u"missing"_s}});
        return Reply{200, QJsonObject{{u"devices"_s, o}, {u"terminalId"_s, loyalty.terminalId()},
                                      {u"storeId"_s, loyalty.storeId()}, {u"lastEventSeq"_s, lastSeq}}};
    }

    Reply syncStatus(const Fields &, const QHttpServerRequest &, const QString &lang)
    {
        const QString hub = loyalty.setting(u"hub_url"_s);
        const bool en = lang == u"en"_s;
        if (!loyalty.syncRegistered() || !syncSource) {
            return Reply{200, QJsonObject{
                {u"state"_s, u"not_configured"_s},
                {u"hubUrl"_s, hub.isEmpty() ? QJsonValue() : QJsonValue(hub)},
                {u"waitingEvents"_s, loyalty.unsyncedCount()},
                {u"redemptionLease"_s, QJsonValue()},
                {u"message"_s, en ? u"This till is not registered with a hub: every event stays on this till."_s
                                  : u"Kasir ini belum terdaftar di hub: semua kejadian tetap di kasir ini."_s}}};
        }
        QJsonObject body = syncSource();
        body.insert(u"hubUrl"_s, hub);
        const bool online = body.value(u"online"_s).toBool();
        body.insert(u"state"_s, online ? u"online"_s : u"offline"_s);
        QJsonValue lease;
        if (const auto l = loyalty.lease()) {
            const auto [count, points] = loyalty.unconfirmedRedemptions();
            lease = QJsonObject{{u"expiresAt"_s, isoUtc(l->receivedAt + (l->expiresAt - l->issuedAt))},
                                {u"memberCap"_s, l->memberCap}, {u"terminalCap"_s, l->terminalCap},
                                {u"maxCount"_s, l->maxCount}, {u"usedCount"_s, count}, {u"usedPoints"_s, points}};
        }
        body.insert(u"redemptionLease"_s, lease);
        if (!body.contains(u"message"_s))
            body.insert(u"message"_s, online ? (en ? u"Synced with the hub."_s : u"Tersinkron dengan hub."_s)
                                             : (en ? u"The hub cannot be reached; sales and earning go on and sync later."_s
                                                   : u"Hub tidak terjangkau; penjualan dan poin tetap jalan dan disinkronkan nanti."_s));
        return Reply{200, body};
    }
    std::function<QJsonObject()> syncSource;

    Reply enroll(const Fields &f, const QHttpServerRequest &, const QString &lang)
    {
        if (auto e = f.only({u"name"_s, u"phone"_s, u"email"_s, u"birthDate"_s, u"card"_s, u"cardKind"_s, u"digitalCard"_s,
                             u"consent"_s, u"referralCode"_s, u"cashier"_s}))
            return fail(*e, lang);
        EnrollRequest r;
        QString birth;
        for (auto e : {f.string(u"name"_s, &r.name, true), f.string(u"phone"_s, &r.phone, true, 32),
                       f.string(u"email"_s, &r.email, false), f.string(u"birthDate"_s, &birth, false, 10),
                       f.string(u"card"_s, &r.cardNumber, false, 64), f.string(u"cardKind"_s, &r.cardKind, false, 16),
                       f.string(u"referralCode"_s, &r.referralCode, false, 32), f.boolean(u"digitalCard"_s, &r.issueDigitalCard)})
            if (e)
                return fail(*e, lang);
        if (!birth.isEmpty()) {
            r.birthDate = QDate::fromString(birth, Qt::ISODate);
            if (!r.birthDate.isValid())
                return fail(apiError(u"invalid_field"_s, u"birthDate"_s, u"is not a date YYYY-MM-DD"_s), lang);
        }
        if (f.has(u"consent"_s)) {
            if (!f.object().value(u"consent"_s).isObject())
                return fail(apiError(u"invalid_field"_s, u"consent"_s, u"must be an object"_s), lang);
            const Fields c(f.object().value(u"consent"_s).toObject(), u"consent."_s);
            if (auto e = c.only({u"marketing"_s, u"whatsapp"_s}))
                return fail(*e, lang);
            if (auto e = c.boolean(u"marketing"_s, &r.consent.marketing))
                return fail(*e, lang);
            if (auto e = c.boolean(u"whatsapp"_s, &r.consent.whatsapp))
                return fail(*e, lang);
        }
        r.actor = actor(f);
        auto m = loyalty.enroll(r);
        if (!m)
            return fail(fromCore(m.error()), lang);
        qCInfo(lcAgent, "member %s enrolled", qPrintable(m->memberId));
        return Reply{201, memberJson(m.value())};
    }

    Reply lookup(const Fields &f, const QHttpServerRequest &, const QString &lang)
    {
        if (auto e = f.only({u"memberId"_s, u"card"_s, u"phone"_s, u"scan"_s}))
            return fail(*e, lang);
        if (f.has(u"scan"_s)) {
            if (f.object().size() != 1)
                return fail(apiError(u"invalid_field"_s, u"scan"_s, u"give exactly one of memberId, card, phone, scan"_s), lang);
            if (!f.object().value(u"scan"_s).isObject())
                return fail(apiError(u"invalid_field"_s, u"scan"_s, u"must be an object"_s), lang);
            const Fields sf(f.object().value(u"scan"_s).toObject(), u"scan."_s);
            if (auto e = sf.only({u"payload"_s, u"symbology"_s}))
                return fail(*e, lang);
            QString payload, symbology;
            if (auto e = sf.string(u"payload"_s, &payload, true, kMaxScanInspect))
                return fail(*e, lang);
            if (auto e = sf.string(u"symbology"_s, &symbology, false, 16))
                return fail(*e, lang);
            ScanInput in{payload.toUtf8(), symbology, ScanSource::Manual, loyalty.nowMs()};
            wipeBuffer(payload);
            ScanMeaning meaning;
            auto m = loyalty.memberByScan(in, &meaning);
            wipeBuffer(in.payload);
            if (!m) {
                Reply r = fail(fromCore(m.error()), lang);
                if (m.error().code == u"voucher_scanned"_s) {
                    QJsonObject err = r.body.value(u"error"_s).toObject();
                    err.insert(u"voucherCode"_s, meaning.value);
                    r.body.insert(u"error"_s, err);
                }
                if (m.error().code == u"payment_card"_s) // nothing of the card, not even core's sentence
                    r.body = fail(apiError(u"payment_card"_s), lang).body;
                return r;
            }
            return Reply{200, memberJson(m.value())};
        }
        ApiError error;
        auto id = member(f, &error);
        if (!id)
            return fail(error, lang);
        auto m = loyalty.member(id.value());
        if (!m)
            return fail(fromCore(m.error()), lang);
        return Reply{200, memberJson(m.value())};
    }

    // What quote and earn both read: only their fields, a valid basket, the member. On a refusal
    // *refused holds the answer and nothing is returned.
    std::optional<std::pair<QString, Basket>> memberAndBasket(const Fields &f, bool receiptRequired, const QString &lang,
                                                              Reply *refused)
    {
        if (auto e = f.only({u"memberId"_s, u"card"_s, u"phone"_s, u"basket"_s, u"cashier"_s})) {
            *refused = fail(*e, lang);
            return std::nullopt;
        }
        ApiError error;
        auto b = readBasket(f.object().value(u"basket"_s), receiptRequired, &error);
        if (!b) {
            *refused = basketFail(error, lang);
            return std::nullopt;
        }
        auto id = member(f, &error);
        if (!id) {
            *refused = fail(error, lang);
            return std::nullopt;
        }
        return std::pair{id.value(), b.value()};
    }

    Reply quote(const Fields &f, const QHttpServerRequest &, const QString &lang)
    {
        Reply refused;
        const auto in = memberAndBasket(f, false, lang, &refused);
        if (!in)
            return refused;
        const QString &memberId = in->first;
        auto c = loyalty.quote(memberId, in->second);
        if (!c)
            return coreBasketFail(c.error(), lang);
        return Reply{200, QJsonObject{{u"memberId"_s, memberId}, {u"points"_s, c->points},
                                      {u"bonusPoints"_s, c->totalPoints() - c->points}, {u"totalPoints"_s, c->totalPoints()},
                                      {u"eligible"_s, c->eligibleAmount}, {u"explanation"_s, explanationToJson(c->lines)}}};
    }

    Reply basketFail(ApiError e, const QString &lang) const
    {
        Reply r = fail(e, lang);
        // "basket.lines[1].quantity: harus minimal 1"
        QJsonObject err = r.body.value(u"error"_s).toObject();
        err.insert(u"message"_s, errorMessage(u"invalid_basket"_s, lang, e.field + u": "_s + basketReason(e.detail, lang)));
        r.body.insert(u"error"_s, err);
        return r;
    }

    Reply coreBasketFail(const Error &e, const QString &lang) const
    {
        if (e.code != u"invalid_basket"_s)
            return fail(fromCore(e), lang);
        ApiError a = fromCore(e, u"basket."_s);
        const qsizetype colon = e.message.indexOf(u':');
        a.detail = colon > 0 ? e.message.mid(colon + 1).trimmed() : e.message;
        return basketFail(a, lang);
    }

    Reply earn(const Fields &f, const QHttpServerRequest &, const QString &lang)
    {
        Reply refused;
        const auto in = memberAndBasket(f, true, lang, &refused);
        if (!in)
            return refused;
        auto r = loyalty.earn(in->first, in->second, actor(f));
        if (!r)
            return coreBasketFail(r.error(), lang);
        QJsonObject o = r->toJson();
        o.insert(u"replayed"_s, r->replayed);
        if (!r->replayed)
            qCInfo(lcAgent, "receipt %s: %lld points", qPrintable(r->receiptId), static_cast<long long>(r->points + r->bonusPoints));
        return Reply{200, o};
    }

    static QJsonObject redeemJson(const RedeemResult &r)
    {
        return QJsonObject{{u"memberId"_s, r.memberId}, {u"eventId"_s, r.eventId}, {u"points"_s, r.points},
                           {u"value"_s, r.value}, {u"reward"_s, r.rewardId}, {u"voucher"_s, r.voucherCode},
                           {u"balance"_s, r.balance}, {u"replayed"_s, r.replayed}};
    }

    // The Idempotency-Key header (docs/agent.md "Retries"): core's request id. None: empty.
    // Present but empty is refused: a POS that meant to send a key must not lose it silently.
    static std::optional<ApiError> idempotencyKey(const QHttpServerRequest &req, QString *key)
    {
        key->clear();
        if (!hasHeader(req, "idempotency-key"))
            return std::nullopt;
        *key = QString::fromLatin1(header(req, "idempotency-key").trimmed());
        if (key->isEmpty())
            return apiError(u"invalid_request_id"_s, u"Idempotency-Key"_s, u"is empty"_s);
        return std::nullopt;
    }

    Reply redeemReward(const Fields &f, const QHttpServerRequest &req, const QString &lang)
    {
        if (auto e = f.only({u"memberId"_s, u"card"_s, u"phone"_s, u"rewardId"_s, u"cashier"_s}))
            return fail(*e, lang);
        QString reward, key;
        if (auto e = f.string(u"rewardId"_s, &reward, true, 64))
            return fail(*e, lang);
        if (auto e = idempotencyKey(req, &key))
            return fail(*e, lang);
        ApiError error;
        auto id = member(f, &error);
        if (!id)
            return fail(error, lang);
        auto r = loyalty.redeemReward(id.value(), reward, actor(f), key);
        if (!r)
            return fail(fromCore(r.error()), lang);
        return Reply{200, redeemJson(r.value())};
    }

    Reply redeemPoints(const Fields &f, const QHttpServerRequest &req, const QString &lang)
    {
        if (auto e = f.only({u"memberId"_s, u"card"_s, u"phone"_s, u"points"_s, u"receiptId"_s, u"cashier"_s}))
            return fail(*e, lang);
        qint64 points = 0;
        QString receipt, key;
        if (auto e = f.integer(u"points"_s, &points, true, 1, 1'000'000'000LL))
            return fail(*e, lang);
        if (auto e = f.string(u"receiptId"_s, &receipt, true, 128))
            return fail(*e, lang);
        if (auto e = idempotencyKey(req, &key))
            return fail(*e, lang);
        ApiError error;
        auto id = member(f, &error);
        if (!id)
            return fail(error, lang);
        auto r = loyalty.redeemPoints(id.value(), points, receipt, actor(f), key);
        if (!r)
            return fail(fromCore(r.error()), lang);
        return Reply{200, redeemJson(r.value())};
    }

    Reply useVoucher(const Fields &f, const QHttpServerRequest &req, const QString &lang)
    {
        if (auto e = f.only({u"code"_s, u"receiptId"_s, u"basketTotal"_s, u"cashier"_s}))
            return fail(*e, lang);
        QString code, receipt, key;
        qint64 total = 0;
        for (auto e : {f.string(u"code"_s, &code, true, 64), f.string(u"receiptId"_s, &receipt, true, 128),
                       f.integer(u"basketTotal"_s, &total, true, 0, 1'000'000'000'000LL), idempotencyKey(req, &key)})
            if (e)
                return fail(*e, lang);
        auto v = loyalty.useVoucher(code, receipt, total, actor(f), key);
        if (!v)
            return fail(fromCore(v.error()), lang);
        return Reply{200, QJsonObject{{u"code"_s, v->code}, {u"discount"_s, v->discount}, {u"memberId"_s, v->memberId},
                                      {u"status"_s, v->status}, {u"replayed"_s, v->replayed}}};
    }

    Reply refund(const Fields &f, const QHttpServerRequest &req, const QString &lang)
    {
        if (auto e = f.only({u"receiptId"_s, u"amount"_s, u"reason"_s, u"cashier"_s}))
            return fail(*e, lang);
        QString receipt, reason, key;
        qint64 amount = 0;
        for (auto e : {f.string(u"receiptId"_s, &receipt, true, 128), f.string(u"reason"_s, &reason, true, 200),
                       f.integer(u"amount"_s, &amount, false, 1, 1'000'000'000'000LL), idempotencyKey(req, &key)})
            if (e)
                return fail(*e, lang);
        if (reason.trimmed().isEmpty())
            return fail(apiError(u"reason_required"_s, u"reason"_s), lang);
        std::optional<qint64> part;
        if (f.has(u"amount"_s))
            part = amount;
        auto r = loyalty.reverse(receipt, part, reason, actor(f), key);
        if (!r)
            return fail(fromCore(r.error()), lang);
        if (!r->replayed)
            qCInfo(lcAgent, "receipt %s refunded: %lld points taken back", qPrintable(r->receiptId),
                   static_cast<long long>(r->pointsReversed));
        return Reply{200, QJsonObject{{u"receiptId"_s, r->receiptId}, {u"memberId"_s, r->memberId},
                                      {u"refunded"_s, r->refundedAmount}, {u"pointsReversed"_s, r->pointsReversed},
                                      {u"balance"_s, r->balance}, {u"fullyRefunded"_s, r->fullyRefunded},
                                      {u"replayed"_s, r->replayed}}};
    }

    Reply printSlip(const Fields &f, const QString &lang, bool card)
    {
        if (auto e = f.only({u"memberId"_s, u"card"_s, u"phone"_s, u"cashier"_s}))
            return fail(*e, lang);
        ApiError error;
        auto id = member(f, &error);
        if (!id)
            return fail(error, lang);
        auto m = loyalty.member(id.value());
        if (!m)
            return fail(fromCore(m.error()), lang);
        if (!printer)
            return fail(ApiError{503, u"printer_unavailable"_s, {}, u"no receipt printer is configured"_s}, lang);
        const bool en = lang == u"en"_s;
        const QString tz = loyalty.setting(u"time_zone"_s);
        const QString storeName = loyalty.setting(u"store_name"_s);
        Slip slip;
        slip.title = storeName.isEmpty() ? loyalty.storeId() : storeName;
        slip.header << QDateTime::fromMSecsSinceEpoch(loyalty.nowMs(), QTimeZone((tz.isEmpty() ? u"Asia/Jakarta"_s : tz).toUtf8()))
                           .toString(u"yyyy-MM-dd HH:mm"_s);
        slip.rows << Slip::Row{en ? u"Member"_s : u"Anggota"_s, m->profile.name, true}
                  << Slip::Row{en ? u"Tier"_s : u"Tingkat"_s, m->tierName.isEmpty() ? m->tierId : m->tierName}
                  << Slip::Row{en ? u"Points"_s : u"Poin"_s, QString::number(m->balance), true};
        if (card) {
            slip.header << (en ? u"Member card"_s : u"Kartu anggota"_s);
            for (const auto &c : m->cards) {
                if (c.status != u"active"_s)
                    continue;
                if (c.kind == u"qr"_s)
                    slip.qr = loyalty.digitalCardToken(c.number).toUtf8();
                else
                    slip.code128 = c.number.toUtf8();
                slip.rows << Slip::Row{en ? u"Card"_s : u"Kartu"_s, c.number};
                break;
            }
        } else {
            slip.header << (en ? u"Points balance"_s : u"Saldo poin"_s);
            const auto [expiring, firstAt] = loyalty.expiringPoints(m->memberId, 30);
            if (expiring > 0)
                slip.rows << Slip::Row{en ? u"Expiring within 30 days"_s : u"Kedaluwarsa dalam 30 hari"_s, QString::number(expiring)};
            Q_UNUSED(firstAt);
        }
        slip.footer = en ? u"Thank you"_s : u"Terima kasih"_s;
        QJsonObject answer;
        QString why;
        if (!printer->print(slipJob(slip, printer->paper()), &answer, &why))
            return fail(ApiError{503, u"printer_unavailable"_s, {}, why}, lang);
        answer.insert(u"text"_s, slipText(slip, printer->paper() == PaperWidth::Mm58 ? 32 : 48));
        return Reply{answer.value(u"queued"_s).toBool() ? 202 : 200, answer};
    }
    Reply printCard(const Fields &f, const QHttpServerRequest &, const QString &lang) { return printSlip(f, lang, true); }
    Reply printPoints(const Fields &f, const QHttpServerRequest &, const QString &lang) { return printSlip(f, lang, false); }

    // ---- events ----
    QJsonObject eventJson(const Event &e, const QString &lang) const
    {
        QJsonObject o = e.body;
        if (!e.errorCode.isEmpty())
            o.insert(u"error"_s, QJsonObject{{u"code"_s, e.errorCode}, {u"message"_s, errorMessage(e.errorCode, lang)}});
        return o;
    }

    QJsonObject eventsAfter(qint64 after, int limit, const QString &lang) const
    {
        QJsonArray a;
        qint64 last = after;
        for (const Event &e : events) {
            if (e.seq <= after)
                continue;
            if (a.size() >= limit)
                break;
            a.append(eventJson(e, lang));
            last = e.seq;
        }
        const qint64 oldest = events.empty() ? lastSeq + 1 : events.front().seq;
        return QJsonObject{{u"stream"_s, streamId}, {u"events"_s, a}, {u"last"_s, last},
                           {u"missed"_s, after + 1 < oldest && after < lastSeq}};
    }

    void publish(QJsonObject body, const QString &errorCode)
    {
        Event e;
        e.seq = ++lastSeq;
        body.insert(u"seq"_s, e.seq);
        e.body = std::move(body);
        e.errorCode = errorCode;
        events.push_back(e);
        while (qsizetype(events.size()) > s.eventBuffer)
            events.pop_front();
        // answer the long-polls, feed the streams
        for (auto it = waiters.begin(); it != waiters.end();) {
            if (!it->socket || !it->socket->isOpen()) {
                it = waiters.erase(it);
                continue;
            }
            if (it->stream) {
                const QByteArray data = "id: " + QByteArray::number(e.seq) + "\nevent: scan\ndata: "
                    + QJsonDocument(eventJson(e, it->lang)).toJson(QJsonDocument::Compact) + "\n\n";
                it->responder->writeBody(data);
                ++it;
                continue;
            }
            const QByteArray json = QJsonDocument(eventsAfter(it->after, it->limit, it->lang)).toJson(QJsonDocument::Compact) + '\n';
            it->responder->write(json, {{"Content-Type", "application/json; charset=utf-8"}, {"Cache-Control", "no-store"}});
            it = waiters.erase(it);
        }
    }

    void longPoll(const QHttpServerRequest &req, QHttpServerResponder &&responder)
    {
        const QString lang = languageFrom(header(req, "accept-language"), s.language);
        auto answer = [&](const Reply &r) {
            responder.write(QJsonDocument(r.body).toJson(QJsonDocument::Compact) + '\n',
                            {{"Content-Type", "application/json; charset=utf-8"}, {"Cache-Control", "no-store"}},
                            static_cast<Status>(r.status));
            log(req, r.status);
        };
        if (auto e = gate(req, true))
            return answer(fail(*e, lang));
        const QUrlQuery query = req.query();
        for (const auto &item : query.queryItems())
            if (item.first != u"after"_s && item.first != u"waitMs"_s && item.first != u"limit"_s)
                return answer(fail(apiError(u"unknown_field"_s, item.first), lang));
        auto number = [&](const QString &key, qint64 def, qint64 min, qint64 max, qint64 *out) -> bool {
            if (!query.hasQueryItem(key)) {
                *out = def;
                return true;
            }
            bool ok = false;
            *out = query.queryItemValue(key).toLongLong(&ok);
            return ok && *out >= min && *out <= max;
        };
        qint64 after = 0, wait = 0, limit = 0;
        if (!number(u"after"_s, lastSeq, -1, std::numeric_limits<qint32>::max(), &after))
            return answer(fail(apiError(u"invalid_field"_s, u"after"_s), lang));
        if (!number(u"waitMs"_s, 25000, 0, s.maxLongPollMs, &wait))
            return answer(fail(apiError(u"invalid_field"_s, u"waitMs"_s, u"0 to %1"_s.arg(s.maxLongPollMs)), lang));
        if (!number(u"limit"_s, 50, 1, 200, &limit))
            return answer(fail(apiError(u"invalid_field"_s, u"limit"_s, u"1 to 200"_s), lang));
        if (after < 0)
            after = lastSeq;
        else if (after > lastSeq) // a seq of an earlier run of the agent: its `stream` id tells the POS
            after = 0;
        if (after < lastSeq || wait == 0)
            return answer(Reply{200, eventsAfter(after, int(limit), lang)});
        if (qsizetype(waiters.size()) >= s.maxWaiters)
            return answer(fail(apiError(u"too_many_waiters"_s), lang));
        Waiter w;
        w.socket = responder.socket();
        w.responder = std::make_unique<QHttpServerResponder>(std::move(responder));
        w.after = after;
        w.limit = int(limit);
        w.lang = lang;
        w.deadline = std::make_unique<QTimer>();
        w.deadline->setSingleShot(true);
        QTimer *timer = w.deadline.get();
        waiters.push_back(std::move(w));
        QObject::connect(timer, &QTimer::timeout, q, [this, timer] {
            for (auto it = waiters.begin(); it != waiters.end(); ++it) {
                if (it->deadline.get() != timer)
                    continue;
                if (it->socket && it->socket->isOpen())
                    it->responder->write(QJsonDocument(eventsAfter(it->after, it->limit, it->lang)).toJson(QJsonDocument::Compact) + '\n',
                                         {{"Content-Type", "application/json; charset=utf-8"}, {"Cache-Control", "no-store"}});
                it->deadline.release()->deleteLater(); // not deleted inside its own signal
                waiters.erase(it);
                return;
            }
        });
        timer->start(int(wait));
    }

    void stream(const QHttpServerRequest &req, QHttpServerResponder &&responder)
    {
        const QString lang = languageFrom(header(req, "accept-language"), s.language);
        auto answer = [&](const Reply &r) {
            responder.write(QJsonDocument(r.body).toJson(QJsonDocument::Compact) + '\n',
                            {{"Content-Type", "application/json; charset=utf-8"}}, static_cast<Status>(r.status));
            log(req, r.status);
        };
        if (auto e = gate(req, true))
            return answer(fail(*e, lang));
        if (!req.query().isEmpty())
            return answer(fail(apiError(u"unknown_field"_s, req.query().queryItems().value(0).first), lang));
        if (qsizetype(waiters.size()) >= s.maxWaiters)
            return answer(fail(apiError(u"too_many_waiters"_s), lang));
        // Only new scans: a stream starts now (Last-Event-ID resumes within the buffer).
        qint64 after = lastSeq;
        bool ok = false;
        const qint64 resume = header(req, "last-event-id").toLongLong(&ok);
        if (ok && resume >= 0 && resume < lastSeq)
            after = resume;
        responder.writeStatusLine(Status::Ok);
        responder.writeHeader("Content-Type", "text/event-stream; charset=utf-8");
        responder.writeHeader("Cache-Control", "no-store");
        responder.writeHeader("Connection", "close");
        QByteArray first = ": setia-agent stream " + streamId.toLatin1() + "\n\n";
        for (const Event &e : events)
            if (e.seq > after)
                first += "id: " + QByteArray::number(e.seq) + "\nevent: scan\ndata: "
                    + QJsonDocument(eventJson(e, lang)).toJson(QJsonDocument::Compact) + "\n\n";
        responder.writeBody(first);
        log(req, 200);
        Waiter w;
        w.socket = responder.socket();
        w.responder = std::make_unique<QHttpServerResponder>(std::move(responder));
        w.lang = lang;
        w.stream = true;
        waiters.push_back(std::move(w));
    }

    void sendKeepAlives()
    {
        for (auto it = waiters.begin(); it != waiters.end();) {
            if (!it->socket || !it->socket->isOpen()) {
                it = waiters.erase(it);
                continue;
            }
            if (it->stream)
                it->responder->writeBody(QByteArrayLiteral(": keep-alive\n\n"));
            ++it;
        }
    }
};

Api::Api(Loyalty &loyalty, Settings settings, QObject *parent) : QObject(parent), d(std::make_unique<Private>(this, loyalty, std::move(settings)))
{
    qRegisterMetaType<setia::Scan>();
    const QList<Route> table = routes();
    struct Binding {
        const char16_t *path;
        Private::Handler handler;
        bool token;
        bool body;
    };
    const QList<Binding> bindings = {
        {u"/v1/health", &Private::health, false, false},
        {u"/v1/devices", &Private::deviceStatus, true, false},
        {u"/v1/sync", &Private::syncStatus, true, false},
        {u"/v1/members", &Private::enroll, true, true},
        {u"/v1/members/lookup", &Private::lookup, true, true},
        {u"/v1/quote", &Private::quote, true, true},
        {u"/v1/earn", &Private::earn, true, true},
        {u"/v1/redeem/reward", &Private::redeemReward, true, true},
        {u"/v1/redeem/points", &Private::redeemPoints, true, true},
        {u"/v1/vouchers/use", &Private::useVoucher, true, true},
        {u"/v1/refunds", &Private::refund, true, true},
        {u"/v1/print/member-card", &Private::printCard, true, true},
        {u"/v1/print/points-slip", &Private::printPoints, true, true},
    };
    Private *p = d.get();
    for (const Route &r : table) {
        const Method method = r.method == u"GET"_s ? Method::Get : Method::Post;
        if (r.path == u"/v1/events"_s) {
            d->server.route(r.path, method, [p](const QHttpServerRequest &req, QHttpServerResponder &&resp) {
                p->longPoll(req, std::move(resp));
            });
            continue;
        }
        if (r.path == u"/v1/events/stream"_s) {
            d->server.route(r.path, method, [p](const QHttpServerRequest &req, QHttpServerResponder &&resp) {
                p->stream(req, std::move(resp));
            });
            continue;
        }
        const auto b = std::find_if(bindings.begin(), bindings.end(), [&](const Binding &x) { return r.path == QStringView(x.path); });
        if (b == bindings.end()) {
            qCCritical(lcAgent, "route %s has no handler", qPrintable(r.path));
            continue;
        }
        const Binding binding = *b;
        d->server.route(r.path, method, [p, binding](const QHttpServerRequest &req) {
            const QString lang = languageFrom(header(req, "accept-language"), p->s.language);
            Reply reply;
            if (auto e = p->gate(req, binding.token)) {
                reply = fail(*e, lang);
            } else {
                QJsonObject body;
                if (binding.body) {
                    if (auto be = p->parseBody(req, &body))
                        reply = fail(*be, lang);
                } else if (!req.body().isEmpty()) {
                    reply = fail(apiError(u"invalid_field"_s, u"body"_s, u"a GET has no body"_s), lang);
                }
                if (reply.body.isEmpty()) {
                    if (!binding.body && !req.query().isEmpty())
                        reply = fail(apiError(u"unknown_field"_s, req.query().queryItems().value(0).first), lang);
                    else
                        reply = (p->*binding.handler)(Fields(body, {}), req, lang);
                }
            }
            p->log(req, reply.status);
            return p->respond(reply);
        });
    }
    // Every answer: not cached, not sniffed, not framed, no CORS (a browser may not read it).
    d->server.afterRequest([](QHttpServerResponse &&resp) {
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("X-Frame-Options", "DENY");
        return std::move(resp);
    });
    d->server.setMissingHandler([p](const QHttpServerRequest &req, QHttpServerResponder &&resp) {
        const QString lang = languageFrom(header(req, "accept-language"), p->s.language);
        Reply reply;
        if (auto e = p->gate(req, true)) {
            reply = fail(*e, lang);
        } else {
            const QString path = req.url().path();
            const QList<Route> all = routes();
            const bool known = std::any_of(all.begin(), all.end(), [&](const Route &r) { return r.path == path; });
            reply = fail(apiError(known ? u"method_not_allowed"_s : u"not_found"_s), lang);
        }
        p->log(req, reply.status);
        resp.write(QJsonDocument(reply.body).toJson(QJsonDocument::Compact) + '\n',
                   {{"Content-Type", "application/json; charset=utf-8"}, {"Cache-Control", "no-store"}},
                   static_cast<Status>(reply.status));
    });
    d->keepAlive.setInterval(d->s.keepAliveMs);
    connect(&d->keepAlive, &QTimer::timeout, this, [p] { p->sendKeepAlives(); });
    d->keepAlive.start();
}

Api::~Api() = default;

quint16 Api::listen(const QHostAddress &loopback, quint16 port)
{
    if (!loopback.isLoopback()) {
        m_error = u"the agent listens on the loopback address only (127.0.0.1 or ::1), not %1"_s.arg(loopback.toString());
        return 0;
    }
    auto *tcp = new net::LowDelayTcpServer(&d->server);
    if (!tcp->listen(loopback, port)) {
        m_error = u"cannot listen on %1 port %2: %3"_s.arg(loopback.toString()).arg(port).arg(tcp->errorString());
        delete tcp;
        return 0;
    }
    tcp->setListenBacklogSize(1024);
    m_port = tcp->serverPort();
    d->server.bind(tcp);
    qCInfo(lcAgent, "listening on %s port %u", qPrintable(loopback.toString()), unsigned(m_port));
    return m_port;
}

void Api::addDeviceSource(const QString &kind, std::function<QJsonArray()> source)
{
    d->devices.append({kind, std::move(source)});
}

void Api::setPrinter(std::unique_ptr<Printer> printer) { d->printer = std::move(printer); }

void Api::setSyncStatusSource(std::function<QJsonObject()> source) { d->syncSource = std::move(source); }

qint64 Api::lastEventSeq() const { return d->lastSeq; }

void Api::handleScan(const setia::Scan &scan)
{
    // A deep copy this function owns, overwritten once core has said what it is.
    ScanInput in{QByteArray(scan.payload.constData(), scan.payload.size()), scan.symbology, coreSource(scan.source),
                 scan.atMs > 0 ? scan.atMs : d->loyalty.nowMs()};
    ScanMeaning meaning;
    auto m = d->loyalty.memberByScan(in, &meaning);
    wipeBuffer(in.payload);
    QJsonObject body{{u"at"_s, isoUtc(d->loyalty.nowMs())}, {u"source"_s, sourceName(scan.source)}};
    QString errorCode;
    if (m) {
        body.insert(u"kind"_s, u"member"_s);
        body.insert(u"member"_s, memberJson(m.value()));
        qCInfo(lcAgentScan, "member card scanned (%s)", qPrintable(m->memberId));
    } else if (m.error().code == u"payment_card"_s) {
        // No card data at all: not the number, not a part of it, not the brand.
        body.insert(u"kind"_s, u"payment_card"_s);
        errorCode = u"payment_card"_s;
        qCInfo(lcAgentScan, "a payment card was scanned and discarded");
    } else if (m.error().code == u"voucher_scanned"_s) {
        body.insert(u"kind"_s, u"voucher"_s);
        body.insert(u"voucherCode"_s, meaning.value);
    } else {
        body.insert(u"kind"_s, u"refused"_s);
        errorCode = m.error().code;
        qCInfo(lcAgentScan, "scan refused: %s", qPrintable(errorCode));
    }
    wipeBuffer(meaning.value);
    d->publish(body, errorCode);
}

} // namespace setia::agent
