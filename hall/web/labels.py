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
