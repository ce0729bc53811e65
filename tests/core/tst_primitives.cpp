// Identifiers, clocks, phone numbers, money, codes, crypto and CSV: the small parts everything
// else stands on, checked against published vectors where they exist.
#include "core/clock.h"
#include "core/crypto.h"
#include "core/csv.h"
#include "core/ids.h"
#include "core/ledger.h"
#include "core/loyalty.h"
#include "core/money.h"
#include "core/phone.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace setia;

class TestPrimitives : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void uuidv7Layout();
    void uuidv7Monotonic();
    void hlcNeverGoesBack();
    void gs1CheckDigit_data();
    void gs1CheckDigit();
    void memberCardNumbers();
    void humanCodes();
    void phone_data();
    void phone();
    void money_data();
    void money();
    void sha256Vectors_data();
    void sha256Vectors();
    void aesGcmRoundTripAndTamper();
    void scryptPins();
    void keyFilePermissions();
    void canonicalJsonIsStable();
    void csvParsing();
};

void TestPrimitives::uuidv7Layout()
{
    SeededRandom r(1);
    const qint64 ms = 1'764'000'000'123LL;
    const QString id = uuidv7(ms, r);
    QVERIFY(isUuid(id));
    QCOMPARE(id.at(14), u'7');                       // version
    QVERIFY(QStringLiteral("89ab").contains(id.at(19))); // variant 10xx
    QCOMPARE(uuidv7Millis(id), ms);
}

void TestPrimitives::uuidv7Monotonic()
{
    SecureRandom r;
    QSet<QString> seen;
    QString prev;
    for (int i = 0; i < 1000; ++i) {
        const QString id = uuidv7(1'764'000'000'000LL + i, r);
        QVERIFY(!seen.contains(id));
        seen.insert(id);
        if (!prev.isEmpty())
            QVERIFY(prev < id); // time-ordered text
        prev = id;
    }
}

void TestPrimitives::hlcNeverGoesBack()
{
    ManualClock clock(1000);
    HybridLogicalClock hlc(clock);
    const qint64 a = hlc.now();
    clock.set(500); // the wall clock steps back
    const qint64 b = hlc.now();
    QVERIFY(b > a);
    QCOMPARE(HybridLogicalClock::physicalMs(b), 1000);
    hlc.observe(HybridLogicalClock::make(5000, 3));
    const qint64 c = hlc.now();
    QVERIFY(c > HybridLogicalClock::make(5000, 3));
    clock.set(9000);
    QCOMPARE(hlc.now(), HybridLogicalClock::make(9000, 0));
}

void TestPrimitives::gs1CheckDigit_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<bool>("valid");
    // Published GS1 examples.
    QTest::newRow("EAN-13 4006381333931") << u"4006381333931"_s << true;
    QTest::newRow("EAN-13 8992761111113 (Indonesian prefix 899)") << u"8992761111113"_s << true;
    QTest::newRow("EAN-13 5901234123457") << u"5901234123457"_s << true;
    QTest::newRow("wrong check") << u"4006381333932"_s << false;
    QTest::newRow("too short") << u"400638133393"_s << false;
    QTest::newRow("letters") << u"40063813339A1"_s << false;
}

void TestPrimitives::gs1CheckDigit()
{
    QFETCH(QString, code);
    QFETCH(bool, valid);
    QCOMPARE(isValidEan13(code), valid);
}

void TestPrimitives::memberCardNumbers()
{
    const QString n = makeMemberCardNumber(7, 12345);
    QCOMPARE(n, u"2700000123450"_s.left(12) + QString::number(setia::gs1CheckDigit(u"270000012345"_s)));
    QVERIFY(isValidEan13(n));
    QVERIFY(n.startsWith(u'2')); // GS1 restricted circulation: never a product barcode
}

void TestPrimitives::humanCodes()
{
    SeededRandom r(7);
    for (int i = 0; i < 200; ++i) {
        const QString code = makeHumanCode(r, 10);
        QVERIFY2(isValidHumanCode(code), qPrintable(code));
        const QString n = normalizeHumanCode(code);
        // Every single-character change is caught.
        for (qsizetype p = 0; p < n.size(); ++p) {
            QString typo = n;
            typo[p] = typo[p] == u'0' ? u'1' : u'0';
            if (typo != n)
                QVERIFY2(!isValidHumanCode(typo), qPrintable(typo));
        }
    }
    // Read-aloud mistakes are folded: O -> 0, I/L -> 1, lower case and dashes ignored.
    QCOMPARE(normalizeHumanCode(u"ab-cd ol i"_s), u"ABCD011"_s.left(4) + u"011"_s);
}

void TestPrimitives::phone_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("e164"); // empty: must be refused
    QTest::newRow("national mobile") << u"0812-3456-7890"_s << u"+6281234567890"_s;
    QTest::newRow("spaces") << u"0812 3456 789"_s << u"+62812345678 9"_s.remove(u' ');
    QTest::newRow("+62 with spaces") << u"+62 812 3456 7890"_s << u"+6281234567890"_s;
    QTest::newRow("62 without plus") << u"6281234567890"_s << u"+6281234567890"_s;
    QTest::newRow("00 international") << u"006281234567890"_s << u"+6281234567890"_s;
    QTest::newRow("without trunk 0") << u"81234567890"_s << u"+6281234567890"_s;
    QTest::newRow("Jakarta landline") << u"(021) 555-1234"_s << u"+62215551234"_s;
    QTest::newRow("Singapore") << u"+65 9123 4567"_s << u"+6591234567"_s;
    QTest::newRow("letters") << u"0812-CALL-ME"_s << QString();
    QTest::newRow("too short") << u"0812"_s << QString();
    QTest::newRow("too long") << u"08123456789012345"_s << QString();
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("short mobile") << u"0812345"_s << QString();
}

void TestPrimitives::phone()
{
    QFETCH(QString, input);
    QFETCH(QString, e164);
    auto r = normalizePhone(input);
    if (e164.isEmpty()) {
        QVERIFY2(!r.ok(), qPrintable(input));
        QVERIFY(!r.error().message.isEmpty());
    } else {
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r.value(), e164);
    }
}

void TestPrimitives::money_data()
{
    QTest::addColumn<qint64>("minor");
    QTest::addColumn<QString>("currency");
    QTest::addColumn<QString>("locale");
    QTest::addColumn<QString>("text");
    QTest::newRow("IDR id") << qint64(125000) << u"IDR"_s << u"id_ID"_s << u"Rp125.000"_s;
    QTest::newRow("IDR en") << qint64(125000) << u"IDR"_s << u"en_US"_s << u"Rp125,000"_s;
    QTest::newRow("IDR zero") << qint64(0) << u"IDR"_s << u"id_ID"_s << u"Rp0"_s;
    QTest::newRow("SGD en") << qint64(123456) << u"SGD"_s << u"en_US"_s << u"S$1,234.56"_s;
    QTest::newRow("MYR id") << qint64(5) << u"MYR"_s << u"id_ID"_s << u"RM0,05"_s;
}

void TestPrimitives::money()
{
    QFETCH(qint64, minor);
    QFETCH(QString, currency);
    QFETCH(QString, locale);
    QFETCH(QString, text);
    QCOMPARE(formatMoney(Money{minor, currency}, QLocale(locale)), text);
}

void TestPrimitives::sha256Vectors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("digest");
    // NIST FIPS 180-2 examples.
    QTest::newRow("abc") << QByteArray("abc") << u"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"_s;
    QTest::newRow("empty") << QByteArray() << u"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"_s;
    QTest::newRow("448 bits") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                              << u"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"_s;
}

void TestPrimitives::sha256Vectors()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, digest);
    QCOMPARE(sha256Hex(input), digest);
}

void TestPrimitives::aesGcmRoundTripAndTamper()
{
    const QByteArray key = randomBytes(32);
    const QByteArray sealed = aesGcmEncrypt(key, "Siti +6281234567890", "profile:m1");
    QVERIFY(!sealed.contains("Siti"));
    auto plain = aesGcmDecrypt(key, sealed, "profile:m1");
    QVERIFY(plain.ok());
    QCOMPARE(plain.value(), QByteArray("Siti +6281234567890"));
    QVERIFY(!aesGcmDecrypt(key, sealed, "profile:m2").ok()); // moved to another member
    QByteArray tampered = sealed;
    tampered[20] = char(tampered[20] ^ 1);
    QVERIFY(!aesGcmDecrypt(key, tampered, "profile:m1").ok());
    QVERIFY(!aesGcmDecrypt(randomBytes(32), sealed, "profile:m1").ok());
    QVERIFY(!aesGcmDecrypt(key, sealed.left(10), "profile:m1").ok());
    // Same plaintext twice: different ciphertexts (random nonce).
    QVERIFY(aesGcmEncrypt(key, "x", "a") != aesGcmEncrypt(key, "x", "a"));
}

void TestPrimitives::scryptPins()
{
    const QString h = hashSecret(u"482913"_s);
    QVERIFY(h.startsWith(u"scrypt$32768$8$1$"_s));
    QVERIFY(verifySecret(u"482913"_s, h));
    QVERIFY(!verifySecret(u"482914"_s, h));
    QVERIFY(!verifySecret(u"482913"_s, u"scrypt$2$1$1$AAAA$BBBB"_s));
    QVERIFY(!verifySecret(u"482913"_s, u"garbage"_s));
    QVERIFY(hashSecret(u"482913"_s) != h); // salted
}

void TestPrimitives::keyFilePermissions()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"k.key"_s);
    QVERIFY(!KeyRing::open(path, false).ok()); // missing and not allowed to create
    auto k = KeyRing::open(path, true);
    QVERIFY(k.ok());
    QFile f(path);
    QCOMPARE(f.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
             QFileDevice::Permissions());
    auto again = KeyRing::open(path, false);
    QVERIFY(again.ok());
    QCOMPARE(again->blindIndex(u"phone"_s, u"+62812"_s), k->blindIndex(u"phone"_s, u"+62812"_s));
    QVERIFY(k->blindIndex(u"phone"_s, u"+62812"_s) != k->blindIndex(u"name"_s, u"+62812"_s)); // domain-separated
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
    auto open = KeyRing::open(path, false);
    QVERIFY(!open.ok());
    QCOMPARE(open.error().code, u"key_permissions"_s);

    // Readable by the group: only when the file belongs to the store's shared group (here the
    // group the test made it with stands in for `setia`), and never writable by it.
    const QString group = QFileInfo(path).group();
    QVERIFY(!group.isEmpty());
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup);
    auto shared = KeyRing::open(path, false, group);
    QVERIFY2(shared.ok(), shared.ok() ? "" : qPrintable(shared.error().message));
    QCOMPARE(shared->blindIndex(u"phone"_s, u"+62812"_s), k->blindIndex(u"phone"_s, u"+62812"_s));
    auto otherGroup = KeyRing::open(path, false, u"no-such-group-setia"_s);
    QVERIFY(!otherGroup.ok());
    QCOMPARE(otherGroup.error().code, u"key_permissions"_s);
    QVERIFY(otherGroup.error().message.contains(u"chmod 600"_s));
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::WriteGroup);
    auto groupWrite = KeyRing::open(path, false, group);
    QVERIFY(!groupWrite.ok());
    QVERIFY(groupWrite.error().message.contains(u"chmod 640"_s));
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    QVERIFY(!KeyRing::open(path, false, group).ok());

    // In a shared store directory (the group's, set-group-ID: /var/lib/setia as the packages
    // make it) a new key is readable by the group; anywhere else it is the owner's alone.
    QVERIFY(!isSharedStoreDirectory(dir.path(), group));
    const QString sharedDir = dir.filePath(u"shared"_s);
    QVERIFY(QDir().mkdir(sharedDir));
    QVERIFY(::chmod(QFile::encodeName(sharedDir).constData(), 02770) == 0);
    QVERIFY(isSharedStoreDirectory(sharedDir, group));
    QVERIFY(!isSharedStoreDirectory(sharedDir, u"no-such-group-setia"_s));
    const QString sharedKey = sharedDir + u"/setia.db.key"_s;
    QVERIFY(KeyRing::open(sharedKey, true, group).ok());
    QCOMPARE(QFile::permissions(sharedKey) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup);
    QVERIFY(KeyRing::open(sharedKey, false, group).ok());
    const QString privateKey = dir.filePath(u"private.key"_s);
    QVERIFY(KeyRing::open(privateKey, true, group).ok());
    QCOMPARE(QFile::permissions(privateKey) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

void TestPrimitives::canonicalJsonIsStable()
{
    const QJsonObject o{{u"b"_s, 1}, {u"a"_s, QJsonArray{3, u"x\"y"_s, true}}, {u"ä"_s, QJsonValue()}, {u"A"_s, -5}};
    QCOMPARE(canonicalJson(o), QByteArray("{\"A\":-5,\"a\":[3,\"x\\\"y\",true],\"b\":1,\"\xc3\xa4\":null}"));
    LedgerEvent e;
    e.eventId = u"e"_s;
    e.hlc = HybridLogicalClock::make(1'764'000'000'000LL, 7); // beyond 2^53: must stay exact
    const QByteArray enc = canonicalEncoding(e);
    QVERIFY(enc.contains(QByteArray::number(e.hlc)));
    QCOMPARE(computeHash(e), sha256Hex(enc));
    LedgerEvent f = e;
    f.points = 1;
    QVERIFY(computeHash(f) != computeHash(e));
    // The fast encoder writes exactly what the generic canonical JSON of the event object is.
    LedgerEvent g;
    g.eventId = u"019ab90b-aadf-7dfa-87c9-7c3eb5a9116a"_s;
    g.terminalId = u"t\"1"_s;
    g.terminalSeq = 42;
    g.hlc = HybridLogicalClock::make(1764000000000LL, 3);
    g.occurredAt = 1764000000000LL;
    g.type = u"earn"_s;
    g.memberId = u"m"_s;
    g.points = -7;
    g.amount = 125000;
    g.receiptId = u"POS-1"_s;
    g.actor = u"kasir ä"_s;
    g.payload = QJsonObject{{u"b"_s, 1}, {u"a"_s, QJsonArray{u"x"_s}}};
    g.prevHash = QString(64, QLatin1Char('0'));
    const QJsonObject generic{{u"v"_s, 1}, {u"event_id"_s, g.eventId}, {u"terminal_id"_s, g.terminalId},
                              {u"terminal_seq"_s, QString::number(g.terminalSeq)}, {u"hlc"_s, QString::number(g.hlc)},
                              {u"occurred_at"_s, QString::number(g.occurredAt)}, {u"type"_s, g.type},
                              {u"member_id"_s, g.memberId}, {u"points"_s, QString::number(g.points)},
                              {u"amount"_s, QString::number(g.amount)}, {u"receipt_id"_s, g.receiptId},
                              {u"ref_event_id"_s, g.refEventId}, {u"actor"_s, g.actor}, {u"payload"_s, g.payload},
                              {u"prev_hash"_s, g.prevHash}};
    QCOMPARE(canonicalEncoding(g), canonicalJson(generic));
    // Keys with characters at or above U+D800 sort differently in UTF-16 (QJsonObject's order)
    // and UTF-8 (the canonical order): U+FB01 comes after U+1F600 in UTF-16, before it in UTF-8.
    const QJsonObject astral{{u"\U0001F600"_s, 1}, {u"\uFB01"_s, 2}, {u"z"_s, 3}};
    QCOMPARE(canonicalJson(astral), QByteArray("{\"z\":3,\"\xef\xac\x81\":2,\"\xf0\x9f\x98\x80\":1}"));

    // CanonicalWriter (the earn hot path) writes the same bytes as canonicalJson of the same document.
    const QString tricky = u"a\"b\\c\n\t\x01 Rp125.000 \u00e4\U0001F600"_s;
    const QJsonObject doc{{u"amount"_s, 125000}, {u"label"_s, tricky}, {u"neg"_s, -7}, {u"ok"_s, true},
                          {u"lines"_s, QJsonArray{QJsonObject{{u"id"_s, u"x"_s}, {u"n"_s, 2}}, QJsonObject{}}},
                          {u"empty"_s, QJsonArray{}}};
    CanonicalWriter w;
    w.beginObject().field("amount", qint64(125000)).key("empty").beginArray().endArray().field("label", tricky);
    w.key("lines").beginArray().beginObject().field("id", u"x"_s).field("n", 2).endObject().beginObject().endObject().endArray();
    w.field("neg", qint64(-7)).field("ok", true).endObject();
    QCOMPARE(w.bytes(), canonicalJson(doc));
    // An event whose payload arrives pre-encoded hashes like the same event with a QJsonObject payload.
    LedgerEvent pre = g;
    pre.payload = QJsonObject();
    pre.payloadJson = canonicalJson(g.payload);
    QCOMPARE(canonicalEncoding(pre), canonicalEncoding(g));
    QCOMPARE(computeHash(pre), computeHash(g));

    // The earn path's fast writers give exactly canonicalJson of their QJson counterparts.
    Basket b;
    b.receiptId = u"POS-\"9\""_s;
    b.total = 125000;
    b.paymentMethod = u"qris"_s;
    b.lines = {BasketLine{u"KOPI-1"_s, u"coffee"_s, u"Es Kopi Susu \u00e4"_s, 2, 25000}, BasketLine{u"X"_s, u"food"_s, u"Roti"_s, 1, 75000}};
    for (bool withReceipt : {true, false}) {
        CanonicalWriter bw;
        writeBasketJson(bw, b, withReceipt);
        QJsonObject expected = basketToJson(b);
        if (!withReceipt)
            expected.remove(u"receiptId"_s);
        QCOMPARE(bw.bytes(), canonicalJson(expected));
    }
    const QList<ExplanationLine> lines{{u"base"_s, u""_s, u"Base: 1 point per Rp10.000"_s, 12, 125000},
                                       {u"multiplier"_s, u"qris"_s, u"QRIS \"x1.1\""_s, 1, 0}};
    CanonicalWriter ew;
    writeExplanationJson(ew, lines);
    QCOMPARE(ew.bytes(), canonicalJson(explanationToJson(lines)));
    EarnResult r;
    r.memberId = u"m"_s;
    r.receiptId = b.receiptId;
    r.eventId = u"e"_s;
    r.points = 13;
    r.bonusPoints = 25;
    r.balance = 340;
    r.tierId = u"gold"_s;
    r.tierChanged = true;
    r.explanation = lines;
    CanonicalWriter rw;
    r.writeJson(rw);
    QCOMPARE(rw.bytes(), canonicalJson(r.toJson()));
}

void TestPrimitives::csvParsing()
{
    auto rows = parseCsv("\xEF\xBB\xBFname,phone\r\n\"Santoso, Budi\",0812\n\"He said \"\"hi\"\"\",\"multi\nline\"\n\n");
    QVERIFY(rows.ok());
    QCOMPARE(rows->size(), 3);
    QCOMPARE(rows->at(0).fields, (QStringList{u"name"_s, u"phone"_s}));
    QCOMPARE(rows->at(1).fields, (QStringList{u"Santoso, Budi"_s, u"0812"_s}));
    QCOMPARE(rows->at(1).line, 2);
    QCOMPARE(rows->at(2).fields, (QStringList{u"He said \"hi\""_s, u"multi\nline"_s}));
    QCOMPARE(rows->at(2).line, 3);
    auto bad = parseCsv("a,b\n\"open,c\n");
    QVERIFY(!bad.ok());
    QVERIFY(bad.error().message.contains(u"line 2"_s));
    QCOMPARE(csvLine({u"a,b"_s, u"x\"y"_s, u"z"_s}), QByteArray("\"a,b\",\"x\"\"y\",z\r\n"));
    QCOMPARE(csvSafe(u"=HYPERLINK()"_s), u"'=HYPERLINK()"_s);
}

QTEST_GUILESS_MAIN(TestPrimitives)
#include "tst_primitives.moc"
