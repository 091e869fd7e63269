"""Who may do what, where: the one place Hall decides authorisation.

Pure: plain data in, a yes or no out. Services build an Actor from the account's grants and a
Target from the thing acted on, then call `authorise`. Roles are granted at a scope (the whole
site, a subdistrict, a community, a building) and reach everything inside it.

Two answers are distinct on purpose: a community the actor has no grant in is *invisible*
(404, so that other communities' names and numbers do not leak), while a visible thing the
actor may not change is *forbidden* (403).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from hall.community.roles import GrantScope, Role


class Action(enum.Enum):
    VIEW_COMMUNITY = "view_community"  # names, buildings, units and areas
    VIEW_PEOPLE = "view_people"  # names and phone numbers of owners and tenants
    EDIT_REGISTRY = "edit_registry"  # buildings, stairwells, units, people, ownership
    IMPORT_ROSTER = "import_roster"
    VIEW_GRANTS = "view_grants"
    GRANT_ROLE = "grant_role"
    CREATE_COMMUNITY = "create_community"
    # The workflow's actions, decided here so that every stage asks the same module.
    PROPOSE_ISSUE = "propose_issue"
    COMMENT = "comment"
    MODERATE = "moderate"
    RUN_SESSION = "run_session"
    MANAGE_VOTE = "manage_vote"
    SIGN_OFF = "sign_off"
    PUBLISH_DECISION = "publish_decision"
    OVERSEE = "oversee"  # cross-community figures and escalated disputes


STAFF = frozenset(
    {
        Action.VIEW_COMMUNITY,
        Action.VIEW_PEOPLE,
        Action.VIEW_GRANTS,
        Action.PROPOSE_ISSUE,
        Action.COMMENT,
    }
)

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.RESIDENT: frozenset({Action.VIEW_COMMUNITY, Action.PROPOSE_ISSUE, Action.COMMENT}),
    Role.COUNCIL_CHAIR: STAFF | {Action.RUN_SESSION, Action.MANAGE_VOTE, Action.MODERATE},
    Role.BRANCH_SECRETARY: STAFF
    | {Action.MODERATE, Action.SIGN_OFF, Action.PUBLISH_DECISION, Action.GRANT_ROLE},
    Role.COMMITTEE_MEMBER: STAFF | {Action.SIGN_OFF, Action.MANAGE_VOTE},
    Role.PROPERTY_MANAGER: STAFF | {Action.SIGN_OFF, Action.EDIT_REGISTRY, Action.IMPORT_ROSTER},
    Role.SUBDISTRICT_OFFICER: STAFF
    | {Action.OVERSEE, Action.MODERATE, Action.GRANT_ROLE, Action.CREATE_COMMUNITY},
    Role.ADMIN: frozenset(Action),
}

# Which roles a granting role may hand out. Nobody hands out a role above their own.
GRANTABLE: dict[Role, frozenset[Role]] = {
    Role.BRANCH_SECRETARY: frozenset(
        {Role.RESIDENT, Role.COUNCIL_CHAIR, Role.COMMITTEE_MEMBER, Role.PROPERTY_MANAGER}
    ),
    Role.SUBDISTRICT_OFFICER: frozenset(
        {
            Role.RESIDENT,
            Role.COUNCIL_CHAIR,
            Role.BRANCH_SECRETARY,
            Role.COMMITTEE_MEMBER,
            Role.PROPERTY_MANAGER,
        }
    ),
    Role.ADMIN: frozenset(Role),
}

# The narrowest scope each role makes sense at.
ALLOWED_SCOPES: dict[Role, frozenset[GrantScope]] = {
    Role.RESIDENT: frozenset({GrantScope.COMMUNITY, GrantScope.BUILDING}),
    Role.COUNCIL_CHAIR: frozenset({GrantScope.COMMUNITY, GrantScope.BUILDING}),
    Role.BRANCH_SECRETARY: frozenset({GrantScope.COMMUNITY}),
    Role.COMMITTEE_MEMBER: frozenset({GrantScope.COMMUNITY}),
    Role.PROPERTY_MANAGER: frozenset({GrantScope.COMMUNITY, GrantScope.SUBDISTRICT}),
    Role.SUBDISTRICT_OFFICER: frozenset({GrantScope.SUBDISTRICT}),
    Role.ADMIN: frozenset({GrantScope.SITE}),
}


@dataclass(frozen=True)
class Place:
    """Where something is: each level that applies, None where it does not."""

    subdistrict_id: int | None = None
    community_id: int | None = None
    building_id: int | None = None


@dataclass(frozen=True)
class Grant:
    role: Role
    kind: GrantScope
    place: Place  # the scope itself, with the levels above it filled in

    def covers(self, target: Place) -> bool:
        if self.kind is GrantScope.SITE:
            return True
        if self.kind is GrantScope.SUBDISTRICT:
            return target.subdistrict_id == self.place.subdistrict_id
        if self.kind is GrantScope.COMMUNITY:
            return target.community_id == self.place.community_id
        return (
            target.building_id == self.place.building_id
            and target.community_id == self.place.community_id
        )

    def sees(self, target: Place) -> bool:
        """A grant inside a community (a building's) still lets its holder see the community."""
        if self.kind is GrantScope.BUILDING:
            return target.community_id == self.place.community_id
        return self.covers(target)


@dataclass(frozen=True)
class Actor:
    account_id: int | None
    grants: tuple[Grant, ...] = field(default=())
    person_id: int | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.account_id is None


ANONYMOUS = Actor(account_id=None)


class Decision(enum.Enum):
    ALLOWED = "allowed"
    FORBIDDEN = "forbidden"  # visible, but not for this actor to do: 403
    INVISIBLE = "invisible"  # outside every scope the actor holds: 404
    UNAUTHENTICATED = "unauthenticated"  # 401


def can_see(actor: Actor, target: Place) -> bool:
    return any(grant.sees(target) for grant in actor.grants)


def decide(actor: Actor, action: Action, target: Place) -> Decision:
    if actor.is_anonymous:
        return Decision.UNAUTHENTICATED
    if not can_see(actor, target):
        return Decision.INVISIBLE
    if action is Action.VIEW_COMMUNITY:  # whoever sees a community may look at it
        return Decision.ALLOWED
    if any(action in PERMISSIONS[g.role] and g.covers(target) for g in actor.grants):
        return Decision.ALLOWED
    return Decision.FORBIDDEN


def may_grant(actor: Actor, role: Role, kind: GrantScope, target: Place) -> Decision:
    """May the actor give `role` at the scope `target` (of kind `kind`)?"""
    decision = decide(actor, Action.GRANT_ROLE, target)
    if decision is not Decision.ALLOWED:
        return decision
    if kind not in ALLOWED_SCOPES[role]:
        return Decision.FORBIDDEN
    holds = (
        g for g in actor.grants if Action.GRANT_ROLE in PERMISSIONS[g.role] and g.covers(target)
    )
    if any(role in GRANTABLE.get(g.role, frozenset()) for g in holds):
        return Decision.ALLOWED
    return Decision.FORBIDDEN


def visible_subdistricts_and_communities(
    grants: Iterable[Grant],
) -> tuple[bool, set[int], set[int]]:
    """(sees everything, subdistrict ids seen whole, community ids seen) for list queries."""
    everything = False
    subdistricts: set[int] = set()
    communities: set[int] = set()
    for grant in grants:
        if grant.kind is GrantScope.SITE:
            everything = True
        elif grant.kind is GrantScope.SUBDISTRICT:
            subdistricts.add(grant.place.subdistrict_id)
        else:
            communities.add(grant.place.community_id)
    return everything, subdistricts, communities
