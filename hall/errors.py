"""The errors services raise, and the one shape every client sees them in.

Services know nothing of HTTP: they raise these, and the HTTP and socket doors turn them into
`{"error": code, "message": ..., "fields": {...}}` with the matching status.
"""

from __future__ import annotations


class HallError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def body(self) -> dict:
        return error_body(self.code, self.message, self.fields)


class Invalid(HallError):
    status = 422
    code = "invalid"


class Unauthenticated(HallError):
    status = 401
    code = "unauthenticated"


class Forbidden(HallError):
    status = 403
    code = "forbidden"


class NotFound(HallError):
    status = 404
    code = "not_found"


class Conflict(HallError):
    status = 409
    code = "conflict"


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": code, "message": message, "fields": fields or {}}
