"""Registry pages: the community home page and the property manager's roster import."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext, lazy_gettext
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SubmitField

from hall.community import roster_import, service
from hall.community.identity import current_actor
from hall.community.labels import (
    ROSTER_COLUMN_NAMES,
    ROSTER_REPORT_LABELS,
    role_label,
    roster_columns,
)
from hall.community.models import Building, Community
from hall.community.policy import Actor

bp = Blueprint("community", __name__)


class RosterUploadForm(FlaskForm):
    roster = FileField(
        lazy_gettext("Roster file"),
        validators=[FileRequired(lazy_gettext("Please choose the roster file to import."))],
        render_kw={"accept": ".xlsx,.csv"},
    )
    dry_run = BooleanField(lazy_gettext("Only check the file, change nothing yet"), default=True)
    submit = SubmitField(lazy_gettext("Import the roster"))


@bp.get("/communities/<int:community_id>")
@login_required
def show(community_id: int):
    actor = current_actor()
    community = service.get_community(actor, community_id)
    buildings = service.list_buildings(actor, community.id)
    return render_template(
        "community/show.html",
        community=community,
        counts=service.community_counts(community.id),
        buildings=buildings,
        units_per_stairwell=service.units_per_stairwell(actor, community.id),
        roles=_roles_here(actor, community, buildings),
        permissions=service.community_permissions(actor, community),
        room=service.community_room(community.id),
    )


@bp.route("/communities/<int:community_id>/roster", methods=["GET", "POST"])
@login_required
def roster(community_id: int):
    actor = current_actor()
    community = service.get_community(actor, community_id)
    # Checked before the form is even shown: who may not import should not fill it in first.
    service.require_roster_import(actor, community)
    form = RosterUploadForm()
    report = problem = None
    if form.validate_on_submit():
        upload = form.roster.data
        try:
            report = roster_import.import_roster(
                actor,
                community.id,
                upload.filename or "",
                upload.read(),
                dry_run=form.dry_run.data,
            )
        except roster_import.RosterInvalid as error:
            problem = _roster_problem(error)
    status = 422 if problem is not None or form.errors else 200
    page = render_template(
        "community/roster.html",
        community=community,
        form=form,
        report=report,
        report_labels=ROSTER_REPORT_LABELS,
        columns=roster_columns(),
        problem=problem,
        room=service.community_room(community.id),
    )
    return page, status


def _roster_problem(error: roster_import.RosterInvalid) -> dict:
    """Everything wrong with a roster, in the page's language."""
    return {
        "file": [file_error.text(gettext) for file_error in error.file_errors],
        "rows": [
            {
                "row": row_error.row,
                "column": str(ROSTER_COLUMN_NAMES[row_error.field]),
                "message": row_error.text(gettext),
            }
            for row_error in error.row_errors
        ],
    }


def _roles_here(actor: Actor, community: Community, buildings: list[Building]) -> list[str]:
    place = service.place_of_community(community)
    building_names = {building.id: building.name for building in buildings}
    return [role_label(grant, building_names) for grant in actor.grants if grant.sees(place)]
