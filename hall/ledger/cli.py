"""`hall ledger verify`: recompute every hash of the ledger's chains from the console."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from hall.extensions import db
from hall.ledger import chain as ledger
from hall.ledger.models import LedgerChain
from hall.sorting import natural_sort_key


@click.group("ledger")
def ledger_command() -> None:
    """The hash-chained ledger."""


@ledger_command.command("verify")
@click.option("--community", "community_id", type=int, help="Only this community's chain.")
@with_appcontext
def verify_command(community_id: int | None) -> None:
    """Verify every chain, or one community's: its length, head hash, and whether it holds.

    Exits with status 1 if any chain is broken.
    """
    if community_id is not None:
        names = [ledger.community_chain(community_id)]
    else:
        names = sorted(db.session.scalars(select(LedgerChain.name)), key=natural_sort_key)
        if not names:
            click.echo("The ledger has no chains yet.")
    broken = False
    for name in names:
        result = ledger.verify(name)
        status = "OK" if result.ok else f"BROKEN at position {result.broken_at}: {result.problem}"
        click.echo(f"{name}  length {result.length}  head {result.head_hash}  {status}")
        broken = broken or not result.ok
    if broken:
        click.get_current_context().exit(1)
