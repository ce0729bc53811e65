#include "backgroundreads.h"

#include "core/store.h"

#include <QElapsedTimer>
#include <QSaveFile>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace setia::ui {

namespace {

// Writes all or nothing; "" on success, else why not.
QString writeFile(const QString &path, const QByteArray &data)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return f.errorString();
    if (f.write(data) != data.size())
        return f.errorString();
    if (!f.commit())
        return f.errorString();
    return QString();
}

QList<TopMember> topFive(const Loyalty &loyalty, const Report &report)
{
    QList<TopMember> top;
    for (const auto &[memberId, points] : report.topMembers) {
        if (top.size() == 5)
            break;
        auto m = loyalty.member(memberId);
        top.append(TopMember{memberId, m ? m->profile.name : QString(), points});
    }
    return top;
}

} // namespace

DashboardResult computeDashboard(const Loyalty &loyalty, const DashboardRequest &request)
{
    DashboardResult r;
    r.day = loyalty.report(request.dayStart, request.dayEnd);
    r.week = loyalty.report(request.weekStart, request.dayEnd);
    r.topDay = topFive(loyalty, r.day);
    r.topWeek = topFive(loyalty, r.week);
    return r;
}

ExportResult runExport(const Loyalty &loyalty, const ExportRequest &request)
{
    QElapsedTimer clock;
    clock.start();
    ExportResult r;
    r.kind = request.kind;
    r.path = request.path;
    const QByteArray csv = request.kind == ExportRequest::Kind::Members ? loyalty.exportMembers(request.personalData)
                                                                        : loyalty.exportEvents(request.fromMs, request.toMs);
    r.rows = std::max(0, int(csv.count('\n')) - 1);
    r.fileError = writeFile(request.path, csv);
    r.elapsedMs = clock.elapsed();
    return r;
}

SearchResult runSearch(const Loyalty &loyalty, const QString &query)
{
    SearchResult r;
    r.query = query;
    QString direct; // a card or phone of any status (blocked cards too, for the manager)
    if (auto id = loyalty.memberIdFor(query))
        direct = id.value();
    auto found = loyalty.search(query, 0, 20);
    if (found)
        r.members = found.value();
    else if (direct.isEmpty())
        r.error = found.error();
    if (!direct.isEmpty()
        && std::none_of(r.members.begin(), r.members.end(), [&](const MemberSummary &s) { return s.memberId == direct; }))
        if (auto m = loyalty.member(direct))
            r.members.prepend(MemberSummary{m->memberId, m->profile.name, QString(), m->tierId, m->status, m->balance});
    return r;
}

// ---- the worker, on its thread ----

ReadWorker::ReadWorker(ReadAccess access, std::shared_ptr<const ReadQueueState> state)
    : m_access(std::move(access)), m_state(std::move(state))
{
}

ReadWorker::~ReadWorker() = default;

const Loyalty *ReadWorker::loyalty(QString *error)
{
    if (!m_store) {
        auto opened = Store::open(m_access.dbPath, {Store::Mode::ReadOnly, false});
        if (!opened) {
            *error = opened.error().message;
            return nullptr;
        }
        m_store = std::move(opened).value();
    }
    // A fresh Loyalty for each job: nothing it caches (the program) can be older than the store.
    m_loyalty = std::make_unique<Loyalty>(*m_store, m_access.keys, m_access.clock ? *m_access.clock : m_systemClock, m_random);
    return m_loyalty.get();
}

void ReadWorker::close()
{
    m_loyalty.reset();
    m_store.reset();
}

void ReadWorker::dashboard(quint64 id, const DashboardRequest &request)
{
    if (m_state->stopping || id != m_state->latestDashboard)
        return; // a newer request is queued behind this one
    QString why;
    DashboardResult r;
    if (const Loyalty *l = loyalty(&why))
        r = computeDashboard(*l, request);
    else
        r.error = Error{u"store_unreadable"_s, why};
    r.id = id;
    Q_EMIT dashboardReady(r);
}

void ReadWorker::search(quint64 id, const QString &query)
{
    if (m_state->stopping || id != m_state->latestSearch)
        return;
    QString why;
    SearchResult r;
    if (const Loyalty *l = loyalty(&why))
        r = runSearch(*l, query);
    else
        r.error = Error{u"store_unreadable"_s, why};
    r.id = id;
    r.query = query;
    Q_EMIT searchDone(r);
}

void ReadWorker::exportCsv(quint64 id, const ExportRequest &request)
{
    if (m_state->stopping)
        return;
    QString why;
    ExportResult r;
    if (const Loyalty *l = loyalty(&why)) {
        r = runExport(*l, request);
    } else {
        r.kind = request.kind;
        r.path = request.path;
        r.error = Error{u"store_unreadable"_s, why};
    }
    r.id = id;
    Q_EMIT exportDone(r);
}

// ---- the UI thread's side ----

BackgroundReads::BackgroundReads(const Loyalty &fallback, QObject *parent) : QObject(parent), m_fallback(fallback)
{
    qRegisterMetaType<DashboardResult>();
    qRegisterMetaType<SearchResult>();
    qRegisterMetaType<ExportResult>();
    m_thread.setObjectName(u"setia-reads"_s);
}

BackgroundReads::~BackgroundReads()
{
    m_state->stopping = true;
    if (m_worker) {
        m_thread.quit();
        m_thread.wait(); // the job in hand finishes; the queued ones are skipped
        delete m_worker; // its thread has ended: nothing of it runs any more
    }
}

void BackgroundReads::start(ReadAccess access)
{
    if (m_worker)
        return;
    m_worker = new ReadWorker(std::move(access), m_state);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &ReadWorker::close, Qt::DirectConnection);
    connect(m_worker, &ReadWorker::dashboardReady, this, &BackgroundReads::onDashboard);
    connect(m_worker, &ReadWorker::searchDone, this, &BackgroundReads::onSearch);
    connect(m_worker, &ReadWorker::exportDone, this, &BackgroundReads::exportDone);
    m_thread.start();
}

quint64 BackgroundReads::dashboard(const DashboardRequest &request)
{
    const quint64 id = ++m_nextId;
    m_state->latestDashboard = id;
    if (m_worker) {
        QMetaObject::invokeMethod(m_worker, [w = m_worker, id, request] { w->dashboard(id, request); }, Qt::QueuedConnection);
    } else {
        QTimer::singleShot(0, this, [this, id, request] {
            if (id != m_state->latestDashboard)
                return;
            DashboardResult r = computeDashboard(m_fallback, request);
            r.id = id;
            onDashboard(r);
        });
    }
    return id;
}

quint64 BackgroundReads::search(const QString &query)
{
    const quint64 id = ++m_nextId;
    m_state->latestSearch = id;
    if (m_worker) {
        QMetaObject::invokeMethod(m_worker, [w = m_worker, id, query] { w->search(id, query); }, Qt::QueuedConnection);
    } else {
        QTimer::singleShot(0, this, [this, id, query] {
            if (id != m_state->latestSearch)
                return;
            SearchResult r = runSearch(m_fallback, query);
            r.id = id;
            onSearch(r);
        });
    }
    return id;
}

quint64 BackgroundReads::exportCsv(const ExportRequest &request)
{
    const quint64 id = ++m_nextId;
    if (m_worker) {
        QMetaObject::invokeMethod(m_worker, [w = m_worker, id, request] { w->exportCsv(id, request); }, Qt::QueuedConnection);
    } else {
        QTimer::singleShot(0, this, [this, id, request] {
            ExportResult r = runExport(m_fallback, request);
            r.id = id;
            Q_EMIT exportDone(r);
        });
    }
    return id;
}

void BackgroundReads::onDashboard(const DashboardResult &result)
{
    if (result.id == m_state->latestDashboard) // an older answer that finished late is of no use
        Q_EMIT dashboardReady(result);
}

void BackgroundReads::onSearch(const SearchResult &result)
{
    if (result.id == m_state->latestSearch)
        Q_EMIT searchDone(result);
}

} // namespace setia::ui
