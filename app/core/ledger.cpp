#include "ledger.h"
#include "crypto.h"
#include "store.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace setia {

namespace {

void writeString(QByteArray &out, const QString &s)
{
    out += '"';
    const QByteArray u = s.toUtf8();
    const char *p = u.constData();
    const char *const end = p + u.size();
    while (p < end) {
        // Copy the run of bytes that need no escape in one go.
        const char *run = p;
        while (p < end && static_cast<unsigned char>(*p) >= 0x20 && *p != '"' && *p != '\\')
            ++p;
        if (p > run)
            out.append(run, p - run);
        if (p == end)
            break;
        const auto c = static_cast<unsigned char>(*p++);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: {
            static const char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
        }
    }
    out += '"';
}

// QJsonObject keeps its keys sorted by UTF-16 code units, which is also UTF-8 byte order unless
// a key holds a character at or above U+D800; only then are the keys sorted again here.
bool utf16OrderIsUtf8Order(const QJsonObject &o)
{
    for (auto it = o.begin(); it != o.end(); ++it)
        for (QChar ch : it.key())
            if (ch.unicode() >= 0xD800)
                return false;
    return true;
}

void writeValue(QByteArray &out, const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        break;
    case QJsonValue::Bool:
        out += v.toBool() ? "true" : "false";
        break;
    case QJsonValue::Double: {
        const double d = v.toDouble();
        // Integers only; a fraction would make the encoding depend on float formatting.
        out += QByteArray::number(qint64(std::llround(d)));
        break;
    }
    case QJsonValue::String:
        writeString(out, v.toString());
        break;
    case QJsonValue::Array: {
        out += '[';
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (i)
                out += ',';
            writeValue(out, a.at(i));
        }
        out += ']';
        break;
    }
    case QJsonValue::Object: {
        const QJsonObject o = v.toObject();
        out += '{';
        if (utf16OrderIsUtf8Order(o)) {
            bool first = true;
            for (auto it = o.begin(); it != o.end(); ++it) {
                if (!first)
                    out += ',';
                first = false;
                writeString(out, it.key());
                out += ':';
                writeValue(out, it.value());
            }
        } else {
            QList<std::pair<QByteArray, QString>> keys;
            for (auto it = o.begin(); it != o.end(); ++it)
                keys.append({it.key().toUtf8(), it.key()});
            std::sort(keys.begin(), keys.end()); // byte order of UTF-8
            for (qsizetype i = 0; i < keys.size(); ++i) {
                if (i)
                    out += ',';
                writeString(out, keys[i].second);
                out += ':';
                writeValue(out, o.value(keys[i].second));
            }
        }
        out += '}';
        break;
    }
    }
}

} // namespace

void CanonicalWriter::separate()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_first.isEmpty()) {
        if (!m_first.last())
            m_out += ',';
        m_first.last() = false;
    }
}

CanonicalWriter &CanonicalWriter::open(char c)
{
    separate();
    m_out += c;
    m_first.append(true);
    m_lastKey.append(QByteArray());
    return *this;
}

CanonicalWriter &CanonicalWriter::close(char c)
{
    m_out += c;
    m_first.removeLast();
    m_lastKey.removeLast();
    return *this;
}

CanonicalWriter &CanonicalWriter::key(const char *asciiKey)
{
    Q_ASSERT_X(m_lastKey.last().isEmpty() || m_lastKey.last() < QByteArray(asciiKey), "CanonicalWriter::key",
               "keys must be written in sorted order");
#ifndef QT_NO_DEBUG
    m_lastKey.last() = QByteArray(asciiKey);
#endif
    separate();
    m_out += '"';
    m_out += asciiKey;
    m_out += "\":";
    m_afterKey = true;
    return *this;
}

CanonicalWriter &CanonicalWriter::value(const QString &v)
{
    separate();
    writeString(m_out, v);
    return *this;
}

CanonicalWriter &CanonicalWriter::value(qint64 v)
{
    separate();
    m_out += QByteArray::number(v);
    return *this;
}

CanonicalWriter &CanonicalWriter::decimalString(qint64 v)
{
    separate();
    m_out += '"';
    m_out += QByteArray::number(v);
    m_out += '"';
    return *this;
}

CanonicalWriter &CanonicalWriter::value(bool v)
{
    separate();
    m_out += v ? "true" : "false";
    return *this;
}

CanonicalWriter &CanonicalWriter::raw(const QByteArray &json)
{
    separate();
    m_out += json;
    return *this;
}

QByteArray canonicalJson(const QJsonValue &value)
{
    QByteArray out;
    writeValue(out, value);
    return out;
}

namespace {
QByteArray canonicalEncoding(const LedgerEvent &e, const QByteArray &payloadJson)
{
    // The same bytes as canonicalJson() of the object {v, event_id, ..., prev_hash}, written
    // directly: hlc and every 64-bit value as a decimal string. Hot path: runs for every event.
    CanonicalWriter w;
    w.beginObject()
        .field("actor", e.actor)
        .key("amount").decimalString(e.amount)
        .field("event_id", e.eventId)
        .key("hlc").decimalString(e.hlc)
        .field("member_id", e.memberId)
        .key("occurred_at").decimalString(e.occurredAt)
        .key("payload").raw(payloadJson)
        .key("points").decimalString(e.points)
        .field("prev_hash", e.prevHash)
        .field("receipt_id", e.receiptId)
        .field("ref_event_id", e.refEventId)
        .field("terminal_id", e.terminalId)
        .key("terminal_seq").decimalString(e.terminalSeq)
        .field("type", e.type)
        .field("v", 1)
        .endObject();
    return w.bytes();
}
} // namespace

QByteArray canonicalEncoding(const LedgerEvent &e)
{
    return canonicalEncoding(e, e.payloadJson.isEmpty() ? canonicalJson(e.payload) : e.payloadJson);
}

QString computeHash(const LedgerEvent &e) { return sha256Hex(canonicalEncoding(e)); }

Ledger::Ledger(const Store &store, const Clock &clock, Random &random, QString terminalId)
    : m_store(store), m_clock(clock), m_random(random), m_terminalId(std::move(terminalId)), m_hlc(clock)
{
}

qint64 Ledger::balance(const QString &memberId) const
{
    Stmt q(m_store, u"SELECT points FROM balances WHERE member_id = ?"_s);
    q.bindValue(0, memberId);
    if (q.exec() && q.next()) {
        const qint64 v = q.value(0).toLongLong();
        q.finish();
        return v;
    }
    q.finish();
    return 0;
}

Result<LedgerEvent> Ledger::append(LedgerEvent e, qint64 expiresAt)
{
    Stmt last(m_store, 
        u"SELECT terminal_seq, hash, hlc FROM events WHERE terminal_id = ? ORDER BY terminal_seq DESC LIMIT 1"_s);
    last.bindValue(0, m_terminalId);
    if (!last.exec())
        return sqlError(last, "read the ledger");
    qint64 lastSeq = 0;
    QString prevHash = kGenesisHash;
    if (last.next()) {
        lastSeq = last.value(0).toLongLong();
        prevHash = last.value(1).toString();
        if (!m_hlcPrimed)
            m_hlc.observe(last.value(2).toLongLong());
    }
    last.finish();
    m_hlcPrimed = true;

    e.terminalId = m_terminalId;
    e.terminalSeq = lastSeq + 1;
    e.hlc = m_hlc.now();
    if (e.occurredAt == 0)
        e.occurredAt = m_clock.nowMs();
    e.eventId = uuidv7(e.occurredAt, m_random);
    e.prevHash = prevHash;
    const QByteArray payloadJson = e.payloadJson.isEmpty() ? canonicalJson(e.payload) : e.payloadJson; // once
    e.hash = sha256Hex(canonicalEncoding(e, payloadJson));

    Stmt ins(m_store, 
        u"INSERT INTO events(event_id, terminal_id, terminal_seq, hlc, occurred_at, type, member_id, points, amount,"
        " receipt_id, ref_event_id, actor, payload, prev_hash, hash) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"_s);
    ins.bindValue(0, e.eventId);
    ins.bindValue(1, e.terminalId);
    ins.bindValue(2, e.terminalSeq);
    ins.bindValue(3, e.hlc);
    ins.bindValue(4, e.occurredAt);
    ins.bindValue(5, e.type);
    ins.bindValue(6, e.memberId.isEmpty() ? QVariant() : QVariant(e.memberId));
    ins.bindValue(7, e.points);
    ins.bindValue(8, e.amount);
    ins.bindValue(9, e.receiptId.isEmpty() ? QVariant() : QVariant(e.receiptId));
    ins.bindValue(10, e.refEventId.isEmpty() ? QVariant() : QVariant(e.refEventId));
    ins.bindValue(11, nonNull(e.actor));
    ins.bindValue(12, QString::fromUtf8(payloadJson));
    ins.bindValue(13, e.prevHash);
    ins.bindValue(14, e.hash);
    if (!ins.exec())
        return sqlError(ins, "write the ledger event");

    if (!e.memberId.isEmpty() && e.points != 0) {
        Stmt up(m_store, u"INSERT INTO balances(member_id, points, last_seq) VALUES(?, ?, ?)"
                         " ON CONFLICT(member_id) DO UPDATE SET points = points + excluded.points, last_seq = excluded.last_seq"
                         " RETURNING points"_s);
        up.bindText(0, e.memberId);
        up.bindInt(1, e.points);
        up.bindInt(2, e.terminalSeq);
        if (!up.exec() || !up.next())
            return sqlError(up, "update the balance");
        const qint64 before = up.int64(0) - e.points;
        up.finish();
        if (e.points > 0) {
            if (auto st = addLot(e.eventId, e.memberId, e.points, before, e.occurredAt, expiresAt); !st)
                return st.error();
        } else {
            const QString prefer = (e.type == EventType::Reverse || e.type == EventType::Expire) ? e.refEventId : QString();
            if (auto st = consumeLots(e.memberId, -e.points, prefer); !st)
                return st.error();
        }
    }
    return e;
}

Status Ledger::addLot(const QString &eventId, const QString &memberId, qint64 points, qint64 balanceBefore,
                      qint64 earnedAt, qint64 expiresAt)
{
    // A negative balance (a refund of points already spent) is repaid before a lot is kept.
    const qint64 repay = balanceBefore < 0 ? qMin(points, -balanceBefore) : 0;
    const qint64 keep = points - repay;
    if (keep <= 0)
        return Ok{};
    Stmt q(m_store, 
        u"INSERT INTO lots(event_id, member_id, earned_at, expires_at, remaining) VALUES(?,?,?,?,?)"_s);
    q.bindValue(0, eventId);
    q.bindValue(1, memberId);
    q.bindValue(2, earnedAt);
    q.bindValue(3, expiresAt > 0 ? QVariant(expiresAt) : QVariant());
    q.bindValue(4, keep);
    if (!q.exec())
        return sqlError(q, "record the points lot");
    return Ok{};
}

Status Ledger::consumeLots(const QString &memberId, qint64 points, const QString &preferLot)
{
    qint64 left = points;
    auto take = [&](const QString &lotId, qint64 remaining) -> Status {
        const qint64 n = qMin(left, remaining);
        Stmt u(m_store, u"UPDATE lots SET remaining = remaining - ? WHERE event_id = ?"_s);
        u.bindValue(0, n);
        u.bindValue(1, lotId);
        if (!u.exec())
            return sqlError(u, "update the points lot");
        left -= n;
        return Ok{};
    };
    if (!preferLot.isEmpty()) {
        Stmt q(m_store, u"SELECT remaining FROM lots WHERE event_id = ? AND remaining > 0"_s);
        q.bindValue(0, preferLot);
        if (!q.exec())
            return sqlError(q, "read the points lots");
        qint64 remaining = -1;
        if (q.next())
            remaining = q.value(0).toLongLong();
        q.finish();
        if (remaining > 0)
            if (auto st = take(preferLot, remaining); !st)
                return st;
    }
    while (left > 0) {
        Stmt q(m_store, 
            u"SELECT event_id, remaining FROM lots WHERE member_id = ? AND remaining > 0"
            " ORDER BY earned_at, event_id LIMIT 16"_s);
        q.bindValue(0, memberId);
        if (!q.exec())
            return sqlError(q, "read the points lots");
        QList<std::pair<QString, qint64>> batch;
        while (q.next())
            batch.append({q.value(0).toString(), q.value(1).toLongLong()});
        q.finish();
        if (batch.isEmpty())
            break; // the rest becomes a negative balance (allowed only where the caller allowed it)
        for (const auto &[id, rem] : batch) {
            if (left <= 0)
                break;
            if (auto st = take(id, rem); !st)
                return st;
        }
    }
    return Ok{};
}

namespace {
// Each member the hub has sent (and this store knows): member id, balance, 0.
const QString kHubBalanceSql = QStringLiteral(
    "SELECT h.member_id, h.balance + COALESCE((SELECT SUM(e.points) FROM events e WHERE e.member_id = h.member_id"
    " AND (e.server_seq IS NULL OR e.server_seq > h.as_of)), 0), 0 FROM hub_members h"
    " JOIN members m ON m.member_id = h.member_id WHERE true");
} // namespace

VerifyReport verifyLedger(const Store &store)
{
    VerifyReport report;
    QSqlDatabase db = store.readOnly() ? store.reader() : store.writer();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.exec(u"SELECT event_id, terminal_id, terminal_seq, hlc, occurred_at, type, COALESCE(member_id,''), points, amount,"
           " COALESCE(receipt_id,''), COALESCE(ref_event_id,''), actor, payload, prev_hash, hash"
           " FROM events ORDER BY terminal_id, terminal_seq"_s);
    QString terminal, prev;
    qint64 expectSeq = 0;
    QHash<QString, qint64> sums;
    while (q.next()) {
        LedgerEvent e;
        e.eventId = q.value(0).toString();
        e.terminalId = q.value(1).toString();
        e.terminalSeq = q.value(2).toLongLong();
        e.hlc = q.value(3).toLongLong();
        e.occurredAt = q.value(4).toLongLong();
        e.type = q.value(5).toString();
        e.memberId = q.value(6).toString();
        e.points = q.value(7).toLongLong();
        e.amount = q.value(8).toLongLong();
        e.receiptId = q.value(9).toString();
        e.refEventId = q.value(10).toString();
        e.actor = q.value(11).toString();
        e.payload = QJsonDocument::fromJson(q.value(12).toByteArray()).object();
        e.prevHash = q.value(13).toString();
        e.hash = q.value(14).toString();
        ++report.events;
        if (e.terminalId != terminal) {
            terminal = e.terminalId;
            prev = kGenesisHash;
            expectSeq = 1;
        }
        auto broken = [&](const QString &what) {
            report.problems << u"terminal %1 seq %2 (event %3): %4"_s.arg(e.terminalId).arg(e.terminalSeq).arg(e.eventId, what);
            if (report.firstBrokenLink.isEmpty())
                report.firstBrokenLink = e.eventId;
        };
        if (e.terminalSeq != expectSeq)
            broken(u"sequence gap: expected %1"_s.arg(expectSeq));
        if (e.prevHash != prev)
            broken(u"previous-hash link broken"_s);
        const QString h = computeHash(e);
        if (h != e.hash)
            broken(u"content does not match its hash (edited after it was written)"_s);
        prev = e.hash;
        expectSeq = e.terminalSeq + 1;
        if (!e.memberId.isEmpty())
            sums[e.memberId] += e.points;
        if (report.problems.size() > 100)
            break;
    }
    // A member the hub has sent: its balance as of a server_seq plus the local events it had
    // not included then (loyalty_sync.cpp).
    QSqlQuery hub(db);
    hub.setForwardOnly(true);
    hub.exec(kHubBalanceSql);
    while (hub.next())
        sums[hub.value(0).toString()] = hub.value(1).toLongLong();
    QSqlQuery b(db);
    b.setForwardOnly(true);
    b.exec(u"SELECT member_id, points FROM balances"_s);
    QHash<QString, qint64> cached;
    while (b.next())
        cached.insert(b.value(0).toString(), b.value(1).toLongLong());
    for (auto it = sums.begin(); it != sums.end(); ++it) {
        if (cached.value(it.key(), 0) != it.value())
            report.problems << u"member %1: cached balance %2 but the events sum to %3"_s.arg(it.key()).arg(cached.value(it.key(), 0)).arg(it.value());
    }
    for (auto it = cached.begin(); it != cached.end(); ++it)
        if (!sums.contains(it.key()) && it.value() != 0)
            report.problems << u"member %1: cached balance %2 without any events"_s.arg(it.key()).arg(it.value());
    // Lots hold exactly the positive part of the balance.
    QSqlQuery l(db);
    l.setForwardOnly(true);
    l.exec(u"SELECT member_id, SUM(remaining) FROM lots GROUP BY member_id"_s);
    QHash<QString, qint64> lots;
    while (l.next())
        lots.insert(l.value(0).toString(), l.value(1).toLongLong());
    for (auto it = sums.begin(); it != sums.end(); ++it) {
        const qint64 expected = qMax<qint64>(0, it.value());
        if (lots.value(it.key(), 0) != expected)
            report.problems << u"member %1: points lots hold %2 but the balance is %3"_s.arg(it.key()).arg(lots.value(it.key(), 0)).arg(it.value());
    }
    // The name index has no foreign key (schema 6): no rows of a member that is not there, and
    // none of an erased member (UU PDP: the blind tokens of a name go with it). The same for a
    // first pull's staged names (schema 7), until they are merged.
    QSqlQuery n(db);
    n.setForwardOnly(true);
    for (const auto &[table, rows] : {std::pair{u"member_names"_s, u"name index rows"_s},
                                      std::pair{u"member_names_staged"_s, u"staged name tokens"_s}}) {
        n.exec(u"SELECT DISTINCT n.member_id, m.status FROM %1 n LEFT JOIN members m ON m.member_id = n.member_id"
               " WHERE m.member_id IS NULL OR m.status = 'erased' LIMIT 20"_s.arg(table));
        while (n.next())
            report.problems << (n.value(1).isNull() ? u"member %1: %2, but no such member"_s
                                                     : u"member %1: erased, but its %2 are still there"_s)
                                   .arg(n.value(0).toString(), rows);
    }
    report.members = sums.size();
    return report;
}

Status rebuildBalances(const Store &store)
{
    WriteTransaction tx(store);
    if (!tx.begun())
        return makeError(u"store_busy"_s, tx.error());
    QSqlQuery q(store.writer());
    if (!q.exec(u"DELETE FROM balances"_s)
        || !q.exec(u"INSERT INTO balances(member_id, points, last_seq) SELECT member_id, SUM(points), MAX(terminal_seq)"
                   " FROM events WHERE member_id IS NOT NULL GROUP BY member_id"_s))
        return sqlError(q, "rebuild the balances");
    if (!q.exec(u"INSERT INTO balances(member_id, points, last_seq) "_s + kHubBalanceSql
                + u" ON CONFLICT(member_id) DO UPDATE SET points = excluded.points"_s))
        return sqlError(q, "rebuild the balances the hub sent");
    return tx.commit();
}

} // namespace setia
