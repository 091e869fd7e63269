"""`hall` commands for the registry: roster import and demo data."""

from __future__ import annotations

import click
from flask.cli import AppGroup

community_cli = AppGroup("community", help="The community registry.")
