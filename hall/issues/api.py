"""The issue stage's REST API."""

blueprints = []
