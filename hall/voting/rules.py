"""The rule a vote is decided by, as data (Civil Code Art. 278; docs/domain.md).

A rule is two lists of thresholds: participation, measured over every eligible owner, and
approval, measured over those who took part. Each threshold counts one measure (headcount, area,
or a custom weight such as an ownership share abroad) against an exact fraction, inclusively
("以上", at least) or strictly ("过半数", more than). How abstentions and silent owners count is
part of the rule too, because communities settle it in their own rules.

Rules arrive as untrusted JSON-ish data: `rule_from_data` checks every field and names the bad
one in a `RuleError` ("approval.0.fraction"). Fractions stay `Fraction`s from end to end: a
boundary such as exactly 2/3 must never depend on float rounding.

Each refusal is defined here with a stable code ("rule_not_a_fraction") and an English template
marked with `N_`; the service raises it naming the field of the request it came in. The
descriptions are templates too; a page translates the template first and fills it afterwards
(`describe(rule, gettext)`).

Pure: standard library and the kernel (hall.errors, hall.text) only.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from hall.errors import HallError, Refusal, invalid
from hall.text import N_, untranslated


class Measure(enum.StrEnum):
    HEADCOUNT = "headcount"
    AREA = "area"
    WEIGHT = "weight"  # a custom per-unit weight, such as an ownership share abroad


class Comparison(enum.StrEnum):
    AT_LEAST = "at_least"  # >=, "以上"
    MORE_THAN = "more_than"  # >, "过半数"


class Abstention(enum.StrEnum):
    # Abstainers took part and stay in the approval base: an abstention weighs like "not for".
    PARTICIPATES = "participates"
    # Abstainers took part, but approval is counted among the others only.
    PARTICIPATION_ONLY = "participation_only"
    # Abstainers count as if they had stayed silent.
    IGNORED = "ignored"


class Silence(enum.StrEnum):
    NOT_COUNTED = "not_counted"
    # Silent owners join the side most voters chose, where the community's rules allow it.
    MAJORITY_SIDE = "majority_side"


MAJOR_MATTER = "major_matter"
ORDINARY_MATTER = "ordinary_matter"
SIMPLE_MAJORITY = "simple_majority"
CUSTOM = "custom"
PRESET_NAMES = (MAJOR_MATTER, ORDINARY_MATTER, SIMPLE_MAJORITY, CUSTOM)

# Refusals. No parameters: the field path says where, the message says what is wrong.
NOT_AN_OBJECT = invalid("rule_not_an_object", N_("Give an object with named fields."))
UNKNOWN_FIELD = invalid("rule_unknown_field", N_("This field is not part of a rule."))
REQUIRED = invalid("rule_field_required", N_("This field is required."))
UNKNOWN_PRESET = invalid("rule_unknown_preset", N_("Choose one of the rules offered."))
UNKNOWN_MEASURE = invalid(
    "rule_unknown_measure", N_("Choose what is counted: the owners, their area or a weight.")
)
UNKNOWN_COMPARISON = invalid(
    "rule_unknown_comparison", N_("Choose whether the bar is reached at it or only above it.")
)
UNKNOWN_ABSTENTION = invalid("rule_unknown_abstention", N_("Choose how abstentions count."))
UNKNOWN_SILENCE = invalid(
    "rule_unknown_silence", N_("Choose how the owners who do not vote count.")
)
NOT_A_LIST = invalid("rule_not_a_list", N_("Give a list of thresholds."))
NOT_A_THRESHOLD = invalid(
    "rule_not_a_threshold",
    N_("Give a threshold: an object with a measure, a fraction and a comparison."),
)
FLOAT_FRACTION = invalid(
    "rule_float_fraction",
    N_('Give the fraction as text, such as "2/3", "0.75" or "75%", to keep it exact.'),
)
NOT_A_FRACTION = invalid("rule_not_a_fraction", N_("Give a fraction such as 2/3, 0.75 or 75%."))
ZERO_DENOMINATOR = invalid(
    "rule_zero_denominator", N_("A fraction cannot have a denominator of zero.")
)
OUT_OF_RANGE = invalid("rule_fraction_out_of_range", N_("A fraction must be between 0 and 1."))
NEVER_MET = invalid(
    "rule_never_met", N_("More than the whole can never be reached: use at least 1 for unanimity.")
)
DUPLICATE_MEASURE = invalid(
    "rule_duplicate_measure", N_("Each measure may appear only once in a list of thresholds.")
)
NO_APPROVAL = invalid("rule_no_approval", N_("A rule needs at least one approval threshold."))
PRESET_FIXED = invalid(
    "rule_preset_fixed",
    N_("A preset's thresholds are fixed: choose the custom preset to set your own."),
)


class RuleError(ValueError):
    """Why a rule was refused: `field` is the dotted path of the bad part of the rule data,
    `refusal` what is wrong with it."""

    def __init__(self, field: str, refusal: Refusal):
        self.field = field
        self.refusal = refusal
        self.message = refusal.render(untranslated)  # in English, for logs and tests
        super().__init__(f"{field}: {self.message}" if field else self.message)

    @property
    def code(self) -> str:
        return self.refusal.code

    def under(self, prefix: str) -> RuleError:
        """The same refusal, its field moved under `prefix` (a threshold inside its list)."""
        return RuleError(f"{prefix}.{self.field}" if self.field else prefix, self.refusal)

    def refused(self, *, under: str) -> HallError:
        """The refusal to raise for a request that holds the rule at `under` ("rule")."""
        moved = self.under(under)
        return moved.refusal(fields=[moved.field])


def exact(value: int | Decimal | Fraction) -> Fraction:
    """A count or an area as an exact Fraction; floats are refused, they would round."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | Fraction):
        raise TypeError(f"an exact number is needed (int, Decimal or Fraction), not {value!r}")
    return Fraction(value)


@dataclass(frozen=True)
class Threshold:
    measure: Measure
    fraction: Fraction
    comparison: Comparison

    def __post_init__(self) -> None:
        object.__setattr__(self, "measure", _member(Measure, self.measure, "measure"))
        object.__setattr__(self, "comparison", _member(Comparison, self.comparison, "comparison"))
        if isinstance(self.fraction, bool) or not isinstance(self.fraction, int | Fraction):
            raise RuleError("fraction", NOT_A_FRACTION)
        fraction = Fraction(self.fraction)
        if not 0 <= fraction <= 1:
            raise RuleError("fraction", OUT_OF_RANGE)
        if self.comparison is Comparison.MORE_THAN and fraction == 1:
            raise RuleError("fraction", NEVER_MET)
        object.__setattr__(self, "fraction", fraction)

    def holds(self, ratio: Fraction) -> bool:
        if self.comparison is Comparison.AT_LEAST:
            return ratio >= self.fraction
        return ratio > self.fraction

    def met(self, part: int | Decimal | Fraction, whole: int | Decimal | Fraction) -> bool:
        """Whether `part` of `whole` reaches the threshold; nothing to count is never enough."""
        whole = exact(whole)
        if whole <= 0:
            return False
        return self.holds(exact(part) / whole)


def _member(kind: type[enum.StrEnum], value: object, field: str) -> enum.StrEnum:
    try:
        return kind(value)
    except ValueError:
        raise RuleError(field, _UNKNOWN_MEMBER[kind]) from None


_UNKNOWN_MEMBER: dict[type, Refusal] = {
    Measure: UNKNOWN_MEASURE,
    Comparison: UNKNOWN_COMPARISON,
    Abstention: UNKNOWN_ABSTENTION,
    Silence: UNKNOWN_SILENCE,
}


def _both(measure: Measure, fraction: Fraction, comparison: Comparison) -> tuple[Threshold, ...]:
    return tuple(Threshold(m, fraction, comparison) for m in (Measure.AREA, measure))


_TWO_THIRDS_OF_ALL = _both(Measure.HEADCOUNT, Fraction(2, 3), Comparison.AT_LEAST)

# The preset thresholds; a rule naming a preset must carry exactly these.
_PRESET_THRESHOLDS: dict[str, tuple[tuple[Threshold, ...], tuple[Threshold, ...]]] = {
    MAJOR_MATTER: (
        _TWO_THIRDS_OF_ALL,
        _both(Measure.HEADCOUNT, Fraction(3, 4), Comparison.AT_LEAST),
    ),
    ORDINARY_MATTER: (
        _TWO_THIRDS_OF_ALL,
        _both(Measure.HEADCOUNT, Fraction(1, 2), Comparison.MORE_THAN),
    ),
    SIMPLE_MAJORITY: (
        (),
        (Threshold(Measure.HEADCOUNT, Fraction(1, 2), Comparison.MORE_THAN),),
    ),
}


@dataclass(frozen=True)
class Rule:
    preset: str  # one of PRESET_NAMES
    participation: tuple[Threshold, ...]  # over every eligible owner
    approval: tuple[Threshold, ...]  # over the participants (the base per `abstention`)
    abstention: Abstention
    silence: Silence

    def __post_init__(self) -> None:
        if self.preset not in PRESET_NAMES:
            raise RuleError("preset", UNKNOWN_PRESET)
        object.__setattr__(self, "participation", tuple(self.participation))
        object.__setattr__(self, "approval", tuple(self.approval))
        object.__setattr__(self, "abstention", _member(Abstention, self.abstention, "abstention"))
        object.__setattr__(self, "silence", _member(Silence, self.silence, "silence"))
        for name in ("participation", "approval"):
            _check_thresholds(getattr(self, name), name)
        if not self.approval:
            raise RuleError("approval", NO_APPROVAL)
        if self.preset in _PRESET_THRESHOLDS:
            participation, approval = _PRESET_THRESHOLDS[self.preset]
            if self.participation != participation:
                raise RuleError("participation", PRESET_FIXED)
            if self.approval != approval:
                raise RuleError("approval", PRESET_FIXED)

    @property
    def measures(self) -> frozenset[Measure]:
        return frozenset(t.measure for t in self.participation + self.approval)


def _check_thresholds(thresholds: Iterable[object], name: str) -> None:
    seen: set[Measure] = set()
    for index, threshold in enumerate(thresholds):
        if not isinstance(threshold, Threshold):
            raise RuleError(f"{name}.{index}", NOT_A_THRESHOLD)
        if threshold.measure in seen:
            raise RuleError(f"{name}.{index}.measure", DUPLICATE_MEASURE)
        seen.add(threshold.measure)


def _preset(name: str, abstention: Abstention) -> Rule:
    participation, approval = _PRESET_THRESHOLDS[name]
    return Rule(name, participation, approval, abstention, Silence.NOT_COUNTED)


PRESETS: dict[str, Rule] = {
    MAJOR_MATTER: _preset(MAJOR_MATTER, Abstention.PARTICIPATES),
    ORDINARY_MATTER: _preset(ORDINARY_MATTER, Abstention.PARTICIPATES),
    # Votes cast decide: an abstainer neither raises nor lowers the bar.
    SIMPLE_MAJORITY: _preset(SIMPLE_MAJORITY, Abstention.IGNORED),
}


# Reading and writing rule data ----------------------------------------------------------------

# What a custom rule leaves unsaid is what the Civil Code presets say.
CUSTOM_DEFAULT_ABSTENTION = Abstention.PARTICIPATES
CUSTOM_DEFAULT_SILENCE = Silence.NOT_COUNTED
RULE_FIELDS = frozenset({"preset", "participation", "approval", "abstention", "silence"})
THRESHOLD_FIELDS = ("measure", "fraction", "comparison")

# Bounded, so that garbage cannot make a number of a million digits.
_RATIO = re.compile(r"(?P<numerator>[+-]?\d{1,18})\s*/\s*(?P<denominator>[+-]?\d{1,18})")
_DECIMAL = re.compile(r"(?P<number>[+-]?\d{1,18}(?:\.\d{1,18})?)\s*(?P<percent>%?)")


def parse_fraction(value: object, field: str) -> Fraction:
    """An exact fraction from "2/3", "0.75", "75%", "1" or a JSON integer."""
    if isinstance(value, float):
        raise RuleError(field, FLOAT_FRACTION)
    if isinstance(value, bool):
        raise RuleError(field, NOT_A_FRACTION)
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if not isinstance(value, str):
        raise RuleError(field, NOT_A_FRACTION)
    text = value.strip()
    if ratio := _RATIO.fullmatch(text):
        denominator = int(ratio["denominator"])
        if denominator == 0:
            raise RuleError(field, ZERO_DENOMINATOR)
        return Fraction(int(ratio["numerator"]), denominator)
    if number := _DECIMAL.fullmatch(text):
        fraction = Fraction(Decimal(number["number"]))
        return fraction / 100 if number["percent"] else fraction
    raise RuleError(field, NOT_A_FRACTION)


def rule_from_data(data: Mapping) -> Rule:
    """A rule from untrusted data: a preset by name, or a custom rule spelt out in full.

    `{"preset": "major_matter"}` takes the preset as it is; "abstention" and "silence" may
    override its policies. A named preset's thresholds may be given too (rule_to_data writes
    them, so that a stored rule reads on its own), but only as the preset has them.
    """
    if not isinstance(data, Mapping):
        raise RuleError("", NOT_AN_OBJECT)
    for key in data:
        if key not in RULE_FIELDS:
            raise RuleError(str(key), UNKNOWN_FIELD)
    if "preset" not in data:
        raise RuleError("preset", REQUIRED)
    preset = data["preset"]
    if not isinstance(preset, str) or preset not in PRESET_NAMES:
        raise RuleError("preset", UNKNOWN_PRESET)
    if preset == CUSTOM:
        if "approval" not in data:
            raise RuleError("approval", REQUIRED)
        participation, approval = (), ()
        abstention, silence = CUSTOM_DEFAULT_ABSTENTION, CUSTOM_DEFAULT_SILENCE
    else:
        base = PRESETS[preset]
        participation, approval = base.participation, base.approval
        abstention, silence = base.abstention, base.silence
    if "participation" in data:
        participation = _thresholds_from_data(data["participation"], "participation")
    if "approval" in data:
        approval = _thresholds_from_data(data["approval"], "approval")
    if "abstention" in data:
        abstention = _member(Abstention, data["abstention"], "abstention")
    if "silence" in data:
        silence = _member(Silence, data["silence"], "silence")
    return Rule(preset, participation, approval, abstention, silence)


def _thresholds_from_data(items: object, name: str) -> tuple[Threshold, ...]:
    if isinstance(items, str | bytes | Mapping) or not isinstance(items, list | tuple):
        raise RuleError(name, NOT_A_LIST)
    thresholds: list[Threshold] = []
    for index, item in enumerate(items):
        threshold = _threshold_from_data(item, f"{name}.{index}")
        if any(t.measure is threshold.measure for t in thresholds):
            raise RuleError(f"{name}.{index}.measure", DUPLICATE_MEASURE)
        thresholds.append(threshold)
    return tuple(thresholds)


def _threshold_from_data(item: object, path: str) -> Threshold:
    if not isinstance(item, Mapping):
        raise RuleError(path, NOT_A_THRESHOLD)
    for key in item:
        if key not in THRESHOLD_FIELDS:
            raise RuleError(f"{path}.{key}", UNKNOWN_FIELD)
    for key in THRESHOLD_FIELDS:
        if key not in item:
            raise RuleError(f"{path}.{key}", REQUIRED)
    measure = _member(Measure, item["measure"], f"{path}.measure")
    fraction = parse_fraction(item["fraction"], f"{path}.fraction")
    comparison = _member(Comparison, item["comparison"], f"{path}.comparison")
    try:
        return Threshold(measure, fraction, comparison)
    except RuleError as error:
        raise error.under(path) from None


def rule_to_data(rule: Rule) -> dict:
    """The rule as JSON-ready data, complete, so that a stored vote reads without the presets."""
    return {
        "preset": rule.preset,
        "participation": [_threshold_to_data(t) for t in rule.participation],
        "approval": [_threshold_to_data(t) for t in rule.approval],
        "abstention": str(rule.abstention),
        "silence": str(rule.silence),
    }


def _threshold_to_data(threshold: Threshold) -> dict:
    return {
        "measure": str(threshold.measure),
        "fraction": str(threshold.fraction),
        "comparison": str(threshold.comparison),
    }


# Describing a rule in words -------------------------------------------------------------------

# Whole sentences, never pieces joined together, so that each translates as a whole.
PARTICIPATION_AREA_AND_HEADCOUNT = {
    Comparison.AT_LEAST: N_(
        "At least %(fraction)s of all owners' area and at least %(fraction)s of all owners "
        "must take part."
    ),
    Comparison.MORE_THAN: N_(
        "More than %(fraction)s of all owners' area and more than %(fraction)s of all owners "
        "must take part."
    ),
}
PARTICIPATION = {
    (Comparison.AT_LEAST, Measure.AREA): N_(
        "At least %(fraction)s of all owners' area must take part."
    ),
    (Comparison.AT_LEAST, Measure.HEADCOUNT): N_(
        "At least %(fraction)s of all owners must take part."
    ),
    (Comparison.AT_LEAST, Measure.WEIGHT): N_(
        "At least %(fraction)s of all ownership shares must take part."
    ),
    (Comparison.MORE_THAN, Measure.AREA): N_(
        "More than %(fraction)s of all owners' area must take part."
    ),
    (Comparison.MORE_THAN, Measure.HEADCOUNT): N_(
        "More than %(fraction)s of all owners must take part."
    ),
    (Comparison.MORE_THAN, Measure.WEIGHT): N_(
        "More than %(fraction)s of all ownership shares must take part."
    ),
}
NO_PARTICIPATION = N_("No minimum participation is required.")
APPROVAL_AREA_AND_HEADCOUNT = {
    Comparison.AT_LEAST: N_(
        "At least %(fraction)s of the participating owners' area and at least %(fraction)s of "
        "the participating owners must approve."
    ),
    Comparison.MORE_THAN: N_(
        "More than %(fraction)s of the participating owners' area and more than %(fraction)s of "
        "the participating owners must approve."
    ),
}
APPROVAL = {
    (Comparison.AT_LEAST, Measure.AREA): N_(
        "At least %(fraction)s of the participating owners' area must approve."
    ),
    (Comparison.AT_LEAST, Measure.HEADCOUNT): N_(
        "At least %(fraction)s of the participating owners must approve."
    ),
    (Comparison.AT_LEAST, Measure.WEIGHT): N_(
        "At least %(fraction)s of the participating ownership shares must approve."
    ),
    (Comparison.MORE_THAN, Measure.AREA): N_(
        "More than %(fraction)s of the participating owners' area must approve."
    ),
    (Comparison.MORE_THAN, Measure.HEADCOUNT): N_(
        "More than %(fraction)s of the participating owners must approve."
    ),
    (Comparison.MORE_THAN, Measure.WEIGHT): N_(
        "More than %(fraction)s of the participating ownership shares must approve."
    ),
}
ABSTENTION = {
    Abstention.PARTICIPATES: N_(
        "Owners who abstain take part, and their abstention counts as not approving."
    ),
    Abstention.PARTICIPATION_ONLY: N_(
        "Owners who abstain take part, but approval is counted among the other participants."
    ),
    Abstention.IGNORED: N_("Abstentions are not counted, as if the owner had not voted."),
}
SILENCE = {
    Silence.NOT_COUNTED: N_("Owners who do not vote are not counted as taking part."),
    Silence.MAJORITY_SIDE: N_(
        "Owners who do not vote are added to the side most voters chose, if that side leads "
        "on every measure counted."
    ),
}


def describe(rule: Rule, translate: Callable[[str], str] | None = None) -> list[str]:
    """The rule in plain words, one sentence per line; `translate` (gettext) goes first."""
    sentences = _threshold_sentences(
        rule.participation, PARTICIPATION_AREA_AND_HEADCOUNT, PARTICIPATION
    )
    if not sentences:
        sentences = [(NO_PARTICIPATION, {})]
    sentences += _threshold_sentences(rule.approval, APPROVAL_AREA_AND_HEADCOUNT, APPROVAL)
    sentences += [(ABSTENTION[rule.abstention], {}), (SILENCE[rule.silence], {})]
    translate = translate or (lambda message: message)
    return [translate(template) % params for template, params in sentences]


def _threshold_sentences(
    thresholds: tuple[Threshold, ...],
    area_and_headcount: Mapping[Comparison, str],
    single: Mapping[tuple[Comparison, Measure], str],
) -> list[tuple[str, dict]]:
    if len(thresholds) == 2:
        first, second = thresholds
        # Art. 278's usual pair, the same bar on area and on headcount, reads as one sentence.
        if (
            {first.measure, second.measure} == {Measure.AREA, Measure.HEADCOUNT}
            and first.fraction == second.fraction
            and first.comparison is second.comparison
        ):
            template = area_and_headcount[first.comparison]
            return [(template, {"fraction": fraction_text(first.fraction)})]
    return [
        (single[t.comparison, t.measure], {"fraction": fraction_text(t.fraction)})
        for t in thresholds
    ]


def fraction_text(fraction: Fraction) -> str:
    """A fraction as written in a rule: "2/3", "1/2", and "1/1" rather than a bare "1"."""
    return f"{fraction.numerator}/{fraction.denominator}"
