"""What the issue stage's templates show, shaped from the services' answers.

The views hand these to the templates, which only lay them out: what a reader may do comes
from the service's `permissions`, words come from `hall.issues.labels`, and a reason Hall
gave (said data) is rendered here in the page's language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import format_datetime, gettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from hall.community.identity import current_actor
from hall.extensions import db
from hall.issues import lifecycle, notifications
from hall.issues.access import CommunityPermissions, IssuePermissions
from hall.issues.labels import ISSUE_STATE_NAMES, SCOPE_KIND_NAMES, TRANSITION_NAMES, as_text
from hall.issues.lifecycle import Name, Requirement
from hall.issues.models import ScopeKind
from hall.issues.overview import Overview
from hall.realtime import outbox
from hall.text import is_said, render

# The header and the templates' filters ---------------------------------------------------------


def notification_badge() -> dict | None:
    """The header's unread count and the account room's number it was read at."""
    if not current_user.is_authenticated:
        return None
    actor = current_actor()
    try:
        room = notifications.account_room(actor.account_id)
        seq = outbox.current_seq(room)  # first, as for an issue: nothing falls in between
        return {"room": room, "seq": seq, "unread": notifications.unread_count(actor)}
    except SQLAlchemyError:  # an error page must still render when the database cannot
        db.session.rollback()
        return None


def when(value: datetime | str | None) -> str:
    """A moment in the community's time zone, as people read it."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_datetime(value, "short")


def iso(value: datetime | str | None) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    return value.isoformat()


# Every page's templates use them (the votes' too).
TEMPLATE_FILTERS = {"when": when, "iso": iso, "map_text": as_text}


def said_or_written(reason) -> str | None:
    """A reason as the reader reads it: Hall's own (said data) in the page's language, a
    person's in their own words."""
    if is_said(reason):
        return render(reason, gettext)
    return reason or None


# One issue -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A lifecycle step the reader may take, as its form shows it."""

    name: str
    label: str
    needs_reason: bool
    needs_target: bool


def steps(permissions: IssuePermissions) -> list[Step]:
    found = []
    for name in permissions.transitions:
        requires = lifecycle.TRANSITIONS[Name(name)].requires
        found.append(
            Step(
                name=name,
                label=str(TRANSITION_NAMES[name]),
                needs_reason=Requirement.REASON in requires,
                needs_target=Requirement.MERGE_TARGET in requires,
            )
        )
    return found


@dataclass(frozen=True)
class SupportBox:
    count: int
    threshold: int
    offered: bool  # a form to support, or to take one's support back
    supported: bool  # the form takes it back
    gathering: bool  # supports are being gathered, though not from this reader


def support_box(overview: Overview, permissions: IssuePermissions) -> SupportBox:
    offered = permissions.support or permissions.withdraw_support
    return SupportBox(
        count=overview.issue.support_count,
        threshold=overview.support_threshold,
        offered=offered,
        supported=permissions.withdraw_support,
        gathering=not offered and overview.issue.state in lifecycle.SUPPORTABLE,
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str | None  # None: Hall itself
    step: str
    state: str
    reason: str | None


def timeline(entries: Iterable[Mapping]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=entry["at"],
            actor=entry.get("actor"),
            step=str(TRANSITION_NAMES.get(entry["transition"], entry["transition"])),
            state=str(ISSUE_STATE_NAMES.get(entry["to"], entry["to"])),
            reason=said_or_written(entry.get("said_reason") or entry.get("reason")),
        )
        for entry in entries
    ]


def thread_tree(comments: Iterable[dict]) -> dict[int | None, list[dict]]:
    """The thread's comments by the comment they answer (None: the top level), in order."""
    children: dict[int | None, list[dict]] = defaultdict(list)
    for comment in comments:
        children[comment["parent_id"]].append(comment)
    return children


@dataclass(frozen=True)
class IssuePage:
    overview: Overview
    permissions: IssuePermissions
    children: dict[int | None, list[dict]]
    steps: list[Step]
    support: SupportBox
    timeline: list[TimelineEntry]

    @property
    def issue(self):
        return self.overview.issue

    @property
    def step_names(self) -> set[str]:
        return {step.name for step in self.steps}


def issue_page(overview: Overview) -> IssuePage:
    permissions = overview.permissions
    return IssuePage(
        overview=overview,
        permissions=permissions,
        children=thread_tree(overview.comments),
        steps=steps(permissions),
        support=support_box(overview, permissions),
        timeline=timeline(overview.timeline),
    )


# The list --------------------------------------------------------------------------------------


def page_url(community_id: int, arguments: Mapping[str, str]) -> Callable[[int], str]:
    """The address of another page of the list, its filters kept."""
    kept = {key: value for key, value in arguments.items() if key != "page" and value}

    def address(number: int) -> str:
        return url_for("issues.list_issues", community_id=community_id, page=number, **kept)

    return address


# Proposing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeChoices:
    kinds: list[tuple[str, str]]  # (value, label) of each kind of scope the reader may choose
    default_kind: str
    buildings: list[dict]  # each building with its stairwells, and theirs units


def scope_choices(buildings, units, permissions: CommunityPermissions) -> ScopeChoices:
    """The places a proposal may concern, as far as the reader's roles reach: every building
    of the community, or the ones their own roles are granted at."""
    allowed = permissions.proposal_buildings
    if allowed is not None:
        buildings = [building for building in buildings if building.id in allowed]
    units_by_stairwell: dict[int, list] = defaultdict(list)
    for unit in units:
        units_by_stairwell[unit.stairwell_id].append(unit)
    kinds = [
        (kind.value, str(SCOPE_KIND_NAMES[kind]))
        for kind in ScopeKind
        if kind is not ScopeKind.COMMUNITY or permissions.propose_community_wide
    ]
    return ScopeChoices(
        kinds=kinds,
        default_kind=kinds[0][0],
        buildings=[
            {
                "building": building,
                "stairwells": [
                    {"stairwell": stairwell, "units": units_by_stairwell.get(stairwell.id, [])}
                    for stairwell in building.stairwells
                ],
            }
            for building in buildings
        ],
    )


# Notifications ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationLine:
    notification: object
    state: str | None  # the issue's new state, for "your issue is now ..."
    reason: str | None


def notification_lines(notifications) -> list[NotificationLine]:
    lines = []
    for notification in notifications:
        summary = notification.summary or {}
        state = summary.get("state")
        lines.append(
            NotificationLine(
                notification=notification,
                state=str(ISSUE_STATE_NAMES.get(state, state)) if state else None,
                reason=said_or_written(summary.get("reason")),
            )
        )
    return lines
