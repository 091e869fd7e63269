"""What users can do to the community registry: one transaction each, authorised first."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from hall.community import accounts, events, refusals
from hall.community.households import Holding, owners_for_headcount
from hall.community.models import (
    Account,
    Building,
    Community,
    Ownership,
    Person,
    RoleGrant,
    Stairwell,
    Subdistrict,
    Tenancy,
    Unit,
    ownerships_in_order,
)
from hall.community.policy import (
    Action,
    Actor,
    Decision,
    Place,
    decide,
    may_grant,
    visible_subdistricts_and_communities,
)
from hall.community.roles import GrantScope, Role
from hall.errors import NO_SUCH_COMMUNITY, NO_SUCH_THING, NOT_ALLOWED_HERE, NOT_LOGGED_IN, Refusal
from hall.extensions import db
from hall.sorting import natural_sort_key

SITE = Place()


def community_room(community_id: int) -> str:
    return f"community:{community_id}"


def place_of_community(community: Community) -> Place:
    return Place(community.subdistrict_id, community.id)


def place_of_building(building: Building) -> Place:
    return Place(building.community.subdistrict_id, building.community_id, building.id)


def require(
    actor: Actor, action: Action, place: Place, missing: Refusal = NO_SUCH_COMMUNITY
) -> None:
    """Refuse unless the actor may do `action` at `place`; `missing` is the 404 of the thing
    acted on, for an actor who may not even see it (no_such_issue, no_such_vote)."""
    decision = decide(actor, action, place)
    if decision is Decision.ALLOWED:
        return
    _refuse(decision, missing, place)


def _refuse(decision: Decision, missing: Refusal, place: Place):
    """The refusal a policy decision other than ALLOWED stands for."""
    if place == SITE and decision is Decision.INVISIBLE:
        decision = Decision.FORBIDDEN  # the site itself is no secret
    if decision is Decision.UNAUTHENTICATED:
        raise NOT_LOGGED_IN()
    if decision is Decision.INVISIBLE:
        raise missing()
    raise NOT_ALLOWED_HERE()


def _get(model, ident: int, missing: Refusal):
    row = db.session.get(model, ident)
    if row is None:
        raise missing()
    return row


def _flush_or_conflict(clash: Refusal) -> None:
    """Write what is pending; a uniqueness clash becomes the 409 `clash`, naming its field."""
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise clash() from error


def _commit_or_conflict(clash: Refusal) -> None:
    _flush_or_conflict(clash)
    db.session.commit()


def registry_changed(community_id: int, kind: str, ident: int) -> None:
    """Tell the community's room, once this transaction commits, what in its registry changed."""
    events.REGISTRY_CHANGED.queue(
        community_room(community_id), {"community_id": community_id, "kind": kind, "id": ident}
    )


# Subdistricts and communities ---------------------------------------------------------------


def list_subdistricts(actor: Actor) -> list[Subdistrict]:
    everything, subdistricts, communities = visible_subdistricts_and_communities(actor.grants)
    query = select(Subdistrict).order_by(Subdistrict.name)
    if not everything:
        in_communities = select(Community.subdistrict_id).where(Community.id.in_(communities))
        query = query.where(
            or_(Subdistrict.id.in_(subdistricts), Subdistrict.id.in_(in_communities))
        )
    return list(db.session.scalars(query))


def create_subdistrict(actor: Actor, name: str) -> Subdistrict:
    """Only a site-wide grant reaches the site itself."""
    require(actor, Action.CREATE_COMMUNITY, SITE, refusals.NO_SUCH_SUBDISTRICT)
    subdistrict = Subdistrict(name=name)
    db.session.add(subdistrict)
    _commit_or_conflict(refusals.SUBDISTRICT_NAME_TAKEN)
    return subdistrict


def list_communities(actor: Actor) -> list[Community]:
    if actor.is_anonymous:
        raise NOT_LOGGED_IN()
    everything, subdistricts, communities = visible_subdistricts_and_communities(actor.grants)
    query = select(Community).order_by(Community.subdistrict_id, Community.name)
    if not everything:
        query = query.where(
            or_(Community.subdistrict_id.in_(subdistricts), Community.id.in_(communities))
        )
    return list(db.session.scalars(query))


def get_community(actor: Actor, community_id: int) -> Community:
    community = db.session.get(Community, community_id)
    if community is None:
        if actor.is_anonymous:
            raise NOT_LOGGED_IN()
        raise NO_SUCH_COMMUNITY()
    require(actor, Action.VIEW_COMMUNITY, place_of_community(community))
    return community


# What a community's page and resource say the actor may do there, by the names they publish.
COMMUNITY_ACTIONS = {
    "view_people": Action.VIEW_PEOPLE,
    "edit_registry": Action.EDIT_REGISTRY,
    "import_roster": Action.IMPORT_ROSTER,
    "view_grants": Action.VIEW_GRANTS,
    "grant_roles": Action.GRANT_ROLE,
}


def community_permissions(actor: Actor, community: Community) -> dict[str, bool]:
    """What the actor may do with the registry of a community it sees, asked once for a door
    to publish or render; the operation itself asks again."""
    place = place_of_community(community)
    return {
        name: decide(actor, action, place) is Decision.ALLOWED
        for name, action in COMMUNITY_ACTIONS.items()
    }


def require_roster_import(actor: Actor, community: Community) -> None:
    require(actor, Action.IMPORT_ROSTER, place_of_community(community))


def create_community(actor: Actor, subdistrict_id: int, name: str, timezone: str) -> Community:
    subdistrict = db.session.get(Subdistrict, subdistrict_id)
    place = Place(subdistrict_id=subdistrict_id)
    if subdistrict is None:
        raise refusals.NO_SUCH_SUBDISTRICT(fields=["subdistrict_id"])
    require(actor, Action.CREATE_COMMUNITY, place, refusals.NO_SUCH_SUBDISTRICT)
    community = Community(subdistrict=subdistrict, name=name, timezone=timezone)
    db.session.add(community)
    _commit_or_conflict(refusals.COMMUNITY_NAME_TAKEN)
    return community


def community_counts(community_id: int) -> dict[str, int | Decimal]:
    """Units and their total exclusive area, and owners counted as the Civil Code counts them.

    Owners are heads as Civil Code Art. 278 counts them (co-owners of a unit once, an owner of
    several units once; docs/domain.md), the number every participation threshold is measured
    against.
    """
    units, area = db.session.execute(
        select(func.count(Unit.id), func.coalesce(func.sum(Unit.area), 0)).where(
            Unit.community_id == community_id
        )
    ).one()
    owners_of_unit: dict[int, set[int]] = defaultdict(set)
    area_of_unit: dict[int, Decimal] = {}
    ownership_rows = db.session.execute(
        select(Ownership.unit_id, Unit.area, Ownership.person_id)
        .join(Unit, Unit.id == Ownership.unit_id)
        .where(Unit.community_id == community_id)
    )
    for unit_id, unit_area, person_id in ownership_rows:
        owners_of_unit[unit_id].add(person_id)
        area_of_unit[unit_id] = unit_area
    holdings = [
        Holding(unit_id, area_of_unit[unit_id], frozenset(people))
        for unit_id, people in owners_of_unit.items()
    ]
    return {
        "units": units,
        "area": Decimal(area),
        "owners": len(owners_for_headcount(holdings)),
    }


# Buildings, stairwells, units ---------------------------------------------------------------


def list_buildings(actor: Actor, community_id: int) -> list[Building]:
    get_community(actor, community_id)
    return list(
        db.session.scalars(
            select(Building)
            .where(Building.community_id == community_id)
            .order_by(Building.sort_key)
        )
    )


def get_building(actor: Actor, building_id: int) -> Building:
    building = _get(Building, building_id, refusals.NO_SUCH_BUILDING)
    require(actor, Action.VIEW_COMMUNITY, place_of_building(building), refusals.NO_SUCH_BUILDING)
    return building


def create_building(actor: Actor, community_id: int, name: str) -> Building:
    community = get_community(actor, community_id)
    require(actor, Action.EDIT_REGISTRY, place_of_community(community))
    building = Building(community=community, name=name, sort_key=natural_sort_key(name))
    db.session.add(building)
    _flush_or_conflict(refusals.BUILDING_NAME_TAKEN)
    registry_changed(community.id, "building", building.id)
    db.session.commit()
    return building


def create_stairwell(actor: Actor, building_id: int, name: str) -> Stairwell:
    building = get_building(actor, building_id)
    require(actor, Action.EDIT_REGISTRY, place_of_building(building), refusals.NO_SUCH_BUILDING)
    stairwell = Stairwell(building=building, name=name, sort_key=natural_sort_key(name))
    db.session.add(stairwell)
    _flush_or_conflict(refusals.STAIRWELL_NAME_TAKEN)
    registry_changed(building.community_id, "stairwell", stairwell.id)
    db.session.commit()
    return stairwell


def list_units(
    actor: Actor,
    community_id: int,
    building_id: int | None = None,
    stairwell_id: int | None = None,
) -> list[Unit]:
    get_community(actor, community_id)
    query = select(Unit).where(Unit.community_id == community_id)
    if building_id is not None:
        query = query.where(Unit.building_id == building_id)
    if stairwell_id is not None:
        query = query.where(Unit.stairwell_id == stairwell_id)
    query = query.join(Building, Building.id == Unit.building_id).join(
        Stairwell, Stairwell.id == Unit.stairwell_id
    )
    order = (Building.sort_key, Stairwell.sort_key, Unit.floor, Unit.sort_key)
    return list(db.session.scalars(query.order_by(*order)))


def units_per_stairwell(actor: Actor, community_id: int) -> dict[int, int]:
    """How many units each stairwell of the community has, counted by the database."""
    get_community(actor, community_id)
    rows = db.session.execute(
        select(Unit.stairwell_id, func.count(Unit.id))
        .where(Unit.community_id == community_id)
        .group_by(Unit.stairwell_id)
    )
    return dict(rows.all())


def get_unit(actor: Actor, unit_id: int) -> Unit:
    unit = _get(Unit, unit_id, refusals.NO_SUCH_UNIT)
    community = db.session.get(Community, unit.community_id)
    require(
        actor,
        Action.VIEW_COMMUNITY,
        Place(community.subdistrict_id, unit.community_id, unit.building_id),
        refusals.NO_SUCH_UNIT,
    )
    return unit


def create_unit(actor: Actor, stairwell_id: int, room: str, floor: int, area: Decimal) -> Unit:
    stairwell = _get(Stairwell, stairwell_id, refusals.NO_SUCH_STAIRWELL)
    building = stairwell.building
    require(actor, Action.EDIT_REGISTRY, place_of_building(building), refusals.NO_SUCH_STAIRWELL)
    unit = Unit(
        community_id=building.community_id,
        building_id=building.id,
        stairwell=stairwell,
        room=room,
        floor=floor,
        area=area,
        sort_key=natural_sort_key(room),
    )
    db.session.add(unit)
    _flush_or_conflict(refusals.ROOM_TAKEN)
    registry_changed(building.community_id, "unit", unit.id)
    db.session.commit()
    return unit


# People, ownership, tenancy ------------------------------------------------------------------


def list_people(actor: Actor, community_id: int) -> list[Person]:
    community = get_community(actor, community_id)
    require(actor, Action.VIEW_PEOPLE, place_of_community(community))
    return list(
        db.session.scalars(
            select(Person).where(Person.community_id == community_id).order_by(Person.name)
        )
    )


def get_person(actor: Actor, person_id: int) -> Person:
    person = _get(Person, person_id, refusals.NO_SUCH_PERSON)
    community = get_community(actor, person.community_id)
    if actor.person_id != person.id:
        require(actor, Action.VIEW_PEOPLE, place_of_community(community), refusals.NO_SUCH_PERSON)
    return person


def create_person(actor: Actor, community_id: int, name: str, phone: str) -> Person:
    community = get_community(actor, community_id)
    require(actor, Action.EDIT_REGISTRY, place_of_community(community))
    person = Person(community=community, name=name, phone=phone)
    db.session.add(person)
    _commit_or_conflict(refusals.PERSON_EXISTS)
    return person


def set_owners(actor: Actor, unit_id: int, person_ids: list[int], voter_id: int) -> Unit:
    """Replace a unit's owners. The designated voter casts the household's one ballot."""
    unit = get_unit(actor, unit_id)
    community = db.session.get(Community, unit.community_id)
    require(actor, Action.EDIT_REGISTRY, place_of_community(community))
    if len(set(person_ids)) != len(person_ids):
        raise refusals.OWNER_LISTED_TWICE()
    if voter_id not in person_ids:
        raise refusals.VOTER_NOT_AN_OWNER()
    people = {
        p.id: p
        for p in db.session.scalars(
            select(Person).where(Person.id.in_(person_ids), Person.community_id == community.id)
        )
    }
    missing = [pid for pid in person_ids if pid not in people]
    if missing:
        raise refusals.OWNERS_NOT_IN_COMMUNITY(person_ids=", ".join(map(str, missing)))
    unit.ownerships.clear()
    db.session.flush()
    unit.ownerships.extend(
        ownerships_in_order([people[pid] for pid in person_ids], voter=people[voter_id])
    )
    db.session.flush()
    registry_changed(community.id, "unit", unit.id)
    db.session.commit()
    return unit


def add_tenant(actor: Actor, unit_id: int, person_id: int) -> Tenancy:
    unit = get_unit(actor, unit_id)
    community = db.session.get(Community, unit.community_id)
    require(actor, Action.EDIT_REGISTRY, place_of_community(community))
    person = db.session.get(Person, person_id)
    if person is None or person.community_id != community.id:
        raise refusals.PERSON_NOT_IN_COMMUNITY()
    tenancy = Tenancy(unit=unit, person=person)
    db.session.add(tenancy)
    _commit_or_conflict(refusals.ALREADY_TENANT)
    return tenancy


# Accounts and role grants --------------------------------------------------------------------


# The 404 of each kind of place a grant names.
_NO_SUCH_SCOPE = {
    GrantScope.SITE: NO_SUCH_THING,
    GrantScope.SUBDISTRICT: refusals.NO_SUCH_SUBDISTRICT,
    GrantScope.COMMUNITY: NO_SUCH_COMMUNITY,
    GrantScope.BUILDING: refusals.NO_SUCH_BUILDING,
}


def scope_place(kind: GrantScope, scope_id: int | None) -> Place:
    """The place a grant scope names, with the levels above it, or NotFound."""
    if kind is GrantScope.SITE:
        if scope_id is not None:
            raise refusals.SITE_GRANT_HAS_NO_SCOPE()
        return SITE
    if scope_id is None:
        raise refusals.SCOPE_REQUIRED()
    missing = _NO_SUCH_SCOPE[kind]
    if kind is GrantScope.SUBDISTRICT:
        _get(Subdistrict, scope_id, missing)
        return Place(subdistrict_id=scope_id)
    if kind is GrantScope.COMMUNITY:
        return place_of_community(_get(Community, scope_id, missing))
    return place_of_building(_get(Building, scope_id, missing))


def new_grant(
    account: Account,
    role: Role,
    kind: GrantScope,
    scope_id: int | None,
    place: Place,
    granted_by_id: int | None = None,
) -> RoleGrant:
    """A grant added to the session, with the community and subdistrict it lies in."""
    grant = RoleGrant(
        account=account,
        role=role,
        scope_kind=kind,
        scope_id=scope_id,
        community_id=place.community_id,
        subdistrict_id=place.subdistrict_id,
        granted_by_id=granted_by_id,
    )
    db.session.add(grant)
    return grant


def grant_role(
    actor: Actor, account_id: int, role: Role, kind: GrantScope, scope_id: int | None
) -> RoleGrant:
    place = scope_place(kind, scope_id)
    decision = may_grant(actor, role, kind, place)
    if decision is not Decision.ALLOWED:
        _refuse(decision, _NO_SUCH_SCOPE[kind], place)
    account = db.session.get(Account, account_id)
    if account is None:
        raise refusals.NO_SUCH_ACCOUNT()
    grant = new_grant(account, role, kind, scope_id, place, granted_by_id=actor.account_id)
    _commit_or_conflict(refusals.ROLE_ALREADY_HELD)
    return grant


def list_grants(actor: Actor, community_id: int) -> list[RoleGrant]:
    community = get_community(actor, community_id)
    require(actor, Action.VIEW_GRANTS, place_of_community(community))
    return list(
        db.session.scalars(
            select(RoleGrant).where(RoleGrant.community_id == community_id).order_by(RoleGrant.id)
        )
    )


def revoke_grant(actor: Actor, grant_id: int) -> None:
    grant = _get(RoleGrant, grant_id, refusals.NO_SUCH_GRANT)
    place = Place(
        grant.subdistrict_id,
        grant.community_id,
        grant.scope_id if grant.scope_kind is GrantScope.BUILDING else None,
    )
    decision = may_grant(actor, grant.role, grant.scope_kind, place)
    if decision is not Decision.ALLOWED:
        _refuse(decision, refusals.NO_SUCH_GRANT, place)
    db.session.delete(grant)
    db.session.commit()


def create_resident_account(
    actor: Actor,
    community_id: int,
    username: str,
    password: str,
    display_name: str,
    person_id: int | None,
) -> Account:
    """An account for someone of this community, with the resident role there."""
    community = get_community(actor, community_id)
    place = place_of_community(community)
    decision = may_grant(actor, Role.RESIDENT, GrantScope.COMMUNITY, place)
    if decision is not Decision.ALLOWED:
        _refuse(decision, NO_SUCH_COMMUNITY, place)
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise refusals.PASSWORD_TOO_SHORT(limit=accounts.MIN_PASSWORD_LENGTH)
    person = None
    if person_id is not None:
        person = db.session.get(Person, person_id)
        if person is None or person.community_id != community.id:
            raise refusals.PERSON_NOT_IN_COMMUNITY()
    account = Account(
        username=username,
        display_name=display_name,
        password_hash=accounts.hash_password(password),
        person=person,
    )
    db.session.add(account)
    new_grant(
        account,
        Role.RESIDENT,
        GrantScope.COMMUNITY,
        community.id,
        place,
        granted_by_id=actor.account_id,
    )
    _commit_or_conflict(refusals.USERNAME_TAKEN)
    return account
