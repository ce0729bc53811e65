#pragma once
// Identifiers: UUIDv7 (RFC 9562), the hybrid logical clock, and human-facing codes
// (member card numbers, referral and voucher codes).
#include "clock.h"

#include <QString>

namespace setia {

// RFC 9562 UUIDv7: 48-bit Unix milliseconds, version 7, 74 random bits, variant 10.
// Text form, lower case: xxxxxxxx-xxxx-7xxx-[89ab]xxx-xxxxxxxxxxxx.
QString uuidv7(qint64 unixMs, Random &random);
bool isUuid(const QString &text);
// The millisecond timestamp of a UUIDv7, or -1 when it is not one.
qint64 uuidv7Millis(const QString &uuid);

// Hybrid logical clock (Kulkarni et al.): a 64-bit value, physical milliseconds in the high
// 48 bits and a logical counter in the low 16. Monotonic even when the wall clock steps back.
class HybridLogicalClock {
public:
    explicit HybridLogicalClock(const Clock &clock) : m_clock(clock) {}
    qint64 now();
    // Merge a time seen from elsewhere (a stored event, the hub) so that later stamps follow it.
    void observe(qint64 hlc);
    static qint64 physicalMs(qint64 hlc) { return hlc >> 16; }
    static qint64 make(qint64 ms, int counter) { return (ms << 16) | (counter & 0xFFFF); }

private:
    const Clock &m_clock;
    qint64 m_last = 0;
};

// GS1 check digit (EAN-13/EAN-8/UPC/GTIN): digits without the check digit -> check digit.
int gs1CheckDigit(const QString &digitsWithoutCheck);
bool isValidEan13(const QString &code);
// A member card number: EAN-13 in the GS1 "restricted circulation" range 20–29 so it can
// never collide with a product barcode: "2" + store prefix digit + 10 serial digits + check.
QString makeMemberCardNumber(int storePrefixDigit, quint64 serial);
// A card number as the store keeps it: upper case, without spaces or dashes.
QString normalizeCardNumber(const QString &card);
// 4 to 32 characters of 0-9 and A-Z (after normalizeCardNumber): what any card scheme may use.
bool isPlausibleCardNumber(QStringView card);

// Codes a person may read aloud or type: Crockford base32 (no I, L, O, U), with a check
// character (mod 37) so a single typo or swap is caught. Grouped for reading: ABCD-EFGH-J.
QString makeHumanCode(Random &random, int length);
bool isValidHumanCode(const QString &code);
QString normalizeHumanCode(const QString &code); // upper-case, dashes and spaces removed

} // namespace setia
