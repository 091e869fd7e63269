"""Logging in and out through the pages: CSRF, the rate limit, and where the browser goes next."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from hall.web.redirects import local_path
from tests.web.conftest import csrf_token_of, log_in, logged_in, post_form

FAILED_LOGIN = "The username or the password is not right."


def test_the_login_page_labels_every_input(english):
    page = english.get("/login")
    assert page.status_code == 200
    html = page.text
    assert '<label class="field-label" for="username">Username</label>' in html
    assert '<label class="field-label" for="password">Password</label>' in html
    assert 'for="remember"' in html
    assert 'autocomplete="current-password"' in html
    assert 'href="#main"' in html  # the skip link


def test_a_resident_logs_in_and_lands_on_their_only_community(english, world):
    response = log_in(english, "resident")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = english.get("/")
    assert home.status_code == 302
    assert home.headers["Location"] == f"/communities/{world.home}"
    page = english.get(home.headers["Location"])
    assert page.status_code == 200
    assert "金世界花园" in page.text
    assert "Logged in as" in page.text and "<strong>resident</strong>" in page.text


@pytest.mark.parametrize(
    ("username", "password"),
    [("resident", "not the password"), ("nobody-of-that-name", "correct horse battery")],
)
def test_a_failed_login_says_so_without_saying_which_part_was_wrong(
    english, world, username, password
):
    response = log_in(english, username, password)
    assert response.status_code == 200
    assert FAILED_LOGIN in response.text
    assert 'role="alert"' in response.text
    assert f'value="{username}"' in response.text  # kept, so that only a typo needs fixing
    assert "correct horse battery" not in response.text  # the password is never sent back
    assert english.get("/").status_code == 302  # still anonymous


def test_empty_fields_are_named(english, world):
    page = english.get("/login")
    response = english.post("/login", data={"csrf_token": csrf_token_of(page.text)})
    assert response.status_code == 200
    assert "Please enter your username." in response.text
    assert "Please enter your password." in response.text
    assert 'aria-invalid="true"' in response.text


def test_a_login_without_its_csrf_token_is_refused_with_a_clear_page(english, world):
    english.get("/login")
    response = english.post("/login", data={"username": "resident", "password": "x" * 10})
    assert response.status_code == 400
    assert "This form has expired or did not come from this site." in response.text
    assert response.mimetype == "text/html"


def test_a_login_with_a_forged_csrf_token_is_refused(english, world):
    english.get("/login")
    data = {"csrf_token": "forged", "username": "resident", "password": "x"}
    assert english.post("/login", data=data).status_code == 400


def test_login_attempts_are_rate_limited(app, english, world):
    allowed = int(app.extensions["hall.settings"].login_rate_limit.split()[0])
    token = csrf_token_of(english.get("/login").text)
    data = {"csrf_token": token, "username": "resident", "password": "wrong password"}
    for _ in range(allowed):
        assert english.post("/login", data=data).status_code == 200
    refused = english.post("/login", data=data)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text
    assert "Please wait a minute" in refused.text
    assert int(refused.headers["Retry-After"]) > 0
    # Showing the form is not an attempt: someone locked out can still read the page.
    assert english.get("/login").status_code == 200


def test_logout_is_a_post_with_its_token(english, world):
    logged_in(english, "resident")
    assert english.get("/logout").status_code == 405
    assert english.post("/logout").status_code == 400  # no token: another site cannot do it
    assert english.get("/").status_code == 302  # still logged in: home goes to the community
    response = post_form(english, "/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    page = english.get("/login")
    assert "You have logged out." in page.text
    assert english.get("/").headers["Location"].startswith("/login")


def test_anonymous_pages_send_to_login_and_back(english, world):
    target = f"/communities/{world.home}"
    response = english.get(target)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={quote(target, safe='')}"
    login_page = english.get(response.headers["Location"])
    assert "Please log in to see this page." in login_page.text
    assert f'value="{target}"' in login_page.text  # carried through the form
    answer = log_in(english, "resident", next_path=target)
    assert answer.headers["Location"] == target


def test_the_home_page_sends_anonymous_visitors_to_login(client, world):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/%0d%0a//evil.example",
        "/\t/evil.example",
        "evil.example",
    ],
)
def test_next_never_leaves_the_site(english, world, target):
    response = log_in(english, "resident", next_path=target)
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", target) and local_path(
        response.headers["Location"]
    )
    if local_path(target) is None:
        assert response.headers["Location"] == "/"


def test_local_path_accepts_only_paths_of_this_site():
    assert local_path("/communities/3?tab=units") == "/communities/3?tab=units"
    for refused in ("", None, "//x.example", "/\\x.example", "http://x.example/", "x", "/a\nb"):
        assert local_path(refused) is None


def test_a_logged_in_visit_to_login_goes_home(english, world):
    logged_in(english, "resident")
    response = english.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
