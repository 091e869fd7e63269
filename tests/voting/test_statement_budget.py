"""The statements one ballot costs through the API: the hot path when a vote opens.

Counted with SQLAlchemy's `before_cursor_execute`, on SQLite and PostgreSQL alike; the
budget may go down, never up."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from hall.extensions import db as hall_db
from tests.voting.factories import issue_in_deliberation, owner, running_vote, voted

# Two to know who asks (token, grants), the tip taken, the vote with its options, the
# households asked for, the ledger entry, the tip moved, the ballot; then the live tally: the
# vote with its options, the count. Thirteen before the ballot box read in two statements
# what took four and the tally read the vote with its options.
BALLOT_BUDGET = 10


@contextmanager
def counted_statements(app):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = hall_db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_ballot_costs_at_most_its_budget_of_statements(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    vote_id = running_vote(api.as_user("chair"), issue_id, rule={"preset": "simple_majority"})
    voter = owner(app, stairwell, "301")
    voted(owner(app, stairwell, "302"), vote_id, "for")  # warm: the first request loads more
    with counted_statements(app) as statements:
        receipt = voted(voter, vote_id, "for")
    assert len(statements) <= BALLOT_BUDGET, "\n".join(statements)
    with counted_statements(app) as statements:
        voted(voter, vote_id, "against", replaces=receipt["receipt"])
    assert len(statements) <= BALLOT_BUDGET, "\n".join(statements)
