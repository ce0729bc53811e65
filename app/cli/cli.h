#pragma once
#include <QStringList>
#include <QTextStream>

namespace setia::cli {

// Exit codes of setiactl (docs/cli.md).
enum Exit : int {
    Success = 0,
    Refused = 1,      // a business rule said no (insufficient points, card blocked, ...)
    BadInput = 2,     // usage error or invalid input; nothing was changed
    StoreFailure = 3, // the store is missing, in use, damaged, read-only or the disk is full
    CheckFailed = 4,  // verify or integrity found problems
};

// Runs one setiactl command. Output goes to out, one-line errors to err.
int run(const QStringList &args, QTextStream &out, QTextStream &err);
int run(const QStringList &args); // stdout and stderr

} // namespace setia::cli
