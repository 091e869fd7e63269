"""Who an issue binds: the units in its scope, the residents of those units, their accounts."""

from __future__ import annotations

from sqlalchemy import Select, exists, func, or_, select, union

from hall.community.models import Account, Building, Ownership, Stairwell, Tenancy, Unit
from hall.extensions import db
from hall.issues import refusals
from hall.issues.models import Issue, IssueScope, ScopeKind, Support

MAX_SCOPE_TARGETS = 500
_TARGET = {
    ScopeKind.BUILDINGS: (Building, IssueScope.building_id, Unit.building_id, "building_id"),
    ScopeKind.STAIRWELLS: (Stairwell, IssueScope.stairwell_id, Unit.stairwell_id, "stairwell_id"),
    ScopeKind.UNITS: (Unit, IssueScope.unit_id, Unit.id, "unit_id"),
}


def scope_rows(community_id: int, kind: ScopeKind, ids: list[int]) -> list[IssueScope]:
    """The scope rows for `ids` of `kind`, each checked to be in the community."""
    if kind is ScopeKind.COMMUNITY:
        if ids:
            raise refusals.COMMUNITY_SCOPE_LISTS_PLACES()
        return []
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise refusals.SCOPE_EMPTY()
    if len(ids) > MAX_SCOPE_TARGETS:
        raise refusals.SCOPE_TOO_LARGE(limit=MAX_SCOPE_TARGETS)
    model, _, _, attribute = _TARGET[kind]
    query = select(model.id).where(model.id.in_(ids))
    if model is Stairwell:  # a stairwell knows its community through its building
        query = query.join(Building, Building.id == Stairwell.building_id)
        query = query.where(Building.community_id == community_id)
    else:
        query = query.where(model.community_id == community_id)
    found = set(db.session.scalars(query))
    if any(i not in found for i in ids):
        raise refusals.SCOPE_OUTSIDE_COMMUNITY()
    return [IssueScope(**{attribute: ident}) for ident in ids]


def buildings_of(kind: ScopeKind, rows: list[IssueScope]) -> set[int] | None:
    """The buildings a scope reaches; None for the whole community."""
    if kind is ScopeKind.COMMUNITY:
        return None
    if kind is ScopeKind.BUILDINGS:
        return {row.building_id for row in rows}
    if kind is ScopeKind.STAIRWELLS:
        ids = [row.stairwell_id for row in rows]
        return set(db.session.scalars(select(Stairwell.building_id).where(Stairwell.id.in_(ids))))
    ids = [row.unit_id for row in rows]
    return set(db.session.scalars(select(Unit.building_id).where(Unit.id.in_(ids))))


def buildings_reached(issue: Issue) -> set[int] | None:
    return buildings_of(issue.scope_kind, issue.scope)


def units_in_scope(issue: Issue) -> Select:
    """SELECT of the ids of the units the issue binds."""
    if issue.scope_kind is ScopeKind.COMMUNITY:
        return units_of(issue.community_id, ScopeKind.COMMUNITY, None)
    _, scope_column, _, _ = _TARGET[issue.scope_kind]
    targets = select(scope_column).where(IssueScope.issue_id == issue.id)
    return units_of(issue.community_id, issue.scope_kind, targets)


def units_of(community_id: int, kind: ScopeKind, targets) -> Select:
    """SELECT of the ids of the community's units in the buildings, stairwells or units named
    by `targets` (ids, or a SELECT of them); all of them for a community-wide scope."""
    query = select(Unit.id).where(Unit.community_id == community_id)
    if kind is ScopeKind.COMMUNITY:
        return query
    _, _, unit_column, _ = _TARGET[kind]
    return query.where(unit_column.in_(targets))


def scope_ids(issue: Issue) -> list[int]:
    """The ids the issue's scope names, in the order they were given."""
    if issue.scope_kind is ScopeKind.COMMUNITY:
        return []
    _, _, _, attribute = _TARGET[issue.scope_kind]
    return [getattr(row, attribute) for row in issue.scope]


def households_in_scope(issue: Issue) -> int:
    return db.session.scalar(select(func.count()).select_from(units_in_scope(issue).subquery()))


def _people_in_scope(issue: Issue) -> Select:
    units = units_in_scope(issue)
    return union(
        select(Ownership.person_id).where(Ownership.unit_id.in_(units)),
        select(Tenancy.person_id).where(Tenancy.unit_id.in_(units)),
    )


def lives_in_scope(person_id: int | None, issue: Issue) -> bool:
    """Does the person own or rent a unit the issue binds?"""
    if person_id is None:
        return False
    units = units_in_scope(issue)
    return db.session.scalar(
        select(
            or_(
                exists().where(Ownership.person_id == person_id, Ownership.unit_id.in_(units)),
                exists().where(Tenancy.person_id == person_id, Tenancy.unit_id.in_(units)),
            )
        )
    )


def residence_and_support(person_id: int, issue: Issue) -> tuple[bool, bool]:
    """In one query: does the person live in the issue's scope, and do they support it?"""
    units = units_in_scope(issue)
    lives = or_(
        exists().where(Ownership.person_id == person_id, Ownership.unit_id.in_(units)),
        exists().where(Tenancy.person_id == person_id, Tenancy.unit_id.in_(units)),
    )
    if issue.support_count == 0:  # nobody supports it yet: no need to look
        return bool(db.session.scalar(select(lives))), False
    supports = exists().where(Support.issue_id == issue.id, Support.person_id == person_id)
    found = db.session.execute(select(lives, supports)).one()
    return bool(found[0]), bool(found[1])


def accounts_in_scope(issue: Issue) -> list[int]:
    """The active accounts of the residents the issue binds."""
    people = _people_in_scope(issue).subquery()
    return list(
        db.session.scalars(
            select(Account.id)
            .where(Account.person_id.in_(select(people.c[0])), Account.active)
            .order_by(Account.id)
        )
    )


def scope_labels(issue: Issue) -> list[str]:
    """What the scope names, for people: building names, stairwells, rooms."""
    if issue.scope_kind is ScopeKind.COMMUNITY:
        return []
    model, scope_column, _, _ = _TARGET[issue.scope_kind]
    targets = select(scope_column).where(IssueScope.issue_id == issue.id)
    if model is Building:
        query = select(Building.name).where(Building.id.in_(targets)).order_by(Building.sort_key)
    elif model is Stairwell:
        query = (
            select(Building.name + " " + Stairwell.name)
            .select_from(Stairwell)
            .join(Building, Building.id == Stairwell.building_id)
            .where(Stairwell.id.in_(targets))
            .order_by(Building.sort_key, Stairwell.name)
        )
    else:
        query = (
            select(Building.name + " " + Unit.room)
            .select_from(Unit)
            .join(Building, Building.id == Unit.building_id)
            .where(Unit.id.in_(targets))
            .order_by(Building.sort_key, Unit.sort_key)
        )
    return list(db.session.scalars(query))


def issues_touching_building(building_id: int) -> Select:
    """SELECT of the ids of issues whose scope reaches into the building (community-wide too)."""
    unit_in_building = select(Unit.id).where(Unit.building_id == building_id)
    stairwell_in_building = select(Stairwell.id).where(Stairwell.building_id == building_id)
    return select(IssueScope.issue_id).where(
        or_(
            IssueScope.building_id == building_id,
            IssueScope.stairwell_id.in_(stairwell_in_building),
            IssueScope.unit_id.in_(unit_in_building),
        )
    )
