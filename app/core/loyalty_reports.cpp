#include "loyalty_p.h"

#include "csv.h"
#include "phone.h"

#include <QDateTime>
#include <QTimeZone>
#include <QVariant>

using namespace Qt::StringLiterals;

namespace setia {

Report Loyalty::report(qint64 fromMs, qint64 toMs) const
{
    Report r;
    r.fromMs = fromMs;
    r.toMs = toMs;
    QString tz = d->setting(u"time_zone"_s);
    if (tz.isEmpty())
        tz = u"Asia/Jakarta"_s;
    QSqlQuery q = d->query();
    q.prepare(u"SELECT type, COALESCE(SUM(points),0), COUNT(*), COALESCE(SUM(amount),0), COUNT(DISTINCT member_id)"
              " FROM events WHERE occurred_at >= ? AND occurred_at < ? GROUP BY type"_s);
    q.addBindValue(fromMs);
    q.addBindValue(toMs);
    q.exec();
    while (q.next()) {
        const QString type = q.value(0).toString();
        const qint64 pts = q.value(1).toLongLong();
        if (type == EventType::Earn) {
            r.pointsEarned = pts;
            r.receipts = q.value(2).toLongLong();
            r.spend = q.value(3).toLongLong();
        } else if (type == EventType::Bonus) {
            r.pointsBonus = pts;
        } else if (type == EventType::Redeem) {
            r.pointsRedeemed = -pts;
            r.redemptions = q.value(2).toLongLong();
        } else if (type == EventType::Reverse) {
            r.pointsReversed = -pts;
            r.spend += q.value(3).toLongLong();
        } else if (type == EventType::Adjust) {
            r.pointsAdjusted = pts;
        } else if (type == EventType::Expire) {
            r.pointsExpired = -pts;
        } else if (type == EventType::Enroll) {
            r.membersEnrolled = q.value(2).toLongLong();
        }
    }
    q.prepare(u"SELECT COUNT(DISTINCT member_id) FROM events WHERE occurred_at >= ? AND occurred_at < ? AND type IN ('earn','redeem')"_s);
    q.addBindValue(fromMs);
    q.addBindValue(toMs);
    if (q.exec() && q.next())
        r.activeMembers = q.value(0).toLongLong();
    q.prepare(u"SELECT member_id, SUM(points) AS p FROM events WHERE occurred_at >= ? AND occurred_at < ?"
              " AND type IN ('earn','bonus') GROUP BY member_id ORDER BY p DESC, member_id LIMIT 10"_s);
    q.addBindValue(fromMs);
    q.addBindValue(toMs);
    if (q.exec())
        while (q.next())
            r.topMembers.append({q.value(0).toString(), q.value(1).toLongLong()});
    r.byHour.fill({0, 0}, 24);
    // Hours in the store's time zone: offset each event by the zone's offset at that instant.
    q.prepare(u"SELECT occurred_at, type, points FROM events WHERE occurred_at >= ? AND occurred_at < ? AND type IN ('earn','bonus','redeem')"_s);
    q.addBindValue(fromMs);
    q.addBindValue(toMs);
    q.setForwardOnly(true);
    const QTimeZone &zone = timeZone(tz);
    if (q.exec())
        while (q.next()) {
            const int hour = QDateTime::fromMSecsSinceEpoch(q.value(0).toLongLong(), zone).time().hour();
            const qint64 pts = q.value(2).toLongLong();
            if (q.value(1).toString() == EventType::Redeem)
                r.byHour[hour].second += -pts;
            else
                r.byHour[hour].first += pts;
        }
    return r;
}

QByteArray Loyalty::exportMembers(bool includePersonalData) const
{
    QByteArray out = csvLine(includePersonalData
                                 ? QStringList{u"member_id"_s, u"status"_s, u"tier"_s, u"balance"_s, u"enrolled_at"_s,
                                               u"home_store"_s, u"cards"_s, u"name"_s, u"phone"_s, u"email"_s,
                                               u"birth_date"_s, u"marketing_consent"_s, u"whatsapp_consent"_s}
                                 : QStringList{u"member_id"_s, u"status"_s, u"tier"_s, u"balance"_s, u"enrolled_at"_s,
                                               u"home_store"_s, u"cards"_s});
    QSqlQuery q = d->query();
    q.setForwardOnly(true);
    q.exec(u"SELECT m.member_id FROM members m ORDER BY m.enrolled_at, m.member_id"_s);
    QStringList ids;
    while (q.next())
        ids << q.value(0).toString();
    for (const QString &id : ids) {
        auto row = d->memberRow(id);
        if (!row)
            continue;
        auto v = d->view(row.value());
        if (!v)
            continue;
        QStringList cards;
        for (const auto &c : v->cards)
            if (c.status == u"active"_s)
                cards << c.number;
        QStringList f{id, v->status, v->tierId, QString::number(v->balance),
                      QDateTime::fromMSecsSinceEpoch(v->enrolledAt, QTimeZone::utc()).toString(Qt::ISODate), v->homeStore,
                      cards.join(u' ')};
        if (includePersonalData)
            f << csvSafe(v->profile.name) << v->profile.phone << csvSafe(v->profile.email)
              << (v->profile.birthDate.isValid() ? v->profile.birthDate.toString(Qt::ISODate) : QString())
              << (v->consentMarketingAt ? u"yes"_s : u"no"_s) << (v->consentWhatsappAt ? u"yes"_s : u"no"_s);
        out += csvLine(f);
    }
    return out;
}

QByteArray Loyalty::exportEvents(qint64 fromMs, qint64 toMs) const
{
    QByteArray out = csvLine({u"event_id"_s, u"occurred_at"_s, u"terminal_id"_s, u"terminal_seq"_s, u"type"_s,
                              u"member_id"_s, u"points"_s, u"amount"_s, u"receipt_id"_s, u"ref_event_id"_s, u"actor"_s});
    QSqlQuery q = d->query();
    q.setForwardOnly(true);
    q.prepare(u"SELECT event_id, occurred_at, terminal_id, terminal_seq, type, COALESCE(member_id,''), points, amount,"
              " COALESCE(receipt_id,''), COALESCE(ref_event_id,''), actor FROM events"
              " WHERE occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at, seq"_s);
    q.addBindValue(fromMs);
    q.addBindValue(toMs);
    q.exec();
    while (q.next())
        out += csvLine({q.value(0).toString(),
                        QDateTime::fromMSecsSinceEpoch(q.value(1).toLongLong(), QTimeZone::utc()).toString(Qt::ISODateWithMs),
                        q.value(2).toString(), q.value(3).toString(), q.value(4).toString(), q.value(5).toString(),
                        q.value(6).toString(), q.value(7).toString(), csvSafe(q.value(8).toString()), q.value(9).toString(),
                        csvSafe(q.value(10).toString())});
    return out;
}

} // namespace setia
