"""Who counts as one owner in a headcount, and with what area (Civil Code Art. 278; docs/domain.md).

A unit with several co-owners is one household and counts once. A person who owns several units
counts once, with the areas of those units added. Both rules together make "one owner" the
connected group of units that share any owner: co-owners A and B of one flat, where A also owns
a second flat alone, count once, with both flats' area. Tenants never count.

Pure: the voting stage feeds it the electorate's units and owners and tallies the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Holding:
    """One unit and the people who own it."""

    unit_id: int
    area: Decimal
    owner_ids: frozenset[int]


@dataclass(frozen=True)
class Owner:
    """One head in the headcount: the units it holds, their area added, and its people."""

    unit_ids: tuple[int, ...]
    area: Decimal
    person_ids: frozenset[int]


def owners_for_headcount(holdings: Iterable[Holding]) -> list[Owner]:
    """Group units into heads; units nobody owns (unsold, unregistered) count for nobody."""
    owned = [h for h in holdings if h.owner_ids]
    parent = list(range(len(owned)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_holding_of_person: dict[int, int] = {}
    for index, holding in enumerate(owned):
        for person_id in holding.owner_ids:
            other = first_holding_of_person.setdefault(person_id, index)
            parent[root(index)] = root(other)

    groups: dict[int, list[Holding]] = {}
    for index, holding in enumerate(owned):
        groups.setdefault(root(index), []).append(holding)
    owners = [
        Owner(
            unit_ids=tuple(sorted(h.unit_id for h in group)),
            area=sum((h.area for h in group), Decimal(0)),
            person_ids=frozenset().union(*(h.owner_ids for h in group)),
        )
        for group in groups.values()
    ]
    return sorted(owners, key=lambda owner: owner.unit_ids)
