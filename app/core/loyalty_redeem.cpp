#include "loyalty_p.h"

#include "crypto.h"
#include "ids.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QVariant>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace setia {

namespace {

// Fraud limits on redemption, per member per store day.
Status checkRedeemLimits(const Loyalty::Impl &d, const Program &p, const QString &memberId, qint64 points)
{
    if (auto st = d.checkLease(memberId, points); !st)
        return st;
    if (!p.maxRedemptionsPerMemberPerDay && !p.maxRedeemPointsPerMemberPerDay)
        return Ok{};
    const auto [start, end] = storeDayBounds(d.now(), p.timeZone);
    Stmt q(d.store, u"SELECT COUNT(*), COALESCE(-SUM(points),0) FROM events WHERE member_id = ? AND type = 'redeem'"
              " AND occurred_at >= ? AND occurred_at < ?"_s);
    q.addBindValue(memberId);
    q.addBindValue(start);
    q.addBindValue(end);
    if (!q.exec() || !q.next())
        return sqlError(q, "read today's redemptions");
    const qint64 count = q.value(0).toLongLong(), spent = q.value(1).toLongLong();
    if (p.maxRedemptionsPerMemberPerDay && count + 1 > *p.maxRedemptionsPerMemberPerDay)
        return err(u"redeem_limit", u"This member already redeemed %1 times today, the daily limit; they can redeem again tomorrow."_s.arg(count));
    if (p.maxRedeemPointsPerMemberPerDay && spent + points > *p.maxRedeemPointsPerMemberPerDay)
        return err(u"redeem_limit", u"Redeeming %1 points would pass today's limit of %2 (already %3 today)."_s
                                        .arg(points)
                                        .arg(*p.maxRedeemPointsPerMemberPerDay)
                                        .arg(spent));
    return Ok{};
}

// An unusually large redemption is allowed (within the limits) but a manager is told.
Status alertLargeRedemption(Loyalty::Impl &d, const Program &p, const QString &memberId, qint64 points, const QString &actor)
{
    if (p.redemptionAlertPoints <= 0 || points < p.redemptionAlertPoints)
        return Ok{};
    return d.raiseAlert(u"large_redemption"_s, memberId,
                        u"%1 points redeemed at once (alert from %2), cashier %3."_s.arg(points).arg(p.redemptionAlertPoints).arg(actor));
}

Status checkBalance(const Program &p, qint64 balance, qint64 points)
{
    if (!p.allowNegativeBalance && balance < points)
        return err(u"insufficient_points", u"Not enough points: this needs %1 and the member has %2."_s.arg(points).arg(balance));
    return Ok{};
}

// The answers kept under a request id (canonical JSON, keys sorted); replayed is not kept.
QByteArray redeemAnswer(const RedeemResult &r)
{
    CanonicalWriter w;
    w.beginObject()
        .field("balance", r.balance)
        .field("eventId", r.eventId)
        .field("memberId", r.memberId)
        .field("points", r.points)
        .field("rewardId", r.rewardId)
        .field("value", r.value)
        .field("voucherCode", r.voucherCode)
        .endObject();
    return w.bytes();
}

RedeemResult redeemFromAnswer(const QJsonObject &o)
{
    RedeemResult r;
    r.balance = o.value(u"balance"_s).toInteger();
    r.eventId = o.value(u"eventId"_s).toString();
    r.memberId = o.value(u"memberId"_s).toString();
    r.points = o.value(u"points"_s).toInteger();
    r.rewardId = o.value(u"rewardId"_s).toString();
    r.value = o.value(u"value"_s).toInteger();
    r.voucherCode = o.value(u"voucherCode"_s).toString();
    r.replayed = true;
    return r;
}

QByteArray voucherAnswer(const VoucherView &v)
{
    CanonicalWriter w;
    w.beginObject()
        .field("code", v.code)
        .field("discount", v.discount)
        .field("expiresAt", v.expiresAt)
        .field("issuedAt", v.issuedAt)
        .field("memberId", v.memberId)
        .field("minSpend", v.minSpend)
        .field("status", v.status)
        .field("typeId", v.typeId)
        .field("usedAt", v.usedAt)
        .endObject();
    return w.bytes();
}

VoucherView voucherFromAnswer(const QJsonObject &o)
{
    VoucherView v;
    v.code = o.value(u"code"_s).toString();
    v.discount = o.value(u"discount"_s).toInteger();
    v.expiresAt = o.value(u"expiresAt"_s).toInteger();
    v.issuedAt = o.value(u"issuedAt"_s).toInteger();
    v.memberId = o.value(u"memberId"_s).toString();
    v.minSpend = o.value(u"minSpend"_s).toInteger();
    v.status = o.value(u"status"_s).toString();
    v.typeId = o.value(u"typeId"_s).toString();
    v.usedAt = o.value(u"usedAt"_s).toInteger();
    v.replayed = true;
    return v;
}

} // namespace

// ---- client request ids ----

bool Loyalty::Impl::validRequestId(const QString &requestId)
{
    if (requestId.isEmpty() || requestId.size() > 128)
        return false;
    return std::all_of(requestId.begin(), requestId.end(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'.' || c == u'_'
            || c == u':' || c == u'-';
    });
}

Result<std::optional<QJsonObject>> Loyalty::Impl::storedAnswer(const QString &requestId, const QString &requestHash) const
{
    if (!validRequestId(requestId))
        return err(u"invalid_request_id",
                   u"A request id is 1 to 128 letters, digits and . _ : - (a UUID, say); this one is not."_s);
    Stmt q(store, u"SELECT operation, request_hash, result FROM client_requests WHERE request_id = ?"_s);
    q.bindText(0, requestId);
    if (!q.exec())
        return sqlError(q, "read the request ids");
    if (!q.next())
        return std::optional<QJsonObject>();
    if (q.text(1) != requestHash)
        return err(u"request_conflict", u"Request id %1 was already used for a different request (%2); a new request needs a new id."_s
                                            .arg(requestId, q.text(0)));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(q.text(2).toUtf8(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return err(u"store_error", u"The answer kept for request id %1 is damaged; run: setiactl integrity"_s.arg(requestId));
    return std::optional<QJsonObject>(doc.object());
}

Status Loyalty::Impl::storeAnswer(const QString &requestId, const QString &operation, const QString &requestHash,
                                  const QByteArray &answer)
{
    Stmt q(store, u"INSERT INTO client_requests(request_id, operation, request_hash, result, at) VALUES(?,?,?,?,?)"_s);
    q.bindText(0, requestId);
    q.bindText(1, operation);
    q.bindText(2, requestHash);
    q.bindText(3, QString::fromUtf8(answer));
    q.bindInt(4, now());
    return exec(q, "keep the request's answer");
}

Result<RedeemResult> Loyalty::redeemReward(const QString &memberId, const QString &rewardId, const QString &actor,
                                           const QString &requestId)
{
    if (auto st = d->requireWritable(); !st)
        return st.error();
    QString requestHash;
    if (!requestId.isEmpty()) {
        // Before any rule: a retry must get the original answer even when the stock or the
        // balance would now refuse it.
        CanonicalWriter w;
        w.beginObject().field("member", memberId).field("op", u"redeem_reward"_s).field("reward", rewardId).endObject();
        requestHash = sha256Hex(w.bytes());
        auto stored = d->storedAnswer(requestId, requestHash);
        if (!stored)
            return stored.error();
        if (*stored)
            return redeemFromAnswer(**stored);
    }
    const qint64 now = d->now();
    auto p = d->programAt(now);
    if (!p)
        return p.error();
    const Reward *reward = p->reward(rewardId);
    if (!reward)
        return err(u"unknown_reward", u"There is no reward '%1' in the program."_s.arg(rewardId));
    if ((reward->validFromMs && now < *reward->validFromMs) || (reward->validToMs && now >= *reward->validToMs))
        return err(u"reward_unavailable", u"%1 is not available today."_s.arg(reward->name));
    auto row = d->activeMember(memberId);
    if (!row)
        return row.error();
    if (reward->stock) {
        Stmt q(d->store, u"SELECT redeemed FROM reward_stock WHERE reward_id = ?"_s);
        q.addBindValue(rewardId);
        const qint64 used = q.exec() && q.next() ? q.value(0).toLongLong() : 0;
        if (used >= *reward->stock)
            return err(u"out_of_stock", u"%1 is out of stock."_s.arg(reward->name));
    }
    if (auto st = checkBalance(p.value(), d->ledger->balance(memberId), reward->cost); !st)
        return st.error();
    if (auto st = checkRedeemLimits(*d, p.value(), memberId, reward->cost); !st)
        return st.error();

    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    LedgerEvent e;
    e.type = EventType::Redeem;
    e.memberId = memberId;
    e.points = -reward->cost;
    e.actor = actor;
    e.payload = QJsonObject{{u"kind"_s, u"reward"_s}, {u"reward"_s, reward->id}, {u"name"_s, reward->name}};
    auto ev = d->append(e);
    if (!ev)
        return ev.error();
    Stmt s(d->store, u"INSERT INTO reward_stock(reward_id, redeemed) VALUES(?, 1) ON CONFLICT(reward_id) DO UPDATE SET redeemed = redeemed + 1"_s);
    s.addBindValue(rewardId);
    if (auto st = exec(s, "update the reward stock"); !st)
        return st.error();
    RedeemResult r;
    r.memberId = memberId;
    r.eventId = ev->eventId;
    r.rewardId = rewardId;
    r.points = reward->cost;
    if (!reward->voucherId.isEmpty()) {
        auto v = d->issueVoucherTx(memberId, *p->voucherType(reward->voucherId), actor, ev->eventId);
        if (!v)
            return v.error();
        r.voucherCode = v->code;
    }
    r.balance = d->ledger->balance(memberId);
    if (auto st = alertLargeRedemption(*d, p.value(), memberId, reward->cost, actor); !st)
        return st.error();
    if (!requestId.isEmpty())
        if (auto st = d->storeAnswer(requestId, u"redeem_reward"_s, requestHash, redeemAnswer(r)); !st)
            return st.error();
    if (auto st = tx.commit(); !st)
        return st.error();
    return r;
}

Result<RedeemResult> Loyalty::redeemPoints(const QString &memberId, qint64 points, const QString &receiptId, const QString &actor,
                                           const QString &requestId)
{
    if (auto st = d->requireWritable(); !st)
        return st.error();
    QString requestHash;
    if (!requestId.isEmpty()) {
        CanonicalWriter w;
        w.beginObject()
            .field("member", memberId)
            .field("op", u"redeem_points"_s)
            .field("points", points)
            .field("receipt", nonNull(receiptId))
            .endObject();
        requestHash = sha256Hex(w.bytes());
        auto stored = d->storedAnswer(requestId, requestHash);
        if (!stored)
            return stored.error();
        if (*stored)
            return redeemFromAnswer(**stored);
    }
    auto p = d->programAt(d->now());
    if (!p)
        return p.error();
    if (p->paymentValuePerPoint <= 0)
        return err(u"points_not_payment", u"This program does not let points pay for a purchase."_s);
    if (points < qMax<qint64>(1, p->paymentMinPoints))
        return err(u"invalid_points", u"At least %1 points are needed to pay with points."_s.arg(qMax<qint64>(1, p->paymentMinPoints)));
    if (points > 1'000'000'000LL)
        return err(u"invalid_points", u"That is more points than any member can have."_s);
    auto row = d->activeMember(memberId);
    if (!row)
        return row.error();
    if (!receiptId.isEmpty()) {
        // A POS that retries after a timeout must not charge the points twice.
        Stmt q(d->store, u"SELECT event_id, member_id, -points, amount FROM events WHERE type = 'redeem' AND receipt_id = ?"
                         " AND json_extract(payload, '$.kind') = 'payment'"_s);
        q.addBindValue(receiptId);
        if (q.exec() && q.next()) {
            if (q.value(1).toString() != memberId || q.value(2).toLongLong() != points)
                return err(u"receipt_conflict", u"Receipt %1 was already paid with %2 points; a new payment needs a new receipt number."_s
                                                    .arg(receiptId)
                                                    .arg(q.value(2).toLongLong()));
            RedeemResult r;
            r.memberId = memberId;
            r.eventId = q.value(0).toString();
            r.points = points;
            r.value = q.value(3).toLongLong();
            r.balance = d->ledger->balance(memberId);
            r.replayed = true;
            return r;
        }
    }
    if (auto st = checkBalance(p.value(), d->ledger->balance(memberId), points); !st)
        return st.error();
    if (auto st = checkRedeemLimits(*d, p.value(), memberId, points); !st)
        return st.error();
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    const qint64 value = points * p->paymentValuePerPoint;
    LedgerEvent e;
    e.type = EventType::Redeem;
    e.memberId = memberId;
    e.points = -points;
    e.amount = value;
    e.receiptId = receiptId;
    e.actor = actor;
    e.payload = QJsonObject{{u"kind"_s, u"payment"_s}, {u"value"_s, value}, {u"currency"_s, p->currency}};
    auto ev = d->append(e);
    if (!ev)
        return ev.error();
    RedeemResult r;
    r.memberId = memberId;
    r.eventId = ev->eventId;
    r.points = points;
    r.value = value;
    r.balance = d->ledger->balance(memberId);
    if (auto st = alertLargeRedemption(*d, p.value(), memberId, points, actor); !st)
        return st.error();
    if (!requestId.isEmpty())
        if (auto st = d->storeAnswer(requestId, u"redeem_points"_s, requestHash, redeemAnswer(r)); !st)
            return st.error();
    if (auto st = tx.commit(); !st)
        return st.error();
    return r;
}

Result<qint64> Loyalty::adjust(const QString &memberId, qint64 points, const QString &reason, const QString &actor)
{
    if (auto st = d->requireWritable(); !st)
        return st.error();
    if (reason.trimmed().size() < 3)
        return err(u"reason_required", u"A manual adjustment needs a reason (what happened, which receipt)."_s);
    if (actor.trimmed().isEmpty())
        return err(u"actor_required", u"A manual adjustment needs the name of the manager making it."_s);
    if (points == 0 || points > 1'000'000'000LL || points < -1'000'000'000LL)
        return err(u"invalid_points", u"The adjustment must be a non-zero number of points."_s);
    auto row = d->activeMember(memberId);
    if (!row)
        return row.error();
    auto p = d->programAt(d->now());
    const bool allowNegative = p && p->allowNegativeBalance;
    const qint64 balance = d->ledger->balance(memberId);
    if (points < 0 && balance + points < 0 && !allowNegative)
        return err(u"insufficient_points", u"Taking %1 points would leave the member below zero (balance %2)."_s.arg(-points).arg(balance));
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    LedgerEvent e;
    e.type = EventType::Adjust;
    e.memberId = memberId;
    e.points = points;
    e.actor = actor;
    e.payload = QJsonObject{{u"reason"_s, reason.trimmed()}};
    const qint64 expiresAt = p && p->expiryDays > 0 ? d->now() + qint64(p->expiryDays) * 86'400'000LL : 0;
    if (auto ok = d->append(e, expiresAt); !ok)
        return ok.error();
    if (auto st = d->audit(actor, u"adjust"_s, memberId, u"%1 points: %2"_s.arg(points).arg(reason.trimmed())); !st)
        return st.error();
    if (p && p->adjustmentAlertPoints > 0 && qAbs(points) >= p->adjustmentAlertPoints)
        if (auto st = d->raiseAlert(u"large_adjustment"_s, memberId,
                                     u"%1 adjusted %2 points (limit %3): %4"_s.arg(actor).arg(points).arg(p->adjustmentAlertPoints).arg(reason.trimmed()));
            !st)
            return st.error();
    const qint64 after = d->ledger->balance(memberId);
    if (auto st = tx.commit(); !st)
        return st.error();
    return after;
}

Result<VoucherView> Loyalty::Impl::issueVoucherTx(const QString &memberId, const VoucherType &type, const QString &actor,
                                                  const QString &refEventId)
{
    QString code;
    for (int attempt = 0; attempt < 8 && code.isEmpty(); ++attempt) {
        const QString c = normalizeHumanCode(makeHumanCode(random, 10));
        Stmt q(store, u"SELECT 1 FROM vouchers WHERE code = ?"_s);
        q.addBindValue(c);
        if (q.exec() && !q.next())
            code = c;
    }
    if (code.isEmpty())
        return err(u"store_error", u"Could not make a unique voucher code; try again."_s);
    VoucherView v;
    v.code = code;
    v.typeId = type.id;
    v.memberId = memberId;
    v.discount = type.discount;
    v.minSpend = type.minSpend;
    v.issuedAt = now();
    v.expiresAt = v.issuedAt + qint64(type.validDays) * 86'400'000LL;
    v.status = u"valid"_s;
    Stmt q(store, u"INSERT INTO vouchers(code, type_id, member_id, discount, min_spend, issued_at, expires_at) VALUES(?,?,?,?,?,?,?)"_s);
    q.addBindValue(code);
    q.addBindValue(type.id);
    q.addBindValue(memberId.isEmpty() ? QVariant() : QVariant(memberId));
    q.addBindValue(v.discount);
    q.addBindValue(v.minSpend);
    q.addBindValue(v.issuedAt);
    q.addBindValue(v.expiresAt);
    if (auto st = exec(q, "save the voucher"); !st)
        return st.error();
    LedgerEvent e;
    e.type = EventType::VoucherIssue;
    e.memberId = memberId;
    e.refEventId = refEventId;
    e.actor = actor;
    e.payload = QJsonObject{{u"code"_s, code}, {u"type"_s, type.id}, {u"discount"_s, v.discount},
                            {u"minSpend"_s, v.minSpend}, {u"expiresAt"_s, QString::number(v.expiresAt)}};
    if (auto ok = append(e); !ok)
        return ok.error();
    return v;
}

Result<VoucherView> Loyalty::issueVoucher(const QString &memberId, const QString &typeId, const QString &actor)
{
    if (auto st = d->requireWritable(); !st)
        return st.error();
    auto p = d->programAt(d->now());
    if (!p)
        return p.error();
    const VoucherType *type = p->voucherType(typeId);
    if (!type)
        return err(u"unknown_voucher_type", u"There is no voucher type '%1' in the program."_s.arg(typeId));
    if (!memberId.isEmpty())
        if (auto row = d->activeMember(memberId); !row)
            return row.error();
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    auto v = d->issueVoucherTx(memberId, *type, actor, QString());
    if (!v)
        return v;
    if (auto st = tx.commit(); !st)
        return st.error();
    return v;
}

Result<VoucherView> Loyalty::useVoucher(const QString &code, const QString &receiptId, qint64 basketTotal, const QString &actor,
                                        const QString &requestId)
{
    if (auto st = d->requireWritable(); !st)
        return st.error();
    const QString c = normalizeHumanCode(code);
    QString requestHash;
    if (!requestId.isEmpty()) {
        // Before the voucher is read: once used, a retry would otherwise be refused as voucher_used.
        CanonicalWriter w;
        w.beginObject()
            .field("basketTotal", basketTotal)
            .field("code", nonNull(c))
            .field("op", u"use_voucher"_s)
            .field("receipt", nonNull(receiptId))
            .endObject();
        requestHash = sha256Hex(w.bytes());
        auto stored = d->storedAnswer(requestId, requestHash);
        if (!stored)
            return stored.error();
        if (*stored)
            return voucherFromAnswer(**stored);
    }
    if (!isValidHumanCode(c))
        return err(u"invalid_voucher", u"'%1' is not a voucher code; check it for a typo."_s.arg(code.left(40)));
    if (receiptId.trimmed().isEmpty())
        return err(u"invalid_voucher", u"A voucher is used on a receipt; give the receipt number."_s);
    Stmt q(d->store, u"SELECT type_id, COALESCE(member_id,''), discount, min_spend, issued_at, expires_at, COALESCE(used_at,0),"
              " COALESCE(used_receipt,'') FROM vouchers WHERE code = ?"_s);
    q.addBindValue(c);
    if (!q.exec())
        return sqlError(q, "read the voucher");
    if (!q.next())
        return err(u"unknown_voucher", u"Voucher %1 was not issued by this program."_s.arg(code));
    VoucherView v;
    v.code = c;
    v.typeId = q.value(0).toString();
    v.memberId = q.value(1).toString();
    v.discount = q.value(2).toLongLong();
    v.minSpend = q.value(3).toLongLong();
    v.issuedAt = q.value(4).toLongLong();
    v.expiresAt = q.value(5).toLongLong();
    v.usedAt = q.value(6).toLongLong();
    const QString usedOn = q.value(7).toString();
    q.finish();
    if (v.usedAt)
        return err(u"voucher_used", u"Voucher %1 was already used (receipt %2)."_s.arg(code, usedOn));
    if (v.expiresAt <= d->now())
        return err(u"voucher_expired", u"Voucher %1 has expired."_s.arg(code));
    if (basketTotal < v.minSpend)
        return err(u"voucher_min_spend", u"Voucher %1 needs a purchase of at least %2; this one is %3."_s.arg(code).arg(v.minSpend).arg(basketTotal));
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    const qint64 usedAt = d->now();
    Stmt u(d->store, u"UPDATE vouchers SET used_at = ?, used_receipt = ? WHERE code = ? AND used_at IS NULL"_s);
    u.addBindValue(usedAt);
    u.addBindValue(receiptId);
    u.addBindValue(c);
    if (auto st = exec(u, "mark the voucher used"); !st)
        return st.error();
    if (u.numRowsAffected() != 1)
        return err(u"voucher_used", u"Voucher %1 was already used."_s.arg(code));
    LedgerEvent e;
    e.type = EventType::VoucherUse;
    e.memberId = v.memberId;
    e.amount = v.discount;
    e.receiptId = receiptId;
    e.actor = actor;
    e.payload = QJsonObject{{u"code"_s, c}, {u"type"_s, v.typeId}, {u"discount"_s, v.discount}};
    if (auto ok = d->append(e); !ok)
        return ok.error();
    v.usedAt = usedAt;
    v.status = u"used"_s;
    if (!requestId.isEmpty())
        if (auto st = d->storeAnswer(requestId, u"use_voucher"_s, requestHash, voucherAnswer(v)); !st)
            return st.error();
    if (auto st = tx.commit(); !st)
        return st.error();
    return v;
}

Result<qint64> Loyalty::expirePoints(const QString &actor)
{
    if (auto st = d->requireWritable(); !st)
        return st.error();
    qint64 expired = 0;
    for (;;) {
        Stmt q(d->store, u"SELECT event_id, member_id, remaining, expires_at FROM lots WHERE remaining > 0 AND expires_at IS NOT NULL"
                  " AND expires_at <= ? ORDER BY expires_at LIMIT 200"_s);
        q.addBindValue(d->now());
        if (!q.exec())
            return sqlError(q, "read the expiring points");
        QList<std::tuple<QString, QString, qint64, qint64>> lots;
        while (q.next())
            lots.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toLongLong(), q.value(3).toLongLong()});
        q.finish();
        if (lots.isEmpty())
            break;
        WriteTransaction tx(d->store);
        if (!tx.begun())
            return err(u"store_busy", tx.error());
        for (const auto &[lot, member, remaining, at] : lots) {
            LedgerEvent e;
            e.type = EventType::Expire;
            e.memberId = member;
            e.points = -remaining;
            e.refEventId = lot;
            e.actor = actor;
            e.payload = QJsonObject{{u"lot"_s, lot}, {u"expiresAt"_s, QString::number(at)}};
            if (auto ok = d->append(e); !ok)
                return ok.error();
            expired += remaining;
        }
        if (auto st = tx.commit(); !st)
            return st.error();
    }
    return expired;
}

} // namespace setia
