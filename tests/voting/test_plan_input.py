"""A cost-sharing plan written as people write it, in yuan and "floor:coefficient" lists, is
read alike by the API and by the set-up page: one schema (hall.voting.plan_input), the same
amounts to the fen, and the same field names when the text does not read.

The schema is tried directly first, then through POST /api/issues/<id>/votes on SQLite and
PostgreSQL; the page's own door is tried in tests/web/test_vote_pages.py.
"""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from hall.voting.plan_input import PlanEntrySchema
from hall.voting.schemas import VoteCreateSchema
from tests.voting.factories import GUANGZHOU, in_days, issue_in_deliberation, snapshot


def _plan(**terms) -> dict:
    return PlanEntrySchema().load({"label": "按楼层系数", "plan": terms})["plan"]


def _named(body: dict) -> dict:
    """The schema's refusal of a vote body, field by field."""
    with pytest.raises(ValidationError) as refused:
        VoteCreateSchema().load(body)
    return refused.value.messages


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1380000", 138_000_000),
        ("1,380,000", 138_000_000),
        ("¥1,380,000.50", 138_000_050),
        ("￥１，３８０，０００．５", 138_000_050),  # full-width, as a Chinese keyboard types it
        ("1380000元", 138_000_000),
        (" 2000.05 ", 200_005),
        (138_000_000, 138_000_000),  # an integer is fen already: the API's own form
    ],
)
def test_money_reads_as_yuan_text_or_as_fen(text, fen):
    assert _plan(total=text)["total"] == fen


@pytest.mark.parametrize("text", ["1380000.505", "0.001"])
def test_money_refuses_a_third_decimal(text):
    with pytest.raises(ValidationError) as refused:
        _plan(total=text)
    assert refused.value.messages == {
        "plan": {"total": ["An amount in yuan has at most two decimals: the fen."]}
    }


@pytest.mark.parametrize("text", ["一百万", "1.380.000", "", "1e6", 1380000.5, True])
def test_money_that_does_not_read_is_refused(text):
    with pytest.raises(ValidationError) as refused:
        _plan(total=text)
    assert list(refused.value.messages["plan"]) == ["total"]


def test_coefficients_and_compensation_read_as_text_or_as_objects():
    written = _plan(
        total="1380000",
        floor_coefficients="1:0, 2:0，3:0.7；4：0.8、5=0.9\n6:1.0",
        compensation="1:2000，2:2000.00",
    )
    sent = _plan(
        total=138_000_000,
        floor_coefficients={"1": "0", "2": "0", "3": "0.7", "4": "0.8", "5": "0.9", "6": "1.0"},
        compensation={"1": 200_000, "2": 200_000},
    )
    assert written == sent
    assert written["floor_coefficients"]["3"] == "0.7"
    assert written["compensation"] == {"1": 200_000, "2": 200_000}


@pytest.mark.parametrize(
    ("terms", "messages"),
    [
        (
            {"floor_coefficients": "3楼0.7"},
            {"floor_coefficients": [
                "Write each floor as floor:coefficient, such as 3:0.7, separated by commas."
            ]},
        ),
        (
            {"compensation": "1:两千"},
            {"compensation": [
                "Write each floor as floor:yuan, such as 1:2000, separated by commas."
            ]},
        ),
        (
            {"compensation": "1:2000, 1:3000"},
            {"compensation": {"1": ["This floor or unit is given twice."]}},
        ),
        (
            {"floor_coefficients": {"3": 0.7}},
            {"floor_coefficients": {"3": [
                'Give the coefficient as text, such as "0.7", or a whole number.'
            ]}},
        ),
        ({"shares": "1:1"}, {"shares": ["This field is not part of a plan."]}),
    ],
)  # fmt: skip
def test_text_that_does_not_read_names_its_field(terms, messages):
    with pytest.raises(ValidationError) as refused:
        _plan(total="1380000", **terms)
    assert refused.value.messages == {"plan": messages}


def test_a_vote_body_names_a_plan_field_as_the_core_does():
    body = {
        "title": "选择分摊方案",
        "kind": "plans",
        "rule": {"preset": "major_matter"},
        "closes_at": in_days(7),
        "plans": [
            {"label": "按面积分摊", "plan": {"total": "1380000"}},
            {"label": "按楼层系数", "plan": {"total": "1380000", "compensation": "1:1, 1:2"}},
        ],
    }
    assert _named(body) == {"plans.1.plan.compensation.1": ["This floor or unit is given twice."]}


# Through the API -------------------------------------------------------------------------------


def _plans_vote(**second) -> dict:
    return {
        "title": "选择电梯费用分摊方案",
        "kind": "plans",
        "rule": {"preset": "major_matter"},
        "closes_at": in_days(7),
        "plans": [
            {"label": "按面积分摊", "plan": {"total": "¥1,380,000.00", "subsidy": "400,000"}},
            {
                "label": "按楼层系数",
                "plan": {
                    "total": "1380000",
                    "subsidy": "400000.00",
                    "floor_coefficients": (
                        "1:0, 2:0, 3:0.7，4:0.8, 5:0.9, 6:1.0, 7:1.1, 8:1.2, 9:1.3"
                    ),
                    "compensation": "1:2000, 2:2000",
                    **second,
                },
            },
        ],
    }


def test_the_api_takes_a_plan_written_as_on_the_page(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    reply = api.as_user("chair").post(f"/api/issues/{issue_id}/votes", _plans_vote())
    assert reply.status == 201, reply.json
    plans = {option["key"]: option["plan"] for option in reply.json["options"] if option["plan"]}
    assert plans["plan_1"]["total"] == 138_000_000 and plans["plan_1"]["subsidy"] == 40_000_000
    assert plans["plan_2"]["floor_coefficients"] == GUANGZHOU
    assert plans["plan_2"]["compensation"] == {"1": 200_000, "2": 200_000}


@pytest.mark.parametrize(
    ("second", "field", "chinese"),
    [
        ({"total": "1380000.505"}, "plans.1.plan.total", "最多两位小数"),
        ({"floor_coefficients": "3楼0.7"}, "plans.1.plan.floor_coefficients", "楼层:系数"),
        ({"compensation": "1:2000, 1:3000"}, "plans.1.plan.compensation.1", None),
        ({"subsidy": "2000000"}, "plans.1.plan.subsidy", None),  # the core's judgement
        ({"floor_coefficients": "3:-0.7"}, "plans.1.plan.floor_coefficients.3", None),
    ],
)
def test_the_api_refuses_plan_text_naming_the_field_in_the_readers_language(
    app, api, world, stairwell, second, field, chinese
):
    issue_id = issue_in_deliberation(api, world, stairwell)
    before = snapshot(app)
    reply = api.as_user("chair").post(
        f"/api/issues/{issue_id}/votes",
        _plans_vote(**second),
        headers={"Accept-Language": "zh-CN"},
    )
    assert reply.status == 422, reply.json
    assert field in reply.json["fields"], reply.json
    if chinese is not None:
        assert chinese in reply.json["fields"][field][0], reply.json
    assert snapshot(app) == before
