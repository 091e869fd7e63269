"""The authorisation matrix: role x scope x action, written out by hand from the roles' duties.

The expected table is independent of hall.community.policy.PERMISSIONS on purpose: a change to
the policy must be made in both places, and a slip in either fails here.
"""

from __future__ import annotations

import pytest

from hall.community.policy import (
    ANONYMOUS,
    Action,
    Actor,
    Decision,
    Grant,
    Place,
    decide,
    may_grant,
)
from hall.community.roles import GrantScope, Role

JIANGBEI, YUBEI = 1, 2
HOME, NEIGHBOUR, FAR = 10, 11, 20  # HOME and NEIGHBOUR are in Jiangbei, FAR in Yubei
FIRST, SECOND = 100, 101  # buildings of HOME
HOME_PLACE = Place(JIANGBEI, HOME)
NEIGHBOUR_PLACE = Place(JIANGBEI, NEIGHBOUR)
FAR_PLACE = Place(YUBEI, FAR)

R, C, S, M, P, O, A = (  # noqa: E741  (the table's column letters)
    Role.RESIDENT,
    Role.COUNCIL_CHAIR,
    Role.BRANCH_SECRETARY,
    Role.COMMITTEE_MEMBER,
    Role.PROPERTY_MANAGER,
    Role.SUBDISTRICT_OFFICER,
    Role.ADMIN,
)
COLUMNS = (R, C, S, M, P, O, A)
# x: allowed where the role is held; .: forbidden (the place stays visible)
EXPECTED = """
                   R C S M P O A
view_community     x x x x x x x
view_people        . x x x x x x
edit_registry      . . . . x . x
import_roster      . . . . x . x
view_grants        . x x x x x x
grant_role         . . x . . x x
create_community   . . . . . x x
propose_issue      x x x x x x x
comment            x x x x x x x
moderate           . x x . . x x
run_session        . x . . . . x
manage_vote        . x . x . . x
sign_off           . . x x x . x
publish_decision   . . x . . . x
oversee            . . . . . x x
"""


def expected_table() -> dict[tuple[Role, Action], bool]:
    table = {}
    for line in EXPECTED.strip().splitlines()[1:]:
        name, *marks = line.split()
        for role, mark in zip(COLUMNS, marks, strict=True):
            table[role, Action(name)] = mark == "x"
    return table


TABLE = expected_table()


def holding(role: Role) -> Actor:
    """An actor holding `role` at the scope where that role usually sits, over HOME."""
    if role is Role.ADMIN:
        grant = Grant(role, GrantScope.SITE, Place())
    elif role is Role.SUBDISTRICT_OFFICER:
        grant = Grant(role, GrantScope.SUBDISTRICT, Place(JIANGBEI))
    else:
        grant = Grant(role, GrantScope.COMMUNITY, HOME_PLACE)
    return Actor(account_id=1, grants=(grant,))


def test_the_expected_table_names_every_action():
    assert {action for _, action in TABLE} == set(Action)


@pytest.mark.parametrize(("role", "action"), sorted(TABLE, key=str))
def test_role_may_do_what_its_duties_need_in_its_own_community(role, action):
    expected = Decision.ALLOWED if TABLE[role, action] else Decision.FORBIDDEN
    assert decide(holding(role), action, HOME_PLACE) is expected
    # ...and in every building of it
    assert decide(holding(role), action, Place(JIANGBEI, HOME, FIRST)) is expected


@pytest.mark.parametrize("role", [R, C, S, M, P])
@pytest.mark.parametrize("action", list(Action))
def test_another_communitys_data_is_invisible_to_community_roles(role, action):
    assert decide(holding(role), action, NEIGHBOUR_PLACE) is Decision.INVISIBLE
    assert decide(holding(role), action, FAR_PLACE) is Decision.INVISIBLE


@pytest.mark.parametrize("action", list(Action))
def test_subdistrict_officer_reaches_every_community_of_the_subdistrict_and_no_other(action):
    officer = holding(O)
    expected = Decision.ALLOWED if TABLE[O, action] else Decision.FORBIDDEN
    assert decide(officer, action, NEIGHBOUR_PLACE) is expected
    assert decide(officer, action, FAR_PLACE) is Decision.INVISIBLE


@pytest.mark.parametrize("action", list(Action))
def test_site_admin_may_do_everything_everywhere(action):
    for place in (HOME_PLACE, NEIGHBOUR_PLACE, FAR_PLACE, Place()):
        assert decide(holding(A), action, place) is Decision.ALLOWED


@pytest.mark.parametrize("action", list(Action))
def test_anonymous_visitor_must_log_in_first(action):
    assert decide(ANONYMOUS, action, HOME_PLACE) is Decision.UNAUTHENTICATED


@pytest.mark.parametrize("action", list(Action))
def test_account_without_grants_sees_nothing(action):
    assert decide(Actor(account_id=5), action, HOME_PLACE) is Decision.INVISIBLE


def test_resident_of_one_building_sees_the_community_but_acts_only_in_that_building():
    actor = Actor(7, (Grant(R, GrantScope.BUILDING, Place(JIANGBEI, HOME, SECOND)),))
    assert decide(actor, Action.VIEW_COMMUNITY, HOME_PLACE) is Decision.ALLOWED
    assert decide(actor, Action.COMMENT, Place(JIANGBEI, HOME, SECOND)) is Decision.ALLOWED
    assert decide(actor, Action.COMMENT, Place(JIANGBEI, HOME, FIRST)) is Decision.FORBIDDEN
    assert decide(actor, Action.COMMENT, HOME_PLACE) is Decision.FORBIDDEN
    assert decide(actor, Action.VIEW_COMMUNITY, NEIGHBOUR_PLACE) is Decision.INVISIBLE


def held_at_building(role: Role, building: int = SECOND) -> Actor:
    return Actor(7, (Grant(role, GrantScope.BUILDING, Place(JIANGBEI, HOME, building)),))


@pytest.mark.parametrize("role", [R, C])
@pytest.mark.parametrize("action", list(Action))
def test_a_role_granted_at_a_building_acts_there_as_it_would_in_its_community(role, action):
    expected = Decision.ALLOWED if TABLE[role, action] else Decision.FORBIDDEN
    assert decide(held_at_building(role), action, Place(JIANGBEI, HOME, SECOND)) is expected


@pytest.mark.parametrize("role", [R, C])
@pytest.mark.parametrize("action", list(Action))
def test_a_role_granted_at_a_building_only_looks_at_the_rest_of_its_community(role, action):
    # Another building of the community, and the community as a whole, stay visible (the
    # holder lives there), but nothing beyond looking at them is the grant's to do.
    expected = Decision.ALLOWED if action is Action.VIEW_COMMUNITY else Decision.FORBIDDEN
    actor = held_at_building(role)
    assert decide(actor, action, Place(JIANGBEI, HOME, FIRST)) is expected
    assert decide(actor, action, HOME_PLACE) is expected


@pytest.mark.parametrize("role", [R, C])
@pytest.mark.parametrize("action", list(Action))
def test_a_role_granted_at_a_building_does_not_see_other_communities(role, action):
    actor = held_at_building(role)
    assert decide(actor, action, NEIGHBOUR_PLACE) is Decision.INVISIBLE
    assert decide(actor, action, Place(JIANGBEI, NEIGHBOUR, SECOND)) is Decision.INVISIBLE
    assert decide(actor, action, FAR_PLACE) is Decision.INVISIBLE


def test_a_building_grant_adds_to_a_community_grant_without_narrowing_it():
    actor = Actor(
        9,
        (
            Grant(R, GrantScope.COMMUNITY, HOME_PLACE),
            Grant(C, GrantScope.BUILDING, Place(JIANGBEI, HOME, SECOND)),
        ),
    )
    assert decide(actor, Action.COMMENT, Place(JIANGBEI, HOME, FIRST)) is Decision.ALLOWED
    assert decide(actor, Action.MODERATE, Place(JIANGBEI, HOME, SECOND)) is Decision.ALLOWED
    assert decide(actor, Action.MODERATE, Place(JIANGBEI, HOME, FIRST)) is Decision.FORBIDDEN
    assert decide(actor, Action.MODERATE, HOME_PLACE) is Decision.FORBIDDEN


def test_only_a_community_grant_may_hand_out_a_building_grant():
    building = Place(JIANGBEI, HOME, FIRST)
    assert may_grant(holding(S), R, GrantScope.BUILDING, building) is Decision.ALLOWED
    assert may_grant(held_at_building(C, FIRST), R, GrantScope.BUILDING, building) is (
        Decision.FORBIDDEN
    )


def test_roles_in_two_communities_do_not_mix():
    actor = Actor(
        8,
        (
            Grant(P, GrantScope.COMMUNITY, HOME_PLACE),
            Grant(R, GrantScope.COMMUNITY, NEIGHBOUR_PLACE),
        ),
    )
    assert decide(actor, Action.IMPORT_ROSTER, HOME_PLACE) is Decision.ALLOWED
    assert decide(actor, Action.IMPORT_ROSTER, NEIGHBOUR_PLACE) is Decision.FORBIDDEN


GRANTS_EXPECTED = {
    # granting role: roles it may hand out at community scope in its own reach
    S: {R, C, M, P},
    O: {R, C, S, M, P},
    A: {R, C, S, M, P},
}


@pytest.mark.parametrize("granter", [R, C, S, M, P, O, A])
@pytest.mark.parametrize("role", [R, C, S, M, P])
def test_who_may_grant_which_role_in_a_community(granter, role):
    allowed = role in GRANTS_EXPECTED.get(granter, set())
    expected = Decision.ALLOWED if allowed else Decision.FORBIDDEN
    assert may_grant(holding(granter), role, GrantScope.COMMUNITY, HOME_PLACE) is expected


def test_nobody_but_an_admin_makes_officers_or_admins():
    for granter in (S, O):
        assert (
            may_grant(holding(granter), O, GrantScope.SUBDISTRICT, Place(JIANGBEI))
            is not Decision.ALLOWED
        )
        assert may_grant(holding(granter), A, GrantScope.SITE, Place()) is not Decision.ALLOWED
    assert may_grant(holding(A), O, GrantScope.SUBDISTRICT, Place(JIANGBEI)) is Decision.ALLOWED
    assert may_grant(holding(A), A, GrantScope.SITE, Place()) is Decision.ALLOWED


def test_a_role_is_granted_only_at_a_scope_that_fits_it():
    admin = holding(A)
    assert may_grant(admin, O, GrantScope.COMMUNITY, HOME_PLACE) is Decision.FORBIDDEN
    assert may_grant(admin, S, GrantScope.SUBDISTRICT, Place(JIANGBEI)) is Decision.FORBIDDEN
    assert may_grant(admin, R, GrantScope.BUILDING, Place(JIANGBEI, HOME, FIRST)) is (
        Decision.ALLOWED
    )


def test_secretary_cannot_grant_in_another_community():
    assert may_grant(holding(S), R, GrantScope.COMMUNITY, NEIGHBOUR_PLACE) is Decision.INVISIBLE
