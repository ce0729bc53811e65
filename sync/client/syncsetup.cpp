#include "syncsetup.h"

#include "hubrequest.h"

#include <QDateTime>
#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTimeZone>

using namespace Qt::StringLiterals;


namespace setia::sync {

Result<Provisioning> readProvisioning(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(u"provisioning_unreadable"_s, u"Cannot read the store file %1: %2"_s.arg(path, f.errorString()));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(u"provisioning_invalid"_s, u"The store file %1 is not a JSON object (%2)."_s.arg(path, pe.errorString()));
    const QJsonObject o = doc.object();
    Provisioning p;
    QStringList problems;
    const QString url = o.value(u"hub_url"_s).toString();
    p.hubUrl = QUrl(url, QUrl::StrictMode);
    const bool loopback = QHostAddress(p.hubUrl.host()).isLoopback() || p.hubUrl.host() == u"localhost"_s;
    if (!url.isEmpty() && (!p.hubUrl.isValid() || !(p.hubUrl.scheme() == u"https"_s || (p.hubUrl.scheme() == u"http"_s && loopback))))
        problems << u"hub_url: an https:// URL (plain http only on this machine's loopback)"_s;
    QString fp = o.value(u"hub_fingerprint"_s).toString();
    if (fp.startsWith(u"sha256:"_s, Qt::CaseInsensitive))
        fp = fp.mid(7);
    fp.remove(u':');
    if (!fp.isEmpty()) {
        p.certSha256 = QByteArray::fromHex(fp.toLatin1());
        if (p.certSha256.size() != 32)
            problems << u"hub_fingerprint: the SHA-256 of the hub's certificate, 64 hex digits"_s;
    }
    const QString key = o.value(u"hub_key"_s).toString();
    if (!key.isEmpty()) {
        auto k = fromBase64Strict(key, 32);
        if (!k)
            problems << u"hub_key: base64 of the hub's 32-byte Ed25519 public key"_s;
        else
            p.hubKey = k.value();
    }
    p.enrollmentToken = o.value(u"enrollment_token"_s).toString();
    p.terminalName = o.value(u"terminal_name"_s).toString();
    if (!problems.isEmpty())
        return makeError(u"provisioning_invalid"_s, u"The store file %1: %2"_s.arg(path, problems.join(u"; "_s)));
    return p;
}

SyncService::SyncService(Loyalty &loyalty, const QString &storePath, std::optional<Provisioning> provisioning, int intervalMs,
                         QObject *parent)
    : QObject(parent), m_loyalty(loyalty), m_provisioning(std::move(provisioning))
{
    ClientConfig c;
    c.keyPath = storePath + u".sync.key"_s;
    c.intervalMs = intervalMs;
    const QString hub = m_loyalty.setting(u"hub_url"_s);
    if (m_loyalty.syncRegistered()) {
        c.hubUrl = QUrl(hub);
    } else if (m_provisioning && m_provisioning->hubUrl.isValid() && !m_provisioning->enrollmentToken.isEmpty()) {
        c.hubUrl = m_provisioning->hubUrl;
    } else {
        return; // no hub: everything stays on this terminal
    }
    if (m_provisioning) {
        c.certSha256 = m_provisioning->certSha256;
        if (!m_provisioning->hubKey.isEmpty())
            c.hubKey = m_provisioning->hubKey;
    }
    m_client = std::make_unique<SyncClient>(m_loyalty, c);
    connect(m_client.get(), &SyncClient::statusChanged, this, &SyncService::statusChanged);
    m_retry.setSingleShot(true);
    m_retry.setInterval(60'000);
    connect(&m_retry, &QTimer::timeout, this, &SyncService::tryRegister);
    if (m_loyalty.syncRegistered())
        m_client->start();
    else
        tryRegister();
}

SyncService::~SyncService() = default;

bool SyncService::registered() const { return m_loyalty.syncRegistered(); }

void SyncService::tryRegister()
{
    const QString name = m_provisioning->terminalName.isEmpty() ? m_loyalty.setting(u"store_name"_s) : m_provisioning->terminalName;
    m_client->registerTerminal(m_provisioning->enrollmentToken, name, [this](bool ok, const QString &error) {
        if (ok) {
            m_registrationError.clear();
            m_client->start();
        } else {
            m_registrationError = error;
            qCWarning(lcSync, "registration with the hub failed, retrying in a minute: %s", qPrintable(error));
            m_retry.start();
        }
        Q_EMIT statusChanged();
    });
}

QJsonObject SyncService::statusJson() const
{
    if (!m_client)
        return {};
    const ClientStatus s = m_client->status();
    auto iso = [](qint64 ms) {
        return ms > 0 ? QJsonValue(QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODateWithMs)) : QJsonValue();
    };
    QJsonObject o{{u"registered"_s, registered()},
                  {u"online"_s, s.online},
                  {u"running"_s, s.running},
                  {u"waitingEvents"_s, m_loyalty.unsyncedCount()},
                  {u"refusedEvents"_s, s.refused},
                  {u"lastSuccessAt"_s, iso(s.lastSuccessAt)},
                  {u"nextAttemptAt"_s, iso(s.nextAttemptAt)},
                  {u"lastError"_s, registered() ? s.lastError : m_registrationError},
                  {u"preparing"_s, s.preparing},
                  {u"membersReceived"_s, s.membersReceived}};
    return o;
}

} // namespace setia::sync
