"""Who votes, and with what weight: the owners of the units in a vote's scope.

Owners are grouped into households, the heads of the headcount, by `community.households`
(co-owners count once; a person with several units counts once with their areas added). The
electorate is copied into the vote when it opens; before that, previews read the live roster
the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import insert, select

from hall.community.households import Holding, Owner, owners_for_headcount
from hall.community.models import Building, Ownership, Stairwell, Unit
from hall.extensions import db
from hall.issues import scope as issue_scope
from hall.issues.models import ScopeKind
from hall.sorting import natural_sort_key
from hall.voting import costshare
from hall.voting.models import ElectorateUnit, ElectorateVoter, Household, Vote


@dataclass(frozen=True)
class RosterUnit:
    """An owned unit of the vote's scope as the roster has it now."""

    unit_id: int
    label: str
    floor: int
    area: Decimal
    owner_ids: frozenset[int]
    voter_ids: frozenset[int]  # the designated voter, or every owner if none is designated


def roster_units(vote: Vote) -> list[RosterUnit]:
    """The owned units in the vote's scope, in building, stairwell and room order."""
    kind = ScopeKind(vote.scope["kind"])
    units = issue_scope.units_of(vote.community_id, kind, vote.scope["ids"])
    rows = db.session.execute(
        select(
            Unit.id,
            Building.name,
            Stairwell.name,
            Unit.room,
            Unit.floor,
            Unit.area,
            Ownership.person_id,
            Ownership.is_designated_voter,
        )
        .join(Building, Building.id == Unit.building_id)
        .join(Stairwell, Stairwell.id == Unit.stairwell_id)
        .join(Ownership, Ownership.unit_id == Unit.id)
        .where(Unit.id.in_(units))
        .order_by(Building.sort_key, Stairwell.sort_key, Unit.sort_key, Ownership.position)
    )
    found: dict[int, dict] = {}
    for unit_id, building, stairwell, room, floor, area, person_id, designated in rows:
        unit = found.setdefault(
            unit_id,
            {
                "label": f"{building} {stairwell} {room}",
                "floor": floor,
                "area": area,
                "owners": set(),
                "voters": set(),
            },
        )
        unit["owners"].add(person_id)
        if designated:
            unit["voters"].add(person_id)
    return [
        RosterUnit(
            unit_id=unit_id,
            label=unit["label"],
            floor=unit["floor"],
            area=unit["area"],
            owner_ids=frozenset(unit["owners"]),
            voter_ids=frozenset(unit["voters"] or unit["owners"]),
        )
        for unit_id, unit in found.items()
    ]


def paying_units(vote: Vote) -> list[costshare.PayingUnit]:
    """The units a cost-sharing plan splits over: the snapshot once open, the roster before."""
    if vote.opened_at is not None:
        rows = db.session.execute(
            select(ElectorateUnit.unit_id, ElectorateUnit.floor, ElectorateUnit.area)
            .add_columns(ElectorateUnit.label)
            .where(ElectorateUnit.vote_id == vote.id)
        )
        units = [costshare.PayingUnit(u, floor, area, label) for u, floor, area, label in rows]
        return sorted(units, key=lambda unit: natural_sort_key(unit.label))
    return [costshare.PayingUnit(u.unit_id, u.floor, u.area, u.label) for u in roster_units(vote)]


def snapshot(vote: Vote) -> list[Owner]:
    """Copy the electorate into the vote and set its totals; the caller commits."""
    found = roster_units(vote)
    by_unit = {unit.unit_id: unit for unit in found}
    owners = owners_for_headcount(Holding(u.unit_id, u.area, u.owner_ids) for u in found)
    weights = {int(k): Decimal(v) for k, v in (vote.unit_weights or {}).items()}
    unit_rows, voter_rows = [], []
    households = []
    for number, owner in enumerate(owners, start=1):
        household = Household(
            vote_id=vote.id,
            number=number,
            label=", ".join(by_unit[u].label for u in owner.unit_ids)[:400],
            area=owner.area,
            weight=sum((weights.get(u, Decimal(0)) for u in owner.unit_ids), Decimal(0)),
        )
        households.append(household)
    db.session.add_all(households)
    db.session.flush()  # the households' ids
    for household, owner in zip(households, owners, strict=True):
        voters = set()
        for unit_id in owner.unit_ids:
            unit = by_unit[unit_id]
            voters |= unit.voter_ids
            unit_rows.append(
                {
                    "vote_id": vote.id,
                    "unit_id": unit_id,
                    "household_id": household.id,
                    "label": unit.label[:120],
                    "floor": unit.floor,
                    "area": unit.area,
                }
            )
        voter_rows += [
            {"vote_id": vote.id, "person_id": person, "household_id": household.id}
            for person in sorted(voters)
        ]
    if unit_rows:
        db.session.execute(insert(ElectorateUnit), unit_rows)
        db.session.execute(insert(ElectorateVoter), voter_rows)
    vote.eligible_headcount = len(households)
    vote.eligible_area = sum((h.area for h in households), Decimal(0))
    vote.eligible_weight = sum((h.weight for h in households), Decimal(0))
    return owners


def household_of(vote: Vote, person_id: int | None) -> Household | None:
    """The household a person casts for as its owner (its designated voter), if any."""
    if person_id is None:
        return None
    return db.session.scalar(
        select(Household)
        .join(ElectorateVoter, ElectorateVoter.household_id == Household.id)
        .where(ElectorateVoter.vote_id == vote.id, ElectorateVoter.person_id == person_id)
    )


def household_of_unit(vote: Vote, unit_id: int) -> Household | None:
    return db.session.scalar(
        select(Household)
        .join(ElectorateUnit, ElectorateUnit.household_id == Household.id)
        .where(ElectorateUnit.vote_id == vote.id, ElectorateUnit.unit_id == unit_id)
    )


def voters_of(household_id: int) -> list[int]:
    """The people who cast the household's ballot as its owners, in a stable order."""
    return list(
        db.session.scalars(
            select(ElectorateVoter.person_id)
            .where(ElectorateVoter.household_id == household_id)
            .order_by(ElectorateVoter.person_id)
        )
    )


def units_of_household(household_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(ElectorateUnit.unit_id)
            .where(ElectorateUnit.household_id == household_id)
            .order_by(ElectorateUnit.unit_id)
        )
    )
