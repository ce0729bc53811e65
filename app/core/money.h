#pragma once
// Money is an integer count of minor units with an ISO 4217 currency code. Never floating point.
#include <QLocale>
#include <QString>

namespace setia {

struct Money {
    qint64 minor = 0;
    QString currency = QStringLiteral("IDR");
    friend bool operator==(const Money &, const Money &) = default;
};

// Minor-unit exponent Setia uses for a currency. IDR is 0: receipts, POS systems and cash in
// Indonesia count whole rupiah (ISO 4217 lists 2, but no POS sends sen). Unknown codes: 2.
int currencyExponent(const QString &currency);
bool isKnownCurrency(const QString &currency);
// "Rp125.000" in id_ID, "Rp125,000" in en_US: QLocale grouping, the currency's own symbol.
QString formatMoney(const Money &money, const QLocale &locale);
QString currencySymbol(const QString &currency);

} // namespace setia
