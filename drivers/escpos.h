#pragma once
// ESC/POS print jobs for receipt printers (docs/hardware.md): a builder of the byte stream, no I/O.
//
// EscPosJob emits a small, portable subset of Epson's ESC/POS that every thermal receipt printer
// Setia supports understands: ESC @, ESC a, ESC E, GS !, LF, ESC d, GS V 66 and raster bit images
// (GS v 0). Text is printable ASCII only: anything else is transliterated (é → e, ß → ss, “ → ")
// or becomes '?', so a receipt never depends on the printer's code page. Barcodes are printed as
// raster images drawn by ZXing-cpp (barcode.h), not with the printer's own barcode commands, so
// that what prints is exactly what the screen's preview shows and what the tests decode.
//
// renderEscPosPreview() draws what such a job prints, for the screen and for tests.
#include <QByteArray>
#include <QImage>
#include <QString>

namespace setia {

enum class PaperWidth {
    Mm58, // 384 dots, 32 columns in font A (12 × 24 dots)
    Mm80, // 576 dots, 48 columns in font A
};
QString paperWidthName(PaperWidth width); // "58mm", "80mm"

class EscPosJob {
public:
    enum class Align { Left, Center, Right };

    explicit EscPosJob(PaperWidth width = PaperWidth::Mm80); // starts with ESC @ (initialise)

    PaperWidth paperWidth() const { return m_width; }
    int columns() const;     // characters per line in font A now (halved while large() is on)
    int dotsPerLine() const; // 384 or 576

    EscPosJob &align(Align a);  // ESC a n; applies to text lines (images are centred by padding)
    EscPosJob &bold(bool on);   // ESC E n
    EscPosJob &large(bool on);  // GS ! 0x11 / 0x00: double width and height; columns() halves
    // The text, wrapped at columns() on word boundaries (a word longer than a line is cut), each
    // line ended by LF; '\n' in the text starts a new line. Text outside printable ASCII is
    // transliterated (NFKD, combining marks dropped, a few letters spelled out), else '?'.
    EscPosJob &line(const QString &text = {});
    // One line: left, spaces, right. right is cut to columns(); left is cut so that at least one
    // space separates it from right.
    EscPosJob &columns(const QString &left, const QString &right);
    EscPosJob &rule(QChar c = u'-'); // a full-width line of c (transliterated like text)
    // A QR code (renderQrCode), centred. When `moduleDots` per module is too wide for the paper,
    // the largest module size that fits is used. Nothing is added if it cannot be encoded (see
    // errorString()).
    EscPosJob &qrCode(const QByteArray &data, int moduleDots = 6);
    // A Code 128 barcode (renderCode128, 2 dots per narrow bar, 1 if that is too wide), centred.
    EscPosJob &code128(const QByteArray &data, int heightDots = 80);
    // Any image as a 1-bit raster (GS v 0): composed on white, grey < 128 prints, scaled down
    // (keeping its aspect ratio) to dotsPerLine() when wider, centred. Sent in bands of at most
    // 255 rows.
    EscPosJob &image(const QImage &image);
    EscPosJob &feed(int lines); // ESC d n (n clamped to 0..255)
    EscPosJob &cut();           // GS V 66 0: feed to the cutter and cut

    bool isEmpty() const; // nothing but the initialise command
    QByteArray bytes() const { return m_bytes; }

    // Whether a barcode or an image could not be added (the job is still valid without it).
    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }

    // Text as EscPosJob prints it: printable ASCII only (see line()).
    static QByteArray transliterate(const QString &text);

private:
    void raster(const QImage &gray, int xOffset);

    PaperWidth m_width;
    bool m_large = false;
    QByteArray m_bytes;
    QString m_error;
};

// Renders what the bytes of an EscPosJob would print (the subset of commands EscPosJob emits) on
// a white image dotsPerLine wide: text in a 12 × 24 dot cell per character (monospace font with
// a QGuiApplication; without one, a grey box per character), 30-dot lines, raster images as
// they are, a dashed line where the paper is cut. For the screen's print preview and for tests.
// Unknown or truncated commands: a null image and *error says which byte, where.
QImage renderEscPosPreview(const QByteArray &job, PaperWidth width, QString *error = nullptr);

} // namespace setia
