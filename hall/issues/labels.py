"""The words the issue stage's pages use for its enums, translated when shown.

Keyed by the enums themselves (a `StrEnum` member and its value look up the same entry), so a
state, stance, scope or step the code adds without a word here fails the label test, not a
reader.
"""

from __future__ import annotations

from flask_babel import lazy_gettext

from hall.issues.lifecycle import Name, State
from hall.issues.models import ScopeKind, Stance

ISSUE_STATE_NAMES = {
    State.DRAFT: lazy_gettext("Draft"),
    State.COLLECTING: lazy_gettext("Collecting supports"),
    State.DELIBERATION: lazy_gettext("Under deliberation"),
    State.JUDGMENT: lazy_gettext("Judgment"),
    State.PUBLICITY: lazy_gettext("On public notice"),
    State.IMPLEMENTATION: lazy_gettext("Being implemented"),
    State.CLOSED: lazy_gettext("Closed"),
    State.WITHDRAWN: lazy_gettext("Withdrawn"),
    State.REJECTED: lazy_gettext("Not adopted"),
    State.MERGED: lazy_gettext("Merged"),
    State.ESCALATED: lazy_gettext("Escalated to the subdistrict"),
}

# The default categories (hall.issues.models.DEFAULT_CATEGORIES); a community's own ones are
# shown as it named them.
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
    Stance.FOR: lazy_gettext("For"),
    Stance.AGAINST: lazy_gettext("Against"),
    Stance.NEUTRAL: lazy_gettext("Neutral"),
}

# What a step's button says, and how the timeline names a step taken.
TRANSITION_NAMES = {
    Name.SUBMIT: lazy_gettext("Publish the issue"),
    Name.ACCEPT: lazy_gettext("Accept for deliberation"),
    Name.ADVANCE: lazy_gettext("Enough supports: into deliberation"),
    Name.OPEN_JUDGMENT: lazy_gettext("Open the judgment"),
    Name.PUBLISH: lazy_gettext("Publish the decision"),
    Name.IMPLEMENT: lazy_gettext("Start implementation"),
    Name.CLOSE: lazy_gettext("Close the issue"),
    Name.REOPEN: lazy_gettext("Reopen deliberation"),
    Name.WITHDRAW: lazy_gettext("Withdraw the issue"),
    Name.REJECT: lazy_gettext("Do not adopt"),
    Name.MERGE: lazy_gettext("Merge into another issue"),
    Name.ESCALATE: lazy_gettext("Escalate to the subdistrict"),
}

# The badge of an official reply, by the badge the thread records (threads.OFFICIAL_ROLES).
OFFICIAL_ROLE_NAMES = {
    "branch": lazy_gettext("Party branch"),
    "council": lazy_gettext("Residents' council"),
    "committee": lazy_gettext("Homeowners' committee"),
    "subdistrict": lazy_gettext("Subdistrict office"),
}

SCOPE_KIND_NAMES = {
    ScopeKind.COMMUNITY: lazy_gettext("The whole community"),
    ScopeKind.BUILDINGS: lazy_gettext("Some buildings"),
    ScopeKind.STAIRWELLS: lazy_gettext("Some stairwells"),
    ScopeKind.UNITS: lazy_gettext("Some units"),
}


def category_label(category: str) -> str:
    return str(CATEGORY_NAMES.get(category, category))


def as_text(names: dict) -> dict[str, str]:
    """Labels as plain strings keyed by plain values, for a page script's JSON."""
    return {str(key): str(value) for key, value in names.items()}
