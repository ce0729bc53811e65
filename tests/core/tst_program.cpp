// The program document (core/program.h): the demo parses to what it says, every bad document is
// refused with the field's path and the reason, and Loyalty keeps versions in order and picks
// the one in force by effectiveFrom.
#include "core/loyalty.h"
#include "core/program.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace setia;

namespace {

template <typename T>
QString errorText(const Result<T> &r)
{
    return r.ok() ? QString() : r.error().code + u": "_s + r.error().message;
}

// test::baseProgram() (or doc) with fields replaced.
QJsonObject with(const QJsonObject &patch, QJsonObject doc = test::baseProgram())
{
    for (auto it = patch.begin(); it != patch.end(); ++it)
        doc.insert(it.key(), it.value());
    return doc;
}

QJsonObject drop(QJsonObject doc, const QString &key)
{
    doc.remove(key);
    return doc;
}

QJsonObject withEarn(const QJsonObject &patch)
{
    return with(QJsonObject{{u"earn"_s, with(patch, test::baseProgram().value(u"earn"_s).toObject())}});
}

QJsonObject without(const QString &key) { return drop(test::baseProgram(), key); }

QJsonObject withoutEarn(const QString &key)
{
    return with(QJsonObject{{u"earn"_s, drop(test::baseProgram().value(u"earn"_s).toObject(), key)}});
}

QJsonObject withList(const QString &key, const QJsonArray &items) { return with(QJsonObject{{key, items}}); }

QJsonObject mult(const QJsonObject &fields)
{
    return with(fields, QJsonObject{{u"id"_s, u"promo"_s}, {u"factor"_s, 2}});
}

QJsonObject tier(const QString &id, qint64 threshold)
{
    return QJsonObject{{u"id"_s, id}, {u"name"_s, id.toUpper()}, {u"threshold"_s, threshold}};
}

QJsonObject voucher(const QString &id)
{
    return QJsonObject{{u"id"_s, id}, {u"name"_s, u"Voucher"_s}, {u"discount"_s, 10000}, {u"minSpend"_s, 50000}};
}

QJsonObject reward(const QString &id, const QJsonObject &extra = {})
{
    return with(extra, QJsonObject{{u"id"_s, id}, {u"name"_s, u"Reward"_s}, {u"cost"_s, 50}});
}

QJsonObject mission(const QJsonObject &extra = {})
{
    return with(extra, QJsonObject{{u"id"_s, u"visits"_s}, {u"name"_s, u"Visits"_s}, {u"kind"_s, u"visits"_s},
                                   {u"target"_s, 5}, {u"windowDays"_s, 30}, {u"bonusPoints"_s, 25}});
}

bool hasErrorStartingWith(const QStringList &errors, const QString &expected)
{
    for (const QString &e : errors)
        if (e.startsWith(expected))
            return true;
    return false;
}

QJsonObject programVersion(int version, const QString &effectiveFrom, qint64 perAmount = 10000)
{
    return with(QJsonObject{{u"version"_s, version},
                            {u"name"_s, u"Version %1"_s.arg(version)},
                            {u"effectiveFrom"_s, effectiveFrom},
                            {u"earn"_s, QJsonObject{{u"perAmount"_s, perAmount}, {u"points"_s, 1}}}});
}

} // namespace

class TestProgram : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void demoProgramParses();
    void defaults();
    void goodVariants_data();
    void goodVariants();
    void tierLookup();
    void badDocuments_data();
    void badDocuments();
    void malformedJson_data();
    void malformedJson();
    void allErrorsAtOnce();
    void loadRefusesInvalidProgram();
    void loadRefusesOtherCurrency();
    void versionsMustIncrease();
    void programInForceByEffectiveFrom();
};

void TestProgram::demoProgramParses()
{
    const QByteArray json = test::demoProgram();
    QVERIFY(!json.isEmpty());
    QCOMPARE(validateProgram(json), QStringList());
    auto r = parseProgram(json);
    QVERIFY2(r.ok(), qPrintable(errorText(r)));
    const Program &p = *r;
    QCOMPARE(p.version, 1);
    QCOMPARE(p.name, u"Setia Demo — Kopi Senja & Mart"_s);
    QCOMPARE(p.currency, u"IDR"_s);
    QCOMPARE(p.timeZone, u"Asia/Jakarta"_s);
    QCOMPARE(p.effectiveFromMs, test::at(u"2026-01-01T00:00:00+07:00"_s));
    QCOMPARE(p.perAmount, qint64(10000));
    QCOMPARE(p.pointsPerBlock, qint64(1));
    QCOMPARE(p.rounding, Rounding::Floor);
    QCOMPARE(p.minSpend, qint64(10000));
    QCOMPARE(p.excludedCategories, (QStringList{u"tobacco"_s, u"gift-card"_s, u"top-up"_s}));
    QCOMPARE(p.maxPointsPerReceipt, std::optional<qint64>(500));
    QCOMPARE(p.maxPointsPerMemberPerDay, std::optional<qint64>(1000));

    QCOMPARE(p.multipliers.size(), 3);
    QCOMPARE(p.multipliers[0].id, u"coffee-double"_s);
    QCOMPARE(p.multipliers[0].factorMilli, qint64(2000));
    QCOMPARE(p.multipliers[0].categories, QStringList{u"coffee"_s});
    QVERIFY(p.multipliers[0].lineScoped());
    const Multiplier &weekend = p.multipliers[1];
    QCOMPARE(weekend.days, (QList<int>{6, 7}));
    QCOMPARE(weekend.from, std::optional<QTime>(QTime(14, 0)));
    QCOMPARE(weekend.to, std::optional<QTime>(QTime(17, 0)));
    QVERIFY(!weekend.lineScoped());
    QCOMPARE(p.multipliers[2].factorMilli, qint64(1100)); // 1.1
    QCOMPARE(p.multipliers[2].paymentMethods, QStringList{u"qris"_s});

    QCOMPARE(p.tierBasis, u"spend"_s);
    QCOMPARE(p.tierWindowDays, 365);
    QCOMPARE(p.tiers.size(), 3);
    QCOMPARE(p.tiers[1].id, u"gold"_s);
    QCOMPARE(p.tiers[1].threshold, qint64(2000000));
    QCOMPARE(p.tiers[1].multiplierMilli, qint64(1250));
    QCOMPARE(p.tiers[2].multiplierMilli, qint64(1500));
    QCOMPARE(p.tiers[1].benefits.size(), 2);

    QCOMPARE(p.vouchers.size(), 2);
    QCOMPARE(p.voucherType(u"disc-25k"_s)->discount, qint64(25000));
    QCOMPARE(p.rewards.size(), 4);
    QCOMPARE(p.reward(u"voucher-10k"_s)->voucherId, u"disc-10k"_s);
    QCOMPARE(p.reward(u"croissant"_s)->stock, std::optional<qint64>(200));
    QVERIFY(!p.reward(u"es-kopi-susu"_s)->stock.has_value()); // unlimited
    QVERIFY(p.reward(u"nope"_s) == nullptr);
    QCOMPARE(p.missions.size(), 2);
    QCOMPARE(p.missions[1].kind, u"spend"_s);
    QCOMPARE(p.missions[1].target, qint64(1000000));
    QCOMPARE(p.missions[0].badge, u"Pelanggan Setia"_s);

    QCOMPARE(p.birthdayBonus, qint64(50));
    QCOMPARE(p.birthdayPeriod, u"month"_s);
    QCOMPARE(p.anniversaryBonus, qint64(30));
    QCOMPARE(p.referrerBonus, qint64(40));
    QCOMPARE(p.refereeBonus, qint64(20));
    QCOMPARE(p.referralMinSpend, qint64(25000));
    QCOMPARE(p.expiryDays, 365);
    QCOMPARE(p.paymentValuePerPoint, qint64(100));
    QCOMPARE(p.paymentMinPoints, qint64(10));
    QCOMPARE(p.allowNegativeBalance, false);
    QCOMPARE(p.maxRedemptionsPerMemberPerDay, std::optional<int>(5));
    QCOMPARE(p.maxRedeemPointsPerMemberPerDay, std::optional<qint64>(2000));
    QCOMPARE(p.adjustmentAlertPoints, qint64(500));
    QCOMPARE(p.source.value(u"name"_s).toString(), p.name); // the document as loaded
}

void TestProgram::defaults()
{
    // The smallest program: only the required fields.
    QJsonObject doc = without(u"currency"_s);
    doc.insert(u"earn"_s, QJsonObject{{u"perAmount"_s, 5000}, {u"points"_s, 2}});
    auto r = parseProgram(test::toJson(doc));
    QVERIFY2(r.ok(), qPrintable(errorText(r)));
    QCOMPARE(r->currency, u"IDR"_s);
    QCOMPARE(r->perAmount, qint64(5000));
    QCOMPARE(r->pointsPerBlock, qint64(2));
    QCOMPARE(r->rounding, Rounding::Floor);
    QCOMPARE(r->minSpend, qint64(0));
    QVERIFY(!r->maxPointsPerReceipt && !r->maxPointsPerMemberPerDay);
    QVERIFY(r->tiers.isEmpty() && r->multipliers.isEmpty() && r->rewards.isEmpty());
    QCOMPARE(r->birthdayBonus, qint64(0));
    QCOMPARE(r->expiryDays, 0);              // points never expire
    QCOMPARE(r->paymentValuePerPoint, qint64(0)); // points cannot pay
    QVERIFY(r->tierFor(123456) == nullptr);
}

void TestProgram::goodVariants_data()
{
    QTest::addColumn<QJsonObject>("doc");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value"); // the parsed value, as text
    QTest::newRow("factor 3 decimals") << withList(u"multipliers"_s, {mult({{u"factor"_s, 1.125}})}) << u"factor"_s << u"1125"_s;
    QTest::newRow("factor 1.1") << withList(u"multipliers"_s, {mult({{u"factor"_s, 1.1}})}) << u"factor"_s << u"1100"_s;
    QTest::newRow("factor 1.005") << withList(u"multipliers"_s, {mult({{u"factor"_s, 1.005}})}) << u"factor"_s << u"1005"_s;
    QTest::newRow("factor 100") << withList(u"multipliers"_s, {mult({{u"factor"_s, 100}})}) << u"factor"_s << u"100000"_s;
    // Day names: the first three letters count, in any case.
    QTest::newRow("day names") << withList(u"multipliers"_s, {mult({{u"days"_s, QJsonArray{u"Monday"_s, u"SUN"_s, u"wed"_s}}})})
                               << u"days"_s << u"1,7,3"_s;
    QTest::newRow("rounding round") << withEarn({{u"rounding"_s, u"round"_s}}) << u"rounding"_s << u"1"_s;
    QTest::newRow("rounding ceil") << withEarn({{u"rounding"_s, u"ceil"_s}}) << u"rounding"_s << u"2"_s;
    QTest::newRow("effectiveFrom in UTC") << with({{u"effectiveFrom"_s, u"2025-12-31T17:00:00Z"_s}}) << u"effectiveFrom"_s
                                          << QString::number(test::at(u"2026-01-01T00:00:00+07:00"_s));
    QTest::newRow("null cap is no cap") << withEarn({{u"maxPointsPerReceipt"_s, QJsonValue()}}) << u"receiptCap"_s << u"none"_s;
    QTest::newRow("other currency") << with({{u"currency"_s, u"SGD"_s}, {u"timeZone"_s, u"Asia/Singapore"_s}}) << u"currency"_s
                                    << u"SGD"_s;
}

void TestProgram::goodVariants()
{
    QFETCH(QJsonObject, doc);
    QFETCH(QString, field);
    QFETCH(QString, value);
    const QByteArray json = test::toJson(doc);
    QCOMPARE(validateProgram(json), QStringList());
    auto r = parseProgram(json);
    QVERIFY2(r.ok(), qPrintable(errorText(r)));
    QString actual;
    if (field == u"factor"_s) {
        actual = QString::number(r->multipliers.first().factorMilli);
    } else if (field == u"days"_s) {
        QStringList d;
        for (int n : r->multipliers.first().days)
            d << QString::number(n);
        actual = d.join(u',');
    } else if (field == u"rounding"_s) {
        actual = QString::number(int(r->rounding));
    } else if (field == u"effectiveFrom"_s) {
        actual = QString::number(r->effectiveFromMs);
    } else if (field == u"receiptCap"_s) {
        actual = r->maxPointsPerReceipt ? QString::number(*r->maxPointsPerReceipt) : u"none"_s;
    } else if (field == u"currency"_s) {
        actual = r->currency;
    }
    QCOMPARE(actual, value);
}

void TestProgram::tierLookup()
{
    auto r = parseProgram(test::demoProgram());
    QVERIFY2(r.ok(), qPrintable(errorText(r)));
    // silver from 0, gold from 2.000.000, platinum from 10.000.000
    QCOMPARE(r->tierFor(0)->id, u"silver"_s);
    QCOMPARE(r->tierFor(1999999)->id, u"silver"_s);
    QCOMPARE(r->tierFor(2000000)->id, u"gold"_s);
    QCOMPARE(r->tierFor(9999999)->id, u"gold"_s);
    QCOMPARE(r->tierFor(10000000)->id, u"platinum"_s);
    QCOMPARE(r->tierFor(-5)->id, u"silver"_s); // after a refund: never below the first tier
    QCOMPARE(r->tier(u"gold"_s)->name, u"Gold"_s);
    QVERIFY(r->tier(u"bronze"_s) == nullptr);
}

void TestProgram::badDocuments_data()
{
    QTest::addColumn<QJsonObject>("doc");
    QTest::addColumn<QString>("expected"); // one error starts with this: the path, then the reason

    // --- the document itself ---
    QTest::newRow("wrong format") << with({{u"format"_s, u"setia.program/2"_s}})
                                  << u"format: must be \"setia.program/1\""_s;
    QTest::newRow("format missing") << without(u"format"_s) << u"format: is required"_s;
    QTest::newRow("version missing") << without(u"version"_s) << u"version: is required"_s;
    QTest::newRow("version 0") << with({{u"version"_s, 0}}) << u"version: must be between 1 and 1000000 (is 0)"_s;
    QTest::newRow("version as text") << with({{u"version"_s, u"2"_s}}) << u"version: must be a whole number"_s;
    QTest::newRow("version 1.5") << with({{u"version"_s, 1.5}}) << u"version: must be a whole number"_s;
    QTest::newRow("version 1e300") << with({{u"version"_s, 1e300}}) << u"version: must be between 1 and 1000000 (is 1e+300)"_s;
    QTest::newRow("name missing") << without(u"name"_s) << u"name: is required"_s;
    QTest::newRow("name a number") << with({{u"name"_s, 42}}) << u"name: must be a string"_s;
    QTest::newRow("top-level typo") << with({{u"multiplers"_s, QJsonArray()}}) << u"multiplers: unknown field"_s;
    QTest::newRow("unknown currency") << with({{u"currency"_s, u"XYZ"_s}})
                                      << u"currency: 'XYZ' is not a currency Setia knows"_s;
    QTest::newRow("currency in lower case") << with({{u"currency"_s, u"idr"_s}})
                                            << u"currency: 'idr' is not a currency Setia knows"_s;
    QTest::newRow("unknown time zone") << with({{u"timeZone"_s, u"Asia/Jakata"_s}})
                                       << u"timeZone: 'Asia/Jakata' is not a known IANA time zone"_s;
    QTest::newRow("time zone missing") << without(u"timeZone"_s) << u"timeZone: is required"_s;
    QTest::newRow("effectiveFrom without offset") << with({{u"effectiveFrom"_s, u"2026-01-01T00:00:00"_s}})
                                                  << u"effectiveFrom: must be a date-time with its offset"_s;
    QTest::newRow("effectiveFrom a date") << with({{u"effectiveFrom"_s, u"2026-01-01"_s}})
                                          << u"effectiveFrom: must be a date-time with its offset"_s;
    QTest::newRow("effectiveFrom a number") << with({{u"effectiveFrom"_s, 1767200400000.0}})
                                            << u"effectiveFrom: must be a date-time with its offset"_s;
    QTest::newRow("effectiveFrom missing") << without(u"effectiveFrom"_s) << u"effectiveFrom: is required"_s;
    QTest::newRow("allowNegativeBalance text") << with({{u"allowNegativeBalance"_s, u"yes"_s}})
                                               << u"allowNegativeBalance: must be true or false"_s;

    // --- earn ---
    QTest::newRow("earn missing") << without(u"earn"_s) << u"earn: is required"_s;
    QTest::newRow("earn a list") << with({{u"earn"_s, QJsonArray()}}) << u"earn: must be an object"_s;
    QTest::newRow("earn typo") << withEarn({{u"perAmmount"_s, 10000}}) << u"earn.perAmmount: unknown field"_s;
    QTest::newRow("perAmount missing") << withoutEarn(u"perAmount"_s) << u"earn.perAmount: is required"_s;
    QTest::newRow("perAmount 0") << withEarn({{u"perAmount"_s, 0}})
                                 << u"earn.perAmount: must be between 1 and 1000000000000 (is 0)"_s;
    QTest::newRow("points missing") << withoutEarn(u"points"_s) << u"earn.points: is required"_s;
    QTest::newRow("points 2.5") << withEarn({{u"points"_s, 2.5}}) << u"earn.points: must be a whole number"_s;
    QTest::newRow("rounding unknown") << withEarn({{u"rounding"_s, u"nearest"_s}})
                                      << u"earn.rounding: must be \"floor\", \"round\" or \"ceil\""_s;
    QTest::newRow("minSpend negative") << withEarn({{u"minSpend"_s, -1}})
                                       << u"earn.minSpend: must be between 0 and 1000000000000 (is -1)"_s;
    QTest::newRow("excluded categories a string") << withEarn({{u"excludedCategories"_s, u"tobacco"_s}})
                                                  << u"earn.excludedCategories: must be a list of strings"_s;
    QTest::newRow("excluded category empty") << withEarn({{u"excludedCategories"_s, QJsonArray{u"tobacco"_s, u""_s}}})
                                             << u"earn.excludedCategories[1]: must be a non-empty string"_s;
    QTest::newRow("daily cap below receipt cap")
        << withEarn({{u"maxPointsPerReceipt"_s, 500}, {u"maxPointsPerMemberPerDay"_s, 100}})
        << u"earn.maxPointsPerMemberPerDay: must not be less than earn.maxPointsPerReceipt"_s;
    QTest::newRow("receipt cap 0") << withEarn({{u"maxPointsPerReceipt"_s, 0}})
                                   << u"earn.maxPointsPerReceipt: must be between 1 and 1000000000 (is 0)"_s;

    // --- multipliers ---
    QTest::newRow("multipliers an object") << with({{u"multipliers"_s, QJsonObject()}}) << u"multipliers: must be a list"_s;
    QTest::newRow("multiplier not an object") << withList(u"multipliers"_s, {mult({}), 7})
                                              << u"multipliers[1]: must be an object"_s;
    QTest::newRow("factor with 4 decimals") << withList(u"multipliers"_s, {mult({{u"factor"_s, 1.2345}})})
                                            << u"multipliers[0].factor: may have at most 3 decimals"_s;
    QTest::newRow("factor below 1") << withList(u"multipliers"_s, {mult({{u"factor"_s, 0.5}})})
                                    << u"multipliers[0].factor: must be between 1 and 100"_s;
    QTest::newRow("factor above 100") << withList(u"multipliers"_s, {mult({{u"factor"_s, 101}})})
                                      << u"multipliers[0].factor: must be between 1 and 100"_s;
    QTest::newRow("factor as text") << withList(u"multipliers"_s, {mult({{u"factor"_s, u"2x"_s}})})
                                    << u"multipliers[0].factor: must be a number such as 1.5"_s;
    QTest::newRow("factor missing") << withList(u"multipliers"_s, {drop(mult({}), u"factor"_s)})
                                    << u"multipliers[0].factor: is required"_s;
    QTest::newRow("multiplier id missing") << withList(u"multipliers"_s, {drop(mult({}), u"id"_s)})
                                           << u"multipliers[0].id: is required"_s;
    QTest::newRow("multiplier typo") << withList(u"multipliers"_s, {mult({}), mult({{u"id"_s, u"b"_s}, {u"catgories"_s, QJsonArray()}})})
                                     << u"multipliers[1].catgories: unknown field"_s;
    QTest::newRow("duplicate multiplier ids") << withList(u"multipliers"_s, {mult({}), mult({})})
                                              << u"multipliers[1].id: 'promo' is used twice"_s;
    QTest::newRow("day typo") << withList(u"multipliers"_s, {mult({{u"days"_s, QJsonArray{u"sat"_s, u"sb"_s}}})})
                              << u"multipliers[0].days[1]: 'sb' is not a day"_s;
    QTest::newRow("from after to") << withList(u"multipliers"_s, {mult({{u"from"_s, u"17:00"_s}, {u"to"_s, u"14:00"_s}})})
                                   << u"multipliers[0].to: must be later than from (17:00)"_s;
    QTest::newRow("from equals to") << withList(u"multipliers"_s, {mult({{u"from"_s, u"14:00"_s}, {u"to"_s, u"14:00"_s}})})
                                    << u"multipliers[0].to: must be later than from (14:00)"_s;
    QTest::newRow("from without to") << withList(u"multipliers"_s, {mult({{u"from"_s, u"14:00"_s}})})
                                     << u"multipliers[0].to: is required when the other end of the time window is given"_s;
    QTest::newRow("to without from") << withList(u"multipliers"_s, {mult({{u"to"_s, u"14:00"_s}})})
                                     << u"multipliers[0].from: is required when the other end of the time window is given"_s;
    QTest::newRow("hour 25") << withList(u"multipliers"_s, {mult({{u"from"_s, u"25:00"_s}, {u"to"_s, u"26:00"_s}})})
                             << u"multipliers[0].from: must be a time of day HH:MM"_s;
    QTest::newRow("validTo before validFrom")
        << withList(u"multipliers"_s, {mult({{u"validFrom"_s, u"2026-04-01T00:00:00+07:00"_s},
                                              {u"validTo"_s, u"2026-03-01T00:00:00+07:00"_s}})})
        << u"multipliers[0].validTo: must be later than validFrom"_s;
    QTest::newRow("validFrom without offset") << withList(u"multipliers"_s, {mult({{u"validFrom"_s, u"2026-04-01 10:00"_s}})})
                                              << u"multipliers[0].validFrom: must be a date-time with its offset"_s;
    QTest::newRow("multiplier for an unknown tier") << withList(u"multipliers"_s, {mult({{u"tiers"_s, QJsonArray{u"gold"_s}}})})
                                                    << u"multipliers[0].tiers: 'gold' is not a tier id"_s;
    QTest::newRow("payment methods not a list") << withList(u"multipliers"_s, {mult({{u"paymentMethods"_s, u"qris"_s}})})
                                                << u"multipliers[0].paymentMethods: must be a list of strings"_s;

    // --- tiers ---
    QTest::newRow("first tier above 0") << withList(u"tiers"_s, {tier(u"silver"_s, 100)})
                                        << u"tiers[0].threshold: the first tier is where every member starts"_s;
    QTest::newRow("second tier not above the first") << withList(u"tiers"_s, {tier(u"silver"_s, 0), tier(u"gold"_s, 0)})
                                                     << u"tiers[1].threshold: must be greater than tiers[0].threshold (0)"_s;
    QTest::newRow("thresholds out of order")
        << withList(u"tiers"_s, {tier(u"silver"_s, 0), tier(u"gold"_s, 500000), tier(u"platinum"_s, 200000)})
        << u"tiers[2].threshold: must be greater than tiers[1].threshold (500000)"_s;
    QTest::newRow("duplicate tier ids") << withList(u"tiers"_s, {tier(u"silver"_s, 0), tier(u"silver"_s, 500000)})
                                        << u"tiers[1].id: 'silver' is used twice"_s;
    QTest::newRow("tier name missing")
        << withList(u"tiers"_s, {tier(u"silver"_s, 0), drop(tier(u"gold"_s, 500000), u"name"_s)})
        << u"tiers[1].name: is required"_s;
    QTest::newRow("tier threshold missing")
        << withList(u"tiers"_s, {tier(u"silver"_s, 0), drop(tier(u"gold"_s, 500000), u"threshold"_s)})
        << u"tiers[1].threshold: is required"_s;
    QTest::newRow("tier multiplier 4 decimals")
        << withList(u"tiers"_s, {tier(u"silver"_s, 0), with({{u"multiplier"_s, 1.0001}}, tier(u"gold"_s, 500000))})
        << u"tiers[1].multiplier: may have at most 3 decimals"_s;
    QTest::newRow("tier typo") << withList(u"tiers"_s, {with({{u"treshold"_s, 0}}, tier(u"silver"_s, 0))})
                               << u"tiers[0].treshold: unknown field"_s;
    QTest::newRow("tier basis wrong") << with({{u"tierWindow"_s, QJsonObject{{u"basis"_s, u"visits"_s}, {u"days"_s, 365}}}})
                                      << u"tierWindow.basis: must be \"spend\" or \"points\""_s;
    QTest::newRow("tier window 0 days") << with({{u"tierWindow"_s, QJsonObject{{u"basis"_s, u"spend"_s}, {u"days"_s, 0}}}})
                                        << u"tierWindow.days: must be between 1 and 3660 (is 0)"_s;

    // --- vouchers and rewards ---
    QTest::newRow("reward for an unknown voucher")
        << with({{u"vouchers"_s, QJsonArray{voucher(u"disc-10k"_s)}},
                 {u"rewards"_s, QJsonArray{reward(u"v"_s, {{u"voucher"_s, u"disc-99k"_s}})}}})
        << u"rewards[0].voucher: 'disc-99k' is not the id of an entry in vouchers"_s;
    QTest::newRow("reward validTo before validFrom")
        << withList(u"rewards"_s, {reward(u"kopi"_s, {{u"validFrom"_s, u"2026-05-01T00:00:00+07:00"_s},
                                                      {u"validTo"_s, u"2026-05-01T00:00:00+07:00"_s}})})
        << u"rewards[0].validTo: must be later than validFrom"_s;
    QTest::newRow("reward cost 0") << withList(u"rewards"_s, {reward(u"kopi"_s, {{u"cost"_s, 0}})})
                                   << u"rewards[0].cost: must be between 1 and 1000000000 (is 0)"_s;
    QTest::newRow("reward stock negative") << withList(u"rewards"_s, {reward(u"kopi"_s, {{u"stock"_s, -1}})})
                                           << u"rewards[0].stock: must be between 0 and 1000000000 (is -1)"_s;
    QTest::newRow("duplicate reward ids") << withList(u"rewards"_s, {reward(u"kopi"_s), reward(u"teh"_s), reward(u"kopi"_s)})
                                          << u"rewards[2].id: 'kopi' is used twice"_s;
    QTest::newRow("voucher discount above its minimum")
        << withList(u"vouchers"_s, {with({{u"discount"_s, 60000}}, voucher(u"v"_s))})
        << u"vouchers[0].discount: must not exceed minSpend (50000)"_s;
    QTest::newRow("duplicate voucher ids") << withList(u"vouchers"_s, {voucher(u"v"_s), voucher(u"v"_s)})
                                           << u"vouchers[1].id: 'v' is used twice"_s;

    // --- missions and bonuses ---
    QTest::newRow("mission kind") << withList(u"missions"_s, {mission({{u"kind"_s, u"purchases"_s}})})
                                  << u"missions[0].kind: must be \"visits\" or \"spend\""_s;
    QTest::newRow("mission window missing") << withList(u"missions"_s, {drop(mission(), u"windowDays"_s)})
                                            << u"missions[0].windowDays: is required"_s;
    QTest::newRow("duplicate mission ids") << withList(u"missions"_s, {mission(), mission()})
                                           << u"missions[1].id: 'visits' is used twice"_s;
    QTest::newRow("birthday period") << with({{u"birthday"_s, QJsonObject{{u"bonusPoints"_s, 50}, {u"period"_s, u"week"_s}}}})
                                     << u"birthday.period: must be \"day\" or \"month\""_s;
    QTest::newRow("birthday points missing") << with({{u"birthday"_s, QJsonObject{{u"period"_s, u"day"_s}}}})
                                             << u"birthday.bonusPoints: is required"_s;
    QTest::newRow("anniversary a number") << with({{u"anniversary"_s, 30}}) << u"anniversary: must be an object"_s;
    QTest::newRow("referral typo")
        << with({{u"referral"_s, QJsonObject{{u"referrerPoints"_s, 40}, {u"minSpnd"_s, 25000}}}})
        << u"referral.minSpnd: unknown field"_s;
    QTest::newRow("expiry 0 days") << with({{u"expiry"_s, QJsonObject{{u"days"_s, 0}}}})
                                   << u"expiry.days: must be between 1 and 3660 (is 0)"_s;
    QTest::newRow("points as payment without value") << with({{u"pointsAsPayment"_s, QJsonObject{{u"minPoints"_s, 10}}}})
                                                     << u"pointsAsPayment.valuePerPoint: is required"_s;
    QTest::newRow("fraud typo") << with({{u"fraud"_s, QJsonObject{{u"maxRedemptionsPerDay"_s, 5}}}})
                                << u"fraud.maxRedemptionsPerDay: unknown field"_s;
}

void TestProgram::badDocuments()
{
    QFETCH(QJsonObject, doc);
    QFETCH(QString, expected);
    const QByteArray json = test::toJson(doc);
    const QStringList errors = validateProgram(json);
    QVERIFY2(hasErrorStartingWith(errors, expected), qPrintable(errors.join(u" | "_s)));
    auto r = parseProgram(json);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, u"invalid_program"_s);
    QCOMPARE(r.error().message, errors.join(u'\n'));
}

void TestProgram::malformedJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("line");
    // The column points at the offending character or just after it (where Qt's parser stopped).
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("reason");
    // "name" on line 4 should have been preceded by a comma: the quote is at column 3
    QTest::newRow("missing comma")
        << QByteArray("{\n  \"format\": \"setia.program/1\",\n  \"version\": 1\n  \"name\": \"x\"\n}") << 4 << 3 << QString();
    // trailing comma: the "}" on line 3, column 1
    QTest::newRow("trailing comma") << QByteArray("{\n  \"version\": 1,\n}") << 3 << 1 << QString();
    // the string never ends: the error is at the end of the text, line 3 after "}"
    QTest::newRow("unterminated string") << QByteArray("{\n  \"name\": \"abc\n}") << 3 << 1 << u"unterminated string"_s;
    // Columns count characters, not bytes: "—" is three bytes of UTF-8 but one column.
    // '  "name": "Kopi — Senja" "version": 1' — the quote of "version" is at column 26
    QTest::newRow("column after non-ASCII text")
        << QStringLiteral("{\n  \"name\": \"Kopi \u2014 Senja\" \"version\": 1\n}").toUtf8() << 2 << 26 << QString();
    QTest::newRow("empty document") << QByteArray() << 1 << 1 << QString();
}

void TestProgram::malformedJson()
{
    QFETCH(QByteArray, json);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, reason);
    const QStringList errors = validateProgram(json);
    QCOMPARE(errors.size(), 1);
    static const QRegularExpression re(u"^line (\\d+), column (\\d+): (.+)$"_s);
    const auto m = re.match(errors.first());
    QVERIFY2(m.hasMatch(), qPrintable(errors.first()));
    QCOMPARE(m.captured(1).toInt(), line);
    const int actualColumn = m.captured(2).toInt();
    QVERIFY2(actualColumn == column || actualColumn == column + 1, qPrintable(errors.first()));
    if (!reason.isEmpty())
        QCOMPARE(m.captured(3), reason);
    auto r = parseProgram(json);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().message, errors.first());
}

void TestProgram::allErrorsAtOnce()
{
    // Not JSON objects at the top
    QCOMPARE(validateProgram("[]"), QStringList{u"(document): must be a JSON object"_s});
    QCOMPARE(validateProgram("[{\"format\": \"setia.program/1\"}]"), QStringList{u"(document): must be a JSON object"_s});

    // Four mistakes in different places: every one is reported, in one go.
    QJsonObject doc = with({{u"timeZone"_s, u"Asia/Jakata"_s}, {u"vesion"_s, 2}});
    doc.insert(u"earn"_s, QJsonObject{{u"perAmount"_s, 10000}, {u"points"_s, 1}, {u"rounding"_s, u"up"_s}});
    doc.insert(u"tiers"_s, QJsonArray{tier(u"silver"_s, 0), tier(u"gold"_s, 500000), tier(u"platinum"_s, 500000)});
    doc.insert(u"multipliers"_s, QJsonArray{mult({{u"factor"_s, 1.5555}})});
    const QStringList errors = validateProgram(test::toJson(doc));
    const QStringList expected{
        u"vesion: unknown field"_s,
        u"timeZone: 'Asia/Jakata' is not a known IANA time zone"_s,
        u"earn.rounding: must be \"floor\", \"round\" or \"ceil\""_s,
        u"multipliers[0].factor: may have at most 3 decimals"_s,
        u"tiers[2].threshold: must be greater than tiers[1].threshold (500000)"_s,
    };
    QCOMPARE(errors.size(), expected.size());
    for (const QString &e : expected)
        QVERIFY2(hasErrorStartingWith(errors, e), qPrintable(e + u" not in: "_s + errors.join(u" | "_s)));
    auto r = parseProgram(test::toJson(doc));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().message.split(u'\n').size(), expected.size()); // one problem a line
}

void TestProgram::loadRefusesInvalidProgram()
{
    test::TempStore ts;
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    const QByteArray bad = test::toJson(withList(u"tiers"_s, {tier(u"silver"_s, 0), tier(u"gold"_s, 0)}));
    auto v = ts.loyalty().loadProgram(bad, u"manager"_s);
    QVERIFY(!v.ok());
    QCOMPARE(v.error().code, u"invalid_program"_s);
    QVERIFY2(v.error().message.contains(u"tiers[1].threshold: must be greater than tiers[0].threshold"_s),
             qPrintable(v.error().message));
    auto now = ts.loyalty().program();
    QVERIFY(!now.ok()); // nothing was loaded
    QCOMPARE(now.error().code, u"no_program"_s);
    // A good one still loads afterwards, and survives a restart.
    auto good = ts.loyalty().loadProgram(test::toJson(test::baseProgram()), u"manager"_s);
    QVERIFY2(good.ok(), qPrintable(errorText(good)));
    QCOMPARE(good.value(), 1);
    QVERIFY(ts.reopen());
    auto p = ts.loyalty().program();
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    QCOMPARE(p->version, 1);
    QCOMPARE(p->name, u"Test program"_s);
}

void TestProgram::loadRefusesOtherCurrency()
{
    test::TempStore ts; // an IDR store
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    auto v = ts.loyalty().loadProgram(test::toJson(with({{u"currency"_s, u"MYR"_s}})), u"manager"_s);
    QVERIFY(!v.ok());
    QVERIFY2(v.error().message.startsWith(u"currency: the program counts MYR but this store uses IDR"_s),
             qPrintable(v.error().message));
    QVERIFY(!ts.loyalty().program().ok());
}

void TestProgram::versionsMustIncrease()
{
    test::TempStore ts(test::toJson(test::baseProgram())); // version 1
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    auto again = ts.loyalty().loadProgram(test::toJson(test::baseProgram()), u"manager"_s);
    QVERIFY(!again.ok());
    QCOMPARE(again.error().code, u"program_version"_s);
    QVERIFY2(again.error().message.startsWith(u"version: must be greater than the loaded version 1 (is 1)"_s),
             qPrintable(again.error().message));
    auto v3 = ts.loyalty().loadProgram(test::toJson(programVersion(3, u"2026-01-01T00:00:00+07:00"_s)), u"manager"_s);
    QVERIFY2(v3.ok(), qPrintable(errorText(v3)));
    QCOMPARE(v3.value(), 3);
    // Version 2 after 3: older than what is loaded.
    auto v2 = ts.loyalty().loadProgram(test::toJson(programVersion(2, u"2026-01-01T00:00:00+07:00"_s)), u"manager"_s);
    QVERIFY(!v2.ok());
    QCOMPARE(v2.error().code, u"program_version"_s);
    QVERIFY2(v2.error().message.contains(u"loaded version 3 (is 2)"_s), qPrintable(v2.error().message));
    auto p = ts.loyalty().program();
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    QCOMPARE(p->version, 3);
}

void TestProgram::programInForceByEffectiveFrom()
{
    // Version 1 from 1 January; the clock says 2 March 10:00 WIB.
    test::TempStore ts(test::toJson(test::baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    const qint64 april = test::at(u"2026-04-01T00:00:00+07:00"_s);
    auto v2 = ts.loyalty().loadProgram(test::toJson(programVersion(2, u"2026-04-01T00:00:00+07:00"_s, 5000)), u"manager"_s);
    QVERIFY2(v2.ok(), qPrintable(errorText(v2)));

    auto now = ts.loyalty().program();
    QVERIFY2(now.ok(), qPrintable(errorText(now)));
    QCOMPARE(now->version, 1); // version 2 is loaded but not in force yet
    QCOMPARE(now->perAmount, qint64(10000));
    QCOMPARE(ts.loyalty().program(april - 1)->version, 1);
    auto later = ts.loyalty().program(april);
    QVERIFY2(later.ok(), qPrintable(errorText(later)));
    QCOMPARE(later->version, 2);
    QCOMPARE(later->perAmount, qint64(5000));
    // Before version 1 started there was no program.
    auto before = ts.loyalty().program(test::at(u"2025-12-31T23:59:59+07:00"_s));
    QVERIFY(!before.ok());
    QCOMPARE(before.error().code, u"no_program"_s);

    // Time moves on: version 2 is in force without anyone loading anything.
    ts.clock().set(april + 60'000);
    QCOMPARE(ts.loyalty().program()->version, 2);
    // And after a restart the same.
    QVERIFY(ts.reopen());
    QCOMPARE(ts.loyalty().program()->version, 2);
    QCOMPARE(ts.loyalty().program(april - 1)->version, 1);
}

QTEST_GUILESS_MAIN(TestProgram)
#include "tst_program.moc"
