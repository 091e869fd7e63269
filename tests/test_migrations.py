"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from hall import create_app
from hall.extensions import db
from tests.conftest import make_settings
from tests.databases import fresh_database_url


def schema_differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(backend, tmp_path):
    url = fresh_database_url(backend, tmp_path, "migrations")
    app = create_app(make_settings(url, tmp_path / "instance"))
    with app.app_context():
        upgrade()
    assert schema_differences(app) == []


def test_migrations_go_down_and_up_again(backend, tmp_path):
    url = fresh_database_url(backend, tmp_path, "migrations_roundtrip")
    app = create_app(make_settings(url, tmp_path / "instance"))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
    assert schema_differences(app) == []
