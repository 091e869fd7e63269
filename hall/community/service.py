"""What users can do to the community registry: one transaction each, authorised first."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from hall.community import accounts
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
from hall.community.naming import natural_sort_key
from hall.community.policy import (
    Action,
    Actor,
    Decision,
    Place,
    decide,
    may_grant,
    visible_subdistricts_and_communities,
)
from hall.community.roles import Role, ScopeKind
from hall.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from hall.extensions import db
from hall.realtime import outbox

SITE = Place()


def community_room(community_id: int) -> str:
    return f"community:{community_id}"


def place_of_community(community: Community) -> Place:
    return Place(community.subdistrict_id, community.id)


def place_of_building(building: Building) -> Place:
    return Place(building.community.subdistrict_id, building.community_id, building.id)


def require(actor: Actor, action: Action, place: Place, what: str = "community") -> None:
    decision = decide(actor, action, place)
    if decision is Decision.ALLOWED:
        return
    _refuse(decision, what, place)


def _refuse(decision: Decision, what: str, place: Place):
    if place == SITE and decision is Decision.INVISIBLE:
        decision = Decision.FORBIDDEN  # the site itself is no secret
    if decision is Decision.UNAUTHENTICATED:
        raise Unauthenticated("Log in first.")
    if decision is Decision.INVISIBLE:
        raise NotFound(f"No such {what}.")
    raise Forbidden("You may not do this here.")


def _get(model, ident: int, what: str):
    row = db.session.get(model, ident)
    if row is None:
        raise NotFound(f"No such {what}.")
    return row


def _flush_or_conflict(message: str, field: str) -> None:
    """Write what is pending; a uniqueness clash becomes a 409 naming the field."""
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict(message, {field: [message]}) from error


def _commit_or_conflict(message: str, field: str) -> None:
    _flush_or_conflict(message, field)
    db.session.commit()


def _registry_changed(community_id: int, kind: str, ident: int) -> None:
    outbox.queue(
        community_room(community_id),
        "registry.changed",
        {"community_id": community_id, "kind": kind, "id": ident},
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
    require(actor, Action.CREATE_COMMUNITY, SITE, "subdistrict")
    subdistrict = Subdistrict(name=name)
    db.session.add(subdistrict)
    _commit_or_conflict("A subdistrict of this name exists.", "name")
    return subdistrict


def list_communities(actor: Actor) -> list[Community]:
    if actor.is_anonymous:
        raise Unauthenticated("Log in first.")
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
            raise Unauthenticated("Log in first.")
        raise NotFound("No such community.")
    require(actor, Action.VIEW_COMMUNITY, place_of_community(community))
    return community


def create_community(actor: Actor, subdistrict_id: int, name: str, timezone: str) -> Community:
    subdistrict = db.session.get(Subdistrict, subdistrict_id)
    place = Place(subdistrict_id=subdistrict_id)
    if subdistrict is None:
        raise NotFound("No such subdistrict.", {"subdistrict_id": ["No such subdistrict."]})
    require(actor, Action.CREATE_COMMUNITY, place, "subdistrict")
    community = Community(subdistrict=subdistrict, name=name, timezone=timezone)
    db.session.add(community)
    _commit_or_conflict("This subdistrict has a community of this name.", "name")
    return community


def community_counts(community_id: int) -> dict[str, int | Decimal]:
    """Units and their total exclusive area, and owners counted as the Civil Code counts them.

    Owners are heads under DOMAIN.md's rule (co-owners of a unit once, an owner of several
    units once), the number every participation threshold is measured against.
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
    building = _get(Building, building_id, "building")
    require(actor, Action.VIEW_COMMUNITY, place_of_building(building), "building")
    return building


def create_building(actor: Actor, community_id: int, name: str) -> Building:
    community = get_community(actor, community_id)
    require(actor, Action.EDIT_REGISTRY, place_of_community(community))
    building = Building(community=community, name=name, sort_key=natural_sort_key(name))
    db.session.add(building)
    _flush_or_conflict("This community has a building of this name.", "name")
    _registry_changed(community.id, "building", building.id)
    db.session.commit()
    return building


def create_stairwell(actor: Actor, building_id: int, name: str) -> Stairwell:
    building = get_building(actor, building_id)
    require(actor, Action.EDIT_REGISTRY, place_of_building(building), "building")
    stairwell = Stairwell(building=building, name=name, sort_key=natural_sort_key(name))
    db.session.add(stairwell)
    _flush_or_conflict("This building has a stairwell of this name.", "name")
    _registry_changed(building.community_id, "stairwell", stairwell.id)
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
    unit = _get(Unit, unit_id, "unit")
    community = db.session.get(Community, unit.community_id)
    require(
        actor,
        Action.VIEW_COMMUNITY,
        Place(community.subdistrict_id, unit.community_id, unit.building_id),
        "unit",
    )
    return unit


def create_unit(actor: Actor, stairwell_id: int, room: str, floor: int, area: Decimal) -> Unit:
    stairwell = _get(Stairwell, stairwell_id, "stairwell")
    building = stairwell.building
    require(actor, Action.EDIT_REGISTRY, place_of_building(building), "stairwell")
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
    _flush_or_conflict("This stairwell has a unit with this room number.", "room")
    _registry_changed(building.community_id, "unit", unit.id)
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
    person = _get(Person, person_id, "person")
    community = get_community(actor, person.community_id)
    if actor.person_id != person.id:
        require(actor, Action.VIEW_PEOPLE, place_of_community(community), "person")
    return person


def create_person(actor: Actor, community_id: int, name: str, phone: str) -> Person:
    community = get_community(actor, community_id)
    require(actor, Action.EDIT_REGISTRY, place_of_community(community))
    person = Person(community=community, name=name, phone=phone)
    db.session.add(person)
    _commit_or_conflict("This community has a person of this name and phone.", "name")
    return person


def set_owners(actor: Actor, unit_id: int, person_ids: list[int], voter_id: int) -> Unit:
    """Replace a unit's owners. The designated voter casts the household's one ballot."""
    unit = get_unit(actor, unit_id)
    community = db.session.get(Community, unit.community_id)
    require(actor, Action.EDIT_REGISTRY, place_of_community(community))
    if len(set(person_ids)) != len(person_ids):
        raise Invalid("An owner is listed twice.", {"person_ids": ["An owner is listed twice."]})
    if voter_id not in person_ids:
        message = "The designated voter must be one of the owners."
        raise Invalid(message, {"designated_voter_id": [message]})
    people = {
        p.id: p
        for p in db.session.scalars(
            select(Person).where(Person.id.in_(person_ids), Person.community_id == community.id)
        )
    }
    missing = [pid for pid in person_ids if pid not in people]
    if missing:
        message = f"No such person in this community: {', '.join(map(str, missing))}."
        raise Invalid(message, {"person_ids": [message]})
    unit.ownerships.clear()
    db.session.flush()
    unit.ownerships.extend(
        ownerships_in_order([people[pid] for pid in person_ids], voter=people[voter_id])
    )
    db.session.flush()
    _registry_changed(community.id, "unit", unit.id)
    db.session.commit()
    return unit


def add_tenant(actor: Actor, unit_id: int, person_id: int) -> Tenancy:
    unit = get_unit(actor, unit_id)
    community = db.session.get(Community, unit.community_id)
    require(actor, Action.EDIT_REGISTRY, place_of_community(community))
    person = db.session.get(Person, person_id)
    if person is None or person.community_id != community.id:
        raise Invalid("No such person in this community.", {"person_id": ["No such person."]})
    tenancy = Tenancy(unit=unit, person=person)
    db.session.add(tenancy)
    _commit_or_conflict("This person already rents this unit.", "person_id")
    return tenancy


# Accounts and role grants --------------------------------------------------------------------


def scope_place(kind: ScopeKind, scope_id: int | None) -> Place:
    """The place a grant scope names, with the levels above it, or NotFound."""
    if kind is ScopeKind.SITE:
        if scope_id is not None:
            raise Invalid("A site grant has no scope id.", {"scope_id": ["Must be empty."]})
        return SITE
    if scope_id is None:
        raise Invalid("scope_id is required.", {"scope_id": ["Missing data for required field."]})
    if kind is ScopeKind.SUBDISTRICT:
        _get(Subdistrict, scope_id, "subdistrict")
        return Place(subdistrict_id=scope_id)
    if kind is ScopeKind.COMMUNITY:
        community = _get(Community, scope_id, "community")
        return place_of_community(community)
    return place_of_building(_get(Building, scope_id, "building"))


def new_grant(
    account: Account,
    role: Role,
    kind: ScopeKind,
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
    actor: Actor, account_id: int, role: Role, kind: ScopeKind, scope_id: int | None
) -> RoleGrant:
    place = scope_place(kind, scope_id)
    decision = may_grant(actor, role, kind, place)
    if decision is not Decision.ALLOWED:
        _refuse(decision, kind.value, place)
    account = db.session.get(Account, account_id)
    if account is None:
        raise Invalid("No such account.", {"account_id": ["No such account."]})
    grant = new_grant(account, role, kind, scope_id, place, granted_by_id=actor.account_id)
    _commit_or_conflict("This account already holds this role here.", "role")
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
    grant = _get(RoleGrant, grant_id, "grant")
    place = Place(
        grant.subdistrict_id,
        grant.community_id,
        grant.scope_id if grant.scope_kind is ScopeKind.BUILDING else None,
    )
    decision = may_grant(actor, grant.role, grant.scope_kind, place)
    if decision is not Decision.ALLOWED:
        _refuse(decision, "grant", place)
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
    decision = may_grant(actor, Role.RESIDENT, ScopeKind.COMMUNITY, place)
    if decision is not Decision.ALLOWED:
        _refuse(decision, "community", place)
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        message = f"At least {accounts.MIN_PASSWORD_LENGTH} characters."
        raise Invalid("The password is too short.", {"password": [message]})
    person = None
    if person_id is not None:
        person = db.session.get(Person, person_id)
        if person is None or person.community_id != community.id:
            raise Invalid("No such person in this community.", {"person_id": ["No such person."]})
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
        ScopeKind.COMMUNITY,
        community.id,
        place,
        granted_by_id=actor.account_id,
    )
    _commit_or_conflict("This username is taken.", "username")
    return account
