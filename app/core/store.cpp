#include "store.h"

#include "crypto.h"

#include <QAtomicInt>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QThread>
#include <QUuid>
#include <QVariant>

#include <sqlite3.h>

#include <map>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcStore, "setia.store", QtWarningMsg)

namespace setia {

namespace {

QAtomicInt g_connectionCounter;

// Each migration runs in one transaction; user_version records the schema.
const char *const kMigrations[] = {
    // 1: the first schema
    R"SQL(
CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE programs(
  version INTEGER PRIMARY KEY,
  effective_from INTEGER NOT NULL,
  document TEXT NOT NULL,
  loaded_at INTEGER NOT NULL);
CREATE TABLE members(
  member_id TEXT PRIMARY KEY,
  status TEXT NOT NULL DEFAULT 'active' CHECK(status IN ('active','blocked','erased')),
  phone_index TEXT,
  profile BLOB,
  wrapped_key BLOB,
  referral_code TEXT UNIQUE,
  referrer_id TEXT REFERENCES members(member_id),
  home_store TEXT NOT NULL,
  tier_id TEXT NOT NULL DEFAULT '',
  consent_marketing_at INTEGER,
  consent_whatsapp_at INTEGER,
  enrolled_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE UNIQUE INDEX members_phone ON members(phone_index) WHERE phone_index IS NOT NULL;
CREATE INDEX members_enrolled ON members(enrolled_at);
CREATE TABLE member_name_index(
  token TEXT NOT NULL,
  member_id TEXT NOT NULL REFERENCES members(member_id),
  PRIMARY KEY(token, member_id)) WITHOUT ROWID;
CREATE INDEX member_name_index_member ON member_name_index(member_id);
CREATE TABLE cards(
  card_number TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(member_id),
  kind TEXT NOT NULL CHECK(kind IN ('barcode','qr','magstripe','contactless')),
  status TEXT NOT NULL DEFAULT 'active' CHECK(status IN ('active','blocked')),
  issued_at INTEGER NOT NULL,
  blocked_at INTEGER,
  block_reason TEXT,
  replaced_by TEXT) WITHOUT ROWID;
CREATE INDEX cards_member ON cards(member_id);
CREATE TABLE events(
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  terminal_id TEXT NOT NULL,
  terminal_seq INTEGER NOT NULL,
  hlc INTEGER NOT NULL,
  occurred_at INTEGER NOT NULL,
  type TEXT NOT NULL,
  member_id TEXT,
  points INTEGER NOT NULL DEFAULT 0,
  amount INTEGER NOT NULL DEFAULT 0,
  receipt_id TEXT,
  ref_event_id TEXT,
  actor TEXT NOT NULL DEFAULT '',
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  server_seq INTEGER,
  UNIQUE(terminal_id, terminal_seq));
CREATE INDEX events_member ON events(member_id, occurred_at);
CREATE INDEX events_receipt ON events(receipt_id) WHERE receipt_id IS NOT NULL;
CREATE INDEX events_ref ON events(ref_event_id) WHERE ref_event_id IS NOT NULL;
CREATE INDEX events_time ON events(occurred_at);
CREATE TABLE balances(
  member_id TEXT PRIMARY KEY REFERENCES members(member_id),
  points INTEGER NOT NULL,
  last_seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE lots(
  event_id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(member_id),
  earned_at INTEGER NOT NULL,
  expires_at INTEGER,
  remaining INTEGER NOT NULL CHECK(remaining >= 0)) WITHOUT ROWID;
CREATE INDEX lots_member ON lots(member_id, earned_at) WHERE remaining > 0;
CREATE INDEX lots_expiry ON lots(expires_at) WHERE remaining > 0 AND expires_at IS NOT NULL;
CREATE TABLE receipts(
  receipt_id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(member_id),
  earn_event_id TEXT NOT NULL,
  amount INTEGER NOT NULL,
  points INTEGER NOT NULL,
  request_hash TEXT NOT NULL,
  result TEXT NOT NULL,
  refunded_amount INTEGER NOT NULL DEFAULT 0,
  reversed_points INTEGER NOT NULL DEFAULT 0,
  at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE vouchers(
  code TEXT PRIMARY KEY,
  type_id TEXT NOT NULL,
  member_id TEXT REFERENCES members(member_id),
  discount INTEGER NOT NULL,
  min_spend INTEGER NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  used_receipt TEXT) WITHOUT ROWID;
CREATE INDEX vouchers_member ON vouchers(member_id);
CREATE TABLE reward_stock(reward_id TEXT PRIMARY KEY, redeemed INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE badges(member_id TEXT NOT NULL, badge TEXT NOT NULL, awarded_at INTEGER NOT NULL,
  PRIMARY KEY(member_id, badge)) WITHOUT ROWID;
CREATE TABLE audit(
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '');
CREATE TABLE alerts(
  alert_id TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  member_id TEXT,
  detail TEXT NOT NULL,
  acknowledged_at INTEGER,
  acknowledged_by TEXT) WITHOUT ROWID;
)SQL",
    // 2: staff with PINs (cashier and manager roles), scans for fraud rules
    R"SQL(
CREATE TABLE staff(
  staff_id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role TEXT NOT NULL CHECK(role IN ('cashier','manager')),
  pin_hash TEXT NOT NULL,
  failed INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE scans(
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  card_number TEXT NOT NULL,
  member_id TEXT);
CREATE INDEX scans_card ON scans(card_number, at);
)SQL",
    // 3: the member index covers the columns the rules read (type, points, amount), so a
    // member's facts come from the index alone, without a table read per event
    R"SQL(
DROP INDEX events_member;
CREATE INDEX events_member ON events(member_id, occurred_at, type, points, amount);
)SQL",
    // 4: client request ids: a redemption, a voucher use or a refund sent again with the same
    // id gets the answer kept here instead of being done twice (docs/storage.md "Request ids").
    // No personal data: the id is the client's opaque token, the request only as a hash, the
    // answer only ids, points and amounts. IF NOT EXISTS: tst_store's upgrade test makes a
    // "schema 1" store by dropping only schema 2's tables from a current one.
    R"SQL(
CREATE TABLE IF NOT EXISTS client_requests(
  request_id TEXT PRIMARY KEY,
  operation TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  result TEXT NOT NULL,
  at INTEGER NOT NULL) WITHOUT ROWID;
)SQL",
    // 5: sync with the hub (docs/sync.md). hub_members: each member's balance and tier as the
    // hub's change feed last gave them, as of a server_seq; the local balance is that plus the
    // local events the hub had not included. events_unsynced: the outbox, in sequence order.
    R"SQL(
CREATE TABLE IF NOT EXISTS hub_members(
  member_id TEXT PRIMARY KEY,
  balance INTEGER NOT NULL,
  as_of INTEGER NOT NULL,
  tier_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  merged_into TEXT,
  updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_unsynced ON events(terminal_seq) WHERE server_seq IS NULL;
)SQL",
    // 6: a compact name index (docs/storage.md "The name index"). member_name_index held 32 hex
    // digits a token, a foreign key to members and an index by member: ~22 B-tree entries and
    // 11 key checks a member, most of a first pull's time and of a chain store's size.
    // member_names keeps the first 16 hex digits (the same HMAC, shortened), no foreign key
    // and no index by member: a member's rows are found from its name's tokens. Rows of
    // members that are gone or erased are not carried over.
    R"SQL(
CREATE TABLE member_names(
  token TEXT NOT NULL,
  member_id TEXT NOT NULL,
  PRIMARY KEY(token, member_id)) WITHOUT ROWID;
INSERT OR IGNORE INTO member_names(token, member_id)
  SELECT substr(n.token, 1, 16), n.member_id FROM member_name_index n JOIN members m ON m.member_id = n.member_id
  WHERE m.status <> 'erased' ORDER BY 1, 2;
DROP TABLE member_name_index;
)SQL",
    // 7: the name tokens of a first pull's members, one row each, until they are merged into
    // member_names in sorted slices after the pull (docs/storage.md "The name index"): inserted
    // one member at a time, the rows of a chain of 1,000,000 members went all over
    // member_names' B-tree at every commit of the pull. Appended (rowid order), no index.
    R"SQL(
CREATE TABLE member_names_staged(
  seq INTEGER PRIMARY KEY,
  member_id TEXT NOT NULL,
  tokens TEXT NOT NULL);
)SQL",
};
constexpr int kLatest = int(sizeof kMigrations / sizeof kMigrations[0]);

sqlite3 *handleOf(const QSqlDatabase &db)
{
    const QVariant v = db.driver()->handle();
    if (!v.isValid() || qstrcmp(v.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(v.constData());
}

Status pragma(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    if (!q.exec(sql)) {
        const QString text = q.lastError().text();
        if (text.contains(u"malformed"_s) || text.contains(u"not a database"_s) || text.contains(u"corrupt"_s))
            return makeError(u"store_corrupt"_s,
                             u"%1 is damaged (%2). Restore the latest backup with: setiactl restore"_s.arg(db.databaseName(), text));
        return makeError(u"store_error"_s, u"%1 failed: %2"_s.arg(sql, text));
    }
    return Ok{};
}

Status execScript(QSqlDatabase &db, const QString &script)
{
    // The Qt driver runs one statement per exec; split on ';' at line ends.
    const QStringList stmts = script.split(u";\n"_s, Qt::SkipEmptyParts);
    for (const QString &s : stmts) {
        const QString t = s.trimmed();
        if (t.isEmpty())
            continue;
        QSqlQuery q(db);
        if (!q.exec(t))
            return makeError(u"migration_failed"_s, u"Migration statement failed: %1\n%2"_s.arg(q.lastError().text(), t.left(200)));
    }
    return Ok{};
}

} // namespace

struct Store::Cache {
    struct Entry {
        sqlite3_stmt *stmt = nullptr;
        bool busy = false;
    };
    std::map<QString, std::unique_ptr<Entry>> statements;
    sqlite3 *db = nullptr; // the connection the cached statements belong to
    ~Cache()
    {
        for (auto &[sql, e] : statements)
            sqlite3_finalize(e->stmt);
    }
};

int Store::latestSchemaVersion() { return kLatest; }

namespace {
Error classify(const QString &text, const char *what);
}

Error sqlError(const QSqlQuery &q, const char *what) { return classify(q.lastError().text(), what); }

namespace {
Error classify(const QString &text, const char *what)
{
    QString message = u"The store could not %1: %2"_s.arg(QLatin1StringView(what), text);
    QString code = u"store_error"_s;
    if (text.contains(u"disk is full"_s, Qt::CaseInsensitive) || text.contains(u"SQLITE_FULL"_s)) {
        code = u"disk_full"_s;
        message = u"The disk is full: nothing was saved. Free some space and try again."_s;
    } else if (text.contains(u"database is locked"_s, Qt::CaseInsensitive)) {
        code = u"store_busy"_s;
        message = u"The store is busy with another operation; try again."_s;
    } else if (text.contains(u"readonly"_s, Qt::CaseInsensitive)) {
        code = u"store_readonly"_s;
        message = u"The store is read-only (permissions or an open read-only session); nothing was saved."_s;
    }
    return Error{code, message};
}
} // namespace

Error sqlError(const Stmt &q, const char *what) { return classify(q.errorText(), what); }

Status exec(Stmt &q, const char *what)
{
    if (!q.exec())
        return sqlError(q, what);
    return Ok{};
}

Status exec(QSqlQuery &q, const char *what)
{
    if (!q.exec())
        return sqlError(q, what);
    return Ok{};
}

Result<std::unique_ptr<Store>> Store::open(const QString &path, Options options)
{
    std::unique_ptr<Store> s(new Store);
    s->m_path = QFileInfo(path).absoluteFilePath();
    s->m_mode = options.mode;
    s->m_cache = std::make_unique<Cache>();
    const int id = g_connectionCounter.fetchAndAddRelaxed(1);
    s->m_writerName = u"setia-writer-%1"_s.arg(id);
    s->m_readerPrefix = u"setia-reader-%1-"_s.arg(id);

    const bool exists = QFileInfo::exists(s->m_path);
    if (!exists && !options.create)
        return makeError(u"store_missing"_s,
                         u"There is no Setia store at %1. Create one with: setiactl init --db %1"_s.arg(s->m_path));
    if (!exists && options.mode == Mode::ReadOnly)
        return makeError(u"store_missing"_s, u"There is no Setia store at %1."_s.arg(s->m_path));
    if (!exists && !QDir().mkpath(QFileInfo(s->m_path).absolutePath()))
        return makeError(u"store_unwritable"_s, u"Cannot create the folder for %1."_s.arg(s->m_path));

    if (options.mode == Mode::ReadWrite) {
        s->m_lock = std::make_unique<QLockFile>(s->m_path + u".lock"_s);
        s->m_lock->setStaleLockTime(0); // stale only when the holder is gone (pid check)
        if (!s->m_lock->tryLock(200)) {
            qint64 pid = 0;
            QString host, app;
            s->m_lock->getLockInfo(&pid, &host, &app);
            return makeError(u"store_in_use"_s,
                             u"The store %1 is open for writing by another process (%2, pid %3). Close it first, or use a read-only command."_s
                                 .arg(s->m_path, app)
                                 .arg(pid));
        }
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, s->m_writerName);
        db.setDatabaseName(s->m_path);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
        if (!db.open())
            return makeError(u"store_unreadable"_s, u"Cannot open %1: %2"_s.arg(s->m_path, db.lastError().text()));
        // A new store in a shared store directory (docs/install.md: the cashier's account and the
        // agent's) is writable by the group; SQLite gives its -wal and -shm files the same mode.
        if (!exists && isSharedStoreDirectory(QFileInfo(s->m_path).absolutePath()))
            QFile::setPermissions(s->m_path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup
                                                 | QFileDevice::WriteGroup);
        // A file that is not a database fails here with a clear message instead of later.
        {
            QSqlQuery probe(db);
            if (!probe.exec(u"PRAGMA schema_version"_s))
                return makeError(u"store_corrupt"_s,
                                 u"%1 is not a Setia database or is damaged (%2). Restore the latest backup with: setiactl restore"_s
                                     .arg(s->m_path, probe.lastError().text()));
            // A newer Setia's store is refused before anything (journal_mode=WAL below) writes to it.
            if (probe.exec(u"PRAGMA user_version"_s) && probe.next() && probe.value(0).toInt() > kLatest)
                return makeError(u"schema_too_new"_s,
                                 u"%1 was written by a newer Setia (schema %2); this Setia understands schemas up to %3. Install the newer version or restore a backup made by this one."_s
                                     .arg(s->m_path).arg(probe.value(0).toInt()).arg(kLatest));
        }
        for (const auto &p : {u"PRAGMA journal_mode=WAL"_s, u"PRAGMA synchronous=FULL"_s, u"PRAGMA foreign_keys=ON"_s,
                              u"PRAGMA wal_autocheckpoint=%1"_s.arg(kWalPages), u"PRAGMA temp_store=MEMORY"_s,
                              u"PRAGMA cache_size=-%1"_s.arg(kCacheKiB)}) {
            if (auto st = pragma(db, p); !st)
                return st.error();
        }
        if (auto st = s->migrate(); !st)
            return st.error();
    } else {
        QSqlDatabase r = s->reader();
        if (!r.isOpen())
            return makeError(u"store_unreadable"_s, u"Cannot open %1: %2"_s.arg(s->m_path, r.lastError().text()));
        QSqlQuery probe(r);
        if (!probe.exec(u"PRAGMA user_version"_s) || !probe.next())
            return makeError(u"store_corrupt"_s, u"%1 is not a Setia database or is damaged (%2)."_s.arg(s->m_path, probe.lastError().text()));
        const int v = probe.value(0).toInt();
        if (v > kLatest)
            return makeError(u"schema_too_new"_s,
                             u"%1 was written by a newer Setia (schema %2); this Setia reads up to schema %3. Install the newer version."_s
                                 .arg(s->m_path).arg(v).arg(kLatest));
        if (v < kLatest)
            return makeError(u"schema_too_old"_s,
                             u"%1 has schema %2 and needs an upgrade to %3; open it once for writing (any setiactl write command) to migrate."_s
                                 .arg(s->m_path).arg(v).arg(kLatest));
    }
    return s;
}

Store::~Store()
{
    const QStringList names = QSqlDatabase::connectionNames();
    m_cache.reset();
    // Readers first, so that the writer is the last to close and does the final checkpoint.
    for (const QString &n : names) {
        if (n.startsWith(m_readerPrefix)) {
            QSqlDatabase::database(n, false).close();
            QSqlDatabase::removeDatabase(n);
        }
    }
    if (QSqlDatabase::contains(m_writerName)) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_writerName, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_writerName);
    }
}

QSqlDatabase Store::writer() const
{
    Q_ASSERT(m_mode == Mode::ReadWrite);
    return QSqlDatabase::database(m_writerName, false);
}

QSqlDatabase Store::reader() const
{
    const QString name = m_readerPrefix + QString::number(quintptr(QThread::currentThreadId()), 16);
    if (QSqlDatabase::contains(name))
        return QSqlDatabase::database(name, false);
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
    db.setDatabaseName(m_path);
    db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000;QSQLITE_OPEN_READONLY"_s);
    if (db.open()) {
        if (sqlite3 *h = handleOf(db))
            sqlite3_db_config(h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
        QSqlQuery q(db);
        q.exec(u"PRAGMA query_only=ON"_s);
        q.exec(u"PRAGMA wal_autocheckpoint=0"_s);
    }
    return db;
}

int Store::schemaVersion() const
{
    QSqlQuery q(m_mode == Mode::ReadWrite ? writer() : reader());
    if (q.exec(u"PRAGMA user_version"_s) && q.next())
        return q.value(0).toInt();
    return -1;
}

Status Store::migrate()
{
    QSqlDatabase db = writer();
    const int current = schemaVersion();
    if (current > kLatest)
        return makeError(u"schema_too_new"_s,
                         u"%1 was written by a newer Setia (schema %2); this Setia understands schemas up to %3. Install the newer version or restore a backup made by this one."_s
                             .arg(m_path).arg(current).arg(kLatest));
    // An existing store is copied before its schema changes (docs/install.md "Upgrades"): each
    // migration is one transaction and rolls back by itself, the copy is for everything else
    // (a bug in a migration that commits wrong data, a disk that dies halfway). No copy, no
    // migration: the store stays as it is and says why.
    QString backup;
    if (current > 0 && current < kLatest) {
        backup = u"%1.pre-schema-%2.bak"_s.arg(m_path).arg(kLatest);
        QFile::remove(backup); // a copy left by an earlier attempt at the same upgrade
        if (auto st = backupTo(backup); !st)
            return makeError(u"migration_failed"_s,
                             u"%1 was not upgraded to schema %2: the copy before the upgrade could not be made (%3). Free some disk space and start again; the data is as it was."_s
                                 .arg(m_path).arg(kLatest).arg(st.error().message));
        qCInfo(lcStore) << "copied" << m_path << "to" << backup << "before the upgrade";
    }
    // All the steps from the store's schema to this one commit together, or none: a store
    // left between two schemas would fit neither this version nor the one before, which the
    // package falls back to when an upgrade fails (docs/install.md "Upgrades").
    QSqlQuery q(db);
    if (!q.exec(u"BEGIN IMMEDIATE"_s))
        return makeError(u"migration_failed"_s, u"Cannot start the migration: %1"_s.arg(q.lastError().text()));
    for (int v = current; v < kLatest; ++v) {
        Status st = execScript(db, QString::fromUtf8(kMigrations[v]));
        if (st && !q.exec(u"PRAGMA user_version=%1"_s.arg(v + 1)))
            st = makeError(u"migration_failed"_s, q.lastError().text());
        if (!st) {
            q.exec(u"ROLLBACK"_s);
            const QString step = v + 1 == kLatest ? QString() : u" (at step %1)"_s.arg(v + 1);
            return makeError(st.error().code,
                             u"Upgrading the store to schema %1 failed%2 and was rolled back; the data is as it was (a copy from before the upgrade is %3). %4"_s
                                 .arg(kLatest)
                                 .arg(step, backup.isEmpty() ? u"not needed"_s : backup, st.error().message));
        }
    }
    if (!q.exec(u"COMMIT"_s)) {
        const QString why = q.lastError().text();
        q.exec(u"ROLLBACK"_s);
        return makeError(u"migration_failed"_s, u"Committing schema %1 failed: %2"_s.arg(kLatest).arg(why));
    }
    qCInfo(lcStore) << "migrated" << m_path << "from schema" << current << "to schema" << kLatest;
    return Ok{};
}

// ---- Stmt ----

Stmt::Stmt(const Store &store, const QString &sql) : m_store(store) { prepare(sql); }

Stmt::~Stmt() { release(); }

void Stmt::release()
{
    if (!m_stmt)
        return;
    if (m_busy) {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
        *m_busy = false;
    } else {
        sqlite3_finalize(m_stmt);
    }
    m_stmt = nullptr;
    m_busy = nullptr;
}

bool Stmt::prepare(const QString &sql)
{
    release();
    m_pending = m_stepped = false;
    m_done = true;
    m_nextBind = 0;
    m_error.clear();
    Store::Cache &cache = *m_store.m_cache;
    if (!cache.db) {
        cache.db = handleOf(m_store.connection());
        if (!cache.db) {
            m_error = u"no open connection"_s;
            return false;
        }
    }
    auto it = cache.statements.find(sql);
    if (it != cache.statements.end() && !it->second->busy) {
        m_stmt = it->second->stmt;
        m_busy = &it->second->busy;
        *m_busy = true;
        return true;
    }
    const QByteArray utf8 = sql.toUtf8();
    sqlite3_stmt *st = nullptr;
    if (sqlite3_prepare_v3(cache.db, utf8.constData(), int(utf8.size()), SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
        m_error = QString::fromUtf8(sqlite3_errmsg(cache.db));
        sqlite3_finalize(st);
        return false;
    }
    if (it == cache.statements.end()) { // first use: keep it
        auto e = std::make_unique<Store::Cache::Entry>();
        e->stmt = st;
        e->busy = true;
        m_busy = &e->busy;
        cache.statements.emplace(sql, std::move(e));
    } // else the cached one is in use further up the stack: this one is private
    m_stmt = st;
    return true;
}

bool Stmt::readyToBind()
{
    // SQLite refuses (SQLITE_MISUSE) a bind on a statement stepped since its last reset.
    if (m_stmt && m_stepped) {
        sqlite3_reset(m_stmt);
        m_stepped = m_pending = false;
        m_done = true;
    }
    return m_stmt != nullptr;
}

void Stmt::bindNull(int i)
{
    if (readyToBind())
        sqlite3_bind_null(m_stmt, i + 1);
}

void Stmt::bindInt(int i, qint64 v)
{
    if (readyToBind())
        sqlite3_bind_int64(m_stmt, i + 1, v);
}

void Stmt::bindUtf8(int i, QByteArrayView v)
{
    if (readyToBind())
        sqlite3_bind_text(m_stmt, i + 1, v.data(), int(v.size()), SQLITE_TRANSIENT);
}

void Stmt::bindText(int i, const QString &v)
{
    if (!readyToBind())
        return;
    if (v.isNull()) {
        sqlite3_bind_null(m_stmt, i + 1);
        return;
    }
    if (i >= 0 && i < int(std::size(m_hold))) {
        m_hold[i] = v.toUtf8();
        sqlite3_bind_text(m_stmt, i + 1, m_hold[i].constData(), int(m_hold[i].size()), SQLITE_STATIC);
    } else {
        const QByteArray u = v.toUtf8();
        sqlite3_bind_text(m_stmt, i + 1, u.constData(), int(u.size()), SQLITE_TRANSIENT);
    }
}

void Stmt::bindValue(int i, const QVariant &v)
{
    if (!readyToBind())
        return;
    switch (v.typeId()) {
    case QMetaType::UnknownType:
    case QMetaType::Nullptr:
        sqlite3_bind_null(m_stmt, i + 1);
        return;
    case QMetaType::Bool:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::Long:
    case QMetaType::LongLong:
    case QMetaType::Short:
    case QMetaType::Char:
        sqlite3_bind_int64(m_stmt, i + 1, v.toLongLong());
        return;
    case QMetaType::ULong:
    case QMetaType::ULongLong:
        sqlite3_bind_int64(m_stmt, i + 1, qint64(v.toULongLong()));
        return;
    case QMetaType::Double:
    case QMetaType::Float:
        sqlite3_bind_double(m_stmt, i + 1, v.toDouble());
        return;
    case QMetaType::QByteArray: {
        const QByteArray b = v.toByteArray();
        if (b.isNull())
            sqlite3_bind_null(m_stmt, i + 1);
        else
            sqlite3_bind_blob64(m_stmt, i + 1, b.constData(), sqlite3_uint64(b.size()), SQLITE_TRANSIENT);
        return;
    }
    default:
        bindText(i, v.toString());
    }
}

bool Stmt::exec()
{
    m_nextBind = 0;
    m_pending = false;
    m_done = true;
    if (!m_stmt) {
        if (m_error.isEmpty())
            m_error = u"statement not prepared"_s;
        return false;
    }
    if (m_stepped)
        sqlite3_reset(m_stmt);
    const int rc = sqlite3_step(m_stmt);
    m_stepped = true;
    if (rc == SQLITE_ROW) {
        m_pending = true;
        m_done = false;
        return true;
    }
    if (rc != SQLITE_DONE)
        m_error = QString::fromUtf8(sqlite3_errmsg(sqlite3_db_handle(m_stmt)));
    sqlite3_reset(m_stmt);
    m_stepped = false;
    return rc == SQLITE_DONE;
}

bool Stmt::next()
{
    if (m_pending) {
        m_pending = false;
        return true;
    }
    if (m_done || !m_stmt)
        return false;
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    m_done = true;
    if (rc != SQLITE_DONE)
        m_error = QString::fromUtf8(sqlite3_errmsg(sqlite3_db_handle(m_stmt)));
    sqlite3_reset(m_stmt);
    m_stepped = false;
    return false;
}

QVariant Stmt::value(int i) const
{
    if (!m_stmt)
        return {};
    switch (sqlite3_column_type(m_stmt, i)) {
    case SQLITE_INTEGER:
        return QVariant(qlonglong(sqlite3_column_int64(m_stmt, i)));
    case SQLITE_FLOAT:
        return QVariant(sqlite3_column_double(m_stmt, i));
    case SQLITE_TEXT:
        return QVariant(text(i));
    case SQLITE_BLOB: {
        const void *p = sqlite3_column_blob(m_stmt, i);
        return QVariant(QByteArray(static_cast<const char *>(p), sqlite3_column_bytes(m_stmt, i)));
    }
    default:
        return {};
    }
}

qint64 Stmt::int64(int i) const { return m_stmt ? sqlite3_column_int64(m_stmt, i) : 0; }

QString Stmt::text(int i) const
{
    if (!m_stmt)
        return {};
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, i));
    if (!p)
        return {};
    return QString::fromUtf8(p, sqlite3_column_bytes(m_stmt, i));
}

QByteArrayView Stmt::utf8(int i) const
{
    if (!m_stmt)
        return {};
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, i));
    return p ? QByteArrayView(p, sqlite3_column_bytes(m_stmt, i)) : QByteArrayView();
}

bool Stmt::isNull(int i) const { return !m_stmt || sqlite3_column_type(m_stmt, i) == SQLITE_NULL; }

int Stmt::numRowsAffected() const { return m_stmt ? sqlite3_changes(sqlite3_db_handle(m_stmt)) : 0; }

void Stmt::finish()
{
    m_pending = m_stepped = false;
    m_done = true;
    if (m_stmt)
        sqlite3_reset(m_stmt);
}

QStringList Store::integrityCheck() const
{
    QStringList problems;
    QSqlQuery q(m_mode == Mode::ReadWrite ? writer() : reader());
    if (!q.exec(u"PRAGMA integrity_check"_s)) {
        problems << q.lastError().text();
        return problems;
    }
    while (q.next()) {
        const QString row = q.value(0).toString();
        if (row != u"ok"_s)
            problems << row;
    }
    if (q.exec(u"PRAGMA foreign_key_check"_s))
        while (q.next())
            problems << u"foreign key: %1 row %2 refers to a missing %3"_s.arg(q.value(0).toString(), q.value(1).toString(),
                                                                               q.value(2).toString());
    return problems;
}

Status Store::backupTo(const QString &target) const
{
    // SQLite's online backup API, reading through a read connection: works while the till
    // keeps writing (and from a read-only setiactl while the app holds the writer lock).
    const QString abs = QFileInfo(target).absoluteFilePath();
    if (QFileInfo::exists(abs))
        return makeError(u"backup_exists"_s, u"%1 already exists; choose a new file name for the backup."_s.arg(abs));
    if (!QDir().mkpath(QFileInfo(abs).absolutePath()))
        return makeError(u"backup_failed"_s, u"Cannot create the folder for %1."_s.arg(abs));
    sqlite3 *source = handleOf(reader());
    if (!source)
        return makeError(u"backup_failed"_s, u"The store has no open connection to back up from."_s);
    sqlite3 *dest = nullptr;
    const QByteArray path = QFile::encodeName(abs);
    int rc = sqlite3_open_v2(path.constData(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(dest, "main", source, "main");
        if (b) {
            do {
                rc = sqlite3_backup_step(b, 256);
                if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                    sqlite3_sleep(5);
            } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
            sqlite3_backup_finish(b);
            rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        } else {
            rc = sqlite3_errcode(dest);
        }
    }
    const QString why = dest ? QString::fromUtf8(sqlite3_errstr(rc)) : u"out of memory"_s;
    sqlite3_close(dest);
    if (rc != SQLITE_OK) {
        QFile::remove(abs);
        if (rc == SQLITE_FULL)
            return makeError(u"disk_full"_s, u"The disk is full: the backup to %1 was not written. Free some space and try again."_s.arg(abs));
        return makeError(u"backup_failed"_s, u"The backup to %1 failed: %2"_s.arg(abs, why));
    }
    QFile::setPermissions(abs, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return Ok{};
}

Status Store::checkpoint() const
{
    QSqlQuery q(writer());
    if (!q.exec(u"PRAGMA wal_checkpoint(TRUNCATE)"_s))
        return makeError(u"store_error"_s, q.lastError().text());
    // The pragma succeeds even when a read in progress kept it from finishing; its first column says so.
    if (q.next() && q.value(0).toInt() != 0)
        return makeError(u"store_busy"_s, u"The checkpoint could not finish while a read was in progress; try again."_s);
    return Ok{};
}

Status Store::restore(const QString &backup, const QString &target)
{
    const QString src = QFileInfo(backup).absoluteFilePath();
    const QString dst = QFileInfo(target).absoluteFilePath();
    if (!QFileInfo::exists(src))
        return makeError(u"backup_missing"_s, u"There is no backup file at %1."_s.arg(src));
    QLockFile lock(dst + u".lock"_s);
    lock.setStaleLockTime(0);
    if (!lock.tryLock(200))
        return makeError(u"store_in_use"_s, u"%1 is open by a running Setia; stop it before restoring."_s.arg(dst));
    {
        // Check the backup before touching anything.
        auto opened = Store::open(src, Options{Mode::ReadOnly, false});
        if (!opened)
            return makeError(u"backup_invalid"_s, u"The backup cannot be used: %1"_s.arg(opened.error().message));
        const QStringList problems = opened.value()->integrityCheck();
        if (!problems.isEmpty())
            return makeError(u"backup_invalid"_s, u"The backup is damaged: %1"_s.arg(problems.first()));
    }
    const QString tmp = dst + u".restore-tmp"_s;
    QFile::remove(tmp);
    if (!QFile::copy(src, tmp))
        return makeError(u"restore_failed"_s, u"Cannot copy the backup next to %1 (disk full or no permission)."_s.arg(dst));
    // Keep the replaced database until the new one is in place.
    const QString previous = dst + u".before-restore"_s;
    QFile::remove(previous);
    QFile::remove(previous + u"-wal"_s);
    QFile::remove(previous + u"-shm"_s);
    if (QFileInfo::exists(dst) && !QFile::rename(dst, previous)) {
        QFile::remove(tmp);
        return makeError(u"restore_failed"_s, u"Cannot move the current database aside."_s);
    }
    // Commits not yet checkpointed (a crashed writer) live only in the -wal: keep it with them.
    if (QFileInfo::exists(dst + u"-wal"_s) && !QFile::rename(dst + u"-wal"_s, previous + u"-wal"_s)) {
        QFile::rename(previous, dst);
        QFile::remove(tmp);
        return makeError(u"restore_failed"_s, u"Cannot move the current database's WAL aside; nothing was changed."_s);
    }
    QFile::remove(dst + u"-shm"_s);
    if (!QFile::rename(tmp, dst)) {
        QFile::rename(previous, dst);
        QFile::rename(previous + u"-wal"_s, dst + u"-wal"_s);
        return makeError(u"restore_failed"_s, u"Cannot put the restored database in place; the old one was kept."_s);
    }
    return Ok{};
}

WriteTransaction::WriteTransaction(const Store &store) : m_store(store), m_db(store.writer())
{
    m_depth = store.m_txDepth;
    Stmt q(store, m_depth == 0 ? u"BEGIN IMMEDIATE"_s : u"SAVEPOINT sp%1"_s.arg(m_depth));
    m_begun = q.exec();
    if (m_begun)
        ++store.m_txDepth;
    else
        m_error = sqlError(q, "start a transaction").message;
}

WriteTransaction::~WriteTransaction()
{
    if (m_begun && !m_done) {
        if (m_depth == 0) {
            Stmt(m_store, u"ROLLBACK"_s).exec();
        } else {
            Stmt(m_store, u"ROLLBACK TO sp%1"_s.arg(m_depth)).exec();
            Stmt(m_store, u"RELEASE sp%1"_s.arg(m_depth)).exec();
        }
        --m_store.m_txDepth;
    }
}

Status WriteTransaction::commit()
{
    Q_ASSERT(m_begun && !m_done);
    m_done = true;
    --m_store.m_txDepth;
    Stmt q(m_store, m_depth == 0 ? u"COMMIT"_s : u"RELEASE sp%1"_s.arg(m_depth));
    if (!q.exec()) {
        const Error e = sqlError(q, "save the change");
        q.finish();
        if (m_depth == 0) {
            Stmt(m_store, u"ROLLBACK"_s).exec();
        } else {
            Stmt(m_store, u"ROLLBACK TO sp%1"_s.arg(m_depth)).exec();
            Stmt(m_store, u"RELEASE sp%1"_s.arg(m_depth)).exec();
        }
        return e;
    }
    return Ok{};
}

ReadScope::ReadScope(const Store &store) : m_store(store)
{
    if (store.readOnly() || store.m_txDepth > 0)
        return;
    m_begun = Stmt(store, u"BEGIN"_s).exec();
    if (m_begun)
        ++store.m_txDepth; // writes inside become savepoints of this transaction
}

ReadScope::~ReadScope()
{
    if (!m_begun)
        return;
    --m_store.m_txDepth;
    if (!Stmt(m_store, u"COMMIT"_s).exec())
        Stmt(m_store, u"ROLLBACK"_s).exec();
}

} // namespace setia
