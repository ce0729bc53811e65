// Staff PINs (scrypt, lock-out, audit) and the repeated-scan fraud rule.
#include "testsupport.h"

#include "core/staff.h"

#include <QJsonArray>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace setia;

class TestStaff : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pinStrength_data();
    void pinStrength();
    void addAndAuthenticate();
    void lockOutAfterFiveWrongPins();
    void changePinAndDisable();
    void repeatedScansRaiseOneAlert();
    void largeRedemptionRaisesAnAlert();
};

void TestStaff::pinStrength_data()
{
    QTest::addColumn<QString>("pin");
    QTest::addColumn<bool>("ok");
    QTest::newRow("good") << u"4829"_s << true;
    QTest::newRow("good 8") << u"48291736"_s << true;
    QTest::newRow("short") << u"482"_s << false;
    QTest::newRow("long") << u"482917365"_s << false;
    QTest::newRow("letters") << u"48a9"_s << false;
    QTest::newRow("same digit") << u"0000"_s << false;
    QTest::newRow("two digits") << u"1212"_s << false;
    QTest::newRow("run up") << u"1234"_s << false;
    QTest::newRow("run up wraps") << u"7890"_s << false;
    QTest::newRow("run down") << u"9876"_s << false;
}

void TestStaff::pinStrength()
{
    QFETCH(QString, pin);
    QFETCH(bool, ok);
    QCOMPARE(Staff::checkPinStrength(pin).ok(), ok);
}

void TestStaff::addAndAuthenticate()
{
    test::TempStore ts(test::toJson(test::baseProgram()));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    Staff staff(ts.store(), ts.clock(), ts.random());
    QVERIFY(!staff.hasManager());
    auto ani = staff.add(u"Ani"_s, Role::Manager, u"482913"_s, u"installer"_s);
    QVERIFY(ani.ok());
    QVERIFY(staff.hasManager());
    QVERIFY(staff.add(u"Budi"_s, Role::Cashier, u"5820"_s, u"Ani"_s).ok());
    QCOMPARE(staff.add(u"ani"_s, Role::Cashier, u"5821"_s, u"Ani"_s).error().code, u"duplicate_staff"_s);
    QCOMPARE(staff.add(u"Citra"_s, Role::Cashier, u"1111"_s, u"Ani"_s).error().code, u"weak_pin"_s);
    auto who = staff.authenticate(u" ani "_s, u"482913"_s);
    QVERIFY(who.ok());
    QCOMPARE(who->role, Role::Manager);
    QCOMPARE(who->staffId, ani->staffId);
    QCOMPARE(staff.authenticate(u"Budi"_s, u"482913"_s).error().code, u"wrong_pin"_s);
    QCOMPARE(staff.authenticate(u"Nobody"_s, u"482913"_s).error().code, u"unknown_staff"_s);
    QCOMPARE(staff.list().size(), 2);
    // The PIN is stored only as an scrypt hash.
    QSqlQuery q(ts.store().writer());
    QVERIFY(q.exec(u"SELECT pin_hash FROM staff WHERE name = 'Ani'"_s) && q.next());
    QVERIFY(q.value(0).toString().startsWith(u"scrypt$"_s));
    QVERIFY(!q.value(0).toString().contains(u"482913"_s));
}

void TestStaff::lockOutAfterFiveWrongPins()
{
    test::TempStore ts(test::toJson(test::baseProgram()));
    Staff staff(ts.store(), ts.clock(), ts.random());
    QVERIFY(staff.add(u"Budi"_s, Role::Cashier, u"5820"_s, u"Ani"_s).ok());
    for (int i = 1; i < Staff::kMaxFailures; ++i) {
        auto r = staff.authenticate(u"Budi"_s, u"0001"_s);
        QCOMPARE(r.error().code, u"wrong_pin"_s);
        QVERIFY2(r.error().message.contains(u"%1 tries left"_s.arg(Staff::kMaxFailures - i)), qPrintable(r.error().message));
    }
    QCOMPARE(staff.authenticate(u"Budi"_s, u"0001"_s).error().code, u"locked_out"_s);
    // Even the right PIN is refused while locked.
    QCOMPARE(staff.authenticate(u"Budi"_s, u"5820"_s).error().code, u"locked_out"_s);
    ts.clock().advance(Staff::kLockoutMs - 1000);
    QCOMPARE(staff.authenticate(u"Budi"_s, u"5820"_s).error().code, u"locked_out"_s);
    ts.clock().advance(1000);
    QVERIFY(staff.authenticate(u"Budi"_s, u"5820"_s).ok());
    // A success resets the count.
    QCOMPARE(staff.authenticate(u"Budi"_s, u"0001"_s).error().message.contains(u"4 tries left"_s), true);
    // Every failure and the lock-out are in the audit log.
    const auto audit = ts.loyalty().auditLog(50);
    int wrong = 0, locked = 0;
    for (const auto &row : audit) {
        wrong += row[2] == u"staff_wrong_pin"_s;
        locked += row[2] == u"staff_locked"_s;
    }
    QCOMPARE(wrong, Staff::kMaxFailures - 1 + 1);
    QCOMPARE(locked, 1);
}

void TestStaff::changePinAndDisable()
{
    test::TempStore ts(test::toJson(test::baseProgram()));
    Staff staff(ts.store(), ts.clock(), ts.random());
    QVERIFY(staff.add(u"Budi"_s, Role::Cashier, u"5820"_s, u"Ani"_s).ok());
    QCOMPARE(staff.changePin(u"Budi"_s, u"5820"_s, u"2222"_s).error().code, u"weak_pin"_s);
    QCOMPARE(staff.changePin(u"Budi"_s, u"9999"_s, u"7351"_s).error().code, u"wrong_pin"_s);
    QVERIFY(staff.changePin(u"Budi"_s, u"5820"_s, u"7351"_s).ok());
    QCOMPARE(staff.authenticate(u"Budi"_s, u"5820"_s).error().code, u"wrong_pin"_s);
    QVERIFY(staff.authenticate(u"Budi"_s, u"7351"_s).ok());
    QVERIFY(staff.setActive(u"Budi"_s, false, u"Ani"_s).ok());
    QCOMPARE(staff.authenticate(u"Budi"_s, u"7351"_s).error().code, u"staff_inactive"_s);
    QCOMPARE(staff.setActive(u"Nobody"_s, false, u"Ani"_s).error().code, u"unknown_staff"_s);
}

void TestStaff::repeatedScansRaiseOneAlert()
{
    QJsonObject p = test::baseProgram();
    p.insert(u"fraud"_s, QJsonObject{{u"repeatScanCount"_s, 3}, {u"repeatScanSeconds"_s, 60}});
    test::TempStore ts(test::toJson(p));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    const QString m = ts.enroll(u"Budi"_s, u"081234567890"_s, {}, {}, u"2900000000017"_s);
    QVERIFY(ts.loyalty().recordScan(u"2900000000017"_s, m).ok());
    ts.clock().advance(30'000);
    QVERIFY(ts.loyalty().recordScan(u"2900000000017"_s, m).ok());
    QVERIFY(ts.loyalty().alerts().isEmpty());
    ts.clock().advance(29'000);
    QVERIFY(ts.loyalty().recordScan(u"2900000000017"_s, m).ok()); // third within 60 s
    QCOMPARE(ts.loyalty().alerts().size(), 1);
    QCOMPARE(ts.loyalty().alerts().first().kind, u"repeated_scans"_s);
    QCOMPARE(ts.loyalty().alerts().first().memberId, m);
    QVERIFY(ts.loyalty().recordScan(u"2900000000017"_s, m).ok()); // the same burst: no second alert
    QCOMPARE(ts.loyalty().alerts().size(), 1);
    // Scans spread out raise nothing.
    ts.clock().advance(600'000);
    for (int i = 0; i < 3; ++i) {
        QVERIFY(ts.loyalty().recordScan(u"2900000000024"_s, QString()).ok());
        ts.clock().advance(61'000);
    }
    QCOMPARE(ts.loyalty().alerts().size(), 1);
}

void TestStaff::largeRedemptionRaisesAnAlert()
{
    QJsonObject p = test::baseProgram();
    p.insert(u"fraud"_s, QJsonObject{{u"redemptionAlertPoints"_s, 100}});
    p.insert(u"rewards"_s, QJsonArray{QJsonObject{{u"id"_s, u"small"_s}, {u"name"_s, u"Small"_s}, {u"cost"_s, 99}},
                                      QJsonObject{{u"id"_s, u"big"_s}, {u"name"_s, u"Big"_s}, {u"cost"_s, 100}}});
    p.insert(u"pointsAsPayment"_s, QJsonObject{{u"valuePerPoint"_s, 100}});
    test::TempStore ts(test::toJson(p));
    QVERIFY2(ts.ok(), qPrintable(ts.error()));
    const QString m = ts.enroll(u"Budi"_s, u"081234567890"_s);
    QVERIFY(ts.loyalty().earn(m, ts.basket(u"R1"_s, 5'000'000), u"t"_s).ok()); // 500 points
    QVERIFY(ts.loyalty().redeemReward(m, u"small"_s, u"kasir"_s).ok());
    QVERIFY(ts.loyalty().alerts().isEmpty());
    QVERIFY(ts.loyalty().redeemReward(m, u"big"_s, u"kasir"_s).ok());
    QCOMPARE(ts.loyalty().alerts().size(), 1);
    QCOMPARE(ts.loyalty().alerts().first().kind, u"large_redemption"_s);
    QVERIFY(ts.loyalty().alerts().first().detail.contains(u"kasir"_s));
    QVERIFY(ts.loyalty().redeemPoints(m, 150, u"PAY-1"_s, u"kasir"_s).ok());
    QCOMPARE(ts.loyalty().alerts().size(), 2);
}

QTEST_GUILESS_MAIN(TestStaff)
#include "tst_staff.moc"
