#include "pgserver.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QProcessEnvironment>
#include <QSet>
#include <QStandardPaths>
#include <QVersionNumber>
#include <algorithm>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace setia::test {

namespace {

constexpr int kInitdbTimeoutMs = 120'000;
constexpr int kReadyTimeoutMs = 30'000;
constexpr int kClientTimeoutMs = 30'000;
constexpr int kStopTimeoutMs = 10'000;
constexpr int kBindAttempts = 3;

// A TCP port on 127.0.0.1 that was free a moment ago and that no other PgServer of this
// process was given. Plain sockets: Setia::TestSupport does not link Qt Network.
int freeLoopbackPort()
{
    static QMutex mutex;
    static QSet<int> handedOut;
    const QMutexLocker lock(&mutex);
    for (int attempt = 0; attempt < 20; ++attempt) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return 0;
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        socklen_t len = sizeof addr;
        int port = 0;
        if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0
            && ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
            port = ntohs(addr.sin_port);
        ::close(fd);
        if (port == 0)
            return 0;
        if (!handedOut.contains(port)) {
            handedOut.insert(port);
            return port;
        }
    }
    return 0;
}

QString findSystemTool(const QString &name)
{
    QString path = QStandardPaths::findExecutable(name);
    if (path.isEmpty())
        path = QStandardPaths::findExecutable(name, {u"/usr/bin"_s, u"/usr/sbin"_s, u"/bin"_s, u"/sbin"_s});
    return path;
}

// The environment of every child: no PG* variables of the caller (PGHOST, PGPORT, PGUSER...),
// C locale for predictable initdb behaviour and English log messages.
QProcessEnvironment childEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QStringList keys = env.keys();
    for (const QString &key : keys) {
        if (key.startsWith(u"PG"_s))
            env.remove(key);
    }
    env.insert(u"LC_ALL"_s, u"C"_s);
    env.insert(u"LANG"_s, u"C"_s);
    return env;
}

QString lastLines(const QString &text, int lines)
{
    QStringList all = text.split(u'\n');
    while (!all.isEmpty() && all.constLast().trimmed().isEmpty())
        all.removeLast();
    if (all.size() > lines)
        all = all.mid(all.size() - lines);
    return all.join(u'\n');
}

// Runs a short-lived process to its end, at most timeoutMs. Output (merged) goes to *output.
bool runBounded(QProcess &p, int timeoutMs, QString *output)
{
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setStandardInputFile(QProcess::nullDevice());
    p.start();
    if (!p.waitForStarted(10'000)) {
        *output = p.errorString();
        return false;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5'000);
        *output = QString::fromLocal8Bit(p.readAll()) + u"\n(killed after %1 s)"_s.arg(timeoutMs / 1000);
        return false;
    }
    *output = QString::fromLocal8Bit(p.readAll());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

} // namespace

PgServer::PgServer() = default;

PgServer::~PgServer()
{
    stop();
    m_dir.reset(); // removes the folder
}

bool PgServer::fail(const QString &message, bool skippable)
{
    m_error = message;
    m_skippable = skippable;
    return false;
}

QString PgServer::tool(const QString &name) const { return m_binDir + u'/' + name; }

QString PgServer::dataDir() const { return m_dir ? m_dir->filePath(u"data"_s) : QString(); }

QString PgServer::logPath() const { return m_dir ? m_dir->filePath(u"server.log"_s) : QString(); }

QString PgServer::connInfo() const
{
    return u"host=%1 port=%2 dbname=%3 user=%4"_s.arg(host()).arg(m_port).arg(database(), user());
}

bool PgServer::running() const { return m_server && m_server->state() == QProcess::Running; }

bool PgServer::findBinaries()
{
    const QStringList needed{u"initdb"_s, u"postgres"_s, u"pg_isready"_s, u"createdb"_s};
    const auto complete = [&needed](const QString &dir) {
        return std::all_of(needed.begin(), needed.end(),
                           [&dir](const QString &n) { return QFileInfo(dir + u'/' + n).isExecutable(); });
    };
    // Debian: /usr/lib/postgresql/<version>/bin, the highest version first.
    const QDir root(u"/usr/lib/postgresql"_s);
    QStringList versions = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    std::sort(versions.begin(), versions.end(), [](const QString &a, const QString &b) {
        return QVersionNumber::fromString(a) > QVersionNumber::fromString(b);
    });
    for (const QString &v : std::as_const(versions)) {
        const QString bin = root.filePath(v + u"/bin"_s);
        if (complete(bin)) {
            m_binDir = bin;
            return true;
        }
    }
    // Other layouts: the folder of a postgres on PATH.
    if (const QString postgres = QStandardPaths::findExecutable(u"postgres"_s); !postgres.isEmpty()) {
        const QString bin = QFileInfo(postgres).canonicalPath();
        if (complete(bin)) {
            m_binDir = bin;
            return true;
        }
    }
    return fail(u"PostgreSQL is not installed (no initdb/postgres/pg_isready/createdb in /usr/lib/postgresql/*/bin "
                u"or on PATH); on Debian: apt-get install postgresql"_s,
                true);
}

bool PgServer::chooseRunAs()
{
    m_runAsUser.clear();
    m_setpriv = findSystemTool(u"setpriv"_s);
    m_runuser.clear();
    if (::geteuid() != 0)
        return true;
    // PostgreSQL refuses to run as root: use Debian's "postgres" user, else "nobody".
    for (const char *name : {"postgres", "nobody"}) {
        if (const passwd *pw = ::getpwnam(name)) {
            m_runAsUser = QString::fromLocal8Bit(name);
            m_uid = pw->pw_uid;
            m_gid = pw->pw_gid;
            break;
        }
    }
    if (m_runAsUser.isEmpty())
        return fail(u"running as root and there is neither a \"postgres\" nor a \"nobody\" user to run PostgreSQL as"_s,
                    true);
    if (m_setpriv.isEmpty())
        m_runuser = findSystemTool(u"runuser"_s);
    if (m_setpriv.isEmpty() && m_runuser.isEmpty())
        return fail(u"running as root and neither setpriv nor runuser (util-linux) is installed to drop privileges"_s,
                    true);
    return true;
}

void PgServer::setCommand(QProcess &p, const QString &program, const QStringList &args, bool asServerUser) const
{
    p.setProcessEnvironment(childEnvironment());
    p.setWorkingDirectory(m_dir->path());
    if (!asServerUser) {
        p.setProgram(program);
        p.setArguments(args);
        return;
    }
    // The server dies with us: SIGQUIT is PostgreSQL's immediate shutdown.
    if (!m_setpriv.isEmpty()) {
        QStringList full;
        if (!m_runAsUser.isEmpty())
            full << u"--reuid=%1"_s.arg(m_uid) << u"--regid=%1"_s.arg(m_gid) << u"--clear-groups"_s;
        full << u"--pdeathsig"_s << u"QUIT"_s << u"--"_s << program << args;
        p.setProgram(m_setpriv);
        p.setArguments(full);
    } else if (!m_runAsUser.isEmpty()) {
        p.setProgram(m_runuser);
        p.setArguments(QStringList{u"-u"_s, m_runAsUser, u"--"_s, program} + args);
    } else {
        p.setProgram(program);
        p.setArguments(args);
    }
}

bool PgServer::prepareDir()
{
    const bool root = !m_runAsUser.isEmpty();
    // As root, a folder the server's user can reach: /tmp rather than a TMPDIR that may not be.
    const QString base = root ? u"/tmp"_s : QDir::tempPath();
    m_dir = std::make_unique<QTemporaryDir>(base + u"/setia-pg-XXXXXX"_s);
    if (!m_dir->isValid())
        return fail(u"cannot create a temporary folder in %1: %2"_s.arg(base, m_dir->errorString()));
    const QString data = dataDir();
    if (!QDir().mkdir(data))
        return fail(u"cannot create %1"_s.arg(data));
    if (root) {
        const QByteArray top = QFile::encodeName(m_dir->path());
        const QByteArray d = QFile::encodeName(data);
        if (::chmod(top.constData(), 0755) != 0 || ::chown(d.constData(), m_uid, m_gid) != 0)
            return fail(u"cannot hand %1 to the user %2: %3"_s.arg(data, m_runAsUser, qt_error_string(errno)));
    }
    if (::chmod(QFile::encodeName(data).constData(), 0700) != 0)
        return fail(u"cannot chmod %1: %2"_s.arg(data, qt_error_string(errno)));
    return true;
}

bool PgServer::initCluster()
{
    QProcess p;
    setCommand(p, tool(u"initdb"_s),
               {u"-D"_s, dataDir(), u"-U"_s, user(), u"--auth=trust"_s, u"-E"_s, u"UTF8"_s, u"--locale=C"_s,
                u"--no-sync"_s},
               true);
    QString output;
    if (!runBounded(p, kInitdbTimeoutMs, &output))
        return fail(u"initdb failed (%1%2):\n%3"_s.arg(m_binDir, m_runAsUser.isEmpty() ? QString() : u", as "_s + m_runAsUser,
                                                     lastLines(output, 20)));
    return true;
}

QString PgServer::logTail(int lines) const
{
    QFile f(logPath());
    if (!f.open(QIODevice::ReadOnly) || !f.seek(m_logOffset))
        return u"(no server log)"_s;
    return lastLines(QString::fromLocal8Bit(f.readAll()), lines);
}

qint64 PgServer::serverPid() const
{
    const qint64 child = m_server->processId();
    // setpriv and a direct start exec postgres: our child is the postmaster.
    if (m_runuser.isEmpty())
        return child;
    // runuser forks: signal the postmaster of postmaster.pid, but only if it is runuser's
    // child (a stale file could name an unrelated process).
    QFile f(dataDir() + u"/postmaster.pid"_s);
    if (!f.open(QIODevice::ReadOnly))
        return child;
    const qint64 pid = f.readLine().trimmed().toLongLong();
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (pid <= 0 || !stat.open(QIODevice::ReadOnly))
        return child;
    // "pid (comm) state ppid ...": comm may contain spaces, so split after the last ')'.
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    return fields.size() > 1 && fields.at(1).toLongLong() == child ? pid : child;
}

bool PgServer::launch()
{
    m_logOffset = QFileInfo(logPath()).size(); // error() shows this launch's part of the log
    m_server = std::make_unique<QProcess>();
    const QStringList args{
        u"-D"_s, dataDir(), u"-p"_s, QString::number(m_port),
        u"-c"_s, u"listen_addresses=127.0.0.1"_s,
        u"-c"_s, u"unix_socket_directories="_s, // TCP only
        u"-c"_s, u"fsync=off"_s,
        u"-c"_s, u"synchronous_commit=off"_s,
        u"-c"_s, u"full_page_writes=off"_s,
        u"-c"_s, u"max_connections=50"_s,
        u"-c"_s, u"shared_buffers=16MB"_s,
    };
    setCommand(*m_server, tool(u"postgres"_s), args, true);
    m_server->setStandardInputFile(QProcess::nullDevice());
    m_server->setStandardOutputFile(logPath(), QIODevice::Append);
    m_server->setStandardErrorFile(logPath(), QIODevice::Append);
    m_server->start();
    if (!m_server->waitForStarted(10'000)) {
        const QString why = m_server->errorString();
        m_server.reset();
        return fail(u"cannot start %1: %2"_s.arg(tool(u"postgres"_s), why));
    }
    return true;
}

bool PgServer::waitUntilReady()
{
    const QDeadlineTimer deadline(kReadyTimeoutMs);
    while (true) {
        // Doubles as the poll interval: true when postgres has exited.
        if (m_server->state() == QProcess::NotRunning || m_server->waitForFinished(50)) {
            const int code = m_server->exitCode();
            m_server.reset();
            return fail(u"postgres exited (code %1) on port %2. Server log:\n%3"_s.arg(code).arg(m_port).arg(logTail()));
        }
        QProcess probe;
        setCommand(probe, tool(u"pg_isready"_s),
                   {u"-q"_s, u"-h"_s, host(), u"-p"_s, QString::number(m_port), u"-U"_s, user(), u"-d"_s, u"postgres"_s,
                    u"-t"_s, u"2"_s},
                   false);
        QString output;
        if (runBounded(probe, 5'000, &output))
            return true;
        if (deadline.hasExpired()) {
            stop();
            return fail(u"postgres did not accept connections on %1:%2 within %3 s. Server log:\n%4"_s.arg(host())
                            .arg(m_port)
                            .arg(kReadyTimeoutMs / 1000)
                            .arg(logTail()));
        }
    }
}

bool PgServer::createDatabase()
{
    QProcess p;
    setCommand(p, tool(u"createdb"_s),
               {u"-h"_s, host(), u"-p"_s, QString::number(m_port), u"-U"_s, user(), database()}, false);
    QString output;
    if (!runBounded(p, kClientTimeoutMs, &output)) {
        stop();
        return fail(u"createdb %1 failed: %2\nServer log:\n%3"_s.arg(database(), lastLines(output, 10), logTail()));
    }
    return true;
}

bool PgServer::start()
{
    if (m_server)
        return fail(u"PgServer::start(): already started"_s);
    m_error.clear();
    m_skippable = false;
    m_port = 0;
    m_dir.reset();
    if (!findBinaries() || !chooseRunAs() || !prepareDir() || !initCluster())
        return false;
    for (int attempt = 1;; ++attempt) {
        m_port = freeLoopbackPort();
        if (m_port == 0)
            return fail(u"no free TCP port on 127.0.0.1"_s);
        if (!launch())
            return false;
        if (waitUntilReady())
            break;
        // Someone took the port between our probe and postgres' bind: try another one.
        const bool portTaken = logTail(1000).contains(u"Address already in use"_s);
        if (!portTaken || attempt == kBindAttempts)
            return false;
    }
    return createDatabase();
}

bool PgServer::restart()
{
    if (!m_dir || m_port == 0 || !QFileInfo::exists(dataDir() + u"/PG_VERSION"_s))
        return fail(u"PgServer::restart(): start() has not succeeded"_s);
    stop();
    m_error.clear();
    return launch() && waitUntilReady();
}

void PgServer::stop()
{
    if (!m_server)
        return;
    if (m_server->state() != QProcess::NotRunning) {
        const qint64 pid = serverPid();
        ::kill(static_cast<pid_t>(pid), SIGINT); // fast shutdown: abort sessions, checkpoint, exit
        if (!m_server->waitForFinished(kStopTimeoutMs)) {
            ::kill(static_cast<pid_t>(pid), SIGKILL);
            m_server->kill();
            m_server->waitForFinished(5'000);
        }
    }
    m_server.reset();
}

} // namespace setia::test
