"""`hall ledger verify` from the console, through Flask's CLI runner."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from hall.extensions import db
from hall.ledger import chain as ledger
from hall.ledger.chain import GENESIS, community_chain
from hall.ledger.models import LedgerChain, LedgerEntry


@pytest.fixture
def chains(app, world):
    """Three entries in home's chain, two in neighbour's; their head hashes."""
    with app.app_context():
        heads = {}
        for community_id, count in ((world.home, 3), (world.neighbour, 2)):
            chain = community_chain(community_id)
            for n in range(count):
                ledger.append(chain, "issue.support", "issue:1", None, {"supports": n + 1})
            db.session.commit()
            heads[community_id] = db.session.get(LedgerChain, chain).head_hash
        db.session.remove()
    return heads


def run(app, *args):
    return app.test_cli_runner().invoke(args=["ledger", "verify", *args])


def tamper_with_home(app, world):
    with app.app_context():
        db.session.execute(
            update(LedgerEntry)
            .where(LedgerEntry.chain == community_chain(world.home), LedgerEntry.position == 2)
            .values(payload={"supports": 200})
        )
        db.session.commit()
        db.session.remove()


def test_every_chain_is_listed_with_its_length_and_head_hash(app, world, chains):
    result = run(app)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"community:{world.home}  length 3  head {chains[world.home]}  OK",
        f"community:{world.neighbour}  length 2  head {chains[world.neighbour]}  OK",
    ]


def test_one_communitys_chain_alone(app, world, chains):
    result = run(app, "--community", str(world.neighbour))
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"community:{world.neighbour}  length 2  head {chains[world.neighbour]}  OK\n"
    )


def test_a_community_with_no_entries_has_an_empty_chain(app, world, chains):
    result = run(app, "--community", str(world.far))
    assert result.exit_code == 0
    assert result.output == f"community:{world.far}  length 0  head {GENESIS}  OK\n"


def test_an_empty_ledger_says_so(app, db):
    result = run(app)
    assert result.exit_code == 0
    assert result.output == "The ledger has no chains yet.\n"


def test_a_tampered_chain_is_reported_broken_and_fails_the_command(app, world, chains):
    tamper_with_home(app, world)
    result = run(app)
    assert result.exit_code == 1
    home_line, neighbour_line = result.output.splitlines()
    with app.app_context():
        first_hash = db.session.scalar(
            select(LedgerEntry.hash).where(
                LedgerEntry.chain == community_chain(world.home), LedgerEntry.position == 1
            )
        )
    assert home_line == (
        f"community:{world.home}  length 1  head {first_hash}  "
        "BROKEN at position 2: its content does not match its hash"
    )
    assert neighbour_line.endswith("  OK")  # the other chain is still checked and reported


def test_checking_only_the_intact_chain_succeeds_after_another_is_tampered(app, world, chains):
    tamper_with_home(app, world)
    assert run(app, "--community", str(world.neighbour)).exit_code == 0
    assert run(app, "--community", str(world.home)).exit_code == 1


def test_a_truncated_chain_is_reported_broken(app, world, chains):
    with app.app_context():
        db.session.execute(
            delete(LedgerEntry).where(
                LedgerEntry.chain == community_chain(world.home), LedgerEntry.position == 3
            )
        )
        db.session.commit()
        db.session.remove()
    result = run(app, "--community", str(world.home))
    assert result.exit_code == 1
    assert "BROKEN at position 3: the recorded tip is past the last entry" in result.output


def test_chains_are_listed_in_natural_order(app, db):
    with app.app_context():
        for community_id in (10, 2, 1):
            ledger.append(community_chain(community_id), "k", "s", None, {})
        db.session.commit()
        db.session.remove()
    names = [line.split()[0] for line in run(app).output.splitlines()]
    assert names == ["community:1", "community:2", "community:10"]


def test_the_community_option_takes_a_number(app, db):
    result = run(app, "--community", "home")
    assert result.exit_code == 2
    assert "--community" in result.output
