#pragma once

// Private to the loyalty services (loyalty*.cpp).
#include "loyalty.h"
#include "store.h"

#include <QSqlQuery>

#include <optional>

namespace setia {

struct Loyalty::Impl {
    Store &store;
    KeyRing keys;
    const Clock &clock;
    Random &random;
    std::unique_ptr<Ledger> ledger;
    mutable QList<Program> programs; // loaded versions, ascending
    mutable bool programsLoaded = false;

    Impl(Store &s, KeyRing k, const Clock &c, Random &r) : store(s), keys(std::move(k)), clock(c), random(r) {}

    QSqlDatabase db() const { return store.readOnly() ? store.reader() : store.writer(); }
    QSqlQuery query() const { return QSqlQuery(db()); }
    qint64 now() const { return clock.nowMs(); }
    Status requireWritable() const;
    Status requireLedger() const;

    // settings
    QString setting(const QString &key) const;
    Status putSetting(const QString &key, const QString &value);

    // programs
    void loadPrograms() const;
    Result<Program> programAt(qint64 ms) const;

    // members
    struct MemberRow {
        QString memberId, status, homeStore, tierId, referralCode, referrerId, phoneIndex;
        QByteArray profile, wrappedKey;
        qint64 enrolledAt = 0, consentMarketingAt = 0, consentWhatsappAt = 0;
    };
    Result<MemberRow> memberRow(const QString &memberId) const;
    Result<MemberRow> activeMember(const QString &memberId) const; // refuses blocked and erased
    Profile decryptProfile(const MemberRow &row) const; // empty when it cannot be read
    // std::nullopt when the row has a profile that cannot be read (no key, tampered).
    std::optional<Profile> tryDecryptProfile(const MemberRow &row) const;
    // The name the row's index rows were made from: its profile's, empty for no profile,
    // std::nullopt when the profile cannot be read (indexName() then scans).
    std::optional<QString> knownName(const MemberRow &row) const;
    QByteArray encryptProfile(const QString &memberId, const QByteArray &memberKey, const Profile &p) const;
    Result<MemberView> view(const MemberRow &row) const;
    QString memberIdByCard(const QString &card, QString *status = nullptr) const;
    // The name index (table member_names, docs/storage.md): a blind token per prefix of each
    // word, 16 hex digits (the first 8 bytes of the HMAC). nameToken is one word's prefix.
    static constexpr qsizetype kNameTokenHexDigits = 16;
    QString nameToken(QByteArrayView utf8Prefix) const;
    QStringList nameTokens(const QString &name) const;
    // Moves the member's name index rows from oldName to name: only the tokens that differ are
    // deleted and inserted. The table has no index by member, so what is deleted is found from
    // the old name's tokens: oldName empty means the member has no rows (a new member, or one
    // without a name); std::nullopt means the old name is unknown (a profile that cannot be
    // read), and the member's rows are then found by a scan of the table. name empty: no rows.
    // A member staged by a first pull (Loyalty::namesStaged) is moved the same way: its staged
    // row, which holds its old tokens, goes, and its new tokens go straight into member_names.
    Status indexName(const QString &memberId, const QString &name, const std::optional<QString> &oldName);
    // Stages the name's tokens for indexStagedNames() (a first pull's new member).
    Status stageName(const QString &memberId, const QString &name);
    // The same with the tokens already made (nameTokens(name) joined by spaces: feedPreparer).
    Status stageTokens(const QString &memberId, const QString &tokens);
    // A first pull writes its members without the phone index (members_phone) and builds it,
    // sorted, in its last transaction (docs/storage.md "The phone index and the first pull"):
    // its random keys dirtied a page of the index for nearly every member of every chunk.
    // buildPhoneIndex() first gives each phone to one member when the pull left it on two.
    Status dropPhoneIndex();
    Status buildPhoneIndex();
    bool phoneIndexed() const; // members_phone is there (not during a first pull)
    bool anyStagedNames() const;
    // The WAL of a terminal being prepared (Store::kPreparingWalPages); off: back to the usual
    // size, checkpointed and truncated.
    void preparingWal(bool on);
    // Inserts an active card and its card_assign event (inside the caller's transaction).
    Status insertCard(const QString &memberId, const QString &card, const QString &kind, const QString &actor,
                      const QString &replaces);

    // facts for the engine
    qint64 windowTotal(const QString &memberId, const Program &p, qint64 now) const;
    // tierTotal, when given, receives the tier window's total before this moment's events.
    MemberFacts facts(const MemberRow &row, const Program &p, qint64 now, qint64 *tierTotal = nullptr) const;
    // Evaluates the tier; writes a tier_change event when it moved. Inside a transaction.
    Result<bool> updateTier(const QString &memberId, const Program &p, const QString &actor);
    // The same with the member row and the window total already known; *tierId gets the tier after.
    Result<bool> updateTier(const MemberRow &row, const Program &p, const QString &actor, qint64 windowTotal,
                            QString *tierId);

    // Offline redemptions stay within the hub's signed lease (loyalty_sync.cpp, docs/sync.md).
    Status checkLease(const QString &memberId, qint64 points) const;

    Status audit(const QString &actor, const QString &action, const QString &subject, const QString &detail);
    Status raiseAlert(const QString &kind, const QString &memberId, const QString &detail);
    Result<LedgerEvent> append(LedgerEvent e, qint64 expiresAt = 0) { return ledger->append(std::move(e), expiresAt); }
    // Client request ids (idempotency). The hash is of the canonical request, operation included.
    static bool validRequestId(const QString &requestId);
    // The answer kept under requestId (canonical JSON), or none when the id is new; request_conflict
    // when the id was used for a different request.
    Result<std::optional<QJsonObject>> storedAnswer(const QString &requestId, const QString &requestHash) const;
    // Keeps the answer under the id; inside the action's write transaction.
    Status storeAnswer(const QString &requestId, const QString &operation, const QString &requestHash,
                       const QByteArray &answer);

    Result<VoucherView> issueVoucherTx(const QString &memberId, const VoucherType &type, const QString &actor,
                                       const QString &refEventId);
};

// Error helper for "not found" and friends.
inline Error err(const char16_t *code, const QString &message) { return Error{QString::fromUtf16(code), message}; }

} // namespace setia
