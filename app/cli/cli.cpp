#include "cli_p.h"

#include "core/csv.h"
#include "core/engine.h"
#include "core/fallback.h"
#include "core/ids.h"
#include "core/money.h"
#include "core/phone.h"
#include "core/program.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace setia::cli {

int exitCodeFor(const QString &code)
{
    static const QStringList store = {u"store_missing"_s, u"store_in_use"_s, u"store_corrupt"_s, u"store_unreadable"_s,
                                      u"store_unwritable"_s, u"store_readonly"_s, u"store_error"_s, u"store_busy"_s,
                                      u"disk_full"_s, u"schema_too_new"_s, u"schema_too_old"_s, u"migration_failed"_s,
                                      u"key_missing"_s, u"key_permissions"_s, u"key_corrupt"_s, u"key_unreadable"_s,
                                      u"key_unwritable"_s, u"not_initialized"_s, u"backup_failed"_s, u"restore_failed"_s};
    if (store.contains(code))
        return StoreFailure;
    if (code.startsWith(u"invalid_"_s) || code == u"usage"_s || code == u"reason_required"_s || code == u"no_change"_s || code == u"actor_required"_s
        || code == u"backup_exists"_s || code == u"backup_missing"_s || code == u"backup_invalid"_s || code == u"file"_s)
        return BadInput;
    if (code == u"verify_failed"_s)
        return CheckFailed;
    return Refused;
}

int Context::fail(const Error &e)
{
    // One line on stderr: multi-line program errors are joined with "; ".
    QString msg = e.message;
    if (e.code == u"invalid_program"_s)
        msg = u"the program is not valid:\n  "_s + e.message.split(u'\n').join(u"\n  "_s);
    err << "setiactl: " << msg << Qt::endl;
    if (json)
        out << QJsonDocument(QJsonObject{{u"error"_s, QJsonObject{{u"code"_s, e.code}, {u"message"_s, e.message}}}})
                   .toJson(QJsonDocument::Compact)
            << Qt::endl;
    return exitCodeFor(e.code);
}

int Context::usage(const QString &message)
{
    err << "setiactl: " << message << Qt::endl;
    if (command)
        err << "usage: setiactl " << command->path << ' ' << command->usage << "  (setiactl " << command->path
            << " --help)" << Qt::endl;
    return BadInput;
}

void Context::reply(const QJsonObject &o, const QString &text)
{
    if (json)
        out << QJsonDocument(o).toJson(QJsonDocument::Indented);
    else
        out << text << (text.endsWith(u'\n') ? "" : "\n");
    out.flush();
}

QString Context::money(qint64 minor) const { return formatMoney(Money{minor, u"IDR"_s}, locale); }

Status Context::openLoyalty(bool writable, bool create)
{
    auto s = Store::open(dbPath, Store::Options{writable ? Store::Mode::ReadWrite : Store::Mode::ReadOnly, create});
    if (!s)
        return s.error();
    store = std::move(s).value();
    auto keys = KeyRing::open(keyPath, create);
    if (!keys)
        return keys.error();
    clock = std::make_unique<SystemClock>();
    random = std::make_unique<SecureRandom>();
    loyalty = std::make_unique<Loyalty>(*store, std::move(keys).value(), *clock, *random);
    return Ok{};
}

namespace {

QString isoUtc(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODate); }

QString localTime(qint64 ms, const QString &tz)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone((tz.isEmpty() ? u"Asia/Jakarta"_s : tz).toUtf8()))
        .toString(u"yyyy-MM-dd HH:mm"_s);
}

Result<qint64> parseAmount(const QString &text, const QString &what)
{
    // Accepts 125000, 125.000 (id), 125,000 (en) — whole rupiah (minor units for IDR).
    QString t = text.trimmed();
    t.remove(u"Rp"_s, Qt::CaseInsensitive);
    t.remove(u'.');
    t.remove(u',');
    t.remove(u' ');
    bool ok = false;
    const qint64 v = t.toLongLong(&ok);
    if (!ok || v < 0)
        return makeError(u"invalid_amount"_s, u"%1: '%2' is not an amount (use whole rupiah, e.g. 125000)"_s.arg(what, text));
    return v;
}

// strict: as at the till, a blocked card or membership is refused. Not strict: managers'
// tools (show, history, block, unblock, erase) find the member whatever the status.
Result<QString> resolveMember(Context &c, const QString &ref, bool strict = true)
{
    if (ref.isEmpty())
        return makeError(u"usage"_s, u"say which member: --member ID, card number or phone"_s);
    if (isUuid(ref))
        return ref;
    if (!strict)
        return c.loyalty->memberIdFor(ref);
    auto byCard = c.loyalty->memberByCard(ref);
    if (byCard)
        return byCard->memberId;
    if (byCard.error().code != u"unknown_card"_s)
        return byCard.error();
    auto byPhone = c.loyalty->memberByPhone(ref);
    if (byPhone)
        return byPhone->memberId;
    return makeError(u"unknown_member"_s, u"No member has the id, card or phone '%1'."_s.arg(ref));
}

Result<Basket> basketFromArgs(Context &c)
{
    if (c.has(u"basket"_s)) {
        QFile f(c.value(u"basket"_s));
        if (!f.open(QIODevice::ReadOnly))
            return makeError(u"file"_s, u"cannot read %1: %2"_s.arg(f.fileName(), f.errorString()));
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(f.read(4 * 1024 * 1024), &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject())
            return makeError(u"invalid_basket"_s, u"%1 is not a JSON basket: %2"_s.arg(f.fileName(), pe.errorString()));
        auto b = basketFromJson(doc.object());
        if (b && c.has(u"receipt"_s))
            b.value().receiptId = c.value(u"receipt"_s);
        return b;
    }
    Basket b;
    b.receiptId = c.value(u"receipt"_s);
    b.paymentMethod = c.value(u"payment"_s);
    // --line SKU:CATEGORY:QTY:PRICE (repeatable, separated by ';' when given once)
    const QStringList lines = c.value(u"line"_s).split(u';', Qt::SkipEmptyParts);
    qint64 sum = 0;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QStringList parts = lines[i].split(u':');
        if (parts.size() != 4)
            return makeError(u"invalid_basket"_s, u"lines[%1]: '%2' must be SKU:CATEGORY:QUANTITY:PRICE"_s.arg(i).arg(lines[i]));
        BasketLine l;
        l.sku = parts[0];
        l.category = parts[1];
        bool ok = false;
        l.quantity = parts[2].toLongLong(&ok);
        if (!ok)
            return makeError(u"invalid_basket"_s, u"lines[%1].quantity: '%2' is not a whole number"_s.arg(i).arg(parts[2]));
        auto price = parseAmount(parts[3], u"lines[%1].unitPrice"_s.arg(i));
        if (!price)
            return makeError(u"invalid_basket"_s, price.error().message);
        l.unitPrice = price.value();
        sum += l.amount();
        b.lines << l;
    }
    if (c.has(u"total"_s)) {
        auto t = parseAmount(c.value(u"total"_s), u"total"_s);
        if (!t)
            return makeError(u"invalid_basket"_s, t.error().message);
        b.total = t.value();
    } else if (!b.lines.isEmpty()) {
        b.total = sum;
    } else {
        return makeError(u"usage"_s, u"give the basket: --total AMOUNT, --line SKU:CATEGORY:QTY:PRICE or --basket FILE"_s);
    }
    return b;
}

QString explanationText(const Context &c, const QList<ExplanationLine> &lines)
{
    QString t;
    for (const auto &l : lines) {
        QString amount = l.amount > 0 ? u" on "_s + c.money(l.amount) : QString();
        if (l.kind == u"excluded"_s || l.kind == u"min_spend"_s)
            t += u"    %1: %2\n"_s.arg(l.label, c.money(l.amount));
        else
            t += u"    %1%2: %3%4\n"_s.arg(l.label, amount, l.points >= 0 ? u"+"_s : QString()).arg(l.points);
    }
    return t;
}

QJsonObject memberJson(const MemberView &m)
{
    QJsonArray cards;
    for (const auto &c : m.cards)
        cards.append(QJsonObject{{u"number"_s, c.number}, {u"kind"_s, c.kind}, {u"status"_s, c.status},
                                 {u"issuedAt"_s, isoUtc(c.issuedAt)}, {u"replacedBy"_s, c.replacedBy}});
    return QJsonObject{{u"memberId"_s, m.memberId},
                       {u"status"_s, m.status},
                       {u"name"_s, m.profile.name},
                       {u"phone"_s, m.profile.phone},
                       {u"email"_s, m.profile.email},
                       {u"birthDate"_s, m.profile.birthDate.isValid() ? m.profile.birthDate.toString(Qt::ISODate) : QString()},
                       {u"tier"_s, m.tierId},
                       {u"balance"_s, m.balance},
                       {u"referralCode"_s, m.referralCode},
                       {u"homeStore"_s, m.homeStore},
                       {u"enrolledAt"_s, isoUtc(m.enrolledAt)},
                       {u"cards"_s, cards},
                       {u"badges"_s, QJsonArray::fromStringList(m.badges)}};
}

QString memberText(const Context &c, const MemberView &m)
{
    QString t = u"%1  %2\n"_s.arg(m.profile.name.isEmpty() ? u"(erased)"_s : m.profile.name, m.memberId);
    t += u"  phone %1   tier %2   balance %3 points   status %4\n"_s.arg(maskPhone(m.profile.phone),
                                                                       m.tierName.isEmpty() ? m.tierId : m.tierName)
             .arg(m.balance)
             .arg(m.status);
    for (const auto &card : m.cards)
        t += u"  card %1 (%2, %3)\n"_s.arg(card.number, card.kind, card.status);
    if (!m.referralCode.isEmpty())
        t += u"  referral code %1\n"_s.arg(m.referralCode);
    if (!m.badges.isEmpty())
        t += u"  badges: %1\n"_s.arg(m.badges.join(u", "_s));
    Q_UNUSED(c);
    return t;
}

Result<qint64> parseDate(const Context &c, const QString &text, bool endOfDay)
{
    const QDate d = QDate::fromString(text, Qt::ISODate);
    if (!d.isValid())
        return makeError(u"invalid_date"_s, u"'%1' is not a date YYYY-MM-DD"_s.arg(text));
    QString tz = c.loyalty->setting(u"time_zone"_s);
    const QTimeZone zone((tz.isEmpty() ? u"Asia/Jakarta"_s : tz).toUtf8());
    return QDateTime(endOfDay ? d.addDays(1) : d, QTime(0, 0), zone).toMSecsSinceEpoch();
}

QByteArray readFile(const QString &path, QString *error)
{
    QFile f(path);
    if (path == u"-"_s) {
        if (!f.open(stdin, QIODevice::ReadOnly)) {
            *error = u"cannot read standard input"_s;
            return {};
        }
        return f.readAll();
    }
    if (!f.open(QIODevice::ReadOnly)) {
        *error = u"cannot read %1: %2"_s.arg(path, f.errorString());
        return {};
    }
    return f.readAll();
}

int writeOutput(Context &c, const QByteArray &data)
{
    if (c.has(u"out"_s)) {
        QFile f(c.value(u"out"_s));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return c.fail(makeError(u"file"_s, u"cannot write %1: %2"_s.arg(f.fileName(), f.errorString())));
        if (f.write(data) != data.size() || !f.flush())
            return c.fail(makeError(u"disk_full"_s, u"could not write all of %1 (disk full?)"_s.arg(f.fileName())));
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        c.err << "wrote " << f.fileName() << Qt::endl;
        return Success;
    }
    c.out << QString::fromUtf8(data);
    c.out.flush();
    return Success;
}

// ---- commands ----

int cmdInit(Context &c)
{
    if (auto st = c.openLoyalty(true, true); !st)
        return c.fail(st.error());
    const QString storeId = c.value(u"store-id"_s, u"demo-store"_s);
    if (auto st = c.loyalty->initialize(storeId, c.value(u"store-name"_s, storeId), c.value(u"time-zone"_s, u"Asia/Jakarta"_s),
                                        c.value(u"currency"_s, u"IDR"_s));
        !st)
        return c.fail(st.error());
    c.reply(QJsonObject{{u"db"_s, c.store->path()}, {u"terminalId"_s, c.loyalty->terminalId()}, {u"storeId"_s, storeId},
                       {u"schema"_s, c.store->schemaVersion()}, {u"keyFile"_s, c.keyPath}},
           u"Store ready: %1\n  terminal %2, store %3, schema %4\n  key file %5 (back it up separately; without it personal data cannot be read)"_s
               .arg(c.store->path(), c.loyalty->terminalId(), storeId)
               .arg(c.store->schemaVersion())
               .arg(c.keyPath));
    return Success;
}

int cmdProgramValidate(Context &c)
{
    if (c.positional.size() != 1)
        return c.usage(u"give one program file"_s);
    QString error;
    const QByteArray json = readFile(c.positional[0], &error);
    if (!error.isEmpty())
        return c.fail(makeError(u"file"_s, error));
    const QStringList errors = validateProgram(json);
    if (!errors.isEmpty()) {
        if (c.json)
            c.out << QJsonDocument(QJsonObject{{u"valid"_s, false}, {u"errors"_s, QJsonArray::fromStringList(errors)}}).toJson();
        for (const QString &e : errors)
            c.err << c.positional[0] << ": " << e << Qt::endl;
        return BadInput;
    }
    auto p = parseProgram(json);
    c.reply(QJsonObject{{u"valid"_s, true}, {u"version"_s, p->version}, {u"name"_s, p->name}},
           u"%1: valid (version %2, \"%3\")"_s.arg(c.positional[0]).arg(p->version).arg(p->name));
    return Success;
}

int cmdProgramLoad(Context &c)
{
    if (c.positional.size() != 1)
        return c.usage(u"give one program file"_s);
    QString error;
    const QByteArray json = readFile(c.positional[0], &error);
    if (!error.isEmpty())
        return c.fail(makeError(u"file"_s, error));
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    auto v = c.loyalty->loadProgram(json, c.actor);
    if (!v)
        return c.fail(v.error());
    c.reply(QJsonObject{{u"loaded"_s, v.value()}}, u"Program version %1 loaded."_s.arg(v.value()));
    return Success;
}

int cmdProgramShow(Context &c)
{
    if (auto st = c.openLoyalty(false); !st)
        return c.fail(st.error());
    auto p = c.loyalty->program();
    if (!p)
        return c.fail(p.error());
    if (c.json) {
        c.out << QJsonDocument(p->source).toJson();
        return Success;
    }
    QString t = u"%1 (version %2, %3, from %4)\n"_s.arg(p->name).arg(p->version).arg(p->timeZone, isoUtc(p->effectiveFromMs));
    t += u"  Earn %1 point(s) per %2 spent (%3), minimum spend %4\n"_s.arg(p->pointsPerBlock)
             .arg(c.money(p->perAmount))
             .arg(p->rounding == Rounding::Floor ? u"rounded down"_s : p->rounding == Rounding::Ceil ? u"rounded up"_s : u"rounded"_s)
             .arg(c.money(p->minSpend));
    for (const auto &m : p->multipliers)
        t += u"  Multiplier %1: ×%2\n"_s.arg(m.label).arg(double(m.factorMilli) / 1000.0);
    for (const auto &tier : p->tiers)
        t += u"  Tier %1 from %2 (%3 over %4 days), ×%5\n"_s.arg(tier.name)
                 .arg(p->tierBasis == u"spend"_s ? c.money(tier.threshold) : QString::number(tier.threshold))
                 .arg(p->tierBasis)
                 .arg(p->tierWindowDays)
                 .arg(double(tier.multiplierMilli) / 1000.0);
    for (const auto &r : p->rewards)
        t += u"  Reward %1: %2 points\n"_s.arg(r.name).arg(r.cost);
    c.reply({}, t);
    return Success;
}

int cmdMemberEnroll(Context &c)
{
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    EnrollRequest r;
    r.name = c.value(u"name"_s);
    r.phone = c.value(u"phone"_s);
    r.email = c.value(u"email"_s);
    if (c.has(u"birth-date"_s)) {
        r.birthDate = QDate::fromString(c.value(u"birth-date"_s), Qt::ISODate);
        if (!r.birthDate.isValid())
            return c.fail(makeError(u"invalid_member"_s, u"birth-date: '%1' is not a date YYYY-MM-DD"_s.arg(c.value(u"birth-date"_s))));
    }
    r.consent.marketing = c.flag(u"consent-marketing"_s);
    r.consent.whatsapp = c.flag(u"consent-whatsapp"_s);
    r.referralCode = c.value(u"referral"_s);
    r.cardNumber = c.value(u"card"_s);
    r.cardKind = c.value(u"card-kind"_s, u"barcode"_s);
    r.issueDigitalCard = c.flag(u"digital-card"_s);
    r.actor = c.actor;
    auto m = c.loyalty->enroll(r);
    if (!m)
        return c.fail(m.error());
    c.reply(memberJson(m.value()), u"Enrolled.\n"_s + memberText(c, m.value()));
    return Success;
}

int cmdMemberFind(Context &c)
{
    if (c.positional.isEmpty())
        return c.usage(u"give a card number, phone or name"_s);
    if (auto st = c.openLoyalty(false); !st)
        return c.fail(st.error());
    auto found = c.loyalty->search(c.positional.join(u' '), c.value(u"page"_s, u"0"_s).toInt(), c.value(u"page-size"_s, u"20"_s).toInt());
    if (!found)
        return c.fail(found.error());
    QJsonArray a;
    QString t;
    for (const auto &s : found.value()) {
        a.append(QJsonObject{{u"memberId"_s, s.memberId}, {u"name"_s, s.name}, {u"phone"_s, s.maskedPhone},
                             {u"tier"_s, s.tierId}, {u"balance"_s, s.balance}, {u"status"_s, s.status}});
        t += u"%1  %2  %3  %4  %5 points\n"_s.arg(s.memberId, s.name, s.maskedPhone, s.tierId).arg(s.balance);
    }
    if (found->isEmpty())
        t = u"No member found."_s;
    c.reply(QJsonObject{{u"members"_s, a}}, t);
    return Success;
}

int cmdMemberShow(Context &c)
{
    if (c.positional.size() != 1)
        return c.usage(u"give a member id, card number or phone"_s);
    if (auto st = c.openLoyalty(false); !st)
        return c.fail(st.error());
    auto id = resolveMember(c, c.positional[0], false);
    if (!id)
        return c.fail(id.error());
    auto m = c.loyalty->member(id.value());
    if (!m)
        return c.fail(m.error());
    QJsonObject o = memberJson(m.value());
    QString t = memberText(c, m.value());
    if (auto ts = c.loyalty->tierStatus(id.value()); ts) {
        o.insert(u"tierWindowTotal"_s, ts->windowTotal);
        o.insert(u"nextTier"_s, ts->nextTierId);
        o.insert(u"toNextTier"_s, ts->toNext);
        if (!ts->nextTierId.isEmpty())
            t += u"  %1 more %2 to %3\n"_s.arg(ts->basis == u"spend"_s ? c.money(ts->toNext) : QString::number(ts->toNext),
                                               ts->basis == u"spend"_s ? u"spend"_s : u"points"_s, ts->nextTierName);
    }
    c.reply(o, t);
    return Success;
}

int cmdMemberHistory(Context &c)
{
    if (c.positional.size() != 1)
        return c.usage(u"give a member id, card number or phone"_s);
    if (auto st = c.openLoyalty(false); !st)
        return c.fail(st.error());
    auto id = resolveMember(c, c.positional[0], false);
    if (!id)
        return c.fail(id.error());
    auto h = c.loyalty->history(id.value(), c.value(u"page"_s, u"0"_s).toInt(), c.value(u"page-size"_s, u"50"_s).toInt());
    if (!h)
        return c.fail(h.error());
    QJsonArray a;
    QString t;
    const QString tz = c.loyalty->setting(u"time_zone"_s);
    for (const auto &e : h.value()) {
        a.append(QJsonObject{{u"eventId"_s, e.eventId}, {u"type"_s, e.type}, {u"at"_s, isoUtc(e.occurredAt)},
                             {u"points"_s, e.points}, {u"amount"_s, e.amount}, {u"receiptId"_s, e.receiptId},
                             {u"actor"_s, e.actor}, {u"payload"_s, e.payload}});
        t += u"%1  %2  %3  %4 %5\n"_s.arg(localTime(e.occurredAt, tz), e.type.leftJustified(15),
                                          (e.points > 0 ? u"+"_s : QString()) + QString::number(e.points))
                 .arg(e.amount ? c.money(e.amount) : QString(), e.receiptId);
    }
    c.reply(QJsonObject{{u"events"_s, a}}, t.isEmpty() ? u"No events."_s : t);
    return Success;
}

int cmdMemberErase(Context &c)
{
    if (c.positional.size() != 1 || !c.has(u"reason"_s))
        return c.usage(u"give the member and --reason"_s);
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    auto id = resolveMember(c, c.positional[0], false);
    if (!id)
        return c.fail(id.error());
    if (auto st = c.loyalty->erase(id.value(), c.value(u"reason"_s), c.actor); !st)
        return c.fail(st.error());
    c.reply(QJsonObject{{u"erased"_s, id.value()}}, u"Member %1 erased: personal data and key destroyed."_s.arg(id.value()));
    return Success;
}

int cmdMemberBlock(Context &c, bool blocked)
{
    if (c.positional.size() != 1)
        return c.usage(u"give the member (id, card or phone) and --reason"_s);
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    auto id = resolveMember(c, c.positional[0], false);
    if (!id)
        return c.fail(id.error());
    if (auto st = c.loyalty->setMemberBlocked(id.value(), blocked, c.value(u"reason"_s), c.actor); !st)
        return c.fail(st.error());
    c.reply(QJsonObject{{u"memberId"_s, id.value()}, {u"status"_s, blocked ? u"blocked"_s : u"active"_s}},
            blocked ? u"Membership %1 blocked."_s.arg(id.value()) : u"Membership %1 active again."_s.arg(id.value()));
    return Success;
}
int cmdMemberBlockOn(Context &c) { return cmdMemberBlock(c, true); }
int cmdMemberBlockOff(Context &c) { return cmdMemberBlock(c, false); }

int cmdCardAssign(Context &c)
{
    if (c.positional.size() != 2)
        return c.usage(u"give the member and the card number"_s);
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    auto id = resolveMember(c, c.positional[0]);
    if (!id)
        return c.fail(id.error());
    auto card = c.loyalty->assignCard(id.value(), c.positional[1], c.value(u"kind"_s, u"barcode"_s), c.actor);
    if (!card)
        return c.fail(card.error());
    c.reply(QJsonObject{{u"card"_s, card->number}, {u"memberId"_s, card->memberId}, {u"kind"_s, card->kind}},
           u"Card %1 assigned to %2."_s.arg(card->number, card->memberId));
    return Success;
}

int cmdCardBlock(Context &c)
{
    if (c.positional.size() != 1)
        return c.usage(u"give the card number"_s);
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    auto card = c.loyalty->blockCard(c.positional[0], c.value(u"reason"_s), c.value(u"replacement"_s), c.actor);
    if (!card)
        return c.fail(card.error());
    c.reply(QJsonObject{{u"blocked"_s, card->number}, {u"replacement"_s, card->replacedBy}},
           card->replacedBy.isEmpty() ? u"Card %1 blocked."_s.arg(card->number)
                                      : u"Card %1 blocked; %2 replaces it, balance kept."_s.arg(card->number, card->replacedBy));
    return Success;
}

int cmdQuote(Context &c)
{
    if (auto st = c.openLoyalty(false); !st)
        return c.fail(st.error());
    auto id = resolveMember(c, c.value(u"member"_s));
    if (!id)
        return c.fail(id.error());
    auto b = basketFromArgs(c);
    if (!b)
        return c.fail(b.error());
    auto q = c.loyalty->quote(id.value(), b.value());
    if (!q)
        return c.fail(q.error());
    c.reply(QJsonObject{{u"points"_s, q->points}, {u"bonusPoints"_s, q->totalPoints() - q->points},
                       {u"eligible"_s, q->eligibleAmount}, {u"explanation"_s, explanationToJson(q->lines)}},
           u"Would earn %1 points (nothing saved):\n"_s.arg(q->totalPoints()) + explanationText(c, q->lines));
    return Success;
}

int cmdEarn(Context &c)
{
    if (!c.has(u"receipt"_s) && !c.has(u"basket"_s))
        return c.usage(u"--receipt RECEIPT-ID is required (it makes a retry safe)"_s);
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    auto id = resolveMember(c, c.value(u"member"_s));
    if (!id)
        return c.fail(id.error());
    auto b = basketFromArgs(c);
    if (!b)
        return c.fail(b.error());
    auto r = c.loyalty->earn(id.value(), b.value(), c.actor);
    if (!r)
        return c.fail(r.error());
    QJsonObject o = r->toJson();
    o.insert(u"replayed"_s, r->replayed);
    c.reply(o, u"%1 %2 points on receipt %3 (balance %4)%5\n"_s
                  .arg(r->replayed ? u"Already earned:"_s : u"Earned"_s)
                  .arg(r->points + r->bonusPoints)
                  .arg(r->receiptId)
                  .arg(r->balance)
                  .arg(r->tierChanged ? u", new tier "_s + r->tierId : QString())
                  + explanationText(c, r->explanation));
    return Success;
}

int cmdRedeem(Context &c)
{
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    auto id = resolveMember(c, c.value(u"member"_s));
    if (!id)
        return c.fail(id.error());
    Result<RedeemResult> r = makeError(u"usage"_s, u"give --reward ID or --points N"_s);
    if (c.has(u"reward"_s)) {
        r = c.loyalty->redeemReward(id.value(), c.value(u"reward"_s), c.actor);
    } else if (c.has(u"points"_s)) {
        bool ok = false;
        const qint64 pts = c.value(u"points"_s).toLongLong(&ok);
        if (!ok)
            return c.usage(u"--points must be a whole number"_s);
        r = c.loyalty->redeemPoints(id.value(), pts, c.value(u"receipt"_s), c.actor);
    } else {
        return c.usage(u"give --reward ID or --points N"_s);
    }
    if (!r)
        return c.fail(r.error());
    c.reply(QJsonObject{{u"eventId"_s, r->eventId}, {u"points"_s, r->points}, {u"value"_s, r->value},
                       {u"reward"_s, r->rewardId}, {u"voucher"_s, r->voucherCode}, {u"balance"_s, r->balance}},
           u"Redeemed %1 points%2%3 (balance %4)"_s.arg(r->points)
               .arg(r->rewardId.isEmpty() ? u" worth "_s + c.money(r->value) : u" for "_s + r->rewardId)
               .arg(r->voucherCode.isEmpty() ? QString() : u", voucher "_s + r->voucherCode)
               .arg(r->balance));
    return Success;
}

int cmdReverse(Context &c)
{
    if (!c.has(u"receipt"_s))
        return c.usage(u"--receipt is required"_s);
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    std::optional<qint64> amount;
    if (c.has(u"amount"_s)) {
        auto a = parseAmount(c.value(u"amount"_s), u"amount"_s);
        if (!a)
            return c.fail(a.error());
        amount = a.value();
    }
    auto r = c.loyalty->reverse(c.value(u"receipt"_s), amount, c.value(u"reason"_s), c.actor);
    if (!r)
        return c.fail(r.error());
    c.reply(QJsonObject{{u"receiptId"_s, r->receiptId}, {u"refunded"_s, r->refundedAmount}, {u"pointsReversed"_s, r->pointsReversed},
                       {u"balance"_s, r->balance}, {u"fullyRefunded"_s, r->fullyRefunded}},
           u"Refund of %1 on receipt %2: %3 points taken back (balance %4)%5"_s.arg(c.money(r->refundedAmount), r->receiptId)
               .arg(r->pointsReversed)
               .arg(r->balance)
               .arg(r->fullyRefunded ? u", receipt fully refunded"_s : QString()));
    return Success;
}

int cmdAdjust(Context &c)
{
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    auto id = resolveMember(c, c.value(u"member"_s));
    if (!id)
        return c.fail(id.error());
    bool ok = false;
    const qint64 pts = c.value(u"points"_s).toLongLong(&ok);
    if (!ok)
        return c.usage(u"--points must be a whole number, negative to take points away"_s);
    auto r = c.loyalty->adjust(id.value(), pts, c.value(u"reason"_s), c.actor);
    if (!r)
        return c.fail(r.error());
    c.reply(QJsonObject{{u"balance"_s, r.value()}}, u"Adjusted by %1 points (balance %2)."_s.arg(pts).arg(r.value()));
    return Success;
}

int cmdVoucherIssue(Context &c)
{
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    QString member;
    if (c.has(u"member"_s)) {
        auto id = resolveMember(c, c.value(u"member"_s));
        if (!id)
            return c.fail(id.error());
        member = id.value();
    }
    auto v = c.loyalty->issueVoucher(member, c.value(u"type"_s), c.actor);
    if (!v)
        return c.fail(v.error());
    c.reply(QJsonObject{{u"code"_s, v->code}, {u"type"_s, v->typeId}, {u"discount"_s, v->discount}, {u"expiresAt"_s, isoUtc(v->expiresAt)}},
           u"Voucher %1 (%2 off, valid until %3)"_s.arg(v->code, c.money(v->discount), isoUtc(v->expiresAt)));
    return Success;
}

int cmdVoucherUse(Context &c)
{
    if (c.positional.size() != 1)
        return c.usage(u"give the voucher code"_s);
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    auto total = parseAmount(c.value(u"total"_s, u"0"_s), u"total"_s);
    if (!total)
        return c.fail(total.error());
    auto v = c.loyalty->useVoucher(c.positional[0], c.value(u"receipt"_s), total.value(), c.actor);
    if (!v)
        return c.fail(v.error());
    c.reply(QJsonObject{{u"code"_s, v->code}, {u"discount"_s, v->discount}}, u"Voucher %1 used: %2 off."_s.arg(v->code, c.money(v->discount)));
    return Success;
}

int cmdExpire(Context &c)
{
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    auto n = c.loyalty->expirePoints(c.actor);
    if (!n)
        return c.fail(n.error());
    c.reply(QJsonObject{{u"expired"_s, n.value()}}, u"%1 points expired."_s.arg(n.value()));
    return Success;
}

int cmdTiers(Context &c)
{
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    auto n = c.loyalty->recomputeTiers(c.actor);
    if (!n)
        return c.fail(n.error());
    c.reply(QJsonObject{{u"changed"_s, n.value()}}, u"%1 members changed tier."_s.arg(n.value()));
    return Success;
}

int cmdReport(Context &c)
{
    if (auto st = c.openLoyalty(false); !st)
        return c.fail(st.error());
    const QString today = storeTime(c.loyalty->nowMs(), c.loyalty->setting(u"time_zone"_s).isEmpty() ? u"Asia/Jakarta"_s : c.loyalty->setting(u"time_zone"_s))
                              .date()
                              .toString(Qt::ISODate);
    auto from = parseDate(c, c.value(u"from"_s, today), false);
    auto to = parseDate(c, c.value(u"to"_s, c.value(u"from"_s, today)), true);
    if (!from)
        return c.fail(from.error());
    if (!to)
        return c.fail(to.error());
    const Report r = c.loyalty->report(from.value(), to.value());
    QJsonArray hours, top;
    for (int h = 0; h < r.byHour.size(); ++h)
        hours.append(QJsonObject{{u"hour"_s, h}, {u"earned"_s, r.byHour[h].first}, {u"redeemed"_s, r.byHour[h].second}});
    for (const auto &[m, p] : r.topMembers)
        top.append(QJsonObject{{u"memberId"_s, m}, {u"points"_s, p}});
    QString t = u"From %1 to %2 (store time)\n"_s.arg(c.value(u"from"_s, today), c.value(u"to"_s, c.value(u"from"_s, today)));
    t += u"  receipts %1, spend %2, active members %3, enrolled %4\n"_s.arg(r.receipts).arg(c.money(r.spend)).arg(r.activeMembers).arg(r.membersEnrolled);
    t += u"  points earned %1 (+%2 bonus), redeemed %3, reversed %4, adjusted %5, expired %6\n"_s.arg(r.pointsEarned)
             .arg(r.pointsBonus)
             .arg(r.pointsRedeemed)
             .arg(r.pointsReversed)
             .arg(r.pointsAdjusted)
             .arg(r.pointsExpired);
    t += u"  redemption rate %1%\n"_s.arg(r.redemptionRate() * 100.0, 0, 'f', 1);
    c.reply(QJsonObject{{u"receipts"_s, r.receipts}, {u"spend"_s, r.spend}, {u"pointsEarned"_s, r.pointsEarned},
                       {u"pointsBonus"_s, r.pointsBonus}, {u"pointsRedeemed"_s, r.pointsRedeemed},
                       {u"pointsReversed"_s, r.pointsReversed}, {u"pointsAdjusted"_s, r.pointsAdjusted},
                       {u"pointsExpired"_s, r.pointsExpired}, {u"membersEnrolled"_s, r.membersEnrolled},
                       {u"activeMembers"_s, r.activeMembers}, {u"redemptionRate"_s, r.redemptionRate()},
                       {u"topMembers"_s, top}, {u"byHour"_s, hours}},
           t);
    return Success;
}

int cmdExport(Context &c)
{
    if (c.positional.size() != 1 || (c.positional[0] != u"members"_s && c.positional[0] != u"events"_s))
        return c.usage(u"say what to export: members or events"_s);
    if (auto st = c.openLoyalty(false); !st)
        return c.fail(st.error());
    if (c.positional[0] == u"members"_s)
        return writeOutput(c, c.loyalty->exportMembers(c.flag(u"personal-data"_s)));
    auto from = parseDate(c, c.value(u"from"_s, u"1970-01-01"_s), false);
    auto to = parseDate(c, c.value(u"to"_s, u"9999-12-30"_s), true);
    if (!from || !to)
        return c.fail(!from ? from.error() : to.error());
    return writeOutput(c, c.loyalty->exportEvents(from.value(), to.value()));
}

int cmdImport(Context &c)
{
    if (c.positional.size() != 1)
        return c.usage(u"give the CSV file"_s);
    QString error;
    const QByteArray csv = readFile(c.positional[0], &error);
    if (!error.isEmpty())
        return c.fail(makeError(u"file"_s, error));
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    const ImportReport r = c.loyalty->importMembers(csv, c.actor);
    if (!r.errors.isEmpty()) {
        for (const QString &e : r.errors)
            c.err << c.positional[0] << ": " << e << Qt::endl;
        c.err << "setiactl: nothing was imported; see above, then run the import again." << Qt::endl;
        if (c.json)
            c.out << QJsonDocument(QJsonObject{{u"imported"_s, 0}, {u"errors"_s, QJsonArray::fromStringList(r.errors)}}).toJson();
        return BadInput;
    }
    c.reply(QJsonObject{{u"members"_s, r.members}, {u"cards"_s, r.cards}, {u"openingPoints"_s, r.openingPoints}},
           u"Imported %1 members, %2 cards, %3 opening points."_s.arg(r.members).arg(r.cards).arg(r.openingPoints));
    return Success;
}

int cmdVerify(Context &c)
{
    if (auto st = c.openLoyalty(false); !st)
        return c.fail(st.error());
    const VerifyReport r = c.loyalty->verify();
    c.reply(QJsonObject{{u"ok"_s, r.ok()}, {u"events"_s, r.events}, {u"members"_s, r.members},
                       {u"firstBrokenLink"_s, r.firstBrokenLink}, {u"problems"_s, QJsonArray::fromStringList(r.problems)}},
           r.ok() ? u"Ledger verified: %1 events, %2 members; every chain link and balance checks out."_s.arg(r.events).arg(r.members)
                  : u"Ledger problems found (%1):\n  %2\nFirst broken link: %3"_s.arg(r.problems.size())
                        .arg(r.problems.mid(0, 20).join(u"\n  "_s), r.firstBrokenLink.isEmpty() ? u"none"_s : r.firstBrokenLink));
    return r.ok() ? Success : CheckFailed;
}

// Migrates the store to this version's schema, explicitly: what the package's postinst runs on
// an upgrade (docs/install.md "Upgrades"). Any write command would migrate too; this one says
// what it did and clears the previous version's marker when it succeeds.
int cmdUpgrade(Context &c)
{
    if (!QFileInfo(c.dbPath).isFile())
        return c.fail(makeError(u"store_missing"_s, u"There is no Setia store at %1; nothing to upgrade."_s.arg(c.dbPath)));
    const int before = fallback::storeSchema(c.dbPath);
    int after = -1;
    {
        auto s = Store::open(c.dbPath, Store::Options{Store::Mode::ReadWrite, false});
        if (!s)
            return c.fail(s.error());
        after = s.value()->schemaVersion();
    } // closed (and checkpointed) before anybody else opens it
    const QString copy = u"%1.pre-schema-%2.bak"_s.arg(c.dbPath).arg(after);
    const bool upgraded = before >= 0 && before < after;
    QString why;
    const bool cleared = fallback::clearMarker(c.dbPath, &why);
    if (!cleared)
        c.err << "setiactl: note: the store is upgraded, but " << why
              << "; run `dpkg-reconfigure setia` as root to remove it (programs that can read the store run this version already)"
              << Qt::endl;
    QJsonObject o{{u"store"_s, c.dbPath}, {u"schemaBefore"_s, before}, {u"schema"_s, after}, {u"upgraded"_s, upgraded}};
    if (upgraded && QFileInfo::exists(copy))
        o.insert(u"copy"_s, copy);
    c.reply(o, upgraded ? u"Store %1 upgraded from schema %2 to schema %3 (a copy from before the upgrade is %4)."_s
                              .arg(c.dbPath).arg(before).arg(after).arg(QFileInfo::exists(copy) ? copy : u"not there"_s)
                        : before < 0 ? u"Store %1 is at schema %2."_s.arg(c.dbPath).arg(after)
                                     : u"Store %1 is at schema %2 already; nothing to upgrade."_s.arg(c.dbPath).arg(after));
    return Success;
}

// The terminal's side of sync, from the store alone (the sync client itself runs in setia and
// setia-agent): for the installer checking a provisioned till.
int cmdSyncStatus(Context &c)
{
    if (auto st = c.openLoyalty(false); !st)
        return c.fail(st.error());
    Loyalty &l = *c.loyalty;
    const auto lease = l.lease();
    const auto [count, points] = l.unconfirmedRedemptions();
    QJsonObject o{{u"hubUrl"_s, l.setting(u"hub_url"_s)}, {u"registered"_s, l.syncRegistered()},
                  {u"waitingEvents"_s, l.unsyncedCount()}, {u"feedCursor"_s, l.feedCursor()}};
    QString text = l.syncRegistered() ? u"Registered with the hub %1."_s.arg(l.setting(u"hub_url"_s))
                   : l.setting(u"hub_url"_s).isEmpty()
                       ? u"No hub: everything is kept on this terminal."_s
                       : u"Hub %1 set but not registered yet (the first start of setia or setia-agent registers it from /etc/setia/store.json)."_s.arg(l.setting(u"hub_url"_s));
    text += u"\nEvents waiting to be sent: %1. Change feed read up to %2."_s.arg(l.unsyncedCount()).arg(l.feedCursor());
    if (lease) {
        const qint64 until = lease->receivedAt + (lease->expiresAt - lease->issuedAt);
        o.insert(u"lease"_s, QJsonObject{{u"expiresAt"_s, until}, {u"memberCap"_s, lease->memberCap}, {u"terminalCap"_s, lease->terminalCap},
                                         {u"maxCount"_s, lease->maxCount}, {u"usedCount"_s, count}, {u"usedPoints"_s, points}});
        text += u"\nRedemption lease until %1: %2 of %3 offline redemptions used, %4 of %5 points (at most %6 per member)."_s
                    .arg(QDateTime::fromMSecsSinceEpoch(until).toString(Qt::ISODate))
                    .arg(count).arg(lease->maxCount).arg(points).arg(lease->terminalCap).arg(lease->memberCap);
    } else if (l.syncRegistered()) {
        text += u"\nNo redemption lease yet: redeeming waits for the first sync."_s;
    }
    c.reply(o, text);
    return Success;
}

int cmdIntegrity(Context &c)
{
    if (auto st = c.openLoyalty(false); !st)
        return c.fail(st.error());
    const QStringList problems = c.store->integrityCheck();
    c.reply(QJsonObject{{u"ok"_s, problems.isEmpty()}, {u"problems"_s, QJsonArray::fromStringList(problems)}},
           problems.isEmpty() ? u"integrity_check: ok"_s : u"integrity_check found problems:\n  "_s + problems.join(u"\n  "_s));
    return problems.isEmpty() ? Success : CheckFailed;
}

int cmdBackup(Context &c)
{
    if (c.positional.size() != 1)
        return c.usage(u"give the backup file to write"_s);
    if (auto st = c.openLoyalty(false); !st)
        return c.fail(st.error());
    if (auto st = c.store->backupTo(c.positional[0]); !st)
        return c.fail(st.error());
    c.reply(QJsonObject{{u"backup"_s, QFileInfo(c.positional[0]).absoluteFilePath()}},
           u"Backup written to %1. Keep the key file (%2) in a separate safe place."_s.arg(QFileInfo(c.positional[0]).absoluteFilePath(), c.keyPath));
    return Success;
}

int cmdRestore(Context &c)
{
    if (c.positional.size() != 1)
        return c.usage(u"give the backup file"_s);
    if (auto st = Store::restore(c.positional[0], c.dbPath); !st)
        return c.fail(st.error());
    c.reply(QJsonObject{{u"restored"_s, c.dbPath}}, u"Restored %1 from %2 (the previous database is kept as %1.before-restore)."_s.arg(c.dbPath, c.positional[0]));
    return Success;
}

int cmdAlerts(Context &c)
{
    const bool ack = !c.positional.isEmpty() && c.positional[0] == u"ack"_s;
    if (auto st = c.openLoyalty(ack); !st)
        return c.fail(st.error());
    if (ack) {
        if (c.positional.size() != 2)
            return c.usage(u"give the alert id: setiactl alerts ack ID"_s);
        if (auto st = c.loyalty->acknowledgeAlert(c.positional[1], c.actor); !st)
            return c.fail(st.error());
        c.reply(QJsonObject{{u"acknowledged"_s, c.positional[1]}}, u"Alert acknowledged."_s);
        return Success;
    }
    QJsonArray a;
    QString t;
    for (const auto &al : c.loyalty->alerts(c.flag(u"all"_s))) {
        a.append(QJsonObject{{u"alertId"_s, al.alertId}, {u"kind"_s, al.kind}, {u"memberId"_s, al.memberId},
                             {u"detail"_s, al.detail}, {u"at"_s, isoUtc(al.at)}, {u"acknowledgedBy"_s, al.acknowledgedBy}});
        t += u"%1  %2  %3  %4\n"_s.arg(isoUtc(al.at), al.alertId, al.kind, al.detail);
    }
    c.reply(QJsonObject{{u"alerts"_s, a}}, t.isEmpty() ? u"No open alerts."_s : t);
    return Success;
}

int cmdAudit(Context &c)
{
    if (auto st = c.openLoyalty(false); !st)
        return c.fail(st.error());
    QJsonArray a;
    QString t;
    for (const QStringList &row : c.loyalty->auditLog(c.value(u"limit"_s, u"100"_s).toInt())) {
        a.append(QJsonObject{{u"at"_s, isoUtc(row[0].toLongLong())}, {u"actor"_s, row[1]}, {u"action"_s, row[2]},
                             {u"subject"_s, row[3]}, {u"detail"_s, row[4]}});
        t += u"%1  %2  %3  %4  %5\n"_s.arg(isoUtc(row[0].toLongLong()), row[1], row[2], row[3], row[4]);
    }
    c.reply(QJsonObject{{u"audit"_s, a}}, t.isEmpty() ? u"The audit log is empty."_s : t);
    return Success;
}

int cmdSetting(Context &c)
{
    if (c.positional.size() == 1) {
        if (auto st = c.openLoyalty(false); !st)
            return c.fail(st.error());
        c.reply(QJsonObject{{c.positional[0], c.loyalty->setting(c.positional[0])}}, c.loyalty->setting(c.positional[0]));
        return Success;
    }
    if (c.positional.size() != 2)
        return c.usage(u"setiactl setting KEY [VALUE]"_s);
    if (auto st = c.openLoyalty(true); !st)
        return c.fail(st.error());
    if (auto st = c.loyalty->setSetting(c.positional[0], c.positional[1], c.actor); !st)
        return c.fail(st.error());
    c.reply(QJsonObject{{c.positional[0], c.positional[1]}}, u"%1 = %2"_s.arg(c.positional[0], c.positional[1]));
    return Success;
}

const QStringList kBasketOptions = {u"member="_s, u"receipt="_s, u"total="_s, u"line="_s, u"payment="_s, u"basket="_s};

QList<Command> commands()
{
    QList<Command> list = {
        {u"init"_s, u"create a store (or update its identity)"_s, u"[--store-id ID] [--store-name NAME] [--time-zone TZ] [--currency IDR]"_s,
         {u"store-id="_s, u"store-name="_s, u"time-zone="_s, u"currency="_s}, true, true, cmdInit},
        {u"program validate"_s, u"check a program file and list every error"_s, u"FILE"_s, {}, false, false, cmdProgramValidate},
        {u"program load"_s, u"load a new program version"_s, u"FILE"_s, {}, true, true, cmdProgramLoad},
        {u"program show"_s, u"the program in force, in plain words"_s, QString(), {}, false, true, cmdProgramShow},
        {u"member enroll"_s, u"enroll a member"_s,
         u"--name NAME --phone PHONE [--email E] [--birth-date YYYY-MM-DD] [--card N] [--card-kind K] [--digital-card] [--referral CODE] [--consent-marketing] [--consent-whatsapp]"_s,
         {u"name="_s, u"phone="_s, u"email="_s, u"birth-date="_s, u"card="_s, u"card-kind="_s, u"digital-card"_s, u"referral="_s,
          u"consent-marketing"_s, u"consent-whatsapp"_s},
         true, true, cmdMemberEnroll},
        {u"member find"_s, u"find by card, phone or name (paged)"_s, u"QUERY [--page N] [--page-size N]"_s, {u"page="_s, u"page-size="_s}, false, true, cmdMemberFind},
        {u"member show"_s, u"a member's profile, cards, tier and balance"_s, u"MEMBER"_s, {}, false, true, cmdMemberShow},
        {u"member history"_s, u"a member's ledger events, newest first"_s, u"MEMBER [--page N]"_s, {u"page="_s, u"page-size="_s}, false, true, cmdMemberHistory},
        {u"member erase"_s, u"erase a member's personal data (UU PDP)"_s, u"MEMBER --reason TEXT"_s, {u"reason="_s}, true, true, cmdMemberErase},
        {u"member block"_s, u"block a membership (fraud hold, member's request)"_s, u"MEMBER --reason TEXT"_s, {u"reason="_s}, true, true, cmdMemberBlockOn},
        {u"member unblock"_s, u"make a blocked membership active again"_s, u"MEMBER --reason TEXT"_s, {u"reason="_s}, true, true, cmdMemberBlockOff},
        {u"card assign"_s, u"give a member a card"_s, u"MEMBER CARD [--kind barcode|qr|magstripe|contactless]"_s, {u"kind="_s}, true, true, cmdCardAssign},
        {u"card block"_s, u"block a lost card, optionally with its replacement"_s, u"CARD --reason TEXT [--replacement CARD]"_s,
         {u"reason="_s, u"replacement="_s}, true, true, cmdCardBlock},
        {u"quote"_s, u"what a basket would earn (nothing is saved)"_s, u"--member M (--total N | --line SKU:CAT:QTY:PRICE;... | --basket FILE) [--payment METHOD]"_s,
         kBasketOptions, false, true, cmdQuote},
        {u"earn"_s, u"earn points for a receipt (safe to retry)"_s, u"--member M --receipt ID (--total N | --line ... | --basket FILE) [--payment METHOD]"_s,
         kBasketOptions, true, true, cmdEarn},
        {u"redeem"_s, u"redeem a reward or pay with points"_s, u"--member M (--reward ID | --points N [--receipt ID])"_s,
         {u"member="_s, u"reward="_s, u"points="_s, u"receipt="_s}, true, true, cmdRedeem},
        {u"reverse"_s, u"refund a receipt, fully or partly; its points go back"_s, u"--receipt ID --reason TEXT [--amount N]"_s,
         {u"receipt="_s, u"amount="_s, u"reason="_s}, true, true, cmdReverse},
        {u"adjust"_s, u"manual points adjustment (audited)"_s, u"--member M --points N --reason TEXT"_s,
         {u"member="_s, u"points="_s, u"reason="_s}, true, true, cmdAdjust},
        {u"voucher issue"_s, u"issue a single-use voucher"_s, u"--type ID [--member M]"_s, {u"type="_s, u"member="_s}, true, true, cmdVoucherIssue},
        {u"voucher use"_s, u"use a voucher on a receipt"_s, u"CODE --receipt ID --total N"_s, {u"receipt="_s, u"total="_s}, true, true, cmdVoucherUse},
        {u"expire"_s, u"expire points past their date"_s, QString(), {}, true, true, cmdExpire},
        {u"tiers recompute"_s, u"re-evaluate every member's tier"_s, QString(), {}, true, true, cmdTiers},
        {u"report"_s, u"points, receipts and members for a period"_s, u"[--from YYYY-MM-DD] [--to YYYY-MM-DD]"_s,
         {u"from="_s, u"to="_s}, false, true, cmdReport},
        {u"export"_s, u"CSV export"_s, u"members|events [--personal-data] [--from D] [--to D] [--out FILE]"_s,
         {u"personal-data"_s, u"from="_s, u"to="_s, u"out="_s}, false, true, cmdExport},
        {u"import"_s, u"import members, cards and opening balances from CSV (all or nothing)"_s, u"FILE.csv"_s, {}, true, true, cmdImport},
        {u"verify"_s, u"check every hash chain and rebuild balances to compare"_s, QString(), {}, false, true, cmdVerify},
        {u"integrity"_s, u"SQLite PRAGMA integrity_check and foreign keys"_s, QString(), {}, false, true, cmdIntegrity},
        {u"upgrade"_s, u"migrate the store to this version's schema (what the package upgrade runs)"_s, QString(), {}, true, true, cmdUpgrade},
        {u"sync status"_s, u"the hub, events waiting to be sent, the redemption lease"_s, QString(), {}, false, true, cmdSyncStatus},
        {u"backup"_s, u"consistent online backup to a file"_s, u"FILE"_s, {}, false, true, cmdBackup},
        {u"restore"_s, u"restore a backup (the store must not be open)"_s, u"FILE"_s, {}, true, false, cmdRestore},
        {u"alerts"_s, u"fraud and conflict alerts; 'alerts ack ID' acknowledges"_s, u"[--all] | ack ID"_s, {u"all"_s}, false, true, cmdAlerts},
        {u"audit"_s, u"who changed what"_s, u"[--limit N]"_s, {u"limit="_s}, false, true, cmdAudit},
        {u"setting"_s, u"read or change a setting (store_name, time_zone, language, hub_url)"_s, u"KEY [VALUE]"_s, {}, true, true, cmdSetting},
    };
    list += demoCommands();
    return list;
}

QString globalHelp(const QList<Command> &list)
{
    QString t = u"setiactl — Setia loyalty store administration (version %1)\n\n"
                "usage: setiactl [--db PATH] [--key PATH] [--json] [--actor NAME] COMMAND ...\n\n"
                "  --db PATH     the store (default: $SETIA_DB, else ./setia.db)\n"
                "  --key PATH    the personal-data key file (default: the store path + .key)\n"
                "  --json        machine-readable output\n"
                "  --actor NAME  who is acting, for the audit log (default: $USER)\n\ncommands:\n"_s.arg(QLatin1StringView(SETIA_VERSION));
    for (const auto &c : list)
        t += u"  %1 %2\n"_s.arg(c.path.leftJustified(18), c.summary);
    t += u"\nexit codes: 0 done, 1 refused by a rule, 2 bad input, 3 store problem, 4 check failed\n"_s;
    return t;
}

} // namespace

int run(const QStringList &argsIn, QTextStream &out, QTextStream &err)
{
    const QList<Command> list = commands();
    Context c{out, err};
    const auto env = QProcessEnvironment::systemEnvironment();
    c.dbPath = env.value(u"SETIA_DB"_s, u"setia.db"_s);
    c.actor = env.value(u"USER"_s, u"setiactl"_s);
    QStringList args;
    bool help = false;
    // Global options may stand anywhere.
    for (qsizetype i = 0; i < argsIn.size(); ++i) {
        const QString &a = argsIn[i];
        auto takeValue = [&](const QString &name, QString &target) {
            if (a == name) {
                if (i + 1 >= argsIn.size())
                    return false;
                target = argsIn[++i];
                return true;
            }
            if (a.startsWith(name + u'=')) {
                target = a.mid(name.size() + 1);
                return true;
            }
            return false;
        };
        if (takeValue(u"--db"_s, c.dbPath) || takeValue(u"--key"_s, c.keyPath) || takeValue(u"--actor"_s, c.actor))
            continue;
        if (a == u"--db"_s || a == u"--key"_s || a == u"--actor"_s) {
            err << "setiactl: " << a << " needs a value" << Qt::endl;
            return BadInput;
        }
        if (a == u"--json"_s)
            c.json = true;
        else if (a == u"--help"_s || a == u"-h"_s)
            help = true;
        else if (a == u"--version"_s) {
            out << "setiactl " << SETIA_VERSION << Qt::endl;
            return Success;
        } else
            args << a;
    }
    if (c.keyPath.isEmpty())
        c.keyPath = c.dbPath + u".key"_s;

    // The longest command path that matches the leading words.
    const Command *cmd = nullptr;
    qsizetype words = 0;
    for (const auto &candidate : list) {
        const QStringList path = candidate.path.split(u' ');
        if (path.size() <= args.size() && args.mid(0, path.size()) == path && path.size() > words) {
            cmd = &candidate;
            words = path.size();
        }
    }
    if (!cmd) {
        if (help || args.isEmpty()) {
            out << globalHelp(list);
            return help ? Success : BadInput;
        }
        err << "setiactl: unknown command '" << args.join(u' ') << "'; see setiactl --help" << Qt::endl;
        return BadInput;
    }
    c.command = cmd;
    if (help) {
        out << "usage: setiactl " << cmd->path << ' ' << cmd->usage << "\n  " << cmd->summary << '\n';
        return Success;
    }
    for (qsizetype i = words; i < args.size(); ++i) {
        const QString &a = args[i];
        if (!a.startsWith(u"--"_s) || a == u"--"_s) {
            c.positional << a;
            continue;
        }
        QString name = a.mid(2), value;
        const qsizetype eq = name.indexOf(u'=');
        const bool inlineValue = eq >= 0;
        if (inlineValue) {
            value = name.mid(eq + 1);
            name = name.left(eq);
        }
        if (cmd->options.contains(name + u'=')) {
            if (!inlineValue) {
                if (i + 1 >= args.size())
                    return c.usage(u"--%1 needs a value"_s.arg(name));
                value = args[++i];
            }
            if (name == u"line"_s && c.values.contains(name))
                value = c.values.value(name) + u';' + value; // --line may repeat
            c.values.insert(name, value);
        } else if (cmd->options.contains(name) && !inlineValue) {
            c.flags.insert(name, true);
        } else {
            return c.usage(u"unknown option --%1"_s.arg(name));
        }
    }
    return cmd->handler(c);
}

int run(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    const int rc = run(args, out, err);
    out.flush();
    err.flush();
    return rc;
}

} // namespace setia::cli
