#pragma once
// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends. Used by import and export.
#include "result.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

namespace setia {

struct CsvRow {
    int line = 0; // 1-based line where the row starts
    QStringList fields;
};

// Parses the whole text; an unterminated quote is an error naming its line.
Result<QList<CsvRow>> parseCsv(const QByteArray &text);
QByteArray csvLine(const QStringList &fields);
// A cell that a spreadsheet would run as a formula (=, +, -, @) is prefixed with ' on export.
QString csvSafe(const QString &cell);

} // namespace setia
