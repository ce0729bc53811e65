#include "loyalty_p.h"

#include "csv.h"
#include "phone.h"

#include <QDate>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

using namespace Qt::StringLiterals;

namespace setia {

ImportReport Loyalty::importMembers(const QByteArray &csv, const QString &actor)
{
    ImportReport report;
    if (auto st = d->requireWritable(); !st) {
        report.errors << st.error().message;
        return report;
    }
    // During a first pull the phone index is set aside (docs/storage.md): checking each row's
    // phone would read the whole members table once a row.
    if (!d->phoneIndexed()) {
        report.errors << u"This terminal is still being prepared (its first sync with the hub is under way); import the members once it is done."_s;
        return report;
    }
    if (csv.size() > 256 * 1024 * 1024) {
        report.errors << u"The file is larger than 256 MiB; split it."_s;
        return report;
    }
    auto parsed = parseCsv(csv);
    if (!parsed) {
        report.errors << parsed.error().message;
        return report;
    }
    const QList<CsvRow> &rows = parsed.value();
    if (rows.isEmpty()) {
        report.errors << u"line 1: the file is empty; the first line must name the columns"_s;
        return report;
    }
    const QStringList required = {u"name"_s, u"phone"_s};
    const QStringList known = {u"name"_s, u"phone"_s, u"email"_s, u"birth_date"_s, u"card_number"_s,
                               u"card_kind"_s, u"opening_balance"_s, u"marketing_consent"_s, u"whatsapp_consent"_s};
    QHash<QString, int> col;
    for (qsizetype i = 0; i < rows.first().fields.size(); ++i) {
        const QString h = rows.first().fields[i].trimmed().toLower();
        if (!known.contains(h)) {
            report.errors << u"line 1: unknown column '%1' (known: %2)"_s.arg(h, known.join(u", "_s));
            continue;
        }
        if (col.contains(h)) { // ambiguous: which of the two holds the data?
            report.errors << u"line 1: the column '%1' appears twice"_s.arg(h);
            continue;
        }
        col.insert(h, int(i));
    }
    for (const QString &r : required)
        if (!col.contains(r))
            report.errors << u"line 1: the column '%1' is required"_s.arg(r);
    if (!report.errors.isEmpty())
        return report;

    struct Item {
        EnrollRequest req;
        qint64 opening = 0;
    };
    QList<Item> items;
    QSet<QString> phones, cards;
    auto cell = [&](const CsvRow &row, const QString &name) {
        const int i = col.value(name, -1);
        return i >= 0 && i < row.fields.size() ? row.fields[i].trimmed() : QString();
    };
    auto yes = [](const QString &v) {
        const QString l = v.toLower();
        return l == u"yes"_s || l == u"ya"_s || l == u"y"_s || l == u"1"_s || l == u"true"_s;
    };
    // Validate every row first: nothing is imported when any row is wrong.
    for (qsizetype i = 1; i < rows.size(); ++i) {
        const CsvRow &row = rows[i];
        const QString at = u"line %1: "_s.arg(row.line);
        if (row.fields.size() != rows.first().fields.size()) {
            report.errors << at + u"has %1 fields, the header has %2"_s.arg(row.fields.size()).arg(rows.first().fields.size());
            continue;
        }
        Item it;
        it.req.name = cell(row, u"name"_s).simplified();
        it.req.actor = actor;
        if (it.req.name.isEmpty())
            report.errors << at + u"name: is empty"_s;
        auto phone = normalizePhone(cell(row, u"phone"_s));
        if (!phone) {
            report.errors << at + u"phone: "_s + phone.error().message;
        } else {
            it.req.phone = phone.value();
            if (phones.contains(phone.value()))
                report.errors << at + u"phone: %1 appears twice in the file"_s.arg(maskPhone(phone.value()));
            phones.insert(phone.value());
            Stmt q(d->store, u"SELECT 1 FROM members WHERE phone_index = ?"_s);
            q.addBindValue(d->keys.blindIndex(u"phone"_s, phone.value()));
            if (q.exec() && q.next())
                report.errors << at + u"phone: %1 is already a member here"_s.arg(maskPhone(phone.value()));
        }
        it.req.email = cell(row, u"email"_s);
        const QString bd = cell(row, u"birth_date"_s);
        if (!bd.isEmpty()) {
            it.req.birthDate = QDate::fromString(bd, Qt::ISODate);
            if (!it.req.birthDate.isValid())
                report.errors << at + u"birth_date: '%1' is not a date YYYY-MM-DD"_s.arg(bd);
        }
        it.req.cardNumber = cell(row, u"card_number"_s);
        const QString kind = cell(row, u"card_kind"_s);
        it.req.cardKind = kind.isEmpty() ? u"barcode"_s : kind;
        if (!QStringList{u"barcode"_s, u"qr"_s, u"magstripe"_s, u"contactless"_s}.contains(it.req.cardKind))
            report.errors << at + u"card_kind: must be barcode, qr, magstripe or contactless"_s;
        if (!it.req.cardNumber.isEmpty()) {
            if (cards.contains(it.req.cardNumber))
                report.errors << at + u"card_number: %1 appears twice in the file"_s.arg(it.req.cardNumber);
            cards.insert(it.req.cardNumber);
        }
        const QString ob = cell(row, u"opening_balance"_s);
        if (!ob.isEmpty()) {
            bool ok = false;
            it.opening = ob.toLongLong(&ok);
            if (!ok || it.opening < 0 || it.opening > 1'000'000'000LL)
                report.errors << at + u"opening_balance: '%1' is not a whole number of points from 0"_s.arg(ob);
        }
        it.req.consent.marketing = yes(cell(row, u"marketing_consent"_s));
        it.req.consent.whatsapp = yes(cell(row, u"whatsapp_consent"_s));
        items << it;
        if (report.errors.size() >= 200) {
            report.errors << u"(more errors not shown)"_s;
            break;
        }
    }
    if (!report.errors.isEmpty())
        return report;

    // Opening balances expire like points earned today.
    const auto program = d->programAt(d->now());
    const qint64 expiresAt = program && program->expiryDays > 0 ? d->now() + qint64(program->expiryDays) * 86'400'000LL : 0;
    // All rows in one transaction; each enroll() nests inside it as a savepoint.
    WriteTransaction tx(d->store);
    if (!tx.begun()) {
        report.errors << tx.error();
        return report;
    }
    for (qsizetype i = 0; i < items.size(); ++i) {
        auto m = enroll(items[i].req);
        if (!m) {
            report.errors << u"line %1: %2"_s.arg(rows[i + 1].line).arg(m.error().message);
            report.members = report.cards = 0;
            report.openingPoints = 0;
            return report; // the transaction rolls back: nothing half-imported
        }
        ++report.members;
        if (!items[i].req.cardNumber.isEmpty())
            ++report.cards;
        if (items[i].opening > 0) {
            LedgerEvent e;
            e.type = EventType::OpeningBalance;
            e.memberId = m->memberId;
            e.points = items[i].opening;
            e.actor = actor;
            e.payload = QJsonObject{{u"source"_s, u"import"_s}};
            if (auto ok = d->append(e, expiresAt); !ok) {
                    report.errors << u"line %1: %2"_s.arg(rows[i + 1].line).arg(ok.error().message);
                report.members = report.cards = 0;
                report.openingPoints = 0;
                return report;
            }
            report.openingPoints += items[i].opening;
        }
    }
    if (auto st = d->audit(actor, u"import"_s, QString(), u"%1 members, %2 points"_s.arg(report.members).arg(report.openingPoints)); !st) {
        report.errors << st.error().message;
        return report;
    }
    if (auto st = tx.commit(); !st) {
        report.errors << st.error().message;
        report.members = report.cards = 0;
        report.openingPoints = 0;
    }
    return report;
}

} // namespace setia
