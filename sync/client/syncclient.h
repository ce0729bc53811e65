#pragma once
// The terminal's sync client (docs/sync.md): registers the terminal with the hub, then on a
// timer (and when the network comes back) pushes the outbox in bounded batches, pulls the
// change feed and renews the redemption lease. Everything is asynchronous on the thread's
// event loop, so the cashier never waits for the network; a second sync while one runs is
// refused (two uploaders must not race). Failures back off exponentially with jitter.
#include "core/loyalty.h"
#include "sync/protocol/protocol.h"

#include <QByteArray>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkReply;

namespace setia::sync {

struct HubEndpoint;
struct FetchedPage;
struct FetchFailure;
class FeedFetcherThread;

struct ClientConfig {
    QUrl hubUrl;                 // http://127.0.0.1:PORT on loopback (tests), https:// otherwise
    QByteArray hubKey;           // the hub's Ed25519 public key, pinned from provisioning (may be empty before registration)
    QByteArray certSha256;       // HTTPS: the pinned SHA-256 of the hub's (or its proxy's) certificate; empty: system CAs
    QString keyPath;             // this terminal's Ed25519 key file (created at registration)
    int batchSize = 500;         // events per push
    int feedPageSize = 1000;
    // A terminal's first pull (until it has once reached the end of the feed: the whole chain)
    // applies this many members per transaction, pages gathered in memory first: one commit
    // per 1,000 members wrote most of the store's index pages again at every commit
    // (docs/performance.md). Later pulls apply page by page, so the cashier never waits long.
    int firstPullMembers = 5'000;
    int intervalMs = 30'000;     // between successful syncs
    int backoffBaseMs = 2'000;
    int backoffMaxMs = 300'000;
    int timeoutMs = 30'000;      // per request
};

struct ClientStatus {
    bool online = false;       // the last attempt reached the hub
    bool running = false;
    qint64 waiting = 0;        // events not yet stored by the hub
    qint64 lastSuccessAt = 0;  // UTC ms
    qint64 nextAttemptAt = 0;
    int failures = 0;          // in a row
    QString lastError;         // in words, for the screen; empty after a success
    qint64 refused = 0;        // events the hub refused or holds (see the hub's alerts)
    // The first pull (the whole chain, once per terminal) is under way: the screen says the
    // terminal is being prepared, with how many of the chain's members it has so far.
    bool preparing = false;
    qint64 membersReceived = 0;
};

class SyncClient : public QObject {
    Q_OBJECT
public:
    SyncClient(Loyalty &loyalty, ClientConfig config, QObject *parent = nullptr);
    ~SyncClient() override;

    // Registers with a one-time enrollment token; on success the store records the hub's URL
    // and key. done(ok, error) is called on this thread.
    void registerTerminal(const QString &token, const QString &name, std::function<void(bool, QString)> done);
    // Starts one sync now; false (and nothing started) when one is already running.
    bool syncNow();
    // Syncs on the timer from now on (and when the network comes back).
    void start();
    void stop();
    // The system says the network came back (online) or went away. Coming back starts a sync at
    // once, instead of waiting out the back-off, when the client is started and no sync is
    // running; true when it started one. Going away changes nothing: the next attempt fails
    // and backs off as usual. start() connects it to QNetworkInformation where a backend
    // reports reachability (NetworkManager on Debian).
    bool networkChanged(bool online);
    ClientStatus status() const;
    const ClientConfig &config() const { return m_config; }

Q_SIGNALS:
    void statusChanged();
    void finished(bool ok);

private:
    void pushNext();
    void pullNext(); // the pull begins, from the store's feed cursor
    void pageFetched(quint64 run, FetchedPage page);
    void fetchFailed(quint64 run, const FetchFailure &failure);
    void indexStagedNames();
    void renewLease();
    void finish(bool ok, const QString &error);
    void scheduleNext();
    HubEndpoint endpoint() const;
    QNetworkReply *send(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body);
    void onReply(QNetworkReply *reply, std::function<void(int status, const QByteArray &body)> next);
    static QString describe(int status, const QByteArray &body, const QString &transportError);
    static QString pinFailedMessage();

    Loyalty &m_loyalty;
    ClientConfig m_config;
    bool m_started = false;
    QNetworkAccessManager m_net;
    QTimer m_timer;
    KeyPair m_key;
    ClientStatus m_status;
    int m_pushedInRun = 0;
    bool m_firstPull = false;          // this run's pull is (part of) the terminal's first: !feedCaughtUp()
    Loyalty::FeedBatch m_gathered;     // a first pull's pages not yet applied
    // The feed is downloaded and decoded on a thread of its own, ahead of what is applied
    // (feedfetcher.h); made at the first pull. m_pullRun tells this run's pages from a
    // finished run's.
    std::unique_ptr<FeedFetcherThread> m_fetcher;
    quint64 m_pullRun = 0;
    bool m_reachedHub = false; // this run got an HTTP answer
    QString m_runProblem; // refused events this run: reported after the pull
    SecureRandom m_random;
};

} // namespace setia::sync
