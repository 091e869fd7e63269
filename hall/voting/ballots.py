"""What owners and the council do with ballots besides casting them (`casting`): authorise a
proxy, record a paper ballot and confirm it, look a receipt up.

A household has one ballot per vote (a unique row), replaced in place when its voter changes
it; the last counts. Every ballot is an entry in the vote's own chain in the ledger, and its
hash is the receipt the voter keeps.

Channels exclude each other: once a paper ballot is recorded for a household, the household
cannot vote online, and a household that voted online cannot hand in paper. Whichever came
first is the one that counts; the council rejecting a paper ballot reopens the online door.
Everything that writes a ballot or a proxy holds the vote chain's tip while it checks what it
writes over, so two of them never both pass their checks.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import or_, select

from hall.community.models import Account, Ownership, Tenancy, Unit
from hall.community.policy import Actor
from hall.errors import Conflict, Forbidden, Invalid, NotFound
from hall.extensions import db
from hall.issues.models import Issue
from hall.ledger import chain as ledger
from hall.types import utcnow
from hall.voting import live
from hall.voting.casting import CHOOSE_AN_OPTION, check_open, commitment
from hall.voting.models import (
    Ballot,
    Channel,
    ElectorateMember,
    ElectorateUnit,
    ElectorateVoter,
    Proxy,
    Vote,
    VoteState,
)
from hall.voting.service import get_vote, require_manager, vote_chain, vote_subject


def _choice(vote: Vote, choice: str) -> str:
    if choice not in {option.key for option in vote.options}:
        raise Invalid(CHOOSE_AN_OPTION, {"choice": [CHOOSE_AN_OPTION]})
    return choice


def member_of_unit(vote: Vote, unit_id: int) -> ElectorateMember:
    member = db.session.scalar(
        select(ElectorateMember)
        .join(ElectorateUnit, ElectorateUnit.member_id == ElectorateMember.id)
        .where(ElectorateUnit.vote_id == vote.id, ElectorateUnit.unit_id == unit_id)
    )
    if member is None:
        message = "That unit is not in this vote's electorate."
        raise Invalid(message, {"unit": [message]})
    return member


def own_member(vote: Vote, person_id: int | None) -> ElectorateMember | None:
    if person_id is None:
        return None
    return db.session.scalar(
        select(ElectorateMember)
        .join(ElectorateVoter, ElectorateVoter.member_id == ElectorateMember.id)
        .where(ElectorateVoter.vote_id == vote.id, ElectorateVoter.person_id == person_id)
    )


def _unexpired():
    return or_(Proxy.expires_at.is_(None), Proxy.expires_at > utcnow())


def active_proxy(vote_id: int, member_id: int) -> Proxy | None:
    """The proxy a household gave, not taken back and not expired."""
    return db.session.scalar(
        select(Proxy).where(
            Proxy.vote_id == vote_id,
            Proxy.member_id == member_id,
            Proxy.revoked_at.is_(None),
            _unexpired(),
        )
    )


def by_receipt(actor: Actor, vote_id: int, receipt: str) -> Ballot:
    """Look a receipt up: is the ballot it stands for the one that counts? The choice of a
    secret ballot is shown to the one who cast it alone."""
    vote = get_vote(actor, vote_id)
    ballot = db.session.scalar(
        select(Ballot).where(Ballot.vote_id == vote.id, Ballot.receipt == receipt)
    )
    if ballot is None:
        raise NotFound("No ballot counts under that receipt: it was replaced, or never cast.")
    if vote.secret and ballot.cast_by_id != actor.account_id:
        # A receipt proves a secret ballot counts; it must not show anyone else the choice,
        # or it could be demanded as proof of how one voted.
        db.session.expunge(ballot)
        ballot.choice = None
    return ballot


# Proxies ---------------------------------------------------------------------------------------


def _resident_account(community_id: int, account_id: int) -> Account:
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
        message = "A proxy is a resident of this community with an account."
        raise Invalid(message, {"proxy_account_id": [message]})
    return account


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
    signed authorisation letter for the household of `unit_id`. One level only: a proxy holder
    cannot pass the household's ballot on."""
    vote = get_vote(actor, vote_id, for_update=True)
    if vote.state is VoteState.CLOSED:
        raise Conflict("The vote has closed.")
    if not authorisation.strip():
        message = "Say what authorises the proxy: the letter's reference or the owner's words."
        raise Invalid(message, {"authorisation": [message]})
    if expires_at is not None and expires_at <= utcnow():
        message = "The proxy would already have expired."
        raise Invalid(message, {"expires_at": [message]})
    if vote.state is VoteState.SCHEDULED:
        raise Conflict("Proxies are given once the vote opens and its electorate is fixed.")
    mine = own_member(vote, actor.person_id)
    if unit_id is None:
        if mine is None:
            raise Forbidden(
                "Only an owner in the electorate authorises a proxy for their household; "
                "a proxy cannot pass it on."
            )
        member, grantor = mine, actor.person_id
    else:
        member = member_of_unit(vote, unit_id)
        if mine is not None and mine.id == member.id:
            grantor = actor.person_id
        else:
            # Someone else's household: only the council, recording the owner's own letter.
            require_manager(actor, db.session.get(Issue, vote.issue_id))
            grantor = db.session.scalar(
                select(ElectorateVoter.person_id)
                .where(ElectorateVoter.member_id == member.id)
                .order_by(ElectorateVoter.person_id)
                .limit(1)
            )
    holder = _resident_account(vote.community_id, proxy_account_id)
    voters = set(
        db.session.scalars(
            select(ElectorateVoter.person_id).where(ElectorateVoter.member_id == member.id)
        )
    )
    if holder.person_id in voters:
        message = "That person already votes for this household."
        raise Invalid(message, {"proxy_account_id": [message]})
    with ledger.locked(vote_chain(vote.id)) as tip:
        if db.session.scalar(
            select(Ballot.id).where(Ballot.vote_id == vote.id, Ballot.member_id == member.id)
        ):
            raise Conflict("This household has already voted: a proxy can no longer cast for it.")
        given = db.session.scalar(
            select(Proxy).where(
                Proxy.vote_id == vote.id, Proxy.member_id == member.id, Proxy.revoked_at.is_(None)
            )
        )
        if given is not None and (given.expires_at is None or given.expires_at > utcnow()):
            raise Conflict("This household already has a proxy: revoke it first.")
        if given is not None:  # lapsed: it makes room for the new one
            _take_back(tip, given, actor.account_id, "expired")
        entry = tip.add(
            "proxy.granted",
            vote_subject(vote.id),
            actor.account_id,
            {
                "vote_id": vote.id,
                "member": member.number,
                "proxy_person": holder.person_id,
                "authorisation": authorisation.strip(),
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
        proxy = Proxy(
            vote_id=vote.id,
            member_id=member.id,
            grantor_person_id=grantor,
            proxy_person_id=holder.person_id,
            authorisation=authorisation.strip(),
            expires_at=expires_at,
            recorded_by_id=actor.account_id,
            entry_hash=entry.hash,
        )
        db.session.add(proxy)
        db.session.flush()
    db.session.commit()
    return proxy


def _take_back(tip: ledger.Tip, proxy: Proxy, account_id: int | None, why: str) -> None:
    proxy.revoked_at = utcnow()
    tip.add(
        "proxy.revoked",
        vote_subject(proxy.vote_id),
        account_id,
        {"vote_id": proxy.vote_id, "proxy": proxy.entry_hash, "why": why},
    )


def revoke_proxy(actor: Actor, vote_id: int, proxy_id: int) -> Proxy:
    vote = get_vote(actor, vote_id, for_update=True)
    proxy = db.session.get(Proxy, proxy_id)
    if proxy is None or proxy.vote_id != vote.id or proxy.revoked_at is not None:
        raise NotFound("No such proxy.")
    mine = own_member(vote, actor.person_id)
    if mine is None or mine.id != proxy.member_id:
        require_manager(actor, db.session.get(Issue, vote.issue_id))
    with ledger.locked(vote_chain(vote.id)) as tip:
        _take_back(tip, proxy, actor.account_id, "revoked")
    db.session.commit()
    return proxy


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


# Paper ballots ---------------------------------------------------------------------------------


def record_paper(actor: Actor, vote_id: int, *, unit_id: int, choice: str, sheet: str) -> Ballot:
    """A council member records a paper sheet; it counts once a second member confirms it."""
    vote = get_vote(actor, vote_id)
    require_manager(actor, db.session.get(Issue, vote.issue_id))
    check_open(vote.state, vote.opens_at, vote.closes_at)
    choice = _choice(vote, choice)
    if not sheet.strip():
        message = "Give the paper sheet's reference, so the sheet can be found again."
        raise Invalid(message, {"sheet": [message]})
    member = member_of_unit(vote, unit_id)
    nonce = secrets.token_hex(16) if vote.secret else None
    payload = {
        "vote_id": vote.id,
        "member": member.number,
        "channel": Channel.PAPER.value,
        "sheet": sheet.strip(),
    }
    if nonce is None:
        payload["choice"] = choice
    else:
        payload["commitment"] = commitment(vote.id, member.number, choice, nonce)
    with ledger.locked(vote_chain(vote.id)) as tip:
        db.session.refresh(vote)  # under the tip: a close that committed meanwhile shows
        check_open(vote.state, vote.opens_at, vote.closes_at)
        if db.session.scalar(
            select(Ballot.id).where(Ballot.vote_id == vote.id, Ballot.member_id == member.id)
        ):
            raise Conflict(
                "This household has already voted (online, or on another sheet): one ballot "
                "counts.",
                {"unit": ["This household has already voted."]},
            )
        entry = tip.add("ballot.paper_recorded", vote_subject(vote.id), actor.account_id, payload)
        ballot = Ballot(
            vote_id=vote.id,
            member_id=member.id,
            choice=choice,
            channel=Channel.PAPER,
            area=member.area,
            weight=member.weight,
            counted=False,
            cast_by_id=actor.account_id,
            paper_sheet=sheet.strip(),
            cast_at=entry.recorded_at,
            receipt=entry.hash,
            nonce=nonce,
        )
        db.session.add(ballot)
        db.session.flush()
    db.session.commit()
    return ballot


def _pending_paper(actor: Actor, vote_id: int, ballot_id: int) -> tuple[Vote, Ballot]:
    vote = get_vote(actor, vote_id)
    require_manager(actor, db.session.get(Issue, vote.issue_id))
    ballot = db.session.scalar(
        select(Ballot).where(Ballot.id == ballot_id, Ballot.vote_id == vote.id).with_for_update()
    )
    if ballot is None or ballot.channel is not Channel.PAPER:
        raise NotFound("No such paper ballot.")
    if ballot.counted:
        raise Conflict("That paper ballot is already confirmed.")
    if ballot.cast_by_id == actor.account_id:
        raise Forbidden(
            "A second council member confirms a paper ballot, not the one who recorded it."
        )
    return vote, ballot


def confirm_paper(actor: Actor, vote_id: int, ballot_id: int) -> Ballot:
    vote, ballot = _pending_paper(actor, vote_id, ballot_id)
    # Not _open_for_ballots: a sheet handed in before the closing time is confirmed after it
    # too, or the vote, which cannot close while sheets wait, could never close.
    if vote.state is not VoteState.OPEN:
        raise Conflict(f"The vote is {vote.state.value}: only an open vote's sheets confirm.")
    ballot.counted = True
    ballot.confirmed_by_id = actor.account_id
    ledger.append(
        vote_chain(vote.id),
        "ballot.paper_confirmed",
        vote_subject(vote.id),
        actor.account_id,
        {"vote_id": vote.id, "ballot": ballot.receipt},
    )
    db.session.commit()
    # vote_id, not vote.id: the commit expired `vote`, and reading it again would hold a
    # connection while the tally takes another; under load the pool would run dry.
    live.tally_changed(vote_id)
    return ballot


def reject_paper(actor: Actor, vote_id: int, ballot_id: int, reason: str) -> None:
    """A second member finds the sheet wrong: it is struck and the household may vote again."""
    vote, ballot = _pending_paper(actor, vote_id, ballot_id)
    if not reason.strip():
        message = "Say what is wrong with the sheet."
        raise Invalid(message, {"reason": [message]})
    ledger.append(
        vote_chain(vote.id),
        "ballot.paper_rejected",
        vote_subject(vote.id),
        actor.account_id,
        {"vote_id": vote.id, "ballot": ballot.receipt, "reason": reason.strip()},
    )
    db.session.delete(ballot)
    db.session.commit()


def pending_paper(vote: Vote) -> list[Ballot]:
    return list(
        db.session.scalars(
            select(Ballot)
            .where(Ballot.vote_id == vote.id, Ballot.counted.is_(False))
            .order_by(Ballot.id)
        )
    )
