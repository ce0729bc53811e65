#include "keyboardwedge.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QKeyEvent>

#include <algorithm>

namespace setia {

KeyboardWedge::KeyboardWedge(QObject *parent) : KeyboardWedge(Settings{}, parent) {}

KeyboardWedge::KeyboardWedge(Settings settings, QObject *parent) : QObject(parent), m_settings(settings)
{
    m_clock.start();
    m_quiet.setSingleShot(true);
    connect(&m_quiet, &QTimer::timeout, this, [this] {
        // Quiet after the held keys: a long enough burst is a scan without a terminator;
        // anything else was a person typing.
        flush(pressCount() >= m_settings.minLength);
    });
}

bool KeyboardWedge::eventFilter(QObject *watched, QEvent *event)
{
    if (!m_enabled || m_replaying)
        return QObject::eventFilter(watched, event);
    if (event->type() == QEvent::KeyRelease && !m_held.isEmpty()) {
        // Releases of held presses are held too, so a replay keeps press-before-release order
        // (a button clicks on release of its press).
        auto *key = static_cast<QKeyEvent *>(event);
        m_held.append(Held{watched, QEvent::KeyRelease, key->key(), key->modifiers(), key->text(), m_held.last().atMs});
        return true;
    }
    if (event->type() != QEvent::KeyPress)
        return QObject::eventFilter(watched, event);
    auto *key = static_cast<QKeyEvent *>(event);
    // Only events delivered to widgets/windows matter; the same event also passes the
    // application and its parents: act on the first receiver only.
    const qint64 now = m_clock.elapsed();
    const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
    const bool tab = key->key() == Qt::Key_Tab;
    bool terminator = false;
    switch (m_settings.terminator) {
    case Terminator::EnterOrTab: terminator = enter || tab; break;
    case Terminator::Enter: terminator = enter; break;
    case Terminator::Tab: terminator = tab; break;
    case Terminator::None: break;
    }
    const bool printable = !key->text().isEmpty() && key->text().at(0).isPrint()
        && !(key->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier));
    const bool inBurst = !m_held.isEmpty() && now - lastPressMs() <= m_settings.maxGapMs;
    if (!m_held.isEmpty() && !inBurst)
        flush(false); // the held keys were typing; hand them on before this one
    if (terminator) {
        if (pressCount() >= m_settings.minLength) {
            flush(true);
            return true; // the scanner's Enter never reaches the focused widget
        }
        flush(false);
        return QObject::eventFilter(watched, event);
    }
    if (!printable) {
        flush(false);
        return QObject::eventFilter(watched, event);
    }
    m_held.append(Held{watched, QEvent::KeyPress, key->key(), key->modifiers(), key->text(), now});
    m_quiet.start(pressCount() == 1 ? m_settings.maxGapMs + 1 : m_settings.quietEndMs);
    return true;
}

void KeyboardWedge::setSettings(const Settings &settings)
{
    flush(false);
    m_settings = settings;
}

int KeyboardWedge::pressCount() const
{
    return int(std::count_if(m_held.begin(), m_held.end(), [](const Held &h) { return h.type == QEvent::KeyPress; }));
}

qint64 KeyboardWedge::lastPressMs() const
{
    for (auto it = m_held.rbegin(); it != m_held.rend(); ++it)
        if (it->type == QEvent::KeyPress)
            return it->atMs;
    return 0;
}

void KeyboardWedge::flush(bool asScan)
{
    m_quiet.stop();
    const QList<Held> keys = std::exchange(m_held, {});
    if (keys.isEmpty())
        return;
    if (!asScan) {
        replay(keys);
        return;
    }
    Scan scan;
    scan.source = Scan::Source::KeyboardWedge;
    for (const Held &h : keys)
        if (h.type == QEvent::KeyPress)
            scan.payload += h.text.toUtf8();
    scan.atMs = QDateTime::currentMSecsSinceEpoch();
    Q_EMIT scanned(scan);
}

void KeyboardWedge::replay(const QList<Held> &keys)
{
    m_replaying = true;
    for (const Held &h : keys) {
        if (!h.target)
            continue;
        QKeyEvent e(h.type, h.key, h.modifiers, h.text);
        QCoreApplication::sendEvent(h.target, &e);
    }
    m_replaying = false;
}

} // namespace setia
