#pragma once
// A receipt slip as content, once: a title, centred header lines, rows with right-aligned values,
// an optional QR code or Code 128 barcode, a footer. The screen shows it as text (slipText), the
// receipt printer gets it as ESC/POS (slipJob). Generic layout: what the rows say is the caller's.
#include "escpos.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace setia {

struct Slip {
    struct Row {
        QString left, right; // right-aligned; empty for a line of text
        bool bold = false;
    };
    QString title;            // centred and large (the store's name)
    QStringList header;       // centred under the title (date, receipt)
    QList<Row> rows;          // an empty row is a blank line
    QByteArray qr;            // a QR code under the rows (a digital card's token)
    QByteArray code128;       // a Code 128 barcode under the rows (a card number, a voucher code)
    QString footer;           // centred, last
    bool isEmpty() const { return title.isEmpty() && rows.isEmpty(); }
};

// The slip as text `columns` characters wide, rows with right-aligned values.
QString slipText(const Slip &slip, int columns = 32);
// The slip as ESC/POS for a printer of that paper width, fed and cut at the end.
QByteArray slipJob(const Slip &slip, PaperWidth paper);

} // namespace setia
