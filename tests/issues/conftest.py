"""The issue stage's tests read English and log each account in once."""

from __future__ import annotations

import pytest

from tests.fixtures.issues import OneTokenEach


@pytest.fixture
def api(app, db) -> OneTokenEach:
    """Reads English: the messages asserted here are the refusals' English templates; and
    logs each account in once per test, as logging in is rate-limited per address."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return OneTokenEach(client)
