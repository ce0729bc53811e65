#include "virtualscanner.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace setia {

Scan::Source sourceFromName(const QString &name, bool *ok)
{
    static const Scan::Source all[] = {Scan::Source::KeyboardWedge, Scan::Source::HidScanner, Scan::Source::MagStripe,
                                       Scan::Source::Camera,        Scan::Source::Contactless, Scan::Source::Virtual,
                                       Scan::Source::Manual};
    for (Scan::Source s : all)
        if (sourceName(s) == name) {
            if (ok)
                *ok = true;
            return s;
        }
    if (ok)
        *ok = false;
    return Scan::Source::Virtual;
}

VirtualScanner::VirtualScanner(QObject *parent) : QObject(parent) {}

VirtualScanner::~VirtualScanner()
{
    if (m_server)
        m_server->close(); // removes the socket file
}

QString VirtualScanner::defaultSocketPath()
{
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!runtime.isEmpty() && QDir(runtime).exists())
        return runtime + u"/setia-scanner.sock"_s;
    return QDir::tempPath() + u"/setia-scanner-%1.sock"_s.arg(::getuid());
}

QString VirtualScanner::socketPath() const { return m_server ? m_server->fullServerName() : QString(); }

bool VirtualScanner::listen(const QString &socketPath)
{
    delete m_server;
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (QFile::exists(socketPath)) {
        // A live socket belongs to another running terminal: leave it alone.
        QLocalSocket probe;
        probe.connectToServer(socketPath);
        if (probe.waitForConnected(200)) {
            m_error = u"Another Setia terminal already listens on %1."_s.arg(socketPath);
            delete m_server;
            m_server = nullptr;
            return false;
        }
        QLocalServer::removeServer(socketPath);
    }
    if (!m_server->listen(socketPath)) {
        m_error = u"Cannot listen on %1: %2"_s.arg(socketPath, m_server->errorString());
        delete m_server;
        m_server = nullptr;
        return false;
    }
    connect(m_server, &QLocalServer::newConnection, this, &VirtualScanner::onConnection);
    return true;
}

void VirtualScanner::onConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { onReadable(socket); });
        if (socket->bytesAvailable() > 0)
            onReadable(socket);
    }
}

void VirtualScanner::onReadable(QLocalSocket *socket)
{
    auto answer = [socket](const QJsonObject &o) {
        socket->write(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
        socket->flush();
    };
    while (socket->canReadLine()) {
        const QByteArray line = socket->readLine(kMaxLine + 2);
        if (!line.endsWith('\n')) { // longer than the limit: refuse and hang up
            answer({{u"ok"_s, false}, {u"error"_s, u"line longer than %1 bytes"_s.arg(kMaxLine)}});
            socket->disconnectFromServer();
            return;
        }
        Scan scan;
        QString error;
        if (!parseLine(line.chopped(1), &scan, &error)) {
            answer({{u"ok"_s, false}, {u"error"_s, error}});
            continue;
        }
        answer({{u"ok"_s, true}});
        Q_EMIT scanned(scan);
    }
    if (socket->bytesAvailable() > kMaxLine) {
        answer({{u"ok"_s, false}, {u"error"_s, u"line longer than %1 bytes"_s.arg(kMaxLine)}});
        socket->disconnectFromServer();
    }
}

bool VirtualScanner::parseLine(const QByteArray &line, Scan *scan, QString *error)
{
    if (line.size() > kMaxLine) {
        *error = u"line longer than %1 bytes"_s.arg(kMaxLine);
        return false;
    }
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(line, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = u"not a JSON object: %1"_s.arg(pe.error != QJsonParseError::NoError ? pe.errorString() : u"wrong type"_s);
        return false;
    }
    const QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it)
        if (it.key() != u"source"_s && it.key() != u"symbology"_s && it.key() != u"payload"_s) {
            *error = u"%1: unknown field"_s.arg(it.key());
            return false;
        }
    bool ok = true;
    const Scan::Source source = sourceFromName(o.value(u"source"_s).toString(u"virtual"_s), &ok);
    if (!ok) {
        *error = u"source: unknown (use virtual, keyboard-wedge, hid-scanner, magstripe, camera or contactless)"_s;
        return false;
    }
    if (!o.value(u"payload"_s).isString()) {
        *error = u"payload: missing (base64 of the bytes read)"_s;
        return false;
    }
    const auto decoded = QByteArray::fromBase64Encoding(o.value(u"payload"_s).toString().toLatin1(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        *error = u"payload: not valid base64"_s;
        return false;
    }
    const QString symbology = o.value(u"symbology"_s).toString().left(32);
    // Empty only for what a real device also sends without bytes: a contactless payment card
    // recognised by its payment application (drivers/contactlessreader.h).
    if (decoded.decoded.isEmpty() && symbology != u"emv"_s) {
        *error = u"payload: empty"_s;
        return false;
    }
    scan->source = source;
    scan->symbology = symbology;
    scan->payload = decoded.decoded;
    scan->atMs = QDateTime::currentMSecsSinceEpoch();
    return true;
}

QByteArray VirtualScanner::encodeLine(const Scan &scan)
{
    const QJsonObject o{{u"source"_s, sourceName(scan.source)},
                        {u"symbology"_s, scan.symbology},
                        {u"payload"_s, QString::fromLatin1(scan.payload.toBase64())}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

bool VirtualScanner::send(const QString &socketPath, const Scan &scan, QString *error, int timeoutMs)
{
    QLocalSocket socket;
    socket.connectToServer(socketPath);
    if (!socket.waitForConnected(timeoutMs)) {
        *error = u"No Setia terminal is listening on %1 (start it with --virtual-scanner, or run the demo)."_s.arg(socketPath);
        return false;
    }
    socket.write(encodeLine(scan));
    if (!socket.waitForBytesWritten(timeoutMs)) {
        *error = u"The terminal did not take the scan: %1"_s.arg(socket.errorString());
        return false;
    }
    while (!socket.canReadLine()) {
        if (!socket.waitForReadyRead(timeoutMs)) {
            *error = u"The terminal did not answer in time."_s;
            return false;
        }
    }
    const QJsonObject answer = QJsonDocument::fromJson(socket.readLine()).object();
    if (!answer.value(u"ok"_s).toBool()) {
        *error = u"The terminal refused the scan: %1"_s.arg(answer.value(u"error"_s).toString());
        return false;
    }
    socket.disconnectFromServer();
    return true;
}

} // namespace setia
