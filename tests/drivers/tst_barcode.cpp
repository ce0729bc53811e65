// Digital-card QR codes: what Setia draws, ZXing-cpp's decoder reads back exactly.
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

QTEST_GUILESS_MAIN(TestBarcode)
#include "tst_barcode.moc"
