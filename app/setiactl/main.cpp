// setiactl: the administration and support command line. All logic is in Setia::Cli/Core;
// `setiactl scan` is the client of the terminal's virtual scanner (Setia::Drivers).
#include "cli/cli.h"
#include "core/fallback.h"
#include "drivers/framedecoder.h"
#include "drivers/virtualscanner.h"

#include <QCoreApplication>
#include <QTextStream>

#include <string_view>

using namespace Qt::StringLiterals;

namespace {

int scanCommand(const QStringList &args)
{
    QTextStream out(stdout), err(stderr);
    const QString usage =
        u"usage: setiactl scan [--source virtual|magstripe|hid-scanner|keyboard-wedge|camera|contactless]"
        " [--symbology qr|ean13|code128|track|uid|emv] [--socket PATH] [--hex] PAYLOAD\n"
        "       setiactl scan [--socket PATH] --image FILE\n"
        "Sends PAYLOAD to the running terminal as if a scanner or card reader had read it.\n"
        "--hex: PAYLOAD is hexadecimal bytes (for binary or track data). --image: the barcode or QR\n"
        "code in a picture (a photo of a member's phone, a screenshot) is read and sent as a camera\n"
        "scan. --symbology emv takes no payload (a contactless bank card). Default socket: %1\n"_s.arg(
            setia::VirtualScanner::defaultSocketPath());
    setia::Scan scan;
    scan.source = setia::Scan::Source::Virtual;
    QString socket = setia::VirtualScanner::defaultSocketPath();
    bool hex = false;
    QString image;
    QStringList rest;
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        auto value = [&](QString *into) {
            if (i + 1 >= args.size())
                return false;
            *into = args[++i];
            return true;
        };
        QString v;
        if (a == u"--help"_s || a == u"-h"_s) {
            out << usage;
            return 0;
        } else if (a == u"--source"_s) {
            bool ok = false;
            if (!value(&v) || (scan.source = setia::sourceFromName(v, &ok), !ok)) {
                err << "setiactl scan: --source must be one of virtual, magstripe, hid-scanner, keyboard-wedge, camera, contactless\n";
                return 2;
            }
        } else if (a == u"--symbology"_s) {
            if (!value(&scan.symbology)) {
                err << usage;
                return 2;
            }
        } else if (a == u"--socket"_s) {
            if (!value(&socket)) {
                err << usage;
                return 2;
            }
        } else if (a == u"--hex"_s) {
            hex = true;
        } else if (a == u"--image"_s) {
            if (!value(&image)) {
                err << usage;
                return 2;
            }
        } else {
            rest << a;
        }
    }
    if (!image.isEmpty()) {
        QString why;
        const auto decoded = setia::decodeImageFile(image, &why);
        if (!decoded) {
            err << "setiactl scan: " << why << '\n';
            return 2;
        }
        scan = *decoded;
    } else if (scan.symbology == u"emv"_s && rest.isEmpty()) {
        scan.payload.clear(); // a contactless bank card: nothing of it is read
    } else if (rest.size() != 1 || rest.first().isEmpty()) {
        err << "setiactl scan: give exactly one payload\n" << usage;
        return 2;
    } else if (hex) {
        const QByteArray h = rest.first().toLatin1();
        scan.payload = QByteArray::fromHex(h);
        if (scan.payload.isEmpty() || scan.payload.toHex() != h.toLower()) {
            err << "setiactl scan: --hex payload is not hexadecimal\n";
            return 2;
        }
    } else {
        scan.payload = rest.first().toUtf8();
    }
    QString error;
    if (!setia::VirtualScanner::send(socket, scan, &error)) {
        err << "setiactl scan: " << error << '\n';
        return 3;
    }
    out << "sent\n";
    return 0;
}

// The command word of a setiactl command line (global options and their values skipped).
bool isUpgrade(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--db" || a == "--key" || a == "--actor") {
            ++i;
            continue;
        }
        if (a.starts_with("-"))
            continue;
        return a == "upgrade";
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    // After a failed store upgrade, the previous version runs (app/core/fallback.h); not for
    // `setiactl upgrade`, which is how the upgrade is tried again.
    if (!isUpgrade(argc, argv))
        setia::fallback::handOverIfNeeded("setiactl", argv);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("setiactl"));
    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    if (args.value(0) == u"scan"_s)
        return scanCommand(args);
    return setia::cli::run(args);
}
