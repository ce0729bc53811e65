#pragma once
// The keyboard-wedge scanner as the terminal runs it: an application-wide KeyboardWedge
// (drivers/keyboardwedge.h) with the thresholds the manager chose in Settings → Devices.
// New thresholds apply at once (keys held at that moment are handed on as typing).
#include "core/loyalty.h"
#include "drivers/keyboardwedge.h"

#include <QObject>
#include <QString>
#include <memory>

namespace setia::ui {

class WedgeScanner : public QObject {
    Q_OBJECT
public:
    // What the scanner sends after the code. With None the end of a code is the pause after it,
    // so that pause is kept short, and Enter/Tab are ordinary keys.
    enum class Terminator { Enter, Tab, None };
    struct Settings {
        int maxGapMs = 35;  // keys closer than this are one burst (people type 60 ms or more apart)
        int minLength = 4;  // shorter bursts are typing
        Terminator terminator = Terminator::Enter;
        bool operator==(const Settings &) const = default;
    };
    static constexpr int kMinGapMs = 10, kMaxGapMs = 200, kMinLength = 2, kMaxLength = 32;

    // Installs itself on the application with these settings.
    explicit WedgeScanner(Settings settings, QObject *parent = nullptr);
    ~WedgeScanner() override;

    void apply(const Settings &settings);
    Settings settings() const { return m_settings; }
    // The driver's own settings for ours.
    static KeyboardWedge::Settings driverSettings(const Settings &settings);
    // The running filter.
    const KeyboardWedge *wedge() const { return m_wedge.get(); }

    // Kept in the store's settings (scanner_max_gap_ms, scanner_min_length, scanner_terminator),
    // so a change is audited like every setting. Missing or out-of-range values give the defaults.
    static Settings load(const Loyalty &loyalty);
    // Saves all three, audited under actor; the first refusal is returned.
    static Status save(Loyalty &loyalty, const Settings &settings, const QString &actor);
    static QString terminatorKey(Terminator t);
    static Terminator terminatorFromKey(const QString &key);

Q_SIGNALS:
    void scanned(const setia::Scan &scan);

private:
    Settings m_settings;
    std::unique_ptr<KeyboardWedge> m_wedge;
};

} // namespace setia::ui
