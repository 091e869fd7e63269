"""The words pages use for Hall's enums and report fields, translated when shown."""

from __future__ import annotations

import re

from flask_babel import gettext, lazy_gettext

from hall.community import roster
from hall.community.policy import Grant
from hall.community.roles import Role, ScopeKind
from hall.text import N_
from hall.web.i18n import current_locale

ROLE_NAMES = {
    Role.RESIDENT: lazy_gettext("Resident"),
    Role.COUNCIL_CHAIR: lazy_gettext("Council chair"),
    Role.BRANCH_SECRETARY: lazy_gettext("Party branch secretary"),
    Role.COMMITTEE_MEMBER: lazy_gettext("Homeowners' committee member"),
    Role.PROPERTY_MANAGER: lazy_gettext("Property manager"),
    Role.SUBDISTRICT_OFFICER: lazy_gettext("Subdistrict officer"),
    Role.ADMIN: lazy_gettext("Administrator"),
}

# The roster import's report, in the order a manager reads it: what was in the file, what
# changed, and what the file left out.
ROSTER_REPORT_LABELS = (
    ("rows", lazy_gettext("Rows read")),
    ("buildings_created", lazy_gettext("Buildings added")),
    ("stairwells_created", lazy_gettext("Stairwells added")),
    ("units_created", lazy_gettext("Units added")),
    ("units_updated", lazy_gettext("Units changed")),
    ("units_unchanged", lazy_gettext("Units unchanged")),
    ("people_created", lazy_gettext("People added")),
    ("ownerships_changed", lazy_gettext("Units with changed owners")),
    ("units_not_in_file", lazy_gettext("Registered units missing from the file")),
)

# The roster's columns, as a row error names them.
ROSTER_COLUMN_NAMES = {
    roster.BUILDING: lazy_gettext("Building"),
    roster.STAIRWELL: lazy_gettext("Stairwell"),
    roster.ROOM: lazy_gettext("Room"),
    roster.FLOOR: lazy_gettext("Floor"),
    roster.AREA: lazy_gettext("Floor area"),
    roster.OWNERS: lazy_gettext("Owners"),
    roster.PHONE: lazy_gettext("Phone"),
}


def role_label(grant: Grant, building_names: dict[int, str]) -> str:
    """A role's name, with its scope where that is wider or narrower than one community."""
    role = str(ROLE_NAMES[grant.role])
    if grant.kind is ScopeKind.SITE:
        return gettext("%(role)s (whole site)", role=role)
    if grant.kind is ScopeKind.SUBDISTRICT:
        return gettext("%(role)s (whole subdistrict)", role=role)
    if grant.kind is ScopeKind.BUILDING:
        building = building_names.get(grant.place.building_id, "")
        return gettext("%(role)s (building %(building)s)", role=role, building=building)
    return role


def roster_columns() -> list[tuple[str, str]]:
    """Each roster column with the headers a file may give it, for the import page's help."""
    return [
        (str(ROSTER_COLUMN_NAMES[column]), " / ".join(roster.HEADERS[column]))
        for column in roster.COLUMNS
    ]


# Issues -------------------------------------------------------------------------------------

ISSUE_STATE_NAMES = {
    "draft": lazy_gettext("Draft"),
    "collecting": lazy_gettext("Collecting supports"),
    "deliberation": lazy_gettext("Under deliberation"),
    "judgment": lazy_gettext("Judgment"),
    "publicity": lazy_gettext("On public notice"),
    "implementation": lazy_gettext("Being implemented"),
    "closed": lazy_gettext("Closed"),
    "withdrawn": lazy_gettext("Withdrawn"),
    "rejected": lazy_gettext("Not adopted"),
    "merged": lazy_gettext("Merged"),
    "escalated": lazy_gettext("Escalated to the subdistrict"),
}

# The default categories; a community's own ones are shown as it named them.
CATEGORY_NAMES = {
    "elevator": lazy_gettext("Elevator"),
    "parking": lazy_gettext("Parking and charging"),
    "environment": lazy_gettext("Environment and sanitation"),
    "safety": lazy_gettext("Safety"),
    "dispute": lazy_gettext("Dispute between neighbours"),
    "facilities": lazy_gettext("Shared facilities"),
    "other": lazy_gettext("Other"),
}

STANCE_NAMES = {
    "for": lazy_gettext("For"),
    "against": lazy_gettext("Against"),
    "neutral": lazy_gettext("Neutral"),
}

# What a transition's button says.
TRANSITION_NAMES = {
    "submit": lazy_gettext("Publish the issue"),
    "accept": lazy_gettext("Accept for deliberation"),
    "open_judgment": lazy_gettext("Open the judgment"),
    "withdraw": lazy_gettext("Withdraw the issue"),
    "reject": lazy_gettext("Do not adopt"),
    "merge": lazy_gettext("Merge into another issue"),
    "escalate": lazy_gettext("Escalate to the subdistrict"),
    "reopen": lazy_gettext("Reopen deliberation"),
    "close": lazy_gettext("Close the issue"),
    "advance": lazy_gettext("Enough supports: into deliberation"),
    "publish": lazy_gettext("Publish the decision"),
    "implement": lazy_gettext("Start implementation"),
}

# The badge of an official reply (hall.issues.threads.OFFICIAL_ROLES).
OFFICIAL_ROLE_NAMES = {
    "branch": lazy_gettext("Party branch"),
    "council": lazy_gettext("Residents' council"),
    "committee": lazy_gettext("Homeowners' committee"),
    "subdistrict": lazy_gettext("Subdistrict office"),
}

SCOPE_KIND_NAMES = {
    "community": lazy_gettext("The whole community"),
    "buildings": lazy_gettext("Some buildings"),
    "stairwells": lazy_gettext("Some stairwells"),
    "units": lazy_gettext("Some units"),
}

# The services speak English; these are the messages of theirs that pages show beside a
# field, marked here so that they are translated (hall.web.labels.field_message).
SERVICE_MESSAGES = (
    N_("Give the issue a title."),
    N_("Describe the issue."),
    N_("Not one of this community's categories."),
    N_("Write something first."),
    N_("Give a reason."),
    N_("No such comment here."),
    N_("This comment is not shown; reply to another."),
    N_("Only a top-level comment takes a stance."),
    N_("No such issue here."),
    N_("Name the issue to merge into."),
    N_("An issue merges into another open issue."),
    N_("The issue has not yet gathered enough supports."),
    N_("A community-wide issue lists no buildings, stairwells or units."),
    N_("You already support this issue."),
    N_("You do not support this issue."),
    N_("Supports are gathered only while the issue is collecting them."),
    N_("Only residents of the issue's scope support it."),
    N_("You cannot report your own comment."),
    N_("You have already reported this comment."),
    N_("This comment is not shown."),
    N_("This comment is already deleted."),
    N_("A comment that is not shown cannot be edited."),
    N_("Once deliberation begins an issue is no longer changed; comment instead."),
    N_("Only the proposer changes an issue's text and photos."),
    N_("This issue concerns residents of its scope only, and you are not one."),
    N_("Only the branch, the council or the subdistrict reply officially."),
)


# Service messages with a value in them, by the shape of their English text: each is
# translated as a whole, with the value (where it matters) put back in.
_SHAPED_MESSAGES = (
    (re.compile(r"At most (\d+) characters\."), N_("At most %(num)d characters.")),
    (re.compile(r"At most (\d+) photos\."), N_("At most %(num)d photos.")),
    (
        re.compile(r"Replies go at most (\d+) levels deep; reply higher up\."),
        N_("Replies go at most %(num)d levels deep; reply higher up."),
    ),
    (
        re.compile(r"Name at least one of the \w+ the issue concerns\."),
        N_("Choose at least one building, stairwell or unit the issue concerns."),
    ),
    (
        re.compile(r"At most (\d+) \w+ in one scope\."),
        N_("At most %(num)d buildings, stairwells or units in one scope."),
    ),
    (re.compile(r"Not in this community: .*"), N_("Choose places of this community only.")),
    # Votes (hall.voting.service and hall.voting.ballots)
    (
        re.compile(r"Offer between 2 and (\d+) plans to choose from\."),
        N_("Offer between 2 and %(num)d plans to choose from."),
    ),
    (
        re.compile(r"(\d+) paper ballots await a second council member's confirmation\."),
        N_("%(num)d paper ballots await a second council member's confirmation."),
    ),
    (re.compile(r"The issue is in \w+\."), N_("The issue is not in deliberation or judgment.")),
    (
        re.compile(r"The vote is \w+: only a scheduled vote opens\."),
        N_("Only a vote that has not opened yet can be opened."),
    ),
    (
        re.compile(r"The vote is \w+: only an open vote closes\."),
        N_("Only an open vote can be closed."),
    ),
    (
        re.compile(r"The vote is \w+: ballots are taken while it is open\."),
        N_("Ballots are taken only while the vote is open."),
    ),
    (re.compile(r"The vote opens at .*"), N_("The vote has not opened yet.")),
    (
        re.compile(r"Say where a failed vote sends the issue: .*"),
        N_("Say where the issue goes if the vote fails."),
    ),
    (
        re.compile(r"The thread of an issue in \w+ is closed\."),
        N_("The discussion of this issue is closed."),
    ),
    (
        re.compile(r"An issue in \w+ cannot \w+\."),
        N_("The issue cannot be moved this way from where it is now."),
    ),
)


def _shaped_message(message: str) -> str | None:
    for pattern, template in _SHAPED_MESSAGES:
        match = pattern.fullmatch(message)
        if match is not None:
            if match.groups():
                return gettext(template, num=int(match.group(1)))
            return gettext(template)
    return None


def field_message(message: str) -> str:
    """A service's message about a field, in the reader's language.

    A message without a translation yet is replaced by a plain request to check the field,
    rather than shown in English on a Chinese page.
    """
    shaped = _shaped_message(message)
    if shaped is not None:
        return shaped
    translated = gettext(message)
    if translated != message or current_locale() == "en":
        return translated
    return gettext("Please check what you entered here.")


def category_label(category: str) -> str:
    return str(CATEGORY_NAMES.get(category, category))


# Votes ------------------------------------------------------------------------------------------

VOTE_STATE_NAMES = {
    "scheduled": lazy_gettext("Not open yet"),
    "open": lazy_gettext("Open for ballots"),
    "closed": lazy_gettext("Voting closed"),
}

VOTE_KIND_NAMES = {
    "approval": lazy_gettext("For or against"),
    "plans": lazy_gettext("A choice between plans"),
}

# The fixed options of a vote; a plan's option is shown by the plan's own name.
OPTION_NAMES = {
    "for": lazy_gettext("For"),
    "against": lazy_gettext("Against"),
    "abstain": lazy_gettext("Abstain"),
}

RULE_PRESET_NAMES = {
    "major_matter": lazy_gettext(
        "Major matter (Civil Code Art. 278): an elevator, maintenance funds, rebuilding"
    ),
    "ordinary_matter": lazy_gettext("Other joint matter (Civil Code Art. 278)"),
    "simple_majority": lazy_gettext("Simple majority of the owners who vote"),
}

SILENCE_NAMES = {
    "not_counted": lazy_gettext("Owners who do not vote are not counted"),
    "majority_side": lazy_gettext(
        "Owners who do not vote join the side most voters chose (only where the community's "
        "own rules say so and every owner was given the ballot)"
    ),
}

MEASURE_NAMES = {
    "area": lazy_gettext("By floor area"),
    "headcount": lazy_gettext("By number of owners"),
    "weight": lazy_gettext("By ownership shares"),
}

COST_BASE_NAMES = {
    "area": lazy_gettext("By each flat's floor area"),
    "household": lazy_gettext("Equally by household"),
}

IF_FAILED_NAMES = {
    "deliberation": lazy_gettext("Back to deliberation, for a better proposal"),
    "closed": lazy_gettext("Close the issue"),
}

CHANNEL_NAMES = {
    "online": lazy_gettext("online"),
    "proxy": lazy_gettext("by proxy"),
    "paper": lazy_gettext("on paper"),
}

# The voting services' messages that pages show beside a field or above a form.
VOTE_SERVICE_MESSAGES = (
    N_("No such vote."),
    N_("A vote is set up on an issue in deliberation or judgment."),
    N_("The vote must close after it opens, and in the future."),
    N_("The issue already has a vote under way."),
    N_("A for-or-against vote approves at most one plan; offer several as a choice."),
    N_("Nobody owns a unit in this scope: there is no one to vote."),
    N_("The closing time has passed: set the vote up again."),
    N_("The vote runs until its closing time: closing it early needs a reason."),
    N_("The vote has closed: its closing time has passed."),
    N_("That unit is not in this vote's electorate."),
    N_("You are not an owner who votes in this vote's electorate."),
    N_("You authorised a proxy for this vote: revoke the proxy to vote yourself."),
    N_("A proxy holds this household's ballot."),
    N_("You neither own that unit nor hold its owner's proxy for this vote."),
    N_("Your proxy for that household has expired."),
    N_("A paper ballot was handed in for this household: the paper ballot counts."),
    N_("This household voted on paper."),
    N_("There is no ballot to replace: this household has not voted."),
    N_(
        "This household has already voted. To change the ballot, send the receipt of the "
        "ballot you are replacing."
    ),
    N_("That is not the household's latest ballot: it was changed meanwhile."),
    N_("Another ballot for this household arrived at the same moment and counts."),
    N_("A proxy is a resident of this community with an account."),
    N_("The vote has closed."),
    N_("Say what authorises the proxy: the letter's reference or the owner's words."),
    N_("Proxies are given once the vote opens and its electorate is fixed."),
    N_(
        "Only an owner in the electorate authorises a proxy for their household; a proxy "
        "cannot pass it on."
    ),
    N_("That person already votes for this household."),
    N_("This household has already voted: a proxy can no longer cast for it."),
    N_("This household already has a proxy: revoke it first."),
    N_("No such proxy."),
    N_("Give the paper sheet's reference, so the sheet can be found again."),
    N_("This household has already voted (online, or on another sheet): one ballot counts."),
    N_("This household has already voted."),
    N_("No such paper ballot."),
    N_("That paper ballot is already confirmed."),
    N_("A second council member confirms a paper ballot, not the one who recorded it."),
    N_("Say what is wrong with the sheet."),
)


def option_label(option) -> str:
    """A vote option's name: translated for/against/abstain, a plan by its own name."""
    if option.key in OPTION_NAMES:
        return str(OPTION_NAMES[option.key])
    return option.label
