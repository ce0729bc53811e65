#pragma once
// Barcodes in images: camera frames and image files decoded with ZXing-cpp (docs/hardware.md).
//
// decodeImage() and decodeImageFile() decode one image on the calling thread. FrameDecoder
// decodes a stream of camera frames on one worker thread of its own: the camera never waits for
// the decoder, frames that arrive while it is busy replace each other (only the newest one
// waits), and a code that stays in front of the camera is reported once.
#include "scan.h"

#include <QImage>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace setia {

// Which symbologies to look for and how hard. The defaults are what the camera uses.
struct DecodeOptions {
    bool qr = true;
    bool code128 = true;
    bool ean13 = true;
    bool tryHarder = true;  // more scan lines and finder patterns: slower, finds more
    bool tryRotate = true;  // 1D codes also rotated by 90°
    // Binarize at one fixed threshold instead of ZXing's local-average binarizer. Reads blurred
    // 1D codes that the default misses; worse with glare and uneven light (docs/hardware.md).
    bool fixedThreshold = false;
};

// Decodes one image synchronously. Any QImage format: 8-bit grey, 32-bit RGB/ARGB, RGBX8888/
// RGBA8888, RGB888, BGR888 and 16-bit grey are read in place; other formats are converted to
// 8-bit grey first. The first barcode found, nullopt when there is none (also for a null,
// tiny or unreadable image). Scan::symbology is "qr", "code128" or "ean13"; Scan::payload the
// bytes of the code as encoded (no character-set conversion); Scan::atMs the system clock.
std::optional<Scan> decodeImage(const QImage &image, Scan::Source source = Scan::Source::Camera,
                                const DecodeOptions &options = {});

// Decodes an image file (PNG, JPEG, ... as Qt's image plugins read them; EXIF orientation is
// applied). Source::Camera: the same decoding as the camera's — the default binarizer, then, if
// that finds nothing, the fixed threshold (as two camera frames would). On failure nullopt and, when
// error is given, a sentence: "cannot read FILE: REASON" or "no barcode found in FILE".
std::optional<Scan> decodeImageFile(const QString &path, QString *error = nullptr, const DecodeOptions &options = {});

// A compact 8-bit grey copy of a luminance plane: the Y plane of a camera's YUV frame
// (pixelStride 1 for planar and semi-planar formats such as NV12 and I420, 2 for packed YUYV
// with data pointing at the first Y byte). Null when the arguments describe no image.
QImage luminanceImage(const uchar *data, int width, int height, int bytesPerLine, int pixelStride = 1);

// Decodes frames on ONE worker thread; a frame that arrives while the worker is busy replaces the
// waiting one (at most one waits) — older waiting frames are dropped and counted. The same code
// seen again within `repeatHoldMs` of the last time it was seen is not reported again (a phone
// held in front of the camera is one scan); it is reported again once it has been out of sight
// for that long, or right away after a different code. With Settings::alternateBinarizer every
// second frame is decoded with DecodeOptions::fixedThreshold, so a code one binarizer misses is
// read by the other within two frames at the cost of one ZXing call per frame.
//
// submit() and counters() may be called from any thread; the other functions from the thread
// that made the decoder.
class FrameDecoder : public QObject {
    Q_OBJECT
public:
    struct Settings {
        DecodeOptions options;
        int repeatHoldMs = 2000;
        bool alternateBinarizer = true;
        // Scan::atMs and the repeat hold; called on the worker thread. Unset: the system
        // clock for atMs and a monotonic clock for the hold.
        std::function<qint64()> nowMs;
    };

    explicit FrameDecoder(QObject *parent = nullptr);
    explicit FrameDecoder(Settings settings, QObject *parent = nullptr);
    ~FrameDecoder() override; // stop → wait → delete; safe with frames in flight (they are dropped)

    // Any thread; never blocks on decoding (only on a short lock). A null frame counts as
    // submitted and decoded, and finds nothing.
    void submit(const QImage &frame);

    struct Counters {
        quint64 submitted = 0; // frames given to submit()
        quint64 decoded = 0;   // frames the worker decoded
        quint64 dropped = 0;   // frames replaced by a newer one before the worker got to them
        quint64 found = 0;     // decoded frames that held a barcode (repeats included)
        quint64 reported = 0;  // scanned() signals: found minus repeats held back
    };
    // Thread-safe. Once idle: decoded + dropped == submitted.
    Counters counters() const;

    // Tests and benchmarks: returns when no frame waits and none is being decoded.
    void waitIdle();

    // Forgets the last code seen, so that the next one is reported even if it is the same.
    void resetRepeatHold();

Q_SIGNALS:
    // Source::Camera. Emitted from the worker thread: connect with a receiver in another
    // thread (queued), or make sure the slot is thread-safe.
    void scanned(const setia::Scan &scan);

private:
    struct Shared;
    void run();

    std::shared_ptr<Shared> d;
};

} // namespace setia
