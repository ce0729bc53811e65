// Camera decoding throughput (docs/performance.md): Setia's pipeline against ZXing-cpp's
// ReadBarcode called directly on the same luminance frames, 640×480 and 1280×720, a scene with a
// member's phone showing a QR code and the same scene without it (what the camera sees most).
//
//   BM_ZXingDirect     ZXing::ReadBarcode on an ImageView of the frame's luminance buffer
//   BM_DecodeImage     setia::decodeImage() on the QImage the camera path gives (8-bit grey)
//   BM_CameraPath      what a camera frame goes through: the Y plane copied out of a YUYV
//                      buffer (luminanceImage()), FrameDecoder::submit(), decoded on the worker
//                      thread, waitIdle() — one frame at a time, so nothing is dropped
//   BM_CameraAlternate the same with the default Settings (every second frame binarized at a
//                      fixed threshold): for information, it is not the same work as direct
//
// Run pinned to one core from a release build:
//   taskset -c 1 build-rel/tests/bench/bench_decode --benchmark_repetitions=9
//       --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
// After the table it prints each pipeline's throughput as a ratio of direct's (median of the
// repetitions) and the overhead; the target is an overhead under 10 %.
#include "drivers/barcode.h"
#include "drivers/framedecoder.h"

#include <ZXing/ReadBarcode.h>

#include <benchmark/benchmark.h>

#include <QGuiApplication>
#include <QLinearGradient>
#include <QPainter>
#include <QRandomGenerator>
#include <QTransform>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

const QByteArray kCard = "SETIA1.k7Qm2xR9vB4nT8pL3sW6yZ1cF5hJ0dG2eK9uA7iO4qM8rN3tV6wX1bY5";
const QSize kSizes[] = {{640, 480}, {1280, 720}};

// A shop counter seen by the webcam: a gradient, boxes and price tags, and (withPhone) a
// member's phone held up showing the digital card's QR code, slightly tilted. 8-bit grey, as
// the Y plane of a camera frame; a little sensor noise.
QImage scene(QSize size, bool withPhone)
{
    QRandomGenerator rng(20260314);
    QImage img(size, QImage::Format_RGB32);
    QPainter p(&img);
    QLinearGradient g(0, 0, size.width(), size.height());
    g.setColorAt(0, QColor(170, 165, 160));
    g.setColorAt(1, QColor(70, 70, 75));
    p.fillRect(img.rect(), g);
    const double s = size.width() / 640.0;
    for (int i = 0; i < 25; ++i) {
        p.setBrush(QColor::fromRgb(rng.bounded(256), rng.bounded(256), rng.bounded(256)));
        p.setPen(Qt::NoPen);
        p.drawRect(QRectF(rng.bounded(size.width()), rng.bounded(size.height()), (20 + rng.bounded(150)) * s,
                          (20 + rng.bounded(150)) * s));
    }
    p.setPen(Qt::black);
    p.setFont(QFont(u"Sans"_s, int(12 * s)));
    for (int i = 0; i < 8; ++i)
        p.drawText(QPointF(rng.bounded(size.width()), rng.bounded(size.height())), u"Harga Rp 12.500 DISKON 10%"_s);
    if (withPhone) {
        const QImage qr = setia::renderQrCode(kCard, 4);
        const double phoneH = size.height() * 0.85, phoneW = phoneH * 0.5;
        const QPointF c(size.width() * 0.55, size.height() * 0.5);
        p.save();
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        p.setRenderHint(QPainter::Antialiasing);
        p.translate(c);
        p.rotate(8);
        p.setTransform(QTransform(1, 0.0, 0.0004 / s, 0.0, 1, 0.0002 / s, 0, 0, 1), true); // a little perspective
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(25, 25, 30));
        p.drawRoundedRect(QRectF(-phoneW / 2, -phoneH / 2, phoneW, phoneH), 20 * s, 20 * s);
        p.fillRect(QRectF(-phoneW / 2 + 8 * s, -phoneH / 2 + 20 * s, phoneW - 16 * s, phoneH - 40 * s), QColor(235, 235, 235));
        const double side = phoneW * 0.85;
        p.drawImage(QRectF(-side / 2, -side / 2, side, side), qr);
        p.restore();
    }
    p.end();
    QImage grey = img.convertToFormat(QImage::Format_Grayscale8);
    for (int y = 0; y < grey.height(); ++y) {
        uchar *line = grey.scanLine(y);
        for (int x = 0; x < grey.width(); ++x)
            line[x] = uchar(std::clamp(int(line[x]) + int(rng.bounded(9)) - 4, 0, 255));
    }
    return grey;
}

const QImage &frame(int sizeIndex, bool withPhone)
{
    static std::map<std::pair<int, bool>, QImage> cache;
    QImage &f = cache[{sizeIndex, withPhone}];
    if (f.isNull())
        f = scene(kSizes[sizeIndex], withPhone);
    return f;
}

// The frame as a camera delivers it: packed YUYV (Y0 U Y1 V), for BM_CameraPath.
const QByteArray &yuyv(int sizeIndex, bool withPhone)
{
    static std::map<std::pair<int, bool>, QByteArray> cache;
    QByteArray &b = cache[{sizeIndex, withPhone}];
    if (b.isEmpty()) {
        const QImage &f = frame(sizeIndex, withPhone);
        b = QByteArray(qsizetype(f.width()) * 2 * f.height(), char(128));
        for (int y = 0; y < f.height(); ++y)
            for (int x = 0; x < f.width(); ++x)
                b[qsizetype(y) * f.width() * 2 + 2 * x] = char(f.constScanLine(y)[x]);
    }
    return b;
}

// The hints decodeImage() builds from the default DecodeOptions.
ZXing::DecodeHints directHints()
{
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode | ZXing::BarcodeFormat::Code128 | ZXing::BarcodeFormat::EAN13);
    hints.setTryHarder(true);
    hints.setTryRotate(true);
    hints.setMaxNumberOfSymbols(1);
    return hints;
}

void label(benchmark::State &state)
{
    const QSize s = kSizes[state.range(0)];
    state.SetLabel(u"%1x%2 %3"_s.arg(s.width()).arg(s.height()).arg(state.range(1) ? u"qr"_s : u"empty"_s).toStdString());
    state.SetItemsProcessed(state.iterations()); // items/s = frames/s
}

void BM_ZXingDirect(benchmark::State &state)
{
    const bool phone = state.range(1) != 0;
    const QImage &f = frame(int(state.range(0)), phone);
    const ZXing::DecodeHints hints = directHints();
    for (auto _ : state) {
        const ZXing::ImageView view(f.constBits(), f.width(), f.height(), ZXing::ImageFormat::Lum, int(f.bytesPerLine()));
        const ZXing::Result r = ZXing::ReadBarcode(view, hints);
        if (r.isValid() != phone) {
            state.SkipWithError("direct: unexpected result");
            break;
        }
        benchmark::DoNotOptimize(r);
    }
    label(state);
}

void BM_DecodeImage(benchmark::State &state)
{
    const bool phone = state.range(1) != 0;
    const QImage &f = frame(int(state.range(0)), phone);
    for (auto _ : state) {
        const std::optional<setia::Scan> scan = setia::decodeImage(f);
        if (bool(scan) != phone || (scan && scan->payload != kCard)) {
            state.SkipWithError("decodeImage: unexpected result");
            break;
        }
        benchmark::DoNotOptimize(scan);
    }
    label(state);
}

void cameraPath(benchmark::State &state, bool alternate)
{
    const int index = int(state.range(0));
    const bool phone = state.range(1) != 0;
    const QByteArray &raw = yuyv(index, phone);
    const QSize size = kSizes[index];
    setia::FrameDecoder::Settings settings;
    settings.alternateBinarizer = alternate;
    settings.repeatHoldMs = 0; // every frame's code is reported, as a new phone's would be
    setia::FrameDecoder decoder(settings);
    for (auto _ : state) {
        decoder.submit(setia::luminanceImage(reinterpret_cast<const uchar *>(raw.constData()), size.width(),
                                             size.height(), size.width() * 2, 2));
        decoder.waitIdle();
    }
    const setia::FrameDecoder::Counters c = decoder.counters();
    if (c.dropped != 0 || c.decoded != c.submitted || (!alternate && c.found != (phone ? c.decoded : 0)))
        state.SkipWithError("camera path: frames dropped or codes missed");
    label(state);
}

void BM_CameraPath(benchmark::State &state)
{
    cameraPath(state, false);
}

void BM_CameraAlternate(benchmark::State &state)
{
    cameraPath(state, true);
}

void arguments(benchmark::internal::Benchmark *b)
{
    b->ArgNames({"size", "qr"});
    for (int size : {0, 1})
        for (int qr : {1, 0})
            b->Args({size, qr});
    // Process CPU time: the camera path decodes on its worker thread; on a shared or busy machine
    // wall-clock time would measure the neighbours.
    b->Unit(benchmark::kMillisecond)->MinTime(0.5)->MeasureProcessCPUTime();
}

BENCHMARK(BM_ZXingDirect)->Apply(arguments);
BENCHMARK(BM_DecodeImage)->Apply(arguments);
BENCHMARK(BM_CameraPath)->Apply(arguments);
BENCHMARK(BM_CameraAlternate)->Apply(arguments);

// The console table, and each run's frames/s kept for the ratios printed after it.
class RatioReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run> &runs) override
    {
        ConsoleReporter::ReportRuns(runs);
        for (const Run &run : runs) {
            if (run.error_occurred)
                continue;
            const auto it = run.counters.find("items_per_second");
            if (it == run.counters.end())
                continue;
            const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
            if (run.run_type == Run::RT_Aggregate && !median)
                continue;
            // "BM_X/size:0/qr:1/min_time.../process_time" → "BM_X", "size:0/qr:1"
            const std::string name = run.run_name.function_name;
            const std::string args = run.run_name.args;
            Entry &e = rates[args][name];
            if (median || !e.fromMedian) {
                e.fps = it->second.value;
                e.fromMedian = median;
                e.label = run.report_label;
            }
        }
    }

    void printRatios() const
    {
        std::printf("\nThroughput as a ratio of ZXing's ReadBarcode called directly (1.0 = no overhead):\n");
        std::printf("%-22s %12s %14s %14s %14s %10s\n", "frames", "direct fps", "decodeImage", "camera path",
                    "alternate", "overhead");
        for (const auto &[args, byName] : rates) {
            const auto direct = byName.find("BM_ZXingDirect");
            if (direct == byName.end() || direct->second.fps <= 0)
                continue;
            const double d = direct->second.fps;
            auto ratio = [&](const char *n) {
                const auto it = byName.find(n);
                return it == byName.end() ? 0.0 : it->second.fps / d;
            };
            // Of the pipelines that ran (a --benchmark_filter may leave one out): 0 = did not run.
            const double a = ratio("BM_DecodeImage"), b = ratio("BM_CameraPath");
            const double worst = a > 0 && b > 0 ? std::min(a, b) : std::max(a, b);
            if (worst <= 0)
                continue;
            std::printf("%-22s %12.1f %14.3f %14.3f %14.3f %9.1f%%\n", direct->second.label.c_str(), d,
                        ratio("BM_DecodeImage"), ratio("BM_CameraPath"), ratio("BM_CameraAlternate"),
                        100.0 * (1.0 - worst));
        }
        std::printf("overhead: 1 - the lower of decodeImage's and the camera path's ratio (target < 10%%)\n");
    }

private:
    struct Entry {
        double fps = 0;
        bool fromMedian = false;
        std::string label;
    };
    std::map<std::string, std::map<std::string, Entry>> rates;
};

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv); // fonts for the scenes' price tags
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.printRatios();
    benchmark::Shutdown();
    return 0;
}
