#pragma once
// The change feed, downloaded and decoded ahead of the terminal applying it (docs/sync.md
// "Pulling the feed"). A pull used to wait for each page in turn: the request, the hub's
// query, the transfer and the JSON, then the terminal's transaction, then the next request.
// None of the first four touches the store, so FeedFetcher does them on a thread of its own,
// with its own QNetworkAccessManager, up to a bounded number of pages ahead of what the
// terminal has taken; the terminal's thread only applies. The cursor still moves only with
// what the store commits: pages fetched and not applied (a failure, the terminal closed) are
// simply fetched again by the next sync.
#include "core/loyalty.h"
#include "hubrequest.h"

#include <QObject>
#include <QPointer>
#include <QThread>

#include <functional>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace setia::sync {

// One page of the feed, decoded into what Loyalty::applyFeed takes.
struct FetchedPage {
    QList<Loyalty::HubMember> members;
    QList<std::pair<int, QByteArray>> programs;
    QList<Loyalty::HubAlert> alerts;
    qint64 next = 0;   // the cursor after this page
    bool more = false; // the hub has more after it
};

// Why a page could not be had: the transport (status 0), the hub's answer (status, body), a
// certificate that is not the pinned one, or a page that could not be read (readError).
struct FetchFailure {
    int status = 0;
    QByteArray body;
    QString transportError;
    bool pinFailed = false;
    QString readError;
};

// Lives on its own thread (FeedFetcherThread); its results come back to the owner's thread
// through the callbacks, queued on the receiver given to the thread.
class FeedFetcher : public QObject {
    Q_OBJECT
public:
    using PageHandler = std::function<void(quint64 run, FetchedPage page)>;
    using FailureHandler = std::function<void(quint64 run, FetchFailure failure)>;
    FeedFetcher(QObject *receiver, PageHandler onPage, FailureHandler onFailure);
    ~FeedFetcher() override;

    // These run on the fetcher's thread; call them through FeedFetcherThread.
    // A run fetches from the page after `after`, pages of pageSize, until the hub says no page
    // follows, never more than maxAhead pages delivered and not yet taken; prepare (if set)
    // runs on every member of a page before it is delivered. A new run (or cancel) drops what
    // the previous one had in flight.
    void begin(quint64 run, const HubEndpoint &hub, qint64 after, int pageSize, int maxAhead, int timeoutMs,
               const Loyalty::FeedPreparer &prepare);
    void taken(quint64 run); // the owner took one page of this run
    void cancel();

private:
    void fetchMore();
    QObject *m_receiver;
    PageHandler m_onPage;
    FailureHandler m_onFailure;
    QNetworkAccessManager *m_net = nullptr; // made on the fetcher's thread
    QPointer<QNetworkReply> m_reply;
    HubEndpoint m_hub;
    Loyalty::FeedPreparer m_prepare;
    quint64 m_run = 0;
    qint64 m_cursor = 0;
    int m_pageSize = 1000;
    int m_maxAhead = 2;
    int m_ahead = 0;
    bool m_done = true;
};

// The fetcher and its thread, owned by the sync client; the calls are queued to the thread.
// Destroying it cancels, stops the thread and waits for it: no callback comes after that.
class FeedFetcherThread {
public:
    FeedFetcherThread(QObject *receiver, FeedFetcher::PageHandler onPage, FeedFetcher::FailureHandler onFailure);
    ~FeedFetcherThread();
    FeedFetcherThread(const FeedFetcherThread &) = delete;
    FeedFetcherThread &operator=(const FeedFetcherThread &) = delete;
    void begin(quint64 run, const HubEndpoint &hub, qint64 after, int pageSize, int maxAhead, int timeoutMs,
               const Loyalty::FeedPreparer &prepare);
    void taken(quint64 run);
    void cancel();

private:
    QThread m_thread;
    FeedFetcher *m_fetcher; // lives on m_thread, deleted when it finishes
};

} // namespace setia::sync
