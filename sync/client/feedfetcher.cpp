#include "feedfetcher.h"

#include "sync/protocol/protocol.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>

using namespace Qt::StringLiterals;

namespace setia::sync {

namespace {

qint64 int64Field(const QJsonObject &o, const QString &k) { return o.value(k).toString().toLongLong(); }

Loyalty::HubMember hubMember(const QJsonObject &o)
{
    Loyalty::HubMember m;
    m.memberId = o.value(u"memberId"_s).toString();
    m.status = o.value(u"status"_s).toString();
    m.homeStore = o.value(u"homeStore"_s).toString();
    m.tierId = o.value(u"tierId"_s).toString();
    m.phoneIndex = o.value(u"phoneIndex"_s).toString();
    m.mergedInto = o.value(u"mergedInto"_s).toString();
    m.profile = QByteArray::fromBase64(o.value(u"profile"_s).toString().toLatin1());
    m.wrappedKey = QByteArray::fromBase64(o.value(u"wrappedKey"_s).toString().toLatin1());
    m.balance = int64Field(o, u"balance"_s);
    m.asOf = int64Field(o, u"asOf"_s);
    m.enrolledAt = int64Field(o, u"enrolledAt"_s);
    for (const QJsonValue &v : o.value(u"cards"_s).toArray()) {
        const QJsonObject c = v.toObject();
        m.cards.append({c.value(u"number"_s).toString(), c.value(u"kind"_s).toString(), c.value(u"status"_s).toString()});
    }
    for (const QJsonValue &v : o.value(u"vouchers"_s).toArray()) {
        const QJsonObject c = v.toObject();
        m.vouchers.append({c.value(u"code"_s).toString(), c.value(u"typeId"_s).toString(), int64Field(c, u"discount"_s),
                           int64Field(c, u"minSpend"_s), int64Field(c, u"issuedAt"_s), int64Field(c, u"expiresAt"_s),
                           int64Field(c, u"usedAt"_s)});
    }
    return m;
}

Result<FetchedPage> readPage(const QByteArray &body)
{
    auto page = decodeFeedPage(body);
    if (!page)
        return page.error();
    FetchedPage out;
    out.next = page->next;
    out.more = page->more;
    for (const FeedItem &i : std::as_const(page->items)) {
        if (i.kind == u"member"_s)
            out.members.append(hubMember(i.body));
        else if (i.kind == u"program"_s)
            out.programs.append({i.body.value(u"version"_s).toInt(), i.body.value(u"document"_s).toString().toUtf8()});
        else if (i.kind == u"alert"_s)
            out.alerts.append({i.body.value(u"alertId"_s).toString(), i.body.value(u"kind"_s).toString(),
                               i.body.value(u"memberId"_s).toString(), i.body.value(u"detail"_s).toString(),
                               int64Field(i.body, u"at"_s)});
    }
    return out;
}

} // namespace

FeedFetcher::FeedFetcher(QObject *receiver, PageHandler onPage, FailureHandler onFailure)
    : m_receiver(receiver), m_onPage(std::move(onPage)), m_onFailure(std::move(onFailure))
{
}

FeedFetcher::~FeedFetcher() { cancel(); }

void FeedFetcher::begin(quint64 run, const HubEndpoint &hub, qint64 after, int pageSize, int maxAhead, int timeoutMs,
                        const Loyalty::FeedPreparer &prepare)
{
    cancel();
    if (!m_net)
        m_net = new QNetworkAccessManager(this);
    m_net->setTransferTimeout(timeoutMs);
    m_run = run;
    m_hub = hub;
    m_prepare = prepare;
    m_cursor = after;
    m_pageSize = qMax(1, pageSize);
    m_maxAhead = qMax(1, maxAhead);
    m_ahead = 0;
    m_done = false;
    fetchMore();
}

void FeedFetcher::taken(quint64 run)
{
    if (run != m_run)
        return;
    m_ahead = qMax(0, m_ahead - 1);
    fetchMore();
}

void FeedFetcher::cancel()
{
    m_done = true;
    if (QNetworkReply *r = m_reply.data()) {
        m_reply.clear();
        r->disconnect(this);
        r->abort();
        r->deleteLater();
    }
}

void FeedFetcher::fetchMore()
{
    if (m_done || m_reply || m_ahead >= m_maxAhead)
        return;
    const qint64 after = m_cursor;
    qCDebug(lcSync, "requesting the feed after %lld", after);
    QNetworkReply *reply = sendToHub(*m_net, m_hub, "GET", u"/v1/feed?after=%1&limit=%2"_s.arg(after).arg(m_pageSize), {});
    m_reply = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply, run = m_run] {
        reply->deleteLater();
        if (m_reply != reply || run != m_run)
            return;
        m_reply.clear();
        FetchFailure failure;
        auto fail = [&] {
            m_done = true;
            QMetaObject::invokeMethod(m_receiver, [h = m_onFailure, run, failure] { h(run, failure); }, Qt::QueuedConnection);
        };
        failure.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        failure.pinFailed = reply->property("pinFailed").toBool();
        if (failure.pinFailed || failure.status != 200) {
            failure.body = reply->readAll();
            failure.transportError = reply->errorString();
            return fail();
        }
        auto page = readPage(reply->readAll());
        if (!page) {
            failure.readError = page.error().message;
            return fail();
        }
        FetchedPage p = std::move(page).value();
        if (m_prepare)
            for (Loyalty::HubMember &m : p.members)
                m_prepare(m);
        ++m_ahead;
        m_cursor = p.next;
        m_done = !p.more;
        // The next page is asked for before this one is handed over: it is on its way while
        // the terminal applies this one.
        fetchMore();
        QMetaObject::invokeMethod(m_receiver, [h = m_onPage, run, p = std::move(p)]() mutable { h(run, std::move(p)); },
                                  Qt::QueuedConnection);
    });
}

FeedFetcherThread::FeedFetcherThread(QObject *receiver, FeedFetcher::PageHandler onPage, FeedFetcher::FailureHandler onFailure)
    : m_fetcher(new FeedFetcher(receiver, std::move(onPage), std::move(onFailure)))
{
    m_thread.setObjectName(u"setia-feed"_s);
    m_fetcher->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_fetcher, &QObject::deleteLater);
    m_thread.start();
}

// The fetcher is deleted on its thread as it finishes (~FeedFetcher cancels what is in flight).
FeedFetcherThread::~FeedFetcherThread()
{
    m_thread.quit();
    m_thread.wait();
}

void FeedFetcherThread::begin(quint64 run, const HubEndpoint &hub, qint64 after, int pageSize, int maxAhead, int timeoutMs,
                              const Loyalty::FeedPreparer &prepare)
{
    QMetaObject::invokeMethod(
        m_fetcher,
        [run, hub, after, pageSize, maxAhead, timeoutMs, prepare, f = m_fetcher] {
            f->begin(run, hub, after, pageSize, maxAhead, timeoutMs, prepare);
        },
        Qt::QueuedConnection);
}

void FeedFetcherThread::taken(quint64 run)
{
    QMetaObject::invokeMethod(m_fetcher, [run, f = m_fetcher] { f->taken(run); }, Qt::QueuedConnection);
}

void FeedFetcherThread::cancel()
{
    QMetaObject::invokeMethod(m_fetcher, [f = m_fetcher] { f->cancel(); }, Qt::QueuedConnection);
}

} // namespace setia::sync
