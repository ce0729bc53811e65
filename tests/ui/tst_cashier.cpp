// The cashier's flows driven through the widgets, offscreen, as a cashier (and a
// keyboard-wedge scanner) would: keystrokes, Enter, Escape, function keys.
#include "testsupport.h"

#include "drivers/keyboardwedge.h"
#include "drivers/virtualscanner.h"
#include "ui/pages.h"
#include "ui/terminalwindow.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace setia;
using setia::ui::TerminalWindow;

class TestCashier : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void scanEarnReceipt();
    void wedgeBurstNeverTypesIntoAField();
    void personTypingReachesTheField();
    void enrollWithDuplicatePhone();
    void enrollAssignsScannedCard();
    void redeemWithTooFewPoints();
    void redeemReward();
    void refundTakesPointsBack();
    void refundFromTheMembersReceipts();
    void escapeBacksOut();
    void unknownAndBlockedCardsInCashierWords();
    void indonesianIsComplete();
    void virtualScannerReachesTheTill();

private:
    void burst(QWidget *target, const QString &text); // as a scanner types: all at once, then Enter
    std::unique_ptr<test::TempStore> m_ts;
    std::unique_ptr<Staff> m_staff;
    std::unique_ptr<TerminalWindow> m_w;
    std::unique_ptr<KeyboardWedge> m_wedge;
    QString m_siti;
};

void TestCashier::init()
{
    m_ts = std::make_unique<test::TempStore>(test::demoProgram());
    QVERIFY2(m_ts->ok(), qPrintable(m_ts->error()));
    m_siti = m_ts->enroll(u"Siti Rahmawati"_s, u"081234567890"_s, QDate(1994, 7, 15), {}, u"2900000000017"_s); // not March: no birthday bonus
    QVERIFY(!m_siti.isEmpty());
    m_staff = std::make_unique<Staff>(m_ts->store(), m_ts->clock(), m_ts->random());
    m_w = std::make_unique<TerminalWindow>(m_ts->loyalty(), *m_staff);
    m_w->setLanguage(u"en"_s);
    m_w->resize(1280, 800);
    m_w->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_w.get()));
    m_wedge = std::make_unique<KeyboardWedge>();
    qApp->installEventFilter(m_wedge.get());
    connect(m_wedge.get(), &KeyboardWedge::scanned, m_w.get(), &TerminalWindow::handleScan);
}

void TestCashier::cleanup()
{
    qApp->removeEventFilter(m_wedge.get());
    m_wedge.reset();
    m_w.reset();
    m_staff.reset();
    m_ts.reset();
}

void TestCashier::burst(QWidget *target, const QString &text)
{
    QTest::keyClicks(target, text); // synchronous: microseconds apart, faster than any person
    QTest::keyClick(target, Qt::Key_Return);
    QCoreApplication::processEvents();
}

void TestCashier::scanEarnReceipt()
{
    QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
    burst(QApplication::focusWidget(), u"2900000000017"_s);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Member);
    QCOMPARE(m_w->currentMember(), m_siti);
    QCOMPARE(m_w->memberPage()->nameLabel()->text(), u"Siti R."_s); // masked for the queue
    QTest::keyClick(m_w.get(), Qt::Key_F5);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Earn);
    QLineEdit *amount = m_w->earnPage()->amount();
    QCOMPARE(QApplication::focusWidget(), amount);
    amount->setText(u"116.000"_s);
    m_w->earnPage()->payment()->setCurrentIndex(1); // QRIS
    // Live quote: 116.000 -> base 11, QRIS x1.1 adds floor(1.16) = 1.
    QCOMPARE(m_w->earnPage()->explanation()->count(), 2);
    m_w->earnPage()->receipt()->setText(u"POS-77"_s);
    QTest::keyClick(amount, Qt::Key_Return);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Receipt);
    const QString slip = m_w->receiptPage()->slipText();
    QVERIFY2(slip.contains(u"Points earned: 12"_s), qPrintable(slip));
    QVERIFY(slip.contains(u"New balance: 12"_s));
    QVERIFY(slip.contains(u"Rp116.000"_s));
    QVERIFY(!slip.contains(u"Rahmawati"_s));
    QCOMPARE(m_ts->loyalty().member(m_siti)->balance, 12);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return); // Done
    QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
}

void TestCashier::wedgeBurstNeverTypesIntoAField()
{
    QVERIFY(m_ts->enroll(u"Budi Santoso"_s, u"081311112222"_s, {}, {}, u"2900000000024"_s).size() > 0);
    burst(QApplication::focusWidget(), u"2900000000017"_s);
    QTest::keyClick(m_w.get(), Qt::Key_F5);
    QLineEdit *amount = m_w->earnPage()->amount();
    QCOMPARE(QApplication::focusWidget(), amount);
    amount->setText(u"50000"_s);
    // The next customer's card is scanned while the amount field has focus.
    burst(amount, u"2900000000024"_s);
    QCOMPARE(amount->text(), u"50000"_s); // not a single digit landed in the field
    QCOMPARE(m_w->page(), TerminalWindow::Page::Member);
    QCOMPARE(m_w->memberPage()->nameLabel()->text(), u"Budi S."_s);
}

void TestCashier::personTypingReachesTheField()
{
    QLineEdit *entry = m_w->scanPage()->entry();
    QCOMPARE(QApplication::focusWidget(), entry);
    QSignalSpy scans(m_wedge.get(), &KeyboardWedge::scanned);
    for (QChar c : u"0812"_s) {
        QTest::keyClick(entry, c.toLatin1());
        QTest::qWait(90); // a person: slower than any scanner
    }
    QTest::qWait(120);
    QCOMPARE(entry->text(), u"0812"_s);
    QCOMPARE(scans.count(), 0);
}

void TestCashier::enrollWithDuplicatePhone()
{
    QTest::keyClick(m_w.get(), Qt::Key_F2);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Enroll);
    m_w->enrollPage()->name()->setText(u"Rina Wulandari"_s);
    m_w->enrollPage()->phone()->setText(u"+62 812-3456-7890"_s); // Siti's number, written differently
    QTest::mouseClick(m_w->enrollPage()->submitButton(), Qt::LeftButton);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Enroll);
    QVERIFY2(m_w->message().contains(u"already a member"_s), qPrintable(m_w->message()));
    QVERIFY(!m_w->message().contains(u"SQL"_s));
    QVERIFY(!m_ts->loyalty().search(u"rina"_s).value().size());
    // Corrected, it goes through.
    m_w->enrollPage()->phone()->setText(u"0813-9999-0000"_s);
    m_w->enrollPage()->digitalCard()->setChecked(true);
    QTest::keyClick(m_w->enrollPage()->phone(), Qt::Key_Return);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Member);
    QVERIFY2(m_w->message().contains(u"Welcome"_s), qPrintable(m_w->message()));
    auto m = m_ts->loyalty().memberByPhone(u"081399990000"_s);
    QVERIFY(m.ok());
    QCOMPARE(m->cards.size(), 1);
    QCOMPARE(m->cards.first().kind, u"qr"_s);
    // The digital card is shown as a QR code on screen.
    QVERIFY(m_w->memberPage()->qrLabel()->isVisible());
    QVERIFY(!m_w->memberPage()->qrLabel()->pixmap().isNull());
    // A member with only a printed card gets no QR.
    m_w->openMember(m_siti);
    QVERIFY(!m_w->memberPage()->qrLabel()->isVisible());
}

void TestCashier::enrollAssignsScannedCard()
{
    QTest::keyClick(m_w.get(), Qt::Key_F2);
    QLineEdit *name = m_w->enrollPage()->name();
    QCOMPARE(QApplication::focusWidget(), name);
    name->setText(u"Dewi Lestari"_s);
    burst(name, u"2900000000031"_s); // the printed card handed over, scanned while typing the name
    QCOMPARE(name->text(), u"Dewi Lestari"_s);
    QCOMPARE(m_w->enrollPage()->card()->text(), u"2900000000031"_s);
    m_w->enrollPage()->phone()->setText(u"081355556666"_s);
    m_w->enrollPage()->submit();
    QCOMPARE(m_w->page(), TerminalWindow::Page::Member);
    QCOMPARE(m_ts->loyalty().memberByCard(u"2900000000031"_s)->profile.name, u"Dewi Lestari"_s);
}

void TestCashier::redeemWithTooFewPoints()
{
    Basket b = m_ts->basket(u"R1"_s, 100000); // 10 points
    QVERIFY(m_ts->loyalty().earn(m_siti, b, u"t"_s).ok());
    m_w->openMember(m_siti);
    QTest::keyClick(m_w.get(), Qt::Key_F6);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Redeem);
    const auto tiles = m_w->redeemPage()->tiles();
    QCOMPARE(tiles.size(), 4);
    for (QPushButton *t : tiles)
        QVERIFY2(!t->isEnabled(), qPrintable(t->text())); // nothing costs 10 or less
    QVERIFY(tiles.first()->text().contains(u"more needed"_s));
    // Even if a reward is chosen another way, the engine refuses and the cashier is told why.
    m_w->redeemPage()->choose(u"croissant"_s);
    QTest::mouseClick(m_w->redeemPage()->confirmButton(), Qt::LeftButton);
    QVERIFY2(m_w->message().contains(u"Not enough points"_s), qPrintable(m_w->message()));
    QCOMPARE(m_ts->loyalty().member(m_siti)->balance, 10);
}

void TestCashier::redeemReward()
{
    QVERIFY(m_ts->loyalty().earn(m_siti, m_ts->basket(u"R1"_s, 600000), u"t"_s).ok()); // 60
    m_w->openMember(m_siti);
    QTest::keyClick(m_w.get(), Qt::Key_F6);
    const auto tiles = m_w->redeemPage()->tiles();
    QVERIFY(tiles.first()->isEnabled()); // affordable first
    QCOMPARE(QApplication::focusWidget(), tiles.first());
    QTest::keyClick(tiles.first(), Qt::Key_Space);
    QTRY_VERIFY(m_w->redeemPage()->question()->text().contains(u"Balance after"_s)); // a key held briefly by the wedge
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Space); // the confirm button has focus
    QTRY_COMPARE(m_w->page(), TerminalWindow::Page::Receipt);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Receipt);
    QVERIFY(m_w->receiptPage()->slipText().contains(u"Redeemed: Butter Croissant"_s));
    QCOMPARE(m_ts->loyalty().member(m_siti)->balance, 25);
}

void TestCashier::refundTakesPointsBack()
{
    QVERIFY(m_ts->loyalty().earn(m_siti, m_ts->basket(u"POS-9"_s, 300000), u"t"_s).ok()); // 30
    QTest::keyClick(m_w.get(), Qt::Key_F7);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Refund);
    m_w->refundPage()->receipt()->setText(u"POS-9"_s);
    m_w->refundPage()->amount()->setText(u"100.000"_s);
    m_w->refundPage()->submit(); // no reason
    QVERIFY(m_w->message().contains(u"reason"_s));
    m_w->refundPage()->reason()->setText(u"one item returned"_s);
    QTest::keyClick(m_w->refundPage()->reason(), Qt::Key_Return);
    QVERIFY2(m_w->message().contains(u"10 points taken back"_s), qPrintable(m_w->message()));
    QCOMPARE(m_ts->loyalty().member(m_siti)->balance, 20);
}

void TestCashier::refundFromTheMembersReceipts()
{
    // Scan the member, earn on a receipt as the cashier does.
    burst(QApplication::focusWidget(), u"2900000000017"_s);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Member);
    QTest::keyClick(m_w.get(), Qt::Key_F5);
    m_w->earnPage()->amount()->setText(u"300.000"_s);
    m_w->earnPage()->receipt()->setText(u"POS-31"_s);
    QTest::keyClick(m_w->earnPage()->amount(), Qt::Key_Return);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Receipt);
    QCOMPARE(m_ts->loyalty().member(m_siti)->balance, 30);
    QVERIFY(m_ts->loyalty().earn(m_siti, m_ts->basket(u"POS-32"_s, 50000), u"t"_s).ok()); // 5, a later sale
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return); // Done
    // The next day the customer is back with goods from POS-31: scan, then the receipts (F8).
    burst(QApplication::focusWidget(), u"2900000000017"_s);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Member);
    QTest::keyClick(m_w.get(), Qt::Key_F8);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Receipts);
    ui::ReceiptsPage *receipts = m_w->receiptsPage();
    QCOMPARE(receipts->receiptIds(), (QStringList{u"POS-32"_s, u"POS-31"_s})); // newest first
    QCOMPARE(QApplication::focusWidget(), receipts->list());
    QCOMPARE(receipts->list()->currentRow(), 0);
    QVERIFY2(receipts->list()->item(1)->text().contains(u"Receipt POS-31 — Rp300.000"_s), qPrintable(receipts->list()->item(1)->text()));
    QVERIFY2(receipts->list()->item(1)->text().contains(u"+30 points"_s), qPrintable(receipts->list()->item(1)->text()));
    // Down to POS-31, Enter: the refund form, filled in, waiting for the reason.
    QTest::keyClick(receipts->list(), Qt::Key_Down);
    QTest::keyClick(receipts->list(), Qt::Key_Return);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Refund);
    ui::RefundPage *refund = m_w->refundPage();
    QCOMPARE(refund->receipt()->text(), u"POS-31"_s);
    QCOMPARE(QApplication::focusWidget(), refund->reason());
    QVERIFY2(refund->summary()->isVisible() && refund->summary()->text().contains(u"POS-31"_s), qPrintable(refund->summary()->text()));
    // Escape goes back to the list, not past it; Enter there comes back to the same receipt.
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Receipts);
    QCOMPARE(receipts->list()->currentRow(), 0);
    QTest::keyClick(receipts->list(), Qt::Key_Down);
    QTest::mouseClick(receipts->refundButton(), Qt::LeftButton);
    QCOMPARE(refund->receipt()->text(), u"POS-31"_s);
    // Part of it first: one item of three.
    refund->amount()->setText(u"100.000"_s);
    QTest::keyClick(refund->reason(), Qt::Key_Return); // no reason yet
    QVERIFY2(m_w->message().contains(u"reason"_s), qPrintable(m_w->message()));
    QCOMPARE(QApplication::focusWidget(), refund->reason());
    QCOMPARE(m_ts->loyalty().member(m_siti)->balance, 35);
    refund->reason()->setText(u"one item returned"_s);
    QTest::keyClick(refund->reason(), Qt::Key_Return);
    // Back on the member, with the balance the refund left.
    QCOMPARE(m_w->page(), TerminalWindow::Page::Member);
    QVERIFY2(m_w->message().contains(u"10 points taken back"_s), qPrintable(m_w->message()));
    QCOMPARE(m_ts->loyalty().member(m_siti)->balance, 25);
    QCOMPARE(m_w->memberPage()->balanceLabel()->text(), u"25 points"_s);
    // The list says what is left; the rest goes back too.
    QTest::keyClick(m_w.get(), Qt::Key_F8);
    QVERIFY2(receipts->list()->item(1)->text().contains(u"Rp100.000 refunded, Rp200.000 left"_s), qPrintable(receipts->list()->item(1)->text()));
    receipts->list()->setCurrentRow(1);
    receipts->refundChosen();
    QVERIFY2(refund->amount()->placeholderText().contains(u"Rp200.000"_s), qPrintable(refund->amount()->placeholderText()));
    refund->reason()->setText(u"all returned"_s);
    refund->submit();
    QCOMPARE(m_ts->loyalty().member(m_siti)->balance, 5);
    QCOMPARE(m_w->memberPage()->balanceLabel()->text(), u"5 points"_s);
    // A fully refunded receipt cannot be chosen again.
    QTest::keyClick(m_w.get(), Qt::Key_F8);
    QListWidgetItem *done = receipts->list()->item(1);
    QVERIFY2(done->text().contains(u"refunded"_s), qPrintable(done->text()));
    QVERIFY(!(done->flags() & Qt::ItemIsEnabled));
    receipts->list()->setCurrentRow(1);
    receipts->refundChosen();
    QCOMPARE(m_w->page(), TerminalWindow::Page::Receipts);
    QVERIFY2(m_w->message().contains(u"Choose a receipt"_s), qPrintable(m_w->message()));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Member);
}

void TestCashier::escapeBacksOut()
{
    m_w->openMember(m_siti);
    QTest::keyClick(m_w.get(), Qt::Key_F5);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Earn);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Member);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
    QTest::keyClick(m_w.get(), Qt::Key_F2);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
}

void TestCashier::unknownAndBlockedCardsInCashierWords()
{
    burst(QApplication::focusWidget(), u"2999999999999"_s);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
    QVERIFY2(m_w->message().contains(u"not registered"_s), qPrintable(m_w->message()));
    QVERIFY(m_ts->loyalty().blockCard(u"2900000000017"_s, u"lost"_s, QString(), u"mgr"_s).ok());
    burst(QApplication::focusWidget(), u"2900000000017"_s);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
    QVERIFY2(m_w->message().contains(u"ask for the replacement card"_s), qPrintable(m_w->message()));
}

void TestCashier::indonesianIsComplete()
{
    m_w->setLanguage(u"id"_s);
    QCOMPARE(QCoreApplication::translate("setia::ui::ScanPage", "Find"), u"Cari"_s);
    QCOMPARE(QCoreApplication::translate("setia::ui::MemberPage", "Earn points (F5)"), u"Kumpulkan poin (F5)"_s);
    QCOMPARE(QCoreApplication::translate("Texts", "This card is blocked — ask for the replacement card."),
             u"Kartu ini sudah diblokir — minta kartu pengganti."_s);
    // The screens themselves speak Indonesian, and errors reach the cashier translated.
    burst(QApplication::focusWidget(), u"2999999999999"_s);
    QVERIFY2(m_w->message().contains(u"Kartu ini belum terdaftar"_s) || !m_w->message().contains(u"not registered"_s),
             qPrintable(m_w->message()));
    m_w->setLanguage(u"en"_s);
    QCOMPARE(QCoreApplication::translate("setia::ui::ScanPage", "Find"), u"Find"_s);
}

void TestCashier::virtualScannerReachesTheTill()
{
#ifndef SETIACTL_PATH
    QSKIP("setiactl is not built");
#else
    // `setiactl scan` from another process, through the terminal's virtual scanner, lands on the
    // same handler as a real device: the member opens while a text field has focus, and the
    // field gets nothing.
    QTemporaryDir dir;
    VirtualScanner device;
    QVERIFY2(device.listen(dir.filePath(u"scanner.sock"_s)), qPrintable(device.errorString()));
    connect(&device, &VirtualScanner::scanned, m_w.get(), &TerminalWindow::handleScan);
    QTest::keyClick(m_w.get(), Qt::Key_F2); // enroll page: a form with focus in a text field
    QCOMPARE(m_w->page(), TerminalWindow::Page::Enroll);
    auto *field = qobject_cast<QLineEdit *>(QApplication::focusWidget());
    QVERIFY(field);
    QProcess p;
    p.start(QStringLiteral(SETIACTL_PATH), {u"scan"_s, u"--socket"_s, device.socketPath(), u"2900000000017"_s});
    QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 10000);
    QCOMPARE(p.exitCode(), 0);
    // While enrolling, a scanned card is the card being handed over, not text for the focused field.
    QTRY_COMPARE(m_w->enrollPage()->card()->text(), u"2900000000017"_s);
    if (field != m_w->enrollPage()->card())
        QCOMPARE(field->text(), QString());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    QTRY_COMPARE(m_w->page(), TerminalWindow::Page::Scan);
    QProcess q;
    q.start(QStringLiteral(SETIACTL_PATH), {u"scan"_s, u"--socket"_s, device.socketPath(), u"2900000000017"_s});
    QTRY_VERIFY_WITH_TIMEOUT(q.state() == QProcess::NotRunning, 10000);
    QCOMPARE(q.exitCode(), 0);
    QTRY_COMPARE(m_w->page(), TerminalWindow::Page::Member);
    QCOMPARE(m_w->currentMember(), m_siti);
#endif
}

QTEST_MAIN(TestCashier)
#include "tst_cashier.moc"
