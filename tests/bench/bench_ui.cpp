// From a scan to the member panel painted, on a store of 1,000,000 members (docs/performance.md).
//
//   QT_QPA_PLATFORM=offscreen build/release/tests/bench/bench_ui --store /path/big.db
//
// Uses the store bench_core generates (run bench_core first). Each iteration delivers a scan
// of a random member card to the terminal window exactly as a scanner driver does
// (TerminalWindow::handleScan) and then paints the window synchronously (repaint()), so the
// time covers lookup, the member panel's queries and the paint.
#include "core/crypto.h"
#include "core/ids.h"
#include "core/loyalty.h"
#include "core/staff.h"
#include "core/store.h"
#include "drivers/scan.h"
#include "ui/terminalwindow.h"
#include "ui/theme.h"

#include <benchmark/benchmark.h>

#include <QApplication>
#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace Qt::StringLiterals;
using namespace setia;

namespace {
QString g_store;
qint64 g_members = 1'000'000;

void ScanToPaintedPanel(benchmark::State &state)
{
    auto store = Store::open(g_store, {Store::Mode::ReadWrite, false});
    if (!store) {
        state.SkipWithError(qPrintable(store.error().message));
        return;
    }
    SystemClock clock;
    SecureRandom random;
    Loyalty loyalty(*store.value(), KeyRing::open(g_store + u".key"_s, false).value(), clock, random);
    Staff staff(*store.value(), clock, random);
    ui::TerminalWindow w(loyalty, staff);
    w.setLanguage(u"id"_s);
    w.resize(1280, 800);
    w.show();
    QCoreApplication::processEvents();
    SeededRandom rng(9);
    std::vector<double> ms;
    for (auto _ : state) {
        Scan scan;
        scan.source = Scan::Source::KeyboardWedge;
        scan.payload = makeMemberCardNumber(9, rng.below(quint64(g_members))).toLatin1();
        const auto t0 = std::chrono::steady_clock::now();
        w.handleScan(scan);
        w.repaint();
        const auto t1 = std::chrono::steady_clock::now();
        if (w.page() != ui::TerminalWindow::Page::Member) {
            state.SkipWithError("the scan did not open the member panel");
            break;
        }
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        w.showScan();
        QCoreApplication::processEvents();
    }
    std::sort(ms.begin(), ms.end());
    if (!ms.empty()) {
        state.counters["p50_ms"] = ms[ms.size() / 2];
        state.counters["p99_ms"] = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
        state.counters["max_ms"] = ms.back();
    }
}
BENCHMARK(ScanToPaintedPanel)->Iterations(1000)->Unit(benchmark::kMillisecond);

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    ui::applyTheme(app);
    std::vector<char *> rest;
    for (int i = 0; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if ((a == "--store" || a == "--members") && i + 1 < argc) {
            const QByteArray v(argv[++i]);
            if (a == "--store")
                g_store = QString::fromLocal8Bit(v);
            else
                g_members = v.toLongLong();
        } else {
            rest.push_back(argv[i]);
        }
    }
    if (g_store.isEmpty() || !QFileInfo::exists(g_store)) {
        std::fprintf(stderr, "bench_ui --store PATH: a store made by bench_core (run bench_core first)\n");
        return 2;
    }
    int n = int(rest.size());
    benchmark::Initialize(&n, rest.data());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
