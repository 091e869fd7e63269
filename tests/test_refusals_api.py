"""A refusal reaches its reader in the reader's language, with its code, at every door.

The REST API answers `{"error": code, "message": ..., "fields": {...}}` in the language the
request asks for (`Accept-Language`), else in the one the account chose, else in Chinese;
a Socket.IO join answers likewise; a page flashes the refusal or puts it beside its field in
the page's language. One refused act of each stage, on SQLite and PostgreSQL: a support, a
ballot, a comment, a transition, a room joined, a roster imported.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import select

from hall.community.accounts import issue_token
from hall.community.models import Account
from hall.extensions import db as hall_db
from hall.extensions import socketio
from hall.text import PHRASES, untranslated
from hall.types import utcnow
from hall.web.i18n import LOCALE_COOKIE, compile_translations
from tests.api_client import ApiClient, Reply
from tests.languages import VisibleText, catalog, foreign_words, reads_as_chinese, translator
from tests.web.conftest import csrf_token_of, log_in

# The pages and the socket door read the compiled catalogs; compiled before any test renders.
compile_translations()

CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9"}
ENGLISH = {"Accept-Language": "en"}
PARAMETER = re.compile(r"%\(\w+\)[sdif]")


class Accounts:
    """The world's accounts on the API, each with a bearer token of its own, issued straight
    from the database: logging in checks an argon2 hash, slow on purpose."""

    def __init__(self, app):
        self.app = app
        self.clients: dict[str, ApiClient] = {}

    def __getitem__(self, username: str) -> ApiClient:
        if username not in self.clients:
            with self.app.app_context():
                holder = hall_db.session.scalar(select(Account).where(Account.username == username))
                token, _ = issue_token(holder, "tests")
                hall_db.session.commit()
                hall_db.session.remove()
            client = ApiClient(self.app.test_client())
            client.token = token
            self.clients[username] = client
        return self.clients[username]


@pytest.fixture
def accounts(app, world) -> Accounts:
    return Accounts(app)


def template_pattern(template: str) -> re.Pattern:
    """A message as its template says it, whatever its parameters."""
    parts = PARAMETER.split(template)
    return re.compile(".+?".join(re.escape(part) for part in parts), re.DOTALL)


def registered(code: str):
    if code not in PHRASES:
        pytest.fail(f"no stage registers the refusal {code!r}")
    return PHRASES[code]


def chinese_of(code: str) -> str:
    return translator(catalog("zh_CN"))(registered(code).template)


def assert_refused(reply: Reply, code: str, status: int, language: str, field: str | None = None):
    """Refused with `code`, its message (and the field's) in `language`, "zh_CN" or "en"."""
    assert reply.status == status, reply.json
    assert set(reply.json) == {"error", "message", "fields"}, reply.json
    assert reply.json["error"] == code, reply.json
    registered(code)
    template = registered(code).template if language == "en" else chinese_of(code)
    if language == "zh_CN":
        assert template != PHRASES[code].template, f"{code} has no Chinese in the catalog"
        assert reads_as_chinese(reply.json["message"]), reply.json
    assert template_pattern(template).fullmatch(reply.json["message"]), reply.json
    if field is not None:
        assert reply.json["fields"].get(field) == [reply.json["message"]], reply.json


def assert_refused_in_chinese(reply: Reply, status: int, field: str):
    """A refusal whose code may be the service's or the schema's (`invalid`): its message and
    the field's in Chinese all the same."""
    assert reply.status == status, reply.json
    assert set(reply.json) == {"error", "message", "fields"}, reply.json
    assert reads_as_chinese(reply.json["message"]), reply.json
    assert field in reply.json["fields"], reply.json
    for message in reply.json["fields"][field]:
        assert reads_as_chinese(message), reply.json


# Stories of the world, told through the API ------------------------------------------------------


def propose(client: ApiClient, community_id: int, **scope) -> int:
    reply = client.post(
        f"/api/communities/{community_id}/issues",
        {
            "title": "电梯经常停运",
            "body": "1栋的电梯这周停了三次。",
            "category": "elevator",
            "scope": scope or {"kind": "community", "ids": []},
            "submit": True,
        },
    )
    assert reply.status == 201, reply.json
    return reply.json["id"]


def withdrawn_issue(accounts: Accounts, world) -> int:
    issue_id = propose(accounts["resident"], world.home)
    reply = accounts["resident"].post(
        f"/api/issues/{issue_id}/transitions", {"transition": "withdraw", "reason": "已经修好了"}
    )
    assert reply.status == 200, reply.json
    return issue_id


def vote_set_up(accounts: Accounts, world) -> int:
    """A vote on 1栋1单元's elevator, set up by the chair and not yet open."""
    settings = accounts["secretary"].put(
        f"/api/communities/{world.home}/issue-settings", {"support_threshold": 1}
    )
    assert settings.status == 200, settings.json
    issue_id = propose(accounts["tenant"], world.home, kind="stairwells", ids=[world.stair_1_1])
    supported = accounts["resident"].post(f"/api/issues/{issue_id}/support")
    assert supported.json["state"] == "deliberation", supported.json
    vote = accounts["chair"].post(
        f"/api/issues/{issue_id}/votes",
        {
            "title": "是否加装电梯",
            "kind": "approval",
            "rule": {"preset": "major_matter"},
            "closes_at": (utcnow() + timedelta(days=7)).isoformat(),
        },
    )
    assert vote.status == 201, vote.json
    return vote.json["id"]


def open_vote(accounts: Accounts, vote_id: int) -> None:
    opened = accounts["chair"].post(f"/api/votes/{vote_id}/open")
    assert opened.status == 200, opened.json


def choose_locale(app, username: str, locale: str | None) -> None:
    with app.app_context():
        holder = hall_db.session.scalar(select(Account).where(Account.username == username))
        holder.locale = locale
        hall_db.session.commit()
        hall_db.session.remove()


# The REST API -------------------------------------------------------------------------------------

LANGUAGES = [(CHINESE, "zh_CN"), (ENGLISH, "en")]


@pytest.mark.parametrize(("headers", "language"), LANGUAGES)
def test_a_second_support_is_refused_in_the_readers_language(accounts, world, headers, language):
    issue_id = propose(accounts["resident"], world.home)
    path = f"/api/issues/{issue_id}/support"
    assert accounts["tenant"].post(path).status == 200
    again = accounts["tenant"].post(path, headers=dict(headers))
    assert_refused(again, "already_supported", 409, language)


@pytest.mark.parametrize(("headers", "language"), LANGUAGES)
def test_a_ballot_before_the_vote_opens_is_refused_in_the_readers_language(
    accounts, world, headers, language
):
    vote_id = vote_set_up(accounts, world)
    early = accounts["resident"].post(
        f"/api/votes/{vote_id}/ballots", {"choice": "for"}, headers=dict(headers)
    )
    assert_refused(early, "vote_not_open", 409, language)


@pytest.mark.parametrize(("headers", "language"), LANGUAGES)
def test_a_ballot_from_outside_the_electorate_is_refused_in_the_readers_language(
    accounts, world, headers, language
):
    vote_id = vote_set_up(accounts, world)
    open_vote(accounts, vote_id)
    tenant = accounts["tenant"].post(
        f"/api/votes/{vote_id}/ballots", {"choice": "for"}, headers=dict(headers)
    )
    assert_refused(tenant, "not_in_electorate", 403, language)


@pytest.mark.parametrize(("headers", "language"), LANGUAGES)
def test_a_comment_on_a_closed_thread_is_refused_in_the_readers_language(
    accounts, world, headers, language
):
    issue_id = withdrawn_issue(accounts, world)
    late = accounts["tenant"].post(
        f"/api/issues/{issue_id}/comments", {"body": "还没修好"}, headers=dict(headers)
    )
    assert_refused(late, "thread_closed", 409, language)


@pytest.mark.parametrize("body", ["", "   "])
def test_an_empty_comment_is_refused_in_chinese_naming_its_field(accounts, world, body):
    issue_id = propose(accounts["resident"], world.home)
    empty = accounts["tenant"].post(
        f"/api/issues/{issue_id}/comments", {"body": body}, headers=dict(CHINESE)
    )
    assert empty.json["error"] in ("comment_empty", "invalid"), empty.json
    assert_refused_in_chinese(empty, 422, "body")


@pytest.mark.parametrize(("headers", "language"), LANGUAGES)
def test_a_transition_from_the_wrong_state_is_refused_in_the_readers_language(
    accounts, world, headers, language
):
    issue_id = propose(accounts["resident"], world.home)
    again = accounts["chair"].post(
        f"/api/issues/{issue_id}/transitions", {"transition": "submit"}, headers=dict(headers)
    )
    assert_refused(again, "wrong_state", 409, language, field="transition")


@pytest.mark.parametrize(("headers", "language"), LANGUAGES)
def test_a_rejection_without_a_reason_is_refused_in_the_readers_language(
    accounts, world, headers, language
):
    issue_id = propose(accounts["resident"], world.home)
    bare = accounts["chair"].post(
        f"/api/issues/{issue_id}/transitions", {"transition": "reject"}, headers=dict(headers)
    )
    assert_refused(bare, "reason_required", 422, language, field="reason")


def test_the_verdicts_reason_on_the_timeline_is_said_in_chinese(accounts, world):
    vote_id = vote_set_up(accounts, world)
    open_vote(accounts, vote_id)
    ballot = accounts["resident"].post(f"/api/votes/{vote_id}/ballots", {"choice": "for"})
    assert ballot.status == 201, ballot.json
    closed = accounts["chair"].post(
        f"/api/votes/{vote_id}/close", {"if_failed": "deliberation", "reason": "提前结束"}
    )
    assert closed.status == 200, closed.json
    issue_id = closed.json["issue_id"]
    issue = accounts["tenant"].get(f"/api/issues/{issue_id}", headers=dict(CHINESE))
    verdict = issue.json["timeline"][-1]
    assert verdict["transition"] in ("publish", "reopen"), verdict
    assert verdict["reason"] is None, verdict  # Hall's own reason, kept as data
    assert reads_as_chinese(verdict["reason_text"]), verdict


def test_a_bad_body_is_refused_in_chinese_naming_each_field(accounts, world):
    issue_id = propose(accounts["resident"], world.home)
    reply = accounts["chair"].post(
        f"/api/issues/{issue_id}/transitions", {"transition": 5}, headers=dict(CHINESE)
    )
    assert_refused_in_chinese(reply, 422, "transition")


@pytest.mark.parametrize(
    ("chosen", "language"), [("en", "en"), ("zh_CN", "zh_CN"), (None, "zh_CN")]
)
def test_without_accept_language_the_accounts_choice_decides(
    app, accounts, world, chosen, language
):
    issue_id = propose(accounts["resident"], world.home)
    path = f"/api/issues/{issue_id}/support"
    assert accounts["tenant"].post(path).status == 200
    choose_locale(app, "tenant", chosen)
    assert_refused(accounts["tenant"].post(path), "already_supported", 409, language)


def test_accept_language_wins_over_the_accounts_choice(app, accounts, world):
    issue_id = propose(accounts["resident"], world.home)
    path = f"/api/issues/{issue_id}/support"
    assert accounts["tenant"].post(path).status == 200
    choose_locale(app, "tenant", "en")
    assert_refused(
        accounts["tenant"].post(path, headers=dict(CHINESE)), "already_supported", 409, "zh_CN"
    )


# Socket.IO ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("headers", "language"), LANGUAGES)
def test_joining_a_room_one_may_not_see_is_refused_in_the_readers_language(
    app, accounts, world, headers, language
):
    client = socketio.test_client(
        app, auth={"token": accounts["resident"].token}, headers=dict(headers)
    )
    try:
        answer = client.emit("join", {"room": f"community:{world.neighbour}"}, callback=True)
    finally:
        client.disconnect()
    assert_refused(Reply(404, answer, {}), answer["error"], 404, language)


@pytest.mark.parametrize(("headers", "language"), LANGUAGES)
def test_a_join_without_a_room_is_refused_in_the_readers_language(
    app, accounts, world, headers, language
):
    client = socketio.test_client(
        app, auth={"token": accounts["resident"].token}, headers=dict(headers)
    )
    try:
        answer = client.emit("join", {}, callback=True)
    finally:
        client.disconnect()
    assert_refused(Reply(422, answer, {}), answer["error"], 422, language, field="room")


# Pages in Chinese -------------------------------------------------------------------------------


def chinese_page_client(app, username: str):
    """A browser that reads Chinese, logged in through the login page."""
    client = app.test_client()
    client.set_cookie(LOCALE_COOKIE, "zh_CN")
    assert log_in(client, username).status_code == 302
    return client


def post_from_page(client, page: str, path: str, data: dict, **kwargs):
    token = csrf_token_of(client.get(page, follow_redirects=True).text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=True, **kwargs)


def assert_page_says(response, code: str):
    """The page shows the refusal as its Chinese template says, and not its English one."""
    texts = VisibleText.of(response.text).texts
    shown = " ".join(texts)
    chinese, english = chinese_of(code), PHRASES[code].template
    assert chinese != english, f"{code} has no Chinese in the catalog"
    assert template_pattern(chinese).search(shown), (code, chinese, texts)
    assert not template_pattern(english).search(shown), (code, english, texts)


def test_a_second_support_is_flashed_in_chinese(app, accounts, world):
    issue_id = propose(accounts["resident"], world.home)
    page = f"/issues/{issue_id}"
    tenant = chinese_page_client(app, "tenant")
    assert post_from_page(tenant, page, f"{page}/support", {"action": "support"}).status_code == 200
    again = post_from_page(tenant, page, f"{page}/support", {"action": "support"})
    assert_page_says(again, "already_supported")


def test_a_comment_on_a_closed_thread_is_flashed_in_chinese(app, accounts, world):
    issue_id = withdrawn_issue(accounts, world)
    page = f"/issues/{issue_id}"
    tenant = chinese_page_client(app, "tenant")
    late = post_from_page(tenant, page, f"{page}/comments", {"body": "还没修好"})
    assert_page_says(late, "thread_closed")


def test_a_rejection_without_a_reason_is_said_beside_the_reason_in_chinese(app, accounts, world):
    issue_id = propose(accounts["resident"], world.home)
    page = f"/issues/{issue_id}"
    chair = chinese_page_client(app, "chair")
    bare = post_from_page(chair, page, f"{page}/transition", {"transition": "reject"})
    assert bare.status_code == 422
    assert_page_says(bare, "reason_required")


def test_hiding_a_hidden_comment_is_flashed_in_chinese(app, accounts, world):
    issue_id = propose(accounts["resident"], world.home)
    comment = accounts["tenant"].post(f"/api/issues/{issue_id}/comments", {"body": "广告"})
    assert comment.status == 201, comment.json
    path = f"/api/comments/{comment.json['id']}/moderation"
    hidden = accounts["secretary"].post(path, {"action": "hide", "reason": "广告"})
    assert hidden.status == 200, hidden.json
    secretary = chinese_page_client(app, "secretary")
    again = post_from_page(
        secretary,
        f"/issues/{issue_id}",
        f"/comments/{comment.json['id']}/moderate",
        {"action": "hide", "reason": "广告"},
    )
    assert_page_says(again, "comment_already_hidden")


def test_a_ballot_before_the_vote_opens_is_flashed_in_chinese(app, accounts, world):
    vote_id = vote_set_up(accounts, world)
    page = f"/votes/{vote_id}"
    resident = chinese_page_client(app, "resident")
    early = post_from_page(resident, "/", f"{page}/ballots", {"choice": "for"})
    assert_page_says(early, "vote_not_open")


def test_a_roster_with_mistakes_is_explained_in_chinese(app, world):
    manager = chinese_page_client(app, "manager")
    page = f"/communities/{world.home}/roster"
    roster = (
        "楼栋,单元,房号,楼层,建筑面积(㎡),业主姓名,联系电话\n"
        "1栋,1单元,101,一楼,很大,某人,13800000000\n"
    )
    refused = post_from_page(
        manager,
        page,
        page,
        {"roster": (BytesIO(roster.encode("utf-8")), "roster.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    problem = [
        text
        for region in ("roster-problem", "roster-row-errors")
        for text in VisibleText.of(refused.text, within=region).texts
    ]
    assert problem, "the page shows no problem"
    english = [text for text in problem if foreign_words(text)]
    assert not english, english


def test_english_is_what_an_english_page_says(app, accounts, world):
    issue_id = propose(accounts["resident"], world.home)
    page = f"/issues/{issue_id}"
    tenant = app.test_client()
    tenant.set_cookie(LOCALE_COOKIE, "en")
    assert log_in(tenant, "tenant").status_code == 302
    post_from_page(tenant, page, f"{page}/support", {"action": "support"})
    again = post_from_page(tenant, page, f"{page}/support", {"action": "support"})
    expected = registered("already_supported").render(untranslated)
    assert expected in " ".join(VisibleText.of(again.text).texts)
