// ESC/POS job builder (drivers/escpos.h): the exact bytes of each command, written out by hand
// from Epson's ESC/POS command reference, text layout at 32 and 48 columns, transliteration,
// raster images bit by bit, and printed barcodes decoded back by ZXing from the print preview.
#include "drivers/escpos.h"

#include <ZXing/ReadBarcode.h>

#include <QTest>

using namespace Qt::StringLiterals;
using setia::EscPosJob;
using setia::PaperWidth;

namespace {

// "1b 40 0a" → bytes; spaces are for reading only.
QByteArray hex(const char *text)
{
    return QByteArray::fromHex(QByteArray(text).replace(' ', ""));
}

const QByteArray kInit = hex("1b 40");

QByteArray lines(const QStringList &ls)
{
    QByteArray out;
    for (const QString &l : ls)
        out += l.toLatin1() + '\n';
    return out;
}

std::string decode(const QImage &img, ZXing::BarcodeFormat format)
{
    const ZXing::ImageView view(img.constBits(), img.width(), img.height(), ZXing::ImageFormat::Lum, int(img.bytesPerLine()));
    ZXing::DecodeHints hints;
    hints.setFormats(format);
    const ZXing::Result r = ZXing::ReadBarcode(view, hints);
    return r.isValid() ? QString::fromStdWString(r.text()).toStdString() : std::string();
}

// Whether any pixel of the rows [top, bottom) darker than mid-grey lies outside columns [left, right).
bool darkOutside(const QImage &img, int top, int bottom, int left, int right)
{
    for (int y = top; y < bottom && y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x)
            if (img.constScanLine(y)[x] < 128 && (x < left || x >= right))
                return true;
    return false;
}

int darkCount(const QImage &img, int top, int bottom)
{
    int n = 0;
    for (int y = top; y < bottom && y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x)
            n += img.constScanLine(y)[x] < 128;
    return n;
}

} // namespace

class TestEscPos : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initialiseOnly();
    void commands_data();
    void commands();
    void wrapping_data();
    void wrapping();
    void columnsLine_data();
    void columnsLine();
    void transliteration_data();
    void transliteration();
    void rasterHeaderAndBits();
    void rasterScaledDownAndTransparent();
    void rasterBands();
    void barcodesRoundTrip_data();
    void barcodesRoundTrip();
    void barcodeErrors();
    void previewLayout();
    void malformedJob_data();
    void malformedJob();
};

void TestEscPos::initialiseOnly()
{
    EscPosJob job;
    QCOMPARE(job.bytes(), kInit);
    QVERIFY(job.isEmpty());
    QCOMPARE(job.paperWidth(), PaperWidth::Mm80);
    QCOMPARE(job.columns(), 48);
    QCOMPARE(job.dotsPerLine(), 576);
    const EscPosJob narrow(PaperWidth::Mm58);
    QCOMPARE(narrow.columns(), 32);
    QCOMPARE(narrow.dotsPerLine(), 384);
    job.line();
    QVERIFY(!job.isEmpty());
    QCOMPARE(job.bytes(), hex("1b 40 0a"));
}

void TestEscPos::commands_data()
{
    QTest::addColumn<int>("paper");
    QTest::addColumn<QString>("what");
    QTest::addColumn<QByteArray>("expected"); // after ESC @
    QTest::newRow("align left") << 80 << u"left"_s << hex("1b 61 00");
    QTest::newRow("align center") << 80 << u"center"_s << hex("1b 61 01");
    QTest::newRow("align right") << 80 << u"right"_s << hex("1b 61 02");
    QTest::newRow("bold on") << 80 << u"bold"_s << hex("1b 45 01");
    QTest::newRow("bold off") << 80 << u"unbold"_s << hex("1b 45 00");
    QTest::newRow("large on") << 80 << u"large"_s << hex("1d 21 11");
    QTest::newRow("large off") << 80 << u"small"_s << hex("1d 21 00");
    QTest::newRow("feed 3") << 80 << u"feed3"_s << hex("1b 64 03");
    QTest::newRow("feed 300 clamped") << 80 << u"feed300"_s << hex("1b 64 ff");
    QTest::newRow("cut") << 80 << u"cut"_s << hex("1d 56 42 00");
    QTest::newRow("rule 58 mm") << 58 << u"rule"_s << QByteArray(32, '-') + '\n';
    QTest::newRow("rule 80 mm '='") << 80 << u"rule="_s << QByteArray(48, '=') + '\n';
    QTest::newRow("rule of an accented letter") << 58 << u"rule-e"_s << QByteArray(32, 'e') + '\n';
    QTest::newRow("large rule 80 mm: 24 columns") << 80 << u"large-rule"_s << hex("1d 21 11") + QByteArray(24, '-') + '\n';
}

void TestEscPos::commands()
{
    QFETCH(int, paper);
    QFETCH(QString, what);
    QFETCH(QByteArray, expected);
    EscPosJob job(paper == 58 ? PaperWidth::Mm58 : PaperWidth::Mm80);
    if (what == u"left"_s) job.align(EscPosJob::Align::Left);
    else if (what == u"center"_s) job.align(EscPosJob::Align::Center);
    else if (what == u"right"_s) job.align(EscPosJob::Align::Right);
    else if (what == u"bold"_s) job.bold(true);
    else if (what == u"unbold"_s) job.bold(false);
    else if (what == u"large"_s) job.large(true);
    else if (what == u"small"_s) job.large(false);
    else if (what == u"feed3"_s) job.feed(3);
    else if (what == u"feed300"_s) job.feed(300);
    else if (what == u"cut"_s) job.cut();
    else if (what == u"rule"_s) job.rule();
    else if (what == u"rule="_s) job.rule(u'=');
    else if (what == u"rule-e"_s) job.rule(QChar(0xE9));
    else if (what == u"large-rule"_s) job.large(true).rule();
    else QFAIL("unknown row");
    QCOMPARE(job.bytes(), kInit + expected);
}

void TestEscPos::wrapping_data()
{
    QTest::addColumn<int>("paper");
    QTest::addColumn<bool>("large");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("expected");
    const QString thanks = u"Terima kasih telah berbelanja di Toko Setia Makmur"_s; // 50 characters
    QTest::newRow("58 mm: exactly 32 on the first line")
        << 58 << false << thanks << lines({u"Terima kasih telah berbelanja di"_s, u"Toko Setia Makmur"_s});
    QTest::newRow("80 mm: 48 columns")
        << 80 << false << thanks << lines({u"Terima kasih telah berbelanja di Toko Setia"_s, u"Makmur"_s});
    QTest::newRow("80 mm large: 24 columns")
        << 80 << true << thanks
        << lines({u"Terima kasih telah"_s, u"berbelanja di Toko Setia"_s, u"Makmur"_s});
    QTest::newRow("58 mm: a word longer than a line is cut")
        << 58 << false << u"Kode: ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"_s
        << lines({u"Kode:"_s, u"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"_s, u"6789"_s});
    QTest::newRow("short line kept as it is") << 58 << false << u"  Poin  125"_s << lines({u"  Poin  125"_s});
    QTest::newRow("newline starts a line") << 80 << false << u"Baris 1\nBaris 2"_s << lines({u"Baris 1"_s, u"Baris 2"_s});
    QTest::newRow("empty") << 80 << false << QString() << QByteArray("\n");
    QTest::newRow("trailing spaces dropped at a wrap")
        << 58 << false << u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa     bbb"_s << lines({u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"_s, u"bbb"_s});
}

void TestEscPos::wrapping()
{
    QFETCH(int, paper);
    QFETCH(bool, large);
    QFETCH(QString, text);
    QFETCH(QByteArray, expected);
    EscPosJob job(paper == 58 ? PaperWidth::Mm58 : PaperWidth::Mm80);
    QByteArray prefix = kInit;
    if (large) {
        job.large(true);
        prefix += hex("1d 21 11");
    }
    job.line(text);
    QCOMPARE(job.bytes(), prefix + expected);
    for (const QByteArray &l : job.bytes().mid(prefix.size()).split('\n'))
        QVERIFY2(l.size() <= job.columns(), l.constData());
}

void TestEscPos::columnsLine_data()
{
    QTest::addColumn<int>("paper");
    QTest::addColumn<QString>("left");
    QTest::addColumn<QString>("right");
    QTest::addColumn<QByteArray>("expected");
    // 12 + 16 spaces + 4 = 32
    QTest::newRow("58 mm") << 58 << u"Poin didapat"_s << u"+125"_s
                           << QByteArray("Poin didapat") + QByteArray(16, ' ') + "+125\n";
    // 10 + 33 + 5 = 48
    QTest::newRow("80 mm") << 80 << u"Saldo poin"_s << u"1.250"_s
                           << QByteArray("Saldo poin") + QByteArray(33, ' ') + "1.250\n";
    // Left may have 32 - 3 - 1 = 28 characters: "Voucher belanja akhir tahun " without its trailing
    // space (27), then 2 spaces.
    QTest::newRow("58 mm, left cut to leave a space")
        << 58 << u"Voucher belanja akhir tahun untuk anggota"_s << u"-50"_s
        << QByteArray("Voucher belanja akhir tahun  -50\n");
    QTest::newRow("accented text") << 58 << u"Café Lumière"_s << u"Rp 15.000"_s
                                   << QByteArray("Cafe Lumiere") + QByteArray(11, ' ') + "Rp 15.000\n";
    QTest::newRow("no right side") << 58 << u"Anggota"_s << QString() << QByteArray("Anggota") + QByteArray(25, ' ') + '\n';
    QTest::newRow("right side wider than the paper")
        << 58 << u"x"_s << u"0123456789012345678901234567890123456789"_s << QByteArray("01234567890123456789012345678901\n");
}

void TestEscPos::columnsLine()
{
    QFETCH(int, paper);
    QFETCH(QString, left);
    QFETCH(QString, right);
    QFETCH(QByteArray, expected);
    EscPosJob job(paper == 58 ? PaperWidth::Mm58 : PaperWidth::Mm80);
    job.columns(left, right);
    QCOMPARE(job.bytes(), kInit + expected);
    QCOMPARE(expected.size() - 1, qsizetype(job.columns()));
}

void TestEscPos::transliteration_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << u"Setia 2700000000014"_s << QByteArray("Setia 2700000000014");
    QTest::newRow("é") << u"Café"_s << QByteArray("Cafe");
    QTest::newRow("ü ß") << u"Jürgen Müßig"_s << QByteArray("Jurgen Mussig");
    QTest::newRow("decomposed e + acute") << u"Cafe\u0301"_s << QByteArray("Cafe");
    QTest::newRow("typographic quotes, dash") << u"\u201CHemat\u201D \u2013 10%"_s << QByteArray("\"Hemat\" - 10%");
    QTest::newRow("ligature fi, superscript") << u"\uFB01le m\u00B2"_s << QByteArray("file m2");
    QTest::newRow("euro, no-break space") << u"\u20AC\u00A05"_s << QByteArray("EUR 5");
    QTest::newRow("Polish, Danish") << u"Łódź Søren"_s << QByteArray("Lodz Soren");
    QTest::newRow("multiplier, ellipsis") << u"Bayar pakai QRIS \u00D71.1\u2026"_s << QByteArray("Bayar pakai QRIS x1.1...");
    QTest::newRow("CJK") << u"日本"_s << QByteArray("??");
    QTest::newRow("emoji is one character") << u"ok \U0001F600!"_s << QByteArray("ok ?!");
    QTest::newRow("control character") << u"a\u0007b"_s << QByteArray("a?b");
    QTest::newRow("tab") << u"a\tb"_s << QByteArray("a b");
}

void TestEscPos::transliteration()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, expected);
    QCOMPARE(EscPosJob::transliterate(text), expected);
    EscPosJob job(PaperWidth::Mm80);
    job.line(text);
    QCOMPARE(job.bytes(), kInit + expected + '\n');
}

void TestEscPos::rasterHeaderAndBits()
{
    // 10 × 2 pixels. Row 0: x = 0, 1, 9 black. Row 1: x = 8 black, x = 4 grey 127 (prints),
    // x = 5 grey 128 (does not). On 58 mm paper (384 dots) it is centred: 187 dots of white
    // first, so x maps to dot 187 + x and a row is (187 + 10 + 7) / 8 = 25 bytes.
    QImage img(10, 2, QImage::Format_Grayscale8);
    img.fill(255);
    img.scanLine(0)[0] = 0;
    img.scanLine(0)[1] = 0;
    img.scanLine(0)[9] = 0;
    img.scanLine(1)[8] = 0;
    img.scanLine(1)[4] = 127;
    img.scanLine(1)[5] = 128;
    EscPosJob job(PaperWidth::Mm58);
    job.image(img);
    QVERIFY(!job.hasError());
    // dot 187 = byte 23 bit 3 (0x10), 188 = byte 23 0x08, 196 = byte 24 0x08; 195 = byte 24 0x10,
    // 191 = byte 23 0x01.
    const QByteArray expected = kInit + hex("1d 76 30 00 19 00 02 00") + QByteArray(23, '\0') + hex("18 08")
                                + QByteArray(23, '\0') + hex("01 10");
    QCOMPARE(job.bytes().toHex(' '), expected.toHex(' '));
}

void TestEscPos::rasterScaledDownAndTransparent()
{
    // Twice as wide as 58 mm paper: scaled to 384 × 1, all black: 48 bytes of 0xff.
    QImage wide(768, 2, QImage::Format_RGB32);
    wide.fill(Qt::black);
    EscPosJob job(PaperWidth::Mm58);
    job.image(wide);
    QCOMPARE(job.bytes(), kInit + hex("1d 76 30 00 30 00 01 00") + QByteArray(48, '\xff'));
    // Fully transparent black is white paper; opaque black on an ARGB image prints.
    QImage clear(8, 1, QImage::Format_ARGB32);
    clear.fill(Qt::transparent);
    clear.setPixel(7, 0, qRgba(0, 0, 0, 255));
    // On 80 mm: offset (576 - 8) / 2 = 284, a row is (284 + 8 + 7) / 8 = 37 bytes; x = 7 is dot
    // 291: byte 36 (dots 288..295), bit 3 (0x10).
    EscPosJob job2(PaperWidth::Mm80);
    job2.image(clear);
    QCOMPARE(job2.bytes(), kInit + hex("1d 76 30 00 25 00 01 00") + QByteArray(36, '\0') + hex("10"));
    EscPosJob job3;
    job3.image(QImage());
    QVERIFY(job3.hasError());
    QVERIFY(job3.isEmpty());
}

void TestEscPos::rasterBands()
{
    QImage tall(16, 300, QImage::Format_Grayscale8);
    tall.fill(0);
    EscPosJob job(PaperWidth::Mm58); // offset 184 = byte 23 exactly: bytes 23, 24 black, 25 per row
    job.image(tall);
    const QByteArray b = job.bytes();
    const QByteArray row = QByteArray(23, '\0') + hex("ff ff");
    QCOMPARE(row.size(), 25);
    QCOMPARE(b.mid(2, 8), hex("1d 76 30 00 19 00 ff 00"));
    QCOMPARE(b.mid(10, 25), row);
    const qsizetype second = 2 + 8 + 25 * 255;
    QCOMPARE(b.mid(second, 8), hex("1d 76 30 00 19 00 2d 00")); // 45 rows
    QCOMPARE(b.size(), second + 8 + 25 * 45);
    QCOMPARE(b.mid(b.size() - 25), row);
}

void TestEscPos::barcodesRoundTrip_data()
{
    QTest::addColumn<int>("paper");
    QTest::addColumn<int>("moduleDots");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QByteArray>("number");
    QTest::newRow("80 mm") << 80 << 6 << QByteArray("SETIA1:2700000000014:20261125:7KQ2M9XD4T") << QByteArray("2700000000014");
    QTest::newRow("58 mm, module too wide: made smaller")
        << 58 << 12 << QByteArray("https://setia.id/c/2700000000014?k=7KQ2M9XD4T&v=2") << QByteArray("SETIA-2700000000014");
}

void TestEscPos::barcodesRoundTrip()
{
    QFETCH(int, paper);
    QFETCH(int, moduleDots);
    QFETCH(QByteArray, token);
    QFETCH(QByteArray, number);
    const PaperWidth width = paper == 58 ? PaperWidth::Mm58 : PaperWidth::Mm80;
    EscPosJob job(width);
    job.align(EscPosJob::Align::Center).bold(true).line(u"Kartu Anggota"_s).bold(false);
    job.qrCode(token, moduleDots).feed(1).code128(number).line(QString::fromLatin1(number)).feed(3).cut();
    QVERIFY2(!job.hasError(), qPrintable(job.errorString()));
    QString error = u"not cleared"_s;
    const QImage preview = setia::renderEscPosPreview(job.bytes(), width, &error);
    QVERIFY2(!preview.isNull(), qPrintable(error));
    QVERIFY(error.isEmpty());
    QCOMPARE(preview.width(), job.dotsPerLine());
    QCOMPARE(decode(preview, ZXing::BarcodeFormat::QRCode), token.toStdString());
    QCOMPARE(decode(preview, ZXing::BarcodeFormat::Code128), number.toStdString());
}

void TestEscPos::barcodeErrors()
{
    EscPosJob job(PaperWidth::Mm58);
    job.code128(QByteArray("caf\xc3\xa9")); // not printable ASCII
    QVERIFY(job.hasError());
    QVERIFY(job.isEmpty());
    // 40 letters: start + 40 + check symbols of 11 modules, stop of 13, 20 of quiet zone:
    // 486 dots at one dot per module, wider than 58 mm paper (384), narrower than 80 mm (576).
    EscPosJob job2(PaperWidth::Mm58);
    job2.code128(QByteArray(40, 'A'));
    QVERIFY(job2.hasError());
    QVERIFY(job2.isEmpty());
    EscPosJob job2b(PaperWidth::Mm80);
    job2b.code128(QByteArray(40, 'A'));
    QVERIFY2(!job2b.hasError(), qPrintable(job2b.errorString()));
    QCOMPARE(job2b.bytes().mid(2, 4), hex("1d 76 30 00"));
    EscPosJob job3;
    job3.qrCode(QByteArray());
    QVERIFY(job3.hasError());
    QVERIFY(job3.isEmpty());
}

void TestEscPos::previewLayout()
{
    // Centred "AB" on 58 mm: 2 cells of 12 dots = 24 dots, from (384 - 24) / 2 = 180.
    EscPosJob job(PaperWidth::Mm58);
    job.align(EscPosJob::Align::Center).line(u"AB"_s).align(EscPosJob::Align::Right).line(u"C"_s);
    job.large(true).line(u"D"_s).large(false).feed(2).cut();
    QString error;
    const QImage img = setia::renderEscPosPreview(job.bytes(), PaperWidth::Mm58, &error);
    QVERIFY2(!img.isNull(), qPrintable(error));
    QCOMPARE(img.width(), 384);
    // 30 + 30 + 54 (double height) + 60 (feed 2) + 8 (cut)
    QCOMPARE(img.height(), 30 + 30 + 54 + 60 + 8);
    QVERIFY(darkCount(img, 0, 30) > 20);
    QVERIFY(!darkOutside(img, 0, 30, 180, 204));
    QVERIFY(darkCount(img, 30, 60) > 10);
    QVERIFY(!darkOutside(img, 30, 60, 384 - 12, 384));
    QVERIFY(darkCount(img, 60, 114) > 20);
    QVERIFY(!darkOutside(img, 60, 114, 384 - 24, 384)); // double width, still right-aligned
}

void TestEscPos::malformedJob_data()
{
    QTest::addColumn<QByteArray>("job");
    QTest::addColumn<QString>("where");
    QTest::newRow("ESC cut short") << hex("1b 40 41 1b") << u"offset 3"_s;
    QTest::newRow("unknown ESC z") << hex("1b 40 1b 7a 00") << u"offset 2"_s;
    QTest::newRow("BEL") << hex("1b 40 41 07") << u"offset 3"_s;
    QTest::newRow("raster cut short") << hex("1b 40 1d 76 30 00 02 00 05 00 ff ff ff") << u"offset 10"_s;
    QTest::newRow("raster m = 1") << hex("1b 40 1d 76 30 01 01 00 01 00 ff") << u"offset 2"_s;
    QTest::newRow("raster wider than paper") << hex("1b 40 1d 76 30 00 31 00 01 00") + QByteArray(49, '\0') << u"offset 2"_s;
    QTest::newRow("GS ! with bit 7") << hex("1b 40 1d 21 88") << u"offset 2"_s;
    QTest::newRow("GS V 7") << hex("1b 40 1d 56 07") << u"offset 2"_s;
    QTest::newRow("ESC a 5") << hex("1b 40 1b 61 05") << u"offset 2"_s;
    QTest::newRow("high byte") << QByteArray("\x1b@caf\xc3\xa9") << u"offset 5"_s;
}

void TestEscPos::malformedJob()
{
    QFETCH(QByteArray, job);
    QFETCH(QString, where);
    QString error;
    const QImage img = setia::renderEscPosPreview(job, PaperWidth::Mm58, &error);
    QVERIFY(img.isNull());
    QVERIFY2(error.contains(where), qPrintable(error));
}

QTEST_MAIN(TestEscPos)

#include "tst_escpos.moc"
