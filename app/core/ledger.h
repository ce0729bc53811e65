#pragma once
// The append-only ledger. Every change to points or members is an event with a UUIDv7 id,
// the terminal id, a gapless per-terminal sequence, a hybrid-logical-clock time, the hash of
// the terminal's previous event and its own SHA-256 hash over a canonical encoding.
#include "clock.h"
#include "ids.h"
#include "result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace setia {

class Store;

namespace EventType {
inline const QString Enroll = QStringLiteral("enroll");
inline const QString ProfileChange = QStringLiteral("profile_change");
inline const QString CardAssign = QStringLiteral("card_assign");
inline const QString CardBlock = QStringLiteral("card_block");
inline const QString Earn = QStringLiteral("earn");
inline const QString Bonus = QStringLiteral("bonus");
inline const QString Redeem = QStringLiteral("redeem");
inline const QString Reverse = QStringLiteral("reverse");
inline const QString Adjust = QStringLiteral("adjust");
inline const QString OpeningBalance = QStringLiteral("opening_balance");
inline const QString Expire = QStringLiteral("expire");
inline const QString VoucherIssue = QStringLiteral("voucher_issue");
inline const QString VoucherUse = QStringLiteral("voucher_use");
inline const QString TierChange = QStringLiteral("tier_change");
inline const QString Erase = QStringLiteral("erase");
inline const QString MemberStatus = QStringLiteral("member_status");
} // namespace EventType

struct LedgerEvent {
    QString eventId, terminalId;
    qint64 terminalSeq = 0;
    qint64 hlc = 0;
    qint64 occurredAt = 0; // UTC ms
    QString type, memberId;
    qint64 points = 0;     // signed change to the member's balance
    qint64 amount = 0;     // money involved, minor units (spend for earn; negative for refunds)
    QString receiptId, refEventId, actor;
    QJsonObject payload;
    // The payload already in canonical JSON (hot paths write it with CanonicalWriter). When set,
    // append() uses it as is and `payload` is ignored (and left empty).
    QByteArray payloadJson;
    QString prevHash, hash;
};

inline const QString kGenesisHash = QString(64, QLatin1Char('0'));

// RFC 8785-style canonical JSON of a value: keys sorted, no white space, integers only.
QByteArray canonicalJson(const QJsonValue &value);
// Writes canonical JSON directly, without building QJson objects: the same bytes canonicalJson()
// gives for the same document (tst_primitives checks). Keys must be written in UTF-8 byte order
// (checked in debug builds); values are strings, 64-bit integers, booleans or nested containers.
class CanonicalWriter {
public:
    CanonicalWriter() { m_out.reserve(512); }
    CanonicalWriter &beginObject() { return open('{'); }
    CanonicalWriter &endObject() { return close('}'); }
    CanonicalWriter &beginArray() { return open('['); }
    CanonicalWriter &endArray() { return close(']'); }
    CanonicalWriter &key(const char *asciiKey);
    CanonicalWriter &value(const QString &v);
    CanonicalWriter &value(qint64 v);
    CanonicalWriter &value(bool v);
    CanonicalWriter &value(int v) { return value(qint64(v)); }
    // A 64-bit integer as a decimal string (JSON numbers are not exact past 2^53).
    CanonicalWriter &decimalString(qint64 v);
    // A value already in canonical JSON.
    CanonicalWriter &raw(const QByteArray &json);
    CanonicalWriter &field(const char *k, const QString &v) { return key(k).value(v); }
    CanonicalWriter &field(const char *k, qint64 v) { return key(k).value(v); }
    CanonicalWriter &field(const char *k, bool v) { return key(k).value(v); }
    CanonicalWriter &field(const char *k, int v) { return key(k).value(qint64(v)); }
    const QByteArray &bytes() const { return m_out; }

private:
    CanonicalWriter &open(char c);
    CanonicalWriter &close(char c);
    void separate();
    QByteArray m_out;
    QList<bool> m_first;        // per open container: nothing written in it yet
    QList<QByteArray> m_lastKey; // per open container: the previous key (order check)
    bool m_afterKey = false;
};

// Canonical encoding of an event: every field except `hash`.
QByteArray canonicalEncoding(const LedgerEvent &e);
QString computeHash(const LedgerEvent &e);

// Appends events inside the caller's write transaction and keeps the caches (balances, lots)
// in step. Not thread-safe; one per writer.
class Ledger {
public:
    Ledger(const Store &store, const Clock &clock, Random &random, QString terminalId);

    // Fills id, sequence, hlc, hashes, writes the event and updates the balance cache and lots.
    // expiresAt: for positive points, when the lot expires (0: never).
    Result<LedgerEvent> append(LedgerEvent draft, qint64 expiresAt = 0);
    QString terminalId() const { return m_terminalId; }
    qint64 nowMs() const { return m_clock.nowMs(); }

    // Consumes points from the member's lots, oldest first (the lot preferLot first).
    Status consumeLots(const QString &memberId, qint64 points, const QString &preferLot = {});
    // Adds a lot for a positive change; repays a negative balance first.
    Status addLot(const QString &eventId, const QString &memberId, qint64 points, qint64 balanceBefore,
                  qint64 earnedAt, qint64 expiresAt);

    qint64 balance(const QString &memberId) const;

private:
    const Store &m_store;
    const Clock &m_clock;
    Random &m_random;
    QString m_terminalId;
    HybridLogicalClock m_hlc;
    bool m_hlcPrimed = false;
};

struct VerifyReport {
    qint64 events = 0;
    qint64 members = 0;
    QStringList problems; // empty when everything checks out
    QString firstBrokenLink; // event id of the first broken link in a chain, if any
    bool ok() const { return problems.isEmpty(); }
};

// Walks every terminal's hash chain in sequence order, recomputes hashes, and rebuilds the
// balances from the events to compare with the cache. Read-only.
VerifyReport verifyLedger(const Store &store);
// Rebuilds the balance cache from the events (repair after a verify mismatch). Audited by caller.
Status rebuildBalances(const Store &store);

} // namespace setia
