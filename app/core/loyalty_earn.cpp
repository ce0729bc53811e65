#include "loyalty_p.h"

#include "crypto.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QVariant>

using namespace Qt::StringLiterals;

namespace setia {

MemberFacts Loyalty::Impl::facts(const MemberRow &row, const Program &p, qint64 at, qint64 *tierTotal) const
{
    // Two reads instead of one per rule: every figure the rules need comes from the member's
    // events over the longest window, read once from the covering index events_member, and the
    // member's bonus events (birthday, anniversary, missions) read once. The figures are the same
    // as those of one query per rule (tst_rules, tst_property); see docs/performance.md.
    MemberFacts f;
    f.memberId = row.memberId;
    f.tierId = row.tierId;
    f.enrolledAtMs = row.enrolledAt;
    f.referrerId = row.referrerId;
    const auto [dayStart, dayEnd] = storeDayBounds(at, p.timeZone);
    constexpr qint64 kDay = 86'400'000LL;
    const qint64 tierFrom = at - qint64(p.tierWindowDays) * kDay;
    qint64 from = qMin(dayStart, at);
    if (tierTotal && !p.tiers.isEmpty())
        from = qMin(from, tierFrom);
    struct MissionSum {
        const Mission *mission;
        qint64 from;
        qint64 progress = 0;
    };
    QList<MissionSum> sums;
    sums.reserve(p.missions.size());
    qint64 bonusFrom = at - 400 * kDay; // a bonus of this (store) year happened less than 400 days ago
    for (const auto &m : p.missions) {
        sums.append({&m, at - qint64(m.windowDays) * kDay});
        from = qMin(from, sums.last().from);
        bonusFrom = qMin(bonusFrom, sums.last().from);
    }
    qint64 tier = 0;
    {
        Stmt q(store, u"SELECT occurred_at, CASE type WHEN 'earn' THEN 1 WHEN 'reverse' THEN 2 WHEN 'bonus' THEN 3 ELSE 0 END,"
                      " points, amount FROM events WHERE member_id = ? AND occurred_at >= ?"_s);
        q.bindText(0, row.memberId);
        q.bindInt(1, from);
        if (q.exec()) {
            const bool spendBasis = p.tierBasis == u"spend"_s;
            while (q.next()) {
                const qint64 t = q.int64(0);
                const qint64 type = q.int64(1);
                const qint64 points = q.int64(2), amount = q.int64(3);
                const bool earn = type == 1, reverse = type == 2, bonus = type == 3;
                if (earn && t >= dayStart && t < dayEnd)
                    f.pointsEarnedToday += points;
                if (t > at)
                    continue;
                if (t > tierFrom && (earn || reverse || bonus))
                    tier += spendBasis ? amount : points;
                for (MissionSum &ms : sums) {
                    if (t <= ms.from)
                        continue;
                    if (ms.mission->kind == u"visits"_s ? earn : (earn || reverse))
                        ms.progress += ms.mission->kind == u"visits"_s ? 1 : amount;
                }
            }
        }
    }
    if (tierTotal)
        *tierTotal = tier;
    for (const MissionSum &ms : sums)
        f.missions.insert(ms.mission->id, MissionProgress{ms.progress, false});
    if (!row.referrerId.isEmpty()) {
        Stmt q(store, u"SELECT 1 FROM events WHERE member_id = ? AND type = 'earn' LIMIT 1"_s);
        q.bindText(0, row.memberId);
        f.firstPurchase = q.exec() && !q.next();
    }
    if (p.birthdayBonus > 0 || p.anniversaryBonus > 0 || !p.missions.isEmpty()) {
        Stmt q(store, u"SELECT occurred_at, json_extract(payload, '$.kind'), json_extract(payload, '$.id') FROM events"
                      " WHERE member_id = ? AND type = 'bonus' AND occurred_at > ?"_s);
        q.bindText(0, row.memberId);
        q.bindInt(1, bonusFrom);
        if (q.exec()) {
            while (q.next()) {
                const qint64 t = q.int64(0);
                const QString kind = q.text(1);
                if (kind == u"birthday"_s)
                    f.birthdayAwardedYear = qMax(f.birthdayAwardedYear, int(q.int64(2)));
                else if (kind == u"anniversary"_s)
                    f.anniversaryAwardedYear = qMax(f.anniversaryAwardedYear, int(q.int64(2)));
                else if (kind == u"mission"_s && t <= at)
                    for (const MissionSum &ms : sums)
                        if (t > ms.from && ms.mission->id == q.text(2))
                            f.missions[ms.mission->id].completedInWindow = true;
            }
        }
    }
    // The birth date is encrypted: decrypt it only when a birthday bonus is still possible this year.
    if (p.birthdayBonus > 0 && f.birthdayAwardedYear != storeTime(at, p.timeZone).date().year())
        f.birthDate = decryptProfile(row).birthDate;
    return f;
}

Result<EarnComputation> Loyalty::quote(const QString &memberId, const Basket &basket) const
{
    ReadScope scope(d->store);
    const qint64 now = d->now();
    auto p = d->programAt(now);
    if (!p)
        return p.error();
    Basket b = basket;
    if (b.receiptId.isEmpty())
        b.receiptId = u"quote"_s;
    if (auto st = validateBasket(b, p.value()); !st)
        return st.error();
    auto row = d->activeMember(memberId);
    if (!row)
        return row.error();
    return computeEarn(p.value(), b, d->facts(row.value(), p.value(), now), now);
}

Result<EarnResult> Loyalty::earn(const QString &memberId, const Basket &basket, const QString &actor)
{
    if (auto st = d->requireWritable(); !st)
        return st.error();
    const qint64 now = d->now();
    auto p = d->programAt(now);
    if (!p)
        return p.error();
    const Program &program = p.value();
    if (auto st = validateBasket(basket, program); !st)
        return st.error();
    CanonicalWriter request; // canonicalJson({"basket": basketToJson(basket), "member": memberId})
    request.beginObject().key("basket");
    writeBasketJson(request, basket, true);
    request.field("member", memberId).endObject();
    const QString requestHash = sha256Hex(request.bytes());
    {
        // Idempotency: the same receipt earns once; a retry gets the original answer.
        Stmt q(d->store, u"SELECT request_hash, result FROM receipts WHERE receipt_id = ?"_s);
        q.addBindValue(basket.receiptId);
        if (!q.exec())
            return sqlError(q, "read the receipts");
        if (q.next()) {
            if (q.value(0).toString() != requestHash)
                return err(u"receipt_conflict",
                           u"Receipt %1 already earned points with different content; a new sale needs a new receipt number."_s
                               .arg(basket.receiptId));
            EarnResult r = EarnResult::fromJson(QJsonDocument::fromJson(q.value(1).toByteArray()).object());
            r.replayed = true;
            r.balance = d->ledger->balance(r.memberId);
            return r;
        }
    }
    auto row = d->activeMember(memberId);
    if (!row)
        return row.error();

    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    qint64 tierTotal = 0;
    const EarnComputation c = computeEarn(program, basket, d->facts(row.value(), program, now, &tierTotal), now);

    const qint64 expiresAt = program.expiryDays > 0 ? now + qint64(program.expiryDays) * 86'400'000LL : 0;

    LedgerEvent e;
    e.type = EventType::Earn;
    e.memberId = memberId;
    e.points = c.points;
    e.amount = basket.total;
    e.receiptId = basket.receiptId;
    e.actor = actor;
    e.occurredAt = now;
    CanonicalWriter payload; // {basket (without receiptId), eligible, explanation, programVersion}
    payload.beginObject().key("basket");
    writeBasketJson(payload, basket, false);
    payload.field("eligible", c.eligibleAmount).key("explanation");
    writeExplanationJson(payload, c.lines);
    payload.field("programVersion", program.version).endObject();
    e.payloadJson = payload.bytes();
    auto earned = d->append(e, expiresAt);
    if (!earned)
        return earned.error();

    EarnResult result;
    result.memberId = memberId;
    result.receiptId = basket.receiptId;
    result.eventId = earned->eventId;
    result.points = c.points;
    result.explanation = c.lines;
    QStringList touched{memberId};
    for (const BonusAward &b : c.bonuses) {
        if (b.memberId != memberId) {
            auto other = d->activeMember(b.memberId);
            if (!other)
                continue; // a referrer who left or was blocked gets nothing; the sale goes on
            touched << b.memberId;
        }
        LedgerEvent be;
        be.type = EventType::Bonus;
        be.memberId = b.memberId;
        be.points = b.points;
        be.receiptId = basket.receiptId;
        be.refEventId = earned->eventId;
        be.actor = actor;
        be.occurredAt = now;
        be.payload = QJsonObject{{u"kind"_s, b.kind}, {u"id"_s, b.id}, {u"label"_s, b.label}, {u"badge"_s, b.badge}};
        if (auto ok = d->append(be, expiresAt); !ok)
            return ok.error();
        if (b.memberId == memberId) {
            result.bonusPoints += b.points;
            if (program.tierBasis != u"spend"_s)
                tierTotal += b.points;
        }
        if (!b.badge.isEmpty()) {
            Stmt q(d->store, u"INSERT OR IGNORE INTO badges(member_id, badge, awarded_at) VALUES(?,?,?)"_s);
            q.addBindValue(b.memberId);
            q.addBindValue(b.badge);
            q.addBindValue(now);
            if (auto st = exec(q, "award the badge"); !st)
                return st.error();
        }
    }
    // This sale counts in the member's tier window; the window's total before it came with the facts.
    tierTotal += program.tierBasis == u"spend"_s ? basket.total : c.points;
    auto moved = d->updateTier(row.value(), program, actor, tierTotal, &result.tierId);
    if (!moved)
        return moved.error();
    result.tierChanged = moved.value();
    for (const QString &m : touched.mid(1))
        if (auto other = d->updateTier(m, program, actor); !other)
            return other.error();
    result.balance = d->ledger->balance(memberId);

    Stmt r(d->store, u"INSERT INTO receipts(receipt_id, member_id, earn_event_id, amount, points, request_hash, result, at)"
              " VALUES(?,?,?,?,?,?,?,?)"_s);
    r.addBindValue(basket.receiptId);
    r.addBindValue(memberId);
    r.addBindValue(earned->eventId);
    r.addBindValue(basket.total);
    r.addBindValue(c.points);
    r.addBindValue(requestHash);
    CanonicalWriter answer; // the answer a retry of this receipt gets
    result.writeJson(answer);
    r.addBindValue(QString::fromUtf8(answer.bytes()));
    r.addBindValue(now);
    if (auto st = exec(r, "record the receipt"); !st)
        return st.error();
    if (auto st = tx.commit(); !st)
        return st.error();
    return result;
}

namespace {

// The answer kept under a request id (canonical JSON, keys sorted); replayed is not kept.
QByteArray reverseAnswer(const ReverseResult &r)
{
    CanonicalWriter w;
    w.beginObject()
        .field("balance", r.balance)
        .field("fullyRefunded", r.fullyRefunded)
        .field("memberId", r.memberId)
        .field("pointsReversed", r.pointsReversed)
        .field("receiptId", r.receiptId)
        .field("refundedAmount", r.refundedAmount)
        .endObject();
    return w.bytes();
}

ReverseResult reverseFromAnswer(const QJsonObject &o)
{
    ReverseResult r;
    r.balance = o.value(u"balance"_s).toInteger();
    r.fullyRefunded = o.value(u"fullyRefunded"_s).toBool();
    r.memberId = o.value(u"memberId"_s).toString();
    r.pointsReversed = o.value(u"pointsReversed"_s).toInteger();
    r.receiptId = o.value(u"receiptId"_s).toString();
    r.refundedAmount = o.value(u"refundedAmount"_s).toInteger();
    r.replayed = true;
    return r;
}

} // namespace

Result<ReverseResult> Loyalty::reverse(const QString &receiptId, std::optional<qint64> refundAmount, const QString &reason,
                                       const QString &actor, const QString &requestId)
{
    if (auto st = d->requireWritable(); !st)
        return st.error();
    QString requestHash;
    if (!requestId.isEmpty()) {
        // Before any check: after the first refund the receipt may be fully refunded, and a retry
        // must still get the original answer, not already_refunded (nor a second refund).
        CanonicalWriter w;
        w.beginObject()
            .field("amount", refundAmount.value_or(0))
            .field("op", u"reverse"_s)
            .field("reason", nonNull(reason.trimmed()))
            .field("receipt", nonNull(receiptId))
            .field("whole", !refundAmount.has_value())
            .endObject();
        requestHash = sha256Hex(w.bytes());
        auto stored = d->storedAnswer(requestId, requestHash);
        if (!stored)
            return stored.error();
        if (*stored)
            return reverseFromAnswer(**stored);
    }
    if (reason.trimmed().isEmpty())
        return err(u"reason_required", u"Say why the receipt is refunded."_s);
    Stmt q(d->store, u"SELECT member_id, earn_event_id, amount, points, refunded_amount, reversed_points FROM receipts WHERE receipt_id = ?"_s);
    q.addBindValue(receiptId);
    if (!q.exec())
        return sqlError(q, "read the receipt");
    if (!q.next())
        return err(u"unknown_receipt", u"Receipt %1 earned no points here; nothing to reverse."_s.arg(receiptId));
    const QString memberId = q.value(0).toString();
    const QString earnEvent = q.value(1).toString();
    const qint64 amount = q.value(2).toLongLong(), points = q.value(3).toLongLong();
    const qint64 refunded = q.value(4).toLongLong(), reversed = q.value(5).toLongLong();
    q.finish();
    const qint64 left = amount - refunded;
    if (left <= 0 && (amount > 0 || reversed >= points))
        return err(u"already_refunded", u"Receipt %1 was already fully refunded."_s.arg(receiptId));
    const qint64 refund = refundAmount.value_or(left);
    if (refund <= 0)
        return err(u"invalid_refund", u"The refund amount must be more than zero."_s);
    if (refund > left)
        return err(u"invalid_refund", u"The refund (%1) is more than what is left on the receipt (%2)."_s.arg(refund).arg(left));
    const qint64 cumulative = refunded + refund;
    const bool full = cumulative == amount;
    // Rounded up, so that a member never keeps points for what they returned.
    const qint64 target = full || amount == 0 ? points : qint64((Int128(points) * cumulative + amount - 1) / amount);
    // Points of this sale that already expired are gone: a refund takes back at most the rest.
    qint64 expired = 0;
    {
        Stmt x(d->store, u"SELECT COALESCE(-SUM(points),0) FROM events WHERE type = 'expire' AND ref_event_id = ?"_s);
        x.addBindValue(earnEvent);
        if (x.exec() && x.next())
            expired = x.value(0).toLongLong();
    }
    const qint64 delta = qMax<qint64>(0, qMin(qMin(points, target), points - expired) - reversed);
    auto p = d->programAt(d->now());

    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    ReverseResult result;
    result.receiptId = receiptId;
    result.memberId = memberId;
    result.refundedAmount = refund;
    result.fullyRefunded = full;
    LedgerEvent e;
    e.type = EventType::Reverse;
    e.memberId = memberId;
    e.points = -delta;
    e.amount = -refund;
    e.receiptId = receiptId;
    e.refEventId = earnEvent;
    e.actor = actor;
    e.payload = QJsonObject{{u"reason"_s, reason.trimmed()}, {u"refund"_s, refund}, {u"refundedTotal"_s, cumulative},
                            {u"full"_s, full}};
    if (auto ok = d->append(e); !ok)
        return ok.error();
    result.pointsReversed += delta;
    QStringList touched{memberId};
    if (full) {
        // Bonuses that came with the sale (birthday, mission, referral) go back with it.
        Stmt b(d->store, u"SELECT event_id, member_id, points FROM events WHERE ref_event_id = ? AND type = 'bonus'"
                  " AND event_id NOT IN (SELECT ref_event_id FROM events WHERE type = 'reverse' AND ref_event_id IS NOT NULL)"_s);
        b.addBindValue(earnEvent);
        if (!b.exec())
            return sqlError(b, "read the bonuses");
        QList<std::tuple<QString, QString, qint64>> bonuses;
        while (b.next())
            bonuses.append({b.value(0).toString(), b.value(1).toString(), b.value(2).toLongLong()});
        for (const auto &[id, member, pts] : bonuses) {
            LedgerEvent r;
            r.type = EventType::Reverse;
            r.memberId = member;
            r.points = -pts;
            r.receiptId = receiptId;
            r.refEventId = id;
            r.actor = actor;
            r.payload = QJsonObject{{u"reason"_s, reason.trimmed()}, {u"bonus"_s, true}};
            if (auto ok = d->append(r); !ok)
                return ok.error();
            result.pointsReversed += pts;
            if (!touched.contains(member))
                touched << member;
        }
    }
    Stmt u(d->store, u"UPDATE receipts SET refunded_amount = ?, reversed_points = ? WHERE receipt_id = ?"_s);
    u.addBindValue(cumulative);
    u.addBindValue(reversed + delta);
    u.addBindValue(receiptId);
    if (auto st = exec(u, "update the receipt"); !st)
        return st.error();
    if (auto st = d->audit(actor, u"reverse"_s, receiptId, u"refund %1 of %2, %3 points: %4"_s.arg(refund).arg(amount).arg(result.pointsReversed).arg(reason.trimmed())); !st)
        return st.error();
    if (p) {
        for (const QString &m : touched)
            if (auto moved = d->updateTier(m, p.value(), actor); !moved)
                return moved.error();
    }
    result.balance = d->ledger->balance(memberId);
    if (!requestId.isEmpty())
        if (auto st = d->storeAnswer(requestId, u"reverse"_s, requestHash, reverseAnswer(result)); !st)
            return st.error();
    if (auto st = tx.commit(); !st)
        return st.error();
    return result;
}

std::pair<qint64, qint64> Loyalty::expiringPoints(const QString &memberId, int days) const
{
    Stmt q(d->store, u"SELECT COALESCE(SUM(remaining),0), COALESCE(MIN(expires_at),0) FROM lots WHERE member_id = ?"
                     " AND remaining > 0 AND expires_at IS NOT NULL AND expires_at <= ?"_s);
    q.addBindValue(memberId);
    q.addBindValue(d->now() + qint64(days) * 86'400'000LL);
    if (q.exec() && q.next())
        return {q.value(0).toLongLong(), q.value(1).toLongLong()};
    return {0, 0};
}

Result<QList<Loyalty::MissionStatus>> Loyalty::missions(const QString &memberId) const
{
    const qint64 now = d->now();
    auto p = d->programAt(now);
    if (!p)
        return p.error();
    auto row = d->memberRow(memberId);
    if (!row)
        return row.error();
    const MemberFacts f = d->facts(row.value(), p.value(), now);
    QList<MissionStatus> out;
    for (const auto &m : p->missions) {
        const MissionProgress mp = f.missions.value(m.id);
        out << MissionStatus{m.id, m.name, m.kind, m.badge, mp.progress, m.target, m.bonusPoints, mp.completedInWindow};
    }
    return out;
}

} // namespace setia
