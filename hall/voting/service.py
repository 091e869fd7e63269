"""What the council does with votes: set one up on an issue, open it, read it, close it; and
what one person may do with a vote (`permissions`).

One transaction each, authorised first. Opening copies the electorate into the vote; closing
tallies by one grouped SQL sum, decides by the vote's rule, splits the winning plan's cost to
the fen and moves the issue on. Everything a court may later ask about is in the vote's chain
in the ledger: the rule, the electorate, each ballot, and the result.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from hall.community.policy import Action, Actor
from hall.community.service import get_community
from hall.errors import HallError
from hall.extensions import db
from hall.issues import service as issues
from hall.issues.lifecycle import Name, State
from hall.issues.models import Issue, ScopeKind
from hall.issues.scope import scope_ids, scope_rows
from hall.ledger import chain as ledger
from hall.realtime import catalogue
from hall.types import Area, CustomWeight, utcnow
from hall.voting import access, ballot_box, costshare, electorate, facts, refusals, rules
from hall.voting.models import (
    MAX_PLANS,
    Ballot,
    IfFailed,
    Vote,
    VoteKind,
    VoteOption,
    VoteState,
)
from hall.voting.tally import (
    ABSTAIN,
    AGAINST,
    FOR,
    OPTION_WORDS,
    Count,
    Verdict,
    Weight,
    percents,
    verdict_said,
)
from hall.voting.tally import decide as decide_verdict

__all__ = ["AGAINST", "FOR", "MAX_PLANS", "IfFailed"]  # besides the operations below


def vote_room(vote_id: int) -> str:
    return f"vote:{vote_id}"


def vote_chain(vote_id: int) -> str:
    """Each vote has its own chain: its ballots take turns at their own tip only."""
    return f"vote:{vote_id}"


def vote_subject(vote_id: int) -> str:
    return f"vote:{vote_id}"


# Reading ---------------------------------------------------------------------------------------


def get_vote(actor: Actor, vote_id: int, *, for_update: bool = False) -> Vote:
    """A vote the actor may see: whoever may see its community's issues may see it."""
    query = select(Vote).where(Vote.id == vote_id)
    if for_update:
        query = query.with_for_update()
    vote = db.session.scalar(query)
    if vote is None:
        raise refusals.NO_SUCH_VOTE()
    get_community(actor, vote.community_id)  # a vote's issue is never a draft: no more to see
    return vote


def may_manage(actor: Actor, vote: Vote | Issue) -> bool:
    """Does the actor run votes on the issue: the council, at its community or at a building
    the issue reaches? The same answer `require_manager` enforces."""
    issue = vote if isinstance(vote, Issue) else db.session.get(Issue, vote.issue_id)
    return issues.holds(actor, issue, Action.MANAGE_VOTE)


def require_manager(actor: Actor, issue: Issue) -> None:
    issues.require_on_issue(actor, Action.MANAGE_VOTE, issue)


def votes_of_issue(actor: Actor, issue_id: int) -> list[Vote]:
    issues.get_issue(actor, issue_id)
    return list(db.session.scalars(select(Vote).where(Vote.issue_id == issue_id).order_by(Vote.id)))


def rule_of(vote: Vote) -> rules.Rule:
    return _parsed_rule(json.dumps(vote.rule, sort_keys=True))


@functools.lru_cache(maxsize=256)
def _parsed_rule(data: str) -> rules.Rule:
    # A rule is checked field by field when parsed; the few a site uses are parsed once.
    return rules.rule_from_data(json.loads(data))


def plans_of(vote: Vote) -> list[tuple[VoteOption, costshare.Plan]]:
    return [
        (option, costshare.plan_from_data(option.plan))
        for option in vote.options
        if option.plan is not None
    ]


def count(vote: Vote) -> Count:
    """The vote's ballots summed by choice in the database; only confirmed ones count."""
    rows = db.session.execute(_COUNT, {"vote_id": vote.id})
    by_choice = {
        choice: Weight(headcount, area, weight) for choice, headcount, area, weight in rows
    }
    eligible = Weight(vote.eligible_headcount, vote.eligible_area, vote.eligible_weight)
    return Count(eligible=eligible, by_choice=by_choice)


_ballots = Ballot.__table__
# Built once, Core: a live tally runs it a few times a second for every vote being watched.
_COUNT = (
    select(
        _ballots.c.choice,
        func.count(),
        func.sum(_ballots.c.area, type_=Area()),
        func.sum(_ballots.c.weight, type_=CustomWeight()),
    )
    .where(_ballots.c.vote_id == bindparam("vote_id"), _ballots.c.counted)
    .group_by(_ballots.c.choice)
)


def approvable(vote: Vote) -> list[str]:
    if vote.kind is VoteKind.APPROVAL:
        return [FOR]
    return [option.key for option in vote.options if option.key != ABSTAIN]


def standing(vote: Vote, tally: Count | None = None) -> dict:
    """Where the vote stands: participation against its thresholds and, where results are
    shown, each option's headcount and area. What the live meter and the tally API show."""
    tally = tally or count(vote)
    verdict = decide_verdict(rule_of(vote), tally, approvable(vote))
    participation = [
        reason_data(vote, reason) for reason in verdict.reasons if reason.kind == "participation"
    ]
    data = {
        "vote_id": vote.id,
        "state": vote.state.value,
        "eligible": weight_data(tally.eligible),
        "participants": weight_data(verdict.participants),
        "participation": participation,
    }
    if vote.state is VoteState.CLOSED or vote.live_results:
        data["options"] = {
            option.key: weight_data(tally.by_choice.get(option.key, Weight()))
            for option in vote.options
        }
        data["approval"] = [
            reason_data(vote, reason) for reason in verdict.reasons if reason.kind == "approval"
        ]
    return data


def weight_data(weight: Weight) -> dict:
    return {
        "headcount": weight.headcount,
        "area": f"{weight.area:.2f}",
        "weight": f"{weight.weight:.6f}",
    }


def reason_data(vote: Vote, reason) -> dict:
    """A threshold checked, as numbers for the meter and as said data for readers."""
    ratio, threshold = percents(reason.ratio, reason.threshold.fraction)
    return {
        "kind": reason.kind,
        "measure": reason.measure.value,
        "choice": reason.choice,
        # Percentages without the sign: "71.20", with more places where two would blur.
        "ratio": ratio.rstrip("%"),
        "threshold": threshold.rstrip("%"),
        "comparison": reason.threshold.comparison.value,
        "met": reason.met,
        "said": reason.said(option_said(vote, reason.choice)),
    }


def option_said(vote: Vote, key: str | None) -> str | dict | None:
    """An option as a reader is told it: for, against and abstain as phrases, a plan by its
    own name; never by its key."""
    if key is None:
        return None
    if key in OPTION_WORDS:
        return OPTION_WORDS[key]()
    return next((option.label for option in vote.options if option.key == key), key)


# What one person may do ------------------------------------------------------------------------


def permissions(actor: Actor, vote: Vote) -> access.VotePermissions:
    """What the actor may do with the vote now, decided once (hall.voting.access): the answer
    the API publishes and the pages render; the operations enforce the same rules."""
    return access.decide(situation(actor, vote))


def situation(
    actor: Actor, vote: Vote, *, households: tuple[access.ActorHousehold, ...] | None = None
) -> access.Situation:
    """The facts `permissions` decides from; `households` where the caller has read them."""
    issue = db.session.get(Issue, vote.issue_id)
    now = utcnow()
    open_ = vote.state is VoteState.OPEN
    if households is None:
        households = _households_of(actor, vote) if open_ else ()
    return access.Situation(
        state=vote.state,
        taking_ballots=ballot_box.taking_ballots(vote.state, vote.opens_at, vote.closes_at, now),
        closing_time_passed=vote.closes_at <= now,
        manages=may_manage(actor, issue),
        issue_state=issue.state.value,
        issue_has_running_vote=vote.state is not VoteState.CLOSED or _has_running_vote(issue.id),
        households=households,
        results_live=vote.live_results,
    )


def permissions_on_issue(actor: Actor, issue: Issue) -> access.VotePermissions:
    """What the actor may do about votes on an issue that has none running: set one up."""
    return access.on_issue(
        manages=may_manage(actor, issue),
        issue_state=issue.state.value,
        issue_has_running_vote=_has_running_vote(issue.id),
    )


def _has_running_vote(issue_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(Vote.id)
            .where(Vote.issue_id == issue_id, Vote.state != VoteState.CLOSED)
            .limit(1)
        )
    )


def _households_of(actor: Actor, vote: Vote) -> tuple[access.ActorHousehold, ...]:
    """The households the actor casts for, as they stand: their own, and those whose proxy
    they hold."""
    if actor.person_id is None:
        return ()
    session = db.session
    own = facts.households_asked(session, vote.id, persons=[actor.person_id], units=())
    found = [
        access.ActorHousehold(own=True, ballot_channel=h.ballot_channel, proxy_given=h.proxy_active)
        for h in own.households.values()
    ]
    found += [
        access.ActorHousehold(own=False, ballot_channel=h.ballot_channel)
        for h in facts.held_by(session, vote.id, actor.person_id)
    ]
    return tuple(found)


# Setting up ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteSpec:
    """What the council sets up; validated by the schema for shape, here for meaning."""

    title: str
    kind: VoteKind
    rule: dict
    closes_at: datetime
    opens_at: datetime | None = None
    secret: bool = False
    live_results: bool = True
    plans: tuple[dict, ...] = ()  # each {"label": ..., "plan": {...}}
    scope_kind: ScopeKind | None = None  # None: the issue's own scope
    scope_ids: tuple[int, ...] = ()
    unit_weights: dict[int, Decimal] | None = None


def create_vote(actor: Actor, issue_id: int, spec: VoteSpec) -> Vote:
    """Set a vote up on an issue in deliberation or judgment; the issue moves to judgment."""
    issue = issues.get_issue(actor, issue_id, for_update=True)
    require_manager(actor, issue)
    if issue.state not in (State.DELIBERATION, State.JUDGMENT):
        raise refusals.ISSUE_NOT_READY()
    rule = _rule(spec.rule)
    now = utcnow()
    opens_at = spec.opens_at or now
    if spec.closes_at <= max(opens_at, now):
        raise refusals.CLOSES_BEFORE_OPENING()
    if spec.scope_kind is None:
        kind, ids = issue.scope_kind, scope_ids(issue)
    else:
        kind, ids = spec.scope_kind, list(spec.scope_ids)
        try:
            scope_rows(issue.community_id, kind, ids)  # each checked to be in the community
        except HallError as error:  # named as the request names it
            raise error.refusal(fields=["electorate"], **error.params) from None
    if rules.Measure.WEIGHT in rule.measures and not spec.unit_weights:
        raise refusals.WEIGHTS_REQUIRED()
    vote = Vote(
        issue_id=issue.id,
        community_id=issue.community_id,
        title=spec.title.strip(),
        kind=spec.kind,
        rule=rules.rule_to_data(rule),
        secret=spec.secret,
        live_results=spec.live_results,
        opens_at=opens_at,
        closes_at=spec.closes_at,
        scope={"kind": kind.value, "ids": ids},
        unit_weights={str(k): str(v) for k, v in spec.unit_weights.items()}
        if spec.unit_weights
        else None,
        created_by_id=actor.account_id,
    )
    vote.options = _options(spec)
    db.session.add(vote)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise refusals.VOTE_UNDER_WAY() from None
    _check_plans_split(vote)
    if issue.state is State.DELIBERATION:
        issues.move_on(actor, issue, Name.OPEN_JUDGMENT)
    catalogue.of("vote.created").queue(issues.issue_room(issue.id), {"vote": vote})
    db.session.commit()
    return vote


def _rule(data: dict) -> rules.Rule:
    try:
        return rules.rule_from_data(data)
    except rules.RuleError as error:
        raise error.refused(under="rule") from None


def _options(spec: VoteSpec) -> list[VoteOption]:
    if spec.kind is VoteKind.APPROVAL:
        if len(spec.plans) > 1:
            raise refusals.ONE_PLAN_TO_APPROVE()
        plan = _plan(spec.plans[0], 0) if spec.plans else None
        keyed = [(FOR, "For", plan), (AGAINST, "Against", None), (ABSTAIN, "Abstain", None)]
    else:
        if not 2 <= len(spec.plans) <= MAX_PLANS:
            raise refusals.PLANS_TO_CHOOSE_FROM(num=MAX_PLANS)
        keyed = []
        for n, entry in enumerate(spec.plans, start=1):
            plan = _plan(entry, n - 1)
            if any(plan["name"] == name for _, name, _ in keyed):
                raise costshare.DUPLICATE_PLAN(fields=[f"plans.{n - 1}.label"])
            keyed.append((f"plan_{n}", plan["name"], plan))
        keyed.append((ABSTAIN, "Abstain", None))
    return [
        VoteOption(key=key, position=position, label=label, plan=plan)
        for position, (key, label, plan) in enumerate(keyed)
    ]


def _plan(entry: dict, index: int) -> dict:
    """A plan checked by the core; its label names it unless it has a name of its own."""
    data = {"name": entry.get("label", "").strip(), **entry["plan"]}
    try:
        return costshare.plan_to_data(costshare.plan_from_data(data))
    except costshare.CostShareError as error:
        raise error.refused(under=f"plans.{index}.plan") from None


def _check_plans_split(vote: Vote) -> None:
    """Each plan must split over the units it would bind: refused now, not at close."""
    units = electorate.paying_units(vote)
    if not units:
        raise refusals.NO_ONE_TO_VOTE()
    for index, (_, plan) in enumerate(plans_of(vote)):
        try:
            costshare.split(plan, units)
        except costshare.CostShareError as error:
            raise error.refused(under=f"plans.{index}.plan") from None


def cancel_vote(actor: Actor, vote_id: int) -> None:
    """Take back a vote set up but never opened: one set up wrongly, or whose closing time
    passed first. Nothing of it is in the ledger yet, and the issue may have another vote,
    which it could not while this one stood."""
    vote = get_vote(actor, vote_id, for_update=True)
    issue = issues.get_issue(actor, vote.issue_id, for_update=True)
    require_manager(actor, issue)
    if vote.state is not VoteState.SCHEDULED:
        raise refusals.VOTE_NOT_CANCELLABLE()
    catalogue.of("vote.cancelled").queue(issues.issue_room(issue.id), {"vote": vote})
    db.session.delete(vote)
    db.session.commit()


def open_vote(actor: Actor, vote_id: int) -> Vote:
    """Fix the electorate and start taking ballots."""
    vote = get_vote(actor, vote_id, for_update=True)
    issue = db.session.get(Issue, vote.issue_id)
    require_manager(actor, issue)
    if vote.state is not VoteState.SCHEDULED:
        raise refusals.VOTE_NOT_OPENABLE()
    now = utcnow()
    if vote.closes_at <= now:
        raise refusals.OPENING_TOO_LATE()
    households = electorate.snapshot(vote)
    if not households:
        raise refusals.ELECTORATE_EMPTY()
    if vote.unit_weights is not None:
        missing = [u for h in households for u in h.unit_ids if str(u) not in vote.unit_weights]
        if missing:
            raise refusals.WEIGHTS_MISSING(units=", ".join(map(str, missing[:20])))
    vote.state = VoteState.OPEN
    vote.opened_at = now
    vote.opens_at = max(vote.opens_at, now)
    entry = ledger.append(
        vote_chain(vote.id),
        "vote.opened",
        vote_subject(vote.id),
        actor.account_id,
        {
            "vote_id": vote.id,
            "issue_id": vote.issue_id,
            "title": vote.title,
            "kind": vote.kind.value,
            "rule": vote.rule,
            "secret": vote.secret,
            "options": [{"key": o.key, "label": o.label, "plan": o.plan} for o in vote.options],
            "opens_at": vote.opens_at.isoformat(),
            "closes_at": vote.closes_at.isoformat(),
            "electorate": [
                {"number": n, "units": list(h.unit_ids), "area": str(h.area)}
                for n, h in enumerate(households, start=1)
            ],
            "unit_weights": vote.unit_weights,
        },
    )
    _announce(vote, "vote.opened", {"vote": vote, "hash": entry.hash})
    db.session.commit()
    return vote


def _announce(vote: Vote, name: str, data: dict) -> None:
    """To the vote's own room and its issue's, once each (hall.voting.events)."""
    event = catalogue.of(name)
    for room in (vote_room(vote.id), issues.issue_room(vote.issue_id)):
        event.queue(room, data)


# Closing ---------------------------------------------------------------------------------------


def close_vote(actor: Actor, vote_id: int, *, if_failed: str, reason: str | None = "") -> Vote:
    """Stop taking ballots, decide, record the result and move the issue on. Closing before
    the closing time needs a `reason` (a form left empty gives none)."""
    reason = reason or ""
    vote = get_vote(actor, vote_id, for_update=True)
    issue = issues.get_issue(actor, vote.issue_id, for_update=True)
    require_manager(actor, issue)
    if vote.state is not VoteState.OPEN:
        raise refusals.VOTE_NOT_CLOSABLE()
    if if_failed not in set(IfFailed):
        raise refusals.IF_FAILED_UNKNOWN()
    now = utcnow()
    if now < vote.closes_at and not reason.strip():
        raise refusals.EARLY_CLOSE_REASON_REQUIRED()
    pending = db.session.scalar(
        select(func.count()).where(Ballot.vote_id == vote.id, Ballot.counted.is_(False))
    )
    if pending:
        raise refusals.PAPER_BALLOTS_PENDING(num=pending)
    tally = count(vote)
    verdict = decide_verdict(rule_of(vote), tally, approvable(vote))
    vote.state = VoteState.CLOSED
    vote.closed_at = now
    vote.closed_by_id = actor.account_id
    vote.passed = verdict.passed
    vote.winner = verdict.winner
    vote.result = result_data(vote, tally, verdict)
    entry = ledger.append(
        vote_chain(vote.id),
        "vote.closed",
        vote_subject(vote.id),
        actor.account_id,
        {"vote_id": vote.id, "early_reason": reason.strip(), **vote.result},
    )
    vote.result = {**vote.result, "hash": entry.hash}
    why = verdict_said(verdict.passed, [reason["said"] for reason in vote.result["reasons"]])
    # An issue escalated or reopened while its vote ran has gone elsewhere: the result is
    # kept and published with the vote, and the issue stays where it was taken.
    if issue.state is State.JUDGMENT:
        if verdict.passed:
            issues.move_on(actor, issue, Name.PUBLISH, why)
        else:
            name = Name.REOPEN if if_failed == IfFailed.DELIBERATION else Name.CLOSE
            issues.move_on(actor, issue, name, why)
    _announce(vote, "vote.closed", {"vote": vote, "result": vote.result})
    db.session.commit()
    return vote


def result_data(vote: Vote, tally: Count, verdict: Verdict) -> dict:
    """The result as it is kept, published and hashed into the ledger."""
    winning = next((o for o in vote.options if o.key == verdict.winner), None)
    shares = []
    if winning is not None and winning.plan is not None:
        split = costshare.split(
            costshare.plan_from_data(winning.plan), electorate.paying_units(vote)
        )
        shares = [
            {
                "unit_id": s.unit_id,
                "label": s.label,
                "coefficient": str(s.coefficient),
                "amount": s.amount,
            }
            for s in split.shares
        ]
    return {
        "eligible": weight_data(tally.eligible),
        "participants": weight_data(verdict.participants),
        "silent": weight_data(verdict.silent),
        "silent_added_to": verdict.silent_added_to,
        "by_choice": {
            o.key: weight_data(tally.by_choice.get(o.key, Weight())) for o in vote.options
        },
        "passed": verdict.passed,
        "winner": verdict.winner,
        "reasons": [reason_data(vote, reason) for reason in verdict.reasons],
        "shares": shares,
    }
