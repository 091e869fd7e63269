"""The vote pages: a vote with its meter and each household's share, two-step ballots without
JavaScript, receipts, proxies, and the council's forms (set up, open, paper ballots, close).

The 9栋 stairwell of tests.voting.factories votes: 18 flats on 9 floors, each owned by its own
resident with an account ("owner_<building>_<room>"). Each form is posted as a browser would
post it, CSRF token and all, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hall.community.accounts import actor_for
from hall.community.models import Account
from hall.extensions import db
from hall.issues import service as issues_service
from hall.issues.lifecycle import State
from hall.issues.models import Issue, ScopeKind
from hall.types import utcnow
from hall.voting import casting, costshare, electorate, service
from hall.voting.models import Ballot, ElectorateUnit, Vote, VoteKind, VoteState
from tests.voting.factories import elevator_plans, snapshot, stairwell_of_owners
from tests.web.conftest import csrf_token_of, logged_in, post_form

PLAN_AREA, PLAN_FLOORS = "按面积分摊", "按楼层系数"


@pytest.fixture
def stairwell(app, world):
    with app.app_context():
        built = stairwell_of_owners(world.home)
        db.session.remove()
    return built


def _actor(username: str):
    account = db.session.scalar(select(Account).where(Account.username == username))
    return actor_for(account)


def _owner(stairwell, room: str) -> str:
    """The username of the owner of `room`."""
    return f"owner_{stairwell.building_id}_{room}"


def _browser(app, locale: str = "en"):
    """Someone at a browser of their own."""
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = locale
    return browser


def _issue(app, world, stairwell) -> int:
    """The stairwell's elevator issue, supported by one of its owners: in deliberation."""
    with app.app_context():
        issues_service.configure(_actor("chair"), world.home, {"support_threshold": 1})
        issue = issues_service.create_issue(
            _actor("resident"),
            world.home,
            title="9栋电梯更换",
            body="电梯用了二十五年，经常停运。",
            category="elevator",
            scope_kind=ScopeKind.BUILDINGS,
            scope_ids=[stairwell.building_id],
            submit=True,
        )
        issue_id = issue.id
        issues_service.support(_actor(_owner(stairwell, "901")), issue_id)
        db.session.remove()
    return issue_id


def _vote(app, issue_id: int, *, opened: bool = True, **changes) -> int:
    """A choice between the two elevator plans under the major-matter rule, for a week."""
    values = {
        "title": "选择电梯费用分摊方案",
        "kind": VoteKind.PLANS,
        "rule": {"preset": "major_matter"},
        "closes_at": utcnow() + timedelta(days=7),
        "plans": tuple(elevator_plans()),
        **changes,
    }
    with app.app_context():
        vote = service.create_vote(_actor("chair"), issue_id, service.VoteSpec(**values))
        vote_id = vote.id
        if opened:
            service.open_vote(_actor("chair"), vote_id)
        db.session.remove()
    return vote_id


@pytest.fixture
def vote_id(app, world, stairwell) -> int:
    return _vote(app, _issue(app, world, stairwell))


def _shares(app, vote_id: int, unit_id: int) -> dict[str, int]:
    """A unit's amount under each plan, worked out by the core directly."""
    with app.app_context():
        vote = db.session.get(Vote, vote_id)
        units = electorate.paying_units(vote)
        found = {
            option.key: next(
                s.amount for s in costshare.split(plan, units).shares if s.unit_id == unit_id
            )
            for option, plan in service.plans_of(vote)
        }
        db.session.remove()
    return found


def _yuan(fen: int) -> str:
    whole, cents = divmod(abs(fen), 100)
    return f"¥{whole:,}.{cents:02d}"


def _ballot(app, vote_id: int, unit_id: int) -> Ballot | None:
    with app.app_context():
        found = db.session.scalar(
            select(Ballot)
            .join(ElectorateUnit, ElectorateUnit.household_id == Ballot.household_id)
            .where(Ballot.vote_id == vote_id, ElectorateUnit.unit_id == unit_id)
        )
        db.session.expunge_all()
        db.session.remove()
    return found


def _grouped(receipt: str) -> str:
    """The receipt as the page shows it: groups of four, each in its own span."""
    return "".join(f"<span>{receipt[i : i + 4]}</span>" for i in range(0, 64, 4))


def _cast_by_form(client, vote_id: int, choice: str, unit: str = "", replaces: str = ""):
    """The second step: the confirmation page's form, posted."""
    query = f"?choice={choice}" + (f"&unit={unit}" if unit else "")
    page = client.get(f"/votes/{vote_id}/confirm{query}")
    assert page.status_code == 200, page.text
    assert f'name="replaces" type="hidden" value="{replaces}"' in page.text
    data = {"choice": choice, "unit": unit, "replaces": replaces}
    return client.post(
        f"/votes/{vote_id}/ballots", data={"csrf_token": csrf_token_of(page.text), **data}
    )


# The issue's panel ------------------------------------------------------------------------------


def test_the_issue_page_offers_the_council_to_set_up_a_vote(app, world, stairwell):
    issue_id = _issue(app, world, stairwell)
    chair = logged_in(_browser(app), "chair").get(f"/issues/{issue_id}").text
    assert 'id="votes"' in chair
    assert f'href="/issues/{issue_id}/votes/new"' in chair
    resident = logged_in(_browser(app), "resident").get(f"/issues/{issue_id}").text
    assert 'id="votes"' not in resident  # no vote yet, and nothing for a resident to set up


def test_the_issue_page_links_its_vote_with_its_state(app, world, stairwell):
    issue_id = _issue(app, world, stairwell)
    vote_id = _vote(app, issue_id, opened=False)
    html = logged_in(_browser(app), _owner(stairwell, "101")).get(f"/issues/{issue_id}").text
    assert f'href="/votes/{vote_id}"' in html and "选择电梯费用分摊方案" in html
    assert "Not open yet" in html
    chair = logged_in(_browser(app), "chair").get(f"/issues/{issue_id}").text
    assert f'href="/issues/{issue_id}/votes/new"' not in chair  # one vote at a time
    with app.app_context():
        service.open_vote(_actor("chair"), vote_id)
        db.session.remove()
    assert (
        "Open for ballots" in logged_in(_browser(app), "resident").get(f"/issues/{issue_id}").text
    )


def test_the_issue_page_shows_the_vote_panel_through_its_hook(app, world, stairwell):
    """The issue stage's page names no vote: the voting stage registers its panel and its
    script into the page's slots (hall.voting.panels)."""
    template = Path(app.root_path, "web", "templates", "issues", "show.html").read_text()
    assert "votes/" not in template and "vote_panel" not in template
    issue_id = _issue(app, world, stairwell)
    vote_id = _vote(app, issue_id)
    html = logged_in(_browser(app), _owner(stairwell, "101")).get(f"/issues/{issue_id}").text
    panel = html[html.index('id="votes"') :]
    assert f'href="/votes/{vote_id}"' in panel and "Open for ballots" in panel
    assert '<script src="/static/vote.js"></script>' in html
    assert html.index('id="votes"') < html.index('id="support"')  # below the description


# The vote page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["resident", "chair", "officer", "manager"])
def test_the_vote_page_renders_for_everyone_of_the_community(app, world, vote_id, username):
    response = logged_in(_browser(app), username).get(f"/votes/{vote_id}")
    assert response.status_code == 200
    html = response.text
    assert '<h1 id="vote-title">选择电梯费用分摊方案</h1>' in html
    assert f'data-room="vote:{vote_id}"' in html and re.search(r'data-room-seq="\d+"', html)
    assert "0 of 18 owners" in html  # the meter, by headcount
    assert "needs at least 66.67%" in html and "not met" in html
    assert (
        "At least 2/3 of all owners' area and at least 2/3 of all owners must take part."
        in unescape(html)
    )
    assert 'data-role="ballot-options"' not in html  # none of them owns a flat in 9栋
    assert (f'href="/votes/{vote_id}/shares"') in html


@pytest.mark.parametrize("username", ["neighbour_resident", "far_officer", "outsider"])
def test_the_vote_page_is_not_found_elsewhere(app, world, vote_id, username):
    client = logged_in(_browser(app), username)
    for path in ("", "/shares", "/confirm?choice=plan_1"):
        assert client.get(f"/votes/{vote_id}{path}").status_code == 404


def test_the_vote_page_needs_a_login(app, world, vote_id):
    response = _browser(app).get(f"/votes/{vote_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_owner_sees_the_household_share_under_each_plan(app, world, stairwell, vote_id):
    top = _shares(app, vote_id, stairwell.units["901"])
    html = logged_in(_browser(app), _owner(stairwell, "901")).get(f"/votes/{vote_id}").text
    assert 'id="household-own"' in html and "9栋 1单元 901" in html
    for key in ("plan_1", "plan_2"):
        assert top[key] > 0
        assert f'<p class="share-amount" data-fen="{top[key]}">{_yuan(top[key])}</p>' in html
    assert "Your household pays" in html
    # Floor 1 pays nothing under the floor plan and is paid compensation: said in words.
    ground = _shares(app, vote_id, stairwell.units["101"])
    assert ground["plan_2"] == -200_000
    html = logged_in(_browser(app), _owner(stairwell, "101")).get(f"/votes/{vote_id}").text
    assert "Your household receives" in html and "¥2,000.00" in html
    assert "receives ¥2,000.00" in html  # on the plan's button too


def test_a_ballot_without_javascript_takes_two_steps_and_gives_a_receipt(
    app, world, stairwell, vote_id
):
    client = logged_in(_browser(app), _owner(stairwell, "901"))
    html = client.get(f"/votes/{vote_id}").text
    # The first tap: each option a button of a GET form that leads to the confirmation.
    assert f'action="/votes/{vote_id}/confirm"' in html
    assert 'name="choice" value="plan_2"' in html
    confirm = client.get(f"/votes/{vote_id}/confirm?choice=plan_2")
    assert confirm.status_code == 200
    assert f"Confirm: {PLAN_FLOORS}" in confirm.text
    assert _ballot(app, vote_id, stairwell.units["901"]) is None  # nothing cast by looking
    # The second tap casts it.
    response = _cast_by_form(client, vote_id, "plan_2")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/votes/{vote_id}#household-own")
    ballot = _ballot(app, vote_id, stairwell.units["901"])
    assert ballot.choice == "plan_2" and re.fullmatch(r"[0-9a-f]{64}", ballot.receipt)
    html = client.get(response.headers["Location"]).text
    assert "Your ballot is cast." in html
    assert _grouped(ballot.receipt) in html
    assert f'data-receipt="{ballot.receipt}"' in html
    assert "it proves the ballot is recorded" in html
    assert f'data-role="ballot-choice">{PLAN_FLOORS}<' in html
    assert re.search(r'data-role="voted">1<', html)
    assert "1 of 18 owners" in html


def test_an_owner_changes_the_ballot_until_the_vote_closes(app, world, stairwell, vote_id):
    client = logged_in(_browser(app), _owner(stairwell, "501"))
    assert _cast_by_form(client, vote_id, "plan_1").status_code == 302
    first = _ballot(app, vote_id, stairwell.units["501"]).receipt
    html = client.get(f"/votes/{vote_id}").text
    assert "Change the ballot: tap another option" in html
    assert f'name="replaces" value="{first}"' in html
    response = _cast_by_form(client, vote_id, "plan_2", replaces=first)
    assert response.status_code == 302
    changed = _ballot(app, vote_id, stairwell.units["501"])
    assert changed.choice == "plan_2" and changed.changes == 1 and changed.receipt != first
    html = client.get(f"/votes/{vote_id}").text
    assert _grouped(changed.receipt) in html and _grouped(first) not in html
    # A form sent from a page older than the change is refused, not counted twice.
    stale = post_form(
        client,
        f"/votes/{vote_id}/ballots",
        {"choice": "plan_1", "replaces": first},
        page=f"/votes/{vote_id}",
    )
    assert stale.status_code == 302
    html = unescape(client.get(stale.headers["Location"]).text)
    assert "That is not the household's latest ballot: it was changed meanwhile." in html
    assert _ballot(app, vote_id, stairwell.units["501"]).choice == "plan_2"


def test_a_refused_ballot_reads_in_chinese_on_a_chinese_page(app, world, stairwell, vote_id):
    client = logged_in(app.test_client(), _owner(stairwell, "601"))
    assert _cast_by_form(client, vote_id, "plan_1").status_code == 302
    first = _ballot(app, vote_id, stairwell.units["601"]).receipt
    assert _cast_by_form(client, vote_id, "plan_2", replaces=first).status_code == 302
    stale = post_form(
        client,
        f"/votes/{vote_id}/ballots",
        {"choice": "plan_1", "replaces": first},
        page=f"/votes/{vote_id}",
    )
    html = client.get(stale.headers["Location"]).text
    assert '<html lang="zh-CN">' in html
    assert "这不是这一户最新的票：刚才已经有人改过了。" in html
    assert "latest ballot" not in html and "receipt_not_latest" not in html
    assert _ballot(app, vote_id, stairwell.units["601"]).choice == "plan_2"


def test_someone_outside_the_electorate_cannot_cast(app, world, stairwell, vote_id):
    client = logged_in(_browser(app), "resident")
    assert client.get(f"/votes/{vote_id}/confirm?choice=plan_1").status_code == 403
    response = post_form(
        client, f"/votes/{vote_id}/ballots", {"choice": "plan_1"}, page=f"/votes/{vote_id}"
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Ballot.id))) == 0


def test_an_unknown_choice_is_refused_without_harm(app, world, stairwell, vote_id):
    client = logged_in(_browser(app), _owner(stairwell, "301"))
    assert client.get(f"/votes/{vote_id}/confirm?choice=plan_9").status_code == 404
    response = post_form(
        client, f"/votes/{vote_id}/ballots", {"choice": "plan_9"}, page=f"/votes/{vote_id}"
    )
    assert response.status_code == 302
    assert "Choose one of the options offered." in client.get(response.headers["Location"]).text
    assert _ballot(app, vote_id, stairwell.units["301"]) is None


def test_a_secret_vote_without_live_results_shows_the_key_and_hides_the_counts(
    app, world, stairwell
):
    vote_id = _vote(app, _issue(app, world, stairwell), secret=True, live_results=False)
    client = logged_in(_browser(app), _owner(stairwell, "701"))
    assert _cast_by_form(client, vote_id, "plan_1").status_code == 302
    ballot = _ballot(app, vote_id, stairwell.units["701"])
    html = client.get(f"/votes/{vote_id}").text
    assert _grouped(ballot.receipt) in html
    assert f'<code class="secret-key">{ballot.nonce}</code>' in html
    assert "How many chose each option is shown once the vote closes." in html
    assert 'id="option-totals"' not in html
    assert "1 of 18 owners" in html  # participation is shown all the same


# Proxies ----------------------------------------------------------------------------------------


def test_an_owner_authorises_a_neighbour_who_votes_for_the_household(
    app, world, stairwell, vote_id
):
    grantor = logged_in(_browser(app), _owner(stairwell, "101"))
    response = post_form(
        grantor,
        f"/votes/{vote_id}/proxies",
        {"username": _owner(stairwell, "102"), "authorisation": "我腿脚不便，请邻居代投"},
        page=f"/votes/{vote_id}",
    )
    assert response.status_code == 302, response.text
    html = grantor.get(f"/votes/{vote_id}").text
    assert f"You authorised 业主{stairwell.name}102 to cast" in html
    assert 'data-role="ballot-options"' not in html  # the proxy holds the ballot now

    holder = logged_in(_browser(app), _owner(stairwell, "102"))
    html = holder.get(f"/votes/{vote_id}").text
    unit = str(stairwell.units["101"])
    assert f'id="household-{unit}"' in html and "You vote by proxy for" in html
    assert f'name="unit" value="{unit}"' in html
    response = _cast_by_form(holder, vote_id, "plan_2", unit=unit)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#household-{unit}")
    ballot = _ballot(app, vote_id, stairwell.units["101"])
    assert ballot.choice == "plan_2" and ballot.channel.value == "proxy"
    assert _grouped(ballot.receipt) in holder.get(f"/votes/{vote_id}").text
    assert _grouped(ballot.receipt) in grantor.get(f"/votes/{vote_id}").text
    assert _ballot(app, vote_id, stairwell.units["102"]) is None  # their own is still theirs


def test_a_proxy_is_revoked_and_the_owner_votes_again(app, world, stairwell, vote_id):
    grantor = logged_in(_browser(app), _owner(stairwell, "201"))
    post_form(
        grantor,
        f"/votes/{vote_id}/proxies",
        {"username": _owner(stairwell, "202"), "authorisation": "代投"},
        page=f"/votes/{vote_id}",
    )
    html = grantor.get(f"/votes/{vote_id}").text
    revoke = re.search(rf'action="(/votes/{vote_id}/proxies/\d+/revoke)"', html).group(1)
    response = post_form(grantor, revoke, page=f"/votes/{vote_id}")
    assert response.status_code == 302
    html = grantor.get(f"/votes/{vote_id}").text
    assert "The proxy is revoked" in html and 'data-role="ballot-options"' in html
    holder = logged_in(_browser(app), _owner(stairwell, "202"))
    assert "You vote by proxy for" not in holder.get(f"/votes/{vote_id}").text


@pytest.mark.parametrize("username", ["nobody_here", "neighbour_resident"])
def test_a_proxy_must_be_a_resident_with_an_account(app, world, stairwell, vote_id, username):
    before = snapshot(app)
    response = post_form(
        logged_in(_browser(app), _owner(stairwell, "301")),
        f"/votes/{vote_id}/proxies",
        {"username": username, "authorisation": "代投"},
        page=f"/votes/{vote_id}",
    )
    assert response.status_code == 422
    assert 'id="username-error"' in response.text
    assert "A proxy is a resident of this community with an account." in response.text
    assert 'id="proxy" open' in response.text
    assert snapshot(app) == before


# The council: setting a vote up -----------------------------------------------------------------


def _setup_form(**changes) -> dict:
    data = {
        "title": "选择电梯费用分摊方案",
        "kind": "plans",
        "preset": "major_matter",
        "silence": "not_counted",
        "live_results": "y",
        "closes_at": (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "plans-0-name": PLAN_AREA,
        "plans-0-total": "1,380,000",
        "plans-0-subsidy": "400000.00",
        "plans-0-base": "area",
        "plans-1-name": PLAN_FLOORS,
        "plans-1-total": "1380000",
        "plans-1-subsidy": "400000",
        "plans-1-base": "area",
        "plans-1-floor_coefficients": "1:0, 2:0, 3:0.7，4:0.8, 5:0.9, 6:1.0, 7:1.1, 8:1.2, 9:1.3",
        "plans-1-compensation": "1:2000, 2:2000",
        "plans-2-base": "area",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_council_sets_up_a_vote_and_opens_it(app, world, stairwell):
    issue_id = _issue(app, world, stairwell)
    client = logged_in(_browser(app), "chair")
    form = client.get(f"/issues/{issue_id}/votes/new")
    assert form.status_code == 200
    assert 'type="datetime-local"' in form.text and "China (Shanghai) Time" in form.text
    assert 'name="plans-2-floor_coefficients"' in form.text
    response = post_form(
        client, f"/issues/{issue_id}/votes/new", _setup_form(), page=f"/issues/{issue_id}/votes/new"
    )
    assert response.status_code == 302, response.text
    vote_id = int(re.search(r"/votes/(\d+)$", response.headers["Location"]).group(1))
    with app.app_context():
        vote = db.session.get(Vote, vote_id)
        assert vote.state is VoteState.SCHEDULED and vote.live_results and not vote.secret
        plans = {option.key: option.plan for option in vote.options if option.plan}
        assert plans["plan_1"]["total"] == 138_000_000 and plans["plan_1"]["subsidy"] == 40_000_000
        assert plans["plan_2"]["floor_coefficients"]["3"] == "0.7"
        assert plans["plan_2"]["compensation"] == {"1": 200_000, "2": 200_000}
        assert db.session.get(Issue, issue_id).state is State.JUDGMENT
        db.session.remove()
    html = client.get(f"/votes/{vote_id}").text
    assert "The vote is set up." in html and "Not open yet" in html
    assert "Open the vote" in html
    response = post_form(client, f"/votes/{vote_id}/open", page=f"/votes/{vote_id}")
    assert response.status_code == 302
    html = client.get(f"/votes/{vote_id}").text
    assert "The vote is open" in html and "Open for ballots" in html and "0 of 18 owners" in html
    assert 'id="paper-form"' in html and 'id="close-form"' in html


SETUP_MISTAKES = [
    ({"plans-0-total": "一百万"}, "plans-0-total", "Give an amount in yuan"),
    ({"plans-1-floor_coefficients": "3楼0.7"}, "plans-1-floor_coefficients", "floor:coefficient"),
    ({"plans-1-compensation": "1:2000, 1:3000"}, "plans-1-compensation",
     "Floor 1: This floor or unit is given twice."),
    ({"plans-1-subsidy": "2000000"}, "plans-1-subsidy", "The subsidy cannot be more than"),
    ({"plans-1-name": PLAN_AREA}, "plans-1-name", "Two plans have this name."),
    ({"plans-0-name": ""}, "plans-0-name", "Give the plan a name."),
    ({"plans-0-total": "1380000.505"}, "plans-0-total", "at most two decimals"),
    ({"plans-1-floor_coefficients": "3:-0.7"}, "plans-1-floor_coefficients",
     "Floor 3: A coefficient cannot be negative."),
    ({"closes_at": "明天"}, "closes_at", "Give the day and time the vote closes."),
    ({"closes_at": "2020-01-01T10:00"}, "closes_at", "The vote must close after it opens"),
    ({"title": ""}, "title", "Give the vote a title."),
]


@pytest.mark.parametrize(("changes", "field", "message"), SETUP_MISTAKES)
def test_a_wrong_field_of_the_setup_form_is_shown_beside_it_and_nothing_is_written(
    app, world, stairwell, changes, field, message
):
    issue_id = _issue(app, world, stairwell)
    client = logged_in(_browser(app), "chair")
    before = snapshot(app)
    response = post_form(
        client,
        f"/issues/{issue_id}/votes/new",
        _setup_form(**changes),
        page=f"/issues/{issue_id}/votes/new",
    )
    assert response.status_code == 422, response.text
    error = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', response.text, re.S)
    assert error and message in error.group(1), response.text
    assert re.search(rf'aria-describedby="[^"]*{field}-error"', response.text)
    assert 'id="vote-form-problem"' in response.text
    assert snapshot(app) == before


def test_the_setup_form_reads_yuan_and_floors_as_people_type_them(app, world, stairwell):
    """The same text the API takes (tests/voting/test_plan_input.py): ¥, thousands separators,
    full-width digits and punctuation."""
    issue_id = _issue(app, world, stairwell)
    form = _setup_form(**{
        "plans-0-total": "¥1,380,000.50",
        "plans-0-subsidy": "４００，０００",
        "plans-1-floor_coefficients": "１：０，２：０；３：０.７、４=0.8",
        "plans-1-compensation": "1：2000元\n2:2000",
    })  # fmt: skip
    response = post_form(
        logged_in(_browser(app), "chair"),
        f"/issues/{issue_id}/votes/new",
        form,
        page=f"/issues/{issue_id}/votes/new",
    )
    assert response.status_code == 302, response.text
    with app.app_context():
        vote = db.session.scalar(select(Vote).where(Vote.issue_id == issue_id))
        plans = {option.key: option.plan for option in vote.options if option.plan}
        assert plans["plan_1"]["total"] == 138_000_050 and plans["plan_1"]["subsidy"] == 40_000_000
        assert plans["plan_2"]["floor_coefficients"] == {"1": "0", "2": "0", "3": "0.7", "4": "0.8"}
        assert plans["plan_2"]["compensation"] == {"1": 200_000, "2": 200_000}
        db.session.remove()


def test_a_wrong_setup_field_reads_in_chinese_on_a_chinese_page(app, world, stairwell):
    issue_id = _issue(app, world, stairwell)
    response = post_form(
        logged_in(app.test_client(), "chair"),
        f"/issues/{issue_id}/votes/new",
        _setup_form(**{"title": "", "plans-0-total": "1380000.505"}),
        page=f"/issues/{issue_id}/votes/new",
    )
    assert response.status_code == 422
    title = re.search(r'id="title-error">(.*?)</p>', response.text, re.S).group(1)
    total = re.search(r'id="plans-0-total-error">(.*?)</p>', response.text, re.S).group(1)
    assert "请给投票写个标题。" in title
    assert "最多两位小数" in total
    assert "Give" not in title + total and "decimals" not in total


def test_a_choice_needs_two_plans(app, world, stairwell):
    issue_id = _issue(app, world, stairwell)
    response = post_form(
        logged_in(_browser(app), "chair"),
        f"/issues/{issue_id}/votes/new",
        _setup_form(**{"plans-1-name": "", "plans-1-total": "", "plans-1-subsidy": "",
                       "plans-1-floor_coefficients": "", "plans-1-compensation": ""}),
        page=f"/issues/{issue_id}/votes/new",
    )  # fmt: skip
    assert response.status_code == 422
    assert 'id="plans-error"' in response.text
    assert "Offer between 2 and 6 plans to choose from." in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Vote.id))) == 0


def test_a_resident_may_not_set_up_a_vote(app, world, stairwell):
    issue_id = _issue(app, world, stairwell)
    client = logged_in(_browser(app), _owner(stairwell, "901"))
    assert client.get(f"/issues/{issue_id}/votes/new").status_code == 403
    response = post_form(
        client, f"/issues/{issue_id}/votes/new", _setup_form(), page=f"/issues/{issue_id}"
    )
    assert response.status_code == 403


def test_a_resident_may_not_open_or_close(app, world, stairwell):
    issue_id = _issue(app, world, stairwell)
    vote_id = _vote(app, issue_id, opened=False)
    client = logged_in(_browser(app), _owner(stairwell, "901"))
    assert 'id="council"' not in client.get(f"/votes/{vote_id}").text
    assert post_form(client, f"/votes/{vote_id}/open", page=f"/votes/{vote_id}").status_code == 403
    with app.app_context():
        assert db.session.get(Vote, vote_id).state is VoteState.SCHEDULED


# The council: paper ballots and closing ---------------------------------------------------------


def test_a_paper_ballot_is_recorded_and_confirmed_by_a_second_member(
    app, world, stairwell, vote_id
):
    chair = logged_in(_browser(app), "chair")
    html = chair.get(f"/votes/{vote_id}").text
    assert f'<option value="{stairwell.units["301"]}">9栋 1单元 301</option>' in html
    response = post_form(
        chair,
        f"/votes/{vote_id}/paper",
        {"unit": str(stairwell.units["301"]), "choice": "plan_1", "sheet": "9-1-301"},
        page=f"/votes/{vote_id}",
    )
    assert response.status_code == 302, response.text
    html = chair.get(f"/votes/{vote_id}").text
    assert "Sheet 9-1-301, recorded by chair" in html
    assert "/confirm" not in re.sub(r'action="/votes/\d+/confirm"', "", html)  # not the recorder's
    assert "0 of 18 owners" in html  # not counted yet
    ballot_id = _ballot(app, vote_id, stairwell.units["301"]).id
    refused = post_form(
        chair, f"/votes/{vote_id}/paper/{ballot_id}/confirm", page=f"/votes/{vote_id}"
    )
    assert refused.status_code == 403

    committee = logged_in(_browser(app), "committee")
    html = committee.get(f"/votes/{vote_id}").text
    assert f'action="/votes/{vote_id}/paper/{ballot_id}/confirm"' in html
    response = post_form(
        committee, f"/votes/{vote_id}/paper/{ballot_id}/confirm", page=f"/votes/{vote_id}"
    )
    assert response.status_code == 302
    html = committee.get(f"/votes/{vote_id}").text
    assert "The paper ballot is confirmed and counts." in html and "1 of 18 owners" in html
    # The owner sees the household's paper ballot, and cannot vote online over it.
    owner = logged_in(_browser(app), _owner(stairwell, "301")).get(f"/votes/{vote_id}").text
    assert "This household voted on paper." in owner
    assert 'data-role="ballot-options"' not in owner


def test_a_wrong_paper_ballot_shows_the_error_beside_the_field(app, world, stairwell, vote_id):
    chair = logged_in(_browser(app), "chair")
    response = post_form(
        chair,
        f"/votes/{vote_id}/paper",
        {"unit": str(stairwell.units["301"]), "choice": "plan_1", "sheet": ""},
        page=f"/votes/{vote_id}",
    )
    assert response.status_code == 422
    assert 'id="sheet-error"' in response.text
    assert (
        _cast_by_form(
            logged_in(_browser(app), _owner(stairwell, "302")), vote_id, "plan_1"
        ).status_code
        == 302
    )
    taken = post_form(
        chair,
        f"/votes/{vote_id}/paper",
        {"unit": str(stairwell.units["302"]), "choice": "plan_2", "sheet": "9-1-302"},
        page=f"/votes/{vote_id}",
    )
    assert taken.status_code == 409
    assert 'id="unit-error"' in taken.text and "This household has already voted" in taken.text


def test_a_paper_ballot_struck_out_needs_a_reason(app, world, stairwell, vote_id):
    chair = logged_in(_browser(app), "chair")
    post_form(
        chair,
        f"/votes/{vote_id}/paper",
        {"unit": str(stairwell.units["401"]), "choice": "plan_2", "sheet": "9-1-401"},
        page=f"/votes/{vote_id}",
    )
    ballot_id = _ballot(app, vote_id, stairwell.units["401"]).id
    committee = logged_in(_browser(app), "committee")
    path = f"/votes/{vote_id}/paper/{ballot_id}/reject"
    refused = post_form(committee, path, {"reason": ""}, page=f"/votes/{vote_id}")
    assert refused.status_code == 422
    assert f'id="reject-reason-{ballot_id}-error"' in refused.text
    struck = post_form(committee, path, {"reason": "签名不符"}, page=f"/votes/{vote_id}")
    assert struck.status_code == 302
    assert _ballot(app, vote_id, stairwell.units["401"]) is None


def test_closing_early_needs_a_reason_and_then_shows_the_result(app, world, stairwell, vote_id):
    for room in stairwell.rooms[:14]:
        with app.app_context():
            casting.cast(_actor(_owner(stairwell, room)), vote_id, "plan_2")
            db.session.remove()
    chair = logged_in(_browser(app), "chair")
    html = chair.get(f"/votes/{vote_id}").text
    assert "14 of 18 owners" in html and 'data-met="true"' in html
    assert re.search(r'data-option="plan_2">\s*<span class="total-name">', html)
    refused = post_form(
        chair, f"/votes/{vote_id}/close", {"if_failed": "deliberation"}, page=f"/votes/{vote_id}"
    )
    assert refused.status_code == 422
    assert 'id="reason-error"' in refused.text
    assert "closing it early needs a reason" in refused.text
    with app.app_context():
        assert db.session.get(Vote, vote_id).state is VoteState.OPEN
    no_choice = post_form(
        chair, f"/votes/{vote_id}/close", {"reason": "全部投完"}, page=f"/votes/{vote_id}"
    )
    assert no_choice.status_code == 422
    assert "Say where the issue goes if the vote fails." in no_choice.text
    closed = post_form(
        chair,
        f"/votes/{vote_id}/close",
        {"if_failed": "deliberation", "reason": "十四户已投票"},
        page=f"/votes/{vote_id}",
    )
    assert closed.status_code == 302
    html = chair.get(f"/votes/{vote_id}").text
    assert "The vote is closed. It passed." in html
    assert f"Passed: “{PLAN_FLOORS}” was chosen." in html
    assert 'id="close-form"' not in html


# Every household's amount -----------------------------------------------------------------------


@pytest.mark.parametrize("username", ["resident", "owner"])
def test_every_households_amount_is_shown_side_by_side(app, world, stairwell, vote_id, username):
    if username == "owner":
        username = _owner(stairwell, "101")
    html = logged_in(_browser(app), username).get(f"/votes/{vote_id}/shares").text
    rows = re.findall(r'<tr(?: class="row-mine")? data-unit="(\d+)">', html)
    assert len(rows) == 18
    for room in ("101", "901"):
        amounts = _shares(app, vote_id, stairwell.units[room])
        row = html[html.index(f'data-unit="{stairwell.units[room]}"') :]
        row = row[: row.index("</tr>")]
        # In yuan without the sign, which the table's caption gives once.
        assert f">{_yuan(amounts['plan_1'])[1:]}<" in row
        assert f">{'-' if amounts['plan_2'] < 0 else ''}{_yuan(amounts['plan_2'])[1:]}<" in row
    mine = 'class="row-mine"' in html
    assert mine is username.startswith("owner_")


# Languages -------------------------------------------------------------------------------------


def test_the_vote_page_is_in_chinese_by_default(app, world, stairwell, vote_id):
    client = logged_in(app.test_client(), _owner(stairwell, "901"))
    html = client.get(f"/votes/{vote_id}").text
    assert '<html lang="zh-CN">' in html
    for words in ("你家需付", "投票进行中", "参与情况", "按业主人数", "未达到"):
        assert words in html, words
    assert "Your household" not in html
    confirm = client.get(f"/votes/{vote_id}/confirm?choice=plan_1").text
    assert f"确认：{PLAN_AREA}" in confirm
    setup = logged_in(app.test_client(), "chair").get(f"/issues/{_issue_id(app, vote_id)}")
    assert "投票" in setup.text


def test_the_vote_pages_render_in_english(app, world, stairwell, vote_id):
    client = logged_in(_browser(app), _owner(stairwell, "901"))
    html = client.get(f"/votes/{vote_id}").text
    assert '<html lang="en">' in html
    assert "Your household pays" in html and "Where the vote stands" in html
    assert "Participation" in html and "By floor area" in html
    shares = client.get(f"/votes/{vote_id}/shares").text
    assert "Every household's amount" in unescape(shares)


def _issue_id(app, vote_id: int) -> int:
    with app.app_context():
        found = db.session.get(Vote, vote_id).issue_id
        db.session.remove()
    return found
