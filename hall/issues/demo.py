"""Demo issues for `hall seed-demo`: an elevator under deliberation, a parking proposal gathering
supports, and a leak between two flats still in draft. Made through the services, so that the
ledger, the outbox and the notifications hold what real use would have put there."""

from __future__ import annotations

from sqlalchemy import select

from hall.community.accounts import actor_for
from hall.community.models import Account, Building, Community, Stairwell, Unit
from hall.extensions import db
from hall.issues import service, threads
from hall.issues.models import Advance, Issue, ScopeKind, Stance, ThresholdKind


def seed(community: Community) -> Issue:
    """Seed the issues; returns the elevator issue, on which the voting stage seeds a vote."""
    actor = {
        name: actor_for(db.session.scalar(select(Account).where(Account.username == name)))
        for name in ("owner", "coowner", "tenant", "chair", "secretary")
    }
    service.configure(
        actor["secretary"],
        community.id,
        {
            "threshold_kind": ThresholdKind.COUNT,
            "support_threshold": 2,
            "advance": Advance.AUTOMATIC,
        },
    )
    stairwell = db.session.scalar(
        select(Stairwell.id)
        .join(Building, Building.id == Stairwell.building_id)
        .where(Building.community_id == community.id, Building.name == "1栋")
        .where(Stairwell.name == "1单元")
    )
    elevator = service.create_issue(
        actor["owner"],
        community.id,
        title="1栋1单元电梯频繁故障，建议整体更换",
        body=(
            "这部电梯已经用了**22年**，今年以来困人3次。维保单位说主机和控制柜都已老化，"
            "修不如换。\n\n建议：\n\n1. 申请维修资金整体更换；\n2. 按楼层系数分摊费用，"
            "一、二楼不出资。"
        ),
        category="elevator",
        scope_kind=ScopeKind.STAIRWELLS,
        scope_ids=[stairwell],
        submit=True,
    )
    service.support(actor["owner"], elevator.id)
    service.support(actor["coowner"], elevator.id)  # the second support moves it on
    first = threads.post_comment(
        actor["coowner"],
        elevator.id,
        body="同意更换。我家在六楼，老人上下楼全靠电梯，上个月还被困了半小时。",
        stance=Stance.FOR,
    )
    threads.post_comment(
        actor["chair"],
        elevator.id,
        body="议事会已联系两家电梯公司报价，下周三晚7点线上议事，欢迎大家参加。",
        parent_id=first.id,
        official=True,
    )
    threads.post_comment(
        actor["owner"],
        elevator.id,
        body="费用怎么分摊要先算清楚，每户出多少钱公示出来再表决。",
        stance=Stance.NEUTRAL,
    )
    parking = service.create_issue(
        actor["tenant"],
        community.id,
        title="地下车库充电桩不够用，晚上排队充电",
        body="车库只有12个充电桩，新能源车越来越多，建议物业增设充电桩并规范车位使用。",
        category="parking",
        scope_kind=ScopeKind.COMMUNITY,
        scope_ids=[],
        submit=True,
    )
    service.support(actor["tenant"], parking.id)
    leak_units = db.session.scalars(
        select(Unit.id)
        .where(Unit.stairwell_id == stairwell, Unit.room.in_(["502", "602"]))
        .order_by(Unit.floor)
    )
    service.create_issue(
        actor["owner"],
        community.id,
        title="602卫生间渗水到502",
        body="502天花板出现水渍，疑似602卫生间防水层破损，希望物业协调两户查看。",
        category="dispute",
        scope_kind=ScopeKind.UNITS,
        scope_ids=list(leak_units),
    )
    return elevator
