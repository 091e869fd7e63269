"""`hall import-roster`: property management's roster into a community, from the console."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

import click
from flask.cli import with_appcontext

from hall.community.policy import Actor, Grant, Place
from hall.community.roles import GrantScope, Role
from hall.community.roster import Roster, read_roster
from hall.community.roster_import import ImportReport, RosterInvalid, import_read_roster
from hall.errors import HallError

# The operator at the machine's console is trusted as a site administrator: whoever can run
# `hall` can read the database settings anyway.
OPERATOR = Actor(account_id=0, grants=(Grant(Role.ADMIN, GrantScope.SITE, Place()),))

# Below this many rows an import is over before a progress bar would have drawn itself.
PROGRESS_BAR_ROWS = 200


@click.command("import-roster")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--community", "community_id", type=int, required=True, help="The community's id.")
@click.option("--dry-run", is_flag=True, help="Check the file and count, but write nothing.")
@with_appcontext
def import_roster_command(file: Path, community_id: int, dry_run: bool) -> None:
    """Import property management's roster FILE (.csv or .xlsx) into a community.

    All or nothing: every bad row is listed and nothing is imported until the file is fixed.
    """
    roster = read_roster(file.name, file.read_bytes())
    try:
        report = _import_with_progress(roster, community_id, dry_run)
    except RosterInvalid as error:
        _echo_errors(error)
        click.get_current_context().exit(1)
    except HallError as error:
        raise click.ClickException(error.message) from error
    _echo_report(report)


def _import_with_progress(roster: Roster, community_id: int, dry_run: bool) -> ImportReport:
    if len(roster.rows) <= PROGRESS_BAR_ROWS:
        return import_read_roster(OPERATOR, community_id, roster, dry_run=dry_run)
    # On stderr, so that the report on stdout stays clean for a script to read.
    with click.progressbar(length=len(roster.rows), label="Importing", file=sys.stderr) as bar:
        return import_read_roster(
            OPERATOR, community_id, roster, dry_run=dry_run, progress=_advancing(bar)
        )


def _advancing(bar) -> Callable[[int], None]:
    """A progress callback (rows written so far) for click's bar (which takes steps)."""
    shown = 0

    def progress(rows_written: int) -> None:
        nonlocal shown
        bar.update(rows_written - shown)
        shown = rows_written

    return progress


def _echo_errors(error: RosterInvalid) -> None:
    for file_error in error.file_errors:
        click.echo(f"file: {file_error.text()}", err=True)
    for row_error in error.row_errors:
        click.echo(f"row {row_error.row}, {row_error.field}: {row_error.text()}", err=True)
    click.echo("Nothing was imported.", err=True)


def _echo_report(report: ImportReport) -> None:
    for counter in fields(ImportReport):
        if counter.name != "dry_run":
            label = counter.name.replace("_", " ")
            click.echo(f"{label}: {getattr(report, counter.name)}")
    if report.dry_run:
        click.echo("Dry run: nothing was written.")
