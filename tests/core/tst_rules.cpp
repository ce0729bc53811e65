// The rules engine (core/engine.h): every earn rule of computeEarn, the bonuses, the
// explanation and the basket checks. Every expected number below is worked out by hand in the
// comment of its row; the programs go through parseProgram, as a loaded document would.
#include "core/engine.h"
#include "core/program.h"
#include "testsupport.h"

#include <QDate>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace setia;

Q_DECLARE_METATYPE(setia::Basket)

namespace {

template <typename T>
QString errorText(const Result<T> &r)
{
    return r.ok() ? QString() : r.error().code + u": "_s + r.error().message;
}

QJsonObject merged(QJsonObject base, const QJsonObject &patch)
{
    for (auto it = patch.begin(); it != patch.end(); ++it)
        base.insert(it.key(), it.value());
    return base;
}

// test::baseProgram() (IDR, Asia/Jakarta, 1 point per Rp10.000, floor) with some earn fields
// and some top-level fields replaced.
Result<Program> program(const QJsonObject &earn = {}, const QJsonObject &top = {})
{
    QJsonObject doc = test::baseProgram();
    doc.insert(u"earn"_s, merged(doc.value(u"earn"_s).toObject(), earn));
    return parseProgram(test::toJson(merged(doc, top)));
}

QJsonObject rounding(const QString &rule) { return QJsonObject{{u"rounding"_s, rule}}; }

BasketLine line(const QString &category, qint64 quantity, qint64 unitPrice, const QString &sku = {})
{
    BasketLine l;
    l.sku = sku;
    l.category = category;
    l.name = category.isEmpty() ? u"item"_s : category;
    l.quantity = quantity;
    l.unitPrice = unitPrice;
    return l;
}

Basket receipt(qint64 total, const QList<BasketLine> &lines = {}, const QString &payment = u"cash"_s)
{
    Basket b;
    b.receiptId = u"R-1"_s;
    b.total = total;
    b.lines = lines;
    b.paymentMethod = payment;
    return b;
}

MemberFacts member(const QString &tierId = {})
{
    MemberFacts f;
    f.memberId = u"m1"_s;
    f.tierId = tierId;
    return f;
}

// A weekday morning in Jakarta on which no time rule of these tests holds (Monday).
const qint64 kMonday = test::at(u"2026-03-02T10:00:00+07:00"_s);

// "kind[ id] points" for every explanation line, in order: compared with the hand-worked text.
QString summary(const EarnComputation &c)
{
    QStringList parts;
    for (const auto &l : c.lines)
        parts << (l.id.isEmpty() || l.kind == u"base"_s ? l.kind : l.kind + u' ' + l.id) + u' ' + QString::number(l.points);
    return parts.join(u", "_s);
}

QString bonusSummary(const QList<BonusAward> &bonuses)
{
    QStringList parts;
    for (const auto &b : bonuses)
        parts << u"%1 %2 %3->%4"_s.arg(b.kind, b.id).arg(b.points).arg(b.memberId)
                     + (b.badge.isEmpty() ? QString() : u" ["_s + b.badge + u']');
    return parts.join(u", "_s);
}

// The sale part of an explanation: what a receipt prints above "Points earned".
qint64 explainedSale(const EarnComputation &c)
{
    qint64 sum = 0;
    for (const auto &l : c.lines)
        if (l.kind == u"base"_s || l.kind == u"multiplier"_s || l.kind == u"tier"_s || l.kind == u"cap"_s)
            sum += l.points;
    return sum;
}

Rounding roundingRule(const QString &s)
{
    if (s == u"round"_s)
        return Rounding::Round;
    if (s == u"ceil"_s)
        return Rounding::Ceil;
    return Rounding::Floor;
}

} // namespace

class TestRules : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundDivision_data();
    void roundDivision();
    void roundDivisionBeyond64Bits();
    void baseRate_data();
    void baseRate();
    void minimumSpend_data();
    void minimumSpend();
    void discountsTaxAndExclusions_data();
    void discountsTaxAndExclusions();
    void lineMultipliers_data();
    void lineMultipliers();
    void fractionalFactors_data();
    void fractionalFactors();
    void receiptMultipliers_data();
    void receiptMultipliers();
    void timeWindows_data();
    void timeWindows();
    void validityPeriod_data();
    void validityPeriod();
    void tierMultiplier_data();
    void tierMultiplier();
    void caps_data();
    void caps();
    void explanationAddsUp_data();
    void explanationAddsUp();
    void explanationJsonRoundTrip();
    void birthday_data();
    void birthday();
    void anniversary_data();
    void anniversary();
    void missions_data();
    void missions();
    void referral_data();
    void referral();
    void bonusesIgnoreCaps();
    void validateBasket_data();
    void validateBasket();
};

// ---- roundDiv ----

void TestRules::roundDivision_data()
{
    QTest::addColumn<qint64>("numerator");
    QTest::addColumn<qint64>("denominator");
    QTest::addColumn<QString>("rule");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("floor 19/10") << qint64(19) << qint64(10) << u"floor"_s << qint64(1);       // 1.9 -> 1
    QTest::newRow("ceil 11/10") << qint64(11) << qint64(10) << u"ceil"_s << qint64(2);         // 1.1 -> 2
    QTest::newRow("round 14/10") << qint64(14) << qint64(10) << u"round"_s << qint64(1);       // 1.4 -> 1
    QTest::newRow("round 15/10 half") << qint64(15) << qint64(10) << u"round"_s << qint64(2);  // 1.5 -> 2
    QTest::newRow("round 25/10 half, not to even") << qint64(25) << qint64(10) << u"round"_s << qint64(3); // 2.5 -> 3
    QTest::newRow("round 2/3") << qint64(2) << qint64(3) << u"round"_s << qint64(1);           // 0.67 -> 1
    QTest::newRow("round 1/3") << qint64(1) << qint64(3) << u"round"_s << qint64(0);           // 0.33 -> 0
    QTest::newRow("floor exact 20/10") << qint64(20) << qint64(10) << u"floor"_s << qint64(2);
    QTest::newRow("round exact 20/10") << qint64(20) << qint64(10) << u"round"_s << qint64(2);
    QTest::newRow("ceil exact 20/10") << qint64(20) << qint64(10) << u"ceil"_s << qint64(2);
    QTest::newRow("ceil 0/7") << qint64(0) << qint64(7) << u"ceil"_s << qint64(0);
    // Negative numerators (a reversal): floor goes down, ceil goes up, round is half away from zero.
    QTest::newRow("floor -19/10") << qint64(-19) << qint64(10) << u"floor"_s << qint64(-2);    // -1.9 -> -2
    QTest::newRow("ceil -19/10") << qint64(-19) << qint64(10) << u"ceil"_s << qint64(-1);      // -1.9 -> -1
    QTest::newRow("round -19/10") << qint64(-19) << qint64(10) << u"round"_s << qint64(-2);    // -1.9 -> -2
    QTest::newRow("round -14/10") << qint64(-14) << qint64(10) << u"round"_s << qint64(-1);    // -1.4 -> -1
    QTest::newRow("round -15/10 half") << qint64(-15) << qint64(10) << u"round"_s << qint64(-2); // -1.5 -> -2
    QTest::newRow("round -25/10 half") << qint64(-25) << qint64(10) << u"round"_s << qint64(-3); // -2.5 -> -3
    QTest::newRow("floor -1/3") << qint64(-1) << qint64(3) << u"floor"_s << qint64(-1);        // -0.33 -> -1
    QTest::newRow("ceil -1/3") << qint64(-1) << qint64(3) << u"ceil"_s << qint64(0);           // -0.33 -> 0
    QTest::newRow("round -1/3") << qint64(-1) << qint64(3) << u"round"_s << qint64(0);         // -0.33 -> 0
    QTest::newRow("round -2/3") << qint64(-2) << qint64(3) << u"round"_s << qint64(-1);        // -0.67 -> -1
    QTest::newRow("floor exact -20/10") << qint64(-20) << qint64(10) << u"floor"_s << qint64(-2);
    QTest::newRow("ceil exact -20/10") << qint64(-20) << qint64(10) << u"ceil"_s << qint64(-2);
}

void TestRules::roundDivision()
{
    QFETCH(qint64, numerator);
    QFETCH(qint64, denominator);
    QFETCH(QString, rule);
    QFETCH(qint64, expected);
    QCOMPARE(roundDiv(numerator, denominator, roundingRule(rule)), expected);
}

void TestRules::roundDivisionBeyond64Bits()
{
    // 9·10^18 × 1000 + 500 does not fit in 64 bits; the 128-bit intermediate keeps it exact:
    // (9·10^21 + 500) / 1000 = 9·10^18 + 0.5 -> floor 9·10^18, round and ceil 9·10^18 + 1.
    const Int128 n = Int128(9'000'000'000'000'000'000LL) * 1000 + 500;
    QCOMPARE(roundDiv(n, 1000, Rounding::Floor), qint64(9'000'000'000'000'000'000LL));
    QCOMPARE(roundDiv(n, 1000, Rounding::Round), qint64(9'000'000'000'000'000'001LL));
    QCOMPARE(roundDiv(n, 1000, Rounding::Ceil), qint64(9'000'000'000'000'000'001LL));
    QCOMPARE(roundDiv(-n, 1000, Rounding::Floor), qint64(-9'000'000'000'000'000'001LL));
}

// ---- base rate ----

void TestRules::baseRate_data()
{
    QTest::addColumn<qint64>("perAmount");
    QTest::addColumn<qint64>("points");
    QTest::addColumn<QString>("rule");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<qint64>("expected");
    const qint64 k = 10000; // 1 point per Rp10.000
    QTest::newRow("floor 19.999") << k << qint64(1) << u"floor"_s << qint64(19999) << qint64(1);     // 1.9999 -> 1
    QTest::newRow("floor 20.000") << k << qint64(1) << u"floor"_s << qint64(20000) << qint64(2);     // 2 exactly
    QTest::newRow("floor 9.999") << k << qint64(1) << u"floor"_s << qint64(9999) << qint64(0);       // 0.9999 -> 0
    QTest::newRow("round 14.999") << k << qint64(1) << u"round"_s << qint64(14999) << qint64(1);     // 1.4999 -> 1
    QTest::newRow("round 15.000 half") << k << qint64(1) << u"round"_s << qint64(15000) << qint64(2); // 1.5 -> 2
    QTest::newRow("round 25.000 half") << k << qint64(1) << u"round"_s << qint64(25000) << qint64(3); // 2.5 -> 3
    QTest::newRow("round 15.001") << k << qint64(1) << u"round"_s << qint64(15001) << qint64(2);     // 1.5001 -> 2
    QTest::newRow("round 4.999") << k << qint64(1) << u"round"_s << qint64(4999) << qint64(0);       // 0.4999 -> 0
    QTest::newRow("ceil 10.001") << k << qint64(1) << u"ceil"_s << qint64(10001) << qint64(2);       // 1.0001 -> 2
    QTest::newRow("ceil 10.000") << k << qint64(1) << u"ceil"_s << qint64(10000) << qint64(1);       // 1 exactly
    QTest::newRow("ceil Rp1") << k << qint64(1) << u"ceil"_s << qint64(1) << qint64(1);              // 0.0001 -> 1
    QTest::newRow("ceil Rp0") << k << qint64(1) << u"ceil"_s << qint64(0) << qint64(0);
    // 3 points per Rp5.000: 12.500 × 3 / 5.000 = 7.5
    QTest::newRow("3/5000 floor 12.500") << qint64(5000) << qint64(3) << u"floor"_s << qint64(12500) << qint64(7);
    QTest::newRow("3/5000 round 12.500") << qint64(5000) << qint64(3) << u"round"_s << qint64(12500) << qint64(8);
    QTest::newRow("3/5000 ceil 12.500") << qint64(5000) << qint64(3) << u"ceil"_s << qint64(12500) << qint64(8);
    // 11.666 × 3 / 5.000 = 6.9996
    QTest::newRow("3/5000 floor 11.666") << qint64(5000) << qint64(3) << u"floor"_s << qint64(11666) << qint64(6);
    QTest::newRow("3/5000 round 11.666") << qint64(5000) << qint64(3) << u"round"_s << qint64(11666) << qint64(7);
    QTest::newRow("1 point per rupiah") << qint64(1) << qint64(1) << u"floor"_s << qint64(125000) << qint64(125000);
    // 10^12 / 10^4 = 10^8
    QTest::newRow("largest receipt") << k << qint64(1) << u"floor"_s << qint64(1'000'000'000'000LL) << qint64(100'000'000);
}

void TestRules::baseRate()
{
    QFETCH(qint64, perAmount);
    QFETCH(qint64, points);
    QFETCH(QString, rule);
    QFETCH(qint64, total);
    QFETCH(qint64, expected);
    auto p = program(QJsonObject{{u"perAmount"_s, perAmount}, {u"points"_s, points}, {u"rounding"_s, rule}});
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    const EarnComputation c = computeEarn(*p, receipt(total), member(), kMonday);
    QCOMPARE(c.eligibleAmount, total);
    QCOMPARE(c.basePoints, expected);
    QCOMPARE(c.points, expected);
    QCOMPARE(summary(c), u"base "_s + QString::number(expected));
    QCOMPARE(c.lines.first().amount, total);
    QVERIFY(c.bonuses.isEmpty());
    QCOMPARE(c.totalPoints(), expected);
}

// ---- minimum spend ----

void TestRules::minimumSpend_data()
{
    QTest::addColumn<qint64>("minSpend");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<QString>("explanation");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("no minimum, Rp5.000") << qint64(0) << qint64(5000) << u"base 0"_s << qint64(0);           // 0.5 -> 0
    QTest::newRow("Rp1 below Rp50.000") << qint64(50000) << qint64(49999) << u"min_spend 0"_s << qint64(0);
    QTest::newRow("exactly Rp50.000") << qint64(50000) << qint64(50000) << u"base 5"_s << qint64(5);         // 50.000/10.000
    QTest::newRow("Rp125.000") << qint64(50000) << qint64(125000) << u"base 12"_s << qint64(12);             // 12.5 -> 12
}

void TestRules::minimumSpend()
{
    QFETCH(qint64, minSpend);
    QFETCH(qint64, total);
    QFETCH(QString, explanation);
    QFETCH(qint64, expected);
    auto p = program(QJsonObject{{u"minSpend"_s, minSpend}});
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    const EarnComputation c = computeEarn(*p, receipt(total), member(), kMonday);
    QCOMPARE(summary(c), explanation);
    QCOMPARE(c.points, expected);
    QCOMPARE(c.basePoints, expected);
    if (c.lines.first().kind == u"min_spend"_s)
        QCOMPARE(c.lines.first().amount, minSpend); // tells the cashier the minimum
}

// ---- receipt discounts, tax and excluded categories ----

void TestRules::discountsTaxAndExclusions_data()
{
    QTest::addColumn<Basket>("basket");
    QTest::addColumn<qint64>("eligible");
    QTest::addColumn<qint64>("excluded"); // amount of the "excluded" explanation line (0: no line)
    QTest::addColumn<qint64>("expected");
    const QList<BasketLine> cafe{line(u"coffee"_s, 2, 30000), line(u"food"_s, 1, 15000)}; // 60.000 + 15.000 = 75.000
    // 75.000 / 10.000 = 7.5 -> 7
    QTest::newRow("total equals the lines") << receipt(75000, cafe) << qint64(75000) << qint64(0) << qint64(7);
    // Rp15.000 off the receipt: coffee 60.000×60/75 = 48.000, food 15.000×60/75 = 12.000 -> 60.000 -> 6
    QTest::newRow("receipt discount scales the lines") << receipt(60000, cafe) << qint64(60000) << qint64(0) << qint64(6);
    // 11% PPN on top: 75.000 + 8.250 = 83.250 paid, still 75.000 of goods -> 7
    QTest::newRow("tax above the lines earns nothing") << receipt(83250, cafe) << qint64(75000) << qint64(0) << qint64(7);
    // Three Rp10.000 lines, Rp20.000 paid: each line 20.000/3 = 6.666,67; the shares must still add
    // up to the 20.000 paid (6.666 + 6.667 + 6.667), which is 2 points, not 19.998 -> 1.
    QTest::newRow("discount over three lines keeps every rupiah")
        << receipt(20000, {line(u"food"_s, 1, 10000), line(u"food"_s, 1, 10000), line(u"food"_s, 1, 10000)})
        << qint64(20000) << qint64(0) << qint64(2);
    // 7 lines of Rp1.000 with Rp4.000 paid: 7 × 571,43 must add up to 4.000 -> 0.4 -> 0, eligible 4.000
    QTest::newRow("discount over seven lines keeps every rupiah")
        << receipt(4000, QList<BasketLine>(7, line(u"snack"_s, 1, 1000))) << qint64(4000) << qint64(0) << qint64(0);
    // No lines: the total alone earns: 45.000 -> 4
    QTest::newRow("no lines") << receipt(45000) << qint64(45000) << qint64(0) << qint64(4);
    // Tobacco is excluded: coffee 40.000 earns 4, tobacco 60.000 earns nothing
    QTest::newRow("excluded category")
        << receipt(100000, {line(u"coffee"_s, 1, 40000), line(u"tobacco"_s, 2, 30000)}) << qint64(40000) << qint64(60000)
        << qint64(4);
    // Half paid: coffee 40.000 -> 20.000, tobacco 60.000 -> 30.000 (excluded) -> 20.000 -> 2
    QTest::newRow("discount and excluded category")
        << receipt(50000, {line(u"coffee"_s, 1, 40000), line(u"tobacco"_s, 2, 30000)}) << qint64(20000) << qint64(30000)
        << qint64(2);
    QTest::newRow("everything excluded")
        << receipt(80000, {line(u"tobacco"_s, 1, 80000)}) << qint64(0) << qint64(80000) << qint64(0);
    // A line without a category is never excluded: 30.000 -> 3
    QTest::newRow("line without category") << receipt(30000, {line(QString(), 3, 10000)}) << qint64(30000) << qint64(0)
                                           << qint64(3);
    // Free items only (sum of lines 0) and Rp5.000 delivery: nothing bought earns
    QTest::newRow("free lines, fee paid") << receipt(5000, {line(u"food"_s, 1, 0)}) << qint64(0) << qint64(0) << qint64(0);
}

void TestRules::discountsTaxAndExclusions()
{
    QFETCH(Basket, basket);
    QFETCH(qint64, eligible);
    QFETCH(qint64, excluded);
    QFETCH(qint64, expected);
    auto p = program(QJsonObject{{u"excludedCategories"_s, QJsonArray{u"tobacco"_s, u"gift-card"_s}}});
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    QVERIFY(setia::validateBasket(basket, *p).ok());
    const EarnComputation c = computeEarn(*p, basket, member(), kMonday);
    QCOMPARE(c.eligibleAmount, eligible);
    QCOMPARE(c.points, expected);
    qint64 excludedLine = 0;
    for (const auto &l : c.lines)
        if (l.kind == u"excluded"_s) {
            QCOMPARE(l.points, qint64(0));
            excludedLine = l.amount;
        }
    QCOMPARE(excludedLine, excluded);
    QCOMPARE(explainedSale(c), c.points);
}

// ---- line-scoped multipliers ----

void TestRules::lineMultipliers_data()
{
    QTest::addColumn<Basket>("basket");
    QTest::addColumn<QString>("explanation");
    QTest::addColumn<qint64>("expected");
    // Program: coffee-double ×2 on category coffee or SKU BEANS-1KG; croissant ×3 on SKU CROI-01;
    // tobacco-promo ×5 on category tobacco, which is excluded from earning.
    // base 80.000 -> 8; coffee 50.000 × (2-1) / 10.000 = 5 -> 13
    QTest::newRow("coffee line doubles")
        << receipt(80000, {line(u"coffee"_s, 2, 25000), line(u"food"_s, 1, 30000)})
        << u"base 8, multiplier coffee-double 5"_s << qint64(13);
    // base 35.000 -> 3 (3.5 floored); croissant 25.000 × (3-1) / 10.000 = 5 -> 8
    QTest::newRow("SKU triples")
        << receipt(35000, {line(u"bakery"_s, 1, 25000, u"CROI-01"_s), line(u"food"_s, 1, 10000)})
        << u"base 3, multiplier croissant 5"_s << qint64(8);
    // BEANS-1KG is in category retail but listed by SKU: 100.000 -> base 10 + 10 -> 20
    QTest::newRow("SKU listed in a category multiplier")
        << receipt(100000, {line(u"retail"_s, 1, 100000, u"BEANS-1KG"_s)}) << u"base 10, multiplier coffee-double 10"_s
        << qint64(20);
    // A coffee line that is also BEANS-1KG counts once: 40.000 -> base 4 + 4 (not 8) -> 8
    QTest::newRow("category and SKU match count once")
        << receipt(40000, {line(u"coffee"_s, 1, 40000, u"BEANS-1KG"_s)}) << u"base 4, multiplier coffee-double 4"_s
        << qint64(8);
    // Both multipliers: coffee 30.000 and croissant 20.000: base 5 + coffee 3 + croissant 20.000×2/10.000 = 4 -> 12
    QTest::newRow("two line multipliers")
        << receipt(50000, {line(u"coffee"_s, 1, 30000), line(u"bakery"_s, 2, 10000, u"CROI-01"_s)})
        << u"base 5, multiplier coffee-double 3, multiplier croissant 4"_s << qint64(12);
    // Rp20.000 off 100.000: coffee 50.000 -> 40.000, food 50.000 -> 40.000: base 8 + coffee 4 -> 12
    QTest::newRow("multiplier on the discounted share")
        << receipt(80000, {line(u"coffee"_s, 1, 50000), line(u"food"_s, 1, 50000)})
        << u"base 8, multiplier coffee-double 4"_s << qint64(12);
    // Tax on top does not grow the coffee share: coffee 50.000 (of 55.500 paid) -> base 5 + 5 -> 10
    QTest::newRow("multiplier ignores tax")
        << receipt(55500, {line(u"coffee"_s, 1, 50000)}) << u"base 5, multiplier coffee-double 5"_s << qint64(10);
    QTest::newRow("no matching line") << receipt(100000, {line(u"food"_s, 1, 100000)}) << u"base 10"_s << qint64(10);
    // Tobacco 100.000 is excluded, so its ×5 promotion has nothing to multiply: food 20.000 -> 2
    QTest::newRow("multiplier on an excluded category")
        << receipt(120000, {line(u"tobacco"_s, 1, 100000), line(u"food"_s, 1, 20000)}) << u"excluded 0, base 2"_s
        << qint64(2);
    // Coffee 5.000: base 0.5 -> 0, coffee 0.5 -> 0: no multiplier line for nothing
    QTest::newRow("multiplier worth nothing is not printed")
        << receipt(5000, {line(u"coffee"_s, 1, 5000)}) << u"base 0"_s << qint64(0);
    // No lines: a line-scoped multiplier has no line to match -> 60.000 -> 6
    QTest::newRow("basket without lines") << receipt(60000) << u"base 6"_s << qint64(6);
}

void TestRules::lineMultipliers()
{
    QFETCH(Basket, basket);
    QFETCH(QString, explanation);
    QFETCH(qint64, expected);
    const QJsonArray multipliers{
        QJsonObject{{u"id"_s, u"coffee-double"_s}, {u"label"_s, u"Coffee"_s}, {u"factor"_s, 2},
                    {u"categories"_s, QJsonArray{u"coffee"_s}}, {u"skus"_s, QJsonArray{u"BEANS-1KG"_s}}},
        QJsonObject{{u"id"_s, u"croissant"_s}, {u"factor"_s, 3}, {u"skus"_s, QJsonArray{u"CROI-01"_s}}},
        QJsonObject{{u"id"_s, u"tobacco-promo"_s}, {u"factor"_s, 5}, {u"categories"_s, QJsonArray{u"tobacco"_s}}},
    };
    auto p = program(QJsonObject{{u"excludedCategories"_s, QJsonArray{u"tobacco"_s}}},
                     QJsonObject{{u"multipliers"_s, multipliers}});
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    const EarnComputation c = computeEarn(*p, basket, member(), kMonday);
    QCOMPARE(summary(c), explanation);
    QCOMPARE(c.points, expected);
    QCOMPARE(explainedSale(c), c.points);
    for (const auto &l : c.lines)
        if (l.id == u"coffee-double"_s)
            QCOMPARE(l.label, u"Coffee ×2"_s);
}

void TestRules::fractionalFactors_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<qint64>("coffee");
    QTest::addColumn<QString>("explanation");
    QTest::addColumn<qint64>("expected");
    // coffee ×1.5: base = amount / 10.000, extra = amount × 0.5 / 10.000, each rounded by the rule
    // 15.000: base 1.5, extra 0.75
    QTest::newRow("floor 15.000") << u"floor"_s << qint64(15000) << u"base 1"_s << qint64(1);  // 1 + 0 (no line)
    QTest::newRow("round 15.000") << u"round"_s << qint64(15000) << u"base 2, multiplier coffee 1"_s << qint64(3); // 2 + 1
    QTest::newRow("ceil 15.000") << u"ceil"_s << qint64(15000) << u"base 2, multiplier coffee 1"_s << qint64(3);   // 2 + 1
    // 45.000: base 4.5, extra 2.25
    QTest::newRow("floor 45.000") << u"floor"_s << qint64(45000) << u"base 4, multiplier coffee 2"_s << qint64(6);
    QTest::newRow("round 45.000") << u"round"_s << qint64(45000) << u"base 5, multiplier coffee 2"_s << qint64(7);
    QTest::newRow("ceil 45.000") << u"ceil"_s << qint64(45000) << u"base 5, multiplier coffee 3"_s << qint64(8);
    // 50.000: base 5, extra 2.5 exactly half
    QTest::newRow("round 50.000 half") << u"round"_s << qint64(50000) << u"base 5, multiplier coffee 3"_s << qint64(8);
    QTest::newRow("floor 50.000 half") << u"floor"_s << qint64(50000) << u"base 5, multiplier coffee 2"_s << qint64(7);
}

void TestRules::fractionalFactors()
{
    QFETCH(QString, rule);
    QFETCH(qint64, coffee);
    QFETCH(QString, explanation);
    QFETCH(qint64, expected);
    const QJsonArray multipliers{QJsonObject{{u"id"_s, u"coffee"_s}, {u"factor"_s, 1.5}, {u"categories"_s, QJsonArray{u"coffee"_s}}}};
    auto p = program(rounding(rule), QJsonObject{{u"multipliers"_s, multipliers}});
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    QCOMPARE(p->multipliers.first().factorMilli, qint64(1500));
    const EarnComputation c = computeEarn(*p, receipt(coffee, {line(u"coffee"_s, 1, coffee)}), member(), kMonday);
    QCOMPARE(summary(c), explanation);
    QCOMPARE(c.points, expected);
    QCOMPARE(explainedSale(c), c.points);
}

// ---- receipt-wide multipliers: payment method and tier ----

void TestRules::receiptMultipliers_data()
{
    QTest::addColumn<Basket>("basket");
    QTest::addColumn<QString>("tier");
    QTest::addColumn<QString>("explanation");
    QTest::addColumn<qint64>("expected");
    // qris ×1.1 on payment qris; gold-week ×1.5 for tier gold. Extras are each computed on the
    // eligible amount: they add up, they do not compound.
    QTest::newRow("cash") << receipt(100000) << u"silver"_s << u"base 10"_s << qint64(10);
    // 100.000 × 0.1 / 10.000 = 1 -> 11
    QTest::newRow("qris") << receipt(100000, {}, u"qris"_s) << u"silver"_s << u"base 10, multiplier qris 1"_s << qint64(11);
    QTest::newRow("QRIS in capitals") << receipt(100000, {}, u"QRIS"_s) << u"silver"_s << u"base 10, multiplier qris 1"_s
                                      << qint64(11);
    // 50.000 × 0.1 / 10.000 = 0.5 -> 0
    QTest::newRow("qris too small for an extra point") << receipt(50000, {}, u"qris"_s) << u"silver"_s << u"base 5"_s << qint64(5);
    QTest::newRow("debit is not qris") << receipt(100000, {}, u"debit"_s) << u"silver"_s << u"base 10"_s << qint64(10);
    // 100.000 × 0.5 / 10.000 = 5 -> 15
    QTest::newRow("gold member") << receipt(100000) << u"gold"_s << u"base 10, multiplier gold-week 5"_s << qint64(15);
    // 200.000: base 20, qris 2, gold-week 10 -> 32 (compounding would be 20×1.1×1.5 = 33)
    QTest::newRow("gold with qris") << receipt(200000, {}, u"qris"_s) << u"gold"_s
                                    << u"base 20, multiplier qris 2, multiplier gold-week 10"_s << qint64(32);
    // Receipt-wide: lines of any category count. coffee 60.000 + food 40.000 = 100.000 -> 10 + 1
    QTest::newRow("qris on a basket with lines")
        << receipt(100000, {line(u"coffee"_s, 1, 60000), line(u"food"_s, 1, 40000)}, u"qris"_s) << u"silver"_s
        << u"base 10, multiplier qris 1"_s << qint64(11);
    QTest::newRow("member without a tier") << receipt(100000) << QString() << u"base 10"_s << qint64(10);
}

void TestRules::receiptMultipliers()
{
    QFETCH(Basket, basket);
    QFETCH(QString, tier);
    QFETCH(QString, explanation);
    QFETCH(qint64, expected);
    const QJsonArray multipliers{
        QJsonObject{{u"id"_s, u"qris"_s}, {u"factor"_s, 1.1}, {u"paymentMethods"_s, QJsonArray{u"qris"_s}}},
        QJsonObject{{u"id"_s, u"gold-week"_s}, {u"factor"_s, 1.5}, {u"tiers"_s, QJsonArray{u"gold"_s}}},
    };
    const QJsonArray tiers{
        QJsonObject{{u"id"_s, u"silver"_s}, {u"name"_s, u"Silver"_s}, {u"threshold"_s, 0}},
        QJsonObject{{u"id"_s, u"gold"_s}, {u"name"_s, u"Gold"_s}, {u"threshold"_s, 2000000}},
    };
    auto p = program({}, QJsonObject{{u"multipliers"_s, multipliers}, {u"tiers"_s, tiers}});
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    const EarnComputation c = computeEarn(*p, basket, member(tier), kMonday);
    QCOMPARE(summary(c), explanation);
    QCOMPARE(c.points, expected);
    QCOMPARE(explainedSale(c), c.points);
}

// ---- day of week and time of day, in the store's time zone ----

void TestRules::timeWindows_data()
{
    QTest::addColumn<QJsonObject>("multiplier");
    QTest::addColumn<QString>("timeZone");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<qint64>("expected");
    // Rp100.000 earns base 10; a ×2 multiplier that holds adds 10 -> 20.
    // 2026-03-06 is a Friday, 03-07 Saturday, 03-08 Sunday, 03-09 Monday.
    const QJsonObject weekend{{u"id"_s, u"weekend-afternoon"_s}, {u"factor"_s, 2}, {u"days"_s, QJsonArray{u"sat"_s, u"sun"_s}},
                              {u"from"_s, u"14:00"_s}, {u"to"_s, u"17:00"_s}};
    const QString wib = u"Asia/Jakarta"_s;   // UTC+7
    const QString wit = u"Asia/Jayapura"_s;  // UTC+9
    auto at = [](const char16_t *iso) { return test::at(QString::fromUtf16(iso)); };
    QTest::newRow("Sat 13:59 WIB") << weekend << wib << at(u"2026-03-07T13:59:00+07:00") << qint64(10);
    QTest::newRow("Sat 13:59:59.999 WIB") << weekend << wib << at(u"2026-03-07T13:59:59.999+07:00") << qint64(10);
    QTest::newRow("Sat 14:00 WIB") << weekend << wib << at(u"2026-03-07T14:00:00+07:00") << qint64(20);
    QTest::newRow("Sat 16:59 WIB") << weekend << wib << at(u"2026-03-07T16:59:00+07:00") << qint64(20);
    QTest::newRow("Sat 16:59:59.999 WIB") << weekend << wib << at(u"2026-03-07T16:59:59.999+07:00") << qint64(20);
    QTest::newRow("Sat 17:00 WIB (end excluded)") << weekend << wib << at(u"2026-03-07T17:00:00+07:00") << qint64(10);
    QTest::newRow("Sun 15:30 WIB") << weekend << wib << at(u"2026-03-08T15:30:00+07:00") << qint64(20);
    QTest::newRow("Fri 15:30 WIB") << weekend << wib << at(u"2026-03-06T15:30:00+07:00") << qint64(10);
    QTest::newRow("Mon 15:30 WIB") << weekend << wib << at(u"2026-03-09T15:30:00+07:00") << qint64(10);
    // The instant given in UTC: 08:00Z is 15:00 WIB, 06:59Z is 13:59 WIB
    QTest::newRow("08:00Z is Sat 15:00 WIB") << weekend << wib << at(u"2026-03-07T08:00:00Z") << qint64(20);
    QTest::newRow("06:59Z is Sat 13:59 WIB") << weekend << wib << at(u"2026-03-07T06:59:00Z") << qint64(10);
    // The same instants in a store in Jayapura, two hours ahead of Jakarta
    QTest::newRow("Sat 13:00 WIB is 15:00 WIT") << weekend << wit << at(u"2026-03-07T13:00:00+07:00") << qint64(20);
    QTest::newRow("Sat 13:00 WIB in Jakarta") << weekend << wib << at(u"2026-03-07T13:00:00+07:00") << qint64(10);
    QTest::newRow("Sat 16:00 WIB is 18:00 WIT") << weekend << wit << at(u"2026-03-07T16:00:00+07:00") << qint64(10);
    QTest::newRow("Sat 16:00 WIB in Jakarta") << weekend << wib << at(u"2026-03-07T16:00:00+07:00") << qint64(20);
    QTest::newRow("Sat 14:00 WIT") << weekend << wit << at(u"2026-03-07T14:00:00+09:00") << qint64(20);
    QTest::newRow("Sat 16:59 WIT") << weekend << wit << at(u"2026-03-07T16:59:00+09:00") << qint64(20);
    QTest::newRow("Sat 17:00 WIT") << weekend << wit << at(u"2026-03-07T17:00:00+09:00") << qint64(10);
    // Days alone, no hours: the day is the store's date, not UTC's
    const QJsonObject sunday{{u"id"_s, u"sunday"_s}, {u"factor"_s, 2}, {u"days"_s, QJsonArray{u"Sunday"_s}}};
    // Sun 01:00 WIB is Sat 18:00 UTC
    QTest::newRow("Sun 01:00 WIB, still Saturday in UTC") << sunday << wib << at(u"2026-03-08T01:00:00+07:00") << qint64(20);
    QTest::newRow("Sat 23:00 WIB") << sunday << wib << at(u"2026-03-07T23:00:00+07:00") << qint64(10);
    // Sat 23:00 WIB is Sun 01:00 WIT
    QTest::newRow("Sat 23:00 WIB is Sun 01:00 WIT") << sunday << wit << at(u"2026-03-07T23:00:00+07:00") << qint64(20);
    // Hours alone, every day
    const QJsonObject happyHour{{u"id"_s, u"happy-hour"_s}, {u"factor"_s, 2}, {u"from"_s, u"07:00"_s}, {u"to"_s, u"09:00"_s}};
    QTest::newRow("happy hour Mon 08:59 WIB") << happyHour << wib << at(u"2026-03-09T08:59:00+07:00") << qint64(20);
    QTest::newRow("happy hour Mon 09:00 WIB") << happyHour << wib << at(u"2026-03-09T09:00:00+07:00") << qint64(10);
    QTest::newRow("happy hour Mon 06:59 WIB") << happyHour << wib << at(u"2026-03-09T06:59:00+07:00") << qint64(10);
}

void TestRules::timeWindows()
{
    QFETCH(QJsonObject, multiplier);
    QFETCH(QString, timeZone);
    QFETCH(qint64, now);
    QFETCH(qint64, expected);
    auto p = program({}, QJsonObject{{u"timeZone"_s, timeZone}, {u"multipliers"_s, QJsonArray{multiplier}}});
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    const EarnComputation c = computeEarn(*p, receipt(100000), member(), now);
    QCOMPARE(c.points, expected);
    QCOMPARE(c.basePoints, qint64(10));
    QCOMPARE(explainedSale(c), c.points);
}

void TestRules::validityPeriod_data()
{
    QTest::addColumn<QJsonObject>("multiplier");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<qint64>("expected");
    // March 2026 promotion ×2: Rp100.000 earns 10, or 20 while it runs; [validFrom, validTo)
    const qint64 from = test::at(u"2026-03-01T00:00:00+07:00"_s);
    const qint64 to = test::at(u"2026-04-01T00:00:00+07:00"_s);
    const QJsonObject march{{u"id"_s, u"march"_s}, {u"factor"_s, 2}, {u"validFrom"_s, u"2026-03-01T00:00:00+07:00"_s},
                            {u"validTo"_s, u"2026-04-01T00:00:00+07:00"_s}};
    QTest::newRow("1 ms before validFrom") << march << from - 1 << qint64(10);
    QTest::newRow("at validFrom") << march << from << qint64(20);
    QTest::newRow("1 ms before validTo") << march << to - 1 << qint64(20);
    QTest::newRow("at validTo") << march << to << qint64(10);
    const QJsonObject openEnded{{u"id"_s, u"launch"_s}, {u"factor"_s, 2}, {u"validFrom"_s, u"2026-03-01T00:00:00+07:00"_s}};
    QTest::newRow("open end, before") << openEnded << from - 1 << qint64(10);
    QTest::newRow("open end, years later") << openEnded << test::at(u"2030-01-01T00:00:00+07:00"_s) << qint64(20);
    const QJsonObject untilApril{{u"id"_s, u"intro"_s}, {u"factor"_s, 2}, {u"validTo"_s, u"2026-04-01T00:00:00+07:00"_s}};
    QTest::newRow("open start, long before") << untilApril << test::at(u"2020-01-01T00:00:00+07:00"_s) << qint64(20);
    QTest::newRow("open start, at validTo") << untilApril << to << qint64(10);
}

void TestRules::validityPeriod()
{
    QFETCH(QJsonObject, multiplier);
    QFETCH(qint64, now);
    QFETCH(qint64, expected);
    auto p = program({}, QJsonObject{{u"multipliers"_s, QJsonArray{multiplier}}});
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    const EarnComputation c = computeEarn(*p, receipt(100000), member(), now);
    QCOMPARE(c.points, expected);
}

// ---- tier multiplier (tiers[].multiplier) ----

void TestRules::tierMultiplier_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("tier");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<QString>("explanation");
    QTest::addColumn<qint64>("expected");
    // silver ×1, gold ×1.25, platinum ×1.5: extra = eligible × (m - 1) / 10.000
    QTest::newRow("silver") << u"floor"_s << u"silver"_s << qint64(100000) << u"base 10"_s << qint64(10);
    // 100.000 × 0.25 / 10.000 = 2.5
    QTest::newRow("gold floor") << u"floor"_s << u"gold"_s << qint64(100000) << u"base 10, tier gold 2"_s << qint64(12);
    QTest::newRow("gold round") << u"round"_s << u"gold"_s << qint64(100000) << u"base 10, tier gold 3"_s << qint64(13);
    QTest::newRow("gold ceil") << u"ceil"_s << u"gold"_s << qint64(100000) << u"base 10, tier gold 3"_s << qint64(13);
    // 100.000 × 0.5 / 10.000 = 5
    QTest::newRow("platinum") << u"floor"_s << u"platinum"_s << qint64(100000) << u"base 10, tier platinum 5"_s << qint64(15);
    // 30.000 × 0.25 / 10.000 = 0.75 -> 0: no tier line
    QTest::newRow("gold too small") << u"floor"_s << u"gold"_s << qint64(30000) << u"base 3"_s << qint64(3);
    QTest::newRow("unknown tier id") << u"floor"_s << u"diamond"_s << qint64(100000) << u"base 10"_s << qint64(10);
}

void TestRules::tierMultiplier()
{
    QFETCH(QString, rule);
    QFETCH(QString, tier);
    QFETCH(qint64, total);
    QFETCH(QString, explanation);
    QFETCH(qint64, expected);
    const QJsonArray tiers{
        QJsonObject{{u"id"_s, u"silver"_s}, {u"name"_s, u"Silver"_s}, {u"threshold"_s, 0}, {u"multiplier"_s, 1}},
        QJsonObject{{u"id"_s, u"gold"_s}, {u"name"_s, u"Gold"_s}, {u"threshold"_s, 2000000}, {u"multiplier"_s, 1.25}},
        QJsonObject{{u"id"_s, u"platinum"_s}, {u"name"_s, u"Platinum"_s}, {u"threshold"_s, 10000000}, {u"multiplier"_s, 1.5}},
    };
    auto p = program(rounding(rule), QJsonObject{{u"tiers"_s, tiers}});
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    const EarnComputation c = computeEarn(*p, receipt(total), member(tier), kMonday);
    QCOMPARE(summary(c), explanation);
    QCOMPARE(c.points, expected);
    QCOMPARE(explainedSale(c), c.points);
    for (const auto &l : c.lines)
        if (l.kind == u"tier"_s) {
            QCOMPARE(l.amount, total);
            QVERIFY2(l.label.startsWith(p->tier(tier)->name), qPrintable(l.label));
        }
}

// ---- caps ----

void TestRules::caps_data()
{
    QTest::addColumn<QString>("tier");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<qint64>("earnedToday");
    QTest::addColumn<QString>("explanation");
    QTest::addColumn<qint64>("expected");
    // At most 50 points a receipt and 120 a member a day; gold ×1.25
    QTest::newRow("under both") << u"silver"_s << qint64(400000) << qint64(0) << u"base 40"_s << qint64(40);
    QTest::newRow("exactly the receipt cap") << u"silver"_s << qint64(500000) << qint64(0) << u"base 50"_s << qint64(50);
    // 60 -> 50
    QTest::newRow("receipt cap") << u"silver"_s << qint64(600000) << qint64(0) << u"base 60, cap receipt -10"_s << qint64(50);
    // 48 + 48.0000×0.25/10.000 = 48 + 12 = 60 -> 50: the cap comes after multipliers and tier
    QTest::newRow("receipt cap after tier") << u"gold"_s << qint64(480000) << qint64(0)
                                            << u"base 48, tier gold 12, cap receipt -10"_s << qint64(50);
    // 30, room 120 - 100 = 20 -> 20
    QTest::newRow("daily room") << u"silver"_s << qint64(300000) << qint64(100) << u"base 30, cap day -10"_s << qint64(20);
    // 20 fits the room of 20 exactly
    QTest::newRow("daily room fits exactly") << u"silver"_s << qint64(200000) << qint64(100) << u"base 20"_s << qint64(20);
    // 60 -> 50 by receipt, then room 20 -> 20
    QTest::newRow("both caps") << u"silver"_s << qint64(600000) << qint64(100)
                               << u"base 60, cap receipt -10, cap day -30"_s << qint64(20);
    QTest::newRow("daily limit reached") << u"silver"_s << qint64(300000) << qint64(120) << u"base 30, cap day -30"_s
                                         << qint64(0);
    // Already past the limit (program changed mid-day): room is 0, never negative
    QTest::newRow("past the daily limit") << u"silver"_s << qint64(300000) << qint64(150) << u"base 30, cap day -30"_s
                                          << qint64(0);
}

void TestRules::caps()
{
    QFETCH(QString, tier);
    QFETCH(qint64, total);
    QFETCH(qint64, earnedToday);
    QFETCH(QString, explanation);
    QFETCH(qint64, expected);
    const QJsonArray tiers{
        QJsonObject{{u"id"_s, u"silver"_s}, {u"name"_s, u"Silver"_s}, {u"threshold"_s, 0}},
        QJsonObject{{u"id"_s, u"gold"_s}, {u"name"_s, u"Gold"_s}, {u"threshold"_s, 2000000}, {u"multiplier"_s, 1.25}},
    };
    auto p = program(QJsonObject{{u"maxPointsPerReceipt"_s, 50}, {u"maxPointsPerMemberPerDay"_s, 120}},
                     QJsonObject{{u"tiers"_s, tiers}});
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    MemberFacts f = member(tier);
    f.pointsEarnedToday = earnedToday;
    const EarnComputation c = computeEarn(*p, receipt(total), f, kMonday);
    QCOMPARE(summary(c), explanation);
    QCOMPARE(c.points, expected);
    QCOMPARE(explainedSale(c), c.points);
    QVERIFY(c.points >= 0);
}

// ---- the explanation adds up, on the demo program ----

void TestRules::explanationAddsUp_data()
{
    QTest::addColumn<Basket>("basket");
    QTest::addColumn<QString>("tier");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<qint64>("earnedToday");
    QTest::addColumn<QString>("explanation");
    QTest::addColumn<qint64>("expected");
    // Demo: 1/10.000 floor, min Rp10.000, tobacco excluded, coffee ×2, Sat/Sun 14-17 ×2,
    // qris ×1.1, gold ×1.25, platinum ×1.5, 500 a receipt, 1000 a day.
    const qint64 saturday = test::at(u"2026-03-07T15:00:00+07:00"_s);
    // Eligible 50.000 + 30.000 = 80.000 (tobacco 40.000 excluded): base 8, coffee 50.000 -> 5,
    // weekend 80.000 -> 8, qris 80.000×0.1 = 0.8 -> 0 (no line), gold 80.000×0.25 = 2 -> 23
    QTest::newRow("weekend coffee, qris, gold")
        << receipt(120000, {line(u"coffee"_s, 2, 25000), line(u"food"_s, 1, 30000), line(u"tobacco"_s, 1, 40000)}, u"qris"_s)
        << u"gold"_s << saturday << qint64(0)
        << u"excluded 0, base 8, multiplier coffee-double 5, multiplier weekend-afternoon 8, tier gold 2"_s << qint64(23);
    // 2.000.000 of coffee: base 200, coffee 200, weekend 200, qris 20, platinum 100 = 720;
    // receipt cap 500 (-220); 700 earned today leaves 300 (-200) -> 300. Rp2.000.000 also
    // completes the big-spender mission (Rp1.000.000): a bonus of 100 that no cap touches.
    QTest::newRow("caps after everything")
        << receipt(2000000, {line(u"coffee"_s, 40, 50000)}, u"qris"_s) << u"platinum"_s << saturday << qint64(700)
        << u"base 200, multiplier coffee-double 200, multiplier weekend-afternoon 200, multiplier qris 20, tier platinum 100, "
           u"cap receipt -220, cap day -200, bonus big-spender 100"_s
        << qint64(300);
    // Tuesday, 10% off 100.000: coffee 60.000 -> 54.000, food 40.000 -> 36.000: base 9,
    // coffee 5.4 -> 5, qris 0.9 -> 0 -> 14
    QTest::newRow("weekday discount")
        << receipt(90000, {line(u"coffee"_s, 3, 20000), line(u"food"_s, 1, 40000)}, u"qris"_s) << u"silver"_s
        << test::at(u"2026-03-10T09:00:00+07:00"_s) << qint64(0) << u"base 9, multiplier coffee-double 5"_s << qint64(14);
    QTest::newRow("below the minimum") << receipt(9999) << u"silver"_s << kMonday << qint64(0) << u"min_spend 0"_s << qint64(0);
}

void TestRules::explanationAddsUp()
{
    QFETCH(Basket, basket);
    QFETCH(QString, tier);
    QFETCH(qint64, now);
    QFETCH(qint64, earnedToday);
    QFETCH(QString, explanation);
    QFETCH(qint64, expected);
    auto p = parseProgram(test::demoProgram());
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    MemberFacts f = member(tier);
    f.pointsEarnedToday = earnedToday;
    const EarnComputation c = computeEarn(*p, basket, f, now);
    QCOMPARE(summary(c), explanation);
    QCOMPARE(c.points, expected);
    // base + multipliers + tier + caps == points, to the point
    QCOMPARE(explainedSale(c), c.points);
    for (const auto &l : c.lines)
        if (l.kind == u"base"_s) {
            QCOMPARE(l.points, c.basePoints);
            QCOMPARE(l.amount, c.eligibleAmount);
        }
    qint64 bonusLines = 0;
    for (const auto &l : c.lines)
        if (l.kind == u"bonus"_s)
            bonusLines += l.points;
    QCOMPARE(c.totalPoints(), c.points + bonusLines);
}

void TestRules::explanationJsonRoundTrip()
{
    auto p = parseProgram(test::demoProgram());
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    const EarnComputation c = computeEarn(*p, receipt(120000, {line(u"coffee"_s, 2, 25000), line(u"tobacco"_s, 1, 70000)}, u"qris"_s),
                                          member(u"gold"_s), test::at(u"2026-03-07T15:00:00+07:00"_s));
    QVERIFY(c.lines.size() >= 4);
    const QList<ExplanationLine> back = explanationFromJson(explanationToJson(c.lines));
    QCOMPARE(back.size(), c.lines.size());
    for (qsizetype i = 0; i < back.size(); ++i) {
        QCOMPARE(back[i].kind, c.lines[i].kind);
        QCOMPARE(back[i].id, c.lines[i].id);
        QCOMPARE(back[i].label, c.lines[i].label);
        QCOMPARE(back[i].points, c.lines[i].points);
        QCOMPARE(back[i].amount, c.lines[i].amount);
    }
}

// ---- bonuses ----

void TestRules::birthday_data()
{
    QTest::addColumn<QString>("period");
    QTest::addColumn<QDate>("birth");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<int>("awardedYear");
    QTest::addColumn<qint64>("expected"); // birthday bonus: 50 or 0
    auto at = [](const char16_t *iso) { return test::at(QString::fromUtf16(iso)); };
    QTest::newRow("month: birthday later this month") << u"month"_s << QDate(1990, 3, 20) << at(u"2026-03-02T10:00:00+07:00") << 0 << qint64(50);
    QTest::newRow("month: next month") << u"month"_s << QDate(1990, 4, 1) << at(u"2026-03-31T10:00:00+07:00") << 0 << qint64(0);
    QTest::newRow("month: 29 Feb in a common year's February") << u"month"_s << QDate(2000, 2, 29)
                                                               << at(u"2026-02-10T10:00:00+07:00") << 0 << qint64(50);
    QTest::newRow("day: the day") << u"day"_s << QDate(1990, 3, 2) << at(u"2026-03-02T10:00:00+07:00") << 0 << qint64(50);
    QTest::newRow("day: the day before") << u"day"_s << QDate(1990, 3, 3) << at(u"2026-03-02T10:00:00+07:00") << 0 << qint64(0);
    QTest::newRow("day: the day after") << u"day"_s << QDate(1990, 3, 1) << at(u"2026-03-02T10:00:00+07:00") << 0 << qint64(0);
    // 29 February is celebrated on 28 February in a common year, and only then
    QTest::newRow("day: 29 Feb on 28 Feb 2026") << u"day"_s << QDate(2000, 2, 29) << at(u"2026-02-28T10:00:00+07:00") << 0 << qint64(50);
    QTest::newRow("day: 29 Feb on 1 Mar 2026") << u"day"_s << QDate(2000, 2, 29) << at(u"2026-03-01T10:00:00+07:00") << 0 << qint64(0);
    QTest::newRow("day: 29 Feb on 28 Feb 2028 (leap)") << u"day"_s << QDate(2000, 2, 29) << at(u"2028-02-28T10:00:00+07:00") << 0 << qint64(0);
    QTest::newRow("day: 29 Feb on 29 Feb 2028") << u"day"_s << QDate(2000, 2, 29) << at(u"2028-02-29T10:00:00+07:00") << 0 << qint64(50);
    QTest::newRow("day: 28 Feb on 28 Feb 2026") << u"day"_s << QDate(1999, 2, 28) << at(u"2026-02-28T10:00:00+07:00") << 0 << qint64(50);
    // 15 March 01:00 in Jakarta is still 14 March 18:00 in UTC: the store's date counts
    QTest::newRow("day: today in Jakarta, yesterday in UTC") << u"day"_s << QDate(1990, 3, 15)
                                                             << at(u"2026-03-15T01:00:00+07:00") << 0 << qint64(50);
    // 16 March 00:30 in Jakarta is 15 March 17:30 UTC: over in Jakarta
    QTest::newRow("day: over in Jakarta, still the day in UTC") << u"day"_s << QDate(1990, 3, 15)
                                                                << at(u"2026-03-16T00:30:00+07:00") << 0 << qint64(0);
    // 1 April 02:00 WIB is 31 March 19:00 UTC: an April birthday month has started in the store
    QTest::newRow("month: April in Jakarta, March in UTC") << u"month"_s << QDate(1990, 4, 20)
                                                           << at(u"2026-04-01T02:00:00+07:00") << 0 << qint64(50);
    QTest::newRow("already given this year") << u"month"_s << QDate(1990, 3, 20) << at(u"2026-03-02T10:00:00+07:00") << 2026 << qint64(0);
    QTest::newRow("given last year") << u"month"_s << QDate(1990, 3, 20) << at(u"2026-03-02T10:00:00+07:00") << 2025 << qint64(50);
    QTest::newRow("birth date unknown") << u"month"_s << QDate() << at(u"2026-03-02T10:00:00+07:00") << 0 << qint64(0);
}

void TestRules::birthday()
{
    QFETCH(QString, period);
    QFETCH(QDate, birth);
    QFETCH(qint64, now);
    QFETCH(int, awardedYear);
    QFETCH(qint64, expected);
    auto p = program({}, QJsonObject{{u"birthday"_s, QJsonObject{{u"bonusPoints"_s, 50}, {u"period"_s, period}}}});
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    MemberFacts f = member();
    f.birthDate = birth;
    f.birthdayAwardedYear = awardedYear;
    const EarnComputation c = computeEarn(*p, receipt(30000), f, now);
    QCOMPARE(c.points, qint64(3)); // 30.000 -> 3, bonus or not
    const QString year = QString::number(storeTime(now, u"Asia/Jakarta"_s).date().year());
    QCOMPARE(bonusSummary(c.bonuses), expected ? u"birthday %1 50->m1"_s.arg(year) : QString());
    QCOMPARE(c.totalPoints(), 3 + expected);
    QCOMPARE(summary(c), expected ? u"base 3, bonus birthday 50"_s : u"base 3"_s);
}

void TestRules::anniversary_data()
{
    QTest::addColumn<qint64>("enrolledAt");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<int>("awardedYear");
    QTest::addColumn<qint64>("expected"); // 30 or 0
    auto at = [](const char16_t *iso) { return test::at(QString::fromUtf16(iso)); };
    QTest::newRow("a year later, same month") << at(u"2025-03-20T10:00:00+07:00") << at(u"2026-03-02T10:00:00+07:00") << 0 << qint64(30);
    QTest::newRow("five years later") << at(u"2021-03-31T10:00:00+07:00") << at(u"2026-03-02T10:00:00+07:00") << 0 << qint64(30);
    QTest::newRow("same year") << at(u"2026-03-01T10:00:00+07:00") << at(u"2026-03-20T10:00:00+07:00") << 0 << qint64(0);
    QTest::newRow("other month") << at(u"2025-04-10T10:00:00+07:00") << at(u"2026-03-02T10:00:00+07:00") << 0 << qint64(0);
    QTest::newRow("already given this year") << at(u"2025-03-20T10:00:00+07:00") << at(u"2026-03-02T10:00:00+07:00") << 2026 << qint64(0);
    // Enrolled 1 April 01:00 WIB (31 March 18:00 UTC): an April member in the store
    QTest::newRow("enrolment month in store time, April") << at(u"2025-04-01T01:00:00+07:00")
                                                          << at(u"2026-04-02T10:00:00+07:00") << 0 << qint64(30);
    QTest::newRow("enrolment month in store time, not March") << at(u"2025-04-01T01:00:00+07:00")
                                                              << at(u"2026-03-31T10:00:00+07:00") << 0 << qint64(0);
    QTest::newRow("enrolment unknown") << qint64(0) << at(u"2026-03-02T10:00:00+07:00") << 0 << qint64(0);
}

void TestRules::anniversary()
{
    QFETCH(qint64, enrolledAt);
    QFETCH(qint64, now);
    QFETCH(int, awardedYear);
    QFETCH(qint64, expected);
    auto p = program({}, QJsonObject{{u"anniversary"_s, QJsonObject{{u"bonusPoints"_s, 30}}}});
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    MemberFacts f = member();
    f.enrolledAtMs = enrolledAt;
    f.anniversaryAwardedYear = awardedYear;
    const EarnComputation c = computeEarn(*p, receipt(10000), f, now);
    const QString year = QString::number(storeTime(now, u"Asia/Jakarta"_s).date().year());
    QCOMPARE(bonusSummary(c.bonuses), expected ? u"anniversary %1 30->m1"_s.arg(year) : QString());
    QCOMPARE(c.totalPoints(), 1 + expected); // 10.000 -> 1
}

void TestRules::missions_data()
{
    QTest::addColumn<qint64>("visits");
    QTest::addColumn<bool>("visitsDone");
    QTest::addColumn<qint64>("spend");
    QTest::addColumn<bool>("spendDone");
    QTest::addColumn<Basket>("basket");
    QTest::addColumn<QString>("expected");
    // five-visits: 5 visits, 25 points, badge Pelanggan Setia; big-spender: Rp1.000.000, 100 points.
    // Progress is before this receipt; this receipt adds one visit and its eligible amount.
    const QString fiveVisits = u"mission five-visits 25->m1 [Pelanggan Setia]"_s;
    const QString bigSpender = u"mission big-spender 100->m1 [Belanja Besar]"_s;
    QTest::newRow("visit 4 of 5") << qint64(3) << false << qint64(0) << false << receipt(50000) << QString();
    QTest::newRow("visit 5 of 5") << qint64(4) << false << qint64(0) << false << receipt(50000) << fiveVisits;
    QTest::newRow("visit 5, already awarded") << qint64(4) << true << qint64(0) << false << receipt(50000) << QString();
    QTest::newRow("past target, not yet awarded") << qint64(9) << false << qint64(0) << false << receipt(50000) << fiveVisits;
    // 950.000 + 50.000 = 1.000.000 exactly
    QTest::newRow("spend reaches target") << qint64(0) << false << qint64(950000) << false << receipt(50000) << bigSpender;
    // 950.000 + 49.999 = 999.999
    QTest::newRow("spend Rp1 short") << qint64(0) << false << qint64(950000) << false << receipt(49999) << QString();
    QTest::newRow("spend reached, already awarded") << qint64(0) << false << qint64(950000) << true << receipt(50000) << QString();
    // Tax does not count: goods 49.999, paid 55.500 -> 950.000 + 49.999 = 999.999 (with the tax it would be over)
    QTest::newRow("spend counts the goods, not the tax")
        << qint64(0) << false << qint64(950000) << false << receipt(55500, {line(u"food"_s, 1, 49999)}) << QString();
    // Excluded tobacco does not count: 999.000 + 0
    QTest::newRow("spend ignores excluded items")
        << qint64(0) << false << qint64(999000) << false << receipt(80000, {line(u"tobacco"_s, 1, 80000)}) << QString();
    QTest::newRow("both at once") << qint64(4) << false << qint64(990000) << false << receipt(10000)
                                  << fiveVisits + u", "_s + bigSpender;
}

void TestRules::missions()
{
    QFETCH(qint64, visits);
    QFETCH(bool, visitsDone);
    QFETCH(qint64, spend);
    QFETCH(bool, spendDone);
    QFETCH(Basket, basket);
    QFETCH(QString, expected);
    auto p = parseProgram(test::demoProgram()); // the two missions above, tobacco excluded
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    MemberFacts f = member(u"silver"_s);
    f.missions.insert(u"five-visits"_s, MissionProgress{visits, visitsDone});
    f.missions.insert(u"big-spender"_s, MissionProgress{spend, spendDone});
    const EarnComputation c = computeEarn(*p, basket, f, kMonday);
    QCOMPARE(bonusSummary(c.bonuses), expected);
    qint64 bonusLines = 0;
    for (const auto &l : c.lines)
        if (l.kind == u"bonus"_s)
            bonusLines += l.points;
    QCOMPARE(c.totalPoints() - c.points, bonusLines);
}

void TestRules::referral_data()
{
    QTest::addColumn<QString>("referrer");
    QTest::addColumn<bool>("firstPurchase");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<int>("refereePoints");
    QTest::addColumn<QString>("expected");
    // Referrer 40, referee 20 (or as the row says), on a first purchase of at least Rp25.000
    const QString both = u"referral_referrer m1 40->ref-1, referral_referee ref-1 20->m1"_s;
    QTest::newRow("first purchase at the minimum") << u"ref-1"_s << true << qint64(25000) << 20 << both;
    QTest::newRow("first purchase Rp1 short") << u"ref-1"_s << true << qint64(24999) << 20 << QString();
    QTest::newRow("not the first purchase") << u"ref-1"_s << false << qint64(100000) << 20 << QString();
    QTest::newRow("nobody referred this member") << QString() << true << qint64(100000) << 20 << QString();
    QTest::newRow("referee gets nothing") << u"ref-1"_s << true << qint64(30000) << 0
                                          << u"referral_referrer m1 40->ref-1"_s;
}

void TestRules::referral()
{
    QFETCH(QString, referrer);
    QFETCH(bool, firstPurchase);
    QFETCH(qint64, total);
    QFETCH(int, refereePoints);
    QFETCH(QString, expected);
    auto p = program({}, QJsonObject{{u"referral"_s, QJsonObject{{u"referrerPoints"_s, 40}, {u"refereePoints"_s, refereePoints},
                                                                  {u"minSpend"_s, 25000}}}});
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    MemberFacts f = member();
    f.referrerId = referrer;
    f.firstPurchase = firstPurchase;
    const EarnComputation c = computeEarn(*p, receipt(total), f, kMonday);
    QCOMPARE(bonusSummary(c.bonuses), expected);
    // Only this member's own bonus is explained on this member's receipt...
    qint64 own = 0;
    for (const auto &b : c.bonuses)
        if (b.memberId == f.memberId)
            own += b.points;
    qint64 bonusLines = 0;
    for (const auto &l : c.lines)
        if (l.kind == u"bonus"_s)
            bonusLines += l.points;
    QCOMPARE(bonusLines, own);
    // ...and counted in what this member earns (Loyalty::quote prints totalPoints() as
    // "would earn"); the referrer's 40 go to the referrer.
    QCOMPARE(c.totalPoints(), c.points + own);
}

void TestRules::bonusesIgnoreCaps()
{
    // The daily limit is used up: the sale earns 0, the birthday bonus still comes in full.
    auto p = program(QJsonObject{{u"maxPointsPerReceipt"_s, 10}, {u"maxPointsPerMemberPerDay"_s, 100}},
                     QJsonObject{{u"birthday"_s, QJsonObject{{u"bonusPoints"_s, 50}, {u"period"_s, u"day"_s}}}});
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    MemberFacts f = member();
    f.birthDate = QDate(1990, 3, 2);
    f.pointsEarnedToday = 100;
    const EarnComputation c = computeEarn(*p, receipt(500000), f, kMonday);
    // base 50, receipt cap -> 10 (-40), daily room 0 (-10) -> 0; bonus 50 on top
    QCOMPARE(summary(c), u"base 50, cap receipt -40, cap day -10, bonus birthday 50"_s);
    QCOMPARE(c.points, qint64(0));
    QCOMPARE(c.totalPoints(), qint64(50));
}

// ---- basket checks ----

void TestRules::validateBasket_data()
{
    QTest::addColumn<Basket>("basket");
    QTest::addColumn<QString>("error"); // the start of the message; empty: accepted
    const Basket good = receipt(75000, {line(u"coffee"_s, 2, 30000), line(u"food"_s, 1, 15000)});
    QTest::newRow("good") << good << QString();
    QTest::newRow("good, no lines") << receipt(10000) << QString();
    Basket b = good;
    b.receiptId.clear();
    QTest::newRow("missing receipt id") << b << u"receiptId: is required"_s;
    b.receiptId = u"   "_s;
    QTest::newRow("blank receipt id") << b << u"receiptId: is required"_s;
    b.receiptId = QString(129, u'R');
    QTest::newRow("receipt id too long") << b << u"receiptId: is longer than 128 characters"_s;
    b = good;
    b.currency = u"MYR"_s;
    QTest::newRow("wrong currency") << b << u"currency: the basket is in MYR but the program counts IDR"_s;
    b = good;
    b.total = -1;
    QTest::newRow("negative total") << b << u"total: must not be negative"_s;
    b = good;
    b.lines[1].quantity = -1;
    QTest::newRow("negative quantity") << b << u"lines[1].quantity: must be at least 1 (is -1)"_s;
    b.lines[1].quantity = 0;
    QTest::newRow("zero quantity") << b << u"lines[1].quantity: must be at least 1 (is 0)"_s;
    b = good;
    b.lines[0].unitPrice = -500;
    QTest::newRow("negative price") << b << u"lines[0].unitPrice: must not be negative"_s;
    b = good;
    b.lines[1].quantity = 100001;
    QTest::newRow("quantity too large") << b << u"lines[1].quantity: is more than 100000"_s;
    b = good;
    b.lines[1].quantity = 100000;
    b.lines[1].unitPrice = 100'000'000; // 10^13 > 10^12
    QTest::newRow("line amount too large") << b << u"lines[1]: quantity × unitPrice"_s;
    b = good;
    b.lines[0].unitPrice = 0;
    QTest::newRow("free line is fine") << b << QString();
}

void TestRules::validateBasket()
{
    QFETCH(Basket, basket);
    QFETCH(QString, error);
    auto p = program();
    QVERIFY2(p.ok(), qPrintable(errorText(p)));
    const Status st = setia::validateBasket(basket, *p);
    if (error.isEmpty()) {
        QVERIFY2(st.ok(), qPrintable(errorText(st)));
    } else {
        QVERIFY(!st.ok());
        QCOMPARE(st.error().code, u"invalid_basket"_s);
        QVERIFY2(st.error().message.startsWith(error), qPrintable(st.error().message));
    }
}

QTEST_GUILESS_MAIN(TestRules)
#include "tst_rules.moc"
