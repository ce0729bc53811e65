#pragma once
// A QTcpServer whose accepted sockets send at once (TCP_NODELAY), for the HTTP servers
// (setia-agent's local API, setia-hub). QHttpServer writes a reply's headers and its body as
// separate segments; with Nagle's algorithm on, the last segment waits for the peer's delayed
// ACK (~40 ms on Linux), so every request/response round trip on a kept-alive connection
// stalled by that much: measured as ~48 ms per push batch to the hub (docs/performance.md
// "Sync"), and the same wait sat between the POS and the agent.
#include <QTcpServer>
#include <QTcpSocket>

namespace setia::net {

class LowDelayTcpServer : public QTcpServer
{
public:
    using QTcpServer::QTcpServer;

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        addPendingConnection(socket);
    }
};

} // namespace setia::net
