import dataclasses
import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall.voting import rules
from hall.voting.rules import (
    PRESETS,
    Abstention,
    Comparison,
    Measure,
    Rule,
    RuleError,
    Silence,
    Threshold,
    describe,
    rule_from_data,
    rule_to_data,
)

AREA, HEADCOUNT, WEIGHT = Measure.AREA, Measure.HEADCOUNT, Measure.WEIGHT
AT_LEAST, MORE_THAN = Comparison.AT_LEAST, Comparison.MORE_THAN


def threshold_data(measure="area", fraction="2/3", comparison="at_least", **extra):
    return {"measure": measure, "fraction": fraction, "comparison": comparison, **extra}


def custom(approval=None, **fields):
    data = {"preset": "custom", "approval": [threshold_data()] if approval is None else approval}
    return {**data, **fields}


# Presets ---------------------------------------------------------------------------------------


def test_major_matter_is_two_thirds_taking_part_and_three_quarters_approving_on_both_measures():
    rule = PRESETS["major_matter"]
    assert rule.participation == (
        Threshold(AREA, Fraction(2, 3), AT_LEAST),
        Threshold(HEADCOUNT, Fraction(2, 3), AT_LEAST),
    )
    assert rule.approval == (
        Threshold(AREA, Fraction(3, 4), AT_LEAST),
        Threshold(HEADCOUNT, Fraction(3, 4), AT_LEAST),
    )
    assert (rule.abstention, rule.silence) == (Abstention.PARTICIPATES, Silence.NOT_COUNTED)
    assert rule.measures == {AREA, HEADCOUNT}


def test_ordinary_matter_needs_more_than_half_of_participants_on_both_measures():
    rule = PRESETS["ordinary_matter"]
    assert rule.participation == PRESETS["major_matter"].participation
    assert rule.approval == (
        Threshold(AREA, Fraction(1, 2), MORE_THAN),
        Threshold(HEADCOUNT, Fraction(1, 2), MORE_THAN),
    )
    assert rule.abstention is Abstention.PARTICIPATES


def test_simple_majority_counts_heads_of_votes_cast_only():
    rule = PRESETS["simple_majority"]
    assert rule.participation == ()
    assert rule.approval == (Threshold(HEADCOUNT, Fraction(1, 2), MORE_THAN),)
    assert rule.abstention is Abstention.IGNORED
    assert rule.measures == {HEADCOUNT}


# Thresholds at their boundaries ----------------------------------------------------------------


def test_exactly_two_thirds_meets_an_inclusive_two_thirds_and_one_less_does_not():
    two_thirds = Threshold(HEADCOUNT, Fraction(2, 3), AT_LEAST)
    assert two_thirds.met(200, 300)
    assert not two_thirds.met(199, 300)


def test_exactly_half_fails_a_strict_half_and_one_more_passes():
    half = Threshold(HEADCOUNT, Fraction(1, 2), MORE_THAN)
    assert not half.met(50, 100)
    assert half.met(51, 100)


def test_area_boundaries_hold_to_the_hundredth_of_a_square_metre():
    two_thirds = Threshold(AREA, Fraction(2, 3), AT_LEAST)
    assert two_thirds.met(Decimal("8006.14"), Decimal("12009.21"))
    assert not two_thirds.met(Decimal("8006.13"), Decimal("12009.21"))
    half = Threshold(AREA, Fraction(1, 2), MORE_THAN)
    assert not half.met(Decimal("4500.25"), Decimal("9000.50"))
    assert half.met(Decimal("4500.26"), Decimal("9000.50"))


def test_nothing_to_count_never_meets_a_threshold_even_a_zero_one():
    assert not Threshold(AREA, Fraction(0), AT_LEAST).met(0, 0)
    assert not Threshold(AREA, Fraction(1, 2), MORE_THAN).met(Decimal(0), Decimal(0))


def test_floats_are_refused_rather_than_rounded():
    with pytest.raises(TypeError):
        Threshold(AREA, Fraction(2, 3), AT_LEAST).met(2.0, 3)


@given(
    st.integers(1, 60).flatmap(lambda q: st.tuples(st.integers(0, q), st.just(q))),
    st.integers(1, 1000),
)
def test_thresholds_are_exact_at_their_boundary(p_q, scale):
    p, q = p_q
    fraction = Fraction(p, q)
    part, whole = p * scale, q * scale
    assert Threshold(HEADCOUNT, fraction, AT_LEAST).met(part, whole)
    if p > 0:
        assert not Threshold(HEADCOUNT, fraction, AT_LEAST).met(part - 1, whole)
    # The same boundary in square metres with two decimals.
    area_part, area_whole = Decimal(part) / 100, Decimal(whole) / 100
    assert Threshold(AREA, fraction, AT_LEAST).met(area_part, area_whole)
    if p < q:
        assert not Threshold(AREA, fraction, MORE_THAN).met(area_part, area_whole)
        assert Threshold(AREA, fraction, MORE_THAN).met(area_part + Decimal("0.01"), area_whole)


# Reading rule data -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["major_matter", "ordinary_matter", "simple_majority"])
def test_a_preset_by_name_alone_is_the_preset(name):
    assert rule_from_data({"preset": name}) == PRESETS[name]


def test_a_preset_may_override_its_abstention_and_silence_policies():
    rule = rule_from_data(
        {"preset": "ordinary_matter", "silence": "majority_side", "abstention": "ignored"}
    )
    assert rule.silence is Silence.MAJORITY_SIDE
    assert rule.abstention is Abstention.IGNORED
    assert rule.approval == PRESETS["ordinary_matter"].approval


def test_a_custom_rule_reads_every_threshold_and_policy():
    rule = rule_from_data(
        {
            "preset": "custom",
            "participation": [threshold_data("weight", "20%")],
            "approval": [
                threshold_data("weight", "1/2", "more_than"),
                threshold_data("headcount", "0.75"),
            ],
            "abstention": "participation_only",
            "silence": "majority_side",
        }
    )
    assert rule == Rule(
        "custom",
        (Threshold(WEIGHT, Fraction(1, 5), AT_LEAST),),
        (
            Threshold(WEIGHT, Fraction(1, 2), MORE_THAN),
            Threshold(HEADCOUNT, Fraction(3, 4), AT_LEAST),
        ),
        Abstention.PARTICIPATION_ONLY,
        Silence.MAJORITY_SIDE,
    )
    assert rule.measures == {WEIGHT, HEADCOUNT}


def test_a_custom_rule_leaves_participation_open_and_policies_as_the_presets_have_them():
    rule = rule_from_data(custom())
    assert rule.participation == ()
    assert (rule.abstention, rule.silence) == (Abstention.PARTICIPATES, Silence.NOT_COUNTED)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2/3", Fraction(2, 3)),
        (" 2 / 3 ", Fraction(2, 3)),
        ("0.75", Fraction(3, 4)),
        ("75%", Fraction(3, 4)),
        ("66.5%", Fraction(133, 200)),
        ("1", Fraction(1)),
        (1, Fraction(1)),
        (0, Fraction(0)),
        ("0", Fraction(0)),
    ],
)
def test_fractions_are_read_exactly_in_every_accepted_spelling(text, expected):
    rule = rule_from_data(custom([threshold_data(fraction=text)]))
    assert rule.approval[0].fraction == expected


def test_a_named_preset_may_carry_its_own_thresholds_as_rule_to_data_writes_them():
    data = rule_to_data(PRESETS["major_matter"])
    assert data["participation"][0] == threshold_data("area", "2/3")
    assert rule_from_data(data) == PRESETS["major_matter"]


REFUSALS = [
    ("not an object", "", rules.NOT_AN_OBJECT),
    ({}, "preset", rules.REQUIRED),
    ({"preset": "unanimity"}, "preset", rules.UNKNOWN_PRESET),
    ({"preset": 3}, "preset", rules.UNKNOWN_PRESET),
    ({"preset": "major_matter", "colour": "red"}, "colour", rules.UNKNOWN_FIELD),
    ({"preset": "major_matter", "silence": "loud"}, "silence", rules.UNKNOWN_SILENCE),
    ({"preset": "major_matter", "abstention": None}, "abstention", rules.UNKNOWN_ABSTENTION),
    ({"preset": "custom"}, "approval", rules.REQUIRED),
    (custom([]), "approval", rules.NO_APPROVAL),
    (custom("area"), "approval", rules.NOT_A_LIST),
    (custom({"measure": "area"}), "approval", rules.NOT_A_LIST),
    (custom(["area"]), "approval.0", rules.NOT_A_THRESHOLD),
    (custom(participation=7), "participation", rules.NOT_A_LIST),
    (custom([threshold_data(measure="volume")]), "approval.0.measure", rules.UNKNOWN_MEASURE),
    (
        custom([threshold_data(comparison="about")]),
        "approval.0.comparison",
        rules.UNKNOWN_COMPARISON,
    ),
    (custom([threshold_data(colour="red")]), "approval.0.colour", rules.UNKNOWN_FIELD),
    (
        custom([{"measure": "area", "comparison": "at_least"}]),
        "approval.0.fraction",
        rules.REQUIRED,
    ),
    (custom([threshold_data(fraction=0.75)]), "approval.0.fraction", rules.FLOAT_FRACTION),
    (custom([threshold_data(fraction="3/2")]), "approval.0.fraction", rules.OUT_OF_RANGE),
    (custom([threshold_data(fraction="-1/3")]), "approval.0.fraction", rules.OUT_OF_RANGE),
    (custom([threshold_data(fraction=-1)]), "approval.0.fraction", rules.OUT_OF_RANGE),
    (custom([threshold_data(fraction="101%")]), "approval.0.fraction", rules.OUT_OF_RANGE),
    (custom([threshold_data(fraction=2)]), "approval.0.fraction", rules.OUT_OF_RANGE),
    (custom([threshold_data(fraction="1/0")]), "approval.0.fraction", rules.ZERO_DENOMINATOR),
    (
        custom([threshold_data(fraction="1", comparison="more_than")]),
        "approval.0.fraction",
        rules.NEVER_MET,
    ),
    (
        custom([threshold_data(fraction="100%", comparison="more_than")]),
        "approval.0.fraction",
        rules.NEVER_MET,
    ),
    (
        custom([threshold_data("area"), threshold_data("headcount"), threshold_data("area")]),
        "approval.2.measure",
        rules.DUPLICATE_MEASURE,
    ),
    (
        custom(participation=[threshold_data("weight"), threshold_data("weight")]),
        "participation.1.measure",
        rules.DUPLICATE_MEASURE,
    ),
    (
        {"preset": "major_matter", "participation": []},
        "participation",
        rules.PRESET_FIXED,
    ),
    (
        {"preset": "ordinary_matter", "approval": [threshold_data("area", "3/4")]},
        "approval",
        rules.PRESET_FIXED,
    ),
] + [
    (custom([threshold_data(fraction=garbage)]), "approval.0.fraction", rules.NOT_A_FRACTION)
    for garbage in ["", "two thirds", "2/3/4", "1e-3", "0x1", "½", "1" * 1000, True, None, [2, 3]]
]


@pytest.mark.parametrize(("data", "field", "refusal"), REFUSALS)
def test_every_refusal_names_the_field_at_fault(data, field, refusal):
    with pytest.raises(RuleError) as refused:
        rule_from_data(data)
    assert (refused.value.field, refused.value.refusal) == (field, refusal)


def test_a_rule_built_in_code_is_checked_as_well():
    with pytest.raises(RuleError) as refused:
        Threshold(AREA, Fraction(5, 4), AT_LEAST)
    assert refused.value.field == "fraction"
    with pytest.raises(RuleError) as refused:
        Rule("custom", (), (), Abstention.PARTICIPATES, Silence.NOT_COUNTED)
    assert refused.value.field == "approval"
    with pytest.raises(RuleError) as refused:
        dataclasses.replace(PRESETS["major_matter"], approval=PRESETS["ordinary_matter"].approval)
    assert refused.value.field == "approval"


# Writing rule data -----------------------------------------------------------------------------


def test_rule_data_is_plain_json_with_fractions_as_text():
    data = rule_to_data(PRESETS["ordinary_matter"])
    assert json.loads(json.dumps(data)) == data
    assert data["approval"] == [
        threshold_data("area", "1/2", "more_than"),
        threshold_data("headcount", "1/2", "more_than"),
    ]
    assert (data["abstention"], data["silence"]) == ("participates", "not_counted")


def fractions(maximum_denominator=12):
    return st.integers(1, maximum_denominator).flatmap(
        lambda q: st.integers(0, q).map(lambda p: Fraction(p, q))
    )


def thresholds_over(measure):
    # "more than 1" is refused by Threshold itself: leave it out before building.
    return (
        st.tuples(fractions(), st.sampled_from(Comparison))
        .filter(lambda pair: not (pair[1] is MORE_THAN and pair[0] == 1))
        .map(lambda pair: Threshold(measure, *pair))
    )


def threshold_lists(minimum=0):
    return st.lists(st.sampled_from(Measure), min_size=minimum, max_size=3, unique=True).flatmap(
        lambda measures: st.tuples(*(thresholds_over(m) for m in measures))
    )


custom_rules = st.builds(
    Rule,
    st.just("custom"),
    threshold_lists(),
    threshold_lists(minimum=1),
    st.sampled_from(Abstention),
    st.sampled_from(Silence),
)
preset_rules = st.builds(
    lambda name, abstention, silence: dataclasses.replace(
        PRESETS[name], abstention=abstention, silence=silence
    ),
    st.sampled_from(sorted(PRESETS)),
    st.sampled_from(Abstention),
    st.sampled_from(Silence),
)
any_rule = st.one_of(preset_rules, custom_rules)


@settings(deadline=None)
@given(any_rule)
def test_rule_data_round_trips_through_json(rule):
    data = json.loads(json.dumps(rule_to_data(rule)))
    assert rule_from_data(data) == rule


# Describing a rule -----------------------------------------------------------------------------


def test_major_matter_in_words():
    assert describe(PRESETS["major_matter"]) == [
        "At least 2/3 of all owners' area and at least 2/3 of all owners must take part.",
        "At least 3/4 of the participating owners' area and at least 3/4 of the participating "
        "owners must approve.",
        "Owners who abstain take part, and their abstention counts as not approving.",
        "Owners who do not vote are not counted as taking part.",
    ]


def test_a_custom_rule_in_words_says_one_threshold_per_sentence():
    rule = rule_from_data(
        custom(
            [threshold_data("weight", "1/2", "more_than"), threshold_data("headcount", "1/3")],
            abstention="participation_only",
            silence="majority_side",
        )
    )
    assert describe(rule) == [
        "No minimum participation is required.",
        "More than 1/2 of the participating ownership shares must approve.",
        "At least 1/3 of the participating owners must approve.",
        "Owners who abstain take part, but approval is counted among the other participants.",
        "Owners who do not vote are added to the side most voters chose, if that side leads on "
        "every measure counted.",
    ]


def test_descriptions_translate_the_template_before_filling_it():
    chinese = {
        rules.PARTICIPATION_AREA_AND_HEADCOUNT[AT_LEAST]: (
            "专有部分面积占比%(fraction)s以上的业主且人数占比%(fraction)s以上的业主参与表决。"
        )
    }
    lines = describe(PRESETS["major_matter"], lambda message: chinese.get(message, message))
    assert lines[0] == "专有部分面积占比2/3以上的业主且人数占比2/3以上的业主参与表决。"


@settings(deadline=None)
@given(any_rule)
def test_every_rule_can_be_described(rule):
    lines = describe(rule)
    assert len(lines) >= 4
    assert all(line.endswith(".") and "%(" not in line for line in lines)
