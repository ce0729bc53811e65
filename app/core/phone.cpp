#include "phone.h"

using namespace Qt::StringLiterals;

namespace setia {

Result<QString> normalizePhone(const QString &input, const QString &defaultCountryCode)
{
    const QString trimmed = input.trimmed();
    if (trimmed.isEmpty())
        return makeError(u"invalid_phone"_s, u"The phone number is empty."_s);
    QString digits;
    bool plus = false;
    for (qsizetype i = 0; i < trimmed.size(); ++i) {
        const QChar c = trimmed.at(i);
        if (c.isDigit() && c.unicode() < 128)
            digits += c;
        else if (c == u'+' && digits.isEmpty() && !plus)
            plus = true;
        else if (c == u' ' || c == u'-' || c == u'.' || c == u'(' || c == u')' || c == u'/')
            continue;
        else
            return makeError(u"invalid_phone"_s,
                             u"The phone number has a character that is not a digit: '%1'."_s.arg(c));
    }
    QString e164;
    if (plus) {
        e164 = digits;
    } else if (digits.startsWith(u"00"_s)) { // international prefix
        e164 = digits.mid(2);
    } else if (digits.startsWith(u'0')) { // national trunk prefix: 0812... -> 62812...
        e164 = defaultCountryCode + digits.mid(1);
    } else if (digits.startsWith(defaultCountryCode) && digits.size() >= defaultCountryCode.size() + 8) {
        e164 = digits;
    } else if (defaultCountryCode == u"62"_s && digits.startsWith(u'8')) { // "812..." typed without 0
        e164 = defaultCountryCode + digits;
    } else {
        e164 = defaultCountryCode + digits;
    }
    if (e164.startsWith(u'0'))
        return makeError(u"invalid_phone"_s, u"The country code cannot start with 0."_s);
    if (e164.size() < 8 || e164.size() > 15)
        return makeError(u"invalid_phone"_s,
                         u"The phone number has %1 digits; a full number has 8 to 15 with the country code."_s
                             .arg(e164.size()));
    if (e164.startsWith(u"62"_s)) {
        // Indonesia: mobile numbers are 8xx with 9 to 12 digits after 62; fixed lines start 2–7.
        const QString national = e164.mid(2);
        if (national.size() < 7 || national.size() > 12)
            return makeError(u"invalid_phone"_s,
                             u"An Indonesian number has 7 to 12 digits after +62; this one has %1."_s.arg(national.size()));
        if (national.startsWith(u'8') && national.size() < 9)
            return makeError(u"invalid_phone"_s, u"An Indonesian mobile number (08…) has at least 10 digits."_s);
    }
    return u"+"_s + e164;
}

QString maskPhone(const QString &e164)
{
    if (e164.size() < 8)
        return u"****"_s;
    return e164.left(6) + QString(e164.size() - 10 > 0 ? e164.size() - 10 : 2, u'*') + e164.right(4);
}

} // namespace setia
