// The store manager's screens driven through the widgets, offscreen: unlock with a PIN,
// lock-out, adjustments with a reason, alerts, program loading, dashboard, auto-lock.
#include "testsupport.h"

#include "core/staff.h"
#include "ui/managerpanel.h"
#include "ui/pages.h"
#include "ui/terminalwindow.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QBarSeries>
#include <QBarSet>
#include <QFile>
#include <QJsonArray>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
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
    void inactivityLocksAndReturnsToTheTill();
    void escapeLocks();

private:
    void start(bool withManager = true);
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
    QCOMPARE(m->chosenMember(), m_siti);
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
    QCOMPARE(m->stat(u"today.earned"_s), u"17"_s);
    QCOMPARE(m->stat(u"today.receipts"_s), u"2"_s);
    QCOMPARE(m->stat(u"today.enrolled"_s), u"1"_s);
    QCOMPARE(m->stat(u"week.earned"_s), u"17"_s);
    QVERIFY2(m->topMembers(u"today"_s)->item(0)->text().contains(u"Siti R. — 17 points"_s),
             qPrintable(m->topMembers(u"today"_s)->item(0)->text()));
    // The chart: earned by store-time hour.
    auto *series = qobject_cast<QBarSeries *>(m->chart()->chart()->series().value(0));
    QVERIFY(series);
    QCOMPARE(series->barSets().size(), 2);
    QCOMPARE(series->barSets().at(0)->at(10), 12.0);
    QCOMPARE(series->barSets().at(0)->at(11), 5.0);
    // A day later, "today" starts again; the week keeps them (Monday 2 March to Tuesday 3 March).
    m_ts->clock().advance(24 * 60 * 60 * 1000);
    m->refreshDashboard();
    QCOMPARE(m->stat(u"today.earned"_s), u"0"_s);
    QCOMPARE(m->stat(u"week.earned"_s), u"17"_s);
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
