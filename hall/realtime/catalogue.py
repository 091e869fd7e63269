"""The event catalogue: every event a room carries, registered once by the stage that sends
it, with its schema, the kinds of room it goes to and what it tells.

    ISSUE_UPDATED = catalogue.event(
        "issue.updated", IssueEventSchema, rooms=("issue", "community"),
        doc="The issue's list row changed: its text, counts or state.",
    )
    ISSUE_UPDATED.queue(issue_room(issue.id), issue, subject=issue_subject(issue.id))

An event's data is always its schema's dump, the same schema the REST resource it mirrors is
dumped with, so a client reads one shape live, replayed and fetched. With a `subject`, the
event states the subject's whole new state: one transaction sends it once per room, made
when the transaction commits (hall.realtime.outbox.queue_latest). docs/realtime.md's event
table is this catalogue's `table()` (scripts/event-catalogue writes it; a test compares).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields

from hall.realtime import outbox


@dataclass(frozen=True)
class EventType:
    name: str
    schema: Schema
    rooms: tuple[str, ...]  # the kinds of room (`issue`, `community`...) it goes to
    doc: str
    # Numbered, stored and replayed; an ephemeral event (who is viewing, a live tally that
    # is the whole standing each time) is only emitted.
    numbered: bool = True

    def dump(self, obj: Any) -> dict:
        return self.schema.dump(obj)

    def queue(self, room: str, obj: Any, *, subject: str | None = None) -> None:
        """Queue the event for `room` in the current transaction. With a `subject`, `obj` may
        be a function that gives the object to dump: it is called when the transaction
        commits, and only the last one queued for the room and subject is sent."""
        self._check(room, numbered=True)
        if subject is None:
            outbox.queue(room, self.name, self.dump(obj))
            return
        make: Callable[[], Any] = obj if callable(obj) else (lambda: obj)
        outbox.queue_latest(room, self.name, subject, lambda: self.dump(make()))

    def emit(self, room: str, obj: Any) -> None:
        """Send an ephemeral event now: not numbered, not stored, not replayed."""
        self._check(room, numbered=False)
        outbox.emit_now(room, self.name, self.dump(obj))

    def errors(self, data: dict) -> dict:
        """What is wrong with `data` as this event's data; empty when it is right."""
        return self.schema.validate(data)

    def _check(self, room: str, *, numbered: bool) -> None:
        kind = room.partition(":")[0]
        if kind not in self.rooms or numbered is not self.numbered:
            raise ValueError(f"{self.name} is not an event of {room} sent that way")


EVENTS: dict[str, EventType] = {}


def event(
    name: str,
    schema: Schema | type[Schema],
    *,
    rooms: tuple[str, ...],
    doc: str,
    numbered: bool = True,
) -> EventType:
    """Register an event type; each name once."""
    if name in EVENTS:
        raise ValueError(f"the event {name!r} is registered twice")
    instance = schema() if isinstance(schema, type) else schema
    registered = EventType(name, instance, tuple(rooms), doc, numbered)
    EVENTS[name] = registered
    return registered


def of(name: str) -> EventType:
    return EVENTS[name]


def table() -> str:
    """The catalogue as docs/realtime.md shows it (a test keeps the two the same)."""
    lines = [
        "| event | rooms | numbered | data | what it tells |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in sorted(EVENTS):
        registered = EVENTS[name]
        lines.append(
            f"| `{name}` | {', '.join(registered.rooms)} | "
            f"{'yes' if registered.numbered else 'no'} | {_shape(registered.schema)} | "
            f"{registered.doc} |"
        )
    return "\n".join(lines)


def _shape(schema: Schema) -> str:
    parts = []
    for name, field in schema.fields.items():
        key = field.data_key or name
        if isinstance(field, fields.Nested):
            nested = field.nested if isinstance(field.nested, type) else type(field.nested)
            parts.append(f"{key}: {nested.__name__.removesuffix('Schema')}")
        else:
            parts.append(key)
    return "`{" + ", ".join(parts) + "}`"


class ViewersSchema(Schema):
    room = fields.String(required=True)
    count = fields.Integer(required=True)


VIEWERS = event(
    "viewers",
    ViewersSchema,
    rooms=("issue", "vote"),
    doc="How many people view the room now, sent when it changed, at most once a second "
    "(`HALL_VIEWER_COUNT_INTERVAL`); the join answer carries it as `viewers`.",
    numbered=False,
)
