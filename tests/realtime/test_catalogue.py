"""The event catalogue: each event registered once with its schema, and the documentation's
table the very catalogue the code registers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hall.realtime import catalogue

DOCS = Path(__file__).resolve().parents[2] / "docs" / "realtime.md"
BEGIN, END = (
    "<!-- catalogue: written by scripts/event-catalogue -->",
    "<!-- /catalogue -->",
)


def documented_table() -> str:
    text = DOCS.read_text(encoding="utf-8")
    return text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip()


def test_the_documented_event_catalogue_is_the_registered_one(app):
    assert documented_table() == catalogue.table(), (
        "docs/realtime.md's event table is out of date: run scripts/event-catalogue"
    )


def test_every_room_kind_an_event_goes_to_is_one_the_documentation_names(app):
    text = DOCS.read_text(encoding="utf-8")
    rooms = set(re.findall(r"^\| `(\w+):<id>` \|", text, flags=re.MULTILINE))
    for registered in catalogue.EVENTS.values():
        assert set(registered.rooms) <= rooms, registered.name


def test_an_event_name_is_registered_once(app):
    with pytest.raises(ValueError, match="registered twice"):
        catalogue.event("issue.updated", catalogue.ViewersSchema, rooms=("issue",), doc="again")


def test_an_event_goes_only_to_the_rooms_it_is_registered_for(app):
    with pytest.raises(ValueError):
        catalogue.of("issue.supports").queue("community:1", {})
    with pytest.raises(ValueError):  # ephemeral: emitted, never numbered
        catalogue.of("viewers").queue("issue:1", {"room": "issue:1", "count": 1})
