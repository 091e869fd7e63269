from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from hall.community.households import Holding, owners_for_headcount


def holding(unit_id, area, *owners):
    return Holding(unit_id, Decimal(area), frozenset(owners))


def test_owner_of_two_units_counts_once_with_both_areas_added():
    owners = owners_for_headcount([holding(1, "89.52", 7), holding(2, "102.36", 7)])
    assert len(owners) == 1
    assert owners[0].area == Decimal("191.88")
    assert owners[0].unit_ids == (1, 2)


def test_co_owners_of_one_unit_count_once():
    owners = owners_for_headcount([holding(1, "89.52", 7, 8)])
    assert len(owners) == 1
    assert owners[0].person_ids == {7, 8}


def test_co_owner_who_also_owns_another_unit_joins_both_units_into_one_head():
    owners = owners_for_headcount([holding(1, "80.00", 7, 8), holding(2, "60.00", 7)])
    assert [o.unit_ids for o in owners] == [(1, 2)]
    assert owners[0].area == Decimal("140.00")


def test_separate_owners_count_separately_and_unowned_units_count_for_nobody():
    owners = owners_for_headcount(
        [holding(1, "80.00", 7), holding(2, "60.00", 8), holding(3, "70.00")]
    )
    assert [o.unit_ids for o in owners] == [(1,), (2,)]


units = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2),
        st.frozensets(st.integers(min_value=1, max_value=15), max_size=3),
    ),
    max_size=30,
)


@given(units)
def test_headcount_never_exceeds_owned_units_and_keeps_every_owned_square_metre(data):
    holdings = [Holding(i, area, owners) for i, (area, owners) in enumerate(data)]
    owners = owners_for_headcount(holdings)
    owned = [h for h in holdings if h.owner_ids]
    assert len(owners) <= len(owned)
    assert sum((o.area for o in owners), Decimal(0)) == sum((h.area for h in owned), Decimal(0))
    # every person is in exactly one head
    people = [p for o in owners for p in o.person_ids]
    assert len(people) == len(set(people))
