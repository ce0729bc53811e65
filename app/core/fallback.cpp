#include "fallback.h"

#include "store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace setia::fallback {

namespace {

constexpr auto kGuard = "SETIA_HANDED_OVER";

// One line on stderr and, when there is a syslog socket (the journal), there too.
void say(const char *program, const QString &text)
{
    const QByteArray line = text.toLocal8Bit();
    std::fprintf(stderr, "%s: %s\n", program, line.constData());
    std::fflush(stderr);
    openlog(program, LOG_PID, LOG_USER);
    syslog(LOG_WARNING, "%s", line.constData());
    closelog();
}

} // namespace

QString previousDir()
{
    const QString dir = qEnvironmentVariable("SETIA_PREVIOUS_DIR");
    return dir.isEmpty() ? u"/var/lib/setia/previous"_s : dir;
}

QString defaultStorePath() { return u"/var/lib/setia/setia.db"_s; }

Marker readMarker(const QString &dir)
{
    Marker m;
    QFile f(QDir(dir).filePath(u"ACTIVE"_s));
    if (!f.open(QIODevice::ReadOnly))
        return m;
    m.active = true;
    // KEY=VALUE lines, written by the postinst of the package setia.
    for (const QByteArray &raw : f.read(64 * 1024).split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        const qsizetype eq = line.indexOf(u'=');
        if (eq <= 0)
            continue;
        const QString key = line.left(eq), value = line.mid(eq + 1).trimmed();
        if (key == u"STORE"_s)
            m.store = value;
        else if (key == u"REASON"_s)
            m.reason = value;
    }
    if (m.store.isEmpty())
        m.store = defaultStorePath();
    QFile v(QDir(dir).filePath(u"VERSION"_s));
    if (v.open(QIODevice::ReadOnly))
        m.version = QString::fromUtf8(v.readLine(256)).trimmed();
    return m;
}

int storeSchema(const QString &path)
{
    if (!QFileInfo(path).isFile())
        return -1;
    sqlite3 *db = nullptr;
    int schema = -1;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 2000);
        sqlite3_stmt *stmt = nullptr;
        if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
            schema = sqlite3_column_int(stmt, 0);
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return schema;
}

bool shouldHandOver(const Marker &marker, int latestSchema, QString *why)
{
    if (!marker.active)
        return false;
    const int schema = storeSchema(marker.store);
    if (schema >= latestSchema)
        return false; // upgraded since (setiactl upgrade): the marker is stale
    const QString reason = marker.reason.isEmpty() ? u"the reason is in previous/ACTIVE"_s : marker.reason;
    if (schema < 0)
        *why = u"the upgrade of the store %1 to schema %2 did not happen (%3), and this user cannot read the store to see whether it has since"_s
                   .arg(marker.store)
                   .arg(latestSchema)
                   .arg(reason);
    else
        *why = u"the store %1 is at schema %2 and was not upgraded to schema %3 (%4)"_s.arg(marker.store).arg(schema).arg(latestSchema).arg(reason);
    return true;
}

void handOverIfNeeded(const char *program, char **argv)
{
    if (qEnvironmentVariableIsSet(kGuard))
        return; // handed over once already: whatever runs now is the end of the line
    const QString dir = previousDir();
    const Marker marker = readMarker(dir);
    QString why;
    if (!shouldHandOver(marker, Store::latestSchemaVersion(), &why))
        return;
    const QString target = QDir(dir).filePath(QString::fromLocal8Bit(program));
    const QByteArray targetPath = QFile::encodeName(target);
    const QString fix = u"fix the cause, then, as root: dpkg-reconfigure setia"_s;
    // Opened once and run from the descriptor (fexecve): what is checked is what runs, even if
    // somebody renames files in /var/lib/setia (the user setia's folder) in between.
    const int fd = ::open(targetPath.constData(), O_RDONLY | O_CLOEXEC);
    struct stat prev {};
    if (fd < 0 || ::fstat(fd, &prev) != 0 || !S_ISREG(prev.st_mode) || !(prev.st_mode & S_IXUSR)) {
        if (fd >= 0)
            ::close(fd);
        say(program, u"%1; the previous version's %2 is not there, so this version runs (and may refuse the store): %3."_s.arg(why, target, fix));
        return;
    }
    // Never run a file someone other than root (or this user) could have put there.
    if ((prev.st_uid != 0 && prev.st_uid != ::geteuid()) || (prev.st_mode & (S_IWGRP | S_IWOTH))) {
        ::close(fd);
        say(program, u"%1; %2 is not run: it is not root's or may be changed by others."_s.arg(why, target));
        return;
    }
    struct stat self {};
    if (::stat("/proc/self/exe", &self) == 0 && self.st_dev == prev.st_dev && self.st_ino == prev.st_ino) {
        ::close(fd);
        return; // this is the previous version already
    }
    say(program, u"%1. Running the previous version%2 (%3) until the upgrade succeeds: %4."_s
                     .arg(why, marker.version.isEmpty() ? QString() : u" "_s + marker.version, target, fix));
    ::setenv(kGuard, "1", 1);
    ::fexecve(fd, argv, environ);
    const int error = errno;
    ::close(fd);
    ::unsetenv(kGuard);
    say(program, u"cannot run %1 (%2); this version goes on."_s.arg(target, QString::fromLocal8Bit(std::strerror(error))));
}

bool clearMarker(const QString &storePath, QString *why)
{
    const QString dir = previousDir();
    const Marker marker = readMarker(dir);
    if (!marker.active)
        return true;
    // The same file, however spelled (canonical paths: both exist; else the absolute paths).
    const auto same = [](const QString &a, const QString &b) {
        const QString ca = QFileInfo(a).canonicalFilePath(), cb = QFileInfo(b).canonicalFilePath();
        return !ca.isEmpty() && !cb.isEmpty() ? ca == cb : QFileInfo(a).absoluteFilePath() == QFileInfo(b).absoluteFilePath();
    };
    if (!same(marker.store, storePath))
        return true; // about another store
    QFile f(QDir(dir).filePath(u"ACTIVE"_s));
    if (f.remove())
        return true;
    *why = u"%1 could not be removed (%2)"_s.arg(f.fileName(), f.errorString());
    return false;
}

} // namespace setia::fallback
