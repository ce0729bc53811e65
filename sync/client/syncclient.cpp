#include "syncclient.h"

#include "feedfetcher.h"
#include "hubrequest.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QNetworkInformation>
#include <QNetworkReply>
#include <QNetworkRequest>

using namespace Qt::StringLiterals;

namespace setia::sync {

SyncClient::SyncClient(Loyalty &loyalty, ClientConfig config, QObject *parent)
    : QObject(parent), m_loyalty(loyalty), m_config(std::move(config))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] { syncNow(); });
    m_net.setTransferTimeout(m_config.timeoutMs);
    // What registration recorded in the store (its provisioning may also have pinned them).
    if (m_config.hubKey.isEmpty())
        m_config.hubKey = QByteArray::fromBase64(m_loyalty.setting(u"hub_key"_s).toLatin1());
    if (m_config.hubUrl.isEmpty())
        m_config.hubUrl = QUrl(m_loyalty.setting(u"hub_url"_s));
    auto key = loadOrCreateKeyFile(m_config.keyPath, false);
    if (key)
        m_key = key.value();
    m_status.waiting = m_loyalty.unsyncedCount();
}

// The fetcher's thread stops (and is waited for) before the members its callbacks use go.
SyncClient::~SyncClient() { m_fetcher.reset(); }

ClientStatus SyncClient::status() const { return m_status; }

void SyncClient::start()
{
    // When the network comes back, sync at once instead of waiting out the back-off.
    if (!m_started && QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability)) {
        connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
                [this](QNetworkInformation::Reachability r) { networkChanged(r == QNetworkInformation::Reachability::Online); });
    }
    m_started = true;
    m_timer.start(0);
}

void SyncClient::stop()
{
    m_started = false;
    m_timer.stop();
}

bool SyncClient::networkChanged(bool online)
{
    if (!online || !m_started || m_status.running)
        return false;
    qCInfo(lcSync, "the network is back; syncing now");
    return syncNow();
}

HubEndpoint SyncClient::endpoint() const
{
    return {m_config.hubUrl, m_config.certSha256, m_loyalty.terminalId(), m_key.privateKey};
}

QNetworkReply *SyncClient::send(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body)
{
    return sendToHub(m_net, endpoint(), method, pathAndQuery, body);
}

void SyncClient::onReply(QNetworkReply *reply, std::function<void(int, const QByteArray &)> next)
{
    connect(reply, &QNetworkReply::finished, this, [this, reply, next = std::move(next)] {
        reply->deleteLater();
        if (reply->property("pinFailed").toBool())
            return finish(false, pinFailedMessage());
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        if (status == 0)
            return finish(false, describe(0, {}, reply->errorString()));
        m_reachedHub = true;
        next(status, body);
    });
}

QString SyncClient::pinFailedMessage()
{
    return tr("The hub's certificate is not the one this store was set up with. Nothing was sent; ask the installer.");
}

QString SyncClient::describe(int status, const QByteArray &body, const QString &transportError)
{
    if (status == 0)
        return tr("The hub cannot be reached (%1). Sales and earning go on; points sync when the network is back.").arg(transportError);
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    const QString code = o.value(u"error"_s).toString();
    if (code == u"terminal_revoked"_s)
        return tr("This terminal was revoked at the hub; it cannot sync. Ask the chain's operator.");
    if (code == u"bad_signature"_s || code == u"unknown_terminal"_s)
        return tr("The hub does not recognise this terminal (%1). It must be registered again.").arg(code);
    return tr("The hub answered %1: %2").arg(status).arg(o.value(u"message"_s).toString(code.isEmpty() ? QString::fromUtf8(body.left(200)) : code));
}

void SyncClient::registerTerminal(const QString &token, const QString &name, std::function<void(bool, QString)> done)
{
    auto key = loadOrCreateKeyFile(m_config.keyPath, true);
    if (!key)
        return done(false, key.error().message);
    m_key = key.value();
    const QJsonObject body{{u"token"_s, token}, {u"terminalId"_s, m_loyalty.terminalId()}, {u"storeId"_s, m_loyalty.storeId()},
                           {u"publicKey"_s, QString::fromLatin1(m_key.publicKey.toBase64())}, {u"name"_s, name}};
    QByteArray keep = m_key.privateKey;
    m_key.privateKey.clear(); // registration is not signed: the hub does not know the key yet
    QNetworkReply *reply = send("POST", u"/v1/register"_s, QJsonDocument(body).toJson(QJsonDocument::Compact));
    m_key.privateKey = keep;
    connect(reply, &QNetworkReply::finished, this, [this, reply, done] {
        reply->deleteLater();
        if (reply->property("pinFailed").toBool())
            return done(false, pinFailedMessage());
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray answer = reply->readAll();
        if (status != 200)
            return done(false, describe(status, answer, reply->errorString()));
        const QJsonObject o = QJsonDocument::fromJson(answer).object();
        auto hubKey = fromBase64Strict(o.value(u"hubKey"_s).toString(), 32);
        if (!hubKey)
            return done(false, tr("The hub's answer has no usable key."));
        if (!m_config.hubKey.isEmpty() && m_config.hubKey != hubKey.value())
            return done(false, tr("The hub's key is not the one this store was set up with; registration refused."));
        m_config.hubKey = hubKey.value();
        if (auto st = m_loyalty.setSyncRegistered(m_config.hubUrl.toString(), QString::fromLatin1(hubKey->toBase64())); !st)
            return done(false, st.error().message);
        qCInfo(lcSync, "registered with the hub at %s", qPrintable(m_config.hubUrl.toString()));
        done(true, {});
    });
}

bool SyncClient::syncNow()
{
    if (m_status.running)
        return false;
    if (m_key.privateKey.isEmpty()) {
        m_status.lastError = tr("This terminal is not registered with a hub yet.");
        Q_EMIT statusChanged();
        return false;
    }
    m_timer.stop();
    m_status.running = true;
    m_status.waiting = m_loyalty.unsyncedCount();
    m_pushedInRun = 0;
    m_reachedHub = false;
    m_runProblem.clear();
    Q_EMIT statusChanged();
    pushNext();
    return true;
}

void SyncClient::pushNext()
{
    auto events = m_loyalty.unsyncedEvents(m_config.batchSize);
    if (!events)
        return finish(false, events.error().message);
    if (events->isEmpty() || m_pushedInRun < 0)
        return pullNext();
    PushRequest req;
    req.terminalId = m_loyalty.terminalId();
    req.events = events.value();
    req.members = {};
    for (const Loyalty::SyncMemberKey &k : m_loyalty.memberKeysFor(req.events))
        req.members.append({k.memberId, k.phoneIndex, k.wrappedKey});
    onReply(send("POST", u"/v1/push"_s, encodePush(req)), [this](int status, const QByteArray &body) {
        if (status != 200)
            return finish(false, describe(status, body, {}));
        auto results = decodePushResponse(body);
        if (!results)
            return finish(false, tr("The hub's answer could not be read: %1").arg(results.error().message));
        QList<std::pair<QString, qint64>> stored;
        qint64 refused = 0;
        QString reason;
        for (const EventResult &r : results.value()) {
            if (r.stored())
                stored.append({r.eventId, r.serverSeq});
            else {
                ++refused;
                reason = r.reason;
            }
        }
        if (auto st = m_loyalty.markSynced(stored); !st)
            return finish(false, st.error().message);
        m_status.refused = refused;
        // Counted once per run (syncNow()) and again when it ends (finish()); in between the
        // batches take theirs off (counting the outbox after every batch was a tenth of a
        // push's time here: a scan of what is left, every time).
        m_status.waiting = qMax<qint64>(0, m_status.waiting - qint64(stored.size()));
        if (refused > 0) {
            m_runProblem = tr("%n event(s) were not accepted by the hub (%1); a manager must look at the hub's alerts.", "", int(refused)).arg(reason);
            if (stored.isEmpty()) { // no progress: the rest waits for the hub's operator
                m_pushedInRun = -1;
                return pullNext();
            }
        }
        m_pushedInRun += int(stored.size());
        pushNext();
    });
}

void SyncClient::pullNext()
{
    m_firstPull = !m_loyalty.feedCaughtUp();
    m_gathered = {};
    if (m_firstPull || m_loyalty.namesStaged()) { // one count per sync; then counted as chunks are applied
        m_status.preparing = true;
        m_status.membersReceived = m_loyalty.hubMemberCount();
        Q_EMIT statusChanged();
    }
    if (!m_fetcher)
        m_fetcher = std::make_unique<FeedFetcherThread>(
            this, [this](quint64 run, FetchedPage page) { pageFetched(run, std::move(page)); },
            [this](quint64 run, const FetchFailure &f) { fetchFailed(run, f); });
    // Pages come ahead of what is applied: a first pull keeps up to two chunks in memory (one
    // gathering while the other is applied), a later pull two pages.
    const int pageSize = qMax(1, m_config.feedPageSize);
    const int ahead = m_firstPull ? 2 * qMax(1, (m_config.firstPullMembers + pageSize - 1) / pageSize) : 2;
    m_fetcher->begin(++m_pullRun, endpoint(), m_loyalty.feedCursor(), pageSize, ahead, m_config.timeoutMs,
                     m_loyalty.feedPreparer());
}

void SyncClient::fetchFailed(quint64 run, const FetchFailure &f)
{
    if (run != m_pullRun || !m_status.running)
        return;
    if (f.pinFailed)
        return finish(false, pinFailedMessage());
    if (f.status == 0)
        return finish(false, describe(0, {}, f.transportError));
    m_reachedHub = true;
    if (!f.readError.isEmpty())
        return finish(false, tr("The hub's change feed could not be read: %1").arg(f.readError));
    finish(false, describe(f.status, f.body, {}));
}

void SyncClient::pageFetched(quint64 run, FetchedPage page)
{
    if (run != m_pullRun || !m_status.running)
        return;
    m_reachedHub = true;
    m_fetcher->taken(run);
    Loyalty::FeedBatch &batch = m_gathered;
    batch.cursor = page.next;
    batch.complete = !page.more;
    batch.members.append(std::move(page.members));
    batch.programs.append(std::move(page.programs));
    batch.alerts.append(std::move(page.alerts));
    // A first pull gathers pages up to firstPullMembers; the cursor moves only with what is
    // applied, so pages gathered and lost (a failure, a crash) are pulled again.
    if (page.more && m_firstPull && batch.members.size() < m_config.firstPullMembers)
        return;
    QElapsedTimer applying;
    applying.start();
    const Status applied = m_loyalty.applyFeed(batch);
    // How long this thread (the terminal's screen) waited for it.
    qCDebug(lcSync, "applied %lld feed members in %lld ms", qint64(batch.members.size()), applying.elapsed());
    const qsizetype appliedMembers = batch.members.size();
    m_gathered = {};
    if (!applied)
        return finish(false, tr("The hub's change feed could not be applied: %1").arg(applied.error().message));
    if (m_status.preparing) {
        m_status.membersReceived += appliedMembers;
        Q_EMIT statusChanged();
    }
    if (!page.more)
        indexStagedNames();
}

// After a first pull (or a sync that finds its merge unfinished: the terminal was closed), the
// names it staged go into the name index, one slice per turn of the event loop: the screen
// waits for one slice at a time, as for one chunk of the pull.
void SyncClient::indexStagedNames()
{
    QElapsedTimer merging;
    merging.start();
    const Result<bool> more = m_loyalty.indexStagedNames();
    qCDebug(lcSync, "merged a slice of the staged names in %lld ms", merging.elapsed());
    if (!more)
        return finish(false, tr("The name index could not be completed: %1").arg(more.error().message));
    if (*more) {
        QTimer::singleShot(0, this, [this] { indexStagedNames(); });
        return;
    }
    if (m_status.preparing) {
        m_status.preparing = !m_loyalty.feedCaughtUp();
        Q_EMIT statusChanged();
    }
    renewLease();
}

void SyncClient::renewLease()
{
    onReply(send("GET", u"/v1/lease"_s, {}), [this](int status, const QByteArray &body) {
        if (status != 200)
            return finish(false, describe(status, body, {}));
        auto lease = decodeSignedLease(body, m_config.hubKey);
        if (!lease)
            return finish(false, lease.error().message);
        if (lease->terminalId != m_loyalty.terminalId())
            return finish(false, tr("The hub sent a lease for another terminal."));
        Loyalty::SyncLease l{lease->leaseId, lease->issuedAt, lease->expiresAt, lease->memberCap, lease->terminalCap, lease->maxCount};
        if (auto st = m_loyalty.setLease(l); !st)
            return finish(false, st.error().message);
        finish(m_runProblem.isEmpty(), m_runProblem);
    });
}

void SyncClient::finish(bool ok, const QString &error)
{
    m_status.running = false;
    m_gathered = {};
    ++m_pullRun; // what the fetcher still sends of this run is dropped
    if (m_fetcher)
        m_fetcher->cancel();
    m_status.online = ok || m_reachedHub; // the hub answered, even if with a refusal
    m_status.waiting = m_loyalty.unsyncedCount();
    m_status.lastError = error;
    if (ok) {
        m_status.failures = 0;
        m_status.lastSuccessAt = QDateTime::currentMSecsSinceEpoch();
        qCInfo(lcSync, "synced; %lld events waiting", m_status.waiting);
    } else {
        ++m_status.failures;
        qCWarning(lcSync, "sync failed (%d in a row): %s", m_status.failures, qPrintable(error));
    }
    scheduleNext();
    Q_EMIT statusChanged();
    Q_EMIT finished(ok);
}

void SyncClient::scheduleNext()
{
    qint64 delay = m_config.intervalMs;
    if (m_status.failures > 0) {
        // Exponential back-off with "equal jitter": half fixed, half random, so many terminals
        // coming back at once after an outage do not hit the hub in step.
        const int shift = qMin(m_status.failures - 1, 20);
        const qint64 ceiling = qMin<qint64>(m_config.backoffMaxMs, qint64(m_config.backoffBaseMs) << shift);
        delay = ceiling / 2 + qint64(m_random.below(quint64(ceiling / 2 + 1)));
    }
    m_status.nextAttemptAt = QDateTime::currentMSecsSinceEpoch() + delay;
    if (m_timer.isActive() || delay > 0)
        m_timer.start(int(qMin<qint64>(delay, std::numeric_limits<int>::max())));
}

} // namespace setia::sync
