#pragma once
// Digital member cards as signed QR codes. A member card number alone is easy to copy (read
// aloud, photographed over a shoulder); a digital card is shown as a token the store signed:
//
//   SETIA1.<base64url("card|issuedAtMs|expiresAtMs")>.<base64url(HMAC-SHA-256 truncated to 16 bytes)>
//
// The MAC, keyed with the store's signing key (KeyRing::signingKey()), covers the ASCII text
// "SETIA1.<body>" (version included). base64url without padding, so the payload is plain ASCII
// (about 90 characters: a version 5 QR code). Verification refuses anything not byte-for-byte
// canonical, compares MACs in constant time, and refuses tokens past their expiry (a screenshot
// of someone else's QR from last year) or issued more than five minutes in the future (a
// terminal whose clock was wrong, or a forgery that got the key).
#include "result.h"

#include <QByteArray>
#include <QString>

namespace setia {

inline constexpr qint64 kCardTokenDefaultValidityMs = 365LL * 24 * 60 * 60 * 1000; // one year
inline constexpr qint64 kCardTokenFutureToleranceMs = 5LL * 60 * 1000;             // clock skew between terminals
inline constexpr QLatin1StringView kCardTokenPrefix{"SETIA1."};

// The token for a card number (4 to 32 letters and digits). Empty when the card number, the
// validity (> 0) or the key (empty) is unusable.
QString issueCardToken(const QString &cardNumber, qint64 issuedAtMs, qint64 validForMs, const QByteArray &signingKey);

// The card number a token carries, or an error:
//   forged_card_token   not a token of this store: bad MAC, other store's key, malformed, truncated
//   expired_card_token  nowMs is at or past its expiry
//   future_card_token   issued more than kCardTokenFutureToleranceMs after nowMs
Result<QString> verifyCardToken(const QByteArray &payload, qint64 nowMs, const QByteArray &signingKey);

// Whether a payload has the token's shape (prefix, three parts, base64url): what a scan of a
// digital card looks like before it is verified. Cheap; says nothing about the signature.
bool looksLikeCardToken(const QByteArray &payload);

} // namespace setia
