"""Proxies: an owner authorises another resident to cast their household's ballot in one
vote, or the council records an owner's signed letter saying so. One level only: a proxy
holder cannot pass the household's ballot on, and a household gives one proxy at a time.

A proxy is given before the household votes, while the vote is open; it lapses at its
expiry, and its owner or the council may take it back, after which the owner votes again.
Granting holds the vote chain's tip while the ballot box judges the household, so a proxy
never slips in beside a ballot being cast for the same household.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from hall.community.models import Account, Ownership, Tenancy, Unit
from hall.community.policy import Actor
from hall.extensions import db
from hall.issues.models import Issue
from hall.ledger import chain as ledger
from hall.types import utcnow
from hall.voting import ballot_box, electorate, facts, refusals
from hall.voting.models import Proxy, Vote
from hall.voting.service import get_vote, require_manager, vote_chain, vote_subject


def grant_proxy(
    actor: Actor,
    vote_id: int,
    *,
    proxy_account_id: int,
    authorisation: str,
    expires_at: datetime | None = None,
    unit_id: int | None = None,
) -> Proxy:
    """An owner authorises another resident for this vote; or the council records an owner's
    signed authorisation letter for the household of `unit_id`."""
    vote = get_vote(actor, vote_id, for_update=True)
    words = ballot_box.check_proxy_request(vote.state, authorisation, expires_at, utcnow())
    mine = electorate.household_of(vote, actor.person_id)
    if unit_id is None:
        if mine is None:
            raise refusals.PROXY_NOT_PASSED_ON()
        household = mine
    else:
        household = electorate.household_of_unit(vote, unit_id)
        if household is None:
            raise refusals.UNIT_NOT_IN_ELECTORATE()
    voters = electorate.voters_of(household.id)
    if mine is not None and mine.id == household.id:
        grantor = actor.person_id
    else:
        # Someone else's household: only the council, recording the owner's own letter.
        require_manager(actor, db.session.get(Issue, vote.issue_id))
        grantor = voters[0]
    holder = _resident_account(vote.community_id, proxy_account_id)
    ballot_box.check_proxy_holder(holder.person_id, frozenset(voters))
    with ledger.locked(vote_chain(vote.id)) as tip:
        standing = facts.household_facts(db.session, vote.id, household.id)
        payload = ballot_box.judge_proxy(
            vote.id,
            standing,
            holder_person_id=holder.person_id,
            authorisation=words,
            expires_at=expires_at,
        )
        if standing.proxy_id is not None:  # lapsed: it makes room for the new one
            _take_back(tip, db.session.get(Proxy, standing.proxy_id), actor.account_id, "expired")
        entry = tip.add("proxy.granted", vote_subject(vote.id), actor.account_id, payload)
        proxy = Proxy(
            vote_id=vote.id,
            household_id=household.id,
            grantor_person_id=grantor,
            proxy_person_id=holder.person_id,
            authorisation=words,
            expires_at=expires_at,
            recorded_by_id=actor.account_id,
            entry_hash=entry.hash,
        )
        db.session.add(proxy)
        db.session.flush()
    db.session.commit()
    return proxy


def revoke_proxy(actor: Actor, vote_id: int, proxy_id: int) -> Proxy:
    """Take a proxy back: its owner, or the council."""
    vote = get_vote(actor, vote_id, for_update=True)
    proxy = db.session.get(Proxy, proxy_id)
    if proxy is None or proxy.vote_id != vote.id or proxy.revoked_at is not None:
        raise refusals.NO_SUCH_PROXY()
    mine = electorate.household_of(vote, actor.person_id)
    if mine is None or mine.id != proxy.household_id:
        require_manager(actor, db.session.get(Issue, vote.issue_id))
    with ledger.locked(vote_chain(vote.id)) as tip:
        _take_back(tip, proxy, actor.account_id, "revoked")
    db.session.commit()
    return proxy


def active_proxy(vote_id: int, household_id: int) -> Proxy | None:
    """The proxy a household gave, not taken back and not expired."""
    return db.session.scalar(
        select(Proxy).where(
            Proxy.vote_id == vote_id,
            Proxy.household_id == household_id,
            Proxy.revoked_at.is_(None),
            _unexpired(),
        )
    )


def proxies_held(actor: Actor, vote: Vote) -> list[Proxy]:
    """The households the actor may cast for by proxy."""
    if actor.person_id is None:
        return []
    return list(
        db.session.scalars(
            select(Proxy).where(
                Proxy.vote_id == vote.id,
                Proxy.proxy_person_id == actor.person_id,
                Proxy.revoked_at.is_(None),
                _unexpired(),
            )
        )
    )


def _unexpired():
    return or_(Proxy.expires_at.is_(None), Proxy.expires_at > utcnow())


def _take_back(tip: ledger.Tip, proxy: Proxy, account_id: int | None, why: str) -> None:
    proxy.revoked_at = utcnow()
    payload = ballot_box.proxy_taken_back(proxy.vote_id, proxy.entry_hash, why)
    tip.add("proxy.revoked", vote_subject(proxy.vote_id), account_id, payload)


def _resident_account(community_id: int, account_id: int) -> Account:
    """A proxy holder is a resident of the vote's community, owner or tenant, with an account."""
    account = db.session.get(Account, account_id)
    lives_here = (
        account is not None
        and account.person_id is not None
        and (
            db.session.scalar(
                select(Unit.id)
                .join(Ownership, Ownership.unit_id == Unit.id)
                .where(Ownership.person_id == account.person_id, Unit.community_id == community_id)
                .limit(1)
            )
            or db.session.scalar(
                select(Unit.id)
                .join(Tenancy, Tenancy.unit_id == Unit.id)
                .where(Tenancy.person_id == account.person_id, Unit.community_id == community_id)
                .limit(1)
            )
        )
    )
    if not lives_here:
        raise refusals.PROXY_NOT_RESIDENT()
    return account
