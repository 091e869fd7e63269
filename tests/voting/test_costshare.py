import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall.voting import costshare
from hall.voting.costshare import (
    Base,
    CostShareError,
    PayingUnit,
    Plan,
    compare,
    largest_remainder,
    plan_from_data,
    plan_to_data,
    split,
)

# One stairwell of 9 floors, flats 01 (89.50 m²) and 02 (112.30 m²) on each: 1816.20 m² in all.
FLATS = {"01": Decimal("89.50"), "02": Decimal("112.30")}
STAIRWELL = [
    PayingUnit(floor * 100 + int(flat), floor, area, f"{floor}{flat}")
    for floor in range(1, 10)
    for flat, area in FLATS.items()
]
GUANGZHOU = {1: "0", 2: "0", 3: "0.7", 4: "0.8", 5: "0.9", 6: "1.0", 7: "1.1", 8: "1.2", 9: "1.3"}
TOTAL = 138_000_000  # 1,380,000.00 yuan
SUBSIDY = 20_000_000  # 200,000.00 yuan from the district

BY_FLOOR = Plan(
    name="by_floor",
    total=TOTAL,
    subsidy=SUBSIDY,
    floor_coefficients={floor: Decimal(c) for floor, c in GUANGZHOU.items()},
    compensation={1: 1_000_000, 2: 500_000},  # 10,000 and 5,000 yuan to each flat
)
BY_AREA = Plan(name="by_area", total=TOTAL, subsidy=SUBSIDY)


def amounts(result):
    return {share.label: share.amount for share in result.shares}


def test_the_guangzhou_elevator_plan_to_the_fen():
    # collected = 138,000,000 - 20,000,000 + 2 x 1,000,000 + 2 x 500,000 = 121,000,000 fen.
    # sum(coef x area) = 201.80 m² x (0.7 + 0.8 + ... + 1.3) = 201.80 x 7.0 = 1412.60.
    # Flat 601 (coef 1.0): 121,000,000 x 89.50 / 1412.60 = 7,666,359.9037 -> 7,666,360.
    # The floors leave 10 fen over; they go to the ten largest remainders (in 7063ths: 502
    # 6666, 301 6587, 401 6519, 501 6451, 601 6383, 701 6315, 801 6247, 901 6179, 702 5793,
    # 902 4920), not to 402 (3571), 602 (2698), 802 (1825) or 302 (476).
    result = split(BY_FLOOR, STAIRWELL)
    assert result.collected == 121_000_000
    assert amounts(result) == {
        "101": -1_000_000,
        "102": -1_000_000,
        "201": -500_000,
        "202": -500_000,
        "301": 5_366_452,  # 5,366,451.9326
        "302": 6_733_548,  # 6,733,548.0674
        "401": 6_133_088,  # 6,133,087.9230
        "402": 7_695_483,  # 7,695,483.5056
        "501": 6_899_724,
        "502": 8_657_419,
        "601": 7_666_360,
        "602": 9_619_354,
        "701": 8_432_996,
        "702": 10_581_290,
        "801": 9_199_632,
        "802": 11_543_225,  # 11,543,225.2584
        "901": 9_966_268,
        "902": 12_505_161,  # 12,505,160.6966
    }
    assert sum(share.pays for share in result.shares) == 121_000_000
    assert sum(share.amount for share in result.shares) == TOTAL - SUBSIDY
    low = [share for share in result.shares if share.label in {"101", "202"}]
    assert [(s.coefficient, s.pays, s.receives) for s in low] == [
        (Decimal("0"), 0, 1_000_000),
        (Decimal("0"), 0, 500_000),
    ]


def test_by_area_alone_every_flat_pays_for_its_square_metres():
    # 118,000,000 x 89.50 / 1816.20 = 5,814,888.228 and x 112.30 / 1816.20 = 7,296,222.883:
    # 10 fen over, one to each 112.30 m² flat, the tenth to the first 89.50 m² flat listed.
    result = split(BY_AREA, STAIRWELL)
    assert result.collected == 118_000_000
    assert amounts(result)["101"] == 5_814_889
    assert {amounts(result)[f"{floor}01"] for floor in range(2, 10)} == {5_814_888}
    assert {amounts(result)[f"{floor}02"] for floor in range(1, 10)} == {7_296_223}
    assert sum(amounts(result).values()) == 118_000_000


def test_two_plans_side_by_side():
    rows = compare([BY_AREA, BY_FLOOR], STAIRWELL)
    assert [unit.label for unit, _ in rows] == [unit.label for unit in STAIRWELL]
    side_by_side = {unit.label: tuple(share.amount for share in shares) for unit, shares in rows}
    assert side_by_side["101"] == (5_814_889, -1_000_000)
    assert side_by_side["601"] == (5_814_888, 7_666_360)
    assert side_by_side["902"] == (7_296_223, 12_505_161)
    assert all(shares[0].unit_id == shares[1].unit_id == unit.unit_id for unit, shares in rows)


def test_one_share_per_household_splits_equally_and_gives_the_odd_fen_to_the_first_listed():
    per_household = Plan(name="equal", total=TOTAL, subsidy=SUBSIDY, base=Base.HOUSEHOLD)
    # 118,000,000 / 18 = 6,555,555.56: 10 fen over, to the first ten flats listed.
    paid = [share.amount for share in split(per_household, STAIRWELL).shares]
    assert paid == [6_555_556] * 10 + [6_555_555] * 8


def test_a_compensated_unit_that_also_pays_is_charged_its_share_less_its_compensation():
    plan = Plan(name="p", total=1000, compensation={1: 100}, default_coefficient=Decimal(1))
    units = [PayingUnit(1, 1, Decimal("50")), PayingUnit(2, 2, Decimal("50"))]
    shares = split(plan, units).shares
    assert [(s.pays, s.receives, s.amount) for s in shares] == [(550, 100, 450), (550, 0, 550)]


def test_a_unit_coefficient_overrides_its_floors():
    plan = Plan(
        name="p",
        total=300,
        floor_coefficients={3: Decimal("1")},
        unit_coefficients={302: Decimal("2")},
    )
    units = [PayingUnit(301, 3, Decimal(10)), PayingUnit(302, 3, Decimal(10))]
    assert [s.amount for s in split(plan, units).shares] == [100, 200]


def test_largest_remainder_gives_the_left_over_units_to_the_largest_remainders():
    assert largest_remainder(10, [Fraction(1)] * 3) == [4, 3, 3]
    assert largest_remainder(100, [Fraction(1), Fraction(2), Fraction(4)]) == [14, 29, 57]
    assert largest_remainder(0, [Fraction(1), Fraction(0)]) == [0, 0]


# Refusals --------------------------------------------------------------------------------------

PLAN_REFUSALS = [
    (dict(total=-1), "total", costshare.NEGATIVE_AMOUNT),
    (dict(total=100.0), "total", costshare.NOT_FEN),
    (dict(total=Decimal("100")), "total", costshare.NOT_FEN),
    (dict(total=True), "total", costshare.NOT_FEN),
    (dict(subsidy=-5), "subsidy", costshare.NEGATIVE_AMOUNT),
    (dict(subsidy=1001), "subsidy", costshare.SUBSIDY_OVER_TOTAL),
    (dict(compensation={1: -1}), "compensation.1", costshare.NEGATIVE_AMOUNT),
    (dict(compensation={1: 0.5}), "compensation.1", costshare.NOT_FEN),
    (dict(floor_coefficients={3: Decimal("-0.1")}), "floor_coefficients.3", None),
    (dict(floor_coefficients={3: 0.7}), "floor_coefficients.3", costshare.NOT_A_COEFFICIENT),
    (dict(unit_coefficients={7: Decimal("-1")}), "unit_coefficients.7", None),
    (dict(default_coefficient=Decimal("-1")), "default_coefficient", None),
    (dict(default_coefficient=Decimal("NaN")), "default_coefficient", None),
    (dict(base="volume"), "base", costshare.UNKNOWN_BASE),
    (dict(name=""), "name", costshare.NO_NAME),
    (dict(name="x" * 101), "name", costshare.NAME_TOO_LONG),
]


@pytest.mark.parametrize(("fields", "field", "refusal"), PLAN_REFUSALS)
def test_a_bad_plan_is_refused_naming_the_field(fields, field, refusal):
    with pytest.raises(CostShareError) as refused:
        Plan(**{"name": "p", "total": 1000, **fields})
    assert refused.value.field == field
    assert refusal is None or refused.value.refusal == refusal


GOOD_UNITS = [PayingUnit(1, 1, Decimal("80.00")), PayingUnit(2, 3, Decimal("90.00"))]


@pytest.mark.parametrize(
    ("plan", "units", "field", "refusal"),
    [
        (BY_AREA, [], "units", costshare.NO_UNITS),
        (BY_FLOOR, STAIRWELL[:4], "floor_coefficients", costshare.NO_PAYER),
        (
            Plan(name="p", total=1000, default_coefficient=Decimal(0)),
            GOOD_UNITS,
            "floor_coefficients",
            costshare.NO_PAYER,
        ),
        (BY_AREA, [PayingUnit(1, 1, Decimal(0))], "units", costshare.NO_AREA),
        (BY_AREA, [GOOD_UNITS[0], GOOD_UNITS[0]], "units.1.unit_id", costshare.DUPLICATE_UNIT),
        (BY_AREA, [PayingUnit(1, 1, 80.5)], "units.0.area", costshare.NOT_AN_AREA),
        (BY_AREA, [PayingUnit(1, 1, Decimal("-1"))], "units.0.area", costshare.NOT_AN_AREA),
    ],
)
def test_a_split_that_cannot_be_made_is_refused_naming_the_field(plan, units, field, refusal):
    with pytest.raises(CostShareError) as refused:
        split(plan, units)
    assert (refused.value.field, refused.value.refusal) == (field, refusal)


def test_plans_compared_are_refused_by_their_place_in_the_list():
    with pytest.raises(CostShareError) as refused:
        compare([], STAIRWELL)
    assert refused.value.field == "plans"
    with pytest.raises(CostShareError) as refused:
        compare([BY_AREA, BY_AREA], STAIRWELL)
    assert refused.value.field == "plans.1.name"
    with pytest.raises(CostShareError) as refused:
        compare([BY_AREA, BY_FLOOR], STAIRWELL[:4])
    assert refused.value.field == "plans.1.floor_coefficients"


# Plan data -------------------------------------------------------------------------------------


def test_plan_data_is_plain_json_with_floors_as_keys_and_coefficients_as_text():
    data = plan_to_data(BY_FLOOR)
    assert json.loads(json.dumps(data)) == data
    assert data["floor_coefficients"]["3"] == "0.7"
    assert data["compensation"] == {"1": 1_000_000, "2": 500_000}
    assert data["default_coefficient"] == "1"
    assert plan_from_data(data) == BY_FLOOR


def test_plan_data_needs_only_a_name_and_a_total():
    assert plan_from_data({"name": "by_area", "total": TOTAL, "subsidy": SUBSIDY}) == BY_AREA


def test_plan_data_accepts_whole_numbers_and_basement_floors():
    plan = plan_from_data(
        {"name": "p", "total": 5, "floor_coefficients": {"-1": 0, "2": "1.25"}, "base": "household"}
    )
    assert plan.floor_coefficients == {-1: Decimal(0), 2: Decimal("1.25")}
    assert plan.base is Base.HOUSEHOLD


def plan_data(**fields):
    return {"name": "p", "total": 1000, **fields}


@pytest.mark.parametrize(
    ("data", "field", "refusal"),
    [
        ([], "", costshare.NOT_AN_OBJECT),
        ({"total": 1}, "name", costshare.REQUIRED),
        ({"name": "p"}, "total", costshare.REQUIRED),
        (plan_data(colour="red"), "colour", costshare.UNKNOWN_FIELD),
        (plan_data(name=7), "name", costshare.NO_NAME),
        (plan_data(total="1000"), "total", costshare.NOT_FEN),
        (plan_data(total=1000.0), "total", costshare.NOT_FEN),
        (plan_data(total=-1), "total", costshare.NEGATIVE_AMOUNT),
        (plan_data(subsidy=2000), "subsidy", costshare.SUBSIDY_OVER_TOTAL),
        (plan_data(compensation={"1": -100}), "compensation.1", costshare.NEGATIVE_AMOUNT),
        (plan_data(compensation={"1": 99.5}), "compensation.1", costshare.NOT_FEN),
        (plan_data(compensation={"first": 100}), "compensation.first", costshare.NOT_A_FLOOR),
        (plan_data(compensation=[100]), "compensation", costshare.NOT_A_MAPPING),
        (
            plan_data(floor_coefficients={"3": 0.7}),
            "floor_coefficients.3",
            costshare.NOT_A_COEFFICIENT,
        ),
        (
            plan_data(floor_coefficients={"3": "seven"}),
            "floor_coefficients.3",
            costshare.NOT_A_COEFFICIENT,
        ),
        (
            plan_data(floor_coefficients={"3": "-0.7"}),
            "floor_coefficients.3",
            costshare.NEGATIVE_COEFFICIENT,
        ),
        (
            plan_data(floor_coefficients={"3": "1", "03": "2"}),
            "floor_coefficients.03",
            costshare.DUPLICATE_KEY,
        ),
        (
            plan_data(unit_coefficients={"flat 7": "1"}),
            "unit_coefficients.flat 7",
            costshare.NOT_A_UNIT_ID,
        ),
        (
            plan_data(default_coefficient="1e3"),
            "default_coefficient",
            costshare.NOT_A_COEFFICIENT,
        ),
        (plan_data(base="volume"), "base", costshare.UNKNOWN_BASE),
    ],
)
def test_bad_plan_data_is_refused_naming_the_field(data, field, refusal):
    with pytest.raises(CostShareError) as refused:
        plan_from_data(data)
    assert (refused.value.field, refused.value.refusal) == (field, refusal)


# Properties ------------------------------------------------------------------------------------

coefficients = st.decimals(min_value=0, max_value=3, places=2)
fen = st.integers(0, 10**10)


@st.composite
def plans_and_units(draw):
    floors = draw(st.integers(1, 12))
    units = [
        PayingUnit(index, draw(st.integers(1, floors)), area)
        for index, area in enumerate(
            draw(
                st.lists(
                    st.decimals(min_value=Decimal("0.01"), max_value=300, places=2),
                    min_size=1,
                    max_size=30,
                )
            )
        )
    ]
    floor_coefficients = draw(st.dictionaries(st.integers(1, floors), coefficients))
    # At least one payer, or the split is refused (tested above).
    default = draw(st.decimals(min_value=Decimal("0.1"), max_value=3, places=2))
    total = draw(fen)
    plan = Plan(
        name="p",
        total=total,
        subsidy=draw(st.integers(0, total)),
        base=draw(st.sampled_from(Base)),
        floor_coefficients=floor_coefficients,
        unit_coefficients=draw(st.dictionaries(st.integers(0, len(units)), coefficients)),
        default_coefficient=default,
        compensation=draw(st.dictionaries(st.integers(1, floors), st.integers(0, 10**6))),
    )
    if not any(plan.coefficient_for(unit) for unit in units):
        plan = Plan(name="p", total=total, default_coefficient=default)
    return plan, units


@settings(deadline=None)
@given(plans_and_units())
def test_the_paying_shares_add_up_to_what_is_collected_exactly(plan_and_units):
    plan, units = plan_and_units
    result = split(plan, units)
    assert sum(share.pays for share in result.shares) == result.collected
    assert sum(share.amount for share in result.shares) == plan.total - plan.subsidy
    assert all(share.pays >= 0 for share in result.shares)
    assert [share.unit_id for share in result.shares] == [unit.unit_id for unit in units]


@settings(deadline=None)
@given(
    st.lists(coefficients, min_size=2, max_size=30).filter(any),
    st.decimals(min_value=Decimal("0.01"), max_value=300, places=2),
    fen,
)
def test_a_higher_coefficient_never_pays_less_at_equal_area(unit_coefficients, area, total):
    units = [PayingUnit(index, 1, area) for index in range(len(unit_coefficients))]
    plan = Plan(name="p", total=total, unit_coefficients=dict(enumerate(unit_coefficients)))
    shares = split(plan, units).shares
    for higher in shares:
        for lower in shares:
            if higher.coefficient > lower.coefficient:
                assert higher.amount >= lower.amount


@settings(deadline=None)
@given(plans_and_units())
def test_plan_data_round_trips_through_json(plan_and_units):
    plan, _ = plan_and_units
    assert plan_from_data(json.loads(json.dumps(plan_to_data(plan)))) == plan
