"""The words the voting pages use for the stage's enums, keyed by the enums, translated when
shown. A plan's option is shown by the plan's own name, which nobody translates."""

from __future__ import annotations

from flask_babel import lazy_gettext

from hall.voting import rules
from hall.voting.costshare import Base
from hall.voting.models import Channel, VoteKind, VoteState
from hall.voting.service import AGAINST, FOR, IfFailed
from hall.voting.tally import ABSTAIN

VOTE_STATE_NAMES = {
    VoteState.SCHEDULED: lazy_gettext("Not open yet"),
    VoteState.OPEN: lazy_gettext("Open for ballots"),
    VoteState.CLOSED: lazy_gettext("Voting closed"),
}

VOTE_KIND_NAMES = {
    VoteKind.APPROVAL: lazy_gettext("For or against"),
    VoteKind.PLANS: lazy_gettext("A choice between plans"),
}

# The fixed options of a vote.
OPTION_NAMES = {
    FOR: lazy_gettext("For"),
    AGAINST: lazy_gettext("Against"),
    ABSTAIN: lazy_gettext("Abstain"),
}

# The presets the set-up page offers; a custom rule is set up through the API.
RULE_PRESET_NAMES = {
    rules.MAJOR_MATTER: lazy_gettext(
        "Major matter (Civil Code Art. 278): an elevator, maintenance funds, rebuilding"
    ),
    rules.ORDINARY_MATTER: lazy_gettext("Other joint matter (Civil Code Art. 278)"),
    rules.SIMPLE_MAJORITY: lazy_gettext("Simple majority of the owners who vote"),
}

SILENCE_NAMES = {
    rules.Silence.NOT_COUNTED: lazy_gettext("Owners who do not vote are not counted"),
    rules.Silence.MAJORITY_SIDE: lazy_gettext(
        "Owners who do not vote join the side most voters chose (only where the community's "
        "own rules say so and every owner was given the ballot)"
    ),
}

MEASURE_NAMES = {
    rules.Measure.AREA: lazy_gettext("By floor area"),
    rules.Measure.HEADCOUNT: lazy_gettext("By number of owners"),
    rules.Measure.WEIGHT: lazy_gettext("By ownership shares"),
}

COST_BASE_NAMES = {
    Base.AREA: lazy_gettext("By each flat's floor area"),
    Base.HOUSEHOLD: lazy_gettext("Equally by household"),
}

IF_FAILED_NAMES = {
    IfFailed.DELIBERATION: lazy_gettext("Back to deliberation, for a better proposal"),
    IfFailed.CLOSED: lazy_gettext("Close the issue"),
}

CHANNEL_NAMES = {
    Channel.ONLINE: lazy_gettext("online"),
    Channel.PROXY: lazy_gettext("by proxy"),
    Channel.PAPER: lazy_gettext("on paper"),
}


def option_label(option) -> str:
    """A vote option's name: for / against / abstain translated, a plan by its own name."""
    if option.key in OPTION_NAMES:
        return str(OPTION_NAMES[option.key])
    return option.label
