"""Everything an issue's page shows, gathered in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from hall.community.policy import Actor
from hall.errors import HallError
from hall.issues import lifecycle, scope, service, threads
from hall.issues.lifecycle import Capacity, Name
from hall.issues.models import Issue, IssuePhoto
from hall.realtime import outbox


@dataclass(frozen=True)
class Overview:
    issue: Issue
    # The issue room's event number when this was read: a client joins with it as `after`
    # and hears every change since, so nothing falls between the page and the live feed.
    seq: int
    photos: list[IssuePhoto]
    scope_labels: list[str]
    support_threshold: int
    supported_by_me: bool
    may_participate: bool
    capacities: frozenset[Capacity]
    transitions: list[Name]
    timeline: list[dict]
    stance_counts: dict[str, int]
    comments: list[dict]
    moderator: bool


def issue_overview(actor: Actor, issue_id: int) -> Overview:
    seq = outbox.current_seq(service.issue_room(issue_id))  # first: see the docstring above
    issue = service.get_issue(actor, issue_id)
    place = service.place_of_issue(issue)
    held = service.capacities(actor, issue, place)
    try:
        service.require_participant(actor, issue, place)
        may_participate = True
    except HallError:
        may_participate = False
    return Overview(
        issue=issue,
        seq=seq,
        photos=service.photos_of(issue),
        scope_labels=scope.scope_labels(issue),
        support_threshold=service.support_threshold(issue),
        supported_by_me=service.supported_by(actor, issue),
        may_participate=may_participate,
        capacities=held,
        transitions=[
            name
            for name in lifecycle.available(issue.state, held)
            if name in lifecycle.DELIBERATION_TRANSITIONS
        ],
        timeline=service.timeline(issue),
        stance_counts=threads.stance_counts(issue.id),
        comments=threads.thread(actor, issue),
        moderator=threads.is_moderator(actor, issue),
    )
