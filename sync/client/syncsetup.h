#pragma once
// Wiring the sync client into a terminal (setia) or an agent (setia-agent): from the store's
// settings once it is registered, or, on the first start of a provisioned store, from its
// provisioning file (/etc/setia/store.json, made by packaging/make-store-package.sh), with
// which it registers itself with the hub.
#include "syncclient.h"

#include "core/result.h"

#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <memory>
#include <optional>

namespace setia::sync {

struct Provisioning {
    QUrl hubUrl;
    QByteArray certSha256;    // from hub_fingerprint ("sha256:aa:bb:…"), raw 32 bytes
    QByteArray hubKey;        // optional hub_key: the hub's Ed25519 public key, pinned
    QString enrollmentToken;
    QString terminalName;     // optional terminal_name
};
// Reads the store file; every problem is named. https:// only, except http:// on loopback.
Result<Provisioning> readProvisioning(const QString &path);

class SyncService : public QObject {
    Q_OBJECT
public:
    // storePath: the store's database file (the terminal key is <storePath>.sync.key).
    SyncService(Loyalty &loyalty, const QString &storePath, std::optional<Provisioning> provisioning,
                int intervalMs = 30'000, QObject *parent = nullptr);
    ~SyncService() override;
    // A hub is set up (registered, or registering from the provisioning).
    bool configured() const { return m_client != nullptr; }
    bool registered() const;
    SyncClient *client() const { return m_client.get(); }
    // For GET /v1/sync and the screen: online, running, waiting, lastSuccessAt, lastError, …
    QJsonObject statusJson() const;

Q_SIGNALS:
    void statusChanged();

private:
    void tryRegister();

    Loyalty &m_loyalty;
    std::optional<Provisioning> m_provisioning;
    std::unique_ptr<SyncClient> m_client;
    QTimer m_retry;
    QString m_registrationError;
};

} // namespace setia::sync
