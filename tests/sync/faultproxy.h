#pragma once
// A small TCP proxy on 127.0.0.1 between the sync client and a real setia-hub, that injects
// the faults of a store's network: the link cut, and the reply lost after the hub has done
// the work (the request reaches the hub, its answer never reaches the terminal).
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QSslServer>
#include <QSslSocket>
#include <QSslConfiguration>

class FaultProxy : public QObject {
    Q_OBJECT
public:
    enum class Mode { Pass, Down, DropReplies };

    explicit FaultProxy(QObject *parent = nullptr) : QObject(parent)
    {
        connect(&m_server, &QTcpServer::newConnection, this, &FaultProxy::accept);
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    void setUpstreamPort(quint16 port) { m_upstream = port; }
    // Down also cuts the connections that are open now, as a pulled cable would.
    void setMode(Mode m)
    {
        m_mode = m;
        if (m == Mode::Down)
            Q_EMIT cutAll();
    }
    // Drops the next n replies (each after the hub has answered), then passes again.
    void dropNextReplies(int n)
    {
        m_dropLeft = n;
        m_mode = Mode::DropReplies;
    }
    int requestsForwarded() const { return m_forwarded; }
    int repliesDropped() const { return m_dropped; }

Q_SIGNALS:
    void requestForwarded();
    void cutAll();

private:
    void accept()
    {
        while (QTcpSocket *down = m_server.nextPendingConnection()) {
            if (m_mode == Mode::Down) {
                down->abort();
                down->deleteLater();
                continue;
            }
            auto *up = new QTcpSocket(down);
            connect(this, &FaultProxy::cutAll, down, [down] { down->abort(); });
            connect(down, &QTcpSocket::disconnected, down, &QObject::deleteLater);
            connect(down, &QTcpSocket::errorOccurred, down, [down] { down->deleteLater(); });
            connect(up, &QTcpSocket::disconnected, down, [down] { down->disconnectFromHost(); });
            connect(up, &QTcpSocket::errorOccurred, down, [down] { down->abort(); });
            connect(down, &QTcpSocket::readyRead, up, [this, down, up] {
                if (m_mode == Mode::Down) {
                    down->abort();
                    return;
                }
                const QByteArray data = down->readAll();
                if (up->state() == QAbstractSocket::ConnectedState)
                    up->write(data);
                else
                    up->setProperty("pending", up->property("pending").toByteArray() + data);
                ++m_forwarded;
                Q_EMIT requestForwarded();
            });
            connect(up, &QTcpSocket::connected, up, [up] {
                const QByteArray pending = up->property("pending").toByteArray();
                if (!pending.isEmpty())
                    up->write(pending);
            });
            connect(up, &QTcpSocket::readyRead, down, [this, down, up] {
                const QByteArray data = up->readAll();
                if (m_mode == Mode::DropReplies && m_dropLeft > 0) {
                    if (--m_dropLeft == 0)
                        m_mode = Mode::Pass;
                    ++m_dropped;
                    down->abort(); // the hub has answered; the terminal never hears it
                    return;
                }
                if (m_mode == Mode::Down) {
                    down->abort();
                    return;
                }
                down->write(data);
            });
            up->connectToHost(QHostAddress::LocalHost, m_upstream);
        }
    }

    QTcpServer m_server;
    quint16 m_upstream = 0;
    Mode m_mode = Mode::Pass;
    int m_dropLeft = 0;
    int m_forwarded = 0, m_dropped = 0;
};

// A TLS-terminating proxy on 127.0.0.1 (as nginx would be in front of a hub), with the
// certificate and key given: for the terminal's certificate pinning.
class TlsProxy : public QObject {
    Q_OBJECT
public:
    TlsProxy(const QSslConfiguration &tls, quint16 upstream, QObject *parent = nullptr) : QObject(parent), m_upstream(upstream)
    {
        m_server.setSslConfiguration(tls);
        connect(&m_server, &QSslServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *down = m_server.nextPendingConnection()) {
                auto *up = new QTcpSocket(down);
                connect(down, &QTcpSocket::disconnected, down, &QObject::deleteLater);
                connect(up, &QTcpSocket::disconnected, down, [down] { down->disconnectFromHost(); });
                connect(down, &QTcpSocket::readyRead, up, [down, up] {
                    const QByteArray data = down->readAll();
                    if (up->state() == QAbstractSocket::ConnectedState)
                        up->write(data);
                    else
                        up->setProperty("pending", up->property("pending").toByteArray() + data);
                });
                connect(up, &QTcpSocket::connected, up, [down, up] {
                    up->write(up->property("pending").toByteArray() + down->readAll());
                });
                connect(up, &QTcpSocket::readyRead, down, [down, up] { down->write(up->readAll()); });
                up->connectToHost(QHostAddress::LocalHost, m_upstream);
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }

private:
    QSslServer m_server;
    quint16 m_upstream;
};
