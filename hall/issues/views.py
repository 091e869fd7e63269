"""The issue stage's pages."""

from flask import Blueprint

bp = Blueprint("issues", __name__)
