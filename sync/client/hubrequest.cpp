#include "hubrequest.h"

#include "sync/protocol/protocol.h"

#include <QCryptographicHash>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSync, "setia.sync", QtInfoMsg)

namespace setia::sync {

QNetworkReply *sendToHub(QNetworkAccessManager &net, const HubEndpoint &hub, const QByteArray &method,
                         const QString &pathAndQuery, const QByteArray &body)
{
    QUrl url = hub.url;
    const int q = pathAndQuery.indexOf(u'?');
    url.setPath(q < 0 ? pathAndQuery : pathAndQuery.left(q));
    if (q >= 0)
        url.setQuery(pathAndQuery.mid(q + 1));
    QNetworkRequest req(url);
    req.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    if (!hub.privateKey.isEmpty()) {
        QByteArray target = url.path(QUrl::FullyEncoded).toUtf8();
        if (url.hasQuery())
            target += '?' + url.query(QUrl::FullyEncoded).toUtf8();
        req.setRawHeader(kTerminalHeader, hub.terminalId.toLatin1());
        req.setRawHeader(kSignatureHeader, sign(hub.privateKey, requestSigningInput(method, target, body)).toBase64());
    }
    const bool pinned = url.scheme() == u"https"_s && !hub.certSha256.isEmpty();
    if (pinned) {
        // Pinned: the certificate must be exactly the provisioned one (self-signed is fine).
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
        req.setSslConfiguration(ssl);
    }
    QNetworkReply *reply = method == "GET" ? net.get(req) : net.post(req, body);
    if (pinned) {
        const QByteArray pin = hub.certSha256;
        QObject::connect(reply, &QNetworkReply::encrypted, reply, [reply, pin] {
            const QSslCertificate cert = reply->sslConfiguration().peerCertificate();
            if (cert.digest(QCryptographicHash::Sha256) != pin) {
                qCWarning(lcSync, "the hub's certificate does not match the pinned fingerprint; refusing");
                reply->setProperty("pinFailed", true);
                reply->abort();
            }
        });
    }
    return reply;
}

} // namespace setia::sync
