#pragma once
// A webcam through Qt Multimedia feeding a FrameDecoder (docs/hardware.md): a member holds the
// QR code on their phone (or a printed card) in front of the camera.
//
// Frames are taken where Qt Multimedia delivers them (its streaming thread): the luminance
// (Y) plane is copied out of the frame — no colour conversion — and handed to the
// FrameDecoder, which drops frames while it is busy, so the camera never waits. About ten
// frames a second are also converted to colour, scaled down and sent to the screen.
//
// The scanner lives in the thread that made it (the GUI thread); its signals are delivered
// there and its functions must be called from there.
#include "framedecoder.h"
#include "scan.h"

#include <QByteArray>
#include <QImage>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>

namespace setia {

struct CameraInfo {
    QByteArray id;       // QCameraDevice::id(), stable while the camera stays plugged in
    QString description; // "HD Pro Webcam C920"
    bool isDefault = false;
};

enum class CameraState {
    Off,          // not started, or stopped
    Starting,     // start() asked Qt Multimedia for the camera; no picture yet
    Running,      // frames arrive and are decoded
    NoCamera,     // no camera (or not the one asked for) is connected
    NotPermitted, // a camera device exists but may not be opened (video group)
    Failed,       // anything else; detail() says what
};
QString cameraStateName(CameraState state); // "off", "starting", "running", "no-camera", "not-permitted", "failed"

class CameraScanner : public QObject {
    Q_OBJECT
public:
    struct Settings {
        FrameDecoder::Settings decoder;
        // Where camera device nodes (video0, video1, ...) are looked for to tell "no camera"
        // from "camera not permitted" when Qt lists none. Tests point it elsewhere.
        QString deviceDir = QStringLiteral("/dev");
        int previewIntervalMs = 100;  // at most one previewFrame() per interval
        int previewMaxWidth = 640;    // previewFrame() is scaled down to this width
        int startTimeoutMs = 8000;    // Starting → Failed when no frame arrives within this time
        int maxFrameWidth = 1280;     // the camera format chosen: the largest up to this width
    };

    explicit CameraScanner(QObject *parent = nullptr);
    explicit CameraScanner(Settings settings, QObject *parent = nullptr);
    ~CameraScanner() override;

    static QList<CameraInfo> cameras(); // QMediaDevices::videoInputs()

    // Starts the camera with that id (empty: the system's default camera). False, with state
    // NoCamera, NotPermitted or Failed and a detail(), when it cannot even be asked for; true
    // when it is starting (state Starting, then Running once a frame arrived — or Failed).
    [[nodiscard]] bool start(const QByteArray &cameraId = {});
    void stop(); // state Off; no frame is submitted after it returns
    CameraState state() const { return m_state; }
    QString detail() const { return m_detail; } // a sentence for the cashier; empty when off or running
    QString cameraDescription() const { return m_description; }
    FrameDecoder *decoder() { return m_decoder.get(); }

Q_SIGNALS:
    void scanned(const setia::Scan &scan);   // in this object's thread
    void previewFrame(const QImage &frame);  // at most ~10 per second, at most 640 px wide
    void stateChanged(setia::CameraState state, const QString &detail);

private:
    struct Session;
    struct Tap;
    void setState(CameraState state, const QString &detail);
    void cameraError(const QString &errorString);
    void firstFrame();
    // NoCamera or NotPermitted (and why) when Qt lists no camera.
    CameraState diagnoseMissing(QString *detail) const;

    Settings m_settings;
    std::unique_ptr<FrameDecoder> m_decoder;
    std::shared_ptr<Tap> m_tap;
    std::unique_ptr<Session> m_session;
    QTimer m_startTimer;
    CameraState m_state = CameraState::Off;
    QString m_detail;
    QString m_description;
};

} // namespace setia

Q_DECLARE_METATYPE(setia::CameraState)
Q_DECLARE_METATYPE(setia::CameraInfo)
