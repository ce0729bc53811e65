#pragma once
// One signed request to the hub, as the sync client and its feed fetcher send them: the
// terminal's id and its Ed25519 signature of the request (sync/protocol), the hub's
// certificate pinned on HTTPS. Shared so that both threads' requests are the same.
#include <QByteArray>
#include <QLoggingCategory>
#include <QString>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

Q_DECLARE_LOGGING_CATEGORY(lcSync)

namespace setia::sync {

struct HubEndpoint {
    QUrl url;              // the hub's base URL
    QByteArray certSha256; // HTTPS: the pinned SHA-256 of the hub's certificate; empty: system CAs
    QString terminalId;
    QByteArray privateKey; // empty: the request is not signed (registration)
};

// Sends method pathAndQuery (e.g. "/v1/feed?after=0&limit=1000") with body. A reply whose
// certificate is not the pinned one is aborted and has the property "pinFailed" set.
QNetworkReply *sendToHub(QNetworkAccessManager &net, const HubEndpoint &hub, const QByteArray &method,
                         const QString &pathAndQuery, const QByteArray &body);

} // namespace setia::sync
