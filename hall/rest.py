"""What every REST blueprint shares: the /api prefix, CSRF for requests that ride on the
session cookie, and multipart forms read as one body with their files."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict, FileStorage

from hall.auth import protect_api_from_csrf


class FormWithFilesParser(FlaskParser):
    """Reads a multipart form's fields and files as one body, the way a browser sends them.

    flask-smorest documents only one request body per operation: a "files" schema beside a
    "form" schema would put the form's fields in an OpenAPI 2 `formData` parameter, which
    OpenAPI 3 has no such thing as. One schema over both keeps the published spec right, and
    its errors still come back under "form", which the error handler flattens to field names.
    """

    def load_form(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = FormWithFilesParser()


def api_blueprint(name: str, description: str) -> ApiBlueprint:
    bp = ApiBlueprint(name, __name__, url_prefix="/api", description=description)
    bp.before_request(protect_api_from_csrf)
    return bp


def require_file(upload: FileStorage | str) -> None:
    """An upload field's check: a file, not a text field of the same name."""
    if not isinstance(upload, FileStorage):
        raise ValidationError("Upload a file.")
