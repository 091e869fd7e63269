"""Who votes, and with what weight: the owners of the units in a vote's scope.

Owners are grouped into heads by `community.households` (co-owners count once; a person with
several units counts once with their areas added). The electorate is copied into the vote when
it opens; before that, previews read the live roster the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import insert, select

from hall.community.households import Holding, Owner, owners_for_headcount
from hall.community.models import Building, Ownership, Stairwell, Unit
from hall.community.naming import natural_sort_key
from hall.extensions import db
from hall.issues import scope as issue_scope
from hall.issues.models import ScopeKind
from hall.voting import costshare
from hall.voting.models import ElectorateMember, ElectorateUnit, ElectorateVoter, Vote


@dataclass(frozen=True)
class Household:
    """A unit of the electorate as the roster has it now."""

    unit_id: int
    label: str
    floor: int
    area: Decimal
    owner_ids: frozenset[int]
    voter_ids: frozenset[int]  # the designated voter, or every owner if none is designated


def households(vote: Vote) -> list[Household]:
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
        Household(
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
    return [costshare.PayingUnit(h.unit_id, h.floor, h.area, h.label) for h in households(vote)]


def snapshot(vote: Vote) -> list[Owner]:
    """Copy the electorate into the vote and set its totals; the caller commits."""
    found = households(vote)
    by_unit = {household.unit_id: household for household in found}
    owners = owners_for_headcount(Holding(h.unit_id, h.area, h.owner_ids) for h in found)
    weights = {int(k): Decimal(v) for k, v in (vote.unit_weights or {}).items()}
    unit_rows, voter_rows = [], []
    members = []
    for number, owner in enumerate(owners, start=1):
        member = ElectorateMember(
            vote_id=vote.id,
            number=number,
            label=", ".join(by_unit[u].label for u in owner.unit_ids)[:400],
            area=owner.area,
            weight=sum((weights.get(u, Decimal(0)) for u in owner.unit_ids), Decimal(0)),
        )
        members.append(member)
    db.session.add_all(members)
    db.session.flush()  # the members' ids
    for member, owner in zip(members, owners, strict=True):
        voters = set()
        for unit_id in owner.unit_ids:
            household = by_unit[unit_id]
            voters |= household.voter_ids
            unit_rows.append(
                {
                    "vote_id": vote.id,
                    "unit_id": unit_id,
                    "member_id": member.id,
                    "label": household.label[:120],
                    "floor": household.floor,
                    "area": household.area,
                }
            )
        voter_rows += [
            {"vote_id": vote.id, "person_id": person, "member_id": member.id}
            for person in sorted(voters)
        ]
    if unit_rows:
        db.session.execute(insert(ElectorateUnit), unit_rows)
        db.session.execute(insert(ElectorateVoter), voter_rows)
    vote.eligible_headcount = len(members)
    vote.eligible_area = sum((m.area for m in members), Decimal(0))
    vote.eligible_weight = sum((m.weight for m in members), Decimal(0))
    return owners


def units_of_member(member_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(ElectorateUnit.unit_id)
            .where(ElectorateUnit.member_id == member_id)
            .order_by(ElectorateUnit.unit_id)
        )
    )
