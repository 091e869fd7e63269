from sqlalchemy import select

from hall.community.models import Community
from hall.demo import seed_demo_command
from hall.issues.lifecycle import State
from hall.issues.models import Comment, Issue
from hall.ledger import chain
from hall.voting.models import Ballot, Vote, VoteState
from hall.voting.service import vote_chain


def test_the_demo_has_issues_at_several_stages_a_vote_and_chains_that_verify(app, db):
    result = app.test_cli_runner().invoke(seed_demo_command)
    assert result.exit_code == 0, result.output
    with app.app_context():
        community = db.session.scalar(select(Community).where(Community.name == "金世界花园"))
        states = {
            issue.category: issue.state
            for issue in db.session.scalars(select(Issue).where(Issue.community_id == community.id))
        }
        assert states == {
            "elevator": State.JUDGMENT,
            "parking": State.COLLECTING,
            "dispute": State.DRAFT,
        }
        assert db.session.scalar(select(db.func.count(Comment.id))) == 3
        verification = chain.verify(chain.community_chain(community.id))
        assert verification.ok and verification.length >= 6
        vote = db.session.scalar(select(Vote).where(Vote.community_id == community.id))
        assert vote.state is VoteState.OPEN and vote.title == "1栋1单元电梯更换费用分摊方案"
        counted = select(db.func.count(Ballot.id)).where(Ballot.vote_id == vote.id, Ballot.counted)
        assert db.session.scalar(counted) == 9
        assert chain.verify(vote_chain(vote.id)).ok
