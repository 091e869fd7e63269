"""The one access answer for an issue, judged from plain facts: no database, no Flask."""

from __future__ import annotations

import pytest

from hall.community.policy import Actor, Grant, Place
from hall.community.roles import GrantScope, Role
from hall.issues import access
from hall.issues.access import Act, CommentAct, CommentFacts, IssueFacts
from hall.issues.lifecycle import State

HOME = Place(subdistrict_id=1, community_id=10)
FIRST, SECOND = 100, 200


def at_community(role: Role) -> Grant:
    return Grant(role, GrantScope.COMMUNITY, HOME)


def at_building(role: Role, building: int) -> Grant:
    return Grant(role, GrantScope.BUILDING, Place(1, 10, building))


def actor(*grants: Grant, account: int = 7, person: int | None = 70) -> Actor:
    return Actor(account_id=account, grants=grants, person_id=person)


RESIDENT = actor(at_community(Role.RESIDENT))
SECOND_OWNER = actor(at_building(Role.RESIDENT, SECOND))
CHAIR = actor(at_community(Role.COUNCIL_CHAIR), person=None)
SECRETARY = actor(at_community(Role.BRANCH_SECRETARY), person=None)
OFFICER = actor(Grant(Role.SUBDISTRICT_OFFICER, GrantScope.SUBDISTRICT, Place(1)), person=None)
NEIGHBOUR = actor(Grant(Role.RESIDENT, GrantScope.COMMUNITY, Place(1, 11)))
ANONYMOUS = Actor(account_id=None)


def judged(who: Actor, **facts):
    facts = {"state": State.COLLECTING, "proposer": False, **facts}
    return access.judge(who, access.standing(who, HOME), IssueFacts(**facts))


def test_a_resident_in_scope_supports_comments_and_reports():
    answer = judged(RESIDENT, lives_in_scope=True).permissions()
    assert (answer.support, answer.comment, answer.report, answer.participate) == (
        True,
        True,
        True,
        True,
    )
    assert (answer.moderate, answer.comment_officially, answer.edit) == (False, False, False)
    assert answer.transitions == ()


def test_a_resident_outside_the_scope_watches_and_reports_but_neither_supports_nor_comments():
    found = judged(RESIDENT, lives_in_scope=False)
    assert found.permissions().report is True
    assert found.refusal(Act.SUPPORT).code == "supports_from_residents_only"
    assert found.refusal(Act.COMMENT).code == "not_in_scope"


def test_the_council_takes_part_without_living_in_scope_and_replies_officially():
    found = judged(CHAIR)
    answer = found.permissions()
    assert (answer.comment, answer.comment_officially, answer.moderate) == (True, True, True)
    assert found.refusal(Act.SUPPORT).code == "supports_from_residents_only"
    assert set(answer.transitions) == {"accept", "reject", "merge", "escalate"}


def test_the_proposer_edits_until_deliberation_begins():
    assert judged(RESIDENT, proposer=True).permissions().edit is True
    assert judged(RESIDENT, proposer=True).permissions().transitions == ("withdraw",)
    later = judged(RESIDENT, proposer=True, state=State.DELIBERATION)
    assert later.refusal(Act.EDIT).code == "issue_no_longer_editable"
    assert judged(RESIDENT).refusal(Act.EDIT).code == "not_the_proposer"


def test_supports_are_given_once_and_taken_back_while_collecting():
    assert judged(RESIDENT, lives_in_scope=True, supports=True).refusal(Act.SUPPORT).code == (
        "already_supported"
    )
    assert judged(RESIDENT, lives_in_scope=True).refusal(Act.WITHDRAW_SUPPORT).code == (
        "not_supported"
    )
    closed = judged(RESIDENT, lives_in_scope=True, supports=True, state=State.DELIBERATION)
    assert closed.refusal(Act.SUPPORT).code == "supports_closed"
    assert closed.refusal(Act.WITHDRAW_SUPPORT).code == "supports_closed"


def test_a_closed_thread_takes_no_comment():
    assert judged(RESIDENT, lives_in_scope=True, state=State.CLOSED).refusal(Act.COMMENT).code == (
        "thread_closed"
    )


@pytest.mark.parametrize(
    ("reached", "takes_part"),
    [(frozenset({SECOND}), True), (frozenset({FIRST, SECOND}), True), (None, True),
     (frozenset({FIRST}), False)],
)  # fmt: skip
def test_a_role_granted_at_a_building_reaches_the_issues_touching_it(reached, takes_part):
    found = judged(SECOND_OWNER, reached=reached, lives_in_scope=takes_part)
    assert found.permissions().report is takes_part
    assert found.permissions().support is takes_part
    if not takes_part:
        assert found.refusal(Act.SUPPORT).code == "forbidden"


def test_a_role_granted_at_a_building_proposes_for_that_building_alone():
    standing = access.standing(SECOND_OWNER, HOME)
    answer = access.community_permissions(standing)
    assert (answer.propose_issue, answer.propose_community_wide) == (True, False)
    assert answer.proposal_buildings == (SECOND,)
    assert access.proposal_refusal(standing, frozenset({SECOND})) is None
    for reached in (None, frozenset({FIRST}), frozenset({FIRST, SECOND})):
        assert access.proposal_refusal(standing, reached).code == "proposal_beyond_your_buildings"


def test_a_role_at_the_community_proposes_anywhere_in_it():
    answer = access.community_permissions(access.standing(RESIDENT, HOME))
    assert (answer.propose_issue, answer.propose_community_wide) == (True, True)
    assert answer.proposal_buildings is None
    assert access.proposal_refusal(access.standing(RESIDENT, HOME), None) is None


def test_others_see_nothing_of_the_community_and_strangers_are_asked_to_log_in():
    assert judged(NEIGHBOUR).refusal(Act.VIEW).code == "no_such_issue"
    assert judged(NEIGHBOUR).permissions() == access.IssuePermissions()
    assert judged(ANONYMOUS).refusal(Act.VIEW).code == "unauthenticated"
    assert access.community_permissions(access.standing(NEIGHBOUR, HOME)).view is False


def test_a_draft_is_its_proposers_alone():
    assert judged(CHAIR, state=State.DRAFT).refusal(Act.VIEW).code == "no_such_issue"
    assert judged(RESIDENT, state=State.DRAFT, proposer=True).permissions().view is True


def test_the_subdistrict_oversees_and_moderates():
    answer = judged(OFFICER, state=State.ESCALATED).permissions()
    assert answer.comment_officially and answer.moderate
    assert set(answer.transitions) == {"close", "reopen"}


def comment(**facts) -> CommentFacts:
    return CommentFacts(**{"mine": False, "depth": 1, "visibility": "visible", **facts})


def test_a_comment_answers_who_may_reply_edit_report_and_moderate_it():
    resident = judged(RESIDENT, lives_in_scope=True)
    own = access.comment_permissions(resident, comment(mine=True))
    assert (own.edit, own.delete, own.report, own.reply) == (True, True, False, True)
    other = access.comment_permissions(resident, comment())
    assert (other.edit, other.report, other.hide) == (False, True, False)
    deep = access.comment_refusal(resident, CommentAct.REPLY, comment(depth=3))
    assert deep.code == "reply_too_deep"
    reported = access.comment_refusal(resident, CommentAct.REPORT, comment(reported_by_me=True))
    assert reported.code == "already_reported"


@pytest.mark.parametrize(
    ("visibility", "reports", "hide", "restore"),
    [("visible", 0, None, "comment_not_hidden"), ("visible", 2, None, None),
     ("reported", 3, None, None), ("hidden", 0, "comment_already_hidden", None),
     ("deleted", 0, "comment_already_deleted", "comment_already_deleted")],
)  # fmt: skip
def test_a_moderator_hides_what_is_shown_and_restores_what_is_hidden_or_reported(
    visibility, reports, hide, restore
):
    chair = judged(CHAIR)
    facts = comment(visibility=visibility, reports=reports)
    for act, expected in ((CommentAct.HIDE, hide), (CommentAct.RESTORE, restore)):
        refused = access.comment_refusal(chair, act, facts)
        assert (refused.code if refused else None) == expected
