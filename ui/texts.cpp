#include "texts.h"

#include <QHash>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace setia::ui {

QString Texts::error(const Error &e)
{
    const QString c = e.code;
    if (c == u"unknown_card"_s)
        return tr("This card is not registered. Ask for the member's phone number, or enroll them.");
    if (c == u"card_blocked"_s)
        return tr("This card is blocked — ask for the replacement card.");
    // What a scan means (core/scanmeaning.h). None of these may show what was scanned: a payment
    // card's number never reaches the screen.
    if (c == u"payment_card"_s)
        return tr("This is a bank card. Loyalty needs the member card or phone number.");
    if (c == u"garbled_scan"_s)
        return tr("That scan could not be read. Scan again, or type the card or phone number.");
    if (c == u"partial_scan"_s)
        return tr("The card was read only in part. Swipe it again in one smooth move.");
    if (c == u"random_chip_id"_s)
        return tr("This card (or phone) gives a new number at every tap, so it cannot be a member card. Ask for the member card, "
                  "the QR code or the phone number.");
    if (c == u"voucher_scanned"_s)
        return tr("This is a voucher, not a member card. Open the member, then use it on the Redeem page (F6).");
    if (c == u"digital_card_needs_qr"_s)
        return tr("This is a digital card: scan the QR code on the member's phone, or find them by phone number.");
    if (c == u"forged_card_token"_s)
        return tr("This QR code is not a card from this store. Ask for the member's phone number.");
    if (c == u"expired_card_token"_s)
        return tr("This digital card has expired. Find the member by phone number and show them their new QR code.");
    if (c == u"future_card_token"_s)
        return tr("This QR code's date is wrong (a terminal's clock may be off). Find the member by phone number.");
    if (c == u"member_blocked"_s)
        return tr("This membership is blocked. Please call the manager.");
    if (c == u"member_erased"_s)
        return tr("This membership was closed at the member's request.");
    if (c == u"unknown_member"_s)
        return tr("No member found. Check the number, or enroll a new member.");
    if (c == u"insufficient_points"_s)
        return tr("Not enough points for this reward.");
    if (c == u"duplicate_member"_s)
        return tr("This phone number is already a member. Look the member up instead.");
    if (c == u"invalid_phone"_s)
        return tr("That phone number is not complete. Type it like 0812-3456-7890.");
    if (c == u"card_in_use"_s)
        return tr("That card already belongs to another member. Use a new card.");
    if (c == u"out_of_stock"_s)
        return tr("This reward is out of stock.");
    if (c == u"reward_unavailable"_s)
        return tr("This reward is not available today.");
    if (c == u"redeem_limit"_s)
        return tr("This member has reached today's redemption limit. They can redeem again tomorrow.");
    if (c == u"already_refunded"_s)
        return tr("This receipt was already fully refunded.");
    if (c == u"unknown_receipt"_s)
        return tr("No points were earned on this receipt here, so there is nothing to take back.");
    if (c == u"invalid_refund"_s)
        return tr("The refund amount is more than what is left on the receipt.");
    if (c == u"receipt_conflict"_s)
        return tr("This receipt number was already used for another sale.");
    if (c == u"voucher_used"_s)
        return tr("This voucher was already used.");
    if (c == u"voucher_expired"_s)
        return tr("This voucher has expired.");
    if (c == u"invalid_voucher"_s || c == u"unknown_voucher"_s)
        return tr("That is not a valid voucher code. Check it for a typo.");
    if (c == u"voucher_min_spend"_s)
        return tr("The purchase is too small for this voucher.");
    if (c == u"disk_full"_s)
        return tr("The terminal's disk is full: nothing was saved. Call the manager.");
    if (c == u"store_busy"_s)
        return tr("The terminal is busy. Try again in a moment.");
    if (c == u"no_program"_s)
        return tr("No loyalty program is loaded. Call the manager.");
    if (c == u"reason_required"_s)
        return tr("Please give a reason.");
    if (c == u"wrong_pin"_s) {
        // core: "Wrong PIN; 3 tries left before a 5-minute lock."
        static const QRegularExpression left(u"(\\d+) tries left"_s);
        const auto m = left.match(e.message);
        if (m.hasMatch())
            return tr("Wrong PIN. Tries left before a 5-minute lock: %1.").arg(m.captured(1).toInt());
        return tr("Wrong PIN. Try again.");
    }
    if (c == u"locked_out"_s) {
        // core: "Too many wrong PINs: Ani is locked for 5 minutes."
        static const QRegularExpression minutes(u"for (\\d+)"_s);
        const auto m = minutes.match(e.message);
        if (m.hasMatch())
            return tr("Too many wrong PINs: locked for %1 min. Wait, or ask another manager.").arg(m.captured(1).toInt());
        return tr("Too many wrong PINs: locked for a few minutes. Wait, or ask another manager.");
    }
    if (c == u"unknown_staff"_s)
        return tr("Nobody with that name works on this terminal. Check the spelling.");
    if (c == u"staff_inactive"_s)
        return tr("This person can no longer sign in on this terminal.");
    if (c == u"weak_pin"_s)
        return e.message.contains(u"4 to 8"_s) || e.message.contains(u"digits only"_s)
                   ? tr("A PIN has 4 to 8 digits, numbers only.")
                   : tr("That PIN is too easy to guess (like 1234 or 1111). Choose another.");
    if (c == u"duplicate_staff"_s)
        return tr("There is already someone with that name. Add a surname or initial.");
    if (c == u"invalid_staff"_s)
        return tr("Type the person's name (up to 60 characters).");
    if (c == u"unknown_alert"_s)
        return tr("That alert was already acknowledged.");
    if (c == u"invalid_basket"_s || c == u"invalid_amount"_s)
        return tr("Check the amount: %1").arg(e.message);
    if (c == u"invalid_member"_s)
        return tr("Check the details: %1").arg(e.message);
    return e.message;
}

} // namespace setia::ui
