"""What one person may do with one issue, and with a community's issues, decided once.

The service gathers plain facts (the actor's grants, who they are to the issue, whether they
live in its scope and already support it, where it is in its lifecycle) and asks this module;
the API publishes the answer as the issue's `permissions`, the pages render it, and the
services enforce the very same answer by raising its refusal, so no two doors can disagree.

A role granted at the community reaches all of its issues. A role granted at a building (a
resident registered at their own building) reaches the issues whose scope touches that
building, and lets its holder propose issues that concern their buildings alone.

Pure: the policy, the lifecycle and the refusals; no Flask, no session.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields

from hall.community.policy import Action, Actor, Decision, Place, decide
from hall.community.roles import GrantScope
from hall.errors import NO_SUCH_COMMUNITY, NOT_ALLOWED_HERE, NOT_LOGGED_IN, HallError, Refusal
from hall.issues import lifecycle, refusals
from hall.issues.lifecycle import Capacity, State

# Roles that speak for the council: they move issues along and reply officially.
COUNCIL_ACTIONS = frozenset({Action.RUN_SESSION, Action.MANAGE_VOTE, Action.PUBLISH_DECISION})
SPEAKS_OFFICIALLY = frozenset({Capacity.COUNCIL, Capacity.SUBDISTRICT})
EDITABLE = frozenset({State.DRAFT, State.COLLECTING})
MAX_DEPTH = 3  # a comment, a reply, a reply to the reply


class Act(enum.StrEnum):
    """What one may do with an issue: the names of `IssuePermissions`' yes-or-no answers."""

    VIEW = "view"
    EDIT = "edit"  # its text, category and photos
    SUPPORT = "support"
    WITHDRAW_SUPPORT = "withdraw_support"
    COMMENT = "comment"  # post a comment or a reply now
    COMMENT_OFFICIALLY = "comment_officially"
    REPORT = "report"  # flag a comment of the thread
    MODERATE = "moderate"  # hide or restore comments


@dataclass(frozen=True)
class Standing:
    """What the actor may do in one community: the actions allowed at the community itself,
    and at each building of it where they hold a role of their own."""

    community: Place
    decision: Decision  # of looking at the community: allowed, invisible, unauthenticated
    here: frozenset[Action]
    buildings: Mapping[int, frozenset[Action]] = field(default_factory=dict)

    @property
    def visible(self) -> bool:
        return self.decision is Decision.ALLOWED

    def holds(self, action: Action, reached: frozenset[int] | None) -> bool:
        """Allowed at the community, or at one of the actor's buildings that `reached` (the
        buildings an issue's scope touches; None for the whole community) includes."""
        if action in self.here:
            return True
        return any(
            action in actions and (reached is None or building in reached)
            for building, actions in self.buildings.items()
        )

    def refusal(self, missing: Refusal = refusals.NO_SUCH_ISSUE) -> HallError:
        """Why an action not held is refused: 401, `missing` (404) outside every scope, else
        403."""
        if self.decision is Decision.UNAUTHENTICATED:
            return NOT_LOGGED_IN()
        if self.decision is Decision.INVISIBLE:
            return missing()
        return NOT_ALLOWED_HERE()


def standing(actor: Actor, community: Place) -> Standing:
    decision = decide(actor, Action.VIEW_COMMUNITY, community)
    if decision is not Decision.ALLOWED:
        return Standing(community, decision, frozenset())
    buildings = {
        grant.place.building_id: _allowed(
            actor, Place(community.subdistrict_id, community.community_id, grant.place.building_id)
        )
        for grant in actor.grants
        if grant.kind is GrantScope.BUILDING and grant.place.community_id == community.community_id
    }
    return Standing(community, decision, _allowed(actor, community), buildings)


def _allowed(actor: Actor, place: Place) -> frozenset[Action]:
    return frozenset(a for a in Action if decide(actor, a, place) is Decision.ALLOWED)


def needs_reach(standing: Standing) -> bool:
    """Whether the answer depends on which buildings an issue reaches (so the service need not
    look them up for anyone whose roles cover the whole community)."""
    return bool(standing.buildings)


# One issue -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueFacts:
    state: State
    proposer: bool  # the actor proposed the issue
    reached: frozenset[int] | None = None  # the buildings its scope touches; None: all
    lives_in_scope: bool = False  # the actor owns or rents a unit the issue binds
    supports: bool = False  # the actor's support is counted


@dataclass(frozen=True)
class IssuePermissions:
    view: bool = False
    edit: bool = False
    support: bool = False
    withdraw_support: bool = False
    comment: bool = False
    comment_officially: bool = False
    report: bool = False
    moderate: bool = False
    # Takes part in the thread and supports at all: a resident of the scope, or one who
    # speaks for the council or the subdistrict (a closed thread aside).
    participate: bool = False
    transitions: tuple[str, ...] = ()  # lifecycle steps the actor may take now

    def as_dict(self) -> dict:
        answer = asdict(self)
        answer["transitions"] = list(self.transitions)
        return answer


ISSUE_PERMISSIONS = tuple(f.name for f in fields(IssuePermissions))


@dataclass(frozen=True)
class IssueAccess:
    """The one answer for an actor and an issue: each act allowed, or the refusal that stops
    it. Services call `require`, doors read `permissions`."""

    standing: Standing
    facts: IssueFacts
    capacities: frozenset[Capacity]

    def refusal(self, act: Act) -> HallError | None:
        return _REFUSERS[act](self)

    def allows(self, act: Act) -> bool:
        return self.refusal(act) is None

    def require(self, act: Act) -> None:
        refused = self.refusal(act)
        if refused is not None:
            raise refused

    def holds(self, action: Action) -> bool:
        return self.standing.holds(action, self.facts.reached)

    @property
    def participant(self) -> bool:
        return self.holds(Action.COMMENT) and (
            bool(self.capacities & SPEAKS_OFFICIALLY) or self.facts.lives_in_scope
        )

    def transitions(self) -> tuple[str, ...]:
        """The steps of this stage the actor may attempt now: their preconditions (a reason,
        enough supports, a target to merge into) are the attempt's to meet."""
        return tuple(
            name.value
            for name in lifecycle.available(self.facts.state, self.capacities)
            if name in lifecycle.DELIBERATION_TRANSITIONS
        )

    def permissions(self) -> IssuePermissions:
        if self.refusal(Act.VIEW) is not None:
            return IssuePermissions()
        return IssuePermissions(
            **{act.value: self.allows(act) for act in Act},
            participate=self.participant,
            transitions=self.transitions(),
        )


def capacities(actor: Actor, standing: Standing, proposer: bool) -> frozenset[Capacity]:
    """Who the actor is to an issue of this community, for the lifecycle."""
    held = set()
    if proposer and actor.account_id is not None:
        held.add(Capacity.PROPOSER)
    if standing.here & COUNCIL_ACTIONS:
        held.add(Capacity.COUNCIL)
    if Action.OVERSEE in standing.here:
        held.add(Capacity.SUBDISTRICT)
    return frozenset(held)


def judge(actor: Actor, standing: Standing, facts: IssueFacts) -> IssueAccess:
    return IssueAccess(standing, facts, capacities(actor, standing, facts.proposer))


def _view(access: IssueAccess) -> HallError | None:
    if not access.standing.visible:
        return access.standing.refusal()
    if access.facts.state is State.DRAFT and not access.facts.proposer:
        return refusals.NO_SUCH_ISSUE()  # a draft is its proposer's alone
    return None


def _holding(access: IssueAccess, action: Action) -> HallError | None:
    refused = _view(access)
    if refused is None and not access.holds(action):
        return access.standing.refusal()
    return refused


def _edit(access: IssueAccess) -> HallError | None:
    refused = _view(access)
    if refused is not None:
        return refused
    if Capacity.PROPOSER not in access.capacities:
        return refusals.NOT_THE_PROPOSER()
    if access.facts.state not in EDITABLE:
        return refusals.NO_LONGER_EDITABLE()
    return None


def _support(access: IssueAccess) -> HallError | None:
    refused = _holding(access, Action.COMMENT)
    if refused is not None:
        return refused
    if access.facts.state not in lifecycle.SUPPORTABLE:
        return refusals.SUPPORTS_CLOSED()
    if not access.facts.lives_in_scope:
        return refusals.SUPPORT_NOT_IN_SCOPE()
    if access.facts.supports:
        return refusals.ALREADY_SUPPORTED()
    return None


def _withdraw_support(access: IssueAccess) -> HallError | None:
    refused = _view(access)
    if refused is not None:
        return refused
    if access.facts.state not in lifecycle.SUPPORTABLE:
        return refusals.SUPPORTS_CLOSED()
    if not access.facts.supports:
        return refusals.NOT_SUPPORTED()
    return None


def _comment(access: IssueAccess) -> HallError | None:
    refused = _holding(access, Action.COMMENT)
    if refused is not None:
        return refused
    if not access.participant:
        return refusals.NOT_IN_SCOPE()
    if access.facts.state not in lifecycle.DISCUSSABLE:
        return refusals.THREAD_CLOSED()
    return None


def _comment_officially(access: IssueAccess) -> HallError | None:
    refused = _comment(access)
    if refused is None and not access.capacities & SPEAKS_OFFICIALLY:
        return refusals.NOT_OFFICIAL()
    return refused


def _moderate(access: IssueAccess) -> HallError | None:
    refused = _view(access)
    if refused is None and Action.MODERATE not in access.standing.here:
        return access.standing.refusal()
    return refused


_REFUSERS = {
    Act.VIEW: _view,
    Act.EDIT: _edit,
    Act.SUPPORT: _support,
    Act.WITHDRAW_SUPPORT: _withdraw_support,
    Act.COMMENT: _comment,
    Act.COMMENT_OFFICIALLY: _comment_officially,
    Act.REPORT: lambda access: _holding(access, Action.COMMENT),
    Act.MODERATE: _moderate,
}


# One comment of the thread -------------------------------------------------------------------


class CommentAct(enum.StrEnum):
    """What one may do with a comment: the names of `CommentPermissions`' answers."""

    REPLY = "reply"
    EDIT = "edit"
    DELETE = "delete"
    REPORT = "report"
    MODERATE = "moderate"  # decide on it at all: hide or restore, as its state allows
    HIDE = "hide"
    RESTORE = "restore"  # also settles the reports of a comment they have not yet hidden
    HISTORY = "history"  # its earlier texts


@dataclass(frozen=True)
class CommentFacts:
    mine: bool
    depth: int
    visibility: str  # hall.issues.models.Visibility: visible, reported, hidden, deleted
    reports: int = 0  # not yet settled by a moderator
    reported_by_me: bool = False


@dataclass(frozen=True)
class CommentPermissions:
    reply: bool = False
    edit: bool = False
    delete: bool = False
    report: bool = False
    moderate: bool = False
    hide: bool = False
    restore: bool = False
    history: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def comment_refusal(issue: IssueAccess, act: CommentAct, comment: CommentFacts) -> HallError | None:
    refused = issue.refusal(Act.VIEW)
    if refused is not None:
        return refused
    return _COMMENT_REFUSERS[act](issue, comment)


def require_on_comment(issue: IssueAccess, act: CommentAct, comment: CommentFacts) -> None:
    refused = comment_refusal(issue, act, comment)
    if refused is not None:
        raise refused


def comment_permissions(issue: IssueAccess, comment: CommentFacts) -> CommentPermissions:
    return CommentPermissions(
        **{act.value: comment_refusal(issue, act, comment) is None for act in CommentAct}
    )


def _reply(issue: IssueAccess, comment: CommentFacts) -> HallError | None:
    refused = issue.refusal(Act.COMMENT)
    if refused is not None:
        return refused
    if comment.visibility != "visible":
        return refusals.PARENT_NOT_SHOWN()
    if comment.depth >= MAX_DEPTH:
        return refusals.REPLY_TOO_DEEP(limit=MAX_DEPTH)
    return None


def _edit_comment(issue: IssueAccess, comment: CommentFacts) -> HallError | None:
    if not comment.mine:
        return refusals.NOT_THE_AUTHOR()
    if issue.facts.state not in lifecycle.DISCUSSABLE:
        return refusals.THREAD_CLOSED()
    if comment.visibility != "visible":
        return refusals.COMMENT_NOT_EDITABLE()
    return None


def _delete_comment(issue: IssueAccess, comment: CommentFacts) -> HallError | None:
    if not comment.mine:
        return refusals.NOT_THE_AUTHOR()
    if comment.visibility == "deleted":
        return refusals.COMMENT_ALREADY_DELETED()
    return None


def _report(issue: IssueAccess, comment: CommentFacts) -> HallError | None:
    refused = issue.refusal(Act.REPORT)
    if refused is not None:
        return refused
    if comment.mine:
        return refusals.OWN_COMMENT_REPORTED()
    if comment.visibility in ("deleted", "hidden"):
        return refusals.REPORTED_COMMENT_NOT_SHOWN()
    if comment.reported_by_me:
        return refusals.ALREADY_REPORTED()
    return None


def _hide(issue: IssueAccess, comment: CommentFacts) -> HallError | None:
    refused = issue.refusal(Act.MODERATE)
    if refused is not None:
        return refused
    if comment.visibility == "hidden":
        return refusals.COMMENT_ALREADY_HIDDEN()
    if comment.visibility == "deleted":
        return refusals.COMMENT_ALREADY_DELETED()
    return None


def _restore(issue: IssueAccess, comment: CommentFacts) -> HallError | None:
    refused = issue.refusal(Act.MODERATE)
    if refused is not None:
        return refused
    if comment.visibility == "deleted":
        return refusals.COMMENT_ALREADY_DELETED()
    if comment.visibility == "visible" and comment.reports == 0:
        return refusals.COMMENT_NOT_HIDDEN()
    return None


def _history(issue: IssueAccess, comment: CommentFacts) -> HallError | None:
    if comment.visibility != "visible" and not issue.allows(Act.MODERATE):
        return refusals.HISTORY_NOT_SHOWN()
    return None


_COMMENT_REFUSERS = {
    CommentAct.REPLY: _reply,
    CommentAct.EDIT: _edit_comment,
    CommentAct.DELETE: _delete_comment,
    CommentAct.REPORT: _report,
    CommentAct.MODERATE: lambda issue, comment: issue.refusal(Act.MODERATE),
    CommentAct.HIDE: _hide,
    CommentAct.RESTORE: _restore,
    CommentAct.HISTORY: _history,
}


# A community's issues --------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityPermissions:
    view: bool = False  # its issues
    propose_issue: bool = False  # some issue: for the whole community, or for own buildings
    propose_community_wide: bool = False
    # Where a proposal may reach when not community-wide: None for anywhere in the community,
    # else the ids of the buildings the actor's own roles are granted at.
    proposal_buildings: tuple[int, ...] | None = None
    moderate: bool = False  # the moderation queue, and the community's issue settings

    def as_dict(self) -> dict:
        answer = asdict(self)
        if self.proposal_buildings is not None:
            answer["proposal_buildings"] = list(self.proposal_buildings)
        return answer


def community_permissions(standing: Standing) -> CommunityPermissions:
    if not standing.visible:
        return CommunityPermissions()
    wide = Action.PROPOSE_ISSUE in standing.here
    own = tuple(sorted(_proposing_buildings(standing)))
    return CommunityPermissions(
        view=True,
        propose_issue=wide or bool(own),
        propose_community_wide=wide,
        proposal_buildings=None if wide else own,
        moderate=Action.MODERATE in standing.here,
    )


def proposal_refusal(standing: Standing, reached: frozenset[int] | None) -> HallError | None:
    """May the actor propose an issue whose scope touches `reached` (None: the whole
    community)? A role granted at a building proposes for that building alone."""
    if not standing.visible:
        return standing.refusal(missing=NO_SUCH_COMMUNITY)
    if Action.PROPOSE_ISSUE in standing.here:
        return None
    own = _proposing_buildings(standing)
    if not own:
        return NOT_ALLOWED_HERE()
    if reached is None or not reached <= own:
        return refusals.PROPOSAL_BEYOND_BUILDINGS()
    return None


def _proposing_buildings(standing: Standing) -> set[int]:
    return {b for b, actions in standing.buildings.items() if Action.PROPOSE_ISSUE in actions}
