#pragma once
// The manager's slow reads — the dashboard's reports, CSV exports, member search — run on a
// worker thread with its OWN read-only connection to the store, so the UI thread never waits on
// disk for them. Readers are query_only and never checkpoint (core/store.h): the UI thread's
// writer stays the only writer. Results come back by queued signals, as value types.
//
// Requests: a dashboard or a search asked for while an older one is still waiting replaces it
// (the newest wins); exports queue and each one runs. Destroying BackgroundReads waits for the
// job in hand and skips the queued ones, so closing the terminal never leaves a thread behind.
#include "core/clock.h"
#include "core/crypto.h"
#include "core/loyalty.h"

#include <QMetaType>
#include <QObject>
#include <QThread>
#include <atomic>
#include <memory>
#include <optional>

namespace setia::ui {

// How the worker reaches the store: the same file and key as the terminal's own Loyalty.
struct ReadAccess {
    QString dbPath;
    KeyRing keys;
    const Clock *clock = nullptr; // the terminal's clock (must be thread-safe); null: system time
};

// Store-time bounds, computed by the caller: [dayStart, dayEnd) and [weekStart, dayEnd).
struct DashboardRequest {
    qint64 dayStart = 0, dayEnd = 0, weekStart = 0;
};

struct TopMember {
    QString memberId, name; // name: the full name, empty when erased
    qint64 points = 0;
};

struct DashboardResult {
    quint64 id = 0;
    Report day, week;
    QList<TopMember> topDay, topWeek; // at most 5 each
    std::optional<Error> error;       // the store could not be read
};

struct ExportRequest {
    enum class Kind { Members, Events };
    Kind kind = Kind::Members;
    QString path;
    bool personalData = false;      // members only
    qint64 fromMs = 0, toMs = 0;    // events only
};

struct ExportResult {
    quint64 id = 0;
    ExportRequest::Kind kind = ExportRequest::Kind::Members;
    QString path;
    int rows = 0;           // data rows written, without the header
    std::optional<Error> error; // nothing was saved (the store could not be read)
    QString fileError;      // nothing was saved: why the file could not be written
    qint64 elapsedMs = 0;   // how long the worker spent on it
};

struct SearchResult {
    quint64 id = 0;
    QString query;
    QList<MemberSummary> members; // a card or phone of any status first, then name matches
    std::optional<Error> error;
};

// The jobs themselves, on whichever thread holds `loyalty`.
DashboardResult computeDashboard(const Loyalty &loyalty, const DashboardRequest &request);
ExportResult runExport(const Loyalty &loyalty, const ExportRequest &request);
SearchResult runSearch(const Loyalty &loyalty, const QString &query);

// What both sides of the thread see: the newest dashboard and search asked for, and whether
// the terminal is closing (then queued jobs are skipped).
struct ReadQueueState {
    std::atomic<quint64> latestDashboard{0}, latestSearch{0};
    std::atomic<bool> stopping{false};
};

// Lives on the worker thread: owns the read-only Store and answers one job at a time.
class ReadWorker : public QObject {
    Q_OBJECT
public:
    ReadWorker(ReadAccess access, std::shared_ptr<const ReadQueueState> state);
    ~ReadWorker() override;
    // Each runs on the worker thread (BackgroundReads queues them there).
    void dashboard(quint64 id, const DashboardRequest &request);
    void search(quint64 id, const QString &query);
    void exportCsv(quint64 id, const ExportRequest &request);
    // Closes the connection on the thread that opened it (the thread's last act).
    void close();

Q_SIGNALS:
    void dashboardReady(const setia::ui::DashboardResult &result);
    void searchDone(const setia::ui::SearchResult &result);
    void exportDone(const setia::ui::ExportResult &result);

private:
    // A Loyalty over the read-only store (opened on first use), or null and why not.
    const Loyalty *loyalty(QString *error);
    ReadAccess m_access;
    std::shared_ptr<const ReadQueueState> m_state;
    SystemClock m_systemClock;
    SecureRandom m_random;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<Loyalty> m_loyalty;
};

class BackgroundReads : public QObject {
    Q_OBJECT
public:
    // Until start() the jobs run on the calling thread, posted to its event loop (for tools and
    // tests that have no store path): the answers still come by signal, never inside the call.
    explicit BackgroundReads(const Loyalty &fallback, QObject *parent = nullptr);
    ~BackgroundReads() override;

    // Starts the worker thread; it opens its read-only connection on its first job.
    void start(ReadAccess access);
    bool threaded() const { return m_worker != nullptr; }

    // Each returns the request's id; its result carries the same id.
    quint64 dashboard(const DashboardRequest &request); // the newest wins
    quint64 search(const QString &query);               // the newest wins
    quint64 exportCsv(const ExportRequest &request);    // queued: every export runs, in order

Q_SIGNALS:
    void dashboardReady(const setia::ui::DashboardResult &result);
    void searchDone(const setia::ui::SearchResult &result);
    void exportDone(const setia::ui::ExportResult &result);

private:
    void onDashboard(const DashboardResult &result);
    void onSearch(const SearchResult &result);
    const Loyalty &m_fallback;
    std::shared_ptr<ReadQueueState> m_state = std::make_shared<ReadQueueState>();
    quint64 m_nextId = 0;
    QThread m_thread;
    ReadWorker *m_worker = nullptr;
};

} // namespace setia::ui

Q_DECLARE_METATYPE(setia::ui::DashboardResult)
Q_DECLARE_METATYPE(setia::ui::SearchResult)
Q_DECLARE_METATYPE(setia::ui::ExportResult)
