// setia: the terminal app on the cashier's till. Wiring only: store, engine, devices, screens.
//
//   setia [--db PATH] [--key PATH] [--lang id|en] [--cashier NAME]
//   setia --demo [--screenshots DIR]   a fresh demo store (as `setiactl demo run`), then the
//                                      terminal; with no display, a walk through the screens
//                                      offscreen, saving screenshots
#include "cli/cli.h"
#include "core/loyalty.h"
#include "core/store.h"
#include "drivers/keyboardwedge.h"
#include "ui/pages.h"
#include "ui/terminalwindow.h"
#include "ui/theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QLineEdit>
#include <QPushButton>
#include <QDateTime>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

bool haveDisplay()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

// Walks the cashier's screens in both languages and saves each as a PNG.
QStringList screenshots(setia::Loyalty &loyalty, const QString &dir)
{
    using setia::ui::TerminalWindow;
    QStringList written;
    QDir().mkpath(dir);
    const auto siti = loyalty.memberByPhone(u"+6281234567890"_s);
    const QString card = siti && !siti->cards.isEmpty() ? siti->cards.first().number : QString();
    for (const QString &lang : {u"id"_s, u"en"_s}) {
        TerminalWindow w(loyalty);
        w.setLanguage(lang);
        w.resize(1280, 800);
        w.show();
        int n = 0;
        auto shot = [&](const QString &name) {
            QCoreApplication::processEvents();
            const QString path = QDir(dir).filePath(u"%1-%2-%3.png"_s.arg(lang).arg(++n, 2, 10, QLatin1Char('0')).arg(name));
            if (w.grab().save(path))
                written << path;
        };
        w.showScan();
        shot(u"scan"_s);
        w.lookup(card);
        shot(u"member"_s);
        w.showPage(TerminalWindow::Page::Earn);
        w.earnPage()->amount()->setText(u"116.000"_s);
        w.earnPage()->payment()->setCurrentIndex(1); // QRIS
        shot(u"earn"_s);
        w.earnPage()->receipt()->setText(u"SHOT-%1-%2"_s.arg(lang).arg(QDateTime::currentMSecsSinceEpoch()));
        w.earnPage()->confirm();
        shot(u"receipt"_s);
        w.lookup(card);
        w.showPage(TerminalWindow::Page::Redeem);
        shot(u"redeem"_s);
        if (!w.redeemPage()->tiles().isEmpty()) {
            w.redeemPage()->choose(w.redeemPage()->tiles().first()->property("rewardId").toString());
            shot(u"redeem-confirm"_s);
        }
        w.showPage(TerminalWindow::Page::Enroll);
        w.enrollPage()->name()->setText(u"Rina Wulandari"_s);
        w.enrollPage()->phone()->setText(u"0812-3456-7890"_s);
        w.enrollPage()->submit(); // the same phone as Siti: refused, with words a cashier understands
        shot(u"enroll-duplicate"_s);
        w.showPage(TerminalWindow::Page::Refund);
        w.refundPage()->receipt()->setText(u"POS-0002"_s);
        w.refundPage()->reason()->setText(u"barang dikembalikan"_s);
        shot(u"refund"_s);
        w.lookup(u"2999999999999"_s);
        shot(u"unknown-card"_s);
    }
    return written;
}

} // namespace

int main(int argc, char *argv[])
{
    // Decide before QApplication exists: no display means offscreen.
    bool headless = !haveDisplay();
    if (headless)
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"setia"_s);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Setia loyalty terminal"_s);
    parser.addHelpOption();
    const QCommandLineOption db(u"db"_s, u"The store (default: $SETIA_DB or ./setia.db)."_s, u"path"_s);
    const QCommandLineOption key(u"key"_s, u"The personal-data key file (default: store + .key)."_s, u"path"_s);
    const QCommandLineOption lang(u"lang"_s, u"Language: id (default) or en."_s, u"id|en"_s);
    const QCommandLineOption cashier(u"cashier"_s, u"Who is at the till."_s, u"name"_s, u"kasir"_s);
    const QCommandLineOption demo(u"demo"_s, u"Create a fresh demo store first (like `setiactl demo run`)."_s);
    const QCommandLineOption shots(u"screenshots"_s, u"Walk the screens offscreen and save PNGs into this folder, then exit."_s,
                                   u"folder"_s);
    parser.addOptions({db, key, lang, cashier, demo, shots});
    parser.process(app);

    QString dbPath = parser.value(db);
    if (dbPath.isEmpty())
        dbPath = qEnvironmentVariableIsSet("SETIA_DB") ? qEnvironmentVariable("SETIA_DB") : u"setia.db"_s;
    const QString keyPath = parser.isSet(key) ? parser.value(key) : dbPath + u".key"_s;
    if (parser.isSet(demo)) {
        const int rc = setia::cli::run({u"--db"_s, dbPath, u"--key"_s, keyPath, u"demo"_s, u"run"_s});
        if (rc != 0)
            return rc;
    }
    auto store = setia::Store::open(dbPath, {setia::Store::Mode::ReadWrite, false});
    if (!store) {
        std::fprintf(stderr, "setia: %s\n", qPrintable(store.error().message));
        return 3;
    }
    auto keys = setia::KeyRing::open(keyPath, false);
    if (!keys) {
        std::fprintf(stderr, "setia: %s\n", qPrintable(keys.error().message));
        return 3;
    }
    setia::SystemClock clock;
    setia::SecureRandom random;
    setia::Loyalty loyalty(*store.value(), std::move(keys).value(), clock, random);
    setia::ui::applyTheme(app);

    if (parser.isSet(shots) || headless) {
        const QString dir = parser.isSet(shots) ? parser.value(shots) : QFileInfo(dbPath).absolutePath() + u"/screenshots"_s;
        const QStringList written = screenshots(loyalty, dir);
        std::printf("\nNo display%s: walked the cashier's screens offscreen and saved %lld screenshots in %s\n",
                    headless ? "" : " needed", static_cast<long long>(written.size()), qPrintable(QDir(dir).absolutePath()));
        return written.isEmpty() ? 1 : 0;
    }

    setia::ui::TerminalWindow window(loyalty);
    window.setCashier(parser.value(cashier));
    if (parser.isSet(lang))
        window.setLanguage(parser.value(lang));
    setia::KeyboardWedge wedge;
    app.installEventFilter(&wedge);
    QObject::connect(&wedge, &setia::KeyboardWedge::scanned, &window, &setia::ui::TerminalWindow::handleScan);
    window.resize(1280, 800);
    window.show();
    return app.exec();
}
