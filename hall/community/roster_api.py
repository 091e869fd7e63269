"""The roster import over REST: a spreadsheet upload in, the import report out."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, ValidationError, fields
from werkzeug.datastructures import FileStorage

from hall.community import roster, roster_import
from hall.community.identity import current_actor
from hall.rest import api_blueprint, require_file
from hall.text import N_

bp = api_blueprint("roster", "Roster import")


def _csv_or_xlsx(upload: FileStorage | str) -> None:
    require_file(upload)
    if not roster.is_supported_filename(upload.filename or ""):
        raise ValidationError(N_("Upload a .csv or .xlsx file."))


class RosterUploadSchema(Schema):
    # A browser's form may carry more (a CSRF token): only these two matter here.
    class Meta:
        unknown = EXCLUDE

    file = Upload(
        required=True,
        validate=_csv_or_xlsx,
        metadata={
            "description": "The roster as property management keeps it: .csv (UTF-8 or "
            "GB18030) or .xlsx, one unit a row under a header row."
        },
    )
    dry_run = fields.Boolean(
        load_default=False,
        metadata={"description": "Check the file and count what would change; write nothing."},
    )


class ImportReportSchema(Schema):
    rows = fields.Integer()
    buildings_created = fields.Integer()
    stairwells_created = fields.Integer()
    units_created = fields.Integer()
    units_updated = fields.Integer(metadata={"description": "Units whose floor or area changed."})
    units_unchanged = fields.Integer()
    people_created = fields.Integer()
    ownerships_changed = fields.Integer(
        metadata={"description": "Units (new ones included) whose list of owners changed."}
    )
    units_not_in_file = fields.Integer(
        metadata={"description": "Units of the community the file does not list: left alone."}
    )
    dry_run = fields.Boolean()


@bp.post("/communities/<int:community_id>/roster")
@bp.arguments(RosterUploadSchema, location="form", content_type="multipart/form-data")
@bp.response(200, ImportReportSchema)
def import_roster(upload, community_id):
    """Import the community's roster (property managers, administrators).

    All or nothing: a file with any bad row imports nothing and answers 422, with every
    row's error under `fields.rows` (`{"row", "field", "message"}`; the header is row 1) and
    errors about the file as a whole under `fields.file`.
    """
    file: FileStorage = upload["file"]
    return roster_import.import_roster(
        current_actor(),
        community_id,
        file.filename or "",
        file.read(),
        dry_run=upload["dry_run"],
    )
