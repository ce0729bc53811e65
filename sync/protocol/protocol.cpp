#include "protocol.h"

#include "core/crypto.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <string_view>

using namespace Qt::StringLiterals;

namespace setia::sync {

namespace {

struct PkeyFree {
    void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

Pkey privateKey(const QByteArray &raw)
{
    if (raw.size() != 32)
        return {};
    return Pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                             reinterpret_cast<const unsigned char *>(raw.constData()), 32));
}

QByteArray rawPublic(EVP_PKEY *k)
{
    QByteArray out(32, '\0');
    size_t n = 32;
    if (EVP_PKEY_get_raw_public_key(k, reinterpret_cast<unsigned char *>(out.data()), &n) != 1 || n != 32)
        return {};
    return out;
}

Error bad(const QString &field, const QString &what)
{
    return makeError(u"malformed_request"_s, u"%1: %2"_s.arg(field, what));
}

Result<QJsonObject> parseObject(const QByteArray &body)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError)
        return makeError(u"malformed_json"_s, u"%1 at byte %2"_s.arg(pe.errorString()).arg(pe.offset));
    if (!doc.isObject())
        return makeError(u"malformed_json"_s, u"the body must be a JSON object"_s);
    return doc.object();
}

// A 64-bit integer sent as a decimal string (or a JSON number within 2^53).
bool int64Of(const QJsonValue &v, qint64 *out)
{
    if (v.isString()) {
        bool ok = false;
        *out = v.toString().toLongLong(&ok);
        return ok;
    }
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (d != double(qint64(d)) || d > 9007199254740992.0 || d < -9007199254740992.0)
            return false;
        *out = qint64(d);
        return true;
    }
    return false;
}

QByteArray compact(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

} // namespace

KeyPair generateKeyPair()
{
    EVP_PKEY *raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    Pkey k(raw);
    KeyPair kp;
    if (!k)
        return kp;
    kp.privateKey = QByteArray(32, '\0');
    size_t n = 32;
    if (EVP_PKEY_get_raw_private_key(k.get(), reinterpret_cast<unsigned char *>(kp.privateKey.data()), &n) != 1 || n != 32)
        return {};
    kp.publicKey = rawPublic(k.get());
    return kp;
}

QByteArray publicKeyOf(const QByteArray &priv)
{
    Pkey k = privateKey(priv);
    return k ? rawPublic(k.get()) : QByteArray();
}

QByteArray sign(const QByteArray &priv, const QByteArray &message)
{
    Pkey k = privateKey(priv);
    MdCtx ctx(EVP_MD_CTX_new());
    if (!k || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1)
        return {};
    QByteArray sig(64, '\0');
    size_t n = 64;
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(sig.data()), &n,
                       reinterpret_cast<const unsigned char *>(message.constData()), size_t(message.size())) != 1
        || n != 64)
        return {};
    return sig;
}

bool verify(const QByteArray &pub, const QByteArray &message, const QByteArray &signature)
{
    if (pub.size() != 32 || signature.size() != 64)
        return false;
    Pkey k(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char *>(pub.constData()), 32));
    MdCtx ctx(EVP_MD_CTX_new());
    if (!k || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1)
        return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(signature.constData()), 64,
                            reinterpret_cast<const unsigned char *>(message.constData()), size_t(message.size()))
           == 1;
}

Result<KeyPair> loadOrCreateKeyFile(const QString &path, bool create)
{
    QFile f(path);
    if (f.exists()) {
        if (auto st = checkKeyFilePermissions(path); !st)
            return st.error();
        if (!f.open(QIODevice::ReadOnly))
            return makeError(u"key_unreadable"_s, u"Cannot read the key file %1: %2"_s.arg(path, f.errorString()));
        const QByteArray text = f.readAll().trimmed();
        auto raw = fromBase64Strict(QString::fromLatin1(text), 32);
        if (!raw)
            return makeError(u"key_corrupt"_s, u"The key file %1 does not hold a 32-byte Ed25519 key in base64."_s.arg(path));
        KeyPair kp{raw.value(), publicKeyOf(raw.value())};
        if (kp.publicKey.isEmpty())
            return makeError(u"key_corrupt"_s, u"The key file %1 does not hold a usable Ed25519 key."_s.arg(path));
        return kp;
    }
    if (!create)
        return makeError(u"key_missing"_s, u"There is no key file at %1."_s.arg(path));
    KeyPair kp = generateKeyPair();
    if (kp.privateKey.isEmpty())
        return makeError(u"key_error"_s, u"OpenSSL could not make an Ed25519 key."_s);
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return makeError(u"key_unwritable"_s, u"Cannot write the key file %1: %2"_s.arg(path, out.errorString()));
    out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    out.write(kp.privateKey.toBase64() + '\n');
    if (!out.commit())
        return makeError(u"key_unwritable"_s, u"Cannot write the key file %1: %2"_s.arg(path, out.errorString()));
    QFile::setPermissions(path, newKeyFilePermissions(path)); // 0640 in a shared store directory
    return kp;
}

QByteArray requestSigningInput(const QByteArray &method, const QByteArray &pathAndQuery, const QByteArray &body)
{
    return "setia-sync-v1\n" + method + '\n' + pathAndQuery + '\n' + sha256Hex(body).toLatin1();
}

Result<QByteArray> fromBase64Strict(const QString &text, int expectedBytes)
{
    auto r = QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!r || (expectedBytes >= 0 && r.decoded.size() != expectedBytes))
        return makeError(u"bad_base64"_s, u"not valid base64 of the expected length"_s);
    return r.decoded;
}

// ---- events ----

QJsonObject eventToJson(const LedgerEvent &e)
{
    const QByteArray payload = e.payloadJson.isEmpty() ? canonicalJson(e.payload) : e.payloadJson;
    return QJsonObject{{u"eventId"_s, e.eventId},
                       {u"terminalId"_s, e.terminalId},
                       {u"terminalSeq"_s, QString::number(e.terminalSeq)},
                       {u"hlc"_s, QString::number(e.hlc)},
                       {u"occurredAt"_s, QString::number(e.occurredAt)},
                       {u"type"_s, e.type},
                       {u"memberId"_s, e.memberId},
                       {u"points"_s, QString::number(e.points)},
                       {u"amount"_s, QString::number(e.amount)},
                       {u"receiptId"_s, e.receiptId},
                       {u"refEventId"_s, e.refEventId},
                       {u"actor"_s, e.actor},
                       {u"payload"_s, QString::fromUtf8(payload)},
                       {u"prevHash"_s, e.prevHash},
                       {u"hash"_s, e.hash}};
}

Result<LedgerEvent> eventFromJson(const QJsonValue &v)
{
    if (!v.isObject())
        return bad(u"event"_s, u"is not an object"_s);
    const QJsonObject o = v.toObject();
    static const QStringList known = {u"eventId"_s, u"terminalId"_s, u"terminalSeq"_s, u"hlc"_s, u"occurredAt"_s,
                                      u"type"_s, u"memberId"_s, u"points"_s, u"amount"_s, u"receiptId"_s,
                                      u"refEventId"_s, u"actor"_s, u"payload"_s, u"prevHash"_s, u"hash"_s};
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!known.contains(it.key()))
            return bad(u"event."_s + it.key(), u"unknown field"_s);
    LedgerEvent e;
    auto str = [&](const QString &k, QString *out, bool required, int maxLen) -> std::optional<Error> {
        const QJsonValue x = o.value(k);
        if (x.isUndefined() && !required) {
            *out = QStringLiteral("");
            return std::nullopt;
        }
        if (!x.isString() || (required && x.toString().isEmpty()) || x.toString().size() > maxLen)
            return bad(u"event."_s + k, u"must be a string of at most %1 characters"_s.arg(maxLen));
        *out = x.toString();
        return std::nullopt;
    };
    auto num = [&](const QString &k, qint64 *out) -> std::optional<Error> {
        if (!int64Of(o.value(k), out))
            return bad(u"event."_s + k, u"must be a 64-bit integer (a decimal string)"_s);
        return std::nullopt;
    };
    QString payload;
    for (auto check : {str(u"eventId"_s, &e.eventId, true, 64), str(u"terminalId"_s, &e.terminalId, true, 64),
                       str(u"type"_s, &e.type, true, 32), str(u"memberId"_s, &e.memberId, false, 64),
                       str(u"receiptId"_s, &e.receiptId, false, 128), str(u"refEventId"_s, &e.refEventId, false, 64),
                       str(u"actor"_s, &e.actor, false, 128), str(u"payload"_s, &payload, true, 65536),
                       str(u"prevHash"_s, &e.prevHash, true, 64), str(u"hash"_s, &e.hash, true, 64),
                       num(u"terminalSeq"_s, &e.terminalSeq), num(u"hlc"_s, &e.hlc),
                       num(u"occurredAt"_s, &e.occurredAt), num(u"points"_s, &e.points), num(u"amount"_s, &e.amount)}) {
        if (check)
            return *check;
    }
    if (!isUuid(e.eventId))
        return bad(u"event.eventId"_s, u"is not a UUID"_s);
    if (e.terminalSeq < 1)
        return bad(u"event.terminalSeq"_s, u"must be 1 or more"_s);
    QJsonParseError pe;
    const QJsonDocument pd = QJsonDocument::fromJson(payload.toUtf8(), &pe);
    if (pe.error != QJsonParseError::NoError || !pd.isObject())
        return bad(u"event.payload"_s, u"is not a JSON object"_s);
    e.payloadJson = payload.toUtf8();
    return e;
}

QJsonObject memberKeyToJson(const MemberKey &k)
{
    QJsonObject o{{u"memberId"_s, k.memberId}, {u"wrappedKey"_s, QString::fromLatin1(k.wrappedKey.toBase64())}};
    if (!k.phoneIndex.isEmpty())
        o.insert(u"phoneIndex"_s, k.phoneIndex);
    return o;
}

Result<MemberKey> memberKeyFromJson(const QJsonValue &v)
{
    const QJsonObject o = v.toObject();
    MemberKey k;
    k.memberId = o.value(u"memberId"_s).toString();
    k.phoneIndex = o.value(u"phoneIndex"_s).toString();
    if (!v.isObject() || !isUuid(k.memberId) || k.phoneIndex.size() > 128)
        return bad(u"members[]"_s, u"needs a memberId (UUID), a wrappedKey and at most a phoneIndex"_s);
    auto wrapped = fromBase64Strict(o.value(u"wrappedKey"_s).toString());
    if (!wrapped || wrapped->isEmpty() || wrapped->size() > 256)
        return bad(u"members[].wrappedKey"_s, u"must be base64 of the wrapped member key"_s);
    k.wrappedKey = wrapped.value();
    return k;
}

// The event as eventToJson() gives it, written straight (keys in the same sorted order, so the
// same bytes as QJsonDocument's compact form): building a QJsonObject per event was a third of
// a push batch's encoding.
void writeEvent(CanonicalWriter &w, const LedgerEvent &e)
{
    w.beginObject()
        .field("actor", e.actor)
        .key("amount").decimalString(e.amount)
        .field("eventId", e.eventId)
        .field("hash", e.hash)
        .key("hlc").decimalString(e.hlc)
        .field("memberId", e.memberId)
        .key("occurredAt").decimalString(e.occurredAt)
        .field("payload", QString::fromUtf8(e.payloadJson.isEmpty() ? canonicalJson(e.payload) : e.payloadJson))
        .key("points").decimalString(e.points)
        .field("prevHash", e.prevHash)
        .field("receiptId", e.receiptId)
        .field("refEventId", e.refEventId)
        .field("terminalId", e.terminalId)
        .key("terminalSeq").decimalString(e.terminalSeq)
        .field("type", e.type)
        .endObject();
}

QByteArray encodePush(const PushRequest &r)
{
    CanonicalWriter w;
    w.beginObject().key("events").beginArray();
    for (const LedgerEvent &e : r.events)
        writeEvent(w, e);
    w.endArray().key("members").beginArray();
    for (const MemberKey &k : r.members) {
        w.beginObject().field("memberId", k.memberId);
        if (!k.phoneIndex.isEmpty())
            w.field("phoneIndex", k.phoneIndex);
        w.field("wrappedKey", QString::fromLatin1(k.wrappedKey.toBase64())).endObject();
    }
    w.endArray().field("terminalId", r.terminalId).field("v", kProtocolVersion).endObject();
    return w.bytes();
}

namespace {

// The push as encodePush() writes it, read straight from the bytes (decodePush()'s fast path).
// It accepts only what it is sure the reference reader (QJsonDocument, decodePushReference())
// would accept with the same result: ASCII, no duplicate or unknown keys, every event field a
// string, the int64 fields plain decimals, a known version. Anything else, including every
// input that is wrong, returns nothing and the reference reads it, so errors and their
// messages stay the reference's. tst_protocol compares the two on valid and damaged pushes.
class FastPushReader {
public:
    explicit FastPushReader(const QByteArray &body) : m_p(body.constData()), m_end(body.constData() + body.size()) {}

    std::optional<PushRequest> read()
    {
        PushRequest r;
        bool events = false, members = false, terminal = false, version = false;
        if (!eat('{'))
            return {};
        do {
            const std::string_view key = rawKey();
            if (key == "events" && !events) {
                events = true;
                if (!readEvents(&r.events))
                    return {};
            } else if (key == "members" && !members) {
                members = true;
                if (!readMembers(&r.members))
                    return {};
            } else if (key == "terminalId" && !terminal) {
                terminal = true;
                if (!string(&r.terminalId) || r.terminalId.isEmpty())
                    return {};
            } else if (key == "v" && !version) {
                version = true;
                qint64 v = 0;
                if (!plainInteger(&v) || v != kProtocolVersion)
                    return {};
            } else {
                return {};
            }
        } while (eat(','));
        if (!eat('}') || !events || !members || !terminal || !version)
            return {};
        skipSpace();
        if (m_p != m_end)
            return {};
        return r;
    }

private:
    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }
    bool eat(char c)
    {
        skipSpace();
        if (m_p < m_end && *m_p == c) {
            ++m_p;
            return true;
        }
        return false;
    }
    // A key without escapes, and its colon; empty when it is anything else.
    std::string_view rawKey()
    {
        if (!eat('"'))
            return {};
        const char *start = m_p;
        while (m_p < m_end && *m_p != '"' && *m_p != '\\' && static_cast<unsigned char>(*m_p) >= 0x20
               && static_cast<unsigned char>(*m_p) < 0x80)
            ++m_p;
        if (m_p == m_end || *m_p != '"')
            return {};
        const std::string_view key(start, size_t(m_p - start));
        ++m_p;
        return eat(':') ? key : std::string_view();
    }
    static int hexDigit(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }
    // A string of ASCII characters and the escapes JSON has (no surrogates).
    bool string(QString *out)
    {
        if (!eat('"'))
            return false;
        const char *start = m_p;
        while (m_p < m_end && *m_p != '"' && *m_p != '\\' && static_cast<unsigned char>(*m_p) >= 0x20
               && static_cast<unsigned char>(*m_p) < 0x80)
            ++m_p;
        if (m_p < m_end && *m_p == '"') { // no escapes: the common case
            *out = QString::fromLatin1(start, m_p - start);
            ++m_p;
            if (out->isEmpty())
                *out = emptyString();
            return true;
        }
        QString s = QString::fromLatin1(start, m_p - start);
        while (m_p < m_end && *m_p != '"') {
            const char *run = m_p; // the characters up to the next escape, in one go
            while (m_p < m_end && *m_p != '"' && *m_p != '\\' && static_cast<unsigned char>(*m_p) >= 0x20
                   && static_cast<unsigned char>(*m_p) < 0x80)
                ++m_p;
            s.append(QLatin1StringView(run, m_p - run));
            if (m_p == m_end || *m_p == '"')
                break;
            if (*m_p != '\\') // a control character, or not ASCII
                return false;
            if (++m_p == m_end)
                return false;
            switch (*m_p++) {
            case '"': s.append(u'"'); break;
            case '\\': s.append(u'\\'); break;
            case '/': s.append(u'/'); break;
            case 'b': s.append(u'\b'); break;
            case 'f': s.append(u'\f'); break;
            case 'n': s.append(u'\n'); break;
            case 'r': s.append(u'\r'); break;
            case 't': s.append(u'\t'); break;
            case 'u': {
                if (m_end - m_p < 4)
                    return false;
                int code = 0;
                for (int i = 0; i < 4; ++i) {
                    const int d = hexDigit(*m_p++);
                    if (d < 0)
                        return false;
                    code = code * 16 + d;
                }
                if (code >= 0xD800 && code <= 0xDFFF) // surrogates: the reference's business
                    return false;
                s.append(QChar(char16_t(code)));
                break;
            }
            default:
                return false;
            }
        }
        if (m_p == m_end)
            return false;
        ++m_p;
        *out = s.isEmpty() ? emptyString() : s;
        return true;
    }
    // The reference's value for "": whatever QJsonValue::toString() gives for it (null or not).
    static QString emptyString()
    {
        static const QString empty = QJsonDocument::fromJson(R"({"e":""})").object().value(u"e"_s).toString();
        return empty;
    }
    // -?[0-9]{1,18}: what QString::toLongLong and a JSON number agree on.
    static bool decimal(const QString &s, qint64 *out)
    {
        const qsizetype n = s.size();
        const bool negative = n > 0 && s.at(0) == u'-';
        const qsizetype digits = n - (negative ? 1 : 0);
        if (digits < 1 || digits > 18)
            return false;
        qint64 v = 0;
        for (qsizetype i = negative ? 1 : 0; i < n; ++i) {
            const char16_t c = s.at(i).unicode();
            if (c < u'0' || c > u'9')
                return false;
            v = v * 10 + (c - u'0');
        }
        *out = negative ? -v : v;
        return true;
    }
    bool plainInteger(qint64 *out)
    {
        skipSpace();
        const char *start = m_p;
        while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
            ++m_p;
        if (m_p == start || m_p - start > 9)
            return false;
        *out = QByteArray(start, m_p - start).toLongLong();
        return true;
    }

    // [item, item, ...], each read by readItem().
    template <typename ReadItem>
    bool array(ReadItem readItem)
    {
        if (!eat('['))
            return false;
        if (eat(']'))
            return true;
        do {
            if (!readItem())
                return false;
        } while (eat(','));
        return eat(']');
    }

    bool readEvents(QList<LedgerEvent> *out)
    {
        return array([&] {
            LedgerEvent e;
            if (out->size() >= kMaxBatchEvents || !readEvent(&e))
                return false;
            out->append(std::move(e));
            return true;
        });
    }

    bool readEvent(LedgerEvent *e)
    {
        enum : int { Actor, Amount, EventId, Hash, Hlc, MemberId, OccurredAt, Payload, Points, PrevHash, ReceiptId, RefEventId,
                     TerminalId, TerminalSeq, Type, Count };
        static constexpr std::string_view kNames[Count] = {"actor", "amount", "eventId", "hash", "hlc", "memberId",
                                                           "occurredAt", "payload", "points", "prevHash", "receiptId",
                                                           "refEventId", "terminalId", "terminalSeq", "type"};
        // As eventFromJson() checks them: required (non-empty) and the longest a text may be.
        static constexpr bool kRequired[Count] = {false, true, true, true, true, false, true, true, true, true, false, false,
                                                  true, true, true};
        static constexpr int kMaxLen[Count] = {128, 0, 64, 64, 0, 64, 0, 65536, 0, 64, 128, 64, 64, 0, 32};
        QString payload;
        QString *texts[Count] = {&e->actor, nullptr, &e->eventId, &e->hash, nullptr, &e->memberId, nullptr, &payload,
                                 nullptr, &e->prevHash, &e->receiptId, &e->refEventId, &e->terminalId, nullptr, &e->type};
        qint64 *numbers[Count] = {nullptr, &e->amount, nullptr, nullptr, &e->hlc, nullptr, &e->occurredAt, nullptr,
                                  &e->points, nullptr, nullptr, nullptr, nullptr, &e->terminalSeq, nullptr};
        bool seen[Count] = {};
        if (!eat('{'))
            return false;
        int next = 0; // keys come sorted: the next is usually the one after the last
        do {
            const std::string_view key = rawKey();
            int f = -1;
            for (int tried = 0; tried < Count && f < 0; ++tried)
                if (kNames[(next + tried) % Count] == key)
                    f = (next + tried) % Count;
            if (f < 0 || seen[f])
                return false;
            seen[f] = true;
            next = f + 1;
            QString value;
            if (!string(&value))
                return false;
            if (numbers[f]) {
                if (!decimal(value, numbers[f]))
                    return false;
            } else {
                if ((kRequired[f] && value.isEmpty()) || value.size() > kMaxLen[f])
                    return false;
                *texts[f] = std::move(value);
            }
        } while (eat(','));
        if (!eat('}'))
            return false;
        for (int f = 0; f < Count; ++f)
            if (!seen[f]) {
                if (kRequired[f])
                    return false;
                *texts[f] = QStringLiteral(""); // as eventFromJson() leaves an absent optional field
            }
        if (!isUuid(e->eventId) || e->terminalSeq < 1)
            return false;
        e->payloadJson = payload.toUtf8();
        QJsonParseError pe;
        const QJsonDocument pd = QJsonDocument::fromJson(e->payloadJson, &pe);
        return pe.error == QJsonParseError::NoError && pd.isObject();
    }

    bool readMembers(QList<MemberKey> *out)
    {
        return array([&] {
            if (!eat('{'))
                return false;
            QJsonObject o; // few per batch: checked by memberKeyFromJson() itself
            do {
                const std::string_view key = rawKey();
                QString value;
                if (key.empty() || !string(&value))
                    return false;
                const QString name = QString::fromLatin1(key.data(), qsizetype(key.size()));
                if (o.contains(name))
                    return false;
                o.insert(name, value);
            } while (eat(','));
            if (!eat('}'))
                return false;
            auto k = memberKeyFromJson(o);
            if (!k)
                return false;
            out->append(k.value());
            return true;
        });
    }

    const char *m_p;
    const char *m_end;
};

} // namespace

namespace detail {

Result<PushRequest> decodePushReference(const QByteArray &body)
{
    auto o = parseObject(body);
    if (!o)
        return o.error();
    if (o->value(u"v"_s).toInt() != kProtocolVersion)
        return makeError(u"unsupported_version"_s, u"this hub speaks sync protocol version %1"_s.arg(kProtocolVersion));
    PushRequest r;
    r.terminalId = o->value(u"terminalId"_s).toString();
    if (r.terminalId.isEmpty())
        return bad(u"terminalId"_s, u"missing"_s);
    const QJsonArray events = o->value(u"events"_s).toArray();
    if (events.size() > kMaxBatchEvents)
        return makeError(u"batch_too_large"_s, u"at most %1 events in one batch"_s.arg(kMaxBatchEvents));
    for (const QJsonValue &v : events) {
        auto e = eventFromJson(v);
        if (!e)
            return e.error();
        r.events.append(e.value());
    }
    for (const QJsonValue &v : o->value(u"members"_s).toArray()) {
        auto k = memberKeyFromJson(v);
        if (!k)
            return k.error();
        r.members.append(k.value());
    }
    return r;
}

std::optional<PushRequest> decodePushFast(const QByteArray &body) { return FastPushReader(body).read(); }

} // namespace detail

// The fast reader for the pushes terminals send (QJsonDocument and a QJsonValue per field were
// most of decoding a batch: docs/performance.md "Round 6"); the reference for everything else.
Result<PushRequest> decodePush(const QByteArray &body)
{
    if (auto fast = detail::decodePushFast(body))
        return std::move(*fast);
    return detail::decodePushReference(body);
}

QByteArray encodePushResponse(const QList<EventResult> &results)
{
    CanonicalWriter w;
    w.beginObject().key("results").beginArray();
    for (const EventResult &r : results) {
        w.beginObject().field("eventId", r.eventId);
        if (!r.reason.isEmpty())
            w.field("reason", r.reason);
        if (r.serverSeq > 0)
            w.key("serverSeq").decimalString(r.serverSeq);
        w.field("status", r.status).endObject();
    }
    w.endArray().endObject();
    return w.bytes();
}

Result<QList<EventResult>> decodePushResponse(const QByteArray &body)
{
    auto o = parseObject(body);
    if (!o)
        return o.error();
    QList<EventResult> out;
    for (const QJsonValue &v : o->value(u"results"_s).toArray()) {
        const QJsonObject x = v.toObject();
        EventResult r{x.value(u"eventId"_s).toString(), x.value(u"status"_s).toString(), x.value(u"reason"_s).toString(), 0};
        if (x.contains(u"serverSeq"_s) && !int64Of(x.value(u"serverSeq"_s), &r.serverSeq))
            return bad(u"results[].serverSeq"_s, u"not an integer"_s);
        if (r.eventId.isEmpty() || r.status.isEmpty() || (r.stored() && r.serverSeq <= 0))
            return bad(u"results[]"_s, u"needs eventId, status and, when stored, serverSeq"_s);
        out.append(r);
    }
    return out;
}

// ---- lease ----

QByteArray Lease::canonical() const
{
    CanonicalWriter w;
    w.beginObject()
        .key("asOfServerSeq").decimalString(asOfServerSeq)
        .key("expiresAt").decimalString(expiresAt)
        .key("issuedAt").decimalString(issuedAt)
        .field("leaseId", leaseId)
        .key("maxCount").decimalString(maxCount)
        .key("memberCap").decimalString(memberCap)
        .key("terminalCap").decimalString(terminalCap)
        .field("terminalId", terminalId)
        .endObject();
    return w.bytes();
}

QJsonObject Lease::toJson() const { return QJsonDocument::fromJson(canonical()).object(); }

Result<Lease> Lease::fromJson(const QJsonObject &o)
{
    Lease l;
    l.leaseId = o.value(u"leaseId"_s).toString();
    l.terminalId = o.value(u"terminalId"_s).toString();
    if (l.leaseId.isEmpty() || l.terminalId.isEmpty() || !int64Of(o.value(u"issuedAt"_s), &l.issuedAt)
        || !int64Of(o.value(u"expiresAt"_s), &l.expiresAt) || !int64Of(o.value(u"memberCap"_s), &l.memberCap)
        || !int64Of(o.value(u"terminalCap"_s), &l.terminalCap) || !int64Of(o.value(u"maxCount"_s), &l.maxCount)
        || !int64Of(o.value(u"asOfServerSeq"_s), &l.asOfServerSeq))
        return bad(u"lease"_s, u"a field is missing or not an integer"_s);
    return l;
}

QByteArray encodeSignedLease(const Lease &lease, const QByteArray &hubPrivateKey)
{
    return compact(QJsonObject{{u"lease"_s, lease.toJson()},
                               {u"signature"_s, QString::fromLatin1(sign(hubPrivateKey, lease.canonical()).toBase64())}});
}

Result<Lease> decodeSignedLease(const QByteArray &body, const QByteArray &hubPublicKey)
{
    auto o = parseObject(body);
    if (!o)
        return o.error();
    auto l = Lease::fromJson(o->value(u"lease"_s).toObject());
    if (!l)
        return l.error();
    auto sig = fromBase64Strict(o->value(u"signature"_s).toString(), 64);
    if (!sig || !verify(hubPublicKey, l->canonical(), sig.value()))
        return makeError(u"lease_signature"_s, u"The redemption lease is not signed by this store's hub."_s);
    return l;
}

// ---- feed ----

QByteArray encodeFeedPage(const FeedPage &page)
{
    // Written straight (the keys in order), each body as stored: a page of 1,000 members was
    // parsed into QJsonObjects and written again, ~10 % of a terminal's first pull.
    CanonicalWriter w;
    w.beginObject().key("items").beginArray();
    for (const FeedItem &i : page.items) {
        w.beginObject().key("body");
        w.raw(i.rawBody.isEmpty() ? compact(i.body) : i.rawBody);
        w.field("key", i.key).field("kind", i.kind).key("seq").decimalString(i.seq).endObject();
    }
    w.endArray().field("more", page.more).key("next").decimalString(page.next).endObject();
    return w.bytes();
}

Result<FeedPage> decodeFeedPage(const QByteArray &body)
{
    auto o = parseObject(body);
    if (!o)
        return o.error();
    FeedPage p;
    if (!int64Of(o->value(u"next"_s), &p.next))
        return bad(u"next"_s, u"not an integer"_s);
    p.more = o->value(u"more"_s).toBool();
    for (const QJsonValue &v : o->value(u"items"_s).toArray()) {
        const QJsonObject x = v.toObject();
        FeedItem i;
        if (!int64Of(x.value(u"seq"_s), &i.seq))
            return bad(u"items[].seq"_s, u"not an integer"_s);
        i.kind = x.value(u"kind"_s).toString();
        i.key = x.value(u"key"_s).toString();
        i.body = x.value(u"body"_s).toObject();
        p.items.append(i);
    }
    return p;
}

} // namespace setia::sync
