"""What every REST blueprint shares: the /api prefix, CSRF for requests that ride on the
session cookie, and multipart forms read as one body with their files."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict, FileStorage

from hall.extensions import csrf
from hall.text import N_

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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


def protect_api_from_csrf() -> None:
    """The API is exempt from form CSRF, but a cookie-authenticated change still needs the token.

    A bearer token cannot be sent by another site's page, a cookie can: so only requests that
    ride on the session cookie must carry X-CSRFToken. (The login loaders of
    hall.community.identity mark a request that came with a bearer token.)
    """
    if request.method not in UNSAFE_METHODS:
        return
    if current_user.is_authenticated and not g.get("hall_authenticated_by_token"):
        csrf.protect()


def api_blueprint(name: str, description: str) -> ApiBlueprint:
    bp = ApiBlueprint(name, __name__, url_prefix="/api", description=description)
    bp.before_request(protect_api_from_csrf)
    return bp


def require_file(upload: FileStorage | str) -> None:
    """An upload field's check: a file, not a text field of the same name."""
    if not isinstance(upload, FileStorage):
        raise ValidationError(N_("Upload a file."))
