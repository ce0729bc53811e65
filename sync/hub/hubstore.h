#pragma once
// The hub's database and rules (docs/sync.md): terminal registration, ingest of event
// batches, the change feed, the redemption lease, conflicts and alerts, operator queries.
// Qt SQL on SQLite (one hub process) or PostgreSQL (several hub processes share one database).
//
// Ordering: every write transaction first locks the single row of hub_counter, so writers are
// serialized across processes and a server_seq is handed out in commit order. A feed reader
// paging by server_seq therefore never skips a row that commits late.
//
// Ingest is batch-shaped: a batch's events, members, cards, vouchers and feed rows are read
// and written with one statement each (hubstore.cpp, "batch-shaped SQL"), not one per event.
#include "core/ledger.h"
#include "core/program.h"
#include "core/result.h"
#include "sync/protocol/protocol.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QSqlDatabase>
#include <QString>

#include <memory>
#include <optional>

namespace setia::hub {

class HubSql; // hubstore.cpp: the connection's kept statements and batch-shaped SQL

struct HubConfig {
    QString database;        // SQLite file path, or a PostgreSQL "key=value ..." string with driver=postgres
    bool postgres = false;
    QString keyPath;         // the hub's Ed25519 key file (created when missing)
    // The redemption lease each terminal gets (docs/sync.md "The lease").
    qint64 leaseMemberCap = 1000;
    qint64 leaseTerminalCap = 20000;
    qint64 leaseMaxCount = 50;
    qint64 leaseHours = 72;
    qint64 tokenHours = 72;  // how long an enrollment token is valid
};

struct TerminalAuth {
    QString terminalId, storeId;
    QByteArray publicKey;
    bool revoked = false;
};

class HubStore {
public:
    static Result<std::unique_ptr<HubStore>> open(const HubConfig &config);
    ~HubStore();

    QByteArray publicKey() const { return m_key.publicKey; }
    QString hubId() const { return m_hubId; }
    qint64 now() const;

    // ---- terminals ----
    // A one-time token for a new terminal of storeId; the token itself (only its hash is kept).
    Result<QString> createEnrollmentToken(const QString &storeId, const QString &name);
    // Registers the terminal's public key with a token. The same terminal, key and token again
    // (a retry after a lost reply) succeeds again.
    Status registerTerminal(const QString &token, const QString &terminalId, const QString &storeId,
                            const QByteArray &publicKey, const QString &name);
    std::optional<TerminalAuth> terminal(const QString &terminalId) const;
    Status revokeTerminal(const QString &terminalId, const QString &actor);
    QJsonArray terminals() const;

    // ---- ingest ----
    Result<QList<sync::EventResult>> ingest(const TerminalAuth &terminal, const sync::PushRequest &push);

    // ---- feed and lease ----
    // Publishes the members written since their last feed row first (settle()).
    Result<sync::FeedPage> feed(qint64 after, int limit);
    // The tiers and feed rows of the members written since they were last published. Writes
    // (ingest, erase) only mark members; their tiers and feed rows are computed here, once for
    // all the batches that touched them. Called before every feed page and operator read of
    // members, after an erasure, and by setia-hub on a timer; safe from every hub process.
    Status settle();
    sync::Lease lease(const QString &terminalId) const;
    QByteArray signedLease(const QString &terminalId) const;

    // ---- operator ----
    Result<int> publishProgram(const QByteArray &document, const QString &actor);
    Status eraseMember(const QString &memberId, const QString &reason, const QString &actor);
    QJsonArray alerts() const;
    QJsonArray quarantine() const;
    Result<QJsonObject> member(const QString &memberId); // settles first
    QJsonArray events(qint64 after, int limit) const;
    QJsonObject report(qint64 fromMs, qint64 toMs); // settles first

private:
    HubStore();
    Status createSchema();
    QSqlDatabase db() const;
    struct Batch;
    Status appendHubEvent(Batch &b, LedgerEvent e);
    Status preloadMembers(Batch &b, const QMap<qint64, LedgerEvent> &waiting, const QHash<QString, sync::MemberKey> &keys);
    Status applyEvent(Batch &b, const LedgerEvent &e, const QHash<QString, sync::MemberKey> &keys);
    Status raiseAlert(Batch &b, const QString &kind, const QString &memberId, const QString &detail);
    Status beginWrite(Batch &b); // transaction + the hub_counter lock + the current server_seq
    Status flush(Batch &b);
    Status upsertMembers(Batch &b);
    Status publishMembers(Batch &b, const QStringList &ids);
    static constexpr int kSettleChunk = 5000;
    std::optional<Program> programInForce(qint64 at) const;

    HubConfig m_config;
    QString m_connection;
    std::unique_ptr<HubSql> m_sql;
    QString m_hubId;
    sync::KeyPair m_key;
    mutable QHash<int, Program> m_programs; // parsed, by version
};

} // namespace setia::hub
