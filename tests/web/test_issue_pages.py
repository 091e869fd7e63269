"""The issue pages: the list, proposing, an issue with its thread, moderation, notifications.

Each page is fetched as the people who may see it and as those who may not; each form is
posted as a browser would post it, CSRF token and all.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from PIL import Image
from sqlalchemy import event, insert, select

from hall.community.accounts import actor_for
from hall.community.models import Account
from hall.extensions import db
from hall.issues import labels, presenters, refusals, service, threads
from hall.issues.lifecycle import Name, State
from hall.issues.models import DEFAULT_CATEGORIES, Comment, Issue, ScopeKind, Stance, Visibility
from hall.text import said
from hall.types import utcnow
from hall.web import hooks
from tests.web.conftest import csrf_token_of, logged_in, post_form


def _actor(username: str):
    account = db.session.scalar(select(Account).where(Account.username == username))
    return actor_for(account)


def _issue(
    app,
    world,
    *,
    by: str = "resident",
    title: str = "3栋电梯经常停运",
    submit: bool = True,
    scope_kind: ScopeKind = ScopeKind.COMMUNITY,
    scope_ids: tuple[int, ...] = (),
) -> int:
    with app.app_context():
        issue = service.create_issue(
            _actor(by),
            world.home,
            title=title,
            body="电梯**每周**都要停几次。",
            category="elevator",
            scope_kind=scope_kind,
            scope_ids=list(scope_ids),
            submit=submit,
        )
        issue_id = issue.id
        db.session.remove()
    return issue_id


def _comment(app, issue_id: int, by: str, body: str, **options) -> int:
    with app.app_context():
        comment = threads.post_comment(_actor(by), issue_id, body=body, **options)
        comment_id = comment.id
        db.session.remove()
    return comment_id


def _configure(app, world, **changes) -> None:
    with app.app_context():
        service.configure(_actor("chair"), world.home, changes)
        db.session.remove()


def _get(app, model, ident):
    with app.app_context():
        row = db.session.get(model, ident)
        db.session.expunge_all()
        return row


def _another_browser(app):
    """A second person at another browser, reading English like `english`."""
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return browser


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


# Words -----------------------------------------------------------------------------------------


def test_every_state_stance_scope_and_step_has_its_words():
    assert set(labels.ISSUE_STATE_NAMES) == set(State)
    assert set(labels.STANCE_NAMES) == set(Stance)
    assert set(labels.SCOPE_KIND_NAMES) == set(ScopeKind)
    assert set(labels.TRANSITION_NAMES) == set(Name)
    assert set(labels.OFFICIAL_ROLE_NAMES) == {badge for _, badge in threads.OFFICIAL_ROLES}
    assert set(labels.CATEGORY_NAMES) == set(DEFAULT_CATEGORIES)


def test_a_reason_hall_gave_is_rendered_in_the_pages_language_and_a_persons_as_written(app):
    entries = [
        {"at": utcnow(), "transition": "close", "to": "closed", "actor": None,
         "reason": None, "said_reason": said("issue_state_closed")},
        {"at": utcnow(), "transition": "reject", "to": "rejected", "actor": "chair",
         "reason": "重复了", "said_reason": None},
    ]  # fmt: skip
    with app.test_request_context(), force_locale("zh_CN"):
        hall_gave, written = presenters.timeline(entries)
        assert hall_gave.reason == gettext("Closed") != "Closed"
        assert hall_gave.step == gettext("Close the issue") and hall_gave.state == gettext("Closed")
        assert written.reason == "重复了"


# The list ---------------------------------------------------------------------------------------


def test_the_list_shows_issues_with_their_counts_and_links_to_propose(app, english, world):
    issue_id = _issue(app, world)
    _comment(app, issue_id, "coowner", "同意")
    html = logged_in(english, "resident").get(f"/communities/{world.home}/issues").text
    assert f'href="/issues/{issue_id}"' in html
    assert "3栋电梯经常停运" in html
    assert "Collecting supports" in html and "Elevator" in html
    assert re.search(r'data-role="comments">1<', html)
    assert f'href="/communities/{world.home}/issues/new"' in html
    assert f'data-room="community:{world.home}"' in html
    assert "1 issue" in html


def test_the_list_is_in_chinese_by_default(app, client, world):
    _issue(app, world)
    html = logged_in(client, "resident").get(f"/communities/{world.home}/issues").text
    assert "征集附议" in html and "电梯" in html


def test_the_list_filters_by_state_category_building_mine_and_words(app, english, world):
    mine = _issue(app, world, title="楼道灯坏了")
    theirs = _issue(app, world, by="coowner", title="停车位不够")
    second = _issue(
        app,
        world,
        title="2栋门禁",
        scope_kind=ScopeKind.BUILDINGS,
        scope_ids=(world.second,),
    )
    draft = _issue(app, world, by="coowner", title="草稿一篇", submit=False)
    client = logged_in(english, "resident")
    base = f"/communities/{world.home}/issues"

    def shown(query: str) -> set[int]:
        html = client.get(base + query).text
        return {int(n) for n in re.findall(r'data-issue-id="(\d+)"', html)} - {0}

    assert shown("") == {mine, theirs, second}  # someone else's draft is never listed
    assert shown("?mine=y") == {mine, second}
    assert shown("?q=停车") == {theirs}
    assert shown(f"?building={world.first}") == {mine, theirs}  # community-wide ones too
    assert shown(f"?building={world.second}") == {mine, theirs, second}
    assert shown("?state=draft") == set()
    assert shown("?category=safety") == set()
    assert shown("?category=elevator&state=collecting") == {mine, theirs, second}
    assert draft not in shown("?state=draft")
    assert "No issue matches these filters." in client.get(base + "?q=没有这个").text


def test_the_list_pages(app, english, world):
    for number in range(service.PAGE_SIZE + 2):
        _issue(app, world, title=f"议题{number}")
    client = logged_in(english, "resident")
    first = client.get(f"/communities/{world.home}/issues").text
    assert "page 1 of 2" in first
    assert f'href="/communities/{world.home}/issues?page=2"' in first
    second = client.get(f"/communities/{world.home}/issues?page=2&q=议题").text
    assert len(re.findall(r'data-issue-id="[1-9]', second)) == 2
    assert "Previous page" in second


@pytest.mark.parametrize("username", ["neighbour_resident", "far_officer", "outsider"])
def test_the_list_of_another_community_is_not_found(english, world, username):
    client = logged_in(english, username)
    assert client.get(f"/communities/{world.home}/issues").status_code == 404


def test_the_community_page_links_its_issues(english, world):
    html = logged_in(english, "resident").get(f"/communities/{world.home}").text
    assert f'href="/communities/{world.home}/issues"' in html


def test_the_home_page_links_each_communitys_issues(english, world):
    html = logged_in(english, "officer").get("/").text
    assert f'href="/communities/{world.home}/issues"' in html
    assert f'href="/communities/{world.neighbour}/issues"' in html


# Proposing --------------------------------------------------------------------------------------


def test_the_new_issue_form_offers_categories_scopes_and_photos(english, world):
    html = logged_in(english, "resident").get(f"/communities/{world.home}/issues/new").text
    assert "Markdown" in html
    assert '<option value="parking">Parking and charging</option>' in html
    assert f'name="buildings" value="{world.first}"' in html
    assert f'name="stairwells" value="{world.stair_1_1}"' in html
    assert f'name="units" value="{world.unit_301}"' in html
    assert 'accept="image/jpeg,image/png,image/webp"' in html and "multiple" in html
    assert "Save as a draft" in html and "Publish now" in html


def test_a_resident_publishes_an_issue_with_a_photo(app, english, world):
    client = logged_in(english, "resident")
    response = post_form(
        client,
        f"/communities/{world.home}/issues/new",
        {
            "title": "1单元楼道灯不亮",
            "body": "已经**一周**了",
            "category": "safety",
            "scope_kind": "stairwells",
            "stairwells": [str(world.stair_1_1)],
            "photos": [(io.BytesIO(_png()), "light.png"), (io.BytesIO(b"not a photo"), "x.png")],
            "publish": "y",
        },
        page=f"/communities/{world.home}/issues/new",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    page = client.get(response.headers["Location"])
    html = page.text
    assert '<h1 id="issue-title">1单元楼道灯不亮</h1>' in html
    assert "<strong>一周</strong>" in html  # Markdown, rendered and marked safe
    assert "Collecting supports" in html and "1栋 1单元" in html
    assert "The photo x.png was not added: The file is not an image." in html
    photo = re.search(r'<img src="(/issues/\d+/photos/\d+)"', html)
    assert photo
    image = client.get(photo.group(1))
    assert image.status_code == 200 and image.mimetype == "image/png"


def test_a_draft_is_seen_by_its_proposer_alone(app, english, world):
    client = logged_in(english, "resident")
    response = post_form(
        client,
        f"/communities/{world.home}/issues/new",
        {"title": "草稿", "body": "内容", "category": "other", "scope_kind": "community",
         "save_draft": "y"},
        page=f"/communities/{world.home}/issues/new",
    )  # fmt: skip
    assert response.status_code == 302
    location = response.headers["Location"]
    html = client.get(location).text
    assert "Draft" in html and "Publish the issue" in html
    other = logged_in(_another_browser(app), "coowner")
    assert other.get(location).status_code == 404


def test_a_refused_issue_shows_each_error_beside_its_field(english, world):
    client = logged_in(english, "resident")
    response = post_form(
        client,
        f"/communities/{world.home}/issues/new",
        {"title": "", "body": "内容", "category": "elevator", "scope_kind": "community",
         "publish": "y"},
        page=f"/communities/{world.home}/issues/new",
    )  # fmt: skip
    assert response.status_code == 422
    assert 'id="title-error"' in response.text
    assert "Give the issue a title." in response.text
    response = post_form(
        client,
        f"/communities/{world.home}/issues/new",
        {"title": "标题", "body": "内容", "category": "elevator", "scope_kind": "units",
         "publish": "y"},
        page=f"/communities/{world.home}/issues/new",
    )  # fmt: skip
    assert response.status_code == 422
    assert 'id="scope-error"' in response.text
    assert "Choose at least one building, stairwell or unit the issue concerns." in response.text


def test_a_refused_issue_is_explained_in_chinese(client, world):
    client = logged_in(client, "resident")
    response = post_form(
        client,
        f"/communities/{world.home}/issues/new",
        {"title": "标题", "body": "内容", "category": "nonsense", "scope_kind": "community",
         "publish": "y"},
        page=f"/communities/{world.home}/issues/new",
    )  # fmt: skip
    assert response.status_code == 422
    assert 'id="category-error"' in response.text
    assert "不是本小区的议题类别" in response.text


def test_someone_without_a_role_here_cannot_propose(english, world):
    client = logged_in(english, "neighbour_resident")
    assert client.get(f"/communities/{world.home}/issues/new").status_code == 404


def test_a_resident_of_one_building_proposes_for_it_as_the_api_allows(app, english, api, world):
    # Their role reaches one building: the page offers what the API takes, that building.
    client = logged_in(english, "second_owner")
    html = client.get(f"/communities/{world.home}/issues").text
    assert f'href="/communities/{world.home}/issues/new"' in html
    form = client.get(f"/communities/{world.home}/issues/new")
    assert form.status_code == 200
    assert 'value="community"' not in form.text  # not for the whole community
    assert f'name="buildings" value="{world.second}"' in form.text
    assert f'name="buildings" value="{world.first}"' not in form.text

    def propose(scope_kind: str, buildings: list[int]):
        data = {
            "title": "2栋楼道灯坏了",
            "body": "晚上很黑。",
            "category": "facilities",
            "scope_kind": scope_kind,
            "buildings": [str(b) for b in buildings],
            "publish": "y",
        }
        path = f"/communities/{world.home}/issues/new"
        return post_form(client, path, data, page=path)

    beyond = propose("buildings", [world.first])
    assert beyond.status_code == 422
    assert 'id="scope-error"' in beyond.text
    assert "propose issues that concern it alone" in beyond.text
    assert propose("buildings", [world.second]).status_code == 302
    # The API answers the same questions the same way.
    resident = api.as_user("second_owner")
    answer = resident.get(f"/api/communities/{world.home}/issues").json["permissions"]
    assert answer["propose_issue"] is True and answer["propose_community_wide"] is False
    assert answer["proposal_buildings"] == [world.second]


# One issue -------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["resident", "coowner", "chair", "officer", "manager"])
def test_the_issue_page_renders_for_everyone_of_the_community(app, english, world, username):
    issue_id = _issue(app, world)
    response = logged_in(english, username).get(f"/issues/{issue_id}")
    assert response.status_code == 200
    assert f'data-room="issue:{issue_id}"' in response.text
    assert re.search(r'data-room-seq="\d+"', response.text)


@pytest.fixture
def later_stage():
    """Panels a later stage registers into the issue page's slots, for one test."""
    added = []

    def register(slot: str, render):
        hooks.panel(slot)(render)
        added.append((slot, render))

    yield register
    for slot, render in added:
        hooks._panels[slot].remove(render)


def test_the_issue_page_shows_what_later_stages_register_and_no_inline_script(
    app, english, world, later_stage
):
    issue_id = _issue(app, world)
    later_stage("issue.after_body", lambda issue, permissions, **_: f'<p id="later">#{issue.number}'
                f' {permissions.support}</p>')  # fmt: skip
    later_stage("issue.scripts", lambda **_: '<script src="/static/later.js"></script>')
    html = logged_in(english, "coowner").get(f"/issues/{issue_id}").text
    assert '<p id="later">#1 True</p>' in html
    assert html.index('id="later"') < html.index('id="support"')  # below the description
    assert html.index("issue.js") < html.index("/static/later.js")  # after the page's own
    # What a Content-Security-Policy without 'unsafe-inline' allows: script files and data.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html)


@pytest.mark.parametrize("username", ["neighbour_resident", "far_officer", "outsider"])
def test_the_issue_page_is_not_found_elsewhere(app, english, world, username):
    issue_id = _issue(app, world)
    assert logged_in(english, username).get(f"/issues/{issue_id}").status_code == 404


def test_the_issue_page_needs_a_login(app, client, world):
    issue_id = _issue(app, world)
    response = client.get(f"/issues/{issue_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_resident_comments_and_replies_three_deep(app, english, world):
    issue_id = _issue(app, world)
    client = logged_in(english, "coowner")
    response = post_form(
        client,
        f"/issues/{issue_id}/comments",
        {"body": "我**赞成**", "stance": "for"},
        page=f"/issues/{issue_id}",
    )
    assert response.status_code == 302
    top = int(re.search(r"#comment-(\d+)$", response.headers["Location"]).group(1))
    parent = top
    for depth in (2, 3):
        response = post_form(
            client,
            f"/issues/{issue_id}/comments",
            {"body": f"第{depth}层", "parent_id": str(parent)},
            page=f"/issues/{issue_id}",
        )
        assert response.status_code == 302, response.text
        parent = int(re.search(r"#comment-(\d+)$", response.headers["Location"]).group(1))
    html = client.get(f"/issues/{issue_id}").text
    assert "<strong>赞成</strong>" in html
    assert re.search(r'id="stance-count-for">1<', html)
    deepest = html[html.index(f'id="comment-{parent}"') :]
    deepest = deepest[: deepest.index("</article>")]
    assert 'data-action="reply"' not in deepest  # depth 3: no reply button
    top_card = html[html.index(f'id="comment-{top}"') :]
    assert 'data-action="reply"' in top_card[: top_card.index("</article>")]
    assert 'class="replies"' in html


def test_the_reply_link_opens_a_reply_form_without_javascript(app, english, world):
    issue_id = _issue(app, world)
    comment_id = _comment(app, issue_id, "resident", "第一条")
    html = logged_in(english, "coowner").get(f"/issues/{issue_id}?reply_to={comment_id}").text
    assert f'id="reply-form-{comment_id}"' in html
    assert f'name="parent_id" value="{comment_id}"' in html


def test_an_empty_comment_shows_the_error_beside_the_field(app, english, world):
    issue_id = _issue(app, world)
    client = logged_in(english, "coowner")
    response = post_form(
        client, f"/issues/{issue_id}/comments", {"body": "  "}, page=f"/issues/{issue_id}"
    )
    assert response.status_code == 422
    assert 'id="body-error"' in response.text and "Write something first." in response.text
    assert 'aria-invalid="true"' in response.text


def test_an_empty_reply_shows_the_error_under_its_parent(app, english, world):
    issue_id = _issue(app, world)
    comment_id = _comment(app, issue_id, "resident", "第一条")
    client = logged_in(english, "coowner")
    response = post_form(
        client,
        f"/issues/{issue_id}/comments",
        {"body": "", "parent_id": str(comment_id)},
        page=f"/issues/{issue_id}",
    )
    assert response.status_code == 422
    assert f'id="reply-body-{comment_id}-error"' in response.text
    assert "Write something first." in response.text


def test_a_resident_outside_the_scope_cannot_comment(app, english, world):
    issue_id = _issue(
        app, world, scope_kind=ScopeKind.BUILDINGS, scope_ids=(world.first,), by="resident"
    )
    client = logged_in(english, "second_owner")
    html = client.get(f"/issues/{issue_id}").text
    assert 'id="comment-form"' not in html
    assert "Only residents of the issue's scope" in html
    response = post_form(
        client, f"/issues/{issue_id}/comments", {"body": "我也说两句"}, page=f"/issues/{issue_id}"
    )
    assert response.status_code == 403


def test_an_official_reply_carries_the_badge(app, english, world):
    issue_id = _issue(app, world)
    client = logged_in(english, "secretary")
    assert 'name="official"' in client.get(f"/issues/{issue_id}").text
    response = post_form(
        client,
        f"/issues/{issue_id}/comments",
        {"body": "支部会跟进", "official": "y"},
        page=f"/issues/{issue_id}",
    )
    assert response.status_code == 302
    assert "Official reply: Party branch" in client.get(f"/issues/{issue_id}").text
    resident = logged_in(_another_browser(app), "coowner")
    assert 'name="official"' not in resident.get(f"/issues/{issue_id}").text


def test_supporting_and_withdrawing(app, english, world):
    issue_id = _issue(app, world)
    client = logged_in(english, "coowner")
    html = client.get(f"/issues/{issue_id}").text
    assert "Support this issue" in html
    response = post_form(
        client, f"/issues/{issue_id}/support", {"change": "support"}, page=f"/issues/{issue_id}"
    )
    assert response.status_code == 302
    html = client.get(f"/issues/{issue_id}").text
    assert 'id="support-count">1<' in html and "Withdraw my support" in html
    again = post_form(
        client, f"/issues/{issue_id}/support", {"change": "support"}, page=f"/issues/{issue_id}"
    )
    assert again.status_code == 302
    assert "You already support this issue." in client.get(f"/issues/{issue_id}").text
    withdrawn = post_form(
        client, f"/issues/{issue_id}/support", {"change": "withdraw"}, page=f"/issues/{issue_id}"
    )
    assert withdrawn.status_code == 302
    html = client.get(f"/issues/{issue_id}").text
    assert 'id="support-count">0<' in html and "You no longer support this issue." in html


def test_the_page_script_supports_through_the_api_with_the_pages_session(app, english, world):
    """The support form names the API's support resource, which the page script calls with
    the session and the page's CSRF token; the answer carries what the reader may do next."""
    issue_id = _issue(app, world)
    client = logged_in(english, "coowner")
    html = client.get(f"/issues/{issue_id}").text
    assert f'data-api-url="/api/issues/{issue_id}/support"' in html
    assert 'name="action"' not in html[html.index('id="support-form"') :].split("</form>")[0]
    headers = {"X-CSRFToken": csrf_token_of(html), "Accept-Language": "zh-CN"}
    supported = client.post(f"/api/issues/{issue_id}/support", headers=headers)
    assert supported.status_code == 200, supported.json
    assert supported.json["support_count"] == 1
    assert supported.json["permissions"]["withdraw_support"] is True
    again = client.post(f"/api/issues/{issue_id}/support", headers=headers)
    assert again.status_code == 409 and again.json["error"] == "already_supported"
    assert again.json["message"] == "你已经附议过这个议题了。"
    withdrawn = client.delete(f"/api/issues/{issue_id}/support", headers=headers)
    assert withdrawn.status_code == 200
    assert withdrawn.json["support_count"] == 0 and withdrawn.json["permissions"]["support"]


def test_the_council_accepts_rejects_and_merges_with_reasons(app, english, world):
    _configure(app, world, support_threshold=1, advance="council")
    first = _issue(app, world, title="第一件")
    second = _issue(app, world, title="第二件")
    client = logged_in(english, "chair")
    html = client.get(f"/issues/{first}").text
    assert 'id="transition-accept"' in html and 'id="transition-reject"' in html
    refused = post_form(
        client, f"/issues/{first}/transition", {"transition": "accept"}, page=f"/issues/{first}"
    )
    assert refused.status_code == 422
    assert "The issue has not yet gathered enough supports." in refused.text
    no_reason = post_form(
        client, f"/issues/{first}/transition", {"transition": "reject"}, page=f"/issues/{first}"
    )
    assert no_reason.status_code == 422
    assert 'id="reason-reject-error"' in no_reason.text and "Give a reason." in no_reason.text
    bad_target = post_form(
        client,
        f"/issues/{second}/transition",
        {"transition": "merge", "merge_number": "99"},
        page=f"/issues/{second}",
    )
    assert bad_target.status_code == 422
    assert 'id="merge-number-merge-error"' in bad_target.text
    number = _get(app, Issue, first).number
    merged = post_form(
        client,
        f"/issues/{second}/transition",
        {"transition": "merge", "merge_number": str(number)},
        page=f"/issues/{second}",
    )
    assert merged.status_code == 302
    html = client.get(f"/issues/{second}").text
    assert "The issue is now: Merged" in html
    assert "Merge into another issue" in html  # in the timeline
    post_form(client, f"/issues/{first}/support", {"change": "support"}, page=f"/issues/{first}")
    accepted = post_form(
        logged_in(_another_browser(app), "coowner"),
        f"/issues/{first}/support",
        {"change": "support"},
        page=f"/issues/{first}",
    )
    assert accepted.status_code == 302
    moved = post_form(
        client, f"/issues/{first}/transition", {"transition": "accept"}, page=f"/issues/{first}"
    )
    assert moved.status_code == 302
    assert _get(app, Issue, first).state is State.DELIBERATION


def test_a_transition_from_the_wrong_state_is_explained(app, client, world):
    issue_id = _issue(app, world)
    client = logged_in(client, "chair")
    response = post_form(
        client,
        f"/issues/{issue_id}/transition",
        {"transition": "open_judgment"},
        page=f"/issues/{issue_id}",
    )
    assert response.status_code == 422
    assert "议题在目前的阶段不能这样推进。" in response.text


def test_a_reply_to_a_hidden_comment_is_refused_above_the_thread(app, english, world):
    issue_id = _issue(app, world)
    comment_id = _comment(app, issue_id, "coowner", "要被隐藏的话")
    with app.app_context():
        threads.moderate(_actor("chair"), comment_id, action="hide", reason="广告")
        db.session.remove()
    client = logged_in(english, "resident")
    response = post_form(
        client,
        f"/issues/{issue_id}/comments",
        {"body": "回复", "parent_id": str(comment_id)},
        page=f"/issues/{issue_id}",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#comment-{comment_id}")
    html = client.get(response.headers["Location"]).text
    assert "This comment is not shown; reply to another." in html


def test_a_resident_is_not_offered_council_transitions(app, english, world):
    issue_id = _issue(app, world, by="coowner")
    client = logged_in(english, "resident")
    html = client.get(f"/issues/{issue_id}").text
    assert 'id="transitions"' not in html
    response = post_form(
        client,
        f"/issues/{issue_id}/transition",
        {"transition": "reject", "reason": "不行"},
        page=f"/issues/{issue_id}",
    )
    assert response.status_code == 403


def test_the_proposer_withdraws(app, english, world):
    issue_id = _issue(app, world)
    client = logged_in(english, "resident")
    response = post_form(
        client,
        f"/issues/{issue_id}/transition",
        {"transition": "withdraw"},
        page=f"/issues/{issue_id}",
    )
    assert response.status_code == 302
    html = client.get(f"/issues/{issue_id}").text
    assert "Withdrawn" in html and "The discussion of this issue is closed." in html


# Comments: edit, delete, report, moderate ------------------------------------------------------


def test_the_author_edits_and_the_history_is_linked(app, english, world):
    issue_id = _issue(app, world)
    comment_id = _comment(app, issue_id, "coowner", "原来的话")
    client = logged_in(english, "coowner")
    form = client.get(f"/comments/{comment_id}/edit")
    assert form.status_code == 200 and "原来的话" in form.text
    response = post_form(
        client,
        f"/comments/{comment_id}/edit",
        {"body": "改过的话", "stance": "against"},
        page=f"/comments/{comment_id}/edit",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#comment-{comment_id}")
    html = client.get(f"/issues/{issue_id}").text
    assert "改过的话" in html and f'href="/comments/{comment_id}/history"' in html
    assert re.search(r'id="stance-count-against">1<', html)
    history = client.get(f"/comments/{comment_id}/history").text
    assert "原来的话" in history and "改过的话" in history
    other = logged_in(_another_browser(app), "resident")
    assert other.get(f"/comments/{comment_id}/edit").status_code == 403


def test_an_empty_edit_names_the_field(app, english, world):
    issue_id = _issue(app, world)
    comment_id = _comment(app, issue_id, "coowner", "原来的话")
    client = logged_in(english, "coowner")
    response = post_form(
        client, f"/comments/{comment_id}/edit", {"body": ""}, page=f"/comments/{comment_id}/edit"
    )
    assert response.status_code == 422 and 'id="body-error"' in response.text


def test_the_author_deletes_and_a_tombstone_keeps_the_replies(app, english, world):
    issue_id = _issue(app, world)
    comment_id = _comment(app, issue_id, "coowner", "要删掉的话")
    reply_id = _comment(app, issue_id, "resident", "回复", parent_id=comment_id)
    client = logged_in(english, "coowner")
    assert "要删掉的话" in client.get(f"/comments/{comment_id}/delete").text
    response = post_form(
        client, f"/comments/{comment_id}/delete", {}, page=f"/comments/{comment_id}/delete"
    )
    assert response.status_code == 302
    html = client.get(f"/issues/{issue_id}").text
    assert "要删掉的话" not in html
    assert "This comment was deleted by its author." in html
    assert f'id="comment-{reply_id}"' in html
    other = logged_in(_another_browser(app), "resident")
    assert other.get(f"/comments/{reply_id}/delete").status_code == 200
    assert other.get(f"/comments/{comment_id}/delete").status_code == 403


def test_reports_hide_a_comment_until_a_moderator_decides(app, english, world):
    _configure(app, world, report_threshold=1)
    issue_id = _issue(app, world)
    comment_id = _comment(app, issue_id, "coowner", "不好听的话")
    reporter = logged_in(english, "resident")
    response = post_form(
        reporter,
        f"/comments/{comment_id}/report",
        {"reason": "骂人"},
        page=f"/comments/{comment_id}/report",
    )
    assert response.status_code == 302
    html = reporter.get(f"/issues/{issue_id}").text
    assert "Hidden while a moderator reviews the reports about it." in html
    assert "不好听的话" not in html

    moderator = logged_in(_another_browser(app), "chair")
    queue = moderator.get(f"/communities/{world.home}/moderation")
    assert queue.status_code == 200
    assert "骂人" in queue.text and "不好听的话" in queue.text
    refused = post_form(
        moderator,
        f"/comments/{comment_id}/moderate",
        {"action": "hide", "reason": ""},
        page=f"/comments/{comment_id}/moderate?action=hide",
    )
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text
    hidden = post_form(
        moderator,
        f"/comments/{comment_id}/moderate",
        {"action": "hide", "reason": "人身攻击", "next": f"/communities/{world.home}/moderation"},
        page=f"/communities/{world.home}/moderation",
    )
    assert hidden.status_code == 302
    assert hidden.headers["Location"] == f"/communities/{world.home}/moderation"
    assert "Nothing is waiting for a decision." in moderator.get(hidden.headers["Location"]).text
    html = reporter.get(f"/issues/{issue_id}").text
    assert "Hidden by a moderator: 人身攻击" in html
    restored = post_form(
        moderator,
        f"/comments/{comment_id}/moderate",
        {"action": "restore", "reason": "复核后恢复"},
        page=f"/comments/{comment_id}/moderate?action=restore",
    )
    assert restored.status_code == 302
    assert "不好听的话" in reporter.get(f"/issues/{issue_id}").text


def test_the_moderation_queue_of_another_community_is_not_found(english, world):
    client = logged_in(english, "chair")
    assert client.get(f"/communities/{world.neighbour}/moderation").status_code == 404


def test_hiding_a_hidden_comment_is_refused_in_chinese_on_a_chinese_page(app, client, world):
    """The refusal is the service's own (comment_already_hidden), said in the page's language,
    not the old "please check what you entered here" of a field that is not there."""
    issue_id = _issue(app, world)
    comment_id = _comment(app, issue_id, "coowner", "要被隐藏的话")
    moderator = logged_in(client, "chair")
    page = f"/comments/{comment_id}/moderate?action=hide"
    path = f"/comments/{comment_id}/moderate"
    first = post_form(moderator, path, {"action": "hide", "reason": "广告"}, page=page)
    assert first.status_code == 302
    again = post_form(
        moderator, path, {"action": "hide", "reason": "还是广告"}, page=f"/issues/{issue_id}"
    )
    assert again.status_code == 302
    html = moderator.get(again.headers["Location"]).text
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}), force_locale("zh_CN"):
        chinese = refusals.COMMENT_ALREADY_HIDDEN().render(gettext)
    assert re.search(r"[\u4e00-\u9fff]", chinese), chinese  # translated
    assert chinese in html
    assert "请检查这里填写的内容。" not in html
    assert "already hidden" not in html


def test_residents_may_not_moderate(app, english, world):
    issue_id = _issue(app, world)
    comment_id = _comment(app, issue_id, "coowner", "话")
    client = logged_in(english, "resident")
    assert client.get(f"/communities/{world.home}/moderation").status_code == 403
    assert client.get(f"/comments/{comment_id}/moderate").status_code == 403
    response = post_form(
        client,
        f"/comments/{comment_id}/moderate",
        {"action": "hide", "reason": "不喜欢"},
        page=f"/issues/{issue_id}",
    )
    assert response.status_code == 403


def test_comment_pages_of_another_community_are_not_found(app, english, world):
    issue_id = _issue(app, world)
    comment_id = _comment(app, issue_id, "coowner", "话")
    client = logged_in(english, "neighbour_resident")
    for action in ("edit", "delete", "report", "moderate", "history"):
        assert client.get(f"/comments/{comment_id}/{action}").status_code == 404


# Notifications ---------------------------------------------------------------------------------


def test_notifications_are_listed_counted_and_marked_read(app, english, world):
    issue_id = _issue(app, world)
    _comment(app, issue_id, "coowner", "我有意见")
    client = logged_in(english, "resident")
    html = client.get("/notifications").text
    assert "coowner commented on your issue" in html and "我有意见" in html
    assert re.search(r'id="notification-badge" data-unread="1"', html)
    assert 'data-account-room="account:' in html
    response = post_form(client, "/notifications/read", {}, page="/notifications")
    assert response.status_code == 302
    html = client.get("/notifications").text
    assert 'data-unread="0"' in html and "Mark all as read" not in html


def test_the_notifications_page_needs_a_login(client, world):
    assert client.get("/notifications").status_code == 302


# Queries ----------------------------------------------------------------------------------------


def _fill_thread(app, issue_id: int, count: int, world) -> None:
    """`count` comments in a few bulk inserts: replies down to depth 3, several authors, a
    few hidden or deleted."""
    with app.app_context():
        authors = list(
            db.session.scalars(
                select(Account.id).where(
                    Account.username.in_(["resident", "coowner", "chair", "secretary", "tenant"])
                )
            )
        )
        now = utcnow()
        per_level = {1: count - 2 * (count // 3), 2: count // 3, 3: count // 3}
        parents: list[int | None] = [None]
        made = 0
        for depth in (1, 2, 3):
            rows = []
            for index in range(per_level[depth]):
                visibility = Visibility.VISIBLE
                if index % 97 == 5:
                    visibility = Visibility.HIDDEN
                elif index % 89 == 7:
                    visibility = Visibility.DELETED
                rows.append(
                    {
                        "issue_id": issue_id,
                        "parent_id": parents[index % len(parents)],
                        "depth": depth,
                        "author_id": authors[index % len(authors)],
                        "stance": list(Stance)[index % 3] if depth == 1 else None,
                        "body": f"意见 {depth}-{index}",
                        "body_html": f"<p>意见 {depth}-{index}</p>",
                        "visibility": visibility,
                        "moderation_reason": "跑题" if visibility is Visibility.HIDDEN else None,
                        "report_count": 0,
                        "revision_count": 1 if index % 50 == 3 else 0,
                        "created_at": now + timedelta(seconds=made + index),
                        "edited_at": now if index % 50 == 3 else None,
                    }
                )
            made += len(rows)
            db.session.execute(insert(Comment), rows)
            parents = list(
                db.session.scalars(
                    select(Comment.id).where(
                        Comment.issue_id == issue_id,
                        Comment.depth == depth,
                        Comment.visibility == Visibility.VISIBLE,
                    )
                )
            )
        db.session.execute(
            Issue.__table__.update().where(Issue.id == issue_id).values(comment_count=count)
        )
        db.session.commit()
        db.session.remove()


def _statements_for(app, client, path: str) -> tuple[int, str]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), response.text


def test_an_issue_page_takes_as_many_queries_for_500_comments_as_for_5(app, english, world):
    small = _issue(app, world, title="小讨论")
    large = _issue(app, world, title="大讨论")
    _fill_thread(app, small, 5, world)
    _fill_thread(app, large, 500, world)
    client = logged_in(english, "resident")
    client.get(f"/issues/{small}")  # warm: the first page of a session loads a few things once
    few, _ = _statements_for(app, client, f"/issues/{small}")
    many, html = _statements_for(app, client, f"/issues/{large}")
    print(f"\nSQL statements for GET /issues/<id>: {few} with 5 comments, {many} with 500")
    assert html.count('class="comment comment-depth-') == 500
    assert html.count('class="comment comment-depth-3"') == 500 // 3
    assert "Hidden by a moderator: 跑题" in html
    assert "This comment was deleted by its author." in html
    assert few == many
