#pragma once
// What a scan means. Devices (drivers/) and the cashier's keyboard hand over bytes; this decides
// whether they are a member card, a signed digital card, a voucher, a phone number, a name to
// search for, a payment card to refuse, or noise. Pure: no store, no clock, no log.
//
// Payment cards (PCI DSS 3.3.1: sensitive authentication data is never kept): a bank card swiped
// or its number typed by mistake is recognised (magnetic-stripe track format, Luhn check, issuer
// ranges) and refused. classifyScan() overwrites every buffer it owns that held the bytes, and
// its result carries at most the brand name — never the number, not even masked. The caller
// must drop its own copy of the scan (or overwrite it with wipeBuffer()) as soon as it has the
// meaning; classifyScan cannot reach a buffer the caller still shares.
//
// See docs/scanning.md for the order of the rules and the reasons for them.
#include <QByteArray>
#include <QString>
#include <QStringView>

namespace setia {

// Where a scan came from. Core's own type: app/core does not depend on drivers/ (drivers'
// Scan::Source maps one to one).
enum class ScanSource { KeyboardWedge, HidScanner, MagStripe, Camera, Contactless, Virtual, Manual };

struct ScanInput {
    QByteArray payload;   // exactly what was read or typed (scanner suffixes may remain)
    QString symbology;    // "ean13", "qr", "code128", "track", "" when unknown
    ScanSource source = ScanSource::Manual;
    qint64 atMs = 0;      // UTC ms, when known
};

struct ScanMeaning {
    enum class Kind {
        MemberCard,  // value: the card number (from a magnetic track when swiped)
        DigitalCard, // value: the token, not yet verified (verifyCardToken)
        Voucher,     // value: the voucher code, normalised (no dashes, upper case)
        Phone,       // value: E.164
        Text,        // value: the text, simplified — a name search typed by the cashier
        PaymentCard, // value: empty; brand: "Visa", "Mastercard", …; error: payment_card
        Garbled,     // value: empty; error: garbled_scan or partial_scan
    };
    Kind kind = Kind::Garbled;
    QString value;
    // The code a cashier is shown when the scan cannot identify a member by itself:
    // payment_card, garbled_scan, partial_scan, voucher_scanned. Empty otherwise.
    QString error;
    QString brand;           // PaymentCard only
    QString detail;          // why, in English, for developers and tests; never any of the bytes
    bool setiaNumber = false; // MemberCard: a Setia card number whose check digit verified
    bool swiped = false;     // read from magnetic-stripe track data
};

QString scanKindName(ScanMeaning::Kind kind);

// A member card, phone or code is short; anything longer is not one (and is not looked at beyond
// kMaxScanInspect bytes, so the work is bounded whatever a device sends).
inline constexpr qsizetype kMaxScanPayload = 256;
inline constexpr qsizetype kMaxScanInspect = 1024;

// payload is taken by value: the classifier owns that copy and overwrites it (when the caller
// has not kept a shared reference to the same buffer — see above).
ScanMeaning classifyScan(QByteArray payload, const QString &symbology = {}, ScanSource source = ScanSource::Manual);

// A Setia member card number: EAN-13 in the GS1 restricted-circulation range 20–29 with a
// correct check digit ("2" + store prefix digit + 10 serial digits + check; ids.h).
bool isSetiaCardNumber(QStringView number);
// ISO/IEC 7812 Luhn check over ASCII digits (false for anything else or an empty string).
bool luhnValid(QStringView digits);
// The payment network of a primary account number: Luhn-valid, 13 to 19 digits, and a prefix and
// length from the issuer table in scanmeaning.cpp. Empty when it is not one.
QString paymentCardBrand(QStringView digits);

// Overwrites a buffer this reference alone holds, then empties it. A buffer shared with another
// QByteArray/QString is only released here: its other owner must wipe it.
void wipeBuffer(QByteArray &bytes);
void wipeBuffer(QString &text);

} // namespace setia
