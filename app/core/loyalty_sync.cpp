// The terminal's side of sync with the hub (docs/sync.md): the outbox, the change feed
// applied to the local store, and the redemption lease. sync/client does the network part.
//
// Balances: once the hub has sent a member, the local balance is the hub's balance as of a
// server_seq plus this terminal's events the hub had not included then (not yet stored, or
// stored after that server_seq). hub_members keeps the hub's part; verifyLedger checks the sum.
#include "loyalty_p.h"

#include <QJsonDocument>
#include <QScopeGuard>
#include <QSet>

using namespace Qt::StringLiterals;

namespace setia {

namespace {

// The local events of a member the hub's balance as of asOf does not include.
qint64 unincludedPoints(const Store &store, const QString &memberId, qint64 asOf)
{
    Stmt q(store, u"SELECT COALESCE(SUM(points),0) FROM events WHERE member_id = ? AND (server_seq IS NULL OR server_seq > ?)"_s);
    q.bindText(0, memberId);
    q.bindInt(1, asOf);
    return q.exec() && q.next() ? q.int64(0) : 0;
}

} // namespace

// Registered: the hub's key was recorded. A hub URL alone (typed in Settings, or from the
// store's provisioning before its first start) is not enough to need a lease.
bool Loyalty::syncRegistered() const { return !d->setting(u"hub_key"_s).isEmpty(); }

Status Loyalty::setSyncRegistered(const QString &hubUrl, const QString &hubKey)
{
    if (auto st = d->requireWritable(); !st)
        return st;
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    if (auto st = d->putSetting(u"hub_url"_s, hubUrl); !st)
        return st;
    if (auto st = d->putSetting(u"hub_key"_s, hubKey); !st)
        return st;
    if (auto st = d->audit(u"sync"_s, u"hub_registered"_s, terminalId(), hubUrl); !st)
        return st;
    return tx.commit();
}

Result<QList<LedgerEvent>> Loyalty::unsyncedEvents(int limit) const
{
    Stmt q(d->store, u"SELECT event_id, terminal_id, terminal_seq, hlc, occurred_at, type, COALESCE(member_id,''), points, amount,"
                     " COALESCE(receipt_id,''), COALESCE(ref_event_id,''), actor, payload, prev_hash, hash"
                     " FROM events WHERE server_seq IS NULL ORDER BY terminal_seq LIMIT ?"_s);
    q.bindInt(0, qBound(1, limit, 10000));
    if (!q.exec())
        return sqlError(q, "read the events waiting to sync");
    QList<LedgerEvent> out;
    while (q.next()) {
        LedgerEvent e;
        e.eventId = q.text(0);
        e.terminalId = q.text(1);
        e.terminalSeq = q.int64(2);
        e.hlc = q.int64(3);
        e.occurredAt = q.int64(4);
        e.type = q.text(5);
        e.memberId = q.text(6);
        e.points = q.int64(7);
        e.amount = q.int64(8);
        e.receiptId = q.text(9);
        e.refEventId = q.text(10);
        e.actor = q.text(11);
        e.payloadJson = q.text(12).toUtf8();
        e.prevHash = q.text(13);
        e.hash = q.text(14);
        out.append(std::move(e));
    }
    return out;
}

qint64 Loyalty::unsyncedCount() const
{
    Stmt q(d->store, u"SELECT COUNT(*) FROM events WHERE server_seq IS NULL"_s);
    return q.exec() && q.next() ? q.int64(0) : 0;
}

QList<Loyalty::SyncMemberKey> Loyalty::memberKeysFor(const QList<LedgerEvent> &events) const
{
    QList<SyncMemberKey> out;
    QSet<QString> seen;
    for (const LedgerEvent &e : events) {
        if ((e.type != EventType::Enroll && e.type != EventType::ProfileChange) || seen.contains(e.memberId))
            continue;
        seen.insert(e.memberId);
        auto row = d->memberRow(e.memberId);
        if (!row || row->wrappedKey.isEmpty()) // erased since: nothing to send
            continue;
        out.append({row->memberId, row->phoneIndex, row->wrappedKey});
    }
    return out;
}

Status Loyalty::markSynced(const QList<std::pair<QString, qint64>> &stored)
{
    if (auto st = d->requireWritable(); !st)
        return st;
    // Without waiting for the disk (synchronous=NORMAL), as for the feed: a mark lost to a
    // power cut only sends those events again, and the hub answers "duplicate" (same id, same
    // hash), which counts as stored. Waiting for an fsync per push batch did not protect
    // anything.
    Stmt(d->store, u"PRAGMA synchronous=NORMAL"_s).exec();
    const auto syncFull = qScopeGuard([this] { Stmt(d->store, u"PRAGMA synchronous=FULL"_s).exec(); });
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    Stmt q(d->store, u"UPDATE events SET server_seq = ? WHERE event_id = ? AND server_seq IS NULL"_s);
    for (const auto &[eventId, seq] : stored) {
        q.bindInt(0, seq);
        q.bindText(1, eventId);
        if (!q.exec())
            return sqlError(q, "record what the hub stored");
    }
    return tx.commit();
}

qint64 Loyalty::feedCursor() const { return d->setting(u"feed_cursor"_s).toLongLong(); }

bool Loyalty::feedCaughtUp() const { return !d->setting(u"feed_caught_up"_s).isEmpty(); }

qint64 Loyalty::hubMemberCount() const
{
    Stmt q(d->store, u"SELECT COUNT(*) FROM hub_members"_s);
    return q.exec() && q.next() ? q.value(0).toLongLong() : 0;
}

Status Loyalty::applyFeed(const FeedBatch &batch)
{
    if (auto st = d->requireWritable(); !st)
        return st;
    // What the feed brings can always be pulled again: the cursor commits with it. So its
    // transaction does not wait for the disk (synchronous=NORMAL: in WAL mode the commit is
    // durable at the next fsync, at the latest the next cashier's commit or checkpoint, and a
    // power cut loses at most these commits, cursor included, never a hole in the ledger).
    // A big batch (a first pull gathers 5,000 members) also gets a larger page cache: its
    // index pages would not fit in the usual one and be spilled to the WAL before the commit.
    // The cache stays large until the first pull ends: set back between two of its batches,
    // SQLite would drop the pages the next batch reads again from the file.
    struct ForThisBatch {
        const Store &store;
        bool shrink = false;
        void set(const QString &pragma)
        {
            Stmt q(store, pragma);
            q.exec();
        }
        ~ForThisBatch()
        {
            set(u"PRAGMA synchronous=FULL"_s);
            if (shrink)
                set(u"PRAGMA cache_size=-%1"_s.arg(Store::kCacheKiB));
        }
    } pragmas{d->store};
    pragmas.set(u"PRAGMA synchronous=NORMAL"_s);
    const bool big = batch.members.size() > 2'000;
    if (big)
        pragmas.set(u"PRAGMA cache_size=-%1"_s.arg(Store::kBatchCacheKiB));
    const bool firstPull = !feedCaughtUp();
    pragmas.shrink = firstPull ? batch.complete : big;
    if (firstPull)
        d->preparingWal(true);
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    const qint64 now = d->now();
    // Without the phone index until the last transaction of the first pull builds it sorted
    // (Impl::buildPhoneIndex): in the meantime a lookup by phone reads the members table.
    if (firstPull)
        if (auto st = d->dropPhoneIndex(); !st)
            return st;
    for (const auto &[version, document] : batch.programs) {
        Stmt have(d->store, u"SELECT 1 FROM programs WHERE version = ?"_s);
        have.bindInt(0, version);
        if (have.exec() && have.next())
            continue;
        have.finish();
        if (auto loaded = loadProgram(document, u"hub"_s); !loaded)
            return makeError(loaded.error().code, u"program %1 from the hub: %2"_s.arg(version).arg(loaded.error().message));
    }
    for (const HubMember &m : batch.members) {
        auto local = d->memberRow(m.memberId);
        const bool exists = local.ok();
        if (m.status == u"erased"_s) {
            // UU PDP: the personal data and the member's key go; the points history stays.
            if (exists) {
                Stmt q(d->store, u"UPDATE members SET status = 'erased', phone_index = NULL, profile = NULL, wrapped_key = NULL,"
                                 " updated_at = ? WHERE member_id = ?"_s);
                q.bindInt(0, now);
                q.bindText(1, m.memberId);
                if (auto st = exec(q, "erase the member"); !st)
                    return st;
                if (auto st = d->indexName(m.memberId, {}, d->knownName(local.value())); !st)
                    return st;
                Stmt c(d->store, u"UPDATE cards SET status = 'blocked', blocked_at = ?, block_reason = 'erased' WHERE member_id = ?"_s);
                c.bindInt(0, now);
                c.bindText(1, m.memberId);
                if (auto st = exec(c, "block the erased member's cards"); !st)
                    return st;
                if (local->status != u"erased"_s)
                    if (auto st = d->audit(u"hub"_s, u"erase"_s, m.memberId, u"erased on the hub"_s); !st)
                        return st;
            }
        } else {
            // The hub keeps the chain's phone directory: a phone moves to the member it names.
            // (A first pull has no phone index to find the other member by: buildPhoneIndex()
            // moves the phones at its end.)
            if (!m.phoneIndex.isEmpty() && !firstPull) {
                Stmt q(d->store, u"UPDATE members SET phone_index = NULL WHERE phone_index = ? AND member_id <> ?"_s);
                q.bindText(0, m.phoneIndex);
                q.bindText(1, m.memberId);
                if (auto st = exec(q, "move the phone index"); !st)
                    return st;
            }
            const QString status = m.status == u"active"_s ? u"active"_s : u"blocked"_s; // merged: blocked here
            const QString phone = m.status == u"merged"_s ? QString() : m.phoneIndex;
            if (!exists) {
                Stmt q(d->store, u"INSERT INTO members(member_id, status, phone_index, profile, wrapped_key, home_store, tier_id,"
                                 " enrolled_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?)"_s);
                q.bindText(0, m.memberId);
                q.bindText(1, status);
                q.bindText(2, phone.isEmpty() ? QString() : phone);
                q.bindValue(3, m.profile.isEmpty() ? QVariant() : QVariant(m.profile));
                q.bindValue(4, m.wrappedKey.isEmpty() ? QVariant() : QVariant(m.wrappedKey));
                q.bindText(5, nonNull(m.homeStore));
                q.bindText(6, nonNull(m.tierId));
                q.bindInt(7, m.enrolledAt);
                q.bindInt(8, now);
                if (auto st = exec(q, "add the member from the hub"); !st)
                    return st;
            } else if (local->status != u"erased"_s) { // an erasure is never undone
                Stmt q(d->store, u"UPDATE members SET status = ?, phone_index = ?, profile = COALESCE(?, profile),"
                                 " wrapped_key = COALESCE(?, wrapped_key), tier_id = ?, updated_at = ? WHERE member_id = ?"_s);
                q.bindText(0, status);
                q.bindText(1, phone.isEmpty() ? QString() : phone);
                q.bindValue(2, m.profile.isEmpty() ? QVariant() : QVariant(m.profile));
                q.bindValue(3, m.wrappedKey.isEmpty() ? QVariant() : QVariant(m.wrappedKey));
                q.bindText(4, nonNull(m.tierId));
                q.bindInt(5, now);
                q.bindText(6, m.memberId);
                if (auto st = exec(q, "update the member from the hub"); !st)
                    return st;
            }
            if (!exists || local->status != u"erased"_s) {
                // The row as just written (a profile or key the hub did not send is kept), without
                // reading it back.
                Impl::MemberRow row;
                row.memberId = m.memberId;
                row.profile = !m.profile.isEmpty() ? m.profile : exists ? local->profile : QByteArray();
                row.wrappedKey = !m.wrappedKey.isEmpty() ? m.wrappedKey : exists ? local->wrappedKey : QByteArray();
                // Only what changed: a member this terminal did not have has no name rows, and
                // a feed row that brings the profile the terminal has (a new balance or tier)
                // leaves them as they are.
                const bool sameProfile = exists && row.profile == local->profile && row.wrappedKey == local->wrappedKey;
                if (!row.profile.isEmpty() && !sameProfile) {
                    // Decrypted already where the feed was read (feedPreparer), or here: the
                    // preparer had only the feed row, so a profile sent without its key (the
                    // member's key kept from before) is decrypted here with the stored one.
                    const bool prepared = m.prepared && !m.profile.isEmpty() && !m.wrappedKey.isEmpty();
                    const QString name = prepared ? m.name : d->decryptProfile(row).name;
                    // A first pull's new member: its tokens are staged, and merged in sorted
                    // slices after the pull (Loyalty::indexStagedNames).
                    Status st = Ok{};
                    if (firstPull && !exists)
                        st = prepared ? d->stageTokens(m.memberId, m.nameTokens) : d->stageName(m.memberId, name);
                    else
                        st = d->indexName(m.memberId, name, exists ? d->knownName(local.value()) : QString());
                    if (!st)
                        return st;
                }
                for (const HubCard &c : m.cards) {
                    Stmt q(d->store, u"INSERT INTO cards(card_number, member_id, kind, status, issued_at) VALUES(?,?,?,?,?)"
                                     " ON CONFLICT(card_number) DO UPDATE SET member_id = excluded.member_id, status = excluded.status"_s);
                    q.bindText(0, c.number);
                    q.bindText(1, m.memberId);
                    q.bindText(2, c.kind);
                    q.bindText(3, c.status == u"blocked"_s ? u"blocked"_s : u"active"_s);
                    q.bindInt(4, now);
                    if (auto st = exec(q, "add the member's card from the hub"); !st)
                        return st;
                }
                for (const HubVoucher &v : m.vouchers) {
                    Stmt q(d->store, u"INSERT INTO vouchers(code, type_id, member_id, discount, min_spend, issued_at, expires_at, used_at)"
                                     " VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET"
                                     " used_at = COALESCE(vouchers.used_at, excluded.used_at)"_s);
                    q.bindText(0, v.code);
                    q.bindText(1, v.typeId);
                    q.bindText(2, m.memberId);
                    q.bindInt(3, v.discount);
                    q.bindInt(4, v.minSpend);
                    q.bindInt(5, v.issuedAt);
                    q.bindInt(6, v.expiresAt);
                    if (v.usedAt > 0)
                        q.bindInt(7, v.usedAt);
                    else
                        q.bindNull(7);
                    if (auto st = exec(q, "add the member's voucher from the hub"); !st)
                        return st;
                }
            }
        }
        // The hub's balance, and the local balance on top of it.
        Stmt h(d->store, u"INSERT INTO hub_members(member_id, balance, as_of, tier_id, status, merged_into, updated_at)"
                         " VALUES(?,?,?,?,?,?,?) ON CONFLICT(member_id) DO UPDATE SET balance = excluded.balance,"
                         " as_of = excluded.as_of, tier_id = excluded.tier_id, status = excluded.status,"
                         " merged_into = excluded.merged_into, updated_at = excluded.updated_at"_s);
        h.bindText(0, m.memberId);
        h.bindInt(1, m.balance);
        h.bindInt(2, m.asOf);
        h.bindText(3, nonNull(m.tierId));
        h.bindText(4, m.status);
        h.bindText(5, m.mergedInto.isEmpty() ? QString() : m.mergedInto);
        h.bindInt(6, now);
        if (auto st = exec(h, "keep the hub's balance"); !st)
            return st;
        if (!exists && m.status == u"erased"_s) // erased before this terminal ever had it: nothing local
            continue;
        // A member new to this terminal has no local events yet (they are only written for a
        // member row), so nothing the hub has not included: one index seek less a member.
        const qint64 total = m.balance + (exists ? unincludedPoints(d->store, m.memberId, m.asOf) : 0);
        Stmt b(d->store, u"INSERT INTO balances(member_id, points, last_seq) VALUES(?,?,0) ON CONFLICT(member_id)"
                         " DO UPDATE SET points = excluded.points"_s);
        b.bindText(0, m.memberId);
        b.bindInt(1, total);
        if (auto st = exec(b, "update the balance from the hub"); !st)
            return st;
        // Lots hold the positive balance: this terminal's own lots first, the rest in one lot
        // for points the hub knows of (earned elsewhere). Their expiry is the hub's.
        // A member this terminal did not have until now has no lots (lots.member_id references
        // members): nothing to delete or add up, the two statements a new member skips.
        const QString hubLot = u"hub:"_s + m.memberId;
        qint64 ownLots = 0;
        if (exists) {
            Stmt del(d->store, u"DELETE FROM lots WHERE event_id = ?"_s);
            del.bindText(0, hubLot);
            if (auto st = exec(del, "update the hub's points lot"); !st)
                return st;
            // remaining > 0 (the sum is the same: remaining is never negative) lets SQLite use
            // the partial index lots_member; without it every member read the whole lots table.
            Stmt own(d->store, u"SELECT COALESCE(SUM(remaining),0) FROM lots WHERE member_id = ? AND remaining > 0"_s);
            own.bindText(0, m.memberId);
            ownLots = own.exec() && own.next() ? own.int64(0) : 0;
            own.finish();
        }
        const qint64 positive = qMax<qint64>(0, total);
        if (ownLots > positive) {
            if (auto st = d->ledger->consumeLots(m.memberId, ownLots - positive); !st)
                return st;
        } else if (ownLots < positive) {
            Stmt lot(d->store, u"INSERT INTO lots(event_id, member_id, earned_at, expires_at, remaining) VALUES(?,?,0,NULL,?)"_s);
            lot.bindText(0, hubLot);
            lot.bindText(1, m.memberId);
            lot.bindInt(2, positive - ownLots);
            if (auto st = exec(lot, "record the hub's points lot"); !st)
                return st;
        }
    }
    for (const HubAlert &a : batch.alerts) {
        Stmt q(d->store, u"INSERT OR IGNORE INTO alerts(alert_id, at, kind, member_id, detail) VALUES(?,?,?,?,?)"_s);
        q.bindText(0, a.alertId);
        q.bindInt(1, a.at);
        q.bindText(2, a.kind);
        q.bindText(3, a.memberId.isEmpty() ? QString() : a.memberId);
        q.bindText(4, a.detail);
        if (auto st = exec(q, "record the hub's alert"); !st)
            return st;
    }
    if (auto st = d->putSetting(u"feed_cursor"_s, QString::number(batch.cursor)); !st)
        return st;
    if (batch.complete && firstPull) {
        if (auto st = d->buildPhoneIndex(); !st)
            return st;
        if (auto st = d->putSetting(u"feed_caught_up"_s, QString::number(now)); !st)
            return st;
    }
    if (auto st = tx.commit(); !st)
        return st;
    if (firstPull && batch.complete && !d->anyStagedNames()) // else the merge of the names ends it
        d->preparingWal(false);
    return Ok{};
}

void Loyalty::Impl::preparingWal(bool on)
{
    Stmt(store, u"PRAGMA wal_autocheckpoint=%1"_s.arg(on ? Store::kPreparingWalPages : Store::kWalPages)).exec();
    if (!on) // now, in the sync, rather than in the cashier's next commit; and the file shrinks
        Stmt(store, u"PRAGMA wal_checkpoint(TRUNCATE)"_s).exec();
}

Status Loyalty::setLease(const SyncLease &lease)
{
    if (auto st = d->requireWritable(); !st)
        return st;
    CanonicalWriter w;
    w.beginObject()
        .field("expiresAt", lease.expiresAt)
        .field("issuedAt", lease.issuedAt)
        .field("leaseId", lease.leaseId)
        .field("maxCount", lease.maxCount)
        .field("memberCap", lease.memberCap)
        .field("receivedAt", d->now())
        .field("terminalCap", lease.terminalCap)
        .endObject();
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    if (auto st = d->putSetting(u"redemption_lease"_s, QString::fromUtf8(w.bytes())); !st)
        return st;
    return tx.commit();
}

namespace {

std::optional<Loyalty::SyncLease> leaseOf(const Loyalty::Impl &d)
{
    const QString text = d.setting(u"redemption_lease"_s);
    if (text.isEmpty())
        return std::nullopt;
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    Loyalty::SyncLease l;
    l.leaseId = o.value(u"leaseId"_s).toString();
    l.issuedAt = qint64(o.value(u"issuedAt"_s).toDouble());
    l.expiresAt = qint64(o.value(u"expiresAt"_s).toDouble());
    l.memberCap = qint64(o.value(u"memberCap"_s).toDouble());
    l.terminalCap = qint64(o.value(u"terminalCap"_s).toDouble());
    l.maxCount = qint64(o.value(u"maxCount"_s).toDouble());
    l.receivedAt = qint64(o.value(u"receivedAt"_s).toDouble());
    if (l.leaseId.isEmpty())
        return std::nullopt;
    return l;
}

std::pair<qint64, qint64> unconfirmed(const Loyalty::Impl &d, const QString &memberId)
{
    Stmt q(d.store, memberId.isEmpty()
                        ? u"SELECT COUNT(*), COALESCE(-SUM(points),0) FROM events WHERE type = 'redeem' AND server_seq IS NULL"_s
                        : u"SELECT COUNT(*), COALESCE(-SUM(points),0) FROM events WHERE type = 'redeem' AND server_seq IS NULL"
                          " AND member_id = ?"_s);
    if (!memberId.isEmpty())
        q.bindText(0, memberId);
    if (q.exec() && q.next())
        return {q.int64(0), q.int64(1)};
    return {0, 0};
}

} // namespace

std::optional<Loyalty::SyncLease> Loyalty::lease() const { return leaseOf(*d); }

std::pair<qint64, qint64> Loyalty::unconfirmedRedemptions(const QString &memberId) const { return unconfirmed(*d, memberId); }

Status Loyalty::Impl::checkLease(const QString &memberId, qint64 points) const
{
    if (setting(u"hub_key"_s).isEmpty()) // a store without a hub: its own balance is the truth
        return Ok{};
    const auto l = leaseOf(*this);
    // The lease runs for its length from when this terminal received it, by this terminal's
    // clock: a clock days ahead or a year behind the hub's neither stretches nor voids it. A
    // clock set back before the lease arrived voids it (someone is winding the clock).
    const qint64 t = now();
    if (!l || t >= l->receivedAt + (l->expiresAt - l->issuedAt) || t < l->receivedAt - 5 * 60'000)
        return err(u"lease_exceeded", u"This terminal has not reached the hub for too long to redeem offline. The member can "
                                      "redeem once the terminal is back online; earning works as usual."_s);
    const auto [count, spent] = unconfirmed(*this, {});
    const qint64 memberSpent = unconfirmed(*this, memberId).second;
    if (count + 1 > l->maxCount || spent + points > l->terminalCap || memberSpent + points > l->memberCap)
        return err(u"lease_exceeded", u"This redemption is beyond what the terminal may redeem while offline. The member can "
                                      "redeem once the terminal is back online; earning works as usual."_s);
    return Ok{};
}

} // namespace setia
