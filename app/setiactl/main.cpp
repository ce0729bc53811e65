// setiactl: the administration and support command line. All logic is in Setia::Cli/Core.
#include "cli/cli.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("setiactl"));
    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    return setia::cli::run(args);
}
