"""`hall seed-demo`: a community to click through, each stage adding its part in turn."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from hall.community import demo as registry
from hall.community.models import Unit
from hall.config import current_settings
from hall.extensions import db
from hall.issues import demo as issues
from hall.voting import demo as voting


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Seed even when HALL_ENV=production.")
@with_appcontext
def seed_demo_command(force: bool) -> None:
    """Build the demo community Jinshijie Garden with an account for every role."""
    if current_settings().production and not force:
        raise click.ClickException(
            "Refusing to add demo accounts with a published password in production (--force)."
        )
    community = registry.seed()
    if community is None:
        click.echo(f"{registry.COMMUNITY} is there already; nothing changed.")
    else:
        voting.seed(issues.seed(community))
        units = db.session.scalar(
            select(func.count(Unit.id)).where(Unit.community_id == community.id)
        )
        click.echo(f"Seeded {registry.SUBDISTRICT} / {registry.COMMUNITY}: {units} units.")
    click.echo(f"Demo accounts (password {registry.DEMO_PASSWORD}):")
    for demo in registry.ACCOUNTS:
        click.echo(f"  {demo.username:<10} {demo.describes}")
