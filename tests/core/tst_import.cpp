// Member import (CSV, all or nothing, errors that name the line) and the CSV exports
// (members with and without personal data, formula injection, events).
#include "core/csv.h"
#include "core/loyalty.h"
#include "core/store.h"
#include "testsupport.h"

#include <QHash>
#include <QSet>
#include <QSqlQuery>
#include <QTest>
#include <QVariant>
#include <memory>

using namespace Qt::StringLiterals;
using namespace setia;

namespace {

const QString kActor = u"mgr-import"_s;
const QByteArray kHeader = "name,phone,email,birth_date,card_number,card_kind,opening_balance,marketing_consent\n";

// Three members, two cards, 150 opening points; CRLF line ends, a quoted name with a comma
// and doubled quotes.
const QByteArray kGoodCsv =
    "name,phone,email,birth_date,card_number,card_kind,opening_balance,marketing_consent\r\n"
    "Siti Aminah,0812-1111-2222,siti@example.com,1990-05-17,CARD1001,barcode,150,yes\r\n"
    "\"Wayan \"\"Putu\"\", Jr\",+62 813 3333 4444,,1985-12-01,,,0,no\r\n"
    "Joko Susilo,081355556666,,,c-2002,magstripe,,ya\r\n";

} // namespace

class TestImport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void goodFileImports();
    void badFileImportsNothing_data();
    void badFileImportsNothing();
    void writeTimeFailureRollsBackEverything_data();
    void writeTimeFailureRollsBackEverything();
    void exportMembersWithoutPersonalData();
    void exportMembersWithPersonalData();
    void exportEventsRoundTrips();

private:
    Loyalty &L() { return m_ts->loyalty(); }
    qint64 scalar(const QString &sql, const QVariantList &binds = {});
    qint64 eventCount() { return scalar(u"SELECT COUNT(*) FROM events"_s); }
    qint64 memberCount() { return scalar(u"SELECT COUNT(*) FROM members"_s); }
    qint64 auditCount() { return scalar(u"SELECT COUNT(*) FROM audit"_s); }
    void importGood();

    std::unique_ptr<test::TempStore> m_ts;
    QString m_existing; // a member already in the store: phone 0812-9999-0000, card CARD9000
};

qint64 TestImport::scalar(const QString &sql, const QVariantList &binds)
{
    QSqlQuery q(m_ts->store().writer());
    q.prepare(sql);
    for (const QVariant &b : binds)
        q.addBindValue(b);
    if (!q.exec() || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

void TestImport::init()
{
    m_ts = std::make_unique<test::TempStore>(test::toJson(test::baseProgram()));
    QVERIFY2(m_ts->ok(), qPrintable(m_ts->error()));
    m_existing = m_ts->enroll(u"Pelanggan Lama"_s, u"0812-9999-0000"_s, {}, {}, u"CARD9000"_s);
    QVERIFY(!m_existing.isEmpty());
}

void TestImport::cleanup()
{
    const auto ts = std::move(m_ts);
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

void TestImport::importGood()
{
    const ImportReport r = L().importMembers(kGoodCsv, kActor);
    QVERIFY2(r.errors.isEmpty(), qPrintable(r.errors.join(u'\n')));
    QCOMPARE(r.members, 3);
}

void TestImport::goodFileImports()
{
    const qint64 events = eventCount();
    const ImportReport r = L().importMembers(kGoodCsv, kActor);
    QVERIFY2(r.errors.isEmpty(), qPrintable(r.errors.join(u'\n')));
    QCOMPARE(r.members, 3);
    QCOMPARE(r.cards, 2);
    QCOMPARE(r.openingPoints, 150);
    QCOMPARE(memberCount(), 1 + 3);
    QCOMPARE(eventCount(), events + 3 /* enroll */ + 2 /* card_assign */ + 1 /* opening_balance */);

    auto siti = L().memberByPhone(u"081211112222"_s);
    QVERIFY(siti.ok());
    QCOMPARE(siti->profile.name, u"Siti Aminah"_s);
    QCOMPARE(siti->profile.phone, u"+6281211112222"_s);
    QCOMPARE(siti->profile.email, u"siti@example.com"_s);
    QCOMPARE(siti->profile.birthDate, QDate(1990, 5, 17));
    QCOMPARE(siti->balance, 150);
    QCOMPARE(siti->consentMarketingAt, L().nowMs());
    QCOMPARE(siti->cards.size(), 1);
    QCOMPARE(siti->cards[0].number, u"CARD1001"_s);
    QCOMPARE(siti->cards[0].kind, u"barcode"_s);
    QCOMPARE(test::sumOfEvents(m_ts->store(), siti->memberId), 150);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM events WHERE member_id = ? AND type = 'opening_balance' AND points = 150"
                    " AND actor = ?"_s, {siti->memberId, kActor}),
             1);

    auto wayan = L().memberByPhone(u"+6281333334444"_s);
    QVERIFY(wayan.ok());
    QCOMPARE(wayan->profile.name, u"Wayan \"Putu\", Jr"_s);
    QCOMPARE(wayan->profile.birthDate, QDate(1985, 12, 1));
    QCOMPARE(wayan->balance, 0);
    QVERIFY(wayan->cards.isEmpty());
    QCOMPARE(wayan->consentMarketingAt, 0);

    auto joko = L().memberByCard(u"C2002"_s);
    QVERIFY(joko.ok());
    QCOMPARE(joko->profile.name, u"Joko Susilo"_s);
    QCOMPARE(joko->cards.value(0).kind, u"magstripe"_s);
    QVERIFY(joko->consentMarketingAt > 0); // "ya"
    QCOMPARE(joko->balance, 0);

    // Found by name like any other member.
    auto found = L().search(u"wayan putu"_s);
    QVERIFY(found.ok());
    QCOMPARE(found->size(), 1);
    QCOMPARE(found->at(0).memberId, wayan->memberId);

    const QStringList audit = L().auditLog(1).value(0);
    QCOMPARE(audit.value(1), kActor);
    QCOMPARE(audit.value(2), u"import"_s);
    QVERIFY(audit.value(4).contains(u"3 members"_s));
    QVERIFY(audit.value(4).contains(u"150 points"_s));
    const VerifyReport v = L().verify();
    QVERIFY2(v.ok(), qPrintable(v.problems.join(u'\n')));

    // The same file again: every phone is now a member, so nothing more comes in.
    const qint64 after = eventCount();
    const ImportReport again = L().importMembers(kGoodCsv, kActor);
    QCOMPARE(again.members, 0);
    QCOMPARE(again.errors.size(), 3);
    QVERIFY(again.errors.join(u'\n').contains(u"line 2: phone: "_s));
    QVERIFY(again.errors.join(u'\n').contains(u"line 4: phone: "_s));
    QCOMPARE(eventCount(), after);
}

void TestImport::badFileImportsNothing_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QStringList>("expected"); // each must appear in the errors

    const QByteArray good = "Ani Lestari,081211110001,,,,,,\n";
    QTest::newRow("bad phone") << kHeader + good + "Budi,0812-CALL-ME,,,,,,\n"
                               << QStringList{u"line 3: phone: "_s};
    QTest::newRow("phone too short") << kHeader + good + "Budi,0812,,,,,,\n" << QStringList{u"line 3: phone: "_s};
    QTest::newRow("duplicate phone in the file")
        << kHeader + good + "Budi,+62 812 1111 0001,,,,,,\n"
        << QStringList{u"line 3: phone: "_s, u"appears twice"_s};
    QTest::newRow("phone already a member") << kHeader + "Budi,0812 9999 0000,,,,,,\n" + good
                                            << QStringList{u"line 2: phone: "_s, u"already a member"_s};
    QTest::newRow("bad date") << kHeader + good + "Budi,081211110002,,1990-13-01,,,,\n"
                              << QStringList{u"line 3: birth_date: '1990-13-01'"_s};
    QTest::newRow("date in another format") << kHeader + "Budi,081211110002,,17/05/1990,,,,\n"
                                            << QStringList{u"line 2: birth_date: "_s};
    QTest::newRow("bad card kind") << kHeader + "Budi,081211110002,,,CARD5555,nfc,,\n"
                                   << QStringList{u"line 2: card_kind: "_s};
    QTest::newRow("negative opening balance") << kHeader + good + "Budi,081211110002,,,,,-5,\n"
                                              << QStringList{u"line 3: opening_balance: '-5'"_s};
    QTest::newRow("non-numeric opening balance") << kHeader + "Budi,081211110002,,,,,banyak,\n"
                                                 << QStringList{u"line 2: opening_balance: 'banyak'"_s};
    QTest::newRow("fractional opening balance") << kHeader + "Budi,081211110002,,,,,12.5,\n"
                                                << QStringList{u"line 2: opening_balance: '12.5'"_s};
    QTest::newRow("too few fields") << kHeader + good + "Budi,081211110002,,,,,\n"
                                    << QStringList{u"line 3: has 7 fields, the header has 8"_s};
    QTest::newRow("too many fields") << kHeader + good + "Budi,081211110002,,,,,,,\n"
                                     << QStringList{u"line 3: has 9 fields, the header has 8"_s};
    QTest::newRow("unknown column") << QByteArray("name,phone,loyalty_id\nBudi,081211110002,X1\n")
                                    << QStringList{u"line 1: unknown column 'loyalty_id'"_s};
    QTest::newRow("column named twice") << QByteArray("name,phone,phone\nBudi,081211110002,081211110003\n")
                                        << QStringList{u"line 1: the column 'phone' appears twice"_s};
    QTest::newRow("missing required column") << QByteArray("name,email\nBudi,budi@example.com\n")
                                             << QStringList{u"line 1: the column 'phone' is required"_s};
    QTest::newRow("unterminated quote") << kHeader + good + "\"Budi,081211110002,,,,,,\nCitra,081211110003,,,,,,\n"
                                        << QStringList{u"line 3: a quoted field is never closed"_s};
    QTest::newRow("empty file") << QByteArray() << QStringList{u"line 1: the file is empty"_s};
    QTest::newRow("only a byte-order mark") << QByteArray("\xEF\xBB\xBF") << QStringList{u"line 1: the file is empty"_s};
    QTest::newRow("empty name") << kHeader + ",081211110002,,,,,,\n" << QStringList{u"line 2: name: is empty"_s};
    QTest::newRow("duplicate card in the file")
        << kHeader + "Ani,081211110001,,,CARD5555,,,\nBudi,081211110002,,,CARD5555,,,\n"
        << QStringList{u"line 3: card_number: "_s};
    // Physical line numbers: a quoted name over two lines, then a blank line.
    QTest::newRow("line numbers count physical lines")
        << kHeader + "\"Ani\nMaria\",081211110001,,,,,,\n\nBudi,0812-CALL-ME,,,,,,\n"
        << QStringList{u"line 5: phone: "_s};
    QTest::newRow("every bad row is reported")
        << kHeader + "Budi,0812-CALL-ME,,,,,,\n" + good + "Citra,081211110003,,31-12-1999,,,,\n"
        << QStringList{u"line 2: phone: "_s, u"line 4: birth_date: "_s};
}

void TestImport::badFileImportsNothing()
{
    QFETCH(QByteArray, csv);
    QFETCH(QStringList, expected);
    const qint64 members = memberCount(), events = eventCount(), audits = auditCount();
    const ImportReport r = L().importMembers(csv, kActor);
    QVERIFY(!r.errors.isEmpty());
    const QString all = r.errors.join(u'\n');
    for (const QString &e : expected)
        QVERIFY2(all.contains(e), qPrintable(u"expected '%1' in:\n%2"_s.arg(e, all)));
    QCOMPARE(r.members, 0);
    QCOMPARE(r.cards, 0);
    QCOMPARE(r.openingPoints, 0);
    QCOMPARE(memberCount(), members);
    QCOMPARE(eventCount(), events);
    QCOMPARE(auditCount(), audits);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM cards"_s), 1); // the existing member's card only
    QVERIFY(!L().memberByPhone(u"081211110001"_s).ok());
}

void TestImport::writeTimeFailureRollsBackEverything_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QStringList>("expected");
    const QByteArray first = "Ani Lestari,081211110001,,,CARD7001,,100,yes\n";
    const QByteArray last = "Citra Dewi,081211110003,,,,,25,\n";
    // Each file passes the row checks; the second row fails only when it is written.
    QTest::newRow("card of an existing member")
        << kHeader + first + "Budi,081211110002,,,card-9000,,,\n" + last
        << QStringList{u"line 3: "_s, u"CARD9000"_s};
    QTest::newRow("same card spelt two ways")
        << kHeader + first + "Budi,081211110002,,,card-7001,,,\n" + last
        << QStringList{u"line 3: "_s, u"CARD7001"_s};
    QTest::newRow("bad e-mail") << kHeader + first + "Budi,081211110002,budi-at-example,,,,,\n" + last
                                << QStringList{u"line 3: email: "_s};
    QTest::newRow("birth date in the future") << kHeader + first + "Budi,081211110002,,2090-01-01,,,,\n" + last
                                              << QStringList{u"line 3: "_s, u"2090-01-01"_s};
}

void TestImport::writeTimeFailureRollsBackEverything()
{
    QFETCH(QByteArray, csv);
    QFETCH(QStringList, expected);
    const qint64 members = memberCount(), events = eventCount(), audits = auditCount();
    const qint64 lots = scalar(u"SELECT COUNT(*) FROM lots"_s);
    const ImportReport r = L().importMembers(csv, kActor);
    QVERIFY(!r.errors.isEmpty());
    const QString all = r.errors.join(u'\n');
    for (const QString &e : expected)
        QVERIFY2(all.contains(e), qPrintable(u"expected '%1' in:\n%2"_s.arg(e, all)));
    QCOMPARE(r.members, 0);
    QCOMPARE(r.cards, 0);
    QCOMPARE(r.openingPoints, 0);
    // The first row was written before the second failed; it must be gone too.
    QCOMPARE(memberCount(), members);
    QCOMPARE(eventCount(), events);
    QCOMPARE(auditCount(), audits);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM lots"_s), lots);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM balances WHERE member_id <> ?"_s, {m_existing}), 0);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM member_names WHERE member_id <> ?"_s, {m_existing}), 0);
    QCOMPARE(L().memberByPhone(u"081211110001"_s).error().code, u"unknown_member"_s);
    QCOMPARE(L().memberByCard(u"CARD7001"_s).error().code, u"unknown_card"_s);

    // The store is left usable: the corrected file imports in full.
    QByteArray fixed = csv;
    fixed.replace("card-9000", "CARD7002").replace("card-7001", "CARD7003").replace("budi-at-example", "budi@example.com")
        .replace("2090-01-01", "1990-01-01");
    const ImportReport ok = L().importMembers(fixed, kActor);
    QVERIFY2(ok.errors.isEmpty(), qPrintable(ok.errors.join(u'\n')));
    QCOMPARE(ok.members, 3);
    QCOMPARE(ok.openingPoints, 125);
    QCOMPARE(memberCount(), members + 3);
    QCOMPARE(L().memberByPhone(u"081211110001"_s).value().balance, 100);
    QCOMPARE(L().memberByPhone(u"081211110003"_s).value().balance, 25);
}

// ---- export ----

void TestImport::exportMembersWithoutPersonalData()
{
    importGood();
    auto earned = L().earn(m_existing, m_ts->basket(u"R-1"_s, 125000), kActor); // 12 points
    QVERIFY(earned.ok());
    const QByteArray csv = L().exportMembers(false);
    const QString text = QString::fromUtf8(csv);
    for (const QString &personal : {u"Siti"_s, u"Aminah"_s, u"Wayan"_s, u"Joko"_s, u"Pelanggan"_s, u"siti@example.com"_s,
                                     u"1990-05-17"_s, u"6281211112222"_s, u"81211112222"_s, u"6281299990000"_s,
                                     u"81299990000"_s})
        QVERIFY2(!text.contains(personal), qPrintable(personal));

    auto rows = parseCsv(csv);
    QVERIFY(rows.ok());
    QCOMPARE(rows->size(), 1 + 4);
    const QStringList header = rows->first().fields;
    QCOMPARE(header, (QStringList{u"member_id"_s, u"status"_s, u"tier"_s, u"balance"_s, u"enrolled_at"_s,
                                  u"home_store"_s, u"cards"_s}));
    QHash<QString, QStringList> byId;
    for (qsizetype i = 1; i < rows->size(); ++i) {
        QCOMPARE(rows->at(i).fields.size(), header.size());
        byId.insert(rows->at(i).fields[0], rows->at(i).fields);
    }
    const QString siti = L().memberByPhone(u"081211112222"_s).value().memberId;
    QCOMPARE(byId.value(siti).value(3), u"150"_s);
    QCOMPARE(byId.value(siti).value(6), u"CARD1001"_s);
    QCOMPARE(byId.value(m_existing).value(3), u"12"_s);
    QCOMPARE(byId.value(m_existing).value(1), u"active"_s);
    QCOMPARE(byId.value(m_existing).value(5), u"test-store"_s);
}

void TestImport::exportMembersWithPersonalData()
{
    importGood();
    // Names a spreadsheet would run as formulas.
    const QString formula = m_ts->enroll(u"=HYPERLINK(\"http://evil.example\",\"klik\")"_s, u"081277770001"_s);
    const QString plus = m_ts->enroll(u"+1+2 Budi"_s, u"081277770002"_s);
    const QString at = m_ts->enroll(u"@SUM(A1:A9)"_s, u"081277770003"_s);
    QVERIFY(!formula.isEmpty() && !plus.isEmpty() && !at.isEmpty());
    QVERIFY(L().erase(plus, u"member request"_s, kActor).ok()); // an erased member has no personal data to export
    const QString plusAgain = m_ts->enroll(u"-2+3 Citra"_s, u"081277770004"_s);

    const QByteArray csv = L().exportMembers(true);
    auto rows = parseCsv(csv);
    QVERIFY(rows.ok());
    QCOMPARE(rows->size(), 1 + 4 + 4);
    const QStringList header = rows->first().fields;
    QCOMPARE(header.size(), 13);
    QCOMPARE(header.value(7), u"name"_s);
    QCOMPARE(header.value(8), u"phone"_s);
    QHash<QString, QStringList> byId;
    for (qsizetype i = 1; i < rows->size(); ++i) {
        QCOMPARE(rows->at(i).fields.size(), header.size());
        byId.insert(rows->at(i).fields[0], rows->at(i).fields);
    }
    const QString siti = L().memberByPhone(u"081211112222"_s).value().memberId;
    QCOMPARE(byId.value(siti).value(7), u"Siti Aminah"_s);
    QCOMPARE(byId.value(siti).value(8), u"+6281211112222"_s);
    QCOMPARE(byId.value(siti).value(9), u"siti@example.com"_s);
    QCOMPARE(byId.value(siti).value(10), u"1990-05-17"_s);
    QCOMPARE(byId.value(siti).value(11), u"yes"_s);
    QCOMPARE(byId.value(siti).value(12), u"no"_s);
    const QString wayan = L().memberByPhone(u"081333334444"_s).value().memberId;
    QCOMPARE(byId.value(wayan).value(7), u"Wayan \"Putu\", Jr"_s); // quoted and unquoted intact
    QCOMPARE(byId.value(m_existing).value(7), u"Pelanggan Lama"_s);
    // Formula injection: the cell starts with an apostrophe.
    QCOMPARE(byId.value(formula).value(7), u"'=HYPERLINK(\"http://evil.example\",\"klik\")"_s);
    QCOMPARE(byId.value(at).value(7), u"'@SUM(A1:A9)"_s);
    QCOMPARE(byId.value(plusAgain).value(7), u"'-2+3 Citra"_s);
    QCOMPARE(byId.value(plus).value(1), u"erased"_s);
    QVERIFY(byId.value(plus).value(7).isEmpty());
    QVERIFY(byId.value(plus).value(8).isEmpty());
    QVERIFY(!QString::fromUtf8(csv).contains(u"+1+2 Budi"_s));
    for (const QStringList &row : std::as_const(byId))
        for (const QString &cell : row)
            QVERIFY2(cell.isEmpty() || !QStringLiteral("=@").contains(cell.front()), qPrintable(cell));
}

void TestImport::exportEventsRoundTrips()
{
    importGood();
    QVERIFY(L().earn(m_existing, m_ts->basket(u"R-1"_s, 125000), kActor).ok());
    m_ts->clock().advance(3600'000);
    QVERIFY(L().reverse(u"R-1"_s, 50000, u"one item back"_s, kActor).ok());

    const qint64 events = eventCount();
    const QByteArray csv = L().exportEvents(0, L().nowMs() + 1);
    auto rows = parseCsv(csv);
    QVERIFY(rows.ok());
    QCOMPARE(qint64(rows->size() - 1), events);
    const QStringList header = rows->first().fields;
    QCOMPARE(header.value(0), u"event_id"_s);
    QCOMPARE(header.value(5), u"member_id"_s);
    QCOMPARE(header.value(6), u"points"_s);
    QSet<QString> ids;
    QHash<QString, qint64> sums;
    for (qsizetype i = 1; i < rows->size(); ++i) {
        const QStringList f = rows->at(i).fields;
        QCOMPARE(f.size(), header.size());
        ids.insert(f[0]);
        sums[f[5]] += f[6].toLongLong();
    }
    QCOMPARE(qint64(ids.size()), events);
    QSqlQuery q(m_ts->store().writer());
    QVERIFY(q.exec(u"SELECT event_id FROM events"_s));
    while (q.next())
        QVERIFY(ids.contains(q.value(0).toString()));
    // The exported points add up to each member's balance: 12 - ceil(12 × 0.4) = 7.
    QCOMPARE(sums.value(m_existing), 7);
    QCOMPARE(sums.value(L().memberByPhone(u"081211112222"_s).value().memberId), 150);
    // The window is [from, to): the reverse an hour later is outside the first hour.
    auto firstHour = parseCsv(L().exportEvents(0, L().nowMs()));
    QVERIFY(firstHour.ok());
    QCOMPARE(qint64(firstHour->size() - 1), events - 1);
    auto none = parseCsv(L().exportEvents(L().nowMs() + 1, L().nowMs() + 2));
    QVERIFY(none.ok());
    QCOMPARE(none->size(), 1); // the header only
}

QTEST_GUILESS_MAIN(TestImport)
#include "tst_import.moc"
