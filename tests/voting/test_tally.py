from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall.text import render
from hall.voting import tally
from hall.voting.rules import (
    PRESETS,
    Abstention,
    Comparison,
    Measure,
    Rule,
    Silence,
    Threshold,
    rule_from_data,
)
from hall.voting.tally import ABSTAIN, Count, CountError, Weight, decide, percent
from tests.voting.test_rules import any_rule

MAJOR, ORDINARY, SIMPLE = (
    PRESETS["major_matter"],
    PRESETS["ordinary_matter"],
    PRESETS["simple_majority"],
)
FOR, AGAINST = "for", "against"


def w(headcount, area="0", weight="0"):
    return Weight(headcount, Decimal(area), Decimal(weight))


def count(eligible, **by_choice):
    return Count(eligible, by_choice)


def with_policies(rule, abstention=None, silence=None):
    return Rule(
        rule.preset,
        rule.participation,
        rule.approval,
        abstention or rule.abstention,
        silence or rule.silence,
    )


def texts(verdict):
    """Each reason as kept (said data), rendered in English."""
    return [render(reason.said()) for reason in verdict.reasons]


# Weights ---------------------------------------------------------------------------------------


def test_weights_add_and_subtract_on_every_measure_exactly():
    total = w(3, "89.52", "0.125") + w(2, "102.36", "0.250")
    assert total == w(5, "191.88", "0.375")
    assert total - w(2, "102.36", "0.250") == w(3, "89.52", "0.125")
    assert total.of(Measure.AREA) == Fraction(19188, 100)
    assert w(0) == Weight.ZERO


def test_a_float_area_is_refused():
    with pytest.raises(TypeError):
        Weight(1, 89.52)


# Art. 278 verdicts -----------------------------------------------------------------------------


def test_an_elevator_vote_that_took_part_enough_but_fell_short_by_heads():
    verdict = decide(
        MAJOR,
        count(
            w(130, "10000.00"),
            **{FOR: w(73, "5600.00"), AGAINST: w(20, "1100.00"), ABSTAIN: w(7, "420.00")},
        ),
        [FOR],
    )
    assert texts(verdict) == [
        "participation by area 71.20% >= 66.67%: met",
        "participation by headcount 76.92% >= 66.67%: met",
        "approval of for by area 78.65% >= 75.00%: met",
        "approval of for by headcount 73.00% < 75.00%: not met",
    ]
    assert not verdict.passed
    assert verdict.winner is None
    assert verdict.participants == w(100, "7120.00")
    assert verdict.silent == w(30, "2880.00")
    assert verdict.silent_added_to is None
    # Kept as data: the measure and the option as phrases, the ratio found and the bar as
    # percentages and as exact fractions, the comparison that holds, met or not.
    assert verdict.reasons[3].said() == {
        "code": "approval_not_met",
        "params": {
            "measure": {"code": "measure_headcount"},
            "option": {"code": "option_for"},
            "value": "73.00%",
            "threshold": "75.00%",
            "value_exact": "73/100",
            "threshold_exact": "3/4",
            "comparison": "at_least",
            "operator": "<",
            "met": False,
        },
    }
    assert render(tally.verdict_said(verdict.passed, [r.said() for r in verdict.reasons])) == (
        "The vote failed: participation by area 71.20% >= 66.67%: met; participation by "
        "headcount 76.92% >= 66.67%: met; approval of for by area 78.65% >= 75.00%: met; "
        "approval of for by headcount 73.00% < 75.00%: not met"
    )


def test_exactly_two_thirds_taking_part_and_three_quarters_approving_passes_a_major_matter():
    verdict = decide(
        MAJOR,
        count(w(12, "1200.00"), **{FOR: w(6, "600.00"), AGAINST: w(2, "200.00")}),
        [FOR],
    )
    assert verdict.passed and verdict.winner == FOR
    assert all(reason.met for reason in verdict.reasons)
    assert texts(verdict)[0] == "participation by area 66.67% >= 66.67%: met"


def test_one_owner_or_one_hundredth_of_a_square_metre_short_fails_a_major_matter():
    one_head_short = count(w(12, "1200.00"), **{FOR: w(5, "600.00"), AGAINST: w(3, "200.00")})
    assert not decide(MAJOR, one_head_short, [FOR]).passed
    area_short = count(w(12, "1200.00"), **{FOR: w(6, "599.99"), AGAINST: w(2, "200.01")})
    verdict = decide(MAJOR, area_short, [FOR])
    assert not verdict.passed
    assert texts(verdict)[2] == "approval of for by area 74.999% < 75.000%: not met"
    took_part_short = count(w(12, "1200.01"), **{FOR: w(6, "600.00"), AGAINST: w(2, "200.00")})
    assert not decide(MAJOR, took_part_short, [FOR]).passed


def test_exactly_half_fails_an_ordinary_matter_and_one_more_owner_passes_it():
    half = count(w(10, "1000.00"), **{FOR: w(4, "400.00"), AGAINST: w(4, "400.00")})
    verdict = decide(ORDINARY, half, [FOR])
    assert not verdict.passed
    assert texts(verdict)[2:] == [
        "approval of for by area 50.00% <= 50.00%: not met",
        "approval of for by headcount 50.00% <= 50.00%: not met",
    ]
    one_more = count(w(10, "1000.00"), **{FOR: w(5, "400.01"), AGAINST: w(3, "399.99")})
    verdict = decide(ORDINARY, one_more, [FOR])
    assert verdict.passed and verdict.winner == FOR
    assert texts(verdict)[2] == "approval of for by area 50.001% > 50.000%: met"


def test_a_majority_of_heads_without_a_majority_of_area_fails_an_ordinary_matter():
    verdict = decide(
        ORDINARY, count(w(9, "900.00"), **{FOR: w(5, "300.00"), AGAINST: w(4, "600.00")}), [FOR]
    )
    assert not verdict.passed
    assert [reason.met for reason in verdict.reasons] == [True, True, False, True]


def test_nobody_eligible_passes_nothing_and_divides_by_nothing():
    verdict = decide(MAJOR, count(Weight.ZERO), [FOR])
    assert not verdict.passed
    assert verdict.winner is None
    assert all(reason.ratio == 0 and not reason.met for reason in verdict.reasons)
    assert texts(verdict)[0] == "participation by area 0.00% < 66.67%: not met"


def test_nobody_voting_passes_nothing():
    verdict = decide(SIMPLE, count(w(10, "800.00")), [FOR])
    assert not verdict.passed
    assert verdict.silent == w(10, "800.00")


# Abstentions -----------------------------------------------------------------------------------

# 15 owners of 100 m² each: 5 for, 3 against, 2 abstaining, 5 silent.
ABSTAINING = count(
    w(15, "1500.00"), **{FOR: w(5, "500.00"), AGAINST: w(3, "300.00"), ABSTAIN: w(2, "200.00")}
)


def test_an_abstention_that_participates_weighs_like_a_vote_not_for():
    verdict = decide(ORDINARY, ABSTAINING, [FOR])
    assert verdict.participants == w(10, "1000.00")
    assert verdict.base == w(10, "1000.00")
    assert texts(verdict)[-1] == "approval of for by headcount 50.00% <= 50.00%: not met"
    assert not verdict.passed


def test_an_abstention_counted_for_participation_only_leaves_approval_to_the_others():
    rule = with_policies(ORDINARY, abstention=Abstention.PARTICIPATION_ONLY)
    verdict = decide(rule, ABSTAINING, [FOR])
    assert verdict.participants == w(10, "1000.00")
    assert verdict.base == w(8, "800.00")
    assert texts(verdict)[1] == "participation by headcount 66.67% >= 66.67%: met"
    assert texts(verdict)[-1] == "approval of for by headcount 62.50% > 50.00%: met"
    assert verdict.passed and verdict.winner == FOR


def test_an_ignored_abstention_counts_as_silence_and_can_sink_participation():
    rule = with_policies(ORDINARY, abstention=Abstention.IGNORED)
    verdict = decide(rule, ABSTAINING, [FOR])
    assert verdict.participants == w(8, "800.00")
    assert verdict.silent == w(7, "700.00")
    assert ABSTAIN not in verdict.tallies
    assert texts(verdict)[1] == "participation by headcount 53.33% < 66.67%: not met"
    assert not verdict.passed


def test_a_simple_majority_of_votes_cast_ignores_abstentions_and_turnout():
    verdict = decide(SIMPLE, count(w(100), **{FOR: w(3), AGAINST: w(2), ABSTAIN: w(40)}), [FOR])
    assert verdict.passed and verdict.winner == FOR
    assert texts(verdict) == ["approval of for by headcount 60.00% > 50.00%: met"]


# Silence ---------------------------------------------------------------------------------------


def test_silent_owners_join_the_side_that_leads_on_every_measure():
    rule = with_policies(ORDINARY, silence=Silence.MAJORITY_SIDE)
    votes = count(w(20, "2000.00"), **{FOR: w(8, "800.00"), AGAINST: w(2, "200.00")})
    assert not decide(ORDINARY, votes, [FOR]).passed  # half took part: too few
    verdict = decide(rule, votes, [FOR])
    assert verdict.silent_added_to == FOR
    assert verdict.silent == w(10, "1000.00")
    assert verdict.participants == w(10, "1000.00")
    assert verdict.tallies[FOR] == w(18, "1800.00")
    assert texts(verdict) == [
        "participation by area 100.00% >= 66.67%: met",
        "participation by headcount 100.00% >= 66.67%: met",
        "approval of for by area 90.00% > 50.00%: met",
        "approval of for by headcount 90.00% > 50.00%: met",
    ]
    assert verdict.passed


def test_silent_owners_can_join_the_side_against():
    rule = with_policies(ORDINARY, silence=Silence.MAJORITY_SIDE)
    votes = count(w(20, "2000.00"), **{FOR: w(3, "300.00"), AGAINST: w(7, "700.00")})
    verdict = decide(rule, votes, [FOR])
    assert verdict.silent_added_to == AGAINST
    assert texts(verdict)[-1] == "approval of for by headcount 15.00% <= 50.00%: not met"


def test_silent_owners_join_nobody_when_the_lead_by_heads_is_not_a_lead_by_area():
    rule = with_policies(ORDINARY, silence=Silence.MAJORITY_SIDE)
    votes = count(w(20, "2000.00"), **{FOR: w(6, "500.00"), AGAINST: w(4, "700.00")})
    verdict = decide(rule, votes, [FOR])
    assert verdict.silent_added_to is None
    assert verdict.notes == (tally.NO_SILENT_LEADER,)
    assert texts(verdict)[1] == "participation by headcount 50.00% < 66.67%: not met"
    assert not verdict.passed


def test_silence_only_needs_a_lead_on_the_measures_the_rule_counts():
    rule = with_policies(SIMPLE, silence=Silence.MAJORITY_SIDE)
    votes = count(w(20, "2000.00"), **{FOR: w(6, "500.00"), AGAINST: w(4, "700.00")})
    assert decide(rule, votes, [FOR]).silent_added_to == FOR


def test_ignored_abstainers_are_silent_and_join_the_majority_side_too():
    rule = with_policies(ORDINARY, abstention=Abstention.IGNORED, silence=Silence.MAJORITY_SIDE)
    verdict = decide(rule, ABSTAINING, [FOR])
    assert verdict.silent == w(7, "700.00")
    assert verdict.tallies[FOR] == w(12, "1200.00")
    assert verdict.passed


def test_nothing_is_added_when_nobody_is_silent():
    rule = with_policies(ORDINARY, silence=Silence.MAJORITY_SIDE)
    verdict = decide(rule, count(w(2, "200.00"), **{FOR: w(2, "200.00")}), [FOR])
    assert verdict.silent_added_to is None and verdict.notes == ()


# Choosing among plans --------------------------------------------------------------------------

PLANS = ["plan_a", "plan_b", "plan_c"]


def test_the_plan_with_a_double_majority_wins():
    votes = count(
        w(30, "3000.00"),
        plan_a=w(5, "450.00"),
        plan_b=w(14, "1380.00"),
        plan_c=w(4, "390.00"),
        **{ABSTAIN: w(1, "100.00")},
    )
    verdict = decide(ORDINARY, votes, PLANS)
    assert verdict.passed and verdict.winner == "plan_b"
    assert texts(verdict)[2:] == [
        "approval of plan_b by area 59.48% > 50.00%: met",
        "approval of plan_b by headcount 58.33% > 50.00%: met",
    ]
    # A plan is named by the label it is given, never by its key.
    named = [render(reason.said("按楼层系数")) for reason in verdict.reasons[2:]]
    assert named[0] == "approval of 按楼层系数 by area 59.48% > 50.00%: met"
    assert "plan_b" not in repr(verdict.reasons[2].said("按楼层系数"))


def test_without_a_majority_no_plan_wins_and_the_reasons_show_the_closest_one():
    votes = count(w(30, "3000.00"), plan_a=w(9, "800.00"), plan_b=w(9, "900.00"), plan_c=w(4))
    verdict = decide(ORDINARY, votes, PLANS)
    assert not verdict.passed and verdict.winner is None
    assert {reason.choice for reason in verdict.reasons[2:]} == {"plan_b"}


ONE_THIRD_OF_HEADS = Rule(
    "custom",
    (),
    (Threshold(Measure.HEADCOUNT, Fraction(1, 3), Comparison.AT_LEAST),),
    Abstention.PARTICIPATES,
    Silence.NOT_COUNTED,
)


def test_when_several_plans_qualify_the_most_owners_then_the_most_area_wins():
    votes = count(
        w(12, "1200.00"), plan_a=w(4, "390.00"), plan_b=w(4, "410.00"), plan_c=w(4, "400.00")
    )
    verdict = decide(ONE_THIRD_OF_HEADS, votes, PLANS)
    assert verdict.winner == "plan_b"
    votes = count(w(12, "1200.00"), plan_a=w(5, "390.00"), plan_b=w(4, "410.00"), plan_c=w(3))
    assert decide(ONE_THIRD_OF_HEADS, votes, PLANS).winner == "plan_a"


def test_plans_that_qualify_and_tie_on_every_measure_decide_nothing():
    votes = count(
        w(12, "1200.00"), plan_a=w(4, "400.00"), plan_b=w(4, "400.00"), plan_c=w(4, "400.00")
    )
    verdict = decide(ONE_THIRD_OF_HEADS, votes, PLANS)
    assert not verdict.passed and verdict.winner is None
    assert verdict.notes == (tally.TIED_WINNERS,)


# Reasons and bad input -------------------------------------------------------------------------


def test_percentages_round_half_up_exactly():
    assert percent(Fraction(12345, 100000)) == "12.35%"  # 12.345%
    assert percent(Fraction(12344999, 100000000)) == "12.34%"
    assert percent(Fraction(2, 3)) == "66.67%"
    assert percent(Fraction(1)) == "100.00%"


def test_a_ratio_just_under_the_bar_never_reads_as_equal_to_it():
    rule = rule_from_data(
        {
            "preset": "custom",
            "approval": [{"measure": "headcount", "fraction": "2/3", "comparison": "at_least"}],
        }
    )
    votes = count(w(100000), **{FOR: w(66666), AGAINST: w(33334)})
    verdict = decide(rule, votes, [FOR])
    # Two places would read "66.67% < 66.67%".
    assert texts(verdict) == ["approval of for by headcount 66.666% < 66.667%: not met"]


@pytest.mark.parametrize(
    "bad",
    [
        count(w(10, "100.00"), **{FOR: w(11, "50.00")}),
        count(w(10, "100.00"), **{FOR: w(5, "100.01")}),
        count(w(10, "100.00"), **{FOR: w(-1, "10.00")}),
        count(w(-1), **{FOR: w(0)}),
    ],
)
def test_a_count_that_cannot_be_right_is_refused(bad):
    with pytest.raises(CountError):
        decide(MAJOR, bad, [FOR])


@pytest.mark.parametrize("approvable", [[], [ABSTAIN], [FOR, FOR]])
def test_the_choices_that_can_win_must_be_real_and_distinct(approvable):
    with pytest.raises(ValueError):
        decide(MAJOR, count(w(1), **{FOR: w(1)}), approvable)


# Properties ------------------------------------------------------------------------------------

areas = st.decimals(min_value=0, max_value=5000, places=2)
weights = st.builds(
    Weight, st.integers(0, 40), areas, st.decimals(min_value=0, max_value=100, places=3)
)
# The choices on a ballot, and those of them that can win.
ballots = st.sampled_from(
    [
        ((FOR, AGAINST, ABSTAIN), [FOR]),
        ((FOR,), [FOR]),
        (("plan_a", "plan_b", "plan_c", ABSTAIN), ["plan_a", "plan_b", "plan_c"]),
    ]
)


@st.composite
def counts(draw):
    choices, approvable = draw(ballots)
    by_choice = {choice: draw(weights) for choice in choices if draw(st.booleans())}
    silent = draw(weights)
    return Count(sum(by_choice.values(), silent), by_choice), approvable


def outcome(verdict):
    return (
        verdict.passed,
        verdict.winner,
        verdict.silent_added_to,
        verdict.notes,
        [(r.kind, r.measure, r.choice, r.ratio, r.met) for r in verdict.reasons],
    )


def scaled(weight, heads, factor):
    return Weight(weight.headcount * heads, weight.area * factor, weight.weight * factor)


@settings(deadline=None)
@given(
    any_rule,
    counts(),
    st.integers(1, 7),
    st.decimals(min_value=Decimal("0.01"), max_value=1000, places=2),
)
def test_the_verdict_does_not_depend_on_the_units_of_measure(
    rule, count_and_choices, heads, factor
):
    original, approvable = count_and_choices
    scale = Count(
        scaled(original.eligible, heads, factor),
        {choice: scaled(weight, heads, factor) for choice, weight in original.by_choice.items()},
    )
    assert outcome(decide(rule, scale, approvable)) == outcome(decide(rule, original, approvable))


@settings(deadline=None)
@given(any_rule, counts())
def test_the_counted_weights_always_add_up(rule, count_and_choices):
    original, approvable = count_and_choices
    verdict = decide(rule, original, approvable)
    assert verdict.participants + verdict.silent == original.eligible
    assert verdict.passed == (verdict.winner is not None)
    if verdict.passed:
        assert all(reason.met for reason in verdict.reasons)
    assert len(verdict.reasons) == len(rule.participation) + len(rule.approval)


@given(
    st.integers(1, 40).flatmap(lambda q: st.tuples(st.integers(1, q), st.just(q))),
    st.integers(1, 50),
    st.sampled_from(list(Measure)),
)
def test_a_vote_exactly_at_its_bar_passes_an_inclusive_rule_and_fails_a_strict_one(
    p_q, scale, measure
):
    p, q = p_q
    fraction = Fraction(p, q)
    # q * scale owners, all voting, p * scale of them for; the same in area and weight.
    whole, part = q * scale, p * scale

    def weigh(amount):
        return Weight(amount, Decimal(amount) / 4, Decimal(amount) / 8)

    votes = Count(weigh(whole), {FOR: weigh(part), AGAINST: weigh(whole - part)})

    def rule(comparison):
        threshold = Threshold(measure, fraction, comparison)
        return Rule(
            "custom", (threshold,), (threshold,), Abstention.PARTICIPATES, Silence.NOT_COUNTED
        )

    assert decide(rule(Comparison.AT_LEAST), votes, [FOR]).passed
    if p < q:
        assert not decide(rule(Comparison.MORE_THAN), votes, [FOR]).passed
    if part > 1:
        short = Count(weigh(whole), {FOR: weigh(part - 1), AGAINST: weigh(whole - part + 1)})
        assert not decide(rule(Comparison.AT_LEAST), short, [FOR]).passed
