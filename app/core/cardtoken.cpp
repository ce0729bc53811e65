#include "ids.h"
#include "cardtoken.h"

#include "crypto.h"

#include <QList>

#include <optional>

#include <openssl/crypto.h>

using namespace Qt::StringLiterals;

namespace setia {

namespace {

constexpr qsizetype kMaxTokenSize = 200; // a 32-character card and 15-digit times fit in ~110
constexpr qsizetype kMacBytes = 16;      // 128 bits: forging one is as hard as guessing a key
constexpr auto kBase64 = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;


bool isBase64Url(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

// Strict base64url: the text must be exactly what encoding the decoded bytes gives.
std::optional<QByteArray> decodeBase64Url(const QByteArray &text)
{
    if (!isBase64Url(text))
        return std::nullopt;
    auto decoded = QByteArray::fromBase64Encoding(text, kBase64 | QByteArray::AbortOnBase64DecodingErrors);
    if (decoded.decodingStatus != QByteArray::Base64DecodingStatus::Ok || decoded.decoded.toBase64(kBase64) != text)
        return std::nullopt;
    return decoded.decoded;
}

// A non-negative decimal as written by QByteArray::number: no sign, no leading zeros.
std::optional<qint64> canonicalNumber(const QByteArray &text)
{
    if (text.isEmpty() || text.size() > 15)
        return std::nullopt;
    bool ok = false;
    const qint64 v = text.toLongLong(&ok);
    if (!ok || v < 0 || QByteArray::number(v) != text)
        return std::nullopt;
    return v;
}

QByteArray macOf(const QByteArray &signingKey, const QByteArray &signedPart)
{
    return hmacSha256(signingKey, signedPart).left(kMacBytes);
}

Error forged(const QString &why)
{
    return makeError(u"forged_card_token"_s,
                     u"This QR code is not a digital card of this store (%1). Ask for the member's phone number."_s.arg(why));
}

} // namespace

QString issueCardToken(const QString &cardNumber, qint64 issuedAtMs, qint64 validForMs, const QByteArray &signingKey)
{
    if (!isPlausibleCardNumber(cardNumber) || signingKey.isEmpty() || validForMs <= 0 || issuedAtMs < 0
        || issuedAtMs > 999'999'999'999'999LL - validForMs)
        return {};
    const QByteArray body = cardNumber.toLatin1() + '|' + QByteArray::number(issuedAtMs) + '|'
        + QByteArray::number(issuedAtMs + validForMs);
    const QByteArray signedPart = QByteArray(kCardTokenPrefix.data(), kCardTokenPrefix.size()) + body.toBase64(kBase64);
    return QString::fromLatin1(signedPart + '.' + macOf(signingKey, signedPart).toBase64(kBase64));
}

bool looksLikeCardToken(const QByteArray &payload)
{
    if (payload.size() > kMaxTokenSize || !payload.startsWith(QByteArrayView(kCardTokenPrefix.data(), kCardTokenPrefix.size())))
        return false;
    const QList<QByteArray> parts = payload.mid(kCardTokenPrefix.size()).split('.');
    return parts.size() == 2 && isBase64Url(parts.at(0)) && isBase64Url(parts.at(1));
}

Result<QString> verifyCardToken(const QByteArray &payload, qint64 nowMs, const QByteArray &signingKey)
{
    if (!looksLikeCardToken(payload))
        return forged(u"not a Setia digital card"_s);
    const QList<QByteArray> parts = payload.mid(kCardTokenPrefix.size()).split('.');
    const auto body = decodeBase64Url(parts.at(0));
    const auto mac = decodeBase64Url(parts.at(1));
    if (!body || !mac || mac->size() != kMacBytes)
        return forged(u"damaged"_s);
    if (signingKey.isEmpty())
        return forged(u"this terminal has no signing key"_s);
    const QByteArray signedPart = payload.left(kCardTokenPrefix.size() + parts.at(0).size());
    const QByteArray expected = macOf(signingKey, signedPart);
    if (CRYPTO_memcmp(expected.constData(), mac->constData(), size_t(kMacBytes)) != 0)
        return forged(u"signature does not match"_s);
    // Signed by this store: the body is ours, but it is still checked field by field.
    const QList<QByteArray> fields = body->split('|');
    if (fields.size() != 3)
        return forged(u"malformed"_s);
    const QString card = QString::fromLatin1(fields.at(0));
    const auto issued = canonicalNumber(fields.at(1));
    const auto expires = canonicalNumber(fields.at(2));
    if (!isPlausibleCardNumber(card) || !issued || !expires || *expires <= *issued)
        return forged(u"malformed"_s);
    if (*issued - nowMs > kCardTokenFutureToleranceMs)
        return makeError(u"future_card_token"_s,
                         u"This digital card was issued in the future by a terminal with a wrong clock; show the member's"
                         " card again after the clocks are set right, or find the member by phone."_s);
    if (nowMs >= *expires)
        return makeError(u"expired_card_token"_s,
                         u"This digital card has expired; open the member by phone and show them their new QR code."_s);
    return card;
}

} // namespace setia
