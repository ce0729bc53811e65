#include "loyalty_p.h"

#include "ids.h"
#include "phone.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QTimeZone>
#include <QVariant>

using namespace Qt::StringLiterals;

namespace setia {

QJsonObject EarnResult::toJson() const
{
    return QJsonObject{{u"memberId"_s, memberId}, {u"receiptId"_s, receiptId}, {u"eventId"_s, eventId},
                       {u"points"_s, points}, {u"bonusPoints"_s, bonusPoints}, {u"balance"_s, balance},
                       {u"tier"_s, tierId}, {u"tierChanged"_s, tierChanged}, {u"explanation"_s, explanationToJson(explanation)}};
}

void EarnResult::writeJson(CanonicalWriter &w) const
{
    w.beginObject()
        .field("balance", balance)
        .field("bonusPoints", bonusPoints)
        .field("eventId", eventId)
        .key("explanation");
    writeExplanationJson(w, explanation);
    w.field("memberId", memberId)
        .field("points", points)
        .field("receiptId", receiptId)
        .field("tier", tierId)
        .field("tierChanged", tierChanged)
        .endObject();
}

EarnResult EarnResult::fromJson(const QJsonObject &o)
{
    EarnResult r;
    r.memberId = o.value(u"memberId"_s).toString();
    r.receiptId = o.value(u"receiptId"_s).toString();
    r.eventId = o.value(u"eventId"_s).toString();
    r.points = o.value(u"points"_s).toInteger();
    r.bonusPoints = o.value(u"bonusPoints"_s).toInteger();
    r.balance = o.value(u"balance"_s).toInteger();
    r.tierId = o.value(u"tier"_s).toString();
    r.tierChanged = o.value(u"tierChanged"_s).toBool();
    r.explanation = explanationFromJson(o.value(u"explanation"_s).toArray());
    return r;
}

Loyalty::Loyalty(Store &store, KeyRing keys, const Clock &clock, Random &random)
    : d(std::make_unique<Impl>(store, std::move(keys), clock, random))
{
    const QString terminal = d->setting(u"terminal_id"_s);
    if (!terminal.isEmpty() && !store.readOnly())
        d->ledger = std::make_unique<Ledger>(store, clock, random, terminal);
}

Loyalty::~Loyalty() = default;

qint64 Loyalty::nowMs() const { return d->now(); }

Status Loyalty::Impl::requireWritable() const
{
    if (store.readOnly())
        return err(u"store_readonly", u"This command needs the store open for writing."_s);
    return requireLedger();
}

Status Loyalty::Impl::requireLedger() const
{
    if (!ledger)
        return err(u"not_initialized", u"This store has no terminal identity yet; run: setiactl init"_s);
    return Ok{};
}

QString Loyalty::Impl::setting(const QString &key) const
{
    Stmt q(store, u"SELECT value FROM settings WHERE key = ?"_s);
    q.addBindValue(key);
    if (q.exec() && q.next())
        return q.value(0).toString();
    return {};
}

Status Loyalty::Impl::putSetting(const QString &key, const QString &value)
{
    Stmt q(store, u"INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"_s);
    q.addBindValue(key);
    q.addBindValue(value);
    return exec(q, "save the setting");
}

Status Loyalty::initialize(const QString &storeId, const QString &storeName, const QString &timeZone, const QString &currency)
{
    if (d->store.readOnly())
        return err(u"store_readonly", u"The store is open read-only."_s);
    if (!QTimeZone(timeZone.toUtf8()).isValid())
        return err(u"invalid_time_zone", u"'%1' is not a time zone; use an IANA name such as Asia/Jakarta."_s.arg(timeZone));
    if (storeId.trimmed().isEmpty())
        return err(u"invalid_store", u"The store id is empty."_s);
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    QString terminal = d->setting(u"terminal_id"_s);
    if (terminal.isEmpty()) {
        terminal = uuidv7(d->now(), d->random);
        if (auto st = d->putSetting(u"terminal_id"_s, terminal); !st)
            return st;
        if (auto st = d->putSetting(u"created_at"_s, QString::number(d->now())); !st)
            return st;
    }
    for (const auto &[k, v] : {std::pair{u"store_id"_s, storeId}, {u"store_name"_s, storeName},
                                {u"time_zone"_s, timeZone}, {u"currency"_s, currency}})
        if (auto st = d->putSetting(k, v); !st)
            return st;
    if (auto st = tx.commit(); !st)
        return st;
    if (!d->ledger)
        d->ledger = std::make_unique<Ledger>(d->store, d->clock, d->random, terminal);
    return Ok{};
}

QString Loyalty::setting(const QString &key) const { return d->setting(key); }
QString Loyalty::terminalId() const { return d->setting(u"terminal_id"_s); }
QString Loyalty::storeId() const { return d->setting(u"store_id"_s); }

Status Loyalty::setSetting(const QString &key, const QString &value, const QString &actor)
{
    if (auto st = d->requireWritable(); !st)
        return st;
    static const QStringList editable = {u"store_name"_s,         u"time_zone"_s,          u"language"_s,
                                         u"hub_url"_s,            u"scanner_max_gap_ms"_s, u"scanner_min_length"_s,
                                         u"scanner_terminator"_s, u"print_slips"_s};
    if (!editable.contains(key))
        return err(u"invalid_setting", u"'%1' is not a setting that can be changed here (%2)."_s.arg(key, editable.join(u", "_s)));
    if (key == u"time_zone"_s && !QTimeZone(value.toUtf8()).isValid())
        return err(u"invalid_time_zone", u"'%1' is not a time zone; use an IANA name such as Asia/Jakarta."_s.arg(value));
    // The keyboard-wedge scanner's thresholds (Settings -> Devices), checked like the screen checks them.
    auto inRange = [&](int lo, int hi) {
        bool ok = false;
        const int v = value.toInt(&ok);
        return ok && v >= lo && v <= hi;
    };
    if (key == u"scanner_max_gap_ms"_s && !inRange(10, 200))
        return err(u"invalid_setting", u"scanner_max_gap_ms: must be a whole number of milliseconds from 10 to 200."_s);
    if (key == u"scanner_min_length"_s && !inRange(2, 32))
        return err(u"invalid_setting", u"scanner_min_length: must be a whole number from 2 to 32."_s);
    if (key == u"scanner_terminator"_s && !QStringList{u"enter"_s, u"tab"_s, u"none"_s}.contains(value))
        return err(u"invalid_setting", u"scanner_terminator: must be enter, tab or none."_s);
    if (key == u"print_slips"_s && value != u"on"_s && value != u"off"_s)
        return err(u"invalid_setting", u"print_slips: must be on or off."_s);
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    const QString before = d->setting(key);
    if (auto st = d->putSetting(key, value); !st)
        return st;
    if (auto st = d->audit(actor, u"setting"_s, key, u"%1 -> %2"_s.arg(before, value)); !st)
        return st;
    return tx.commit();
}

Status Loyalty::Impl::audit(const QString &actor, const QString &action, const QString &subject, const QString &detail)
{
    Stmt q(store, u"INSERT INTO audit(at, actor, action, subject, detail) VALUES(?,?,?,?,?)"_s);
    q.addBindValue(now());
    q.addBindValue(nonNull(actor));
    q.addBindValue(action);
    q.addBindValue(nonNull(subject));
    q.addBindValue(nonNull(detail));
    return exec(q, "write the audit log");
}

Status Loyalty::Impl::raiseAlert(const QString &kind, const QString &memberId, const QString &detail)
{
    Stmt q(store, u"INSERT INTO alerts(alert_id, at, kind, member_id, detail) VALUES(?,?,?,?,?)"_s);
    q.addBindValue(uuidv7(now(), random));
    q.addBindValue(now());
    q.addBindValue(kind);
    q.addBindValue(memberId.isEmpty() ? QVariant() : QVariant(memberId));
    q.addBindValue(detail);
    return exec(q, "record the alert");
}

// ---- programs ----

void Loyalty::Impl::loadPrograms() const
{
    if (programsLoaded)
        return;
    programs.clear();
    QSqlQuery q = query();
    q.exec(u"SELECT document FROM programs ORDER BY version"_s);
    while (q.next()) {
        auto p = parseProgram(q.value(0).toByteArray());
        if (p)
            programs << p.value();
    }
    programsLoaded = true;
}

Result<Program> Loyalty::Impl::programAt(qint64 ms) const
{
    loadPrograms();
    const Program *best = nullptr;
    for (const auto &p : programs)
        if (p.effectiveFromMs <= ms && (!best || p.version > best->version))
            best = &p;
    if (!best) {
        if (programs.isEmpty())
            return err(u"no_program", u"No loyalty program is loaded; load one with: setiactl program load FILE"_s);
        return err(u"no_program", u"No loaded program is in force yet (the earliest starts later)."_s);
    }
    return *best;
}

Result<int> Loyalty::loadProgram(const QByteArray &json, const QString &actor)
{
    if (auto st = d->requireWritable(); !st)
        return st.error();
    auto parsed = parseProgram(json);
    if (!parsed)
        return parsed.error();
    const Program &p = parsed.value();
    const QString currency = d->setting(u"currency"_s);
    if (!currency.isEmpty() && p.currency != currency)
        return err(u"invalid_program", u"currency: the program counts %1 but this store uses %2"_s.arg(p.currency, currency));
    d->loadPrograms();
    if (!d->programs.isEmpty() && p.version <= d->programs.last().version)
        return err(u"program_version", u"version: must be greater than the loaded version %1 (is %2)"_s
                                           .arg(d->programs.last().version)
                                           .arg(p.version));
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    Stmt q(d->store, u"INSERT INTO programs(version, effective_from, document, loaded_at) VALUES(?,?,?,?)"_s);
    q.addBindValue(p.version);
    q.addBindValue(p.effectiveFromMs);
    q.addBindValue(QString::fromUtf8(QJsonDocument(p.source).toJson(QJsonDocument::Compact)));
    q.addBindValue(d->now());
    if (auto st = exec(q, "save the program"); !st)
        return st.error();
    if (auto st = d->audit(actor, u"program_load"_s, QString::number(p.version), p.name); !st)
        return st.error();
    if (auto st = tx.commit(); !st)
        return st.error();
    d->programsLoaded = false;
    return p.version;
}

Result<Program> Loyalty::program(std::optional<qint64> atMs) const { return d->programAt(atMs.value_or(d->now())); }

// ---- alerts and audit ----

QList<AlertView> Loyalty::alerts(bool includeAcknowledged) const
{
    QList<AlertView> out;
    QSqlQuery q = d->query();
    q.exec(includeAcknowledged
               ? u"SELECT alert_id, at, kind, COALESCE(member_id,''), detail, COALESCE(acknowledged_at,0), COALESCE(acknowledged_by,'') FROM alerts ORDER BY at DESC LIMIT 500"_s
               : u"SELECT alert_id, at, kind, COALESCE(member_id,''), detail, 0, '' FROM alerts WHERE acknowledged_at IS NULL ORDER BY at DESC LIMIT 500"_s);
    while (q.next())
        out << AlertView{q.value(0).toString(), q.value(2).toString(), q.value(3).toString(), q.value(4).toString(),
                         q.value(6).toString(), q.value(1).toLongLong(), q.value(5).toLongLong()};
    return out;
}

Status Loyalty::acknowledgeAlert(const QString &alertId, const QString &actor)
{
    if (auto st = d->requireWritable(); !st)
        return st;
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    Stmt q(d->store, u"UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE alert_id = ? AND acknowledged_at IS NULL"_s);
    q.addBindValue(d->now());
    q.addBindValue(actor);
    q.addBindValue(alertId);
    if (auto st = exec(q, "acknowledge the alert"); !st)
        return st;
    if (q.numRowsAffected() != 1)
        return err(u"unknown_alert", u"There is no open alert %1."_s.arg(alertId));
    if (auto st = d->audit(actor, u"alert_ack"_s, alertId, QString()); !st)
        return st;
    return tx.commit();
}

QList<QStringList> Loyalty::auditLog(int limit) const
{
    QList<QStringList> out;
    Stmt q(d->store, u"SELECT at, actor, action, subject, detail FROM audit ORDER BY id DESC LIMIT ?"_s);
    q.addBindValue(limit);
    q.exec();
    while (q.next())
        out << QStringList{QString::number(q.value(0).toLongLong()), q.value(1).toString(), q.value(2).toString(),
                           q.value(3).toString(), q.value(4).toString()};
    return out;
}

Status Loyalty::recordScan(const QString &cardNumber, const QString &memberId)
{
    if (auto st = d->requireWritable(); !st)
        return st;
    const qint64 now = d->now();
    auto p = d->programAt(now);
    WriteTransaction tx(d->store);
    if (!tx.begun())
        return err(u"store_busy", tx.error());
    Stmt q(d->store, u"INSERT INTO scans(at, card_number, member_id) VALUES(?,?,?)"_s);
    q.addBindValue(now);
    q.addBindValue(cardNumber.left(64));
    q.addBindValue(memberId.isEmpty() ? QVariant() : QVariant(memberId));
    if (auto st = exec(q, "record the scan"); !st)
        return st;
    if (p && p->repeatScanCount > 0) {
        const qint64 from = now - qint64(p->repeatScanSeconds) * 1000;
        Stmt c(d->store, u"SELECT COUNT(*) FROM scans WHERE card_number = ? AND at > ?"_s);
        c.addBindValue(cardNumber.left(64));
        c.addBindValue(from);
        const qint64 n = c.exec() && c.next() ? c.value(0).toLongLong() : 0;
        c.finish();
        // Exactly at the threshold, so one burst raises one alert.
        if (n == p->repeatScanCount)
            if (auto st = d->raiseAlert(u"repeated_scans"_s, memberId,
                                         u"Card %1 was scanned %2 times within %3 seconds."_s.arg(cardNumber.left(64)).arg(n).arg(p->repeatScanSeconds));
                !st)
                return st;
    }
    // Keep a week of scans: enough for the rules, not a tracking log.
    Stmt old(d->store, u"DELETE FROM scans WHERE at < ?"_s);
    old.addBindValue(now - 7 * 86'400'000LL);
    if (auto st = exec(old, "trim the scan log"); !st)
        return st;
    return tx.commit();
}

VerifyReport Loyalty::verify() const { return verifyLedger(d->store); }

} // namespace setia
