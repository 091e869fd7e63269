from sqlalchemy import select

from hall.community.models import Community
from hall.demo import seed_demo_command
from hall.issues.lifecycle import State
from hall.issues.models import Comment, Issue
from hall.ledger import chain


def test_the_demo_has_issues_at_several_stages_and_a_chain_that_verifies(app, db):
    result = app.test_cli_runner().invoke(seed_demo_command)
    assert result.exit_code == 0, result.output
    with app.app_context():
        community = db.session.scalar(select(Community).where(Community.name == "金世界花园"))
        states = {
            issue.category: issue.state
            for issue in db.session.scalars(select(Issue).where(Issue.community_id == community.id))
        }
        assert states == {
            "elevator": State.DELIBERATION,
            "parking": State.COLLECTING,
            "dispute": State.DRAFT,
        }
        assert db.session.scalar(select(db.func.count(Comment.id))) == 3
        verification = chain.verify(chain.community_chain(community.id))
        assert verification.ok and verification.length >= 6
