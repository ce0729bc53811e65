#pragma once
// What every input device produces: the raw bytes of one read, where they came from and when.
// Deciding what a scan *is* (member card, voucher, a payment card to refuse) is core's job.
#include <QByteArray>
#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace setia {

struct Scan {
    enum class Source { KeyboardWedge, HidScanner, MagStripe, Camera, Contactless, Virtual, Manual };
    Source source = Source::Manual;
    QString symbology;   // "ean13", "qr", "code128", "track", "" when unknown
    QByteArray payload;  // exactly what was read, without the terminator
    qint64 atMs = 0;     // UTC ms
};

QString sourceName(Scan::Source source);

} // namespace setia

Q_DECLARE_METATYPE(setia::Scan)
