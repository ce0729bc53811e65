#include "pages.h"

#include "terminalwindow.h"
#include "texts.h"

#include "core/engine.h"
#include "core/phone.h"
#include "drivers/barcode.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QGridLayout>
#include <QHash>
#include <QKeyEvent>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QListWidget>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QTextBrowser>
#include <QTimeZone>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace setia::ui {

std::optional<qint64> parseRupiah(const QString &text)
{
    QString t = text.trimmed();
    t.remove(u"Rp"_s, Qt::CaseInsensitive);
    t.remove(u'.');
    t.remove(u',');
    t.remove(u' ');
    if (t.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 v = t.toLongLong(&ok);
    if (!ok || v < 0 || v > 1'000'000'000'000LL)
        return std::nullopt;
    return v;
}

QFrame *panel(QWidget *parent)
{
    auto *f = new QFrame(parent);
    f->setObjectName(u"card"_s);
    return f;
}

QLabel *label(const QString &text, const char *object, QWidget *parent)
{
    auto *l = new QLabel(text, parent);
    l->setObjectName(QString::fromLatin1(object));
    l->setWordWrap(true);
    return l;
}

namespace {

// Enter on a focused button presses it, as in a dialog ("Confirm (Enter)"); Space too.
class ActionButton : public QPushButton {
public:
    using QPushButton::QPushButton;

protected:
    void keyPressEvent(QKeyEvent *e) override
    {
        if (e->key() == Qt::Key_Return || e->key() == Qt::Key_Enter) {
            if (isEnabled())
                click();
            e->accept();
            return;
        }
        QPushButton::keyPressEvent(e);
    }
};

QPushButton *button(const QString &text, QWidget *parent, bool primary = false)
{
    auto *b = new ActionButton(text, parent);
    if (primary)
        b->setObjectName(u"primary"_s);
    return b;
}

// Form labels level with the middle of their fields (taller than a line of text), not with
// their top edge.
void centreLabels(QFormLayout *f)
{
    for (int row = 0; row < f->rowCount(); ++row) {
        QLayoutItem *l = f->itemAt(row, QFormLayout::LabelRole);
        QLayoutItem *field = f->itemAt(row, QFormLayout::FieldRole);
        auto *text = l ? qobject_cast<QLabel *>(l->widget()) : nullptr;
        if (!text || !field || !field->widget())
            continue;
        field->widget()->ensurePolished(); // the theme's field height
        text->setMinimumHeight(field->widget()->sizeHint().height());
        text->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    }
}

QString tzOf(Loyalty &l)
{
    const QString tz = l.setting(u"time_zone"_s);
    return tz.isEmpty() ? u"Asia/Jakarta"_s : tz;
}

} // namespace

QString maskedName(const QString &name)
{
    const QStringList parts = name.split(u' ', Qt::SkipEmptyParts);
    if (parts.isEmpty())
        return QString();
    QString out = parts.first();
    if (parts.size() > 1)
        out += u' ' + parts.last().left(1) + u'.';
    return out;
}

QPushButton *actionButton(const QString &text, QWidget *parent, bool primary) { return button(text, parent, primary); }

// ---- scan ----

ScanPage::ScanPage(TerminalWindow *w) : QWidget(w), m_w(w)
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(48, 32, 48, 32);
    v->addStretch();
    for (QLabel *l : {label(tr("Scan the member's card or QR code"), "title", this),
                      label(tr("…or type the card number or phone number and press Enter"), "muted", this)}) {
        l->setAlignment(Qt::AlignCenter);
        v->addWidget(l);
    }
    v->addSpacing(24);
    auto *row = new QHBoxLayout;
    m_entry = new QLineEdit(this);
    m_entry->setPlaceholderText(tr("Card number or phone (0812…)"));
    m_entry->setMaxLength(64);
    m_entry->setMinimumWidth(520);
    auto *find = button(tr("Find"), this, true);
    row->addStretch();
    row->addWidget(m_entry);
    row->addWidget(find);
    row->addStretch();
    v->addLayout(row);
    v->addSpacing(32);
    auto *actions = new QHBoxLayout;
    m_camera = button(tr("Camera (F3)"), this);
    auto *enroll = button(tr("New member (F2)"), this);
    auto *refund = button(tr("Refund a receipt (F7)"), this);
    auto *manager = button(tr("Manager (F9)"), this);
    actions->addStretch();
    actions->addWidget(m_camera);
    actions->addWidget(enroll);
    actions->addWidget(refund);
    actions->addWidget(manager);
    actions->addStretch();
    v->addLayout(actions);
    m_cameraView = new QLabel(this);
    m_cameraView->setAlignment(Qt::AlignCenter);
    m_cameraView->setMinimumHeight(240);
    m_cameraView->hide();
    v->addSpacing(16);
    v->addWidget(m_cameraView);
    v->addStretch();
    connect(m_camera, &QPushButton::clicked, this, &ScanPage::toggleCamera);
    auto go = [this] { m_w->lookup(m_entry->text()); };
    connect(m_entry, &QLineEdit::returnPressed, this, go);
    connect(find, &QPushButton::clicked, this, go);
    connect(enroll, &QPushButton::clicked, this, [this] { m_w->showPage(TerminalWindow::Page::Enroll); });
    connect(refund, &QPushButton::clicked, this, [this] { m_w->showPage(TerminalWindow::Page::Refund); });
    connect(manager, &QPushButton::clicked, this, [this] { m_w->showPage(TerminalWindow::Page::Manager); });
}

void ScanPage::reset()
{
    m_entry->clear();
    m_entry->setFocus();
}

void ScanPage::toggleCamera()
{
    if (m_w->cameraOn()) {
        m_w->stopCamera();
        cameraStopped();
        m_w->clearMessage();
        return;
    }
    QString why;
    if (!m_w->startCamera(&why)) {
        m_w->showError(why);
        return;
    }
    m_camera->setText(tr("Camera off (F3)"));
    m_cameraView->setText(tr("Hold the QR code on the member's phone in front of the camera."));
    m_cameraView->show();
    m_w->showOk(tr("Camera on: hold the member's QR code up to it."));
}

void ScanPage::cameraStopped()
{
    m_cameraView->clear();
    m_cameraView->hide();
    m_camera->setText(tr("Camera (F3)"));
}

void ScanPage::showCameraFrame(const QImage &frame)
{
    if (!m_cameraView->isVisible() || frame.isNull())
        return;
    m_cameraView->setPixmap(QPixmap::fromImage(frame.scaled(427, 240, Qt::KeepAspectRatio, Qt::FastTransformation)));
}

// ---- member panel ----

MemberPage::MemberPage(TerminalWindow *w) : QWidget(w), m_w(w)
{
    auto *h = new QHBoxLayout(this);
    h->setContentsMargins(24, 16, 24, 16);
    auto *left = panel(this);
    auto *lv = new QVBoxLayout(left);
    lv->setContentsMargins(24, 20, 24, 20);
    m_name = label(QString(), "title", left);
    m_phone = label(QString(), "muted", left);
    m_tier = label(QString(), "badge", left);
    m_tier->setWordWrap(false);
    m_balance = label(QString(), "big", left);
    m_progress = new QProgressBar(left);
    m_progress->setTextVisible(false);
    m_next = label(QString(), "muted", left);
    m_expiring = label(QString(), "", left);
    m_birthday = label(QString(), "", left);
    lv->addWidget(m_name);
    lv->addWidget(m_phone);
    auto *tierRow = new QHBoxLayout;
    tierRow->addWidget(m_tier);
    tierRow->addStretch();
    lv->addLayout(tierRow);
    lv->addSpacing(8);
    lv->addWidget(m_balance);
    lv->addWidget(m_progress);
    lv->addWidget(m_next);
    lv->addWidget(m_expiring);
    lv->addWidget(m_birthday);
    // A digital card: its QR code on screen, for the member to photograph or scan later.
    m_qr = new QLabel(left);
    m_qr->setAlignment(Qt::AlignLeft);
    m_qrCaption = label(QString(), "muted", left);
    lv->addWidget(m_qr);
    lv->addWidget(m_qrCaption);
    lv->addStretch();

    auto *right = new QVBoxLayout;
    auto *info = panel(this);
    auto *iv = new QVBoxLayout(info);
    iv->setContentsMargins(20, 16, 20, 16);
    m_rewards = label(QString(), "", info);
    m_missions = label(QString(), "", info);
    iv->addWidget(m_rewards);
    iv->addWidget(m_missions);
    iv->addStretch();
    right->addWidget(info, 1);
    auto *earn = button(tr("Earn points (F5)"), this, true);
    auto *redeem = button(tr("Redeem (F6)"), this);
    auto *refund = button(tr("Refund (F7)"), this);
    auto *receipts = button(tr("Past receipts (F8)"), this);
    auto *printCard = button(tr("Print card (F4)"), this);
    auto *done = button(tr("Done (Esc)"), this);
    right->addWidget(earn);
    right->addWidget(redeem);
    right->addWidget(refund);
    right->addWidget(receipts);
    right->addWidget(printCard);
    right->addWidget(done);
    h->addWidget(left, 3);
    h->addLayout(right, 2);
    connect(earn, &QPushButton::clicked, this, [this] { m_w->showPage(TerminalWindow::Page::Earn); });
    connect(redeem, &QPushButton::clicked, this, [this] { m_w->showPage(TerminalWindow::Page::Redeem); });
    connect(refund, &QPushButton::clicked, this, [this] { m_w->showPage(TerminalWindow::Page::Refund); });
    connect(receipts, &QPushButton::clicked, this, [this] { m_w->showPage(TerminalWindow::Page::Receipts); });
    connect(done, &QPushButton::clicked, this, [this] { m_w->showScan(); });
    connect(printCard, &QPushButton::clicked, this, &MemberPage::printCard);
    auto *f4 = new QShortcut(QKeySequence(Qt::Key_F4), this);
    f4->setContext(Qt::WidgetWithChildrenShortcut);
    connect(f4, &QShortcut::activated, this, &MemberPage::printCard);
    setFocusProxy(earn);
}

Slip MemberPage::cardSlip() const
{
    Slip slip;
    if (m_cardNumber.isEmpty())
        return slip;
    slip.title = m_w->loyalty().setting(u"store_name"_s);
    slip.header << tr("Member card");
    slip.rows << Slip::Row{m_memberName, {}, true};
    slip.rows << Slip::Row{tr("Card %1").arg(m_cardNumber), {}, false};
    if (!m_cardToken.isEmpty())
        slip.qr = m_cardToken.toLatin1(); // signed (core/cardtoken.h): scanned at any till of the store
    else
        slip.code128 = m_cardNumber.toLatin1();
    slip.footer = tr("Show this card at the till to earn and redeem points.");
    return slip;
}

void MemberPage::printCard()
{
    const Slip slip = cardSlip();
    if (slip.isEmpty()) {
        m_w->showError(tr("This member has no active card to print. Give them one on the manager's Members screen."));
        return;
    }
    QString why;
    if (m_w->printing()->print(slip, &why))
        m_w->showOk(tr("Printing the member's card…"));
    else
        m_w->showError(why);
}

void MemberPage::show(const MemberView &m)
{
    Loyalty &l = m_w->loyalty();
    m_name->setText(maskedName(m.profile.name));
    m_phone->setText(maskPhone(m.profile.phone));
    m_tier->setText(m.tierName.isEmpty() ? m.tierId : m.tierName);
    m_tier->setVisible(!m.tierId.isEmpty());
    m_balance->setText(tr("%1 points").arg(m.balance));
    if (auto ts = l.tierStatus(m.memberId); ts && !ts->nextTierId.isEmpty()) {
        const qint64 reached = ts->windowTotal;
        const qint64 goal = reached + ts->toNext;
        m_progress->setRange(0, 1000);
        m_progress->setValue(goal > 0 ? int(reached * 1000 / goal) : 0);
        m_progress->show();
        m_next->setText(ts->basis == u"spend"_s ? tr("%1 more spending to %2").arg(m_w->money(ts->toNext), ts->nextTierName)
                                                : tr("%1 more points to %2").arg(ts->toNext).arg(ts->nextTierName));
    } else {
        m_progress->hide();
        m_next->setText(ts ? tr("Highest tier") : QString());
    }
    const auto [expiring, first] = l.expiringPoints(m.memberId, 30);
    m_expiring->setText(expiring > 0 ? tr("⚠ %1 points expire by %2").arg(expiring)
                                           .arg(m_w->locale().toString(QDateTime::fromMSecsSinceEpoch(first, setia::timeZone(tzOf(l))).date(),
                                                                       QLocale::ShortFormat))
                                     : QString());
    const QDate today = QDateTime::fromMSecsSinceEpoch(l.nowMs(), setia::timeZone(tzOf(l))).date();
    m_birthday->setText(m.profile.birthDate.isValid() && m.profile.birthDate.month() == today.month()
                            ? tr("🎂 Birthday this month") : QString());
    m_expiring->setVisible(!m_expiring->text().isEmpty());
    m_birthday->setVisible(!m_birthday->text().isEmpty());
    const auto digital = std::find_if(m.cards.begin(), m.cards.end(),
                                      [](const CardView &c) { return c.kind == u"qr"_s && c.status == u"active"_s; });
    // The QR carries a token the store signed (core/cardtoken.h), not the bare number: a number
    // read over a shoulder or a year-old screenshot does not open the member.
    const QString token = digital != m.cards.end() ? l.digitalCardToken(digital->number) : QString();
    const QImage qr = token.isEmpty() ? QImage() : renderQrCode(token.toLatin1(), 4);
    m_qr->setPixmap(qr.isNull() ? QPixmap() : QPixmap::fromImage(qr));
    m_qr->setVisible(!qr.isNull());
    m_qrCaption->setText(qr.isNull() ? QString() : tr("Digital card %1").arg(digital->number));
    m_qrCaption->setVisible(!qr.isNull());
    // What "Print card" prints: the digital card's QR, else the first active physical card.
    m_memberName = maskedName(m.profile.name);
    m_cardToken = token;
    m_cardNumber = !token.isEmpty() ? digital->number : QString();
    if (m_cardNumber.isEmpty())
        for (const CardView &c : m.cards)
            if (c.status == u"active"_s && c.kind != u"qr"_s) {
                m_cardNumber = c.number;
                break;
            }
    QStringList info;
    if (auto p = l.program()) {
        int affordable = 0;
        for (const auto &r : p->rewards)
            affordable += r.cost <= m.balance;
        info << tr("Rewards available now: %1 of %2").arg(affordable).arg(p->rewards.size());
    }
    if (auto v = l.vouchers(m.memberId)) {
        const auto valid = std::count_if(v->begin(), v->end(), [](const VoucherView &x) { return x.status == u"valid"_s; });
        info << tr("Vouchers: %1").arg(valid);
    }
    if (!m.badges.isEmpty())
        info << tr("Badges: %1").arg(m.badges.join(u", "_s));
    m_rewards->setText(info.join(u"\n"_s));
    QStringList missions;
    if (auto ms = l.missions(m.memberId))
        for (const auto &x : ms.value())
            missions << (x.completed ? tr("✔ %1").arg(x.name)
                                     : tr("%1: %2 / %3").arg(x.name,
                                                             x.kind == u"spend"_s ? m_w->money(x.progress) : QString::number(x.progress),
                                                             x.kind == u"spend"_s ? m_w->money(x.target) : QString::number(x.target)));
    m_missions->setText(missions.isEmpty() ? QString() : tr("Missions:") + u"\n"_s + missions.join(u"\n"_s));
    setFocus();
}

// ---- earn ----

EarnPage::EarnPage(TerminalWindow *w) : QWidget(w), m_w(w)
{
    auto *h = new QHBoxLayout(this);
    h->setContentsMargins(24, 16, 24, 16);
    auto *form = panel(this);
    auto *f = new QFormLayout(form);
    f->setContentsMargins(24, 20, 24, 20);
    f->setVerticalSpacing(16);
    m_amount = new QLineEdit(form);
    m_amount->setPlaceholderText(tr("e.g. 125.000"));
    m_receipt = new QLineEdit(form);
    m_receipt->setPlaceholderText(tr("POS receipt number"));
    m_payment = new QComboBox(form);
    m_payment->addItem(tr("Cash"), u"cash"_s);
    m_payment->addItem(tr("QRIS"), u"qris"_s);
    m_payment->addItem(tr("Debit card"), u"debit"_s);
    m_payment->addItem(tr("Credit card"), u"credit"_s);
    m_payment->addItem(tr("E-wallet"), u"ewallet"_s);
    f->addRow(label(tr("Earn points"), "title", form));
    f->addRow(tr("Amount paid (Rp)"), m_amount);
    f->addRow(tr("Payment"), m_payment);
    f->addRow(tr("Receipt"), m_receipt);
    centreLabels(f);
    auto *side = new QVBoxLayout;
    auto *q = panel(this);
    auto *qv = new QVBoxLayout(q);
    qv->setContentsMargins(20, 16, 20, 16);
    m_total = label(QString(), "big", q);
    m_explanation = new QListWidget(q);
    m_explanation->setFocusPolicy(Qt::NoFocus);
    qv->addWidget(label(tr("Points for this purchase"), "muted", q));
    qv->addWidget(m_total);
    qv->addWidget(m_explanation, 1);
    side->addWidget(q, 1);
    m_confirm = button(tr("Confirm (Enter)"), this, true);
    auto *back = button(tr("Back (Esc)"), this);
    side->addWidget(m_confirm);
    side->addWidget(back);
    h->addWidget(form, 3);
    h->addLayout(side, 2);
    connect(m_amount, &QLineEdit::textChanged, this, &EarnPage::requote);
    connect(m_payment, &QComboBox::currentIndexChanged, this, &EarnPage::requote);
    connect(m_amount, &QLineEdit::returnPressed, this, &EarnPage::confirm);
    connect(m_receipt, &QLineEdit::returnPressed, this, &EarnPage::confirm);
    connect(m_confirm, &QPushButton::clicked, this, &EarnPage::confirm);
    connect(back, &QPushButton::clicked, this, [this] { m_w->showPage(TerminalWindow::Page::Member); });
}

void EarnPage::start(const QString &memberId)
{
    m_member = memberId;
    m_amount->clear();
    // Without a POS sending its receipt number, the terminal numbers its own receipts.
    m_receipt->setText(u"T%1"_s.arg(QDateTime::currentMSecsSinceEpoch() % 100000000, 8, 10, QLatin1Char('0')));
    m_payment->setCurrentIndex(0);
    requote();
    m_amount->setFocus();
}

void EarnPage::requote()
{
    m_explanation->clear();
    const auto amount = parseRupiah(m_amount->text());
    m_confirm->setEnabled(amount.has_value() && *amount > 0);
    if (!amount) {
        m_total->setText(u"–"_s);
        return;
    }
    Basket b;
    b.receiptId = u"quote"_s;
    b.total = *amount;
    b.paymentMethod = m_payment->currentData().toString();
    auto q = m_w->loyalty().quote(m_member, b);
    if (!q) {
        m_total->setText(u"–"_s);
        m_explanation->addItem(Texts::error(q.error()));
        return;
    }
    m_total->setText(tr("+%1 points").arg(q->totalPoints()));
    for (const auto &l : q->lines) {
        QString text;
        if (l.kind == u"base"_s)
            text = tr("Base points on %1").arg(m_w->money(l.amount));
        else if (l.kind == u"min_spend"_s)
            text = tr("Below the minimum spend of %1").arg(m_w->money(l.amount));
        else if (l.kind == u"cap"_s)
            text = tr("Limit reached");
        else
            text = l.label;
        m_explanation->addItem(l.kind == u"min_spend"_s || l.kind == u"excluded"_s
                                   ? text
                                   : u"%1   %2%3"_s.arg(text, l.points >= 0 ? u"+"_s : QString()).arg(l.points));
    }
}

void EarnPage::confirm()
{
    const auto amount = parseRupiah(m_amount->text());
    if (!amount || *amount <= 0) {
        m_w->showError(tr("Type the amount the customer paid."));
        m_amount->setFocus();
        return;
    }
    if (m_receipt->text().trimmed().isEmpty()) {
        m_w->showError(tr("Type the receipt number."));
        m_receipt->setFocus();
        return;
    }
    Basket b;
    b.receiptId = m_receipt->text().trimmed();
    b.total = *amount;
    b.paymentMethod = m_payment->currentData().toString();
    auto r = m_w->loyalty().earn(m_member, b, m_w->cashier());
    if (!r) {
        m_w->showError(Texts::error(r.error()));
        return;
    }
    auto m = m_w->loyalty().member(m_member);
    m_w->clearMessage();
    if (m)
        m_w->receiptPage()->showEarn(m.value(), r.value(), *amount);
    m_w->showPage(TerminalWindow::Page::Receipt);
}

// ---- receipt slip ----

ReceiptPage::ReceiptPage(TerminalWindow *w) : QWidget(w), m_w(w)
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(24, 16, 24, 16);
    m_slip = new QTextBrowser(this);
    m_slip->setFocusPolicy(Qt::NoFocus);
    m_slip->setStyleSheet(u"font-family: 'DejaVu Sans Mono', monospace; font-size: 15pt; padding: 16px;"_s);
    m_slip->setLineWrapMode(QTextEdit::NoWrap); // the slip's own columns, as the printer gets them
    m_slip->setMinimumWidth(560);
    m_slip->setMaximumWidth(620);
    auto *done = button(tr("Done (Enter)"), this, true);
    m_print = button(tr("Print slip (F4)"), this);
    auto *row = new QHBoxLayout;
    row->addStretch();
    row->addWidget(m_slip);
    row->addStretch();
    v->addLayout(row, 1);
    auto *brow = new QHBoxLayout;
    brow->addStretch();
    brow->addWidget(m_print);
    brow->addWidget(done);
    brow->addStretch();
    v->addLayout(brow);
    connect(done, &QPushButton::clicked, this, [this] { m_w->showScan(); });
    connect(m_print, &QPushButton::clicked, this, &ReceiptPage::print);
    auto *f4 = new QShortcut(QKeySequence(Qt::Key_F4), this);
    f4->setContext(Qt::WidgetWithChildrenShortcut);
    connect(f4, &QShortcut::activated, this, &ReceiptPage::print);
    setFocusProxy(done);
}

void ReceiptPage::print()
{
    if (m_current.isEmpty())
        return;
    QString why;
    if (m_w->printing()->print(m_current, &why))
        m_w->showOk(tr("Printing the slip…"));
    else
        m_w->showError(why);
}

void ReceiptPage::present(Slip slip)
{
    m_current = std::move(slip);
    m_slip->setPlainText(setia::slipText(m_current, 32));
    setFocus();
    // The slip prints by itself when a printer is ready, unless the store turned that off —
    // once the slip's page is up, so what the printer says stays on its message line.
    if (m_w->printing()->ready() && m_w->loyalty().setting(u"print_slips"_s) != u"off"_s)
        QMetaObject::invokeMethod(this, &ReceiptPage::print, Qt::QueuedConnection);
}

void ReceiptPage::showEarn(const MemberView &m, const EarnResult &r, qint64 total)
{
    Loyalty &l = m_w->loyalty();
    Slip slip;
    slip.title = l.setting(u"store_name"_s);
    slip.header << m_w->locale().toString(QDateTime::fromMSecsSinceEpoch(l.nowMs(), setia::timeZone(tzOf(l))), QLocale::ShortFormat);
    slip.header << tr("Receipt %1").arg(r.receiptId);
    slip.rows << Slip::Row{tr("Member: %1").arg(maskedName(m.profile.name)), {}, false};
    slip.rows << Slip::Row{tr("Purchase: %1").arg(m_w->money(total)), {}, false} << Slip::Row{};
    for (const auto &e : r.explanation)
        if (e.kind != u"excluded"_s && e.kind != u"min_spend"_s)
            slip.rows << Slip::Row{e.kind == u"base"_s ? tr("Base points") : e.label,
                                   (e.points >= 0 ? u"+"_s : QString()) + QString::number(e.points), false};
    slip.rows << Slip::Row{} << Slip::Row{tr("Points earned: %1").arg(r.points + r.bonusPoints), {}, true};
    slip.rows << Slip::Row{tr("New balance: %1").arg(r.balance), {}, true};
    if (r.tierChanged)
        slip.rows << Slip::Row{tr("New tier: %1").arg(m.tierName.isEmpty() ? r.tierId : m.tierName), {}, true};
    if (r.replayed)
        slip.rows << Slip::Row{tr("(this receipt had already earned its points)"), {}, false};
    slip.footer = tr("Thank you!");
    present(std::move(slip));
}

void ReceiptPage::showRedeem(const MemberView &m, const RedeemResult &r, const QString &what)
{
    Loyalty &l = m_w->loyalty();
    Slip slip;
    slip.title = l.setting(u"store_name"_s);
    slip.header << m_w->locale().toString(QDateTime::fromMSecsSinceEpoch(l.nowMs(), setia::timeZone(tzOf(l))), QLocale::ShortFormat);
    slip.rows << Slip::Row{tr("Member: %1").arg(maskedName(m.profile.name)), {}, false};
    slip.rows << Slip::Row{tr("Redeemed: %1").arg(what), {}, false};
    slip.rows << Slip::Row{tr("Points used: %1").arg(r.points), {}, false};
    if (!r.voucherCode.isEmpty()) {
        slip.rows << Slip::Row{tr("Voucher code: %1").arg(r.voucherCode), {}, true};
        slip.code128 = r.voucherCode.toLatin1(); // scanned back at the till when it is used
    }
    slip.rows << Slip::Row{} << Slip::Row{tr("New balance: %1").arg(r.balance), {}, true};
    slip.footer = tr("Thank you!");
    present(std::move(slip));
}

QString ReceiptPage::slipText() const { return m_slip->toPlainText(); }

// ---- redeem ----

RedeemPage::RedeemPage(TerminalWindow *w) : QWidget(w), m_w(w)
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(24, 16, 24, 16);
    v->addWidget(label(tr("Redeem a reward"), "title", this));
    m_grid = new QGridLayout;
    m_grid->setSpacing(12);
    v->addLayout(m_grid);
    m_confirmPanel = panel(this);
    auto *ch = new QHBoxLayout(m_confirmPanel);
    ch->setContentsMargins(16, 12, 16, 12);
    m_question = label(QString(), "", m_confirmPanel);
    m_confirm = button(tr("Yes, redeem (Enter)"), m_confirmPanel, true);
    auto *no = button(tr("No"), m_confirmPanel);
    ch->addWidget(m_question, 1);
    ch->addWidget(m_confirm);
    ch->addWidget(no);
    m_confirmPanel->hide();
    v->addWidget(m_confirmPanel);
    v->addStretch();
    auto *vc = panel(this);
    auto *vh = new QHBoxLayout(vc);
    vh->setContentsMargins(16, 12, 16, 12);
    m_voucher = new QLineEdit(vc);
    m_voucher->setPlaceholderText(tr("Voucher code"));
    m_voucherReceipt = new QLineEdit(vc);
    m_voucherReceipt->setPlaceholderText(tr("Receipt"));
    m_voucherTotal = new QLineEdit(vc);
    m_voucherTotal->setPlaceholderText(tr("Purchase (Rp)"));
    auto *use = button(tr("Use voucher"), vc);
    vh->addWidget(m_voucher, 2);
    vh->addWidget(m_voucherReceipt, 1);
    vh->addWidget(m_voucherTotal, 1);
    vh->addWidget(use);
    v->addWidget(vc);
    auto *back = button(tr("Back (Esc)"), this);
    v->addWidget(back, 0, Qt::AlignLeft);
    connect(back, &QPushButton::clicked, this, [this] { m_w->showPage(TerminalWindow::Page::Member); });
    connect(no, &QPushButton::clicked, this, [this] {
        m_confirmPanel->hide();
        m_chosen.clear();
    });
    connect(m_confirm, &QPushButton::clicked, this, [this] {
        auto p = m_w->loyalty().program();
        const Reward *reward = p ? p->reward(m_chosen) : nullptr;
        if (!reward)
            return;
        auto r = m_w->loyalty().redeemReward(m_member, m_chosen, m_w->cashier());
        if (!r) {
            m_w->showError(Texts::error(r.error()));
            m_confirmPanel->hide();
            return;
        }
        auto m = m_w->loyalty().member(m_member);
        m_w->clearMessage();
        if (m)
            m_w->receiptPage()->showRedeem(m.value(), r.value(), reward->name);
        m_w->showPage(TerminalWindow::Page::Receipt);
    });
    connect(use, &QPushButton::clicked, this, [this] {
        const auto total = parseRupiah(m_voucherTotal->text());
        auto used = m_w->loyalty().useVoucher(m_voucher->text(), m_voucherReceipt->text(), total.value_or(0), m_w->cashier());
        if (!used) {
            m_w->showError(Texts::error(used.error()));
            return;
        }
        m_w->showOk(tr("Voucher accepted: %1 off.").arg(m_w->money(used->discount)));
        m_voucher->clear();
    });
}

void RedeemPage::useScannedVoucher(const QString &code)
{
    m_voucher->setText(code);
    QLineEdit *next = m_voucherReceipt->text().isEmpty() ? m_voucherReceipt : m_voucherTotal;
    next->setFocus();
}

void RedeemPage::start(const QString &memberId)
{
    m_member = memberId;
    m_chosen.clear();
    m_confirmPanel->hide();
    qDeleteAll(m_tiles);
    m_tiles.clear();
    auto p = m_w->loyalty().program();
    auto m = m_w->loyalty().member(memberId);
    if (!p || !m)
        return;
    QList<Reward> rewards = p->rewards;
    const qint64 balance = m->balance;
    // Affordable first, then by cost.
    std::stable_sort(rewards.begin(), rewards.end(), [balance](const Reward &a, const Reward &b) {
        const bool ia = a.cost <= balance, ib = b.cost <= balance;
        return ia != ib ? ia : a.cost < b.cost;
    });
    int i = 0;
    for (const Reward &r : rewards) {
        const bool ok = r.cost <= balance;
        auto *t = new ActionButton(this);
        t->setObjectName(u"tile"_s);
        t->setText(ok ? tr("%1\n%2 points").arg(r.name).arg(r.cost)
                      : tr("%1\n%2 points — %3 more needed").arg(r.name).arg(r.cost).arg(r.cost - balance));
        t->setEnabled(ok);
        t->setProperty("rewardId", r.id);
        connect(t, &QPushButton::clicked, this, [this, id = r.id] { choose(id); });
        m_grid->addWidget(t, i / 3, i % 3);
        m_tiles << t;
        ++i;
    }
    if (!m_tiles.isEmpty() && m_tiles.first()->isEnabled())
        m_tiles.first()->setFocus();
}

void RedeemPage::choose(const QString &rewardId)
{
    auto p = m_w->loyalty().program();
    auto m = m_w->loyalty().member(m_member);
    const Reward *r = p ? p->reward(rewardId) : nullptr;
    if (!r || !m)
        return;
    m_chosen = rewardId;
    m_question->setText(tr("Redeem %1 for %2 points? Balance after: %3").arg(r->name).arg(r->cost).arg(m->balance - r->cost));
    m_confirmPanel->show();
    m_confirm->setFocus();
}

// ---- enroll ----

EnrollPage::EnrollPage(TerminalWindow *w) : QWidget(w), m_w(w)
{
    auto *h = new QHBoxLayout(this);
    h->setContentsMargins(24, 16, 24, 16);
    auto *form = panel(this);
    auto *f = new QFormLayout(form);
    f->setContentsMargins(24, 16, 24, 16);
    f->setVerticalSpacing(10);
    m_name = new QLineEdit(form);
    m_phone = new QLineEdit(form);
    m_phone->setPlaceholderText(u"0812-3456-7890"_s);
    m_email = new QLineEdit(form);
    m_email->setPlaceholderText(tr("optional"));
    m_birth = new QLineEdit(form);
    m_birth->setPlaceholderText(tr("DD-MM-YYYY (optional)"));
    m_referral = new QLineEdit(form);
    m_referral->setPlaceholderText(tr("a friend's code (optional)"));
    m_card = new QLineEdit(form);
    m_card->setPlaceholderText(tr("scan the card now"));
    f->addRow(label(tr("New member"), "title", form));
    f->addRow(tr("Name"), m_name);
    f->addRow(tr("Phone"), m_phone);
    f->addRow(tr("E-mail"), m_email);
    f->addRow(tr("Birth date"), m_birth);
    f->addRow(tr("Referral code"), m_referral);
    f->addRow(tr("Card"), m_card);
    centreLabels(f);
    auto *side = new QVBoxLayout;
    auto *consent = panel(this);
    auto *cv = new QVBoxLayout(consent);
    cv->setContentsMargins(16, 12, 16, 12);
    cv->addWidget(label(tr("Read this to the customer:"), "muted", consent));
    cv->addWidget(label(tr("We keep your name, phone number and birth date to give you points and rewards. "
                           "You can ask us to show, correct or delete them at any time."),
                        "", consent));
    m_marketing = new QCheckBox(tr("May we send offers by SMS or e-mail?"), consent);
    m_whatsapp = new QCheckBox(tr("May we send offers by WhatsApp?"), consent);
    m_digital = new QCheckBox(tr("No plastic card: issue a digital card"), consent);
    cv->addSpacing(8);
    cv->addWidget(m_marketing);
    cv->addWidget(m_whatsapp);
    cv->addWidget(m_digital);
    cv->addStretch();
    side->addWidget(consent, 1);
    m_submit = button(tr("Enroll (Enter)"), this, true);
    auto *back = button(tr("Cancel (Esc)"), this);
    side->addWidget(m_submit);
    side->addWidget(back);
    h->addWidget(form, 3);
    h->addLayout(side, 2);
    for (QLineEdit *e : {m_name, m_phone, m_email, m_birth, m_referral, m_card})
        connect(e, &QLineEdit::returnPressed, this, &EnrollPage::submit);
    connect(m_submit, &QPushButton::clicked, this, &EnrollPage::submit);
    connect(back, &QPushButton::clicked, this, [this] { m_w->showScan(); });
}

void EnrollPage::reset()
{
    for (QLineEdit *e : {m_name, m_phone, m_email, m_birth, m_referral, m_card})
        e->clear();
    for (QCheckBox *c : {m_marketing, m_whatsapp, m_digital})
        c->setChecked(false);
    m_name->setFocus();
}

void EnrollPage::submit()
{
    EnrollRequest r;
    r.name = m_name->text();
    r.phone = m_phone->text();
    r.email = m_email->text();
    if (!m_birth->text().trimmed().isEmpty()) {
        QDate d = QDate::fromString(m_birth->text().trimmed(), u"dd-MM-yyyy"_s);
        if (!d.isValid())
            d = QDate::fromString(m_birth->text().trimmed(), u"d-M-yyyy"_s);
        if (!d.isValid())
            d = QDate::fromString(m_birth->text().trimmed(), Qt::ISODate);
        if (!d.isValid()) {
            m_w->showError(tr("Type the birth date as DD-MM-YYYY, for example 15-03-1994."));
            m_birth->setFocus();
            return;
        }
        r.birthDate = d;
    }
    r.referralCode = m_referral->text();
    r.cardNumber = m_card->text();
    r.issueDigitalCard = m_digital->isChecked() && m_card->text().trimmed().isEmpty();
    r.consent.marketing = m_marketing->isChecked();
    r.consent.whatsapp = m_whatsapp->isChecked();
    r.actor = m_w->cashier();
    auto m = m_w->loyalty().enroll(r);
    if (!m) {
        m_w->showError(Texts::error(m.error()));
        (m.error().code == u"invalid_phone"_s || m.error().code == u"duplicate_member"_s ? m_phone : m_name)->setFocus();
        return;
    }
    const QString card = m->cards.isEmpty() ? QString() : m->cards.first().number;
    m_w->openMember(m->memberId);
    m_w->showOk(card.isEmpty() ? tr("Welcome! The member can be found by phone number.")
                               : tr("Welcome! Card number %1.").arg(card));
}

// ---- refund ----

RefundPage::RefundPage(TerminalWindow *w) : QWidget(w), m_w(w)
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(24, 16, 24, 16);
    auto *form = panel(this);
    auto *f = new QFormLayout(form);
    f->setContentsMargins(24, 20, 24, 20);
    f->setVerticalSpacing(14);
    m_receipt = new QLineEdit(form);
    m_amount = new QLineEdit(form);
    m_amount->setPlaceholderText(tr("empty: the whole receipt"));
    m_reason = new QLineEdit(form);
    m_reason->setPlaceholderText(tr("e.g. goods returned"));
    m_summary = label(QString(), "", form);
    m_summary->hide();
    f->addRow(label(tr("Refund a receipt"), "title", form));
    f->addRow(label(tr("The points of the refunded purchase are taken back."), "muted", form));
    f->addRow(m_summary);
    f->addRow(tr("Receipt"), m_receipt);
    f->addRow(tr("Amount refunded (Rp)"), m_amount);
    f->addRow(tr("Reason"), m_reason);
    centreLabels(f);
    v->addWidget(form);
    auto *row = new QHBoxLayout;
    auto *ok = button(tr("Refund (Enter)"), this, true);
    auto *back = button(tr("Cancel (Esc)"), this);
    row->addWidget(ok);
    row->addWidget(back);
    row->addStretch();
    v->addLayout(row);
    v->addStretch();
    for (QLineEdit *e : {m_receipt, m_amount, m_reason})
        connect(e, &QLineEdit::returnPressed, this, &RefundPage::submit);
    connect(ok, &QPushButton::clicked, this, &RefundPage::submit);
    connect(back, &QPushButton::clicked, this, [this] { m_w->back(); });
}

void RefundPage::reset()
{
    m_fromReceipts = false;
    m_receipt->clear();
    m_amount->clear();
    m_amount->setPlaceholderText(tr("empty: the whole receipt"));
    m_reason->clear();
    m_summary->clear();
    m_summary->hide();
    m_receipt->setFocus();
}

void RefundPage::prefill(const QString &receiptId, const QString &summary, qint64 left)
{
    reset();
    m_fromReceipts = true;
    m_receipt->setText(receiptId);
    m_summary->setText(summary);
    m_summary->show();
    m_amount->setPlaceholderText(tr("empty: all that is left, %1").arg(m_w->money(left)));
    m_reason->setFocus();
}

void RefundPage::submit()
{
    if (m_receipt->text().trimmed().isEmpty()) {
        m_w->showError(tr("Type the receipt number."));
        m_receipt->setFocus();
        return;
    }
    std::optional<qint64> amount;
    if (!m_amount->text().trimmed().isEmpty()) {
        amount = parseRupiah(m_amount->text());
        if (!amount) {
            m_w->showError(tr("Type the refunded amount in rupiah, or leave it empty for the whole receipt."));
            m_amount->setFocus();
            return;
        }
    }
    if (m_reason->text().trimmed().isEmpty()) {
        m_w->showError(tr("Type the reason for the refund, e.g. goods returned."));
        m_reason->setFocus();
        return;
    }
    auto r = m_w->loyalty().reverse(m_receipt->text().trimmed(), amount, m_reason->text(), m_w->cashier());
    if (!r) {
        m_w->showError(Texts::error(r.error()));
        return;
    }
    // With a member on screen, back to that member's panel with the new balance; else the till.
    if (m_w->currentMember().isEmpty())
        m_w->showScan();
    else
        m_w->openMember(r->memberId);
    m_w->showOk(tr("Refund saved: %1 points taken back. The member's balance is now %2.").arg(r->pointsReversed).arg(r->balance));
}

// ---- a member's receipts ----

ReceiptsPage::ReceiptsPage(TerminalWindow *w) : QWidget(w), m_w(w)
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(24, 16, 24, 16);
    m_title = label(QString(), "title", this);
    v->addWidget(m_title);
    v->addWidget(label(tr("Choose the receipt with ↑ ↓ and press Enter to refund it, whole or in part."), "muted", this));
    m_list = new QListWidget(this);
    m_list->setObjectName(u"receipts"_s);
    m_list->setWordWrap(true);
    m_list->setUniformItemSizes(false);
    v->addWidget(m_list, 1);
    auto *row = new QHBoxLayout;
    m_refund = button(tr("Refund this receipt (Enter)"), this, true);
    auto *back = button(tr("Back (Esc)"), this);
    row->addWidget(m_refund);
    row->addWidget(back);
    row->addStretch();
    v->addLayout(row);
    connect(m_list, &QListWidget::itemActivated, this, &ReceiptsPage::refundChosen);
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        m_refund->setEnabled(item && (item->flags() & Qt::ItemIsEnabled) && !item->data(Qt::UserRole).toString().isEmpty());
    });
    connect(m_refund, &QPushButton::clicked, this, &ReceiptsPage::refundChosen);
    connect(back, &QPushButton::clicked, this, [this] { m_w->back(); });
    setFocusProxy(m_list);
}

void ReceiptsPage::start(const QString &memberId)
{
    m_member = memberId;
    m_list->clear();
    m_refund->setEnabled(false);
    Loyalty &l = m_w->loyalty();
    auto m = l.member(memberId);
    m_title->setText(m ? tr("Receipts of %1").arg(maskedName(m->profile.name)) : tr("Receipts"));
    // The points history, newest first: each earn is a receipt; its refunds follow it in time.
    auto h = l.history(memberId, 0, 300);
    if (!h) {
        m_w->showError(Texts::error(h.error()));
        return;
    }
    QHash<QString, qint64> refunded; // receipt -> amount refunded so far
    for (const EventView &e : h.value())
        if (e.type == u"reverse"_s && !e.receiptId.isEmpty())
            refunded[e.receiptId] += -e.amount;
    const QTimeZone &zone = setia::timeZone(tzOf(l));
    int shown = 0;
    for (const EventView &e : h.value()) {
        if (e.type != u"earn"_s || e.receiptId.isEmpty())
            continue;
        if (++shown > 30)
            break;
        const qint64 refundedSoFar = refunded.value(e.receiptId);
        const qint64 left = std::max<qint64>(0, e.amount - refundedSoFar);
        const QString when = m_w->locale().toString(QDateTime::fromMSecsSinceEpoch(e.occurredAt, zone), u"dd MMM yyyy, HH:mm"_s);
        QString second = tr("%1 · +%2 points").arg(when).arg(e.points);
        if (refundedSoFar > 0 && left == 0)
            second += u" · "_s + tr("refunded");
        else if (refundedSoFar > 0)
            second += u" · "_s + tr("%1 refunded, %2 left").arg(m_w->money(refundedSoFar), m_w->money(left));
        auto *item = new QListWidgetItem(tr("Receipt %1 — %2").arg(e.receiptId, m_w->money(e.amount)) + u'\n' + second, m_list);
        item->setData(Qt::UserRole, e.receiptId);
        item->setData(Qt::UserRole + 1, left);
        item->setData(Qt::UserRole + 2, tr("Receipt %1 of %2: %3, +%4 points.").arg(e.receiptId, when, m_w->money(e.amount)).arg(e.points));
        if (refundedSoFar > 0 && left == 0)
            item->setFlags(item->flags() & ~(Qt::ItemIsEnabled | Qt::ItemIsSelectable)); // nothing left to refund
    }
    if (m_list->count() == 0) {
        auto *none = new QListWidgetItem(tr("No receipts with points yet."), m_list);
        none->setFlags(Qt::NoItemFlags);
        return;
    }
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->flags() & Qt::ItemIsEnabled) {
            m_list->setCurrentRow(i);
            break;
        }
    m_list->setFocus();
}

QStringList ReceiptsPage::receiptIds() const
{
    QStringList ids;
    for (int i = 0; i < m_list->count(); ++i)
        if (const QString id = m_list->item(i)->data(Qt::UserRole).toString(); !id.isEmpty())
            ids << id;
    return ids;
}

void ReceiptsPage::refundChosen()
{
    QListWidgetItem *item = m_list->currentItem();
    const QString id = item && (item->flags() & Qt::ItemIsEnabled) ? item->data(Qt::UserRole).toString() : QString();
    if (id.isEmpty()) {
        m_w->showError(tr("Choose a receipt first."));
        return;
    }
    const QString summary = item->data(Qt::UserRole + 2).toString();
    const qint64 left = item->data(Qt::UserRole + 1).toLongLong();
    m_w->showPage(TerminalWindow::Page::Refund);
    m_w->refundPage()->prefill(id, summary, left);
}

} // namespace setia::ui
