#pragma once
// A virtual scanner and card reader for the demo, support and tests: scans arrive over a local
// socket (`setiactl scan PAYLOAD`) and leave as the same Scan values real devices emit.
//
// Protocol (docs/hardware.md): the client sends one line of JSON,
//   {"source": "virtual"|"magstripe"|"hid-scanner"|..., "symbology": "qr", "payload": "<base64>"}
// and gets one line back: {"ok": true} or {"ok": false, "error": "<why>"}. Lines longer than
// kMaxLine bytes, bad JSON or bad base64 are refused with a reason and change nothing.
// The socket is owner-only (QLocalServer::UserAccessOption).
#include "scan.h"

#include <QObject>
#include <QString>

class QLocalServer;
class QLocalSocket;

namespace setia {

class VirtualScanner : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxLine = 8192;
    explicit VirtualScanner(QObject *parent = nullptr);
    ~VirtualScanner() override;

    // The default socket: $XDG_RUNTIME_DIR/setia-scanner.sock, else <temp>/setia-scanner-<uid>.sock.
    static QString defaultSocketPath();
    // Starts listening; false (with errorString()) when the socket cannot be made. A stale socket
    // file left by a crashed terminal is replaced; a live one (another terminal) is not.
    bool listen(const QString &socketPath = defaultSocketPath());
    QString socketPath() const;
    QString errorString() const { return m_error; }

    // Decodes one protocol line into a Scan (exposed for tests and fuzzing).
    static bool parseLine(const QByteArray &line, Scan *scan, QString *error);
    // The line a client sends for a scan.
    static QByteArray encodeLine(const Scan &scan);
    // Client side: sends one scan to the socket and waits (at most timeoutMs) for the answer.
    static bool send(const QString &socketPath, const Scan &scan, QString *error, int timeoutMs = 3000);

Q_SIGNALS:
    void scanned(const setia::Scan &scan);

private:
    void onConnection();
    void onReadable(QLocalSocket *socket);
    QLocalServer *m_server = nullptr;
    QString m_error;
};

Scan::Source sourceFromName(const QString &name, bool *ok = nullptr);

} // namespace setia
