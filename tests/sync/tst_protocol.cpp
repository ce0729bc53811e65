// The sync wire format: Ed25519, request signing, events on the wire, the signed lease.
#include "sync/protocol/protocol.h"

#include "core/crypto.h"
#include "testsupport.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace setia;
using namespace setia::sync;

class TestProtocol : public QObject {
    Q_OBJECT
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
        PushRequest push{ts.loyalty().terminalId(), events.value(), {}};
        for (const auto &k : ts.loyalty().memberKeysFor(push.events))
            push.members.append({k.memberId, k.phoneIndex, k.wrappedKey});
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
