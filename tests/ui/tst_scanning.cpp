// Scans at the terminal, offscreen, through TerminalWindow::handleScan (as every device
// delivers them) and the scan page's field (as a cashier types): swiped member cards, signed
// digital cards, vouchers, garbled reads — and bank cards, which are refused with a sentence and
// leave no trace: not on screen, not in a log, not in any file of the store (PCI DSS 3.3.1).
#include "testsupport.h"

#include "core/cardtoken.h"
#include "core/ids.h"
#include "drivers/barcode.h"
#include "drivers/scan.h"
#include "ui/pages.h"
#include "ui/terminalwindow.h"

#include <QApplication>
#include <QDirIterator>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace setia;
using setia::ui::TerminalWindow;

namespace {

// The Visa test card (not a real account) as a keyboard-mode reader sends tracks 1 and 2.
const QByteArray kPan = "4111111111111111";
const QByteArray kSwipe = "%B4111111111111111^DOE/JOHN^25121010000000000000?;4111111111111111=25121010000000000000?";
const QByteArray kPan2 = "5555555555554444"; // Mastercard's test number, typed

QStringList messages;
void captureMessages(QtMsgType, const QMessageLogContext &, const QString &text) { messages << text; }

Scan scanOf(const QByteArray &payload, Scan::Source source, const QString &symbology = QString())
{
    Scan s;
    s.source = source;
    s.symbology = symbology;
    s.payload = payload;
    return s;
}

QByteArray utf16(const QByteArray &ascii)
{
    const QString s = QString::fromLatin1(ascii);
    return QByteArray(reinterpret_cast<const char *>(s.utf16()), s.size() * 2);
}

} // namespace

class TestScanning : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void swipedMemberCardOpensTheMember();
    void digitalCardShowsASignedQr();
    void voucherAndGarbledScansAreSaid();
    void paymentCardsAreRefusedAndLeaveNoTrace();

private:
    std::unique_ptr<test::TempStore> m_ts;
    std::unique_ptr<Staff> m_staff;
    std::unique_ptr<TerminalWindow> m_w;
    QString m_card, m_siti;
};

void TestScanning::init()
{
    m_ts = std::make_unique<test::TempStore>(test::demoProgram());
    QVERIFY2(m_ts->ok(), qPrintable(m_ts->error()));
    m_card = makeMemberCardNumber(9, 1); // 2900000000018
    m_siti = m_ts->enroll(u"Siti Rahmawati"_s, u"081234567890"_s, QDate(1994, 7, 15), {}, m_card);
    QVERIFY(!m_siti.isEmpty());
    m_staff = std::make_unique<Staff>(m_ts->store(), m_ts->clock(), m_ts->random());
    m_w = std::make_unique<TerminalWindow>(m_ts->loyalty(), *m_staff);
    m_w->setLanguage(u"en"_s);
    m_w->resize(1280, 800);
    m_w->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_w.get()));
}

void TestScanning::cleanup()
{
    m_w.reset();
    m_staff.reset();
    m_ts.reset();
}

void TestScanning::swipedMemberCardOpensTheMember()
{
    // A keyboard-mode reader: start sentinel, number, end sentinel, LRC, CR.
    m_w->handleScan(scanOf(";" + m_card.toLatin1() + "?6\r", Scan::Source::MagStripe, u"track"_s));
    QCOMPARE(m_w->page(), TerminalWindow::Page::Member);
    QCOMPARE(m_w->currentMember(), m_siti);
    // Swiped while enrolling: the card field gets the number, not the track text.
    m_w->showScan();
    m_w->showPage(TerminalWindow::Page::Enroll);
    m_w->handleScan(scanOf("%B2900000000025^NEW/CARD^?\r", Scan::Source::MagStripe, u"track"_s));
    QCOMPARE(m_w->enrollPage()->card()->text(), u"2900000000025"_s);
}

void TestScanning::digitalCardShowsASignedQr()
{
    EnrollRequest r;
    r.name = u"Rina Wulandari"_s;
    r.phone = u"081399990000"_s;
    r.issueDigitalCard = true;
    r.actor = u"test"_s;
    auto rina = m_ts->loyalty().enroll(r);
    QVERIFY(rina.ok());
    const QString number = rina->cards.first().number;
    m_w->openMember(rina->memberId);
    const QImage shown = m_w->memberPage()->qrLabel()->pixmap().toImage();
    QVERIFY(!shown.isNull());
    // What is drawn is the signed token (the clock is fixed, so it is the same token again) ...
    const QString token = m_ts->loyalty().digitalCardToken(number);
    QVERIFY(token.startsWith(u"SETIA1."_s));
    QCOMPARE(shown, renderQrCode(token.toLatin1(), 4).convertToFormat(shown.format()));
    // ... not the bare number.
    QVERIFY(shown != renderQrCode(number.toUtf8(), 4).convertToFormat(shown.format()));
    // Scanned back from the member's phone, it opens the member; the bare number does not.
    m_w->showScan();
    m_w->handleScan(scanOf(token.toLatin1() + "\r", Scan::Source::Camera, u"qr"_s));
    QCOMPARE(m_w->page(), TerminalWindow::Page::Member);
    QCOMPARE(m_w->currentMember(), rina->memberId);
    m_w->showScan();
    m_w->lookup(number);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
    QVERIFY2(m_w->message().contains(u"digital card"_s), qPrintable(m_w->message()));
    // A QR made with another store's key is refused.
    const QString foreign = issueCardToken(number, m_ts->loyalty().nowMs(), kCardTokenDefaultValidityMs, randomBytes(32));
    m_w->handleScan(scanOf(foreign.toLatin1(), Scan::Source::Camera, u"qr"_s));
    QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
    QVERIFY2(m_w->message().contains(u"not a card from this store"_s), qPrintable(m_w->message()));
}

void TestScanning::voucherAndGarbledScansAreSaid()
{
    SeededRandom random(5);
    QString voucher;
    while (voucher.isEmpty() || !normalizeHumanCode(voucher).contains(QRegularExpression(u"[A-Z]"_s)))
        voucher = makeHumanCode(random, 10);
    m_w->handleScan(scanOf(voucher.toLatin1(), Scan::Source::KeyboardWedge));
    QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
    QVERIFY2(m_w->message().contains(u"voucher"_s), qPrintable(m_w->message()));
    QVERIFY2(m_w->message().contains(normalizeHumanCode(voucher)), qPrintable(m_w->message()));
    // With a member open, the scanned voucher lands in the redeem page's voucher field for them.
    m_w->openMember(m_siti);
    m_w->handleScan(scanOf(voucher.toLatin1(), Scan::Source::KeyboardWedge));
    QCOMPARE(m_w->page(), TerminalWindow::Page::Redeem);
    QCOMPARE(m_w->redeemPage()->voucher()->text(), normalizeHumanCode(voucher));
    QCOMPARE(m_w->currentMember(), m_siti);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    m_w->handleScan(scanOf(QByteArray("\x02\x1b[29", 5), Scan::Source::HidScanner));
    QVERIFY2(m_w->message().contains(u"could not be read"_s), qPrintable(m_w->message()));
    m_w->handleScan(scanOf(";2900000", Scan::Source::MagStripe, u"track"_s));
    QVERIFY2(m_w->message().contains(u"read only in part"_s), qPrintable(m_w->message()));
    QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
}

void TestScanning::paymentCardsAreRefusedAndLeaveNoTrace()
{
    const QString dir = m_ts->dir();
    const QString bankText = u"This is a bank card. Loyalty needs the member card or phone number."_s;
    static const QRegularExpression digit(u"[0-9]"_s);
    auto noPanOnScreen = [&] {
        for (QWidget *wdg : m_w->findChildren<QWidget *>()) {
            QString text;
            if (auto *l = qobject_cast<QLabel *>(wdg))
                text = l->text();
            else if (auto *e = qobject_cast<QLineEdit *>(wdg))
                text = e->text();
            QVERIFY2(!text.contains(QString::fromLatin1(kPan)) && !text.contains(QString::fromLatin1(kPan2))
                         && !text.contains(u"4111 1111"_s),
                     qPrintable(text));
        }
    };
    messages.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureMessages);

    // Swiped on the scan page, several times (the repeat-scan rule records repeated cards).
    for (int i = 0; i < 3; ++i) {
        m_w->handleScan(scanOf(kSwipe + "\r\n", Scan::Source::MagStripe, u"track"_s));
        QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
        QCOMPARE(m_w->message(), bankText);
        QVERIFY(!m_w->message().contains(digit));
    }
    // Through a keyboard wedge, with the track text only.
    m_w->handleScan(scanOf(";4111111111111111=2512101?", Scan::Source::KeyboardWedge));
    QCOMPARE(m_w->message(), bankText);
    // Typed into the scan field by a cashier, with spaces, then Enter: refused, and the field
    // forgets it (text and undo history).
    QLineEdit *entry = m_w->scanPage()->entry();
    entry->setFocus();
    QTest::keyClicks(entry, u"4111 1111 1111 1111"_s);
    QTest::keyClick(entry, Qt::Key_Return);
    QCOMPARE(m_w->page(), TerminalWindow::Page::Scan);
    QCOMPARE(m_w->message(), bankText);
    QCOMPARE(entry->text(), QString());
    QVERIFY(!entry->isUndoAvailable());
    m_w->lookup(QString::fromLatin1(kPan2));
    QCOMPARE(m_w->message(), bankText);
    // Swiped while enrolling: the card field stays empty.
    m_w->showPage(TerminalWindow::Page::Enroll);
    m_w->handleScan(scanOf(kSwipe, Scan::Source::MagStripe, u"track"_s));
    QCOMPARE(m_w->page(), TerminalWindow::Page::Enroll);
    QCOMPARE(m_w->enrollPage()->card()->text(), QString());
    QCOMPARE(m_w->message(), bankText);
    // Swiped on the manager's screens: refused before their search.
    m_w->showPage(TerminalWindow::Page::Manager);
    m_w->handleScan(scanOf(kSwipe, Scan::Source::MagStripe, u"track"_s));
    QCOMPARE(m_w->message(), bankText);
    noPanOnScreen();
    m_w->showScan();

    // The control: a member card swiped the same way opens the member and is recorded, so the
    // search below can find a scanned number when there is one.
    m_w->handleScan(scanOf(";" + m_card.toLatin1() + "?\r\n", Scan::Source::MagStripe, u"track"_s));
    QCOMPARE(m_w->currentMember(), m_siti);
    qInstallMessageHandler(previous);
    for (const QString &m : std::as_const(messages))
        QVERIFY2(!m.contains(QString::fromLatin1(kPan)) && !m.contains(QString::fromLatin1(kPan2)), qPrintable(m));
    QVERIFY(m_ts->loyalty().alerts(true).isEmpty());

    // Everything closed: no file in the store's folder (database, WAL, shared memory, key, any
    // log) holds either number, as ASCII or UTF-16.
    m_w.reset();
    m_staff.reset();
    m_ts->close();
    int files = 0;
    bool controlFound = false;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(path));
        const QByteArray bytes = f.readAll();
        ++files;
        controlFound = controlFound || bytes.contains(m_card.toLatin1());
        for (const QByteArray &pan : {kPan, kPan2}) {
            QVERIFY2(!bytes.contains(pan), qPrintable(path));
            QVERIFY2(!bytes.contains(utf16(pan)), qPrintable(path));
        }
    }
    QVERIFY(files >= 2);
    QVERIFY(controlFound);
}

QTEST_MAIN(TestScanning)
#include "tst_scanning.moc"
