"""The pages every visitor meets: login, logout, the community home page."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__)


@bp.get("/healthz")
def health():
    return {"ok": True}
