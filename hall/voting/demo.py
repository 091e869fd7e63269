"""The demo vote for `hall seed-demo`: 1栋1单元's owners choose how to share the cost of a
new elevator between two plans, under the Civil Code's "major matter" rule. Half the
stairwell has voted on paper already; the demo owner has not, so a visitor can."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hall.community.accounts import actor_for
from hall.community.models import Account, Unit
from hall.extensions import db
from hall.issues.models import Issue
from hall.types import utcnow
from hall.voting import paper, service
from hall.voting.models import VoteKind

# Guangzhou's coefficients by floor (docs/domain.md): floors 1 and 2 pay nothing and are paid
# 2,000.00 yuan each for the noise and the loss of light.
FLOOR_COEFFICIENTS = {1: "0", 2: "0", 3: "0.7", 4: "0.8", 5: "0.9", 6: "1.0", 7: "1.1",
                      8: "1.2", 9: "1.3"}  # fmt: skip
TOTAL = 68_000_000  # 680,000.00 yuan, in fen
SUBSIDY = 20_000_000  # the city's subsidy for replacing an old elevator
PLANS = (
    {"label": "按面积分摊", "plan": {"total": TOTAL, "subsidy": SUBSIDY, "base": "area"}},
    {
        "label": "按楼层系数分摊",
        "plan": {
            "total": TOTAL,
            "subsidy": SUBSIDY,
            "base": "area",
            "floor_coefficients": {str(k): v for k, v in FLOOR_COEFFICIENTS.items()},
            "compensation": {"1": 200_000, "2": 200_000},
        },
    },
)
PAPER_BALLOTS = {"101": "plan_1", "102": "plan_1", "401": "plan_2", "501": "plan_2",
                 "502": "plan_2", "701": "plan_2", "702": "plan_2", "801": "plan_2",
                 "902": "plan_2"}  # fmt: skip


def seed(elevator: Issue) -> None:
    actor = {
        name: actor_for(db.session.scalar(select(Account).where(Account.username == name)))
        for name in ("chair", "committee")
    }
    vote = service.create_vote(
        actor["chair"],
        elevator.id,
        service.VoteSpec(
            title="1栋1单元电梯更换费用分摊方案",
            kind=VoteKind.PLANS,
            rule={"preset": "major_matter"},
            closes_at=utcnow() + timedelta(days=14),
            plans=PLANS,
        ),
    )
    service.open_vote(actor["chair"], vote.id)
    stairwell_id = elevator.scope[0].stairwell_id
    rooms = dict(
        db.session.execute(
            select(Unit.room, Unit.id).where(
                Unit.stairwell_id == stairwell_id, Unit.room.in_(PAPER_BALLOTS)
            )
        ).all()
    )
    for room, choice in PAPER_BALLOTS.items():
        sheet = f"纸质表决票 1-1-{room}"
        ballot = paper.record_paper(
            actor["chair"], vote.id, unit_id=rooms[room], choice=choice, sheet=sheet
        )
        paper.confirm_paper(actor["committee"], vote.id, ballot.id)
