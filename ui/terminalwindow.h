#pragma once
// The terminal's main window: a top bar (store, sync state, language), a message line and
// the cashier's pages. Scans from any device arrive at handleScan(), whatever has focus.
#include "core/loyalty.h"
#include "core/money.h"
#include "core/staff.h"
#include "drivers/scan.h"
#include "ui/backgroundreads.h"

#include <QLocale>
#include <functional>
#include <QWidget>

class QLabel;
class QStackedWidget;
class QTranslator;

namespace setia {
class UsbScannerManager;
class ContactlessReader;
class CameraScanner;
}

namespace setia::ui {

class ScanPage;
class MemberPage;
class EarnPage;
class ReceiptPage;
class RedeemPage;
class EnrollPage;
class RefundPage;
class ReceiptsPage;
class ManagerPanel;
class WedgeScanner;
class Printing;

// The sync client's state as the screens show it (app/setia fills it from sync/client).
struct SyncIndicator {
    bool configured = false; // this terminal has a hub
    bool registered = false;
    bool online = false, running = false;
    qint64 waiting = 0, refused = 0, lastSuccessAt = 0;
    QString lastError;
    bool preparing = false;      // the first pull from the hub is under way
    qint64 membersReceived = 0;  // of the chain's members, so far
};

class TerminalWindow : public QWidget {
    Q_OBJECT
public:
    enum class Page { Scan, Member, Earn, Receipt, Redeem, Enroll, Refund, Manager, Receipts };

    TerminalWindow(Loyalty &loyalty, Staff &staff, QWidget *parent = nullptr);
    ~TerminalWindow() override;

    Loyalty &loyalty() { return m_loyalty; }
    // Slow reads (the manager's dashboard, exports, search) answer by signal from here. Until
    // useReadConnection() they run on the UI thread, posted; after it, on a worker thread with
    // its own read-only connection to the store at access.dbPath.
    BackgroundReads *reads() const { return m_reads; }
    void useReadConnection(ReadAccess access);
    // The store's file ("" when not known): device settings are kept next to it.
    // Installs the keyboard-wedge scanner on the application with the saved thresholds (call
    // after useReadConnection()) and routes its scans to handleScan(). Idempotent.
    WedgeScanner *enableKeyboardWedge();
    WedgeScanner *scanner() const { return m_scanner; }
    // USB HID barcode scanners (drivers/usbhidscanner.h): started here, their scans go to
    // handleScan() and Settings → Devices lists them. False (with why) if USB cannot be used.
    bool enableUsbScanners(QString *error = nullptr);
    UsbScannerManager *usbScanners() const { return m_usb; }
    QString usbError() const { return m_usbError; }
    // The receipt printer (ui/printing.h): slips after earn and redeem, members' cards.
    Printing *printing() const { return m_printing; }
    // Contactless card readers through PC/SC (drivers/contactlessreader.h): a card tapped on a
    // reader is a scan. False (with why) if the reader thread cannot start.
    bool enableContactless(QString *error = nullptr);
    ContactlessReader *contactless() const { return m_contactless; }
    // The webcam on the scan page (drivers/camerascanner.h). startCamera: false with why (no
    // camera, no permission). The camera stops when the scan page is left.
    bool startCamera(QString *why = nullptr);
    void stopCamera();
    bool cameraOn() const;
    CameraScanner *camera() const { return m_camera; }
    Staff &staff() { return m_staffService; }
    const QLocale &locale() const { return m_locale; }
    QString money(qint64 minor) const { return formatMoney(Money{minor, m_currency}, QLocale(QLocale::Indonesian, QLocale::Indonesia)); }
    QString cashier() const { return m_cashier; }
    void setCashier(const QString &name) { m_cashier = name; }

    // "id" or "en"; switches at run time (the screens are rebuilt, the member kept).
    void setLanguage(const QString &language);
    QString language() const { return m_language; }

    Page page() const { return m_page; }
    void showPage(Page page);
    void showScan();
    // What Escape does: one step back (earn/redeem/receipts → member, a refund → where it was
    // opened from, member → scan; the manager's screens lock).
    void back();
    void openMember(const QString &memberId);
    QString currentMember() const { return m_member; }
    void refreshMember();

    void showError(const QString &text);
    void showOk(const QString &text);
    void clearMessage();
    QString message() const;

    ScanPage *scanPage() const { return m_scan; }
    MemberPage *memberPage() const { return m_memberPage; }
    EarnPage *earnPage() const { return m_earn; }
    ReceiptPage *receiptPage() const { return m_receipt; }
    RedeemPage *redeemPage() const { return m_redeem; }
    EnrollPage *enrollPage() const { return m_enroll; }
    RefundPage *refundPage() const { return m_refund; }
    ReceiptsPage *receiptsPage() const { return m_receipts; }
    // Where the top bar and Settings → Devices read the hub's state; call updateStatus() when it changes.
    void setSyncSource(std::function<SyncIndicator()> source);
    // One line for the screen: "● Synced with the hub …", "○ Offline · 3 sales waiting …".
    QString syncLine() const;
    ManagerPanel *managerPanel() const { return m_manager; }

public Q_SLOTS:
    // A scan from a device (wedge, HID, camera) or typed on the scan page.
    void handleScan(const setia::Scan &scan);
    // Card number, phone, or name typed by the cashier.
    void lookup(const QString &text);
    void updateStatus();

    // Kiosk mode (a till that is only Setia): full screen, and closing (Alt+F4, the window
    // manager) needs a manager signed in on the Manager screen (F9) — a cashier cannot close it.
    void setKiosk(bool on);
    bool kiosk() const { return m_kiosk; }

protected:
    void changeEvent(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void build();
    Loyalty &m_loyalty;
    Staff &m_staffService;
    QString m_language = QStringLiteral("id");
    QLocale m_locale;
    QString m_currency = QStringLiteral("IDR");
    QString m_cashier = QStringLiteral("kasir");
    QString m_member;
    Page m_page = Page::Scan;
    QTranslator *m_translator = nullptr;
    Printing *m_printing = nullptr;
    ContactlessReader *m_contactless = nullptr;
    CameraScanner *m_camera = nullptr;
    QWidget *m_root = nullptr;
    QLabel *m_store = nullptr, *m_sync = nullptr, *m_message = nullptr, *m_staff = nullptr;
    std::function<SyncIndicator()> m_syncSource;
    bool m_kiosk = false;
    QStackedWidget *m_stack = nullptr;
    ScanPage *m_scan = nullptr;
    MemberPage *m_memberPage = nullptr;
    EarnPage *m_earn = nullptr;
    ReceiptPage *m_receipt = nullptr;
    RedeemPage *m_redeem = nullptr;
    EnrollPage *m_enroll = nullptr;
    RefundPage *m_refund = nullptr;
    ReceiptsPage *m_receipts = nullptr;
    ManagerPanel *m_manager = nullptr;
    BackgroundReads *m_reads = nullptr;
    WedgeScanner *m_scanner = nullptr;
    UsbScannerManager *m_usb = nullptr;
    QString m_usbError;
    int m_managerIdleMs = 0; // carried over a language switch (0: the panel default)
};

} // namespace setia::ui
