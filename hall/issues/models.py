"""Issues, their scope and photos, supports, comment threads, reports, notifications, and each
community's settings for them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hall.community.models import Account, enum_column
from hall.extensions import db
from hall.issues.lifecycle import State
from hall.types import UTCDateTime, utcnow

# Lengths the columns hold, checked by the services and by the API's schemas alike.
TITLE_MAX = 120
BODY_MAX = 20_000
COMMENT_MAX = 5_000
REASON_MAX = 500

DEFAULT_CATEGORIES = (
    "elevator",
    "parking",  # parking and charging
    "environment",
    "safety",
    "dispute",  # between neighbours
    "facilities",
    "other",
)


class ThresholdKind(enum.StrEnum):
    COUNT = "count"  # so many supports
    SHARE = "share"  # so many per cent of the households in scope


class Advance(enum.StrEnum):
    AUTOMATIC = "automatic"  # reaching the threshold moves the issue into deliberation
    COUNCIL = "council"  # the council accepts it once the threshold is reached


class IssueSettings(db.Model):
    """A community's rules for issues; a community without a row uses the defaults."""

    __tablename__ = "issue_settings"
    __table_args__ = (
        CheckConstraint("support_threshold > 0", name="threshold_positive"),
        CheckConstraint("report_threshold > 0", name="report_threshold_positive"),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    categories: Mapped[list[str]] = mapped_column(JSON, default=lambda: list(DEFAULT_CATEGORIES))
    threshold_kind: Mapped[ThresholdKind] = mapped_column(
        enum_column(ThresholdKind), default=ThresholdKind.COUNT
    )
    support_threshold: Mapped[int] = mapped_column(Integer, default=10)
    advance: Mapped[Advance] = mapped_column(enum_column(Advance), default=Advance.AUTOMATIC)
    # Reports that hide a comment until a moderator looks at it.
    report_threshold: Mapped[int] = mapped_column(Integer, default=3)


class ScopeKind(enum.StrEnum):
    COMMUNITY = "community"
    BUILDINGS = "buildings"
    STAIRWELLS = "stairwells"
    UNITS = "units"


class Issue(db.Model):
    __tablename__ = "issues"
    __table_args__ = (
        Index("ix_issues_community_state", "community_id", "state", "id"),
        UniqueConstraint("community_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... within the community
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)  # Markdown as written
    body_html: Mapped[str] = mapped_column(Text)  # rendered and sanitised once, on write
    category: Mapped[str] = mapped_column(String(32))
    state: Mapped[State] = mapped_column(enum_column(State), default=State.DRAFT)
    scope_kind: Mapped[ScopeKind] = mapped_column(enum_column(ScopeKind))
    proposer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("issues.id"))
    # Kept on the row so that lists and pages never count per issue.
    support_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    proposer: Mapped[Account] = relationship(foreign_keys=[proposer_id])
    scope: Mapped[list[IssueScope]] = relationship(
        cascade="all, delete-orphan", order_by="IssueScope.id"
    )
    photos: Mapped[list[IssuePhoto]] = relationship(
        cascade="all, delete-orphan", order_by="IssuePhoto.id", lazy="raise"
    )


class IssueScope(db.Model):
    """One building, stairwell or unit an issue binds; none for a community-wide issue."""

    __tablename__ = "issue_scopes"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN building_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN stairwell_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN unit_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="exactly_one_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"), index=True)
    stairwell_id: Mapped[int | None] = mapped_column(ForeignKey("stairwells.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)


class IssuePhoto(db.Model):
    """A photo, re-encoded without metadata. Kept in the database so every host serves it."""

    __tablename__ = "issue_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Support(db.Model):
    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("issue_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    # One per resident, not per account: a person with two accounts supports once.
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Stance(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"


class Visibility(enum.StrEnum):
    VISIBLE = "visible"
    REPORTED = "reported"  # hidden by reports until a moderator decides
    HIDDEN = "hidden"  # hidden by a moderator
    DELETED = "deleted"  # by its author: a tombstone keeps the thread's shape


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_issue_id", "issue_id", "id"),
        CheckConstraint("depth BETWEEN 1 AND 3", name="depth_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    depth: Mapped[int] = mapped_column(Integer, default=1)  # 1: top level
    author_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    # Only top-level comments take a stance on the issue.
    stance: Mapped[Stance | None] = mapped_column(enum_column(Stance))
    # Posted on behalf of the branch or council: the role it was posted as, shown as a badge.
    official_role: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.VISIBLE
    )
    moderation_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    revision_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[Account] = relationship()


class CommentRevision(db.Model):
    """A comment's earlier text, kept when its author edits it."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when this text was posted


class CommentReport(db.Model):
    __tablename__ = "comment_reports"
    __table_args__ = (UniqueConstraint("comment_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A moderator's decision settles every report made before it.
    settled: Mapped[bool] = mapped_column(default=False)


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_account_unread", "account_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[str] = mapped_column(String(32))  # hall.issues.sentences.NotificationKind
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # What the notification says, frozen when it is made: later edits do not rewrite history.
    summary: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
