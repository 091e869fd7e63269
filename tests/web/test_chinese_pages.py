"""A Chinese reader never meets English: every demo page, for every role, crawled in zh_CN.

The demo is seeded once per database; each demo account logs in through the login page with
the Chinese cookie and follows the GET links of the app from the home page (a bounded crawl:
at most PAGES_PER_ROLE pages, at most PAGES_PER_PATTERN per URL pattern), once while the
demo's vote is open and once after the chair closed it. The visible text of each page (text
nodes outside script and style, and the attributes a reader sees or hears) must hold no
Latin-script word of three letters or more and no internal key.

Allowed is what tests/languages.py allows (the product's name, file formats, hashes and
receipts, addresses), and besides:
- the demo's own data, Chinese already (names, titles, bodies, comments, plan labels), whose
  officials' accounts are named by their usernames ("officer", "chair"): user data too;
- the placeholders a page's script fills in (`{name}` in a <template>);
- machine text, marked as such (<code>, <kbd>, <samp>): what a file or a field must hold
  (tests.languages.VisibleText leaves it out).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import select

from hall.community import demo as registry
from hall.community.models import Account
from hall.demo import seed_demo_command
from hall.extensions import db as hall_db
from hall.extensions import limiter
from hall.voting.models import Vote
from hall.web.i18n import LOCALE_COOKIE
from tests.api_client import ApiClient
from tests.databases import empty_all_tables
from tests.languages import VisibleText, foreign_words
from tests.web.conftest import log_in

ROLES = [demo.username for demo in registry.ACCOUNTS]
PAGES_PER_ROLE = 60
PAGES_PER_PATTERN = 3
# Where a link leads out of the pages a reader reads: the API, browser packages, files.
NOT_PAGES = ("/api/", "/vendor/", "/static/", "/socket.io", "/logout", "/healthz")

SCRIPT_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def pattern_of(path: str) -> str:
    """A URL's shape: ids and query values left out, so that /issues/3 and /issues/4 match."""
    parts = urlsplit(path)
    shape = re.sub(r"\d+", "{id}", parts.path)
    if parts.query:
        keys = sorted({pair.partition("=")[0] for pair in parts.query.split("&")})
        shape += "?" + "&".join(keys)
    return shape


def page_link(href: str) -> str | None:
    """The app's own page a link leads to, as path and query; None for anything else."""
    href, _ = urldefrag(href.strip())
    parts = urlsplit(href)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "localhost"):
        return None
    if not parts.path.startswith("/") or parts.path.startswith(NOT_PAGES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Demo:
    """The demo in one of two moments: its vote still open, or closed by the chair (the
    verdict's reason on the timeline, the proposer notified). Seeded again when a test asks
    for the open vote after another closed it, so the order of the tests does not matter."""

    def __init__(self, app):
        self.app = app
        self.moment: str | None = None
        self.usernames: set[str] = set()

    def at(self, moment: str) -> Demo:
        if self.moment == "closed" and moment == "open":
            self.remove()
        if self.moment is None:
            self.seed()
        if moment == "closed" and self.moment == "open":
            self.close_the_vote()
        return self

    def seed(self) -> None:
        self.remove()
        result = self.app.test_cli_runner().invoke(seed_demo_command)
        assert result.exit_code == 0, result.output
        with self.app.app_context():
            self.usernames = set(hall_db.session.scalars(select(Account.username)))
            hall_db.session.remove()
        self.moment = "open"

    def close_the_vote(self) -> None:
        with self.app.app_context():
            limiter.reset()
            vote_id = hall_db.session.scalar(select(Vote.id))
            hall_db.session.remove()
        chair = ApiClient(self.app.test_client()).login("chair", registry.DEMO_PASSWORD)
        closed = chair.post(
            f"/api/votes/{vote_id}/close", {"if_failed": "deliberation", "reason": "演示提前结束"}
        )
        assert closed.status == 200, closed.json
        self.moment = "closed"

    def remove(self) -> None:
        with self.app.app_context():
            hall_db.session.remove()
            empty_all_tables(hall_db)
        self.moment = None


@pytest.fixture(scope="module")
def demo(app):
    """The demo, seeded for this module on each database, and removed after it."""
    seeded = Demo(app)
    yield seeded
    seeded.remove()


def crawl(client, user_words: set[str]) -> tuple[list[str], list[str], int]:
    """Every page reachable from home within the bounds: (findings, broken links, pages)."""
    findings: list[str] = []
    broken: list[str] = []
    seen: set[str] = set()
    reported: set[str] = set()
    per_pattern: Counter[str] = Counter()
    queue = deque([("/", "")])
    pages = 0
    while queue and pages < PAGES_PER_ROLE:
        path, referrer = queue.popleft()
        if path in seen or per_pattern[pattern_of(path)] >= PAGES_PER_PATTERN:
            continue
        seen.add(path)
        per_pattern[pattern_of(path)] += 1
        response = client.get(path, follow_redirects=True)
        if response.status_code != 200:
            broken.append(f"{path} (linked from {referrer}) answers {response.status_code}")
        if not response.content_type.startswith("text/html"):
            continue
        pages += 1
        page = VisibleText.of(response.text)
        if page.lang != "zh-CN":
            findings.append(f"{path}: <html lang={page.lang!r}>")
        for text in dict.fromkeys(page.texts):
            words = foreign_words(SCRIPT_PLACEHOLDER.sub(" ", text), user_words)
            if words and text not in reported:  # said once, on the first page that shows it
                reported.add(text)
                findings.append(f"{path}: {', '.join(dict.fromkeys(words))} in {text!r}")
        for href in page.links:
            linked = page_link(href)
            if linked is not None and linked not in seen:
                queue.append((linked, path))
    return findings, broken, pages


def test_the_word_filter_finds_english_and_internal_keys_and_spares_data():
    users = {"owner"}
    assert foreign_words("理由：The vote passed: approval of plan_2", users) == [
        "The",
        "vote",
        "passed",
        "approval",
        "plan_2",
    ]
    assert foreign_words("回执 3fa2 9bce abcd，owner 于 2026-03-01 投票，89.52 m²", users) == []
    assert foreign_words("联系 someone@example.com 或 https://example.com/help", users) == []
    assert foreign_words("指尖议事厅 Hall · English", users) == []
    assert foreign_words("property_manager", users) == ["property_manager"]


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize("moment", ["open", "closed"])
def test_every_page_of_the_demo_reads_chinese(app, demo, username, moment):
    words_of_users = demo.at(moment).usernames
    with app.app_context():
        limiter.reset()
    client = app.test_client()
    client.set_cookie(LOCALE_COOKIE, "zh_CN")
    response = log_in(client, username, registry.DEMO_PASSWORD)
    assert response.status_code == 302, response.text
    findings, broken, pages = crawl(client, words_of_users)
    assert pages > 1, f"{username} reached no page beyond home"
    if findings or broken:
        pytest.fail(
            f"{username}, vote {moment}, {pages} pages in zh_CN: Latin-script words outside "
            "user data, or links that fail:\n  " + "\n  ".join(findings + broken),
            pytrace=False,
        )
