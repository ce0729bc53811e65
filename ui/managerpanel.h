#pragma once
// The store manager's screens on the terminal (F9): unlocked with a manager's PIN, locked again
// after a short inactivity or on Escape. Like the cashier's pages, nothing here blocks in a
// modal dialog: every form is inline, so keyboard and tests drive it the same way.
#include "core/loyalty.h"
#include "core/staff.h"

#include <QDate>
#include <QHash>
#include <QWidget>

class QChartView;
class QCheckBox;
class QComboBox;
class QLabel;
class QFrame;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTabWidget;
class QTableWidget;
class QTextBrowser;
class QTimer;

namespace setia::ui {

class TerminalWindow;
struct DashboardResult;
struct SearchResult;
struct ExportResult;

class ManagerPanel : public QWidget {
    Q_OBJECT
public:
    enum class Mode { CreateFirst, Unlock, Unlocked };
    enum Tab { DashboardTab, MembersTab, AlertsTab, AuditTab, ProgramTab, ExportTab, SettingsTab };

    ManagerPanel(TerminalWindow *w, Staff &staff);
    ~ManagerPanel() override;

    // Shown on the terminal: the first-manager form, the unlock form, or the tabs when unlocked.
    void enter();
    // Forgets the manager; the next enter() asks for a PIN again.
    void lock();
    // For a language switch: continue as this (already authenticated) manager.
    void resumeAs(const QString &manager);
    Mode mode() const { return m_mode; }
    QString manager() const { return m_manager; }

    // Inactivity before the panel locks itself and the terminal returns to the cashier.
    void setIdleTimeout(int ms);
    int idleTimeout() const { return m_idleMs; }

    // A card scanned while the manager's screens are open: looked up on the members tab.
    void handleScan(const QString &text);

    // --- unlock ---
    QLineEdit *unlockName() const { return m_unlockName; }
    QLineEdit *unlockPin() const { return m_unlockPin; }
    QPushButton *unlockButton() const { return m_unlockButton; }
    QLineEdit *firstName() const { return m_firstName; }
    QLineEdit *firstPin() const { return m_firstPin; }
    QLineEdit *firstPinAgain() const { return m_firstPin2; }
    QPushButton *createButton() const { return m_createButton; }
    void unlock();
    void createFirstManager();

    QTabWidget *tabs() const { return m_tabs; }

    // --- dashboard ---
    // Asks the worker for today's and this week's figures; they fill in when they arrive
    // (meanwhile the status says "Calculating…" and the screen stays usable).
    void refreshDashboard();
    bool dashboardBusy() const { return m_dashboardId != 0; }
    QLabel *dashboardStatus() const { return m_dashStatus; }
    // "today.earned", "today.bonus", "today.redeemed", "today.enrolled", "today.rate", and "week.*"
    QString stat(const QString &key) const;
    QListWidget *topMembers(const QString &period) const;
    QChartView *chart() const { return m_chart; }

    // --- members ---
    QLineEdit *searchField() const { return m_search; }
    QListWidget *results() const { return m_results; }
    QListWidget *history() const { return m_history; }
    QLabel *memberLabel() const { return m_memberLabel; }
    QLineEdit *adjustPoints() const { return m_adjustPoints; }
    QLineEdit *adjustReason() const { return m_adjustReason; }
    QPushButton *adjustButton() const { return m_adjustButton; }
    QLineEdit *reverseReceipt() const { return m_reverseReceipt; }
    QLineEdit *reverseAmount() const { return m_reverseAmount; }
    QLineEdit *reverseReason() const { return m_reverseReason; }
    // Asks the worker; the results fill in when they arrive (the newest search wins).
    void search();
    bool searching() const { return m_searchId != 0; }
    void chooseMember(const QString &memberId);
    QString chosenMember() const { return m_member; }
    void adjust();
    void reverse();

    // --- alerts ---
    QListWidget *alerts() const { return m_alerts; }
    QPushButton *acknowledgeButton() const { return m_ackButton; }
    void refreshAlerts();
    void acknowledge();

    // --- audit ---
    QTableWidget *audit() const { return m_audit; }
    void refreshAudit();

    // --- program ---
    QTextBrowser *programText() const { return m_programText; }
    QLineEdit *programPath() const { return m_programPath; }
    QListWidget *programErrors() const { return m_programErrors; }
    void refreshProgram();
    void loadProgram();

    // --- export ---
    QLineEdit *membersPath() const { return m_membersPath; }
    QCheckBox *personalData() const { return m_personal; }
    QCheckBox *printSlips() const { return m_printSlips; }
    QLineEdit *eventsPath() const { return m_eventsPath; }
    QLabel *membersExportStatus() const { return m_membersStatus; }
    QLabel *eventsExportStatus() const { return m_eventsStatus; }
    // Written by the worker; each request is queued and answered in turn.
    void exportMembers();
    void exportEvents();
    bool exporting() const { return m_exportsPending[0] + m_exportsPending[1] > 0; }

    // --- settings ---
    QLineEdit *storeName() const { return m_storeName; }
    QLineEdit *timeZone() const { return m_timeZone; }
    QComboBox *language() const { return m_language; }
    QLineEdit *hubUrl() const { return m_hubUrl; }
    QListWidget *staffList() const { return m_staffList; }
    QLineEdit *newStaffName() const { return m_newStaffName; }
    QComboBox *newStaffRole() const { return m_newStaffRole; }
    QLineEdit *newStaffPin() const { return m_newStaffPin; }
    void refreshSettings();
    void saveSettings();
    void addStaff();

    // --- settings: devices ---
    QSpinBox *wedgeMaxGap() const { return m_wedgeGap; }
    QSpinBox *wedgeMinLength() const { return m_wedgeLength; }
    QComboBox *wedgeTerminator() const { return m_wedgeEnd; }
    QPushButton *applyDevicesButton() const { return m_applyDevices; }
    // The status lines: the keyboard-wedge scanner, the other devices, the hub.
    QStringList deviceStatus() const;
    QLabel *lastScan() const { return m_lastScan; }
    void refreshDevices();
    // The USB scanners' lines of the device status.
    QString usbStatus() const;
    QString otherDevicesStatus() const; // printers, contactless readers, cameras
    // Applies the scanner thresholds to the running keyboard-wedge filter and saves them.
    void applyDevices();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void showMode(Mode mode);
    void enterAs(const QString &manager);
    void refreshAll();
    void onIdle();
    QString idleText() const;
    QFrame *centeredCard(QWidget *page, int maxWidth);
    QWidget *buildUnlock();
    QWidget *buildFirst();
    QWidget *buildDashboard();
    QWidget *buildMembers();
    QWidget *buildAlerts();
    QWidget *buildAudit();
    QWidget *buildProgram();
    QWidget *buildExport();
    QWidget *buildSettings();
    QWidget *buildDevices(QWidget *page);
    void showDashboard(const DashboardResult &result);
    void showSearch(const SearchResult &result);
    QString resultText(const MemberSummary &s) const;
    void exportFinished(const ExportResult &result);
    void updateExportStatus();
    QString storeTime(qint64 ms) const;
    QString explainProgram(const Program &p) const;

    TerminalWindow *m_w;
    Staff &m_staff;
    Mode m_mode = Mode::Unlock;
    QString m_manager, m_member;
    int m_idleMs = 2 * 60 * 1000;
    QTimer *m_idle;
    QStackedWidget *m_stack;
    QWidget *m_unlockPage, *m_firstPage;
    QLineEdit *m_unlockName, *m_unlockPin, *m_firstName, *m_firstPin, *m_firstPin2;
    QPushButton *m_unlockButton, *m_createButton;
    QTabWidget *m_tabs;
    QLabel *m_who;
    QHash<QString, QLabel *> m_stats;
    QHash<QString, QListWidget *> m_top;
    QChartView *m_chart;
    QLabel *m_dashStatus;
    quint64 m_dashboardId = 0, m_searchId = 0;
    QDate m_dashboardDay, m_dashboardMonday; // of the request in flight
    QLineEdit *m_search, *m_adjustPoints, *m_adjustReason, *m_reverseReceipt, *m_reverseAmount, *m_reverseReason;
    QListWidget *m_results, *m_history;
    QLabel *m_memberLabel;
    QPushButton *m_adjustButton;
    QListWidget *m_alerts;
    QPushButton *m_ackButton;
    QTableWidget *m_audit;
    QTextBrowser *m_programText;
    QLineEdit *m_programPath;
    QListWidget *m_programErrors;
    QLineEdit *m_membersPath, *m_eventsPath;
    QLabel *m_membersStatus, *m_eventsStatus;
    int m_exportsPending[2] = {0, 0}; // members, events
    QCheckBox *m_personal;
    QLineEdit *m_storeName, *m_timeZone, *m_hubUrl, *m_newStaffName, *m_newStaffPin;
    QComboBox *m_language, *m_newStaffRole;
    QListWidget *m_staffList;
    QSpinBox *m_wedgeGap, *m_wedgeLength;
    QComboBox *m_wedgeEnd;
    QPushButton *m_applyDevices;
    QLabel *m_deviceStatus[4] = {};
    QCheckBox *m_printSlips = nullptr;
    QLabel *m_lastScan;
};

} // namespace setia::ui
