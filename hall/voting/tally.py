"""Deciding a vote from its count: participation, approval, abstentions and silence.

The input is what the database aggregation returns: the weight of the whole electorate and the
weight behind each choice cast. A weight is measured three ways at once, headcount, area and
a custom weight, because Art. 278 counts heads and square metres together.

`decide` applies a rule (hall.voting.rules) and returns a verdict with a reason for every
threshold checked, so that a published result shows exactly why it passed or failed; an owner
may challenge it in court within a year. Arithmetic is exact throughout (Fraction, Decimal
under a context that refuses to round).

A reason is kept as said data (`Reason.said`): which measure, the ratio found and the bar as
percentages and as exact fractions, the comparison and whether it was met, and the option by
its label (or for/against/abstain as a phrase). Each reader sees it in their own language.

Pure: standard library and hall.text only.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

from hall.text import N_, phrase, render
from hall.voting.rules import (
    Abstention,
    Comparison,
    Measure,
    Rule,
    Silence,
    Threshold,
    fraction_text,
)

FOR, AGAINST, ABSTAIN = "for", "against", "abstain"  # the options of a for-or-against vote
PARTICIPATION = "participation"
APPROVAL = "approval"

# Sums of areas must never round: an inexact result raises instead.
_EXACT = decimal.Context(prec=60, traps=[decimal.Inexact, decimal.InvalidOperation])

NO_SILENT_LEADER = N_(
    "No choice led on every measure counted, so the owners who did not vote were added to no side."
)
TIED_WINNERS = N_(
    "Several choices met every approval threshold and tied on every measure, so none won."
)


# What a reason names, as words of its own: the measure and the choices every vote offers.
MEASURE_WORDS = {
    Measure.HEADCOUNT: phrase("measure_headcount", N_("headcount")),
    Measure.AREA: phrase("measure_area", N_("area")),
    Measure.WEIGHT: phrase("measure_weight", N_("weight")),
}
OPTION_WORDS = {
    FOR: phrase("option_for", N_("for")),
    AGAINST: phrase("option_against", N_("against")),
    ABSTAIN: phrase("option_abstain", N_("abstain")),
}
# A reason is one whole sentence, met or not, so that each translates as a whole.
REASONS = {
    (PARTICIPATION, True): phrase(
        "participation_met",
        N_("participation by %(measure)s %(value)s %(operator)s %(threshold)s: met"),
    ),
    (PARTICIPATION, False): phrase(
        "participation_not_met",
        N_("participation by %(measure)s %(value)s %(operator)s %(threshold)s: not met"),
    ),
    (APPROVAL, True): phrase(
        "approval_met",
        N_("approval of %(option)s by %(measure)s %(value)s %(operator)s %(threshold)s: met"),
    ),
    (APPROVAL, False): phrase(
        "approval_not_met",
        N_("approval of %(option)s by %(measure)s %(value)s %(operator)s %(threshold)s: not met"),
    ),
}


class CountError(ValueError):
    """A count that cannot be right: more cast than eligible, or a negative weight."""


@dataclass(frozen=True)
class Weight:
    """How much one group of owners weighs on each measure."""

    headcount: int = 0
    area: Decimal = Decimal(0)
    weight: Decimal = Decimal(0)

    ZERO: ClassVar[Weight]

    def __post_init__(self) -> None:
        if isinstance(self.headcount, bool) or not isinstance(self.headcount, int):
            raise TypeError(f"a headcount is a whole number, not {self.headcount!r}")
        for name in ("area", "weight"):
            value = getattr(self, name)
            if isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, name, Decimal(value))
            elif not isinstance(value, Decimal) or not value.is_finite():
                raise TypeError(f"{name} must be a finite Decimal (never a float), not {value!r}")

    def of(self, measure: Measure) -> Fraction:
        return Fraction(getattr(self, _ATTRIBUTE[Measure(measure)]))

    def __add__(self, other: Weight) -> Weight:
        return Weight(
            self.headcount + other.headcount,
            _EXACT.add(self.area, other.area),
            _EXACT.add(self.weight, other.weight),
        )

    def __sub__(self, other: Weight) -> Weight:
        return Weight(
            self.headcount - other.headcount,
            _EXACT.subtract(self.area, other.area),
            _EXACT.subtract(self.weight, other.weight),
        )

    def is_negative_anywhere(self) -> bool:
        return self.headcount < 0 or self.area < 0 or self.weight < 0

    def ranking_key(self) -> tuple[int, Decimal, Decimal]:
        """Which of two choices is ahead: more owners first, then more area, then more weight."""
        return (self.headcount, self.area, self.weight)


Weight.ZERO = Weight()

_ATTRIBUTE = {Measure.HEADCOUNT: "headcount", Measure.AREA: "area", Measure.WEIGHT: "weight"}


@dataclass(frozen=True)
class Count:
    """What the aggregation returns: the electorate, and the weight behind each choice cast."""

    eligible: Weight  # every owner in the electorate
    by_choice: Mapping[str, Weight]  # each choice cast (ABSTAIN included) -> its weight


@dataclass(frozen=True)
class Reason:
    """One threshold checked: the ratio found, the bar, and whether it was cleared."""

    kind: str  # PARTICIPATION or APPROVAL
    measure: Measure
    choice: str | None  # the choice whose approval was measured; None for participation
    ratio: Fraction
    threshold: Threshold
    met: bool

    def said(self, option: str | dict | None = None) -> dict:
        """The reason as said data. `option` names the choice measured: a plan by its label,
        for/against/abstain by their phrase (the default for those), never by its key."""
        found, bar = percents(self.ratio, self.threshold.fraction)
        params = {
            "measure": MEASURE_WORDS[self.measure](),
            "value": found,
            "threshold": bar,
            "value_exact": fraction_text(self.ratio),
            "threshold_exact": fraction_text(self.threshold.fraction),
            "comparison": self.threshold.comparison.value,
            "operator": _OPERATORS[self.threshold.comparison, self.met],
            "met": self.met,
        }
        if self.choice is not None:
            params["option"] = option if option is not None else option_word(self.choice)
        return REASONS[self.kind, self.met](**params)

    @property
    def text(self) -> str:
        """In English, e.g. "participation by area 71.20% >= 66.67%: met"."""
        return render(self.said())


VOTE_PASSED = phrase("vote_passed", N_("The vote passed: %(reasons)s"))
VOTE_FAILED = phrase("vote_failed", N_("The vote failed: %(reasons)s"))
# Reasons in a row, each joined to the rest, so that the separator is translated too.
REASONS_IN_A_ROW = phrase("reasons_in_a_row", N_("%(reason)s; %(more)s"))


def verdict_said(passed: bool, reasons: Sequence[dict]) -> dict:
    """Why the vote passed or failed, every reason checked in order, as said data."""
    joined = reasons[-1]
    for reason in reversed(reasons[:-1]):
        joined = REASONS_IN_A_ROW(reason=reason, more=joined)
    return (VOTE_PASSED if passed else VOTE_FAILED)(reasons=joined)


def option_word(choice: str) -> str | dict:
    """For, against and abstain as phrases; any other choice as it is given."""
    word = OPTION_WORDS.get(choice)
    return word() if word is not None else choice


# The comparison that actually holds between the ratio found and the bar.
_OPERATORS = {
    (Comparison.AT_LEAST, True): ">=",
    (Comparison.AT_LEAST, False): "<",
    (Comparison.MORE_THAN, True): ">",
    (Comparison.MORE_THAN, False): "<=",
}


def percent(ratio: Fraction, places: int = 2) -> str:
    """A ratio as a percentage, rounded half up exactly: 2/3 -> "66.67%"."""
    scale = 10**places
    rounded = (ratio * 100 * scale * 2 + 1) // 2  # floor(x + 1/2), exact for x >= 0
    whole, rest = divmod(rounded, scale)
    return f"{whole}.{rest:0{places}d}%" if places else f"{whole}%"


def percents(ratio: Fraction, bar: Fraction) -> tuple[str, str]:
    """Both as percentages, with more places when two places would show different numbers alike.

    "66.67% < 66.67%" would read as a contradiction on a published result.
    """
    places = 2
    while ratio != bar and percent(ratio, places) == percent(bar, places) and places < 12:
        places += 1
    return percent(ratio, places), percent(bar, places)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    winner: str | None  # the choice decided; None unless passed
    reasons: tuple[Reason, ...]
    participants: Weight  # the owners who took part (abstainers left out when IGNORED)
    silent: Weight  # eligible - participants, before any of it was added to a side
    silent_added_to: str | None  # the choice the silent weight joined (Silence.MAJORITY_SIDE)
    # The weight counted for each choice, silent weight included where it was added.
    tallies: Mapping[str, Weight] = field(default_factory=dict)
    base: Weight = Weight.ZERO  # what approval was measured against, silent weight included
    notes: tuple[str, ...] = ()  # N_ templates explaining an outcome the reasons do not show


def decide(rule: Rule, count: Count, approvable: Sequence[str]) -> Verdict:
    """The verdict of `rule` on `count`; only the `approvable` choices can win.

    For a for/against/abstain vote `approvable` is ["for"]; for a choice among plans it is the
    plans' keys.
    """
    approvable = tuple(approvable)
    if not approvable or ABSTAIN in approvable or len(set(approvable)) != len(approvable):
        raise ValueError(f"approvable choices must be distinct and not {ABSTAIN!r}: {approvable}")
    ignored = rule.abstention is Abstention.IGNORED
    cast = dict(count.by_choice)
    abstained = cast.get(ABSTAIN, Weight.ZERO)
    participants = sum(cast.values(), Weight.ZERO)
    if ignored:
        participants -= abstained
    silent = count.eligible - participants
    _check(count, silent)

    tallies = {
        choice: weight for choice, weight in cast.items() if not (ignored and choice == ABSTAIN)
    }
    for choice in approvable:
        tallies.setdefault(choice, Weight.ZERO)
    counted = participants
    base = (
        participants - abstained
        if rule.abstention is Abstention.PARTICIPATION_ONLY
        else participants
    )
    notes: list[str] = []

    silent_added_to = None
    if rule.silence is Silence.MAJORITY_SIDE and silent != Weight.ZERO:
        sides = {choice: weight for choice, weight in tallies.items() if choice != ABSTAIN}
        silent_added_to = _strict_leader(sides, rule.measures)
        if silent_added_to is None:
            notes.append(NO_SILENT_LEADER)
        else:
            tallies[silent_added_to] += silent
            counted += silent
            base += silent

    reasons = [
        _reason(PARTICIPATION, None, threshold, counted, count.eligible)
        for threshold in rule.participation
    ]
    participation_met = all(reason.met for reason in reasons)

    qualified = [
        choice
        for choice in approvable
        if all(
            threshold.met(tallies[choice].of(threshold.measure), base.of(threshold.measure))
            for threshold in rule.approval
        )
    ]
    winner = _ahead(qualified, tallies)
    if winner is None and len(qualified) > 1:
        notes.append(TIED_WINNERS)
    # The reasons show the winner's approval, or else that of the choice closest to winning.
    leading = winner or max(approvable, key=lambda choice: tallies[choice].ranking_key())
    reasons += [
        _reason(APPROVAL, leading, threshold, tallies[leading], base) for threshold in rule.approval
    ]

    passed = participation_met and winner is not None
    return Verdict(
        passed=passed,
        winner=winner if passed else None,
        reasons=tuple(reasons),
        participants=participants,
        silent=silent,
        silent_added_to=silent_added_to,
        tallies=tallies,
        base=base,
        notes=tuple(notes),
    )


def _check(count: Count, silent: Weight) -> None:
    if count.eligible.is_negative_anywhere():
        raise CountError(f"the electorate weighs less than nothing: {count.eligible}")
    for choice, weight in count.by_choice.items():
        if weight.is_negative_anywhere():
            raise CountError(f"{choice!r} weighs less than nothing: {weight}")
    if silent.is_negative_anywhere():
        raise CountError(f"more was cast than the electorate holds: {count}")


def _reason(
    kind: str, choice: str | None, threshold: Threshold, part: Weight, whole: Weight
) -> Reason:
    measure = threshold.measure
    total = whole.of(measure)
    ratio = part.of(measure) / total if total else Fraction(0)
    met = threshold.met(part.of(measure), total)
    return Reason(kind, measure, choice, ratio, threshold, met)


def _ahead(choices: Sequence[str], tallies: Mapping[str, Weight]) -> str | None:
    """The choice ranked first, or None when the first two cannot be told apart."""
    ranked = sorted(choices, key=lambda c: tallies[c].ranking_key(), reverse=True)
    if not ranked:
        return None
    if len(ranked) > 1 and tallies[ranked[0]].ranking_key() == tallies[ranked[1]].ranking_key():
        return None
    return ranked[0]


def _strict_leader(sides: Mapping[str, Weight], measures: frozenset[Measure]) -> str | None:
    """The side ahead of every other on every measure the rule counts, if there is one.

    A side leading by heads but not by area is no majority under Art. 278: silence then
    joins no one.
    """
    for choice, weight in sides.items():
        others = [other for name, other in sides.items() if name != choice]
        if all(
            weight.of(measure) > max((other.of(measure) for other in others), default=0)
            for measure in measures
        ):
            return choice
    return None
