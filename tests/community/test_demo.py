from sqlalchemy import func, select

from hall.community.demo import ACCOUNTS, COMMUNITY, DEMO_PASSWORD
from hall.community.households import Holding, owners_for_headcount
from hall.community.models import Community, Ownership, Tenancy, Unit
from hall.demo import seed_demo_command
from tests.api_client import ApiClient


def test_seed_demo_builds_jinshijie_garden_once(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(seed_demo_command)
    assert first.exit_code == 0, first.output
    assert "216 units" in first.output
    second = runner.invoke(seed_demo_command)
    assert "nothing changed" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Community.id))) == 2
        community = db.session.scalar(select(Community).where(Community.name == COMMUNITY))
        units = db.session.scalars(select(Unit).where(Unit.community_id == community.id)).all()
        holdings = [
            Holding(u.id, u.area, frozenset(o.person_id for o in u.ownerships)) for u in units
        ]
        owners = owners_for_headcount(holdings)
        co_owned = [h for h in holdings if len(h.owner_ids) > 1]
        several = [o for o in owners if len(o.unit_ids) > 1]
        unsold = [h for h in holdings if not h.owner_ids]
        assert co_owned and several and unsold
        assert db.session.scalar(select(func.count(Tenancy.id))) > 5
        # every owned unit has exactly one designated voter
        voters = db.session.execute(
            select(Ownership.unit_id, func.count())
            .where(Ownership.is_designated_voter)
            .group_by(Ownership.unit_id)
        ).all()
        assert {count for _, count in voters} == {1}
        assert len(voters) == len(holdings) - len(unsold)


def test_every_demo_account_logs_in(app, db):
    app.test_cli_runner().invoke(seed_demo_command)
    for demo in ACCOUNTS:
        client = ApiClient(app.test_client()).login(demo.username, DEMO_PASSWORD)
        me = client.get("/api/me").json
        assert [g["role"] for g in me["grants"]] == [demo.role.value]
