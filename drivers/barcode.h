#pragma once
// Barcodes Setia draws: the member's digital card as a QR code, a card number as Code 128
// (ZXing-cpp's encoder), for the screen and the receipt printer.
#include <QByteArray>
#include <QImage>

namespace setia {

// A QR code of `text`, black on white, `moduleSize` pixels per module and a quiet zone of
// four modules, ready for a screen or a receipt printer. A null image if it cannot be encoded.
QImage renderQrCode(const QByteArray &text, int moduleSize = 6);

// A Code 128 barcode of `text` (printable ASCII, at most 80 characters), `moduleWidth` pixels per
// narrow bar, `height` pixels tall, with a quiet zone of ten modules each side. Null if it
// cannot be encoded.
QImage renderCode128(const QByteArray &text, int moduleWidth = 2, int height = 80);

} // namespace setia
