#pragma once
// The sync wire format shared by the terminal (sync/client) and the hub (sync/hub):
// docs/sync.md is the reference. No I/O here.
//
// - Events travel as JSON objects with every field of a ledger event; the payload is the
//   canonical JSON text exactly as the terminal hashed it, so the hub recomputes the same hash.
// - Every terminal request is signed with the terminal's Ed25519 key over
//   "setia-sync-v1\n<METHOD>\n<path?query>\n<sha256 hex of the body>" (requestSigningInput).
//   No timestamp window: a terminal whose clock is days off must still sync, and a replayed
//   request is harmless (pushes are idempotent, reads change nothing).
// - The redemption lease is canonical JSON signed by the hub's Ed25519 key.
#include "core/ledger.h"
#include "core/result.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace setia::sync {

inline constexpr int kProtocolVersion = 1;
inline constexpr int kMaxBatchEvents = 1000;       // the hub refuses bigger batches
inline constexpr qint64 kMaxRequestBytes = 8 << 20; // 8 MiB

// ---- Ed25519 (OpenSSL) ----
struct KeyPair {
    QByteArray privateKey; // 32 raw bytes (the seed)
    QByteArray publicKey;  // 32 raw bytes
};
KeyPair generateKeyPair();
// The public key of a raw private key; empty when the key is not 32 bytes.
QByteArray publicKeyOf(const QByteArray &privateKey);
QByteArray sign(const QByteArray &privateKey, const QByteArray &message); // 64 bytes, empty on error
bool verify(const QByteArray &publicKey, const QByteArray &message, const QByteArray &signature);
// A key file: the private key in base64 on one line, mode 0600. Created when missing and create.
Result<KeyPair> loadOrCreateKeyFile(const QString &path, bool create);

// ---- request signing ----
QByteArray requestSigningInput(const QByteArray &method, const QByteArray &pathAndQuery, const QByteArray &body);
inline constexpr const char *kTerminalHeader = "X-Setia-Terminal";
inline constexpr const char *kSignatureHeader = "X-Setia-Signature";

// ---- events ----
QJsonObject eventToJson(const LedgerEvent &e); // payload as the canonical text in "payload"
// Checks every field's presence and type; the hash is not checked here (the hub does).
Result<LedgerEvent> eventFromJson(const QJsonValue &v);

// What a terminal sends with enrollments and profile changes, beside the events: the member's
// data key wrapped by the chain's key, and the blind phone index (never the phone itself).
struct MemberKey {
    QString memberId, phoneIndex;
    QByteArray wrappedKey;
};
QJsonObject memberKeyToJson(const MemberKey &k);
Result<MemberKey> memberKeyFromJson(const QJsonValue &v);

struct PushRequest {
    QString terminalId;
    QList<LedgerEvent> events;
    QList<MemberKey> members;
};
QByteArray encodePush(const PushRequest &r);
Result<PushRequest> decodePush(const QByteArray &body);
namespace detail { // decodePush()'s two readers, for tests/sync/tst_protocol
Result<PushRequest> decodePushReference(const QByteArray &body);           // QJsonDocument
std::optional<PushRequest> decodePushFast(const QByteArray &body);          // nothing: ask the reference
} // namespace detail

// The hub's answer for one event.
struct EventResult {
    QString eventId;
    QString status;   // accepted, duplicate, held, rejected
    QString reason;   // for held and rejected: hash_mismatch, broken_chain, sequence_taken,
                      // conflicting_duplicate, wrong_terminal, gap
    qint64 serverSeq = 0; // accepted and duplicate
    bool stored() const { return status == QLatin1String("accepted") || status == QLatin1String("duplicate"); }
};
QByteArray encodePushResponse(const QList<EventResult> &results);
Result<QList<EventResult>> decodePushResponse(const QByteArray &body);

// ---- the redemption lease ----
struct Lease {
    QString leaseId, terminalId;
    qint64 issuedAt = 0, expiresAt = 0;   // UTC ms, by the hub's clock
    qint64 memberCap = 0;                 // points one member may redeem offline on this terminal
    qint64 terminalCap = 0;               // points all members together
    qint64 maxCount = 0;                  // offline redemptions
    qint64 asOfServerSeq = 0;
    QByteArray canonical() const;         // the signed bytes
    QJsonObject toJson() const;
    static Result<Lease> fromJson(const QJsonObject &o);
};
// {"lease": {...}, "signature": base64}
QByteArray encodeSignedLease(const Lease &lease, const QByteArray &hubPrivateKey);
// Verifies the hub's signature with its pinned public key.
Result<Lease> decodeSignedLease(const QByteArray &body, const QByteArray &hubPublicKey);

// ---- the change feed ----
struct FeedItem {
    qint64 seq = 0;
    QString kind;     // member, program, terminal, alert
    QString key;      // member id, program version, terminal id, alert id
    QJsonObject body;
    // The body as the hub stored it (compact JSON): sent as it is, so the hub does not parse
    // and write again every body of every page (encodeFeedPage). Empty: body is sent.
    QByteArray rawBody;
};
struct FeedPage {
    QList<FeedItem> items;
    qint64 next = 0;  // the cursor to ask after next time
    bool more = false;
};
QByteArray encodeFeedPage(const FeedPage &page);
Result<FeedPage> decodeFeedPage(const QByteArray &body);

// Base64 helpers that refuse bad input (QByteArray::fromBase64 silently skips it).
Result<QByteArray> fromBase64Strict(const QString &text, int expectedBytes = -1);

} // namespace setia::sync
