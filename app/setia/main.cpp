// setia: the terminal app on the cashier's till. Wiring only: store, engine, devices, screens.
//
//   setia [--db PATH] [--key PATH] [--lang id|en] [--cashier NAME] [--virtual-scanner]
//   setia --demo [--screenshots DIR]   a fresh demo store (as `setiactl demo run`), then the
//                                      terminal; with no display, a walk through the screens
//                                      offscreen, saving screenshots
//   --virtual-scanner (on with --demo): `setiactl scan PAYLOAD` reaches this terminal as a scan
//   --printer-file PATH (with --demo: next to the store): the virtual receipt printer, every job
//                       appended to PATH as ESC/POS; --print-preview JOB PNG draws such a file
#include "cli/cli.h"
#include "core/fallback.h"
#include "core/loyalty.h"
#include "core/staff.h"
#include "core/store.h"
#include "ui/backgroundreads.h"
#include "ui/managerpanel.h"
#include "ui/pages.h"
#include "ui/terminalwindow.h"
#include "ui/theme.h"
#include "ui/wedgescanner.h"
#include "sync/client/syncsetup.h"
#include "drivers/escpos.h"
#include "drivers/virtualscanner.h"
#include "drivers/slip.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QComboBox>
#include <QListWidget>
#include <QTabWidget>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QThread>
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

constexpr auto kDemoManager = u"Manager";
constexpr auto kDemoManagerPin = u"482913";

// Lets the manager's worker answer (dashboard, search, export) before a screenshot.
void settle(const setia::ui::ManagerPanel *m)
{
    QElapsedTimer waited;
    waited.start();
    while ((m->dashboardBusy() || m->searching() || m->exporting()) && waited.elapsed() < 10'000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    }
}

// Walks the cashier's and the manager's screens in both languages and saves each as a PNG.
QStringList screenshots(setia::Loyalty &loyalty, setia::Staff &staff, const setia::ui::ReadAccess &access, const QString &dir)
{
    using setia::ui::ManagerPanel;
    using setia::ui::TerminalWindow;
    QStringList written;
    QDir().mkpath(dir);
    QTemporaryDir exports; // the export tab's files: not kept
    // Siti's card is a digital one (a QR code on her phone): typed, the till asks for the QR or the
    // phone number, so the tour finds her by phone as a cashier would.
    const QString sitiPhone = u"0812-3456-7890"_s;
    for (const QString &lang : {u"id"_s, u"en"_s}) {
        TerminalWindow w(loyalty, staff);
        w.useReadConnection(access);
        w.enableKeyboardWedge();
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
        w.lookup(sitiPhone);
        shot(u"member"_s);
        w.showPage(TerminalWindow::Page::Earn);
        w.earnPage()->amount()->setText(u"116.000"_s);
        w.earnPage()->payment()->setCurrentIndex(1); // QRIS
        shot(u"earn"_s);
        w.earnPage()->receipt()->setText(u"SHOT-%1-%2"_s.arg(lang).arg(QDateTime::currentMSecsSinceEpoch()));
        w.earnPage()->confirm();
        shot(u"receipt"_s);
        { // what the receipt printer makes of that slip (ESC/POS drawn as the printer would)
            const QImage printed = setia::renderEscPosPreview(setia::slipJob(w.receiptPage()->slip(), setia::PaperWidth::Mm58),
                                                              setia::PaperWidth::Mm58);
            const QString path = QDir(dir).filePath(u"%1-%2-receipt-printed.png"_s.arg(lang).arg(n, 2, 10, QLatin1Char('0')));
            if (!printed.isNull() && printed.save(path))
                written << path;
        }
        w.lookup(sitiPhone);
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
        // A past receipt found from the member's history (F8), then refunded from it.
        w.lookup(sitiPhone);
        w.showPage(TerminalWindow::Page::Receipts);
        shot(u"member-receipts"_s);
        w.receiptsPage()->refundChosen();
        w.refundPage()->reason()->setText(lang == u"id"_s ? u"barang dikembalikan"_s : u"goods returned"_s);
        shot(u"refund-from-receipts"_s);

        // The manager's screens (F9), unlocked with the demo manager's PIN.
        w.showPage(TerminalWindow::Page::Manager);
        ManagerPanel *m = w.managerPanel();
        if (m->mode() == ManagerPanel::Mode::Unlock)
            m->unlockName()->setText(QString::fromUtf16(kDemoManager));
        shot(u"manager-unlock"_s);
        if (m->mode() == ManagerPanel::Mode::Unlock) {
            m->unlockPin()->setText(QString::fromUtf16(kDemoManagerPin));
            m->unlock();
        }
        if (m->mode() != ManagerPanel::Mode::Unlocked)
            continue; // not the demo store: no known PIN
        m->tabs()->setCurrentIndex(ManagerPanel::DashboardTab);
        settle(m);
        shot(u"manager-dashboard"_s);
        m->tabs()->setCurrentIndex(ManagerPanel::MembersTab);
        m->searchField()->setText(u"Siti"_s);
        m->search();
        settle(m);
        if (lang == u"id"_s && m->alerts()->count() <= 1 && !m->chosenMember().isEmpty()) {
            // A goodwill adjustment large enough to raise an alert, so the alerts tab has one to show.
            m->adjustPoints()->setText(u"+600"_s);
            m->adjustReason()->setText(u"kompensasi mesin EDC rusak 3 hari"_s);
            m->adjust();
        }
        shot(u"manager-members"_s);
        m->tabs()->setCurrentIndex(ManagerPanel::AlertsTab);
        shot(u"manager-alerts"_s);
        m->tabs()->setCurrentIndex(ManagerPanel::AuditTab);
        shot(u"manager-audit"_s);
        m->tabs()->setCurrentIndex(ManagerPanel::ProgramTab);
        shot(u"manager-program"_s);
        m->tabs()->setCurrentIndex(ManagerPanel::ExportTab);
        m->membersPath()->setText(exports.filePath(lang == u"id"_s ? u"anggota.csv"_s : u"members.csv"_s));
        m->exportMembers();
        settle(m);
        shot(u"manager-export"_s);
        m->tabs()->setCurrentIndex(ManagerPanel::SettingsTab);
        shot(u"manager-settings"_s);
        w.showScan();
    }
    return written;
}

} // namespace

int main(int argc, char *argv[])
{
    // After a failed store upgrade, the previous version runs (app/core/fallback.h): before
    // QApplication, which takes its own options out of argv.
    setia::fallback::handOverIfNeeded("setia", argv);
    // Decide before QApplication exists: no display means offscreen.
    bool headless = !haveDisplay();
    if (headless) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        // The offscreen platform warns once per window resize that it cannot pass size hints
        // to a window manager it does not have: noise for a person reading the demo's output.
        static const QtMessageHandler previous = qInstallMessageHandler(nullptr);
        qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &context, const QString &message) {
            if (type == QtWarningMsg && message.contains(u"does not support propagateSizeHints"_s))
                return;
            previous(type, context, message);
        });
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"setia"_s);
    QApplication::setApplicationVersion(QStringLiteral(SETIA_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Setia loyalty terminal"_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption db(u"db"_s, u"The store (default: $SETIA_DB or ./setia.db)."_s, u"path"_s);
    const QCommandLineOption key(u"key"_s, u"The personal-data key file (default: store + .key)."_s, u"path"_s);
    const QCommandLineOption lang(u"lang"_s, u"Language: id (default) or en."_s, u"id|en"_s);
    const QCommandLineOption cashier(u"cashier"_s, u"Who is at the till."_s, u"name"_s, u"kasir"_s);
    const QCommandLineOption demo(u"demo"_s, u"Create a fresh demo store first (like `setiactl demo run`)."_s);
    const QCommandLineOption shots(u"screenshots"_s, u"Walk the screens offscreen and save PNGs into this folder, then exit."_s,
                                   u"folder"_s);
    const QCommandLineOption virtualScanner(
        u"virtual-scanner"_s, u"Take scans from `setiactl scan` over a local socket (on with --demo)."_s);
    const QCommandLineOption printerFile(
        u"printer-file"_s, u"The virtual receipt printer: append every print job (ESC/POS) to this file."_s, u"path"_s);
    const QCommandLineOption printPreview(
        u"print-preview"_s, u"Draw the ESC/POS jobs in a file (from --printer-file) as a PNG, then exit."_s, u"job>,<png"_s);
    const QCommandLineOption kiosk(u"kiosk"_s, u"Kiosk mode: full screen; only a manager signed in (F9) can close it."_s);
    const QCommandLineOption storeFile(u"store-file"_s, u"The store's provisioning (hub address, certificate, enrollment token); default /etc/setia/store.json when it exists."_s, u"path"_s);
    parser.addOptions({db, key, lang, cashier, demo, shots, virtualScanner, printerFile, printPreview, storeFile, kiosk});
    parser.process(app);
    if (parser.isSet(printPreview)) {
        const QStringList io = parser.value(printPreview).split(u',');
        QFile in(io.value(0));
        if (io.size() != 2 || !in.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "setia: --print-preview JOBFILE,OUT.png (%s)\n", qPrintable(in.errorString()));
            return 2;
        }
        QString why;
        const QImage img = setia::renderEscPosPreview(in.readAll(), setia::PaperWidth::Mm80, &why);
        if (img.isNull() || !img.save(io.value(1))) {
            std::fprintf(stderr, "setia: cannot draw %s: %s\n", qPrintable(io.value(0)), qPrintable(why));
            return 1;
        }
        std::printf("%s\n", qPrintable(io.value(1)));
        return 0;
    }

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
    // The manager's slow reads run on a worker with its own read-only connection to the same store.
    const setia::ui::ReadAccess reads{store.value()->path(), keys.value(), &clock};
    setia::Loyalty loyalty(*store.value(), std::move(keys).value(), clock, random);
    setia::Staff staff(*store.value(), clock, random);
    if (parser.isSet(demo)) {
        if (!staff.hasManager()) {
            auto added = staff.add(QString::fromUtf16(kDemoManager), setia::Role::Manager, QString::fromUtf16(kDemoManagerPin), u"demo"_s);
            if (!added)
                std::fprintf(stderr, "setia: demo manager not created: %s\n", qPrintable(added.error().message));
        }
        std::printf("\nManager's screens (F9): name %s, PIN %s\n", qPrintable(QString::fromUtf16(kDemoManager)),
                    qPrintable(QString::fromUtf16(kDemoManagerPin)));
    }
    setia::ui::applyTheme(app);

    if (parser.isSet(shots) || headless) {
        const QString dir = parser.isSet(shots) ? parser.value(shots) : QFileInfo(dbPath).absolutePath() + u"/screenshots"_s;
        const QStringList written = screenshots(loyalty, staff, reads, dir);
        std::printf("\nNo display%s: walked the cashier's and manager's screens offscreen and saved %lld screenshots in %s\n",
                    headless ? "" : " needed", static_cast<long long>(written.size()), qPrintable(QDir(dir).absolutePath()));
        return written.isEmpty() ? 1 : 0;
    }

    setia::ui::TerminalWindow window(loyalty, staff);
    window.setCashier(parser.value(cashier));
    window.useReadConnection(reads);
    window.enableKeyboardWedge(); // scans reach handleScan(), with the thresholds from Settings → Devices
    if (QString why; !window.enableUsbScanners(&why))
        std::fprintf(stderr, "setia: USB scanners off: %s\n", qPrintable(why));
    if (QString why; !window.enableContactless(&why))
        std::fprintf(stderr, "setia: contactless readers off: %s\n", qPrintable(why));
    if (parser.isSet(printerFile) || parser.isSet(demo)) {
        const QString file = parser.isSet(printerFile) ? parser.value(printerFile) : dbPath + u".printer"_s;
        window.printing()->setFile(file);
        std::printf("Virtual receipt printer: jobs go to %s (setia --print-preview %s,slip.png draws them)\n",
                    qPrintable(file), qPrintable(file));
    } else if (QString why; !window.printing()->enableUsb(&why)) {
        std::fprintf(stderr, "setia: USB receipt printers off: %s\n", qPrintable(why));
    }
    setia::VirtualScanner virtualDevice;
    if (parser.isSet(virtualScanner) || parser.isSet(demo)) {
        if (virtualDevice.listen()) {
            QObject::connect(&virtualDevice, &setia::VirtualScanner::scanned, &window, &setia::ui::TerminalWindow::handleScan);
            std::printf("Virtual scanner: setiactl scan PAYLOAD (socket %s)\n", qPrintable(virtualDevice.socketPath()));
        } else {
            std::fprintf(stderr, "setia: virtual scanner off: %s\n", qPrintable(virtualDevice.errorString()));
        }
    }
    // Sync with the hub (docs/sync.md): registered already, or registering now from the store's
    // provisioning file on its first start. The demo store has no hub.
    std::optional<setia::sync::Provisioning> provisioning;
    const QString provisioningPath = parser.isSet(storeFile) ? parser.value(storeFile) : u"/etc/setia/store.json"_s;
    if (!parser.isSet(demo) && (parser.isSet(storeFile) || QFile::exists(provisioningPath))) {
        auto p = setia::sync::readProvisioning(provisioningPath);
        if (p)
            provisioning = p.value();
        else
            std::fprintf(stderr, "setia: %s\n", qPrintable(p.error().message));
    }
    setia::sync::SyncService sync(loyalty, dbPath, provisioning);
    if (sync.configured()) {
        window.setSyncSource([&sync, &loyalty] {
            const setia::sync::ClientStatus st = sync.client()->status();
            return setia::ui::SyncIndicator{true,       sync.registered(), st.online,       st.running,
                                            loyalty.unsyncedCount(), st.refused, st.lastSuccessAt, st.lastError,
                                            st.preparing, st.membersReceived};
        });
        QObject::connect(&sync, &setia::sync::SyncService::statusChanged, &window, &setia::ui::TerminalWindow::updateStatus);
    }
    if (parser.isSet(lang))
        window.setLanguage(parser.value(lang));
    window.resize(1280, 800);
    window.show();
    if (parser.isSet(kiosk))
        window.setKiosk(true);
    return app.exec();
}
