#include "camerascanner.h"

#include <QCamera>
#include <QCameraDevice>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QMediaCaptureSession>
#include <QMediaDevices>
#include <QMutex>
#include <QMutexLocker>
#include <QVideoFrame>
#include <QVideoFrameFormat>
#include <QVideoSink>

#include <unistd.h>

#include <tuple>

#include <utility>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCamera, "setia.drivers.camera", QtInfoMsg)

namespace setia {

namespace {

// The luminance of a video frame as a compact 8-bit grey image: the Y plane copied out of YUV
// frames (no colour conversion), RGB frames weighted like ZXing's own conversion, anything
// else (Motion-JPEG, GPU textures) through QVideoFrame::toImage().
QImage luminanceOf(const QVideoFrame &input)
{
    QVideoFrame frame(input);
    const int w = frame.width();
    const int h = frame.height();
    int offset = -1;      // of the Y byte (or the high byte of a 16-bit Y sample) in plane 0
    int pixelStride = 1;
    int rgb[3] = {-1, -1, -1}; // byte offsets of R, G, B in 4-byte pixels
    switch (frame.pixelFormat()) {
    case QVideoFrameFormat::Format_YUV420P:
    case QVideoFrameFormat::Format_YUV422P:
    case QVideoFrameFormat::Format_YV12:
    case QVideoFrameFormat::Format_NV12:
    case QVideoFrameFormat::Format_NV21:
    case QVideoFrameFormat::Format_IMC1:
    case QVideoFrameFormat::Format_IMC2:
    case QVideoFrameFormat::Format_IMC3:
    case QVideoFrameFormat::Format_IMC4:
    case QVideoFrameFormat::Format_Y8:
        offset = 0;
        break;
    case QVideoFrameFormat::Format_Y16:
    case QVideoFrameFormat::Format_P010:
    case QVideoFrameFormat::Format_P016:
    case QVideoFrameFormat::Format_YUV420P10:
        offset = Q_BYTE_ORDER == Q_LITTLE_ENDIAN ? 1 : 0;
        pixelStride = 2;
        break;
    case QVideoFrameFormat::Format_YUYV: offset = 0; pixelStride = 2; break;
    case QVideoFrameFormat::Format_UYVY: offset = 1; pixelStride = 2; break;
    case QVideoFrameFormat::Format_AYUV:
    case QVideoFrameFormat::Format_AYUV_Premultiplied: offset = 1; pixelStride = 4; break;
    case QVideoFrameFormat::Format_ARGB8888:
    case QVideoFrameFormat::Format_ARGB8888_Premultiplied:
    case QVideoFrameFormat::Format_XRGB8888: rgb[0] = 1; rgb[1] = 2; rgb[2] = 3; break;
    case QVideoFrameFormat::Format_BGRA8888:
    case QVideoFrameFormat::Format_BGRA8888_Premultiplied:
    case QVideoFrameFormat::Format_BGRX8888: rgb[0] = 2; rgb[1] = 1; rgb[2] = 0; break;
    case QVideoFrameFormat::Format_ABGR8888:
    case QVideoFrameFormat::Format_XBGR8888: rgb[0] = 3; rgb[1] = 2; rgb[2] = 1; break;
    case QVideoFrameFormat::Format_RGBA8888:
    case QVideoFrameFormat::Format_RGBX8888: rgb[0] = 0; rgb[1] = 1; rgb[2] = 2; break;
    default: break;
    }
    if ((offset >= 0 || rgb[0] >= 0) && w > 0 && h > 0 && frame.map(QVideoFrame::ReadOnly)) {
        QImage out;
        const uchar *bits = frame.bits(0);
        const int bpl = frame.bytesPerLine(0);
        if (bits && qsizetype(bpl) * h <= frame.mappedBytes(0)) {
            if (offset >= 0) {
                out = luminanceImage(bits + offset, w, h, bpl, pixelStride);
            } else if (bpl >= 4 * w) {
                out = QImage(w, h, QImage::Format_Grayscale8);
                for (int y = 0; y < h; ++y) {
                    const uchar *src = bits + qsizetype(y) * bpl;
                    uchar *dst = out.scanLine(y);
                    for (int x = 0; x < w; ++x, src += 4)
                        dst[x] = uchar((306 * src[rgb[0]] + 601 * src[rgb[1]] + 117 * src[rgb[2]] + 0x200) >> 10);
                }
            }
        }
        frame.unmap();
        if (!out.isNull())
            return out;
    }
    return frame.toImage(); // decodeImage() reads its 32-bit RGB in place
}

QString deniedDetail(const QString &node)
{
    return u"Setia may not use the camera (%1: permission denied). Add the terminal's user to the 'video' "
           u"group (sudo usermod -aG video USER), log out and in again, then start the camera again "
           u"(docs/hardware.md)."_s.arg(node);
}

// The camera format to ask for: the largest picture up to maxWidth, decoded formats before
// Motion-JPEG, then the highest frame rate. Invalid (let Qt choose) when the camera lists none.
QCameraFormat chooseFormat(const QCameraDevice &device, int maxWidth)
{
    QCameraFormat best;
    auto score = [](const QCameraFormat &f) {
        const QSize s = f.resolution();
        return std::tuple(qint64(s.width()) * s.height(), f.pixelFormat() != QVideoFrameFormat::Format_Jpeg,
                          f.maxFrameRate());
    };
    for (const QCameraFormat &f : device.videoFormats()) {
        if (f.resolution().width() > maxWidth || f.maxFrameRate() < 10)
            continue;
        if (best.isNull() || score(f) > score(best))
            best = f;
    }
    return best;
}

} // namespace

QString cameraStateName(CameraState state)
{
    switch (state) {
    case CameraState::Off: return u"off"_s;
    case CameraState::Starting: return u"starting"_s;
    case CameraState::Running: return u"running"_s;
    case CameraState::NoCamera: return u"no-camera"_s;
    case CameraState::NotPermitted: return u"not-permitted"_s;
    case CameraState::Failed: return u"failed"_s;
    }
    return {};
}

// What Qt Multimedia's streaming thread touches: guarded, so that stop() can wait for a frame
// being handled and none is handled after it.
struct CameraScanner::Tap {
    QMutex mutex;
    CameraScanner *scanner = nullptr; // null once stopped
    FrameDecoder *decoder = nullptr;
    int previewIntervalMs = 100;
    int previewMaxWidth = 640;
    QElapsedTimer sincePreview;
    bool sawFrame = false;

    void frame(const QVideoFrame &frame)
    {
        QMutexLocker lock(&mutex);
        if (!scanner || !frame.isValid())
            return;
        if (!sawFrame) {
            sawFrame = true;
            QMetaObject::invokeMethod(scanner, &CameraScanner::firstFrame, Qt::QueuedConnection);
        }
        const QImage lum = luminanceOf(frame);
        if (lum.isNull())
            return;
        decoder->submit(lum);
        if (!sincePreview.isValid() || sincePreview.elapsed() >= previewIntervalMs) {
            sincePreview.start();
            QImage preview = frame.toImage();
            if (preview.isNull())
                preview = lum;
            if (preview.width() > previewMaxWidth)
                preview = preview.scaledToWidth(previewMaxWidth, Qt::FastTransformation);
            CameraScanner *target = scanner;
            QMetaObject::invokeMethod(
                target, [target, preview] { Q_EMIT target->previewFrame(preview); }, Qt::QueuedConnection);
        }
    }
};

struct CameraScanner::Session {
    QMediaCaptureSession capture;
    std::unique_ptr<QVideoSink> sink;
    std::unique_ptr<QCamera> camera;
};

CameraScanner::CameraScanner(QObject *parent) : CameraScanner(Settings{}, parent) {}

CameraScanner::CameraScanner(Settings settings, QObject *parent)
    : QObject(parent), m_settings(std::move(settings)),
      m_decoder(std::make_unique<FrameDecoder>(m_settings.decoder)), m_tap(std::make_shared<Tap>())
{
    qRegisterMetaType<setia::Scan>();
    qRegisterMetaType<setia::CameraState>();
    connect(m_decoder.get(), &FrameDecoder::scanned, this, &CameraScanner::scanned, Qt::QueuedConnection);
    m_startTimer.setSingleShot(true);
    connect(&m_startTimer, &QTimer::timeout, this, [this] {
        if (m_state == CameraState::Starting)
            setState(CameraState::Failed,
                     u"The camera (%1) was started but sent no picture within %2 seconds. Unplug it and plug it "
                     u"in again, close any other program that uses it, then start it again."_s
                         .arg(m_description)
                         .arg(m_settings.startTimeoutMs / 1000));
    });
}

CameraScanner::~CameraScanner()
{
    blockSignals(true); // no stateChanged(Off) to receivers that may be going away with us
    stop();
}

QList<CameraInfo> CameraScanner::cameras()
{
    QList<CameraInfo> out;
    const QCameraDevice def = QMediaDevices::defaultVideoInput();
    for (const QCameraDevice &device : QMediaDevices::videoInputs())
        out.append(CameraInfo{device.id(), device.description(), device.id() == def.id()});
    return out;
}

CameraState CameraScanner::diagnoseMissing(QString *detail) const
{
    const QDir dir(m_settings.deviceDir);
    const QStringList nodes = dir.entryList({u"video*"_s}, QDir::System | QDir::Files | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &name : nodes) {
        const QString node = dir.filePath(name);
        if (::access(QFile::encodeName(node).constData(), R_OK | W_OK) != 0) {
            *detail = deniedDetail(node);
            return CameraState::NotPermitted;
        }
    }
    *detail = u"No camera was found. Plug in a USB webcam (or check its cable), then start the camera again. "
              u"Members' codes can still be scanned with the barcode scanner or typed in."_s;
    return CameraState::NoCamera;
}

bool CameraScanner::start(const QByteArray &cameraId)
{
    stop();
    const QList<QCameraDevice> inputs = QMediaDevices::videoInputs();
    if (inputs.isEmpty()) {
        QString why;
        const CameraState s = diagnoseMissing(&why);
        setState(s, why);
        return false;
    }
    QCameraDevice device = QMediaDevices::defaultVideoInput();
    if (!cameraId.isEmpty()) {
        device = {};
        for (const QCameraDevice &d : inputs)
            if (d.id() == cameraId)
                device = d;
        if (device.isNull()) {
            setState(CameraState::NoCamera,
                     u"The camera chosen in the settings (%1) is not connected. Plug it in, or choose another "
                     u"camera in the settings."_s.arg(QString::fromUtf8(cameraId)));
            return false;
        }
    }
    if (device.isNull())
        device = inputs.first();
    m_description = device.description();

    m_session = std::make_unique<Session>();
    m_session->sink = std::make_unique<QVideoSink>();
    m_session->camera = std::make_unique<QCamera>(device);
    const QCameraFormat format = chooseFormat(device, m_settings.maxFrameWidth);
    if (!format.isNull())
        m_session->camera->setCameraFormat(format);
    m_session->camera->setFocusMode(QCamera::FocusModeAuto);
    m_session->capture.setCamera(m_session->camera.get());
    m_session->capture.setVideoSink(m_session->sink.get());

    {
        QMutexLocker lock(&m_tap->mutex);
        m_tap->scanner = this;
        m_tap->decoder = m_decoder.get();
        m_tap->previewIntervalMs = m_settings.previewIntervalMs;
        m_tap->previewMaxWidth = m_settings.previewMaxWidth;
        m_tap->sincePreview.invalidate();
        m_tap->sawFrame = false;
    }
    // Direct: frames are handled in whichever thread Qt Multimedia delivers them, never queued
    // behind the GUI. The tap is shared so that a late frame finds it stopped, not freed.
    std::shared_ptr<Tap> tap = m_tap;
    connect(m_session->sink.get(), &QVideoSink::videoFrameChanged, m_session->sink.get(),
            [tap](const QVideoFrame &frame) { tap->frame(frame); }, Qt::DirectConnection);
    connect(m_session->camera.get(), &QCamera::errorOccurred, this,
            [this](QCamera::Error error, const QString &text) {
                if (error != QCamera::NoError)
                    cameraError(text);
            });

    qCInfo(lcCamera) << "starting camera" << m_description << device.id() << "format" << format.resolution()
                     << format.pixelFormat();
    setState(CameraState::Starting, {});
    m_decoder->resetRepeatHold();
    m_session->camera->start();
    if (m_state != CameraState::Starting) // an error was reported synchronously
        return false;
    if (m_settings.startTimeoutMs > 0)
        m_startTimer.start(m_settings.startTimeoutMs);
    return true;
}

void CameraScanner::stop()
{
    m_startTimer.stop();
    {
        QMutexLocker lock(&m_tap->mutex); // waits for a frame being handled
        m_tap->scanner = nullptr;
        m_tap->decoder = nullptr;
    }
    if (m_session) {
        disconnect(m_session->camera.get(), nullptr, this, nullptr);
        m_session->camera->stop();
        m_session->capture.setVideoSink(nullptr);
        m_session->capture.setCamera(nullptr);
        m_session.reset();
    }
    if (m_state != CameraState::Off)
        setState(CameraState::Off, {});
}

void CameraScanner::setState(CameraState state, const QString &detail)
{
    if (state == m_state && detail == m_detail)
        return;
    m_state = state;
    m_detail = detail;
    if (!detail.isEmpty())
        qCInfo(lcCamera) << "camera" << cameraStateName(state) << detail;
    Q_EMIT stateChanged(state, detail);
}

void CameraScanner::cameraError(const QString &errorString)
{
    qCWarning(lcCamera) << "camera error:" << errorString;
    m_startTimer.stop();
    if (errorString.contains(u"ermission"_s) || errorString.contains(u"EACCES"_s)) {
        setState(CameraState::NotPermitted, deniedDetail(m_description));
        return;
    }
    setState(CameraState::Failed,
             u"The camera (%1) failed: %2. Unplug it and plug it in again, close any other program that uses "
             u"it, then start it again."_s.arg(m_description, errorString));
}

void CameraScanner::firstFrame()
{
    if (m_state == CameraState::Starting) {
        m_startTimer.stop();
        setState(CameraState::Running, {});
    }
}

} // namespace setia
