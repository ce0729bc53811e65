// Client request ids (docs/storage.md "Request ids"): a redemption, a points payment, a voucher
// use or a refund sent again with the same id is done once. The retry gets the first answer,
// marked replayed, and writes nothing (no event, no audit row, no stock, no receipt change); the
// same id with a different request is refused (request_conflict); without an id nothing changed.
//
// Crashes: the answer is kept by the same write transaction as the action, its events and its
// caches (storeAnswer runs before that transaction's commit), so a crash leaves either the action
// and its answer or neither; tst_crash covers the transaction itself. answerFailsWithTheAction
// below shows the other half: when keeping the answer fails, the action is rolled back too.
#include "core/ids.h"
#include "core/loyalty.h"
#include "core/store.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTest>
#include <QVariant>
#include <memory>

using namespace Qt::StringLiterals;
using namespace setia;


namespace {

const QString kCashier = u"kasir-1"_s;

QJsonObject program()
{
    QJsonObject p = test::baseProgram(); // 1 point per Rp10.000, floor
    p.insert(u"vouchers"_s, QJsonArray{QJsonObject{{u"id"_s, u"disc-10k"_s}, {u"name"_s, u"Potongan Rp10.000"_s},
                                                   {u"discount"_s, 10000}, {u"minSpend"_s, 50000}, {u"validDays"_s, 30}}});
    p.insert(u"rewards"_s, QJsonArray{QJsonObject{{u"id"_s, u"voucher-10k"_s}, {u"name"_s, u"Voucher 10k"_s}, {u"cost"_s, 20},
                                                  {u"stock"_s, 1}, {u"voucher"_s, u"disc-10k"_s}},
                                      QJsonObject{{u"id"_s, u"snack"_s}, {u"name"_s, u"Snack"_s}, {u"cost"_s, 5}}});
    p.insert(u"pointsAsPayment"_s, QJsonObject{{u"valuePerPoint"_s, 100}, {u"minPoints"_s, 1}});
    return p;
}

} // namespace

class TestIdempotency : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void partialRefundRetried();
    void refundReplayedAfterTheReceiptIsFullyRefunded();
    void rewardRetriedEvenWhenOutOfStock();
    void pointsPaymentRetried();
    void voucherUseRetried();
    void oneIdOneOperation();
    void withoutIdNothingChanged();
    void refusedCallKeepsNoAnswer();
    void answerSurvivesARestart();
    void answerFailsWithTheAction();
    void invalidRequestId_data();
    void invalidRequestId();
    void noPersonalDataKept();
    void upgradeFromSchema3();
    void upgradeFromSchema4();
    void failedUpgradeLeavesTheDataWorking();
    void failedLaterStepUndoesTheEarlierOnes();

private:
    Loyalty &L() { return m_ts->loyalty(); }
    qint64 scalar(const QString &sql, const QVariantList &binds = {});
    // Every row that an action writes somewhere: a retry must change none of them.
    QList<qint64> footprint();
    qint64 balance() { return L().member(m_member).ok() ? L().member(m_member)->balance : -999999; }
    // Makes the store what schema 4 left (before sync: no hub_members, no outbox index, the old
    // name index), user_version 4; inTheWay, when given, is run last (what makes an upgrade fail).
    bool backToSchema4(const QString &inTheWay = {});

    std::unique_ptr<test::TempStore> m_ts;
    QString m_member;
};

qint64 TestIdempotency::scalar(const QString &sql, const QVariantList &binds)
{
    QSqlQuery q(m_ts->store().writer());
    q.prepare(sql);
    for (const QVariant &b : binds)
        q.addBindValue(b);
    if (!q.exec() || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

QList<qint64> TestIdempotency::footprint()
{
    return {scalar(u"SELECT COUNT(*) FROM events"_s),
            scalar(u"SELECT COUNT(*) FROM audit"_s),
            scalar(u"SELECT COUNT(*) FROM alerts"_s),
            scalar(u"SELECT COUNT(*) FROM vouchers"_s),
            scalar(u"SELECT COUNT(*) FROM vouchers WHERE used_at IS NOT NULL"_s),
            scalar(u"SELECT COALESCE(SUM(redeemed),0) FROM reward_stock"_s),
            scalar(u"SELECT COALESCE(SUM(refunded_amount),0) + COALESCE(SUM(reversed_points),0) FROM receipts"_s),
            scalar(u"SELECT COUNT(*) FROM client_requests"_s),
            scalar(u"SELECT COALESCE(SUM(balance),0) FROM balances"_s)};
}

void TestIdempotency::init()
{
    m_ts = std::make_unique<test::TempStore>(test::toJson(program()));
    QVERIFY2(m_ts->ok(), qPrintable(m_ts->error()));
    m_member = m_ts->enroll(u"Budi Santoso"_s, u"081234567890"_s);
    QVERIFY(!m_member.isEmpty());
    REQUIRE_OK(e, L().earn(m_member, m_ts->basket(u"R-1"_s, 500000), kCashier)); // 50 points
    QCOMPARE(e->points, 50);
}

void TestIdempotency::cleanup()
{
    const auto ts = std::move(m_ts);
    if (!ts || !ts->ok())
        return;
    const VerifyReport report = ts->loyalty().verify();
    QVERIFY2(report.ok(), qPrintable(report.problems.join(u'\n')));
    const auto m = ts->loyalty().member(m_member);
    QVERIFY(m.ok());
    QCOMPARE(m->balance, test::sumOfEvents(ts->store(), m_member));
}

void TestIdempotency::partialRefundRetried()
{
    // 50 × 200000 / 500000 = 20 points back.
    REQUIRE_OK(first, L().reverse(u"R-1"_s, 200000, u"two items back"_s, kCashier, u"rq-refund-1"_s));
    QVERIFY(!first->replayed);
    QCOMPARE(first->pointsReversed, 20);
    QCOMPARE(first->balance, 30);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM client_requests WHERE request_id = 'rq-refund-1' AND operation = 'reverse'"_s), 1);
    const QList<qint64> after = footprint();

    // The reply was lost; the POS sends the very same refund again.
    REQUIRE_OK(again, L().reverse(u"R-1"_s, 200000, u"two items back"_s, kCashier, u"rq-refund-1"_s));
    QVERIFY(again->replayed);
    QCOMPARE(again->receiptId, first->receiptId);
    QCOMPARE(again->memberId, first->memberId);
    QCOMPARE(again->refundedAmount, first->refundedAmount);
    QCOMPARE(again->pointsReversed, first->pointsReversed);
    QCOMPARE(again->balance, first->balance);
    QCOMPARE(again->fullyRefunded, first->fullyRefunded);
    QCOMPARE(footprint(), after);
    QCOMPARE(balance(), 30);
    // Another cashier name on the retry is the same request (the actor is not part of it).
    REQUIRE_OK(third, L().reverse(u"R-1"_s, 200000, u"  two items back "_s, u"kasir-2"_s, u"rq-refund-1"_s));
    QVERIFY(third->replayed);
    QCOMPARE(footprint(), after);

    // The same id with a different refund is refused, whatever differs; nothing is written.
    QCOMPARE_ERROR(L().reverse(u"R-1"_s, 100000, u"two items back"_s, kCashier, u"rq-refund-1"_s), "request_conflict");
    QCOMPARE_ERROR(L().reverse(u"R-1"_s, std::nullopt, u"two items back"_s, kCashier, u"rq-refund-1"_s), "request_conflict");
    QCOMPARE_ERROR(L().reverse(u"R-1"_s, 200000, u"another reason"_s, kCashier, u"rq-refund-1"_s), "request_conflict");
    QCOMPARE_ERROR(L().reverse(u"R-2"_s, 200000, u"two items back"_s, kCashier, u"rq-refund-1"_s), "request_conflict");
    QCOMPARE(footprint(), after);

    // A new id is a new refund: 300000 more is the rest of the receipt, 30 points.
    REQUIRE_OK(rest, L().reverse(u"R-1"_s, 300000, u"two items back"_s, kCashier, u"rq-refund-2"_s));
    QVERIFY(!rest->replayed);
    QCOMPARE(rest->pointsReversed, 30);
    QVERIFY(rest->fullyRefunded);
    QCOMPARE(balance(), 0);
}

void TestIdempotency::refundReplayedAfterTheReceiptIsFullyRefunded()
{
    REQUIRE_OK(full, L().reverse(u"R-1"_s, std::nullopt, u"all back"_s, kCashier, u"rq-full"_s));
    QVERIFY(full->fullyRefunded);
    QCOMPARE(full->pointsReversed, 50);
    const QList<qint64> after = footprint();
    // Without the id the receipt refuses a second refund; with it the retry gets its answer.
    QCOMPARE_ERROR(L().reverse(u"R-1"_s, std::nullopt, u"all back"_s, kCashier), "already_refunded");
    REQUIRE_OK(again, L().reverse(u"R-1"_s, std::nullopt, u"all back"_s, kCashier, u"rq-full"_s));
    QVERIFY(again->replayed);
    QVERIFY(again->fullyRefunded);
    QCOMPARE(again->pointsReversed, 50);
    QCOMPARE(again->refundedAmount, 500000);
    QCOMPARE(footprint(), after);
}

void TestIdempotency::rewardRetriedEvenWhenOutOfStock()
{
    // voucher-10k: 20 points, a stock of 1, issues a voucher.
    REQUIRE_OK(first, L().redeemReward(m_member, u"voucher-10k"_s, kCashier, u"rq-reward-1"_s));
    QVERIFY(!first->replayed);
    QCOMPARE(first->balance, 30);
    QVERIFY(isValidHumanCode(first->voucherCode));
    const QList<qint64> after = footprint();

    REQUIRE_OK(again, L().redeemReward(m_member, u"voucher-10k"_s, kCashier, u"rq-reward-1"_s));
    QVERIFY(again->replayed);
    QCOMPARE(again->eventId, first->eventId);
    QCOMPARE(again->voucherCode, first->voucherCode);
    QCOMPARE(again->rewardId, first->rewardId);
    QCOMPARE(again->points, first->points);
    QCOMPARE(again->balance, first->balance);
    QCOMPARE(again->memberId, m_member);
    QCOMPARE(footprint(), after);
    QCOMPARE(L().vouchers(m_member)->size(), 1);
    // The stock is gone: a new redemption is refused, the retry was not.
    QCOMPARE_ERROR(L().redeemReward(m_member, u"voucher-10k"_s, kCashier, u"rq-reward-2"_s), "out_of_stock");
    QCOMPARE_ERROR(L().redeemReward(m_member, u"snack"_s, kCashier, u"rq-reward-1"_s), "request_conflict");
    QCOMPARE(footprint(), after);
}

void TestIdempotency::pointsPaymentRetried()
{
    REQUIRE_OK(first, L().redeemPoints(m_member, 20, u"PAY-1"_s, kCashier, u"rq-pay-1"_s));
    QVERIFY(!first->replayed);
    QCOMPARE(first->value, 2000);
    QCOMPARE(first->balance, 30);
    const QList<qint64> after = footprint();
    REQUIRE_OK(again, L().redeemPoints(m_member, 20, u"PAY-1"_s, kCashier, u"rq-pay-1"_s));
    QVERIFY(again->replayed);
    QCOMPARE(again->eventId, first->eventId);
    QCOMPARE(again->value, first->value);
    QCOMPARE(again->balance, first->balance);
    QCOMPARE(footprint(), after);
    // The id is checked first: other points under it are its conflict.
    QCOMPARE_ERROR(L().redeemPoints(m_member, 21, u"PAY-1"_s, kCashier, u"rq-pay-1"_s), "request_conflict");
    // Without an id the receipt still keys the payment (and now says it was a replay).
    REQUIRE_OK(byReceipt, L().redeemPoints(m_member, 20, u"PAY-1"_s, kCashier));
    QVERIFY(byReceipt->replayed);
    QCOMPARE(byReceipt->eventId, first->eventId);
    QCOMPARE_ERROR(L().redeemPoints(m_member, 21, u"PAY-1"_s, kCashier), "receipt_conflict");
    QCOMPARE(footprint(), after);
}

void TestIdempotency::voucherUseRetried()
{
    REQUIRE_OK(r, L().redeemReward(m_member, u"voucher-10k"_s, kCashier));
    QVERIFY(!r->replayed);
    const QString code = r->voucherCode;
    REQUIRE_OK(first, L().useVoucher(code, u"R-9"_s, 60000, kCashier, u"rq-voucher-1"_s));
    QVERIFY(!first->replayed);
    QCOMPARE(first->status, u"used"_s);
    QCOMPARE(first->discount, 10000);
    const QList<qint64> after = footprint();
    // Retried (the code typed in lower case with a dash this time: the same voucher).
    const QString typed = code.left(5).toLower() + u"-"_s + code.mid(5).toLower();
    REQUIRE_OK(again, L().useVoucher(typed, u"R-9"_s, 60000, kCashier, u"rq-voucher-1"_s));
    QVERIFY(again->replayed);
    QCOMPARE(again->code, first->code);
    QCOMPARE(again->status, u"used"_s);
    QCOMPARE(again->discount, first->discount);
    QCOMPARE(again->memberId, m_member);
    QCOMPARE(again->usedAt, first->usedAt);
    QCOMPARE(again->expiresAt, first->expiresAt);
    QCOMPARE(footprint(), after);
    QCOMPARE_ERROR(L().useVoucher(code, u"R-9"_s, 70000, kCashier, u"rq-voucher-1"_s), "request_conflict");
    QCOMPARE_ERROR(L().useVoucher(code, u"R-10"_s, 60000, kCashier, u"rq-voucher-1"_s), "request_conflict");
    QCOMPARE_ERROR(L().useVoucher(code, u"R-9"_s, 60000, kCashier), "voucher_used"); // without the id: used
    QCOMPARE(footprint(), after);
}

void TestIdempotency::oneIdOneOperation()
{
    REQUIRE_OK(first, L().redeemReward(m_member, u"snack"_s, kCashier, u"rq-shared"_s));
    const QList<qint64> after = footprint();
    QCOMPARE_ERROR(L().reverse(u"R-1"_s, 100000, u"one back"_s, kCashier, u"rq-shared"_s), "request_conflict");
    QCOMPARE_ERROR(L().redeemPoints(m_member, 5, u"PAY-5"_s, kCashier, u"rq-shared"_s), "request_conflict");
    QCOMPARE(footprint(), after);
    REQUIRE_OK(mine, L().redeemReward(m_member, u"snack"_s, kCashier, u"rq-shared"_s));
    QVERIFY(mine->replayed);
    QCOMPARE(mine->eventId, first->eventId);
}

void TestIdempotency::withoutIdNothingChanged()
{
    // Without an id each call is its own action, as before: two partial refunds refund twice.
    REQUIRE_OK(a, L().reverse(u"R-1"_s, 100000, u"one back"_s, kCashier));
    REQUIRE_OK(b, L().reverse(u"R-1"_s, 100000, u"one back"_s, kCashier));
    QVERIFY(!a->replayed && !b->replayed);
    QCOMPARE(a->pointsReversed, 10);
    QCOMPARE(b->pointsReversed, 10);
    QCOMPARE(b->balance, 30);
    REQUIRE_OK(s1, L().redeemReward(m_member, u"snack"_s, kCashier));
    REQUIRE_OK(s2, L().redeemReward(m_member, u"snack"_s, kCashier));
    QVERIFY(s1->eventId != s2->eventId);
    QVERIFY(!s1->replayed && !s2->replayed);
    QCOMPARE(s2->balance, 20);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM client_requests"_s), 0);
}

void TestIdempotency::refusedCallKeepsNoAnswer()
{
    const QList<qint64> before = footprint();
    QCOMPARE_ERROR(L().redeemPoints(m_member, 51, u"PAY-1"_s, kCashier, u"rq-late"_s), "insufficient_points");
    QCOMPARE_ERROR(L().reverse(u"NO-SUCH"_s, 1, u"x"_s, kCashier, u"rq-late-2"_s), "unknown_receipt");
    QCOMPARE(footprint(), before);
    // Once the member has the points, the same id does the payment: a refusal is not an answer.
    REQUIRE_OK(e, L().earn(m_member, m_ts->basket(u"R-2"_s, 10000), kCashier));
    REQUIRE_OK(paid, L().redeemPoints(m_member, 51, u"PAY-1"_s, kCashier, u"rq-late"_s));
    QVERIFY(!paid->replayed);
    QCOMPARE(paid->balance, 0);
}

void TestIdempotency::answerSurvivesARestart()
{
    REQUIRE_OK(first, L().reverse(u"R-1"_s, 100000, u"one back"_s, kCashier, u"rq-restart"_s));
    QVERIFY(m_ts->reopen());
    const QList<qint64> after = footprint();
    REQUIRE_OK(again, L().reverse(u"R-1"_s, 100000, u"one back"_s, kCashier, u"rq-restart"_s));
    QVERIFY(again->replayed);
    QCOMPARE(again->pointsReversed, first->pointsReversed);
    QCOMPARE(footprint(), after);
}

void TestIdempotency::answerFailsWithTheAction()
{
    // Keeping the answer is part of the action's transaction: when it cannot be kept, the refund
    // (its event, the receipt, the audit row, the balance) is rolled back with it.
    QSqlQuery q(m_ts->store().writer());
    QVERIFY(q.exec(u"CREATE TEMP TRIGGER no_answers BEFORE INSERT ON client_requests BEGIN SELECT RAISE(ABORT, 'test refuses'); END"_s));
    const QList<qint64> before = footprint();
    QCOMPARE_ERROR(L().reverse(u"R-1"_s, 100000, u"one back"_s, kCashier, u"rq-fails"_s), "store_error");
    QCOMPARE_ERROR(L().redeemReward(m_member, u"snack"_s, kCashier, u"rq-fails"_s), "store_error");
    QCOMPARE(footprint(), before);
    QCOMPARE(balance(), 50);
    QVERIFY(q.exec(u"DROP TRIGGER no_answers"_s));
    REQUIRE_OK(done, L().reverse(u"R-1"_s, 100000, u"one back"_s, kCashier, u"rq-fails"_s));
    QVERIFY(!done->replayed);
    QCOMPARE(done->balance, 40);
}

void TestIdempotency::invalidRequestId_data()
{
    QTest::addColumn<QString>("id");
    QTest::newRow("space") << u"rq 1"_s;
    QTest::newRow("slash") << u"rq/1"_s;
    QTest::newRow("non-ascii") << u"rq-\u00e9"_s;
    QTest::newRow("129 characters") << QString(129, u'a');
    QTest::newRow("newline") << u"rq-1\n"_s;
}

void TestIdempotency::invalidRequestId()
{
    QFETCH(QString, id);
    const QList<qint64> before = footprint();
    QCOMPARE_ERROR(L().reverse(u"R-1"_s, 100000, u"one back"_s, kCashier, id), "invalid_request_id");
    QCOMPARE_ERROR(L().redeemReward(m_member, u"snack"_s, kCashier, id), "invalid_request_id");
    QCOMPARE_ERROR(L().redeemPoints(m_member, 5, u"PAY-1"_s, kCashier, id), "invalid_request_id");
    QCOMPARE_ERROR(L().useVoucher(u"ABCDEFGHJK"_s, u"R-1"_s, 60000, kCashier, id), "invalid_request_id");
    QCOMPARE(footprint(), before);
    // The longest allowed.
    REQUIRE_OK(ok, L().redeemReward(m_member, u"snack"_s, kCashier, QString(128, u'a')));
    QVERIFY(!ok->replayed);
}

void TestIdempotency::noPersonalDataKept()
{
    QVERIFY(L().redeemReward(m_member, u"voucher-10k"_s, kCashier, u"rq-a"_s).ok());
    QVERIFY(L().reverse(u"R-1"_s, 100000, u"Budi returned one"_s, kCashier, u"rq-b"_s).ok());
    QSqlQuery q(m_ts->store().writer());
    QVERIFY(q.exec(u"SELECT request_id || operation || request_hash || result || at FROM client_requests"_s));
    int rows = 0;
    while (q.next()) {
        ++rows;
        const QString row = q.value(0).toString();
        // Neither the name, the phone, the cashier nor the refund's free-text reason.
        for (const QString &s : {u"Budi"_s, u"Santoso"_s, u"81234567890"_s, kCashier, u"returned"_s})
            QVERIFY2(!row.contains(s, Qt::CaseInsensitive), qPrintable(row));
        QVERIFY(row.contains(m_member)); // the pseudonymous member id, as in the events
    }
    QCOMPARE(rows, 2);
}

void TestIdempotency::upgradeFromSchema3()
{
    // A store as schema 3 left it: no client_requests table, user_version 3.
    QVERIFY(Store::latestSchemaVersion() >= 4);
    const qint64 events = scalar(u"SELECT COUNT(*) FROM events"_s);
    {
        QSqlQuery q(m_ts->store().writer());
        QVERIFY(q.exec(u"DROP TABLE client_requests"_s));
        QVERIFY(test::nameIndexAsBeforeSchema6(m_ts->store().writer()));
        QVERIFY(q.exec(u"PRAGMA user_version=3"_s));
    }
    QVERIFY(m_ts->reopen());
    QCOMPARE(m_ts->store().schemaVersion(), Store::latestSchemaVersion());
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM events"_s), events);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM client_requests"_s), 0);
    REQUIRE_OK(first, L().reverse(u"R-1"_s, 100000, u"one back"_s, kCashier, u"rq-upgraded"_s));
    REQUIRE_OK(again, L().reverse(u"R-1"_s, 100000, u"one back"_s, kCashier, u"rq-upgraded"_s));
    QVERIFY(!first->replayed && again->replayed);
    QCOMPARE(balance(), 40);
}

bool TestIdempotency::backToSchema4(const QString &inTheWay)
{
    QSqlQuery q(m_ts->store().writer());
    return q.exec(u"DROP TABLE hub_members"_s) && q.exec(u"DROP INDEX events_unsynced"_s)
           && test::nameIndexAsBeforeSchema6(m_ts->store().writer()) && (inTheWay.isEmpty() || q.exec(inTheWay))
           && q.exec(u"PRAGMA user_version=4"_s);
}

void TestIdempotency::upgradeFromSchema4()
{
    // A store as schema 4 left it (before sync): no hub_members, no outbox index.
    QCOMPARE(Store::latestSchemaVersion(), 7);
    const qint64 events = scalar(u"SELECT COUNT(*) FROM events"_s);
    QVERIFY(backToSchema4());
    QVERIFY(m_ts->reopen());
    QCOMPARE(m_ts->store().schemaVersion(), 7);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM events"_s), events);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM hub_members"_s), 0);
    // Every event written before is in the outbox, in order, and the ledger still verifies.
    REQUIRE_OK(outbox, L().unsyncedEvents(1000));
    QCOMPARE(qint64(outbox->size()), events);
    QVERIFY(L().verify().ok());
    QVERIFY(!L().syncRegistered());
    QVERIFY(L().redeemReward(m_member, u"snack"_s, kCashier).ok()); // no hub: no lease needed
    // The copy made before the upgrade is a working schema-4 store with the same events.
    const QString copy = m_ts->dbPath() + u".pre-schema-7.bak"_s;
    QVERIFY(QFile::exists(copy));
    auto old = Store::open(copy, Store::Options{Store::Mode::ReadOnly, false});
    QVERIFY(!old.ok()); // read-only: this Setia would have to migrate it, so it says so
    QCOMPARE(old.error().code, u"schema_too_old"_s);
    {
        QSqlDatabase raw = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"copy"_s);
        raw.setDatabaseName(copy);
        QVERIFY(raw.open());
        QSqlQuery q(raw);
        QVERIFY(q.exec(u"PRAGMA user_version"_s) && q.next());
        QCOMPARE(q.value(0).toInt(), 4);
        QVERIFY(q.exec(u"SELECT COUNT(*) FROM events"_s) && q.next());
        QCOMPARE(q.value(0).toLongLong(), events);
        raw.close();
    }
    QSqlDatabase::removeDatabase(u"copy"_s);
}

void TestIdempotency::failedUpgradeLeavesTheDataWorking()
{
    // A migration that fails (here: something already holds the name schema 5's index needs)
    // rolls back; the store stays at schema 4 with every event, and the message says so.
    const qint64 events = scalar(u"SELECT COUNT(*) FROM events"_s);
    const qint64 before = balance();
    QVERIFY(backToSchema4(u"CREATE TABLE events_unsynced(x)"_s));
    m_ts->close();
    auto failed = Store::open(m_ts->dbPath(), Store::Options{Store::Mode::ReadWrite, false});
    QVERIFY(!failed.ok());
    QVERIFY2(failed.error().message.contains(u"Upgrading the store to schema 7 failed (at step 5) and was rolled back; the data is as it was"_s), qPrintable(failed.error().message));
    QVERIFY2(failed.error().message.contains(u".pre-schema-7.bak"_s), qPrintable(failed.error().message));
    {
        QSqlDatabase raw = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"after"_s);
        raw.setDatabaseName(m_ts->dbPath());
        QVERIFY(raw.open());
        QSqlQuery q(raw);
        QVERIFY(q.exec(u"PRAGMA user_version"_s) && q.next());
        QCOMPARE(q.value(0).toInt(), 4);
        QVERIFY(q.exec(u"SELECT COUNT(*) FROM events"_s) && q.next());
        QCOMPARE(q.value(0).toLongLong(), events);
        QVERIFY(q.exec(u"DROP TABLE events_unsynced"_s)); // the cause removed...
        raw.close();
    }
    QSqlDatabase::removeDatabase(u"after"_s);
    QVERIFY(m_ts->reopen()); // ...the upgrade goes through, nothing lost
    QCOMPARE(m_ts->store().schemaVersion(), 7);
    QCOMPARE(balance(), before);
    QVERIFY(L().verify().ok());
}

void TestIdempotency::failedLaterStepUndoesTheEarlierOnes()
{
    // Schema 4 to 7 is three steps. The second fails (a table in the way of member_names): the
    // first is undone too, so the store is schema 4 as version N left it, not a schema 5 that
    // neither version opens.
    const qint64 events = scalar(u"SELECT COUNT(*) FROM events"_s);
    const qint64 before = balance();
    QVERIFY(backToSchema4(u"CREATE TABLE member_names(x)"_s));
    m_ts->close();
    auto failed = Store::open(m_ts->dbPath(), Store::Options{Store::Mode::ReadWrite, false});
    QVERIFY(!failed.ok());
    QVERIFY2(failed.error().message.contains(u"Upgrading the store to schema 7 failed (at step 6) and was rolled back; the data is as it was"_s),
             qPrintable(failed.error().message));
    {
        QSqlDatabase raw = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"after"_s);
        raw.setDatabaseName(m_ts->dbPath());
        QVERIFY(raw.open());
        QSqlQuery q(raw);
        QVERIFY(q.exec(u"PRAGMA user_version"_s) && q.next());
        QCOMPARE(q.value(0).toInt(), 4);
        // Step 5's table and index are not there either.
        QVERIFY(q.exec(u"SELECT COUNT(*) FROM sqlite_master WHERE name IN ('hub_members', 'events_unsynced')"_s) && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        QVERIFY(q.exec(u"SELECT COUNT(*) FROM member_name_index"_s) && q.next());
        QVERIFY(q.value(0).toInt() > 0);
        QVERIFY(q.exec(u"DROP TABLE member_names"_s));
        raw.close();
    }
    QSqlDatabase::removeDatabase(u"after"_s);
    QVERIFY(m_ts->reopen());
    QCOMPARE(m_ts->store().schemaVersion(), 7);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM events"_s), events);
    QCOMPARE(balance(), before);
    QVERIFY(L().verify().ok());
}

QTEST_GUILESS_MAIN(TestIdempotency)
#include "tst_idempotency.moc"
