// Crash safety: a writer process is killed with SIGKILL at random moments during a long run
// of earns, at least 200 times. Afterwards every earn acknowledged before a kill is present,
// nothing is half-written, every terminal sequence is gapless and verify passes.
#include "testsupport.h"

#include "core/ledger.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace setia;

class TestCrash : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void killedWriterLosesNothing();
};

void TestCrash::killedWriterLosesNothing()
{
    const int kills = qEnvironmentVariableIntValue("SETIA_CRASH_KILLS") > 0 ? qEnvironmentVariableIntValue("SETIA_CRASH_KILLS") : 200;
    QString dbPath, keyPath, dir;
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    {
        test::TempStore ts(test::toJson(test::baseProgram()), QDateTime::currentMSecsSinceEpoch());
        QVERIFY2(ts.ok(), qPrintable(ts.error()));
        for (int i = 0; i < 8; ++i)
            QVERIFY(!ts.enroll(u"Member %1"_s.arg(i), u"+62812000000%1"_s.arg(10 + i)).isEmpty());
        ts.close();
        // Move the store out of the fixture's folder so it outlives the fixture.
        dbPath = tmp.filePath(u"setia.db"_s);
        keyPath = tmp.filePath(u"setia.db.key"_s);
        QVERIFY(QFile::copy(ts.dbPath(), dbPath));
        QVERIFY(QFile::copy(ts.keyPath(), keyPath));
        QFile::setPermissions(keyPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    QSet<QString> acked;
    QRandomGenerator rng(20261125);
    int killedMidRun = 0;
    for (int k = 0; k < kills; ++k) {
        QProcess p;
        p.setProgram(QString::fromUtf8(SETIA_CRASH_WRITER));
        p.setArguments({dbPath, keyPath, QString::number(qint64(k) * 1'000'000)});
        p.setProcessChannelMode(QProcess::SeparateChannels);
        p.start();
        QVERIFY2(p.waitForStarted(5000), "writer did not start");
        // Wait until the writer is earning (its first acknowledgement), then let it run for a
        // random while, so that the kill lands anywhere in a commit, even on a slow build.
        QByteArray out;
        QElapsedTimer waited;
        waited.start();
        while (!out.contains("ack ") && waited.elapsed() < 30000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(100);
            out += p.readAllStandardOutput();
        }
        QVERIFY2(out.contains("ack "), qPrintable(u"writer never earned: "_s + QString::fromUtf8(p.readAllStandardError())));
        QTest::qWait(int(rng.bounded(0, 40)));
        if (p.state() == QProcess::Running)
            ++killedMidRun;
        p.kill(); // SIGKILL
        QVERIFY(p.waitForFinished(5000));
        out += p.readAllStandardOutput();
        const QList<QByteArray> lines = out.split('\n');
        for (const QByteArray &l : lines)
            if (l.startsWith("ack "))
                acked.insert(QString::fromUtf8(l.split(' ').value(1)));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.isEmpty(), err.constData());
    }
    QCOMPARE(killedMidRun, kills); // every run was cut off while writing
    QVERIFY2(acked.size() >= kills, "too few earns happened to make the test meaningful");

    auto store = Store::open(dbPath, {Store::Mode::ReadWrite, false});
    QVERIFY2(store.ok(), qPrintable(store.ok() ? QString() : store.error().message));
    QVERIFY((*store)->integrityCheck().isEmpty());
    QSet<QString> present;
    QSqlQuery q((*store)->writer());
    QVERIFY(q.exec(u"SELECT r.receipt_id FROM receipts r JOIN events e ON e.event_id = r.earn_event_id AND e.type = 'earn'"_s));
    while (q.next())
        present.insert(q.value(0).toString());
    for (const QString &r : std::as_const(acked))
        QVERIFY2(present.contains(r), qPrintable(u"acknowledged earn %1 is missing"_s.arg(r)));
    // Nothing half-written: every earn event has its receipt and every receipt its event.
    QVERIFY(q.exec(u"SELECT COUNT(*) FROM events e LEFT JOIN receipts r ON r.earn_event_id = e.event_id WHERE e.type = 'earn' AND r.receipt_id IS NULL"_s));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toLongLong(), 0);
    QVERIFY(q.exec(u"SELECT COUNT(*), MAX(terminal_seq), MIN(terminal_seq) FROM events"_s));
    QVERIFY(q.next());
    QCOMPARE(q.value(1).toLongLong(), q.value(0).toLongLong()); // gapless 1..n (one terminal)
    QCOMPARE(q.value(2).toLongLong(), 1);
    const VerifyReport v = verifyLedger(**store);
    QVERIFY2(v.ok(), qPrintable(v.problems.join(u'\n')));
    qInfo("%d kills, %lld acknowledged earns, %lld earns present, %lld events", kills, qint64(acked.size()),
          qint64(present.size()), v.events);
}

QTEST_GUILESS_MAIN(TestCrash)
#include "tst_crash.moc"
