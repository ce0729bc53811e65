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

namespace setia {

class Store {
public:
    enum class Mode { ReadWrite, ReadOnly };
    struct Options {
        Mode mode = Mode::ReadWrite;
        bool create = false;        // create a new database when the file does not exist
    };

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

    // Statement cache for hot paths: prepared once on the writer (or, read-only, the reader), reused.
    QSqlQuery &prepared(const QString &sql) const;

private:
    Store() = default;
    Status migrate();

    friend class WriteTransaction;
    friend class ReadScope;
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

// A cached prepared statement (Store::prepared), finished when it goes out of scope so that
// no read stays open. Has the parts of QSqlQuery the services use.
class Stmt {
public:
    Stmt(const Store &store, const QString &sql) : m_store(store), m_q(&store.prepared(sql)) {}
    ~Stmt() { m_q->finish(); }
    Stmt(const Stmt &) = delete;
    Stmt &operator=(const Stmt &) = delete;
    bool prepare(const QString &sql)
    {
        m_q->finish();
        m_q = &m_store.prepared(sql);
        return true;
    }
    void addBindValue(const QVariant &v) { m_q->addBindValue(v); }
    void bindValue(int i, const QVariant &v) { m_q->bindValue(i, v); }
    bool exec() { return m_q->exec(); }
    bool next() { return m_q->next(); }
    QVariant value(int i) const { return m_q->value(i); }
    int numRowsAffected() const { return m_q->numRowsAffected(); }
    void finish() { m_q->finish(); }
    operator QSqlQuery &() { return *m_q; } // NOLINT(google-explicit-constructor)

private:
    const Store &m_store;
    QSqlQuery *m_q;
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

} // namespace setia
