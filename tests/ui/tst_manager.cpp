// The store manager's screens driven through the widgets, offscreen: unlock with a PIN,
// lock-out, adjustments with a reason, alerts, program loading, dashboard, auto-lock; the
// slow reads (dashboard, export, search) on the worker thread; the scanner's settings.
#include "testsupport.h"

#include "core/staff.h"
#include "ui/backgroundreads.h"
#include "ui/managerpanel.h"
#include "ui/pages.h"
#include "ui/terminalwindow.h"
#include "ui/wedgescanner.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlQuery>
#include <QTableWidget>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace setia;
using setia::ui::ManagerPanel;
using setia::ui::TerminalWindow;

class TestManager : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void firstManagerIsCreatedFromTheTerminal();
    void wrongPinsLockOutUntilTheTimePasses();
    void cashierCannotEnter();
    void adjustmentNeedsAReason();
    void alertIsAcknowledged();
    void invalidProgramShowsTheField();
    void dashboardShowsTodaysPoints();
    void dashboardNewestRequestWins();
    void newestSearchWins();
    void exportRunsOnTheWorkerWhileTheUiKeepsWorking();
    void closingWhileTheWorkerExports();
    void scannerThresholdsApplyLive();
    void hubUrlIsChecked();
    void kioskClosesOnlyForAManager();
    void inactivityLocksAndReturnsToTheTill();
    void escapeLocks();

private:
    void start(bool withManager = true);
    void unlocked(); // F9 and the manager's PIN, before any scanner is listening
    QByteArray importedMembers(int count); // a CSV of count members for import
    void typeUnlock(const QString &name, const QString &pin); // as a person would: keys, then Enter
    qint64 eventCount();
    std::unique_ptr<test::TempStore> m_ts;
    std::unique_ptr<Staff> m_staff;
    std::unique_ptr<TerminalWindow> m_w;
    QString m_siti;
};

void TestManager::init()
{
    QJsonObject p = test::baseProgram();
    p[u"fraud"_s] = QJsonObject{{u"adjustmentAlertPoints"_s, 500}};
    m_ts = std::make_unique<test::TempStore>(test::toJson(p));
    QVERIFY2(m_ts->ok(), qPrintable(m_ts->error()));
    m_siti = m_ts->enroll(u"Siti Rahmawati"_s, u"081234567890"_s, QDate(1994, 7, 15), {}, u"2900000000017"_s);
    QVERIFY(!m_siti.isEmpty());
    m_staff = std::make_unique<Staff>(m_ts->store(), m_ts->clock(), m_ts->random());
}

void TestManager::start(bool withManager)
{
    if (withManager) {
        QVERIFY(m_staff->add(u"Bu Ratna"_s, Role::Manager, u"482913"_s, u"setup"_s).ok());
        QVERIFY(m_staff->add(u"Andi"_s, Role::Cashier, u"730518"_s, u"setup"_s).ok());
    }
    m_w = std::make_unique<TerminalWindow>(m_ts->loyalty(), *m_staff);
    // As main() does: the slow reads on a worker with its own read-only connection.
    auto keys = KeyRing::open(m_ts->keyPath(), false);
    QVERIFY(keys.ok());
    m_w->useReadConnection(ui::ReadAccess{m_ts->dbPath(), keys.value(), &m_ts->clock()});
    QVERIFY(m_w->reads()->threaded());
    m_w->setLanguage(u"en"_s);
    m_w->resize(1280, 800);
    m_w->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_w.get()));
}

void TestManager::cleanup()
{
    m_w.reset();
    m_staff.reset();
    m_ts.reset();
}

void TestManager::typeUnlock(const QString &name, const QString &pin)
{
    ManagerPanel *m = m_w->managerPanel();
    m->unlockName()->setText(name);
    m->unlockPin()->clear();
    QTest::keyClicks(m->unlockPin(), pin);
    QTest::keyClick(m->unlockPin(), Qt::Key_Return);
}

void TestManager::unlocked()
{
    QTest::keyClick(m_w.get(), Qt::Key_F9);
    typeUnlock(u"Bu Ratna"_s, u"482913"_s);
    QCOMPARE(m_w->managerPanel()->mode(), ManagerPanel::Mode::Unlocked);
}

QByteArray TestManager::importedMembers(int count)
{
    QByteArray csv = "name,phone,email,birth_date,card_number,card_kind,opening_balance,marketing_consent\n";
    for (int i = 0; i < count; ++i)
        csv += u"Anggota Nomor %1,0813%2,,,,,%3,no\n"_s.arg(i).arg(10000000 + i).arg(i % 50).toUtf8();
    return csv;
}

qint64 TestManager::eventCount()
{
    QSqlQuery q(m_ts->store().writer());
    if (!q.exec(u"SELECT COUNT(*) FROM events"_s) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

void TestManager::firstManagerIsCreatedFromTheTerminal()
{
    start(false);
    QVERIFY(!m_staff->hasManager());
    QTest::keyClick(m_w.get(), Qt::Key_F9);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Manager);
    ManagerPanel *m = m_w->managerPanel();
    QCOMPARE(m->mode(), ManagerPanel::Mode::CreateFirst);
    QVERIFY(m->firstName()->isVisible());
    QCOMPARE(m->firstPin()->echoMode(), QLineEdit::Password);
    // The two PINs differ: nothing is created.
    m->firstName()->setText(u"Bu Ratna"_s);
    m->firstPin()->setText(u"482913"_s);
    m->firstPinAgain()->setText(u"482914"_s);
    QTest::mouseClick(m->createButton(), Qt::LeftButton);
    QVERIFY2(m_w->message().contains(u"not the same"_s), qPrintable(m_w->message()));
    QVERIFY(!m_staff->hasManager());
    // A PIN too easy to guess: refused, in words.
    m->firstPin()->setText(u"1234"_s);
    m->firstPinAgain()->setText(u"1234"_s);
    m->createFirstManager();
    QVERIFY2(m_w->message().contains(u"too easy to guess"_s), qPrintable(m_w->message()));
    QVERIFY(!m_staff->hasManager());
    m->firstPin()->setText(u"482913"_s);
    m->firstPinAgain()->setText(u"482913"_s);
    QTest::keyClick(m->firstPinAgain(), Qt::Key_Return);
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlocked);
    QCOMPARE(m->manager(), u"Bu Ratna"_s);
    QVERIFY(m_staff->hasManager());
    QVERIFY(m_staff->authenticate(u"Bu Ratna"_s, u"482913"_s).ok());
    // Next time: the unlock form, not the creation form.
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
    QTest::keyClick(m_w.get(), Qt::Key_F9);
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlock);
}

void TestManager::wrongPinsLockOutUntilTheTimePasses()
{
    start();
    QTest::keyClick(m_w.get(), Qt::Key_F9);
    ManagerPanel *m = m_w->managerPanel();
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlock);
    QCOMPARE(m->unlockPin()->echoMode(), QLineEdit::Password);
    typeUnlock(u"Bu Ratna"_s, u"111999"_s);
    QVERIFY2(m_w->message().contains(u"Wrong PIN. Tries left before a 5-minute lock: 4."_s), qPrintable(m_w->message()));
    QCOMPARE(m->unlockPin()->text(), QString()); // never left in the field
    for (int i = 0; i < 3; ++i)
        typeUnlock(u"Bu Ratna"_s, u"111999"_s);
    QVERIFY2(m_w->message().contains(u"Tries left before a 5-minute lock: 1."_s), qPrintable(m_w->message()));
    typeUnlock(u"Bu Ratna"_s, u"111999"_s);
    QVERIFY2(m_w->message().contains(u"locked for 5 min"_s), qPrintable(m_w->message()));
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlock);
    // Even the right PIN is refused while locked out.
    typeUnlock(u"Bu Ratna"_s, u"482913"_s);
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlock);
    QVERIFY2(m_w->message().contains(u"Too many wrong PINs"_s), qPrintable(m_w->message()));
    m_ts->clock().advance(4 * 60 * 1000);
    typeUnlock(u"Bu Ratna"_s, u"482913"_s);
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlock);
    m_ts->clock().advance(61 * 1000); // past the 5 minutes
    typeUnlock(u"Bu Ratna"_s, u"482913"_s);
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlocked);
    QCOMPARE(m->manager(), u"Bu Ratna"_s);
    QVERIFY(m->tabs()->isVisible());
}

void TestManager::cashierCannotEnter()
{
    start();
    QTest::keyClick(m_w.get(), Qt::Key_F9);
    ManagerPanel *m = m_w->managerPanel();
    typeUnlock(u"Andi"_s, u"730518"_s); // the right PIN, the wrong role
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlock);
    QVERIFY(!m->tabs()->isVisible());
    QVERIFY2(m_w->message().contains(u"Andi is a cashier. Only a manager"_s), qPrintable(m_w->message()));
    typeUnlock(u"Nobody"_s, u"730518"_s);
    QVERIFY2(m_w->message().contains(u"Nobody with that name"_s), qPrintable(m_w->message()));
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlock);
}

void TestManager::adjustmentNeedsAReason()
{
    start();
    QTest::keyClick(m_w.get(), Qt::Key_F9);
    ManagerPanel *m = m_w->managerPanel();
    typeUnlock(u"Bu Ratna"_s, u"482913"_s);
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlocked);
    m->tabs()->setCurrentIndex(ManagerPanel::MembersTab);
    m->searchField()->setText(u"Siti"_s);
    QTest::keyClick(m->searchField(), Qt::Key_Return);
    QVERIFY(m->searching()); // answered by the worker, not inside the key press
    QCOMPARE(m->chosenMember(), QString());
    QTRY_COMPARE(m->chosenMember(), m_siti);
    QVERIFY(m->results()->count() >= 1);
    const qint64 before = eventCount();
    QVERIFY(before > 0);
    m->adjustPoints()->setText(u"+50"_s);
    QTest::mouseClick(m->adjustButton(), Qt::LeftButton); // no reason
    QVERIFY2(m_w->message().contains(u"needs a reason"_s), qPrintable(m_w->message()));
    QCOMPARE(eventCount(), before);
    QCOMPARE(m_ts->loyalty().member(m_siti)->balance, 0);
    m->adjustReason()->setText(u"   "_s); // blanks are no reason either
    QTest::mouseClick(m->adjustButton(), Qt::LeftButton);
    QCOMPARE(eventCount(), before);
    m->adjustReason()->setText(u"receipt POS-12 not scanned"_s);
    QTest::keyClick(m->adjustReason(), Qt::Key_Return);
    QVERIFY2(m_w->message().contains(u"balance is now 50"_s), qPrintable(m_w->message()));
    QCOMPARE(eventCount(), before + 1);
    QCOMPARE(m_ts->loyalty().member(m_siti)->balance, 50);
    QVERIFY2(m->results()->item(0)->text().endsWith(u"· 50 points"_s), qPrintable(m->results()->item(0)->text())); // not the 0 it was found with
    // The history shows it; the audit log names the manager.
    QVERIFY(m->history()->count() >= 1);
    QVERIFY2(m->history()->item(0)->text().contains(u"+50"_s), qPrintable(m->history()->item(0)->text()));
    m->tabs()->setCurrentIndex(ManagerPanel::AuditTab);
    QTableWidget *audit = m->audit();
    QVERIFY(audit->rowCount() >= 1);
    QCOMPARE(audit->item(0, 1)->text(), u"Bu Ratna"_s);
    QCOMPARE(audit->item(0, 2)->text(), u"Points adjusted"_s);
    QVERIFY(audit->item(0, 4)->text().contains(u"POS-12"_s));
}

void TestManager::alertIsAcknowledged()
{
    start();
    QTest::keyClick(m_w.get(), Qt::Key_F9);
    ManagerPanel *m = m_w->managerPanel();
    typeUnlock(u"Bu Ratna"_s, u"482913"_s);
    m->tabs()->setCurrentIndex(ManagerPanel::AlertsTab);
    QVERIFY(!m->acknowledgeButton()->isEnabled());
    QCOMPARE(m_ts->loyalty().alerts().size(), 0);
    m->tabs()->setCurrentIndex(ManagerPanel::MembersTab);
    m->searchField()->setText(u"0812-3456-7890"_s);
    m->search();
    QTRY_COMPARE(m->chosenMember(), m_siti);
    m->adjustPoints()->setText(u"600"_s); // above fraud.adjustmentAlertPoints (500)
    m->adjustReason()->setText(u"goodwill: machine broken for a week"_s);
    m->adjust();
    QCOMPARE(m_ts->loyalty().member(m_siti)->balance, 600);
    QCOMPARE(m_ts->loyalty().alerts().size(), 1);
    m->tabs()->setCurrentIndex(ManagerPanel::AlertsTab);
    QCOMPARE(m->tabs()->tabText(ManagerPanel::AlertsTab), u"Alerts (1)"_s);
    QCOMPARE(m->alerts()->count(), 1);
    QVERIFY2(m->alerts()->item(0)->text().contains(u"Large points adjustment"_s), qPrintable(m->alerts()->item(0)->text()));
    QVERIFY(m->acknowledgeButton()->isEnabled());
    QTest::mouseClick(m->acknowledgeButton(), Qt::LeftButton);
    QCOMPARE(m_ts->loyalty().alerts().size(), 0);
    const auto all = m_ts->loyalty().alerts(true);
    QCOMPARE(all.size(), 1);
    QCOMPARE(all.first().acknowledgedBy, u"Bu Ratna"_s);
    QVERIFY2(m->alerts()->item(0)->text().contains(u"No open alerts"_s), qPrintable(m->alerts()->item(0)->text()));
    QCOMPARE(m->tabs()->tabText(ManagerPanel::AlertsTab), u"Alerts"_s);
}

void TestManager::invalidProgramShowsTheField()
{
    start();
    QTest::keyClick(m_w.get(), Qt::Key_F9);
    ManagerPanel *m = m_w->managerPanel();
    typeUnlock(u"Bu Ratna"_s, u"482913"_s);
    m->tabs()->setCurrentIndex(ManagerPanel::ProgramTab);
    QVERIFY2(m->programText()->toPlainText().contains(u"1 point for every Rp10.000 spent"_s), qPrintable(m->programText()->toPlainText()));
    const int versionBefore = m_ts->loyalty().program()->version;
    QJsonObject p = test::baseProgram();
    p[u"version"_s] = 2;
    p[u"tiers"_s] = QJsonArray{QJsonObject{{u"id"_s, u"silver"_s}, {u"name"_s, u"Silver"_s}, {u"threshold"_s, 0}},
                               QJsonObject{{u"id"_s, u"gold"_s}, {u"name"_s, u"Gold"_s}, {u"threshold"_s, 0}}};
    const QString path = m_ts->dir() + u"/bad.json"_s;
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(test::toJson(p));
    }
    m->programPath()->setText(path);
    QTest::keyClick(m->programPath(), Qt::Key_Return);
    QVERIFY(m->programErrors()->count() >= 1);
    bool named = false;
    for (int i = 0; i < m->programErrors()->count(); ++i)
        named = named || m->programErrors()->item(i)->text().startsWith(u"tiers[1].threshold"_s);
    QVERIFY2(named, qPrintable(m->programErrors()->item(0)->text()));
    QVERIFY2(m_w->message().contains(u"NOT loaded"_s), qPrintable(m_w->message()));
    QCOMPARE(m_ts->loyalty().program()->version, versionBefore);
    // Fixed, it loads and the new version is shown.
    p[u"tiers"_s] = QJsonArray{QJsonObject{{u"id"_s, u"silver"_s}, {u"name"_s, u"Silver"_s}, {u"threshold"_s, 0}},
                               QJsonObject{{u"id"_s, u"gold"_s}, {u"name"_s, u"Gold"_s}, {u"threshold"_s, 1000000}}};
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(test::toJson(p));
    }
    m->loadProgram();
    QVERIFY2(m_w->message().contains(u"Program version 2 loaded"_s), qPrintable(m_w->message()));
    QCOMPARE(m->programErrors()->count(), 1);
    QVERIFY(m->programText()->toPlainText().contains(u"Gold"_s));
}

void TestManager::dashboardShowsTodaysPoints()
{
    start();
    QVERIFY(m_ts->loyalty().earn(m_siti, m_ts->basket(u"R1"_s, 120000), u"kasir"_s).ok()); // 12 at 10:00
    m_ts->clock().advance(60 * 60 * 1000);
    QVERIFY(m_ts->loyalty().earn(m_siti, m_ts->basket(u"R2"_s, 50000), u"kasir"_s).ok()); // 5 at 11:00
    QTest::keyClick(m_w.get(), Qt::Key_F9);
    ManagerPanel *m = m_w->managerPanel();
    typeUnlock(u"Bu Ratna"_s, u"482913"_s);
    QCOMPARE(m->tabs()->currentIndex(), int(ManagerPanel::DashboardTab));
    // Asked of the worker on unlock: busy first, the figures when they come.
    QVERIFY(m->dashboardBusy());
    QCOMPARE(m->dashboardStatus()->text(), u"Calculating…"_s);
    QCOMPARE(m->stat(u"today.earned"_s), u"–"_s);
    QTRY_COMPARE(m->stat(u"today.earned"_s), u"17"_s);
    QVERIFY(!m->dashboardBusy());
    QVERIFY2(m->dashboardStatus()->text().startsWith(u"Updated at"_s), qPrintable(m->dashboardStatus()->text()));
    QCOMPARE(m->stat(u"today.receipts"_s), u"2"_s);
    QCOMPARE(m->stat(u"today.enrolled"_s), u"1"_s);
    QCOMPARE(m->stat(u"week.earned"_s), u"17"_s);
    QVERIFY2(m->topMembers(u"today"_s)->item(0)->text().contains(u"Siti R. — 17 points"_s),
             qPrintable(m->topMembers(u"today"_s)->item(0)->text()));
    // The chart: earned by store-time hour.
    auto *series = qobject_cast<QBarSeries *>(m->chart()->chart()->series().value(0));
    QVERIFY(series);
    QCOMPARE(series->barSets().size(), 2);
    auto *hours = qobject_cast<QBarCategoryAxis *>(m->chart()->chart()->axes(Qt::Horizontal).value(0));
    QVERIFY(hours);
    QCOMPARE(hours->categories().first(), u"7"_s); // the store's day, not midnight to midnight
    QCOMPARE(hours->categories().last(), u"21"_s);
    const int at10 = int(hours->categories().indexOf(u"10"_s));
    QCOMPARE(series->barSets().at(0)->at(at10), 12.0);
    QCOMPARE(series->barSets().at(0)->at(at10 + 1), 5.0);
    QCOMPARE(series->barSets().at(0)->at(at10 - 1), 0.0);
    // A day later, "today" starts again; the week keeps them (Monday 2 March to Tuesday 3 March).
    m_ts->clock().advance(24 * 60 * 60 * 1000);
    m->refreshDashboard();
    QTRY_COMPARE(m->stat(u"today.earned"_s), u"0"_s);
    QCOMPARE(m->stat(u"week.earned"_s), u"17"_s);
    // What was earned after the worker opened its connection is in the next figures too.
    QVERIFY(m_ts->loyalty().earn(m_siti, m_ts->basket(u"R3"_s, 80000), u"kasir"_s).ok()); // 8
    m->refreshDashboard();
    QTRY_COMPARE(m->stat(u"today.earned"_s), u"8"_s);
    QCOMPARE(m->stat(u"week.earned"_s), u"25"_s);
}

void TestManager::dashboardNewestRequestWins()
{
    start();
    QVERIFY(m_ts->loyalty().earn(m_siti, m_ts->basket(u"R1"_s, 120000), u"kasir"_s).ok()); // 12 today (Monday)
    unlocked();
    ManagerPanel *m = m_w->managerPanel();
    QTRY_VERIFY(!m->dashboardBusy());
    QCOMPARE(m->stat(u"today.earned"_s), u"12"_s);
    // Two requests in a row: the first (still "Monday") may be computed, but only the second is shown.
    m->refreshDashboard();
    m_ts->clock().advance(24 * 60 * 60 * 1000);
    m->refreshDashboard();
    QTRY_VERIFY(!m->dashboardBusy());
    QTest::qWait(100); // time for a late answer to the first request, which must change nothing
    QCOMPARE(m->stat(u"today.earned"_s), u"0"_s);
    QVERIFY2(m->stat(u"today.title"_s).contains(u"March 3, 2026"_s), qPrintable(m->stat(u"today.title"_s)));
    QCOMPARE(m->stat(u"week.earned"_s), u"12"_s);
}

void TestManager::newestSearchWins()
{
    start();
    const QString budi = m_ts->enroll(u"Budi Santoso"_s, u"081311112222"_s, {}, {}, u"2900000000024"_s);
    QVERIFY(!budi.isEmpty());
    unlocked();
    ManagerPanel *m = m_w->managerPanel();
    m->tabs()->setCurrentIndex(ManagerPanel::MembersTab);
    m->searchField()->setText(u"Budi"_s);
    m->search();
    m->searchField()->setText(u"Siti"_s);
    m->search(); // typed again before the first answer: this one counts
    QTRY_VERIFY(!m->searching());
    QTest::qWait(100);
    QVERIFY2(m->chosenMember() == m_siti, qPrintable(m_w->message() + u" / "_s + (m->results()->count() ? m->results()->item(0)->text() : QString())));
    QCOMPARE(m->results()->count(), 1);
    QVERIFY2(m->results()->item(0)->text().startsWith(u"Siti Rahmawati"_s), qPrintable(m->results()->item(0)->text()));
    // Nothing found: said in words, nobody chosen.
    m->searchField()->setText(u"Nobody Here"_s);
    m->search();
    QTRY_VERIFY(!m->searching());
    QCOMPARE(m->chosenMember(), QString());
    QVERIFY2(m_w->message().contains(u"No member found for “Nobody Here”"_s), qPrintable(m_w->message()));
    // A manager's scan on the members tab searches too.
    m->handleScan(u"2900000000024"_s);
    QTRY_COMPARE(m->chosenMember(), budi);
}

void TestManager::exportRunsOnTheWorkerWhileTheUiKeepsWorking()
{
    const int imported = 1500;
    const ImportReport report = m_ts->loyalty().importMembers(importedMembers(imported), u"setup"_s);
    QVERIFY2(report.errors.isEmpty(), qPrintable(report.errors.value(0)));
    QCOMPARE(report.members, imported);
    start();
    unlocked();
    ManagerPanel *m = m_w->managerPanel();
    QTRY_VERIFY(!m->dashboardBusy());
    m->tabs()->setCurrentIndex(ManagerPanel::ExportTab);
    QSignalSpy done(m_w->reads(), &ui::BackgroundReads::exportDone);
    // Members with their personal data: every profile is decrypted, the slowest export there is.
    const QString path = m_ts->dir() + u"/members.csv"_s;
    m->membersPath()->setText(path);
    m->personalData()->setChecked(true);
    int ticks = 0;
    QTimer tick;
    connect(&tick, &QTimer::timeout, this, [&ticks] { ++ticks; });
    tick.start(10);
    QTest::keyClick(m->membersPath(), Qt::Key_Return);
    QVERIFY(m->exporting());
    QVERIFY2(m->membersExportStatus()->text().startsWith(u"Exporting…"_s), qPrintable(m->membersExportStatus()->text()));
    QVERIFY(!QFile::exists(path)); // not written inside the key press
    // The next thing the UI thread does runs while the export is still going: had the export
    // been handed to the UI thread itself (a queued call), it would run after it.
    bool uiRanDuringExport = false;
    QTimer::singleShot(0, this, [&] { uiRanDuringExport = m->exporting() && done.isEmpty(); });
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 30000);
    QVERIFY(uiRanDuringExport);
    tick.stop();
    QVERIFY(!m->exporting());
    const auto result = done.first().first().value<ui::ExportResult>();
    QVERIFY(!result.error);
    QCOMPARE(result.fileError, QString());
    QCOMPARE(result.rows, imported + 1); // and Siti
    // The UI thread's timer kept ticking while the worker wrote: a UI thread doing the export
    // itself would have ticked once at most in that time.
    // (QTRY's waits process events every ~20 ms, so at most about elapsed / 20 ticks are possible;
    // a 2-core machine busy with other work gives far fewer: 2 in 436 ms was seen with an ASan
    // build and a CI run beside the suite. A UI thread blocked by the export ticks once at most
    // before it is done; the check above is the one that does not depend on the load.)
    if (result.elapsedMs >= 100)
        QVERIFY2(ticks >= 2, qPrintable(u"%1 ticks in %2 ms"_s.arg(ticks).arg(result.elapsedMs)));
    qInfo("members export: %lld ms on the worker, %d timer ticks on the UI thread", result.elapsedMs, ticks);
    // Said under the button (the export tab is open); the message line stays free.
    QCOMPARE(m->membersExportStatus()->text(), u"Saved %1. Members: %2."_s.arg(path).arg(imported + 1));
    QVERIFY(m->membersExportStatus()->isVisible());
    QCOMPARE(m_w->message(), QString());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n'); // CSV lines end in CRLF
    QCOMPARE(lines.first(), QByteArray("member_id,status,tier,balance,enrolled_at,home_store,cards,name,phone,email,birth_date,"
                                       "marketing_consent,whatsapp_consent\r"));
    QCOMPARE(lines.size(), imported + 3); // header, rows, the empty piece after the last newline
    auto rowOf = [&lines](const QByteArray &memberId) {
        const auto it = std::find_if(lines.begin(), lines.end(), [&](const QByteArray &l) { return l.startsWith(memberId + ','); });
        return it == lines.end() ? QByteArray() : *it;
    };
    QVERIFY2(rowOf(m_siti.toUtf8()).contains(",active,"), rowOf(m_siti.toUtf8()).constData());
    QVERIFY2(rowOf(m_siti.toUtf8()).contains(",Siti Rahmawati,+6281234567890,"), rowOf(m_siti.toUtf8()).constData());
    const QString last = m_ts->loyalty().memberByPhone(u"0813%1"_s.arg(10000000 + imported - 1))->memberId;
    QVERIFY2(rowOf(last.toUtf8()).contains(u",Anggota Nomor %1,"_s.arg(imported - 1).toUtf8()), rowOf(last.toUtf8()).constData());
    // Events, as many rows as the ledger holds; two exports asked at once are both written, in turn.
    const QString events = m_ts->dir() + u"/events.csv"_s, again = m_ts->dir() + u"/events-again.csv"_s;
    m->eventsPath()->setText(events);
    m->exportEvents();
    m->eventsPath()->setText(again);
    m->exportEvents();
    QVERIFY2(m->eventsExportStatus()->text().contains(u"2 files in the queue"_s), qPrintable(m->eventsExportStatus()->text()));
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 3, 30000);
    QCOMPARE(done.at(1).first().value<ui::ExportResult>().path, events);
    QCOMPARE(done.at(2).first().value<ui::ExportResult>().path, again);
    QCOMPARE(done.at(2).first().value<ui::ExportResult>().rows, int(eventCount()));
    QFile e(again);
    QVERIFY(e.open(QIODevice::ReadOnly));
    QCOMPARE(e.readAll().count('\n'), eventCount() + 1);
    QCOMPARE(m->eventsExportStatus()->text(), u"Saved %1. Events: %2."_s.arg(again).arg(eventCount()));
    // A file that cannot be written: said in words, on the UI thread.
    m->eventsPath()->setText(m_ts->dir() + u"/no-such-folder/events.csv"_s);
    m->exportEvents();
    QTRY_COMPARE(done.count(), 4);
    QVERIFY2(m_w->message().startsWith(u"Cannot save "_s), qPrintable(m_w->message()));
    QCOMPARE(m->eventsExportStatus()->text(), m_w->message());
    // Finished while the manager is on another tab: the message line says it.
    m->eventsPath()->setText(events);
    m->exportEvents();
    m->tabs()->setCurrentIndex(ManagerPanel::DashboardTab);
    QTRY_COMPARE(done.count(), 5);
    QVERIFY2(m_w->message().startsWith(u"Saved %1."_s.arg(events)), qPrintable(m_w->message()));
}

void TestManager::closingWhileTheWorkerExports()
{
    QVERIFY(m_ts->loyalty().importMembers(importedMembers(600), u"setup"_s).errors.isEmpty());
    start();
    unlocked();
    ManagerPanel *m = m_w->managerPanel();
    m->personalData()->setChecked(true);
    const QStringList paths = {m_ts->dir() + u"/a.csv"_s, m_ts->dir() + u"/b.csv"_s, m_ts->dir() + u"/c.csv"_s};
    for (const QString &p : paths) {
        m->membersPath()->setText(p);
        m->exportMembers();
    }
    QVERIFY(m->exporting());
    // Closed at once: the export in hand finishes, the queued ones are skipped, the thread is joined.
    QElapsedTimer closing;
    closing.start();
    m_w.reset();
    QVERIFY(closing.elapsed() < 20000);
    for (const QString &p : paths) {
        QFile f(p);
        if (!f.exists())
            continue; // never started; QSaveFile leaves no half file either
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().count('\n'), 600 + 2);
    }
    // The store is still fine for the writer.
    QVERIFY(m_ts->loyalty().earn(m_siti, m_ts->basket(u"AFTER"_s, 50000), u"kasir"_s).ok());
}

void TestManager::scannerThresholdsApplyLive()
{
    start();
    unlocked(); // typed as a burst: no scanner listens yet
    ManagerPanel *m = m_w->managerPanel();
    ui::WedgeScanner *scanner = m_w->enableKeyboardWedge();
    QSignalSpy scans(scanner, &ui::WedgeScanner::scanned);
    m->tabs()->setCurrentIndex(ManagerPanel::SettingsTab);
    QCOMPARE(m->wedgeMaxGap()->value(), 35);
    QCOMPARE(m->wedgeMinLength()->value(), 4);
    QCOMPARE(m->wedgeTerminator()->currentText(), u"Enter"_s);
    QCOMPARE(m->deviceStatus().at(0), u"● Keyboard-wedge scanner: listening"_s);
    QVERIFY2(m->deviceStatus().at(1).contains(u"USB scanners: not started on this terminal"_s), qPrintable(m->deviceStatus().at(1)));
    QVERIFY2(m->deviceStatus().at(2).contains(u"Receipt printer: not started on this terminal"_s), qPrintable(m->deviceStatus().at(2)));
    QVERIFY2(m->deviceStatus().at(2).contains(u"Contactless readers: not started on this terminal"_s), qPrintable(m->deviceStatus().at(2)));
    QVERIFY2(m->deviceStatus().at(2).contains(u"Camera: none found"_s), qPrintable(m->deviceStatus().at(2)));
    // Keys 50 ms apart, then Enter: slower than the 35 ms a burst may have between keys, so typing.
    QLineEdit *field = m->newStaffName();
    auto typeEvery50ms = [field](const QString &text) {
        field->setFocus();
        for (QChar c : text) {
            QTest::keyClick(field, c.toLatin1());
            QTest::qWait(50);
        }
        QTest::keyClick(field, Qt::Key_Return);
        QTest::qWait(250); // longer than any pause that ends a burst
    };
    typeEvery50ms(u"29000017"_s);
    QCOMPARE(field->text(), u"29000017"_s);
    QCOMPARE(scans.count(), 0);
    // Up to 150 ms between keys: the same keys are now a scan, and never reach the field.
    field->clear();
    m->wedgeMaxGap()->setValue(150);
    QTest::mouseClick(m->applyDevicesButton(), Qt::LeftButton);
    QVERIFY2(m_w->message().contains(u"applied and saved"_s), qPrintable(m_w->message()));
    QCOMPARE(scanner->settings().maxGapMs, 150);
    typeEvery50ms(u"29000017"_s);
    QCOMPARE(scans.count(), 1);
    QCOMPARE(scans.first().first().value<Scan>().payload, QByteArray("29000017"));
    QCOMPARE(field->text(), QString());
    QCOMPARE(m->tabs()->currentIndex(), int(ManagerPanel::SettingsTab)); // shown here, for testing the scanner
    QVERIFY2(m->lastScan()->text().contains(u"29000017 (8 characters)"_s), qPrintable(m->lastScan()->text()));
    // A code shorter than the minimum length is typing again.
    m->wedgeMinLength()->setValue(10);
    m->wedgeTerminator()->setCurrentIndex(m->wedgeTerminator()->findText(u"Tab"_s));
    m->applyDevices();
    typeEvery50ms(u"29000017"_s);
    QCOMPARE(scans.count(), 1);
    QCOMPARE(field->text(), u"29000017"_s);
    // The scanner now ends its codes with Tab: a fast burst ended by Enter is typing, by Tab a scan.
    field->clear();
    m->wedgeMinLength()->setValue(4);
    m->applyDevices();
    auto burstEndedBy = [field](const QString &text, Qt::Key end) {
        field->setFocus();
        for (QChar c : text)
            QTest::keyClick(field, c.toLatin1()); // no wait: as fast as a scanner
        QTest::keyClick(field, end);
        QTest::qWait(250);
    };
    burstEndedBy(u"29000017"_s, Qt::Key_Return);
    QCOMPARE(scans.count(), 1);
    QCOMPARE(field->text(), u"29000017"_s);
    field->clear();
    burstEndedBy(u"29000025"_s, Qt::Key_Tab);
    QCOMPARE(scans.count(), 2);
    QCOMPARE(scans.last().first().value<Scan>().payload, QByteArray("29000025"));
    QCOMPARE(field->text(), QString());
    m->wedgeMinLength()->setValue(10);
    m->applyDevices();
    // Saved in the store's settings, audited under the manager: a restart reads them back.
    const ui::WedgeScanner::Settings saved = ui::WedgeScanner::load(m_w->loyalty());
    QCOMPARE(saved.maxGapMs, 150);
    QCOMPARE(saved.minLength, 10);
    QCOMPARE(saved.terminator, ui::WedgeScanner::Terminator::Tab);
    bool audited = false;
    for (const QStringList &line : m_w->loyalty().auditLog(20))
        audited = audited || line.join(u' ').contains(u"scanner_terminator"_s);
    QVERIFY(audited);
    QVERIFY(!m_w->loyalty().setSetting(u"scanner_max_gap_ms"_s, u"5000"_s, u"x"_s).ok()); // out of range: refused
    m_w.reset();
    start(false);
    QCOMPARE(m_w->enableKeyboardWedge()->settings(), saved);
}

void TestManager::hubUrlIsChecked()
{
    start();
    unlocked();
    ManagerPanel *m = m_w->managerPanel();
    m->tabs()->setCurrentIndex(ManagerPanel::SettingsTab);
    QVERIFY2(m->deviceStatus().at(3).contains(u"Not connected to a hub"_s), qPrintable(m->deviceStatus().at(3)));
    m->hubUrl()->setText(u"hub kemang"_s);
    m->saveSettings();
    QVERIFY2(m_w->message().contains(u"must look like https://"_s), qPrintable(m_w->message()));
    QCOMPARE(m_ts->loyalty().setting(u"hub_url"_s), QString());
    m->hubUrl()->setText(u"https://hub.kopisenja.co.id"_s);
    m->saveSettings();
    QCOMPARE(m_ts->loyalty().setting(u"hub_url"_s), u"https://hub.kopisenja.co.id"_s);
    m->refreshDevices();
    // A URL typed here is not a registration: the terminal says what is missing.
    QVERIFY2(m->deviceStatus().at(3).contains(u"https://hub.kopisenja.co.id set, but this terminal has no enrollment token"_s),
             qPrintable(m->deviceStatus().at(3)));
    QVERIFY(!m_ts->loyalty().syncRegistered());
    // With the sync client's state (app/setia wires it), the same line tells the cashier where sync stands.
    setia::ui::SyncIndicator state{true, true, false, false, 3, 0, 0, u"The hub cannot be reached (Connection refused)."_s};
    m_w->setSyncSource([&state] { return state; });
    QVERIFY2(m_w->syncLine().contains(u"Offline · 3 event(s) waiting — sales and earning go on"_s), qPrintable(m_w->syncLine()));
    m->refreshDevices();
    QCOMPARE(m->deviceStatus().at(3), m_w->syncLine());
    state = setia::ui::SyncIndicator{true, true, true, false, 0, 0, QDateTime::currentMSecsSinceEpoch(), {}};
    QVERIFY2(m_w->syncLine().startsWith(u"● Synced with the hub at "_s), qPrintable(m_w->syncLine()));
    // The first pull of the chain: the terminal says it is being prepared, and how far it is.
    state.preparing = true;
    state.membersReceived = 45'000;
    QVERIFY2(m_w->syncLine().contains(u"Preparing this terminal: 45,000 chain members received — sales go on"_s),
             qPrintable(m_w->syncLine()));
    m_w->setLanguage(u"id"_s);
    QVERIFY2(m_w->syncLine().contains(u"Menyiapkan terminal: 45.000 anggota jaringan diterima — penjualan tetap jalan"_s), qPrintable(m_w->syncLine()));
    m_w->setLanguage(u"en"_s);
    state.online = false; // offline says so first: the pull goes on when the hub is back
    QVERIFY2(m_w->syncLine().contains(u"Offline — sales and earning go on"_s), qPrintable(m_w->syncLine()));
    state.online = true;
    state.preparing = false;
    QVERIFY2(m_w->syncLine().startsWith(u"● Synced with the hub at "_s), qPrintable(m_w->syncLine()));
    state.refused = 1;
    QVERIFY2(m_w->syncLine().contains(u"not accepted by the hub"_s), qPrintable(m_w->syncLine()));
    state = setia::ui::SyncIndicator{true, false, false, false, 0, 0, 0, u"invalid_token"_s};
    QVERIFY2(m_w->syncLine().contains(u"Not registered with the hub yet (retrying): invalid_token"_s), qPrintable(m_w->syncLine()));
    m_w->setSyncSource({});
}

void TestManager::kioskClosesOnlyForAManager()
{
    start();
    m_w->setKiosk(true);
    QVERIFY(m_w->isFullScreen() || QGuiApplication::platformName() == u"offscreen"_s);
    QVERIFY(!m_w->close()); // a cashier (Alt+F4, the window manager): refused, and told why
    QVERIFY(m_w->isVisible());
    QVERIFY2(m_w->message().contains(u"Only a manager can close Setia"_s), qPrintable(m_w->message()));
    unlocked();
    QVERIFY(m_w->close()); // a manager signed in: closes
    m_w->setKiosk(false);
}

void TestManager::inactivityLocksAndReturnsToTheTill()
{
    start();
    QTest::keyClick(m_w.get(), Qt::Key_F9);
    ManagerPanel *m = m_w->managerPanel();
    m->setIdleTimeout(400);
    typeUnlock(u"Bu Ratna"_s, u"482913"_s);
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlocked);
    // Activity keeps it open well past the timeout.
    m->tabs()->setCurrentIndex(ManagerPanel::MembersTab);
    for (int i = 0; i < 16; ++i) {
        QTest::keyClick(m->searchField(), Qt::Key_A);
        QTest::qWait(50);
    }
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlocked);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Manager);
    // Then nothing: locked, and the till is back.
    QTRY_COMPARE_WITH_TIMEOUT(m_w->page(), TerminalWindow::Page::Scan, 3000);
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlock);
    QCOMPARE(m->manager(), QString());
    QVERIFY2(m_w->message().contains(u"locked"_s), qPrintable(m_w->message()));
    QTest::keyClick(m_w.get(), Qt::Key_F9);
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlock); // a PIN again
}

void TestManager::escapeLocks()
{
    start();
    QTest::mouseClick(m_w->scanPage()->findChildren<QPushButton *>().last(), Qt::LeftButton); // "Manager (F9)"
    QCOMPARE(m_w->page(), TerminalWindow::Page::Manager);
    ManagerPanel *m = m_w->managerPanel();
    typeUnlock(u"Bu Ratna"_s, u"482913"_s);
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlocked);
    // A cashier's function key does nothing here; Escape leaves and locks.
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_F2);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Manager);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
    QCOMPARE(m->mode(), ManagerPanel::Mode::Unlock);
}

QTEST_MAIN(TestManager)
#include "tst_manager.moc"
