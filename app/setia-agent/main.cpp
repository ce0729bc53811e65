// setia-agent: the headless service on the till for stores that keep their own POS software.
// Wiring only: store, devices, the local HTTP API (app/agent, docs/agent.md).
//
//   setia-agent [--db PATH] [--key PATH] [--port N] [--token-file PATH] [--lang id|en]
//               [--printer-file PATH] [--virtual-scanner [--scanner-socket PATH]]
//               [--allow-origin ORIGIN]... [--no-usb] [--no-contactless]
//               [--store-file PATH] [--sync-interval MS]
//
// Prints "setia-agent: listening on http://127.0.0.1:PORT" on stdout once it answers (--port 0:
// any free port). SIGTERM/SIGINT stop it cleanly.
#include "agent/agent.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/fallback.h"
#include "core/loyalty.h"
#include "core/store.h"
#include "drivers/contactlessreader.h"
#include "drivers/usbhidscanner.h"
#include "drivers/usbprinter.h"
#include "drivers/virtualscanner.h"
#include "sync/client/syncsetup.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAgentMain, "setia.agent.main", QtInfoMsg)

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &c, 1);
}

// The per-install token: read it, or create it (owner read/write, group read: the POS's group).
// A token file that anybody may read is refused: any local program could then spend points.
bool loadToken(const QString &path, QByteArray *token, QString *error)
{
    QFile f(path);
    if (!f.exists()) {
        QDir().mkpath(QFileInfo(path).absolutePath());
        setia::SecureRandom random;
        QByteArray raw(32, '\0');
        random.fill(raw.data(), std::size_t(raw.size()));
        const QByteArray fresh = raw.toHex();
        if (!f.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
            *error = u"cannot create the token file %1: %2"_s.arg(path, f.errorString());
            return false;
        }
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup);
        f.write(fresh + '\n');
        f.close();
        std::fprintf(stderr, "setia-agent: created the API token in %s\n", qPrintable(path));
    }
    if (f.permissions() & (QFileDevice::ReadOther | QFileDevice::WriteOther)) {
        *error = u"the token file %1 may be read by every user; make it readable by the agent and the POS only (chmod 640)"_s.arg(path);
        return false;
    }
    if (!f.open(QIODevice::ReadOnly)) {
        *error = u"cannot read the token file %1: %2"_s.arg(path, f.errorString());
        return false;
    }
    *token = f.read(4096).trimmed();
    if (token->size() < 16) {
        *error = u"the token in %1 is shorter than 16 characters"_s.arg(path);
        return false;
    }
    return true;
}

class UsbPrinter final : public setia::agent::Printer {
public:
    explicit UsbPrinter(setia::UsbPrinterManager &manager) : m_manager(manager) {}
    bool print(const QByteArray &job, QJsonObject *answer, QString *error) override
    {
        const quint64 id = m_manager.print(job);
        if (id == 0) {
            *error = m_manager.errorString();
            return false;
        }
        *answer = QJsonObject{{u"queued"_s, true}, {u"printer"_s, u"usb"_s}, {u"jobId"_s, QString::number(id)}};
        return true;
    }
    setia::PaperWidth paper() const override
    {
        const auto p = m_manager.readyPrinter();
        return p ? p->paper : setia::PaperWidth::Mm80;
    }
    QJsonObject status() const override
    {
        QJsonArray rows;
        for (const auto &p : m_manager.printers())
            rows.append(QJsonObject{{u"port"_s, p.port}, {u"name"_s, p.name}, {u"usb"_s, p.vidPid()},
                                    {u"state"_s, setia::printerStateName(p.state)}, {u"detail"_s, p.detail}});
        const auto ready = m_manager.readyPrinter();
        return QJsonObject{{u"kind"_s, u"usb"_s}, {u"state"_s, ready ? u"ready"_s : u"missing"_s}, {u"printers"_s, rows},
                           {u"detail"_s, m_manager.isRunning() ? QString() : m_manager.errorString()}};
    }

private:
    setia::UsbPrinterManager &m_manager;
};

} // namespace

int main(int argc, char *argv[])
{
    // After a failed store upgrade, the previous version runs (app/core/fallback.h).
    setia::fallback::handOverIfNeeded("setia-agent", argv);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"setia-agent"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(SETIA_VERSION));
    qSetMessagePattern(u"%{if-category}%{category}: %{endif}%{message}"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Setia agent: the loyalty ledger and devices of this till, for the store's POS software over a local HTTP API."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption db(u"db"_s, u"The store (default: $SETIA_DB or ./setia.db)."_s, u"path"_s);
    const QCommandLineOption key(u"key"_s, u"The personal-data key file (default: store + .key)."_s, u"path"_s);
    const QCommandLineOption port(u"port"_s, u"The loopback port (default 8787; 0: any free port, printed on stdout)."_s, u"n"_s, u"8787"_s);
    const QCommandLineOption listenOn(u"listen"_s, u"The loopback address: 127.0.0.1 (default) or ::1."_s, u"address"_s, u"127.0.0.1"_s);
    const QCommandLineOption tokenFile(u"token-file"_s, u"The API token (created, mode 640, when missing; default: store + .token)."_s, u"path"_s);
    const QCommandLineOption lang(u"lang"_s, u"Language of the answers when the request asks for neither id nor en (default id)."_s, u"id|en"_s, u"id"_s);
    const QCommandLineOption printerFile(u"printer-file"_s, u"The virtual receipt printer: append every job (ESC/POS) to this file."_s, u"path"_s);
    const QCommandLineOption virtualScanner(u"virtual-scanner"_s, u"Take scans from `setiactl scan` over a local socket."_s);
    const QCommandLineOption scannerSocket(u"scanner-socket"_s, u"The virtual scanner's socket (default: as setiactl scan)."_s, u"path"_s);
    const QCommandLineOption allowOrigin(u"allow-origin"_s, u"A browser Origin allowed to call the API (repeatable; none by default)."_s, u"origin"_s);
    const QCommandLineOption noUsb(u"no-usb"_s, u"Do not take USB scanners and printers."_s);
    const QCommandLineOption noContactless(u"no-contactless"_s, u"Do not watch contactless readers (PC/SC)."_s);
    const QCommandLineOption storeFile(u"store-file"_s, u"The store's provisioning (hub address, certificate, enrollment token); default /etc/setia/store.json when it exists."_s, u"path"_s);
    const QCommandLineOption syncInterval(u"sync-interval"_s, u"Milliseconds between syncs with the hub (default 30000)."_s, u"ms"_s, u"30000"_s);
    parser.addOptions({db, key, port, listenOn, tokenFile, lang, printerFile, virtualScanner, scannerSocket, allowOrigin, noUsb, noContactless,
                       storeFile, syncInterval});
    parser.process(app);

    QString dbPath = parser.value(db);
    if (dbPath.isEmpty())
        dbPath = qEnvironmentVariableIsSet("SETIA_DB") ? qEnvironmentVariable("SETIA_DB") : u"setia.db"_s;
    const QString keyPath = parser.isSet(key) ? parser.value(key) : dbPath + u".key"_s;
    bool portOk = false;
    const uint portNumber = parser.value(port).toUInt(&portOk);
    if (!portOk || portNumber > 65535) {
        std::fprintf(stderr, "setia-agent: --port %s is not a port number\n", qPrintable(parser.value(port)));
        return 2;
    }
    if (parser.value(lang) != u"id"_s && parser.value(lang) != u"en"_s) {
        std::fprintf(stderr, "setia-agent: --lang must be id or en\n");
        return 2;
    }
    const QHostAddress address(parser.value(listenOn));
    if (!address.isLoopback()) {
        std::fprintf(stderr, "setia-agent: --listen %s: the agent listens on the loopback address only (127.0.0.1 or ::1)\n",
                     qPrintable(parser.value(listenOn)));
        return 2;
    }

    setia::agent::Settings settings;
    settings.language = parser.value(lang);
    settings.allowedOrigins = parser.values(allowOrigin);
    settings.version = QCoreApplication::applicationVersion();
    QString why;
    if (!loadToken(parser.isSet(tokenFile) ? parser.value(tokenFile) : dbPath + u".token"_s, &settings.token, &why)) {
        std::fprintf(stderr, "setia-agent: %s\n", qPrintable(why));
        return 3;
    }

    auto store = setia::Store::open(dbPath, {setia::Store::Mode::ReadWrite, false});
    if (!store) {
        std::fprintf(stderr, "setia-agent: %s\n", qPrintable(store.error().message));
        return 3;
    }
    auto keys = setia::KeyRing::open(keyPath, false);
    if (!keys) {
        std::fprintf(stderr, "setia-agent: %s\n", qPrintable(keys.error().message));
        return 3;
    }
    setia::SystemClock clock;
    setia::SecureRandom random;
    setia::Loyalty loyalty(*store.value(), std::move(keys).value(), clock, random);
    if (loyalty.terminalId().isEmpty()) {
        std::fprintf(stderr, "setia-agent: %s is not initialised (setiactl init)\n", qPrintable(dbPath));
        return 3;
    }

    setia::agent::Api api(loyalty, settings);

    // Sync with the hub (docs/sync.md): registered already, or registering now from the
    // store's provisioning file on its first start.
    std::optional<setia::sync::Provisioning> provisioning;
    const QString provisioningPath = parser.isSet(storeFile) ? parser.value(storeFile) : u"/etc/setia/store.json"_s;
    if (parser.isSet(storeFile) || QFile::exists(provisioningPath)) {
        auto p = setia::sync::readProvisioning(provisioningPath);
        if (!p) {
            std::fprintf(stderr, "setia-agent: %s\n", qPrintable(p.error().message));
            return 3;
        }
        provisioning = p.value();
    }
    setia::sync::SyncService sync(loyalty, dbPath, provisioning, qMax(1000, parser.value(syncInterval).toInt()));
    if (sync.configured())
        api.setSyncStatusSource([&sync] { return sync.statusJson(); });

    // Devices: every scan reaches the API's event stream.
    setia::UsbScannerManager scanners;
    setia::UsbPrinterManager printers;
    QString usbWhy = u"off (--no-usb)"_s;
    if (!parser.isSet(noUsb)) {
        usbWhy.clear();
        if (!scanners.start()) {
            usbWhy = scanners.errorString();
            qCWarning(lcAgentMain, "USB scanners off: %s", qPrintable(usbWhy));
        }
        QObject::connect(&scanners, &setia::UsbScannerManager::scanned, &api, &setia::agent::Api::handleScan);
    }
    const bool usbOn = !parser.isSet(noUsb);
    api.addDeviceSource(u"scanners"_s, [&scanners, usbWhy, usbOn] {
        QJsonArray rows;
        if (!usbOn)
            return QJsonArray{QJsonObject{{u"state"_s, u"off"_s}, {u"detail"_s, usbWhy}}};
        for (const auto &s : scanners.devices())
            rows.append(QJsonObject{{u"port"_s, s.port}, {u"name"_s, s.name}, {u"usb"_s, s.vidPid()},
                                    {u"protocol"_s, setia::usbScannerProtocolName(s.protocol)},
                                    {u"state"_s, setia::usbScannerStateName(s.state)}, {u"detail"_s, s.detail}});
        if (!scanners.isRunning())
            rows.append(QJsonObject{{u"state"_s, u"failed"_s}, {u"detail"_s, usbWhy}});
        return rows;
    });

    setia::ContactlessReader contactless;
    const bool contactlessOn = !parser.isSet(noContactless);
    if (contactlessOn) {
        if (!contactless.start())
            qCWarning(lcAgentMain, "contactless readers off: the reader thread did not start");
        QObject::connect(&contactless, &setia::ContactlessReader::scanned, &api, &setia::agent::Api::handleScan);
    }
    api.addDeviceSource(u"contactless"_s, [&contactless, contactlessOn] {
        QJsonArray rows;
        if (!contactlessOn)
            return QJsonArray{QJsonObject{{u"state"_s, u"off"_s}, {u"detail"_s, u"off (--no-contactless)"_s}}};
        for (const auto &r : contactless.readers())
            rows.append(QJsonObject{{u"reader"_s, r.reader}, {u"state"_s, setia::contactlessStateName(r.state)}, {u"detail"_s, r.detail}});
        return rows;
    });

    if (parser.isSet(printerFile)) {
        api.setPrinter(std::make_unique<setia::agent::FilePrinter>(parser.value(printerFile)));
        qCInfo(lcAgentMain, "virtual receipt printer: jobs go to %s", qPrintable(parser.value(printerFile)));
    } else if (!parser.isSet(noUsb)) {
        if (!printers.start())
            qCWarning(lcAgentMain, "USB receipt printers off: %s", qPrintable(printers.errorString()));
        api.setPrinter(std::make_unique<UsbPrinter>(printers));
    }

    setia::VirtualScanner virtualDevice;
    const QString socketPath = parser.isSet(scannerSocket) ? parser.value(scannerSocket) : setia::VirtualScanner::defaultSocketPath();
    bool virtualOn = false;
    if (parser.isSet(virtualScanner) || parser.isSet(scannerSocket)) {
        virtualOn = virtualDevice.listen(socketPath);
        if (virtualOn)
            QObject::connect(&virtualDevice, &setia::VirtualScanner::scanned, &api, &setia::agent::Api::handleScan);
        else
            qCWarning(lcAgentMain, "virtual scanner off: %s", qPrintable(virtualDevice.errorString()));
    }
    api.addDeviceSource(u"virtualScanner"_s, [&virtualDevice, virtualOn] {
        if (!virtualOn)
            return QJsonArray{};
        return QJsonArray{QJsonObject{{u"socket"_s, virtualDevice.socketPath()}, {u"state"_s, u"ready"_s}}};
    });

    const quint16 bound = api.listen(address, quint16(portNumber));
    if (bound == 0) {
        std::fprintf(stderr, "setia-agent: %s\n", qPrintable(api.errorString()));
        return 4;
    }

    if (::pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) == 0) {
        auto *notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, &app);
        QObject::connect(notifier, &QSocketNotifier::activated, &app, [] {
            char c = 0;
            while (::read(g_signalPipe[0], &c, 1) > 0) {
            }
            qCInfo(lcAgentMain, "stopping");
            QCoreApplication::quit();
        });
        std::signal(SIGTERM, onSignal);
        std::signal(SIGINT, onSignal);
    }

    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol ? u"[::1]"_s : address.toString();
    std::printf("setia-agent: listening on http://%s:%u\n", qPrintable(host), unsigned(bound));
    if (virtualOn)
        std::printf("setia-agent: virtual scanner on %s\n", qPrintable(socketPath));
    std::fflush(stdout);
    const int rc = app.exec();
    contactless.stop();
    scanners.stop();
    printers.stop();
    return rc;
}
