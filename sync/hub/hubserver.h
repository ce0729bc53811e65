#pragma once
// setia-hub's HTTP API (docs/api/hub-openapi.yaml, docs/sync.md). Terminal routes are signed
// with the terminal's Ed25519 key (sync/protocol); operator routes need the operator's Bearer
// token. The hub sits behind a TLS-terminating proxy in production (docs/sync.md "nginx").
#include "hubstore.h"

#include <QHostAddress>
#include <QHttpServer>
#include <QList>
#include <QObject>
#include <QString>

namespace setia::hub {

struct HubRoute {
    QString method, path;
};
// Every route the hub registers (the OpenAPI test compares these with the document).
QList<HubRoute> hubRoutes();

class HubServer : public QObject {
    Q_OBJECT
public:
    HubServer(HubStore &store, QByteArray operatorToken, QObject *parent = nullptr);
    ~HubServer() override;
    // Listens on address:port (0: any free port); returns the port, 0 on failure (error()).
    quint16 listen(const QHostAddress &address, quint16 port);
    QString error() const { return m_error; }

private:
    struct Private;
    std::unique_ptr<Private> d;
    QString m_error;
};

} // namespace setia::hub
