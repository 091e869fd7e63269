"""Recount a vote from its ledger chain alone, as anyone holding an export of it can.

The chain opens with the electorate (each member's number and area), then holds every
ballot, paper sheet and confirmation in order, and closes with the result. Replaying it gives
each member's last counted ballot; summing those must give the result's tallies. For a secret
vote the chain holds commitments, not choices: the recount then checks participation only.

Pure: ledger entries (anything with `kind` and `payload`) in, a recount out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Recount:
    participants: dict  # every counted ballot: {"headcount": int, "area": str}
    by_choice: dict[str, dict] | None  # None for a secret vote
    result: dict | None  # what the closing entry recorded, if the vote has closed

    @property
    def matches(self) -> bool | None:
        """Does the recount agree with the recorded result? None while the vote is open."""
        if self.result is None:
            return None
        recorded = self.result["by_choice"].values()
        cast = (
            sum(totals["headcount"] for totals in recorded),
            sum((Decimal(totals["area"]) for totals in recorded), Decimal(0)),
        )
        if cast != (self.participants["headcount"], Decimal(self.participants["area"])):
            return False
        if self.by_choice is None:  # secret: the choices are not in the chain to recount
            return True
        return all(
            (totals["headcount"], Decimal(totals["area"]))
            == (
                self.by_choice.get(choice, {}).get("headcount", 0),
                Decimal(self.by_choice.get(choice, {}).get("area", "0")),
            )
            for choice, totals in self.result["by_choice"].items()
        )


def recount(entries: Iterable) -> Recount:
    areas: dict[int, Decimal] = {}
    counted: dict[int, str | None] = {}  # member -> choice (None: secret)
    pending: dict[str, tuple[int, str]] = {}  # paper sheet's entry hash -> (member, choice)
    result = None
    secret = False
    for entry in entries:
        payload = entry.payload
        if entry.kind == "vote.opened":
            secret = payload["secret"]
            areas = {m["number"]: Decimal(m["area"]) for m in payload["electorate"]}
        elif entry.kind == "ballot.cast":
            counted[payload["member"]] = payload.get("choice")
        elif entry.kind == "ballot.paper_recorded":
            pending[entry.hash] = (payload["member"], payload.get("choice"))
        elif entry.kind == "ballot.paper_confirmed":
            member, choice = pending.pop(payload["ballot"])
            counted[member] = choice
        elif entry.kind == "ballot.paper_rejected":
            pending.pop(payload["ballot"], None)
        elif entry.kind == "vote.closed":
            result = payload
    participants = {
        "headcount": len(counted),
        "area": str(sum((areas[m] for m in counted), Decimal(0))),
    }
    by_choice = None
    if not secret:
        by_choice = {}
        for member, choice in counted.items():
            totals = by_choice.setdefault(choice, {"headcount": 0, "area": Decimal(0)})
            totals["headcount"] += 1
            totals["area"] += areas[member]
        by_choice = {c: {**t, "area": str(t["area"])} for c, t in by_choice.items()}
    return Recount(participants, by_choice, result)
