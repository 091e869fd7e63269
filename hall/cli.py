"""The `hall` command: Flask's CLI with Hall's commands, on the configured settings."""

from __future__ import annotations

from flask.cli import FlaskGroup

from hall import create_app


def main() -> None:
    FlaskGroup(create_app=create_app, help="Hall, the Finger-tip Discussion Hall.")()
