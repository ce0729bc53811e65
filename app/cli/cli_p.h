#pragma once
// Private to setiactl's implementation.
#include "cli.h"

#include "core/clock.h"
#include "core/loyalty.h"
#include "core/store.h"

#include <QHash>
#include <QJsonObject>
#include <QLocale>
#include <functional>
#include <memory>

namespace setia::cli {

struct Context;
using Handler = std::function<int(Context &)>;

struct Command {
    QString path;        // "member enroll"
    QString summary;     // one line for the command list
    QString usage;       // arguments after the path
    QStringList options; // "name=" takes a value, "name" is a flag
    bool writes = true;  // opens the store for writing
    bool needsStore = true;
    Handler handler;
};

struct Context {
    Context(QTextStream &o, QTextStream &e) : out(o), err(e) {}
    QTextStream &out;
    QTextStream &err;
    const Command *command = nullptr;
    QStringList positional;
    QHash<QString, QString> values;
    QHash<QString, bool> flags;
    QString dbPath, keyPath, actor;
    bool json = false;
    QLocale locale{QLocale::Indonesian, QLocale::Indonesia};
    std::unique_ptr<Store> store;
    std::unique_ptr<Clock> clock;
    std::unique_ptr<Random> random;
    std::unique_ptr<Loyalty> loyalty;

    QString value(const QString &name, const QString &def = {}) const { return values.value(name, def); }
    bool flag(const QString &name) const { return flags.value(name, false); }
    bool has(const QString &name) const { return values.contains(name); }

    int fail(const Error &e);                 // prints and maps the code to an exit code
    int usage(const QString &message);        // exit 2
    void reply(const QJsonObject &json, const QString &text);
    QString money(qint64 minor) const;
    Status openLoyalty(bool writable, bool create = false);
};

int exitCodeFor(const QString &errorCode);
QList<Command> demoCommands();

} // namespace setia::cli
