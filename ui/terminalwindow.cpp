#include "terminalwindow.h"

#include <QCloseEvent>

#include "managerpanel.h"
#include "pages.h"
#include "texts.h"
#include "printing.h"
#include "wedgescanner.h"

#include "drivers/camerascanner.h"
#include "drivers/contactlessreader.h"
#include "drivers/usbhidscanner.h"
#include "drivers/usbprinter.h"

#include <QApplication>
#include <QEvent>
#include <QKeyEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSqlQuery>
#include <QStackedWidget>
#include <QStyle>
#include <QTimer>
#include <QTranslator>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace setia::ui {

TerminalWindow::TerminalWindow(Loyalty &loyalty, Staff &staff, QWidget *parent)
    : QWidget(parent), m_loyalty(loyalty), m_staffService(staff)
{
    setWindowTitle(u"Setia"_s);
    const QString cur = loyalty.setting(u"currency"_s);
    if (!cur.isEmpty())
        m_currency = cur;
    m_reads = new BackgroundReads(loyalty, this);
    m_printing = new Printing(this);
    connect(m_printing, &Printing::finished, this, [this](bool ok, const QString &detail) {
        if (ok)
            showOk(detail);
        else
            showError(detail);
    });
    connect(m_printing, &Printing::statusChanged, this, [this] {
        if (m_manager)
            m_manager->refreshDevices();
    });
    const QString lang = loyalty.setting(u"language"_s);
    setLanguage(lang.isEmpty() ? u"id"_s : lang);
    auto *status = new QTimer(this);
    connect(status, &QTimer::timeout, this, &TerminalWindow::updateStatus);
    status->start(5000);
}

TerminalWindow::~TerminalWindow()
{
    // First: waits for a read in hand on the worker thread, so nothing answers a closed window.
    delete m_reads;
    m_reads = nullptr;
    // Then the devices, while the screens their signals reach still exist.
    delete m_camera;
    m_camera = nullptr;
    delete m_contactless;
    m_contactless = nullptr;
    delete m_printing;
    m_printing = nullptr;
    if (m_translator)
        QCoreApplication::removeTranslator(m_translator);
}

void TerminalWindow::setLanguage(const QString &language)
{
    m_language = language == u"en"_s ? u"en"_s : u"id"_s;
    // Dates follow the language; amounts always use the store's Indonesian grouping (Rp125.000).
    m_locale = m_language == u"en"_s ? QLocale(QLocale::English, QLocale::Indonesia) : QLocale(QLocale::Indonesian, QLocale::Indonesia);
    if (m_translator) {
        QCoreApplication::removeTranslator(m_translator);
        delete m_translator;
        m_translator = nullptr;
    }
    if (m_language == u"id"_s) {
        m_translator = new QTranslator(this);
        if (m_translator->load(u":/i18n/setia_id.qm"_s))
            QCoreApplication::installTranslator(m_translator);
    }
    build();
}

void TerminalWindow::changeEvent(QEvent *event) { QWidget::changeEvent(event); }

void TerminalWindow::useReadConnection(ReadAccess access)
{
    m_reads->start(std::move(access));
}

WedgeScanner *TerminalWindow::enableKeyboardWedge()
{
    if (!m_scanner) {
        m_scanner = new WedgeScanner(WedgeScanner::load(m_loyalty), this);
        connect(m_scanner, &WedgeScanner::scanned, this, &TerminalWindow::handleScan);
    }
    return m_scanner;
}

bool TerminalWindow::enableUsbScanners(QString *error)
{
    if (!m_usb) {
        m_usb = new UsbScannerManager(this);
        connect(m_usb, &UsbScannerManager::scanned, this, &TerminalWindow::handleScan);
        connect(m_usb, &UsbScannerManager::statusChanged, this, [this] {
            if (m_manager)
                m_manager->refreshDevices();
        });
        m_usbError.clear();
        if (!m_usb->start())
            m_usbError = m_usb->errorString();
    }
    if (error)
        *error = m_usbError;
    return m_usbError.isEmpty();
}

bool TerminalWindow::enableContactless(QString *error)
{
    QString why;
    if (!m_contactless) {
        m_contactless = new ContactlessReader(this);
        connect(m_contactless, &ContactlessReader::scanned, this, &TerminalWindow::handleScan);
        connect(m_contactless, &ContactlessReader::statusChanged, this, [this] {
            if (m_manager)
                m_manager->refreshDevices();
        });
        if (!m_contactless->start())
            why = tr("the contactless reader's thread could not start");
    }
    if (error)
        *error = why;
    return why.isEmpty();
}

bool TerminalWindow::cameraOn() const
{
    return m_camera && (m_camera->state() == CameraState::Running || m_camera->state() == CameraState::Starting);
}

bool TerminalWindow::startCamera(QString *why)
{
    if (!m_camera) {
        m_camera = new CameraScanner(this);
        connect(m_camera, &CameraScanner::scanned, this, &TerminalWindow::handleScan);
        connect(m_camera, &CameraScanner::previewFrame, this, [this](const QImage &frame) {
            if (m_page == Page::Scan && m_scan)
                m_scan->showCameraFrame(frame);
        });
        connect(m_camera, &CameraScanner::stateChanged, this, [this](CameraState state, const QString &detail) {
            if (state == CameraState::Failed || state == CameraState::NotPermitted || state == CameraState::NoCamera)
                showError(tr("The camera stopped: %1").arg(detail));
            if (m_manager)
                m_manager->refreshDevices();
        });
    }
    if (m_camera->start())
        return true;
    if (why)
        *why = tr("The camera cannot be used: %1").arg(m_camera->detail());
    return false;
}

void TerminalWindow::stopCamera()
{
    if (m_camera)
        m_camera->stop();
}

void TerminalWindow::build()
{
    const Page keepPage = m_page;
    stopCamera(); // the scan page is made anew
    // A manager switching the language stays signed in (the panel is rebuilt in the new words).
    const QString keepManager = m_manager && m_manager->mode() == ManagerPanel::Mode::Unlocked ? m_manager->manager() : QString();
    if (m_manager)
        m_managerIdleMs = m_manager->idleTimeout();
    m_manager = nullptr;
    delete m_root;
    delete layout();
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_root = new QWidget(this);
    outer->addWidget(m_root);
    auto *v = new QVBoxLayout(m_root);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(0);

    auto *top = new QFrame(m_root);
    top->setObjectName(u"topbar"_s);
    auto *th = new QHBoxLayout(top);
    th->setContentsMargins(16, 8, 16, 8);
    m_store = new QLabel(m_loyalty.setting(u"store_name"_s), top);
    m_store->setStyleSheet(u"font-size: 17pt; font-weight: 600;"_s);
    m_staff = new QLabel(top);
    m_sync = new QLabel(top);
    m_sync->setStyleSheet(u"font-size: 12pt;"_s);
    // The status may take two lines, but never widens the window past the till's screen.
    m_sync->setWordWrap(true);
    m_sync->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto *lang = new QPushButton(m_language == u"id"_s ? u"English"_s : u"Bahasa Indonesia"_s, top);
    lang->setStyleSheet(u"min-height: 36px; min-width: 170px; font-size: 12pt; background: #274b66; color: white; border-color: #5d7f99;"_s);
    connect(lang, &QPushButton::clicked, this, [this] {
        QTimer::singleShot(0, this, [this] { setLanguage(m_language == u"id"_s ? u"en"_s : u"id"_s); });
    });
    th->addWidget(m_store);
    th->addStretch();
    th->addWidget(m_sync, 1);
    th->addSpacing(16);
    th->addWidget(m_staff);
    th->addSpacing(16);
    th->addWidget(lang);
    v->addWidget(top);

    m_message = new QLabel(m_root);
    m_message->setWordWrap(true);
    m_message->hide();
    auto *msgWrap = new QVBoxLayout;
    msgWrap->setContentsMargins(16, 8, 16, 0);
    msgWrap->addWidget(m_message);
    v->addLayout(msgWrap);

    m_stack = new QStackedWidget(m_root);
    m_scan = new ScanPage(this);
    m_memberPage = new MemberPage(this);
    m_earn = new EarnPage(this);
    m_receipt = new ReceiptPage(this);
    m_redeem = new RedeemPage(this);
    m_enroll = new EnrollPage(this);
    m_refund = new RefundPage(this);
    m_receipts = new ReceiptsPage(this);
    m_manager = new ManagerPanel(this, m_staffService);
    if (m_managerIdleMs > 0)
        m_manager->setIdleTimeout(m_managerIdleMs);
    for (QWidget *p : {static_cast<QWidget *>(m_scan), static_cast<QWidget *>(m_memberPage), static_cast<QWidget *>(m_earn),
                       static_cast<QWidget *>(m_receipt), static_cast<QWidget *>(m_redeem), static_cast<QWidget *>(m_enroll),
                       static_cast<QWidget *>(m_refund), static_cast<QWidget *>(m_manager), static_cast<QWidget *>(m_receipts)})
        m_stack->addWidget(p);
    v->addWidget(m_stack, 1);

    // Keyboard: Escape always backs out; function keys for the main actions.
    auto shortcut = [this](QKeySequence seq, auto fn) {
        auto *s = new QShortcut(seq, m_root);
        s->setContext(Qt::WindowShortcut);
        connect(s, &QShortcut::activated, this, fn);
    };
    shortcut(QKeySequence(Qt::Key_Escape), [this] { back(); });
    shortcut(QKeySequence(Qt::Key_F9), [this] { showPage(Page::Manager); });
    shortcut(QKeySequence(Qt::Key_F3), [this] {
        if (m_page == Page::Scan)
            m_scan->toggleCamera();
    });
    // The cashier's keys do nothing on the manager's screens (Escape leaves them first).
    shortcut(QKeySequence(Qt::Key_F2), [this] {
        if (m_page != Page::Manager)
            showPage(Page::Enroll);
    });
    shortcut(QKeySequence(Qt::Key_F5), [this] {
        if (!m_member.isEmpty() && m_page != Page::Manager)
            showPage(Page::Earn);
    });
    shortcut(QKeySequence(Qt::Key_F6), [this] {
        if (!m_member.isEmpty() && m_page != Page::Manager)
            showPage(Page::Redeem);
    });
    shortcut(QKeySequence(Qt::Key_F7), [this] {
        if (m_page != Page::Manager)
            showPage(Page::Refund);
    });
    shortcut(QKeySequence(Qt::Key_F8), [this] {
        if (!m_member.isEmpty() && m_page != Page::Manager)
            showPage(Page::Receipts);
    });

    updateStatus();
    if (keepPage == Page::Manager) {
        m_page = Page::Manager;
        m_stack->setCurrentWidget(m_manager);
        if (keepManager.isEmpty())
            m_manager->enter();
        else
            m_manager->resumeAs(keepManager);
    } else if (!m_member.isEmpty() && keepPage != Page::Scan)
        openMember(m_member);
    else
        showScan();
}

void TerminalWindow::showPage(Page page)
{
    if (m_page == Page::Manager && page != Page::Manager && m_manager)
        m_manager->lock(); // whatever leaves the manager's screens locks them
    if (page != m_page)
        clearMessage(); // a message belongs to the screen it was said on
    if (page != Page::Scan && cameraOn()) {
        stopCamera(); // the camera looks at the queue only while the scan page asks it to
        if (m_scan)
            m_scan->cameraStopped();
    }
    m_page = page;
    switch (page) {
    case Page::Scan:
        m_stack->setCurrentWidget(m_scan);
        m_scan->reset();
        break;
    case Page::Member:
        refreshMember();
        m_stack->setCurrentWidget(m_memberPage);
        m_memberPage->setFocus();
        break;
    case Page::Earn:
        m_earn->start(m_member);
        m_stack->setCurrentWidget(m_earn);
        break;
    case Page::Receipt:
        m_stack->setCurrentWidget(m_receipt);
        m_receipt->setFocus();
        break;
    case Page::Redeem:
        m_redeem->start(m_member);
        m_stack->setCurrentWidget(m_redeem);
        break;
    case Page::Enroll:
        m_enroll->reset();
        m_stack->setCurrentWidget(m_enroll);
        break;
    case Page::Refund:
        m_refund->reset();
        m_stack->setCurrentWidget(m_refund);
        break;
    case Page::Manager:
        clearMessage();
        m_stack->setCurrentWidget(m_manager);
        m_manager->enter();
        break;
    case Page::Receipts:
        m_receipts->start(m_member);
        m_stack->setCurrentWidget(m_receipts);
        break;
    }
    updateStatus();
}

void TerminalWindow::back()
{
    switch (m_page) {
    case Page::Earn:
    case Page::Redeem:
    case Page::Receipts:
        showPage(Page::Member);
        break;
    case Page::Refund:
        if (m_member.isEmpty())
            showScan();
        else
            showPage(m_refund->fromReceipts() ? Page::Receipts : Page::Member);
        break;
    case Page::Manager:
        m_manager->lock(); // leaving the manager's screens always locks them
        showScan();
        break;
    default:
        showScan();
        break;
    }
}

void TerminalWindow::showScan()
{
    m_member.clear();
    clearMessage();
    showPage(Page::Scan);
}

void TerminalWindow::openMember(const QString &memberId)
{
    m_member = memberId;
    showPage(Page::Member);
}

void TerminalWindow::refreshMember()
{
    if (m_member.isEmpty())
        return;
    auto m = m_loyalty.member(m_member);
    if (!m) {
        showError(Texts::error(m.error()));
        return;
    }
    m_memberPage->show(m.value());
}

namespace {
// What a scan identifies (core's memberByScan), said to the cashier. Shared by device scans and
// text typed on the scan page. Nothing here logs or keeps the scan; the payload is overwritten.
void openScanned(TerminalWindow &w, ScanInput &input)
{
    ScanMeaning meaning;
    auto found = w.loyalty().memberByScan(input, &meaning);
    wipeBuffer(input.payload);
    if (found) {
        w.clearMessage();
        w.openMember(found->memberId);
        return;
    }
    const Error &e = found.error();
    if (e.code == u"payment_card"_s) {
        // A bank card number typed into the scan field goes from the field too (setText, unlike
        // clear(), also forgets the field's undo history).
        w.scanPage()->entry()->setText(QString());
        w.showError(Texts::error(e));
        return;
    }
    if (meaning.kind == ScanMeaning::Kind::Text) { // a name typed by the cashier
        auto list = w.loyalty().search(meaning.value, 0, 1);
        if (list && list->size() == 1 && list->first().status == u"active"_s) {
            w.clearMessage();
            w.openMember(list->first().memberId);
            return;
        }
    }
    if (e.code == u"voucher_scanned"_s) {
        // With a member open, the voucher goes to the redeem page for them; without one, the
        // cashier is told to open the member first (the code is said so it can be typed there).
        if (!w.currentMember().isEmpty()) {
            w.showPage(TerminalWindow::Page::Redeem);
            w.redeemPage()->useScannedVoucher(meaning.value);
            w.showOk(QCoreApplication::translate("Texts", "Voucher %1 scanned: check the receipt and total, then use it.")
                         .arg(meaning.value));
            return;
        }
        w.showError(Texts::error(e) + u" ("_s + meaning.value + u")"_s);
        return;
    }
    w.showError(Texts::error(e));
}
} // namespace

void TerminalWindow::handleScan(const setia::Scan &scan)
{
    ScanInput input;
    input.payload = scan.payload;
    input.symbology = scan.symbology;
    input.atMs = scan.atMs;
    switch (scan.source) {
    case Scan::Source::KeyboardWedge: input.source = ScanSource::KeyboardWedge; break;
    case Scan::Source::HidScanner: input.source = ScanSource::HidScanner; break;
    case Scan::Source::MagStripe: input.source = ScanSource::MagStripe; break;
    case Scan::Source::Camera: input.source = ScanSource::Camera; break;
    case Scan::Source::Contactless: input.source = ScanSource::Contactless; break;
    case Scan::Source::Virtual: input.source = ScanSource::Virtual; break;
    case Scan::Source::Manual: input.source = ScanSource::Manual; break;
    }
    if (m_page == Page::Manager || m_page == Page::Enroll) {
        // What the scan is comes before any field: a bank card or a garbled read never reaches
        // the manager's search or the enrollment form (core/scanmeaning.h).
        const ScanMeaning meaning = classifyScan(input.payload, input.symbology, input.source);
        if (meaning.kind == ScanMeaning::Kind::PaymentCard || meaning.kind == ScanMeaning::Kind::Garbled) {
            wipeBuffer(input.payload);
            showError(Texts::error(Error{meaning.error, QString()}));
            return;
        }
        // A swiped card gives its number, not its track text.
        const QString text = meaning.kind == ScanMeaning::Kind::MemberCard ? meaning.value
                                                                           : QString::fromUtf8(input.payload).trimmed();
        wipeBuffer(input.payload);
        if (m_page == Page::Manager) { // never leaves the manager's screens behind, unlocked
            m_manager->handleScan(text);
            return;
        }
        m_enroll->card()->setText(text); // a card handed over while enrolling
        showOk(tr("Card %1 scanned.").arg(text));
        return;
    }
    openScanned(*this, input);
}

void TerminalWindow::lookup(const QString &text)
{
    QString trimmed = text.trimmed();
    ScanInput input;
    input.payload = trimmed.toUtf8();
    input.source = ScanSource::Manual;
    wipeBuffer(trimmed);
    if (input.payload.isEmpty())
        return;
    openScanned(*this, input);
}

void TerminalWindow::showError(const QString &text)
{
    m_message->setObjectName(u"error"_s);
    m_message->setStyleSheet(QString());
    m_message->setText(text);
    m_message->show();
    m_message->style()->unpolish(m_message);
    m_message->style()->polish(m_message);
}

void TerminalWindow::showOk(const QString &text)
{
    m_message->setObjectName(u"ok"_s);
    m_message->setText(text);
    m_message->show();
    m_message->style()->unpolish(m_message);
    m_message->style()->polish(m_message);
}

void TerminalWindow::clearMessage()
{
    if (m_message)
        m_message->hide();
}

QString TerminalWindow::message() const { return m_message && m_message->isVisible() ? m_message->text() : QString(); }

void TerminalWindow::setKiosk(bool on)
{
    m_kiosk = on;
    if (on)
        showFullScreen();
}

void TerminalWindow::closeEvent(QCloseEvent *event)
{
    const bool manager = m_manager && m_manager->mode() == ManagerPanel::Mode::Unlocked;
    if (m_kiosk && !manager) {
        event->ignore();
        showError(tr("Only a manager can close Setia here: open Manager (F9), sign in with the PIN, then close it."));
        return;
    }
    QWidget::closeEvent(event);
}

void TerminalWindow::setSyncSource(std::function<SyncIndicator()> source)
{
    m_syncSource = std::move(source);
    updateStatus();
}

QString TerminalWindow::syncLine() const
{
    const SyncIndicator s = m_syncSource ? m_syncSource() : SyncIndicator{};
    if (!s.configured) {
        const QString hub = m_loyalty.setting(u"hub_url"_s);
        return hub.isEmpty() ? tr("● Not connected to a hub — everything is kept on this terminal")
                             : tr("○ Hub %1 set, but this terminal has no enrollment token: ask the installer").arg(hub);
    }
    if (!s.registered)
        return s.lastError.isEmpty() ? tr("○ Registering with the hub…")
                                     : tr("○ Not registered with the hub yet (retrying): %1").arg(s.lastError);
    if (s.refused > 0)
        return tr("⚠ %n event(s) not accepted by the hub — a manager must look at Manager → Alerts", "", int(s.refused));
    if (!s.online)
        return s.waiting > 0 ? tr("○ Offline · %n event(s) waiting — sales and earning go on", "", int(s.waiting))
                             : tr("○ Offline — sales and earning go on");
    if (s.preparing)
        return tr("◐ Preparing this terminal: %1 chain members received — sales go on")
            .arg(m_locale.toString(s.membersReceived));
    const QString when = s.lastSuccessAt > 0
                             ? m_locale.toString(QDateTime::fromMSecsSinceEpoch(s.lastSuccessAt).time(), QLocale::ShortFormat)
                             : QString();
    if (s.waiting > 0)
        return tr("● Online · %n event(s) waiting", "", int(s.waiting));
    return tr("● Synced with the hub at %1").arg(when);
}

void TerminalWindow::updateStatus()
{
    if (!m_sync)
        return;
    m_sync->setText(syncLine());
    m_sync->setToolTip(m_syncSource ? m_syncSource().lastError : QString());
    m_store->setText(m_loyalty.setting(u"store_name"_s));
    if (m_page == Page::Manager && m_manager && m_manager->mode() == ManagerPanel::Mode::Unlocked)
        m_staff->setText(tr("Manager: %1").arg(m_manager->manager()));
    else
        m_staff->setText(tr("Cashier: %1").arg(m_cashier));
}

} // namespace setia::ui
