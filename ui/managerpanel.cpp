#include "managerpanel.h"

#include "drivers/camerascanner.h"
#include "drivers/contactlessreader.h"
#include "drivers/usbhidscanner.h"
#include "drivers/usbprinter.h"

#include "backgroundreads.h"
#include "pages.h"
#include "printing.h"
#include "terminalwindow.h"
#include "texts.h"
#include "wedgescanner.h"

#include "core/phone.h"

#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QEvent>
#include <QFile>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimeZone>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace setia::ui {

namespace {

QLabel *heading(const QString &text, QWidget *parent)
{
    auto *l = new QLabel(text, parent);
    l->setObjectName(u"heading"_s);
    return l;
}

QLineEdit *pinField(QWidget *parent)
{
    auto *e = new QLineEdit(parent);
    e->setEchoMode(QLineEdit::Password);
    e->setMaxLength(8);
    e->setInputMethodHints(Qt::ImhDigitsOnly | Qt::ImhSensitiveData | Qt::ImhNoPredictiveText);
    return e;
}

// "+50", "-20", "50": whole points, never zero.
std::optional<qint64> parsePoints(const QString &text)
{
    QString t = text.trimmed();
    t.remove(u' ');
    if (t.startsWith(u'+'))
        t.remove(0, 1);
    bool ok = false;
    const qint64 v = t.toLongLong(&ok);
    if (!ok || v == 0 || qAbs(v) > 100'000'000)
        return std::nullopt;
    return v;
}

QString tzName(Loyalty &l)
{
    const QString tz = l.setting(u"time_zone"_s);
    return tz.isEmpty() ? u"Asia/Jakarta"_s : tz;
}

// The dense look of the back office: smaller than the till's big touch targets.
const char16_t *kManagerStyle = uR"(
QLabel#heading { font-size: 17pt; font-weight: 600; }
QLabel#stat { font-size: 20pt; font-weight: 700; color: #0b5d3b; }
QLabel#device { font-size: 13pt; }
QLineEdit, QComboBox, QSpinBox { min-height: 36px; font-size: 14pt; }
QPushButton { min-height: 40px; min-width: 100px; font-size: 13pt; padding: 0 14px; }
QTabBar::tab { font-size: 13pt; padding: 8px 16px; background: #e3e7ec; border: 1px solid #c3c9d0; }
QTabBar::tab:selected { background: white; font-weight: 600; border-bottom-color: white; }
QListWidget, QTextBrowser, QTableWidget { font-size: 12pt; background: white; }
QHeaderView::section { font-size: 12pt; font-weight: 600; padding: 4px; background: #eceef1; border: 0; }
)";

} // namespace

ManagerPanel::ManagerPanel(TerminalWindow *w, Staff &staff) : QWidget(w), m_w(w), m_staff(staff)
{
    setStyleSheet(QString::fromUtf16(kManagerStyle));
    m_idle = new QTimer(this);
    m_idle->setSingleShot(true);
    m_idle->setInterval(m_idleMs);
    connect(m_idle, &QTimer::timeout, this, &ManagerPanel::onIdle);

    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(16, 8, 16, 8);
    m_stack = new QStackedWidget(this);
    v->addWidget(m_stack);
    m_unlockPage = buildUnlock();
    m_firstPage = buildFirst();
    auto *office = new QWidget(this);
    auto *ov = new QVBoxLayout(office);
    ov->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    m_who = label(QString(), "muted", office);
    auto *leave = actionButton(tr("Lock and leave (Esc)"), office);
    bar->addWidget(m_who, 1);
    bar->addWidget(leave);
    ov->addLayout(bar);
    m_tabs = new QTabWidget(office);
    m_tabs->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Expanding); // never widens the terminal's window
    m_tabs->addTab(buildDashboard(), tr("Dashboard"));
    m_tabs->addTab(buildMembers(), tr("Members"));
    m_tabs->addTab(buildAlerts(), tr("Alerts"));
    m_tabs->addTab(buildAudit(), tr("Audit log"));
    m_tabs->addTab(buildProgram(), tr("Program"));
    m_tabs->addTab(buildExport(), tr("Export"));
    m_tabs->addTab(buildSettings(), tr("Settings"));
    ov->addWidget(m_tabs, 1);
    m_stack->addWidget(m_unlockPage);
    m_stack->addWidget(m_firstPage);
    m_stack->addWidget(office);
    connect(leave, &QPushButton::clicked, this, [this] {
        lock();
        m_w->showScan();
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_mode != Mode::Unlocked)
            return;
        m_w->clearMessage(); // a message belongs to the tab it was said on
        switch (index) {
        case DashboardTab: refreshDashboard(); break;
        case AlertsTab: refreshAlerts(); break;
        case AuditTab: refreshAudit(); break;
        case ProgramTab: refreshProgram(); break;
        case SettingsTab: refreshSettings(); refreshDevices(); break;
        default: break;
        }
    });
    BackgroundReads *reads = m_w->reads();
    connect(reads, &BackgroundReads::dashboardReady, this, &ManagerPanel::showDashboard);
    connect(reads, &BackgroundReads::searchDone, this, &ManagerPanel::showSearch);
    connect(reads, &BackgroundReads::exportDone, this, &ManagerPanel::exportFinished);
    qApp->installEventFilter(this);
    showMode(Mode::Unlock);
}

ManagerPanel::~ManagerPanel() { qApp->removeEventFilter(this); }

// ---- locking ----

void ManagerPanel::setIdleTimeout(int ms)
{
    m_idleMs = std::max(ms, 1);
    m_idle->setInterval(m_idleMs);
    if (m_idle->isActive())
        m_idle->start();
}

bool ManagerPanel::eventFilter(QObject *watched, QEvent *event)
{
    switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::MouseMove:
    case QEvent::Wheel:
    case QEvent::TouchBegin:
        if (m_idle->isActive() && watched->isWidgetType() && (watched == this || isAncestorOf(static_cast<QWidget *>(watched))))
            m_idle->start(); // activity in the panel: the manager is still here
        break;
    default:
        break;
    }
    return QWidget::eventFilter(watched, event);
}

void ManagerPanel::onIdle()
{
    if (!isVisible() && m_mode != Mode::Unlocked)
        return;
    lock();
    m_w->showScan();
    m_w->showOk(tr("The manager's screens were locked after %1 without activity.").arg(idleText()));
}

QString ManagerPanel::idleText() const
{
    return m_idleMs >= 60'000 ? tr("%1 min").arg(m_idleMs / 60'000) : tr("%1 s").arg(std::max(1, m_idleMs / 1000));
}

void ManagerPanel::lock()
{
    m_idle->stop();
    m_manager.clear();
    m_member.clear();
    m_searchId = 0; // answers still on their way are for nobody now
    m_dashboardId = 0;
    m_lastScan->clear();
    m_results->clear();
    m_history->clear();
    m_memberLabel->clear();
    for (QLineEdit *e : {m_unlockPin, m_firstPin, m_firstPin2, m_adjustPoints, m_adjustReason, m_reverseReceipt, m_reverseAmount,
                         m_reverseReason, m_search, m_newStaffPin})
        e->clear();
    showMode(m_staff.hasManager() ? Mode::Unlock : Mode::CreateFirst);
}

void ManagerPanel::enter()
{
    if (m_mode == Mode::Unlocked) {
        m_idle->start();
        return;
    }
    showMode(m_staff.hasManager() ? Mode::Unlock : Mode::CreateFirst);
    m_idle->start(); // nobody at the unlock form either: back to the cashier
}

void ManagerPanel::showMode(Mode mode)
{
    m_mode = mode;
    switch (mode) {
    case Mode::CreateFirst:
        m_stack->setCurrentWidget(m_firstPage);
        m_firstName->setFocus();
        break;
    case Mode::Unlock:
        m_stack->setCurrentWidget(m_unlockPage);
        (m_unlockName->text().isEmpty() ? m_unlockName : m_unlockPin)->setFocus();
        break;
    case Mode::Unlocked:
        m_stack->setCurrentIndex(2);
        break;
    }
}

void ManagerPanel::enterAs(const QString &manager)
{
    m_manager = manager;
    m_who->setText(tr("Signed in as manager %1. The screens lock after %2 without activity.")
                       .arg(manager, idleText()));
    showMode(Mode::Unlocked);
    m_tabs->setCurrentIndex(DashboardTab);
    refreshAll();
    m_tabs->setFocus();
    m_idle->start();
    m_w->updateStatus();
}

void ManagerPanel::resumeAs(const QString &manager)
{
    enterAs(manager);
}

void ManagerPanel::unlock()
{
    const QString name = m_unlockName->text().simplified();
    if (name.isEmpty()) {
        m_w->showError(tr("Type your name."));
        m_unlockName->setFocus();
        return;
    }
    if (m_unlockPin->text().isEmpty()) {
        m_w->showError(tr("Type your PIN."));
        m_unlockPin->setFocus();
        return;
    }
    auto who = m_staff.authenticate(name, m_unlockPin->text());
    m_unlockPin->clear();
    if (!who) {
        m_w->showError(Texts::error(who.error()));
        (who.error().code == u"unknown_staff"_s ? m_unlockName : m_unlockPin)->setFocus();
        return;
    }
    if (who->role != Role::Manager) {
        m_w->showError(tr("%1 is a cashier. Only a manager can open the manager's screens.").arg(who->name));
        m_unlockName->selectAll();
        m_unlockName->setFocus();
        return;
    }
    m_w->clearMessage();
    enterAs(who->name);
}

void ManagerPanel::createFirstManager()
{
    const QString name = m_firstName->text().simplified();
    if (name.isEmpty()) {
        m_w->showError(tr("Type the manager's name."));
        m_firstName->setFocus();
        return;
    }
    if (m_firstPin->text() != m_firstPin2->text()) {
        m_w->showError(tr("The two PINs are not the same. Type the PIN twice."));
        m_firstPin->clear();
        m_firstPin2->clear();
        m_firstPin->setFocus();
        return;
    }
    if (m_staff.hasManager()) { // someone was quicker on another screen
        showMode(Mode::Unlock);
        return;
    }
    auto added = m_staff.add(name, Role::Manager, m_firstPin->text(), name);
    m_firstPin->clear();
    m_firstPin2->clear();
    if (!added) {
        m_w->showError(Texts::error(added.error()));
        m_firstPin->setFocus();
        return;
    }
    m_w->showOk(tr("Manager %1 created. Remember the PIN: nobody can read it back.").arg(added->name));
    m_unlockName->setText(added->name);
    enterAs(added->name);
}

// A page with one form card in its middle, no wider than maxWidth (unlock, first manager).
QFrame *ManagerPanel::centeredCard(QWidget *page, int maxWidth)
{
    auto *v = new QVBoxLayout(page);
    auto *h = new QHBoxLayout;
    auto *card = panel(page);
    card->setMaximumWidth(maxWidth);
    h->addStretch();
    h->addWidget(card, 1);
    h->addStretch();
    v->addStretch();
    v->addLayout(h);
    v->addStretch();
    return card;
}

QWidget *ManagerPanel::buildUnlock()
{
    auto *page = new QWidget(this);
    QFrame *card = centeredCard(page, 640);
    auto *f = new QFormLayout(card);
    f->setContentsMargins(32, 24, 32, 24);
    f->setVerticalSpacing(14);
    m_unlockName = new QLineEdit(card);
    m_unlockName->setMaxLength(60);
    m_unlockPin = pinField(card);
    m_unlockButton = actionButton(tr("Unlock (Enter)"), card, true);
    auto *back = actionButton(tr("Back to the till (Esc)"), card);
    f->addRow(label(tr("Manager"), "title", card));
    f->addRow(label(tr("Type your name and PIN to open the manager's screens."), "muted", card));
    f->addRow(tr("Name"), m_unlockName);
    f->addRow(tr("PIN"), m_unlockPin);
    auto *row = new QHBoxLayout;
    row->addWidget(m_unlockButton);
    row->addWidget(back);
    f->addRow(row);
    connect(m_unlockName, &QLineEdit::returnPressed, this, [this] { m_unlockPin->setFocus(); });
    connect(m_unlockPin, &QLineEdit::returnPressed, this, &ManagerPanel::unlock);
    connect(m_unlockButton, &QPushButton::clicked, this, &ManagerPanel::unlock);
    connect(back, &QPushButton::clicked, this, [this] {
        lock();
        m_w->showScan();
    });
    return page;
}

QWidget *ManagerPanel::buildFirst()
{
    auto *page = new QWidget(this);
    QFrame *card = centeredCard(page, 700);
    auto *f = new QFormLayout(card);
    f->setContentsMargins(32, 24, 32, 24);
    f->setVerticalSpacing(14);
    m_firstName = new QLineEdit(card);
    m_firstName->setMaxLength(60);
    m_firstPin = pinField(card);
    m_firstPin2 = pinField(card);
    m_createButton = actionButton(tr("Create the manager (Enter)"), card, true);
    auto *back = actionButton(tr("Back to the till (Esc)"), card);
    f->addRow(label(tr("Create the first manager"), "title", card));
    f->addRow(label(tr("This terminal has no manager yet. The manager's PIN opens reports, point adjustments, "
                       "the program and the settings. Choose 4 to 8 digits that are hard to guess."),
                    "muted", card));
    f->addRow(tr("Name"), m_firstName);
    f->addRow(tr("PIN"), m_firstPin);
    f->addRow(tr("PIN again"), m_firstPin2);
    auto *row = new QHBoxLayout;
    row->addWidget(m_createButton);
    row->addWidget(back);
    f->addRow(row);
    connect(m_firstName, &QLineEdit::returnPressed, this, [this] { m_firstPin->setFocus(); });
    connect(m_firstPin, &QLineEdit::returnPressed, this, [this] { m_firstPin2->setFocus(); });
    connect(m_firstPin2, &QLineEdit::returnPressed, this, &ManagerPanel::createFirstManager);
    connect(m_createButton, &QPushButton::clicked, this, &ManagerPanel::createFirstManager);
    connect(back, &QPushButton::clicked, this, [this] {
        lock();
        m_w->showScan();
    });
    return page;
}

void ManagerPanel::refreshAll()
{
    refreshDashboard();
    refreshAlerts();
    refreshAudit();
    refreshProgram();
    refreshSettings();
    refreshDevices();
}

QString ManagerPanel::storeTime(qint64 ms) const
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms, setia::timeZone(tzName(m_w->loyalty())));
    return m_w->locale().toString(t, u"dd-MM-yyyy HH:mm"_s);
}

// ---- dashboard ----

QWidget *ManagerPanel::buildDashboard()
{
    auto *page = new QWidget(this);
    auto *h = new QHBoxLayout(page);
    auto *left = new QVBoxLayout;
    for (const QString &period : {u"today"_s, u"week"_s}) {
        auto *card = panel(page);
        auto *g = new QGridLayout(card);
        g->setContentsMargins(16, 10, 16, 10);
        g->setVerticalSpacing(2);
        auto *title = heading(QString(), card);
        title->setObjectName(u"heading"_s);
        m_stats.insert(period + u".title"_s, title);
        g->addWidget(title, 0, 0, 1, 6);
        const QList<std::pair<QString, QString>> cells = {{u"earned"_s, tr("Points earned")},  {u"bonus"_s, tr("Bonus points")},
                                                          {u"redeemed"_s, tr("Points redeemed")}, {u"enrolled"_s, tr("New members")},
                                                          {u"rate"_s, tr("Redemption rate")},   {u"receipts"_s, tr("Receipts")}};
        for (int i = 0; i < cells.size(); ++i) {
            auto *value = label(u"–"_s, "stat", card);
            value->setWordWrap(false);
            m_stats.insert(period + u'.' + cells[i].first, value);
            g->addWidget(value, 1 + (i / 3) * 2, i % 3);
            g->addWidget(label(cells[i].second, "muted", card), 2 + (i / 3) * 2, i % 3);
        }
        auto *top = new QListWidget(card);
        top->setFocusPolicy(Qt::NoFocus);
        top->setMaximumHeight(120);
        m_top.insert(period, top);
        g->addWidget(label(tr("Top members"), "muted", card), 5, 0, 1, 3);
        g->addWidget(top, 6, 0, 1, 3);
        left->addWidget(card);
    }
    h->addLayout(left, 5);
    auto *chartCard = panel(page);
    auto *cv = new QVBoxLayout(chartCard);
    cv->setContentsMargins(8, 8, 8, 8);
    m_chart = new QChartView(chartCard);
    m_chart->setRenderHint(QPainter::Antialiasing);
    m_chart->setMinimumHeight(300);
    m_chart->setFocusPolicy(Qt::NoFocus);
    cv->addWidget(m_chart);
    auto *statusRow = new QHBoxLayout;
    m_dashStatus = label(QString(), "muted", chartCard);
    auto *refresh = actionButton(tr("Refresh"), chartCard);
    statusRow->addWidget(m_dashStatus, 1);
    statusRow->addWidget(refresh);
    cv->addLayout(statusRow);
    h->addWidget(chartCard, 6);
    connect(refresh, &QPushButton::clicked, this, &ManagerPanel::refreshDashboard);
    return page;
}

QString ManagerPanel::stat(const QString &key) const
{
    const QLabel *l = m_stats.value(key);
    return l ? l->text() : QString();
}

QListWidget *ManagerPanel::topMembers(const QString &period) const { return m_top.value(period); }

void ManagerPanel::refreshDashboard()
{
    // The bounds are cheap (the clock and a setting); the reports over them go to the worker.
    Loyalty &l = m_w->loyalty();
    const QTimeZone &zone = setia::timeZone(tzName(l));
    const QDate today = QDateTime::fromMSecsSinceEpoch(l.nowMs(), zone).date();
    const QDate monday = today.addDays(1 - today.dayOfWeek());
    DashboardRequest request;
    request.dayStart = QDateTime(today, QTime(0, 0), zone).toMSecsSinceEpoch();
    request.dayEnd = QDateTime(today.addDays(1), QTime(0, 0), zone).toMSecsSinceEpoch();
    request.weekStart = QDateTime(monday, QTime(0, 0), zone).toMSecsSinceEpoch();
    m_dashboardDay = today;
    m_dashboardMonday = monday;
    m_dashboardId = m_w->reads()->dashboard(request);
    m_dashStatus->setText(tr("Calculating…"));
}

void ManagerPanel::showDashboard(const DashboardResult &result)
{
    if (result.id != m_dashboardId)
        return; // asked for before a newer request, or before the panel was locked
    m_dashboardId = 0;
    if (result.error) {
        m_dashStatus->setText(tr("The figures could not be read: %1").arg(Texts::error(*result.error)));
        return;
    }
    const QLocale &loc = m_w->locale();
    auto fill = [&](const QString &period, const Report &r, const QList<TopMember> &topMembers, const QString &title) {
        m_stats[period + u".title"_s]->setText(title);
        m_stats[period + u".earned"_s]->setText(loc.toString(r.pointsEarned));
        m_stats[period + u".bonus"_s]->setText(loc.toString(r.pointsBonus));
        m_stats[period + u".redeemed"_s]->setText(loc.toString(r.pointsRedeemed));
        m_stats[period + u".enrolled"_s]->setText(loc.toString(r.membersEnrolled));
        m_stats[period + u".rate"_s]->setText(loc.toString(r.redemptionRate() * 100.0, 'f', 1) + u" %"_s);
        m_stats[period + u".receipts"_s]->setText(loc.toString(r.receipts));
        QListWidget *top = m_top.value(period);
        top->clear();
        int rank = 0;
        for (const TopMember &t : topMembers)
            top->addItem(tr("%1. %2 — %3 points").arg(++rank).arg(t.name.isEmpty() ? tr("(name erased)") : maskedName(t.name)).arg(t.points));
        if (topMembers.isEmpty())
            top->addItem(tr("No points earned yet."));
    };
    fill(u"today"_s, result.day, result.topDay, tr("Today, %1").arg(loc.toString(m_dashboardDay, QLocale::LongFormat)));
    fill(u"week"_s, result.week, result.topWeek, tr("This week, since %1").arg(loc.toString(m_dashboardMonday, QLocale::ShortFormat)));
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(m_w->loyalty().nowMs(), setia::timeZone(tzName(m_w->loyalty())));
    m_dashStatus->setText(tr("Updated at %1.").arg(loc.toString(now.time(), u"HH:mm"_s)));

    const Report &day = result.day;
    auto *chart = new QChart;
    auto *earned = new QBarSet(tr("Earned"));
    auto *redeemed = new QBarSet(tr("Redeemed"));
    earned->setColor(QColor(0x0b, 0x5d, 0x3b));
    redeemed->setColor(QColor(0xc9, 0xa2, 0x27));
    // Opening hours (7 to 21) and any hour outside them with points: 24 bars left no room to
    // write the hours under them.
    int first = 7, last = 21;
    for (int hour = 0; hour < day.byHour.size(); ++hour)
        if (day.byHour[hour].first != 0 || day.byHour[hour].second != 0) {
            first = std::min(first, hour);
            last = std::max(last, hour);
        }
    QStringList hours;
    qint64 top = 0;
    for (int hour = first; hour <= last && hour < day.byHour.size(); ++hour) {
        const auto &[e, r] = day.byHour[hour];
        *earned << double(e);
        *redeemed << double(r);
        top = std::max({top, e, r});
        hours << QString::number(hour);
    }
    auto *series = new QBarSeries;
    series->append(earned);
    series->append(redeemed);
    chart->addSeries(series);
    auto *x = new QBarCategoryAxis;
    x->append(hours);
    x->setTitleText(tr("Hour of the day (store time)"));
    QFont small = x->labelsFont();
    small.setPointSize(10);
    x->setLabelsFont(small);
    auto *y = new QValueAxis;
    y->setRange(0, double(std::max<qint64>(top, 10)) * 1.1);
    y->setLabelFormat(u"%d"_s);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    y->applyNiceNumbers();
    chart->setTitle(tr("Points earned and redeemed today, by hour"));
    chart->legend()->setAlignment(Qt::AlignBottom);
    QChart *old = m_chart->chart();
    m_chart->setChart(chart);
    delete old;
}

// ---- members ----

QWidget *ManagerPanel::buildMembers()
{
    auto *page = new QWidget(this);
    auto *h = new QHBoxLayout(page);
    auto *left = new QVBoxLayout;
    auto *row = new QHBoxLayout;
    m_search = new QLineEdit(page);
    m_search->setPlaceholderText(tr("Card, phone or name"));
    auto *find = actionButton(tr("Search"), page, true);
    row->addWidget(m_search, 1);
    row->addWidget(find);
    left->addLayout(row);
    m_results = new QListWidget(page);
    m_results->setMaximumHeight(150);
    left->addWidget(m_results);
    m_memberLabel = heading(QString(), page);
    m_memberLabel->setWordWrap(true);
    left->addWidget(m_memberLabel);
    m_history = new QListWidget(page);
    m_history->setWordWrap(true); // a long reason wraps instead of running off the side
    left->addWidget(label(tr("History (newest first)"), "muted", page));
    left->addWidget(m_history, 1);
    h->addLayout(left, 3);

    auto *right = new QVBoxLayout;
    auto *adj = panel(page);
    auto *af = new QFormLayout(adj);
    af->setContentsMargins(16, 10, 16, 10);
    m_adjustPoints = new QLineEdit(adj);
    m_adjustPoints->setPlaceholderText(tr("+50 or -20"));
    m_adjustReason = new QLineEdit(adj);
    m_adjustReason->setPlaceholderText(tr("required, e.g. receipt not scanned"));
    m_adjustReason->setMaxLength(200);
    m_adjustButton = actionButton(tr("Adjust points"), adj, true);
    af->addRow(heading(tr("Points adjustment"), adj));
    af->addRow(tr("Points"), m_adjustPoints);
    af->addRow(tr("Reason"), m_adjustReason);
    af->addRow(m_adjustButton);
    right->addWidget(adj);
    auto *rev = panel(page);
    auto *rf = new QFormLayout(rev);
    rf->setContentsMargins(16, 10, 16, 10);
    m_reverseReceipt = new QLineEdit(rev);
    m_reverseAmount = new QLineEdit(rev);
    m_reverseAmount->setPlaceholderText(tr("empty: the whole receipt"));
    m_reverseReason = new QLineEdit(rev);
    m_reverseReason->setPlaceholderText(tr("required"));
    m_reverseReason->setMaxLength(200);
    auto *revButton = actionButton(tr("Reverse the receipt"), rev);
    rf->addRow(heading(tr("Reverse a receipt"), rev));
    rf->addRow(tr("Receipt"), m_reverseReceipt);
    rf->addRow(tr("Amount (Rp)"), m_reverseAmount);
    rf->addRow(tr("Reason"), m_reverseReason);
    rf->addRow(revButton);
    right->addWidget(rev);
    right->addStretch();
    h->addLayout(right, 2);

    connect(m_search, &QLineEdit::returnPressed, this, &ManagerPanel::search);
    connect(find, &QPushButton::clicked, this, &ManagerPanel::search);
    connect(m_results, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) { chooseMember(item->data(Qt::UserRole).toString()); });
    connect(m_results, &QListWidget::itemClicked, this, [this](QListWidgetItem *item) { chooseMember(item->data(Qt::UserRole).toString()); });
    connect(m_adjustReason, &QLineEdit::returnPressed, this, &ManagerPanel::adjust);
    connect(m_adjustButton, &QPushButton::clicked, this, &ManagerPanel::adjust);
    connect(m_reverseReason, &QLineEdit::returnPressed, this, &ManagerPanel::reverse);
    connect(revButton, &QPushButton::clicked, this, &ManagerPanel::reverse);
    return page;
}

void ManagerPanel::handleScan(const QString &text)
{
    if (m_mode != Mode::Unlocked)
        return; // a card is no key to the manager's screens
    m_idle->start();
    if (m_tabs->currentIndex() == SettingsTab) { // testing the scanner's settings
        m_lastScan->setText(tr("Scanned: %1 (%2 characters)").arg(text).arg(text.size()));
        return;
    }
    m_tabs->setCurrentIndex(MembersTab);
    m_search->setText(text);
    search();
}

void ManagerPanel::search()
{
    m_results->clear();
    const QString q = m_search->text().trimmed();
    if (q.isEmpty()) {
        m_w->showError(tr("Type a card number, phone number or name."));
        return;
    }
    // Nobody is chosen until the answer comes: an adjustment typed meanwhile cannot land on
    // the member of the previous search.
    m_member.clear();
    m_memberLabel->clear();
    m_history->clear();
    auto *wait = new QListWidgetItem(tr("Searching…"), m_results);
    wait->setFlags(Qt::NoItemFlags);
    m_searchId = m_w->reads()->search(q);
}

QString ManagerPanel::resultText(const MemberSummary &s) const
{
    QString text = tr("%1 · %2 · %3 points").arg(s.name.isEmpty() ? tr("(name erased)") : s.name, s.maskedPhone).arg(s.balance);
    if (s.status != u"active"_s)
        text += u" · "_s + s.status;
    return text;
}

void ManagerPanel::showSearch(const SearchResult &result)
{
    if (result.id != m_searchId)
        return;
    m_searchId = 0;
    m_results->clear();
    for (const MemberSummary &s : result.members) {
        auto *item = new QListWidgetItem(resultText(s), m_results);
        item->setData(Qt::UserRole, s.memberId);
    }
    if (result.members.isEmpty()) {
        m_w->showError(result.error ? Texts::error(*result.error) : tr("No member found for “%1”.").arg(result.query));
        return;
    }
    m_w->clearMessage();
    m_results->setCurrentRow(0);
    chooseMember(result.members.first().memberId);
}

void ManagerPanel::chooseMember(const QString &memberId)
{
    Loyalty &l = m_w->loyalty();
    auto m = l.member(memberId);
    if (!m) {
        m_w->showError(Texts::error(m.error()));
        return;
    }
    m_member = memberId;
    // Its line in the results follows the balance (after an adjustment, a reversal).
    for (int i = 0; i < m_results->count(); ++i)
        if (QListWidgetItem *item = m_results->item(i); item->data(Qt::UserRole).toString() == memberId)
            item->setText(resultText(MemberSummary{memberId, m->profile.name, maskPhone(m->profile.phone), m->tierId, m->status, m->balance}));
    const QString card = m->cards.isEmpty() ? QString() : m->cards.first().number;
    m_memberLabel->setText(tr("%1 — %2 points — card %3").arg(m->profile.name.isEmpty() ? tr("(name erased)") : m->profile.name)
                               .arg(m->balance)
                               .arg(card.isEmpty() ? tr("none") : card));
    m_history->clear();
    auto h = l.history(memberId, 0, 100);
    if (!h)
        return;
    for (const EventView &e : h.value()) {
        QString what = e.type;
        if (e.type == u"earn"_s)
            what = tr("Earned");
        else if (e.type == u"bonus"_s)
            what = tr("Bonus");
        else if (e.type == u"redeem"_s)
            what = tr("Redeemed");
        else if (e.type == u"reverse"_s)
            what = tr("Refund");
        else if (e.type == u"adjust"_s)
            what = tr("Adjustment");
        else if (e.type == u"expire"_s)
            what = tr("Expired");
        else if (e.type == u"enroll"_s)
            what = tr("Enrolled");
        else if (e.type == u"tier_change"_s)
            what = tr("Tier changed");
        else if (e.type == u"card_assign"_s)
            what = tr("Card assigned");
        QString line = u"%1   %2"_s.arg(storeTime(e.occurredAt), what);
        if (e.points != 0)
            line += u"   %1%2"_s.arg(e.points > 0 ? u"+"_s : QString()).arg(e.points);
        if (!e.receiptId.isEmpty())
            line += u"   "_s + tr("receipt %1").arg(e.receiptId);
        const QString reason = e.payload.value(u"reason"_s).toString();
        if (!reason.isEmpty())
            line += u"   “"_s + reason + u"”"_s;
        if (!e.actor.isEmpty())
            line += u"   "_s + tr("by %1").arg(e.actor);
        m_history->addItem(line);
    }
    if (m_history->count() == 0)
        m_history->addItem(tr("No history yet."));
}

void ManagerPanel::adjust()
{
    if (m_member.isEmpty()) {
        m_w->showError(tr("Search for the member first."));
        m_search->setFocus();
        return;
    }
    const auto points = parsePoints(m_adjustPoints->text());
    if (!points) {
        m_w->showError(tr("Type the points to add (like +50) or take away (like -20)."));
        m_adjustPoints->setFocus();
        return;
    }
    if (m_adjustReason->text().trimmed().isEmpty()) {
        m_w->showError(tr("Every adjustment needs a reason. Type why the points change."));
        m_adjustReason->setFocus();
        return;
    }
    auto r = m_w->loyalty().adjust(m_member, *points, m_adjustReason->text().trimmed(), m_manager);
    if (!r) {
        m_w->showError(Texts::error(r.error()));
        return;
    }
    m_adjustPoints->clear();
    m_adjustReason->clear();
    m_w->showOk(tr("Adjustment saved: %1%2 points. The balance is now %3.").arg(*points > 0 ? u"+"_s : QString()).arg(*points).arg(r.value()));
    chooseMember(m_member);
    refreshAlerts();
    refreshAudit();
}

void ManagerPanel::reverse()
{
    const QString receipt = m_reverseReceipt->text().trimmed();
    if (receipt.isEmpty()) {
        m_w->showError(tr("Type the receipt number."));
        m_reverseReceipt->setFocus();
        return;
    }
    std::optional<qint64> amount;
    if (!m_reverseAmount->text().trimmed().isEmpty()) {
        amount = parseRupiah(m_reverseAmount->text());
        if (!amount) {
            m_w->showError(tr("Type the refunded amount in rupiah, or leave it empty for the whole receipt."));
            m_reverseAmount->setFocus();
            return;
        }
    }
    if (m_reverseReason->text().trimmed().isEmpty()) {
        m_w->showError(tr("Every reversal needs a reason. Type why the receipt is reversed."));
        m_reverseReason->setFocus();
        return;
    }
    auto r = m_w->loyalty().reverse(receipt, amount, m_reverseReason->text().trimmed(), m_manager);
    if (!r) {
        m_w->showError(Texts::error(r.error()));
        return;
    }
    m_reverseReceipt->clear();
    m_reverseAmount->clear();
    m_reverseReason->clear();
    m_w->showOk(tr("Receipt %1 reversed: %2 points taken back. The member's balance is now %3.")
                    .arg(r->receiptId)
                    .arg(r->pointsReversed)
                    .arg(r->balance));
    chooseMember(r->memberId);
    refreshAudit();
}

// ---- alerts ----

QWidget *ManagerPanel::buildAlerts()
{
    auto *page = new QWidget(this);
    auto *v = new QVBoxLayout(page);
    v->addWidget(label(tr("Open alerts: unusual activity the system noticed. Check each one, then acknowledge it."), "muted", page));
    m_alerts = new QListWidget(page);
    m_alerts->setWordWrap(true);
    v->addWidget(m_alerts, 1);
    auto *row = new QHBoxLayout;
    m_ackButton = actionButton(tr("Acknowledge"), page, true);
    row->addWidget(m_ackButton);
    row->addStretch();
    v->addLayout(row);
    connect(m_ackButton, &QPushButton::clicked, this, &ManagerPanel::acknowledge);
    connect(m_alerts, &QListWidget::itemActivated, this, &ManagerPanel::acknowledge);
    return page;
}

void ManagerPanel::refreshAlerts()
{
    Loyalty &l = m_w->loyalty();
    m_alerts->clear();
    const QList<AlertView> list = l.alerts(false);
    for (const AlertView &a : list) {
        QString kind = a.kind;
        if (a.kind == u"large_adjustment"_s)
            kind = tr("Large points adjustment");
        else if (a.kind == u"repeated_scans"_s)
            kind = tr("One card scanned many times");
        else if (a.kind == u"large_redemption"_s)
            kind = tr("Unusually large redemption");
        QString who;
        if (!a.memberId.isEmpty())
            if (auto m = l.member(a.memberId); m && !m->profile.name.isEmpty())
                who = u" — "_s + m->profile.name;
        auto *item = new QListWidgetItem(u"%1   %2%3\n%4"_s.arg(storeTime(a.at), kind, who, a.detail), m_alerts);
        item->setData(Qt::UserRole, a.alertId);
    }
    m_ackButton->setEnabled(!list.isEmpty());
    if (list.isEmpty())
        m_alerts->addItem(tr("No open alerts."));
    else
        m_alerts->setCurrentRow(0);
    m_tabs->setTabText(AlertsTab, list.isEmpty() ? tr("Alerts") : tr("Alerts (%1)").arg(list.size()));
}

void ManagerPanel::acknowledge()
{
    QListWidgetItem *item = m_alerts->currentItem();
    const QString id = item ? item->data(Qt::UserRole).toString() : QString();
    if (id.isEmpty()) {
        m_w->showError(tr("Choose an alert first."));
        return;
    }
    if (auto st = m_w->loyalty().acknowledgeAlert(id, m_manager); !st) {
        m_w->showError(Texts::error(st.error()));
        return;
    }
    m_w->showOk(tr("Alert acknowledged by %1.").arg(m_manager));
    refreshAlerts();
    refreshAudit();
}

// ---- audit ----

QWidget *ManagerPanel::buildAudit()
{
    auto *page = new QWidget(this);
    auto *v = new QVBoxLayout(page);
    m_audit = new QTableWidget(0, 5, page);
    m_audit->setHorizontalHeaderLabels({tr("When"), tr("Who"), tr("What"), tr("About"), tr("Details")});
    m_audit->horizontalHeader()->setStretchLastSection(true);
    m_audit->verticalHeader()->hide();
    m_audit->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_audit->setSelectionBehavior(QAbstractItemView::SelectRows);
    v->addWidget(label(tr("Who did what, newest first (store time)."), "muted", page));
    v->addWidget(m_audit, 1);
    auto *refresh = actionButton(tr("Refresh"), page);
    v->addWidget(refresh, 0, Qt::AlignLeft);
    connect(refresh, &QPushButton::clicked, this, &ManagerPanel::refreshAudit);
    return page;
}

void ManagerPanel::refreshAudit()
{
    const QList<QStringList> rows = m_w->loyalty().auditLog(200);
    const QHash<QString, QString> actions = {
        {u"adjust"_s, tr("Points adjusted")},        {u"alert_ack"_s, tr("Alert acknowledged")},
        {u"card_block"_s, tr("Card blocked")},        {u"erase"_s, tr("Member erased")},
        {u"import"_s, tr("Members imported")},        {u"profile_change"_s, tr("Profile changed")},
        {u"program_load"_s, tr("Program loaded")},    {u"reverse"_s, tr("Receipt reversed")},
        {u"setting"_s, tr("Setting changed")},        {u"staff_add"_s, tr("Staff added")},
        {u"staff_pin_change"_s, tr("PIN changed")},   {u"staff_wrong_pin"_s, tr("Wrong PIN")},
        {u"staff_locked"_s, tr("Locked out")},        {u"member_block"_s, tr("Member blocked")},
    };
    m_audit->setRowCount(int(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
        const QStringList &r = rows[i];
        const QStringList cells = {storeTime(r.value(0).toLongLong()), r.value(1), actions.value(r.value(2), r.value(2)), r.value(3), r.value(4)};
        for (int c = 0; c < cells.size(); ++c)
            m_audit->setItem(i, c, new QTableWidgetItem(cells[c]));
    }
    m_audit->resizeColumnsToContents();
    m_audit->horizontalHeader()->setStretchLastSection(true);
}

// ---- program ----

QWidget *ManagerPanel::buildProgram()
{
    auto *page = new QWidget(this);
    auto *h = new QHBoxLayout(page);
    m_programText = new QTextBrowser(page);
    h->addWidget(m_programText, 3);
    auto *side = new QVBoxLayout;
    side->addWidget(heading(tr("Load a new program"), page));
    side->addWidget(label(tr("The program file (JSON) from head office. It takes effect from its start date; "
                             "nothing changes if the file has any mistake."),
                          "muted", page));
    m_programPath = new QLineEdit(page);
    m_programPath->setPlaceholderText(tr("/media/usb/program.json"));
    auto *load = actionButton(tr("Check and load"), page, true);
    m_programErrors = new QListWidget(page);
    m_programErrors->setWordWrap(true);
    side->addWidget(m_programPath);
    side->addWidget(load);
    side->addWidget(m_programErrors, 1);
    h->addLayout(side, 2);
    connect(m_programPath, &QLineEdit::returnPressed, this, &ManagerPanel::loadProgram);
    connect(load, &QPushButton::clicked, this, &ManagerPanel::loadProgram);
    return page;
}

QString ManagerPanel::explainProgram(const Program &p) const
{
    const QLocale &loc = m_w->locale();
    auto money = [this](qint64 v) { return m_w->money(v); };
    auto esc = [](const QString &s) { return s.toHtmlEscaped(); };
    QString html;
    html += u"<h2>%1</h2>"_s.arg(esc(p.name));
    html += u"<p>"_s + tr("Version %1, in force since %2.").arg(p.version).arg(storeTime(p.effectiveFromMs)) + u"</p>"_s;

    html += u"<h3>"_s + tr("Earning points") + u"</h3><ul>"_s;
    html += u"<li>"_s
            + (p.pointsPerBlock == 1 ? tr("1 point for every %1 spent").arg(money(p.perAmount))
                                     : tr("%1 points for every %2 spent").arg(p.pointsPerBlock).arg(money(p.perAmount)))
            + (p.rounding == Rounding::Floor ? tr(" (rounded down)") : p.rounding == Rounding::Ceil ? tr(" (rounded up)") : tr(" (rounded)"))
            + u"</li>"_s;
    if (p.minSpend > 0)
        html += u"<li>"_s + tr("No points below a purchase of %1.").arg(money(p.minSpend)) + u"</li>"_s;
    if (!p.excludedCategories.isEmpty())
        html += u"<li>"_s + tr("No points on: %1.").arg(esc(p.excludedCategories.join(u", "_s))) + u"</li>"_s;
    if (p.maxPointsPerReceipt)
        html += u"<li>"_s + tr("At most %1 points per receipt.").arg(*p.maxPointsPerReceipt) + u"</li>"_s;
    if (p.maxPointsPerMemberPerDay)
        html += u"<li>"_s + tr("At most %1 points per member per day.").arg(*p.maxPointsPerMemberPerDay) + u"</li>"_s;
    html += u"</ul>"_s;

    if (!p.multipliers.isEmpty()) {
        html += u"<h3>"_s + tr("Extra points") + u"</h3><ul>"_s;
        for (const Multiplier &m : p.multipliers) {
            QStringList when;
            if (!m.categories.isEmpty())
                when << tr("on %1").arg(m.categories.join(u", "_s));
            if (!m.skus.isEmpty())
                when << tr("on items %1").arg(m.skus.join(u", "_s));
            if (!m.days.isEmpty()) {
                QStringList days;
                for (int d : m.days)
                    days << loc.dayName(d, QLocale::ShortFormat);
                when << days.join(u", "_s);
            }
            if (m.from && m.to)
                when << tr("from %1 to %2").arg(m.from->toString(u"HH:mm"_s), m.to->toString(u"HH:mm"_s));
            if (!m.paymentMethods.isEmpty())
                when << tr("paid with %1").arg(m.paymentMethods.join(u", "_s).toUpper());
            if (!m.tiers.isEmpty())
                when << tr("for %1 members").arg(m.tiers.join(u", "_s));
            html += u"<li>"_s + tr("%1: points ×%2").arg(esc(m.label), loc.toString(double(m.factorMilli) / 1000.0, 'g', 4))
                    + (when.isEmpty() ? QString() : u" — "_s + esc(when.join(u"; "_s))) + u"</li>"_s;
        }
        html += u"</ul>"_s;
    }

    if (!p.tiers.isEmpty()) {
        html += u"<h3>"_s + tr("Tiers") + u"</h3><ul>"_s;
        for (const Tier &t : p.tiers) {
            const QString reach = p.tierBasis == u"spend"_s
                                      ? tr("from %1 spent in %2 days").arg(money(t.threshold)).arg(p.tierWindowDays)
                                      : tr("from %1 points in %2 days").arg(t.threshold).arg(p.tierWindowDays);
            html += u"<li><b>%1</b>: "_s.arg(esc(t.name)) + reach + u", "_s
                    + tr("points ×%1").arg(loc.toString(double(t.multiplierMilli) / 1000.0, 'g', 4))
                    + (t.benefits.isEmpty() ? QString() : u" — "_s + esc(t.benefits.join(u", "_s))) + u"</li>"_s;
        }
        html += u"</ul>"_s;
    }

    html += u"<h3>"_s + tr("Rewards") + u"</h3><ul>"_s;
    for (const Reward &r : p.rewards)
        html += u"<li>"_s + tr("%1 — %2 points").arg(esc(r.name)).arg(r.cost)
                + (r.stock ? u" "_s + tr("(stock %1)").arg(*r.stock) : QString()) + u"</li>"_s;
    if (p.rewards.isEmpty())
        html += u"<li>"_s + tr("No rewards.") + u"</li>"_s;
    if (p.paymentValuePerPoint > 0)
        html += u"<li>"_s + tr("Points can pay: 1 point = %1 (at least %2 points).").arg(money(p.paymentValuePerPoint)).arg(p.paymentMinPoints)
                + u"</li>"_s;
    html += u"</ul>"_s;

    QStringList bonuses;
    if (p.birthdayBonus > 0)
        bonuses << (p.birthdayPeriod == u"day"_s ? tr("%1 points on the member's birthday").arg(p.birthdayBonus)
                                                 : tr("%1 points in the member's birthday month").arg(p.birthdayBonus));
    if (p.anniversaryBonus > 0)
        bonuses << tr("%1 points on each membership anniversary").arg(p.anniversaryBonus);
    if (p.referrerBonus > 0 || p.refereeBonus > 0)
        bonuses << tr("Referral: %1 points for the friend who referred, %2 for the new member (first purchase from %3)")
                       .arg(p.referrerBonus)
                       .arg(p.refereeBonus)
                       .arg(money(p.referralMinSpend));
    for (const Mission &m : p.missions)
        bonuses << tr("Mission “%1”: %2 bonus points").arg(m.name).arg(m.bonusPoints);
    if (!bonuses.isEmpty()) {
        html += u"<h3>"_s + tr("Bonuses") + u"</h3><ul>"_s;
        for (const QString &b : bonuses)
            html += u"<li>"_s + esc(b) + u"</li>"_s;
        html += u"</ul>"_s;
    }

    html += u"<h3>"_s + tr("Expiry") + u"</h3><p>"_s
            + (p.expiryDays > 0 ? tr("Points expire %1 days after they are earned.").arg(p.expiryDays) : tr("Points never expire."))
            + u"</p>"_s;
    if (p.adjustmentAlertPoints > 0)
        html += u"<p>"_s + tr("An adjustment of %1 points or more raises an alert.").arg(p.adjustmentAlertPoints) + u"</p>"_s;
    return html;
}

void ManagerPanel::refreshProgram()
{
    auto p = m_w->loyalty().program();
    m_programText->setHtml(p ? explainProgram(p.value()) : u"<p>"_s + Texts::error(p.error()).toHtmlEscaped() + u"</p>"_s);
}

void ManagerPanel::loadProgram()
{
    m_programErrors->clear();
    const QString path = m_programPath->text().trimmed();
    if (path.isEmpty()) {
        m_w->showError(tr("Type the path of the program file."));
        m_programPath->setFocus();
        return;
    }
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        m_w->showError(tr("Cannot read %1: %2").arg(path, f.errorString()));
        return;
    }
    const QByteArray json = f.readAll();
    const QStringList errors = validateProgram(json);
    if (!errors.isEmpty()) {
        for (const QString &e : errors)
            m_programErrors->addItem(e);
        m_w->showError(tr("The program was NOT loaded. Mistakes in the file: %1, listed on the right.").arg(errors.size()));
        return;
    }
    auto v = m_w->loyalty().loadProgram(json, m_manager);
    if (!v) {
        m_programErrors->addItem(v.error().message);
        m_w->showError(tr("The program was NOT loaded: %1").arg(Texts::error(v.error())));
        return;
    }
    m_programErrors->addItem(tr("Loaded: version %1.").arg(v.value()));
    m_w->showOk(tr("Program version %1 loaded.").arg(v.value()));
    refreshProgram();
    refreshAudit();
}

// ---- export ----

QWidget *ManagerPanel::buildExport()
{
    auto *page = new QWidget(this);
    auto *v = new QVBoxLayout(page);
    auto *members = panel(page);
    auto *mf = new QFormLayout(members);
    mf->setContentsMargins(16, 10, 16, 10);
    m_membersPath = new QLineEdit(members);
    m_membersPath->setPlaceholderText(tr("/media/usb/members.csv"));
    m_personal = new QCheckBox(tr("Include personal data (name, phone, e-mail, birth date)"), members);
    m_personal->setChecked(false);
    auto *mButton = actionButton(tr("Export members"), members, true);
    mf->addRow(heading(tr("Members (CSV)"), members));
    mf->addRow(label(tr("Without personal data the file holds member numbers, tiers and balances only. "
                        "Personal data is protected by law (UU PDP): export it only when needed, and keep the file safe."),
                     "muted", members));
    m_membersStatus = label(QString(), "muted", members);
    m_membersStatus->hide();
    mf->addRow(tr("File"), m_membersPath);
    mf->addRow(m_personal);
    mf->addRow(mButton);
    mf->addRow(m_membersStatus);
    v->addWidget(members);
    auto *events = panel(page);
    auto *ef = new QFormLayout(events);
    ef->setContentsMargins(16, 10, 16, 10);
    m_eventsPath = new QLineEdit(events);
    m_eventsPath->setPlaceholderText(tr("/media/usb/events.csv"));
    auto *eButton = actionButton(tr("Export events"), events);
    ef->addRow(heading(tr("Points events (CSV)"), events));
    ef->addRow(label(tr("Every earn, redemption, refund and adjustment on this terminal, for accounting."), "muted", events));
    m_eventsStatus = label(QString(), "muted", events);
    m_eventsStatus->hide();
    ef->addRow(tr("File"), m_eventsPath);
    ef->addRow(eButton);
    ef->addRow(m_eventsStatus);
    v->addWidget(events);
    v->addStretch();
    connect(mButton, &QPushButton::clicked, this, &ManagerPanel::exportMembers);
    connect(eButton, &QPushButton::clicked, this, &ManagerPanel::exportEvents);
    connect(m_membersPath, &QLineEdit::returnPressed, this, &ManagerPanel::exportMembers);
    connect(m_eventsPath, &QLineEdit::returnPressed, this, &ManagerPanel::exportEvents);
    return page;
}

void ManagerPanel::exportMembers()
{
    const QString path = m_membersPath->text().trimmed();
    if (path.isEmpty()) {
        m_w->showError(tr("Type where to save the file, e.g. /media/usb/members.csv."));
        m_membersPath->setFocus();
        return;
    }
    ExportRequest request;
    request.kind = ExportRequest::Kind::Members;
    request.path = path;
    request.personalData = m_personal->isChecked();
    m_w->reads()->exportCsv(request);
    ++m_exportsPending[0];
    updateExportStatus();
}

void ManagerPanel::exportEvents()
{
    const QString path = m_eventsPath->text().trimmed();
    if (path.isEmpty()) {
        m_w->showError(tr("Type where to save the file, e.g. /media/usb/events.csv."));
        m_eventsPath->setFocus();
        return;
    }
    ExportRequest request;
    request.kind = ExportRequest::Kind::Events;
    request.path = path;
    request.fromMs = 0;
    request.toMs = m_w->loyalty().nowMs() + 1;
    m_w->reads()->exportCsv(request);
    ++m_exportsPending[1];
    updateExportStatus();
}

void ManagerPanel::updateExportStatus()
{
    const std::pair<QLabel *, int> cards[] = {{m_membersStatus, m_exportsPending[0]}, {m_eventsStatus, m_exportsPending[1]}};
    for (const auto &[status, pending] : cards) {
        if (pending > 0)
            status->setText(pending == 1 ? tr("Exporting… The terminal keeps working meanwhile.")
                                         : tr("Exporting… %1 files in the queue. The terminal keeps working meanwhile.").arg(pending));
        status->setVisible(!status->text().isEmpty());
    }
}

void ManagerPanel::exportFinished(const ExportResult &result)
{
    const bool members = result.kind == ExportRequest::Kind::Members;
    int &pending = m_exportsPending[members ? 0 : 1];
    pending = std::max(0, pending - 1);
    QString text;
    if (result.error) {
        text = tr("Nothing was saved: the store could not be read (%1).").arg(Texts::error(*result.error));
        m_w->showError(text);
    } else if (!result.fileError.isEmpty()) {
        text = tr("Cannot save %1: %2").arg(result.path, result.fileError);
        m_w->showError(text);
    } else {
        text = members ? tr("Saved %1. Members: %2.").arg(result.path).arg(result.rows)
                       : tr("Saved %1. Events: %2.").arg(result.path).arg(result.rows);
        if (m_mode != Mode::Unlocked || m_tabs->currentIndex() != ExportTab)
            m_w->showOk(text); // said under its button when the export tab is open
    }
    (members ? m_membersStatus : m_eventsStatus)->setText(text);
    updateExportStatus(); // still "Exporting…" when more of that kind are queued
}

// ---- settings ----

QWidget *ManagerPanel::buildSettings()
{
    auto *page = new QWidget(this);
    auto *h = new QHBoxLayout(page);
    auto *store = panel(page);
    auto *sf = new QFormLayout(store);
    sf->setContentsMargins(16, 10, 16, 10);
    m_storeName = new QLineEdit(store);
    m_storeName->setMaxLength(80);
    m_timeZone = new QLineEdit(store);
    m_timeZone->setPlaceholderText(u"Asia/Jakarta"_s);
    m_language = new QComboBox(store);
    m_language->addItem(u"Bahasa Indonesia"_s, u"id"_s);
    m_language->addItem(u"English"_s, u"en"_s);
    m_hubUrl = new QLineEdit(store);
    m_hubUrl->setPlaceholderText(tr("empty: no hub"));
    auto *save = actionButton(tr("Save settings"), store, true);
    sf->addRow(heading(tr("Store"), store));
    sf->addRow(tr("Store name"), m_storeName);
    sf->addRow(tr("Time zone"), m_timeZone);
    sf->addRow(label(tr("Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)."), "muted", store));
    sf->addRow(tr("Language"), m_language);
    sf->addRow(tr("Hub URL"), m_hubUrl);
    sf->addRow(save);
    h->addWidget(store, 4);
    h->addWidget(buildDevices(page), 4);

    auto *people = panel(page);
    auto *pv = new QVBoxLayout(people);
    pv->setContentsMargins(16, 10, 16, 10);
    pv->addWidget(heading(tr("Staff"), people));
    m_staffList = new QListWidget(people);
    pv->addWidget(m_staffList, 1);
    auto *pf = new QFormLayout;
    m_newStaffName = new QLineEdit(people);
    m_newStaffName->setMaxLength(60);
    m_newStaffRole = new QComboBox(people);
    m_newStaffRole->addItem(tr("Cashier"), int(Role::Cashier));
    m_newStaffRole->addItem(tr("Manager"), int(Role::Manager));
    m_newStaffPin = pinField(people);
    auto *add = actionButton(tr("Add"), people);
    pf->addRow(tr("Name"), m_newStaffName);
    pf->addRow(tr("Role"), m_newStaffRole);
    pf->addRow(tr("PIN"), m_newStaffPin);
    pf->addRow(add);
    pv->addLayout(pf);
    h->addWidget(people, 3);
    connect(save, &QPushButton::clicked, this, &ManagerPanel::saveSettings);
    connect(add, &QPushButton::clicked, this, &ManagerPanel::addStaff);
    connect(m_newStaffPin, &QLineEdit::returnPressed, this, &ManagerPanel::addStaff);
    return page;
}

void ManagerPanel::refreshSettings()
{
    Loyalty &l = m_w->loyalty();
    m_storeName->setText(l.setting(u"store_name"_s));
    m_storeName->setCursorPosition(0); // the start of a long name, not its end
    m_timeZone->setText(tzName(l));
    const QString lang = l.setting(u"language"_s);
    m_language->setCurrentIndex(lang == u"en"_s ? 1 : 0);
    m_hubUrl->setText(l.setting(u"hub_url"_s));
    m_staffList->clear();
    for (const StaffMember &s : m_staff.list())
        m_staffList->addItem(u"%1 — %2%3"_s.arg(s.name, s.role == Role::Manager ? tr("Manager") : tr("Cashier"),
                                                 s.active ? QString() : u" — "_s + tr("inactive")));
}

void ManagerPanel::saveSettings()
{
    Loyalty &l = m_w->loyalty();
    const QString name = m_storeName->text().simplified();
    const QString tz = m_timeZone->text().trimmed();
    const QString hub = m_hubUrl->text().trimmed();
    if (name.isEmpty()) {
        m_w->showError(tr("Type the store's name."));
        m_storeName->setFocus();
        return;
    }
    if (!QTimeZone::isTimeZoneIdAvailable(tz.toUtf8())) {
        m_w->showError(tr("“%1” is not a time zone. Use Asia/Jakarta, Asia/Makassar or Asia/Jayapura.").arg(tz));
        m_timeZone->setFocus();
        return;
    }
    if (!hub.isEmpty()) {
        const QUrl url(hub, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != u"https"_s && url.scheme() != u"http"_s) || url.host().isEmpty()) {
            m_w->showError(tr("The hub URL must look like https://hub.example.co.id."));
            m_hubUrl->setFocus();
            return;
        }
    }
    const QList<std::pair<QString, QString>> values = {
        {u"store_name"_s, name}, {u"time_zone"_s, tz}, {u"language"_s, m_language->currentData().toString()}, {u"hub_url"_s, hub}};
    int changed = 0;
    for (const auto &[key, value] : values) {
        if (l.setting(key) == value)
            continue;
        if (auto st = l.setSetting(key, value, m_manager); !st) {
            m_w->showError(Texts::error(st.error()));
            return;
        }
        ++changed;
    }
    m_w->updateStatus();
    m_w->showOk(changed ? tr("Settings saved.") : tr("Nothing changed."));
    refreshAudit();
    const QString lang = m_language->currentData().toString();
    if (lang != m_w->language()) {
        // The screens are rebuilt in the new language (the manager stays signed in): not from inside this one.
        TerminalWindow *w = m_w;
        QTimer::singleShot(0, w, [w, lang] { w->setLanguage(lang); });
    }
}

// ---- settings: devices ----

QWidget *ManagerPanel::buildDevices(QWidget *page)
{
    auto *devices = panel(page);
    auto *v = new QVBoxLayout(devices);
    v->setContentsMargins(16, 10, 16, 10);
    m_wedgeGap = new QSpinBox(devices);
    m_wedgeGap->setRange(WedgeScanner::kMinGapMs, WedgeScanner::kMaxGapMs);
    m_wedgeGap->setSuffix(tr(" ms"));
    m_wedgeLength = new QSpinBox(devices);
    m_wedgeLength->setRange(WedgeScanner::kMinLength, WedgeScanner::kMaxLength);
    m_wedgeEnd = new QComboBox(devices);
    m_wedgeEnd->addItem(tr("Enter"), int(WedgeScanner::Terminator::Enter));
    m_wedgeEnd->addItem(tr("Tab"), int(WedgeScanner::Terminator::Tab));
    m_wedgeEnd->addItem(tr("Nothing (a pause)"), int(WedgeScanner::Terminator::None));
    m_applyDevices = actionButton(tr("Apply and save"), devices, true);
    m_lastScan = label(QString(), "muted", devices);
    v->addWidget(heading(tr("Devices"), devices));
    v->addWidget(label(tr("Keyboard-wedge scanner: keys closer together than the gap below are one scan. "
                          "People type 60 ms or more apart."),
                       "muted", devices));
    auto *g = new QGridLayout;
    g->setColumnStretch(0, 1);
    const std::pair<QString, QWidget *> rows[] = {{tr("Longest gap between keys"), m_wedgeGap},
                                                  {tr("Shortest code (characters)"), m_wedgeLength},
                                                  {tr("A code ends with"), m_wedgeEnd}};
    int r = 0;
    for (QSpinBox *spin : {m_wedgeGap, m_wedgeLength})
        spin->setButtonSymbols(QAbstractSpinBox::NoButtons); // typed, or ↑ ↓: the arrows were too small to touch
    for (const auto &[text, field] : rows) {
        QLabel *l = label(text, "", devices);
        l->setBuddy(field);
        field->setMinimumWidth(150);
        g->addWidget(l, r, 0);
        g->addWidget(field, r++, 1);
    }
    v->addLayout(g);
    m_printSlips = new QCheckBox(tr("Print the slip by itself after every earn and redemption"), devices);
    v->addWidget(m_printSlips);
    v->addWidget(m_applyDevices);
    v->addWidget(m_lastScan);
    v->addSpacing(6);
    for (QLabel *&status : m_deviceStatus) {
        status = label(QString(), "device", devices);
        v->addWidget(status);
    }
    v->addStretch();
    connect(m_applyDevices, &QPushButton::clicked, this, &ManagerPanel::applyDevices);
    return devices;
}

QStringList ManagerPanel::deviceStatus() const
{
    QStringList lines;
    for (const QLabel *status : m_deviceStatus)
        lines << status->text();
    return lines;
}

QString ManagerPanel::usbStatus() const
{
    QStringList lines;
    const UsbScannerManager *usb = m_w->usbScanners();
    if (!usb) {
        lines << tr("○ USB scanners: not started on this terminal");
    } else if (!m_w->usbError().isEmpty()) {
        lines << tr("○ USB scanners: USB cannot be used here (%1)").arg(m_w->usbError());
    } else {
        const QList<UsbScannerStatus> found = usb->devices();
        if (found.isEmpty())
            lines << tr("○ USB scanners: none plugged in (the supported models are in docs/hardware.md)");
        for (const UsbScannerStatus &d : found) {
            QString state;
            switch (d.state) {
            case UsbScannerState::Ready: state = tr("ready"); break;
            case UsbScannerState::Missing: state = tr("unplugged"); break;
            case UsbScannerState::Busy: state = tr("in use by another program"); break;
            case UsbScannerState::NotPermitted: state = tr("no permission"); break;
            case UsbScannerState::Failed: state = tr("not working"); break;
            }
            const QString head = (d.state == UsbScannerState::Ready ? u"● "_s : u"○ "_s)
                + tr("USB scanner %1 (%2): %3").arg(d.name, d.vidPid(), state);
            lines << (d.detail.isEmpty() ? head : head + u" — "_s + d.detail);
        }
    }
    return lines.join(u'\n');
}

QString ManagerPanel::otherDevicesStatus() const
{
    QStringList lines;
    // Receipt printers.
    const Printing *printing = m_w->printing();
    if (!printing->file().isEmpty())
        lines << tr("● Receipt printer: a file (%1) — the virtual printer").arg(printing->file());
    if (const UsbPrinterManager *usb = printing->usb()) {
        if (!printing->usbError().isEmpty())
            lines << tr("○ USB receipt printers: USB cannot be used here (%1)").arg(printing->usbError());
        else if (usb->printers().isEmpty() && printing->file().isEmpty())
            lines << tr("○ Receipt printer: none plugged in (the supported models are in docs/hardware.md)");
        for (const PrinterStatus &p : usb->printers()) {
            QString state;
            switch (p.state) {
            case PrinterState::Ready: state = tr("ready"); break;
            case PrinterState::Missing: state = tr("unplugged"); break;
            case PrinterState::Busy: state = tr("in use by another program"); break;
            case PrinterState::NotPermitted: state = tr("no permission"); break;
            case PrinterState::PaperOut: state = tr("out of paper"); break;
            case PrinterState::Failed: state = tr("not working"); break;
            }
            const QString head = (p.state == PrinterState::Ready ? u"● "_s : u"○ "_s)
                + tr("Receipt printer %1 (%2, %3 mm): %4").arg(p.name, p.vidPid(), p.paper == PaperWidth::Mm58 ? u"58"_s : u"80"_s, state);
            lines << (p.detail.isEmpty() ? head : head + u" — "_s + p.detail);
        }
    } else if (printing->file().isEmpty()) {
        lines << tr("○ Receipt printer: not started on this terminal");
    }
    // Contactless readers.
    if (const ContactlessReader *nfc = m_w->contactless()) {
        for (const ContactlessReaderStatus &r : nfc->readers()) {
            QString state;
            switch (r.state) {
            case ContactlessState::Ready: state = tr("ready — tap a card"); break;
            case ContactlessState::NoReader: state = tr("no reader plugged in"); break;
            case ContactlessState::ServiceDown: state = tr("the PC/SC service (pcscd) is not running"); break;
            case ContactlessState::Failed: state = tr("not working"); break;
            }
            const QString name = r.reader.isEmpty() ? tr("Contactless reader") : tr("Contactless reader %1").arg(r.reader);
            const QString head = (r.state == ContactlessState::Ready ? u"● "_s : u"○ "_s) + name + u": "_s + state;
            lines << (r.detail.isEmpty() ? head : head + u" — "_s + r.detail);
        }
    } else {
        lines << tr("○ Contactless readers: not started on this terminal");
    }
    // Cameras.
    const QList<CameraInfo> cams = CameraScanner::cameras();
    if (cams.isEmpty())
        lines << tr("○ Camera: none found (a USB webcam lets the till read QR codes from phones, F3 on the scan page)");
    for (const CameraInfo &c : cams)
        lines << (m_w->cameraOn() ? u"● "_s : u"○ "_s) + tr("Camera %1: %2").arg(c.description, m_w->cameraOn() ? tr("on") : tr("off (F3 on the scan page)"));
    return lines.join(u'\n');
}

void ManagerPanel::refreshDevices()
{
    const WedgeScanner *scanner = m_w->scanner();
    const WedgeScanner::Settings s = scanner ? scanner->settings() : WedgeScanner::load(m_w->loyalty());
    m_wedgeGap->setValue(s.maxGapMs);
    m_wedgeLength->setValue(s.minLength);
    m_wedgeEnd->setCurrentIndex(std::max(0, m_wedgeEnd->findData(int(s.terminator))));
    m_printSlips->setChecked(m_w->loyalty().setting(u"print_slips"_s) != u"off"_s);
    if (m_lastScan->text().isEmpty())
        m_lastScan->setText(scanner ? tr("Scan a card here to test: its code appears on this line.") : QString());
    const QString lines[] = {
        scanner ? tr("● Keyboard-wedge scanner: listening") : tr("○ Keyboard-wedge scanner: off on this terminal"),
        usbStatus(),
        otherDevicesStatus(),
        m_w->syncLine()};
    for (int i = 0; i < 4; ++i)
        m_deviceStatus[i]->setText(lines[i]);
}

void ManagerPanel::applyDevices()
{
    WedgeScanner::Settings s;
    s.maxGapMs = m_wedgeGap->value();
    s.minLength = m_wedgeLength->value();
    s.terminator = WedgeScanner::Terminator(m_wedgeEnd->currentData().toInt());
    if (auto st = WedgeScanner::save(m_w->loyalty(), s, m_manager); !st) {
        m_w->showError(Texts::error(st.error()));
        return;
    }
    const QString printSlips = m_printSlips->isChecked() ? u"on"_s : u"off"_s;
    if (printSlips != (m_w->loyalty().setting(u"print_slips"_s) == u"off"_s ? u"off"_s : u"on"_s))
        if (auto st = m_w->loyalty().setSetting(u"print_slips"_s, printSlips, m_manager); !st) {
            m_w->showError(Texts::error(st.error()));
            return;
        }
    if (WedgeScanner *scanner = m_w->scanner()) {
        scanner->apply(s);
        m_w->showOk(tr("Scanner settings applied and saved: keys up to %1 ms apart, codes of %2 characters or more.")
                        .arg(s.maxGapMs)
                        .arg(s.minLength));
    } else {
        m_w->showOk(tr("Scanner settings saved. No keyboard-wedge scanner listens on this terminal now."));
    }
    refreshDevices();
}

void ManagerPanel::addStaff()
{
    const QString name = m_newStaffName->text().simplified();
    if (name.isEmpty()) {
        m_w->showError(tr("Type the new person's name."));
        m_newStaffName->setFocus();
        return;
    }
    const Role role = Role(m_newStaffRole->currentData().toInt());
    auto added = m_staff.add(name, role, m_newStaffPin->text(), m_manager);
    m_newStaffPin->clear();
    if (!added) {
        m_w->showError(Texts::error(added.error()));
        (added.error().code == u"weak_pin"_s ? m_newStaffPin : m_newStaffName)->setFocus();
        return;
    }
    m_newStaffName->clear();
    m_w->showOk(role == Role::Manager ? tr("Manager %1 added.").arg(added->name) : tr("Cashier %1 added.").arg(added->name));
    refreshSettings();
    refreshAudit();
}

} // namespace setia::ui
