"""Votes, their options and electorates, proxies and ballots.

The electorate is copied into the vote when it opens (its households, their units, who may
cast for each) so that a later change to the roster cannot change who voted or how much they
weighed. Each ballot carries its household's weights too, so a tally is one grouped sum over
one table.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hall.community.models import enum_column
from hall.extensions import db
from hall.types import Area, CustomWeight, UTCDateTime, utcnow
from hall.voting.ballot_box import Channel, VoteState

__all__ = [
    "Ballot",
    "Channel",
    "ElectorateUnit",
    "ElectorateVoter",
    "Household",
    "IfFailed",
    "MAX_PLANS",
    "Proxy",
    "Vote",
    "VoteKind",
    "VoteOption",
    "VoteState",
]


MAX_PLANS = 6  # cost-sharing plans one vote offers to choose from, at most


class IfFailed(enum.StrEnum):
    """Where a vote that failed sends its issue."""

    DELIBERATION = "deliberation"  # back to deliberation, for a better proposal
    CLOSED = "closed"


class VoteKind(enum.StrEnum):
    APPROVAL = "approval"  # for / against / abstain
    PLANS = "plans"  # a choice among cost-sharing plans (or abstain)


class Vote(db.Model):
    __tablename__ = "votes"
    __table_args__ = (
        # One vote at a time per issue; a closed vote leaves room for the next.
        Index(
            "uq_votes_one_running_per_issue",
            "issue_id",
            unique=True,
            sqlite_where=text("state != 'closed'"),
            postgresql_where=text("state != 'closed'"),
        ),
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[VoteKind] = mapped_column(enum_column(VoteKind))
    rule: Mapped[dict] = mapped_column(JSON)  # rules.rule_to_data
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    live_results: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[VoteState] = mapped_column(enum_column(VoteState), default=VoteState.SCHEDULED)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The electorate as it was when the vote opened: its scope and its totals.
    scope: Mapped[dict] = mapped_column(JSON)
    unit_weights: Mapped[dict | None] = mapped_column(JSON)  # unit id -> custom weight
    eligible_headcount: Mapped[int] = mapped_column(Integer, default=0)
    eligible_area: Mapped[Decimal] = mapped_column(Area(), default=Decimal(0))
    eligible_weight: Mapped[Decimal] = mapped_column(CustomWeight(), default=Decimal(0))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    passed: Mapped[bool | None] = mapped_column(Boolean)
    winner: Mapped[str | None] = mapped_column(String(40))
    result: Mapped[dict | None] = mapped_column(JSON)  # tallies, reasons and shares at close

    # Loaded with the vote: what it offers is part of every reading of it.
    options: Mapped[list[VoteOption]] = relationship(
        order_by="VoteOption.position", cascade="all, delete-orphan", lazy="selectin"
    )


class VoteOption(db.Model):
    __tablename__ = "vote_options"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)  # "for", "plan_1", "abstain"
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    plan: Mapped[dict | None] = mapped_column(JSON)  # costshare.plan_to_data


class Household(db.Model):
    """The voting unit: one head of the headcount, the units it holds in the electorate
    (co-owners of a unit count once; an owner of several units counts once, their areas
    added), and one ballot."""

    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("vote_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... in the vote: the ledger's name
    label: Mapped[str] = mapped_column(String(400))  # the rooms, "1栋1单元 301, 302"
    area: Mapped[Decimal] = mapped_column(Area())
    weight: Mapped[Decimal] = mapped_column(CustomWeight())


class ElectorateUnit(db.Model):
    __tablename__ = "electorate_units"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    floor: Mapped[int] = mapped_column(Integer)
    area: Mapped[Decimal] = mapped_column(Area())


class ElectorateVoter(db.Model):
    """A person who may cast a household's ballot: the designated voter of one of its units."""

    __tablename__ = "electorate_voters"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)


class Proxy(db.Model):
    """An owner's authorisation of another resident to cast their household's ballot."""

    __tablename__ = "proxies"
    __table_args__ = (
        Index(
            "uq_proxies_one_active_per_household",
            "vote_id",
            "household_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        Index("ix_proxies_holder", "vote_id", "proxy_person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    grantor_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    proxy_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    authorisation: Mapped[str] = mapped_column(Text)  # the letter's reference, or its words
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    entry_hash: Mapped[str] = mapped_column(String(64))

    household: Mapped[Household] = relationship()


class Ballot(db.Model):
    """A household's ballot: one per household, replaced in place when changed (the last
    counts)."""

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("vote_id", "household_id"),
        # Covers the tally: a count reads this index alone, never the rows.
        Index("ix_ballots_tally", "vote_id", "counted", "choice", "area", "weight"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    choice: Mapped[str] = mapped_column(String(40))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    # Copied from the household so that a tally is a grouped sum over this table alone.
    area: Mapped[Decimal] = mapped_column(Area())
    weight: Mapped[Decimal] = mapped_column(CustomWeight())
    # A paper ballot counts once a second council member confirms it.
    counted: Mapped[bool] = mapped_column(Boolean, default=True)
    cast_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    proxy_id: Mapped[int | None] = mapped_column(ForeignKey("proxies.id"))
    paper_sheet: Mapped[str | None] = mapped_column(String(100))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changes: Mapped[int] = mapped_column(Integer, default=0)
    # The hash of the ballot's ledger entry, which the voter keeps. A secret ballot's entry
    # holds a commitment to the choice instead of the choice; the nonce opens it.
    receipt: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str | None] = mapped_column(String(32))

    household: Mapped[Household] = relationship()
