"""The issue stage's sentences for readers, kept as phrases (hall.text): what a notification
tells, and the names of the states it names. Pure: rendered by the doors in the reader's
language."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from hall.issues.lifecycle import State
from hall.text import N_, phrase, said


class NotificationKind(enum.StrEnum):
    COMMENT = "comment"  # on an issue you proposed
    REPLY = "reply"  # to a comment of yours
    STATE = "state"  # your issue moved on
    NEW_ISSUE = "new_issue"  # in your scope


_SENTENCES = {
    NotificationKind.COMMENT: phrase(
        "notification_comment", N_("%(name)s commented on your issue #%(number)s “%(title)s”")
    ),
    NotificationKind.REPLY: phrase(
        "notification_reply", N_("%(name)s replied to your comment on #%(number)s “%(title)s”")
    ),
    NotificationKind.STATE: phrase(
        "notification_state", N_("Your issue #%(number)s “%(title)s” is now: %(state)s")
    ),
    NotificationKind.NEW_ISSUE: phrase(
        "notification_new_issue", N_("New issue where you live: #%(number)s “%(title)s”")
    ),
}
_OTHER = phrase("notification_other", N_("#%(number)s “%(title)s”"))

# The states' names as a notification says them.
STATE_NAMES = {
    state: phrase(f"issue_state_{state.value}", template)
    for state, template in (
        (State.DRAFT, N_("Draft")),
        (State.COLLECTING, N_("Collecting supports")),
        (State.DELIBERATION, N_("Under deliberation")),
        (State.JUDGMENT, N_("Judgment")),
        (State.PUBLICITY, N_("On public notice")),
        (State.IMPLEMENTATION, N_("Being implemented")),
        (State.CLOSED, N_("Closed")),
        (State.WITHDRAWN, N_("Withdrawn")),
        (State.REJECTED, N_("Not adopted")),
        (State.MERGED, N_("Merged")),
        (State.ESCALATED, N_("Escalated to the subdistrict")),
    )
}


def notification(kind: str, summary: Mapping) -> dict:
    """What a notification of `kind` with this `summary` tells, as said data. The reason,
    where there is one, is `summary["reason"]`: a person's words, or said data itself."""
    params = {"number": summary.get("issue_number"), "title": summary.get("issue_title", "")}
    if kind in (NotificationKind.COMMENT, NotificationKind.REPLY):
        params["name"] = summary.get("author", "")
    if kind == NotificationKind.STATE:
        state = summary.get("state")
        known = state in set(State)
        params["state"] = STATE_NAMES[State(state)]() if known else state
    sentence = _SENTENCES.get(kind, _OTHER)
    return said(sentence.code, **params)
