// The till's devices beyond the keyboard, driven through the screens offscreen: the receipt
// printer (the virtual one: a file that takes the ESC/POS jobs), contactless readers' taps and
// the camera on a machine that has none. What is printed is drawn back as the printer would
// (renderEscPosPreview) and its barcodes decoded (decodeImage) — a printed card must open its
// member when scanned at the till.
#include "testsupport.h"

#include "drivers/camerascanner.h"
#include "drivers/escpos.h"
#include "drivers/framedecoder.h"
#include "ui/pages.h"
#include "drivers/slip.h"
#include "ui/printing.h"
#include "ui/terminalwindow.h"

#include <QApplication>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace setia;
using setia::ui::TerminalWindow;

class TestDevices : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void slipPrintsAfterEarn();
    void slipsCanBeTurnedOff();
    void noPrinterIsSaidPlainly();
    void unwritablePrinterFileLosesNothing();
    void printedCardOpensItsMember();
    void printedVoucherScansBack();
    void slipTextColumns();
    void contactlessTapOpensTheMember();
    void cameraWithoutCameraSaysSo();

private:
    QByteArray printed() const;
    void earn(const QString &receipt);
    std::unique_ptr<test::TempStore> m_ts;
    std::unique_ptr<Staff> m_staff;
    std::unique_ptr<TerminalWindow> m_w;
    QTemporaryDir m_dir;
    QString m_siti;
};

void TestDevices::init()
{
    m_ts = std::make_unique<test::TempStore>(test::demoProgram());
    QVERIFY2(m_ts->ok(), qPrintable(m_ts->error()));
    m_siti = m_ts->enroll(u"Siti Rahmawati"_s, u"081234567890"_s, QDate(1994, 7, 15), {}, u"2900000000017"_s);
    QVERIFY(!m_siti.isEmpty());
    m_staff = std::make_unique<Staff>(m_ts->store(), m_ts->clock(), m_ts->random());
    m_w = std::make_unique<TerminalWindow>(m_ts->loyalty(), *m_staff);
    m_w->setLanguage(u"en"_s);
    m_w->resize(1280, 800);
    m_w->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_w.get()));
    QFile::remove(m_dir.filePath(u"printer.bin"_s));
}

void TestDevices::cleanup()
{
    m_w.reset();
    m_staff.reset();
    m_ts.reset();
}

QByteArray TestDevices::printed() const
{
    QFile f(m_dir.filePath(u"printer.bin"_s));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void TestDevices::earn(const QString &receipt)
{
    m_w->openMember(m_siti);
    QTest::keyClick(m_w.get(), Qt::Key_F5);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Earn);
    m_w->earnPage()->amount()->setText(u"116.000"_s);
    m_w->earnPage()->receipt()->setText(receipt);
    QTest::keyClick(m_w->earnPage()->amount(), Qt::Key_Return);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Receipt);
}

void TestDevices::slipPrintsAfterEarn()
{
    m_w->printing()->setFile(m_dir.filePath(u"printer.bin"_s));
    earn(u"POS-1"_s);
    QTRY_VERIFY(!printed().isEmpty());
    const QByteArray job = printed();
    QVERIFY(job.startsWith("\x1b@"));                           // ESC @: the printer starts clean
    QVERIFY(job.contains("Points earned: 11"));
    QVERIFY(job.contains("Rp116.000"));
    QVERIFY(job.endsWith(QByteArray("\x1dV\x42\x00", 4)));       // GS V 66 0: fed and cut
    QVERIFY(!job.contains("Rahmawati"));                         // the name is masked on paper too
    QTRY_COMPARE(m_w->message(), u"Printed."_s);
    QString why;
    const QImage drawn = renderEscPosPreview(job, m_w->printing()->paper(), &why);
    QVERIFY2(!drawn.isNull(), qPrintable(why));
    QVERIFY(drawn.height() > 100);
    // Reprint (F4): a second job, the same slip.
    QTest::keyClick(m_w->receiptPage(), Qt::Key_F4);
    QCOMPARE(printed(), job + job);
    QCOMPARE(m_w->printing()->jobsSent(), 2);
}

void TestDevices::slipsCanBeTurnedOff()
{
    QVERIFY(m_ts->loyalty().setSetting(u"print_slips"_s, u"off"_s, u"test"_s).ok());
    m_w->printing()->setFile(m_dir.filePath(u"printer.bin"_s));
    earn(u"POS-2"_s);
    QTest::qWait(50); // nothing queued prints either
    QVERIFY(printed().isEmpty());
    m_w->receiptPage()->printButton()->click();
    QVERIFY(printed().contains("Points earned: 11"));
}

void TestDevices::noPrinterIsSaidPlainly()
{
    earn(u"POS-3"_s); // nothing ready: no automatic print, no message about it
    QTest::qWait(50);
    QVERIFY(!m_w->message().contains(u"printer"_s));
    QTest::keyClick(m_w->receiptPage(), Qt::Key_F4);
    QCOMPARE(m_w->message(), u"No receipt printer is set up on this terminal."_s);
    QCOMPARE(m_w->printing()->jobsSent(), 0);
}

void TestDevices::unwritablePrinterFileLosesNothing()
{
    m_w->printing()->setFile(m_dir.filePath(u"no-such-folder/printer.bin"_s));
    earn(u"POS-4"_s);
    QTRY_VERIFY2(m_w->message().contains(u"could not be written"_s), qPrintable(m_w->message()));
    QCOMPARE(m_ts->loyalty().member(m_siti)->balance, 11); // the earn stands; only the paper is missing
    QCOMPARE(m_w->page(), TerminalWindow::Page::Receipt);   // the slip is still on screen
    QVERIFY(m_w->receiptPage()->slipText().contains(u"Points earned: 11"_s));
}

void TestDevices::printedCardOpensItsMember()
{
    const QString budi = m_ts->enroll(u"Budi Santoso"_s, u"081311112222"_s);
    QVERIFY(!budi.isEmpty());
    auto card = m_ts->loyalty().assignCard(budi, u"2900000000025"_s, u"qr"_s, u"kasir"_s);
    QVERIFY2(card.ok(), qPrintable(card ? QString() : card.error().message));
    m_w->printing()->setFile(m_dir.filePath(u"printer.bin"_s));
    m_w->openMember(budi);
    QTest::keyClick(m_w->memberPage(), Qt::Key_F4);
    const QByteArray job = printed();
    QVERIFY(job.contains("Member card"));
    QVERIFY(!job.contains("Santoso"));
    QString why;
    const QImage drawn = renderEscPosPreview(job, PaperWidth::Mm80, &why);
    QVERIFY2(!drawn.isNull(), qPrintable(why));
    const auto scan = decodeImage(drawn, Scan::Source::Camera);
    QVERIFY(scan.has_value());
    QCOMPARE(scan->symbology, u"qr"_s);
    QVERIFY(scan->payload != "2900000000025"); // a signed token, not the bare number
    m_w->showScan();
    m_w->handleScan(*scan);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Member);
    QCOMPARE(m_w->currentMember(), budi);
    // A physical card prints as a Code 128 of its number.
    m_w->openMember(m_siti);
    QFile::remove(m_dir.filePath(u"printer.bin"_s));
    m_w->memberPage()->printCard();
    const auto bar = decodeImage(renderEscPosPreview(printed(), PaperWidth::Mm80), Scan::Source::Camera);
    QVERIFY(bar.has_value());
    QCOMPARE(bar->symbology, u"code128"_s);
    QCOMPARE(bar->payload, QByteArray("2900000000017"));
}

void TestDevices::printedVoucherScansBack()
{
    Slip slip;
    slip.title = u"Kopi Senja"_s;
    slip.rows << Slip::Row{u"Voucher code: ABCD-EFGH-JKM"_s, {}, true};
    slip.code128 = "ABCD-EFGH-JKM";
    const QByteArray job = slipJob(slip, PaperWidth::Mm58);
    const auto bar = decodeImage(renderEscPosPreview(job, PaperWidth::Mm58), Scan::Source::Camera);
    QVERIFY(bar.has_value());
    QCOMPARE(bar->payload, QByteArray("ABCD-EFGH-JKM"));
}

void TestDevices::slipTextColumns()
{
    Slip slip;
    slip.title = u"Toko"_s;
    slip.rows << Slip::Row{u"Base points"_s, u"+11"_s, false} << Slip::Row{} << Slip::Row{u"Total"_s, {}, true};
    const QStringList lines = slipText(slip, 20).split(u'\n');
    QCOMPARE(lines.size(), 5);
    QCOMPARE(lines.at(0), u"        Toko"_s);
    QCOMPARE(lines.at(1), QString(20, u'-'));
    QCOMPARE(lines.at(2), u"Base points      +11"_s);
    QCOMPARE(lines.at(2).size(), 20);
    QCOMPARE(lines.at(3), QString());
    QCOMPARE(lines.at(4), u"Total"_s);
}

void TestDevices::contactlessTapOpensTheMember()
{
    auto card = m_ts->loyalty().assignCard(m_siti, u"04A1B2C3D4E5F6"_s, u"contactless"_s, u"kasir"_s);
    QVERIFY2(card.ok(), qPrintable(card ? QString() : card.error().message));
    m_w->showScan();
    m_w->handleScan(Scan{Scan::Source::Contactless, u"uid"_s, "04A1B2C3D4E5F6", 0});
    QCOMPARE(m_w->page(), TerminalWindow::Page::Member);
    QCOMPARE(m_w->currentMember(), m_siti);
    m_w->showScan();
    m_w->handleScan(Scan{Scan::Source::Contactless, u"emv"_s, {}, 0}); // a bank card tapped
    QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
    QVERIFY2(m_w->message().contains(u"bank card"_s), qPrintable(m_w->message()));
    m_w->handleScan(Scan{Scan::Source::Contactless, u"uid"_s, "08A1B2C3", 0}); // a phone's random UID
    QVERIFY2(m_w->message().contains(u"new number at every tap"_s), qPrintable(m_w->message()));
    m_w->handleScan(Scan{Scan::Source::Contactless, u"uid"_s, "0499887766554433", 0}); // 8 bytes: no such UID
    QVERIFY2(m_w->message().contains(u"could not be read"_s), qPrintable(m_w->message()));
}

void TestDevices::cameraWithoutCameraSaysSo()
{
    if (!CameraScanner::cameras().isEmpty())
        QSKIP("this machine has a camera: the no-camera path is not reachable here");
    m_w->showScan();
    QTest::keyClick(m_w.get(), Qt::Key_F3);
    QVERIFY2(m_w->message().contains(u"The camera cannot be used"_s), qPrintable(m_w->message()));
    QVERIFY(!m_w->cameraOn());
    QVERIFY(!m_w->scanPage()->cameraView()->isVisible());
    QCOMPARE(m_w->scanPage()->cameraButton()->text(), u"Camera (F3)"_s);
    // The till still takes a typed number afterwards.
    m_w->lookup(u"2900000000017"_s);
    QCOMPARE(m_w->currentMember(), m_siti);
}

QTEST_MAIN(TestDevices)
#include "tst_devices.moc"
