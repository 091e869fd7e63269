"""Registry pages: the community home page and the admins' roster import."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("community", __name__)
