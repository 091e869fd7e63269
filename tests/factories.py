"""Small stories of the domain for tests: places, people, accounts with roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from hall.community.accounts import hash_password
from hall.community.models import (
    Account,
    Building,
    Community,
    Person,
    RoleGrant,
    Stairwell,
    Subdistrict,
    Tenancy,
    Unit,
    ownerships_in_order,
)
from hall.community.policy import Place
from hall.community.roles import GrantScope, Role
from hall.community.service import new_grant, place_of_building, place_of_community
from hall.extensions import db
from hall.sorting import natural_sort_key

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per run


def subdistrict(name: str) -> Subdistrict:
    row = Subdistrict(name=name)
    db.session.add(row)
    db.session.flush()
    return row


def community(parent: Subdistrict, name: str) -> Community:
    row = Community(subdistrict=parent, name=name)
    db.session.add(row)
    db.session.flush()
    return row


def building(parent: Community, name: str, stairwells=("1单元",)) -> Building:
    row = Building(community=parent, name=name, sort_key=natural_sort_key(name))
    for stairwell_name in stairwells:
        row.stairwells.append(
            Stairwell(name=stairwell_name, sort_key=natural_sort_key(stairwell_name))
        )
    db.session.add(row)
    db.session.flush()
    return row


def unit(stairwell: Stairwell, room: str, floor: int, area: str) -> Unit:
    row = Unit(
        community_id=stairwell.building.community_id,
        building_id=stairwell.building_id,
        stairwell=stairwell,
        room=room,
        floor=floor,
        area=Decimal(area),
        sort_key=natural_sort_key(room),
    )
    db.session.add(row)
    db.session.flush()
    return row


def person(where: Community, name: str, phone: str = "") -> Person:
    row = Person(community=where, name=name, phone=phone)
    db.session.add(row)
    db.session.flush()
    return row


def own(owned: Unit, *owners: Person) -> None:
    owned.ownerships.extend(ownerships_in_order(list(owners)))
    db.session.flush()


def rent(rented: Unit, tenant: Person) -> None:
    db.session.add(Tenancy(unit=rented, person=tenant))
    db.session.flush()


def account(username: str, who: Person | None = None) -> Account:
    row = Account(
        username=username, display_name=username, password_hash=_PASSWORD_HASH, person=who
    )
    db.session.add(row)
    db.session.flush()
    return row


def grant(holder: Account, role: Role, scope) -> RoleGrant:
    """`scope`: None for the whole site, or a Subdistrict, Community or Building."""
    if scope is None:
        return new_grant(holder, role, GrantScope.SITE, None, Place())
    if isinstance(scope, Subdistrict):
        return new_grant(holder, role, GrantScope.SUBDISTRICT, scope.id, Place(scope.id))
    if isinstance(scope, Community):
        return new_grant(holder, role, GrantScope.COMMUNITY, scope.id, place_of_community(scope))
    return new_grant(holder, role, GrantScope.BUILDING, scope.id, place_of_building(scope))


@dataclass
class World:
    """Ids of everything build_world made, by the names tests use."""

    ids: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> int:
        try:
            return self.ids[name]
        except KeyError as error:
            raise AttributeError(name) from error


def build_world() -> World:
    """Jiangbei (two communities) and Yubei (one), with an account for each role.

    home: 金世界花园 in Jiangbei, buildings 1栋 (two stairwells) and 2栋.
    neighbour: 江北新村 in Jiangbei. far: 渝北小区 in Yubei.
    """
    jiangbei = subdistrict("江北街道")
    yubei = subdistrict("渝北街道")
    home = community(jiangbei, "金世界花园")
    neighbour = community(jiangbei, "江北新村")
    far = community(yubei, "渝北小区")
    first = building(home, "1栋", ("1单元", "2单元"))
    second = building(home, "2栋")
    neighbour_building = building(neighbour, "1栋")
    far_building = building(far, "1栋")

    stair_1_1, stair_1_2 = first.stairwells
    owner = person(home, "谭英娟", "13800002330")
    co_owner_a = person(home, "林强", "13800004947")
    co_owner_b = person(home, "钱磊涛", "13800004947")
    tenant = person(home, "租客王", "13900000001")
    second_owner = person(home, "李二栋", "13700000002")
    unit_301 = unit(stair_1_1, "301", 3, "89.52")
    unit_302 = unit(stair_1_1, "302", 3, "102.36")
    unit_601 = unit(stair_1_1, "601", 6, "89.52")
    unit_2_101 = unit(stair_1_2, "101", 1, "76.80")
    unit_b2 = unit(second.stairwells[0], "101", 1, "120.00")
    neighbour_unit = unit(neighbour_building.stairwells[0], "101", 1, "95.00")
    far_unit = unit(far_building.stairwells[0], "101", 1, "88.00")
    own(unit_301, owner)
    own(unit_302, owner)
    own(unit_601, co_owner_a, co_owner_b)
    rent(unit_2_101, tenant)
    own(unit_b2, second_owner)

    accounts = {
        "admin": (None, Role.ADMIN, None),
        "officer": (None, Role.SUBDISTRICT_OFFICER, jiangbei),
        "secretary": (None, Role.BRANCH_SECRETARY, home),
        "chair": (None, Role.COUNCIL_CHAIR, home),
        "committee": (None, Role.COMMITTEE_MEMBER, home),
        "manager": (None, Role.PROPERTY_MANAGER, home),
        "resident": (owner, Role.RESIDENT, home),
        "tenant": (tenant, Role.RESIDENT, home),
        "coowner": (co_owner_a, Role.RESIDENT, home),
        "second_owner": (second_owner, Role.RESIDENT, second),
        "building_resident": (None, Role.RESIDENT, second),
        "neighbour_resident": (None, Role.RESIDENT, neighbour),
        "far_officer": (None, Role.SUBDISTRICT_OFFICER, yubei),
        "outsider": (None, None, None),
    }
    ids = {}
    for username, (who, role, scope) in accounts.items():
        holder = account(username, who)
        if role is not None:
            grant(holder, role, scope)
        ids[f"{username}_account"] = holder.id
    db.session.commit()
    ids.update(
        jiangbei=jiangbei.id,
        yubei=yubei.id,
        home=home.id,
        neighbour=neighbour.id,
        far=far.id,
        first=first.id,
        second=second.id,
        neighbour_building=neighbour_building.id,
        far_building=far_building.id,
        stair_1_1=stair_1_1.id,
        stair_1_2=stair_1_2.id,
        unit_301=unit_301.id,
        unit_302=unit_302.id,
        unit_601=unit_601.id,
        unit_2_101=unit_2_101.id,
        unit_b2=unit_b2.id,
        neighbour_unit=neighbour_unit.id,
        far_unit=far_unit.id,
        owner=owner.id,
        co_owner_a=co_owner_a.id,
        co_owner_b=co_owner_b.id,
        tenant=tenant.id,
        second_owner=second_owner.id,
    )
    return World(ids)
