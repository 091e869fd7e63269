"""The roster import over REST (filled in with the importer)."""

from __future__ import annotations

from flask_smorest import Blueprint

from hall.auth import protect_api_from_csrf

bp = Blueprint("roster", __name__, url_prefix="/api", description="Roster import")
bp.before_request(protect_api_from_csrf)
