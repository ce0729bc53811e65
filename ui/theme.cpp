#include "theme.h"

#include <QApplication>
#include <QFont>

using namespace Qt::StringLiterals;

namespace setia::ui {

void applyTheme(QApplication &app)
{
    QFont f = app.font();
    f.setPointSize(15);
    app.setFont(f);
    app.setStyleSheet(uR"(
QWidget { color: #111; background: #f6f7f9; }
QLabel#title { font-size: 28pt; font-weight: 600; }
QLabel#big { font-size: 40pt; font-weight: 700; color: #0b5d3b; }
QLabel#muted { color: #555; }
QLabel#error { color: #a40000; font-weight: 600; background: #fde8e8; border: 1px solid #e5a0a0; padding: 8px; border-radius: 6px; }
QLabel#ok { color: #0b5d3b; font-weight: 600; background: #e6f4ec; border: 1px solid #9cd1b2; padding: 8px; border-radius: 6px; }
QLabel#badge { color: white; background: #7a5c00; padding: 4px 12px; border-radius: 12px; font-weight: 600; }
QFrame#card { background: white; border: 1px solid #d0d4da; border-radius: 10px; }
QFrame#card QLabel, QFrame#card QCheckBox { background: transparent; }
QFrame#topbar { background: #12324a; }
QFrame#topbar QLabel { color: white; background: transparent; }
QLineEdit, QComboBox, QDateEdit, QSpinBox { min-height: 48px; font-size: 18pt; padding: 0 10px; background: white;
  border: 2px solid #8a9099; border-radius: 6px; }
QLineEdit:focus, QComboBox:focus, QDateEdit:focus, QSpinBox:focus { border: 3px solid #1565c0; }
QPushButton { min-height: 56px; min-width: 120px; font-size: 16pt; padding: 0 18px; border-radius: 8px;
  background: #e3e7ec; border: 2px solid #9aa3ad; }
QPushButton:focus { border: 3px solid #1565c0; }
QPushButton#primary { background: #0b5d3b; color: white; border-color: #0b5d3b; font-weight: 600; }
QPushButton#primary:focus { border: 3px solid #ffb300; }
QPushButton#primary:disabled { background: #9bbfae; }
QPushButton#tile { min-height: 110px; min-width: 220px; text-align: left; padding: 10px 16px; background: white; }
QPushButton#tile:disabled { color: #777; background: #eceef1; }
QCheckBox { font-size: 14pt; spacing: 12px; }
QCheckBox::indicator { width: 26px; height: 26px; border: 2px solid #5b636d; background: white; border-radius: 4px; }
QCheckBox::indicator:checked { background: #0b5d3b; border-color: #0b5d3b; image: none; }
QCheckBox:focus { color: #1565c0; font-weight: 600; }
QListWidget, QTextBrowser { background: white; border: 1px solid #d0d4da; font-size: 15pt; }
QListWidget:focus { border: 3px solid #1565c0; }
QListWidget#receipts { font-size: 17pt; }
QListWidget#receipts::item { padding: 10px 12px; border-bottom: 1px solid #d0d4da; }
QListWidget#receipts::item:selected { background: #1565c0; color: white; }
QListWidget#receipts::item:disabled { color: #777; }
QProgressBar { min-height: 20px; border: 1px solid #8a9099; border-radius: 6px; background: white; text-align: center; }
QProgressBar::chunk { background: #c9a227; border-radius: 5px; }
)"_s);
}

} // namespace setia::ui
