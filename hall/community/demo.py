"""The demo registry: Jinshijie Garden in Jiangbei subdistrict, to click through.

Deterministic: the same names, areas and accounts every time, so the README can name them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from hall.community.accounts import hash_password
from hall.community.models import (
    Account,
    Building,
    Community,
    Person,
    Stairwell,
    Subdistrict,
    Tenancy,
    Unit,
    ownerships_in_order,
)
from hall.community.policy import Place
from hall.community.roles import GrantScope, Role
from hall.community.service import new_grant, place_of_community
from hall.extensions import db
from hall.sorting import natural_sort_key

DEMO_PASSWORD = "hall-demo-2026"
SUBDISTRICT = "江北街道"
COMMUNITY = "金世界花园"
SECOND_COMMUNITY = "江北新村"

# (building, floors, per stairwell: the areas of its flats 01 and 02 on each floor)
LAYOUT = (
    ("1栋", 9, (("89.52", "102.36"), ("76.80", "118.45"))),
    ("2栋", 9, (("89.52", "102.36"), ("76.80", "118.45"))),
    ("3栋", 18, (("95.10", "126.88"), ("68.40", "135.20"))),
    ("4栋", 18, (("95.10", "126.88"), ("68.40", "135.20"))),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华平刚桂兰玉萍红霞建国文辉鹏飞燕"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    describes: str


ACCOUNTS = (
    DemoAccount("admin", Role.ADMIN, "site administrator"),
    DemoAccount("officer", Role.SUBDISTRICT_OFFICER, "Jiangbei subdistrict officer"),
    DemoAccount("secretary", Role.BRANCH_SECRETARY, "community Party branch secretary"),
    DemoAccount("chair", Role.COUNCIL_CHAIR, "council chair"),
    DemoAccount("committee", Role.COMMITTEE_MEMBER, "homeowners' committee member"),
    DemoAccount("manager", Role.PROPERTY_MANAGER, "property manager"),
    DemoAccount("owner", Role.RESIDENT, "owner of two flats (1栋1单元 301 and 302)"),
    DemoAccount("coowner", Role.RESIDENT, "co-owner of 1栋1单元 601"),
    DemoAccount("tenant", Role.RESIDENT, "tenant of 1栋2单元 101 (proposes, never votes)"),
)


def _names(rng: random.Random):
    seen: set[str] = set()
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
        if name not in seen:
            seen.add(name)
            yield name


def _phone(number: int) -> str:
    return f"1380{number:07d}"


def seed(rng_seed: int = 278) -> Community | None:
    """Build the demo; None if it is there already (seeding twice changes nothing)."""
    if db.session.scalar(select(Community).where(Community.name == COMMUNITY)):
        return None
    rng = random.Random(rng_seed)
    names = _names(rng)
    subdistrict = Subdistrict(name=SUBDISTRICT)
    community = Community(subdistrict=subdistrict, name=COMMUNITY)
    second = Community(subdistrict=subdistrict, name=SECOND_COMMUNITY)
    db.session.add_all([subdistrict, community, second])

    units = _build_units(community)
    people = _own_units(community, units, names)
    _build_units(second, layout=(("1栋", 6, (("80.00", "92.50"),)),))
    db.session.flush()
    _demo_accounts(subdistrict, community, people, units)
    db.session.commit()
    return community


def _build_units(community: Community, layout=LAYOUT) -> dict[tuple[str, str, str], Unit]:
    units = {}
    for building_name, floors, stairwell_areas in layout:
        building = Building(
            community=community, name=building_name, sort_key=natural_sort_key(building_name)
        )
        db.session.add(building)
        for index, areas in enumerate(stairwell_areas, start=1):
            stairwell_name = f"{index}单元"
            stairwell = Stairwell(
                building=building, name=stairwell_name, sort_key=natural_sort_key(stairwell_name)
            )
            db.session.add(stairwell)
            for floor in range(1, floors + 1):
                for position, area in enumerate(areas, start=1):
                    room = f"{floor}{position:02d}"
                    unit = Unit(
                        community=community,
                        building=building,
                        stairwell=stairwell,
                        room=room,
                        floor=floor,
                        area=Decimal(area),
                        sort_key=natural_sort_key(room),
                    )
                    db.session.add(unit)
                    units[building_name, stairwell_name, room] = unit
    return units


def _own_units(community, units, names) -> dict[str, Person]:
    """Most flats have one owner; some two co-owners; a few owners hold two flats; some rent."""
    named: dict[str, Person] = {}
    phone_number = 0

    def new_person(name: str | None = None) -> Person:
        nonlocal phone_number
        phone_number += 1
        person = Person(community=community, name=name or next(names), phone=_phone(phone_number))
        db.session.add(person)
        return person

    def own(unit: Unit, *owners: Person) -> None:
        unit.ownerships.extend(ownerships_in_order(list(owners)))

    # The people the demo accounts belong to, at fixed flats.
    named["owner"] = new_person("谭英娟")
    named["coowner"] = new_person("林强")
    named["coowner_partner"] = Person(
        community=community, name="钱磊涛", phone=named["coowner"].phone
    )
    named["tenant"] = new_person("周晓梅")
    own(units["1栋", "1单元", "301"], named["owner"])
    own(units["1栋", "1单元", "302"], named["owner"])
    own(units["1栋", "1单元", "601"], named["coowner"], named["coowner_partner"])
    db.session.add(Tenancy(unit=units["1栋", "2单元", "101"], person=named["tenant"]))

    investors = [new_person() for _ in range(4)]
    for index, (key, unit) in enumerate(sorted(units.items())):
        if unit.ownerships:
            continue
        if index % 29 == 7:  # unsold by the developer: nobody to count
            continue
        if index % 23 == 5:
            own(unit, investors[index % len(investors)])
        elif index % 9 == 4:
            first = new_person()
            partner = Person(community=community, name=next(names), phone=first.phone)
            db.session.add(partner)
            own(unit, first, partner)
        else:
            own(unit, new_person())
        if index % 11 == 3 and key != ("1栋", "2单元", "101"):
            db.session.add(Tenancy(unit=unit, person=new_person()))
    return named


def _demo_accounts(subdistrict, community, people, units) -> None:
    password_hash = hash_password(DEMO_PASSWORD)
    for demo in ACCOUNTS:
        account = Account(
            username=demo.username,
            display_name=people[demo.username].name if demo.username in people else demo.username,
            password_hash=password_hash,
            person=people.get(demo.username),
        )
        if demo.role is Role.ADMIN:
            new_grant(account, demo.role, GrantScope.SITE, None, Place())
        elif demo.role is Role.SUBDISTRICT_OFFICER:
            place = Place(subdistrict_id=subdistrict.id)
            new_grant(account, demo.role, GrantScope.SUBDISTRICT, subdistrict.id, place)
        else:
            place = place_of_community(community)
            new_grant(account, demo.role, GrantScope.COMMUNITY, community.id, place)
