#include "program.h"
#include "money.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>
#include <QTimeZone>

#include <cmath>

using namespace Qt::StringLiterals;

namespace setia {

const Tier *Program::tier(const QString &id) const
{
    for (const auto &t : tiers)
        if (t.id == id)
            return &t;
    return nullptr;
}
const Reward *Program::reward(const QString &id) const
{
    for (const auto &r : rewards)
        if (r.id == id)
            return &r;
    return nullptr;
}
const VoucherType *Program::voucherType(const QString &id) const
{
    for (const auto &v : vouchers)
        if (v.id == id)
            return &v;
    return nullptr;
}
const Tier *Program::tierFor(qint64 windowTotal) const
{
    const Tier *best = tiers.isEmpty() ? nullptr : &tiers.first();
    for (const auto &t : tiers)
        if (t.threshold <= windowTotal)
            best = &t;
    return best;
}

namespace {

constexpr qint64 kMaxAmount = 1'000'000'000'000LL; // 10^12 minor units: far above any receipt
constexpr qint64 kMaxPoints = 1'000'000'000LL;

// Reads one JSON object, recording errors with the dotted path of each field.
class Reader {
public:
    Reader(QStringList &errors, QJsonObject obj, QString path)
        : m_errors(errors), m_obj(std::move(obj)), m_path(std::move(path)) {}

    QString at(const QString &key) const { return m_path.isEmpty() ? key : m_path + u'.' + key; }
    void error(const QString &key, const QString &msg) { m_errors << at(key) + u": "_s + msg; }
    bool has(const QString &key) const { return m_obj.contains(key); }
    QJsonValue raw(const QString &key) const { return m_obj.value(key); }

    void allow(std::initializer_list<const char16_t *> keys)
    {
        QSet<QString> known;
        for (auto k : keys)
            known.insert(QString::fromUtf16(k));
        for (auto it = m_obj.begin(); it != m_obj.end(); ++it)
            if (!known.contains(it.key()))
                m_errors << at(it.key()) + u": unknown field (check the spelling; see docs/program-format.md)"_s;
    }

    QString string(const QString &key, bool required, const QString &def = {})
    {
        if (!has(key)) {
            if (required)
                error(key, u"is required"_s);
            return def;
        }
        if (!raw(key).isString()) {
            error(key, u"must be a string"_s);
            return def;
        }
        return raw(key).toString();
    }

    qint64 integer(const QString &key, bool required, qint64 def, qint64 min, qint64 max)
    {
        if (!has(key)) {
            if (required)
                error(key, u"is required"_s);
            return def;
        }
        const QJsonValue v = raw(key);
        if (!v.isDouble() || std::floor(v.toDouble()) != v.toDouble()) {
            error(key, u"must be a whole number"_s);
            return def;
        }
        const double d = v.toDouble();
        if (d < double(min) || d > double(max)) {
            error(key, u"must be between %1 and %2 (is %3)"_s.arg(min).arg(max).arg(d, 0, 'g', 15)); // 1e300 fits no qint64
            return def;
        }
        return qint64(d);
    }

    std::optional<qint64> optInteger(const QString &key, qint64 min, qint64 max)
    {
        if (!has(key) || raw(key).isNull())
            return std::nullopt;
        return integer(key, true, 0, min, max);
    }

    // A factor like 1.5 or 2, kept as thousandths.
    qint64 factor(const QString &key, bool required, qint64 def)
    {
        if (!has(key)) {
            if (required)
                error(key, u"is required"_s);
            return def;
        }
        const QJsonValue v = raw(key);
        if (!v.isDouble()) {
            error(key, u"must be a number such as 1.5"_s);
            return def;
        }
        const double milli = v.toDouble() * 1000.0;
        const double r = std::round(milli);
        if (std::fabs(milli - r) > 1e-6) {
            error(key, u"may have at most 3 decimals"_s);
            return def;
        }
        if (r < 1000 || r > 100000) {
            error(key, u"must be between 1 and 100"_s);
            return def;
        }
        return qint64(r);
    }

    bool boolean(const QString &key, bool def)
    {
        if (!has(key))
            return def;
        if (!raw(key).isBool()) {
            error(key, u"must be true or false"_s);
            return def;
        }
        return raw(key).toBool();
    }

    QStringList strings(const QString &key)
    {
        QStringList out;
        if (!has(key))
            return out;
        if (!raw(key).isArray()) {
            error(key, u"must be a list of strings"_s);
            return out;
        }
        const QJsonArray a = raw(key).toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (!a.at(i).isString() || a.at(i).toString().isEmpty())
                m_errors << at(key) + u"[%1]: must be a non-empty string"_s.arg(i);
            else
                out << a.at(i).toString();
        }
        return out;
    }

    std::optional<qint64> instant(const QString &key, bool required)
    {
        if (!has(key)) {
            if (required)
                error(key, u"is required"_s);
            return std::nullopt;
        }
        const QString s = raw(key).toString();
        const QDateTime dt = QDateTime::fromString(s, Qt::ISODateWithMs);
        if (!raw(key).isString() || !dt.isValid() || dt.timeSpec() == Qt::LocalTime) {
            error(key, u"must be a date-time with its offset, such as 2026-01-01T00:00:00+07:00"_s);
            return std::nullopt;
        }
        return dt.toMSecsSinceEpoch();
    }

    std::optional<QTime> clockTime(const QString &key)
    {
        if (!has(key))
            return std::nullopt;
        const QTime t = QTime::fromString(raw(key).toString(), u"HH:mm"_s);
        if (!raw(key).isString() || !t.isValid()) {
            error(key, u"must be a time of day HH:MM, such as 14:00"_s);
            return std::nullopt;
        }
        return t;
    }

    QList<QJsonObject> objects(const QString &key)
    {
        QList<QJsonObject> out;
        if (!has(key))
            return out;
        if (!raw(key).isArray()) {
            error(key, u"must be a list"_s);
            return out;
        }
        const QJsonArray a = raw(key).toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (!a.at(i).isObject())
                m_errors << at(key) + u"[%1]: must be an object"_s.arg(i);
            out << a.at(i).toObject(); // keep indexes aligned; an empty object reports its own errors
        }
        return out;
    }

    std::optional<QJsonObject> object(const QString &key, bool required)
    {
        if (!has(key)) {
            if (required)
                error(key, u"is required"_s);
            return std::nullopt;
        }
        if (!raw(key).isObject()) {
            error(key, u"must be an object"_s);
            return std::nullopt;
        }
        return raw(key).toObject();
    }

    QStringList &errors() { return m_errors; }

private:
    QStringList &m_errors;
    QJsonObject m_obj;
    QString m_path;
};

QString item(const QString &list, qsizetype i) { return u"%1[%2]"_s.arg(list).arg(i); }

void checkIds(QStringList &errors, const QString &list, const QStringList &ids)
{
    QSet<QString> seen;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        if (ids[i].isEmpty())
            continue;
        if (seen.contains(ids[i]))
            errors << item(list, i) + u".id: '%1' is used twice"_s.arg(ids[i]);
        seen.insert(ids[i]);
    }
}

int dayNumber(const QString &d)
{
    static const QStringList names = {u"mon"_s, u"tue"_s, u"wed"_s, u"thu"_s, u"fri"_s, u"sat"_s, u"sun"_s};
    return int(names.indexOf(d.toLower().left(3))) + 1;
}

Program parse(const QJsonObject &doc, QStringList &errors)
{
    Program p;
    p.source = doc;
    Reader r(errors, doc, QString());
    r.allow({u"format", u"version", u"name", u"currency", u"timeZone", u"effectiveFrom", u"earn", u"multipliers",
             u"tierWindow", u"tiers", u"rewards", u"vouchers", u"missions", u"birthday", u"anniversary", u"referral",
             u"expiry", u"pointsAsPayment", u"allowNegativeBalance", u"fraud"});
    const QString format = r.string(u"format"_s, true);
    if (!format.isEmpty() && format != u"setia.program/1"_s)
        r.error(u"format"_s, u"must be \"setia.program/1\" (this Setia reads version 1 of the format)"_s);
    p.version = int(r.integer(u"version"_s, true, 0, 1, 1'000'000));
    p.name = r.string(u"name"_s, true);
    p.currency = r.string(u"currency"_s, false, u"IDR"_s);
    if (!isKnownCurrency(p.currency))
        r.error(u"currency"_s, u"'%1' is not a currency Setia knows (IDR, MYR, SGD, USD, ...)"_s.arg(p.currency));
    p.timeZone = r.string(u"timeZone"_s, true);
    if (!p.timeZone.isEmpty() && !QTimeZone(p.timeZone.toUtf8()).isValid())
        r.error(u"timeZone"_s, u"'%1' is not a known IANA time zone such as Asia/Jakarta"_s.arg(p.timeZone));
    p.effectiveFromMs = r.instant(u"effectiveFrom"_s, true).value_or(0);
    p.allowNegativeBalance = r.boolean(u"allowNegativeBalance"_s, false);

    if (auto earn = r.object(u"earn"_s, true)) {
        Reader e(errors, *earn, u"earn"_s);
        e.allow({u"perAmount", u"points", u"rounding", u"minSpend", u"excludedCategories", u"maxPointsPerReceipt",
                 u"maxPointsPerMemberPerDay"});
        p.perAmount = e.integer(u"perAmount"_s, true, 10000, 1, kMaxAmount);
        p.pointsPerBlock = e.integer(u"points"_s, true, 1, 1, 1'000'000);
        const QString rounding = e.string(u"rounding"_s, false, u"floor"_s);
        if (rounding == u"floor"_s)
            p.rounding = Rounding::Floor;
        else if (rounding == u"round"_s)
            p.rounding = Rounding::Round;
        else if (rounding == u"ceil"_s)
            p.rounding = Rounding::Ceil;
        else
            e.error(u"rounding"_s, u"must be \"floor\", \"round\" or \"ceil\""_s);
        p.minSpend = e.integer(u"minSpend"_s, false, 0, 0, kMaxAmount);
        p.excludedCategories = e.strings(u"excludedCategories"_s);
        p.maxPointsPerReceipt = e.optInteger(u"maxPointsPerReceipt"_s, 1, kMaxPoints);
        p.maxPointsPerMemberPerDay = e.optInteger(u"maxPointsPerMemberPerDay"_s, 1, kMaxPoints);
        if (p.maxPointsPerReceipt && p.maxPointsPerMemberPerDay && *p.maxPointsPerMemberPerDay < *p.maxPointsPerReceipt)
            e.error(u"maxPointsPerMemberPerDay"_s, u"must not be less than earn.maxPointsPerReceipt"_s);
    }

    const auto mults = r.objects(u"multipliers"_s);
    QStringList ids;
    for (qsizetype i = 0; i < mults.size(); ++i) {
        Reader m(errors, mults[i], item(u"multipliers"_s, i));
        m.allow({u"id", u"label", u"factor", u"categories", u"skus", u"days", u"from", u"to", u"paymentMethods",
                 u"tiers", u"validFrom", u"validTo"});
        Multiplier mu;
        mu.id = m.string(u"id"_s, true);
        mu.label = m.string(u"label"_s, false, mu.id);
        mu.factorMilli = m.factor(u"factor"_s, true, 1000);
        mu.categories = m.strings(u"categories"_s);
        mu.skus = m.strings(u"skus"_s);
        const QStringList days = m.strings(u"days"_s);
        for (qsizetype d = 0; d < days.size(); ++d) {
            const int n = dayNumber(days[d]);
            if (n <= 0)
                errors << m.at(u"days"_s) + u"[%1]: '%2' is not a day (mon, tue, wed, thu, fri, sat, sun)"_s.arg(d).arg(days[d]);
            else
                mu.days << n;
        }
        mu.from = m.clockTime(u"from"_s);
        mu.to = m.clockTime(u"to"_s);
        if (mu.from.has_value() != mu.to.has_value())
            m.error(mu.from ? u"to"_s : u"from"_s, u"is required when the other end of the time window is given"_s);
        else if (mu.from && mu.to && *mu.to <= *mu.from)
            m.error(u"to"_s, u"must be later than from (%1)"_s.arg(mu.from->toString(u"HH:mm"_s)));
        mu.paymentMethods = m.strings(u"paymentMethods"_s);
        mu.tiers = m.strings(u"tiers"_s);
        mu.validFromMs = m.instant(u"validFrom"_s, false);
        mu.validToMs = m.instant(u"validTo"_s, false);
        if (mu.validFromMs && mu.validToMs && *mu.validToMs <= *mu.validFromMs)
            m.error(u"validTo"_s, u"must be later than validFrom"_s);
        p.multipliers << mu;
        ids << mu.id;
    }
    checkIds(errors, u"multipliers"_s, ids);

    if (auto w = r.object(u"tierWindow"_s, false)) {
        Reader t(errors, *w, u"tierWindow"_s);
        t.allow({u"basis", u"days"});
        p.tierBasis = t.string(u"basis"_s, true, u"spend"_s);
        if (p.tierBasis != u"spend"_s && p.tierBasis != u"points"_s)
            t.error(u"basis"_s, u"must be \"spend\" or \"points\""_s);
        p.tierWindowDays = int(t.integer(u"days"_s, true, 365, 1, 3660));
    }
    const auto tiers = r.objects(u"tiers"_s);
    ids.clear();
    for (qsizetype i = 0; i < tiers.size(); ++i) {
        Reader t(errors, tiers[i], item(u"tiers"_s, i));
        t.allow({u"id", u"name", u"threshold", u"multiplier", u"benefits"});
        Tier tier;
        tier.id = t.string(u"id"_s, true);
        tier.name = t.string(u"name"_s, true);
        tier.threshold = t.integer(u"threshold"_s, true, 0, 0, kMaxAmount);
        tier.multiplierMilli = t.factor(u"multiplier"_s, false, 1000);
        tier.benefits = t.strings(u"benefits"_s);
        if (i == 0 && tier.threshold != 0 && t.has(u"threshold"_s))
            t.error(u"threshold"_s, u"the first tier is where every member starts, so its threshold must be 0"_s);
        if (i > 0 && t.has(u"threshold"_s) && tier.threshold <= p.tiers.last().threshold)
            t.error(u"threshold"_s, u"must be greater than tiers[%1].threshold (%2)"_s.arg(i - 1).arg(p.tiers.last().threshold));
        p.tiers << tier;
        ids << tier.id;
    }
    checkIds(errors, u"tiers"_s, ids);
    for (qsizetype i = 0; i < p.multipliers.size(); ++i)
        for (const QString &t : p.multipliers[i].tiers)
            if (!p.tier(t))
                errors << item(u"multipliers"_s, i) + u".tiers: '%1' is not a tier id"_s.arg(t);

    const auto vouchers = r.objects(u"vouchers"_s);
    ids.clear();
    for (qsizetype i = 0; i < vouchers.size(); ++i) {
        Reader v(errors, vouchers[i], item(u"vouchers"_s, i));
        v.allow({u"id", u"name", u"discount", u"minSpend", u"validDays"});
        VoucherType vt;
        vt.id = v.string(u"id"_s, true);
        vt.name = v.string(u"name"_s, true);
        vt.discount = v.integer(u"discount"_s, true, 0, 1, kMaxAmount);
        vt.minSpend = v.integer(u"minSpend"_s, false, 0, 0, kMaxAmount);
        vt.validDays = int(v.integer(u"validDays"_s, false, 30, 1, 3660));
        if (vt.minSpend > 0 && vt.discount > vt.minSpend)
            v.error(u"discount"_s, u"must not exceed minSpend (%1)"_s.arg(vt.minSpend));
        p.vouchers << vt;
        ids << vt.id;
    }
    checkIds(errors, u"vouchers"_s, ids);

    const auto rewards = r.objects(u"rewards"_s);
    ids.clear();
    for (qsizetype i = 0; i < rewards.size(); ++i) {
        Reader w(errors, rewards[i], item(u"rewards"_s, i));
        w.allow({u"id", u"name", u"cost", u"stock", u"validFrom", u"validTo", u"voucher"});
        Reward rw;
        rw.id = w.string(u"id"_s, true);
        rw.name = w.string(u"name"_s, true);
        rw.cost = w.integer(u"cost"_s, true, 0, 1, kMaxPoints);
        rw.stock = w.optInteger(u"stock"_s, 0, kMaxPoints);
        rw.validFromMs = w.instant(u"validFrom"_s, false);
        rw.validToMs = w.instant(u"validTo"_s, false);
        if (rw.validFromMs && rw.validToMs && *rw.validToMs <= *rw.validFromMs)
            w.error(u"validTo"_s, u"must be later than validFrom"_s);
        rw.voucherId = w.string(u"voucher"_s, false);
        if (!rw.voucherId.isEmpty() && !p.voucherType(rw.voucherId))
            w.error(u"voucher"_s, u"'%1' is not the id of an entry in vouchers"_s.arg(rw.voucherId));
        p.rewards << rw;
        ids << rw.id;
    }
    checkIds(errors, u"rewards"_s, ids);

    const auto missions = r.objects(u"missions"_s);
    ids.clear();
    for (qsizetype i = 0; i < missions.size(); ++i) {
        Reader m(errors, missions[i], item(u"missions"_s, i));
        m.allow({u"id", u"name", u"kind", u"target", u"windowDays", u"bonusPoints", u"badge"});
        Mission ms;
        ms.id = m.string(u"id"_s, true);
        ms.name = m.string(u"name"_s, true);
        ms.kind = m.string(u"kind"_s, true);
        if (!ms.kind.isEmpty() && ms.kind != u"visits"_s && ms.kind != u"spend"_s)
            m.error(u"kind"_s, u"must be \"visits\" or \"spend\""_s);
        ms.target = m.integer(u"target"_s, true, 1, 1, kMaxAmount);
        ms.windowDays = int(m.integer(u"windowDays"_s, true, 30, 1, 3660));
        ms.bonusPoints = m.integer(u"bonusPoints"_s, true, 0, 1, kMaxPoints);
        ms.badge = m.string(u"badge"_s, false);
        p.missions << ms;
        ids << ms.id;
    }
    checkIds(errors, u"missions"_s, ids);

    if (auto b = r.object(u"birthday"_s, false)) {
        Reader br(errors, *b, u"birthday"_s);
        br.allow({u"bonusPoints", u"period"});
        p.birthdayBonus = br.integer(u"bonusPoints"_s, true, 0, 1, kMaxPoints);
        p.birthdayPeriod = br.string(u"period"_s, false, u"month"_s);
        if (p.birthdayPeriod != u"day"_s && p.birthdayPeriod != u"month"_s)
            br.error(u"period"_s, u"must be \"day\" or \"month\""_s);
    }
    if (auto a = r.object(u"anniversary"_s, false)) {
        Reader ar(errors, *a, u"anniversary"_s);
        ar.allow({u"bonusPoints"});
        p.anniversaryBonus = ar.integer(u"bonusPoints"_s, true, 0, 1, kMaxPoints);
    }
    if (auto f = r.object(u"referral"_s, false)) {
        Reader fr(errors, *f, u"referral"_s);
        fr.allow({u"referrerPoints", u"refereePoints", u"minSpend"});
        p.referrerBonus = fr.integer(u"referrerPoints"_s, true, 0, 0, kMaxPoints);
        p.refereeBonus = fr.integer(u"refereePoints"_s, false, 0, 0, kMaxPoints);
        p.referralMinSpend = fr.integer(u"minSpend"_s, false, 0, 0, kMaxAmount);
    }
    if (auto x = r.object(u"expiry"_s, false)) {
        Reader xr(errors, *x, u"expiry"_s);
        xr.allow({u"days"});
        p.expiryDays = int(xr.integer(u"days"_s, true, 0, 1, 3660));
    }
    if (auto pay = r.object(u"pointsAsPayment"_s, false)) {
        Reader pr(errors, *pay, u"pointsAsPayment"_s);
        pr.allow({u"valuePerPoint", u"minPoints"});
        p.paymentValuePerPoint = pr.integer(u"valuePerPoint"_s, true, 0, 1, kMaxAmount);
        p.paymentMinPoints = pr.integer(u"minPoints"_s, false, 1, 1, kMaxPoints);
    }
    if (auto fraud = r.object(u"fraud"_s, false)) {
        Reader fr(errors, *fraud, u"fraud"_s);
        fr.allow({u"maxRedemptionsPerMemberPerDay", u"maxRedeemPointsPerMemberPerDay", u"adjustmentAlertPoints",
                  u"repeatScanCount", u"repeatScanSeconds", u"redemptionAlertPoints"});
        if (auto v = fr.optInteger(u"maxRedemptionsPerMemberPerDay"_s, 1, 1000))
            p.maxRedemptionsPerMemberPerDay = int(*v);
        p.maxRedeemPointsPerMemberPerDay = fr.optInteger(u"maxRedeemPointsPerMemberPerDay"_s, 1, kMaxPoints);
        p.adjustmentAlertPoints = fr.integer(u"adjustmentAlertPoints"_s, false, 0, 0, kMaxPoints);
        p.repeatScanCount = int(fr.integer(u"repeatScanCount"_s, false, 0, 2, 1000));
        p.redemptionAlertPoints = fr.integer(u"redemptionAlertPoints"_s, false, 0, 0, kMaxPoints);
        p.repeatScanSeconds = int(fr.integer(u"repeatScanSeconds"_s, false, 60, 1, 86400));
    }
    return p;
}

} // namespace

QStringList validateProgram(const QByteArray &json)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError) {
        // Report a line and column, which is what a person editing the file needs.
        int line = 1, col = 1;
        for (int i = 0; i < pe.offset && i < json.size(); ++i) {
            if (json[i] == '\n') {
                ++line;
                col = 1;
            } else if ((uchar(json[i]) & 0xC0) != 0x80) { // a column per character, not per UTF-8 byte
                ++col;
            }
        }
        return {u"line %1, column %2: %3"_s.arg(line).arg(col).arg(pe.errorString())};
    }
    if (!doc.isObject())
        return {u"(document): must be a JSON object"_s};
    QStringList errors;
    parse(doc.object(), errors);
    return errors;
}

Result<Program> parseProgram(const QByteArray &json)
{
    const QStringList errors = validateProgram(json);
    if (!errors.isEmpty())
        return makeError(u"invalid_program"_s, errors.join(u'\n'));
    QStringList none;
    return parse(QJsonDocument::fromJson(json).object(), none);
}

} // namespace setia
