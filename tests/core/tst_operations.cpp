// End-to-end tests of the loyalty services on a real (temporary) store with a manual clock:
// members and cards, lookups, earning, refunds, redemption, vouchers, bonuses, tiers, expiry,
// manual adjustments and erasure. Every expected number is computed by hand in a comment.
// After every test, cleanup() checks that the ledger verifies and that each member's cached
// balance equals the sum of their events.
#include "core/ids.h"
#include "core/loyalty.h"
#include "core/phone.h"
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
const QString kManager = u"mgr-ani"_s;
constexpr qint64 kDay = 86'400'000LL;

qint64 t0() { return test::at(u"2026-03-02T10:00:00+07:00"_s); } // the TempStore's start

QJsonObject withKeys(QJsonObject program, const QJsonObject &extra)
{
    for (auto it = extra.begin(); it != extra.end(); ++it)
        program.insert(it.key(), it.value());
    return program;
}

QJsonObject reward(const QString &id, qint64 cost, std::optional<qint64> stock = std::nullopt, const QString &voucher = {})
{
    QJsonObject o{{u"id"_s, id}, {u"name"_s, id}, {u"cost"_s, cost}};
    if (stock)
        o.insert(u"stock"_s, *stock);
    if (!voucher.isEmpty())
        o.insert(u"voucher"_s, voucher);
    return o;
}

QJsonObject voucherType10k()
{
    return QJsonObject{{u"id"_s, u"disc-10k"_s}, {u"name"_s, u"Potongan Rp10.000"_s}, {u"discount"_s, 10000},
                       {u"minSpend"_s, 50000}, {u"validDays"_s, 30}};
}

} // namespace

class TestOperations : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cleanup();

    void enrollNormalisesPhoneAndRefusesDuplicates();
    void enrollWithCards();
    void lookupByCardPhoneAndName();
    void searchPaging();
    void renameMovesTheNameIndex();
    void lostCardReplacedKeepsBalance();
    void earnIsIdempotent();
    void reverseFull();
    void reversePartialRoundsUp();
    void reverseAfterPointsSpentGoesNegative();
    void reverseTakesBackLinkedBonuses();
    void redeemWithTooFewPointsWritesNothing();
    void redeemOutOfStock();
    void redeemRewardIssuesVoucher();
    void pointsAsPayment();
    void redemptionCountLimitResetsAtStoreMidnight();
    void redemptionPointsLimitResetsAtStoreMidnight();
    void voucherSingleUse();
    void voucherExpiryAndMinSpend();
    void voucherTypo();
    void referralBonusOnFirstPurchaseOnly();
    void birthdayBonusOncePerYear();
    void birthdayUsesStoreMidnight();
    void tierUpgradeAndRollingDowngrade();
    void expiryIsFifo();
    void refundAfterExpiryTakesOnlyWhatIsLeft();
    void pointsPaymentIsIdempotentByReceipt();
    void openingBalancesExpire();
    void manualAdjustment();
    void erasure();

private:
    bool begin(const QJsonObject &program);
    Loyalty &L() { return m_ts->loyalty(); }
    ManualClock &clock() { return m_ts->clock(); }
    Result<EarnResult> earn(const QString &memberId, const QString &receipt, qint64 total)
    {
        return L().earn(memberId, m_ts->basket(receipt, total), kCashier);
    }
    qint64 balance(const QString &memberId) { return L().member(memberId).ok() ? L().member(memberId)->balance : -999999; }
    qint64 scalar(const QString &sql, const QVariantList &binds = {});
    qint64 eventCount() { return scalar(u"SELECT COUNT(*) FROM events"_s); }
    qint64 memberCount() { return scalar(u"SELECT COUNT(*) FROM members"_s); }
    QList<EventView> eventsOfType(const QString &memberId, const QString &type);

    std::unique_ptr<test::TempStore> m_ts;
};

bool TestOperations::begin(const QJsonObject &program)
{
    m_ts = std::make_unique<test::TempStore>(test::toJson(program));
    if (!m_ts->ok())
        qWarning("TempStore: %s", qPrintable(m_ts->error()));
    return m_ts->ok();
}

qint64 TestOperations::scalar(const QString &sql, const QVariantList &binds)
{
    QSqlQuery q(m_ts->store().writer());
    q.prepare(sql);
    for (const QVariant &b : binds)
        q.addBindValue(b);
    if (!q.exec() || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

QList<EventView> TestOperations::eventsOfType(const QString &memberId, const QString &type)
{
    QList<EventView> out;
    auto h = L().history(memberId, 0, 500);
    if (!h)
        return out;
    for (const EventView &e : h.value())
        if (e.type == type)
            out << e;
    return out;
}

void TestOperations::cleanup()
{
    const auto ts = std::move(m_ts); // released however this ends
    if (!ts || !ts->ok())
        return;
    const VerifyReport report = ts->loyalty().verify();
    QVERIFY2(report.ok(), qPrintable(report.problems.join(u'\n')));
    QStringList ids;
    QSqlQuery q(ts->store().writer());
    QVERIFY(q.exec(u"SELECT member_id FROM members"_s));
    while (q.next())
        ids << q.value(0).toString();
    for (const QString &id : ids) {
        auto m = ts->loyalty().member(id);
        QVERIFY(m.ok());
        QCOMPARE(m->balance, test::sumOfEvents(ts->store(), id));
    }
}

// ---- members and cards ----

void TestOperations::enrollNormalisesPhoneAndRefusesDuplicates()
{
    QVERIFY(begin(test::baseProgram()));
    EnrollRequest r;
    r.name = u"  Budi   Santoso "_s;
    r.phone = u"0812-3456-7890"_s;
    r.email = u"budi@example.com"_s;
    r.birthDate = QDate(1990, 5, 17);
    r.consent.marketing = true;
    r.actor = kCashier;
    REQUIRE_OK(m, L().enroll(r));
    QCOMPARE(m->profile.name, u"Budi Santoso"_s);
    QCOMPARE(m->profile.phone, u"+6281234567890"_s);
    QCOMPARE(m->profile.email, u"budi@example.com"_s);
    QCOMPARE(m->profile.birthDate, QDate(1990, 5, 17));
    QCOMPARE(m->status, u"active"_s);
    QCOMPARE(m->homeStore, u"test-store"_s);
    QCOMPARE(m->balance, 0);
    QCOMPARE(m->enrolledAt, t0());
    QCOMPARE(m->consentMarketingAt, t0());
    QCOMPARE(m->consentWhatsappAt, 0);
    QVERIFY(isValidHumanCode(m->referralCode));
    QVERIFY(m->cards.isEmpty());
    QCOMPARE(eventsOfType(m->memberId, u"enroll"_s).size(), 1);

    const qint64 events = eventCount();
    // The same number in other spellings is the same member.
    for (const QString &same : {u"+62 812 3456 7890"_s, u"6281234567890"_s, u"81234567890"_s}) {
        EnrollRequest dup = r;
        dup.name = u"Budi Kedua"_s;
        dup.phone = same;
        QCOMPARE_ERROR(L().enroll(dup), "duplicate_member");
    }
    EnrollRequest bad = r;
    bad.phone = u"0812-CALL-ME"_s;
    QCOMPARE_ERROR(L().enroll(bad), "invalid_phone");
    bad = r;
    bad.phone = u"0899-1111-2222"_s;
    bad.name = u"   "_s;
    QCOMPARE_ERROR(L().enroll(bad), "invalid_member");
    bad.name = u"Siti"_s;
    bad.email = u"siti-at-example"_s;
    QCOMPARE_ERROR(L().enroll(bad), "invalid_member");
    QCOMPARE(eventCount(), events);
    QCOMPARE(memberCount(), 1);
}

void TestOperations::enrollWithCards()
{
    QVERIFY(begin(test::baseProgram()));
    const QString a = m_ts->enroll(u"Ani"_s, u"081211110001"_s, {}, {}, u"card-0001"_s);
    QVERIFY(!a.isEmpty());
    REQUIRE_OK(ma, L().member(a));
    QCOMPARE(ma->cards.size(), 1);
    QCOMPARE(ma->cards[0].number, u"CARD0001"_s); // normalised: upper case, no dashes
    QCOMPARE(ma->cards[0].kind, u"barcode"_s);
    QCOMPARE(ma->cards[0].status, u"active"_s);
    QCOMPARE(eventsOfType(a, u"card_assign"_s).size(), 1);

    const qint64 events = eventCount();
    EnrollRequest r;
    r.name = u"Budi"_s;
    r.phone = u"081211110002"_s;
    r.actor = kCashier;
    for (const QString &card : {u"CARD0001"_s, u" card 0001"_s}) {
        r.cardNumber = card;
        QCOMPARE_ERROR(L().enroll(r), "card_in_use");
    }
    r.cardNumber = u"AB"_s;
    QCOMPARE_ERROR(L().enroll(r), "invalid_card");
    QCOMPARE(eventCount(), events);
    QCOMPARE(memberCount(), 1);

    // Digital cards: EAN-13 in the GS1 restricted-circulation range (starts with 2), kind qr.
    r.cardNumber.clear();
    r.issueDigitalCard = true;
    REQUIRE_OK(mb, L().enroll(r));
    QCOMPARE(mb->cards.size(), 1);
    const QString digital = mb->cards[0].number;
    QCOMPARE(digital.size(), 13);
    QVERIFY2(isValidEan13(digital), qPrintable(digital));
    QVERIFY(digital.startsWith(u'2'));
    QCOMPARE(mb->cards[0].kind, u"qr"_s);
    r.name = u"Citra"_s;
    r.phone = u"081211110003"_s;
    REQUIRE_OK(mc, L().enroll(r));
    QVERIFY(isValidEan13(mc->cards.value(0).number));
    QVERIFY(mc->cards.value(0).number != digital); // the serial moves on
    REQUIRE_OK(byDigital, L().memberByCard(digital));
    QCOMPARE(byDigital->memberId, mb->memberId);

    // A further card for an existing member.
    QCOMPARE_ERROR(L().assignCard(a, u"CARD0001"_s, u"barcode"_s, kCashier), "card_in_use");
    QCOMPARE_ERROR(L().assignCard(a, digital, u"barcode"_s, kCashier), "card_in_use");
    QCOMPARE_ERROR(L().assignCard(a, u"CARD0002"_s, u"nfc"_s, kCashier), "invalid_card");
    REQUIRE_OK(extra, L().assignCard(a, u"card 0002"_s, u"contactless"_s, kCashier));
    QCOMPARE(extra->number, u"CARD0002"_s);
    REQUIRE_OK(byExtra, L().memberByCard(u"CARD0002"_s));
    QCOMPARE(byExtra->memberId, a);
    QCOMPARE(byExtra->cards.size(), 2);
}

void TestOperations::lookupByCardPhoneAndName()
{
    QVERIFY(begin(test::baseProgram()));
    const QString santoso = m_ts->enroll(u"Budi Santoso"_s, u"0812-3456-7890"_s, {}, {}, u"CARD0001"_s);
    const QString setiawan = m_ts->enroll(u"Budi Setiawan"_s, u"0813-1111-2222"_s);
    const QString siti = m_ts->enroll(u"Siti Aminah"_s, u"0857-2222-3333"_s);
    QVERIFY(!santoso.isEmpty() && !setiawan.isEmpty() && !siti.isEmpty());

    REQUIRE_OK(byCard, L().memberByCard(u"card-0001"_s));
    QCOMPARE(byCard->memberId, santoso);
    REQUIRE_OK(byPhone, L().memberByPhone(u"+62 812-3456-7890"_s));
    QCOMPARE(byPhone->memberId, santoso);
    REQUIRE_OK(byPhone2, L().memberByPhone(u"081311112222"_s));
    QCOMPARE(byPhone2->memberId, setiawan);
    QCOMPARE_ERROR(L().memberByPhone(u"081299999999"_s), "unknown_member");
    QCOMPARE_ERROR(L().memberByCard(u"NOPE1234"_s), "unknown_card");

    REQUIRE_OK(found, L().search(u"budi sa"_s));
    QCOMPARE(found->size(), 1);
    QCOMPARE(found->at(0).memberId, santoso);
    QCOMPARE(found->at(0).name, u"Budi Santoso"_s);
    QCOMPARE(found->at(0).maskedPhone, maskPhone(u"+6281234567890"_s));
    QVERIFY(!found->at(0).maskedPhone.contains(u"81234567890"_s));
    REQUIRE_OK(budis, L().search(u"BUDI"_s));
    QCOMPARE(budis->size(), 2);
    REQUIRE_OK(amin, L().search(u"amin"_s));
    QCOMPARE(amin->size(), 1);
    QCOMPARE(amin->at(0).memberId, siti);
    REQUIRE_OK(none, L().search(u"budi xy"_s));
    QVERIFY(none->isEmpty());
    REQUIRE_OK(phoneSearch, L().search(u"0812 3456 7890"_s));
    QCOMPARE(phoneSearch->size(), 1);
    QCOMPARE(phoneSearch->at(0).memberId, santoso);
    REQUIRE_OK(cardSearch, L().search(u"CARD0001"_s));
    QCOMPARE(cardSearch->size(), 1);
    QCOMPARE(cardSearch->at(0).memberId, santoso);
    QCOMPARE_ERROR(L().search(u"  "_s), "invalid_query");

    // A blocked card no longer finds the member.
    REQUIRE_OK(blocked, L().blockCard(u"CARD0001"_s, u"lost"_s, QString(), kCashier));
    QCOMPARE(blocked->status, u"blocked"_s);
    QCOMPARE_ERROR(L().memberByCard(u"CARD0001"_s), "card_blocked");
    REQUIRE_OK(stillByPhone, L().memberByPhone(u"081234567890"_s));
    QCOMPARE(stillByPhone->memberId, santoso);
}

void TestOperations::renameMovesTheNameIndex()
{
    QVERIFY(begin(test::baseProgram()));
    const QString m = m_ts->enroll(u"Budi Santoso"_s, u"0812-3456-7890"_s);
    const QString other = m_ts->enroll(u"Budi Setiawan"_s, u"0813-1111-2222"_s);
    QVERIFY(!m.isEmpty() && !other.isEmpty());
    auto rows = [&](const QString &id) { return scalar(u"SELECT COUNT(*) FROM member_names WHERE member_id = ?"_s, {id}); };
    auto write = [&](const QString &sql, const QVariantList &binds) {
        QSqlQuery q(m_ts->store().writer());
        q.prepare(sql);
        for (const QVariant &b : binds)
            q.addBindValue(b);
        return q.exec();
    };
    // One row per distinct prefix of 2..12 characters: bu bud budi + sa .. santoso.
    QCOMPARE(rows(m), 3 + 6);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM member_names WHERE length(token) <> 16 OR token GLOB '*[^0-9a-f]*'"_s), 0);
    const qint64 others = rows(other);

    QVERIFY(L().updateProfile(m, Profile{u"Budi Hartono"_s, u"0812-3456-7890"_s, {}, {}}, kManager).ok());
    REQUIRE_OK(oldName, L().search(u"santoso"_s));
    QVERIFY(oldName->isEmpty());
    REQUIRE_OK(newName, L().search(u"budi hart"_s));
    QCOMPARE(newName->size(), 1);
    QCOMPARE(newName->at(0).memberId, m);
    REQUIRE_OK(budis, L().search(u"budi"_s));
    QCOMPARE(budis->size(), 2);
    // Exactly the new name's rows: none of the old name's left, the shared "budi" ones kept.
    QCOMPARE(rows(m), 3 + 6);
    QCOMPARE(rows(other), others);
    // The same name again changes nothing.
    QVERIFY(L().updateProfile(m, Profile{u"Budi Hartono"_s, u"0812-3456-7890"_s, u"budi@example.id"_s, {}}, kManager).ok());
    QCOMPARE(rows(m), 3 + 6);

    // A profile that cannot be read any more (its wrapped key damaged): erasing the member
    // cannot know the name, so the member's rows are found by a scan, and all of them go.
    QVERIFY(write(u"UPDATE members SET wrapped_key = x'00' WHERE member_id = ?"_s, {m}));
    QVERIFY(L().erase(m, u"member request (UU PDP)"_s, kManager).ok());
    QCOMPARE(rows(m), 0);
    QCOMPARE(rows(other), others);
    VerifyReport report = L().verify();
    QVERIFY2(report.ok(), qPrintable(report.problems.join(u'\n')));
    // verify finds name rows the foreign key of schema 5 would have refused.
    QVERIFY(write(u"INSERT INTO member_names(token, member_id) VALUES('0123456789abcdef', ?)"_s, {m}));
    QVERIFY(write(u"INSERT INTO member_names(token, member_id) VALUES('0123456789abcdef', 'no-such-member')"_s, {}));
    report = L().verify();
    QVERIFY(!report.ok());
    QVERIFY2(report.problems.contains(u"member %1: erased, but its name index rows are still there"_s.arg(m)), qPrintable(report.problems.join(u'\n')));
    QVERIFY2(report.problems.contains(u"member no-such-member: name index rows, but no such member"_s), qPrintable(report.problems.join(u'\n')));
    QVERIFY(write(u"DELETE FROM member_names WHERE token = '0123456789abcdef'"_s, {}));
    QVERIFY(L().verify().ok());
    // The same for a first pull's staged names (schema 7).
    QVERIFY(write(u"INSERT INTO member_names_staged(member_id, tokens) VALUES(?, '0123456789abcdef')"_s, {m}));
    QVERIFY(write(u"INSERT INTO member_names_staged(member_id, tokens) VALUES('no-such-member', '0123456789abcdef')"_s, {}));
    report = L().verify();
    QVERIFY2(report.problems.contains(u"member %1: erased, but its staged name tokens are still there"_s.arg(m)), qPrintable(report.problems.join(u'\n')));
    QVERIFY2(report.problems.contains(u"member no-such-member: staged name tokens, but no such member"_s), qPrintable(report.problems.join(u'\n')));
    QVERIFY(write(u"DELETE FROM member_names_staged"_s, {}));
    QVERIFY(L().verify().ok());
}

void TestOperations::searchPaging()
{
    QVERIFY(begin(test::baseProgram()));
    const QStringList names = {u"Budi Satu"_s, u"Budi Dua"_s, u"Budi Tiga"_s, u"Budi Empat"_s, u"Budi Lima"_s,
                               u"Ani Budiman"_s /* "budi" is a prefix of "budiman" */, u"Siti Aminah"_s};
    QStringList ids;
    for (qsizetype i = 0; i < names.size(); ++i) {
        clock().advance(60'000);
        ids << m_ts->enroll(names[i], u"0812555500%1"_s.arg(i, 2, 10, QLatin1Char('0')));
        QVERIFY(!ids.last().isEmpty());
    }
    // Newest first: Ani Budiman, Budi Lima, Budi Empat, Budi Tiga | Budi Dua, Budi Satu | (none)
    REQUIRE_OK(p0, L().search(u"budi"_s, 0, 4));
    REQUIRE_OK(p1, L().search(u"budi"_s, 1, 4));
    REQUIRE_OK(p2, L().search(u"budi"_s, 2, 4));
    QCOMPARE(p0->size(), 4);
    QCOMPARE(p1->size(), 2);
    QCOMPARE(p2->size(), 0);
    const QStringList expected = {ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]};
    QStringList got;
    for (const auto &s : p0.value() + p1.value())
        got << s.memberId;
    QCOMPARE(got, expected);
    QCOMPARE(p0->at(0).name, u"Ani Budiman"_s);
}

void TestOperations::lostCardReplacedKeepsBalance()
{
    QVERIFY(begin(test::baseProgram()));
    const QString m = m_ts->enroll(u"Budi Santoso"_s, u"081234567890"_s, {}, {}, u"CARD0001"_s);
    QVERIFY(!m.isEmpty());
    REQUIRE_OK(e, earn(m, u"R-1"_s, 125000)); // floor(125000 / 10000) = 12
    QCOMPARE(e->points, 12);

    QCOMPARE_ERROR(L().blockCard(u"CARD0001"_s, u"  "_s, u"CARD0002"_s, kCashier), "reason_required");
    const QString other = m_ts->enroll(u"Siti"_s, u"081299990000"_s, {}, {}, u"CARD0009"_s);
    QCOMPARE_ERROR(L().blockCard(u"CARD0001"_s, u"lost"_s, u"CARD0009"_s, kCashier), "card_in_use");

    REQUIRE_OK(blocked, L().blockCard(u"CARD0001"_s, u"lost"_s, u"card-0002"_s, kCashier));
    QCOMPARE(blocked->status, u"blocked"_s);
    QCOMPARE(blocked->replacedBy, u"CARD0002"_s);
    QCOMPARE_ERROR(L().memberByCard(u"CARD0001"_s), "card_blocked");
    QCOMPARE_ERROR(L().blockCard(u"CARD0001"_s, u"lost"_s, QString(), kCashier), "card_blocked");
    REQUIRE_OK(byNew, L().memberByCard(u"CARD0002"_s));
    QCOMPARE(byNew->memberId, m);
    QCOMPARE(byNew->balance, 12);
    QCOMPARE(byNew->cards.size(), 2);
    int active = 0, blockedCards = 0;
    for (const CardView &c : byNew->cards) {
        if (c.number == u"CARD0001"_s) {
            ++blockedCards;
            QCOMPARE(c.status, u"blocked"_s);
            QCOMPARE(c.blockReason, u"lost"_s);
            QCOMPARE(c.replacedBy, u"CARD0002"_s);
        } else {
            ++active;
            QCOMPARE(c.number, u"CARD0002"_s);
            QCOMPARE(c.status, u"active"_s);
            QCOMPARE(c.kind, u"barcode"_s); // the replacement keeps the kind
        }
    }
    QCOMPARE(active, 1);
    QCOMPARE(blockedCards, 1);
    QCOMPARE(eventsOfType(m, u"card_block"_s).size(), 1);
    QCOMPARE(L().auditLog(1).value(0).value(2), u"card_block"_s);
    // The member keeps earning on the new card.
    REQUIRE_OK(e2, earn(byNew->memberId, u"R-2"_s, 50000)); // 5
    QCOMPARE(e2->balance, 17);
    QCOMPARE(balance(other), 0);
}

// ---- earning and refunds ----

void TestOperations::earnIsIdempotent()
{
    QVERIFY(begin(test::baseProgram()));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    const QString other = m_ts->enroll(u"Siti"_s, u"081299990000"_s);
    REQUIRE_OK(first, earn(m, u"R-1"_s, 125000)); // 12
    QCOMPARE(first->points, 12);
    QCOMPARE(first->balance, 12);
    QVERIFY(!first->replayed);
    QVERIFY(!first->eventId.isEmpty());
    const qint64 events = eventCount();

    clock().advance(5 * 60'000); // the POS retries five minutes later
    REQUIRE_OK(again, earn(m, u"R-1"_s, 125000));
    QVERIFY(again->replayed);
    QCOMPARE(again->eventId, first->eventId);
    QCOMPARE(again->points, 12);
    QCOMPARE(again->balance, 12);
    QCOMPARE(eventCount(), events);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM events WHERE type = 'earn' AND receipt_id = 'R-1'"_s), 1);

    // The same receipt number with other content is a conflict, not a replay.
    QCOMPARE_ERROR(earn(m, u"R-1"_s, 130000), "receipt_conflict");
    QCOMPARE_ERROR(L().earn(m, m_ts->basket(u"R-1"_s, 125000, u"qris"_s), kCashier), "receipt_conflict");
    QCOMPARE_ERROR(earn(other, u"R-1"_s, 125000), "receipt_conflict");
    QCOMPARE(eventCount(), events);
    QCOMPARE(balance(m), 12);
    QCOMPARE(balance(other), 0);
}

void TestOperations::reverseFull()
{
    QVERIFY(begin(test::baseProgram()));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    REQUIRE_OK(e, earn(m, u"R-1"_s, 125000)); // 12
    QCOMPARE_ERROR(L().reverse(u"R-1"_s, std::nullopt, u" "_s, kCashier), "reason_required");
    QCOMPARE_ERROR(L().reverse(u"R-404"_s, std::nullopt, u"returned"_s, kCashier), "unknown_receipt");

    REQUIRE_OK(r, L().reverse(u"R-1"_s, std::nullopt, u"returned"_s, kCashier));
    QCOMPARE(r->refundedAmount, 125000);
    QCOMPARE(r->pointsReversed, 12);
    QCOMPARE(r->balance, 0);
    QVERIFY(r->fullyRefunded);
    const auto reversals = eventsOfType(m, u"reverse"_s);
    QCOMPARE(reversals.size(), 1);
    QCOMPARE(reversals[0].points, -12);
    QCOMPARE(reversals[0].amount, -125000);
    QCOMPARE(reversals[0].refEventId, e->eventId);
    QCOMPARE(reversals[0].receiptId, u"R-1"_s);

    const qint64 events = eventCount();
    QCOMPARE_ERROR(L().reverse(u"R-1"_s, std::nullopt, u"returned"_s, kCashier), "already_refunded");
    QCOMPARE_ERROR(L().reverse(u"R-1"_s, 1000, u"returned"_s, kCashier), "already_refunded");
    QCOMPARE(eventCount(), events);
    QCOMPARE(balance(m), 0);
}

void TestOperations::reversePartialRoundsUp()
{
    QVERIFY(begin(test::baseProgram()));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    REQUIRE_OK(e, earn(m, u"R-1"_s, 125000)); // 12
    // 12 × 50000 / 125000 = 4.8 -> 5: the member never keeps points for what they returned.
    REQUIRE_OK(p1, L().reverse(u"R-1"_s, 50000, u"one item back"_s, kCashier));
    QCOMPARE(p1->pointsReversed, 5);
    QCOMPARE(p1->balance, 7);
    QVERIFY(!p1->fullyRefunded);
    const qint64 events = eventCount();
    QCOMPARE_ERROR(L().reverse(u"R-1"_s, 75001, u"too much"_s, kCashier), "invalid_refund"); // 75000 left
    QCOMPARE_ERROR(L().reverse(u"R-1"_s, 0, u"nothing"_s, kCashier), "invalid_refund");
    QCOMPARE_ERROR(L().reverse(u"R-1"_s, -5, u"negative"_s, kCashier), "invalid_refund");
    QCOMPARE(eventCount(), events);
    // The rest: 50000 + 75000 = the whole receipt, so exactly the other 12 - 5 = 7 points.
    REQUIRE_OK(p2, L().reverse(u"R-1"_s, 75000, u"rest back"_s, kCashier));
    QCOMPARE(p2->pointsReversed, 7);
    QCOMPARE(p2->balance, 0);
    QVERIFY(p2->fullyRefunded);
    QCOMPARE_ERROR(L().reverse(u"R-1"_s, std::nullopt, u"again"_s, kCashier), "already_refunded");

    // Rounding up on a cumulative basis: 99999 earns 9.
    REQUIRE_OK(e2, earn(m, u"R-2"_s, 99999));
    QCOMPARE(e2->points, 9);
    REQUIRE_OK(a, L().reverse(u"R-2"_s, 1, u"tiny"_s, kCashier)); // ceil(9 × 1 / 99999) = 1
    QCOMPARE(a->pointsReversed, 1);
    REQUIRE_OK(b, L().reverse(u"R-2"_s, 11111, u"small"_s, kCashier)); // ceil(9 × 11112 / 99999) = 2 -> 1 more
    QCOMPARE(b->pointsReversed, 1);
    REQUIRE_OK(c, L().reverse(u"R-2"_s, std::nullopt, u"rest"_s, kCashier)); // refund 88887: 9 - 2 = 7
    QCOMPARE(c->refundedAmount, 88887);
    QCOMPARE(c->pointsReversed, 7);
    QVERIFY(c->fullyRefunded);
    QCOMPARE(c->balance, 0);
    QCOMPARE(scalar(u"SELECT -SUM(points) FROM events WHERE type = 'reverse' AND receipt_id = 'R-2'"_s), 9);
}

void TestOperations::reverseAfterPointsSpentGoesNegative()
{
    QVERIFY(begin(withKeys(test::baseProgram(), {{u"rewards"_s, QJsonArray{reward(u"snack"_s, 8)}}})));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    REQUIRE_OK(e, earn(m, u"R-1"_s, 100000)); // 10
    REQUIRE_OK(spent, L().redeemReward(m, u"snack"_s, kCashier));
    QCOMPARE(spent->balance, 2);
    REQUIRE_OK(r, L().reverse(u"R-1"_s, std::nullopt, u"returned"_s, kCashier));
    QCOMPARE(r->pointsReversed, 10);
    QCOMPARE(r->balance, -8); // the points were already spent: the member owes them
    QCOMPARE(scalar(u"SELECT COALESCE(SUM(remaining),0) FROM lots WHERE member_id = ?"_s, {m}), 0);
    QCOMPARE_ERROR(L().redeemReward(m, u"snack"_s, kCashier), "insufficient_points");
    // Later earnings repay the debt first.
    REQUIRE_OK(e2, earn(m, u"R-2"_s, 50000)); // 5
    QCOMPARE(e2->balance, -3);
    QCOMPARE(scalar(u"SELECT COALESCE(SUM(remaining),0) FROM lots WHERE member_id = ?"_s, {m}), 0);
    REQUIRE_OK(e3, earn(m, u"R-3"_s, 200000)); // 20
    QCOMPARE(e3->balance, 17);
    QCOMPARE(scalar(u"SELECT COALESCE(SUM(remaining),0) FROM lots WHERE member_id = ?"_s, {m}), 17);
    REQUIRE_OK(again, L().redeemReward(m, u"snack"_s, kCashier));
    QCOMPARE(again->balance, 9);
}

void TestOperations::reverseTakesBackLinkedBonuses()
{
    const QJsonObject program = withKeys(
        test::baseProgram(),
        {{u"birthday"_s, QJsonObject{{u"bonusPoints"_s, 50}, {u"period"_s, u"month"_s}}},
         {u"missions"_s, QJsonArray{QJsonObject{{u"id"_s, u"first-visit"_s}, {u"name"_s, u"First visit"_s},
                                                {u"kind"_s, u"visits"_s}, {u"target"_s, 1}, {u"windowDays"_s, 30},
                                                {u"bonusPoints"_s, 25}, {u"badge"_s, u"Pemula"_s}}}},
         {u"referral"_s, QJsonObject{{u"referrerPoints"_s, 40}, {u"refereePoints"_s, 20}, {u"minSpend"_s, 25000}}}});
    QVERIFY(begin(program));
    const QString a = m_ts->enroll(u"Ani"_s, u"081211110001"_s);
    REQUIRE_OK(ma, L().member(a));
    // Born in March; the store's date is 2 March 2026.
    const QString b = m_ts->enroll(u"Budi"_s, u"081211110002"_s, QDate(1990, 3, 15), ma->referralCode);
    QVERIFY(!b.isEmpty());

    REQUIRE_OK(e, earn(b, u"R-1"_s, 100000));
    QCOMPARE(e->points, 10);
    QCOMPARE(e->bonusPoints, 50 + 25 + 20); // birthday, mission, welcome
    QCOMPARE(e->balance, 105);
    QCOMPARE(balance(a), 40); // referrer
    REQUIRE_OK(mb, L().member(b));
    QVERIFY(mb->badges.contains(u"Pemula"_s));
    QCOMPARE(eventsOfType(b, u"bonus"_s).size(), 3);
    for (const EventView &bonus : eventsOfType(b, u"bonus"_s))
        QCOMPARE(bonus.refEventId, e->eventId);

    // A partial refund leaves the bonuses: ceil(10 × 0.5) = 5.
    REQUIRE_OK(p, L().reverse(u"R-1"_s, 50000, u"half back"_s, kCashier));
    QCOMPARE(p->pointsReversed, 5);
    QCOMPARE(p->balance, 100);
    QCOMPARE(balance(a), 40);
    // The full refund takes back the rest of the sale and every bonus that came with it.
    REQUIRE_OK(f, L().reverse(u"R-1"_s, std::nullopt, u"all back"_s, kCashier));
    QVERIFY(f->fullyRefunded);
    QCOMPARE(f->pointsReversed, 5 + 50 + 25 + 20 + 40);
    QCOMPARE(f->balance, 0);
    QCOMPARE(balance(a), 0);
    QCOMPARE(eventsOfType(b, u"reverse"_s).size(), 2 + 3);
    QCOMPARE(eventsOfType(a, u"reverse"_s).size(), 1);
    QCOMPARE(eventsOfType(a, u"reverse"_s).value(0).points, -40);
}

// ---- redemption ----

void TestOperations::redeemWithTooFewPointsWritesNothing()
{
    QVERIFY(begin(withKeys(test::baseProgram(), {{u"rewards"_s, QJsonArray{reward(u"es-kopi"_s, 50)}}})));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    REQUIRE_OK(e, earn(m, u"R-1"_s, 300000)); // 30
    const qint64 events = eventCount();
    QCOMPARE_ERROR(L().redeemReward(m, u"es-kopi"_s, kCashier), "insufficient_points");
    QCOMPARE_ERROR(L().redeemReward(m, u"no-such-reward"_s, kCashier), "unknown_reward");
    QCOMPARE_ERROR(L().redeemPoints(m, 10, u"R-2"_s, kCashier), "points_not_payment");
    QCOMPARE(eventCount(), events);
    QCOMPARE(balance(m), 30);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM reward_stock"_s), 0);
    REQUIRE_OK(e2, earn(m, u"R-2"_s, 200000)); // 20 -> 50, exactly enough
    REQUIRE_OK(r, L().redeemReward(m, u"es-kopi"_s, kCashier));
    QCOMPARE(r->points, 50);
    QCOMPARE(r->balance, 0);
    QCOMPARE(r->rewardId, u"es-kopi"_s);
}

void TestOperations::redeemOutOfStock()
{
    QVERIFY(begin(withKeys(test::baseProgram(), {{u"rewards"_s, QJsonArray{reward(u"croissant"_s, 10, 2)}}})));
    const QString a = m_ts->enroll(u"Ani"_s, u"081211110001"_s);
    const QString b = m_ts->enroll(u"Budi"_s, u"081211110002"_s);
    REQUIRE_OK(ea, earn(a, u"R-1"_s, 300000)); // 30
    REQUIRE_OK(eb, earn(b, u"R-2"_s, 100000)); // 10
    REQUIRE_OK(r1, L().redeemReward(a, u"croissant"_s, kCashier));
    QCOMPARE(r1->balance, 20);
    REQUIRE_OK(r2, L().redeemReward(a, u"croissant"_s, kCashier));
    QCOMPARE(r2->balance, 10);
    const qint64 events = eventCount();
    QCOMPARE_ERROR(L().redeemReward(b, u"croissant"_s, kCashier), "out_of_stock"); // stock is per store, not per member
    QCOMPARE_ERROR(L().redeemReward(a, u"croissant"_s, kCashier), "out_of_stock");
    QCOMPARE(eventCount(), events);
    QCOMPARE(balance(a), 10);
    QCOMPARE(balance(b), 10);
    QCOMPARE(scalar(u"SELECT redeemed FROM reward_stock WHERE reward_id = 'croissant'"_s), 2);
}

void TestOperations::redeemRewardIssuesVoucher()
{
    QVERIFY(begin(withKeys(test::baseProgram(), {{u"vouchers"_s, QJsonArray{voucherType10k()}},
                                                 {u"rewards"_s, QJsonArray{reward(u"voucher-10k"_s, 20, {}, u"disc-10k"_s)}}})));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    REQUIRE_OK(e, earn(m, u"R-1"_s, 250000)); // 25
    REQUIRE_OK(r, L().redeemReward(m, u"voucher-10k"_s, kCashier));
    QCOMPARE(r->points, 20);
    QCOMPARE(r->balance, 5);
    QVERIFY(isValidHumanCode(r->voucherCode));
    REQUIRE_OK(vs, L().vouchers(m));
    QCOMPARE(vs->size(), 1);
    const VoucherView v = vs->at(0);
    QCOMPARE(v.code, r->voucherCode);
    QCOMPARE(v.typeId, u"disc-10k"_s);
    QCOMPARE(v.status, u"valid"_s);
    QCOMPARE(v.discount, 10000);
    QCOMPARE(v.minSpend, 50000);
    QCOMPARE(v.issuedAt, t0());
    QCOMPARE(v.expiresAt, t0() + 30 * kDay);
    const auto issued = eventsOfType(m, u"voucher_issue"_s);
    QCOMPARE(issued.size(), 1);
    QCOMPARE(issued[0].refEventId, r->eventId);
    QCOMPARE(issued[0].points, 0);
    REQUIRE_OK(used, L().useVoucher(r->voucherCode, u"R-2"_s, 60000, kCashier));
    QCOMPARE(used->status, u"used"_s);
}

void TestOperations::pointsAsPayment()
{
    QVERIFY(begin(withKeys(test::baseProgram(),
                           {{u"pointsAsPayment"_s, QJsonObject{{u"valuePerPoint"_s, 100}, {u"minPoints"_s, 10}}}})));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    REQUIRE_OK(e, earn(m, u"R-1"_s, 500000)); // 50
    const qint64 events = eventCount();
    QCOMPARE_ERROR(L().redeemPoints(m, 9, u"R-2"_s, kCashier), "invalid_points");
    QCOMPARE_ERROR(L().redeemPoints(m, 0, u"R-2"_s, kCashier), "invalid_points");
    QCOMPARE_ERROR(L().redeemPoints(m, 51, u"R-2"_s, kCashier), "insufficient_points");
    QCOMPARE(eventCount(), events);
    REQUIRE_OK(r, L().redeemPoints(m, 25, u"R-2"_s, kCashier));
    QCOMPARE(r->points, 25);
    QCOMPARE(r->value, 2500); // 25 × Rp100
    QCOMPARE(r->balance, 25);
    const auto redeems = eventsOfType(m, u"redeem"_s);
    QCOMPARE(redeems.size(), 1);
    QCOMPARE(redeems[0].points, -25);
    QCOMPARE(redeems[0].amount, 2500);
    QCOMPARE(redeems[0].receiptId, u"R-2"_s);
    QCOMPARE_ERROR(L().redeemPoints(m, 26, u"R-3"_s, kCashier), "insufficient_points");
    REQUIRE_OK(rest, L().redeemPoints(m, 25, u"R-3"_s, kCashier));
    QCOMPARE(rest->balance, 0);
}

void TestOperations::redemptionCountLimitResetsAtStoreMidnight()
{
    QVERIFY(begin(withKeys(test::baseProgram(), {{u"rewards"_s, QJsonArray{reward(u"snack"_s, 5)}},
                                                 {u"fraud"_s, QJsonObject{{u"maxRedemptionsPerMemberPerDay"_s, 2}}}})));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    REQUIRE_OK(e, earn(m, u"R-1"_s, 1000000)); // 100
    QVERIFY(L().redeemReward(m, u"snack"_s, kCashier).ok());
    QVERIFY(L().redeemReward(m, u"snack"_s, kCashier).ok());
    const qint64 events = eventCount();
    QCOMPARE_ERROR(L().redeemReward(m, u"snack"_s, kCashier), "redeem_limit");
    clock().set(test::at(u"2026-03-02T23:59:59+07:00"_s)); // still 2 March in Jakarta
    QCOMPARE_ERROR(L().redeemReward(m, u"snack"_s, kCashier), "redeem_limit");
    QCOMPARE(eventCount(), events);
    QCOMPARE(balance(m), 90);

    // Just after midnight in Jakarta; still 2 March in UTC (17:00:01Z), so a UTC day would refuse.
    clock().set(test::at(u"2026-03-03T00:00:01+07:00"_s));
    REQUIRE_OK(r3, L().redeemReward(m, u"snack"_s, kCashier));
    QCOMPARE(r3->balance, 85);
    clock().set(test::at(u"2026-03-03T06:59:59+07:00"_s));
    QVERIFY(L().redeemReward(m, u"snack"_s, kCashier).ok());
    QCOMPARE_ERROR(L().redeemReward(m, u"snack"_s, kCashier), "redeem_limit");
    // UTC midnight (07:00 in Jakarta) starts no new store day.
    clock().set(test::at(u"2026-03-03T07:00:01+07:00"_s));
    QCOMPARE_ERROR(L().redeemReward(m, u"snack"_s, kCashier), "redeem_limit");
    QCOMPARE(balance(m), 80);
}

void TestOperations::redemptionPointsLimitResetsAtStoreMidnight()
{
    QVERIFY(begin(withKeys(test::baseProgram(),
                           {{u"pointsAsPayment"_s, QJsonObject{{u"valuePerPoint"_s, 100}, {u"minPoints"_s, 1}}},
                            {u"fraud"_s, QJsonObject{{u"maxRedeemPointsPerMemberPerDay"_s, 100}}}})));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    REQUIRE_OK(e, earn(m, u"R-1"_s, 3000000)); // 300
    QVERIFY(L().redeemPoints(m, 60, u"P-1"_s, kCashier).ok());
    const qint64 events = eventCount();
    QCOMPARE_ERROR(L().redeemPoints(m, 50, u"P-2"_s, kCashier), "redeem_limit"); // 60 + 50 > 100
    QCOMPARE(eventCount(), events);
    REQUIRE_OK(r2, L().redeemPoints(m, 40, u"P-3"_s, kCashier)); // exactly 100
    QCOMPARE(r2->balance, 200);
    QCOMPARE_ERROR(L().redeemPoints(m, 1, u"P-4"_s, kCashier), "redeem_limit");
    clock().set(test::at(u"2026-03-02T23:59:00+07:00"_s));
    QCOMPARE_ERROR(L().redeemPoints(m, 1, u"P-5"_s, kCashier), "redeem_limit");
    clock().set(test::at(u"2026-03-03T00:30:00+07:00"_s)); // 2 March 17:30 UTC, 3 March in the store
    REQUIRE_OK(r3, L().redeemPoints(m, 100, u"P-6"_s, kCashier));
    QCOMPARE(r3->balance, 100);
    QCOMPARE_ERROR(L().redeemPoints(m, 1, u"P-7"_s, kCashier), "redeem_limit");
}

// ---- vouchers ----

void TestOperations::voucherSingleUse()
{
    QVERIFY(begin(withKeys(test::baseProgram(), {{u"vouchers"_s, QJsonArray{voucherType10k()}}})));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    QCOMPARE_ERROR(L().issueVoucher(m, u"disc-99k"_s, kManager), "unknown_voucher_type");
    REQUIRE_OK(v, L().issueVoucher(m, u"disc-10k"_s, kManager));
    QCOMPARE(v->status, u"valid"_s);
    QCOMPARE_ERROR(L().useVoucher(v->code, u" "_s, 75000, kCashier), "invalid_voucher"); // needs a receipt
    // Typed in lower case: still the same code.
    REQUIRE_OK(used, L().useVoucher(v->code.toLower(), u"R-1"_s, 75000, kCashier));
    QCOMPARE(used->status, u"used"_s);
    QCOMPARE(used->usedAt, t0());
    const qint64 events = eventCount();
    QCOMPARE_ERROR(L().useVoucher(v->code, u"R-2"_s, 75000, kCashier), "voucher_used");
    QCOMPARE(eventCount(), events);
    REQUIRE_OK(vs, L().vouchers(m));
    QCOMPARE(vs->size(), 1);
    QCOMPARE(vs->at(0).status, u"used"_s);
    const auto uses = eventsOfType(m, u"voucher_use"_s);
    QCOMPARE(uses.size(), 1);
    QCOMPARE(uses[0].amount, 10000);
    QCOMPARE(uses[0].receiptId, u"R-1"_s);
    QCOMPARE(uses[0].points, 0);
    QCOMPARE(balance(m), 0);
}

void TestOperations::voucherExpiryAndMinSpend()
{
    QVERIFY(begin(withKeys(test::baseProgram(), {{u"vouchers"_s, QJsonArray{voucherType10k()}}})));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    REQUIRE_OK(v1, L().issueVoucher(m, u"disc-10k"_s, kManager));
    REQUIRE_OK(v2, L().issueVoucher(m, u"disc-10k"_s, kManager));
    QVERIFY(v1->code != v2->code);
    const qint64 events = eventCount();
    QCOMPARE_ERROR(L().useVoucher(v1->code, u"R-1"_s, 49999, kCashier), "voucher_min_spend");
    QCOMPARE(eventCount(), events);

    clock().set(t0() + 30 * kDay - 1); // the last millisecond of validity
    REQUIRE_OK(ok, L().useVoucher(v2->code, u"R-2"_s, 50000, kCashier)); // exactly the minimum spend
    QCOMPARE(ok->status, u"used"_s);
    clock().set(t0() + 30 * kDay);
    QCOMPARE_ERROR(L().useVoucher(v1->code, u"R-3"_s, 50000, kCashier), "voucher_expired");
    REQUIRE_OK(vs, L().vouchers(m));
    QCOMPARE(vs->size(), 2);
    for (const VoucherView &v : vs.value())
        QCOMPARE(v.status, v.code == v1->code ? u"expired"_s : u"used"_s);
}

void TestOperations::voucherTypo()
{
    QVERIFY(begin(withKeys(test::baseProgram(), {{u"vouchers"_s, QJsonArray{voucherType10k()}}})));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    REQUIRE_OK(v, L().issueVoucher(m, u"disc-10k"_s, kManager));
    const QString code = normalizeHumanCode(v->code);
    const qint64 events = eventCount();
    for (qsizetype i = 0; i < code.size(); ++i) {
        QString typo = code;
        typo[i] = typo[i] == u'7' ? u'8' : u'7';
        QCOMPARE_ERROR(L().useVoucher(typo, u"R-1"_s, 75000, kCashier), "invalid_voucher");
    }
    QCOMPARE_ERROR(L().useVoucher(code.left(code.size() - 1), u"R-1"_s, 75000, kCashier), "invalid_voucher");
    // A well-formed code that was never issued.
    SeededRandom other(999);
    QCOMPARE_ERROR(L().useVoucher(makeHumanCode(other, 10), u"R-1"_s, 75000, kCashier), "unknown_voucher");
    QCOMPARE(eventCount(), events);
    REQUIRE_OK(used, L().useVoucher(v->code, u"R-1"_s, 75000, kCashier)); // the typos did not spend it
    QCOMPARE(used->status, u"used"_s);
}

// ---- bonuses ----

void TestOperations::referralBonusOnFirstPurchaseOnly()
{
    QVERIFY(begin(withKeys(test::baseProgram(), {{u"referral"_s, QJsonObject{{u"referrerPoints"_s, 40},
                                                                            {u"refereePoints"_s, 20},
                                                                            {u"minSpend"_s, 25000}}}})));
    const QString a = m_ts->enroll(u"Ani"_s, u"081211110001"_s);
    REQUIRE_OK(ma, L().member(a));
    EnrollRequest bad;
    bad.name = u"Nobody"_s;
    bad.phone = u"081211119999"_s;
    bad.referralCode = u"ZZZZZZ"_s;
    QCOMPARE_ERROR(L().enroll(bad), "unknown_referral");

    const QString b = m_ts->enroll(u"Budi"_s, u"081211110002"_s, {}, ma->referralCode.toLower());
    QVERIFY(!b.isEmpty());
    REQUIRE_OK(mb, L().member(b));
    QCOMPARE(mb->referrerId, a);

    REQUIRE_OK(first, earn(b, u"R-1"_s, 100000));
    QCOMPARE(first->points, 10);
    QCOMPARE(first->bonusPoints, 20);
    QCOMPARE(first->balance, 30);
    QCOMPARE(balance(a), 40);
    const auto referrerBonus = eventsOfType(a, u"bonus"_s);
    QCOMPARE(referrerBonus.size(), 1);
    QCOMPARE(referrerBonus[0].payload.value(u"kind"_s).toString(), u"referral_referrer"_s);
    QCOMPARE(referrerBonus[0].refEventId, first->eventId);

    REQUIRE_OK(second, earn(b, u"R-2"_s, 100000));
    QCOMPARE(second->bonusPoints, 0);
    QCOMPARE(second->balance, 40);
    QCOMPARE(balance(a), 40);

    // A first purchase below the referral minimum spend earns no referral bonus.
    const QString c = m_ts->enroll(u"Citra"_s, u"081211110003"_s, {}, ma->referralCode);
    REQUIRE_OK(small, earn(c, u"R-3"_s, 20000));
    QCOMPARE(small->points, 2);
    QCOMPARE(small->bonusPoints, 0);
    QCOMPARE(balance(a), 40);
    QCOMPARE(eventsOfType(a, u"bonus"_s).size(), 1);
}

void TestOperations::birthdayBonusOncePerYear()
{
    QVERIFY(begin(withKeys(test::baseProgram(),
                           {{u"birthday"_s, QJsonObject{{u"bonusPoints"_s, 50}, {u"period"_s, u"month"_s}}}})));
    const QString m = m_ts->enroll(u"Budi"_s, u"081211110001"_s, QDate(1990, 3, 20));
    const QString noDate = m_ts->enroll(u"Siti"_s, u"081211110002"_s);
    REQUIRE_OK(e1, earn(m, u"R-1"_s, 100000)); // March: the birthday month
    QCOMPARE(e1->points, 10);
    QCOMPARE(e1->bonusPoints, 50);
    QCOMPARE(e1->balance, 60);
    bool explained = false;
    for (const ExplanationLine &l : e1->explanation)
        explained = explained || (l.kind == u"bonus"_s && l.id == u"birthday"_s && l.points == 50);
    QVERIFY(explained);
    clock().set(test::at(u"2026-03-20T12:00:00+07:00"_s));
    REQUIRE_OK(e2, earn(m, u"R-2"_s, 100000));
    QCOMPARE(e2->bonusPoints, 0); // once a year
    clock().set(test::at(u"2026-04-01T12:00:00+07:00"_s));
    REQUIRE_OK(e3, earn(m, u"R-3"_s, 100000));
    QCOMPARE(e3->bonusPoints, 0);
    REQUIRE_OK(n1, earn(noDate, u"R-4"_s, 100000));
    QCOMPARE(n1->bonusPoints, 0);
    clock().set(test::at(u"2027-03-05T12:00:00+07:00"_s)); // next year
    REQUIRE_OK(e4, earn(m, u"R-5"_s, 100000));
    QCOMPARE(e4->bonusPoints, 50);
    QCOMPARE(e4->balance, 60 + 10 + 10 + 60);
    const auto bonuses = eventsOfType(m, u"bonus"_s);
    QCOMPARE(bonuses.size(), 2);
    QStringList years;
    for (const EventView &b : bonuses)
        years << b.payload.value(u"id"_s).toString();
    years.sort();
    QCOMPARE(years, (QStringList{u"2026"_s, u"2027"_s}));
}

void TestOperations::birthdayUsesStoreMidnight()
{
    QVERIFY(begin(withKeys(test::baseProgram(),
                           {{u"birthday"_s, QJsonObject{{u"bonusPoints"_s, 50}, {u"period"_s, u"day"_s}}}})));
    const QString x = m_ts->enroll(u"Xena"_s, u"081211110001"_s, QDate(1990, 3, 3));
    const QString y = m_ts->enroll(u"Yudi"_s, u"081211110002"_s, QDate(1991, 3, 3));
    const QString z = m_ts->enroll(u"Zaki"_s, u"081211110003"_s, QDate(1992, 3, 4));

    clock().set(test::at(u"2026-03-02T23:59:00+07:00"_s)); // the eve, in Jakarta
    REQUIRE_OK(eve, earn(x, u"R-1"_s, 100000));
    QCOMPARE(eve->bonusPoints, 0);
    // 00:01 in Jakarta is 17:01 UTC on 2 March: the store's date decides.
    clock().set(test::at(u"2026-03-03T00:01:00+07:00"_s));
    REQUIRE_OK(day, earn(x, u"R-2"_s, 100000));
    QCOMPARE(day->bonusPoints, 50);
    REQUIRE_OK(sameDay, earn(x, u"R-3"_s, 100000));
    QCOMPARE(sameDay->bonusPoints, 0);
    // 05:00 on 4 March in Jakarta is still 3 March in UTC: Yudi's day is over, Zaki's has begun.
    clock().set(test::at(u"2026-03-04T05:00:00+07:00"_s));
    REQUIRE_OK(late, earn(y, u"R-4"_s, 100000));
    QCOMPARE(late->bonusPoints, 0);
    REQUIRE_OK(early, earn(z, u"R-5"_s, 100000));
    QCOMPARE(early->bonusPoints, 50);
    QCOMPARE(balance(x), 80);
    QCOMPARE(balance(y), 10);
    QCOMPARE(balance(z), 60);
}

// ---- tiers ----

void TestOperations::tierUpgradeAndRollingDowngrade()
{
    const QJsonObject program = withKeys(
        test::baseProgram(),
        {{u"tierWindow"_s, QJsonObject{{u"basis"_s, u"spend"_s}, {u"days"_s, 30}}},
         {u"tiers"_s, QJsonArray{QJsonObject{{u"id"_s, u"silver"_s}, {u"name"_s, u"Silver"_s}, {u"threshold"_s, 0}},
                                 QJsonObject{{u"id"_s, u"gold"_s}, {u"name"_s, u"Gold"_s}, {u"threshold"_s, 1000000},
                                             {u"multiplier"_s, 1.5}}}}});
    QVERIFY(begin(program));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    REQUIRE_OK(m0, L().member(m));
    QCOMPARE(m0->tierId, u"silver"_s);
    QCOMPARE(m0->tierName, u"Silver"_s);

    REQUIRE_OK(e1, earn(m, u"R-1"_s, 600000)); // day 0: 60, window 600000
    QCOMPARE(e1->points, 60);
    QCOMPARE(e1->tierId, u"silver"_s);
    QVERIFY(!e1->tierChanged);
    clock().set(t0() + 10 * kDay);
    REQUIRE_OK(e2, earn(m, u"R-2"_s, 500000)); // day 10: 50 at Silver, window 1100000 -> Gold
    QCOMPARE(e2->points, 50);
    QVERIFY(e2->tierChanged);
    QCOMPARE(e2->tierId, u"gold"_s);
    const auto up = eventsOfType(m, u"tier_change"_s);
    QCOMPARE(up.size(), 1);
    QCOMPARE(up[0].payload.value(u"from"_s).toString(), u"silver"_s);
    QCOMPARE(up[0].payload.value(u"to"_s).toString(), u"gold"_s);
    clock().set(t0() + 15 * kDay);
    REQUIRE_OK(e3, earn(m, u"R-3"_s, 100000)); // 10 + Gold ×1.5: floor(10 × 0.5) = 5 -> 15
    QCOMPARE(e3->points, 15);
    QVERIFY(!e3->tierChanged);
    QCOMPARE(e3->balance, 60 + 50 + 15);
    REQUIRE_OK(s1, L().tierStatus(m));
    QCOMPARE(s1->tierId, u"gold"_s);
    QCOMPARE(s1->windowTotal, 1200000);
    QVERIFY(s1->nextTierId.isEmpty());
    QCOMPARE(L().recomputeTiers(u"nightly"_s).value(), 0); // nothing moved yet

    // Day 31: the 600000 of day 0 has left the 30-day window; 600000 remains.
    clock().set(t0() + 31 * kDay);
    REQUIRE_OK(s2, L().tierStatus(m));
    QCOMPARE(s2->windowTotal, 600000);
    REQUIRE_OK(changed, L().recomputeTiers(u"nightly"_s));
    QCOMPARE(changed.value(), 1);
    REQUIRE_OK(after, L().member(m));
    QCOMPARE(after->tierId, u"silver"_s);
    QCOMPARE(after->balance, 125); // a downgrade takes no points
    const auto changes = eventsOfType(m, u"tier_change"_s);
    QCOMPARE(changes.size(), 2);
    QCOMPARE(changes[0].payload.value(u"from"_s).toString(), u"gold"_s); // newest first
    QCOMPARE(changes[0].payload.value(u"to"_s).toString(), u"silver"_s);
    QCOMPARE(changes[0].payload.value(u"windowTotal"_s).toInteger(), 600000);
    QCOMPARE(changes[0].actor, u"nightly"_s);
    QCOMPARE(L().recomputeTiers(u"nightly"_s).value(), 0);
    REQUIRE_OK(s3, L().tierStatus(m));
    QCOMPARE(s3->nextTierId, u"gold"_s);
    QCOMPARE(s3->toNext, 400000);
    REQUIRE_OK(e4, earn(m, u"R-4"_s, 100000)); // back at Silver: no tier extra
    QCOMPARE(e4->points, 10);
}

// ---- expiry ----

void TestOperations::expiryIsFifo()
{
    QVERIFY(begin(withKeys(test::baseProgram(),
                           {{u"expiry"_s, QJsonObject{{u"days"_s, 30}}},
                            {u"pointsAsPayment"_s, QJsonObject{{u"valuePerPoint"_s, 100}, {u"minPoints"_s, 1}}}})));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    REQUIRE_OK(a, earn(m, u"R-1"_s, 100000)); // lot A: 10, expires day 30
    clock().set(t0() + 10 * kDay);
    REQUIRE_OK(b, earn(m, u"R-2"_s, 200000)); // lot B: 20, expires day 40
    clock().set(t0() + 12 * kDay);
    REQUIRE_OK(r, L().redeemPoints(m, 4, u"P-1"_s, kCashier)); // oldest first: A 10 -> 6
    QCOMPARE(r->balance, 26);
    QCOMPARE(scalar(u"SELECT remaining FROM lots WHERE event_id = ?"_s, {a->eventId}), 6);
    QCOMPARE(scalar(u"SELECT remaining FROM lots WHERE event_id = ?"_s, {b->eventId}), 20);

    clock().set(t0() + 30 * kDay - 1);
    QCOMPARE(L().expirePoints(u"nightly"_s).value(), 0);
    clock().set(t0() + 30 * kDay);
    REQUIRE_OK(x1, L().expirePoints(u"nightly"_s));
    QCOMPARE(x1.value(), 6); // exactly what is left of lot A
    QCOMPARE(balance(m), 20);
    const auto expired = eventsOfType(m, u"expire"_s);
    QCOMPARE(expired.size(), 1);
    QCOMPARE(expired[0].points, -6);
    QCOMPARE(expired[0].refEventId, a->eventId);
    QCOMPARE(scalar(u"SELECT remaining FROM lots WHERE event_id = ?"_s, {b->eventId}), 20);
    QCOMPARE(L().expirePoints(u"nightly"_s).value(), 0); // nothing twice

    clock().set(t0() + 39 * kDay);
    QCOMPARE(L().expirePoints(u"nightly"_s).value(), 0);
    clock().set(t0() + 40 * kDay);
    QCOMPARE(L().expirePoints(u"nightly"_s).value(), 20);
    QCOMPARE(balance(m), 0);
    QCOMPARE(eventsOfType(m, u"expire"_s).size(), 2);
}

void TestOperations::refundAfterExpiryTakesOnlyWhatIsLeft()
{
    QVERIFY(begin(withKeys(test::baseProgram(), {{u"expiry"_s, QJsonObject{{u"days"_s, 30}}}})));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    REQUIRE_OK(a, earn(m, u"R-1"_s, 100000)); // 10 points, expire on day 30
    clock().set(t0() + 5 * kDay);
    REQUIRE_OK(b, earn(m, u"R-2"_s, 70000)); // 7 points
    clock().set(t0() + 30 * kDay);
    QCOMPARE(L().expirePoints(u"nightly"_s).value(), 10);
    QCOMPARE(balance(m), 7);
    // The sale's 10 points already expired: refunding it takes nothing more.
    REQUIRE_OK(r, L().reverse(u"R-1"_s, std::nullopt, u"returned late"_s, kManager));
    QCOMPARE(r->pointsReversed, 0);
    QCOMPARE(r->balance, 7);
    QVERIFY(r->fullyRefunded);
    // A sale whose points are all still there gives all of them back.
    REQUIRE_OK(r2, L().reverse(u"R-2"_s, std::nullopt, u"returned"_s, kManager));
    QCOMPARE(r2->pointsReversed, 7);
    QCOMPARE(balance(m), 0);
}

void TestOperations::pointsPaymentIsIdempotentByReceipt()
{
    QVERIFY(begin(withKeys(test::baseProgram(),
                           {{u"pointsAsPayment"_s, QJsonObject{{u"valuePerPoint"_s, 100}, {u"minPoints"_s, 1}}}})));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    REQUIRE_OK(e, earn(m, u"R-1"_s, 500000)); // 50
    REQUIRE_OK(first, L().redeemPoints(m, 20, u"PAY-1"_s, kCashier));
    const qint64 events = eventCount();
    // The POS retries after a timeout: same answer, charged once.
    REQUIRE_OK(again, L().redeemPoints(m, 20, u"PAY-1"_s, kCashier));
    QCOMPARE(again->eventId, first->eventId);
    QCOMPARE(again->value, 2000);
    QCOMPARE(again->balance, 30);
    QCOMPARE(eventCount(), events);
    QCOMPARE_ERROR(L().redeemPoints(m, 21, u"PAY-1"_s, kCashier), "receipt_conflict");
    QCOMPARE(eventCount(), events);
    REQUIRE_OK(other, L().redeemPoints(m, 20, u"PAY-2"_s, kCashier));
    QCOMPARE(other->balance, 10);
}

void TestOperations::openingBalancesExpire()
{
    QVERIFY(begin(withKeys(test::baseProgram(), {{u"expiry"_s, QJsonObject{{u"days"_s, 30}}}})));
    const ImportReport r = L().importMembers("name,phone,opening_balance\nDewi,081355556666,50\n", kManager);
    QVERIFY2(r.errors.isEmpty(), qPrintable(r.errors.join(u'\n')));
    QCOMPARE(r.openingPoints, 50);
    clock().set(t0() + 30 * kDay - 1);
    QCOMPARE(L().expirePoints(u"nightly"_s).value(), 0);
    clock().set(t0() + 30 * kDay);
    QCOMPARE(L().expirePoints(u"nightly"_s).value(), 50);
}

// ---- manager ----

void TestOperations::manualAdjustment()
{
    QVERIFY(begin(withKeys(test::baseProgram(), {{u"fraud"_s, QJsonObject{{u"adjustmentAlertPoints"_s, 500}}}})));
    const QString m = m_ts->enroll(u"Budi"_s, u"081234567890"_s);
    const qint64 events = eventCount();
    QCOMPARE_ERROR(L().adjust(m, 100, QString(), kManager), "reason_required");
    QCOMPARE_ERROR(L().adjust(m, 100, u" ok "_s, kManager), "reason_required");
    QCOMPARE_ERROR(L().adjust(m, 100, u"goodwill"_s, u"  "_s), "actor_required");
    QCOMPARE_ERROR(L().adjust(m, 0, u"goodwill"_s, kManager), "invalid_points");
    QCOMPARE_ERROR(L().adjust(m, -1, u"goodwill"_s, kManager), "insufficient_points");
    QCOMPARE(eventCount(), events);

    REQUIRE_OK(a1, L().adjust(m, 499, u"compensation for receipt R-7"_s, kManager));
    QCOMPARE(a1.value(), 499);
    QVERIFY(L().alerts().isEmpty()); // below the threshold
    const QStringList last = L().auditLog(1).value(0);
    QCOMPARE(last.value(0), QString::number(t0()));
    QCOMPARE(last.value(1), kManager);
    QCOMPARE(last.value(2), u"adjust"_s);
    QCOMPARE(last.value(3), m);
    QVERIFY(last.value(4).contains(u"compensation for receipt R-7"_s));
    const auto adjusts = eventsOfType(m, u"adjust"_s);
    QCOMPARE(adjusts.size(), 1);
    QCOMPARE(adjusts[0].actor, kManager);
    QCOMPARE(adjusts[0].points, 499);
    QCOMPARE(adjusts[0].payload.value(u"reason"_s).toString(), u"compensation for receipt R-7"_s);

    REQUIRE_OK(a2, L().adjust(m, -100, u"correction"_s, kManager));
    QCOMPARE(a2.value(), 399);
    QCOMPARE_ERROR(L().adjust(m, -400, u"too much"_s, kManager), "insufficient_points");
    QVERIFY(L().alerts().isEmpty());

    // docs/program-format.md: "a manual adjustment of at least this many points raises an alert".
    REQUIRE_OK(a3, L().adjust(m, 500, u"migrated paper stamps"_s, kManager));
    QCOMPARE(a3.value(), 899);
    const QList<AlertView> open = L().alerts();
    QCOMPARE(open.size(), 1);
    QCOMPARE(open[0].kind, u"large_adjustment"_s);
    QCOMPARE(open[0].memberId, m);
    QVERIFY(open[0].detail.contains(u"migrated paper stamps"_s));
    QVERIFY(open[0].detail.contains(kManager));
    QCOMPARE(open[0].at, t0());

    clock().advance(3600'000);
    QVERIFY(L().acknowledgeAlert(open[0].alertId, u"mgr-budi"_s).ok());
    QVERIFY(L().alerts().isEmpty());
    const QList<AlertView> all = L().alerts(true);
    QCOMPARE(all.size(), 1);
    QCOMPARE(all[0].acknowledgedBy, u"mgr-budi"_s);
    QCOMPARE(all[0].acknowledgedAt, t0() + 3600'000);
    QCOMPARE_ERROR(L().acknowledgeAlert(open[0].alertId, u"mgr-budi"_s), "unknown_alert");
    QCOMPARE(L().auditLog(1).value(0).value(2), u"alert_ack"_s);
    QCOMPARE(L().auditLog(1).value(0).value(3), open[0].alertId);

    // A large deduction is as suspicious as a large gift.
    REQUIRE_OK(a4, L().adjust(m, -700, u"reversing the migration"_s, kManager));
    QCOMPARE(a4.value(), 199);
    QCOMPARE(L().alerts().size(), 1);
}

void TestOperations::erasure()
{
    QVERIFY(begin(test::baseProgram()));
    const QString m = m_ts->enroll(u"Budi Santoso"_s, u"081234567890"_s, QDate(1990, 5, 17), {}, u"CARD0001"_s);
    const QString other = m_ts->enroll(u"Budi Setiawan"_s, u"081311112222"_s);
    REQUIRE_OK(e, earn(m, u"R-1"_s, 125000)); // 12

    QVERIFY(L().erase(m, u"member request (UU PDP)"_s, kManager).ok());
    REQUIRE_OK(v, L().member(m));
    QCOMPARE(v->status, u"erased"_s);
    QVERIFY(v->profile.name.isEmpty());
    QVERIFY(v->profile.phone.isEmpty());
    QVERIFY(v->profile.email.isEmpty());
    QVERIFY(!v->profile.birthDate.isValid());
    QCOMPARE(v->balance, 12);
    QCOMPARE_ERROR(L().memberByPhone(u"081234567890"_s), "unknown_member");
    QCOMPARE_ERROR(L().memberByCard(u"CARD0001"_s), "card_blocked");
    REQUIRE_OK(found, L().search(u"budi"_s));
    QCOMPARE(found->size(), 1);
    QCOMPARE(found->at(0).memberId, other);
    REQUIRE_OK(bySanto, L().search(u"santoso"_s));
    QVERIFY(bySanto->isEmpty());
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM members WHERE member_id = ? AND profile IS NULL AND wrapped_key IS NULL"
                    " AND phone_index IS NULL"_s, {m}), 1);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM member_names WHERE member_id = ?"_s, {m}), 0);
    QCOMPARE(eventsOfType(m, u"erase"_s).size(), 1);
    QCOMPARE(L().auditLog(1).value(0).value(2), u"erase"_s);

    QCOMPARE_ERROR(earn(m, u"R-2"_s, 100000), "member_erased");
    QCOMPARE_ERROR(L().erase(m, u"again"_s, kManager), "member_erased");
    const VerifyReport report = L().verify();
    QVERIFY2(report.ok(), qPrintable(report.problems.join(u'\n')));
    // The phone is free again: coming back is a new membership.
    const QString again = m_ts->enroll(u"Budi Santoso"_s, u"081234567890"_s);
    QVERIFY(!again.isEmpty());
    QVERIFY(again != m);
    QCOMPARE(balance(again), 0);
}

QTEST_GUILESS_MAIN(TestOperations)
#include "tst_operations.moc"
