"""Fixtures of the voting tests: the API client and a stairwell of owners to vote."""

from __future__ import annotations

import pytest

from tests.voting.factories import TokenEach, stairwell_of_owners


@pytest.fixture
def api(app, db) -> TokenEach:
    return TokenEach(app.test_client())


@pytest.fixture
def stairwell(app, world):
    with app.app_context():
        return stairwell_of_owners(world.home)
