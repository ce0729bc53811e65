#pragma once
// The SQLite store: one writer connection (WAL, synchronous=FULL), read connections that
// never checkpoint, versioned migrations, integrity check, online backup and restore.
//
// Checkpoints (see docs/storage.md): SQLite 3.40 (Debian 12) has a WAL bug, fixed in 3.51.3,
// that can lose committed writes when a checkpoint runs concurrently with a write from another
// connection. Setia never lets that happen: only the writer connection checkpoints (automatic
// checkpoints run on the committing connection, after its commit, and the writer is the only
// connection that commits). Read connections are opened query_only with wal_autocheckpoint=0
// and SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, so closing the last reader does not checkpoint either.
// A lock file (<db>.lock) keeps a second writer process out.
#include "result.h"

#include <QLockFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <memory>

struct sqlite3_stmt;

namespace setia {

class Store {
public:
    enum class Mode { ReadWrite, ReadOnly };
    struct Options {
        Mode mode = Mode::ReadWrite;
        bool create = false;        // create a new database when the file does not exist
    };

    // SQLite's page cache of the writer, in KiB: 64 MiB (a till has the memory); a batch that
    // touches more pages than that (Loyalty::applyFeed of a first pull) raises it for itself.
    static constexpr int kCacheKiB = 65'536;
    static constexpr int kBatchCacheKiB = 262'144;
    // Pages the writer's WAL may hold before a commit checkpoints it: 40 MiB; 400 MiB while a
    // terminal is being prepared (a first pull and the merge of its names, Loyalty::applyFeed),
    // so that a page rewritten by several commits is copied into the database once, not at
    // each of them. Checkpointed and truncated when the preparation ends.
    static constexpr int kWalPages = 10'000;
    static constexpr int kPreparingWalPages = 100'000;

    static Result<std::unique_ptr<Store>> open(const QString &path, Options options);
    ~Store();
    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    static int latestSchemaVersion();
    int schemaVersion() const;
    QString path() const { return m_path; }
    bool readOnly() const { return m_mode == Mode::ReadOnly; }

    // The single writer connection (ReadWrite mode only). Use from the thread that opened the store.
    QSqlDatabase writer() const;
    // A read connection for the calling thread (created on first use, never checkpoints).
    QSqlDatabase reader() const;

    // PRAGMA integrity_check and foreign_key_check; empty list when healthy.
    QStringList integrityCheck() const;
    // A consistent copy of the live database (SQLite online backup), safe while the store is in use.
    Status backupTo(const QString &target) const;
    // Checks a backup (opens it, integrity, schema) and puts it in place of target atomically.
    // The target must not be open by any process.
    static Status restore(const QString &backup, const QString &target);
    // Explicit checkpoint, on the writer.
    Status checkpoint() const;

    // The connection services use: the writer, or on a read-only store the calling thread's reader.
    // A Store (and its Stmts) belongs to the thread that opened it.
    QSqlDatabase connection() const { return m_mode == Mode::ReadWrite ? writer() : reader(); }

private:
    Store() = default;
    Status migrate();

    friend class WriteTransaction;
    friend class ReadScope;
    friend class Stmt;
    mutable int m_txDepth = 0;
    QString m_path;
    Mode m_mode = Mode::ReadWrite;
    QString m_writerName;
    QString m_readerPrefix;
    std::unique_ptr<QLockFile> m_lock;
    struct Cache;
    std::unique_ptr<Cache> m_cache;
};

// BEGIN IMMEDIATE ... COMMIT on the writer; rolls back if not committed. Nested inside another
// WriteTransaction it becomes a SAVEPOINT, so a service can run inside a larger import.
class WriteTransaction {
public:
    explicit WriteTransaction(const Store &store);
    ~WriteTransaction();
    bool begun() const { return m_begun; }
    Status commit();
    QString error() const { return m_error; }

private:
    const Store &m_store;
    QSqlDatabase m_db;
    int m_depth = 0;
    bool m_begun = false, m_done = false;
    QString m_error;
};

// Qt binds a null QString as SQL NULL; columns that are NOT NULL get '' instead.
inline QString nonNull(const QString &s) { return s.isNull() ? QStringLiteral("") : s; }

// A prepared statement straight on SQLite's C API, cached by the Store (prepared once per
// connection, reused), reset when it goes out of scope so that no read stays open. It has
// the parts of QSqlQuery the services use, with QSqlQuery's conventions: a null QString or
// QByteArray binds NULL; addBindValue() starts again at the first parameter after exec().
// Hot paths skip QSqlQuery because its per-exec cost (QVariant lists, a row cache, UTF-16
// round trips) was most of an earn's CPU time (docs/performance.md).
class Stmt {
public:
    Stmt(const Store &store, const QString &sql);
    ~Stmt();
    Stmt(const Stmt &) = delete;
    Stmt &operator=(const Stmt &) = delete;
    bool prepare(const QString &sql);
    void addBindValue(const QVariant &v) { bindValue(m_nextBind++, v); }
    void bindValue(int i, const QVariant &v);
    // Typed binds without a QVariant (0-based like bindValue).
    void bindInt(int i, qint64 v);
    void bindText(int i, const QString &v); // a null QString binds NULL
    void bindUtf8(int i, QByteArrayView v); // copied by SQLite
    void bindNull(int i);
    bool exec();
    bool next();
    QVariant value(int i) const;
    qint64 int64(int i) const;
    QString text(int i) const;
    QByteArrayView utf8(int i) const; // the column's UTF-8, valid until the next step or reset
    bool isNull(int i) const;
    int numRowsAffected() const;
    void finish();
    QString errorText() const { return m_error; }

private:
    void release();
    bool readyToBind();
    const Store &m_store;
    sqlite3_stmt *m_stmt = nullptr;
    bool *m_busy = nullptr;     // the cache entry's in-use flag; null for a private statement
    bool m_pending = false;     // exec() stepped onto a row next() has not returned yet
    bool m_done = true;
    bool m_stepped = false;     // stepped since the last reset
    int m_nextBind = 0;
    QString m_error;
    QByteArray m_hold[24];      // UTF-8 of bound text, alive until the next bind or reset
};

// One read transaction around several reads on the writer (a quote, a member panel): one
// snapshot, and one lock round trip instead of one per statement. A no-op inside a
// WriteTransaction or on a read-only store.
class ReadScope {
public:
    explicit ReadScope(const Store &store);
    ~ReadScope();
    ReadScope(const ReadScope &) = delete;
    ReadScope &operator=(const ReadScope &) = delete;

private:
    const Store &m_store;
    bool m_begun = false;
};

// Runs a statement; returns a clear error naming what failed.
Status exec(QSqlQuery &q, const char *what);
Error sqlError(const QSqlQuery &q, const char *what);
Status exec(Stmt &q, const char *what);
Error sqlError(const Stmt &q, const char *what);

} // namespace setia
