#include "hubstore.h"

#include "core/crypto.h"
#include "core/ids.h"
#include "core/store.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMap>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHub, "setia.hub", QtInfoMsg)

namespace setia::hub {

namespace {

const QString kHubTerminal = u"hub"_s;

Random &systemRandom()
{
    static thread_local SecureRandom r;
    return r;
}

const char *const kSchema[] = {
    "CREATE TABLE IF NOT EXISTS hub_counter(id INTEGER PRIMARY KEY, value BIGINT NOT NULL)",
    "INSERT INTO hub_counter(id, value) VALUES(1, 0) ON CONFLICT DO NOTHING",
    "CREATE TABLE IF NOT EXISTS hub_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS terminals(terminal_id TEXT PRIMARY KEY, store_id TEXT NOT NULL, name TEXT NOT NULL,"
    " public_key TEXT NOT NULL, registered_at BIGINT NOT NULL, revoked_at BIGINT, last_seen_at BIGINT,"
    " last_seq BIGINT NOT NULL DEFAULT 0, last_hash TEXT NOT NULL, events BIGINT NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS enrollment_tokens(token_hash TEXT PRIMARY KEY, store_id TEXT NOT NULL, name TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT, terminal_id TEXT)",
    "CREATE TABLE IF NOT EXISTS events(server_seq BIGINT PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,"
    " terminal_id TEXT NOT NULL, terminal_seq BIGINT NOT NULL, store_id TEXT NOT NULL, hlc BIGINT NOT NULL,"
    " occurred_at BIGINT NOT NULL, type TEXT NOT NULL, member_id TEXT NOT NULL, points BIGINT NOT NULL,"
    " amount BIGINT NOT NULL, receipt_id TEXT NOT NULL, ref_event_id TEXT NOT NULL, actor TEXT NOT NULL,"
    " payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, received_at BIGINT NOT NULL,"
    " UNIQUE(terminal_id, terminal_seq))",
    "CREATE INDEX IF NOT EXISTS events_member ON events(member_id, occurred_at)",
    "CREATE INDEX IF NOT EXISTS events_time ON events(occurred_at)",
    "CREATE TABLE IF NOT EXISTS held(terminal_id TEXT NOT NULL, terminal_seq BIGINT NOT NULL, event TEXT NOT NULL,"
    " received_at BIGINT NOT NULL, PRIMARY KEY(terminal_id, terminal_seq))",
    "CREATE TABLE IF NOT EXISTS quarantine(id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, event_id TEXT NOT NULL,"
    " reason TEXT NOT NULL, event TEXT NOT NULL, at BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS members(member_id TEXT PRIMARY KEY, status TEXT NOT NULL, home_store TEXT NOT NULL,"
    " tier_id TEXT NOT NULL, phone_index TEXT, profile TEXT, wrapped_key TEXT, merged_into TEXT,"
    " balance BIGINT NOT NULL, enrolled_at BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS members_phone ON members(phone_index)",
    // The tier of a member counts the members merged into it (flush()).
    "CREATE INDEX IF NOT EXISTS members_merged ON members(merged_into)",
    "CREATE TABLE IF NOT EXISTS cards(card_number TEXT PRIMARY KEY, member_id TEXT NOT NULL, kind TEXT NOT NULL,"
    " status TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS cards_member ON cards(member_id)",
    "CREATE TABLE IF NOT EXISTS vouchers(code TEXT PRIMARY KEY, member_id TEXT NOT NULL, type_id TEXT NOT NULL,"
    " discount BIGINT NOT NULL, min_spend BIGINT NOT NULL, issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,"
    " used_event_id TEXT, used_at BIGINT)",
    "CREATE INDEX IF NOT EXISTS vouchers_member ON vouchers(member_id)",
    "CREATE TABLE IF NOT EXISTS alerts(alert_id TEXT PRIMARY KEY, at BIGINT NOT NULL, kind TEXT NOT NULL,"
    " store_id TEXT NOT NULL, terminal_id TEXT NOT NULL, member_id TEXT NOT NULL, detail TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS programs(version BIGINT PRIMARY KEY, effective_from BIGINT NOT NULL,"
    " document TEXT NOT NULL, published_at BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS feed(seq BIGINT PRIMARY KEY, kind TEXT NOT NULL, item_key TEXT NOT NULL,"
    " body TEXT NOT NULL, UNIQUE(kind, item_key))",
    // Members written since their feed row was (HubStore::settle()).
    "CREATE TABLE IF NOT EXISTS feed_pending(member_id TEXT PRIMARY KEY)",
};

QString b64(const QByteArray &b) { return QString::fromLatin1(b.toBase64()); }
QByteArray unb64(const QString &s) { return QByteArray::fromBase64(s.toLatin1()); }

Error sqlFail(const QSqlQuery &q, const char *what)
{
    return makeError(u"hub_store_error"_s, u"%1: %2"_s.arg(QLatin1String(what), q.lastError().text()));
}

bool run(QSqlQuery &q, const QVariantList &binds = {})
{
    for (int i = 0; i < binds.size(); ++i)
        q.bindValue(i, binds.at(i));
    return q.exec();
}

QJsonObject eventJson(const QSqlQuery &q, int c)
{
    return QJsonObject{{u"serverSeq"_s, QString::number(q.value(c).toLongLong())},
                       {u"eventId"_s, q.value(c + 1).toString()},
                       {u"terminalId"_s, q.value(c + 2).toString()},
                       {u"terminalSeq"_s, QString::number(q.value(c + 3).toLongLong())},
                       {u"storeId"_s, q.value(c + 4).toString()},
                       {u"type"_s, q.value(c + 5).toString()},
                       {u"memberId"_s, q.value(c + 6).toString()},
                       {u"points"_s, QString::number(q.value(c + 7).toLongLong())},
                       {u"amount"_s, QString::number(q.value(c + 8).toLongLong())},
                       {u"occurredAt"_s, QString::number(q.value(c + 9).toLongLong())},
                       {u"hash"_s, q.value(c + 10).toString()},
                       {u"refEventId"_s, q.value(c + 11).toString()}};
}

QVariant nullable(const QString &s) { return s.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(s); }

// NULL as Qt's SQL drivers bind it: a null variant, or a null string.
bool isSqlNull(const QVariant &v)
{
    return v.isNull() || (v.metaType().id() == QMetaType::QString && static_cast<const QString *>(v.constData())->isNull());
}

// "?,?,?" (item "?") or "(?),(?)" (item "(?)") for n items.
QString placeholders(qsizetype n, const QString &item = u"?"_s)
{
    QString out;
    out.reserve(n * (item.size() + 1));
    for (qsizetype i = 0; i < n; ++i) {
        if (i)
            out += u',';
        out += item;
    }
    return out;
}

// A PostgreSQL array literal of values[first], values[first + stride], ...: {1,2,NULL} or
// {"a","b\"c",NULL}. Written into a buffer sized for the worst case (every character escaped):
// the literal of a batch's payloads is a few hundred kilobytes.
QString pgArray(const QVariantList &values, qsizetype first, qsizetype stride, bool text)
{
    QStringList strings;
    qsizetype size = 2;
    for (qsizetype i = first; i < values.size(); i += stride) {
        const QVariant &v = values.at(i);
        strings << (isSqlNull(v) ? QString() : text ? v.toString() : QString::number(v.toLongLong()));
        size += 2 * strings.last().size() + 5; // two quotes, a comma, or NULL
    }
    QString out(size, Qt::Uninitialized);
    QChar *w = out.data();
    *w++ = u'{';
    for (qsizetype i = 0; i < strings.size(); ++i) {
        if (i)
            *w++ = u',';
        const QString &s = strings.at(i);
        if (s.isNull()) {
            for (const char c : {'N', 'U', 'L', 'L'})
                *w++ = QLatin1Char(c);
        } else if (!text) {
            w = std::copy(s.cbegin(), s.cend(), w);
        } else {
            *w++ = u'"';
            for (const QChar c : s) {
                if (c == u'"' || c == u'\\')
                    *w++ = u'\\';
                *w++ = c;
            }
            *w++ = u'"';
        }
    }
    *w++ = u'}';
    out.truncate(w - out.constData());
    return out;
}

} // namespace

// ---- batch-shaped SQL ----
//
// Ingest works on whole batches: one statement per kind of row per batch instead of one per
// event or member, because on PostgreSQL every statement is a round trip. Two more things make
// the statements cheap there:
// - Prepared statements are kept for the connection's life. Qt's QPSQL sends a PREPARE when a
//   query is prepared and a DEALLOCATE when it is destroyed: two round trips per statement if
//   every call prepared its own, and a fresh plan every time.
// - On PostgreSQL a column of many rows (or a set of keys) travels as one array parameter and
//   the statement unnests it. QPSQL inlines bound values into the EXECUTE text, and the server
//   then parses and evaluates every value as an expression of its own: with one parameter per
//   value that cost more than the insert itself. An array is parsed by array_in, in one pass,
//   and the statement's text no longer depends on the number of rows, so it is prepared once.
// SQLite binds values in process; there each value is a parameter of a multi-row VALUES, in
// statements of at most kMaxBoundValues parameters (SQLite 3.40 on Debian 12 allows 32,766).
class HubSql {
public:
    struct Column {
        QString name, pgType; // pgType: "bigint" or "text"
    };
    enum class KeyForm { List, Rows }; // x IN (%1), or WITH v(id) AS (%1)
    static constexpr int kMaxBoundValues = 10000;
    static constexpr int kMaxRowsPerStatement = 1000;
    static constexpr int kMaxCached = 200;

    HubSql(QSqlDatabase db, bool postgres) : m_db(std::move(db)), m_postgres(postgres) {}

    QSqlDatabase db() const { return m_db; }

    // The statement for sql, prepared on first use and kept (null and *error when it cannot
    // be prepared). Bind from position 0 and exec(); the caller finishes a SELECT it read.
    std::shared_ptr<QSqlQuery> prepared(const QString &sql, Error *error)
    {
        if (auto it = m_cache.constFind(sql); it != m_cache.constEnd())
            return *it;
        if (m_cache.size() >= kMaxCached) // statements sized by a batch's rows (SQLite) vary
            m_cache.clear();
        auto q = std::make_shared<QSqlQuery>(m_db);
        q->setForwardOnly(true);
        if (!q->prepare(sql)) {
            *error = sqlFail(*q, "prepare a statement");
            return {};
        }
        m_cache.insert(sql, q);
        return q;
    }

    // Runs a kept statement with these binds; the query, to read its rows from.
    Result<std::shared_ptr<QSqlQuery>> run(const QString &sql, const QVariantList &binds, const char *what)
    {
        Error e;
        auto q = prepared(sql, &e);
        if (!q)
            return e;
        for (int i = 0; i < binds.size(); ++i)
            q->bindValue(i, binds.at(i));
        if (!q->exec())
            return sqlFail(*q, what);
        return q;
    }

    // INSERT INTO table(columns) of the rows in values (one row's values after the other),
    // then `tail` (an ON CONFLICT clause, or nothing).
    Status insertRows(const QString &table, const QList<Column> &columns, const QString &tail, const QVariantList &values,
                      const char *what)
    {
        const qsizetype width = columns.size();
        const qsizetype rows = values.size() / width;
        if (rows == 0)
            return Ok{};
        QStringList names, arrays;
        for (const Column &c : columns) {
            names << c.name;
            arrays << u"CAST(? AS %1[])"_s.arg(c.pgType);
        }
        const QString head = u"INSERT INTO %1(%2) "_s.arg(table, names.join(u", "_s));
        if (m_postgres) {
            Error e;
            auto q = prepared(head + u"SELECT * FROM unnest("_s + arrays.join(u", "_s) + u')' + tail, &e);
            if (!q)
                return e;
            for (qsizetype c = 0; c < width; ++c)
                q->bindValue(int(c), pgArray(values, c, width, columns.at(c).pgType == u"text"_s));
            if (!q->exec())
                return sqlFail(*q, what);
            return Ok{};
        }
        const QString row = u'(' + placeholders(width) + u')';
        const qsizetype perStatement = qMin<qsizetype>(kMaxRowsPerStatement, kMaxBoundValues / width);
        for (qsizetype first = 0; first < rows; first += perStatement) {
            const qsizetype n = qMin(perStatement, rows - first);
            Error e;
            auto q = prepared(head + u"VALUES "_s + placeholders(n, row) + tail, &e);
            if (!q)
                return e;
            for (qsizetype i = 0; i < n * width; ++i)
                q->bindValue(int(i), values.at(first * width + i));
            if (!q->exec())
                return sqlFail(*q, what);
        }
        return Ok{};
    }

    // Runs sql, in which %1 stands for the set of keys (form: "x IN (%1)" or "WITH v(id) AS
    // (%1)"); `after` are bound after the keys (parameters later in the text). Calls onRow(q)
    // for every row. No keys: no query.
    template <typename OnRow>
    Status selectIn(const QString &sql, const QStringList &keys, const QVariantList &after, OnRow onRow, const char *what,
                    KeyForm form = KeyForm::List)
    {
        const qsizetype perStatement = m_postgres ? qMax<qsizetype>(1, keys.size()) : kMaxRowsPerStatement;
        for (qsizetype first = 0; first < keys.size(); first += perStatement) {
            const qsizetype n = qMin(perStatement, keys.size() - first);
            const QString set = m_postgres ? u"SELECT unnest(CAST(? AS text[]))"_s
                                           : form == KeyForm::List ? placeholders(n) : u"VALUES "_s + placeholders(n, u"(?)"_s);
            Error e;
            auto q = prepared(sql.arg(set), &e);
            if (!q)
                return e;
            int bind = 0;
            if (m_postgres) {
                QVariantList chunk;
                chunk.reserve(n);
                for (qsizetype i = 0; i < n; ++i)
                    chunk << keys.at(first + i);
                q->bindValue(bind++, pgArray(chunk, 0, 1, true));
            } else {
                for (qsizetype i = 0; i < n; ++i)
                    q->bindValue(bind++, keys.at(first + i));
            }
            for (const QVariant &v : after)
                q->bindValue(bind++, v);
            if (!q->exec())
                return sqlFail(*q, what);
            while (q->next())
                onRow(*q);
            q->finish();
        }
        return Ok{};
    }

private:
    QSqlDatabase m_db;
    bool m_postgres = false;
    QHash<QString, std::shared_ptr<QSqlQuery>> m_cache;
};

namespace {

using Column = HubSql::Column;
const QString kBigint = u"bigint"_s, kText = u"text"_s;
// The events table's columns, in the order Batch::addEvent() lists the values.
const QList<Column> kEventColumns{{u"server_seq"_s, kBigint}, {u"event_id"_s, kText},     {u"terminal_id"_s, kText},
                                  {u"terminal_seq"_s, kBigint}, {u"store_id"_s, kText},    {u"hlc"_s, kBigint},
                                  {u"occurred_at"_s, kBigint}, {u"type"_s, kText},         {u"member_id"_s, kText},
                                  {u"points"_s, kBigint},      {u"amount"_s, kBigint},     {u"receipt_id"_s, kText},
                                  {u"ref_event_id"_s, kText},  {u"actor"_s, kText},        {u"payload"_s, kText},
                                  {u"prev_hash"_s, kText},     {u"hash"_s, kText},         {u"received_at"_s, kBigint}};
// A members row as Batch::Member::fromRow() reads it (column 0 is the member id).
const QString kMemberColumns = u"member_id, status, home_store, tier_id, COALESCE(phone_index,''), COALESCE(profile,''),"
                               " COALESCE(wrapped_key,''), COALESCE(merged_into,''), balance, enrolled_at"_s;

} // namespace

// ---- one write transaction's working state ----

struct HubStore::Batch {
    QSqlDatabase db;
    HubSql *sql = nullptr;   // db's kept statements
    qint64 seq = 0;          // the last server_seq handed out
    qint64 now = 0;
    QString storeId, terminalId;
    struct Member {
        QString status, homeStore, tierId, phoneIndex, profile, wrappedKey, mergedInto;
        qint64 balance = 0, enrolledAt = 0;
        bool exists = false, dirty = false;
        static Member fromRow(const QSqlQuery &q)
        {
            Member m;
            m.exists = true;
            m.status = q.value(1).toString();
            m.homeStore = q.value(2).toString();
            m.tierId = q.value(3).toString();
            m.phoneIndex = q.value(4).toString();
            m.profile = q.value(5).toString();
            m.wrappedKey = q.value(6).toString();
            m.mergedInto = q.value(7).toString();
            m.balance = q.value(8).toLongLong();
            m.enrolledAt = q.value(9).toLongLong();
            return m;
        }
    };
    QHash<QString, Member> members;  // preloaded for a batch (preloadMembers()), else on first use
    QSet<QString> feedDirty;         // members whose feed row must be rewritten
    struct Voucher {
        QString memberId, typeId, usedEventId;
        qint64 discount = 0, minSpend = 0, issuedAt = 0, expiresAt = 0, usedAt = 0;
        bool exists = false, dirty = false;
    };
    QHash<QString, Voucher> vouchers;
    struct Card {
        QString memberId, kind, status;
    };
    QMap<QString, Card> cards;       // to upsert
    // the hub's own chain
    qint64 hubSeq = 0;
    QString hubHash;
    bool hubDirty = false;
    // Events to store (accepted ones and the hub's own), one row of kEventColumns after the
    // other. flush() writes them in one statement (HubSql::insertRows) before anything reads
    // the events table.
    QVariantList eventRows;
    // Phone index -> (enrolled_at, member id) of the active or blocked members the table has
    // with it, read in one query for the batch's enrollments (the members table does not
    // change before flush()). A phone not in here is looked up on its own.
    QHash<QString, QList<std::pair<qint64, QString>>> phoneOwners;

    qint64 next() { return ++seq; }
    void addEvent(qint64 serverSeq, const LedgerEvent &e, const QString &eventStore)
    {
        eventRows << serverSeq << e.eventId << e.terminalId << e.terminalSeq << nonNull(eventStore) << e.hlc << e.occurredAt
                  << e.type << nonNull(e.memberId) << e.points << e.amount << nonNull(e.receiptId) << nonNull(e.refEventId)
                  << nonNull(e.actor) << QString::fromUtf8(e.payloadJson) << e.prevHash << e.hash << now;
    }
};

HubStore::HubStore() = default;

HubStore::~HubStore()
{
    m_sql.reset(); // its statements before the connection
    {
        QSqlDatabase d = QSqlDatabase::database(m_connection, false);
        if (d.isOpen())
            d.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

qint64 HubStore::now() const { return QDateTime::currentMSecsSinceEpoch(); }

QSqlDatabase HubStore::db() const { return QSqlDatabase::database(m_connection, false); }

Result<std::unique_ptr<HubStore>> HubStore::open(const HubConfig &config)
{
    std::unique_ptr<HubStore> h(new HubStore);
    h->m_config = config;
    static QAtomicInt counter;
    h->m_connection = u"setia-hub-%1"_s.arg(counter.fetchAndAddRelaxed(1));
    QSqlDatabase d;
    if (config.postgres) {
        d = QSqlDatabase::addDatabase(u"QPSQL"_s, h->m_connection);
        QStringList options;
        for (const QString &part : config.database.split(u' ', Qt::SkipEmptyParts)) {
            const QString k = part.section(u'=', 0, 0), v = part.section(u'=', 1);
            if (k == u"host"_s)
                d.setHostName(v);
            else if (k == u"port"_s)
                d.setPort(v.toInt());
            else if (k == u"dbname"_s)
                d.setDatabaseName(v);
            else if (k == u"user"_s)
                d.setUserName(v);
            else if (k == u"password"_s)
                d.setPassword(v);
            else
                options << part;
        }
        d.setConnectOptions(options.join(u';'));
    } else {
        d = QSqlDatabase::addDatabase(u"QSQLITE"_s, h->m_connection);
        d.setDatabaseName(config.database);
        d.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=10000"_s);
    }
    if (!d.isValid())
        return makeError(u"hub_driver_missing"_s, u"The Qt SQL driver for %1 is not installed (Debian: %2)."_s
                                                      .arg(config.postgres ? u"PostgreSQL"_s : u"SQLite"_s,
                                                           config.postgres ? u"libqt6sql6-psql"_s : u"libqt6sql6-sqlite"_s));
    if (!d.open())
        return makeError(u"hub_db_unavailable"_s, u"Cannot open the hub database: %1"_s.arg(d.lastError().text()));
    if (!config.postgres) {
        QSqlQuery q(d);
        if (!q.exec(u"PRAGMA journal_mode=WAL"_s) || !q.exec(u"PRAGMA synchronous=FULL"_s))
            return sqlFail(q, "set up the SQLite hub database");
    }
    h->m_sql = std::make_unique<HubSql>(d, config.postgres);
    if (auto st = h->createSchema(); !st)
        return st.error();
    auto key = sync::loadOrCreateKeyFile(config.keyPath, true);
    if (!key)
        return key.error();
    h->m_key = key.value();
    // The hub's own chain (conflict events) is a terminal row of its own.
    QSqlQuery q(d);
    q.prepare(u"INSERT INTO terminals(terminal_id, store_id, name, public_key, registered_at, last_hash)"
              " VALUES(?, '', 'hub', ?, ?, ?) ON CONFLICT DO NOTHING"_s);
    if (!run(q, {kHubTerminal, b64(h->m_key.publicKey), h->now(), kGenesisHash}))
        return sqlFail(q, "create the hub's chain");
    q.prepare(u"INSERT INTO hub_meta(key, value) VALUES('hub_id', ?) ON CONFLICT DO NOTHING"_s);
    if (!run(q, {QUuid::createUuid().toString(QUuid::WithoutBraces)}))
        return sqlFail(q, "name the hub");
    if (!q.exec(u"SELECT value FROM hub_meta WHERE key = 'hub_id'"_s) || !q.next())
        return sqlFail(q, "read the hub's id");
    h->m_hubId = q.value(0).toString();
    return h;
}

Status HubStore::createSchema()
{
    QSqlDatabase d = db();
    QSqlQuery q(d);
    // Several hub processes may start at once against one PostgreSQL: one creates the schema.
    // jit off: the hub's statements are short OLTP ones, where compiling a plan costs more than it saves.
    if (m_config.postgres && (!q.exec(u"SET client_min_messages TO WARNING"_s) || !q.exec(u"SET jit = off"_s)))
        return sqlFail(q, "set up the PostgreSQL session");
    if (m_config.postgres && !q.exec(u"SELECT pg_advisory_lock(7422101)"_s))
        return sqlFail(q, "lock the schema");
    for (const char *sql : kSchema) {
        if (!q.exec(QString::fromLatin1(sql))) {
            const Error e = sqlFail(q, "create the hub schema");
            if (m_config.postgres)
                q.exec(u"SELECT pg_advisory_unlock(7422101)"_s);
            return e;
        }
    }
    if (m_config.postgres && !q.exec(u"SELECT pg_advisory_unlock(7422101)"_s))
        return sqlFail(q, "unlock the schema");
    return Ok{};
}

// ---- terminals ----

Result<QString> HubStore::createEnrollmentToken(const QString &storeId, const QString &name)
{
    if (storeId.trimmed().isEmpty() || storeId.size() > 64)
        return makeError(u"invalid_field"_s, u"storeId: a store id of 1 to 64 characters is needed"_s);
    const QString token = u"setia-enroll-"_s + QString::fromLatin1(randomBytes(24).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    QSqlQuery q(db());
    q.prepare(u"INSERT INTO enrollment_tokens(token_hash, store_id, name, created_at, expires_at) VALUES(?,?,?,?,?)"_s);
    if (!run(q, {sha256Hex(token.toUtf8()), storeId.trimmed(), nonNull(name.trimmed().left(128)), now(),
                 now() + m_config.tokenHours * 3'600'000LL}))
        return sqlFail(q, "keep the enrollment token");
    return token;
}

Status HubStore::registerTerminal(const QString &token, const QString &terminalId, const QString &storeId,
                                  const QByteArray &publicKey, const QString &name)
{
    if (!isUuid(terminalId) || publicKey.size() != 32)
        return makeError(u"invalid_field"_s, u"a terminal id (UUID) and a 32-byte Ed25519 public key are needed"_s);
    Batch b;
    if (auto st = beginWrite(b); !st)
        return st;
    QSqlDatabase d = b.db;
    QSqlQuery q(d);
    auto fail = [&](Error e) -> Status {
        d.rollback();
        return e;
    };
    q.prepare(u"SELECT store_id, expires_at, used_at, COALESCE(terminal_id,'') FROM enrollment_tokens WHERE token_hash = ?"_s);
    if (!run(q, {sha256Hex(token.toUtf8())}))
        return fail(sqlFail(q, "read the enrollment token"));
    if (!q.next())
        return fail(makeError(u"invalid_token"_s, u"The enrollment token is not one this hub issued."_s));
    const QString tokenStore = q.value(0).toString();
    const qint64 expires = q.value(1).toLongLong();
    const bool used = !q.value(2).isNull();
    const QString usedBy = q.value(3).toString();
    if (tokenStore != storeId)
        return fail(makeError(u"invalid_token"_s, u"The enrollment token is for store %1, not %2."_s.arg(tokenStore, storeId)));
    if (used) {
        // A retry after a lost reply: the same terminal with the same key succeeds again.
        q.prepare(u"SELECT public_key FROM terminals WHERE terminal_id = ?"_s);
        if (usedBy == terminalId && run(q, {terminalId}) && q.next() && q.value(0).toString() == b64(publicKey)) {
            d.rollback();
            return Ok{};
        }
        return fail(makeError(u"token_used"_s, u"The enrollment token was already used; ask for a new one."_s));
    }
    if (now() >= expires)
        return fail(makeError(u"token_expired"_s, u"The enrollment token has expired; ask for a new one."_s));
    q.prepare(u"SELECT 1 FROM terminals WHERE terminal_id = ?"_s);
    if (!run(q, {terminalId}))
        return fail(sqlFail(q, "read the terminals"));
    if (q.next())
        return fail(makeError(u"terminal_exists"_s, u"A terminal with this id is already registered."_s));
    q.prepare(u"INSERT INTO terminals(terminal_id, store_id, name, public_key, registered_at, last_hash) VALUES(?,?,?,?,?,?)"_s);
    if (!run(q, {terminalId, storeId, nonNull(name.left(128)), b64(publicKey), now(), kGenesisHash}))
        return fail(sqlFail(q, "register the terminal"));
    q.prepare(u"UPDATE enrollment_tokens SET used_at = ?, terminal_id = ? WHERE token_hash = ?"_s);
    if (!run(q, {now(), terminalId, sha256Hex(token.toUtf8())}))
        return fail(sqlFail(q, "use the enrollment token"));
    if (!d.commit())
        return fail(makeError(u"hub_store_error"_s, d.lastError().text()));
    qCInfo(lcHub, "terminal %s of store %s registered", qPrintable(terminalId), qPrintable(storeId));
    return Ok{};
}

std::optional<TerminalAuth> HubStore::terminal(const QString &terminalId) const
{
    // Every signed request asks: a kept statement.
    auto r = m_sql->run(u"SELECT store_id, public_key, revoked_at FROM terminals WHERE terminal_id = ? AND terminal_id <> 'hub'"_s,
                        {terminalId}, "read the terminal");
    if (!r || !(*r)->next())
        return std::nullopt;
    QSqlQuery &q = **r;
    TerminalAuth t{terminalId, q.value(0).toString(), unb64(q.value(1).toString()), !q.value(2).isNull()};
    q.finish();
    return t;
}

// Every write transaction starts here: it locks the one row of hub_counter first, so writers in
// every hub process take turns and server_seq is handed out in commit order (hubstore.h).
Status HubStore::beginWrite(Batch &b)
{
    b.db = db();
    b.sql = m_sql.get();
    b.now = now();
    if (!b.db.transaction())
        return makeError(u"hub_store_error"_s, b.db.lastError().text());
    QSqlQuery q(b.db);
    if (!q.exec(u"UPDATE hub_counter SET value = value WHERE id = 1"_s) || !q.exec(u"SELECT value FROM hub_counter WHERE id = 1"_s)
        || !q.next()) {
        const Error e = sqlFail(q, "lock the hub");
        b.db.rollback();
        return e;
    }
    b.seq = q.value(0).toLongLong();
    return Ok{};
}

Status HubStore::revokeTerminal(const QString &terminalId, const QString &actor)
{
    Batch b;
    if (auto st = beginWrite(b); !st)
        return st;
    QSqlDatabase d = b.db;
    QSqlQuery q(d);
    auto fail = [&](Error e) -> Status {
        d.rollback();
        return e;
    };
    q.prepare(u"UPDATE terminals SET revoked_at = ? WHERE terminal_id = ? AND revoked_at IS NULL AND terminal_id <> 'hub'"_s);
    if (!run(q, {b.now, terminalId}))
        return fail(sqlFail(q, "revoke the terminal"));
    if (q.numRowsAffected() != 1)
        return fail(makeError(u"unknown_terminal"_s, u"There is no registered, unrevoked terminal %1."_s.arg(terminalId)));
    q.prepare(u"INSERT INTO feed(seq, kind, item_key, body) VALUES(?, 'terminal', ?, ?) ON CONFLICT(kind, item_key) DO UPDATE"
              " SET seq = excluded.seq, body = excluded.body"_s);
    const QJsonObject body{{u"terminalId"_s, terminalId}, {u"revoked"_s, true}, {u"by"_s, actor}};
    if (!run(q, {b.next(), terminalId, QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact))}))
        return fail(sqlFail(q, "publish the revocation"));
    if (auto st = raiseAlert(b, u"terminal_revoked"_s, {}, u"Terminal %1 was revoked by %2; its uploads are refused."_s.arg(terminalId, actor)); !st)
        return fail(st.error());
    if (auto st = flush(b); !st)
        return fail(st.error());
    if (!d.commit())
        return fail(makeError(u"hub_store_error"_s, d.lastError().text()));
    return Ok{};
}

QJsonArray HubStore::terminals() const
{
    QSqlQuery q(db());
    q.exec(u"SELECT t.terminal_id, t.store_id, t.name, t.registered_at, t.revoked_at, t.last_seen_at, t.last_seq, t.events,"
           " (SELECT COUNT(*) FROM held h WHERE h.terminal_id = t.terminal_id) FROM terminals t"
           " WHERE t.terminal_id <> 'hub' ORDER BY t.store_id, t.name"_s);
    QJsonArray out;
    while (q.next()) {
        QJsonObject o{{u"terminalId"_s, q.value(0).toString()}, {u"storeId"_s, q.value(1).toString()},
                      {u"name"_s, q.value(2).toString()}, {u"registeredAt"_s, QString::number(q.value(3).toLongLong())},
                      {u"revoked"_s, !q.value(4).isNull()}, {u"lastSync"_s, QString::number(q.value(5).toLongLong())},
                      {u"lastSeq"_s, QString::number(q.value(6).toLongLong())}, {u"events"_s, QString::number(q.value(7).toLongLong())},
                      {u"heldEvents"_s, q.value(8).toInt()}};
        if (q.value(8).toInt() > 0)
            o.insert(u"waitingFor"_s, QString::number(q.value(6).toLongLong() + 1));
        out.append(o);
    }
    return out;
}

// ---- ingest ----

Result<QList<sync::EventResult>> HubStore::ingest(const TerminalAuth &terminal, const sync::PushRequest &push)
{
    Batch b;
    if (auto st = beginWrite(b); !st)
        return st.error();
    QSqlDatabase d = b.db;
    auto fail = [&](Error e) -> Result<QList<sync::EventResult>> {
        d.rollback();
        return e;
    };
    b.storeId = terminal.storeId;
    b.terminalId = terminal.terminalId;
    QSqlQuery q(d);
    auto chain = m_sql->run(u"SELECT last_seq, last_hash, revoked_at FROM terminals WHERE terminal_id = ?"_s, {terminal.terminalId},
                            "read the terminal");
    if (!chain)
        return fail(chain.error());
    if (!(*chain)->next())
        return fail(makeError(u"hub_store_error"_s, u"read the terminal: no row"_s));
    const bool revoked = !(*chain)->value(2).isNull();
    qint64 lastSeq = (*chain)->value(0).toLongLong();
    QString lastHash = (*chain)->value(1).toString();
    (*chain)->finish();
    if (revoked)
        return fail(makeError(u"terminal_revoked"_s, u"This terminal was revoked; the hub refuses its uploads."_s));
    const qint64 startSeq = lastSeq;

    QHash<QString, sync::MemberKey> keys;
    for (const sync::MemberKey &k : push.members)
        keys.insert(k.memberId, k);

    QList<LedgerEvent> events = push.events;
    std::stable_sort(events.begin(), events.end(), [](const LedgerEvent &x, const LedgerEvent &y) { return x.terminalSeq < y.terminalSeq; });
    QHash<QString, sync::EventResult> results;
    QSqlQuery quar(d); // prepared on first use: most batches quarantine nothing
    auto quarantine = [&](const LedgerEvent &e, const QString &reason, const QString &detail) -> Status {
        if (quar.lastQuery().isEmpty())
            quar.prepare(u"INSERT INTO quarantine(id, terminal_id, event_id, reason, event, at) VALUES(?,?,?,?,?,?)"_s);
        const QString json = QString::fromUtf8(QJsonDocument(sync::eventToJson(e)).toJson(QJsonDocument::Compact));
        if (!run(quar, {QUuid::createUuid().toString(QUuid::WithoutBraces), terminal.terminalId, e.eventId, reason, json, b.now}))
            return sqlFail(quar, "quarantine the event");
        return raiseAlert(b, u"event_quarantined"_s, e.memberId,
                          u"Event %1 (seq %2) from terminal %3 was quarantined: %4."_s.arg(e.eventId).arg(e.terminalSeq).arg(terminal.terminalId, detail));
    };
    // The event row is written by flush() with the batch's others; applyEvent() reads only
    // members, cards and vouchers, never the events table.
    auto accept = [&](const LedgerEvent &e) -> Result<qint64> {
        const qint64 seq = b.next();
        b.addEvent(seq, e, terminal.storeId);
        lastSeq = e.terminalSeq;
        lastHash = e.hash;
        if (auto st = applyEvent(b, e, keys); !st)
            return st.error();
        return seq;
    };

    // Which of the batch's event ids the hub has already, in one query. Nothing below stores an
    // event before the loop that uses this, so it is what a lookup per event would find.
    QHash<QString, std::pair<QString, qint64>> stored; // event id -> (hash, server_seq)
    {
        QStringList ids;
        ids.reserve(events.size());
        for (const LedgerEvent &e : std::as_const(events))
            ids << e.eventId;
        auto st = m_sql->selectIn(u"SELECT event_id, hash, server_seq FROM events WHERE event_id IN (%1)"_s, ids, {},
                           [&](const QSqlQuery &f) { stored.insert(f.value(0).toString(), {f.value(1).toString(), f.value(2).toLongLong()}); },
                           "look the events up");
        if (!st)
            return fail(st.error());
    }

    // Events whose turn comes: this batch's, then any held ones the batch made contiguous.
    QMap<qint64, LedgerEvent> waiting;
    for (const LedgerEvent &e : events) {
        sync::EventResult r{e.eventId, {}, {}, 0};
        if (auto it = stored.constFind(e.eventId); it != stored.constEnd()) {
            const QString &storedHash = it->first;
            const qint64 storedSeq = it->second;
            if (storedHash == e.hash && computeHash(e) == e.hash) {
                r.status = u"duplicate"_s;
                r.serverSeq = storedSeq;
            } else {
                r.status = u"rejected"_s;
                r.reason = u"conflicting_duplicate"_s;
                if (auto st = quarantine(e, r.reason, u"the same event id was stored before with other content"_s); !st)
                    return fail(st.error());
            }
            results.insert(e.eventId, r);
            continue;
        }
        if (e.terminalId != terminal.terminalId) {
            r.status = u"rejected"_s;
            r.reason = u"wrong_terminal"_s;
        } else if (computeHash(e) != e.hash) {
            r.status = u"rejected"_s;
            r.reason = u"hash_mismatch"_s;
            if (auto st = quarantine(e, r.reason, u"its content does not match its hash (edited after it was written)"_s); !st)
                return fail(st.error());
        } else if (e.terminalSeq <= lastSeq) {
            r.status = u"rejected"_s;
            r.reason = u"sequence_taken"_s;
            if (auto st = quarantine(e, r.reason, u"its sequence number already belongs to another event (a replay under a new id)"_s); !st)
                return fail(st.error());
        } else {
            waiting.insert(e.terminalSeq, e);
            continue;
        }
        results.insert(e.eventId, r);
    }
    // Held events from earlier batches that may now follow on.
    auto heldRows = m_sql->run(u"SELECT terminal_seq, event FROM held WHERE terminal_id = ? ORDER BY terminal_seq"_s,
                               {terminal.terminalId}, "read the held events");
    if (!heldRows)
        return fail(heldRows.error());
    QSet<qint64> fromHeld;
    for (QSqlQuery &held = **heldRows; held.next();) {
        const qint64 s = held.value(0).toLongLong();
        if (waiting.contains(s))
            continue;
        auto e = sync::eventFromJson(QJsonDocument::fromJson(held.value(1).toString().toUtf8()).object());
        if (e) {
            waiting.insert(s, e.value());
            fromHeld.insert(s);
        }
    }
    (*heldRows)->finish();
    if (auto st = preloadMembers(b, waiting, keys); !st)
        return fail(st.error());
    QVariantList holdRows;       // terminal_id, terminal_seq, event, received_at
    QVariantList released;       // terminal_seq of held events stored now
    for (auto it = waiting.begin(); it != waiting.end(); ++it) {
        const LedgerEvent &e = it.value();
        sync::EventResult r{e.eventId, {}, {}, 0};
        if (e.terminalSeq == lastSeq + 1) {
            if (e.prevHash != lastHash) {
                r.status = u"rejected"_s;
                r.reason = u"broken_chain"_s;
                if (auto st = quarantine(e, r.reason, u"its previous-hash link does not match the event before it"_s); !st)
                    return fail(st.error());
            } else {
                auto seq = accept(e);
                if (!seq)
                    return fail(seq.error());
                r.status = u"accepted"_s;
                r.serverSeq = seq.value();
            }
            if (fromHeld.contains(e.terminalSeq))
                released << e.terminalSeq;
        } else if (!fromHeld.contains(e.terminalSeq)) {
            r.status = u"held"_s;
            r.reason = u"gap"_s;
            const QString json = QString::fromUtf8(QJsonDocument(sync::eventToJson(e)).toJson(QJsonDocument::Compact));
            holdRows << terminal.terminalId << e.terminalSeq << json << b.now;
        } else {
            continue; // still held from before
        }
        if (!fromHeld.contains(e.terminalSeq) || r.status == u"accepted"_s)
            results.insert(e.eventId, r);
    }
    if (auto st = m_sql->insertRows(u"held"_s,
                                    {{u"terminal_id"_s, kText}, {u"terminal_seq"_s, kBigint}, {u"event"_s, kText}, {u"received_at"_s, kBigint}},
                                    u" ON CONFLICT DO NOTHING"_s, holdRows, "hold the events");
        !st)
        return fail(st.error());
    for (qsizetype first = 0; first < released.size(); first += HubSql::kMaxRowsPerStatement) {
        const qsizetype n = qMin<qsizetype>(HubSql::kMaxRowsPerStatement, released.size() - first);
        QSqlQuery unhold(d);
        unhold.prepare(u"DELETE FROM held WHERE terminal_seq IN (%1) AND terminal_id = ?"_s.arg(placeholders(n)));
        for (qsizetype i = 0; i < n; ++i)
            unhold.bindValue(int(i), released.at(first + i));
        unhold.bindValue(int(n), terminal.terminalId);
        if (!unhold.exec())
            return fail(sqlFail(unhold, "release the held events"));
    }
    if (auto st = m_sql->run(u"UPDATE terminals SET last_seq = ?, last_hash = ?, last_seen_at = ?, events = events + ? WHERE terminal_id = ?"_s,
                             {lastSeq, lastHash, b.now, lastSeq - startSeq, terminal.terminalId}, "update the terminal");
        !st)
        return fail(st.error());
    if (auto st = flush(b); !st)
        return fail(st.error());
    if (!d.commit())
        return fail(makeError(u"hub_store_error"_s, d.lastError().text()));
    // An erasure's personal data leaves the feed now, not at the next read.
    for (const QString &id : std::as_const(b.feedDirty))
        if (b.members.value(id).status == u"erased"_s) {
            if (auto st = settle(); !st)
                qCWarning(lcHub, "publishing an erasure: %s", qPrintable(st.error().message));
            break;
        }
    QList<sync::EventResult> out;
    for (const LedgerEvent &e : push.events)
        out.append(results.value(e.eventId, sync::EventResult{e.eventId, u"held"_s, u"gap"_s, 0}));
    return out;
}

// Loads in one query (per chunk) the members the waiting events name, and the members those
// were merged into, instead of one query per member on first use. Nothing writes the members
// table before flush(), so this is what applyEvent() would have loaded one by one; a member
// not found is kept as not existing, as a lookup on first use would. Also reads the owners of
// the phone numbers the batch enrolls, for the duplicate-enrollment check.
Status HubStore::preloadMembers(Batch &b, const QMap<qint64, LedgerEvent> &waiting, const QHash<QString, sync::MemberKey> &keys)
{
    QSet<QString> wanted, enrolled;
    for (const LedgerEvent &e : waiting) {
        if (e.memberId.isEmpty())
            continue;
        wanted.insert(e.memberId);
        if (e.type == EventType::Enroll)
            enrolled.insert(e.memberId);
    }
    // The merge chain is at most 8 long (applyEvent() follows no further).
    for (int depth = 0; depth < 9 && !wanted.isEmpty(); ++depth) {
        QStringList ids;
        for (const QString &id : std::as_const(wanted))
            if (!b.members.contains(id))
                ids << id;
        wanted.clear();
        if (ids.isEmpty())
            break;
        for (const QString &id : std::as_const(ids))
            b.members.insert(id, Batch::Member{});
        auto st = b.sql->selectIn(u"SELECT "_s + kMemberColumns + u" FROM members WHERE member_id IN (%1)"_s, ids, {},
                           [&](const QSqlQuery &q) {
                               Batch::Member m = Batch::Member::fromRow(q);
                               if (!m.mergedInto.isEmpty())
                                   wanted.insert(m.mergedInto);
                               b.members.insert(q.value(0).toString(), m);
                           },
                           "read the members");
        if (!st)
            return st;
    }
    // The phone an enrollment is checked with: its key's, else the one the member has.
    QSet<QString> phones;
    for (const QString &id : std::as_const(enrolled)) {
        const QString phone = keys.contains(id) ? keys.value(id).phoneIndex : b.members.value(id).phoneIndex;
        if (!phone.isEmpty())
            phones.insert(phone);
    }
    const QStringList phoneList(phones.begin(), phones.end());
    for (const QString &p : phoneList)
        b.phoneOwners.insert(p, {});
    auto st = b.sql->selectIn(u"SELECT phone_index, enrolled_at, member_id FROM members WHERE phone_index IN (%1)"
                             " AND status IN ('active','blocked')"_s,
                       phoneList, {},
                       [&](const QSqlQuery &q) { b.phoneOwners[q.value(0).toString()].append({q.value(1).toLongLong(), q.value(2).toString()}); },
                       "read the phone numbers");
    if (!st)
        return st;
    for (auto &owners : b.phoneOwners)
        std::sort(owners.begin(), owners.end());
    return Ok{};
}

Status HubStore::applyEvent(Batch &b, const LedgerEvent &e, const QHash<QString, sync::MemberKey> &keys)
{
    if (e.memberId.isEmpty())
        return Ok{};
    auto load = [&](const QString &id) -> Batch::Member & {
        auto it = b.members.find(id);
        if (it != b.members.end())
            return *it;
        Batch::Member m;
        QSqlQuery q(b.db);
        q.prepare(u"SELECT "_s + kMemberColumns + u" FROM members WHERE member_id = ?"_s);
        if (run(q, {id}) && q.next())
            m = Batch::Member::fromRow(q);
        return *b.members.insert(id, m);
    };
    // Points of a merged member count for the member it was merged into.
    QString rootId = e.memberId;
    for (int i = 0; i < 8; ++i) {
        const Batch::Member &m = load(rootId);
        if (m.mergedInto.isEmpty())
            break;
        rootId = m.mergedInto;
    }
    // Only these types read their payload; the points of an earn or a redemption are columns.
    static const QSet<QString> kPayloadTypes{EventType::Enroll, EventType::ProfileChange, EventType::MemberStatus,
                                             EventType::CardAssign, EventType::CardBlock, EventType::VoucherIssue,
                                             EventType::VoucherUse};
    const QJsonObject payload = kPayloadTypes.contains(e.type) ? QJsonDocument::fromJson(e.payloadJson).object() : QJsonObject();
    Batch::Member &own = load(e.memberId);
    if (!own.exists) { // first sight (normally its enroll event)
        own.exists = true;
        own.dirty = true;
        own.status = u"active"_s;
        own.homeStore = b.storeId;
        own.enrolledAt = e.occurredAt;
    }
    b.feedDirty.insert(rootId);
    b.feedDirty.insert(e.memberId);
    const bool erased = own.status == u"erased"_s;
    if (e.type == EventType::Enroll) {
        own.homeStore = payload.value(u"homeStore"_s).toString(b.storeId);
        own.tierId = nonNull(payload.value(u"tier"_s).toString());
        own.enrolledAt = e.occurredAt;
        if (!erased) {
            own.profile = payload.value(u"profile"_s).toString();
            if (keys.contains(e.memberId)) {
                own.wrappedKey = b64(keys.value(e.memberId).wrappedKey);
                own.phoneIndex = keys.value(e.memberId).phoneIndex;
            }
        }
        own.dirty = true;
        // The same person enrolled before (same phone, another store): merge into the first.
        if (!erased && !own.phoneIndex.isEmpty()) {
            QString first;
            if (auto owners = b.phoneOwners.constFind(own.phoneIndex); owners != b.phoneOwners.constEnd()) {
                for (const auto &[enrolledAt, id] : *owners) // by enrolled_at, as the query below orders
                    if (id != e.memberId) {
                        first = id;
                        break;
                    }
            } else {
                QSqlQuery q(b.db);
                q.prepare(u"SELECT member_id FROM members WHERE phone_index = ? AND member_id <> ? AND status IN ('active','blocked')"
                          " ORDER BY enrolled_at LIMIT 1"_s);
                if (run(q, {own.phoneIndex, e.memberId}) && q.next())
                    first = q.value(0).toString();
            }
            for (auto it = b.members.begin(); first.isEmpty() && it != b.members.end(); ++it)
                if (it.key() != e.memberId && it->phoneIndex == own.phoneIndex && (it->status == u"active"_s || it->status == u"blocked"_s))
                    first = it.key();
            if (!first.isEmpty()) {
                Batch::Member &winner = load(first);
                winner.balance += own.balance;
                winner.dirty = true;
                own.balance = 0;
                own.status = u"merged"_s;
                own.mergedInto = first;
                own.phoneIndex.clear();
                QSqlQuery c(b.db);
                c.prepare(u"UPDATE cards SET member_id = ? WHERE member_id = ?"_s);
                if (!run(c, {first, e.memberId}))
                    return sqlFail(c, "move the merged member's cards");
                for (auto it = b.cards.begin(); it != b.cards.end(); ++it)
                    if (it->memberId == e.memberId)
                        it->memberId = first;
                c.prepare(u"UPDATE vouchers SET member_id = ? WHERE member_id = ?"_s);
                if (!run(c, {first, e.memberId}))
                    return sqlFail(c, "move the merged member's vouchers");
                b.feedDirty.insert(first);
                LedgerEvent m;
                m.type = u"merge"_s;
                m.memberId = first;
                m.refEventId = e.eventId;
                m.payload = QJsonObject{{u"merged"_s, e.memberId}};
                if (auto st = appendHubEvent(b, m); !st)
                    return st;
                if (auto st = raiseAlert(b, u"duplicate_enrollment"_s, first,
                                         u"The same phone number was enrolled again at store %1; member %2 was merged into %3 (cards and points combined)."_s
                                             .arg(b.storeId, e.memberId, first));
                    !st)
                    return st;
            }
        }
        return Ok{};
    }
    if (e.type == EventType::ProfileChange) {
        if (!erased) {
            own.profile = payload.value(u"profile"_s).toString();
            if (keys.contains(e.memberId)) {
                own.wrappedKey = b64(keys.value(e.memberId).wrappedKey);
                own.phoneIndex = own.mergedInto.isEmpty() ? keys.value(e.memberId).phoneIndex : QString();
            }
            own.dirty = true;
        }
        return Ok{};
    }
    if (e.type == EventType::Erase) {
        own.status = u"erased"_s;
        own.profile.clear();
        own.wrappedKey.clear();
        own.phoneIndex.clear();
        own.dirty = true;
        QSqlQuery c(b.db);
        c.prepare(u"UPDATE cards SET status = 'blocked' WHERE member_id = ?"_s);
        if (!run(c, {e.memberId}))
            return sqlFail(c, "block the erased member's cards");
        for (auto it = b.cards.begin(); it != b.cards.end(); ++it)
            if (it->memberId == e.memberId)
                it->status = u"blocked"_s;
        return Ok{};
    }
    if (e.type == EventType::MemberStatus) {
        const QString s = payload.value(u"status"_s).toString();
        if (!erased && own.mergedInto.isEmpty() && (s == u"active"_s || s == u"blocked"_s)) {
            own.status = s;
            own.dirty = true;
        }
        return Ok{};
    }
    if (e.type == EventType::CardAssign) {
        b.cards.insert(payload.value(u"card"_s).toString(), {rootId, payload.value(u"kind"_s).toString(), erased ? u"blocked"_s : u"active"_s});
        return Ok{};
    }
    if (e.type == EventType::CardBlock) {
        const QString card = payload.value(u"card"_s).toString();
        auto it = b.cards.find(card);
        if (it != b.cards.end()) {
            it->status = u"blocked"_s;
        } else {
            QSqlQuery c(b.db);
            c.prepare(u"SELECT member_id, kind FROM cards WHERE card_number = ?"_s);
            if (run(c, {card}) && c.next())
                b.cards.insert(card, {c.value(0).toString(), c.value(1).toString(), u"blocked"_s});
        }
        return Ok{};
    }
    if (e.type == EventType::VoucherIssue || e.type == EventType::VoucherUse) {
        const QString code = payload.value(u"code"_s).toString();
        auto it = b.vouchers.find(code);
        if (it == b.vouchers.end()) {
            Batch::Voucher v;
            QSqlQuery c(b.db);
            c.prepare(u"SELECT member_id, type_id, discount, min_spend, issued_at, expires_at, COALESCE(used_event_id,''),"
                      " COALESCE(used_at,0) FROM vouchers WHERE code = ?"_s);
            if (run(c, {code}) && c.next()) {
                v = {c.value(0).toString(), c.value(1).toString(), c.value(6).toString(), c.value(2).toLongLong(),
                     c.value(3).toLongLong(), c.value(4).toLongLong(), c.value(5).toLongLong(), c.value(7).toLongLong(), true, false};
            }
            it = b.vouchers.insert(code, v);
        }
        Batch::Voucher &v = *it;
        if (e.type == EventType::VoucherIssue) {
            v.memberId = rootId;
            v.typeId = payload.value(u"type"_s).toString();
            v.discount = payload.value(u"discount"_s).toInteger();
            v.minSpend = payload.value(u"minSpend"_s).toInteger();
            v.issuedAt = e.occurredAt;
            v.expiresAt = payload.value(u"expiresAt"_s).toString().toLongLong();
            v.dirty = true;
            return Ok{};
        }
        if (v.usedEventId.isEmpty()) {
            v.usedEventId = e.eventId;
            v.usedAt = e.occurredAt;
            v.dirty = true;
            if (v.memberId.isEmpty())
                v.memberId = rootId;
            return Ok{};
        }
        // Used twice: the first the hub stored wins; this one gets a compensating event.
        LedgerEvent c;
        c.type = u"voucher_conflict"_s;
        c.memberId = rootId;
        c.refEventId = e.eventId;
        c.amount = -payload.value(u"discount"_s).toInteger();
        c.payload = QJsonObject{{u"code"_s, code}, {u"firstUse"_s, v.usedEventId}, {u"store"_s, b.storeId}};
        if (auto st = appendHubEvent(b, c); !st)
            return st;
        return raiseAlert(b, u"voucher_reused"_s, rootId,
                          u"Voucher %1 was used again at store %2 (event %3) after its first use (event %4); the second discount was not covered."_s
                              .arg(code, b.storeId, e.eventId, v.usedEventId));
    }
    if (e.points == 0)
        return Ok{};
    Batch::Member &root = load(rootId);
    root.balance += e.points;
    root.dirty = true;
    if (e.type == EventType::Redeem && root.balance < 0) {
        LedgerEvent o;
        o.type = u"overdraft"_s;
        o.memberId = rootId;
        o.refEventId = e.eventId;
        o.payload = QJsonObject{{u"balance"_s, QString::number(root.balance)}, {u"store"_s, b.storeId}};
        if (auto st = appendHubEvent(b, o); !st)
            return st;
        return raiseAlert(b, u"overdraft"_s, rootId,
                          u"Points were spent twice while terminals were offline: the balance is now %1 after a redemption of %2 at store %3. Later earnings repay it."_s
                              .arg(root.balance)
                              .arg(-e.points)
                              .arg(b.storeId));
    }
    return Ok{};
}

Status HubStore::appendHubEvent(Batch &b, LedgerEvent e)
{
    if (!b.hubDirty) {
        QSqlQuery q(b.db);
        q.prepare(u"SELECT last_seq, last_hash FROM terminals WHERE terminal_id = 'hub'"_s);
        if (!q.exec() || !q.next())
            return sqlFail(q, "read the hub's chain");
        b.hubSeq = q.value(0).toLongLong();
        b.hubHash = q.value(1).toString();
        b.hubDirty = true;
    }
    Random &random = systemRandom();
    e.eventId = uuidv7(b.now, random);
    e.terminalId = kHubTerminal;
    e.terminalSeq = b.hubSeq + 1;
    e.hlc = HybridLogicalClock::make(b.now, 0);
    e.occurredAt = b.now;
    e.actor = u"hub"_s;
    e.payloadJson = canonicalJson(e.payload);
    e.payload = {};
    e.prevHash = b.hubHash;
    e.hash = computeHash(e);
    b.addEvent(b.next(), e, QString()); // the hub's events belong to no store; written by flush()
    b.hubSeq = e.terminalSeq;
    b.hubHash = e.hash;
    return Ok{};
}

Status HubStore::raiseAlert(Batch &b, const QString &kind, const QString &memberId, const QString &detail)
{
    const QString id = uuidv7(b.now, systemRandom());
    QSqlQuery q(b.db);
    q.prepare(u"INSERT INTO alerts(alert_id, at, kind, store_id, terminal_id, member_id, detail) VALUES(?,?,?,?,?,?,?)"_s);
    if (!run(q, {id, b.now, kind, nonNull(b.storeId), nonNull(b.terminalId), nonNull(memberId), detail}))
        return sqlFail(q, "record the alert");
    const QJsonObject body{{u"alertId"_s, id}, {u"at"_s, QString::number(b.now)}, {u"kind"_s, kind},
                           {u"storeId"_s, b.storeId}, {u"memberId"_s, memberId}, {u"detail"_s, detail}};
    q.prepare(u"INSERT INTO feed(seq, kind, item_key, body) VALUES(?, 'alert', ?, ?)"_s);
    if (!run(q, {b.next(), id, QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact))}))
        return sqlFail(q, "publish the alert");
    qCWarning(lcHub, "alert %s: %s", qPrintable(kind), qPrintable(detail));
    return Ok{};
}

std::optional<Program> HubStore::programInForce(qint64 at) const
{
    // Once per batch; the version alone, the document only when it is not parsed yet.
    auto r = m_sql->run(u"SELECT version FROM programs WHERE effective_from <= ? ORDER BY version DESC LIMIT 1"_s, {at},
                        "read the program in force");
    if (!r || !(*r)->next())
        return std::nullopt;
    const int version = (*r)->value(0).toInt();
    (*r)->finish();
    if (!m_programs.contains(version)) {
        QSqlQuery q(db());
        q.prepare(u"SELECT document FROM programs WHERE version = ?"_s);
        if (!run(q, {version}) || !q.next())
            return std::nullopt;
        auto p = parseProgram(q.value(0).toString().toUtf8());
        if (!p)
            return std::nullopt;
        m_programs.insert(version, p.value());
    }
    return m_programs.value(version);
}

Status HubStore::flush(Batch &b)
{
    // The batch's events first: the tier sums of settle() read them.
    if (auto st = b.sql->insertRows(u"events"_s, kEventColumns, {}, b.eventRows, "store the events"); !st)
        return st;
    b.eventRows.clear();
    if (auto st = upsertMembers(b); !st)
        return st;
    QVariantList rows;
    for (auto it = b.cards.cbegin(); it != b.cards.cend(); ++it)
        rows << it.key() << it->memberId << it->kind << it->status;
    if (auto st = b.sql->insertRows(u"cards"_s,
                                    {{u"card_number"_s, kText}, {u"member_id"_s, kText}, {u"kind"_s, kText}, {u"status"_s, kText}},
                                    u" ON CONFLICT(card_number) DO UPDATE SET member_id = excluded.member_id, status = excluded.status"_s,
                                    rows, "update the cards");
        !st)
        return st;
    rows.clear();
    for (auto it = b.vouchers.cbegin(); it != b.vouchers.cend(); ++it)
        if (it->dirty)
            rows << it.key() << it->memberId << it->typeId << it->discount << it->minSpend << it->issuedAt << it->expiresAt
                 << nullable(it->usedEventId) << (it->usedAt > 0 ? QVariant(it->usedAt) : QVariant(QMetaType(QMetaType::LongLong)));
    if (auto st = b.sql->insertRows(u"vouchers"_s,
                             {{u"code"_s, kText}, {u"member_id"_s, kText}, {u"type_id"_s, kText}, {u"discount"_s, kBigint},
                              {u"min_spend"_s, kBigint}, {u"issued_at"_s, kBigint}, {u"expires_at"_s, kBigint},
                              {u"used_event_id"_s, kText}, {u"used_at"_s, kBigint}},
                             u" ON CONFLICT(code) DO UPDATE SET member_id = excluded.member_id, used_event_id = excluded.used_event_id,"
                             " used_at = excluded.used_at"_s,
                             rows, "update the vouchers");
        !st)
        return st;
    // The members' feed rows (and tiers) are settled later, once for all the batches that
    // touched a member since (settle()): rewriting them per batch was most of a push's cost.
    rows.clear();
    for (const QString &id : std::as_const(b.feedDirty))
        if (b.members.value(id).exists)
            rows << id;
    if (auto st = b.sql->insertRows(u"feed_pending"_s, {{u"member_id"_s, kText}}, u" ON CONFLICT DO NOTHING"_s, rows,
                                    "mark the members to publish");
        !st)
        return st;
    if (b.hubDirty) {
        QSqlQuery q(b.db);
        q.prepare(u"UPDATE terminals SET last_seq = ?, last_hash = ?, events = events + 1 WHERE terminal_id = 'hub'"_s);
        if (!run(q, {b.hubSeq, b.hubHash}))
            return sqlFail(q, "update the hub's chain");
    }
    if (auto counter = b.sql->run(u"UPDATE hub_counter SET value = ? WHERE id = 1"_s, {b.seq}, "advance the hub's sequence"); !counter)
        return counter.error();
    return Ok{};
}

Status HubStore::upsertMembers(Batch &b)
{
    QVariantList rows;
    for (auto it = b.members.cbegin(); it != b.members.cend(); ++it)
        if (it->dirty)
            rows << it.key() << it->status << it->homeStore << it->tierId << nullable(it->phoneIndex) << nullable(it->profile)
                 << nullable(it->wrappedKey) << nullable(it->mergedInto) << it->balance << it->enrolledAt;
    if (auto st = b.sql->insertRows(u"members"_s,
                             {{u"member_id"_s, kText}, {u"status"_s, kText}, {u"home_store"_s, kText}, {u"tier_id"_s, kText},
                              {u"phone_index"_s, kText}, {u"profile"_s, kText}, {u"wrapped_key"_s, kText},
                              {u"merged_into"_s, kText}, {u"balance"_s, kBigint}, {u"enrolled_at"_s, kBigint}},
                             u" ON CONFLICT(member_id) DO UPDATE SET status = excluded.status, home_store = excluded.home_store,"
                             " tier_id = excluded.tier_id, phone_index = excluded.phone_index, profile = excluded.profile,"
                             " wrapped_key = excluded.wrapped_key, merged_into = excluded.merged_into, balance = excluded.balance,"
                             " enrolled_at = excluded.enrolled_at"_s,
                             rows, "update the members");
        !st)
        return st;
    return Ok{};
}

// The tiers and feed rows of the members a write marked (feed_pending), as of now: the hub is
// the authority on tiers, from every store's events in the program's window; one feed row per
// member, rewritten with a new seq whenever it is published.
Status HubStore::publishMembers(Batch &b, const QStringList &ids)
{
    const std::optional<Program> program = ids.isEmpty() ? std::nullopt : programInForce(b.now);
    // Tiers: the hub is the authority, from every store's events in the program's window. No
    // upper bound: a purchase dated ahead by a terminal's fast clock counts at once.
    if (program && !program->tiers.isEmpty()) {
        QStringList ranked;
        for (const QString &id : std::as_const(ids)) {
            auto it = b.members.constFind(id);
            if (it == b.members.constEnd() || it->status == u"erased"_s || it->status == u"merged"_s)
                continue;
            ranked << id;
        }
        // One query for all of them: a member's window counts its own events and those of the
        // members the table says were merged into it (merges of this batch are written below,
        // so they count from the next batch on). The sum is per (member, merged member) pair so
        // that each walks the events_member index for one member id, whatever the planner
        // thinks of a join; the pairs are added up here.
        const QString column = program->tierBasis == u"spend"_s ? u"amount"_s : u"points"_s;
        QHash<QString, qint64> totals;
        auto st = b.sql->selectIn(
                           u"WITH v(id) AS (%1), k(root, member) AS (SELECT id, id FROM v UNION"
                           " SELECT m.merged_into, m.member_id FROM members m WHERE m.merged_into IN (SELECT id FROM v))"
                           " SELECT k.root, (SELECT COALESCE(SUM(e."_s
                               + column
                               + u"),0) FROM events e WHERE e.member_id = k.member AND e.occurred_at > ?"
                                 " AND e.type IN ('earn','bonus','reverse')) FROM k"_s,
                           ranked, {b.now - qint64(program->tierWindowDays) * 86'400'000LL},
                           [&](const QSqlQuery &w) { totals[w.value(0).toString()] += w.value(1).toLongLong(); },
                           "compute the tiers", HubSql::KeyForm::Rows);
        if (!st)
            return st;
        for (const QString &id : std::as_const(ranked)) {
            Batch::Member &m = b.members[id];
            const Tier *t = program->tierFor(totals.value(id));
            const QString tier = t ? t->id : QString();
            if (tier != m.tierId) {
                m.tierId = tier;
                m.dirty = true;
            }
        }
    }
    if (auto st = upsertMembers(b); !st)
        return st;
    // The feed: one row per member, rewritten with a new seq whenever it changes. Merged
    // members first, so a terminal frees their phone before the member that keeps it arrives.
    QList<QString> dirty = ids;
    std::sort(dirty.begin(), dirty.end(), [&](const QString &x, const QString &y) {
        const bool mx = b.members.value(x).status == u"merged"_s, my = b.members.value(y).status == u"merged"_s;
        return mx != my ? mx : x < y;
    });
    // Their cards and vouchers, as written above, in one query each.
    QStringList withItems;
    for (const QString &id : std::as_const(dirty)) {
        const auto it = b.members.constFind(id);
        if (it != b.members.constEnd() && it->exists && it->status != u"erased"_s)
            withItems << id;
    }
    struct CardItem {
        QString number, kind, status;
    };
    struct VoucherItem {
        QString code, typeId;
        qint64 discount, minSpend, issuedAt, expiresAt, usedAt;
    };
    QHash<QString, QList<CardItem>> cards;
    QHash<QString, QList<VoucherItem>> vouchers;
    auto st = b.sql->selectIn(u"SELECT member_id, card_number, kind, status FROM cards WHERE member_id IN (%1) ORDER BY card_number"_s,
                              withItems, {},
                              [&](const QSqlQuery &c) {
                                  cards[c.value(0).toString()].append({c.value(1).toString(), c.value(2).toString(), c.value(3).toString()});
                              },
                              "read the members' cards");
    if (!st)
        return st;
    st = b.sql->selectIn(u"SELECT member_id, code, type_id, discount, min_spend, issued_at, expires_at, COALESCE(used_at,0) FROM vouchers"
                         " WHERE member_id IN (%1) ORDER BY code"_s,
                         withItems, {},
                         [&](const QSqlQuery &v) {
                             vouchers[v.value(0).toString()].append({v.value(1).toString(), v.value(2).toString(), v.value(3).toLongLong(),
                                                                     v.value(4).toLongLong(), v.value(5).toLongLong(),
                                                                     v.value(6).toLongLong(), v.value(7).toLongLong()});
                         },
                         "read the members' vouchers");
    if (!st)
        return st;
    QVariantList rows;
    for (const QString &id : std::as_const(dirty)) {
        const Batch::Member m = b.members.value(id);
        if (!m.exists)
            continue;
        const qint64 seq = b.next();
        // The body as a QJsonObject would print it (keys in order, compact), written directly:
        // building a QJsonDocument per member was a tenth of the hub's time per batch.
        const bool erased = m.status == u"erased"_s;
        CanonicalWriter w;
        w.beginObject().key("asOf").decimalString(seq).key("balance").decimalString(m.balance);
        if (!erased) {
            w.key("cards").beginArray();
            for (const CardItem &c : cards.value(id))
                w.beginObject().field("kind", c.kind).field("number", c.number).field("status", c.status).endObject();
            w.endArray();
        }
        w.key("enrolledAt").decimalString(m.enrolledAt).field("homeStore", m.homeStore).field("memberId", id);
        if (!erased && !m.mergedInto.isEmpty())
            w.field("mergedInto", m.mergedInto);
        if (!erased && !m.phoneIndex.isEmpty())
            w.field("phoneIndex", m.phoneIndex);
        if (!erased && !m.profile.isEmpty())
            w.field("profile", m.profile);
        w.field("status", m.status).field("tierId", m.tierId);
        if (!erased) {
            w.key("vouchers").beginArray();
            for (const VoucherItem &v : vouchers.value(id))
                w.beginObject()
                    .field("code", v.code)
                    .key("discount").decimalString(v.discount)
                    .key("expiresAt").decimalString(v.expiresAt)
                    .key("issuedAt").decimalString(v.issuedAt)
                    .key("minSpend").decimalString(v.minSpend)
                    .field("typeId", v.typeId)
                    .key("usedAt").decimalString(v.usedAt)
                    .endObject();
            w.endArray();
        }
        if (!erased && !m.wrappedKey.isEmpty())
            w.field("wrappedKey", m.wrappedKey);
        w.endObject();
        rows << seq << u"member"_s << id << QString::fromUtf8(w.bytes());
    }
    if (auto st2 = b.sql->insertRows(u"feed"_s, {{u"seq"_s, kBigint}, {u"kind"_s, kText}, {u"item_key"_s, kText}, {u"body"_s, kText}},
                                     u" ON CONFLICT(kind, item_key) DO UPDATE SET seq = excluded.seq, body = excluded.body"_s, rows,
                                     "publish the members");
        !st2)
        return st2;
    return Ok{};
}

Status HubStore::settle()
{
    // Nothing waiting is the common case of a feed read: one indexed look, no lock.
    {
        auto r = m_sql->run(u"SELECT 1 FROM feed_pending LIMIT 1"_s, {}, "look for members to publish");
        if (!r)
            return r.error();
        const bool any = (*r)->next();
        (*r)->finish();
        if (!any)
            return Ok{};
    }
    // In transactions of at most kSettleChunk members, under the hub_counter lock like every
    // write (so a member marked by a concurrent push is either in this round or the next).
    for (int round = 0; round < 1'000'000; ++round) {
        Batch b;
        if (auto st = beginWrite(b); !st)
            return st;
        auto fail = [&](const Error &e) -> Status {
            b.db.rollback();
            return e;
        };
        QStringList ids;
        {
            QSqlQuery q(b.db);
            q.prepare(u"SELECT member_id FROM feed_pending ORDER BY member_id LIMIT ?"_s);
            if (!run(q, {kSettleChunk}))
                return fail(sqlFail(q, "read the members to publish"));
            while (q.next())
                ids << q.value(0).toString();
        }
        if (ids.isEmpty()) {
            b.db.rollback();
            return Ok{};
        }
        for (const QString &id : std::as_const(ids))
            b.members.insert(id, Batch::Member{});
        if (auto st = b.sql->selectIn(u"SELECT "_s + kMemberColumns + u" FROM members WHERE member_id IN (%1)"_s, ids, {},
                                      [&](const QSqlQuery &q) { b.members.insert(q.value(0).toString(), Batch::Member::fromRow(q)); },
                                      "read the members to publish");
            !st)
            return fail(st.error());
        if (auto st = publishMembers(b, ids); !st)
            return fail(st.error());
        if (auto st = b.sql->run(u"DELETE FROM feed_pending WHERE member_id <= ?"_s, {ids.constLast()}, "clear the published members");
            !st)
            return fail(st.error());
        if (auto st = b.sql->run(u"UPDATE hub_counter SET value = ? WHERE id = 1"_s, {b.seq}, "advance the hub's sequence"); !st)
            return fail(st.error());
        if (!b.db.commit())
            return fail(makeError(u"hub_store_error"_s, b.db.lastError().text()));
        if (ids.size() < kSettleChunk)
            return Ok{};
    }
    return Ok{};
}

// ---- feed and lease ----

Result<sync::FeedPage> HubStore::feed(qint64 after, int limit)
{
    if (auto st = settle(); !st)
        return st.error();
    limit = qBound(1, limit, 5000);
    auto r = m_sql->run(u"SELECT seq, kind, item_key, body FROM feed WHERE seq > ? ORDER BY seq LIMIT ?"_s, {after, limit},
                        "read the change feed");
    if (!r)
        return r.error();
    QSqlQuery &q = **r;
    sync::FeedPage page;
    page.next = after;
    while (q.next()) {
        sync::FeedItem i{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), {},
                         q.value(3).toString().toUtf8()};
        if (i.rawBody.isEmpty()) // never written so; an empty body would break the page's JSON
            i.rawBody = "{}";
        page.next = i.seq;
        page.items.append(std::move(i));
    }
    q.finish();
    page.more = page.items.size() == limit;
    return page;
}

sync::Lease HubStore::lease(const QString &terminalId) const
{
    sync::Lease l;
    l.leaseId = uuidv7(now(), systemRandom());
    l.terminalId = terminalId;
    l.issuedAt = now();
    l.expiresAt = l.issuedAt + m_config.leaseHours * 3'600'000LL;
    l.memberCap = m_config.leaseMemberCap;
    l.terminalCap = m_config.leaseTerminalCap;
    l.maxCount = m_config.leaseMaxCount;
    QSqlQuery q(db());
    if (q.exec(u"SELECT value FROM hub_counter WHERE id = 1"_s) && q.next())
        l.asOfServerSeq = q.value(0).toLongLong();
    return l;
}

QByteArray HubStore::signedLease(const QString &terminalId) const
{
    return sync::encodeSignedLease(lease(terminalId), m_key.privateKey);
}

// ---- operator ----

Result<int> HubStore::publishProgram(const QByteArray &document, const QString &actor)
{
    auto p = parseProgram(document);
    if (!p)
        return p.error();
    Batch b;
    if (auto st = beginWrite(b); !st)
        return st.error();
    QSqlDatabase d = b.db;
    auto fail = [&](Error e) -> Result<int> {
        d.rollback();
        return e;
    };
    QSqlQuery q(d);
    q.prepare(u"SELECT document FROM programs WHERE version = ?"_s);
    if (!run(q, {p->version}))
        return fail(sqlFail(q, "read the programs"));
    if (q.next()) {
        if (q.value(0).toString().toUtf8() == document) {
            d.rollback();
            return p->version; // published before: the same document again is fine
        }
        return fail(makeError(u"program_version_exists"_s, u"Program version %1 was already published with other content; give the new one a higher version."_s.arg(p->version)));
    }
    q.prepare(u"SELECT COALESCE(MAX(version),0) FROM programs"_s);
    if (!q.exec() || !q.next())
        return fail(sqlFail(q, "read the programs"));
    if (p->version <= q.value(0).toInt())
        return fail(makeError(u"program_version_old"_s, u"Program version %1 is not newer than version %2 already published."_s.arg(p->version).arg(q.value(0).toInt())));
    q.prepare(u"INSERT INTO programs(version, effective_from, document, published_at) VALUES(?,?,?,?)"_s);
    if (!run(q, {p->version, p->effectiveFromMs, QString::fromUtf8(document), b.now}))
        return fail(sqlFail(q, "keep the program"));
    q.prepare(u"INSERT INTO feed(seq, kind, item_key, body) VALUES(?, 'program', ?, ?)"_s);
    const QJsonObject body{{u"version"_s, p->version}, {u"document"_s, QString::fromUtf8(document)}, {u"by"_s, actor}};
    if (!run(q, {b.next(), QString::number(p->version), QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact))}))
        return fail(sqlFail(q, "publish the program"));
    if (auto st = flush(b); !st)
        return fail(st.error());
    if (!d.commit())
        return fail(makeError(u"hub_store_error"_s, d.lastError().text()));
    return p->version;
}

Status HubStore::eraseMember(const QString &memberId, const QString &reason, const QString &actor)
{
    Batch b;
    if (auto st = beginWrite(b); !st)
        return st;
    QSqlDatabase d = b.db;
    auto fail = [&](Error e) -> Status {
        d.rollback();
        return e;
    };
    QSqlQuery q(d);
    q.prepare(u"SELECT status FROM members WHERE member_id = ?"_s);
    if (!run(q, {memberId}) || !q.next())
        return fail(makeError(u"unknown_member"_s, u"The hub has no member %1."_s.arg(memberId)));
    if (q.value(0).toString() == u"erased"_s) {
        d.rollback();
        return Ok{};
    }
    LedgerEvent e;
    e.type = EventType::Erase;
    e.memberId = memberId;
    e.payload = QJsonObject{{u"reason"_s, reason.left(200)}, {u"by"_s, actor}};
    if (auto st = appendHubEvent(b, e); !st)
        return fail(st.error());
    LedgerEvent stored = e;
    stored.payloadJson = canonicalJson(e.payload);
    if (auto st = applyEvent(b, stored, {}); !st)
        return fail(st.error());
    if (auto st = flush(b); !st)
        return fail(st.error());
    if (!d.commit())
        return fail(makeError(u"hub_store_error"_s, d.lastError().text()));
    return settle(); // the erased member's feed row, without the personal data, at once
}

QJsonArray HubStore::alerts() const
{
    QSqlQuery q(db());
    q.exec(u"SELECT alert_id, at, kind, store_id, terminal_id, member_id, detail FROM alerts ORDER BY at DESC, alert_id DESC LIMIT 500"_s);
    QJsonArray out;
    while (q.next())
        out.append(QJsonObject{{u"alertId"_s, q.value(0).toString()}, {u"at"_s, QString::number(q.value(1).toLongLong())},
                               {u"kind"_s, q.value(2).toString()}, {u"storeId"_s, q.value(3).toString()},
                               {u"terminalId"_s, q.value(4).toString()}, {u"memberId"_s, q.value(5).toString()},
                               {u"detail"_s, q.value(6).toString()}});
    return out;
}

QJsonArray HubStore::quarantine() const
{
    QSqlQuery q(db());
    q.exec(u"SELECT terminal_id, event_id, reason, at FROM quarantine ORDER BY at DESC LIMIT 500"_s);
    QJsonArray out;
    while (q.next())
        out.append(QJsonObject{{u"terminalId"_s, q.value(0).toString()}, {u"eventId"_s, q.value(1).toString()},
                               {u"reason"_s, q.value(2).toString()}, {u"at"_s, QString::number(q.value(3).toLongLong())}});
    return out;
}

Result<QJsonObject> HubStore::member(const QString &memberId)
{
    if (auto st = settle(); !st)
        return st.error();
    QSqlQuery q(db());
    q.prepare(u"SELECT body FROM feed WHERE kind = 'member' AND item_key = ?"_s);
    if (!run(q, {memberId}))
        return sqlFail(q, "read the member");
    if (!q.next())
        return makeError(u"unknown_member"_s, u"The hub has no member %1."_s.arg(memberId));
    return QJsonDocument::fromJson(q.value(0).toString().toUtf8()).object();
}

QJsonArray HubStore::events(qint64 after, int limit) const
{
    QSqlQuery q(db());
    q.setForwardOnly(true);
    q.prepare(u"SELECT server_seq, event_id, terminal_id, terminal_seq, store_id, type, member_id, points, amount, occurred_at, hash,"
              " ref_event_id FROM events WHERE server_seq > ? ORDER BY server_seq LIMIT ?"_s);
    QJsonArray out;
    if (!run(q, {after, qBound(1, limit, 10000)}))
        return out;
    while (q.next())
        out.append(eventJson(q, 0));
    return out;
}

QJsonObject HubStore::report(qint64 fromMs, qint64 toMs)
{
    if (auto st = settle(); !st)
        qCWarning(lcHub, "report: %s", qPrintable(st.error().message));
    QSqlQuery q(db());
    q.prepare(u"SELECT store_id,"
              " SUM(CASE WHEN type IN ('earn','bonus') THEN points ELSE 0 END),"
              " SUM(CASE WHEN type = 'redeem' THEN -points ELSE 0 END),"
              " SUM(CASE WHEN type = 'earn' THEN 1 ELSE 0 END),"
              " SUM(CASE WHEN type = 'earn' THEN amount ELSE 0 END),"
              " SUM(CASE WHEN type = 'enroll' THEN 1 ELSE 0 END)"
              " FROM events WHERE occurred_at >= ? AND occurred_at < ? AND store_id <> '' GROUP BY store_id ORDER BY store_id"_s);
    QJsonArray stores;
    qint64 earned = 0, redeemed = 0, receipts = 0, spend = 0, enrolled = 0;
    if (run(q, {fromMs, toMs})) {
        while (q.next()) {
            stores.append(QJsonObject{{u"storeId"_s, q.value(0).toString()},
                                      {u"pointsEarned"_s, QString::number(q.value(1).toLongLong())},
                                      {u"pointsRedeemed"_s, QString::number(q.value(2).toLongLong())},
                                      {u"receipts"_s, QString::number(q.value(3).toLongLong())},
                                      {u"spend"_s, QString::number(q.value(4).toLongLong())},
                                      {u"membersEnrolled"_s, QString::number(q.value(5).toLongLong())}});
            earned += q.value(1).toLongLong();
            redeemed += q.value(2).toLongLong();
            receipts += q.value(3).toLongLong();
            spend += q.value(4).toLongLong();
            enrolled += q.value(5).toLongLong();
        }
    }
    return QJsonObject{{u"from"_s, QString::number(fromMs)}, {u"to"_s, QString::number(toMs)}, {u"stores"_s, stores},
                       {u"total"_s, QJsonObject{{u"pointsEarned"_s, QString::number(earned)},
                                                {u"pointsRedeemed"_s, QString::number(redeemed)},
                                                {u"receipts"_s, QString::number(receipts)},
                                                {u"spend"_s, QString::number(spend)},
                                                {u"membersEnrolled"_s, QString::number(enrolled)}}}};
}

} // namespace setia::hub
