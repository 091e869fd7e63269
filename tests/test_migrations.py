"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from hall import create_app
from hall.extensions import db
from tests.conftest import make_settings
from tests.databases import drop_database, fresh_database_url


def schema_differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


@pytest.fixture
def database(backend, tmp_path, request):
    url = fresh_database_url(backend, tmp_path, request.node.originalname[5:25])
    yield url
    drop_database(url)


def test_models_and_migrations_agree(database, tmp_path):
    url = database
    app = create_app(make_settings(url, tmp_path / "instance"))
    with app.app_context():
        upgrade()
    assert schema_differences(app) == []


def test_migrations_go_down_and_up_again(database, tmp_path):
    url = database
    app = create_app(make_settings(url, tmp_path / "instance"))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
    assert schema_differences(app) == []
