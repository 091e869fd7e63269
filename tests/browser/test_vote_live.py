"""Two owners of the 9栋 stairwell vote on their elevator, each on their phone: each sees what
their household pays under each plan, votes in two taps and keeps a receipt; the meter of the
one who voted first moves when the other votes, without a reload."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hall.extensions import db
from hall.voting import costshare, electorate, service
from hall.voting.models import Ballot, ElectorateUnit, Vote
from tests.browser.conftest import PHONE, artifact, log_in
from tests.browser.test_issue_live import _log_in_any_language
from tests.voting.factories import stairwell_of_owners
from tests.web.test_vote_pages import _issue, _owner, _vote

pytestmark = pytest.mark.browser


@pytest.fixture
def stairwell(app, world):
    with app.app_context():
        built = stairwell_of_owners(world.home)
        db.session.remove()
    return built


def _open_vote(app, world, stairwell) -> int:
    """The stairwell's elevator issue, in deliberation, with the two plans' vote open."""
    return _vote(app, _issue(app, world, stairwell))


def _yuan_of(app, vote_id: int, unit_id: int) -> dict[str, str]:
    """What the page should show for a unit under each plan: paid or received, in yuan."""
    with app.app_context():
        vote = db.session.get(Vote, vote_id)
        units = electorate.paying_units(vote)
        amounts = {
            option.label: next(
                s.amount for s in costshare.split(plan, units).shares if s.unit_id == unit_id
            )
            for option, plan in service.plans_of(vote)
        }
        db.session.remove()
    return {label: f"¥{abs(fen) // 100:,}.{abs(fen) % 100:02d}" for label, fen in amounts.items()}


def _receipt(app, vote_id: int, unit_id: int) -> str:
    with app.app_context():
        receipt = db.session.scalar(
            select(Ballot.receipt)
            .join(ElectorateUnit, ElectorateUnit.household_id == Ballot.household_id)
            .where(Ballot.vote_id == vote_id, ElectorateUnit.unit_id == unit_id)
        )
        db.session.remove()
    return receipt


def _vote_in_two_taps(page, plan: str) -> None:
    """Tap the plan, then its confirmation: the page that comes back holds the receipt."""
    page.get_by_role("button", name=re.compile(f"^{plan}")).click()
    confirm = page.get_by_role("button", name=f"确认：{plan}")
    confirm.wait_for()
    with page.expect_navigation():
        confirm.click()
    page.locator("#household-own [data-role=receipt]").wait_for()


def test_two_owners_vote_on_their_phones_and_the_meter_moves(
    app, world, stairwell, live_server, neighbours
):
    top, ground = neighbours
    errors: list[str] = []
    for page in neighbours:
        page.on("pageerror", lambda error: errors.append(str(error)))
    vote_id = _open_vote(app, world, stairwell)
    for page, room in ((top, "901"), (ground, "101")):
        log_in(page, live_server, _owner(stairwell, room))
        page.goto(f"{live_server}/votes/{vote_id}")
        page.wait_for_selector('body[data-room-joined="true"]')

    # The top floor pays under both plans; the ground floor is paid under the floor plan.
    expected = _yuan_of(app, vote_id, stairwell.units["901"])
    shares = top.locator("#household-own .share")
    assert shares.count() == 2
    for index, plan in enumerate(("按面积分摊", "按楼层系数")):
        share = shares.nth(index)
        assert share.locator(".share-plan").inner_text() == plan
        assert share.locator(".share-amount").inner_text() == expected[plan]
        assert "你家需付" in share.inner_text()
    font_size = top.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.share-amount')).fontSize)"
    )
    assert font_size >= 36  # large type: twice the body's already large 20px, near enough
    ground_share = ground.locator("#household-own .share").nth(1)
    assert "你家可得补偿" in ground_share.inner_text()
    assert ground_share.locator(".share-amount").inner_text() == "¥2,000.00"

    _vote_in_two_taps(top, "按楼层系数")
    receipt = _receipt(app, vote_id, stairwell.units["901"])
    assert re.fullmatch(r"[0-9a-f]{64}", receipt)
    hash_element = top.locator("#household-own .receipt-hash")
    assert hash_element.get_attribute("data-receipt") == receipt
    assert hash_element.locator("span").count() == 16  # read in groups of four
    assert top.locator("[data-role=ballot-choice]").inner_text() == "按楼层系数"
    top.wait_for_selector('body[data-room-joined="true"]')
    assert top.locator("#participants [data-role=voted]").inner_text() == "1"
    top.evaluate("window.stillTheSamePage = true")

    _vote_in_two_taps(ground, "按面积分摊")
    assert ground.locator("#participants [data-role=voted]").inner_text() == "2"

    # The first owner's meter moves by itself: 2 of 18 owners is 11.11%.
    top.wait_for_function(
        "document.querySelector('#participants [data-role=voted]').textContent === '2'"
    )
    headcount = top.locator('#meter [data-measure="headcount"]')
    top.wait_for_function(
        "document.querySelector('#meter [data-measure=\"headcount\"] [data-role=percent]')"
        ".textContent === '11.11%'"
    )
    assert "2 / 18" in headcount.locator("[data-role=amounts]").inner_text()
    assert headcount.get_attribute("data-met") == "false"
    totals = top.locator("#option-totals")
    assert totals.locator('[data-option="plan_1"] [data-role=headcount]').inner_text() == "1"
    assert totals.locator('[data-option="plan_2"] [data-role=headcount]').inner_text() == "1"
    assert top.evaluate("window.stillTheSamePage") is True
    assert errors == []  # no script failed on either phone
    top.screenshot(path=artifact("vote-live-phone.png"), full_page=True)


def test_the_first_tap_can_be_taken_back(app, world, stairwell, live_server, phone):
    vote_id = _open_vote(app, world, stairwell)
    log_in(phone, live_server, _owner(stairwell, "501"))
    phone.goto(f"{live_server}/votes/{vote_id}")
    phone.get_by_role("button", name=re.compile("^按面积分摊")).click()
    phone.get_by_role("button", name="确认：按面积分摊").wait_for()
    phone.get_by_role("button", name="重新选择").click()
    phone.wait_for_selector("[data-role=ballot-confirm]", state="hidden")
    assert _receipt(app, vote_id, stairwell.units["501"]) is None
    _vote_in_two_taps(phone, "按楼层系数")
    assert _receipt(app, vote_id, stairwell.units["501"]) is not None


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_vote_pages_fit_a_phone_screen_without_sideways_scrolling(
    app, world, stairwell, live_server, chromium, locale
):
    vote_id = _open_vote(app, world, stairwell)
    with app.app_context():
        issue_id = db.session.get(Vote, vote_id).issue_id
        db.session.remove()
    context = chromium.new_context(viewport=PHONE, locale=locale)
    try:
        page = context.new_page()
        for username, paths in (
            (
                _owner(stairwell, "101"),
                [
                    f"/votes/{vote_id}",
                    f"/votes/{vote_id}/confirm?choice=plan_2",
                    f"/votes/{vote_id}/shares",
                    f"/issues/{issue_id}",
                ],
            ),
            ("chair", [f"/votes/{vote_id}", f"/issues/{issue_id}/votes/new"]),
        ):
            context.clear_cookies()
            _log_in_any_language(page, live_server, username)
            for path in paths:
                page.goto(live_server + path)
                widths = page.evaluate(
                    "() => [document.documentElement.scrollWidth,"
                    " document.documentElement.clientWidth]"
                )
                assert widths[0] <= widths[1], (username, path, widths)
        page.goto(f"{live_server}/votes/{vote_id}")
        page.screenshot(path=artifact(f"vote-council-{locale}.png"), full_page=True)
    finally:
        context.close()
