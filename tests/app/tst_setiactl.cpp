// setiactl as a script or a support person uses it: the real executable, its exit codes,
// --help on every command, --json output, and bad input that changes nothing.
#include "testsupport.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestSetiactl : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void helpEverywhere_data();
    void helpEverywhere();
    void walkthrough();
    void badInputChangesNothing_data();
    void badInputChangesNothing();
    void programValidateNamesTheField();
    void importAllOrNothing();
    void backupAndRestore();
    void secondWriterRefused();
    void blockedMembership();
    void missingStore();
    void demoRun();

private:
    struct Run {
        int code = -1;
        QByteArray out, err;
        QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
    };
    Run ctl(const QStringList &args, const QByteArray &stdinData = {});
    QByteArray dbHash() const;
    QTemporaryDir m_dir;
    QString m_db;
    QString m_member;
};

TestSetiactl::Run TestSetiactl::ctl(const QStringList &args, const QByteArray &stdinData)
{
    QProcess p;
    p.setProgram(QString::fromUtf8(SETIACTL));
    p.setArguments(QStringList{u"--db"_s, m_db} + args);
    p.start();
    if (!stdinData.isEmpty())
        p.write(stdinData);
    p.closeWriteChannel();
    p.waitForFinished(60000);
    return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

QByteArray TestSetiactl::dbHash() const
{
    // The state that matters: the database and its WAL.
    QCryptographicHash h(QCryptographicHash::Sha256);
    for (const QString &f : {m_db, m_db + u"-wal"_s}) {
        QFile file(f);
        if (file.open(QIODevice::ReadOnly))
            h.addData(file.readAll());
    }
    return h.result();
}

void TestSetiactl::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_db = m_dir.filePath(u"store.db"_s);
    Run r = ctl({u"init"_s, u"--store-id"_s, u"jkt-01"_s, u"--time-zone"_s, u"Asia/Jakarta"_s});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(QFile::exists(m_db + u".key"_s));
    QCOMPARE(QFile::permissions(m_db + u".key"_s) & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());
    const QString program = m_dir.filePath(u"program.json"_s);
    QFile f(program);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(setia::test::demoProgram());
    f.close();
    r = ctl({u"program"_s, u"load"_s, program});
    QVERIFY2(r.code == 0, r.err.constData());
}

void TestSetiactl::helpEverywhere_data()
{
    QTest::addColumn<QStringList>("command");
    for (const char *c : {"init", "program validate", "program load", "program show", "member enroll", "member find",
                          "member show", "member history", "member block", "member unblock", "member erase", "card assign", "card block", "quote", "earn",
                          "redeem", "reverse", "adjust", "voucher issue", "voucher use", "expire", "tiers recompute",
                          "report", "export", "import", "verify", "integrity", "sync status", "backup", "restore", "alerts", "audit",
                          "setting", "demo seed", "demo run"})
        QTest::newRow(c) << QString::fromLatin1(c).split(u' ');
}

void TestSetiactl::helpEverywhere()
{
    QFETCH(QStringList, command);
    const QByteArray before = dbHash();
    Run r = ctl(command + QStringList{u"--help"_s});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.startsWith("usage: setiactl " + command.join(u' ').toUtf8()), r.out.constData());
    QCOMPARE(dbHash(), before);
}

void TestSetiactl::walkthrough()
{
    Run r = ctl({u"--json"_s, u"member"_s, u"enroll"_s, u"--name"_s, u"Budi Santoso"_s, u"--phone"_s, u"0812-1111-2222"_s,
                 u"--card"_s, u"2900000000017"_s, u"--consent-whatsapp"_s});
    QVERIFY2(r.code == 0, r.err.constData());
    m_member = r.json().value(u"memberId"_s).toString();
    QCOMPARE(r.json().value(u"phone"_s).toString(), u"+6281211112222"_s);

    r = ctl({u"--json"_s, u"quote"_s, u"--member"_s, u"2900000000017"_s, u"--line"_s, u"KOP-001:coffee:2:28000"_s,
             u"--line"_s, u"BAK-001:bakery:1:25000"_s});
    QVERIFY2(r.code == 0, r.err.constData());
    // 81.000: base floor(8.1) = 8; coffee 56.000 x2 adds floor(5.6) = 5 -> 13
    QCOMPARE(r.json().value(u"points"_s).toInt(), 13);

    r = ctl({u"--json"_s, u"earn"_s, u"--member"_s, u"+6281211112222"_s, u"--receipt"_s, u"POS-1"_s, u"--line"_s,
             u"KOP-001:coffee:2:28000;BAK-001:bakery:1:25000"_s});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(r.json().value(u"balance"_s).toInt(), 13);
    QCOMPARE(r.json().value(u"replayed"_s).toBool(), false);

    // The POS retries after a timeout: same answer, nothing earned twice.
    r = ctl({u"--json"_s, u"earn"_s, u"--member"_s, m_member, u"--receipt"_s, u"POS-1"_s, u"--line"_s,
             u"KOP-001:coffee:2:28000;BAK-001:bakery:1:25000"_s});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.json().value(u"replayed"_s).toBool(), true);
    QCOMPARE(r.json().value(u"balance"_s).toInt(), 13);

    r = ctl({u"--json"_s, u"redeem"_s, u"--member"_s, m_member, u"--reward"_s, u"es-kopi-susu"_s});
    QCOMPARE(r.code, 1); // 13 points is not 50
    QCOMPARE(r.json().value(u"error"_s).toObject().value(u"code"_s).toString(), u"insufficient_points"_s);
    QVERIFY(r.err.startsWith("setiactl: Not enough points"));
    QCOMPARE(r.err.count('\n'), 1); // one clear line

    r = ctl({u"adjust"_s, u"--member"_s, m_member, u"--points"_s, u"100"_s, u"--reason"_s, u"Goodwill for a late order"_s,
             u"--actor"_s, u"manager-ani"_s});
    QVERIFY2(r.code == 0, r.err.constData());
    r = ctl({u"--json"_s, u"redeem"_s, u"--member"_s, m_member, u"--reward"_s, u"es-kopi-susu"_s});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(r.json().value(u"balance"_s).toInt(), 63);

    r = ctl({u"--json"_s, u"reverse"_s, u"--receipt"_s, u"POS-1"_s, u"--reason"_s, u"returned"_s});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(r.json().value(u"pointsReversed"_s).toInt(), 13);
    QCOMPARE(r.json().value(u"balance"_s).toInt(), 50);
    r = ctl({u"reverse"_s, u"--receipt"_s, u"POS-1"_s, u"--reason"_s, u"again"_s});
    QCOMPARE(r.code, 1);

    r = ctl({u"--json"_s, u"member"_s, u"history"_s, m_member});
    QCOMPARE(r.code, 0);
    QStringList types;
    for (const auto &e : r.json().value(u"events"_s).toArray())
        types << e.toObject().value(u"type"_s).toString();
    QCOMPARE(types, (QStringList{u"reverse"_s, u"redeem"_s, u"adjust"_s, u"earn"_s, u"card_assign"_s, u"enroll"_s}));

    r = ctl({u"--json"_s, u"audit"_s});
    QVERIFY(r.out.contains("manager-ani"));
    QVERIFY(r.out.contains("Goodwill for a late order"));

    r = ctl({u"--json"_s, u"member"_s, u"find"_s, u"budi"_s});
    QCOMPARE(r.json().value(u"members"_s).toArray().size(), 1);
    QVERIFY(!r.out.contains("+6281211112222")); // search results mask the phone

    r = ctl({u"--json"_s, u"verify"_s});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.json().value(u"ok"_s).toBool(), true);
    r = ctl({u"integrity"_s});
    QCOMPARE(r.code, 0);
    r = ctl({u"--json"_s, u"sync"_s, u"status"_s}); // no hub: every event waits on this terminal
    QCOMPARE(r.code, 0);
    QCOMPARE(r.json().value(u"registered"_s).toBool(), false);
    QVERIFY(r.json().value(u"waitingEvents"_s).toInteger() > 0);
    QVERIFY(!r.json().contains(u"lease"_s));

    r = ctl({u"export"_s, u"members"_s});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.startsWith("member_id,status,tier,balance"));
    QVERIFY(!r.out.contains("Budi"));
    r = ctl({u"export"_s, u"members"_s, u"--personal-data"_s});
    QVERIFY(r.out.contains("Budi Santoso"));
}

void TestSetiactl::badInputChangesNothing_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown command") << QStringList{u"frobnicate"_s} << 2 << u"unknown command"_s;
    QTest::newRow("unknown option") << QStringList{u"earn"_s, u"--bogus"_s, u"1"_s} << 2 << u"unknown option --bogus"_s;
    QTest::newRow("missing value") << QStringList{u"earn"_s, u"--member"_s} << 2 << u"--member needs a value"_s;
    QTest::newRow("bad phone") << QStringList{u"member"_s, u"enroll"_s, u"--name"_s, u"X"_s, u"--phone"_s, u"08ab"_s} << 2
                               << u"phone:"_s;
    QTest::newRow("no name") << QStringList{u"member"_s, u"enroll"_s, u"--phone"_s, u"081233334444"_s} << 2 << u"name: is required"_s;
    QTest::newRow("negative quantity") << QStringList{u"earn"_s, u"--member"_s, u"2900000000017"_s, u"--receipt"_s, u"X1"_s,
                                                      u"--line"_s, u"A:coffee:-2:1000"_s}
                                       << 2 << u"lines[0].quantity"_s;
    QTest::newRow("garbled amount") << QStringList{u"earn"_s, u"--member"_s, u"2900000000017"_s, u"--receipt"_s, u"X2"_s,
                                                   u"--total"_s, u"12abc"_s}
                                    << 2 << u"total"_s;
    QTest::newRow("unknown card") << QStringList{u"earn"_s, u"--member"_s, u"2999999999999"_s, u"--receipt"_s, u"X3"_s,
                                                 u"--total"_s, u"50000"_s}
                                  << 1 << u"No member has"_s;
    QTest::newRow("adjust without reason") << QStringList{u"adjust"_s, u"--member"_s, u"2900000000017"_s, u"--points"_s, u"5"_s}
                                           << 2 << u"needs a reason"_s;
    QTest::newRow("voucher typo") << QStringList{u"voucher"_s, u"use"_s, u"ABCD-EFGH-JK"_s, u"--receipt"_s, u"X4"_s,
                                                 u"--total"_s, u"100000"_s}
                                  << 2 << u"not a voucher code"_s;
    QTest::newRow("unknown receipt") << QStringList{u"reverse"_s, u"--receipt"_s, u"NOPE"_s, u"--reason"_s, u"x"_s} << 1
                                     << u"earned no points here"_s;
    QTest::newRow("missing program file") << QStringList{u"program"_s, u"load"_s, u"/nonexistent/p.json"_s} << 2 << u"cannot read"_s;
}

void TestSetiactl::badInputChangesNothing()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, message);
    const QByteArray before = dbHash();
    Run r = ctl(args);
    QCOMPARE(r.code, code);
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    QVERIFY(r.err.startsWith("setiactl: "));
    QCOMPARE(dbHash(), before);
}

void TestSetiactl::programValidateNamesTheField()
{
    QJsonObject p = setia::test::baseProgram();
    p.insert(u"tiers"_s, QJsonArray{QJsonObject{{u"id"_s, u"silver"_s}, {u"name"_s, u"Silver"_s}, {u"threshold"_s, 0}},
                                    QJsonObject{{u"id"_s, u"gold"_s}, {u"name"_s, u"Gold"_s}, {u"threshold"_s, 0}}});
    const QString file = m_dir.filePath(u"bad.json"_s);
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(setia::test::toJson(p));
    f.close();
    Run r = ctl({u"program"_s, u"validate"_s, file});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("tiers[1].threshold: must be greater than tiers[0].threshold"), r.err.constData());
    const QByteArray before = dbHash();
    r = ctl({u"program"_s, u"load"_s, file});
    QCOMPARE(r.code, 2);
    QCOMPARE(dbHash(), before);
}

void TestSetiactl::importAllOrNothing()
{
    const QString bad = m_dir.filePath(u"bad.csv"_s);
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("name,phone,opening_balance\nDewi Lestari,081355556666,120\nAgus,not-a-phone,10\nRina,081377778888,abc\n");
    f.close();
    const QByteArray before = dbHash();
    Run r = ctl({u"import"_s, bad});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("line 3: phone:"), r.err.constData());
    QVERIFY2(r.err.contains("line 4: opening_balance:"), r.err.constData());
    QVERIFY(r.err.contains("nothing was imported"));
    QCOMPARE(dbHash(), before);

    const QString good = m_dir.filePath(u"good.csv"_s);
    QFile g(good);
    QVERIFY(g.open(QIODevice::WriteOnly));
    g.write("name,phone,card_number,opening_balance\nDewi Lestari,081355556666,2900000000024,120\nRina Wulan,081377778888,,0\n");
    g.close();
    r = ctl({u"--json"_s, u"import"_s, good});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(r.json().value(u"members"_s).toInt(), 2);
    QCOMPARE(r.json().value(u"openingPoints"_s).toInt(), 120);
    r = ctl({u"--json"_s, u"member"_s, u"show"_s, u"2900000000024"_s});
    QCOMPARE(r.json().value(u"balance"_s).toInt(), 120);
}

void TestSetiactl::backupAndRestore()
{
    const QString backup = m_dir.filePath(u"backups/b1.db"_s);
    Run r = ctl({u"backup"_s, backup});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(ctl({u"backup"_s, backup}).code, 2); // never overwrites
    // A change after the backup...
    r = ctl({u"member"_s, u"enroll"_s, u"--name"_s, u"After Backup"_s, u"--phone"_s, u"081399990000"_s});
    QCOMPARE(r.code, 0);
    // ...is gone after the restore, and the store verifies.
    r = ctl({u"restore"_s, backup});
    QVERIFY2(r.code == 0, r.err.constData());
    r = ctl({u"--json"_s, u"member"_s, u"find"_s, u"after"_s});
    QCOMPARE(r.json().value(u"members"_s).toArray().size(), 0);
    QCOMPARE(ctl({u"verify"_s}).code, 0);
    // A damaged backup is refused and the store is left as it was.
    const QString junk = m_dir.filePath(u"junk.db"_s);
    QFile j(junk);
    QVERIFY(j.open(QIODevice::WriteOnly));
    j.write(QByteArray(8192, 'x'));
    j.close();
    const QByteArray before = dbHash();
    r = ctl({u"restore"_s, junk});
    QCOMPARE(r.code, 2);
    QCOMPARE(dbHash(), before);
}

void TestSetiactl::secondWriterRefused()
{
    auto store = setia::Store::open(m_db, {setia::Store::Mode::ReadWrite, false});
    QVERIFY(store.ok());
    Run r = ctl({u"adjust"_s, u"--member"_s, u"2900000000017"_s, u"--points"_s, u"5"_s, u"--reason"_s, u"test lock"_s});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("open for writing by another process"), r.err.constData());
    // Reading still works while the writer is open.
    r = ctl({u"member"_s, u"show"_s, u"2900000000017"_s});
    QVERIFY2(r.code == 0, r.err.constData());
}

void TestSetiactl::blockedMembership()
{
    Run r = ctl({u"member"_s, u"enroll"_s, u"--name"_s, u"Eko Saputra"_s, u"--phone"_s, u"081311112222"_s, u"--card"_s,
                 u"2900000000031"_s});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(ctl({u"member"_s, u"block"_s, u"2900000000031"_s}).code, 2); // a reason is required
    r = ctl({u"member"_s, u"block"_s, u"2900000000031"_s, u"--reason"_s, u"Suspicious redemptions"_s});
    QVERIFY2(r.code == 0, r.err.constData());
    r = ctl({u"earn"_s, u"--member"_s, u"2900000000031"_s, u"--receipt"_s, u"BLK-1"_s, u"--total"_s, u"50000"_s});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("blocked"), r.err.constData());
    QCOMPARE(ctl({u"member"_s, u"block"_s, u"2900000000031"_s, u"--reason"_s, u"again"_s}).code, 2);
    r = ctl({u"member"_s, u"unblock"_s, u"2900000000031"_s, u"--reason"_s, u"Checked with the member"_s});
    QVERIFY2(r.code == 0, r.err.constData());
    r = ctl({u"--json"_s, u"earn"_s, u"--member"_s, u"2900000000031"_s, u"--receipt"_s, u"BLK-1"_s, u"--total"_s, u"50000"_s});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(r.json().value(u"balance"_s).toInt(), 5);
    r = ctl({u"--json"_s, u"audit"_s});
    QVERIFY(r.out.contains("member_block"));
    QVERIFY(r.out.contains("Suspicious redemptions"));
}

void TestSetiactl::missingStore()
{
    QProcess p;
    p.start(QString::fromUtf8(SETIACTL), {u"--db"_s, m_dir.filePath(u"nope.db"_s), u"verify"_s});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 3);
    QVERIFY(p.readAllStandardError().contains("setiactl init"));
    QVERIFY(!QFile::exists(m_dir.filePath(u"nope.db"_s)));
}

void TestSetiactl::demoRun()
{
    QProcess p;
    const QString db = m_dir.filePath(u"demo/setia-demo.db"_s);
    p.start(QString::fromUtf8(SETIACTL), {u"--db"_s, db, u"demo"_s, u"run"_s, u"--members"_s, u"30"_s});
    QVERIFY(p.waitForFinished(120000));
    const QByteArray out = p.readAllStandardOutput();
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    for (const char *step : {"1. Enroll", "3. Earn", "5. Redeem", "6. Refunds", "7. Verify", "OK:"})
        QVERIFY2(out.contains(step), step);
    QVERIFY(out.contains("Rp116.000"));
    // Run twice: the demo replaces its own store...
    p.start(QString::fromUtf8(SETIACTL), {u"--db"_s, db, u"demo"_s, u"run"_s, u"--members"_s, u"10"_s});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 0);
    // ...but never a real one.
    p.start(QString::fromUtf8(SETIACTL), {u"--db"_s, m_db, u"demo"_s, u"run"_s});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("not a demo store"));
}

QTEST_GUILESS_MAIN(TestSetiactl)
#include "tst_setiactl.moc"
