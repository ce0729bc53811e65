// Digital-card QR codes and Code 128 card numbers: what Setia draws, ZXing-cpp's decoder reads
// back exactly.
#include "drivers/barcode.h"

#include <ZXing/ReadBarcode.h>

#include <QTest>

using namespace Qt::StringLiterals;

class TestBarcode : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void refusesWhatCannotBeEncoded();
    void code128RoundTrip_data();
    void code128RoundTrip();
    void code128RefusesWhatCannotBeEncoded_data();
    void code128RefusesWhatCannotBeEncoded();
};

void TestBarcode::roundTrip_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("module");
    QTest::newRow("card number") << QByteArray("2700000000014") << 4;
    QTest::newRow("one pixel per module") << QByteArray("2900000000017") << 1;
    QTest::newRow("longer payload") << QByteArray("SETIA1:2700000000014:20261125:7KQ2M9XD4T") << 6;
}

void TestBarcode::roundTrip()
{
    QFETCH(QByteArray, text);
    QFETCH(int, module);
    const QImage img = setia::renderQrCode(text, module);
    QVERIFY(!img.isNull());
    QCOMPARE(img.format(), QImage::Format_Grayscale8);
    QCOMPARE(img.width() % module, 0);
    // Quiet zone: the border is white.
    QCOMPARE(qGray(img.pixel(0, 0)), 255);
    QCOMPARE(qGray(img.pixel(img.width() - 1, img.height() - 1)), 255);
    const ZXing::ImageView view(img.constBits(), img.width(), img.height(), ZXing::ImageFormat::Lum, int(img.bytesPerLine()));
    const ZXing::Result r = ZXing::ReadBarcode(view);
    QVERIFY(r.isValid());
    QCOMPARE(r.format(), ZXing::BarcodeFormat::QRCode);
    QCOMPARE(QString::fromStdWString(r.text()), QString::fromLatin1(text));
}

void TestBarcode::refusesWhatCannotBeEncoded()
{
    QVERIFY(setia::renderQrCode(QByteArray()).isNull());
    QVERIFY(setia::renderQrCode(QByteArray(5000, 'x')).isNull());
    QVERIFY(setia::renderQrCode("2700000000014", 0).isNull());
}

void TestBarcode::code128RoundTrip_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("module");
    QTest::addColumn<int>("height");
    QTest::newRow("card number") << QByteArray("2012345678903") << 2 << 80;
    QTest::newRow("one pixel per module") << QByteArray("2012345678903") << 1 << 40;
    QTest::newRow("odd digit count") << QByteArray("201234567890") + '7' << 3 << 60;
    QTest::newRow("letters and digits") << QByteArray("MBR-00417-x") << 2 << 50;
    QTest::newRow("punctuation") << QByteArray(" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") << 2 << 30;
    QTest::newRow("one character") << QByteArray("7") << 2 << 20;
    QTest::newRow("eighty characters") << QByteArray("SETIA-").repeated(13) + "12" << 1 << 30;
    QTest::newRow("one row") << QByteArray("2012345678903") << 2 << 1;
}

void TestBarcode::code128RoundTrip()
{
    QFETCH(QByteArray, text);
    QFETCH(int, module);
    QFETCH(int, height);
    const QImage img = setia::renderCode128(text, module, height);
    QVERIFY(!img.isNull());
    QCOMPARE(img.format(), QImage::Format_Grayscale8);
    QCOMPARE(img.height(), height);
    QCOMPARE(img.width() % module, 0);
    // Quiet zones of ten modules, white; the bars start right after the left one and end right
    // before the right one; a Code 128 symbol ends with its stop pattern's two-module bar.
    const uchar *row = img.constScanLine(0);
    for (int x = 0; x < 10 * module; ++x) {
        QCOMPARE(int(row[x]), 255);
        QCOMPARE(int(row[img.width() - 1 - x]), 255);
    }
    QCOMPARE(int(row[10 * module]), 0);
    QCOMPARE(int(row[img.width() - 10 * module - 1]), 0);
    // Bars are whole modules wide and every row is the same.
    for (int x = 0; x < img.width(); x += module)
        for (int dx = 1; dx < module; ++dx)
            QCOMPARE(row[x + dx], row[x]);
    for (int y = 1; y < height; ++y)
        QVERIFY(memcmp(img.constScanLine(y), row, size_t(img.width())) == 0);
    // Start, data, check character and stop: 11 modules each (stop 13), so the width says how
    // many symbols were drawn — digits are packed two to a symbol where that is shorter.
    QCOMPARE((img.width() / module - 20 - 2) % 11, 0);
    // At least five rows for a scan line to cross, as a camera would have it.
    QImage tall = img;
    if (height < 5)
        tall = img.scaled(img.width(), 5);
    const ZXing::ImageView view(tall.constBits(), tall.width(), tall.height(), ZXing::ImageFormat::Lum, int(tall.bytesPerLine()));
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::Code128);
    hints.setMinLineCount(1);
    const ZXing::Result r = ZXing::ReadBarcode(view, hints);
    QVERIFY(r.isValid());
    QCOMPARE(r.format(), ZXing::BarcodeFormat::Code128);
    const QByteArray bytes(reinterpret_cast<const char *>(r.bytes().data()), qsizetype(r.bytes().size()));
    QCOMPARE(bytes, text);
}

void TestBarcode::code128RefusesWhatCannotBeEncoded_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("module");
    QTest::addColumn<int>("height");
    QTest::newRow("empty") << QByteArray() << 2 << 80;
    QTest::newRow("81 characters") << QByteArray(81, '7') << 2 << 80;
    QTest::newRow("control character") << QByteArray("2012\x01") << 2 << 80;
    QTest::newRow("tab") << QByteArray("2012\t345") << 2 << 80;
    QTest::newRow("DEL") << QByteArray("2012\x7f") << 2 << 80;
    QTest::newRow("UTF-8") << QByteArray("Caf\xc3\xa9") << 2 << 80;
    QTest::newRow("NUL inside") << QByteArray("20\0" "12", 5) << 2 << 80;
    QTest::newRow("module 0") << QByteArray("2012345678903") << 0 << 80;
    QTest::newRow("height 0") << QByteArray("2012345678903") << 2 << 0;
    QTest::newRow("negative module") << QByteArray("2012345678903") << -1 << 80;
}

void TestBarcode::code128RefusesWhatCannotBeEncoded()
{
    QFETCH(QByteArray, text);
    QFETCH(int, module);
    QFETCH(int, height);
    QVERIFY(setia::renderCode128(text, module, height).isNull());
}

QTEST_GUILESS_MAIN(TestBarcode)
#include "tst_barcode.moc"
