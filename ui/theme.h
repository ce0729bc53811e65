#pragma once
// Look of the terminal: large, high-contrast, readable at arm's length, visible focus.
class QApplication;

namespace setia::ui {
void applyTheme(QApplication &app);
} // namespace setia::ui
