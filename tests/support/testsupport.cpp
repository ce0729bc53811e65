#include "testsupport.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

using namespace Qt::StringLiterals;

namespace setia::test {

qint64 at(const QString &iso)
{
    const QDateTime dt = QDateTime::fromString(iso, Qt::ISODateWithMs);
    Q_ASSERT_X(dt.isValid(), "setia::test::at", "invalid date-time");
    return dt.toMSecsSinceEpoch();
}

QJsonObject baseProgram()
{
    return QJsonObject{
        {u"format"_s, u"setia.program/1"_s},
        {u"version"_s, 1},
        {u"name"_s, u"Test program"_s},
        {u"currency"_s, u"IDR"_s},
        {u"timeZone"_s, u"Asia/Jakarta"_s},
        {u"effectiveFrom"_s, u"2026-01-01T00:00:00+07:00"_s},
        {u"earn"_s, QJsonObject{{u"perAmount"_s, 10000}, {u"points"_s, 1}, {u"rounding"_s, u"floor"_s}}},
    };
}

QByteArray toJson(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

QByteArray demoProgram()
{
    QFile f(QString::fromUtf8(SETIA_DEMO_PROGRAM_PATH));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

TempStore::TempStore(const QByteArray &program, qint64 startMs, const QString &timeZone, quint64 seed)
    : m_clock(startMs), m_random(seed)
{
    if (!m_dir.isValid()) {
        m_error = u"no temporary folder"_s;
        return;
    }
    if (!reopen())
        return;
    if (auto st = m_loyalty->initialize(u"test-store"_s, u"Test Store"_s, timeZone, u"IDR"_s); !st) {
        m_error = st.error().message;
        return;
    }
    if (!program.isEmpty()) {
        // Load "now", whatever effectiveFrom says, by loading at a time after it.
        auto v = m_loyalty->loadProgram(program, u"test"_s);
        if (!v)
            m_error = v.error().message;
    }
}

TempStore::~TempStore() { close(); }

void TempStore::close()
{
    m_loyalty.reset();
    m_store.reset();
}

bool TempStore::reopen()
{
    close();
    auto s = Store::open(dbPath(), Store::Options{Store::Mode::ReadWrite, true});
    if (!s) {
        m_error = s.error().message;
        return false;
    }
    m_store = std::move(s).value();
    auto keys = KeyRing::open(keyPath(), true);
    if (!keys) {
        m_error = keys.error().message;
        return false;
    }
    m_loyalty = std::make_unique<Loyalty>(*m_store, std::move(keys).value(), m_clock, m_random);
    return true;
}

QString TempStore::enroll(const QString &name, const QString &phone, const QDate &birth, const QString &referral, const QString &card)
{
    EnrollRequest r;
    r.name = name;
    r.phone = phone;
    r.birthDate = birth;
    r.referralCode = referral;
    r.cardNumber = card;
    r.actor = u"test"_s;
    auto m = m_loyalty->enroll(r);
    if (!m) {
        qWarning("enroll failed: %s", qPrintable(m.error().message));
        return {};
    }
    return m->memberId;
}

Basket TempStore::basket(const QString &receipt, qint64 total, const QString &payment)
{
    Basket b;
    b.receiptId = receipt;
    b.total = total;
    b.paymentMethod = payment;
    return b;
}

qint64 sumOfEvents(Store &store, const QString &memberId)
{
    QSqlQuery q(store.writer());
    q.prepare(u"SELECT COALESCE(SUM(points),0) FROM events WHERE member_id = ?"_s);
    q.addBindValue(memberId);
    if (q.exec() && q.next())
        return q.value(0).toLongLong();
    return -1;
}

bool nameIndexAsBeforeSchema6(QSqlDatabase db, QString *error)
{
    QSqlQuery q(db);
    for (const QString &sql :
         {u"CREATE TABLE member_name_index(token TEXT NOT NULL, member_id TEXT NOT NULL REFERENCES members(member_id),"
          " PRIMARY KEY(token, member_id)) WITHOUT ROWID"_s,
          u"CREATE INDEX member_name_index_member ON member_name_index(member_id)"_s,
          u"INSERT INTO member_name_index(token, member_id) SELECT token || '0f1e2d3c4b5a6978', member_id FROM member_names"_s,
          u"DROP TABLE member_names"_s, u"DROP TABLE IF EXISTS member_names_staged"_s}) {
        if (!q.exec(sql)) {
            if (error)
                *error = q.lastError().text() + u": "_s + sql;
            return false;
        }
    }
    return true;
}

} // namespace setia::test
