#pragma once
// Keyboard-wedge scanners type their code as fast key presses ended by Enter (or Tab).
// KeyboardWedge is an application-wide event filter: it holds back printable key presses for
// a few milliseconds; a burst faster than a person types becomes a Scan (and never reaches the
// focused text field), anything slower is handed on unchanged, as the person typed it.
#include "scan.h"

#include <QElapsedTimer>
#include <QEvent>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QKeyEvent;

namespace setia {

class KeyboardWedge : public QObject {
    Q_OBJECT
public:
    // Which key a scanner sends after the code. None: the code ends with the quiet after it,
    // and Enter/Tab are ordinary keys (they end a burst as typing).
    enum class Terminator { EnterOrTab, Enter, Tab, None };
    struct Settings {
        int maxGapMs = 35;    // keys closer than this belong to one burst (people: > 60 ms)
        int minLength = 4;    // shorter bursts are typing, handed on
        int quietEndMs = 80;  // a burst without its terminator ends after this much quiet
        Terminator terminator = Terminator::EnterOrTab;
    };
    explicit KeyboardWedge(QObject *parent = nullptr);
    KeyboardWedge(Settings settings, QObject *parent = nullptr);
    // Install on the application: qApp->installEventFilter(wedge).
    bool eventFilter(QObject *watched, QEvent *event) override;
    void setEnabled(bool enabled) { m_enabled = enabled; }
    // New thresholds at once; keys held at that moment are handed on as typing.
    void setSettings(const Settings &settings);
    Settings settings() const { return m_settings; }

Q_SIGNALS:
    void scanned(const setia::Scan &scan);

private:
    struct Held {
        QPointer<QObject> target;
        QEvent::Type type;
        int key;
        Qt::KeyboardModifiers modifiers;
        QString text;
        qint64 atMs;
    };
    void flush(bool asScan);
    int pressCount() const;
    qint64 lastPressMs() const;
    void replay(const QList<Held> &keys);
    Settings m_settings;
    QList<Held> m_held;
    QElapsedTimer m_clock;
    QTimer m_quiet;
    bool m_enabled = true;
    bool m_replaying = false;
};

} // namespace setia
