"""The refusals services raise, and the one shape every client sees them in.

Each kind of refusal is defined once, where its stage keeps its refusals (`refusals.py`):
a stable code (`vote_not_open`), the status it answers with, an English template marked for
translation, and the fields it concerns. A service raises it with its parameters:

    VOTE_NOT_OPEN = conflict("vote_not_open", N_("Ballots are taken only while the vote is open."))
    raise VOTE_NOT_OPEN()

Services know nothing of HTTP or of who reads: the REST, page and socket doors render the
refusal in the reader's language as `{"error": code, "message": ..., "fields": {...}}`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hall.text import N_, Phrase, Translate, register, untranslated


class HallError(Exception):
    status = 400

    def __init__(self, refusal: Refusal, params: dict | None = None, fields: Iterable[str] = ()):
        self.refusal = refusal
        self.params = dict(params or {})
        self.field_names = tuple(fields)
        super().__init__(self.message)

    @property
    def code(self) -> str:
        return self.refusal.code

    @property
    def message(self) -> str:
        """In English: for logs and the command line. Doors render `body(translate)`."""
        return self.render(untranslated)

    def render(self, translate: Translate) -> str:
        return self.refusal.render(translate, self.params)

    def field_messages(self, translate: Translate) -> dict[str, list[str]]:
        message = self.render(translate)
        return {name: [message] for name in self.field_names}

    @property
    def fields(self) -> dict[str, list[str]]:
        return self.field_messages(untranslated)

    def body(self, translate: Translate = untranslated) -> dict:
        return error_body(self.code, self.render(translate), self.field_messages(translate))


class Invalid(HallError):
    status = 422


class Unauthenticated(HallError):
    status = 401


class Forbidden(HallError):
    status = 403


class NotFound(HallError):
    status = 404


class Conflict(HallError):
    status = 409


@dataclass(frozen=True)
class Refusal(Phrase):
    kind: type[HallError] = HallError
    fields: tuple[str, ...] = ()

    @property
    def status(self) -> int:
        return self.kind.status

    def __call__(self, *, fields: Iterable[str] | None = None, **params) -> HallError:  # type: ignore[override]
        """The refusal, ready to raise; `fields` names other fields than the defined ones
        (a plan's label at `plans.2.label`)."""
        return self.kind(self, params, self.fields if fields is None else fields)


def _definer(kind: type[HallError]):
    def define(code: str, template: str, *, field: str | None = None, fields=()) -> Refusal:
        names = ((field,) if field else ()) + tuple(fields)
        refusal = Refusal(code, template, kind, names)
        register(refusal)
        return refusal

    define.__name__ = kind.__name__.lower()
    return define


invalid = _definer(Invalid)
unauthenticated = _definer(Unauthenticated)
forbidden = _definer(Forbidden)
not_found = _definer(NotFound)
conflict = _definer(Conflict)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": code, "message": message, "fields": fields or {}}


# Refusals every stage shares.
NOT_LOGGED_IN = unauthenticated("unauthenticated", N_("Log in first."))
NOT_ALLOWED_HERE = forbidden("forbidden", N_("You may not do this here."))
NO_SUCH_THING = not_found("not_found", N_("There is nothing here by that name."))
NO_SUCH_COMMUNITY = not_found("no_such_community", N_("No such community."))
