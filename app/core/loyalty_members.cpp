#include "loyalty_p.h"

#include "ids.h"
#include "phone.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSet>
#include <QSqlQuery>
#include <QTimeZone>
#include <QVariant>

#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcMembers, "setia.members", QtWarningMsg)

namespace setia {

namespace {
QString emailCheck(const QString &email)
{
    if (email.isEmpty())
        return {};
    static const QRegularExpression re(u"^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"_s);
    return re.match(email).hasMatch() ? QString() : u"email: '%1' is not an e-mail address"_s.arg(email);
}

// The words of a name (or of a search) for the name index: lower-cased, split at every run of
// characters that are neither letters nor digits (\p{L}, \p{N}). ASCII text, nearly every name,
// is split by hand (in ASCII \p{L} and \p{N} are exactly A-Z, a-z, 0-9); other text by the
// regular expression. Both give the same words, so the stored index stays valid.
QStringList nameWords(const QString &text)
{
    const QString lower = text.toLower();
    const auto isAsciiWordChar = [](char16_t c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9');
    };
    QStringList words;
    qsizetype start = -1;
    for (qsizetype i = 0; i < lower.size(); ++i) {
        const char16_t c = lower.at(i).unicode();
        if (c >= 0x80) {
            // One per thread: the sync client's feed thread makes name tokens too (feedPreparer).
            static thread_local const QRegularExpression separators(u"[^\\p{L}\\p{N}]+"_s);
            return lower.split(separators, Qt::SkipEmptyParts);
        }
        if (isAsciiWordChar(c)) {
            if (start < 0)
                start = i;
        } else if (start >= 0) {
            words << lower.mid(start, i - start);
            start = -1;
        }
    }
    if (start >= 0)
        words << lower.mid(start);
    return words;
}
} // namespace

// ---- rows, encryption, views ----

Result<Loyalty::Impl::MemberRow> Loyalty::Impl::memberRow(const QString &memberId) const
{
    Stmt q(store, u"SELECT member_id, status, home_store, tier_id, COALESCE(referral_code,''), COALESCE(referrer_id,''),"
              " COALESCE(phone_index,''), profile, wrapped_key, enrolled_at, COALESCE(consent_marketing_at,0),"
              " COALESCE(consent_whatsapp_at,0) FROM members WHERE member_id = ?"_s);
    q.addBindValue(memberId);
    if (!q.exec())
        return sqlError(q, "read the member");
    if (!q.next())
        return err(u"unknown_member", u"There is no member %1."_s.arg(memberId));
    MemberRow r;
    r.memberId = q.value(0).toString();
    r.status = q.value(1).toString();
    r.homeStore = q.value(2).toString();
    r.tierId = q.value(3).toString();
    r.referralCode = q.value(4).toString();
    r.referrerId = q.value(5).toString();
    r.phoneIndex = q.value(6).toString();
    r.profile = q.value(7).toByteArray();
    r.wrappedKey = q.value(8).toByteArray();
    r.enrolledAt = q.value(9).toLongLong();
    r.consentMarketingAt = q.value(10).toLongLong();
    r.consentWhatsappAt = q.value(11).toLongLong();
    return r;
}

Result<Loyalty::Impl::MemberRow> Loyalty::Impl::activeMember(const QString &memberId) const
{
    auto row = memberRow(memberId);
    if (!row)
        return row;
    if (row->status == u"erased"_s)
        return err(u"member_erased", u"This member's data was erased at their request; the membership no longer exists."_s);
    if (row->status == u"blocked"_s)
        return err(u"member_blocked", u"This membership is blocked; a manager can tell why."_s);
    return row;
}

namespace {

QString nameTokenWith(const KeyRing &keys, QByteArrayView utf8Prefix)
{
    // 64 bits of the blind index: that any two of the ~11 million tokens of a 1,000,000-member
    // store collide is ~3e-6, and a collision only adds a member to one prefix's results.
    return keys.blindIndexUtf8("name", utf8Prefix).first(Loyalty::Impl::kNameTokenHexDigits);
}

// See Loyalty::Impl::nameTokens. Only reads the key ring: safe on any thread.
QStringList nameTokensWith(const KeyRing &keys, const QString &name)
{
    // Blind index of every word's prefixes (2..12 characters), lower-cased, so "budi sa" finds
    // "Budi Santoso" without the name being readable from the index.
    // Sorted and without repeats (the same prefix in two words is one row).
    QStringList tokens;
    for (const QString &w : nameWords(name)) {
        const qsizetype longest = qMin<qsizetype>(w.size(), 12);
        // A prefix is w.left(n) in UTF-8; for an ASCII word that is the first n bytes.
        const QByteArray utf8 = w.toUtf8();
        const bool ascii = utf8.size() == w.size();
        for (qsizetype n = 2; n <= longest; ++n) {
            if (ascii)
                tokens << nameTokenWith(keys, QByteArrayView(utf8).first(n));
            else
                tokens << nameTokenWith(keys, w.left(n).toUtf8());
        }
    }
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    return tokens;
}

// The profile's plain text, or nullopt when it cannot be read. Only reads the key ring.
std::optional<QJsonObject> openProfile(const KeyRing &keys, const QString &memberId, const QByteArray &profile,
                                       const QByteArray &wrappedKey)
{
    if (wrappedKey.isEmpty() || profile.isEmpty())
        return QJsonObject();
    auto key = keys.unwrapMemberKey(memberId, wrappedKey);
    if (!key)
        return std::nullopt;
    auto plain = aesGcmDecrypt(key.value(), profile, "profile:" + memberId.toUtf8());
    if (!plain)
        return std::nullopt;
    return QJsonDocument::fromJson(plain.value()).object();
}

} // namespace

QByteArray Loyalty::Impl::encryptProfile(const QString &memberId, const QByteArray &memberKey, const Profile &p) const
{
    const QJsonObject o{{u"name"_s, p.name}, {u"phone"_s, p.phone}, {u"email"_s, p.email},
                        {u"birthDate"_s, p.birthDate.isValid() ? p.birthDate.toString(Qt::ISODate) : QString()}};
    return aesGcmEncrypt(memberKey, QJsonDocument(o).toJson(QJsonDocument::Compact), "profile:" + memberId.toUtf8());
}

std::optional<Profile> Loyalty::Impl::tryDecryptProfile(const MemberRow &row) const
{
    const auto opened = openProfile(keys, row.memberId, row.profile, row.wrappedKey);
    if (!opened)
        return std::nullopt;
    const QJsonObject &o = *opened;
    Profile p;
    p.name = o.value(u"name"_s).toString();
    p.phone = o.value(u"phone"_s).toString();
    p.email = o.value(u"email"_s).toString();
    p.birthDate = QDate::fromString(o.value(u"birthDate"_s).toString(), Qt::ISODate);
    return p;
}

Profile Loyalty::Impl::decryptProfile(const MemberRow &row) const
{
    return tryDecryptProfile(row).value_or(Profile{});
}

std::optional<QString> Loyalty::Impl::knownName(const MemberRow &row) const
{
    if (auto p = tryDecryptProfile(row))
        return p->name;
    return std::nullopt;
}

Result<MemberView> Loyalty::Impl::view(const MemberRow &row) const
{
    MemberView v;
    v.memberId = row.memberId;
    v.status = row.status;
    v.homeStore = row.homeStore;
    v.tierId = row.tierId;
    v.referralCode = row.referralCode;
    v.referrerId = row.referrerId;
    v.enrolledAt = row.enrolledAt;
    v.consentMarketingAt = row.consentMarketingAt;
    v.consentWhatsappAt = row.consentWhatsappAt;
    v.profile = decryptProfile(row);
    if (auto p = programAt(now()); p) {
        if (const Tier *t = p->tier(row.tierId))
            v.tierName = t->name;
    }
    Stmt q(store, u"SELECT points FROM balances WHERE member_id = ?"_s);
    q.addBindValue(row.memberId);
    if (q.exec() && q.next())
        v.balance = q.value(0).toLongLong();
    q.prepare(u"SELECT card_number, kind, status, issued_at, COALESCE(block_reason,''), COALESCE(replaced_by,'')"
              " FROM cards WHERE member_id = ? ORDER BY issued_at"_s);
    q.addBindValue(row.memberId);
    if (q.exec())
        while (q.next())
            v.cards << CardView{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), row.memberId,
                                q.value(4).toString(), q.value(5).toString(), q.value(3).toLongLong()};
    q.prepare(u"SELECT badge FROM badges WHERE member_id = ? ORDER BY awarded_at"_s);
    q.addBindValue(row.memberId);
    if (q.exec())
        while (q.next())
            v.badges << q.value(0).toString();
    return v;
}

QString Loyalty::Impl::memberIdByCard(const QString &card, QString *status) const
{
    Stmt q(store, u"SELECT member_id, status FROM cards WHERE card_number = ?"_s);
    q.addBindValue(normalizeCardNumber(card));
    if (q.exec() && q.next()) {
        if (status)
            *status = q.value(1).toString();
        return q.value(0).toString();
    }
    return {};
}

QString Loyalty::Impl::nameToken(QByteArrayView utf8Prefix) const { return nameTokenWith(keys, utf8Prefix); }

QStringList Loyalty::Impl::nameTokens(const QString &name) const { return nameTokensWith(keys, name); }

Loyalty::FeedPreparer Loyalty::feedPreparer() const
{
    return [keys = d->keys](HubMember &m) {
        m.prepared = true;
        m.name.clear();
        m.nameTokens.clear();
        if (m.profile.isEmpty())
            return;
        // As applyFeed would: a profile that cannot be read indexes no name.
        if (auto o = openProfile(keys, m.memberId, m.profile, m.wrappedKey)) {
            m.name = o->value(u"name"_s).toString();
            if (!m.name.isEmpty())
                m.nameTokens = nameTokensWith(keys, m.name).join(u' ');
        }
    };
}

namespace {
// A member's name rows go in (and out) by multi-row statements of up to this many rows: one
// statement for a name of a few words instead of one per token.
constexpr qsizetype kNameRowsPerStatement = 16;

const QString &nameInsertSql(qsizetype rows) // 1..kNameRowsPerStatement
{
    static const auto sql = [] {
        std::array<QString, kNameRowsPerStatement> out;
        QString text = u"INSERT OR IGNORE INTO member_names(token, member_id) VALUES(?,?)"_s;
        for (QString &t : out) {
            t = text;
            text += u",(?,?)"_s;
        }
        return out;
    }();
    return sql[size_t(rows - 1)];
}

const QString &nameDeleteSql(qsizetype rows) // 1..kNameRowsPerStatement
{
    static const auto sql = [] {
        std::array<QString, kNameRowsPerStatement> out;
        QString marks = u"?"_s;
        for (QString &t : out) {
            t = u"DELETE FROM member_names WHERE member_id = ? AND token IN (%1)"_s.arg(marks);
            marks += u",?"_s;
        }
        return out;
    }();
    return sql[size_t(rows - 1)];
}

// a minus b, both sorted and without repeats (nameTokens)
QStringList sortedMinus(const QStringList &a, const QStringList &b)
{
    QStringList out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}
} // namespace

Status Loyalty::Impl::indexName(const QString &memberId, const QString &name, const std::optional<QString> &oldName)
{
    const QStringList now = name.isEmpty() ? QStringList() : nameTokens(name);
    QStringList gone, added = now;
    bool staged = false;
    if (anyStagedNames()) {
        // A first pull's member whose tokens wait in member_names_staged (a scan: only until
        // indexStagedNames() has merged them): that row holds its old tokens, and those of
        // the slices merged so far are in member_names too. The row goes; the old tokens the
        // new name lacks are deleted and all the new ones inserted (OR IGNORE).
        Stmt q(store, u"SELECT seq, tokens FROM member_names_staged WHERE member_id = ?"_s);
        q.bindText(0, memberId);
        if (q.exec() && q.next()) {
            const qint64 seq = q.int64(0);
            const QStringList before = q.text(1).split(u' ', Qt::SkipEmptyParts); // sorted, as written
            q.finish();
            Stmt del(store, u"DELETE FROM member_names_staged WHERE seq = ?"_s);
            del.bindInt(0, seq);
            if (auto st = exec(del, "update the name index"); !st)
                return st;
            gone = sortedMinus(before, now);
            staged = true;
        }
    }
    if (staged) {
        // gone and added are set from the staged row
    } else if (!oldName) {
        // The old tokens are unknown: every row of the member goes (a scan of the table).
        Stmt q(store, u"DELETE FROM member_names WHERE member_id = ?"_s);
        q.bindText(0, memberId);
        if (auto st = exec(q, "update the name index"); !st)
            return st;
    } else if (!oldName->isEmpty()) {
        if (*oldName == name)
            return Ok{};
        const QStringList before = nameTokens(*oldName);
        gone = sortedMinus(before, now);
        added = sortedMinus(now, before);
    }
    for (qsizetype from = 0; from < gone.size(); from += kNameRowsPerStatement) {
        const qsizetype rows = qMin(kNameRowsPerStatement, gone.size() - from);
        Stmt del(store, nameDeleteSql(rows));
        del.bindText(0, memberId);
        for (qsizetype i = 0; i < rows; ++i)
            del.bindText(int(i + 1), gone[from + i]);
        if (!del.exec())
            return sqlError(del, "update the name index");
    }
    for (qsizetype from = 0; from < added.size(); from += kNameRowsPerStatement) {
        const qsizetype rows = qMin(kNameRowsPerStatement, added.size() - from);
        Stmt ins(store, nameInsertSql(rows));
        for (qsizetype i = 0; i < rows; ++i) {
            ins.bindText(int(2 * i), added[from + i]);
            ins.bindText(int(2 * i + 1), memberId);
        }
        if (!ins.exec())
            return sqlError(ins, "update the name index");
    }
    return Ok{};
}

bool Loyalty::Impl::anyStagedNames() const
{
    Stmt q(store, u"SELECT EXISTS(SELECT 1 FROM member_names_staged)"_s);
    return q.exec() && q.next() && q.int64(0) != 0;
}

Status Loyalty::Impl::stageName(const QString &memberId, const QString &name)
{
    const QStringList tokens = name.isEmpty() ? QStringList() : nameTokens(name);
    return stageTokens(memberId, tokens.join(u' '));
}

Status Loyalty::Impl::stageTokens(const QString &memberId, const QString &tokens)
{
    if (tokens.isEmpty())
        return Ok{};
    Stmt q(store, u"INSERT INTO member_names_staged(member_id, tokens) VALUES(?,?)"_s);
    q.bindText(0, memberId);
    q.bindText(1, tokens);
    return exec(q, "stage the member's name");
}

Status Loyalty::Impl::dropPhoneIndex()
{
    QSqlQuery q(store.writer());
    if (!q.exec(u"DROP INDEX IF EXISTS members_phone"_s))
        return sqlError(q, "set the phone index aside for the first pull");
    return Ok{};
}

bool Loyalty::Impl::phoneIndexed() const
{
    Stmt q(store, u"SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'members_phone'"_s);
    return q.exec() && q.next();
}

Status Loyalty::Impl::buildPhoneIndex()
{
    const QString create = u"CREATE UNIQUE INDEX IF NOT EXISTS members_phone ON members(phone_index) WHERE phone_index IS NOT NULL"_s;
    QSqlQuery q(store.writer());
    if (q.exec(create))
        return Ok{};
    // Two members with one phone: without the index the pull did not move a phone from the
    // member that had it to the one a later feed row gave it to. A complete pull leaves the
    // hub's members with the hub's phones, which are unique; what is left is a member of this
    // terminal the hub does not know yet (enrolled during the pull), and the phone goes to the
    // hub's member, as the feed row would have taken it. Among several, the member of the
    // latest hub state keeps it (then the greatest id, so that every terminal picks the same).
    if (!q.exec(u"UPDATE members SET phone_index = NULL WHERE member_id IN ("
                " SELECT m.member_id FROM members m LEFT JOIN hub_members h ON h.member_id = m.member_id"
                " WHERE m.phone_index IN (SELECT phone_index FROM members WHERE phone_index IS NOT NULL"
                "                         GROUP BY phone_index HAVING COUNT(*) > 1)"
                " AND EXISTS (SELECT 1 FROM members o LEFT JOIN hub_members oh ON oh.member_id = o.member_id"
                "             WHERE o.phone_index = m.phone_index AND o.member_id <> m.member_id"
                "             AND (COALESCE(oh.as_of, -1), o.member_id) > (COALESCE(h.as_of, -1), m.member_id)))"_s))
        return sqlError(q, "give each phone to one member");
    if (const int moved = q.numRowsAffected(); moved > 0)
        qCWarning(lcMembers, "the first pull left %d phone(s) on a second member; each stays with the hub's member", moved);
    if (!q.exec(create))
        return sqlError(q, "build the phone index");
    return Ok{};
}

bool Loyalty::namesStaged() const { return d->anyStagedNames(); }

Result<bool> Loyalty::indexStagedNames()
{
    if (auto st = d->requireWritable(); !st)
        return st.error();
    // Only once the first pull is over: the last slice empties the table, which must not take
    // rows staged after the slices before it were merged.
    if (!feedCaughtUp() || !d->anyStagedNames())
        return false;
    constexpr int kSlices = 16; // by the token's first hex digit: ~690,000 rows each at 1,000,000 members
    // synchronous=NORMAL, as for the feed: the staged rows stay until the last slice, so a
    // slice lost with its commit in a power cut is merged again (its progress commits with it).
    Stmt(d->store, u"PRAGMA synchronous=NORMAL"_s).exec();
    const auto syncFull = qScopeGuard([this] { Stmt(d->store, u"PRAGMA synchronous=FULL"_s).exec(); });
    d->preparingWal(true);
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    const int slice = qBound(0, d->setting(u"names_staged_slice"_s).toInt(), kSlices - 1);
    const char digit = "0123456789abcdef"[slice];
    // A token as its 64-bit value (16 lower-case hex digits sort as the number does) and the
    // member as its place in `members`: sorting 12-byte pairs instead of two strings each.
    std::vector<QByteArray> members;
    std::vector<std::pair<quint64, quint32>> rows;
    {
        Stmt q(d->store, u"SELECT member_id, tokens FROM member_names_staged"_s);
        if (!q.exec())
            return sqlError(q, "read the staged names");
        while (q.next()) {
            const QByteArrayView tokens = q.utf8(1);
            bool added = false;
            // Sorted: the slice's tokens are one run.
            for (qsizetype at = 0; at + Impl::kNameTokenHexDigits <= tokens.size(); at += Impl::kNameTokenHexDigits + 1) {
                const char first = tokens[at];
                if (first > digit)
                    break;
                if (first < digit)
                    continue;
                bool ok = false;
                const quint64 token = tokens.sliced(at, Impl::kNameTokenHexDigits).toULongLong(&ok, 16);
                if (!ok)
                    continue; // not a token: skipped
                if (!added) {
                    members.push_back(q.utf8(0).toByteArray());
                    added = true;
                }
                rows.emplace_back(token, quint32(members.size() - 1));
            }
        }
    }
    std::sort(rows.begin(), rows.end());
    char hex[Impl::kNameTokenHexDigits + 1];
    for (size_t from = 0; from < rows.size(); from += size_t(kNameRowsPerStatement)) {
        const size_t n = qMin(size_t(kNameRowsPerStatement), rows.size() - from);
        Stmt ins(d->store, nameInsertSql(qsizetype(n)));
        for (size_t i = 0; i < n; ++i) {
            std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(rows[from + i].first));
            ins.bindUtf8(int(2 * i), QByteArrayView(hex, Impl::kNameTokenHexDigits));
            ins.bindUtf8(int(2 * i + 1), members[rows[from + i].second]);
        }
        if (!ins.exec())
            return sqlError(ins, "merge the staged names");
    }
    const bool more = slice + 1 < kSlices;
    if (more) {
        if (auto st = d->putSetting(u"names_staged_slice"_s, QString::number(slice + 1)); !st)
            return st.error();
    } else {
        Stmt q(d->store, u"DELETE FROM member_names_staged"_s);
        if (auto st = exec(q, "empty the staged names"); !st)
            return st.error();
        Stmt s(d->store, u"DELETE FROM settings WHERE key = 'names_staged_slice'"_s);
        if (auto st = exec(s, "empty the staged names"); !st)
            return st.error();
    }
    if (auto st = tx.commit(); !st)
        return st.error();
    if (!more)
        d->preparingWal(false);
    return more;
}

Status Loyalty::Impl::insertCard(const QString &memberId, const QString &card, const QString &kind, const QString &actor,
                                 const QString &replaces)
{
    Stmt c(store, u"INSERT INTO cards(card_number, member_id, kind, status, issued_at) VALUES(?,?,?,'active',?)"_s);
    c.addBindValue(card);
    c.addBindValue(memberId);
    c.addBindValue(kind);
    c.addBindValue(now());
    if (auto st = exec(c, "save the card"); !st) // a disk full or busy store is not a bad card kind
        return st.error().code == u"store_error"_s
            ? err(u"invalid_card", u"cardKind: must be barcode, qr, magstripe or contactless"_s)
            : st.error();
    LedgerEvent e;
    e.type = EventType::CardAssign;
    e.memberId = memberId;
    e.actor = actor;
    e.payload = QJsonObject{{u"card"_s, card}, {u"kind"_s, kind}};
    if (!replaces.isEmpty())
        e.payload.insert(u"replaces"_s, replaces);
    if (auto ok = append(e); !ok)
        return ok.error();
    return Ok{};
}

// ---- enrollment ----

Result<MemberView> Loyalty::enroll(const EnrollRequest &r)
{
    if (auto st = d->requireWritable(); !st)
        return st.error();
    const QString name = r.name.simplified();
    if (name.isEmpty())
        return err(u"invalid_member", u"name: is required"_s);
    if (name.size() > 100)
        return err(u"invalid_member", u"name: is longer than 100 characters"_s);
    auto phone = normalizePhone(r.phone);
    if (!phone)
        return err(u"invalid_phone", u"phone: "_s + phone.error().message);
    if (const QString e = emailCheck(r.email.trimmed()); !e.isEmpty())
        return err(u"invalid_member", e);
    const qint64 now = d->now();
    if (r.birthDate.isValid()) {
        const QDate today = QDateTime::fromMSecsSinceEpoch(now, QTimeZone::utc()).date();
        if (r.birthDate > today || r.birthDate.year() < today.year() - 120)
            return err(u"invalid_member", u"birthDate: %1 is not a plausible birth date"_s.arg(r.birthDate.toString(Qt::ISODate)));
    }
    const QString phoneIndex = d->keys.blindIndex(u"phone"_s, phone.value());
    {
        Stmt q(d->store, u"SELECT member_id FROM members WHERE phone_index = ?"_s);
        q.addBindValue(phoneIndex);
        if (q.exec() && q.next())
            return err(u"duplicate_member", u"A member with phone %1 is already enrolled (member %2); look them up instead."_s
                                                .arg(maskPhone(phone.value()), q.value(0).toString()));
    }
    QString referrerId;
    if (!r.referralCode.trimmed().isEmpty()) {
        Stmt q(d->store, u"SELECT member_id FROM members WHERE referral_code = ? AND status = 'active'"_s);
        q.addBindValue(normalizeHumanCode(r.referralCode));
        if (!q.exec() || !q.next())
            return err(u"unknown_referral", u"referralCode: '%1' is not the code of an active member"_s.arg(r.referralCode));
        referrerId = q.value(0).toString();
    }
    QString card = normalizeCardNumber(r.cardNumber);
    if (!card.isEmpty()) {
        if (!isPlausibleCardNumber(card))
            return err(u"invalid_card", u"cardNumber: '%1' is not a card number (4 to 32 letters and digits)"_s.arg(r.cardNumber));
        if (!d->memberIdByCard(card).isEmpty())
            return err(u"card_in_use", u"Card %1 already belongs to another member."_s.arg(card));
    }
    auto program = d->programAt(now);

    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    const QString memberId = uuidv7(now, d->random);
    const QByteArray memberKey = d->keys.newMemberKey();
    const Profile profile{name, phone.value(), r.email.trimmed(), r.birthDate};
    const QByteArray sealed = d->encryptProfile(memberId, memberKey, profile);
    // Referral code: the member's own, for friends. Unique; retried on the rare collision.
    QString referral;
    for (int attempt = 0; attempt < 5 && referral.isEmpty(); ++attempt) {
        const QString c = normalizeHumanCode(makeHumanCode(d->random, 6));
        Stmt q(d->store, u"SELECT 1 FROM members WHERE referral_code = ?"_s);
        q.addBindValue(c);
        if (q.exec() && !q.next())
            referral = c;
    }
    const QString firstTier = program && !program->tiers.isEmpty() ? program->tiers.first().id : QString();
    Stmt q(d->store, u"INSERT INTO members(member_id, status, phone_index, profile, wrapped_key, referral_code, referrer_id,"
              " home_store, tier_id, consent_marketing_at, consent_whatsapp_at, enrolled_at, updated_at)"
              " VALUES(?,'active',?,?,?,?,?,?,?,?,?,?,?)"_s);
    q.addBindValue(memberId);
    q.addBindValue(phoneIndex);
    q.addBindValue(sealed);
    q.addBindValue(d->keys.wrapMemberKey(memberId, memberKey));
    q.addBindValue(referral);
    q.addBindValue(referrerId.isEmpty() ? QVariant() : QVariant(referrerId));
    q.addBindValue(nonNull(d->setting(u"store_id"_s)));
    q.addBindValue(nonNull(firstTier));
    q.addBindValue(r.consent.marketing ? QVariant(now) : QVariant());
    q.addBindValue(r.consent.whatsapp ? QVariant(now) : QVariant());
    q.addBindValue(now);
    q.addBindValue(now);
    if (auto st = exec(q, "save the member"); !st)
        return st.error();
    if (auto st = d->indexName(memberId, name, QString()); !st)
        return st.error();
    LedgerEvent e;
    e.type = EventType::Enroll;
    e.memberId = memberId;
    e.actor = r.actor;
    // Personal data travels only encrypted under the member's key (crypto-shredding on erasure).
    e.payload = QJsonObject{{u"profile"_s, QString::fromLatin1(sealed.toBase64())},
                            {u"homeStore"_s, d->setting(u"store_id"_s)},
                            {u"referralCode"_s, referral},
                            {u"referrerId"_s, referrerId},
                            {u"tier"_s, firstTier},
                            {u"consent"_s, QJsonObject{{u"marketing"_s, r.consent.marketing}, {u"whatsapp"_s, r.consent.whatsapp}}}};
    auto enrolled = d->append(e);
    if (!enrolled)
        return enrolled.error();
    if (r.issueDigitalCard && card.isEmpty()) {
        // A digital card number from the store's serial, shown as a QR code on the member's phone.
        const qint64 serial = d->setting(u"card_serial"_s).toLongLong() + 1;
        if (auto st = d->putSetting(u"card_serial"_s, QString::number(serial)); !st)
            return st.error();
        // The store's prefix digit: stable across Qt versions (SHA-256, not qHash).
        const int prefix = int(static_cast<unsigned char>(sha256(d->setting(u"store_id"_s).toUtf8()).at(0)) % 10);
        card = makeMemberCardNumber(prefix, quint64(serial));
    }
    if (!card.isEmpty()) {
        const QString kind = r.issueDigitalCard && r.cardNumber.isEmpty() ? u"qr"_s : r.cardKind;
        if (auto st = d->insertCard(memberId, card, kind, r.actor, QString()); !st)
            return st.error();
    }
    if (auto st = tx.commit(); !st)
        return st.error();
    return member(memberId);
}

// ---- lookups ----

Result<MemberView> Loyalty::member(const QString &memberId) const
{
    ReadScope scope(d->store);
    auto row = d->memberRow(memberId);
    if (!row)
        return row.error();
    return d->view(row.value());
}

Result<MemberView> Loyalty::memberByCard(const QString &cardNumber) const
{
    ReadScope scope(d->store);
    QString status;
    const QString id = d->memberIdByCard(cardNumber, &status);
    if (id.isEmpty())
        return err(u"unknown_card", u"Card %1 is not registered to any member."_s.arg(normalizeCardNumber(cardNumber)));
    if (status == u"blocked"_s)
        return err(u"card_blocked", u"This card is blocked; ask the member for their replacement card."_s);
    auto row = d->activeMember(id);
    if (!row)
        return row.error();
    return d->view(row.value());
}

Result<MemberView> Loyalty::memberByPhone(const QString &phone) const
{
    ReadScope scope(d->store);
    auto e164 = normalizePhone(phone);
    if (!e164)
        return e164.error();
    Stmt q(d->store, u"SELECT member_id FROM members WHERE phone_index = ?"_s);
    q.addBindValue(d->keys.blindIndex(u"phone"_s, e164.value()));
    if (!q.exec() || !q.next())
        return err(u"unknown_member", u"No member has phone %1."_s.arg(maskPhone(e164.value())));
    auto row = d->activeMember(q.value(0).toString());
    if (!row)
        return row.error();
    return d->view(row.value());
}

Result<QString> Loyalty::memberIdFor(const QString &cardOrPhone) const
{
    if (const QString id = d->memberIdByCard(cardOrPhone); !id.isEmpty())
        return id;
    if (auto e164 = normalizePhone(cardOrPhone)) {
        Stmt q(d->store, u"SELECT member_id FROM members WHERE phone_index = ?"_s);
        q.addBindValue(d->keys.blindIndex(u"phone"_s, e164.value()));
        if (q.exec() && q.next())
            return q.value(0).toString();
    }
    return err(u"unknown_member", u"No member has the card or phone '%1'."_s.arg(cardOrPhone.left(40)));
}

Result<QList<MemberSummary>> Loyalty::search(const QString &query, int page, int pageSize) const
{
    pageSize = qBound(1, pageSize, 200);
    page = qMax(0, page);
    QStringList ids;
    const QString qtext = query.trimmed();
    if (qtext.isEmpty())
        return err(u"invalid_query", u"Type a card number, a phone number or part of a name."_s);
    // A card number or phone first: exact matches.
    if (const QString byCard = d->memberIdByCard(qtext); !byCard.isEmpty())
        ids << byCard;
    if (ids.isEmpty() && !qtext.contains(QRegularExpression(u"\\p{L}"_s))) {
        if (auto e164 = normalizePhone(qtext)) {
            Stmt q(d->store, u"SELECT member_id FROM members WHERE phone_index = ?"_s);
            q.addBindValue(d->keys.blindIndex(u"phone"_s, e164.value()));
            if (q.exec() && q.next())
                ids << q.value(0).toString();
        }
    }
    if (ids.isEmpty()) {
        const QStringList words = nameWords(qtext);
        QStringList tokens;
        for (const QString &w : words)
            if (w.size() >= 2)
                tokens << d->nameToken(w.left(12).toUtf8());
        if (tokens.isEmpty())
            return err(u"invalid_query", u"Type at least two letters of a name."_s);
        QStringList marks(tokens.size(), u"?"_s);
        const QSet<QString> distinct(tokens.begin(), tokens.end());
        // While a first pull's names wait to be merged, its members are found in their staged
        // rows (a scan; every stored token is 16 hex digits between spaces, so a match is a
        // whole token).
        const bool staged = d->anyStagedNames();
        QString stagedPart;
        if (staged) {
            QStringList has(distinct.size(), u"instr(tokens, ?) > 0"_s);
            stagedPart = u" UNION SELECT member_id FROM member_names_staged WHERE %1"_s.arg(has.join(u" AND "_s));
        }
        Stmt q(d->store, u"SELECT x.member_id FROM (SELECT member_id FROM member_names WHERE token IN (%1)"
                  " GROUP BY member_id HAVING COUNT(DISTINCT token) = ?%2) x JOIN members m ON m.member_id = x.member_id"
                  " ORDER BY m.enrolled_at DESC, x.member_id LIMIT ? OFFSET ?"_s.arg(marks.join(u','), stagedPart));
        for (const QString &t : tokens)
            q.addBindValue(t);
        q.addBindValue(qsizetype(distinct.size()));
        if (staged)
            for (const QString &t : distinct)
                q.addBindValue(t);
        q.addBindValue(pageSize);
        q.addBindValue(page * pageSize);
        if (!q.exec())
            return sqlError(q, "search the members");
        while (q.next())
            ids << q.value(0).toString();
    } else if (page > 0) {
        ids.clear();
    }
    QList<MemberSummary> out;
    for (const QString &id : ids) {
        auto row = d->memberRow(id);
        if (!row)
            continue;
        const Profile p = d->decryptProfile(row.value());
        MemberSummary s{id, p.name, maskPhone(p.phone), row->tierId, row->status, 0};
        Stmt b(d->store, u"SELECT points FROM balances WHERE member_id = ?"_s);
        b.addBindValue(id);
        if (b.exec() && b.next())
            s.balance = b.value(0).toLongLong();
        out << s;
    }
    return out;
}

Result<QList<EventView>> Loyalty::history(const QString &memberId, int page, int pageSize) const
{
    if (auto row = d->memberRow(memberId); !row)
        return row.error();
    Stmt q(d->store, u"SELECT event_id, type, COALESCE(receipt_id,''), COALESCE(ref_event_id,''), actor, occurred_at, points,"
              " amount, terminal_seq, payload FROM events WHERE member_id = ? ORDER BY occurred_at DESC, seq DESC LIMIT ? OFFSET ?"_s);
    q.addBindValue(memberId);
    q.addBindValue(qBound(1, pageSize, 500));
    q.addBindValue(qMax(0, page) * qBound(1, pageSize, 500));
    if (!q.exec())
        return sqlError(q, "read the history");
    QList<EventView> out;
    while (q.next()) {
        EventView e;
        e.eventId = q.value(0).toString();
        e.type = q.value(1).toString();
        e.receiptId = q.value(2).toString();
        e.refEventId = q.value(3).toString();
        e.actor = q.value(4).toString();
        e.occurredAt = q.value(5).toLongLong();
        e.points = q.value(6).toLongLong();
        e.amount = q.value(7).toLongLong();
        e.terminalSeq = q.value(8).toLongLong();
        e.payload = QJsonDocument::fromJson(q.value(9).toByteArray()).object();
        e.payload.remove(u"profile"_s); // ciphertext is of no use on a screen
        out << e;
    }
    return out;
}

// ---- cards ----

Result<CardView> Loyalty::assignCard(const QString &memberId, const QString &cardNumber, const QString &kind, const QString &actor)
{
    if (auto st = d->requireWritable(); !st)
        return st.error();
    static const QStringList kinds = {u"barcode"_s, u"qr"_s, u"magstripe"_s, u"contactless"_s};
    if (!kinds.contains(kind))
        return err(u"invalid_card", u"kind: must be one of %1"_s.arg(kinds.join(u", "_s)));
    const QString card = normalizeCardNumber(cardNumber);
    if (!isPlausibleCardNumber(card))
        return err(u"invalid_card", u"'%1' is not a card number (4 to 32 letters and digits)."_s.arg(cardNumber));
    auto row = d->activeMember(memberId);
    if (!row)
        return row.error();
    if (const QString owner = d->memberIdByCard(card); !owner.isEmpty())
        return err(u"card_in_use", owner == memberId ? u"Card %1 is already this member's."_s.arg(card)
                                                     : u"Card %1 already belongs to another member."_s.arg(card));
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    if (auto st = d->insertCard(memberId, card, kind, actor, QString()); !st)
        return st.error();
    if (auto st = tx.commit(); !st)
        return st.error();
    return CardView{card, kind, u"active"_s, memberId, QString(), QString(), d->now()};
}

Result<CardView> Loyalty::blockCard(const QString &cardNumber, const QString &reason, const QString &replacement, const QString &actor)
{
    if (auto st = d->requireWritable(); !st)
        return st.error();
    if (reason.trimmed().isEmpty())
        return err(u"reason_required", u"Say why the card is blocked (lost, stolen, damaged)."_s);
    const QString card = normalizeCardNumber(cardNumber);
    QString status;
    const QString memberId = d->memberIdByCard(card, &status);
    if (memberId.isEmpty())
        return err(u"unknown_card", u"Card %1 is not registered."_s.arg(card));
    if (status == u"blocked"_s)
        return err(u"card_blocked", u"Card %1 is already blocked."_s.arg(card));
    const QString repl = normalizeCardNumber(replacement);
    if (!repl.isEmpty()) {
        if (!isPlausibleCardNumber(repl))
            return err(u"invalid_card", u"'%1' is not a card number."_s.arg(replacement));
        if (!d->memberIdByCard(repl).isEmpty())
            return err(u"card_in_use", u"Replacement card %1 already belongs to a member."_s.arg(repl));
    }
    QString kind;
    {
        Stmt k(d->store, u"SELECT kind FROM cards WHERE card_number = ?"_s);
        k.addBindValue(card);
        if (k.exec() && k.next())
            kind = k.value(0).toString();
    }
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    Stmt q(d->store, u"UPDATE cards SET status = 'blocked', blocked_at = ?, block_reason = ?, replaced_by = ? WHERE card_number = ?"_s);
    q.addBindValue(d->now());
    q.addBindValue(reason.trimmed());
    q.addBindValue(repl.isEmpty() ? QVariant() : QVariant(repl));
    q.addBindValue(card);
    if (auto st = exec(q, "block the card"); !st)
        return st.error();
    LedgerEvent e;
    e.type = EventType::CardBlock;
    e.memberId = memberId;
    e.actor = actor;
    e.payload = QJsonObject{{u"card"_s, card}, {u"reason"_s, reason.trimmed()}, {u"replacement"_s, repl}};
    if (auto ok = d->append(e); !ok)
        return ok.error();
    if (!repl.isEmpty()) {
        if (auto st = d->insertCard(memberId, repl, kind, actor, card); !st)
            return st.error();
    }
    if (auto st = d->audit(actor, u"card_block"_s, card, reason.trimmed()); !st)
        return st.error();
    if (auto st = tx.commit(); !st)
        return st.error();
    return CardView{card, kind, u"blocked"_s, memberId, reason.trimmed(), repl, 0};
}

Status Loyalty::updateProfile(const QString &memberId, const Profile &profile, const QString &actor)
{
    if (auto st = d->requireWritable(); !st)
        return st;
    auto row = d->activeMember(memberId);
    if (!row)
        return row.error();
    auto phone = normalizePhone(profile.phone);
    if (!phone)
        return err(u"invalid_phone", u"phone: "_s + phone.error().message);
    if (profile.name.simplified().isEmpty())
        return err(u"invalid_member", u"name: is required"_s);
    if (const QString e = emailCheck(profile.email.trimmed()); !e.isEmpty())
        return err(u"invalid_member", e);
    const QString phoneIndex = d->keys.blindIndex(u"phone"_s, phone.value());
    if (phoneIndex != row->phoneIndex) {
        Stmt q(d->store, u"SELECT member_id FROM members WHERE phone_index = ?"_s);
        q.addBindValue(phoneIndex);
        if (q.exec() && q.next())
            return err(u"duplicate_member", u"Another member already has phone %1."_s.arg(maskPhone(phone.value())));
    }
    auto key = d->keys.unwrapMemberKey(memberId, row->wrappedKey);
    if (!key)
        return key.error();
    const Profile p{profile.name.simplified(), phone.value(), profile.email.trimmed(), profile.birthDate};
    const QByteArray sealed = d->encryptProfile(memberId, key.value(), p);
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    Stmt q(d->store, u"UPDATE members SET profile = ?, phone_index = ?, updated_at = ? WHERE member_id = ?"_s);
    q.addBindValue(sealed);
    q.addBindValue(phoneIndex);
    q.addBindValue(d->now());
    q.addBindValue(memberId);
    if (auto st = exec(q, "save the profile"); !st)
        return st;
    if (auto st = d->indexName(memberId, p.name, d->knownName(row.value())); !st)
        return st;
    LedgerEvent e;
    e.type = EventType::ProfileChange;
    e.memberId = memberId;
    e.actor = actor;
    e.payload = QJsonObject{{u"profile"_s, QString::fromLatin1(sealed.toBase64())}};
    if (auto ok = d->append(e); !ok)
        return ok.error();
    if (auto st = d->audit(actor, u"profile_change"_s, memberId, QString()); !st)
        return st;
    return tx.commit();
}

Status Loyalty::erase(const QString &memberId, const QString &reason, const QString &actor)
{
    if (auto st = d->requireWritable(); !st)
        return st;
    auto row = d->memberRow(memberId);
    if (!row)
        return row.error();
    if (row->status == u"erased"_s)
        return err(u"member_erased", u"This member was already erased."_s);
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    Stmt q(d->store, u"UPDATE members SET status = 'erased', profile = NULL, wrapped_key = NULL, phone_index = NULL,"
              " consent_marketing_at = NULL, consent_whatsapp_at = NULL, updated_at = ? WHERE member_id = ?"_s);
    q.addBindValue(d->now());
    q.addBindValue(memberId);
    if (auto st = exec(q, "erase the member"); !st)
        return st;
    if (auto st = d->indexName(memberId, {}, d->knownName(row.value())); !st)
        return st;
    q.prepare(u"UPDATE cards SET status = 'blocked', blocked_at = ?, block_reason = 'erased' WHERE member_id = ? AND status = 'active'"_s);
    q.addBindValue(d->now());
    q.addBindValue(memberId);
    if (auto st = exec(q, "block the cards"); !st)
        return st;
    LedgerEvent e;
    e.type = EventType::Erase;
    e.memberId = memberId;
    e.actor = actor;
    e.payload = QJsonObject{{u"reason"_s, reason}};
    if (auto ok = d->append(e); !ok)
        return ok.error();
    if (auto st = d->audit(actor, u"erase"_s, memberId, reason); !st)
        return st;
    return tx.commit();
}

// ---- tiers ----

qint64 Loyalty::Impl::windowTotal(const QString &memberId, const Program &p, qint64 at) const
{
    static const QString sql =
        u"SELECT COALESCE(SUM(CASE WHEN ? = 'spend' THEN amount ELSE points END), 0) FROM events"
        " WHERE member_id = ? AND occurred_at > ? AND occurred_at <= ? AND type IN ('earn','bonus','reverse')"_s;
    const qint64 from = at - qint64(p.tierWindowDays) * 86'400'000LL;
    Stmt q(store, sql);
    q.bindText(0, p.tierBasis);
    q.bindText(1, memberId);
    q.bindInt(2, from);
    q.bindInt(3, at);
    return q.exec() && q.next() ? q.int64(0) : 0;
}

Result<bool> Loyalty::Impl::updateTier(const QString &memberId, const Program &p, const QString &actor)
{
    if (p.tiers.isEmpty())
        return false;
    auto row = memberRow(memberId);
    if (!row)
        return row.error();
    return updateTier(row.value(), p, actor, windowTotal(memberId, p, now()), nullptr);
}

Result<bool> Loyalty::Impl::updateTier(const MemberRow &row, const Program &p, const QString &actor, qint64 total,
                                       QString *tierId)
{
    if (tierId)
        *tierId = row.tierId;
    const Tier *t = p.tierFor(total);
    if (p.tiers.isEmpty() || !t || t->id == row.tierId)
        return false;
    Stmt q(store, u"UPDATE members SET tier_id = ?, updated_at = ? WHERE member_id = ?"_s);
    q.addBindValue(t->id);
    q.addBindValue(now());
    q.addBindValue(row.memberId);
    if (auto st = exec(q, "update the tier"); !st)
        return st.error();
    LedgerEvent e;
    e.type = EventType::TierChange;
    e.memberId = row.memberId;
    e.actor = actor;
    e.payload = QJsonObject{{u"from"_s, row.tierId}, {u"to"_s, t->id}, {u"windowTotal"_s, total},
                            {u"basis"_s, p.tierBasis}, {u"provisional"_s, true}};
    if (auto ok = append(e); !ok)
        return ok.error();
    if (tierId)
        *tierId = t->id;
    return true;
}

Result<TierStatus> Loyalty::tierStatus(const QString &memberId) const
{
    auto row = d->memberRow(memberId);
    if (!row)
        return row.error();
    auto p = d->programAt(d->now());
    if (!p)
        return p.error();
    TierStatus s;
    s.basis = p->tierBasis;
    s.windowTotal = d->windowTotal(memberId, p.value(), d->now());
    s.tierId = row->tierId;
    if (const Tier *t = p->tier(row->tierId))
        s.tierName = t->name;
    for (const auto &t : p->tiers) {
        if (t.threshold > s.windowTotal) {
            s.nextTierId = t.id;
            s.nextTierName = t.name;
            s.toNext = t.threshold - s.windowTotal;
            break;
        }
    }
    return s;
}

Result<int> Loyalty::recomputeTiers(const QString &actor)
{
    if (auto st = d->requireWritable(); !st)
        return st.error();
    auto p = d->programAt(d->now());
    if (!p)
        return p.error();
    QStringList ids;
    {
        QSqlQuery q = d->query();
        q.exec(u"SELECT member_id FROM members WHERE status = 'active'"_s);
        while (q.next())
            ids << q.value(0).toString();
    }
    int changed = 0;
    // In chunks, so that the till is never locked out for long.
    for (qsizetype i = 0; i < ids.size(); i += 500) {
        WriteTransaction tx(d->store);
        if (!tx.begun())
            return err(u"store_busy", tx.error());
        for (qsizetype j = i; j < qMin(ids.size(), i + 500); ++j) {
            auto moved = d->updateTier(ids[j], p.value(), actor);
            if (!moved)
                return moved.error();
            changed += moved.value() ? 1 : 0;
        }
        if (auto st = tx.commit(); !st)
            return st.error();
    }
    return changed;
}

Result<QList<VoucherView>> Loyalty::vouchers(const QString &memberId) const
{
    Stmt q(d->store, u"SELECT code, type_id, discount, min_spend, issued_at, expires_at, COALESCE(used_at,0) FROM vouchers"
              " WHERE member_id = ? ORDER BY issued_at DESC"_s);
    q.addBindValue(memberId);
    if (!q.exec())
        return sqlError(q, "read the vouchers");
    QList<VoucherView> out;
    const qint64 now = d->now();
    while (q.next()) {
        VoucherView v;
        v.code = q.value(0).toString();
        v.typeId = q.value(1).toString();
        v.memberId = memberId;
        v.discount = q.value(2).toLongLong();
        v.minSpend = q.value(3).toLongLong();
        v.issuedAt = q.value(4).toLongLong();
        v.expiresAt = q.value(5).toLongLong();
        v.usedAt = q.value(6).toLongLong();
        v.status = v.usedAt ? u"used"_s : (v.expiresAt <= now ? u"expired"_s : u"valid"_s);
        out << v;
    }
    return out;
}

Status Loyalty::setMemberBlocked(const QString &memberId, bool blocked, const QString &reason, const QString &actor)
{
    if (auto st = d->requireWritable(); !st)
        return st;
    if (reason.trimmed().isEmpty())
        return err(u"reason_required", u"Say why the membership is %1."_s.arg(blocked ? u"blocked"_s : u"unblocked"_s));
    auto row = d->memberRow(memberId);
    if (!row)
        return row.error();
    if (row->status == u"erased"_s)
        return err(u"member_erased", u"This member was erased; there is nothing to block."_s);
    const QString target = blocked ? u"blocked"_s : u"active"_s;
    if (row->status == target)
        return err(u"no_change", u"The membership is already %1."_s.arg(target));
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    Stmt q(d->store, u"UPDATE members SET status = ?, updated_at = ? WHERE member_id = ?"_s);
    q.addBindValue(target);
    q.addBindValue(d->now());
    q.addBindValue(memberId);
    if (auto st = exec(q, "change the membership status"); !st)
        return st;
    LedgerEvent e;
    e.type = EventType::MemberStatus;
    e.memberId = memberId;
    e.actor = actor;
    e.payload = QJsonObject{{u"status"_s, target}, {u"reason"_s, reason.trimmed()}};
    if (auto ok = d->append(e); !ok)
        return ok.error();
    if (auto st = d->audit(actor, blocked ? u"member_block"_s : u"member_unblock"_s, memberId, reason.trimmed()); !st)
        return st;
    return tx.commit();
}

} // namespace setia
