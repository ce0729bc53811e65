#include "wedgescanner.h"

#include <QCoreApplication>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace setia::ui {

WedgeScanner::WedgeScanner(Settings settings, QObject *parent) : QObject(parent)
{
    apply(settings);
}

WedgeScanner::~WedgeScanner()
{
    if (m_wedge && QCoreApplication::instance())
        QCoreApplication::instance()->removeEventFilter(m_wedge.get());
}

KeyboardWedge::Settings WedgeScanner::driverSettings(const Settings &s)
{
    KeyboardWedge::Settings d;
    d.maxGapMs = std::clamp(s.maxGapMs, kMinGapMs, kMaxGapMs);
    d.minLength = std::clamp(s.minLength, kMinLength, kMaxLength);
    // The pause that ends a burst must be longer than the gap inside one. Without a terminator
    // every scan ends that way, so it is kept short; with one it is only the fallback.
    d.quietEndMs = s.terminator == Terminator::None ? std::max(50, d.maxGapMs + 15) : std::max(80, d.maxGapMs + 45);
    switch (s.terminator) {
    case Terminator::Enter: d.terminator = KeyboardWedge::Terminator::Enter; break;
    case Terminator::Tab: d.terminator = KeyboardWedge::Terminator::Tab; break;
    case Terminator::None: d.terminator = KeyboardWedge::Terminator::None; break;
    }
    return d;
}

void WedgeScanner::apply(const Settings &settings)
{
    m_settings = settings;
    m_settings.maxGapMs = std::clamp(settings.maxGapMs, kMinGapMs, kMaxGapMs);
    m_settings.minLength = std::clamp(settings.minLength, kMinLength, kMaxLength);
    if (m_wedge) {
        m_wedge->setSettings(driverSettings(m_settings));
        return;
    }
    m_wedge = std::make_unique<KeyboardWedge>(driverSettings(m_settings));
    connect(m_wedge.get(), &KeyboardWedge::scanned, this, &WedgeScanner::scanned);
    QCoreApplication::instance()->installEventFilter(m_wedge.get());
}

QString WedgeScanner::terminatorKey(Terminator t)
{
    switch (t) {
    case Terminator::Enter: return u"enter"_s;
    case Terminator::Tab: return u"tab"_s;
    case Terminator::None: return u"none"_s;
    }
    return u"enter"_s;
}

WedgeScanner::Terminator WedgeScanner::terminatorFromKey(const QString &key)
{
    if (key == u"tab"_s)
        return Terminator::Tab;
    if (key == u"none"_s)
        return Terminator::None;
    return Terminator::Enter;
}

WedgeScanner::Settings WedgeScanner::load(const Loyalty &loyalty)
{
    Settings s;
    bool ok = false;
    if (const int v = loyalty.setting(u"scanner_max_gap_ms"_s).toInt(&ok); ok && v >= kMinGapMs && v <= kMaxGapMs)
        s.maxGapMs = v;
    if (const int v = loyalty.setting(u"scanner_min_length"_s).toInt(&ok); ok && v >= kMinLength && v <= kMaxLength)
        s.minLength = v;
    s.terminator = terminatorFromKey(loyalty.setting(u"scanner_terminator"_s));
    return s;
}

Status WedgeScanner::save(Loyalty &loyalty, const Settings &settings, const QString &actor)
{
    const std::pair<QString, QString> values[] = {{u"scanner_max_gap_ms"_s, QString::number(settings.maxGapMs)},
                                                  {u"scanner_min_length"_s, QString::number(settings.minLength)},
                                                  {u"scanner_terminator"_s, terminatorKey(settings.terminator)}};
    for (const auto &[key, value] : values) {
        if (loyalty.setting(key) == value)
            continue; // unchanged: no audit line
        if (auto st = loyalty.setSetting(key, value, actor); !st)
            return st;
    }
    return Ok{};
}

} // namespace setia::ui
