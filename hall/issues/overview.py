"""Everything an issue's page shows, gathered in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from hall.community.policy import Actor
from hall.issues import scope, service, threads
from hall.issues.access import IssuePermissions
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
    permissions: IssuePermissions  # what the reader may do: the answer the services enforce
    capacities: frozenset[Capacity]
    timeline: list[dict]
    stance_counts: dict[str, int]
    comments: list[dict]

    # The permissions' answers under the names the page and the API used before them.
    @property
    def may_participate(self) -> bool:
        return self.permissions.participate

    @property
    def moderator(self) -> bool:
        return self.permissions.moderate

    @property
    def transitions(self) -> list[Name]:
        return [Name(name) for name in self.permissions.transitions]


def issue_overview(actor: Actor, issue_id: int) -> Overview:
    seq = outbox.current_seq(service.issue_room(issue_id))  # first: see the docstring above
    issue = service.get_issue(actor, issue_id)
    found = service.issue_access(actor, issue)
    return Overview(
        issue=issue,
        seq=seq,
        photos=service.photos_of(issue),
        scope_labels=scope.scope_labels(issue),
        support_threshold=service.support_threshold(issue),
        supported_by_me=found.facts.supports,
        permissions=found.permissions(),
        capacities=found.capacities,
        timeline=service.timeline(issue),
        stance_counts=threads.stance_counts(issue.id),
        comments=threads.thread(actor, issue, found),
    )
