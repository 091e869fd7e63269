"""What the voting pages show, made from what the services answer: each household's share
under each plan, the participation meter, the rule and the verdict in words, the table of
every household's amount. Words are looked up here (hall.voting.labels), in the page's
language; what a reader may do is the service's answer (`permissions`), never decided here.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_skeleton
from flask import current_app
from flask_babel import get_locale, gettext

from hall.community.models import Community
from hall.text import is_said, render
from hall.types import utcnow
from hall.voting import ballot_box, refusals, rules
from hall.voting.labels import MEASURE_NAMES, RULE_PRESET_NAMES, option_label
from hall.voting.models import Channel, Vote, VoteState
from hall.voting.tally import percent

MEASURES = (rules.Measure.AREA, rules.Measure.HEADCOUNT, rules.Measure.WEIGHT)
ALWAYS_SHOWN = frozenset({rules.Measure.AREA, rules.Measure.HEADCOUNT})


def yuan(fen: int | None, sign: bool = True) -> str:
    """Whole fen as yuan with two decimals and thousands grouped: 1234567 -> ¥12,345.67
    (without the ¥ where a table's heading says yuan already)."""
    if fen is None:
        return ""
    whole, cents = divmod(abs(fen), 100)
    return f"{'-' if fen < 0 else ''}{'¥' if sign else ''}{whole:,}.{cents:02d}"


def receipt_groups(receipt: str) -> list[str]:
    """A receipt in groups of four, to read out or compare by eye."""
    return [receipt[index : index + 4] for index in range(0, len(receipt), 4)]


# Times ------------------------------------------------------------------------------------------


def zone_of(community: Community) -> ZoneInfo:
    try:
        return ZoneInfo(community.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def moment(value: datetime | None, zone: ZoneInfo) -> str:
    """A moment in the community's time zone with its weekday: "2026年12月4日周五 18:00"."""
    if value is None:
        return ""
    locale = get_locale()
    day = format_skeleton("yMMMEd", value, tzinfo=zone, locale=locale)
    return f"{day} {format_skeleton('Hm', value, tzinfo=zone, locale=locale)}"


def times(vote: Vote, zone: ZoneInfo) -> dict:
    return {
        "opened": moment(vote.opened_at, zone),
        "closes": moment(vote.closes_at, zone),
        "closed": moment(vote.closed_at, zone),
        "zone": zone.key,
    }


# The vote page ----------------------------------------------------------------------------------


def options_of(vote: Vote) -> list[dict]:
    return [
        {"key": option.key, "label": option_label(option), "plan": option.plan is not None}
        for option in vote.options
    ]


def taking_ballots(vote: Vote) -> bool:
    """The ballot box's own rule, asked to say why no buttons show (the closing time passed)."""
    return ballot_box.taking_ballots(vote.state, vote.opens_at, vote.closes_at, utcnow())


def household_view(household, options: list[dict], given) -> dict:
    """One household the reader casts for: its shares, its ballot and receipt, and whether
    its buttons show (the service's answer for that household)."""
    labels = {option["key"]: option["label"] for option in options}
    own = household.proxy is None
    ballot = household.ballot
    unit = household.unit_ids[0] if household.unit_ids else None
    paper = ballot is not None and ballot.channel is Channel.PAPER
    return {
        "label": household.label,
        "own": own,
        "unit": "" if own else str(unit),
        "anchor": "household-own" if own else f"household-{unit}",
        "ballot": ballot,
        "choice": labels.get(ballot.choice, ballot.choice) if ballot else None,
        "paper": paper,
        "pending": paper and not ballot.counted,
        "shares": [
            {"key": option["key"], "label": option["label"], "fen": household.shares[option["key"]]}
            for option in options
            if option["key"] in household.shares
        ],
        "may_cast": household.may_cast,
        "replaces": ballot.receipt if ballot is not None and not paper else "",
        "proxy": household.proxy,
        "given": given if own else None,
    }


def household_to_confirm(households, options: list[dict], choice: str, unit: str):
    """The household a confirmation names, for a choice the vote offers: the reader's own
    (no unit), or one whose proxy they hold, by one of its units."""
    if choice not in {option["key"] for option in options}:
        raise refusals.NO_SUCH_CHOICE()
    for household in households:
        if household.proxy is None and not unit:
            return household
        if household.proxy is not None and unit.isdigit() and int(unit) in household.unit_ids:
            return household
    raise refusals.NOT_IN_ELECTORATE()


def confirmation(household: dict, choice: str, options: list[dict]) -> dict:
    labels = {option["key"]: option["label"] for option in options}
    share = next((s for s in household["shares"] if s["key"] == choice), None)
    return {"choice_label": labels[choice], "share": share}


def percent_of(part: str, whole: str) -> str:
    """part / whole as a percentage with two places, exactly, without the sign."""
    whole_value = Fraction(Decimal(whole))
    if whole_value <= 0:
        return "0.00"
    return percent(Fraction(Decimal(part)) / whole_value).rstrip("%")


def meter(standing: dict, rule: rules.Rule) -> list[dict]:
    """Participation by each measure the vote counts, against its threshold if it has one."""
    if not standing:
        return []
    shown = ALWAYS_SHOWN | set(rule.measures)
    reasons = {reason["measure"]: reason for reason in standing.get("participation", [])}
    rows = []
    for measure in MEASURES:
        if measure not in shown:
            continue
        part = standing["participants"][measure]
        whole = standing["eligible"][measure]
        reason = reasons.get(measure)
        rows.append(
            {
                "measure": measure.value,
                "label": MEASURE_NAMES[measure],
                "part": part,
                "whole": whole,
                "percent": reason["ratio"] if reason else percent_of(part, whole),
                "threshold": reason["threshold"] if reason else None,
                "comparison": reason["comparison"] if reason else None,
                "met": reason["met"] if reason else None,
            }
        )
    return rows


def totals(standing: dict, options: list[dict]) -> list[dict] | None:
    """Each option's headcount and area, where results are shown."""
    if "options" not in standing:
        return None
    return [
        {**option, **standing["options"].get(option["key"], {"headcount": 0, "area": "0"})}
        for option in options
    ]


def approval(standing: dict, options: list[dict]) -> list[dict]:
    """How the leading choice stands against each approval threshold, where results are shown."""
    labels = {option["key"]: option["label"] for option in options}
    return [
        {
            **reason,
            "label": MEASURE_NAMES.get(reason["measure"], reason["measure"]),
            "choice_label": labels.get(reason["choice"], reason["choice"]),
        }
        for reason in standing.get("approval", [])
    ]


def said(data) -> str:
    """A reason kept as said data, in the page's language; a person's own words as they are."""
    return render(data, gettext) if is_said(data) else str(data or "")


def verdict(vote: Vote) -> list[str]:
    """Why a closed vote passed or failed: each threshold checked, in words."""
    if vote.state is not VoteState.CLOSED or not vote.result:
        return []
    return [said(reason["said"]) for reason in vote.result.get("reasons", ()) if "said" in reason]


def rule_in_words(rule: rules.Rule) -> dict:
    sentences = rules.describe(rule, gettext)
    return {"sentences": sentences, "preset": RULE_PRESET_NAMES.get(rule.preset)}


def presets_in_words() -> list[tuple[str, list[str]]]:
    """What each preset the set-up page offers requires, in words."""
    return [
        (label, rules.describe(rules.PRESETS[name], gettext))
        for name, label in RULE_PRESET_NAMES.items()
    ]


def pending_paper(pending, options: list[dict], recorders: dict[int, str], mine) -> list[dict]:
    """The paper sheets awaiting a second member; `mine(ballot)` says whether the reader may
    confirm one (the service's answer: never its recorder)."""
    labels = {option["key"]: option["label"] for option in options}
    return [
        {
            "ballot": ballot,
            "household": ballot.household.label,
            "choice": labels.get(ballot.choice, ballot.choice),
            "recorder": recorders.get(ballot.cast_by_id, ""),
            "confirms": mine(ballot),
        }
        for ballot in pending
    ]


# Every household's amount -----------------------------------------------------------------------


def shares_table(table: dict, households) -> dict:
    return {
        "plans": [{"key": option.key, "label": option_label(option)} for option in table["plans"]],
        "rows": table["rows"],
        "mine": {unit for household in households for unit in household.unit_ids},
    }
