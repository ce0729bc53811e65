// USB HID scanners: the time from the last HID report of a scan to the Scan signal delivered in
// the GUI thread (docs/performance.md).
//
//   build/release/tests/bench/bench_hid [benchmark flags]
//   taskset -c 1 build/release/tests/bench/bench_hid        (the figures: one core, as a till)
//
// What runs is the path of drivers/usbhidscanner.cpp after libusb_interrupt_transfer() has
// returned a report: on an I/O thread (a QThread with its own blocking loop, as
// UsbScannerWorker::run), the report goes through HidKeyboardDecoder or HidPosDecoder; the scan
// it completes becomes a Scan (source HidScanner, atMs from the system clock, the UTF-8 text or
// the barcode bytes, the symbology) emitted as a signal; that signal reaches a manager object in
// the main thread by a queued connection (as UsbScannerWorker::scanned → UsbScannerManager::
// scanned) and the manager's signal a receiver there directly (as the till's scan handler is
// connected). The main thread waits in a Qt event loop (QEventLoop::exec), idle as a till is
// between scans, and is woken by Qt's cross-thread event posting.
//
// Timed, per scan: from the moment the I/O thread holds the last report of the scan (the Enter
// key press in keyboard mode, the report without the "more follows" flag in HID POS mode) to
// the moment the receiver's slot runs. Not included: the scanner itself, the USB polling
// interval (bInterval: 1–10 ms on the scanners of docs/hardware.md, which dominates), the
// host controller and the kernel's USB stack, libusb's transfer completion, and what the
// receiver does with the scan (classifyScan, the member lookup: see bench_core). The earlier
// reports of the scan are decoded before the timed report, as they are in real life.
//
// Counters: p50_us, p99_us, max_us over all the scans of the run (iteration time = the same
// latency, manual timing). DecodeLastReport: the decoder's share alone, no thread.
#include "drivers/scan.h"
#include "drivers/usbhiddecoder.h"

#include <benchmark/benchmark.h>

#include <QByteArray>
#include <QCoreApplication>
#include <QDateTime>
#include <QEventLoop>
#include <QList>
#include <QObject>
#include <QSemaphore>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <vector>

using namespace Qt::StringLiterals;
using namespace setia;

namespace {

using Clock = std::chrono::steady_clock;

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// ---- reports, as the scanners send them --------------------------------------------------

enum class Protocol { Keyboard, HidPos };

struct Job {
    Protocol protocol = Protocol::Keyboard;
    QList<QByteArray> reports; // the last one completes the scan
    qsizetype payloadSize = 0;  // what the Scan must carry (checked)
};

QByteArray keyReport(quint8 modifiers, quint8 usage)
{
    QByteArray r(8, '\0');
    r[0] = char(modifiers);
    r[2] = char(usage);
    return r;
}

// US layout: press and release per character, then the Enter press (the release comes after
// the scan and is not part of it).
Job keyboardJob(const QByteArray &ascii)
{
    Job job;
    job.protocol = Protocol::Keyboard;
    for (char c : ascii) {
        quint8 mod = 0, usage = 0;
        if (c >= '1' && c <= '9')
            usage = quint8(0x1E + (c - '1'));
        else if (c == '0')
            usage = 0x27;
        else if (c >= 'a' && c <= 'z')
            usage = quint8(0x04 + (c - 'a'));
        else if (c >= 'A' && c <= 'Z')
            usage = quint8(0x04 + (c - 'A')), mod = 0x02;
        else if (c == '.')
            usage = 0x37;
        else if (c == '-')
            usage = 0x2D;
        else if (c == '_')
            usage = 0x2D, mod = 0x02;
        job.reports << keyReport(mod, usage) << keyReport(0, 0);
    }
    job.reports << keyReport(0, 0x28);
    job.payloadSize = ascii.size();
    return job;
}

// Honeywell HID POS: 64-byte reports of at most 56 barcode bytes, "more follows" in byte 63.
Job hidPosJob(const QByteArray &aim, const QByteArray &barcode)
{
    Job job;
    job.protocol = Protocol::HidPos;
    for (qsizetype at = 0; at < barcode.size(); at += 56) {
        const QByteArray chunk = barcode.mid(at, 56);
        QByteArray r(64, '\0');
        r[0] = 0x02;
        r[1] = char(chunk.size());
        r.replace(2, 3, aim);
        r.replace(5, chunk.size(), chunk);
        r[61] = 's';
        r[63] = at + 56 < barcode.size() ? 1 : 0;
        job.reports << r;
    }
    job.payloadSize = barcode.size();
    return job;
}

// A digital card's QR token (cardtoken.h) as a keyboard-mode scanner types it: ~90 characters.
const QByteArray kToken = "SETIA1.MjkwMDAwMDAwMDAxOHwxNzAwMDAwMDAwMDAwfDE3MzE1MzYwMDAwMDA.AAECAwQFBgcICQoLDA0ODw";

Job jobFor(int which)
{
    switch (which) {
    case 0: return keyboardJob("2900000000018");     // a member card's EAN-13
    case 1: return keyboardJob(kToken);              // a digital card's token
    case 2: return hidPosJob("]E0", "2900000000018"); // EAN-13, one report
    default: {                                       // a 200-byte QR code, four reports
        QByteArray qr;
        for (int i = 0; i < 200; ++i)
            qr += char('A' + i % 26);
        return hidPosJob("]Q1", qr);
    }
    }
}

// ---- the I/O thread, the manager, the receiver ---------------------------------------------

// Stands for UsbScannerWorker: a blocking loop, not an event loop. Where the real one blocks in
// libusb_interrupt_transfer(), this one blocks on a semaphore until the main thread hands it
// the next scan's reports.
class IoThread : public QThread {
    Q_OBJECT
public:
    void submit(const Job *job)
    {
        m_job = job;
        m_go.release();
    }
    void stop()
    {
        m_stop = true;
        m_go.release();
        wait();
    }
    std::atomic<qint64> lastReportNs{0};

Q_SIGNALS:
    void scanned(const setia::Scan &scan);

protected:
    void run() override
    {
        HidKeyboardDecoder keyboard(HidKeyboardLayout::Us);
        HidPosDecoder pos;
        for (;;) {
            m_go.acquire();
            if (m_stop)
                return;
            const Job &job = *m_job;
            for (qsizetype i = 0; i < job.reports.size(); ++i) {
                if (i + 1 == job.reports.size()) {
                    // The last report arrives a little later: by then the main thread is asleep
                    // in its event loop, as a till's GUI thread is between scans.
                    QThread::usleep(200);
                    lastReportNs.store(nowNs(), std::memory_order_release);
                }
                const QByteArrayView report(job.reports[i]);
                if (job.protocol == Protocol::Keyboard) {
                    for (const QString &text : keyboard.feed(report))
                        emitScan(text.toUtf8(), {});
                } else if (auto read = pos.feed(report)) {
                    emitScan(std::move(read->data), read->symbology);
                }
            }
        }
    }

private:
    // As UsbScannerWorker::emitScan.
    void emitScan(QByteArray payload, const QString &symbology)
    {
        Scan scan;
        scan.source = Scan::Source::HidScanner;
        scan.symbology = symbology;
        scan.payload = std::move(payload);
        scan.atMs = QDateTime::currentMSecsSinceEpoch();
        Q_EMIT scanned(scan);
    }

    const Job *m_job = nullptr;
    QSemaphore m_go;
    std::atomic<bool> m_stop{false};
};

// Stands for UsbScannerManager: its scanned() signal is what the application connects to.
class Manager : public QObject {
    Q_OBJECT
Q_SIGNALS:
    void scanned(const setia::Scan &scan);
};

class Receiver : public QObject {
    Q_OBJECT
public:
    QEventLoop *loop = nullptr;
    qint64 deliveredNs = 0;
    qsizetype payloadSize = -1;
public Q_SLOTS:
    void onScan(const setia::Scan &scan)
    {
        deliveredNs = nowNs();
        payloadSize = scan.payload.size();
        if (loop)
            loop->quit();
    }
};

IoThread *g_io = nullptr;
Manager *g_manager = nullptr;
Receiver *g_receiver = nullptr;

void reportPercentiles(benchmark::State &state, std::vector<double> &us)
{
    if (us.empty())
        return;
    std::sort(us.begin(), us.end());
    state.counters["p50_us"] = us[us.size() / 2];
    state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
    state.counters["max_us"] = us.back();
}

// Arg: 0 keyboard EAN-13, 1 keyboard token, 2 HID POS EAN-13, 3 HID POS QR in four reports.
void BM_LastReportToScanSignal(benchmark::State &state)
{
    const Job job = jobFor(int(state.range(0)));
    std::vector<double> us;
    us.reserve(size_t(state.max_iterations));
    for (auto _ : state) {
        QEventLoop loop;
        g_receiver->loop = &loop;
        g_receiver->payloadSize = -1;
        g_io->submit(&job);
        loop.exec();
        g_receiver->loop = nullptr;
        if (g_receiver->payloadSize != job.payloadSize) {
            state.SkipWithError("the scan delivered is not the one sent");
            break;
        }
        const double seconds = double(g_receiver->deliveredNs - g_io->lastReportNs.load(std::memory_order_acquire)) / 1e9;
        state.SetIterationTime(seconds);
        us.push_back(seconds * 1e6);
    }
    reportPercentiles(state, us);
}
BENCHMARK(BM_LastReportToScanSignal)
    ->ArgName("scan")
    ->Arg(0)->Arg(1)->Arg(2)->Arg(3)
    ->Iterations(3000)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

// The decoder's share: the last report alone (the earlier ones fed untimed), no thread.
void BM_DecodeLastReport(benchmark::State &state)
{
    const Job job = jobFor(int(state.range(0)));
    HidKeyboardDecoder keyboard(HidKeyboardLayout::Us);
    HidPosDecoder pos;
    std::vector<double> us;
    us.reserve(20000);
    qsizetype delivered = 0;
    for (auto _ : state) {
        state.PauseTiming();
        for (qsizetype i = 0; i + 1 < job.reports.size(); ++i) {
            if (job.protocol == Protocol::Keyboard)
                (void)keyboard.feed(job.reports[i]);
            else
                (void)pos.feed(job.reports[i]);
        }
        state.ResumeTiming();
        const auto t0 = Clock::now();
        if (job.protocol == Protocol::Keyboard) {
            const QStringList scans = keyboard.feed(job.reports.last());
            delivered = scans.isEmpty() ? -1 : scans.first().toUtf8().size();
        } else {
            const auto read = pos.feed(job.reports.last());
            delivered = read ? read->data.size() : -1;
        }
        const auto t1 = Clock::now();
        benchmark::DoNotOptimize(delivered);
        if (us.size() < 20000)
            us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        if (delivered != job.payloadSize) {
            state.SkipWithError("the decoder did not complete the scan");
            break;
        }
    }
    reportPercentiles(state, us);
}
BENCHMARK(BM_DecodeLastReport)->ArgName("scan")->Arg(0)->Arg(1)->Arg(2)->Arg(3)->Unit(benchmark::kMicrosecond);

} // namespace

int main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    QCoreApplication app(argc, argv);
    qRegisterMetaType<setia::Scan>();
    IoThread io;
    Manager manager;
    Receiver receiver;
    QObject::connect(&io, &IoThread::scanned, &manager, &Manager::scanned, Qt::QueuedConnection);
    QObject::connect(&manager, &Manager::scanned, &receiver, &Receiver::onScan);
    io.start();
    g_io = &io;
    g_manager = &manager;
    g_receiver = &receiver;
    benchmark::AddCustomContext("what", "last HID report on the I/O thread -> Scan slot in the main thread");
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    io.stop();
    return 0;
}

#include "bench_hid.moc"
