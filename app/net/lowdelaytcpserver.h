#pragma once
// A QTcpServer whose accepted sockets send at once (TCP_NODELAY) and acknowledge at once
// (TCP_QUICKACK, below), for the HTTP servers (setia-agent's local API, setia-hub).
// QHttpServer writes a reply's headers and its body as separate segments; with Nagle's
// algorithm on, the last segment waits for the peer's delayed ACK (~40 ms on Linux), so every
// request/response round trip on a kept-alive connection stalled by that much: measured as
// ~48 ms per push batch to the hub (docs/performance.md "Sync"), and the same wait sat between
// the POS and the agent.
#include <QTcpServer>
#include <QTcpSocket>

#if defined(Q_OS_LINUX)
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

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
#if defined(Q_OS_LINUX) && defined(TCP_QUICKACK)
        // The other direction: a client that leaves Nagle on (Qt's own HTTP client does; it
        // gives no access to its socket) holds a request's last partial segment until this
        // side ACKs the ones before it, and Linux delays that ACK (up to 40 ms) hoping to send
        // it with the reply, which cannot come before the request is whole. Quick-ACK mode is
        // not sticky (the kernel leaves it after a reply is sent), so it is set again whenever
        // a request's bytes arrive; connected before QHttpServer's own handler, so a pending
        // ACK goes out before the request is parsed.
        connect(socket, &QIODevice::readyRead, socket, [socket] {
            const int one = 1;
            ::setsockopt(int(socket->socketDescriptor()), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
        });
#endif
        addPendingConnection(socket);
    }
};

} // namespace setia::net
