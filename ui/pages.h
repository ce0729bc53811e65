#pragma once
// The cashier's screens. Each page is a plain QWidget driven by TerminalWindow; none blocks
// in a modal dialog, so every flow can be driven by keyboard, scanner or touch, and by tests.
#include "core/loyalty.h"
#include "ui/printing.h"

#include <QLabel>
#include <QWidget>

class QCheckBox;
class QFrame;
class QComboBox;
class QGridLayout;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTextBrowser;

namespace setia::ui {

class TerminalWindow;

class ScanPage : public QWidget {
    Q_OBJECT
public:
    explicit ScanPage(TerminalWindow *w);
    QLineEdit *entry() const { return m_entry; }
    void reset();
    // The webcam (F3): on, its picture shows here and a QR code held up to it is a scan; off.
    void toggleCamera();
    QLabel *cameraView() const { return m_cameraView; }
    QPushButton *cameraButton() const { return m_camera; }
    void showCameraFrame(const QImage &frame);
    void cameraStopped(); // the camera went off (the page was left): the view goes

private:
    TerminalWindow *m_w;
    QLineEdit *m_entry;
    QPushButton *m_camera;
    QLabel *m_cameraView;
};

class MemberPage : public QWidget {
    Q_OBJECT
public:
    explicit MemberPage(TerminalWindow *w);
    void show(const MemberView &m);
    QLabel *balanceLabel() const { return m_balance; }
    QLabel *nameLabel() const { return m_name; }
    QLabel *qrLabel() const { return m_qr; }
    // The member's card on the receipt printer: the QR code of a digital card, or the barcode of
    // a physical card's number.
    void printCard();
    Slip cardSlip() const;

private:
    TerminalWindow *m_w;
    QString m_memberName, m_cardNumber, m_cardToken;
    QLabel *m_name, *m_phone, *m_tier, *m_balance, *m_next, *m_expiring, *m_birthday, *m_rewards, *m_missions;
    QLabel *m_qr, *m_qrCaption;
    QProgressBar *m_progress;
};

class EarnPage : public QWidget {
    Q_OBJECT
public:
    explicit EarnPage(TerminalWindow *w);
    void start(const QString &memberId);
    QLineEdit *amount() const { return m_amount; }
    QLineEdit *receipt() const { return m_receipt; }
    QComboBox *payment() const { return m_payment; }
    QListWidget *explanation() const { return m_explanation; }
    QPushButton *confirmButton() const { return m_confirm; }
    void confirm();

private:
    void requote();
    TerminalWindow *m_w;
    QString m_member;
    QLineEdit *m_amount, *m_receipt;
    QComboBox *m_payment;
    QListWidget *m_explanation;
    QLabel *m_total;
    QPushButton *m_confirm;
};

class ReceiptPage : public QWidget {
    Q_OBJECT
public:
    explicit ReceiptPage(TerminalWindow *w);
    void showEarn(const MemberView &m, const EarnResult &r, qint64 total);
    void showRedeem(const MemberView &m, const RedeemResult &r, const QString &what);
    QString slipText() const;
    const Slip &slip() const { return m_current; }
    QPushButton *printButton() const { return m_print; }
    // Sends the slip to the receipt printer (F4); said on the message line.
    void print();

private:
    void present(Slip slip);
    TerminalWindow *m_w;
    QTextBrowser *m_slip;
    QPushButton *m_print;
    Slip m_current;
};

class RedeemPage : public QWidget {
    Q_OBJECT
public:
    explicit RedeemPage(TerminalWindow *w);
    void start(const QString &memberId);
    QList<QPushButton *> tiles() const { return m_tiles; }
    QPushButton *confirmButton() const { return m_confirm; }
    QLabel *question() const { return m_question; }
    QLineEdit *voucher() const { return m_voucher; }
    void choose(const QString &rewardId);
    // A voucher code scanned while this member is open: filled in, the cursor on what is left to type.
    void useScannedVoucher(const QString &code);

private:
    TerminalWindow *m_w;
    QString m_member, m_chosen;
    QGridLayout *m_grid;
    QList<QPushButton *> m_tiles;
    QWidget *m_confirmPanel;
    QLabel *m_question;
    QPushButton *m_confirm;
    QLineEdit *m_voucher, *m_voucherReceipt, *m_voucherTotal;
};

class EnrollPage : public QWidget {
    Q_OBJECT
public:
    explicit EnrollPage(TerminalWindow *w);
    void reset();
    QLineEdit *name() const { return m_name; }
    QLineEdit *phone() const { return m_phone; }
    QLineEdit *card() const { return m_card; }
    QCheckBox *digitalCard() const { return m_digital; }
    QPushButton *submitButton() const { return m_submit; }
    void submit();

private:
    TerminalWindow *m_w;
    QLineEdit *m_name, *m_phone, *m_email, *m_birth, *m_referral, *m_card;
    QCheckBox *m_marketing, *m_whatsapp, *m_digital;
    QPushButton *m_submit;
};

class RefundPage : public QWidget {
    Q_OBJECT
public:
    explicit RefundPage(TerminalWindow *w);
    void reset();
    // Opened from a member's receipts: the receipt filled in, what it was said above the form,
    // the reason field ready (the amount stays empty: all that is left of the receipt).
    void prefill(const QString &receiptId, const QString &summary, qint64 left);
    bool fromReceipts() const { return m_fromReceipts; }
    QLineEdit *receipt() const { return m_receipt; }
    QLineEdit *amount() const { return m_amount; }
    QLineEdit *reason() const { return m_reason; }
    QLabel *summary() const { return m_summary; }
    void submit();

private:
    TerminalWindow *m_w;
    QLineEdit *m_receipt, *m_amount, *m_reason;
    QLabel *m_summary;
    bool m_fromReceipts = false;
};

// The member's recent receipts (from the points history), newest first, to pick one to refund.
class ReceiptsPage : public QWidget {
    Q_OBJECT
public:
    explicit ReceiptsPage(TerminalWindow *w);
    void start(const QString &memberId);
    QListWidget *list() const { return m_list; }
    QPushButton *refundButton() const { return m_refund; }
    // The receipt ids listed, in order (fully refunded ones included, not choosable).
    QStringList receiptIds() const;
    // Opens the refund page for the highlighted receipt.
    void refundChosen();

private:
    TerminalWindow *m_w;
    QString m_member;
    QLabel *m_title;
    QListWidget *m_list;
    QPushButton *m_refund;
};

// A white rounded panel (objectName "card" in the theme).
QFrame *panel(QWidget *parent);
// A word-wrapping label with a theme role: "title", "big", "muted", "badge", "" (plain).
QLabel *label(const QString &text, const char *object, QWidget *parent);

// Money typed by a cashier: "125000", "125.000", "Rp125.000".
std::optional<qint64> parseRupiah(const QString &text);
// "Siti R." — enough for the member to recognise, not for the queue behind to read.
QString maskedName(const QString &name);
// A button that Enter (and Space) presses when it has focus; primary: the green main action.
QPushButton *actionButton(const QString &text, QWidget *parent, bool primary = false);

} // namespace setia::ui
