// Loyalty::memberByScan and Loyalty::digitalCardToken: from what a scan means (scanmeaning.h)
// to the member it identifies. Only the public lookups and recordScan are used here.
#include "ids.h"
#include "loyalty_p.h"

#include "cardtoken.h"
#include "scanmeaning.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace setia {

namespace {

Q_LOGGING_CATEGORY(lcScan, "setia.scan", QtWarningMsg)

} // namespace

Result<MemberView> Loyalty::memberByScan(const ScanInput &scan, ScanMeaning *meaningOut)
{
    const ScanMeaning m = classifyScan(scan.payload, scan.symbology, scan.source);
    if (meaningOut)
        *meaningOut = m;

    // A registered card (whatever its status) counts for the repeat-scan rule, by its number.
    auto byCard = [this](const QString &number, bool viaToken, const QString &why) -> Result<MemberView> {
        const QString card = normalizeCardNumber(number);
        const QString owner = d->memberIdByCard(card);
        if (owner.isEmpty())
            return err(u"unknown_card", why.isEmpty() ? u"Card %1 is not registered to any member."_s.arg(card)
                                                      : u"Card %1 is not registered to any member (%2)."_s.arg(card, why));
        if (!d->store.readOnly())
            if (auto st = recordScan(card, owner); !st)
                qCWarning(lcScan, "a card scan was not recorded: %s", qPrintable(st.error().code));
        auto member = memberByCard(card);
        if (!member || viaToken)
            return member;
        for (const CardView &c : member->cards)
            if (c.number == card && c.kind == u"qr"_s)
                return err(u"digital_card_needs_qr",
                           u"Card %1 is a digital card: scan the QR code on the member's phone, or find them by phone number."_s
                               .arg(card));
        return member;
    };

    switch (m.kind) {
    case ScanMeaning::Kind::PaymentCard:
        // Nothing goes further: no scan recorded, no log line, no number in the message.
        return err(u"payment_card",
                   u"This is a payment card (%1), not a member card; nothing was read from it or kept. Ask for the member"
                   " card or phone number."_s.arg(m.brand));
    case ScanMeaning::Kind::Garbled:
        if (m.error == u"random_chip_id"_s)
            return Error{m.error, u"This card or phone gives a new number at every tap, so it cannot be a member card; ask"
                                  " for the member card, the QR code or the phone number."_s};
        return Error{m.error, m.error == u"partial_scan"_s
                                  ? u"The card was read only in part (%1); swipe it again in one smooth move."_s.arg(m.detail)
                                  : u"The scan could not be read (%1); scan again or type the number."_s.arg(m.detail)};
    case ScanMeaning::Kind::Voucher:
        return err(u"voucher_scanned",
                   u"%1 is a voucher code, not a member card: use it on the redeem page."_s.arg(m.value));
    case ScanMeaning::Kind::Phone:
        return memberByPhone(m.value);
    case ScanMeaning::Kind::DigitalCard: {
        auto card = verifyCardToken(m.value.toLatin1(), d->now(), d->keys.signingKey());
        if (!card)
            return card.error();
        return byCard(card.value(), true, QString());
    }
    case ScanMeaning::Kind::MemberCard:
        return byCard(m.value, false, m.detail);
    case ScanMeaning::Kind::Text:
        // A card of an older scheme (imported) may be any letters and digits.
        if (const QString card = normalizeCardNumber(m.value); isPlausibleCardNumber(card))
            if (auto found = byCard(card, false, QString()); found || found.error().code != u"unknown_card"_s)
                return found; // one card lookup, not a check and then the lookup again
        return err(u"unknown_member",
                   u"'%1' is not a card, a phone number or a code; search for the name instead."_s.arg(m.value.left(40)));
    }
    return err(u"garbled_scan", u"The scan could not be read; scan again or type the number."_s);
}

QString Loyalty::digitalCardToken(const QString &cardNumber, qint64 validForMs) const
{
    auto member = memberByCard(cardNumber); // refuses blocked cards and members
    if (!member)
        return {};
    const QString card = normalizeCardNumber(cardNumber);
    for (const CardView &c : member->cards)
        if (c.number == card && c.kind == u"qr"_s && c.status == u"active"_s)
            return issueCardToken(card, d->now(), validForMs, d->keys.signingKey());
    return {};
}

} // namespace setia
