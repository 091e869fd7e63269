"""The HTTP side of errors: one JSON shape for the API, a readable page for people."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext
from flask_smorest import Api
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from hall.errors import HallError, error_body
from hall.extensions import db

log = logging.getLogger(__name__)

# webargs reports where a bad value came from ("json", "form", "query", "files"); a client
# wants the field's name. "_schema" holds errors about the body as a whole.
_LOCATIONS = ("json", "form", "query", "files", "headers", "cookies", "path")


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
        return error_body("csrf_failed", error.description, {"csrf_token": [error.description]})
    data = getattr(error, "data", None) or {}
    if "messages" in data:  # webargs/marshmallow validation
        fields = _fields_from_webargs(data["messages"])
        message = "Some fields are invalid: " + ", ".join(sorted(map(str, fields)))
        return error_body("invalid", message, fields)
    code = (error.name or "error").lower().replace(" ", "_")
    return error_body(code, error.description or error.name, data.get("fields"))


def render_error(status: int, body: dict):
    if _wants_json():
        return body, status
    return render_template("error.html", status=status, body=body), status


class HallApi(Api):
    """flask-smorest with Hall's error shape instead of its own."""

    def handle_http_exception(self, error):
        return _handle_http_exception(error)


def _handle_http_exception(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        db.session.rollback()
    body, status = render_error(status, _http_error_body(error))
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
