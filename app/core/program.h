#pragma once
// The loyalty program is data: a versioned JSON document (docs/program-format.md,
// docs/program.schema.json). parseProgram() validates it and names the field of every error.
#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTime>
#include <optional>

namespace setia {

enum class Rounding { Floor, Round, Ceil };

struct Multiplier {
    QString id, label;
    qint64 factorMilli = 1000; // 2.5x = 2500
    // Line scope: when either list is non-empty the multiplier applies to matching lines only.
    QStringList categories, skus;
    // Conditions; an empty condition always holds. Days: 1 = Monday ... 7 = Sunday (ISO).
    QList<int> days;
    std::optional<QTime> from, to; // store time, [from, to)
    QStringList paymentMethods;
    QStringList tiers;
    std::optional<qint64> validFromMs, validToMs;
    bool lineScoped() const { return !categories.isEmpty() || !skus.isEmpty(); }
};

struct Tier {
    QString id, name;
    qint64 threshold = 0;      // spend (minor units) or points within the window
    qint64 multiplierMilli = 1000;
    QStringList benefits;
};

struct Reward {
    QString id, name;
    qint64 cost = 0;                 // points
    std::optional<qint64> stock;     // none: unlimited
    std::optional<qint64> validFromMs, validToMs;
    QString voucherId;               // when set, redeeming issues this voucher
};

struct VoucherType {
    QString id, name;
    qint64 discount = 0;  // minor units
    qint64 minSpend = 0;  // minor units
    int validDays = 30;
};

struct Mission {
    QString id, name, badge;
    QString kind;            // "visits" or "spend"
    qint64 target = 0;       // visits, or spend in minor units
    int windowDays = 30;
    qint64 bonusPoints = 0;
};

struct Program {
    int version = 0;
    QString name;
    QString currency = QStringLiteral("IDR");
    QString timeZone = QStringLiteral("Asia/Jakarta");
    qint64 effectiveFromMs = 0;

    // earn
    qint64 perAmount = 10000; // minor units for one block
    qint64 pointsPerBlock = 1;
    Rounding rounding = Rounding::Floor;
    qint64 minSpend = 0;
    QStringList excludedCategories;
    std::optional<qint64> maxPointsPerReceipt;
    std::optional<qint64> maxPointsPerMemberPerDay;

    QList<Multiplier> multipliers;

    QString tierBasis = QStringLiteral("spend"); // "spend" or "points"
    int tierWindowDays = 365;
    QList<Tier> tiers;

    QList<Reward> rewards;
    QList<VoucherType> vouchers;
    QList<Mission> missions;

    qint64 birthdayBonus = 0;
    QString birthdayPeriod = QStringLiteral("month"); // "day" or "month"
    qint64 anniversaryBonus = 0;
    qint64 referrerBonus = 0, refereeBonus = 0;
    qint64 referralMinSpend = 0;

    int expiryDays = 0; // 0: points never expire

    qint64 paymentValuePerPoint = 0; // minor units one point pays; 0: points cannot pay
    qint64 paymentMinPoints = 0;
    bool allowNegativeBalance = false;

    std::optional<int> maxRedemptionsPerMemberPerDay;
    std::optional<qint64> maxRedeemPointsPerMemberPerDay;
    qint64 adjustmentAlertPoints = 0;
    qint64 redemptionAlertPoints = 0; // one redemption of at least this many points raises an alert (0: off)
    int repeatScanCount = 0;     // this many scans of one card ...
    int repeatScanSeconds = 60;  // ... within this many seconds raise an alert (0 count: off)

    QJsonObject source; // the document as loaded

    const Tier *tier(const QString &id) const;
    const Reward *reward(const QString &id) const;
    const VoucherType *voucherType(const QString &id) const;
    // The tier a member reaches with this window total: the highest threshold not above it.
    const Tier *tierFor(qint64 windowTotal) const;
};

struct ProgramErrors {
    QStringList errors; // "tiers[1].threshold: must be greater than tiers[0].threshold (500000)"
};

// Validates and parses. On failure the Error message joins every problem, one per line.
Result<Program> parseProgram(const QByteArray &json);
// Every problem found, for tools that list them.
QStringList validateProgram(const QByteArray &json);

} // namespace setia
