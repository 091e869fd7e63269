"""The HTTP side of errors: one JSON shape for the API, a readable page for people, both in the
reader's language."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext
from flask_smorest import Api
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from hall.errors import (
    NO_SUCH_THING,
    NOT_ALLOWED_HERE,
    NOT_LOGGED_IN,
    HallError,
    error_body,
)
from hall.extensions import db
from hall.text import N_, Phrase, phrase
from hall.web.i18n import field_messages

log = logging.getLogger(__name__)

# webargs reports where a bad value came from ("json", "form", "query", "files"); a client
# wants the field's name. "_schema" holds errors about the body as a whole.
_LOCATIONS = ("json", "form", "query", "files", "headers", "cookies", "path")

CSRF_FAILED = phrase(
    "csrf_failed",
    N_(
        "This form has expired or did not come from this site. Please go back, reload the "
        "page and try again."
    ),
)
FIELDS_INVALID = phrase(
    "invalid", N_("Some fields are not filled in right: each says what is wrong.")
)

# What an HTTP error says where no service gave a reason (werkzeug's own descriptions are
# English). The codes are the ones clients already know: werkzeug's names, snake_cased.
HTTP_PHRASES: dict[int, Phrase] = {
    400: phrase("bad_request", N_("This request could not be understood.")),
    401: NOT_LOGGED_IN,
    403: NOT_ALLOWED_HERE,
    404: NO_SUCH_THING,
    405: phrase("method_not_allowed", N_("This address does not take this kind of request.")),
    413: phrase("request_entity_too_large", N_("What was sent is too large.")),
    429: phrase(
        "too_many_requests", N_("Too many requests. Please wait a minute, then try again.")
    ),
    500: phrase(
        "internal_server_error",
        N_("Something went wrong on our side. Please try again in a few minutes."),
    ),
}
OTHER_HTTP_ERROR = N_("This request was refused (HTTP %(status)d).")


def _fields_from_webargs(messages: dict) -> dict:
    fields: dict = {}
    for location, errors in messages.items():
        if location in _LOCATIONS and isinstance(errors, dict):
            fields.update(errors)
        else:
            fields[location] = errors
    return fields


def _wants_json() -> bool:
    if request.path.startswith("/api/") or request.path.startswith("/socket.io"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _http_error_body(error: HTTPException) -> dict:
    if isinstance(error, CSRFError):
        message = CSRF_FAILED.render(gettext)
        return error_body(CSRF_FAILED.code, message, {"csrf_token": [message]})
    data = getattr(error, "data", None) or {}
    if "messages" in data:  # webargs/marshmallow validation
        fields = field_messages(_fields_from_webargs(data["messages"]), gettext)
        return error_body(FIELDS_INVALID.code, FIELDS_INVALID.render(gettext), fields)
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_")
    known = HTTP_PHRASES.get(status)
    if known is not None:
        message = known.render(gettext)
    else:
        message = gettext(OTHER_HTTP_ERROR) % {"status": status}
    return error_body(code, message, data.get("fields"))


def render_error(status: int, body: dict, *, detail: bool = True):
    """The error as JSON for the API, else as a page; `detail` says whether the page shows the
    body's message under its own heading (a service's reason, not a bare HTTP status)."""
    if _wants_json():
        return body, status
    page = render_template("error.html", status=status, body=body, detail=detail)
    return page, status


class HallApi(Api):
    """flask-smorest with Hall's error shape instead of its own."""

    def handle_http_exception(self, error):
        return _handle_http_exception(error)


def _handle_http_exception(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        db.session.rollback()
    body = _http_error_body(error)
    body, status = render_error(
        status, body, detail="messages" in (getattr(error, "data", None) or {})
    )
    # What the client needs to act on: when to retry (429), which methods exist (405).
    passed_on = [(k, v) for k, v in error.get_headers() if k in ("Retry-After", "Allow")]
    return body, status, passed_on


def _handle_hall_error(error: HallError):
    db.session.rollback()  # nothing half written
    return render_error(error.status, error.body(gettext))


def _handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return _handle_http_exception(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return _handle_http_exception(InternalServerError())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HallError, _handle_hall_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
