#include "barcode.h"

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <exception>
#include <string>

namespace setia {

QImage renderQrCode(const QByteArray &text, int moduleSize)
{
    if (text.isEmpty() || text.size() > 1000 || moduleSize < 1)
        return {};
    ZXing::BitMatrix m;
    try { // ZXing-cpp reports encoding failures as exceptions; none crosses this boundary
        ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
        writer.setMargin(0);
        m = writer.encode(text.toStdString(), 0, 0); // 0 x 0: one pixel per module
    } catch (const std::exception &) {
        return {};
    }
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

} // namespace setia
