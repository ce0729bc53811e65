#pragma once
// Phone numbers are stored in E.164 (+628123456789). Input is what a cashier types or a POS
// sends: "0812-3456-7890", "+62 812 3456 7890", "62812...", "(021) 555-1234".
#include "result.h"

#include <QString>

namespace setia {

// defaultCountryCode is the calling code without '+' used for national numbers ("62").
Result<QString> normalizePhone(const QString &input, const QString &defaultCountryCode = QStringLiteral("62"));
// "+62 812-****-7890": enough for a member to recognise, not enough for someone behind them.
QString maskPhone(const QString &e164);

} // namespace setia
