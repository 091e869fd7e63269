"""A stairwell of owners for votes: the elevator case of DOMAIN.md, with accounts and tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from hall.community.accounts import issue_token
from hall.community.models import Community
from hall.community.roles import Role
from hall.extensions import db
from hall.types import utcnow
from tests.factories import account, building, grant, own, person, unit

# Two flats a floor, as in most 1990s stairwells: the east one larger.
AREAS = ("89.50", "112.30")
# Guangzhou's differentiated coefficients (DOMAIN.md): floors 1-2 pay nothing.
GUANGZHOU = {"1": "0", "2": "0", "3": "0.7", "4": "0.8", "5": "0.9", "6": "1.0", "7": "1.1",
             "8": "1.2", "9": "1.3"}  # fmt: skip


@dataclass
class Stairwell:
    """Ids by room ("301"), and each owner's account and bearer token."""

    building_id: int
    stairwell_id: int
    units: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def rooms(self) -> list[str]:
        return list(self.units)


def stairwell_of_owners(
    community_id: int, name: str = "9栋", floors: int = 9, per_floor: int = 2
) -> Stairwell:
    """A building of one stairwell, each flat owned by its own resident with an account."""
    community = db.session.get(Community, community_id)
    built = building(community, name)
    stairwell = built.stairwells[0]
    found = Stairwell(built.id, stairwell.id)
    for floor in range(1, floors + 1):
        for position in range(1, per_floor + 1):
            room = f"{floor}{position:02d}"
            flat = unit(stairwell, room, floor, AREAS[(position - 1) % len(AREAS)])
            owner = person(community, f"业主{name}{room}", f"139{floor:04d}{position:04d}")
            own(flat, owner)
            holder = account(f"owner_{built.id}_{room}", owner)
            grant(holder, Role.RESIDENT, community)
            token, _ = issue_token(holder, "tests")
            found.units[room] = flat.id
            found.people[room] = owner.id
            found.accounts[room] = holder.id
            found.tokens[room] = token
    db.session.commit()
    return found


def in_days(days: float) -> str:
    return (utcnow() + timedelta(days=days)).isoformat()


def elevator_plans() -> list[dict]:
    """Two plans for 1,380,000.00 yuan with a 400,000.00 subsidy: by area alone, or
    differentiated by floor with 2,000.00 to each flat on floors 1 and 2."""
    return [
        {"label": "按面积分摊", "plan": {"name": "按面积分摊", "total": 138_000_000,
                                     "subsidy": 40_000_000, "base": "area"}},
        {"label": "按楼层系数", "plan": {"name": "按楼层系数", "total": 138_000_000,
                                     "subsidy": 40_000_000, "base": "area",
                                     "floor_coefficients": GUANGZHOU,
                                     "compensation": {"1": 200_000, "2": 200_000}}},
    ]  # fmt: skip
