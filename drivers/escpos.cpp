#include "escpos.h"

#include "barcode.h"

#include <QCoreApplication>
#include <QFont>
#include <QGuiApplication>
#include <QPainter>

#include <algorithm>
#include <vector>

using namespace Qt::StringLiterals;

namespace setia {

namespace {

constexpr char ESC = 0x1B;
constexpr char GS = 0x1D;
constexpr char LF = 0x0A;
constexpr int kCellWidth = 12;  // font A
constexpr int kCellHeight = 24;
constexpr int kLineDots = 30;   // default line spacing used by the preview
constexpr int kMaxBandRows = 255;

int dotsFor(PaperWidth w)
{
    return w == PaperWidth::Mm58 ? 384 : 576;
}

// Letters NFKD does not take apart, and punctuation a receipt commonly carries.
const char *spelledOut(char32_t cp)
{
    switch (cp) {
    case U'ß': return "ss";
    case U'æ': return "ae";
    case U'Æ': return "AE";
    case U'œ': return "oe";
    case U'Œ': return "OE";
    case U'ø': return "o";
    case U'Ø': return "O";
    case U'ł': return "l";
    case U'Ł': return "L";
    case U'đ': return "d";
    case U'Đ': return "D";
    case U'ð': return "d";
    case U'Ð': return "D";
    case U'þ': return "th";
    case U'Þ': return "Th";
    case U'ı': return "i";
    case U'\u2018': case U'\u2019': case U'\u201A': case U'\u2032': return "'";
    case U'\u201C': case U'\u201D': case U'\u201E': case U'\u2033': return "\"";
    case U'\u2010': case U'\u2011': case U'\u2012': case U'\u2013': case U'\u2014': case U'\u2212': return "-";
    case U'\u2022': case U'\u00B7': return "*";
    case U'\u20AC': return "EUR";
    case U'\u00D7': return "x";   // ×, as in a multiplier "QRIS ×1.1"
    case U'\u2026': return "..."; // …
    case U'\t': return " ";
    default: return nullptr;
    }
}

QByteArray spaces(qsizetype n)
{
    return QByteArray(std::max<qsizetype>(0, n), ' ');
}

QByteArray trimmedRight(QByteArray s)
{
    while (!s.isEmpty() && s.back() == ' ')
        s.chop(1);
    return s;
}

// Grey (0 black … 255 white) of an image composed on white paper.
QImage toGray(const QImage &image)
{
    if (image.format() == QImage::Format_Grayscale8)
        return image;
    const QImage argb = image.convertToFormat(QImage::Format_ARGB32);
    QImage gray(argb.size(), QImage::Format_Grayscale8);
    for (int y = 0; y < argb.height(); ++y) {
        const auto *in = reinterpret_cast<const QRgb *>(argb.constScanLine(y));
        uchar *out = gray.scanLine(y);
        for (int x = 0; x < argb.width(); ++x) {
            const int a = qAlpha(in[x]);
            out[x] = uchar((qGray(in[x]) * a + 255 * (255 - a)) / 255);
        }
    }
    return gray;
}

} // namespace

QString paperWidthName(PaperWidth width)
{
    return width == PaperWidth::Mm58 ? u"58mm"_s : u"80mm"_s;
}

EscPosJob::EscPosJob(PaperWidth width) : m_width(width)
{
    m_bytes.append(ESC).append('@');
}

int EscPosJob::columns() const
{
    const int cols = m_width == PaperWidth::Mm58 ? 32 : 48;
    return m_large ? cols / 2 : cols;
}

int EscPosJob::dotsPerLine() const
{
    return dotsFor(m_width);
}

bool EscPosJob::isEmpty() const
{
    return m_bytes == QByteArrayView("\x1b@");
}

EscPosJob &EscPosJob::align(Align a)
{
    m_bytes.append(ESC).append('a').append(char(a == Align::Left ? 0 : a == Align::Center ? 1 : 2));
    return *this;
}

EscPosJob &EscPosJob::bold(bool on)
{
    m_bytes.append(ESC).append('E').append(char(on ? 1 : 0));
    return *this;
}

EscPosJob &EscPosJob::large(bool on)
{
    m_large = on;
    m_bytes.append(GS).append('!').append(char(on ? 0x11 : 0x00));
    return *this;
}

QByteArray EscPosJob::transliterate(const QString &text)
{
    QByteArray out;
    out.reserve(text.size());
    for (const char32_t cp : text.toUcs4()) {
        if (cp >= 0x20 && cp <= 0x7E) {
            out.append(char(cp));
            continue;
        }
        if (const char *s = spelledOut(cp)) {
            out.append(s);
            continue;
        }
        const QString one = QString::fromUcs4(&cp, 1);
        if (!one.isEmpty() && one.front().isMark())
            continue; // a combining accent of decomposed input: the letter before it stays
        QByteArray ascii;
        bool ok = true;
        for (const QChar c : one.normalized(QString::NormalizationForm_KD)) {
            if (c.isMark())
                continue;
            if (c.unicode() >= 0x20 && c.unicode() <= 0x7E)
                ascii.append(char(c.unicode()));
            else
                ok = false;
        }
        out.append(ok && !ascii.isEmpty() ? ascii : QByteArray("?"));
    }
    return out;
}

EscPosJob &EscPosJob::line(const QString &text)
{
    const int cols = columns();
    for (const QString &paragraph : text.split(u'\n')) {
        QByteArray p = trimmedRight(transliterate(paragraph));
        bool emitted = false;
        while (p.size() > cols) {
            const qsizetype space = p.lastIndexOf(' ', cols);
            QByteArray head;
            if (space > 0) {
                head = p.left(space);
                p = p.mid(space + 1);
            } else { // one word longer than the line
                head = p.left(cols);
                p = p.mid(cols);
            }
            while (p.startsWith(' '))
                p.remove(0, 1);
            m_bytes.append(trimmedRight(head)).append(LF);
            emitted = true;
        }
        if (!p.isEmpty() || !emitted)
            m_bytes.append(p).append(LF);
    }
    return *this;
}

EscPosJob &EscPosJob::columns(const QString &left, const QString &right)
{
    const int cols = columns();
    const QByteArray r = transliterate(right).left(cols);
    const qsizetype maxLeft = r.isEmpty() ? cols : std::max<qsizetype>(0, cols - r.size() - 1);
    const QByteArray l = trimmedRight(transliterate(left).left(maxLeft));
    m_bytes.append(l).append(spaces(cols - l.size() - r.size())).append(r).append(LF);
    return *this;
}

EscPosJob &EscPosJob::rule(QChar c)
{
    QByteArray t = transliterate(QString(c));
    const char ch = t.isEmpty() ? '-' : t.front();
    m_bytes.append(QByteArray(columns(), ch)).append(LF);
    return *this;
}

void EscPosJob::raster(const QImage &gray, int xOffset)
{
    const int w = gray.width();
    const int bytesPerRow = (xOffset + w + 7) / 8;
    for (int top = 0; top < gray.height(); top += kMaxBandRows) {
        const int rows = std::min(kMaxBandRows, gray.height() - top);
        m_bytes.append(GS).append('v').append('0').append('\0');
        m_bytes.append(char(bytesPerRow & 0xFF)).append(char(bytesPerRow >> 8));
        m_bytes.append(char(rows & 0xFF)).append(char(rows >> 8));
        QByteArray row(bytesPerRow, '\0');
        for (int y = top; y < top + rows; ++y) {
            row.fill('\0');
            const uchar *line = gray.constScanLine(y);
            for (int x = 0; x < w; ++x)
                if (line[x] < 128) {
                    const int dot = xOffset + x;
                    row[dot / 8] = char(uchar(row[dot / 8]) | (0x80 >> (dot % 8)));
                }
            m_bytes.append(row);
        }
    }
}

EscPosJob &EscPosJob::image(const QImage &image)
{
    if (image.isNull() || image.width() < 1 || image.height() < 1) {
        m_error = u"An empty image cannot be printed."_s;
        return *this;
    }
    QImage src = image;
    if (src.width() > dotsPerLine())
        src = src.scaledToWidth(dotsPerLine(), Qt::SmoothTransformation);
    raster(toGray(src), (dotsPerLine() - src.width()) / 2);
    return *this;
}

EscPosJob &EscPosJob::qrCode(const QByteArray &data, int moduleDots)
{
    QImage qr;
    for (int m = std::max(1, moduleDots); m >= 1; --m) {
        qr = renderQrCode(data, m);
        if (qr.isNull() || qr.width() <= dotsPerLine())
            break;
    }
    if (qr.isNull() || qr.width() > dotsPerLine()) {
        m_error = u"The QR code could not be made (%1 bytes of data)."_s.arg(data.size());
        return *this;
    }
    raster(qr, (dotsPerLine() - qr.width()) / 2);
    return *this;
}

EscPosJob &EscPosJob::code128(const QByteArray &data, int heightDots)
{
    QImage bars;
    for (int m = 2; m >= 1; --m) {
        bars = renderCode128(data, m, std::clamp(heightDots, 1, 1000));
        if (bars.isNull() || bars.width() <= dotsPerLine())
            break;
    }
    if (bars.isNull() || bars.width() > dotsPerLine()) {
        m_error = u"The Code 128 barcode could not be made (printable ASCII only, and it must fit the paper)."_s;
        return *this;
    }
    raster(bars, (dotsPerLine() - bars.width()) / 2);
    return *this;
}

EscPosJob &EscPosJob::feed(int lines)
{
    m_bytes.append(ESC).append('d').append(char(std::clamp(lines, 0, 255)));
    return *this;
}

EscPosJob &EscPosJob::cut()
{
    m_bytes.append(GS).append('V').append(char(66)).append('\0');
    return *this;
}

// ---------------------------------------------------------------------------------------------
// Preview

namespace {

struct Run {
    QByteArray text;
    bool bold = false;
    int wMul = 1, hMul = 1;
};

struct Op {
    enum Kind { Text, Raster, Feed, Cut } kind = Text;
    std::vector<Run> runs;          // Text
    EscPosJob::Align align = EscPosJob::Align::Left;
    QImage raster;                  // Raster: Grayscale8, 0 or 255
    int dots = 0;                   // Feed
    int height() const
    {
        switch (kind) {
        case Text: {
            int h = 1;
            for (const Run &r : runs)
                h = std::max(h, r.hMul);
            return h * kCellHeight + (kLineDots - kCellHeight);
        }
        case Raster: return raster.height();
        case Feed: return dots;
        case Cut: return 8;
        }
        return 0;
    }
    int width() const
    {
        int w = 0;
        for (const Run &r : runs)
            w += int(r.text.size()) * kCellWidth * r.wMul;
        return w;
    }
};

class PreviewParser {
public:
    PreviewParser(const QByteArray &job, int dots) : m_b(job), m_dots(dots) {}

    bool parse(QString *error)
    {
        qsizetype i = 0;
        while (i < m_b.size()) {
            const uchar c = uchar(m_b[i]);
            if (c >= 0x20 && c <= 0x7E) {
                putChar(char(c));
                ++i;
            } else if (c == 0x0A) {
                flushLine(true);
                ++i;
            } else if (c == 0x1B || c == 0x1D) {
                if (!command(i, error))
                    return false;
            } else {
                return fail(error, i, u"byte 0x%1 is not a command Setia prints"_s.arg(c, 2, 16, QLatin1Char('0')));
            }
        }
        flushLine(false);
        return true;
    }
    std::vector<Op> ops;

private:
    bool fail(QString *error, qsizetype at, const QString &what)
    {
        if (error)
            *error = u"ESC/POS job, offset %1: %2."_s.arg(at).arg(what);
        return false;
    }
    bool need(qsizetype i, qsizetype n, QString *error)
    {
        if (i + n <= m_b.size())
            return true;
        return fail(error, i, u"command cut short (needs %1 bytes, %2 left)"_s.arg(n).arg(m_b.size() - i));
    }
    uchar at(qsizetype i) const { return uchar(m_b[i]); }

    bool command(qsizetype &i, QString *error)
    {
        if (!need(i, 2, error))
            return false;
        const uchar c = at(i), k = at(i + 1);
        const QString name = u"%1 0x%2"_s.arg(c == 0x1B ? u"ESC"_s : u"GS"_s).arg(k, 2, 16, QLatin1Char('0'));
        if (c == 0x1B && k == '@') {
            m_pending.clear();
            m_align = EscPosJob::Align::Left;
            m_bold = false;
            m_wMul = m_hMul = 1;
            i += 2;
        } else if (c == 0x1B && k == 'a') {
            if (!need(i, 3, error))
                return false;
            const uchar n = at(i + 2);
            if (n > 2 && (n < '0' || n > '2'))
                return fail(error, i, u"ESC a %1 is not an alignment"_s.arg(n));
            m_align = EscPosJob::Align(n % 48);
            i += 3;
        } else if (c == 0x1B && k == 'E') {
            if (!need(i, 3, error))
                return false;
            m_bold = at(i + 2) & 1;
            i += 3;
        } else if (c == 0x1B && k == 'd') {
            if (!need(i, 3, error))
                return false;
            flushLine(false);
            Op op;
            op.kind = Op::Feed;
            op.dots = at(i + 2) * kLineDots;
            ops.push_back(std::move(op));
            i += 3;
        } else if (c == 0x1D && k == '!') {
            if (!need(i, 3, error))
                return false;
            const uchar n = at(i + 2);
            if ((n & 0x88) != 0)
                return fail(error, i, u"GS ! 0x%1 is not a character size"_s.arg(n, 2, 16, QLatin1Char('0')));
            m_wMul = ((n >> 4) & 7) + 1;
            m_hMul = (n & 7) + 1;
            i += 3;
        } else if (c == 0x1D && k == 'V') {
            if (!need(i, 3, error))
                return false;
            const uchar m = at(i + 2);
            if (m == 0 || m == 1 || m == 48 || m == 49) {
                i += 3;
            } else if (m == 65 || m == 66) {
                if (!need(i, 4, error))
                    return false;
                i += 4;
            } else {
                return fail(error, i, u"GS V %1 is not a cut"_s.arg(m));
            }
            flushLine(false);
            Op op;
            op.kind = Op::Cut;
            ops.push_back(std::move(op));
        } else if (c == 0x1D && k == 'v') {
            if (!need(i, 8, error))
                return false;
            if (at(i + 2) != '0' || at(i + 3) != 0)
                return fail(error, i, u"only GS v 0 with m = 0 (normal size) is printed"_s);
            const int xBytes = at(i + 4) | (at(i + 5) << 8);
            const int rows = at(i + 6) | (at(i + 7) << 8);
            if (xBytes < 1 || rows < 1 || xBytes * 8 > m_dots)
                return fail(error, i, u"raster image of %1 × %2 bytes does not fit the paper"_s.arg(xBytes).arg(rows));
            if (!need(i + 8, qsizetype(xBytes) * rows, error))
                return false;
            flushLine(false);
            QImage img(xBytes * 8, rows, QImage::Format_Grayscale8);
            const qsizetype data = i + 8;
            for (int y = 0; y < rows; ++y) {
                uchar *line = img.scanLine(y);
                for (int x = 0; x < xBytes * 8; ++x)
                    line[x] = (at(data + qsizetype(y) * xBytes + x / 8) & (0x80 >> (x % 8))) ? 0 : 255;
            }
            Op op;
            op.kind = Op::Raster;
            op.raster = std::move(img);
            ops.push_back(std::move(op));
            i = data + qsizetype(xBytes) * rows;
        } else {
            return fail(error, i, name + u" is not a command Setia prints"_s);
        }
        return true;
    }

    int pendingWidth() const
    {
        int w = 0;
        for (const Run &r : m_pending)
            w += int(r.text.size()) * kCellWidth * r.wMul;
        return w;
    }
    void putChar(char c)
    {
        if (pendingWidth() + kCellWidth * m_wMul > m_dots)
            flushLine(true); // the printer wraps a line that is full
        if (m_pending.empty() || m_pending.back().bold != m_bold || m_pending.back().wMul != m_wMul
            || m_pending.back().hMul != m_hMul)
            m_pending.push_back(Run{{}, m_bold, m_wMul, m_hMul});
        m_pending.back().text.append(c);
        m_lineAlign = m_pending.size() == 1 && m_pending.back().text.size() == 1 ? m_align : m_lineAlign;
    }
    void flushLine(bool evenIfEmpty)
    {
        if (m_pending.empty() && !evenIfEmpty)
            return;
        Op op;
        op.kind = Op::Text;
        op.runs = std::move(m_pending);
        op.align = op.runs.empty() ? m_align : m_lineAlign;
        if (op.runs.empty()) // an empty line is as tall as the current character size
            op.runs.push_back(Run{{}, m_bold, m_wMul, m_hMul});
        ops.push_back(std::move(op));
        m_pending.clear();
    }

    const QByteArray &m_b;
    int m_dots;
    std::vector<Run> m_pending;
    EscPosJob::Align m_align = EscPosJob::Align::Left;
    EscPosJob::Align m_lineAlign = EscPosJob::Align::Left; // ESC a counts at the start of a line
    bool m_bold = false;
    int m_wMul = 1, m_hMul = 1;
};

} // namespace

QImage renderEscPosPreview(const QByteArray &job, PaperWidth width, QString *error)
{
    const int dots = dotsFor(width);
    PreviewParser parser(job, dots);
    if (!parser.parse(error))
        return {};
    int height = 0;
    for (const Op &op : parser.ops)
        height += op.height();
    QImage page(dots, std::max(1, height), QImage::Format_RGB32);
    page.fill(Qt::white);
    // Text needs fonts, and fonts need a QGuiApplication; without one, boxes stand for characters.
    const bool fonts = qobject_cast<QGuiApplication *>(QCoreApplication::instance()) != nullptr;
    QPainter p(&page);
    QFont font(u"DejaVu Sans Mono"_s);
    font.setStyleHint(QFont::Monospace);
    font.setPixelSize(20);
    int y = 0;
    for (const Op &op : parser.ops) {
        switch (op.kind) {
        case Op::Text: {
            const int lineWidth = op.width();
            int x = op.align == EscPosJob::Align::Left ? 0
                  : op.align == EscPosJob::Align::Center ? (dots - lineWidth) / 2 : dots - lineWidth;
            const int lineHeight = op.height() - (kLineDots - kCellHeight);
            for (const Run &r : op.runs) {
                const int cw = kCellWidth * r.wMul, ch = kCellHeight * r.hMul;
                const int top = y + lineHeight - ch; // characters stand on the line's base
                for (const char c : r.text) {
                    if (c != ' ') {
                        if (fonts) {
                            font.setBold(r.bold);
                            p.setFont(font);
                            p.setPen(Qt::black);
                            p.save();
                            p.translate(x, top);
                            p.scale(r.wMul, r.hMul);
                            p.drawText(QRect(0, 0, kCellWidth, kCellHeight), Qt::AlignCenter, QString(QLatin1Char(c)));
                            p.restore();
                        } else {
                            p.fillRect(QRect(x + 2 * r.wMul, top + 4 * r.hMul, cw - 4 * r.wMul, ch - 8 * r.hMul),
                                       r.bold ? QColor(64, 64, 64) : QColor(128, 128, 128));
                        }
                    }
                    x += cw;
                }
            }
            break;
        }
        case Op::Raster:
            p.drawImage(0, y, op.raster);
            break;
        case Op::Cut: {
            QPen pen(QColor(160, 160, 160));
            pen.setDashPattern({4, 4});
            p.setPen(pen);
            p.drawLine(0, y + 4, dots - 1, y + 4);
            break;
        }
        case Op::Feed:
            break;
        }
        y += op.height();
    }
    p.end();
    if (error)
        error->clear();
    return page.convertToFormat(QImage::Format_Grayscale8);
}

} // namespace setia
