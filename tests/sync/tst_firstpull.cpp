// A terminal's first pull, in pieces (docs/sync.md "Pulling the feed", docs/storage.md "The
// phone index and the first pull"):
//  - FeedFetcher downloads and decodes feed pages on its own thread, ahead of what the terminal
//    applies but never more than its bound, in order, and reports failures (against a small
//    fake hub on 127.0.0.1);
//  - Loyalty::feedPreparer() decrypts profiles and makes name tokens off the terminal's thread,
//    and applyFeed gives the same result with or without it;
//  - applyFeed writes a first pull without the phone index and builds it at the end, the phones
//    given to one member each.
#include "testsupport.h"

#include "core/crypto.h"
#include "core/ids.h"
#include "core/phone.h"
#include "sync/client/feedfetcher.h"
#include "sync/protocol/protocol.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace setia;
using namespace setia::sync;

namespace {

// A hub that serves a feed of `pages` pages of one alert each (seq 1..pages), counting the
// requests; page `failAt` (1-based) answers `failStatus` with failBody instead.
struct FakeHub {
    QHttpServer server;
    quint16 port = 0;
    int pages = 10;
    int failAt = 0;
    int failStatus = 500;
    QByteArray failBody = "{\"error\":\"internal\",\"message\":\"the hub's database is down\"}";
    QList<qint64> asked; // the `after` of each request, in order

    FakeHub()
    {
        server.route(u"/v1/feed"_s, [this](const QHttpServerRequest &req) {
            const qint64 after = QUrlQuery(req.url()).queryItemValue(u"after"_s).toLongLong();
            asked << after;
            const qint64 page = after + 1;
            if (page == failAt)
                return QHttpServerResponse("application/json", failBody, QHttpServerResponder::StatusCode(failStatus));
            FeedPage p;
            if (page <= pages) {
                FeedItem i;
                i.seq = page;
                i.kind = u"alert"_s;
                i.key = u"alert-%1"_s.arg(page);
                i.body = QJsonObject{{u"alertId"_s, i.key}, {u"kind"_s, u"overdraft"_s}, {u"memberId"_s, QString()},
                                     {u"detail"_s, u"page %1"_s.arg(page)}, {u"at"_s, QString::number(1000 + page)}};
                p.items << i;
            }
            p.next = qMin<qint64>(page, pages);
            p.more = page < pages;
            return QHttpServerResponse("application/json", encodeFeedPage(p));
        });
        port = server.listen(QHostAddress::LocalHost, 0);
    }
    HubEndpoint endpoint() const { return {QUrl(u"http://127.0.0.1:%1"_s.arg(port)), {}, u"terminal-1"_s, {}}; }
};

// What a fetcher delivered to this thread.
struct Delivered {
    QObject receiver;
    QList<std::pair<quint64, FetchedPage>> pages;
    QList<std::pair<quint64, FetchFailure>> failures;
    FeedFetcherThread fetcher{&receiver, [this](quint64 run, FetchedPage p) { pages.append({run, std::move(p)}); },
                              [this](quint64 run, const FetchFailure &f) { failures.append({run, f}); }};
};

QString tableSql(Store &store, const QString &name)
{
    QSqlQuery q(store.writer());
    q.prepare(u"SELECT COALESCE(sql, '') FROM sqlite_master WHERE name = ?"_s);
    q.addBindValue(name);
    return q.exec() && q.next() ? q.value(0).toString() : QString();
}

QString phoneIndexOf(Store &store, const QString &memberId)
{
    QSqlQuery q(store.writer());
    q.prepare(u"SELECT COALESCE(phone_index, '') FROM members WHERE member_id = ?"_s);
    q.addBindValue(memberId);
    return q.exec() && q.next() ? q.value(0).toString() : u"(no member)"_s;
}

QStringList column(Store &store, const QString &sql)
{
    QStringList out;
    QSqlQuery q(store.writer());
    if (q.exec(sql))
        while (q.next())
            out << q.value(0).toString();
    return out;
}

} // namespace

class TestFirstPull : public QObject {
    Q_OBJECT

    // A hub member as the feed brings it, sealed under the terminal's own key ring (the chain's).
    Loyalty::HubMember hubMember(const KeyRing &keys, const QString &name, const QString &phone, qint64 asOf, quint64 serial)
    {
        Loyalty::HubMember m;
        m.memberId = uuidv7(test::at(u"2026-01-05T10:00:00+07:00"_s) + qint64(serial), m_random);
        m.status = u"active"_s;
        m.homeStore = u"store-elsewhere"_s;
        m.tierId = u"silver"_s;
        m.phoneIndex = keys.blindIndex(u"phone"_s, normalizePhone(phone).value());
        const QByteArray key = keys.newMemberKey();
        const QJsonObject profile{{u"name"_s, name}, {u"phone"_s, normalizePhone(phone).value()}, {u"email"_s, QString()},
                                  {u"birthDate"_s, QString()}};
        m.profile = aesGcmEncrypt(key, QJsonDocument(profile).toJson(QJsonDocument::Compact), "profile:" + m.memberId.toUtf8());
        m.wrappedKey = keys.wrapMemberKey(m.memberId, key);
        m.balance = 100 * qint64(serial);
        m.asOf = asOf;
        m.enrolledAt = test::at(u"2026-01-05T10:00:00+07:00"_s);
        m.cards << Loyalty::HubCard{makeMemberCardNumber(7, serial), u"barcode"_s, u"active"_s};
        return m;
    }
    SeededRandom m_random{7};

private Q_SLOTS:
    // The fetcher asks for the next page as soon as it has one, so pages wait for the terminal
    // rather than the terminal for pages; but never more than maxAhead it has not taken.
    void fetcherRunsAheadWithinItsBound()
    {
        FakeHub hub;
        QVERIFY(hub.port != 0);
        Delivered d;
        d.fetcher.begin(1, hub.endpoint(), 0, 1, 3, 10'000, {});
        QTRY_COMPARE(d.pages.size(), 3);
        QTest::qWait(300); // nothing more comes until one is taken
        QCOMPARE(d.pages.size(), 3);
        QCOMPARE(hub.asked, (QList<qint64>{0, 1, 2}));
        d.fetcher.taken(1);
        QTRY_COMPARE(d.pages.size(), 4);
        QTest::qWait(100);
        QCOMPARE(d.pages.size(), 4);
        // The owner takes what it has been given, page by page: the fetcher stays 3 ahead.
        for (int taken = 2; taken <= 7; ++taken) {
            d.fetcher.taken(1);
            QTRY_COMPARE(d.pages.size(), taken + 3);
        }
        QTest::qWait(100);
        QCOMPARE(hub.asked.size(), 10); // the last page said no more: no eleventh request
        for (int i = 0; i < 10; ++i) {
            const FetchedPage &p = d.pages.at(i).second;
            QCOMPARE(d.pages.at(i).first, quint64(1));
            QCOMPARE(p.next, qint64(i + 1));
            QCOMPARE(p.more, i < 9);
            QCOMPARE(p.alerts.size(), 1);
            QCOMPARE(p.alerts.first().detail, u"page %1"_s.arg(i + 1));
            QCOMPARE(p.alerts.first().at, qint64(1001 + i));
        }
        QVERIFY(d.failures.isEmpty());
    }

    // A page the hub refuses, or that cannot be read, ends the run with what went wrong; a new
    // run starts again from its own cursor, and what the old one had in flight never arrives.
    void fetcherReportsFailuresAndStartsAgain()
    {
        FakeHub hub;
        QVERIFY(hub.port != 0);
        hub.failAt = 3;
        Delivered d;
        d.fetcher.begin(1, hub.endpoint(), 0, 1, 5, 10'000, {});
        QTRY_COMPARE(d.failures.size(), 1);
        QCOMPARE(d.pages.size(), 2);
        QCOMPARE(d.failures.first().first, quint64(1));
        QCOMPARE(d.failures.first().second.status, 500);
        QVERIFY(d.failures.first().second.body.contains("the hub's database is down"));
        QTest::qWait(100);
        QCOMPARE(hub.asked, (QList<qint64>{0, 1, 2}));

        hub.failStatus = 200;
        hub.failBody = "{\"items\":[{\"seq\":\"x\"}],\"more\":true,\"next\":\"3\"}";
        d.fetcher.begin(2, hub.endpoint(), 2, 1, 5, 10'000, {});
        QTRY_COMPARE(d.failures.size(), 2);
        QCOMPARE(d.failures.last().first, quint64(2));
        QVERIFY2(!d.failures.last().second.readError.isEmpty(), "a page that cannot be read says so");
        QCOMPARE(d.pages.size(), 2);

        hub.failAt = 0;
        hub.asked.clear();
        d.fetcher.begin(3, hub.endpoint(), 7, 1, 5, 10'000, {});
        d.fetcher.cancel();
        d.fetcher.begin(4, hub.endpoint(), 8, 1, 5, 10'000, {});
        QTRY_COMPARE(d.pages.size(), 4);
        QTest::qWait(100);
        QCOMPARE(d.pages.at(2).first, quint64(4));
        QCOMPARE(d.pages.at(2).second.next, qint64(9));
        QCOMPARE(d.pages.at(3).second.next, qint64(10));
        QVERIFY(!d.pages.at(3).second.more);
        QCOMPARE(d.pages.size(), 4); // nothing of run 3
        QCOMPARE(d.failures.size(), 2);
    }

    // No hub: the transport's error, status 0.
    void fetcherReportsAnUnreachableHub()
    {
        quint16 port = 0;
        {
            FakeHub gone;
            port = gone.port;
        }
        Delivered d;
        d.fetcher.begin(1, {QUrl(u"http://127.0.0.1:%1"_s.arg(port)), {}, u"t"_s, {}}, 0, 10, 2, 10'000, {});
        QTRY_COMPARE(d.failures.size(), 1);
        QCOMPARE(d.failures.first().second.status, 0);
        QVERIFY(!d.failures.first().second.transportError.isEmpty());
        QVERIFY(d.pages.isEmpty());
    }

    // feedPreparer() gives what applyFeed would work out itself: the same staged tokens, the
    // same name index after the merge, and no name for a profile that cannot be read.
    void preparedMembersApplyAsUnprepared()
    {
        test::TempStore t(test::toJson(test::baseProgram()));
        QVERIFY2(t.ok(), qPrintable(t.error()));
        auto keys = KeyRing::open(t.keyPath(), false);
        QVERIFY(keys);
        Loyalty::HubMember prepared = hubMember(keys.value(), u"Siti Nurhaliza"_s, u"081311110001"_s, 10, 1);
        Loyalty::HubMember plain = hubMember(keys.value(), u"Siti Nurhaliza"_s, u"081311110002"_s, 11, 2);
        Loyalty::HubMember broken = hubMember(keys.value(), u"Rusak Sekali"_s, u"081311110003"_s, 12, 3);
        broken.profile[20] = char(broken.profile[20] ^ 0x55); // the tag no longer verifies
        Loyalty::HubMember brokenPrepared = hubMember(keys.value(), u"Rusak Juga"_s, u"081311110004"_s, 13, 4);
        brokenPrepared.profile[20] = char(brokenPrepared.profile[20] ^ 0x55);
        const Loyalty::FeedPreparer prepare = t.loyalty().feedPreparer();
        prepare(prepared);
        prepare(brokenPrepared);
        QVERIFY(prepared.prepared);
        QCOMPARE(prepared.name, u"Siti Nurhaliza"_s);
        QVERIFY(!prepared.nameTokens.isEmpty());
        QVERIFY(brokenPrepared.prepared);
        QVERIFY(brokenPrepared.name.isEmpty());
        QVERIFY(brokenPrepared.nameTokens.isEmpty());

        Loyalty::FeedBatch first;
        first.members = {prepared, plain, broken, brokenPrepared};
        first.cursor = 4;
        first.complete = false;
        QVERIFY(t.loyalty().applyFeed(first).ok());
        // One staged row each for the two readable profiles, the same tokens (same name).
        const QStringList staged = column(t.store(), u"SELECT tokens FROM member_names_staged ORDER BY seq"_s);
        QCOMPARE(staged.size(), 2);
        QCOMPARE(staged.at(0), staged.at(1));
        QCOMPARE(staged.at(0), prepared.nameTokens);
        Loyalty::FeedBatch last;
        last.cursor = 5;
        last.complete = true;
        QVERIFY(t.loyalty().applyFeed(last).ok());
        while (t.loyalty().indexStagedNames().value()) {
        }
        QVERIFY(!t.loyalty().namesStaged());
        const QStringList ofPrepared = column(t.store(), u"SELECT token FROM member_names WHERE member_id = '%1' ORDER BY 1"_s.arg(prepared.memberId));
        const QStringList ofPlain = column(t.store(), u"SELECT token FROM member_names WHERE member_id = '%1' ORDER BY 1"_s.arg(plain.memberId));
        QVERIFY(!ofPrepared.isEmpty());
        QCOMPARE(ofPrepared, ofPlain);
        QCOMPARE(ofPrepared.join(u' '), prepared.nameTokens);
        QCOMPARE(column(t.store(), u"SELECT COUNT(*) FROM member_names WHERE member_id IN ('%1', '%2')"_s.arg(broken.memberId, brokenPrepared.memberId)),
                 QStringList{u"0"_s});
        auto found = t.loyalty().search(u"siti nur"_s, 0, 10);
        QVERIFY(found);
        QCOMPARE(found->size(), 2);
        // A later feed row with a new profile but not its key (the member keeps the key it
        // has): the preparer cannot read it, so applyFeed does, with the stored key.
        auto memberKey = keys->unwrapMemberKey(plain.memberId, plain.wrappedKey);
        QVERIFY(memberKey);
        Loyalty::HubMember renamed = plain;
        const QJsonObject profile{{u"name"_s, u"Siti Rahayu"_s}, {u"phone"_s, u"+6281311110002"_s}, {u"email"_s, QString()},
                                  {u"birthDate"_s, QString()}};
        renamed.profile = aesGcmEncrypt(memberKey.value(), QJsonDocument(profile).toJson(QJsonDocument::Compact),
                                        "profile:" + plain.memberId.toUtf8());
        renamed.wrappedKey.clear();
        renamed.asOf = 20;
        prepare(renamed);
        QVERIFY(renamed.name.isEmpty());
        Loyalty::FeedBatch later;
        later.members = {renamed};
        later.cursor = 6;
        later.complete = true;
        QVERIFY(t.loyalty().applyFeed(later).ok());
        QCOMPARE(t.loyalty().member(plain.memberId)->profile.name, u"Siti Rahayu"_s);
        auto byNewName = t.loyalty().search(u"siti rahayu"_s, 0, 10);
        QVERIFY(byNewName);
        QCOMPARE(byNewName->size(), 1);
        QCOMPARE(byNewName->first().memberId, plain.memberId);
        QVERIFY(t.loyalty().verify().ok());
    }

    // The first pull writes its members without the phone index (a lookup by phone still
    // works, reading the table) and builds it, unique, in its last transaction. A phone that
    // ended up on two members stays with the hub's member of the latest state; later pulls
    // move phones through the index as before.
    void phoneIndexIsBuiltAtTheEndOfTheFirstPull()
    {
        test::TempStore t(test::toJson(test::baseProgram()));
        QVERIFY2(t.ok(), qPrintable(t.error()));
        auto keys = KeyRing::open(t.keyPath(), false);
        QVERIFY(keys);
        QVERIFY(tableSql(t.store(), u"members_phone"_s).contains(u"UNIQUE"_s));
        // Enrolled here before the hub's copy of the same person arrives.
        const QString local = t.enroll(u"Budi Lokal"_s, u"081322220001"_s);
        QVERIFY(!local.isEmpty());

        Loyalty::FeedBatch first;
        first.members = {hubMember(keys.value(), u"Ani Satu"_s, u"081322220002"_s, 20, 1),
                         hubMember(keys.value(), u"Dua Lama"_s, u"081322220003"_s, 21, 2)};
        first.cursor = 2;
        QVERIFY(t.loyalty().applyFeed(first).ok());
        QVERIFY(tableSql(t.store(), u"members_phone"_s).isEmpty()); // set aside during the pull
        QCOMPARE(t.loyalty().memberByPhone(u"081322220002"_s)->memberId, first.members.at(0).memberId);
        QCOMPARE(t.loyalty().memberByPhone(u"081322220001"_s)->memberId, local);
        // An import would check every row's phone against the whole table: it waits, and says so.
        const QByteArray csv = "name,phone\nCitra Impor,081322229999\n";
        const ImportReport refused = t.loyalty().importMembers(csv, u"manager"_s);
        QCOMPARE(refused.errors.size(), 1);
        QVERIFY2(refused.errors.first().contains(u"still being prepared"_s), qPrintable(refused.errors.first()));
        QCOMPARE(t.loyalty().memberByPhone(u"081322229999"_s).error().code, u"unknown_member"_s);

        Loyalty::FeedBatch last;
        const Loyalty::HubMember hubBudi = hubMember(keys.value(), u"Budi Hub"_s, u"081322220001"_s, 30, 3);
        // The same phone as "Dua Lama", from a later state of the hub (asOf 40 > 21).
        const Loyalty::HubMember newer = hubMember(keys.value(), u"Dua Baru"_s, u"081322220003"_s, 40, 4);
        last.members = {hubBudi, newer};
        last.cursor = 4;
        last.complete = true;
        QVERIFY(t.loyalty().applyFeed(last).ok());
        QVERIFY(t.loyalty().feedCaughtUp());
        QVERIFY(tableSql(t.store(), u"members_phone"_s).contains(u"UNIQUE"_s));
        QCOMPARE(phoneIndexOf(t.store(), hubBudi.memberId), hubBudi.phoneIndex);
        QCOMPARE(phoneIndexOf(t.store(), local), QString());
        QCOMPARE(phoneIndexOf(t.store(), newer.memberId), newer.phoneIndex);
        QCOMPARE(phoneIndexOf(t.store(), first.members.at(1).memberId), QString());
        QCOMPARE(phoneIndexOf(t.store(), first.members.at(0).memberId), first.members.at(0).phoneIndex);
        QCOMPARE(t.loyalty().memberByPhone(u"081322220001"_s)->memberId, hubBudi.memberId);
        QCOMPARE(t.loyalty().memberByPhone(u"081322220003"_s)->memberId, newer.memberId);
        {
            QSqlQuery q(t.store().writer());
            QVERIFY(q.exec(u"EXPLAIN QUERY PLAN SELECT member_id FROM members WHERE phone_index = 'x'"_s));
            QString plan;
            while (q.next())
                plan += q.value(3).toString();
            QVERIFY2(plan.contains(u"members_phone"_s), qPrintable(plan));
        }
        // The index is unique again: the store itself refuses a second member with a phone.
        {
            QSqlQuery q(t.store().writer());
            q.prepare(u"UPDATE members SET phone_index = ? WHERE member_id = ?"_s);
            q.addBindValue(hubBudi.phoneIndex);
            q.addBindValue(local);
            QVERIFY(!q.exec());
            QVERIFY2(q.lastError().text().contains(u"UNIQUE"_s), qPrintable(q.lastError().text()));
        }

        const ImportReport imported = t.loyalty().importMembers(csv, u"manager"_s);
        QVERIFY2(imported.errors.isEmpty(), qPrintable(imported.errors.join(u"; "_s)));
        QVERIFY(t.loyalty().memberByPhone(u"081322229999"_s).ok());
        // A later pull keeps the index and moves a phone through it.
        Loyalty::FeedBatch later;
        Loyalty::HubMember moved = hubMember(keys.value(), u"Ani Pindah"_s, u"081322220002"_s, 50, 5);
        later.members = {moved};
        later.cursor = 5;
        later.complete = true;
        QVERIFY(t.loyalty().applyFeed(later).ok());
        QVERIFY(tableSql(t.store(), u"members_phone"_s).contains(u"UNIQUE"_s));
        QCOMPARE(phoneIndexOf(t.store(), first.members.at(0).memberId), QString());
        QCOMPARE(t.loyalty().memberByPhone(u"081322220002"_s)->memberId, moved.memberId);
        QVERIFY(t.loyalty().verify().ok());
    }
};

QTEST_GUILESS_MAIN(TestFirstPull)
#include "tst_firstpull.moc"
