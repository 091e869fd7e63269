"""Two neighbours on one issue, each on their phone: what one writes, the other sees at once.

Both stay on the page the whole time (a marker set on `window` would vanish with a reload),
and the thread, the stance counts and the viewer count change in place.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hall.community.accounts import actor_for
from hall.community.models import Account
from hall.extensions import db
from hall.issues import service
from hall.issues.models import ScopeKind
from tests.browser.conftest import PHONE, artifact, log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_a_comment_reaches_the_neighbour_without_a_reload(app, world, live_server, neighbours):
    resident, coowner = neighbours
    issue_id = _propose(app, world, "resident", "1单元楼道灯不亮")
    for page, username in ((resident, "resident"), (coowner, "coowner")):
        log_in(page, live_server, username)
        page.goto(f"{live_server}/issues/{issue_id}")
        page.wait_for_selector('body[data-room-joined="true"]')
        page.evaluate("window.stillTheSamePage = true")

    for page in neighbours:
        page.wait_for_selector('#viewer-count[data-count="2"]')
        assert page.locator("#viewer-count").inner_text() == "2 人正在看这个议题"

    coowner.get_by_label("你的评论", exact=True).fill("我**赞成**，晚上太黑了")
    coowner.get_by_label("赞成").check()
    coowner.get_by_role("button", name="发表评论").click()

    comment = resident.locator("#thread > li.comment").first
    comment.wait_for()
    assert "我赞成，晚上太黑了" in comment.inner_text()
    assert comment.locator("strong").inner_text() == "赞成"  # the Markdown, rendered
    resident.wait_for_function("document.getElementById('stance-count-for').textContent === '1'")
    resident.wait_for_function(
        "document.getElementById('thread-announcer').textContent.includes('coowner')"
    )
    assert resident.locator("#comment-count").inner_text() == "1"
    # The proposer hears of the comment in the header too.
    resident.wait_for_selector('#notification-badge[data-unread="1"]:not([hidden])')
    # The author's own page shows it too, once, and the form is empty again.
    coowner.wait_for_selector("#thread > li.comment")
    assert coowner.locator("#thread > li.comment").count() == 1
    assert coowner.get_by_label("你的评论", exact=True).input_value() == ""

    # A reply goes under its parent, on both pages.
    comment.get_by_role("link", name="回复 coowner").click()
    reply_box = resident.get_by_label("你对 coowner 的回复")
    expect_focused(resident, reply_box)
    reply_box.fill("物业说明天来修")
    resident.get_by_role("button", name="发表回复").click()
    for page in neighbours:
        reply = page.locator("#thread > li.comment > ol.replies > li.comment")
        reply.wait_for()
        assert "物业说明天来修" in reply.inner_text()

    for page in neighbours:
        assert page.evaluate("window.stillTheSamePage") is True
    resident.screenshot(path=artifact("issue-live-phone.png"), full_page=True)


def test_the_comment_form_is_reached_and_sent_with_the_keyboard_alone(
    app, world, live_server, neighbours
):
    resident, coowner = neighbours
    issue_id = _propose(app, world, "coowner", "楼道堆放杂物")
    for page, username in ((resident, "resident"), (coowner, "coowner")):
        log_in(page, live_server, username)
        page.goto(f"{live_server}/issues/{issue_id}")
        page.wait_for_selector('body[data-room-joined="true"]')

    # From the top of the page: Tab to the link that skips to the form, follow it with Enter,
    # then Tab into the text box.
    resident.locator("body").focus()
    _tab_until(resident, "document.activeElement.textContent.trim() === '跳到发表评论'")
    resident.keyboard.press("Enter")
    _tab_until(resident, "document.activeElement.id === 'body'")
    # The focus ring is visible: the stylesheet draws an outline on :focus-visible.
    outline = resident.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    resident.keyboard.type("键盘也能发表评论")
    _tab_until(resident, "document.activeElement.type === 'submit'")
    resident.keyboard.press("Enter")

    arrived = coowner.locator("#thread > li.comment")
    arrived.wait_for()
    assert "键盘也能发表评论" in arrived.inner_text()
    resident.wait_for_function(
        "document.querySelector('#comment-form [data-role=\"form-status\"]').textContent"
        ".includes('已发表')"
    )


def test_the_list_shows_a_new_issue_and_new_supports_as_they_come(app, world, live_server, phone):
    first = _propose(app, world, "coowner", "楼道堆放杂物")
    log_in(phone, live_server, "resident")
    phone.goto(f"{live_server}/communities/{world.home}/issues")
    phone.wait_for_selector('body[data-room-joined="true"]')
    phone.evaluate("window.stillTheSamePage = true")

    second = _propose(app, world, "coowner", "电动车充电桩不够")
    row = phone.locator(f"#issue-{second}")
    row.wait_for()
    assert "电动车充电桩不够" in row.inner_text() and "征集附议" in row.inner_text()
    assert row.get_by_role("link").get_attribute("href") == f"/issues/{second}"

    _support(app, first, "resident")
    phone.wait_for_function(
        f"document.querySelector('#issue-{first} [data-role=supports]').textContent === '1'"
    )
    assert phone.evaluate("window.stillTheSamePage") is True


def test_the_support_button_counts_without_a_reload(app, world, live_server, phone):
    """The script sends the support to the API and changes the box in place: the count, the
    button and what it says. (It once posted to "/issues/[object HTMLInputElement]" and fell
    back to a full reload without anyone noticing.)"""
    issue_id = _propose(app, world, "coowner", "楼道灯坏了")
    log_in(phone, live_server, "resident")
    phone.goto(f"{live_server}/issues/{issue_id}")
    phone.wait_for_selector('body[data-room-joined="true"]')
    phone.evaluate("window.stillTheSamePage = true")
    calls = []
    phone.on("request", lambda request: calls.append((request.method, request.url)))

    phone.get_by_role("button", name="我要附议").click()
    phone.wait_for_function("document.getElementById('support-count').textContent === '1'")
    button = phone.locator("#support-form button")
    button.filter(has_text="取消附议").wait_for()
    assert phone.locator("#support-status").inner_text().endswith("你已附议这个议题。")
    assert ("POST", f"{live_server}/api/issues/{issue_id}/support") in calls

    button.click()
    phone.wait_for_function("document.getElementById('support-count').textContent === '0'")
    button.filter(has_text="我要附议").wait_for()
    assert ("DELETE", f"{live_server}/api/issues/{issue_id}/support") in calls
    page_form = f"{live_server}/issues/{issue_id}/support"
    assert not [url for _, url in calls if "object" in url or url == page_form]
    assert phone.evaluate("window.stillTheSamePage") is True


def test_a_refused_comment_is_explained_beside_the_field_as_the_api_words_it(
    app, world, live_server, phone
):
    """The API answers in the page's language: its message goes beside the text box, and the
    page stays as it is (no second post through the page form)."""
    issue_id = _propose(app, world, "coowner", "楼道堆放杂物")
    log_in(phone, live_server, "resident")
    phone.goto(f"{live_server}/issues/{issue_id}")
    phone.wait_for_selector('body[data-room-joined="true"]')
    phone.evaluate("window.stillTheSamePage = true")
    _withdraw(app, issue_id, "coowner")  # the thread closes while the resident writes

    phone.get_by_label("你的评论", exact=True).fill("楼道里的纸箱该清走了")
    phone.get_by_role("button", name="发表评论").click()
    status = phone.locator('#comment-form [data-role="form-status"]')
    phone.wait_for_function(
        "document.querySelector('#comment-form [data-role=\"form-status\"]').textContent"
        ".includes('讨论')"
    )
    assert "closed" not in status.inner_text()
    assert phone.evaluate("window.stillTheSamePage") is True


def expect_focused(page, locator) -> None:
    handle = locator.element_handle()
    page.wait_for_function("element => document.activeElement === element", arg=handle)


def _tab_until(page, condition: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(condition):
            return
    raise AssertionError(f"{condition} never held within {limit} presses of Tab")


def _withdraw(app, issue_id: int, username: str) -> None:
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.username == username))
        service.transition(actor_for(account), issue_id, "withdraw")
        db.session.remove()


def _support(app, issue_id: int, username: str) -> None:
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.username == username))
        service.support(actor_for(account), issue_id)
        db.session.remove()


def _propose(app, world, username: str, title: str) -> int:
    """An issue of stairwell 1栋 1单元, where both neighbours live, open for comments."""
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.username == username))
        issue = service.create_issue(
            actor_for(account),
            world.home,
            title=title,
            body="已经一周了，晚上回家看不见台阶。",
            category="safety",
            scope_kind=ScopeKind.STAIRWELLS,
            scope_ids=[world.stair_1_1],
            submit=True,
        )
        issue_id = issue.id
        db.session.remove()
    return issue_id


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_issue_pages_fit_a_phone_screen_without_sideways_scrolling(
    app, world, live_server, chromium, locale
):
    """English labels are longer than Chinese ones; neither may push a page wider than 390px."""
    issue_id = _propose(app, world, "coowner", "楼道灯坏了")
    context = chromium.new_context(viewport=PHONE, locale=locale)
    try:
        page = context.new_page()
        _log_in_any_language(page, live_server, "coowner")
        paths = [
            f"/communities/{world.home}/issues",
            f"/communities/{world.home}/issues/new",
            f"/issues/{issue_id}",
            "/notifications",
        ]
        for path in paths:
            page.goto(live_server + path)
            widths = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert widths[0] <= widths[1], (path, widths)
    finally:
        context.close()


def _log_in_any_language(page, live_server: str, username: str) -> None:
    page.goto(live_server + "/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
