// The magnetic-stripe track parser (ISO/IEC 7811/7813): tracks as keyboard-mode readers type
// them and as raw track text, LRC characters, partial and repeated reads, scanner suffixes,
// and whatever else a device may send (binary, garbage, far too much).
//
// LRC characters below were computed by hand / with an independent script, not with
// magStripeLrc(): ";1?" -> '5' (0xB ^ 0x1 ^ 0xF = 0x5), "%A?" -> '[' (0x05 ^ 0x21 ^ 0x1F = 0x3B).
#include "drivers/magstripe.h"

#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;
using setia::MagStripeRead;
using setia::parseMagStripe;

namespace {
// The ISO 7813 test track of a Visa test card (4111 1111 1111 1111, not a real account).
const QByteArray kT1 = "%B4111111111111111^DOE/JOHN^25121010000000000000?";
const QByteArray kT1Lrc = ";"; // the LRC of kT1 happens to be ';', the start sentinel of track 2
const QByteArray kT2 = ";4111111111111111=25121010000000000000?";
const QByteArray kT2Lrc = "8";
const QByteArray kT3 = ";0111234567890123456=724724000000000000000000000000000000000000000000000?";

QStringList codes(const MagStripeRead &r)
{
    QStringList out;
    for (const auto &e : r.errors)
        out << (e.track ? u"%1:%2"_s.arg(e.code).arg(e.track) : e.code);
    return out;
}
QString numbers(const MagStripeRead &r)
{
    QString out;
    for (const auto &t : r.tracks)
        out += QString::number(t.number);
    return out;
}
} // namespace

class TestMagStripe : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void lrcVectors();
    void parse_data();
    void parse();
    void trackOneFields();
    void lrcThatLooksLikeASentinel();
    void bestOfRepeatedReads();
    void neverCrashesOnAnyBytes();
    void boundedWork();
    void wipeForgetsTheTracks();
};

void TestMagStripe::lrcVectors()
{
    QCOMPARE(setia::magStripeLrc(2, ";1?"), '5');
    QCOMPARE(setia::magStripeLrc(1, "%A?"), '[');
    QCOMPARE(setia::magStripeLrc(1, kT1), ';');
    QCOMPARE(setia::magStripeLrc(2, kT2), '8');
    QCOMPARE(setia::magStripeLrc(2, ";2900000000017?"), '9');
    QCOMPARE(setia::magStripeLrc(1, "%B2900000000017^MEMBER/SETIA^?"), '0');
}

void TestMagStripe::parse_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("tracks");     // track numbers found, in order
    QTest::addColumn<QByteArray>("account"); // of the first track
    QTest::addColumn<int>("reads");
    QTest::addColumn<QStringList>("errors"); // code:track

    const QByteArray pan = "4111111111111111";
    QTest::newRow("track 1") << kT1 << u"1"_s << pan << 1 << QStringList();
    QTest::newRow("track 2") << kT2 << u"2"_s << pan << 1 << QStringList();
    QTest::newRow("track 3 alone (longer than track 2 can be)") << kT3 << u"3"_s << QByteArray("0111234567890123456") << 1
                                                                << QStringList();
    QTest::newRow("tracks 1 and 2, no separator") << kT1 + kT2 << u"12"_s << pan << 1 << QStringList();
    QTest::newRow("tracks 1, 2, 3 on lines") << kT1 + "\r\n" + kT2 + "\r\n" + kT3 + "\r\n" << u"123"_s << pan << 1
                                            << QStringList();
    QTest::newRow("tracks 1 and 2 with LRC") << kT1 + kT1Lrc + kT2 + kT2Lrc << u"12"_s << pan << 1 << QStringList();
    QTest::newRow("track 2 with LRC and CR LF") << kT2 + kT2Lrc + "\r\n" << u"2"_s << pan << 1 << QStringList();
    QTest::newRow("track 2, wrong LRC") << kT2 + "7" << u"2"_s << pan << 1 << QStringList{u"lrc_mismatch:2"_s};
    QTest::newRow("short track 2 with hand-computed LRC") << QByteArray(";1?5") << u"2"_s << QByteArray("1") << 1
                                                          << QStringList();
    QTest::newRow("scanner suffix: Tab") << kT2 + "\t" << u"2"_s << pan << 1 << QStringList();
    QTest::newRow("scanner suffix: LF") << QByteArray(";2900000000017?\n") << u"2"_s << QByteArray("2900000000017") << 1
                                        << QStringList();
    QTest::newRow("member card on track 2, no separator")
        << QByteArray(";2900000000017?") << u"2"_s << QByteArray("2900000000017") << 1 << QStringList();
    QTest::newRow("partial track 1 (no end sentinel)")
        << QByteArray("%B4111111111111111^DOE/JO") << u"1"_s << pan << 1 << QStringList{u"missing_end_sentinel:1"_s};
    QTest::newRow("partial track 2 cut in the account")
        << QByteArray(";41111111") << u"2"_s << QByteArray("41111111") << 1 << QStringList{u"missing_end_sentinel:2"_s};
    QTest::newRow("partial track 1 then a good track 2")
        << QByteArray("%B4111111111111111^DOE/JO") + kT2 << u"12"_s << pan << 1 << QStringList{u"missing_end_sentinel:1"_s};
    QTest::newRow("repeated read of track 2") << QByteArray(";2900000000017?;2900000000017?") << u"2"_s
                                              << QByteArray("2900000000017") << 2 << QStringList();
    QTest::newRow("repeated read of tracks 1 and 2") << kT1 + kT2 + "\r" + kT1 + kT2 + "\r" << u"12"_s << pan << 2
                                                     << QStringList();
    QTest::newRow("partial read, then a good one") << QByteArray("%B41111111") + "\r\n" + kT1 + kT2 << u"12"_s << pan << 2
                                                   << QStringList();
    QTest::newRow("two different cards in one burst")
        << QByteArray("%B1234567890^A/B^?%B9876543210^C/D^?") << u"1"_s << QByteArray("1234567890") << 2
        << QStringList{u"conflicting_reads:1"_s};
    QTest::newRow("character outside track 2's set") << QByteArray(";12A4=99?") << u"2"_s << QByteArray("12A4") << 1
                                                     << QStringList{u"bad_character:2"_s};
    QTest::newRow("track 1 longer than 79") << "%B" + QByteArray(90, '1') + "^X^?" << u"1"_s << QByteArray(90, '1') << 1
                                            << QStringList{u"track_too_long:1"_s};
    QTest::newRow("empty track") << QByteArray(";?") << u"2"_s << QByteArray() << 1 << QStringList{u"empty_track:2"_s};
    QTest::newRow("empty input") << QByteArray() << QString() << QByteArray() << 0 << QStringList{u"empty"_s};
    QTest::newRow("only suffixes") << QByteArray("\r\n\t ") << QString() << QByteArray() << 0 << QStringList{u"empty"_s};
    QTest::newRow("text, no tracks") << QByteArray("hello") << QString() << QByteArray() << 0
                                     << QStringList{u"unexpected_bytes"_s};
    QTest::newRow("garbage before a track") << QByteArray("xx") + kT2 << u"2"_s << pan << 1
                                            << QStringList{u"unexpected_bytes"_s};
}

void TestMagStripe::parse()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, tracks);
    QFETCH(QByteArray, account);
    QFETCH(int, reads);
    QFETCH(QStringList, errors);
    MagStripeRead r = parseMagStripe(input);
    QCOMPARE(numbers(r), tracks);
    if (!r.tracks.isEmpty())
        QCOMPARE(r.tracks.first().account, account);
    QCOMPARE(r.reads, reads);
    QCOMPARE(codes(r), errors);
    QCOMPARE(r.ok(), errors.isEmpty() && !tracks.isEmpty());
    r.wipe();
}

void TestMagStripe::trackOneFields()
{
    const MagStripeRead r = parseMagStripe(kT1 + kT1Lrc + kT2 + kT2Lrc + "\r\n");
    QVERIFY(r.ok());
    const setia::MagTrack *t1 = r.track(1);
    QVERIFY(t1);
    QCOMPARE(t1->formatCode, 'B');
    QCOMPARE(t1->data, kT1.mid(1, kT1.size() - 2));
    QVERIFY(t1->complete);
    QVERIFY(t1->hasLrc);
    QVERIFY(t1->lrcOk);
    const setia::MagTrack *t2 = r.track(2);
    QVERIFY(t2);
    QCOMPARE(t2->formatCode, '\0');
    QVERIFY(t2->hasLrc && t2->lrcOk);
    QCOMPARE(t2->data, QByteArray("4111111111111111=25121010000000000000"));
    QVERIFY(!r.track(3));
}

void TestMagStripe::lrcThatLooksLikeASentinel()
{
    // ";1068?" has the LRC ';': alone at the end it is the LRC ...
    MagStripeRead r = parseMagStripe(";1068?;");
    QCOMPARE(numbers(r), u"2"_s);
    QVERIFY(r.tracks.first().hasLrc && r.tracks.first().lrcOk);
    QVERIFY(r.ok());
    // ... followed by a track body it is the next track's start sentinel.
    r = parseMagStripe(";1068?;2900000000017?");
    QCOMPARE(numbers(r), u"23"_s);
    QVERIFY(!r.tracks.first().hasLrc);
    QCOMPARE(r.track(3)->account, QByteArray("2900000000017"));
    // kT1's LRC is ';' too: with track 2 following, both readings are resolved.
    r = parseMagStripe(kT1 + kT1Lrc + kT2);
    QCOMPARE(numbers(r), u"12"_s);
    QVERIFY(r.track(1)->hasLrc);
    QCOMPARE(r.track(2)->account, QByteArray("4111111111111111"));
    r = parseMagStripe(kT1 + kT2);
    QCOMPARE(numbers(r), u"12"_s);
    QVERIFY(!r.track(1)->hasLrc);
    QVERIFY(r.ok());
    // An LRC of '?' (";1028?") is read as the LRC, not as a stray end sentinel.
    r = parseMagStripe(";1028??");
    QVERIFY(r.ok());
    QVERIFY(r.tracks.first().lrcOk);
}

void TestMagStripe::bestOfRepeatedReads()
{
    // A bad LRC in the first swipe, a good second swipe: the good one is kept, no error.
    const MagStripeRead r = parseMagStripe(kT2 + "0\r\n" + kT2 + kT2Lrc + "\r\n");
    QCOMPARE(r.reads, 2);
    QVERIFY2(r.ok(), qPrintable(codes(r).join(u' ')));
    QVERIFY(r.tracks.first().lrcOk);
}

void TestMagStripe::neverCrashesOnAnyBytes()
{
    QByteArray all;
    for (int i = 0; i < 256; ++i)
        all.append(char(i));
    MagStripeRead r = parseMagStripe(all);
    QVERIFY(!r.ok());
    QVERIFY(r.hasError(u"unexpected_bytes"));
    // Random bytes seeded with sentinels, many times: no crash, no track longer than the input.
    QRandomGenerator rng(7);
    for (int round = 0; round < 2000; ++round) {
        QByteArray b(int(rng.bounded(0, 300)), Qt::Uninitialized);
        for (char &c : b) {
            const quint32 v = rng.bounded(0, 12);
            c = v == 0 ? '%' : v == 1 ? ';' : v == 2 ? '?' : v == 3 ? '^' : v == 4 ? '=' : char(rng.bounded(0, 256));
        }
        r = parseMagStripe(b);
        for (const auto &t : r.tracks) {
            QVERIFY(t.number >= 1 && t.number <= 3);
            QVERIFY(t.data.size() < b.size());
            QVERIFY(t.account.size() <= t.data.size());
        }
        QVERIFY(r.tracks.size() <= 3);
        r.wipe();
    }
}

void TestMagStripe::boundedWork()
{
    // Far more than any card holds: only the first kMaxInput bytes are looked at.
    const QByteArray huge = QByteArray(";1?").repeated(100000);
    MagStripeRead r = parseMagStripe(huge);
    QVERIFY(r.hasError(u"too_long"));
    QVERIFY(r.hasError(u"too_many_tracks"));
    QCOMPARE(r.reads, MagStripeRead::kMaxTracks); // one identical track per swipe, each swipe kept once
    QCOMPARE(numbers(r), u"2"_s);
    r = parseMagStripe(QByteArray(1 << 20, 'x'));
    QVERIFY(r.hasError(u"too_long"));
    QVERIFY(r.tracks.isEmpty());
}

void TestMagStripe::wipeForgetsTheTracks()
{
    MagStripeRead r = parseMagStripe(kT1 + kT2);
    QVERIFY(r.ok());
    // A second owner of a buffer keeps its bytes: wipe() overwrites only what it alone holds
    // (reading freed memory to see the zeros would be undefined; the PCI test in
    // tests/ui/tst_scanning.cpp checks what reaches the disk).
    const QByteArray keep = r.tracks[1].data;
    r.wipe();
    QVERIFY(r.tracks.isEmpty());
    QVERIFY(!r.ok());
    QCOMPARE(keep, kT2.mid(1, kT2.size() - 2));
    r.wipe(); // twice is harmless
    QVERIFY(r.tracks.isEmpty());
}

QTEST_GUILESS_MAIN(TestMagStripe)
#include "tst_magstripe.moc"
