#include "framedecoder.h"

#include <ZXing/ReadBarcode.h>

#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImageReader>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>
#include <QThread>
#include <QWaitCondition>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstring>
#include <exception>
#include <utility>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFrameDecoder, "setia.drivers.framedecoder", QtInfoMsg)

namespace setia {

namespace {

// Smaller than this holds no code ZXing could read (a QR code is at least 21 modules plus its
// quiet zone); ZXing's detectors are not made for degenerate images.
constexpr int kMinSide = 16;

ZXing::DecodeHints hintsFor(const DecodeOptions &options)
{
    ZXing::BarcodeFormats formats;
    if (options.qr)
        formats |= ZXing::BarcodeFormat::QRCode;
    if (options.code128)
        formats |= ZXing::BarcodeFormat::Code128;
    if (options.ean13)
        formats |= ZXing::BarcodeFormat::EAN13;
    ZXing::DecodeHints hints;
    hints.setFormats(formats);
    hints.setTryHarder(options.tryHarder);
    hints.setTryRotate(options.tryRotate);
    hints.setMaxNumberOfSymbols(1);
    if (options.fixedThreshold)
        hints.setBinarizer(ZXing::Binarizer::FixedThreshold);
    return hints;
}

QString symbologyName(ZXing::BarcodeFormat format)
{
    switch (format) {
    case ZXing::BarcodeFormat::QRCode: return u"qr"_s;
    case ZXing::BarcodeFormat::Code128: return u"code128"_s;
    case ZXing::BarcodeFormat::EAN13: return u"ean13"_s;
    default: return {};
    }
}

// The ZXing view of a QImage's pixels in place, or of `converted` (filled here) when ZXing
// cannot read the format directly.
ZXing::ImageView viewOf(const QImage &image, QImage &converted)
{
    const uchar *bits = image.constBits();
    const int w = image.width();
    const int h = image.height();
    const int bpl = int(image.bytesPerLine());
    switch (image.format()) {
    case QImage::Format_Grayscale8:
        return {bits, w, h, ZXing::ImageFormat::Lum, bpl};
    case QImage::Format_Grayscale16: // the high byte of each native-endian 16-bit sample
        return {bits + (Q_BYTE_ORDER == Q_LITTLE_ENDIAN ? 1 : 0), w, h, ZXing::ImageFormat::Lum, bpl, 2};
    case QImage::Format_RGB32:
    case QImage::Format_ARGB32:
    case QImage::Format_ARGB32_Premultiplied: // 0xAARRGGBB words
        return {bits, w, h, Q_BYTE_ORDER == Q_LITTLE_ENDIAN ? ZXing::ImageFormat::BGRX : ZXing::ImageFormat::XRGB, bpl};
    case QImage::Format_RGBX8888:
    case QImage::Format_RGBA8888:
    case QImage::Format_RGBA8888_Premultiplied: // bytes R, G, B, A
        return {bits, w, h, ZXing::ImageFormat::RGBX, bpl};
    case QImage::Format_RGB888:
        return {bits, w, h, ZXing::ImageFormat::RGB, bpl};
    case QImage::Format_BGR888:
        return {bits, w, h, ZXing::ImageFormat::BGR, bpl};
    default:
        converted = image.convertToFormat(QImage::Format_Grayscale8);
        return {converted.constBits(), converted.width(), converted.height(), ZXing::ImageFormat::Lum,
                int(converted.bytesPerLine())};
    }
}

} // namespace

std::optional<Scan> decodeImage(const QImage &image, Scan::Source source, const DecodeOptions &options)
{
    if (image.isNull() || image.width() < kMinSide || image.height() < kMinSide)
        return std::nullopt;
    if (!options.qr && !options.code128 && !options.ean13)
        return std::nullopt; // ZXing reads "no formats" as "every format"
    QImage converted;
    const ZXing::ImageView view = viewOf(image, converted);
    if (view.width() < kMinSide || view.height() < kMinSide) // a conversion that failed
        return std::nullopt;
    ZXing::Result result;
    try { // ZXing-cpp may throw (allocation); nothing crosses this boundary
        result = ZXing::ReadBarcode(view, hintsFor(options));
    } catch (const std::exception &e) {
        qCWarning(lcFrameDecoder) << "ZXing failed on a" << image.width() << "x" << image.height() << "image:" << e.what();
        return std::nullopt;
    }
    if (!result.isValid())
        return std::nullopt;
    const ZXing::ByteArray &bytes = result.bytes();
    const QString symbology = symbologyName(result.format());
    if (bytes.empty() || symbology.isEmpty())
        return std::nullopt;
    Scan scan;
    scan.source = source;
    scan.symbology = symbology;
    scan.payload = QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
    scan.atMs = QDateTime::currentMSecsSinceEpoch();
    return scan;
}

std::optional<Scan> decodeImageFile(const QString &path, QString *error, const DecodeOptions &options)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QImage image = reader.read();
    if (image.isNull()) {
        if (error) {
            QString reason = reader.errorString();
            if (!QFileInfo::exists(path))
                reason = u"the file does not exist"_s;
            *error = u"cannot read %1: %2"_s.arg(path, reason);
        }
        return std::nullopt;
    }
    std::optional<Scan> scan = decodeImage(image, Scan::Source::Camera, options);
    if (!scan && !options.fixedThreshold) {
        DecodeOptions fixed = options;
        fixed.fixedThreshold = true;
        scan = decodeImage(image, Scan::Source::Camera, fixed);
    }
    if (!scan && error)
        *error = u"no barcode found in %1"_s.arg(path);
    return scan;
}

QImage luminanceImage(const uchar *data, int width, int height, int bytesPerLine, int pixelStride)
{
    if (!data || width <= 0 || height <= 0 || pixelStride < 1 || bytesPerLine < (width - 1) * pixelStride + 1)
        return {};
    QImage out(width, height, QImage::Format_Grayscale8);
    if (out.isNull())
        return {};
    for (int y = 0; y < height; ++y) {
        const uchar *src = data + qsizetype(y) * bytesPerLine;
        uchar *dst = out.scanLine(y);
        int x = 0;
        if (pixelStride == 1) {
            std::memcpy(dst, src, size_t(width));
            continue;
        }
#if defined(__SSE2__)
        if (pixelStride == 2) { // packed YUYV, the common webcam format: 16 Y samples per step
            const __m128i low = _mm_set1_epi16(0x00FF);
            for (; x + 16 <= width && 2 * (x + 16) <= bytesPerLine; x += 16) {
                const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(src + 2 * x));
                const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(src + 2 * x + 16));
                _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + x),
                                 _mm_packus_epi16(_mm_and_si128(a, low), _mm_and_si128(b, low)));
            }
        }
#endif
        for (; x < width; ++x)
            dst[x] = src[qsizetype(x) * pixelStride];
    }
    return out;
}

// ---------------------------------------------------------------------------------------------

struct FrameDecoder::Shared {
    explicit Shared(Settings s) : settings(std::move(s)) { clock.start(); }

    const Settings settings;
    QElapsedTimer clock; // the hold when settings.nowMs is unset

    mutable QMutex mutex;
    QWaitCondition wake;  // worker: a frame waits, or stop
    QWaitCondition idle;  // waitIdle(): nothing waits and nothing is being decoded
    std::optional<QImage> waiting;
    bool busy = false;
    bool stopping = false;
    Counters counters;
    // The last code seen (worker thread, under mutex for resetRepeatHold()).
    bool haveLast = false;
    QString lastSymbology;
    QByteArray lastPayload;
    qint64 lastSeenMs = 0;

    std::unique_ptr<QThread> thread;
};

FrameDecoder::FrameDecoder(QObject *parent) : FrameDecoder(Settings{}, parent) {}

FrameDecoder::FrameDecoder(Settings settings, QObject *parent)
    : QObject(parent), d(std::make_shared<Shared>(std::move(settings)))
{
    qRegisterMetaType<setia::Scan>();
    d->thread.reset(QThread::create([this] { run(); }));
    d->thread->setObjectName(u"setia-frame-decoder"_s);
    d->thread->start();
}

FrameDecoder::~FrameDecoder()
{
    {
        QMutexLocker lock(&d->mutex);
        d->stopping = true;
        if (d->waiting) {
            d->waiting.reset();
            ++d->counters.dropped;
        }
        d->wake.wakeAll();
    }
    d->thread->wait();
    d->thread.reset();
}

void FrameDecoder::submit(const QImage &frame)
{
    QMutexLocker lock(&d->mutex);
    ++d->counters.submitted;
    if (d->stopping) {
        ++d->counters.dropped;
        return;
    }
    if (d->waiting)
        ++d->counters.dropped;
    d->waiting = frame;
    d->wake.wakeOne();
}

FrameDecoder::Counters FrameDecoder::counters() const
{
    QMutexLocker lock(&d->mutex);
    return d->counters;
}

void FrameDecoder::waitIdle()
{
    QMutexLocker lock(&d->mutex);
    while ((d->waiting || d->busy) && !d->stopping)
        d->idle.wait(&d->mutex);
}

void FrameDecoder::resetRepeatHold()
{
    QMutexLocker lock(&d->mutex);
    d->haveLast = false;
}

void FrameDecoder::run()
{
    DecodeOptions options[2] = {d->settings.options, d->settings.options};
    if (d->settings.alternateBinarizer)
        options[1].fixedThreshold = !options[0].fixedThreshold;
    quint64 frameNumber = 0;
    QMutexLocker lock(&d->mutex);
    for (;;) {
        while (!d->waiting && !d->stopping)
            d->wake.wait(&d->mutex);
        if (d->stopping)
            break;
        const QImage frame = std::move(*d->waiting);
        d->waiting.reset();
        d->busy = true;
        lock.unlock();

        std::optional<Scan> scan = decodeImage(frame, Scan::Source::Camera, options[frameNumber++ % 2]);
        bool report = false;
        if (scan) {
            const qint64 now = d->settings.nowMs ? d->settings.nowMs() : d->clock.elapsed();
            if (d->settings.nowMs)
                scan->atMs = now;
            lock.relock();
            const bool repeat = d->haveLast && d->lastSymbology == scan->symbology && d->lastPayload == scan->payload
                && now - d->lastSeenMs < d->settings.repeatHoldMs;
            d->haveLast = true;
            d->lastSymbology = scan->symbology;
            d->lastPayload = scan->payload;
            d->lastSeenMs = now;
            ++d->counters.found;
            if (!repeat)
                ++d->counters.reported;
            report = !repeat;
            lock.unlock();
        }
        // Emitted before the frame counts as decoded, so that after waitIdle() every scan of
        // the frames decoded so far has been emitted.
        if (report)
            Q_EMIT scanned(*scan);

        lock.relock();
        ++d->counters.decoded;
        d->busy = false;
        if (!d->waiting)
            d->idle.wakeAll();
    }
    d->busy = false;
    d->idle.wakeAll();
}

} // namespace setia
