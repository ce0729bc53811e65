// A stand-in for setia, setiactl and setia-agent in tst_fallback: its main() starts the way theirs
// do (setia::fallback::handOverIfNeeded() first, before any Qt object exists) and then says which
// version runs.
//
// The same executable plays the previous version too: tst_fallback copies it into the folder of
// SETIA_PREVIOUS_DIR, and a copy that runs from there prints what a previous version would see,
//   OLD <arguments> <SETIA_HANDED_OVER>
// (it does not hand over itself: the previous version has no fallback of its own). Run from
// anywhere else it calls handOverIfNeeded() and, when that returns, prints
//   NEW <arguments>
//   SETIA_HANDED_OVER=<value, or "unset">
// The second line shows that a hand-over that failed leaves no guard behind.
#include "core/fallback.h"

#include <QByteArray>
#include <QFileInfo>
#include <QString>

#include <cstdio>
#include <cstdlib>

using namespace Qt::StringLiterals;

namespace {

void printArguments(const char *role, char **argv)
{
    std::fputs(role, stdout);
    for (int i = 1; argv[i] != nullptr; ++i) {
        std::fputc(' ', stdout);
        std::fputs(argv[i], stdout);
    }
}

// Whether this process runs from the previous version's folder.
bool isPrevious()
{
    const QString self = QFileInfo(u"/proc/self/exe"_s).canonicalFilePath();
    const QString previous = QFileInfo(setia::fallback::previousDir()).canonicalFilePath();
    return !self.isEmpty() && !previous.isEmpty() && QFileInfo(self).path() == previous;
}

} // namespace

int main(int /*argc*/, char *argv[])
{
    if (isPrevious()) {
        printArguments("OLD", argv);
        const char *guard = std::getenv("SETIA_HANDED_OVER");
        std::printf(" %s\n", guard != nullptr ? guard : "");
        return 0;
    }
    setia::fallback::handOverIfNeeded("fallback_probe", argv);
    printArguments("NEW", argv);
    const char *guard = std::getenv("SETIA_HANDED_OVER");
    std::printf("\nSETIA_HANDED_OVER=%s\n", guard != nullptr ? guard : "unset");
    return 0;
}
