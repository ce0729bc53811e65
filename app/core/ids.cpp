#include "ids.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace setia {

QString uuidv7(qint64 unixMs, Random &random)
{
    unsigned char b[16];
    random.fill(b, sizeof b);
    const quint64 ms = quint64(unixMs) & 0xFFFFFFFFFFFFULL;
    for (int i = 0; i < 6; ++i)
        b[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
    b[6] = static_cast<unsigned char>(0x70 | (b[6] & 0x0F));
    b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3F));
    static const char hex[] = "0123456789abcdef";
    QString out;
    out.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out += u'-';
        out += QLatin1Char(hex[b[i] >> 4]);
        out += QLatin1Char(hex[b[i] & 0xF]);
    }
    return out;
}

bool isUuid(const QString &text)
{
    static const QRegularExpression re(
        u"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"_s);
    return re.match(text).hasMatch();
}

qint64 uuidv7Millis(const QString &uuid)
{
    if (!isUuid(uuid) || uuid.at(14) != u'7')
        return -1;
    QString hex = uuid.left(8) + uuid.mid(9, 4);
    bool ok = false;
    const qint64 ms = hex.toLongLong(&ok, 16);
    return ok ? ms : -1;
}

qint64 HybridLogicalClock::now()
{
    const qint64 wall = make(m_clock.nowMs(), 0);
    m_last = wall > m_last ? wall : m_last + 1;
    return m_last;
}

void HybridLogicalClock::observe(qint64 hlc)
{
    if (hlc > m_last)
        m_last = hlc;
}

int gs1CheckDigit(const QString &digits)
{
    int sum = 0;
    const int n = int(digits.size());
    for (int i = 0; i < n; ++i) {
        const int d = digits.at(n - 1 - i).digitValue();
        sum += (i % 2 == 0) ? 3 * d : d;
    }
    return (10 - sum % 10) % 10;
}

bool isValidEan13(const QString &code)
{
    if (code.size() != 13)
        return false;
    for (QChar c : code)
        if (c < u'0' || c > u'9')
            return false;
    return gs1CheckDigit(code.left(12)) == code.at(12).digitValue();
}

QString makeMemberCardNumber(int storePrefixDigit, quint64 serial)
{
    const QString body = u"2"_s + QString::number(qBound(0, storePrefixDigit, 9))
        + u"%1"_s.arg(serial % 10000000000ULL, 10, 10, QLatin1Char('0'));
    return body + QString::number(gs1CheckDigit(body));
}

namespace {
// Crockford base32: no I, L, O or U, so nothing is read as something else.
const QLatin1StringView kAlphabet("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
int valueOf(QChar c) { return int(kAlphabet.indexOf(c)); }
// Luhn mod N (N = 32): catches every single-character error and every swap of neighbours.
QChar checkChar(const QString &body)
{
    int factor = 2, sum = 0;
    for (qsizetype i = body.size() - 1; i >= 0; --i) {
        int addend = factor * valueOf(body.at(i));
        factor = factor == 2 ? 1 : 2;
        addend = addend / 32 + addend % 32;
        sum += addend;
    }
    return QLatin1Char(kAlphabet.at((32 - sum % 32) % 32));
}
} // namespace

QString normalizeHumanCode(const QString &code)
{
    QString out;
    for (QChar c : code) {
        if (c == u'-' || c.isSpace())
            continue;
        QChar u = c.toUpper();
        if (u == u'O')
            u = u'0';
        else if (u == u'I' || u == u'L')
            u = u'1';
        out += u;
    }
    return out;
}

QString makeHumanCode(Random &random, int length)
{
    QString body;
    for (int i = 0; i < length; ++i)
        body += QLatin1Char(kAlphabet.at(qsizetype(random.below(32))).toLatin1());
    const QString full = body + checkChar(body);
    QString grouped;
    for (int i = 0; i < full.size(); ++i) {
        if (i > 0 && i % 4 == 0)
            grouped += u'-';
        grouped += full.at(i);
    }
    return grouped;
}

bool isValidHumanCode(const QString &code)
{
    const QString n = normalizeHumanCode(code);
    if (n.size() < 4)
        return false;
    const QString body = n.left(n.size() - 1);
    for (QChar c : body) {
        if (valueOf(c) < 0)
            return false;
    }
    return checkChar(body) == n.back();
}

QString normalizeCardNumber(const QString &card)
{
    QString out;
    for (QChar c : card.trimmed())
        if (!c.isSpace() && c != u'-')
            out += c.toUpper();
    return out;
}

bool isPlausibleCardNumber(QStringView card)
{
    if (card.size() < 4 || card.size() > 32)
        return false;
    for (QChar c : card)
        if (!((c >= u'0' && c <= u'9') || (c >= u'A' && c <= u'Z')))
            return false;
    return true;
}

} // namespace setia
