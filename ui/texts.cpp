#include "texts.h"

#include <QHash>

using namespace Qt::StringLiterals;

namespace setia::ui {

QString Texts::error(const Error &e)
{
    const QString c = e.code;
    if (c == u"unknown_card"_s)
        return tr("This card is not registered. Ask for the member's phone number, or enroll them.");
    if (c == u"card_blocked"_s)
        return tr("This card is blocked — ask for the replacement card.");
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
    if (c == u"invalid_basket"_s || c == u"invalid_amount"_s)
        return tr("Check the amount: %1").arg(e.message);
    if (c == u"invalid_member"_s)
        return tr("Check the details: %1").arg(e.message);
    return e.message;
}

} // namespace setia::ui
