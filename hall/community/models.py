"""The community registry: where people live, what they own, and who may act where."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hall.community.roles import GrantScope, Role
from hall.extensions import db
from hall.types import Area, UTCDateTime, utcnow


def enum_column(enum_class: type[enum.Enum]) -> Enum:
    # Stored as plain strings with a CHECK, not a PostgreSQL ENUM type: adding a member later
    # is then a one-line migration on both databases.
    return Enum(
        enum_class,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Subdistrict(db.Model):
    __tablename__ = "subdistricts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)

    communities: Mapped[list[Community]] = relationship(back_populates="subdistrict")


class Community(db.Model):
    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("subdistrict_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistricts.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    subdistrict: Mapped[Subdistrict] = relationship(back_populates="communities")
    buildings: Mapped[list[Building]] = relationship(
        back_populates="community", order_by="Building.sort_key"
    )


class Building(db.Model):
    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    # "2栋" sorts before "10栋" by its number, not by its text.
    sort_key: Mapped[str] = mapped_column(String(80), default="")

    community: Mapped[Community] = relationship(back_populates="buildings")
    stairwells: Mapped[list[Stairwell]] = relationship(
        back_populates="building", order_by="Stairwell.sort_key"
    )


class Stairwell(db.Model):
    """单元: one entrance and staircase of a building, the usual electorate of an elevator vote."""

    __tablename__ = "stairwells"
    __table_args__ = (UniqueConstraint("building_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    sort_key: Mapped[str] = mapped_column(String(80), default="")

    building: Mapped[Building] = relationship(back_populates="stairwells")
    units: Mapped[list[Unit]] = relationship(back_populates="stairwell", order_by="Unit.sort_key")


class Unit(db.Model):
    """A registered flat: the thing that is owned, has an area, and votes as one household."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("stairwell_id", "room"),
        CheckConstraint("area > 0", name="area_positive"),
        CheckConstraint("floor BETWEEN -10 AND 200", name="floor_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # community and building are denormalised so that scopes and electorates are one indexed
    # lookup; the service that writes a unit keeps them consistent with its stairwell.
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    stairwell_id: Mapped[int] = mapped_column(ForeignKey("stairwells.id"), index=True)
    room: Mapped[str] = mapped_column(String(20))
    floor: Mapped[int] = mapped_column(Integer)
    area: Mapped[Decimal] = mapped_column(Area())
    sort_key: Mapped[str] = mapped_column(String(80), default="")

    community: Mapped[Community] = relationship()
    building: Mapped[Building] = relationship()
    stairwell: Mapped[Stairwell] = relationship(back_populates="units")
    ownerships: Mapped[list[Ownership]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="Ownership.position"
    )
    tenancies: Mapped[list[Tenancy]] = relationship(
        back_populates="unit", cascade="all, delete-orphan"
    )


class Person(db.Model):
    """Someone the community knows by name and phone; an account may be linked to them."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("community_id", "name", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # Empty, not NULL, when unknown: NULLs would slip past the uniqueness above.
    phone: Mapped[str] = mapped_column(String(32), default="")

    community: Mapped[Community] = relationship()
    ownerships: Mapped[list[Ownership]] = relationship(back_populates="person")
    tenancies: Mapped[list[Tenancy]] = relationship(back_populates="person")


class Ownership(db.Model):
    """One owner of one unit. Co-owners of a unit act as one household through one voter."""

    __tablename__ = "ownerships"
    __table_args__ = (
        UniqueConstraint("unit_id", "person_id"),
        # Exactly one designated voter per unit is enforced by the service; at most one here.
        Index(
            "uq_ownerships_designated_voter",
            "unit_id",
            unique=True,
            sqlite_where=text("is_designated_voter"),
            postgresql_where=text("is_designated_voter"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    is_designated_voter: Mapped[bool] = mapped_column(default=False)
    # The order the roster lists co-owners in; the first is the designated voter by default.
    position: Mapped[int] = mapped_column(default=0)

    unit: Mapped[Unit] = relationship(back_populates="ownerships")
    person: Mapped[Person] = relationship(back_populates="ownerships")


def ownerships_in_order(people: list[Person], voter: Person | None = None) -> list[Ownership]:
    """Owners of one unit as the roster lists them; the voter defaults to the first listed."""
    voter = voter if voter is not None else people[0]
    return [
        Ownership(person=person, position=position, is_designated_voter=person is voter)
        for position, person in enumerate(people)
    ]


class Tenancy(db.Model):
    """A resident who is not an owner: may propose and comment, never votes in owners' matters."""

    __tablename__ = "tenancies"
    __table_args__ = (UniqueConstraint("unit_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="tenancies")
    person: Mapped[Person] = relationship(back_populates="tenancies")


class Account(UserMixin, db.Model):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Person | None] = relationship()
    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="account", cascade="all, delete-orphan", foreign_keys="RoleGrant.account_id"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active


class RoleGrant(db.Model):
    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("account_id", "role", "scope_kind", "scope_id"),
        CheckConstraint("(scope_kind = 'site') = (scope_id IS NULL)", name="site_scope_has_no_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role))
    scope_kind: Mapped[GrantScope] = mapped_column(enum_column(GrantScope))
    scope_id: Mapped[int | None] = mapped_column(Integer)
    # The community a grant lies in (NULL for site and subdistrict scopes): lets a community's
    # grants be listed, and kept invisible to other communities, with one indexed filter.
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    subdistrict_id: Mapped[int | None] = mapped_column(ForeignKey("subdistricts.id"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    account: Mapped[Account] = relationship(back_populates="grants", foreign_keys=[account_id])


class ApiToken(db.Model):
    """A bearer token for the REST API and Socket.IO; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    account: Mapped[Account] = relationship()
