#include "engine.h"
#include "ledger.h"

#include <QJsonObject>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace setia {

qint64 EarnComputation::totalPoints() const
{
    qint64 t = points;
    for (const auto &b : bonuses)
        if (b.kind != u"referral_referrer"_s) // that one goes to the referrer, not to this member
            t += b.points;
    return t;
}

qint64 roundDiv(Int128 num, Int128 den, Rounding rounding)
{
    Q_ASSERT(den > 0);
    Int128 q = num / den;
    const Int128 r = num % den;
    if (r != 0) {
        const bool negative = num < 0;
        switch (rounding) {
        case Rounding::Floor:
            if (negative)
                --q;
            break;
        case Rounding::Ceil:
            if (!negative)
                ++q;
            break;
        case Rounding::Round: { // half away from zero
            const Int128 twice = (r < 0 ? -r : r) * 2;
            if (twice >= den)
                q += negative ? -1 : 1;
            break;
        }
        }
    }
    return qint64(q);
}

const QTimeZone &timeZone(const QString &ianaId)
{
    thread_local QHash<QString, QTimeZone> cache;
    auto it = cache.find(ianaId);
    if (it == cache.end())
        it = cache.insert(ianaId, QTimeZone(ianaId.toUtf8()));
    return it.value();
}

QDateTime storeTime(qint64 utcMs, const QString &zone)
{
    return QDateTime::fromMSecsSinceEpoch(utcMs, timeZone(zone));
}

std::pair<qint64, qint64> storeDayBounds(qint64 utcMs, const QString &timeZone)
{
    const QTimeZone &tz = setia::timeZone(timeZone);
    const QDate day = QDateTime::fromMSecsSinceEpoch(utcMs, tz).date();
    const qint64 start = QDateTime(day, QTime(0, 0), tz).toMSecsSinceEpoch();
    const qint64 end = QDateTime(day.addDays(1), QTime(0, 0), tz).toMSecsSinceEpoch();
    return {start, end};
}

bool isBirthdayPeriod(const QDate &birth, const QDate &today, const QString &period)
{
    if (!birth.isValid())
        return false;
    if (period == u"month"_s)
        return birth.month() == today.month();
    int day = birth.day();
    // 29 February birthdays are celebrated on 28 February in common years.
    if (birth.month() == 2 && day == 29 && !QDate::isLeapYear(today.year()))
        day = 28;
    return birth.month() == today.month() && day == today.day();
}

Status validateBasket(const Basket &b, const Program &program)
{
    auto fail = [](const QString &msg) { return Status(makeError(u"invalid_basket"_s, msg)); };
    if (b.receiptId.trimmed().isEmpty())
        return fail(u"receiptId: is required (the POS receipt number makes the earn safe to retry)"_s);
    if (b.receiptId.size() > 128)
        return fail(u"receiptId: is longer than 128 characters"_s);
    if (b.currency != program.currency)
        return fail(u"currency: the basket is in %1 but the program counts %2"_s.arg(b.currency, program.currency));
    if (b.lines.size() > 1000)
        return fail(u"lines: a basket has at most 1000 lines"_s);
    for (qsizetype i = 0; i < b.lines.size(); ++i) {
        const auto &l = b.lines[i];
        const QString at = u"lines[%1]"_s.arg(i);
        if (l.quantity <= 0)
            return fail(at + u".quantity: must be at least 1 (is %1); a return is a refund, not a negative line"_s.arg(l.quantity));
        if (l.quantity > 100000)
            return fail(at + u".quantity: is more than 100000"_s);
        if (l.unitPrice < 0)
            return fail(at + u".unitPrice: must not be negative"_s);
        if (l.unitPrice > 1'000'000'000'000LL / l.quantity)
            return fail(at + u": quantity × unitPrice is larger than any receipt Setia accepts"_s);
    }
    if (b.total < 0)
        return fail(u"total: must not be negative"_s);
    if (b.total > 1'000'000'000'000LL)
        return fail(u"total: is larger than any receipt Setia accepts"_s);
    return Ok{};
}

QJsonObject basketToJson(const Basket &b)
{
    QJsonArray lines;
    for (const auto &l : b.lines)
        lines.append(QJsonObject{{u"sku"_s, l.sku}, {u"category"_s, l.category}, {u"name"_s, l.name},
                                 {u"quantity"_s, l.quantity}, {u"unitPrice"_s, l.unitPrice}});
    return QJsonObject{{u"receiptId"_s, b.receiptId}, {u"total"_s, b.total}, {u"currency"_s, b.currency},
                       {u"paymentMethod"_s, b.paymentMethod}, {u"lines"_s, lines}};
}

void writeBasketJson(CanonicalWriter &w, const Basket &b, bool withReceiptId)
{
    // The fields of basketToJson(), in canonical (sorted) order.
    w.beginObject().field("currency", b.currency).key("lines").beginArray();
    for (const BasketLine &l : b.lines)
        w.beginObject()
            .field("category", l.category)
            .field("name", l.name)
            .field("quantity", l.quantity)
            .field("sku", l.sku)
            .field("unitPrice", l.unitPrice)
            .endObject();
    w.endArray().field("paymentMethod", b.paymentMethod);
    if (withReceiptId)
        w.field("receiptId", b.receiptId);
    w.field("total", b.total).endObject();
}

Result<Basket> basketFromJson(const QJsonObject &o)
{
    static const QStringList known = {u"receiptId"_s, u"total"_s, u"currency"_s, u"paymentMethod"_s, u"lines"_s};
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!known.contains(it.key()))
            return makeError(u"invalid_basket"_s, u"%1: unknown field"_s.arg(it.key()));
    auto integer = [](const QJsonValue &v, qint64 &out) {
        if (!v.isDouble() || v.toDouble() != double(qint64(v.toDouble())))
            return false;
        out = qint64(v.toDouble());
        return true;
    };
    Basket b;
    b.receiptId = o.value(u"receiptId"_s).toString();
    if (!integer(o.value(u"total"_s), b.total))
        return makeError(u"invalid_basket"_s, u"total: must be a whole number of minor units (Rp125.000 is 125000)"_s);
    b.currency = o.value(u"currency"_s).toString(u"IDR"_s);
    b.paymentMethod = o.value(u"paymentMethod"_s).toString();
    const QJsonArray lines = o.value(u"lines"_s).toArray();
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QJsonObject lo = lines.at(i).toObject();
        BasketLine l;
        l.sku = lo.value(u"sku"_s).toString();
        l.category = lo.value(u"category"_s).toString();
        l.name = lo.value(u"name"_s).toString();
        if (!lo.contains(u"quantity"_s))
            l.quantity = 1;
        else if (!integer(lo.value(u"quantity"_s), l.quantity))
            return makeError(u"invalid_basket"_s, u"lines[%1].quantity: must be a whole number"_s.arg(i));
        if (!integer(lo.value(u"unitPrice"_s), l.unitPrice))
            return makeError(u"invalid_basket"_s, u"lines[%1].unitPrice: must be a whole number of minor units"_s.arg(i));
        b.lines << l;
    }
    return b;
}

QJsonArray explanationToJson(const QList<ExplanationLine> &lines)
{
    QJsonArray a;
    for (const auto &l : lines)
        a.append(QJsonObject{{u"kind"_s, l.kind}, {u"id"_s, l.id}, {u"label"_s, l.label},
                             {u"points"_s, l.points}, {u"amount"_s, l.amount}});
    return a;
}

void writeExplanationJson(CanonicalWriter &w, const QList<ExplanationLine> &lines)
{
    // The fields of explanationToJson(), in canonical (sorted) order.
    w.beginArray();
    for (const ExplanationLine &l : lines)
        w.beginObject()
            .field("amount", l.amount)
            .field("id", l.id)
            .field("kind", l.kind)
            .field("label", l.label)
            .field("points", l.points)
            .endObject();
    w.endArray();
}

QList<ExplanationLine> explanationFromJson(const QJsonArray &json)
{
    QList<ExplanationLine> out;
    for (const auto &v : json) {
        const QJsonObject o = v.toObject();
        out << ExplanationLine{o.value(u"kind"_s).toString(), o.value(u"id"_s).toString(), o.value(u"label"_s).toString(),
                               o.value(u"points"_s).toInteger(), o.value(u"amount"_s).toInteger()};
    }
    return out;
}

namespace {

bool conditionsHold(const Multiplier &m, const Basket &basket, const MemberFacts &facts, qint64 nowMs,
                    const QDateTime &local)
{
    if (m.validFromMs && nowMs < *m.validFromMs)
        return false;
    if (m.validToMs && nowMs >= *m.validToMs)
        return false;
    if (!m.days.isEmpty() && !m.days.contains(local.date().dayOfWeek()))
        return false;
    if (m.from && m.to) {
        const QTime t = local.time();
        if (t < *m.from || t >= *m.to)
            return false;
    }
    if (!m.paymentMethods.isEmpty() && !m.paymentMethods.contains(basket.paymentMethod, Qt::CaseInsensitive))
        return false;
    if (!m.tiers.isEmpty() && !m.tiers.contains(facts.tierId))
        return false;
    return true;
}

QString factorText(qint64 milli)
{
    QString s = QString::number(double(milli) / 1000.0, 'g', 6);
    return u"×"_s + s;
}

} // namespace

EarnComputation computeEarn(const Program &p, const Basket &basket, const MemberFacts &facts, qint64 nowMs)
{
    EarnComputation out;
    const QDateTime local = storeTime(nowMs, p.timeZone);

    // Effective line amounts: a discount on the receipt (total below the sum of lines) lowers
    // every line in proportion; a total above the lines (tax, service) earns nothing extra.
    QList<BasketLine> lines = basket.lines;
    if (lines.isEmpty())
        lines << BasketLine{QString(), QString(), QString(), 1, basket.total};
    qint64 sumLines = 0;
    for (const auto &l : lines)
        sumLines += l.amount();
    const qint64 paid = qMin(basket.total, sumLines);
    QList<qint64> effective;
    qint64 excluded = 0;
    qint64 cumulative = 0, sharedSoFar = 0;
    for (const auto &l : lines) {
        // Shares of the running sum, so that rounding never loses a rupiah: they add up to paid.
        cumulative += l.amount();
        const qint64 upTo = sumLines == 0 ? 0 : qint64(Int128(cumulative) * paid / sumLines);
        const qint64 e = upTo - sharedSoFar;
        sharedSoFar = upTo;
        const bool isExcluded = !l.category.isEmpty() && p.excludedCategories.contains(l.category);
        effective << (isExcluded ? 0 : e);
        if (isExcluded)
            excluded += e;
    }
    qint64 eligible = 0;
    for (qint64 e : effective)
        eligible += e;
    out.eligibleAmount = eligible;
    if (excluded > 0)
        out.lines << ExplanationLine{u"excluded"_s, QString(), u"Items that do not earn points"_s, 0, excluded};

    if (basket.total < p.minSpend) {
        out.lines << ExplanationLine{u"min_spend"_s, QString(), u"Below the minimum spend for points"_s, 0, p.minSpend};
    } else {
        const Int128 den = Int128(p.perAmount);
        out.basePoints = roundDiv(Int128(eligible) * p.pointsPerBlock, den, p.rounding);
        out.lines << ExplanationLine{u"base"_s, QString(), u"Base points"_s, out.basePoints, eligible};
        qint64 subtotal = out.basePoints;

        for (const auto &m : p.multipliers) {
            if (!conditionsHold(m, basket, facts, nowMs, local))
                continue;
            qint64 scope = eligible;
            if (m.lineScoped()) {
                scope = 0;
                for (qsizetype i = 0; i < lines.size(); ++i)
                    if ((!lines[i].category.isEmpty() && m.categories.contains(lines[i].category))
                        || (!lines[i].sku.isEmpty() && m.skus.contains(lines[i].sku)))
                        scope += effective[i];
            }
            if (scope <= 0)
                continue;
            const qint64 extra = roundDiv(Int128(scope) * p.pointsPerBlock * (m.factorMilli - 1000), den * 1000, p.rounding);
            if (extra == 0)
                continue;
            out.lines << ExplanationLine{u"multiplier"_s, m.id, m.label + u" "_s + factorText(m.factorMilli), extra, scope};
            subtotal += extra;
        }
        if (const Tier *t = p.tier(facts.tierId); t && t->multiplierMilli > 1000 && eligible > 0) {
            const qint64 extra = roundDiv(Int128(eligible) * p.pointsPerBlock * (t->multiplierMilli - 1000), den * 1000, p.rounding);
            if (extra > 0) {
                out.lines << ExplanationLine{u"tier"_s, t->id, t->name + u" "_s + factorText(t->multiplierMilli), extra, eligible};
                subtotal += extra;
            }
        }
        if (p.maxPointsPerReceipt && subtotal > *p.maxPointsPerReceipt) {
            out.lines << ExplanationLine{u"cap"_s, u"receipt"_s, u"Limit per receipt (%1)"_s.arg(*p.maxPointsPerReceipt),
                                         *p.maxPointsPerReceipt - subtotal, 0};
            subtotal = *p.maxPointsPerReceipt;
        }
        if (p.maxPointsPerMemberPerDay) {
            const qint64 room = qMax<qint64>(0, *p.maxPointsPerMemberPerDay - facts.pointsEarnedToday);
            if (subtotal > room) {
                out.lines << ExplanationLine{u"cap"_s, u"day"_s, u"Daily limit (%1)"_s.arg(*p.maxPointsPerMemberPerDay),
                                             room - subtotal, 0};
                subtotal = room;
            }
        }
        out.points = subtotal;
    }

    // Bonuses: separate events, not subject to the sale caps.
    const QDate today = local.date();
    if (p.birthdayBonus > 0 && isBirthdayPeriod(facts.birthDate, today, p.birthdayPeriod)
        && facts.birthdayAwardedYear != today.year()) {
        out.bonuses << BonusAward{u"birthday"_s, QString::number(today.year()), facts.memberId, u"Birthday bonus"_s,
                                  p.birthdayBonus, QString()};
    }
    if (p.anniversaryBonus > 0 && facts.enrolledAtMs > 0) {
        const QDate enrolled = storeTime(facts.enrolledAtMs, p.timeZone).date();
        if (today.year() > enrolled.year() && today.month() == enrolled.month()
            && facts.anniversaryAwardedYear != today.year())
            out.bonuses << BonusAward{u"anniversary"_s, QString::number(today.year()), facts.memberId,
                                      u"Membership anniversary bonus"_s, p.anniversaryBonus, QString()};
    }
    for (const auto &m : p.missions) {
        const MissionProgress mp = facts.missions.value(m.id);
        if (mp.completedInWindow)
            continue;
        const qint64 now = mp.progress + (m.kind == u"visits"_s ? 1 : eligible);
        if (now >= m.target)
            out.bonuses << BonusAward{u"mission"_s, m.id, facts.memberId, m.name, m.bonusPoints, m.badge};
    }
    if (!facts.referrerId.isEmpty() && facts.firstPurchase && basket.total >= p.referralMinSpend) {
        if (p.referrerBonus > 0)
            out.bonuses << BonusAward{u"referral_referrer"_s, facts.memberId, facts.referrerId,
                                      u"Referral bonus (a friend's first purchase)"_s, p.referrerBonus, QString()};
        if (p.refereeBonus > 0)
            out.bonuses << BonusAward{u"referral_referee"_s, facts.referrerId, facts.memberId,
                                      u"Welcome bonus (referred by a friend)"_s, p.refereeBonus, QString()};
    }
    for (const auto &b : out.bonuses)
        if (b.memberId == facts.memberId)
            out.lines << ExplanationLine{u"bonus"_s, b.kind == u"mission"_s ? b.id : b.kind, b.label, b.points, 0};
    return out;
}

} // namespace setia
