#pragma once
// The services a cashier, a manager, the CLI and the tests call. Each business action writes
// its events and updates the caches in ONE write transaction on the single writer connection.
#include "cardtoken.h"
#include "clock.h"
#include "crypto.h"
#include "engine.h"
#include "ledger.h"
#include "program.h"
#include "result.h"
#include "scanmeaning.h"

#include <QDate>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

namespace setia {

class Store;

struct Consent {
    bool marketing = false;
    bool whatsapp = false;
};

struct EnrollRequest {
    QString name, phone, email;
    QDate birthDate;
    Consent consent;
    QString referralCode;  // of the member who referred this one
    QString cardNumber;    // a printed card handed over at the till (optional)
    QString cardKind = QStringLiteral("barcode");
    bool issueDigitalCard = false;
    QString actor;
};

struct Profile {
    QString name, phone, email;
    QDate birthDate;
};

struct CardView {
    QString number, kind, status, memberId, blockReason, replacedBy;
    qint64 issuedAt = 0;
};

struct MemberView {
    QString memberId, status, homeStore, tierId, tierName, referralCode, referrerId;
    Profile profile; // empty when erased
    qint64 balance = 0;
    qint64 enrolledAt = 0;
    qint64 consentMarketingAt = 0, consentWhatsappAt = 0;
    QList<CardView> cards;
    QStringList badges;
};

struct MemberSummary {
    QString memberId, name, maskedPhone, tierId, status;
    qint64 balance = 0;
};

struct EventView {
    QString eventId, type, receiptId, refEventId, actor;
    qint64 occurredAt = 0, points = 0, amount = 0, terminalSeq = 0;
    QJsonObject payload;
};

struct EarnResult {
    QString memberId, receiptId, eventId;
    qint64 points = 0;        // sale points
    qint64 bonusPoints = 0;   // this member's bonuses
    qint64 balance = 0;       // after
    QString tierId;           // after
    bool tierChanged = false;
    bool replayed = false;    // the same receipt was already earned: this is the original answer
    QList<ExplanationLine> explanation;
    QJsonObject toJson() const;
    // toJson() written straight as canonical JSON (stored for replays); keep the two in step.
    void writeJson(CanonicalWriter &w) const;
    static EarnResult fromJson(const QJsonObject &o);
};

struct RedeemResult {
    QString memberId, eventId, rewardId, voucherCode;
    qint64 points = 0;   // spent (positive)
    qint64 value = 0;    // minor units, for points as payment
    qint64 balance = 0;  // after
    bool replayed = false; // the same request id (or, for points as payment, receipt) was already done
};

struct ReverseResult {
    QString receiptId, memberId;
    qint64 refundedAmount = 0;     // this refund
    qint64 pointsReversed = 0;     // this refund, all members together
    qint64 balance = 0;            // the buyer's after
    bool fullyRefunded = false;
    bool replayed = false;         // the same request id was already refunded: the original answer
};

struct VoucherView {
    QString code, typeId, memberId, status; // status: valid, used, expired
    qint64 discount = 0, minSpend = 0, issuedAt = 0, expiresAt = 0, usedAt = 0;
    bool replayed = false; // useVoucher only: the same request id was already used, the original answer
};

struct TierStatus {
    QString tierId, tierName, nextTierId, nextTierName;
    qint64 windowTotal = 0, toNext = 0;
    QString basis;
};

struct Report {
    qint64 fromMs = 0, toMs = 0;
    qint64 pointsEarned = 0, pointsBonus = 0, pointsRedeemed = 0, pointsReversed = 0, pointsAdjusted = 0,
           pointsExpired = 0;
    qint64 receipts = 0, spend = 0, redemptions = 0, membersEnrolled = 0, activeMembers = 0;
    QList<std::pair<QString, qint64>> topMembers; // member id, points earned
    QList<std::pair<qint64, qint64>> byHour;      // store-local hour 0..23: earned, redeemed
    double redemptionRate() const { return pointsEarned + pointsBonus > 0 ? double(pointsRedeemed) / double(pointsEarned + pointsBonus) : 0.0; }
};

struct ImportReport {
    int members = 0, cards = 0;
    qint64 openingPoints = 0;
    QStringList errors; // "line 7: phone: ..." — nothing is imported when any row is wrong
};

struct AlertView {
    QString alertId, kind, memberId, detail, acknowledgedBy;
    qint64 at = 0, acknowledgedAt = 0;
};

class Loyalty {
public:
    // The store must be open for writing for any operation that changes something.
    Loyalty(Store &store, KeyRing keys, const Clock &clock, Random &random);
    ~Loyalty();

    // Creates the terminal identity on a new store (idempotent): store id, terminal id, time zone.
    Status initialize(const QString &storeId, const QString &storeName, const QString &timeZone, const QString &currency);
    QString setting(const QString &key) const;
    Status setSetting(const QString &key, const QString &value, const QString &actor);
    QString terminalId() const;
    QString storeId() const;

    // --- program ---
    Result<int> loadProgram(const QByteArray &json, const QString &actor);
    // The program in force at a time (default: now). Error when none is loaded.
    Result<Program> program(std::optional<qint64> atMs = std::nullopt) const;

    // --- members and cards ---
    Result<MemberView> enroll(const EnrollRequest &request);
    Result<MemberView> member(const QString &memberId) const;
    Result<MemberView> memberByCard(const QString &cardNumber) const;
    Result<MemberView> memberByPhone(const QString &phone) const;
    // The member a scan at the till identifies (scanmeaning.h, docs/scanning.md): a member card
    // (swiped or not), a signed digital card (verified), a phone number; a card of another
    // scheme or a typed word is tried as a registered card number. Refused, with nothing about
    // the scan recorded or logged: payment_card (not even the number in the message),
    // garbled_scan, partial_scan. Also refused: voucher_scanned (the code is in meaning->value),
    // digital_card_needs_qr (a digital card's bare number), forged/expired/future_card_token.
    // A scan of a registered card counts for the repeat-scan rule (recordScan, with the card
    // number only). meaning, when given, receives the classification.
    Result<MemberView> memberByScan(const ScanInput &scan, ScanMeaning *meaning = nullptr);
    // The signed QR payload (cardtoken.h) for an active digital (qr) card of an active member,
    // from the store's signing key and clock. Empty for any other card.
    QString digitalCardToken(const QString &cardNumber, qint64 validForMs = kCardTokenDefaultValidityMs) const;
    // The member a card (any status) or phone belongs to, whatever the membership's status:
    // for managers' tools. The till uses memberByCard, which refuses blocked cards and members.
    Result<QString> memberIdFor(const QString &cardOrPhone) const;
    // Finds by card number, phone or name words; paged, newest first.
    Result<QList<MemberSummary>> search(const QString &query, int page = 0, int pageSize = 20) const;
    Result<QList<EventView>> history(const QString &memberId, int page = 0, int pageSize = 50) const;
    Result<CardView> assignCard(const QString &memberId, const QString &cardNumber, const QString &kind, const QString &actor);
    // Blocks a lost card; with a replacement, the new card joins the same member (balance kept).
    Result<CardView> blockCard(const QString &cardNumber, const QString &reason, const QString &replacement, const QString &actor);
    Status updateProfile(const QString &memberId, const Profile &profile, const QString &actor);
    // Blocks (fraud hold, at the member's request) or unblocks a membership; audited.
    Status setMemberBlocked(const QString &memberId, bool blocked, const QString &reason, const QString &actor);
    // UU PDP erasure: personal data and the member key destroyed, an erase event recorded.
    Status erase(const QString &memberId, const QString &reason, const QString &actor);
    Result<TierStatus> tierStatus(const QString &memberId) const;
    Result<QList<VoucherView>> vouchers(const QString &memberId) const;
    // Points that expire within `days` from now, and when the first of them expires (0: none).
    std::pair<qint64, qint64> expiringPoints(const QString &memberId, int days) const;
    struct MissionStatus {
        QString id, name, kind, badge;
        qint64 progress = 0, target = 0, bonusPoints = 0;
        bool completed = false; // already paid within its window
    };
    Result<QList<MissionStatus>> missions(const QString &memberId) const;

    // --- points ---
    Result<EarnComputation> quote(const QString &memberId, const Basket &basket) const;
    Result<EarnResult> earn(const QString &memberId, const Basket &basket, const QString &actor);
    // Client request ids (requestId, optional; docs/storage.md "Request ids"): with one, a
    // redemption, a voucher use or a refund is done once. The first call does the work and keeps
    // the request's hash and its answer under the id, in the action's own write transaction; the
    // same id with the same request again writes nothing and returns that answer with replayed
    // set; the same id with a different request (or another operation) is refused with
    // request_conflict. An id is 1 to 128 characters of A-Z a-z 0-9 . _ : - (a UUID, say), else
    // invalid_request_id. A refused call stores nothing: its retry is checked afresh. Without an
    // id (empty) nothing changes. Earn needs none: the receipt id is its key.
    Result<RedeemResult> redeemReward(const QString &memberId, const QString &rewardId, const QString &actor,
                                      const QString &requestId = {});
    // With a receipt id, points pay for a receipt once: the same receipt and points again get the
    // payment made (replayed), other points or another member are refused (receipt_conflict).
    Result<RedeemResult> redeemPoints(const QString &memberId, qint64 points, const QString &receiptId, const QString &actor,
                                      const QString &requestId = {});
    // Refund of a receipt. refundAmount: none for the whole receipt.
    Result<ReverseResult> reverse(const QString &receiptId, std::optional<qint64> refundAmount, const QString &reason,
                                  const QString &actor, const QString &requestId = {});
    Result<qint64> adjust(const QString &memberId, qint64 points, const QString &reason, const QString &actor);
    Result<VoucherView> issueVoucher(const QString &memberId, const QString &typeId, const QString &actor);
    Result<VoucherView> useVoucher(const QString &code, const QString &receiptId, qint64 basketTotal, const QString &actor,
                                   const QString &requestId = {});
    // Expires lots past their date; returns points expired.
    Result<qint64> expirePoints(const QString &actor);
    // Re-evaluates every member's tier (downgrades happen as the window moves); returns changes.
    Result<int> recomputeTiers(const QString &actor);

    // A card was scanned at the till (whether or not anything followed). Many scans of one card
    // in a short time (program fraud.repeatScanCount within repeatScanSeconds) raise an alert.
    Status recordScan(const QString &cardNumber, const QString &memberId);

    // --- manager ---
    Report report(qint64 fromMs, qint64 toMs) const;
    QList<AlertView> alerts(bool includeAcknowledged = false) const;
    Status acknowledgeAlert(const QString &alertId, const QString &actor);
    QList<QStringList> auditLog(int limit = 100) const;

    // --- import / export ---
    // CSV with header: name,phone,email,birth_date,card_number,card_kind,opening_balance,marketing_consent
    ImportReport importMembers(const QByteArray &csv, const QString &actor);
    QByteArray exportMembers(bool includePersonalData) const;
    QByteArray exportEvents(qint64 fromMs, qint64 toMs) const;

    VerifyReport verify() const;
    qint64 nowMs() const;

    // --- sync with the hub (the terminal's side; sync/client drives it, docs/sync.md) ---
    // A terminal registered with a hub redeems offline only within the hub's signed lease; a
    // store without a hub (one terminal, the demo) needs none.
    struct SyncLease {
        QString leaseId;
        qint64 issuedAt = 0, expiresAt = 0, memberCap = 0, terminalCap = 0, maxCount = 0;
        qint64 receivedAt = 0; // by this terminal's clock (set by setLease)
    };
    struct SyncMemberKey {
        QString memberId, phoneIndex;
        QByteArray wrappedKey; // the member's data key, wrapped by the chain's key ring
    };
    struct HubCard {
        QString number, kind, status;
    };
    struct HubVoucher {
        QString code, typeId;
        qint64 discount = 0, minSpend = 0, issuedAt = 0, expiresAt = 0, usedAt = 0;
    };
    // One member as the hub's change feed gives it.
    struct HubMember {
        QString memberId, status, homeStore, tierId, phoneIndex, mergedInto; // status: active, blocked, erased, merged
        QByteArray profile, wrappedKey; // sealed profile and wrapped key (empty when erased)
        qint64 balance = 0, asOf = 0, enrolledAt = 0;
        QList<HubCard> cards;
        QList<HubVoucher> vouchers;
        // Set by feedPreparer() (optional): the profile's name as it decrypts (empty when it
        // cannot be read) and its name tokens as stageName() writes them, so that applyFeed
        // need not decrypt on the terminal's thread.
        bool prepared = false;
        QString name, nameTokens;
    };
    struct HubAlert {
        QString alertId, kind, memberId, detail;
        qint64 at = 0;
    };
    struct FeedBatch {
        QList<HubMember> members;
        QList<std::pair<int, QByteArray>> programs; // version, document
        QList<HubAlert> alerts;
        qint64 cursor = 0; // the feed cursor after this batch
        bool complete = false; // the hub said no page follows: this terminal has caught up
    };
    // The part of applying a feed member that needs no store: decrypting its profile and
    // making its name's tokens (HubMember::prepared). It reads only its own copy of the key
    // ring, so it is safe on any thread: the sync client runs it where it decodes the feed,
    // off the terminal's thread.
    using FeedPreparer = std::function<void(HubMember &)>;
    FeedPreparer feedPreparer() const;
    bool syncRegistered() const;                     // the store syncs with a hub
    // After a successful registration: the hub's address and its public key (base64), audited.
    Status setSyncRegistered(const QString &hubUrl, const QString &hubKey);
    // The outbox: this terminal's events the hub has not stored yet, in sequence order.
    Result<QList<LedgerEvent>> unsyncedEvents(int limit) const;
    qint64 unsyncedCount() const;
    // The wrapped keys and phone indexes of the members these events enroll or change.
    QList<SyncMemberKey> memberKeysFor(const QList<LedgerEvent> &events) const;
    // The hub stored these events (event id, server_seq).
    Status markSynced(const QList<std::pair<QString, qint64>> &stored);
    // Applies a page of the change feed in one transaction and moves the cursor.
    Status applyFeed(const FeedBatch &batch);
    qint64 feedCursor() const;
    // This terminal has once applied the feed to its end (its first pull is over).
    bool feedCaughtUp() const;
    // How many of the chain's members the hub has sent this terminal (rows of hub_members).
    qint64 hubMemberCount() const;
    // A first pull stages the names of the members it brings (one row each, table
    // member_names_staged) instead of inserting their tokens into the name index one member at
    // a time; once the feed is caught up, indexStagedNames() merges them in, one of 16 slices
    // of the token space per call and per transaction (sorted, so each slice writes a run of
    // the index instead of pages all over it). true while slices remain. Until then a name
    // search also reads the staged rows (slower, but it finds those members).
    bool namesStaged() const;
    Result<bool> indexStagedNames();
    // The redemption lease (already verified against the hub's key by the sync client).
    Status setLease(const SyncLease &lease);
    std::optional<SyncLease> lease() const;
    // Offline redemptions not yet stored by the hub: count and points, all members and one.
    std::pair<qint64, qint64> unconfirmedRedemptions(const QString &memberId = {}) const;

    struct Impl; // private to loyalty*.cpp (loyalty_p.h)

private:
    std::unique_ptr<Impl> d;
};

} // namespace setia
