"""Web tests: compiled catalogs before any page renders, and logging in as a browser does."""

from __future__ import annotations

import re

import pytest

from hall.web.i18n import compile_translations
from tests.factories import PASSWORD

# Flask-Babel caches a locale's catalog the first time a page in it renders, for the life of
# the app; so the .mo files must exist before any test renders, not just before this folder's.
# Conftests are imported while collecting, before any test runs.
compile_translations()

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_of(html: str) -> str:
    match = CSRF_TOKEN.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def log_in(client, username: str, password: str = PASSWORD, next_path: str | None = None):
    """Log in through the login form, CSRF token and all; returns the POST's response."""
    page = client.get("/login")
    data = {"csrf_token": csrf_token_of(page.text), "username": username, "password": password}
    if next_path is not None:
        data["next"] = next_path
    return client.post("/login", data=data)


def post_form(client, path: str, data: dict | None = None, *, page: str = "/", **kwargs):
    """POST a form the way a page of Hall would: with the CSRF token of a page just shown."""
    token = csrf_token_of(client.get(page, follow_redirects=True).text)
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


@pytest.fixture
def english(client):
    """The client reads English: the tests' assertions are easier to read that way."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def logged_in(client, username: str):
    response = log_in(client, username)
    assert response.status_code == 302, response.text
    return client
