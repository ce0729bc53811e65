#pragma once
// A throw-away PostgreSQL server for integration tests: initdb into a fresh temporary folder,
// postgres listening on 127.0.0.1 only (a free port, trust authentication, no Unix socket,
// fsync off), a database "setia" owned by the superuser "setia".
//
// The binaries come from the highest /usr/lib/postgresql/<version>/bin (Debian's layout), else
// from PATH. PostgreSQL refuses to run as root, so when the test runs as root (CI) initdb and
// postgres run as the user "postgres" (Debian's package creates it), else "nobody", through
// setpriv (or runuser). postgres is a child of the test process and gets SIGQUIT (immediate
// shutdown) if the thread that started it dies, so a crashed test leaves no server behind
// (its temporary folder may stay).
//
//     setia::test::PgServer pg;
//     if (!pg.start()) {
//         if (pg.skippable())
//             QSKIP(qPrintable(pg.error()));
//         QFAIL(qPrintable(pg.error()));
//     }
//     db.setHostName(pg.host()); db.setPort(pg.port()); ...
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <memory>

namespace setia::test {

class PgServer {
public:
    PgServer(); // does nothing yet
    ~PgServer(); // stops the server (bounded) and removes the folder
    PgServer(const PgServer &) = delete;
    PgServer &operator=(const PgServer &) = delete;

    // initdb + postgres in a fresh temporary folder, waits until the server accepts
    // connections and creates the database "setia". False with error() set when it cannot;
    // skippable() then says whether PostgreSQL is simply not installed here.
    [[nodiscard]] bool start();
    // Stops the server and starts it again on the same folder and port (data is kept).
    [[nodiscard]] bool restart();
    // Fast shutdown (SIGINT), at most 10 s, then SIGKILL. The folder stays until destruction.
    void stop();

    bool skippable() const { return m_skippable; }
    QString error() const { return m_error; }
    bool running() const;

    QString host() const { return QStringLiteral("127.0.0.1"); }
    int port() const { return m_port; }
    QString database() const { return QStringLiteral("setia"); }
    QString user() const { return QStringLiteral("setia"); }
    QString password() const { return {}; } // trust authentication on 127.0.0.1
    // "host=127.0.0.1 port=N dbname=setia user=setia", for libpq and psql.
    QString connInfo() const;
    // The cluster's data folder (empty before start()).
    QString dataDir() const;
    // The folder of the PostgreSQL binaries found (empty when none).
    QString binDir() const { return m_binDir; }

private:
    bool fail(const QString &message, bool skippable = false);
    bool findBinaries();
    bool chooseRunAs();
    bool prepareDir();
    bool initCluster();
    bool launch();
    bool waitUntilReady();
    bool createDatabase();
    // program run as the unprivileged user when we are root (setpriv/runuser prefix).
    void setCommand(QProcess &p, const QString &program, const QStringList &args, bool asServerUser) const;
    QString tool(const QString &name) const;
    QString logTail(int lines = 20) const; // of the current launch
    QString logPath() const;
    qint64 serverPid() const; // the postmaster's pid

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_server;
    QString m_binDir;
    QString m_error;
    QString m_runAsUser; // empty: run as ourselves
    QString m_setpriv; // or
    QString m_runuser;
    unsigned m_uid = 0;
    unsigned m_gid = 0;
    qint64 m_logOffset = 0; // where the current launch's lines start in server.log
    int m_port = 0;
    bool m_skippable = false;
};

} // namespace setia::test
