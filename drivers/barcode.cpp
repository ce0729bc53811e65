#include "barcode.h"

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <algorithm>
#include <exception>
#include <string>

namespace setia {

namespace {

// One pixel per module, no margin; an empty matrix when ZXing cannot encode the text.
ZXing::BitMatrix encodeModules(ZXing::BarcodeFormat format, const QByteArray &text)
{
    try { // ZXing-cpp reports encoding failures as exceptions; none crosses this boundary
        ZXing::MultiFormatWriter writer(format);
        writer.setMargin(0);
        return writer.encode(text.toStdString(), 0, 0);
    } catch (const std::exception &) {
        return {};
    }
}

} // namespace

QImage renderQrCode(const QByteArray &text, int moduleSize)
{
    if (text.isEmpty() || text.size() > 1000 || moduleSize < 1)
        return {};
    const ZXing::BitMatrix m = encodeModules(ZXing::BarcodeFormat::QRCode, text);
    if (m.width() == 0)
        return {};
    const int quiet = 4;
    const int w = (m.width() + 2 * quiet) * moduleSize;
    const int h = (m.height() + 2 * quiet) * moduleSize;
    QImage img(w, h, QImage::Format_Grayscale8);
    img.fill(255);
    for (int y = 0; y < m.height(); ++y)
        for (int x = 0; x < m.width(); ++x)
            if (m.get(x, y))
                for (int dy = 0; dy < moduleSize; ++dy) {
                    uchar *line = img.scanLine((y + quiet) * moduleSize + dy);
                    for (int dx = 0; dx < moduleSize; ++dx)
                        line[(x + quiet) * moduleSize + dx] = 0;
                }
    return img;
}

QImage renderCode128(const QByteArray &text, int moduleWidth, int height)
{
    if (text.isEmpty() || text.size() > 80 || moduleWidth < 1 || height < 1)
        return {};
    for (const char c : text)
        if (c < 0x20 || c > 0x7E)
            return {};
    const ZXing::BitMatrix m = encodeModules(ZXing::BarcodeFormat::Code128, text);
    if (m.width() == 0)
        return {};
    const int quiet = 10;
    QImage img((m.width() + 2 * quiet) * moduleWidth, height, QImage::Format_Grayscale8);
    img.fill(255);
    uchar *first = img.scanLine(0);
    for (int x = 0; x < m.width(); ++x)
        if (m.get(x, 0))
            for (int dx = 0; dx < moduleWidth; ++dx)
                first[(x + quiet) * moduleWidth + dx] = 0;
    for (int y = 1; y < height; ++y)
        std::copy_n(first, img.width(), img.scanLine(y));
    return img;
}

} // namespace setia
