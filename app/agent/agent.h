#pragma once
// setia-agent's local HTTP API for the store's own POS software (issue #6, docs/agent.md,
// docs/api/agent-openapi.yaml). Routes, authentication, JSON in and out; every business rule
// lives in Setia::Core (Loyalty), devices come from Setia::Drivers through the wiring in
// app/setia-agent/main.cpp.
//
// Every request passes, in this order: the Host header must name this machine (127.0.0.1,
// localhost or [::1], with this port) — else 421 host_not_local (DNS rebinding); a browser's
// Origin header (unless allowed by Settings::allowedOrigins) or Sec-Fetch-Site cross-site/same-site
// — else 403 origin_not_allowed; the per-install token (Authorization: Bearer) — else 401
// unauthorized (GET /v1/health alone needs none); a body of at most Settings::maxBodyBytes — else
// 413; JSON with no unknown fields — else 400. Nothing is written before all of them pass.
//
// The server lives in the thread that made it; Loyalty is called from that thread only.
#include "core/loyalty.h"
#include "drivers/escpos.h"
#include "drivers/scan.h"

#include <QByteArray>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

class QHttpServerRequest;
class QHttpServerResponder;
class QHttpServerResponse;

namespace setia::agent {

// A stable error code and a sentence for a person in the requested language (id or en).
struct ApiError {
    int status = 400;   // HTTP status
    QString code;       // stable, machine-readable (docs/agent.md lists them)
    QString field;      // the request field at fault ("basket.lines[1].quantity"), when one is
    QString detail;     // core's own sentence (English), when it has one
};

// The id/en sentence for an error code (a table in agentmessages.cpp; no .ts file).
QString errorMessage(const QString &code, const QString &lang, const QString &field = {});
// The HTTP status an error code of core (or of the API) is answered with.
int statusForCode(const QString &code);
// The language of a request: the first of "id"/"en" in Accept-Language, else fallback.
QString languageFrom(const QByteArray &acceptLanguage, const QString &fallback);

// Where a print job goes: the USB receipt printer, or a file (--printer-file).
class Printer {
public:
    virtual ~Printer() = default;
    // Queues or writes one ESC/POS job. Returns false with a sentence in *error.
    virtual bool print(const QByteArray &job, QJsonObject *answer, QString *error) = 0;
    virtual PaperWidth paper() const = 0;
    virtual QJsonObject status() const = 0;
};

// The virtual printer: every job appended to a file, as the terminal's --printer-file does.
class FilePrinter final : public Printer {
public:
    explicit FilePrinter(QString path, PaperWidth paper = PaperWidth::Mm80) : m_path(std::move(path)), m_paper(paper) {}
    bool print(const QByteArray &job, QJsonObject *answer, QString *error) override;
    PaperWidth paper() const override { return m_paper; }
    QJsonObject status() const override;

private:
    QString m_path;
    PaperWidth m_paper;
};

struct Route {
    QString method; // "GET" / "POST"
    QString path;   // as in the OpenAPI document, "/v1/earn"
};
// Every route the API registers (the OpenAPI test compares these with the document).
QList<Route> routes();

struct Settings {
    QByteArray token;                 // the per-install token; requests must carry it
    QString language = QStringLiteral("id"); // when Accept-Language names neither id nor en
    QStringList allowedOrigins;       // Origin values allowed (none by default: browsers refused)
    qint64 maxBodyBytes = 1024 * 1024;
    int maxWaiters = 64;              // long-polls and streams open at once
    int maxLongPollMs = 30000;
    int eventBuffer = 256;            // scan events kept for long-polls (in memory only)
    int keepAliveMs = 15000;          // SSE comment line period
    QString actorPrefix = QStringLiteral("pos"); // events' actor: "pos" or "pos:<cashier>"
    QString version = QStringLiteral("0.2.0");
};

class Api : public QObject {
    Q_OBJECT
public:
    Api(Loyalty &loyalty, Settings settings, QObject *parent = nullptr);
    ~Api() override;

    // Listens on the loopback address only (127.0.0.1 or ::1); port 0: any free port. Returns the
    // port, 0 on failure (errorString()).
    [[nodiscard]] quint16 listen(const QHostAddress &loopback, quint16 port);
    QString errorString() const { return m_error; }
    quint16 port() const { return m_port; }

    // Devices: each returns a JSON array of its devices' states; called for GET /v1/devices.
    void addDeviceSource(const QString &kind, std::function<QJsonArray()> source);
    void setPrinter(std::unique_ptr<Printer> printer);
    // The sync client's state for GET /v1/sync (online, waiting, lastSuccessAt, lastError); none:
    // the till is not registered with a hub.
    void setSyncStatusSource(std::function<QJsonObject()> source);

    // Scan events published so far (the long-poll's and the stream's sequence numbers).
    qint64 lastEventSeq() const;

public Q_SLOTS:
    // A device read something: classified by core (memberByScan) and published as an event.
    // The payload is dropped (overwritten where this code owns it) as soon as its meaning is known;
    // a payment card's event carries no card data at all.
    void handleScan(const setia::Scan &scan);

private:
    struct Private;
    std::unique_ptr<Private> d;
    QString m_error;
    quint16 m_port = 0;
};

} // namespace setia::agent
