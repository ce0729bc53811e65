#include "money.h"

using namespace Qt::StringLiterals;

namespace setia {

namespace {
struct CurrencyInfo {
    const char16_t *code;
    int exponent;
    const char16_t *symbol;
};
constexpr CurrencyInfo kCurrencies[] = {
    {u"IDR", 0, u"Rp"}, {u"MYR", 2, u"RM"}, {u"SGD", 2, u"S$"}, {u"USD", 2, u"$"},
    {u"EUR", 2, u"€"},  {u"JPY", 0, u"¥"},  {u"THB", 2, u"฿"},  {u"PHP", 2, u"₱"},
    {u"VND", 0, u"₫"},  {u"AUD", 2, u"A$"},
};
const CurrencyInfo *find(const QString &code)
{
    for (const auto &c : kCurrencies)
        if (code == QStringView(c.code))
            return &c;
    return nullptr;
}
} // namespace

int currencyExponent(const QString &currency)
{
    const auto *c = find(currency);
    return c ? c->exponent : 2;
}

bool isKnownCurrency(const QString &currency) { return find(currency) != nullptr; }

QString currencySymbol(const QString &currency)
{
    const auto *c = find(currency);
    return c ? QString::fromUtf16(c->symbol) : currency;
}

QString formatMoney(const Money &money, const QLocale &locale)
{
    const int exp = currencyExponent(money.currency);
    const QString symbol = currencySymbol(money.currency);
    if (exp == 0)
        return locale.toCurrencyString(qlonglong(money.minor), symbol);
    qint64 scale = 1;
    for (int i = 0; i < exp; ++i)
        scale *= 10;
    const bool negative = money.minor < 0;
    const qint64 abs = negative ? -money.minor : money.minor;
    // Format the whole part with grouping, then append the fraction with the locale's decimal point.
    QString whole = locale.toString(qlonglong(abs / scale));
    QString frac = u"%1"_s.arg(abs % scale, exp, 10, QLatin1Char('0'));
    QString number = whole + locale.decimalPoint() + frac;
    QString out = locale.toCurrencyString(qlonglong(0), symbol);
    out.replace(locale.toString(0), number);
    return negative ? locale.negativeSign() + out : out;
}

} // namespace setia
