// Property test: for random sequences of operations (enroll, earn, redeem, pay with points,
// refunds, adjustments, vouchers, expiry, time passing), every member's cached balance equals
// the sum of their events, lots hold exactly the positive balance, a refused operation writes
// nothing, and verify passes.
#include "testsupport.h"

#include "core/ledger.h"

#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace setia;

class TestProperty : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void randomOperations_data();
    void randomOperations();
};

namespace {
qint64 eventCount(Store &s)
{
    QSqlQuery q(s.writer());
    q.exec(u"SELECT COUNT(*) FROM events"_s);
    return q.next() ? q.value(0).toLongLong() : -1;
}
} // namespace

void TestProperty::randomOperations_data()
{
    QTest::addColumn<quint64>("seed");
    QTest::addColumn<int>("operations");
    for (quint64 seed : {1ULL, 2ULL, 3ULL, 5ULL, 8ULL, 13ULL})
        QTest::addRow("seed %llu", seed) << seed << 400;
}

void TestProperty::randomOperations()
{
    QFETCH(quint64, seed);
    QFETCH(int, operations);
    test::TempStore ts(test::demoProgram(), test::at(u"2026-03-02T08:00:00+07:00"_s), u"Asia/Jakarta"_s, seed);
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    SeededRandom rng(seed * 7919);
    Loyalty &l = ts.loyalty();
    QStringList members, receipts, vouchers;
    int accepted = 0, refused = 0;
    const QStringList rewards = {u"es-kopi-susu"_s, u"croissant"_s, u"voucher-10k"_s, u"tumbler"_s};
    const QStringList categories = {u"coffee"_s, u"bakery"_s, u"grocery"_s, u"tobacco"_s};
    const QStringList payments = {u"cash"_s, u"qris"_s, u"debit"_s};
    for (int i = 0; i < operations; ++i) {
        const qint64 before = eventCount(ts.store());
        const int op = members.size() < 3 ? 0 : int(rng.below(100));
        const QString member = members.isEmpty() ? QString() : members[qsizetype(rng.below(quint64(members.size())))];
        bool ok = true;
        QString what;
        if (op < 8) {
            const QString referral = !members.isEmpty() && rng.below(3) == 0 ? l.member(member)->referralCode : QString();
            const QString id = ts.enroll(u"Anggota %1"_s.arg(i), u"+62813%1"_s.arg(10'000'000 + i),
                                         QDate(1990, 1 + int(rng.below(12)), 1 + int(rng.below(28))), referral);
            ok = !id.isEmpty();
            what = u"enroll"_s;
            if (ok)
                members << id;
        } else if (op < 45) {
            Basket b = ts.basket(u"R%1"_s.arg(i), 0, payments[qsizetype(rng.below(3))]);
            const int n = 1 + int(rng.below(4));
            for (int j = 0; j < n; ++j) {
                b.lines << BasketLine{u"SKU%1"_s.arg(rng.below(20)), categories[qsizetype(rng.below(4))], QString(),
                                      1 + qint64(rng.below(3)), 5000 + qint64(rng.below(200)) * 1000};
                b.total += b.lines.last().amount();
            }
            if (rng.below(4) == 0)
                b.total = b.total * 9 / 10; // a discount on the receipt
            auto r = l.earn(member, b, u"kasir"_s);
            ok = r.ok();
            what = u"earn"_s;
            if (ok)
                receipts << b.receiptId;
            // A retry of the same receipt never earns twice.
            if (ok && rng.below(5) == 0) {
                const qint64 mid = eventCount(ts.store());
                auto again = l.earn(member, b, u"kasir"_s);
                QVERIFY(again.ok() && again->replayed);
                QCOMPARE(eventCount(ts.store()), mid);
            }
        } else if (op < 58) {
            auto r = l.redeemReward(member, rewards[qsizetype(rng.below(4))], u"kasir"_s);
            ok = r.ok();
            what = u"redeem"_s;
            if (ok && !r->voucherCode.isEmpty())
                vouchers << r->voucherCode;
        } else if (op < 64) {
            ok = l.redeemPoints(member, 5 + qint64(rng.below(60)), u"P%1"_s.arg(i), u"kasir"_s).ok();
            what = u"pay"_s;
        } else if (op < 76 && !receipts.isEmpty()) {
            const QString r = receipts[qsizetype(rng.below(quint64(receipts.size())))];
            std::optional<qint64> amount;
            if (rng.below(2) == 0)
                amount = 1000 + qint64(rng.below(100)) * 1000;
            ok = l.reverse(r, amount, u"refund"_s, u"manager"_s).ok();
            what = u"reverse"_s;
        } else if (op < 82) {
            ok = l.adjust(member, qint64(rng.below(200)) - 60, u"goodwill"_s, u"manager"_s).ok();
            what = u"adjust"_s;
        } else if (op < 86 && !vouchers.isEmpty()) {
            ok = l.useVoucher(vouchers[qsizetype(rng.below(quint64(vouchers.size())))], u"V%1"_s.arg(i),
                              qint64(rng.below(150)) * 1000, u"kasir"_s)
                     .ok();
            what = u"voucher"_s;
        } else if (op < 90) {
            ok = l.expirePoints(u"system"_s).ok();
            what = u"expire"_s;
        } else if (op < 92) {
            ok = l.recomputeTiers(u"system"_s).ok();
            what = u"tiers"_s;
        } else {
            // Time passes: minutes to weeks, so windows, days and expiry all move.
            ts.clock().advance(qint64(rng.below(3)) == 0 ? qint64(rng.below(40)) * 86'400'000LL
                                                         : qint64(rng.below(600)) * 60'000LL);
            continue;
        }
        if (ok) {
            ++accepted;
        } else {
            ++refused;
            QCOMPARE(eventCount(ts.store()), before); // a refusal writes nothing
        }
        Q_UNUSED(what);
        if (i % 50 == 49 || i == operations - 1) {
            for (const QString &m : std::as_const(members))
                QCOMPARE(l.member(m)->balance, test::sumOfEvents(ts.store(), m));
            const VerifyReport v = l.verify();
            QVERIFY2(v.ok(), qPrintable(v.problems.join(u'\n')));
        }
    }
    QVERIFY(accepted > operations / 3);
    QVERIFY(refused > 0); // the sequence did exercise refusals
    // A restart rebuilds nothing and still verifies.
    QVERIFY(ts.reopen());
    QVERIFY(ts.loyalty().verify().ok());
}

QTEST_GUILESS_MAIN(TestProperty)
#include "tst_property.moc"
