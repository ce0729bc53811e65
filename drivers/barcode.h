#pragma once
// Barcodes Setia draws: the member's digital card as a QR code (ZXing-cpp's encoder).
#include <QByteArray>
#include <QImage>

namespace setia {

// A QR code of `text`, black on white, `moduleSize` pixels per module and a quiet zone of
// four modules, ready for a screen or a receipt printer. A null image if it cannot be encoded.
QImage renderQrCode(const QByteArray &text, int moduleSize = 6);

} // namespace setia
