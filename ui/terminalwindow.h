#pragma once
// The terminal's main window: a top bar (store, sync state, language), a message line and
// the cashier's pages. Scans from any device arrive at handleScan(), whatever has focus.
#include "core/loyalty.h"
#include "core/money.h"
#include "core/staff.h"
#include "drivers/scan.h"

#include <QLocale>
#include <QWidget>

class QLabel;
class QStackedWidget;
class QTranslator;

namespace setia::ui {

class ScanPage;
class MemberPage;
class EarnPage;
class ReceiptPage;
class RedeemPage;
class EnrollPage;
class RefundPage;
class ManagerPanel;

class TerminalWindow : public QWidget {
    Q_OBJECT
public:
    enum class Page { Scan, Member, Earn, Receipt, Redeem, Enroll, Refund, Manager };

    TerminalWindow(Loyalty &loyalty, Staff &staff, QWidget *parent = nullptr);
    ~TerminalWindow() override;

    Loyalty &loyalty() { return m_loyalty; }
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
    ManagerPanel *managerPanel() const { return m_manager; }

public Q_SLOTS:
    // A scan from a device (wedge, HID, camera) or typed on the scan page.
    void handleScan(const setia::Scan &scan);
    // Card number, phone, or name typed by the cashier.
    void lookup(const QString &text);
    void updateStatus();

protected:
    void changeEvent(QEvent *event) override;

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
    QWidget *m_root = nullptr;
    QLabel *m_store = nullptr, *m_sync = nullptr, *m_message = nullptr, *m_staff = nullptr;
    QStackedWidget *m_stack = nullptr;
    ScanPage *m_scan = nullptr;
    MemberPage *m_memberPage = nullptr;
    EarnPage *m_earn = nullptr;
    ReceiptPage *m_receipt = nullptr;
    RedeemPage *m_redeem = nullptr;
    EnrollPage *m_enroll = nullptr;
    RefundPage *m_refund = nullptr;
    ManagerPanel *m_manager = nullptr;
    int m_managerIdleMs = 0; // carried over a language switch (0: the panel default)
};

} // namespace setia::ui
