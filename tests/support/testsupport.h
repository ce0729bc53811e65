#pragma once
// Fixtures for Setia's tests: a temporary store with a fixed clock and seeded randomness,
// and a program builder whose defaults every test can see and override.
#include "core/clock.h"
#include "core/loyalty.h"
#include "core/store.h"

#include <QJsonObject>
#include <QSqlDatabase>
#include <QTemporaryDir>
#include <memory>

// The expression must fail with the given error code.
#define QCOMPARE_ERROR(expr, errorCode)                                                                               \
    do {                                                                                                               \
        const auto r_ = (expr);                                                                                        \
        QVERIFY2(!r_.ok(), "expected the error " errorCode);                                                         \
        QCOMPARE(r_.error().code, QString::fromLatin1(errorCode));                                                     \
    } while (false)

// Declares var = expr and requires it to have succeeded (the message shows the error otherwise).
#define REQUIRE_OK(var, expr)                                                                                          \
    auto var = (expr);                                                                                                 \
    QVERIFY2(var.ok(), var.ok() ? "" : qPrintable(var.error().code + QStringLiteral(": ") + var.error().message))

namespace setia::test {

// UTC milliseconds of an ISO 8601 date-time with offset ("2026-03-14T10:00:00+07:00").
qint64 at(const QString &iso);

// A small program, every rule switched off unless a test sets it:
// IDR, Asia/Jakarta, 1 point per Rp10.000, floor, no minimum, no caps, no tiers.
QJsonObject baseProgram();
QByteArray toJson(const QJsonObject &o);
// The program shipped for the demo (resources/programs/demo-program.json).
QByteArray demoProgram();

class TempStore {
public:
    // A new store in a temporary folder, initialised for store "test-store" in timeZone,
    // with the clock at startMs. Loads program when given.
    explicit TempStore(const QByteArray &program = {}, qint64 startMs = at(QStringLiteral("2026-03-02T10:00:00+07:00")),
                       const QString &timeZone = QStringLiteral("Asia/Jakarta"), quint64 seed = 42);
    ~TempStore();

    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }
    QString dir() const { return m_dir.path(); }
    QString dbPath() const { return m_dir.filePath(QStringLiteral("setia.db")); }
    QString keyPath() const { return m_dir.filePath(QStringLiteral("setia.db.key")); }

    Loyalty &loyalty() { return *m_loyalty; }
    Store &store() { return *m_store; }
    ManualClock &clock() { return m_clock; }
    Random &random() { return m_random; }

    // Closes and reopens the store (as a restart would).
    bool reopen();
    void close();

    // Helpers that fail the calling test (QVERIFY-style) by returning empty on error.
    QString enroll(const QString &name, const QString &phone, const QDate &birth = {}, const QString &referral = {},
                   const QString &card = {});
    Basket basket(const QString &receipt, qint64 total, const QString &payment = QStringLiteral("cash"));

private:
    QTemporaryDir m_dir;
    ManualClock m_clock;
    SeededRandom m_random;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<Loyalty> m_loyalty;
    QString m_error;
};

// Sum of a member's ledger events, read straight from the events table.
qint64 sumOfEvents(Store &store, const QString &memberId);

// Turns a current store's name index back into the one schemas 1-5 had (member_name_index,
// 32 hex digits a token, a foreign key and an index by member), with the same rows: a test
// that makes an older store out of a current one (user_version set back) calls this first.
// Each token gets 16 more hex digits, as a full HMAC had; migration 6 keeps the first 16. Schema
// 7's staged names (member_names_staged) go too.
bool nameIndexAsBeforeSchema6(QSqlDatabase db, QString *error = nullptr);

} // namespace setia::test
