// The sync wire format: Ed25519, request signing, events on the wire, the signed lease.
#include "sync/protocol/protocol.h"

#include "core/crypto.h"
#include "testsupport.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <optional>
#include <utility>

using namespace Qt::StringLiterals;
using namespace setia;
using namespace setia::sync;

class TestProtocol : public QObject {
    Q_OBJECT

    // The batch the sync client would send for these events of ts: them and their members' keys.
    static PushRequest pushOf(test::TempStore &ts, const QList<LedgerEvent> &events)
    {
        PushRequest push{ts.loyalty().terminalId(), events, {}};
        for (const auto &k : ts.loyalty().memberKeysFor(push.events))
            push.members.append({k.memberId, k.phoneIndex, k.wrappedKey});
        return push;
    }

private Q_SLOTS:
    void ed25519()
    {
        const KeyPair a = generateKeyPair(), b = generateKeyPair();
        QCOMPARE(a.privateKey.size(), 32);
        QCOMPARE(a.publicKey.size(), 32);
        QVERIFY(a.publicKey != b.publicKey);
        QCOMPARE(publicKeyOf(a.privateKey), a.publicKey);
        const QByteArray msg = requestSigningInput("POST", "/v1/push", "{\"v\":1}");
        const QByteArray sig = sign(a.privateKey, msg);
        QCOMPARE(sig.size(), 64);
        QVERIFY(verify(a.publicKey, msg, sig));
        QVERIFY(!verify(b.publicKey, msg, sig));                                          // another key
        QVERIFY(!verify(a.publicKey, requestSigningInput("POST", "/v1/push", "{\"v\":2}"), sig)); // another body
        QVERIFY(!verify(a.publicKey, requestSigningInput("GET", "/v1/push", "{\"v\":1}"), sig));  // another method
        QByteArray bent = sig;
        bent[10] = char(bent[10] ^ 1);
        QVERIFY(!verify(a.publicKey, msg, bent));
        QVERIFY(!verify(a.publicKey, msg, sig.left(63)));
        QVERIFY(!verify(QByteArray(31, 'x'), msg, sig));
        QVERIFY(sign(QByteArray(5, 'x'), msg).isEmpty());
        // RFC 8032 test vector 1 (empty message).
        const QByteArray seed = QByteArray::fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        QCOMPARE(publicKeyOf(seed).toHex(), QByteArray("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
        QCOMPARE(sign(seed, {}).toHex(), QByteArray("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"));
    }

    void keyFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"t.key"_s);
        QCOMPARE(loadOrCreateKeyFile(path, false).error().code, u"key_missing"_s);
        auto made = loadOrCreateKeyFile(path, true);
        QVERIFY(made.ok());
        QCOMPARE(QFile(path).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
        auto again = loadOrCreateKeyFile(path, true);
        QVERIFY(again.ok());
        QCOMPARE(again->publicKey, made->publicKey);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not base64 at all!!\n");
        f.close();
        QCOMPARE(loadOrCreateKeyFile(path, true).error().code, u"key_corrupt"_s); // never silently replaced
    }

    void pushAnswerOnTheWire()
    {
        const QList<EventResult> results{{u"019e0000-0000-7000-8000-000000000001"_s, u"accepted"_s, QString(), 41},
                                         {u"019e0000-0000-7000-8000-000000000002"_s, u"duplicate"_s, QString(), 7},
                                         {u"019e0000-0000-7000-8000-000000000003"_s, u"held"_s, u"gap"_s, 0},
                                         {u"019e0000-0000-7000-8000-000000000004"_s, u"rejected"_s, u"hash_mismatch"_s, 0}};
        const QByteArray wire = encodePushResponse(results);
        QCOMPARE(wire, QByteArray("{\"results\":[{\"eventId\":\"019e0000-0000-7000-8000-000000000001\",\"serverSeq\":\"41\",\"status\":\"accepted\"},"
                                  "{\"eventId\":\"019e0000-0000-7000-8000-000000000002\",\"serverSeq\":\"7\",\"status\":\"duplicate\"},"
                                  "{\"eventId\":\"019e0000-0000-7000-8000-000000000003\",\"reason\":\"gap\",\"status\":\"held\"},"
                                  "{\"eventId\":\"019e0000-0000-7000-8000-000000000004\",\"reason\":\"hash_mismatch\",\"status\":\"rejected\"}]}"));
        REQUIRE_OK(back, decodePushResponse(wire));
        QCOMPARE(back->size(), results.size());
        for (int i = 0; i < results.size(); ++i) {
            QCOMPARE(back->at(i).eventId, results.at(i).eventId);
            QCOMPARE(back->at(i).status, results.at(i).status);
            QCOMPARE(back->at(i).reason, results.at(i).reason);
            QCOMPARE(back->at(i).serverSeq, results.at(i).serverSeq);
        }
    }

    void eventsOnTheWire()
    {
        test::TempStore ts(test::toJson(test::baseProgram()));
        QVERIFY2(ts.ok(), qPrintable(ts.error()));
        const QString m = ts.enroll(u"Siti Nurhaliza"_s, u"0812-3456-7890"_s);
        QVERIFY(!m.isEmpty());
        REQUIRE_OK(earned, ts.loyalty().earn(m, ts.basket(u"R-1"_s, 125'000), u"kasir"_s));
        REQUIRE_OK(events, ts.loyalty().unsyncedEvents(100));
        QVERIFY(events->size() >= 2); // enroll, earn
        const PushRequest push = pushOf(ts, events.value());
        QCOMPARE(push.members.size(), 1);
        QVERIFY(!push.members.first().phoneIndex.isEmpty());
        const QByteArray wire = encodePush(push);
        // No phone on the wire, in any of its forms: only its blind index. (Long enough not to
        // turn up by chance in the hex and base64 of hashes and ciphertexts: "0812" alone did,
        // about once in a hundred runs.)
        for (const char *phone : {"3456-7890", "81234567890"})
            QVERIFY2(!wire.contains(phone), phone);
        QVERIFY(!wire.contains("Nurhaliza"));
        // Written straight, the batch is byte for byte what QJsonDocument makes of eventToJson()
        // and memberKeyToJson() (the documented form, docs/sync.md).
        QJsonArray asJson, keysAsJson;
        for (const LedgerEvent &e : push.events)
            asJson.append(eventToJson(e));
        for (const MemberKey &k : push.members)
            keysAsJson.append(memberKeyToJson(k));
        QCOMPARE(wire, QJsonDocument(QJsonObject{{u"v"_s, kProtocolVersion}, {u"terminalId"_s, push.terminalId},
                                                 {u"events"_s, asJson}, {u"members"_s, keysAsJson}})
                           .toJson(QJsonDocument::Compact));
        REQUIRE_OK(back, decodePush(wire));
        QCOMPARE(back->events.size(), events->size());
        for (int i = 0; i < events->size(); ++i) {
            const LedgerEvent &e = back->events.at(i);
            QCOMPARE(e.eventId, events->at(i).eventId);
            QCOMPARE(e.hlc, events->at(i).hlc);
            QCOMPARE(computeHash(e), events->at(i).hash); // the hub recomputes the same hash
        }
        QCOMPARE(back->members.first().wrappedKey, push.members.first().wrappedKey);

        // Malformed input: a clear error naming the field, never a crash.
        QCOMPARE(decodePush("{").error().code, u"malformed_json"_s);
        QCOMPARE(decodePush("[]").error().code, u"malformed_json"_s);
        QCOMPARE(decodePush(R"({"v":9,"terminalId":"x","events":[]})").error().code, u"unsupported_version"_s);
        QJsonObject o = QJsonDocument::fromJson(wire).object();
        QJsonArray evs = o.value(u"events"_s).toArray();
        QJsonObject e0 = evs.at(0).toObject();
        e0.insert(u"points"_s, u"12x"_s);
        evs.replace(0, e0);
        o.insert(u"events"_s, evs);
        auto bad = decodePush(QJsonDocument(o).toJson());
        QCOMPARE(bad.error().code, u"malformed_request"_s);
        QVERIFY(bad.error().message.contains(u"event.points"_s));
        e0 = events->isEmpty() ? QJsonObject() : eventToJson(events->at(0));
        e0.insert(u"extra"_s, 1);
        QVERIFY(eventFromJson(e0).error().message.contains(u"event.extra"_s));
        e0 = eventToJson(events->at(0));
        e0.insert(u"payload"_s, u"not json"_s);
        QVERIFY(eventFromJson(e0).error().message.contains(u"event.payload"_s));
        QJsonArray many;
        for (int i = 0; i <= kMaxBatchEvents; ++i)
            many.append(eventToJson(events->at(0)));
        o.insert(u"events"_s, many);
        QCOMPARE(decodePush(QJsonDocument(o).toJson()).error().code, u"batch_too_large"_s);
    }

    // decodePush() reads a terminal's push straight from its bytes and hands anything else to
    // the QJsonDocument reader. Whatever the fast reader accepts must be exactly what the
    // reference makes of it, and on damaged input (every byte of a small push changed or cut
    // in turn) it must step aside so the answer and its error are the reference's.
    void fastPushReaderAgreesWithTheReference()
    {
        test::TempStore ts(test::toJson(test::baseProgram()));
        QVERIFY2(ts.ok(), qPrintable(ts.error()));
        const QString m = ts.enroll(u"Siti Nurhaliza"_s, u"0812-3456-7890"_s);
        QVERIFY(!m.isEmpty());
        REQUIRE_OK(earned, ts.loyalty().earn(m, ts.basket(u"R-\"1\"\\\t/"_s, 125'000), u"kasir x"_s));
        REQUIRE_OK(again, ts.loyalty().earn(m, ts.basket(u"R-2"_s, 10'000), u"kasir"_s));
        REQUIRE_OK(events, ts.loyalty().unsyncedEvents(100));
        const PushRequest push = pushOf(ts, events.value());
        const QByteArray wire = encodePush(push);

        // What the reference reads, and whether the fast reader agrees (it may also pass).
        int fastTaken = 0, compared = 0;
        auto agree = [&](const QByteArray &body, const char *what) -> QString {
            ++compared;
            const auto reference = detail::decodePushReference(body);
            const std::optional<PushRequest> fast = detail::decodePushFast(body);
            const auto both = decodePush(body);
            if (both.ok() != reference.ok() || (!both.ok() && both.error().message != reference.error().message))
                return u"%1: decodePush differs from the reference"_s.arg(QLatin1String(what));
            if (!fast)
                return {};
            ++fastTaken;
            if (!reference)
                return u"%1: the fast reader accepted what the reference refuses (%2)"_s.arg(QLatin1String(what), reference.error().message);
            const PushRequest &a = *fast, &b = reference.value();
            if (a.terminalId != b.terminalId || a.events.size() != b.events.size() || a.members.size() != b.members.size())
                return u"%1: different batch"_s.arg(QLatin1String(what));
            for (qsizetype i = 0; i < a.events.size(); ++i) {
                const LedgerEvent &x = a.events.at(i), &y = b.events.at(i);
                const QList<std::pair<QString, QString>> texts{
                    {x.eventId, y.eventId},   {x.terminalId, y.terminalId}, {x.type, y.type},       {x.memberId, y.memberId},
                    {x.receiptId, y.receiptId}, {x.refEventId, y.refEventId}, {x.actor, y.actor}, {x.prevHash, y.prevHash},
                    {x.hash, y.hash}};
                for (const auto &[u, v] : texts)
                    if (u != v || u.isNull() != v.isNull())
                        return u"%1: event %2: \"%3\" against \"%4\""_s.arg(QLatin1String(what)).arg(i).arg(u, v);
                if (x.terminalSeq != y.terminalSeq || x.hlc != y.hlc || x.occurredAt != y.occurredAt || x.points != y.points
                    || x.amount != y.amount || x.payloadJson != y.payloadJson)
                    return u"%1: event %2: different numbers or payload"_s.arg(QLatin1String(what)).arg(i);
            }
            for (qsizetype i = 0; i < a.members.size(); ++i)
                if (a.members.at(i).memberId != b.members.at(i).memberId || a.members.at(i).phoneIndex != b.members.at(i).phoneIndex
                    || a.members.at(i).wrappedKey != b.members.at(i).wrappedKey)
                    return u"%1: member %2 differs"_s.arg(QLatin1String(what)).arg(i);
            return {};
        };

        // The push as terminals send it: the fast reader takes it (the receipt's quotes,
        // backslash and tab are escapes on the wire), and \u escapes.
        QString why = agree(wire, "the push");
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QCOMPARE(fastTaken, 1);
        QByteArray escaped = wire;
        escaped.replace("\"kasir x\"", "\"kasir \\u00e9\\u20ac\\/\"");
        why = agree(escaped, "\\u escapes");
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QCOMPARE(fastTaken, 2);
        REQUIRE_OK(read, decodePush(escaped));
        QVERIFY(std::any_of(read->events.cbegin(), read->events.cend(),
                            [](const LedgerEvent &e) { return e.actor == u"kasir \u00e9\u20ac/"_s; }));

        // Valid, but outside the fast reader's shape: the reference reads them.
        QByteArray spaced = wire;
        spaced.replace("\":", "\" : ").replace(",\"", " ,\n\"");
        QByteArray numbers = wire;
        numbers.replace("\"terminalSeq\":\"1\"", "\"terminalSeq\":1");
        QByteArray extraTop = wire;
        extraTop.replace("\"v\":", "\"x\":[1,{\"a\":null}],\"v\":");
        QByteArray utf8 = wire; // UTF-8 as it is: the reference checks it
        utf8.replace("\"kasir x\"", "\"kasir \xc3\xa9\"");
        for (const auto &[body, what] : {std::pair{spaced, "spaced"}, std::pair{numbers, "a number"},
                                         std::pair{extraTop, "an unknown top-level key"}, std::pair{utf8, "UTF-8"}}) {
            why = agree(body, what);
            QVERIFY2(why.isEmpty(), qPrintable(why));
            QVERIFY2(decodePush(body).ok(), what);
        }

        // Wrong in ways a changed byte does not reach: a field too long, a required one empty,
        // one batch too many; and a key twice, which the reference takes (one of them) and the
        // fast reader leaves to it.
        QByteArray longHash = wire, emptyType = wire, twice = wire;
        longHash.replace("\"hash\":\"", "\"hash\":\"0");
        emptyType.replace("\"type\":\"earn\"", "\"type\":\"\"");
        twice.replace("\"type\":\"earn\"", "\"type\":\"earn\",\"type\":\"earn\"");
        QByteArray tooMany = "{\"events\":[";
        const QByteArray one = wire.mid(wire.indexOf("[{") + 1, wire.indexOf("},{") - wire.indexOf("[{"));
        for (int i = 0; i <= kMaxBatchEvents; ++i)
            tooMany += (i ? "," : "") + one;
        tooMany += "],\"members\":[],\"terminalId\":\"t\",\"v\":1}";
        for (const auto &[body, what] : {std::pair{longHash, "a hash too long"}, std::pair{emptyType, "an empty type"},
                                         std::pair{tooMany, "too many events"}}) {
            why = agree(body, what);
            QVERIFY2(why.isEmpty(), qPrintable(why));
            QVERIFY2(!decodePush(body).ok(), what);
        }
        QCOMPARE(decodePush(tooMany).error().code, u"batch_too_large"_s);
        const int before = fastTaken;
        why = agree(twice, "a key twice");
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QCOMPARE(fastTaken, before);

        // Damaged: every byte of the push changed (to a quote, a backslash, a digit, a minus, a
        // letter, a control character) or the push cut there.
        for (qsizetype i = 0; i < wire.size(); ++i) {
            for (const char c : {'"', '\\', '0', '7', '-', 'x', '\x01', '}'}) {
                if (wire.at(i) == c)
                    continue;
                QByteArray changed = wire;
                changed[i] = c;
                why = agree(changed, "a changed byte");
                QVERIFY2(why.isEmpty(), qPrintable(why + u" at %1 ('%2')"_s.arg(i).arg(QLatin1Char(c))));
            }
            why = agree(wire.left(i), "cut short");
            QVERIFY2(why.isEmpty(), qPrintable(why + u" at %1"_s.arg(i)));
        }
        qInfo("%d bodies compared, %d read by the fast reader", compared, fastTaken);
        QVERIFY(fastTaken > 1); // some damage (a digit for a digit) is still a valid push
    }

    void signedLease()
    {
        const KeyPair hub = generateKeyPair(), other = generateKeyPair();
        Lease l;
        l.leaseId = u"0190a1b2-0000-7000-8000-000000000001"_s;
        l.terminalId = u"t1"_s;
        l.issuedAt = 1'700'000'000'000;
        l.expiresAt = l.issuedAt + 72 * 3'600'000LL;
        l.memberCap = 800;
        l.terminalCap = 20000;
        l.maxCount = 50;
        l.asOfServerSeq = 1234;
        const QByteArray wire = encodeSignedLease(l, hub.privateKey);
        REQUIRE_OK(back, decodeSignedLease(wire, hub.publicKey));
        QCOMPARE(back->canonical(), l.canonical());
        QCOMPARE(back->memberCap, 800);
        QCOMPARE(decodeSignedLease(wire, other.publicKey).error().code, u"lease_signature"_s);
        // A terminal that raises its own cap breaks the signature.
        QByteArray forged = wire;
        forged.replace("\"memberCap\":\"800\"", "\"memberCap\":\"99999\"");
        QVERIFY(forged != wire);
        QCOMPARE(decodeSignedLease(forged, hub.publicKey).error().code, u"lease_signature"_s);
    }

    void feedPage()
    {
        FeedPage p;
        p.next = 42;
        p.more = true;
        p.items.append({41, u"member"_s, u"m1"_s, QJsonObject{{u"balance"_s, u"10"_s}}, {}});
        // As the hub sends them: the body as stored, written as it is.
        FeedItem stored{42, u"member"_s, u"m2"_s, {}, QByteArray(R"({"balance":"7","memberId":"m2","name":"Sri \u00e9"})")};
        p.items.append(stored);
        const QByteArray wire = encodeFeedPage(p);
        QCOMPARE(wire, QByteArray(R"({"items":[{"body":{"balance":"10"},"key":"m1","kind":"member","seq":"41"},)"
                                  R"({"body":{"balance":"7","memberId":"m2","name":"Sri \u00e9"},"key":"m2","kind":"member","seq":"42"}],)"
                                  R"("more":true,"next":"42"})"));
        REQUIRE_OK(back, decodeFeedPage(wire));
        QCOMPARE(back->next, 42);
        QVERIFY(back->more);
        QCOMPARE(back->items.size(), 2);
        QCOMPARE(back->items.first().seq, 41);
        QCOMPARE(back->items.first().body.value(u"balance"_s).toString(), u"10"_s);
        QCOMPARE(back->items.last().key, u"m2"_s);
        QCOMPARE(back->items.last().body.value(u"name"_s).toString(), u"Sri \u00e9"_s);
        QCOMPARE(decodeFeedPage(R"({"next":"x"})").error().code, u"malformed_request"_s);
    }
};

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
