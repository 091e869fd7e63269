"""Both doors give one answer: for each role of the world, the REST API and the pages are
asked the same questions (propose, support, comment, report, moderate, take a lifecycle
step) and must allow or refuse alike, as the published `permissions` foretell.

Whether a door allowed is read from what happened, not from its status: a page answers a
refusal with a redirect and a flashed message as often as with a 4xx. Each door acts on its
own copy of the same issue, so that one door's answer cannot change the other's question.
"""

from __future__ import annotations

import re

import pytest

from tests.api_client import ApiClient
from tests.factories import PASSWORD

ROLES = (
    "admin", "officer", "secretary", "chair", "committee", "manager", "resident", "tenant",
    "coowner", "second_owner", "building_resident", "neighbour_resident", "far_officer",
    "outsider",
)  # fmt: skip
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Page:
    """A browser on Hall's pages: logged in through the login form, posting forms with the
    CSRF token of a page it was shown."""

    def __init__(self, app, username: str):
        self.client = app.test_client()
        self.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        reply = self.post("/login", {"username": username, "password": PASSWORD}, page="/login")
        assert reply.status_code == 302, reply.text

    def post(self, path: str, data: dict, page: str = "/"):
        shown = self.client.get(page, follow_redirects=True).text
        token = CSRF_TOKEN.search(shown).group(1)
        return self.client.post(path, data={"csrf_token": token, **data})


class World:
    """Two copies of each thing asked about, one per door, made through the API."""

    def __init__(self, app, world):
        self.app, self.world = app, world
        self.tokens: dict[str, ApiClient] = {}

    def api(self, username: str) -> ApiClient:
        if username not in self.tokens:
            client = app_client = self.app.test_client()
            app_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
            self.tokens[username] = ApiClient(client).login(username)
        return self.tokens[username]

    def issue(self) -> dict:
        body = {
            "title": "小区路灯不亮",
            "body": "晚上很黑。",
            "category": "safety",
            "scope": {"kind": "community"},
            "submit": True,
        }
        reply = self.api("resident").post(f"/api/communities/{self.world.home}/issues", body)
        assert reply.status == 201, reply.json
        issue = reply.json
        for purpose in ("to report", "to moderate"):
            posted = self.api("secretary").post(
                f"/api/issues/{issue['id']}/comments", {"body": f"支部的意见，{purpose}"}
            )
            assert posted.status == 201, posted.json
            issue[purpose] = posted.json["id"]
        return issue

    def seen(self, issue: dict) -> dict:
        """The issue as the administrator sees it: every count, every comment."""
        return self.api("admin").get(f"/api/issues/{issue['id']}").json

    def comment_of(self, issue: dict, purpose: str) -> dict:
        return next(c for c in self.seen(issue)["comments"] if c["id"] == issue[purpose])

    def issue_count(self) -> int:
        listed = self.api("admin").get(f"/api/communities/{self.world.home}/issues?per_page=100")
        return listed.json["total"]


def proposal(world, scope: str) -> tuple[dict, dict]:
    """The same proposal as the API takes it and as the new-issue form posts it."""
    kind, ids = ("community", []) if scope == "community" else ("buildings", [world.second])
    rest = {
        "title": "门禁坏了",
        "body": "大门的门禁坏了一周。",
        "category": "safety",
        "scope": {"kind": kind, "ids": ids},
        "submit": True,
    }
    page = {"title": rest["title"], "body": rest["body"], "category": "safety",
            "scope_kind": kind, "buildings": [str(i) for i in ids], "publish": "y"}  # fmt: skip
    return rest, page


@pytest.mark.parametrize("username", ROLES)
def test_the_api_and_the_pages_answer_each_role_alike(app, world, username):
    things = World(app, world)
    rest_issue, page_issue = things.issue(), things.issue()
    api = things.api(username)
    page = Page(app, username)
    published = api.get(f"/api/issues/{rest_issue['id']}")
    issue_permissions = published.json["permissions"] if published.status == 200 else {}
    listed = api.get(f"/api/communities/{world.home}/issues")
    community_permissions = listed.json["permissions"] if listed.status == 200 else {}
    answers: dict[str, tuple[bool, bool, bool]] = {}  # question: (REST, page, published)

    for scope in ("community", "building"):
        rest_body, page_body = proposal(world, scope)
        before = things.issue_count()
        api.post(f"/api/communities/{world.home}/issues", rest_body)
        by_rest = things.issue_count() > before
        before = things.issue_count()
        page.post(f"/communities/{world.home}/issues/new", page_body)
        by_page = things.issue_count() > before
        foretold = community_permissions.get("propose_community_wide", False) or (
            scope == "building"
            and community_permissions.get("propose_issue", False)
            and world.second in (community_permissions.get("proposal_buildings") or [world.second])
        )
        answers[f"propose for the {scope}"] = (by_rest, by_page, foretold)

    def asked(question: str, effect, rest_act, page_act, foretold: bool) -> None:
        before = effect(rest_issue)
        rest_act(rest_issue)
        by_rest = effect(rest_issue) != before
        before = effect(page_issue)
        page_act(page_issue)
        by_page = effect(page_issue) != before
        answers[question] = (by_rest, by_page, foretold)

    report_permissions = {}
    if published.status == 200:
        own = next(c for c in published.json["comments"] if c["id"] == rest_issue["to report"])
        report_permissions = own["permissions"]

    asked(
        "support",
        lambda issue: things.seen(issue)["support_count"],
        lambda issue: api.post(f"/api/issues/{issue['id']}/support"),
        lambda issue: page.post(
            f"/issues/{issue['id']}/support", {}, page=f"/issues/{issue['id']}"
        ),
        issue_permissions.get("support", False),
    )
    asked(
        "comment",
        lambda issue: things.seen(issue)["comment_count"],
        lambda issue: api.post(f"/api/issues/{issue['id']}/comments", {"body": "说两句"}),
        lambda issue: page.post(
            f"/issues/{issue['id']}/comments", {"body": "说两句", "stance": "neutral"}
        ),
        issue_permissions.get("comment", False),
    )
    asked(
        "report",
        lambda issue: things.comment_of(issue, "to report")["report_count"],
        lambda issue: api.post(f"/api/comments/{issue['to report']}/reports", {"reason": "跑题"}),
        lambda issue: page.post(f"/comments/{issue['to report']}/report", {"reason": "跑题"}),
        report_permissions.get("report", False),
    )
    asked(
        "moderate",
        lambda issue: things.comment_of(issue, "to moderate")["visibility"],
        lambda issue: api.post(
            f"/api/comments/{issue['to moderate']}/moderation", {"action": "hide", "reason": "不妥"}
        ),
        lambda issue: page.post(
            f"/comments/{issue['to moderate']}/moderate", {"action": "hide", "reason": "不妥"}
        ),
        issue_permissions.get("moderate", False),
    )
    for step in ("withdraw", "reject"):  # the proposer's step, and the council's
        asked(
            f"transition {step}",
            lambda issue: things.seen(issue)["state"],
            lambda issue, step=step: api.post(
                f"/api/issues/{issue['id']}/transitions", {"transition": step, "reason": "理由"}
            ),
            lambda issue, step=step: page.post(
                f"/issues/{issue['id']}/transition", {"transition": step, "reason": "理由"}
            ),
            step in issue_permissions.get("transitions", ()),
        )

    disagreements = {
        question: dict(zip(("rest", "page", "published"), answer, strict=True))
        for question, answer in answers.items()
        if len(set(answer)) > 1
    }
    assert disagreements == {}, f"{username}: {disagreements}"
