// setia-hub: the central server terminals sync with (docs/sync.md, docs/api/hub-openapi.yaml).
//
//   setia-hub [--db PATH | --postgres "host=... port=... dbname=... user=..."] [--key PATH]
//             [--listen ADDRESS:PORT] [--operator-token-file PATH] [--port-file PATH]
//             [--lease-member-cap N] [--lease-terminal-cap N] [--lease-count N] [--lease-hours N]
//   setia-hub token --store STORE_ID [--name NAME] [--db ... | --postgres ...]
//   setia-hub publish PROGRAM.json [--db ... | --postgres ...]
//
// Serves until SIGTERM/SIGINT. Prints "setia-hub: listening on http://ADDRESS:PORT" once ready.
#include "hubserver.h"
#include "hubstore.h"

#include "core/clock.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

int g_pipe[2] = {-1, -1};
void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_pipe[1], &c, 1);
}

int failWith(const QString &message)
{
    std::fprintf(stderr, "setia-hub: %s\n", qPrintable(message));
    return 1;
}

// The operator's token: read, or created (owner-only; read it from the file).
bool operatorToken(const QString &path, QByteArray *token, QString *error)
{
    QFile f(path);
    if (f.exists()) {
        if (f.permissions() & (QFileDevice::ReadOther | QFileDevice::WriteOther)) {
            *error = u"the operator token file %1 may be read by anybody; chmod 600 it"_s.arg(path);
            return false;
        }
        if (!f.open(QIODevice::ReadOnly)) {
            *error = u"cannot read %1: %2"_s.arg(path, f.errorString());
            return false;
        }
        *token = f.readAll().trimmed();
        return !token->isEmpty();
    }
    setia::SecureRandom random;
    QByteArray raw(32, '\0');
    random.fill(raw.data(), std::size_t(raw.size()));
    *token = raw.toHex();
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly)) {
        *error = u"cannot create %1: %2"_s.arg(path, out.errorString());
        return false;
    }
    out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    out.write(*token + '\n');
    if (!out.commit()) {
        *error = u"cannot write %1: %2"_s.arg(path, out.errorString());
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    // The database holds sealed profiles and blind indexes: not for other users to read.
    ::umask(027);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"setia-hub"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(SETIA_VERSION));
    QCommandLineParser cli;
    cli.setApplicationDescription(u"Setia's central hub: terminals push their events and pull the change feed."_s);
    cli.addHelpOption();
    cli.addVersionOption();
    cli.addPositionalArgument(u"command"_s, u"serve (default), token, or publish PROGRAM.json"_s, u"[command]"_s);
    const QCommandLineOption db(u"db"_s, u"SQLite database of the hub (default /var/lib/setia/hub.db)."_s, u"path"_s,
                                u"/var/lib/setia/hub.db"_s);
    const QCommandLineOption pg(u"postgres"_s, u"PostgreSQL connection, \"host=... port=... dbname=... user=...\"."_s, u"conninfo"_s);
    const QCommandLineOption key(u"key"_s, u"The hub's Ed25519 key file (created when missing; default beside --db)."_s, u"path"_s);
    const QCommandLineOption listen(u"listen"_s, u"Address and port to serve on (default 127.0.0.1:8470)."_s, u"address:port"_s,
                                    u"127.0.0.1:8470"_s);
    const QCommandLineOption tokenFile(u"operator-token-file"_s, u"The operator's token (created when missing; default beside --db)."_s, u"path"_s);
    const QCommandLineOption portFile(u"port-file"_s, u"Write the port served on to this file once ready."_s, u"path"_s);
    const QCommandLineOption memberCap(u"lease-member-cap"_s, u"Points one member may redeem offline per terminal (1000)."_s, u"n"_s, u"1000"_s);
    const QCommandLineOption terminalCap(u"lease-terminal-cap"_s, u"Points a terminal may redeem offline in all (20000)."_s, u"n"_s, u"20000"_s);
    const QCommandLineOption count(u"lease-count"_s, u"Offline redemptions per terminal (50)."_s, u"n"_s, u"50"_s);
    const QCommandLineOption hours(u"lease-hours"_s, u"How long a lease lasts offline (72)."_s, u"n"_s, u"72"_s);
    const QCommandLineOption store(u"store"_s, u"token: the store the new terminal belongs to."_s, u"id"_s);
    const QCommandLineOption name(u"name"_s, u"token: a name for the terminal (\"till 1\")."_s, u"name"_s);
    cli.addOptions({db, pg, key, listen, tokenFile, portFile, memberCap, terminalCap, count, hours, store, name});
    cli.process(app);

    setia::hub::HubConfig config;
    config.postgres = cli.isSet(pg);
    config.database = config.postgres ? cli.value(pg) : cli.value(db);
    const QString base = config.postgres ? u"/var/lib/setia/hub"_s : QFileInfo(cli.value(db)).absoluteFilePath();
    config.keyPath = cli.isSet(key) ? cli.value(key) : (config.postgres ? u"/var/lib/setia/hub.key"_s : base + u".key"_s);
    config.leaseMemberCap = cli.value(memberCap).toLongLong();
    config.leaseTerminalCap = cli.value(terminalCap).toLongLong();
    config.leaseMaxCount = cli.value(count).toLongLong();
    config.leaseHours = cli.value(hours).toLongLong();
    if (config.leaseMemberCap < 0 || config.leaseTerminalCap < 0 || config.leaseMaxCount < 0 || config.leaseHours <= 0)
        return failWith(u"the lease caps must be 0 or more and --lease-hours at least 1"_s);
    if (!config.postgres)
        QDir().mkpath(QFileInfo(config.database).absolutePath());

    auto hub = setia::hub::HubStore::open(config);
    if (!hub)
        return failWith(hub.error().message);

    const QStringList args = cli.positionalArguments();
    const QString command = args.value(0, u"serve"_s);
    if (command == u"token"_s) {
        auto t = hub.value()->createEnrollmentToken(cli.value(store), cli.value(name));
        if (!t)
            return failWith(t.error().message);
        std::printf("%s\n", qPrintable(t.value()));
        return 0;
    }
    if (command == u"publish"_s) {
        QFile f(args.value(1));
        if (!f.open(QIODevice::ReadOnly))
            return failWith(u"cannot read the program file %1: %2"_s.arg(args.value(1), f.errorString()));
        auto v = hub.value()->publishProgram(f.readAll(), u"operator"_s);
        if (!v)
            return failWith(u"%1 was not published: %2"_s.arg(args.value(1), v.error().message));
        std::printf("program version %d published\n", v.value());
        return 0;
    }
    if (command != u"serve"_s)
        return failWith(u"unknown command '%1' (serve, token, publish)"_s.arg(command));

    QByteArray opToken;
    QString error;
    const QString opPath = cli.isSet(tokenFile) ? cli.value(tokenFile) : (config.postgres ? u"/etc/setia/hub-operator.token"_s : base + u".operator-token"_s);
    if (!operatorToken(opPath, &opToken, &error))
        return failWith(error);

    const QString where = cli.value(listen);
    const QString host = where.section(u':', 0, -2);
    bool portOk = false;
    const int port = where.section(u':', -1).toInt(&portOk);
    const QHostAddress address(host.startsWith(u'[') ? host.mid(1, host.size() - 2) : host);
    if (address.isNull() || !portOk || port < 0 || port > 65535)
        return failWith(u"--listen wants ADDRESS:PORT, e.g. 127.0.0.1:8470, not '%1'"_s.arg(where));
    setia::hub::HubServer server(*hub.value(), opToken);
    const quint16 bound = server.listen(address, quint16(port));
    if (bound == 0)
        return failWith(server.error());
    if (cli.isSet(portFile)) {
        QSaveFile pf(cli.value(portFile));
        if (pf.open(QIODevice::WriteOnly)) {
            pf.write(QByteArray::number(bound) + '\n');
            pf.commit();
        }
    }
    if (::pipe(g_pipe) == 0) {
        std::signal(SIGTERM, onSignal);
        std::signal(SIGINT, onSignal);
    }
    QSocketNotifier stop(g_pipe[0], QSocketNotifier::Read);
    QObject::connect(&stop, &QSocketNotifier::activated, &app, [] { QCoreApplication::quit(); });
    std::printf("setia-hub: listening on http://%s:%u\n", qPrintable(address.toString()), unsigned(bound));
    std::fflush(stdout);
    return app.exec();
}
