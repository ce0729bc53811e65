// Camera frames and image files: decodeImage() in every QImage format, garbage that must find
// nothing, decodeImageFile()'s errors, FrameDecoder's frame dropping, repeat hold and shutdown,
// and CameraScanner on a machine without a camera.
#include "drivers/barcode.h"
#include "drivers/camerascanner.h"
#include "drivers/framedecoder.h"

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <QBuffer>
#include <QElapsedTimer>
#include <QFile>
#include <QMutex>
#include <QPainter>
#include <QRandomGenerator>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <memory>

using namespace Qt::StringLiterals;
using setia::CameraScanner;
using setia::CameraState;
using setia::DecodeOptions;
using setia::FrameDecoder;
using setia::Scan;

namespace {

const QByteArray kCard = "SETIA1.k7Qm2xR9vB4nT8pL3sW6yZ1cF5hJ0dG2eK9uA7iO4qM8rN3tV6wX1bY5";
const QByteArray kOther = "SETIA1.Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7Mm6Ll5Kk4Jj3Ii2Hh1";

// A code drawn into the middle of a larger light-grey frame, as a camera might see it.
QImage inFrame(const QImage &code, QSize size = {640, 480}, QImage::Format format = QImage::Format_RGB32)
{
    QImage frame(size, format == QImage::Format_Grayscale8 ? QImage::Format_Grayscale8 : QImage::Format_RGB32);
    frame.fill(QColor(200, 200, 200));
    QPainter p(&frame);
    p.drawImage((size.width() - code.width()) / 2, (size.height() - code.height()) / 2, code);
    p.end();
    return format == frame.format() ? frame : frame.convertToFormat(format);
}

QImage qrFrame(const QByteArray &text, QSize size = {640, 480})
{
    return inFrame(setia::renderQrCode(text, 4), size, QImage::Format_Grayscale8);
}

QImage ean13Image(const QByteArray &digits)
{
    ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::EAN13);
    writer.setMargin(0);
    const ZXing::BitMatrix m = writer.encode(digits.toStdString(), 0, 0);
    const int module = 2, quiet = 12, height = 80;
    QImage img((m.width() + 2 * quiet) * module, height, QImage::Format_Grayscale8);
    img.fill(255);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < m.width(); ++x)
            if (m.get(x, 0))
                for (int dx = 0; dx < module; ++dx)
                    img.scanLine(y)[(x + quiet) * module + dx] = 0;
    return img;
}

// Noise: a frame with nothing in it that still keeps ZXing's detectors busy.
QImage noiseFrame(QSize size, quint32 seed)
{
    QRandomGenerator rng(seed);
    QImage img(size, QImage::Format_Grayscale8);
    for (int y = 0; y < img.height(); ++y) {
        uchar *line = img.scanLine(y);
        for (int x = 0; x < img.width(); ++x)
            line[x] = uchar(rng.bounded(256));
    }
    return img;
}

// A Code 128 card number slightly out of focus (three box blurs of radius 1 on 3-pixel bars):
// ZXing's default binarizer misses it, the fixed threshold reads it.
QImage blurredBars()
{
    const QImage code = setia::renderCode128("2012345678903", 3, 130);
    QImage img(code.width() + 48, code.height() + 48, QImage::Format_Grayscale8);
    img.fill(255);
    QPainter(&img).drawImage(24, 24, code);
    const int w = img.width(), h = img.height();
    for (int pass = 0; pass < 3; ++pass) {
        QImage src = img.copy();
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                int sum = 0;
                for (int k = -1; k <= 1; ++k)
                    sum += src.constScanLine(y)[qBound(0, x + k, w - 1)];
                img.scanLine(y)[x] = uchar(sum / 3);
            }
    }
    return img;
}

} // namespace

class TestFrameDecoder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    void decodesEveryImageFormat_data();
    void decodesEveryImageFormat();
    void symbologies_data();
    void symbologies();
    void optionsChooseSymbologies();
    void findsNothingInGarbage_data();
    void findsNothingInGarbage();
    void luminancePlane();

    void decodesFile();
    void fileErrors_data();
    void fileErrors();

    void dropsFramesWhenBusy();
    void newestWaitingFrameWins();
    void repeatHold();
    void alternatesBinarizers();
    void destroysWithFramesInFlight();

    void noCamera();
    void cameraNotPermitted();
    void stateNames();
};

void TestFrameDecoder::initTestCase()
{
    QVERIFY(!setia::renderQrCode(kCard, 4).isNull());
}

void TestFrameDecoder::decodesEveryImageFormat_data()
{
    QTest::addColumn<QImage::Format>("format");
    QTest::newRow("Grayscale8") << QImage::Format_Grayscale8;
    QTest::newRow("Grayscale16") << QImage::Format_Grayscale16;
    QTest::newRow("RGB32") << QImage::Format_RGB32;
    QTest::newRow("ARGB32") << QImage::Format_ARGB32;
    QTest::newRow("ARGB32_Premultiplied") << QImage::Format_ARGB32_Premultiplied;
    QTest::newRow("RGBX8888") << QImage::Format_RGBX8888;
    QTest::newRow("RGBA8888") << QImage::Format_RGBA8888;
    QTest::newRow("RGB888") << QImage::Format_RGB888;
    QTest::newRow("BGR888") << QImage::Format_BGR888;
    QTest::newRow("RGB16 (converted)") << QImage::Format_RGB16;
    QTest::newRow("Indexed8 (converted)") << QImage::Format_Indexed8;
    QTest::newRow("Mono (converted)") << QImage::Format_Mono;
    QTest::newRow("RGB30 (converted)") << QImage::Format_RGB30;
}

void TestFrameDecoder::decodesEveryImageFormat()
{
    QFETCH(QImage::Format, format);
    // Coloured: a dark-blue code on a pale-yellow ground, so that a channel read in the wrong
    // order (or as grey) changes the picture's contrast, not only its brightness.
    QImage code = setia::renderQrCode(kCard, 4).convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < code.height(); ++y) {
        auto *line = reinterpret_cast<QRgb *>(code.scanLine(y));
        for (int x = 0; x < code.width(); ++x)
            line[x] = qGray(line[x]) < 128 ? qRgb(20, 30, 120) : qRgb(250, 240, 170);
    }
    const QImage frame = inFrame(code, {400, 400}).convertToFormat(format, Qt::ThresholdDither | Qt::AvoidDither);
    QCOMPARE(frame.format(), format);
    const std::optional<Scan> scan = setia::decodeImage(frame);
    QVERIFY(scan);
    QCOMPARE(scan->symbology, u"qr"_s);
    QCOMPARE(scan->payload, kCard);
    QCOMPARE(scan->source, Scan::Source::Camera);
    QVERIFY(qAbs(scan->atMs - QDateTime::currentMSecsSinceEpoch()) < 60000);
    // An image that wraps pixels it does not own (a camera buffer), with padding at the row ends.
    const QImage gray = frame.convertToFormat(QImage::Format_Grayscale8);
    QByteArray buffer(gray.height() * (gray.width() + 13), '\x55');
    for (int y = 0; y < gray.height(); ++y)
        memcpy(buffer.data() + y * (gray.width() + 13), gray.constScanLine(y), size_t(gray.width()));
    const QImage wrapped(reinterpret_cast<const uchar *>(buffer.constData()), gray.width(), gray.height(),
                         gray.width() + 13, QImage::Format_Grayscale8);
    const std::optional<Scan> again = setia::decodeImage(wrapped, Scan::Source::Manual);
    QVERIFY(again);
    QCOMPARE(again->payload, kCard);
    QCOMPARE(again->source, Scan::Source::Manual);
}

void TestFrameDecoder::symbologies_data()
{
    QTest::addColumn<QImage>("image");
    QTest::addColumn<QString>("symbology");
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("qr") << inFrame(setia::renderQrCode(kCard, 3)) << u"qr"_s << kCard;
    QTest::newRow("code128 card number") << inFrame(setia::renderCode128("2012345678903", 2, 80)) << u"code128"_s
                                         << QByteArray("2012345678903");
    QTest::newRow("code128 text") << inFrame(setia::renderCode128("MBR-00417-x", 2, 80)) << u"code128"_s
                                  << QByteArray("MBR-00417-x");
    QTest::newRow("ean13") << inFrame(ean13Image("5901234123457")) << u"ean13"_s << QByteArray("5901234123457");
    QTest::newRow("code128 turned 90°") << inFrame(setia::renderCode128("2012345678903", 2, 80).transformed(QTransform().rotate(90)))
                                        << u"code128"_s << QByteArray("2012345678903");
}

void TestFrameDecoder::symbologies()
{
    QFETCH(QImage, image);
    QFETCH(QString, symbology);
    QFETCH(QByteArray, payload);
    const std::optional<Scan> scan = setia::decodeImage(image);
    QVERIFY(scan);
    QCOMPARE(scan->symbology, symbology);
    QCOMPARE(scan->payload, payload);
}

void TestFrameDecoder::optionsChooseSymbologies()
{
    const QImage qr = inFrame(setia::renderQrCode(kCard, 3));
    const QImage bars = inFrame(setia::renderCode128("2012345678903", 2, 80));
    const QImage turned = inFrame(setia::renderCode128("2012345678903", 2, 80).transformed(QTransform().rotate(90)));
    DecodeOptions noQr;
    noQr.qr = false;
    QVERIFY(!setia::decodeImage(qr, Scan::Source::Camera, noQr));
    QVERIFY(setia::decodeImage(bars, Scan::Source::Camera, noQr));
    DecodeOptions onlyQr;
    onlyQr.code128 = false;
    onlyQr.ean13 = false;
    QVERIFY(setia::decodeImage(qr, Scan::Source::Camera, onlyQr));
    QVERIFY(!setia::decodeImage(bars, Scan::Source::Camera, onlyQr));
    DecodeOptions none;
    none.qr = none.code128 = none.ean13 = false;
    QVERIFY(!setia::decodeImage(qr, Scan::Source::Camera, none));
    QVERIFY(!setia::decodeImage(bars, Scan::Source::Camera, none));
    DecodeOptions noRotate;
    noRotate.tryRotate = false;
    QVERIFY(!setia::decodeImage(turned, Scan::Source::Camera, noRotate));
    QVERIFY(setia::decodeImage(turned, Scan::Source::Camera, {}));
}

void TestFrameDecoder::findsNothingInGarbage_data()
{
    QTest::addColumn<QImage>("image");
    QTest::newRow("null") << QImage();
    QTest::newRow("0x0 grey") << QImage(0, 0, QImage::Format_Grayscale8);
    QImage one(1, 1, QImage::Format_Grayscale8);
    one.fill(0);
    QTest::newRow("1x1") << one;
    QImage line(640, 1, QImage::Format_RGB32);
    line.fill(Qt::black);
    QTest::newRow("640x1") << line;
    QTest::newRow("tiny QR cut to 15x15") << setia::renderQrCode(kCard, 1).copy(0, 0, 15, 15);
    QImage white(640, 480, QImage::Format_Grayscale8);
    white.fill(255);
    QTest::newRow("white") << white;
    QImage black(640, 480, QImage::Format_RGB32);
    black.fill(Qt::black);
    QTest::newRow("black") << black;
    QTest::newRow("noise") << noiseFrame({640, 480}, 7);
    QImage stripes(320, 240, QImage::Format_Grayscale8);
    for (int y = 0; y < stripes.height(); ++y)
        for (int x = 0; x < stripes.width(); ++x)
            stripes.scanLine(y)[x] = (x / 3) % 2 ? 0 : 255;
    QTest::newRow("stripes") << stripes;
    // Half a QR code: finder patterns but no complete symbol.
    const QImage qr = setia::renderQrCode(kCard, 4);
    QTest::newRow("half a QR code") << inFrame(qr.copy(0, 0, qr.width(), qr.height() / 2));
    QImage alpha(200, 200, QImage::Format_Alpha8);
    alpha.fill(0);
    QTest::newRow("alpha8") << alpha;
}

void TestFrameDecoder::findsNothingInGarbage()
{
    QFETCH(QImage, image);
    QVERIFY(!setia::decodeImage(image));
    // The worker survives it too.
    FrameDecoder decoder;
    decoder.submit(image);
    decoder.submit(qrFrame(kCard));
    decoder.waitIdle();
    const FrameDecoder::Counters c = decoder.counters();
    QCOMPARE(c.submitted, 2u);
    QCOMPARE(c.decoded + c.dropped, 2u);
    QCOMPARE(c.found, 1u); // the QR frame is never dropped: nothing comes after it
}

void TestFrameDecoder::luminancePlane()
{
    // Packed YUYV: Y0 U Y1 V ... — the Y samples are every second byte.
    const int w = 6, h = 3, bpl = 2 * w + 4;
    QByteArray yuyv(bpl * h, '\x7f');
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            yuyv[y * bpl + 2 * x] = char(10 * y + x);
    const QImage img = setia::luminanceImage(reinterpret_cast<const uchar *>(yuyv.constData()), w, h, bpl, 2);
    QCOMPARE(img.size(), QSize(w, h));
    QCOMPARE(img.format(), QImage::Format_Grayscale8);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            QCOMPARE(int(img.constScanLine(y)[x]), 10 * y + x);
    // Planar: a compact copy (its own memory, no row padding carried over).
    const QImage planar = setia::luminanceImage(reinterpret_cast<const uchar *>(yuyv.constData()), w, h, bpl, 1);
    QCOMPARE(planar.size(), QSize(w, h));
    QCOMPARE(int(planar.constScanLine(1)[0]), 10);
    QVERIFY(planar.constBits() != reinterpret_cast<const uchar *>(yuyv.constData()));
    QVERIFY(setia::luminanceImage(nullptr, w, h, bpl).isNull());
    QVERIFY(setia::luminanceImage(reinterpret_cast<const uchar *>(yuyv.constData()), 0, h, bpl).isNull());
    QVERIFY(setia::luminanceImage(reinterpret_cast<const uchar *>(yuyv.constData()), w, h, w - 1).isNull());
    QVERIFY(setia::luminanceImage(reinterpret_cast<const uchar *>(yuyv.constData()), w, h, bpl, 0).isNull());
}

void TestFrameDecoder::decodesFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString png = dir.filePath(u"card.png"_s);
    QVERIFY(qrFrame(kCard).save(png, "PNG"));
    QString error = u"untouched"_s;
    std::optional<Scan> scan = setia::decodeImageFile(png, &error);
    QVERIFY(scan);
    QCOMPARE(scan->payload, kCard);
    QCOMPARE(scan->symbology, u"qr"_s);
    QCOMPARE(scan->source, Scan::Source::Camera);
    QCOMPARE(error, u"untouched"_s);
    // A JPEG photo of a Code 128 card number.
    const QString jpg = dir.filePath(u"card.jpg"_s);
    QVERIFY(inFrame(setia::renderCode128("2012345678903", 2, 80)).save(jpg, "JPEG", 80));
    scan = setia::decodeImageFile(jpg);
    QVERIFY(scan);
    QCOMPARE(scan->payload, QByteArray("2012345678903"));
    QCOMPARE(scan->symbology, u"code128"_s);
}

void TestFrameDecoder::fileErrors_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content"); // empty: the file is not created
    QTest::addColumn<QString>("expected");   // %1: the path
    QTest::newRow("missing") << u"missing.png"_s << QByteArray() << u"cannot read %1: the file does not exist"_s;
    QTest::newRow("corrupt png") << u"corrupt.png"_s << QByteArray("\x89PNG\r\n\x1a\nthis is not a picture", 29)
                                 << u"cannot read %1: "_s;
    QTest::newRow("text file") << u"notes.txt"_s << QByteArray("member 2012345678903\n") << u"cannot read %1: "_s;
    QImage white(320, 240, QImage::Format_Grayscale8);
    white.fill(255);
    QByteArray png;
    {
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        white.save(&buffer, "PNG");
    }
    QTest::newRow("no barcode") << u"white.png"_s << png << u"no barcode found in %1"_s;
}

void TestFrameDecoder::fileErrors()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(name);
    if (!content.isEmpty()) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(content), content.size());
    }
    QString error;
    QVERIFY(!setia::decodeImageFile(path, &error));
    const QString want = expected.arg(path);
    if (want.endsWith(u": "_s)) { // followed by Qt's reason, which must say something
        QVERIFY2(error.startsWith(want), qPrintable(error));
        QVERIFY2(error.size() > want.size() + 3, qPrintable(error));
    } else {
        QCOMPARE(error, want);
    }
    QVERIFY(!setia::decodeImageFile(path)); // no error pointer: no crash
}

void TestFrameDecoder::dropsFramesWhenBusy()
{
    // Large frames of noise take ZXing a while; they are submitted far faster than that.
    const QImage slow = noiseFrame({1920, 1080}, 11);
    QElapsedTimer t;
    t.start();
    QVERIFY(!setia::decodeImage(slow));
    const qint64 oneDecodeMs = qMax<qint64>(1, t.elapsed());
    qInfo("one 1920x1080 frame of noise: %lld ms", oneDecodeMs);

    FrameDecoder decoder;
    QSignalSpy spy(&decoder, &FrameDecoder::scanned);
    // A fast camera: a frame every 3 ms, more than ten times faster than the decoder.
    const int n = 40;
    qint64 submitMs = 0;
    quint64 maxInFlight = 0;
    for (int i = 0; i < n; ++i) {
        if (i > 0)
            QThread::msleep(3);
        t.start();
        decoder.submit(i == n - 1 ? qrFrame(kCard, {1920, 1080}) : slow);
        submitMs += t.elapsed();
        const FrameDecoder::Counters c = decoder.counters();
        QCOMPARE(c.submitted, quint64(i + 1));
        // At most one frame waits while one is decoded.
        const quint64 inFlight = c.submitted - c.decoded - c.dropped;
        QVERIFY2(inFlight <= 2, qPrintable(u"%1 frames in flight"_s.arg(inFlight)));
        maxInFlight = qMax(maxInFlight, inFlight);
    }
    // Submitting never waited for the decoder: all forty took less than decoding one.
    QVERIFY2(submitMs < oneDecodeMs, qPrintable(u"submit %1 ms, one decode %2 ms"_s.arg(submitMs).arg(oneDecodeMs)));
    decoder.waitIdle();
    const FrameDecoder::Counters c = decoder.counters();
    QCOMPARE(c.submitted, quint64(n));
    QCOMPARE(c.decoded + c.dropped, quint64(n));
    QVERIFY2(c.dropped > 0, qPrintable(u"decoded %1, dropped %2"_s.arg(c.decoded).arg(c.dropped)));
    QVERIFY(c.decoded >= 2);
    QCOMPARE(maxInFlight, 2u);
    // The last frame is never dropped (nothing replaced it): its code was found and reported.
    QCOMPARE(c.found, 1u);
    QCOMPARE(c.reported, 1u);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<Scan>().payload, kCard);
}

void TestFrameDecoder::newestWaitingFrameWins()
{
    // The worker is held inside the clock call of the first code it finds, so the test knows it
    // is busy while two more frames arrive: the first of them must be dropped for the second.
    QSemaphore entered, release;
    std::atomic<int> calls{0};
    FrameDecoder::Settings settings;
    settings.repeatHoldMs = 0;
    settings.nowMs = [&] {
        if (calls.fetch_add(1) == 0) {
            entered.release();
            release.tryAcquire(1, 5000);
        }
        return qint64(1000);
    };
    FrameDecoder decoder(settings);
    QList<QByteArray> seen;
    QList<QThread *> threads;
    QMutex seenMutex;
    connect(&decoder, &FrameDecoder::scanned, this, [&](const Scan &s) {
        QMutexLocker lock(&seenMutex);
        seen.append(s.payload);
        threads.append(QThread::currentThread());
    }, Qt::DirectConnection);

    decoder.submit(qrFrame("first"));
    QVERIFY(entered.tryAcquire(1, 5000));
    decoder.submit(qrFrame("second"));
    decoder.submit(qrFrame("third"));
    FrameDecoder::Counters c = decoder.counters();
    QCOMPARE(c.submitted, 3u);
    QCOMPARE(c.dropped, 1u);
    QCOMPARE(c.decoded, 0u);
    release.release();
    decoder.waitIdle();
    c = decoder.counters();
    QCOMPARE(c.decoded, 2u);
    QCOMPARE(c.dropped, 1u);
    QMutexLocker lock(&seenMutex);
    QCOMPARE(seen, (QList<QByteArray>{"first", "third"}));
    // scanned() comes from the worker thread, not from the one that submitted.
    QVERIFY(threads.at(0) != QThread::currentThread());
}

void TestFrameDecoder::repeatHold()
{
    std::atomic<qint64> now{1'700'000'000'000};
    FrameDecoder::Settings settings;
    settings.repeatHoldMs = 2000;
    settings.nowMs = [&] { return now.load(); };
    FrameDecoder decoder(settings);
    QSignalSpy spy(&decoder, &FrameDecoder::scanned);
    const QImage card = qrFrame(kCard);
    const QImage other = qrFrame(kOther);
    const qint64 t0 = now;
    auto show = [&](const QImage &frame, qint64 atMs) {
        now = t0 + atMs;
        decoder.submit(frame);
        decoder.waitIdle();
    };
    show(card, 0);
    QCOMPARE(spy.count(), 1);
    const Scan first = spy.at(0).at(0).value<Scan>();
    QCOMPARE(first.payload, kCard);
    QCOMPARE(first.atMs, t0);
    QCOMPARE(first.source, Scan::Source::Camera);
    show(card, 500);
    show(card, 1999);
    QCOMPARE(spy.count(), 1); // held in front of the camera: one scan
    show(card, 3500);         // seen 1501 ms after it was last seen: still held
    QCOMPARE(spy.count(), 1);
    show(card, 5500);         // out of sight for 2000 ms: a new scan
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).value<Scan>().atMs, t0 + 5500);
    show(other, 5600); // another phone: reported at once
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(0).value<Scan>().payload, kOther);
    show(card, 5700); // and the first one again after it
    QCOMPARE(spy.count(), 4);
    QCOMPARE(spy.at(3).at(0).value<Scan>().payload, kCard);
    decoder.resetRepeatHold();
    show(card, 5800);
    QCOMPARE(spy.count(), 5);
    const FrameDecoder::Counters c = decoder.counters();
    QCOMPARE(c.found, 8u);
    QCOMPARE(c.reported, 5u);
    QCOMPARE(c.dropped, 0u);
    QCOMPARE(c.decoded, 8u);
}

void TestFrameDecoder::alternatesBinarizers()
{
    const QImage bars = blurredBars();
    QVERIFY(!setia::decodeImage(bars));
    DecodeOptions fixed;
    fixed.fixedThreshold = true;
    const std::optional<Scan> direct = setia::decodeImage(bars, Scan::Source::Camera, fixed);
    QVERIFY(direct);
    QCOMPARE(direct->payload, QByteArray("2012345678903"));
    // decodeImageFile() tries both.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"blurred.png"_s);
    QVERIFY(bars.save(path));
    const std::optional<Scan> file = setia::decodeImageFile(path);
    QVERIFY(file);
    QCOMPARE(file->payload, QByteArray("2012345678903"));
    // The camera: the first frame with the default binarizer, the second with the fixed threshold.
    for (const bool alternate : {true, false}) {
        FrameDecoder::Settings settings;
        settings.alternateBinarizer = alternate;
        FrameDecoder decoder(settings);
        QSignalSpy spy(&decoder, &FrameDecoder::scanned);
        decoder.submit(bars);
        decoder.waitIdle();
        QCOMPARE(spy.count(), 0);
        decoder.submit(bars);
        decoder.waitIdle();
        QCOMPARE(spy.count(), alternate ? 1 : 0);
        QCOMPARE(decoder.counters().decoded, 2u);
    }
}

void TestFrameDecoder::destroysWithFramesInFlight()
{
    const QImage slow = noiseFrame({1920, 1080}, 5);
    QElapsedTimer t;
    for (int round = 0; round < 3; ++round) {
        auto decoder = std::make_unique<FrameDecoder>();
        QSignalSpy spy(decoder.get(), &FrameDecoder::scanned);
        for (int i = 0; i < 5; ++i)
            decoder->submit(i % 2 ? qrFrame(kCard) : slow);
        if (round == 1)
            QThread::msleep(5);
        t.start();
        decoder.reset(); // must not hang or crash while the worker decodes
        QVERIFY(t.elapsed() < 10000);
    }
    // Frames may come from another thread (Qt Multimedia's).
    FrameDecoder decoder;
    std::unique_ptr<QThread> feeder(QThread::create([&] {
        for (int i = 0; i < 20; ++i)
            decoder.submit(qrFrame(kCard));
    }));
    feeder->start();
    QVERIFY(feeder->wait(10000));
    decoder.waitIdle();
    const FrameDecoder::Counters c = decoder.counters();
    QCOMPARE(c.submitted, 20u);
    QCOMPARE(c.decoded + c.dropped, 20u);
    QCOMPARE(c.reported, 1u); // one phone, held there
}

void TestFrameDecoder::noCamera()
{
    if (!CameraScanner::cameras().isEmpty())
        QSKIP("this machine has a camera; the no-camera path cannot be shown here");
    QTemporaryDir dev; // no video nodes in it
    QVERIFY(dev.isValid());
    CameraScanner::Settings settings;
    settings.deviceDir = dev.path();
    CameraScanner scanner(settings);
    QCOMPARE(scanner.state(), CameraState::Off);
    QVERIFY(scanner.decoder());
    QSignalSpy states(&scanner, &CameraScanner::stateChanged);
    QSignalSpy previews(&scanner, &CameraScanner::previewFrame);
    QVERIFY(!scanner.start());
    QCOMPARE(scanner.state(), CameraState::NoCamera);
    QVERIFY2(scanner.detail().contains(u"No camera was found"_s), qPrintable(scanner.detail()));
    QCOMPARE(states.count(), 1);
    QCOMPARE(states.at(0).at(0).value<CameraState>(), CameraState::NoCamera);
    QCOMPARE(states.at(0).at(1).toString(), scanner.detail());
    QVERIFY(!scanner.start("/dev/video7"));
    QCOMPARE(scanner.state(), CameraState::NoCamera);
    scanner.stop();
    QCOMPARE(scanner.state(), CameraState::Off);
    QVERIFY(scanner.detail().isEmpty());
    QCOMPARE(previews.count(), 0);
    // The decoder below works without a camera.
    QSignalSpy scans(&scanner, &CameraScanner::scanned);
    scanner.decoder()->submit(qrFrame(kCard));
    QTRY_COMPARE_WITH_TIMEOUT(scans.count(), 1, 5000); // queued into this thread
    QCOMPARE(scans.at(0).at(0).value<Scan>().payload, kCard);
}

void TestFrameDecoder::cameraNotPermitted()
{
    if (!CameraScanner::cameras().isEmpty())
        QSKIP("this machine has a camera; the no-camera path cannot be shown here");
    if (::geteuid() == 0)
        QSKIP("running as root, which may open any device node; run as another user to check this");
    QTemporaryDir dev;
    QVERIFY(dev.isValid());
    const QString node = dev.filePath(u"video0"_s);
    {
        QFile f(node);
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    QVERIFY(::chmod(QFile::encodeName(node).constData(), 0) == 0);
    CameraScanner::Settings settings;
    settings.deviceDir = dev.path();
    CameraScanner scanner(settings);
    QVERIFY(!scanner.start());
    QCOMPARE(scanner.state(), CameraState::NotPermitted);
    QVERIFY2(scanner.detail().contains(node) && scanner.detail().contains(u"'video' group"_s), qPrintable(scanner.detail()));
}

void TestFrameDecoder::stateNames()
{
    QCOMPARE(setia::cameraStateName(CameraState::Off), u"off"_s);
    QCOMPARE(setia::cameraStateName(CameraState::Starting), u"starting"_s);
    QCOMPARE(setia::cameraStateName(CameraState::Running), u"running"_s);
    QCOMPARE(setia::cameraStateName(CameraState::NoCamera), u"no-camera"_s);
    QCOMPARE(setia::cameraStateName(CameraState::NotPermitted), u"not-permitted"_s);
    QCOMPARE(setia::cameraStateName(CameraState::Failed), u"failed"_s);
}

QTEST_MAIN(TestFrameDecoder)
#include "tst_framedecoder.moc"
