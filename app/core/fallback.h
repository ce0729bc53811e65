#pragma once
// The previous version of Setia, kept by the package upgrade (docs/install.md "Upgrades").
//
// The new package's preinst copies the installed binaries (setia, setiactl, setia-agent) into
// /var/lib/setia/previous/ with a VERSION file; its postinst migrates the store
// (`setiactl upgrade`). When that migration fails, the postinst writes previous/ACTIVE (the store
// and the reason) and the store stays at its old schema, with every event. From then on the new
// binaries hand over to the previous ones at start (execv, the same arguments), so the till keeps
// running the version that reads that schema, until an upgrade succeeds.
//
// One seam: handOverIfNeeded(), called first in each main(), before any Qt object exists (a
// QApplication may take arguments out of argv). The only environment read is
// SETIA_PREVIOUS_DIR (tests); SETIA_HANDED_OVER is set on the process it hands over to, so a
// hand-over happens once at most.
#include <QString>

namespace setia::fallback {

// /var/lib/setia/previous, or $SETIA_PREVIOUS_DIR when set (tests).
QString previousDir();

// The package's store, when ACTIVE names none.
QString defaultStorePath();

// What previous/ACTIVE says: the store that was not upgraded and why; the version in
// previous/VERSION.
struct Marker {
    bool active = false;
    QString store;
    QString reason;
    QString version;
};
Marker readMarker(const QString &dir);

// The schema (PRAGMA user_version) of the store at path, read through SQLite read-only without
// migrating anything; -1 when it cannot be read (missing, no permission, not a database).
int storeSchema(const QString &path);

// Whether this binary should hand over: the marker is there and its store is older than this
// binary's schema (or cannot be read by this user: then the marker decides). why says it.
bool shouldHandOver(const Marker &marker, int latestSchema, QString *why);

// Replaces this process by previousDir()/program with the same argv, after one clear line on
// stderr, when shouldHandOver() says so and that binary exists, is not this one, is owned by root
// or this user and is writable by nobody else. Returns when it does not hand over (nothing to do,
// or it cannot: then it says why on stderr and this version goes on).
void handOverIfNeeded(const char *program, char **argv);

// For `setiactl upgrade` after a successful migration: removes previous/ACTIVE when it names
// path (or the package's store). False with why when it is there and cannot be removed.
bool clearMarker(const QString &storePath, QString *why);

} // namespace setia::fallback
