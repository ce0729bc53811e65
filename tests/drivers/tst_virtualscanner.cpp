// The virtual scanner: scans sent over the local socket arrive as Scan values; bad lines are
// refused with a reason and emit nothing; the socket is owner-only and never stolen from a
// live terminal; `setiactl scan` is a working client.
#include "drivers/barcode.h"
#include "drivers/virtualscanner.h"

#include <QFileInfo>
#include <QLocalSocket>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QElapsedTimer>

using namespace Qt::StringLiterals;
using namespace setia;

class TestVirtualScanner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parseLine_data();
    void parseLine();
    void scansArriveOverTheSocket();
    void badLinesAreRefusedAndNothingIsEmitted();
    void oversizedLineIsRefused();
    void liveSocketIsNotStolenButStaleOneIsReplaced();
    void setiactlScanIsAClient();

private:
    // Sends raw bytes and returns the answer line, pumping the event loop (server in this thread).
    static QByteArray roundTrip(const QString &path, const QByteArray &bytes)
    {
        QLocalSocket s;
        s.connectToServer(path);
        if (!s.waitForConnected(2000))
            return "no connection";
        s.write(bytes);
        s.flush();
        QElapsedTimer t;
        t.start();
        while (!s.canReadLine() && s.state() == QLocalSocket::ConnectedState && t.elapsed() < 3000)
            QTest::qWait(5); // the server runs in this thread: keep its event loop turning
        return s.readLine();
    }
};

void TestVirtualScanner::parseLine_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("errorContains");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("source");
    QTest::newRow("card") << QByteArray(R"({"payload":"MjAwMTIzNDU2Nzg5MA==","symbology":"ean13"})") << true << QString()
                          << QByteArray("2001234567890") << u"virtual"_s;
    QTest::newRow("track from a reader") << QByteArray(R"({"source":"magstripe","payload":"JUJBQkM/"})") << true << QString()
                                         << QByteArray("%BABC?") << u"magstripe"_s;
    QTest::newRow("binary bytes") << QByteArray(R"({"payload":"AP8Q"})") << true << QString() << QByteArray("\x00\xff\x10", 3)
                                  << u"virtual"_s;
    QTest::newRow("not json") << QByteArray("2001234567890") << false << u"not a JSON object"_s << QByteArray() << QString();
    QTest::newRow("array") << QByteArray("[1]") << false << u"not a JSON object"_s << QByteArray() << QString();
    QTest::newRow("no payload") << QByteArray(R"({"symbology":"qr"})") << false << u"payload: missing"_s << QByteArray()
                                << QString();
    QTest::newRow("bad base64") << QByteArray(R"({"payload":"***"})") << false << u"not valid base64"_s << QByteArray()
                                << QString();
    QTest::newRow("empty payload") << QByteArray(R"({"payload":""})") << false << u"payload: empty"_s << QByteArray()
                                   << QString();
    QTest::newRow("empty payload of a tapped bank card") << QByteArray(R"({"source":"contactless","symbology":"emv","payload":""})")
                                                         << true << QString() << QByteArray() << u"contactless"_s;
    QTest::newRow("unknown source") << QByteArray(R"({"source":"telepathy","payload":"QQ=="})") << false
                                    << u"source: unknown"_s << QByteArray() << QString();
    QTest::newRow("unknown field") << QByteArray(R"({"payload":"QQ==","member":"x"})") << false << u"member: unknown field"_s
                                   << QByteArray() << QString();
}

void TestVirtualScanner::parseLine()
{
    QFETCH(QByteArray, line);
    QFETCH(bool, ok);
    Scan scan;
    QString error;
    QCOMPARE(VirtualScanner::parseLine(line, &scan, &error), ok);
    if (ok) {
        QFETCH(QByteArray, payload);
        QFETCH(QString, source);
        QCOMPARE(scan.payload, payload);
        QCOMPARE(sourceName(scan.source), source);
        QVERIFY(scan.atMs > 0);
        // encodeLine and parseLine agree.
        Scan back;
        QVERIFY(VirtualScanner::parseLine(VirtualScanner::encodeLine(scan).chopped(1), &back, &error));
        QCOMPARE(back.payload, scan.payload);
        QCOMPARE(back.source, scan.source);
        QCOMPARE(back.symbology, scan.symbology);
    } else {
        QFETCH(QString, errorContains);
        QVERIFY2(error.contains(errorContains), qPrintable(error));
    }
}

void TestVirtualScanner::scansArriveOverTheSocket()
{
    QTemporaryDir dir;
    VirtualScanner server;
    QVERIFY2(server.listen(dir.filePath(u"s.sock"_s)), qPrintable(server.errorString()));
    QVERIFY(QFileInfo(server.socketPath()).exists());
    // Owner-only: no group or other permission bits on the socket file.
    const auto perms = QFileInfo(server.socketPath()).permissions();
    QVERIFY(!(perms & (QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther)));
    QSignalSpy spy(&server, &VirtualScanner::scanned);
    Scan sent;
    sent.source = Scan::Source::MagStripe;
    sent.symbology = u"track"_s;
    sent.payload = ";2001234567890=?\r";
    QCOMPARE(roundTrip(server.socketPath(), VirtualScanner::encodeLine(sent)), QByteArray("{\"ok\":true}\n"));
    QTRY_COMPARE(spy.size(), 1);
    const Scan got = spy.at(0).at(0).value<Scan>();
    QCOMPARE(got.payload, sent.payload);
    QCOMPARE(got.source, Scan::Source::MagStripe);
    QCOMPARE(got.symbology, u"track"_s);
    // Two scans on one connection arrive in order.
    Scan a, b;
    a.payload = "first";
    b.payload = "second";
    roundTrip(server.socketPath(), VirtualScanner::encodeLine(a) + VirtualScanner::encodeLine(b));
    QTRY_COMPARE(spy.size(), 3);
    QCOMPARE(spy.at(1).at(0).value<Scan>().payload, QByteArray("first"));
    QCOMPARE(spy.at(2).at(0).value<Scan>().payload, QByteArray("second"));
}

void TestVirtualScanner::badLinesAreRefusedAndNothingIsEmitted()
{
    QTemporaryDir dir;
    VirtualScanner server;
    QVERIFY(server.listen(dir.filePath(u"s.sock"_s)));
    QSignalSpy spy(&server, &VirtualScanner::scanned);
    const QByteArray answer = roundTrip(server.socketPath(), "garbage\n");
    QVERIFY2(answer.startsWith("{\"error\":\"not a JSON object") || answer.contains("\"ok\":false"), answer.constData());
    QTest::qWait(50);
    QCOMPARE(spy.size(), 0);
}

void TestVirtualScanner::oversizedLineIsRefused()
{
    QTemporaryDir dir;
    VirtualScanner server;
    QVERIFY(server.listen(dir.filePath(u"s.sock"_s)));
    QSignalSpy spy(&server, &VirtualScanner::scanned);
    const QByteArray huge = QByteArray(R"({"payload":")") + QByteArray(VirtualScanner::kMaxLine + 100, 'A') + "\"}\n";
    const QByteArray answer = roundTrip(server.socketPath(), huge);
    QVERIFY2(answer.contains("longer than"), answer.constData());
    QTest::qWait(50);
    QCOMPARE(spy.size(), 0);
}

void TestVirtualScanner::liveSocketIsNotStolenButStaleOneIsReplaced()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"s.sock"_s);
    {
        VirtualScanner first;
        QVERIFY(first.listen(path));
        VirtualScanner second;
        QVERIFY(!second.listen(path));
        QVERIFY2(second.errorString().contains(u"already listens"_s), qPrintable(second.errorString()));
    }
    // A stale file (a crashed terminal) is replaced.
    QFile stale(path);
    QVERIFY(stale.open(QIODevice::WriteOnly));
    stale.close();
    VirtualScanner third;
    QVERIFY2(third.listen(path), qPrintable(third.errorString()));
}

void TestVirtualScanner::setiactlScanIsAClient()
{
#ifndef SETIACTL_PATH
    QSKIP("setiactl is not built");
#else
    QTemporaryDir dir;
    VirtualScanner server;
    QVERIFY(server.listen(dir.filePath(u"s.sock"_s)));
    QSignalSpy spy(&server, &VirtualScanner::scanned);
    QProcess p;
    p.start(QStringLiteral(SETIACTL_PATH), {u"scan"_s, u"--socket"_s, server.socketPath(), u"--source"_s, u"magstripe"_s,
                                            u"--hex"_s, u"3b323030313233343536373839303d3f"_s});
    QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 10000);
    QCOMPARE(p.exitCode(), 0);
    QTRY_COMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(0).value<Scan>().payload, QByteArray(";2001234567890=?"));
    QCOMPARE(spy.at(0).at(0).value<Scan>().source, Scan::Source::MagStripe);
    // No terminal listening: exit 3 with a message that says what to do.
    QProcess q;
    q.start(QStringLiteral(SETIACTL_PATH), {u"scan"_s, u"--socket"_s, dir.filePath(u"nobody.sock"_s), u"x"_s});
    QTRY_VERIFY_WITH_TIMEOUT(q.state() == QProcess::NotRunning, 10000);
    QCOMPARE(q.exitCode(), 3);
    QVERIFY(q.readAllStandardError().contains("No Setia terminal is listening"));
    // A picture of a QR code (support: a customer's screenshot) arrives as a camera scan.
    const QString png = dir.filePath(u"qr.png"_s);
    QVERIFY(setia::renderQrCode("SETIA1.dGVzdA.c2ln", 6).save(png));
    QProcess img;
    img.start(QStringLiteral(SETIACTL_PATH), {u"scan"_s, u"--socket"_s, server.socketPath(), u"--image"_s, png});
    QTRY_VERIFY_WITH_TIMEOUT(img.state() == QProcess::NotRunning, 10000);
    QVERIFY2(img.exitCode() == 0, img.readAllStandardError().constData());
    QTRY_COMPARE(spy.size(), 2);
    QCOMPARE(spy.at(1).at(0).value<Scan>().payload, QByteArray("SETIA1.dGVzdA.c2ln"));
    QCOMPARE(spy.at(1).at(0).value<Scan>().source, Scan::Source::Camera);
    QCOMPARE(spy.at(1).at(0).value<Scan>().symbology, u"qr"_s);
    // A picture without a code, and a missing file: exit 2 and why; nothing sent.
    QFile blank(dir.filePath(u"blank.txt"_s));
    QVERIFY(blank.open(QIODevice::WriteOnly) && blank.write("not a picture") > 0);
    blank.close();
    for (const QString &file : {blank.fileName(), dir.filePath(u"missing.png"_s)}) {
        QProcess bad;
        bad.start(QStringLiteral(SETIACTL_PATH), {u"scan"_s, u"--socket"_s, server.socketPath(), u"--image"_s, file});
        QTRY_VERIFY_WITH_TIMEOUT(bad.state() == QProcess::NotRunning, 10000);
        QCOMPARE(bad.exitCode(), 2);
        QVERIFY(bad.readAllStandardError().contains("cannot read"));
    }
    // A tapped contactless bank card: no payload at all.
    QProcess emv;
    emv.start(QStringLiteral(SETIACTL_PATH), {u"scan"_s, u"--socket"_s, server.socketPath(), u"--source"_s, u"contactless"_s,
                                              u"--symbology"_s, u"emv"_s});
    QTRY_VERIFY_WITH_TIMEOUT(emv.state() == QProcess::NotRunning, 10000);
    QCOMPARE(emv.exitCode(), 0);
    QTRY_COMPARE(spy.size(), 3);
    QVERIFY(spy.at(2).at(0).value<Scan>().payload.isEmpty());
    QCOMPARE(spy.at(2).at(0).value<Scan>().symbology, u"emv"_s);
    QCOMPARE(spy.size(), 3);
    // Bad usage: exit 2.
    QProcess r;
    r.start(QStringLiteral(SETIACTL_PATH), {u"scan"_s, u"--hex"_s, u"zz"_s});
    QTRY_VERIFY_WITH_TIMEOUT(r.state() == QProcess::NotRunning, 10000);
    QCOMPARE(r.exitCode(), 2);
#endif
}

QTEST_GUILESS_MAIN(TestVirtualScanner)
#include "tst_virtualscanner.moc"
