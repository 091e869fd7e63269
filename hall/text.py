"""Sentences for readers, kept as a code and parameters until the reader's language is known.

Nothing below the doors knows who reads: the pure core, the services and the ledger speak in
phrases. A phrase is a stable code with an English template marked with `N_` (so pybabel
extracts it); what is stored or sent on is `said(code, **params)`, plain JSON data; a door
renders it with the reader's `gettext`. A parameter may itself be said data (an option's
name "for"), rendered the same way; a plain string parameter (a plan's own name, a number)
is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Translate = Callable[[str], str]


def N_(message: str) -> str:  # noqa: N802  (the conventional gettext marker name)
    return message


def untranslated(message: str) -> str:
    """The English template as written: for logs, the command line and tests."""
    return message


@dataclass(frozen=True)
class Phrase:
    code: str
    template: str  # English, with %(name)s parameters

    def __call__(self, **params) -> dict:
        return said(self.code, **params)

    def render(self, translate: Translate, params: Mapping[str, Any] | None = None) -> str:
        text = translate(self.template)
        if not params:
            return text
        return text % {name: _rendered(value, translate) for name, value in params.items()}


PHRASES: dict[str, Phrase] = {}


def register(phrase: Phrase) -> Phrase:
    known = PHRASES.get(phrase.code)
    if known is not None and known != phrase:
        raise ValueError(f"two phrases share the code {phrase.code!r}")
    PHRASES[phrase.code] = phrase
    return phrase


def phrase(code: str, template: str) -> Phrase:
    """A sentence a reader may be shown, registered under its stable code."""
    return register(Phrase(code, template))


def said(code: str, **params) -> dict:
    """What is stored or sent on for a phrase: its code and parameters, as JSON data."""
    if not params:
        return {"code": code}
    return {"code": code, "params": params}


def is_said(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("code"), str) and value.keys() <= {
        "code",
        "params",
    }


def render(data: Mapping[str, Any], translate: Translate = untranslated) -> str:
    """Said data in the reader's language."""
    return PHRASES[data["code"]].render(translate, data.get("params"))


def _rendered(value: Any, translate: Translate) -> Any:
    if is_said(value) and value["code"] in PHRASES:
        return render(value, translate)
    return value
