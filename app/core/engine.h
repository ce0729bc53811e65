#pragma once
// The rules engine: pure functions from (program, basket, what we know of the member, time)
// to points with an explanation. No I/O; the services gather the facts and write the events.
#include "program.h"

#include <QDate>
#include <QTimeZone>
#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QString>

namespace setia {

// 128-bit intermediate for points arithmetic (amount × rate × factor cannot overflow).
__extension__ typedef __int128 Int128;

struct BasketLine {
    QString sku, category, name;
    qint64 quantity = 1;
    qint64 unitPrice = 0; // minor units
    qint64 amount() const { return quantity * unitPrice; }
};

struct Basket {
    QString receiptId;
    QList<BasketLine> lines; // may be empty: then the total alone earns
    qint64 total = 0;        // what the customer paid, minor units, after discounts
    QString currency = QStringLiteral("IDR");
    QString paymentMethod;   // "cash", "qris", "debit", "credit", "ewallet", ...
};

// Checks a basket a POS or cashier sent; the error names the line and the field.
Status validateBasket(const Basket &basket, const Program &program);
QJsonObject basketToJson(const Basket &basket);
class CanonicalWriter;
// basketToJson() written straight as canonical JSON (the earn hot path); keep the two in step
// (tst_primitives compares them). Without receiptId for the earn event's payload.
void writeBasketJson(CanonicalWriter &w, const Basket &basket, bool withReceiptId);
Result<Basket> basketFromJson(const QJsonObject &json);

// One line of an explanation, in the order a receipt prints it. kind is one of:
// base, multiplier, tier, cap, excluded, min_spend, bonus.
struct ExplanationLine {
    QString kind, id, label;
    qint64 points = 0;
    qint64 amount = 0; // the amount the line was computed on, minor units (0 when not relevant)
};
QJsonArray explanationToJson(const QList<ExplanationLine> &lines);
// explanationToJson() written straight as canonical JSON.
void writeExplanationJson(CanonicalWriter &w, const QList<ExplanationLine> &lines);
QList<ExplanationLine> explanationFromJson(const QJsonArray &json);

struct BonusAward {
    QString kind;     // birthday, anniversary, mission, referral_referrer, referral_referee
    QString id;       // mission id, or the year for birthday/anniversary
    QString memberId; // who gets it (the referrer for referral_referrer)
    QString label;
    qint64 points = 0;
    QString badge;
};

struct MissionProgress {
    qint64 progress = 0;             // visits or spend within the window, before this receipt
    bool completedInWindow = false;  // already awarded within the window
};

// What the engine needs to know about the member; gathered by the service.
struct MemberFacts {
    QString memberId;
    QString tierId;
    QDate birthDate;                  // invalid when unknown
    qint64 enrolledAtMs = 0;
    qint64 pointsEarnedToday = 0;     // sale points this store day, before this receipt
    int birthdayAwardedYear = 0;      // last year a birthday bonus was given (0: never)
    int anniversaryAwardedYear = 0;
    QString referrerId;               // empty when not referred
    bool firstPurchase = false;       // no earn before this one
    QHash<QString, MissionProgress> missions;
};

struct EarnComputation {
    qint64 eligibleAmount = 0;
    qint64 basePoints = 0;
    qint64 points = 0; // the sale's points after caps (bonuses not included)
    QList<ExplanationLine> lines;
    QList<BonusAward> bonuses;
    qint64 totalPoints() const;
};

EarnComputation computeEarn(const Program &program, const Basket &basket, const MemberFacts &facts, qint64 nowMs);

// Rounds numerator/denominator by the program's rule; exact integer arithmetic.
qint64 roundDiv(Int128 numerator, Int128 denominator, Rounding rounding);

// A time zone by IANA id, cached per thread: building a QTimeZone reads and parses the zone
// file, far too slow for every earn.
const QTimeZone &timeZone(const QString &ianaId);
// The store's local date and time for a UTC instant.
QDateTime storeTime(qint64 utcMs, const QString &timeZone);
// [start, end) of the store day containing utcMs, in UTC milliseconds.
std::pair<qint64, qint64> storeDayBounds(qint64 utcMs, const QString &timeZone);
// Whether a birthday falls in the period (day or month) of the store-local date.
bool isBirthdayPeriod(const QDate &birth, const QDate &today, const QString &period);

} // namespace setia
