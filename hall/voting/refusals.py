"""Every refusal of the voting stage, defined once: a stable code, an English template marked
for translation, and the fields it concerns. Services and the ballot box raise them with their
parameters; the doors render them in the reader's language (hall.errors).

The refusals of a rule or a cost-sharing plan are defined by the pure core that checks them
(`rules`, `costshare`); the service raises them naming the field of the request at fault.
"""

from __future__ import annotations

from hall.errors import conflict, forbidden, invalid, not_found
from hall.text import N_

# Finding things --------------------------------------------------------------------------------

NO_SUCH_VOTE = not_found("no_such_vote", N_("No such vote."))
NO_SUCH_CHOICE = not_found("no_such_choice", N_("No such choice in this vote."))
NO_SUCH_PROXY = not_found("no_such_proxy", N_("No such proxy."))
NO_SUCH_PAPER_BALLOT = not_found("no_such_paper_ballot", N_("No such paper ballot."))
NO_SUCH_RECEIPT = not_found(
    "no_such_receipt",
    N_("No ballot counts under that receipt: it was replaced, or never cast."),
)

# When ballots are taken ------------------------------------------------------------------------

VOTE_NOT_OPEN = conflict("vote_not_open", N_("Ballots are taken once the council opens the vote."))
VOTE_NOT_YET_OPEN = conflict("vote_not_yet_open", N_("The vote opens at %(opens_at)s."))
VOTE_CLOSED = conflict("vote_closed", N_("The vote has closed."))
CLOSING_TIME_PASSED = conflict(
    "closing_time_passed", N_("The vote has closed: its closing time has passed.")
)

# Who casts for a household ---------------------------------------------------------------------

NOT_AN_OPTION = invalid("not_an_option", N_("Choose one of the options offered."), field="choice")
NOT_IN_ELECTORATE = forbidden(
    "not_in_electorate", N_("You are not an owner who votes in this vote's electorate.")
)
UNIT_NOT_IN_ELECTORATE = invalid(
    "unit_not_in_electorate", N_("That unit is not in this vote's electorate."), field="unit"
)
NOT_YOUR_HOUSEHOLD = forbidden(
    "not_your_household",
    N_("You neither own that unit nor hold its owner's proxy for this vote."),
)
PROXY_EXPIRED = forbidden("proxy_expired", N_("Your proxy for that household has expired."))
PROXY_HOLDS_BALLOT = conflict(
    "proxy_holds_ballot",
    N_("You authorised a proxy for this vote: revoke the proxy to vote yourself."),
    field="unit",
)

# One ballot per household, the first channel counts --------------------------------------------

ALREADY_VOTED = conflict(
    "already_voted",
    N_(
        "This household has already voted. To change the ballot, send the receipt of the "
        "ballot you are replacing."
    ),
    field="replaces",
)
RECEIPT_NOT_LATEST = conflict(
    "receipt_not_latest",
    N_("That is not the household's latest ballot: it was changed meanwhile."),
    field="replaces",
)
NOTHING_TO_REPLACE = conflict(
    "no_ballot_to_replace",
    N_("There is no ballot to replace: this household has not voted."),
    field="replaces",
)
PAPER_BALLOT_COUNTS = conflict(
    "paper_ballot_counts",
    N_("A paper ballot was handed in for this household: the paper ballot counts."),
    field="choice",
)
ONE_BALLOT_COUNTS = conflict(
    "one_ballot_counts",
    N_("This household has already voted (online, or on another sheet): one ballot counts."),
    field="unit",
)

# Proxies ---------------------------------------------------------------------------------------

PROXY_BEFORE_OPENING = conflict(
    "proxy_before_opening",
    N_("Proxies are given once the vote opens and its electorate is fixed."),
)
AUTHORISATION_REQUIRED = invalid(
    "authorisation_required",
    N_("Say what authorises the proxy: the letter's reference or the owner's words."),
    field="authorisation",
)
PROXY_EXPIRY_PAST = invalid(
    "proxy_expiry_past", N_("The proxy would already have expired."), field="expires_at"
)
PROXY_NOT_PASSED_ON = forbidden(
    "proxy_not_passed_on",
    N_(
        "Only an owner in the electorate authorises a proxy for their household; a proxy "
        "cannot pass it on."
    ),
)
PROXY_NOT_RESIDENT = invalid(
    "proxy_not_resident",
    N_("A proxy is a resident of this community with an account."),
    field="proxy_account_id",
)
PROXY_VOTES_ALREADY = invalid(
    "proxy_votes_already",
    N_("That person already votes for this household."),
    field="proxy_account_id",
)
VOTED_BEFORE_PROXY = conflict(
    "voted_before_proxy",
    N_("This household has already voted: a proxy can no longer cast for it."),
)
PROXY_ALREADY_GIVEN = conflict(
    "proxy_already_given", N_("This household already has a proxy: revoke it first.")
)

# Paper ballots ---------------------------------------------------------------------------------

SHEET_REQUIRED = invalid(
    "sheet_required",
    N_("Give the paper sheet's reference, so the sheet can be found again."),
    field="sheet",
)
PAPER_ALREADY_CONFIRMED = conflict(
    "paper_already_confirmed", N_("That paper ballot is already confirmed.")
)
SECOND_MEMBER_CONFIRMS = forbidden(
    "second_member_confirms",
    N_("A second council member confirms a paper ballot, not the one who recorded it."),
)
PAPER_CONFIRMED_WHILE_OPEN = conflict(
    "paper_confirmed_while_open", N_("Only an open vote's paper ballots are confirmed.")
)
REJECTION_REASON_REQUIRED = invalid(
    "sheet_rejection_reason_required", N_("Say what is wrong with the sheet."), field="reason"
)

# Setting a vote up -----------------------------------------------------------------------------

ISSUE_NOT_READY = conflict(
    "issue_not_ready_for_vote",
    N_("A vote is set up on an issue in deliberation or judgment."),
    field="issue",
)
VOTE_UNDER_WAY = conflict("vote_under_way", N_("The issue already has a vote under way."))
CLOSES_BEFORE_OPENING = invalid(
    "closes_before_opening",
    N_("The vote must close after it opens, and in the future."),
    field="closes_at",
)
WEIGHTS_REQUIRED = invalid(
    "unit_weights_required",
    N_("This rule counts a custom weight: give each unit's weight."),
    field="unit_weights",
)
ONE_PLAN_TO_APPROVE = invalid(
    "approval_of_one_plan",
    N_("A for-or-against vote approves at most one plan; offer several as a choice."),
    field="plans",
)
PLANS_TO_CHOOSE_FROM = invalid(
    "plans_to_choose_from", N_("Offer between 2 and %(num)d plans to choose from."), field="plans"
)
NO_ONE_TO_VOTE = invalid(
    "no_one_to_vote",
    N_("Nobody owns a unit in this scope: there is no one to vote."),
    field="electorate",
)

# Opening, closing, cancelling ------------------------------------------------------------------

VOTE_NOT_CANCELLABLE = conflict(
    "vote_not_cancellable", N_("Only a vote that has not opened yet can be cancelled.")
)
VOTE_NOT_OPENABLE = conflict(
    "vote_not_openable", N_("Only a vote that has not opened yet can be opened.")
)
OPENING_TOO_LATE = conflict(
    "opening_after_closing_time",
    N_("The closing time has passed: set the vote up again."),
    field="closes_at",
)
ELECTORATE_EMPTY = conflict(
    "electorate_empty", N_("Nobody owns a unit in this scope: there is no one to vote.")
)
WEIGHTS_MISSING = invalid(
    "unit_weights_missing", N_("No weight given for units %(units)s."), field="unit_weights"
)
VOTE_NOT_CLOSABLE = conflict("vote_not_closable", N_("Only an open vote can be closed."))
IF_FAILED_UNKNOWN = invalid(
    "if_failed_unknown", N_("Say where the issue goes if the vote fails."), field="if_failed"
)
EARLY_CLOSE_REASON_REQUIRED = invalid(
    "early_close_reason_required",
    N_("The vote runs until its closing time: closing it early needs a reason."),
    field="reason",
)
PAPER_BALLOTS_PENDING = conflict(
    "paper_ballots_pending",
    N_("%(num)d paper ballots await a second council member's confirmation."),
)
