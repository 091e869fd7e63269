"""What a vote's page and its API show one person: the vote, its rule in words, each plan
with their household's share, where the vote stands, their ballot and what they may do."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from hall.community.models import Account, Person
from hall.community.policy import Actor
from hall.extensions import db
from hall.voting import access, costshare, electorate, paper, proxies, rules, service
from hall.voting.access import VotePermissions
from hall.voting.models import Ballot, Household, Proxy, Vote, VoteState


@dataclass
class VoterHousehold:
    """A household the actor casts for: their own in the vote, or one whose proxy they hold."""

    label: str
    unit_ids: list[int]
    ballot: Ballot | None
    proxy: Proxy | None = None  # set when the actor casts for it as a proxy
    shares: dict[str, int] = field(default_factory=dict)  # option key -> fen, this household
    given: Proxy | None = None  # their own household's ballot handed to a proxy
    may_cast: bool = False  # cast or change its ballot now (hall.voting.access)

    @property
    def own(self) -> bool:
        return self.proxy is None

    def standing(self) -> access.ActorHousehold:
        return access.ActorHousehold(
            own=self.own,
            ballot_channel=self.ballot.channel if self.ballot is not None else None,
            proxy_given=self.given is not None,
        )


@dataclass
class VoteOverview:
    vote: Vote
    rule_text: list[str]
    standing: dict
    households: list[VoterHousehold]
    manages: bool
    pending_paper: list[Ballot]
    may_vote: bool
    permissions: VotePermissions


def vote_overview(actor: Actor, vote_id: int) -> VoteOverview:
    vote = service.get_vote(actor, vote_id)
    households = _households(actor, vote)
    open_ = vote.state is VoteState.OPEN
    situation = service.situation(
        actor, vote, households=tuple(h.standing() for h in households) if open_ else ()
    )
    for household in households:
        household.may_cast = open_ and access.may_cast(situation, household.standing())
    permissions = access.decide(situation)
    return VoteOverview(
        vote=vote,
        rule_text=rules.describe(service.rule_of(vote)),
        standing=service.standing(vote) if vote.state is not VoteState.SCHEDULED else {},
        households=households,
        manages=situation.manages,
        pending_paper=paper.pending_paper(vote) if situation.manages else [],
        may_vote=open_ and bool(households),
        permissions=permissions,
    )


def _households(actor: Actor, vote: Vote) -> list[VoterHousehold]:
    plans = service.plans_of(vote)
    splits = {}
    if plans:
        units = electorate.paying_units(vote)
        splits = {option.key: costshare.split(plan, units) for option, plan in plans}

    def shares_of(unit_ids: list[int]) -> dict[str, int]:
        wanted = set(unit_ids)
        return {
            key: sum(share.amount for share in split.shares if share.unit_id in wanted)
            for key, split in splits.items()
        }

    if vote.opened_at is None:
        mine = [u for u in electorate.roster_units(vote) if actor.person_id in u.owner_ids]
        return [
            VoterHousehold(u.label, [u.unit_id], None, shares=shares_of([u.unit_id])) for u in mine
        ]
    found = []
    own = electorate.household_of(vote, actor.person_id)
    if own is not None:
        given = proxies.active_proxy(vote.id, own.id)
        found.append(_voter_household(vote, own, None, shares_of, given))
    for proxy in proxies.proxies_held(actor, vote):
        found.append(_voter_household(vote, proxy.household, proxy, shares_of))
    return found


def _voter_household(
    vote: Vote, household: Household, proxy: Proxy | None, shares_of, given: Proxy | None = None
) -> VoterHousehold:
    unit_ids = electorate.units_of_household(household.id)
    ballot = db.session.scalar(
        db.select(Ballot).where(Ballot.vote_id == vote.id, Ballot.household_id == household.id)
    )
    return VoterHousehold(household.label, unit_ids, ballot, proxy, shares_of(unit_ids), given)


def shares_table(actor: Actor, vote_id: int) -> dict:
    """Every household's amount under every plan, side by side, to the fen."""
    vote = service.get_vote(actor, vote_id)
    plans = service.plans_of(vote)
    units = electorate.paying_units(vote)
    compared = costshare.compare([plan for _, plan in plans], units) if plans else []
    return {
        "plans": [option for option, _ in plans],
        "rows": [
            {
                "unit_id": unit.unit_id,
                "label": unit.label,
                "floor": unit.floor,
                "area": str(unit.area),
                "amounts": {
                    option.key: share.amount
                    for (option, _), share in zip(plans, shares, strict=True)
                },
            }
            for unit, shares in compared
        ],
    }


# What the pages add: who holds a household's proxy, whom a proxy form names, the electorate's
# units for a paper sheet, who recorded a sheet. Read-only, as everything above.


@dataclass(frozen=True)
class ProxyGiven:
    """The active proxy the actor's own household gave, and the name of its holder."""

    proxy: Proxy
    holder_name: str


def proxy_given(actor: Actor, vote: Vote) -> ProxyGiven | None:
    household = electorate.household_of(vote, actor.person_id)
    if household is None:
        return None
    proxy = proxies.active_proxy(vote.id, household.id)
    if proxy is None:
        return None
    holder = db.session.get(Person, proxy.proxy_person_id)
    return ProxyGiven(proxy, holder.name if holder is not None else "")


def account_id_for_username(username: str) -> int | None:
    """The account a proxy form names by its username; the service then checks that it is a
    resident of the vote's community."""
    return db.session.scalar(select(Account.id).where(Account.username == username.strip()))


def electorate_units(vote: Vote) -> list[tuple[int, str]]:
    """The units of the vote's electorate, id and label, in natural order: a paper sheet
    names one of them."""
    return [(unit.unit_id, unit.label) for unit in electorate.paying_units(vote)]


def account_names(account_ids: set[int]) -> dict[int, str]:
    """Display names of accounts, such as the council members who recorded paper sheets."""
    if not account_ids:
        return {}
    rows = db.session.execute(
        select(Account.id, Account.display_name).where(Account.id.in_(account_ids))
    )
    return {account_id: name for account_id, name in rows}
