"""What users do with issues: propose, edit, attach photos, list, support, move through the
lifecycle. One transaction each, authorised first by the one access answer (hall.issues.access)
that the doors publish as `permissions`; every transition and support is recorded in the
community's ledger and announced through the outbox in the same transaction."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy import delete, event, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from hall.community.models import Account, Community, Ownership, Tenancy
from hall.community.policy import Action, Actor, Place
from hall.community.service import get_community, place_of_community
from hall.errors import NO_SUCH_COMMUNITY, HallError
from hall.extensions import db
from hall.issues import (
    access,
    events,
    lifecycle,
    markdown,
    notifications,
    photos,
    refusals,
    scope,
)
from hall.issues.access import Act, CommunityPermissions, IssueAccess, IssuePermissions
from hall.issues.lifecycle import Capacity, Facts, Name, State, TransitionRefused
from hall.issues.models import (
    BODY_MAX,
    TITLE_MAX,
    Advance,
    Issue,
    IssuePhoto,
    IssueScope,
    IssueSettings,
    ScopeKind,
    Support,
    ThresholdKind,
)
from hall.issues.sentences import NotificationKind
from hall.ledger import chain as ledger
from hall.types import utcnow

PHOTOS_PER_ISSUE = 6
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PAGE_SIZE = 20
ISSUE_TRANSITION = "issue.transition"  # the ledger entry of a lifecycle step


def issue_room(issue_id: int) -> str:
    return f"issue:{issue_id}"


def issue_subject(issue_id: int) -> str:
    return f"issue:{issue_id}"


# Settings ------------------------------------------------------------------------------------


def issue_settings(community_id: int) -> IssueSettings:
    """The community's settings, or the defaults (a row not added to the session)."""
    found = db.session.get(IssueSettings, community_id)
    if found is not None:
        return found
    defaults = IssueSettings(community_id=community_id)
    for column in IssueSettings.__table__.columns:
        if getattr(defaults, column.key) is None and column.default is not None:
            value = column.default.arg
            setattr(defaults, column.key, value(None) if callable(value) else value)
    return defaults


def configure(actor: Actor, community_id: int, changes: dict) -> IssueSettings:
    community = get_community(actor, community_id)
    if not community_permissions_of(actor, community).moderate:
        raise standing_in(actor, community).refusal(missing=NO_SUCH_COMMUNITY)
    current = issue_settings(community_id)
    if "categories" in changes:
        categories = [c.strip() for c in changes["categories"] if c.strip()]
        if not categories or len(set(categories)) != len(categories):
            raise refusals.CATEGORIES_INVALID()
    kind = changes.get("threshold_kind", current.threshold_kind)
    threshold = changes.get("support_threshold", current.support_threshold)
    if kind == ThresholdKind.SHARE and threshold > 100:
        raise refusals.SHARE_OVER_WHOLE()
    moves_thresholds = any(
        key in changes and changes[key] != getattr(current, key)
        for key in ("threshold_kind", "support_threshold")
    )
    for key, value in changes.items():
        setattr(current, key, value)
    db.session.add(current)
    if moves_thresholds:
        db.session.flush()
        _announce_thresholds(community_id)
    db.session.commit()
    return current


def _announce_thresholds(community_id: int) -> None:
    """The issues gathering supports now need another number of them: their viewers hear it."""
    collecting = db.session.scalars(
        select(Issue).where(Issue.community_id == community_id, Issue.state == State.COLLECTING)
    )
    for issue in collecting:
        _announce_supports(issue, support_threshold(issue))


# Who may do what -------------------------------------------------------------------------------


# What the access answer is judged from, kept for the session (one request) so that a service
# and the door answering after it ask the database once: where each community lies, and for
# each reader and issue the facts read about them. What they change is kept up to date here.
_PLACES = "hall_issue_places"
_FACTS = "hall_issue_facts"
_RESIDENCE = (Ownership, Tenancy, IssueScope)  # a flush of these makes the facts stale


@dataclass(frozen=True)
class _Known:
    reached: frozenset[int] | None
    lives_in_scope: bool
    supports: bool


def place_of_issue(issue: Issue) -> Place:
    places = db.session.info.setdefault(_PLACES, {})
    place = places.get(issue.community_id)
    if place is None:
        community = db.session.get(Community, issue.community_id)
        place = places[issue.community_id] = place_of_community(community)
    return place


@event.listens_for(Session, "after_flush")
def _forget_stale_facts(session: Session, flush_context) -> None:
    changed = itertools.chain(session.new, session.dirty, session.deleted)
    if _FACTS in session.info and any(isinstance(row, _RESIDENCE) for row in changed):
        del session.info[_FACTS]


@event.listens_for(Session, "after_rollback")
def _forget_facts(session: Session) -> None:
    session.info.pop(_FACTS, None)


def _remember_support(actor: Actor, issue: Issue, supports: bool) -> None:
    facts = db.session.info.get(_FACTS, {})
    key = (actor.account_id, actor.person_id, issue.id)
    if key in facts:
        facts[key] = replace(facts[key], supports=supports)


def standing_in(actor: Actor, community: Community) -> access.Standing:
    return access.standing(actor, place_of_community(community))


def community_permissions_of(actor: Actor, community: Community) -> CommunityPermissions:
    return access.community_permissions(standing_in(actor, community))


def community_permissions(actor: Actor, community_id: int) -> CommunityPermissions:
    """What the actor may do with the community's issues: propose (where), moderate."""
    return community_permissions_of(actor, get_community(actor, community_id))


def require_proposing(actor: Actor, community_id: int) -> CommunityPermissions:
    """The community permissions of someone who may propose some issue here (the form's
    scope offers only the places `proposal_buildings` allows), or the refusal."""
    community = get_community(actor, community_id)
    standing = standing_in(actor, community)
    answer = access.community_permissions(standing)
    if not answer.propose_issue:
        raise standing.refusal(missing=NO_SUCH_COMMUNITY)
    return answer


def issue_access(actor: Actor, issue: Issue) -> IssueAccess:
    """The one access answer for the actor and the issue, from the facts it needs: one query
    for someone with a home in the community (do they live in its scope, do they support it),
    none for others, and the buildings the scope reaches only for someone granted at a
    building."""
    standing = access.standing(actor, place_of_issue(issue))
    memo = db.session.info.setdefault(_FACTS, {})
    key = (actor.account_id, actor.person_id, issue.id)
    known = memo.get(key)
    if known is None:
        reached, lives, supports = None, False, False
        if standing.visible and access.needs_reach(standing):
            found = scope.buildings_reached(issue)
            reached = None if found is None else frozenset(found)
        if standing.visible and actor.person_id is not None:
            lives, supports = scope.residence_and_support(actor.person_id, issue)
        known = memo[key] = _Known(reached, lives, supports)
    facts = access.IssueFacts(
        state=issue.state,
        proposer=actor.account_id is not None and actor.account_id == issue.proposer_id,
        reached=known.reached,
        lives_in_scope=known.lives_in_scope,
        supports=known.supports,
    )
    return access.judge(actor, standing, facts)


def permissions(actor: Actor, issue: Issue) -> IssuePermissions:
    """What the actor may do with the issue now: the answer the services enforce."""
    return issue_access(actor, issue).permissions()


def holds(actor: Actor, issue: Issue, action: Action) -> bool:
    """Is the action allowed at the issue's community, or at one of the actor's buildings
    that the issue reaches? (For later stages: voting asks about MANAGE_VOTE.)"""
    return issue_access(actor, issue).holds(action)


def require_on_issue(actor: Actor, action: Action, issue: Issue) -> None:
    found = issue_access(actor, issue)
    if not found.holds(action):
        raise found.standing.refusal()


def capacities(actor: Actor, issue: Issue) -> frozenset[Capacity]:
    """Who the actor is to this issue, for the lifecycle."""
    standing = access.standing(actor, place_of_issue(issue))
    return access.capacities(actor, standing, actor.account_id == issue.proposer_id)


def get_issue(actor: Actor, issue_id: int, *, for_update: bool = False) -> Issue:
    """An issue the actor may see. A draft is its proposer's alone until it is submitted."""
    # With its proposer: every announcement of the issue names them.
    query = select(Issue).where(Issue.id == issue_id)
    query = query.options(joinedload(Issue.proposer, innerjoin=True))
    if for_update:
        query = query.with_for_update(of=Issue)
    issue = db.session.scalar(query)
    if issue is None:
        raise refusals.NO_SUCH_ISSUE()
    standing = access.standing(actor, place_of_issue(issue))
    if not standing.visible:
        raise standing.refusal()
    if issue.state is State.DRAFT and actor.account_id != issue.proposer_id:
        raise refusals.NO_SUCH_ISSUE()
    return issue


def _acting(actor: Actor, issue_id: int, act: Act, *, for_update: bool = True):
    """The issue, locked, and the access answer, if it allows `act`."""
    issue = get_issue(actor, issue_id, for_update=for_update)
    found = issue_access(actor, issue)
    found.require(act)
    return issue, found


# Reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuePage:
    items: list[Issue]
    total: int
    page: int
    per_page: int
    permissions: CommunityPermissions = CommunityPermissions()

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class IssueFilters:
    state: State | None = None
    category: str | None = None
    building_id: int | None = None
    mine: bool = False
    words: str = ""
    page: int = 1
    per_page: int = PAGE_SIZE


def list_issues(actor: Actor, community_id: int, filters: IssueFilters) -> IssuePage:
    """Issues of a community, newest first; drafts only the actor's own."""
    community = get_community(actor, community_id)
    query = select(Issue).where(Issue.community_id == community_id)
    query = query.where(or_(Issue.state != State.DRAFT, Issue.proposer_id == actor.account_id))
    if filters.state is not None:
        query = query.where(Issue.state == filters.state)
    if filters.category:
        query = query.where(Issue.category == filters.category)
    if filters.mine:
        query = query.where(Issue.proposer_id == actor.account_id)
    if filters.building_id is not None:
        query = query.where(
            or_(
                Issue.scope_kind == ScopeKind.COMMUNITY,
                Issue.id.in_(scope.issues_touching_building(filters.building_id)),
            )
        )
    for word in filters.words.split()[:8]:
        # Substring match: Chinese has no spaces between words, so a word index would miss
        # most of what residents type; LIKE finds it on both databases.
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(Issue.title.ilike(pattern, escape="\\"), Issue.body.ilike(pattern, escape="\\"))
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.options(joinedload(Issue.proposer))
        .order_by(Issue.id.desc())
        .limit(filters.per_page)
        .offset((filters.page - 1) * filters.per_page)
    )
    return IssuePage(
        list(items),
        total,
        filters.page,
        filters.per_page,
        community_permissions_of(actor, community),
    )


def find_by_number(actor: Actor, community_id: int, number: int) -> Issue | None:
    """Issue `number` of the community (the number people quote), if the actor may see it."""
    get_community(actor, community_id)
    found = db.session.scalar(
        select(Issue.id).where(Issue.community_id == community_id, Issue.number == number)
    )
    if found is None:
        return None
    try:
        return get_issue(actor, found)
    except HallError:  # someone else's draft
        return None


def get_photo(actor: Actor, photo_id: int) -> IssuePhoto:
    photo = db.session.scalar(
        select(IssuePhoto).where(IssuePhoto.id == photo_id).options(undefer(IssuePhoto.data))
    )
    if photo is None:
        raise refusals.NO_SUCH_PHOTO()
    get_issue(actor, photo.issue_id)
    return photo


def photos_of(issue: Issue) -> list[IssuePhoto]:
    return list(
        db.session.scalars(
            select(IssuePhoto).where(IssuePhoto.issue_id == issue.id).order_by(IssuePhoto.id)
        )
    )


def supported_by(actor: Actor, issue: Issue) -> bool:
    if actor.person_id is None:
        return False
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Support)
            .where(Support.issue_id == issue.id, Support.person_id == actor.person_id)
        )
        > 0
    )


def support_threshold(issue: Issue, settings: IssueSettings | None = None) -> int:
    """How many supports move this issue on (under the community's `settings`)."""
    settings = settings or issue_settings(issue.community_id)
    if settings.threshold_kind is ThresholdKind.COUNT:
        return settings.support_threshold
    return lifecycle.supports_needed(
        settings.threshold_kind.value, settings.support_threshold, scope.households_in_scope(issue)
    )


def timeline(issue: Issue) -> list[dict]:
    """The issue's recorded transitions, oldest first, from the ledger. A reason is either a
    person's own words (`reason`) or said data Hall gave (`said_reason`), rendered by the door
    in the reader's language."""
    entries = [
        entry
        for entry in ledger.entries_about(issue_subject(issue.id))
        if entry.kind == ISSUE_TRANSITION
    ]
    names = dict(
        db.session.execute(
            select(Account.id, Account.display_name).where(
                Account.id.in_({e.actor_account_id for e in entries if e.actor_account_id})
            )
        ).all()
    )
    return [_timeline_entry(entry, names.get(entry.actor_account_id)) for entry in entries]


def _timeline_entry(entry, actor_name: str | None) -> dict:
    payload = dict(entry.payload)
    reason = payload.pop("reason", "")
    said_reason = reason if isinstance(reason, Mapping) else None
    return {
        "at": entry.recorded_at,
        "kind": entry.kind,
        "actor": actor_name,
        "hash": entry.hash,
        **payload,
        "reason": None if said_reason is not None else reason,
        "said_reason": said_reason,
    }


# Writing ---------------------------------------------------------------------------------------


def _text(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise refusals.TITLE_EMPTY()
    if len(title) > TITLE_MAX:
        raise refusals.TITLE_TOO_LONG(limit=TITLE_MAX)
    if not body:
        raise refusals.DESCRIPTION_EMPTY()
    if len(body) > BODY_MAX:
        raise refusals.DESCRIPTION_TOO_LONG(limit=BODY_MAX)
    return title, body


def _category(community_id: int, category: str) -> str:
    if category not in issue_settings(community_id).categories:
        raise refusals.UNKNOWN_CATEGORY()
    return category


def create_issue(
    actor: Actor,
    community_id: int,
    *,
    title: str,
    body: str,
    category: str,
    scope_kind: ScopeKind,
    scope_ids: list[int],
    submit: bool = False,
) -> Issue:
    """A new issue in draft, or straight into collecting supports when `submit`. Someone
    granted at their building alone proposes for places in it."""
    community = get_community(actor, community_id)
    standing = standing_in(actor, community)
    require_proposing(actor, community_id)
    title, body = _text(title, body)
    rows = scope.scope_rows(community_id, scope_kind, scope_ids)
    reached = scope.buildings_of(scope_kind, rows) if access.needs_reach(standing) else None
    refused = access.proposal_refusal(standing, None if reached is None else frozenset(reached))
    if refused is not None:
        raise refused
    number = (
        db.session.scalar(
            select(func.coalesce(func.max(Issue.number), 0)).where(
                Issue.community_id == community_id
            )
        )
        + 1
    )
    issue = Issue(
        community_id=community_id,
        number=number,
        title=title,
        body=body,
        body_html=markdown.render(body),
        category=_category(community_id, category),
        scope_kind=scope_kind,
        scope=rows,
        proposer_id=actor.account_id,
        state=State.DRAFT,
    )
    db.session.add(issue)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise refusals.NUMBER_TAKEN() from None
    if submit:
        _move(issue, Name.SUBMIT, State.COLLECTING, actor.account_id)
    db.session.commit()
    return issue


def edit_issue(actor: Actor, issue_id: int, changes: dict) -> Issue:
    """The proposer corrects the text or category while supports are being gathered: until
    deliberation begins its text and photos are the proposer's to correct; after, the thread
    is the place."""
    issue, _ = _acting(actor, issue_id, Act.EDIT)
    title, body = _text(changes.get("title", issue.title), changes.get("body", issue.body))
    if "category" in changes:
        issue.category = _category(issue.community_id, changes["category"])
    issue.title, issue.body, issue.body_html = title, body, markdown.render(body)
    issue.updated_at = utcnow()
    _announce(issue, edited=True)
    db.session.commit()
    return issue


def add_photo(actor: Actor, issue_id: int, data: bytes) -> IssuePhoto:
    issue, _ = _acting(actor, issue_id, Act.EDIT)
    count = db.session.scalar(
        select(func.count()).select_from(IssuePhoto).where(IssuePhoto.issue_id == issue.id)
    )
    if count >= PHOTOS_PER_ISSUE:
        raise refusals.TOO_MANY_PHOTOS(limit=PHOTOS_PER_ISSUE)
    photo = photos.process(data, max_bytes=PHOTO_MAX_BYTES)
    row = IssuePhoto(
        issue_id=issue.id,
        content_type=photo.content_type,
        width=photo.width,
        height=photo.height,
        data=photo.data,
    )
    db.session.add(row)
    issue.updated_at = utcnow()
    _announce(issue, edited=True)
    db.session.commit()
    return row


# The lifecycle ---------------------------------------------------------------------------------


def transition(
    actor: Actor,
    issue_id: int,
    name: str,
    *,
    reason: str = "",
    merge_into: int | None = None,
) -> Issue:
    """Move the issue on, if the actor may and the preconditions hold."""
    issue = get_issue(actor, issue_id, for_update=True)
    if name not in {n.value for n in lifecycle.DELIBERATION_TRANSITIONS}:
        raise refusals.TRANSITION_NOT_MADE_HERE()
    target = None
    if merge_into is not None:
        target = db.session.get(Issue, merge_into)
        if target is None or target.community_id != issue.community_id:
            raise refusals.NO_SUCH_MERGE_TARGET()
    held = capacities(actor, issue)
    facts = Facts(
        reason=reason,
        # Asked only of a step that needs it: the threshold may take a count of households.
        support_threshold_met=_needs_threshold(name)
        and issue.support_count >= support_threshold(issue),
        merge_target_state=target.state if target is not None else None,
        merge_target_is_self=target is not None and target.id == issue.id,
    )
    state = _apply(issue.state, name, held, facts)
    _move(issue, Name(name), state, actor.account_id, reason.strip(), merge_into=target)
    db.session.commit()
    return issue


def _needs_threshold(name: str) -> bool:
    step = lifecycle.TRANSITIONS.get(Name(name))
    return step is not None and lifecycle.Requirement.SUPPORT_THRESHOLD in step.requires


def move_on(actor: Actor, issue: Issue, name: Name, reason: str | Mapping = "") -> None:
    """A later stage moves the issue as its own work requires: voting opens judgment and
    closes it. A reason Hall gives is said data (`hall.text.said`), kept as data and rendered
    when read. The caller has locked the issue (`get_issue(..., for_update=True)`) and
    commits."""
    state = _apply(issue.state, name, capacities(actor, issue), Facts(reason=reason))
    _move(
        issue, name, state, actor.account_id, reason.strip() if isinstance(reason, str) else reason
    )


def _apply(state: State, name: str, held: frozenset[Capacity], facts: Facts) -> State:
    """The lifecycle's answer; its refusal codes travel on as the API's error codes."""
    try:
        return lifecycle.apply(state, name, held, facts)
    except TransitionRefused as refused:
        raise refusals.TRANSITION_REFUSALS[refused.refusal]() from None


def _move(
    issue: Issue,
    name: Name,
    state: State,
    account_id: int | None,
    reason: str | Mapping = "",
    *,
    merge_into: Issue | None = None,
) -> None:
    """Record and announce a transition the lifecycle allowed; the caller commits."""
    previous = issue.state
    issue.state = state
    issue.updated_at = utcnow()
    if merge_into is not None:
        issue.merged_into_id = merge_into.id
    payload = {
        "issue_id": issue.id,
        "transition": name.value,
        "from": previous.value,
        "to": state.value,
        "reason": reason,
    }
    if merge_into is not None:
        payload["merge_into"] = merge_into.id
    entry = ledger.append(
        ledger.community_chain(issue.community_id),
        ISSUE_TRANSITION,
        issue_subject(issue.id),
        account_id,
        payload,
    )
    actor_name = db.session.get(Account, account_id).display_name if account_id else None
    events.ISSUE_STATE.queue(issue_room(issue.id), _timeline_entry(entry, actor_name))
    _announce(issue, created=name is Name.SUBMIT)
    summary = {"transition": name.value, "state": state.value, "reason": reason}
    if account_id != issue.proposer_id:
        notifications.notify([issue.proposer_id], NotificationKind.STATE, issue, summary)
    if name is Name.SUBMIT:
        residents = [a for a in scope.accounts_in_scope(issue) if a != issue.proposer_id]
        notifications.notify(residents, NotificationKind.NEW_ISSUE, issue, {})


def _announce(issue: Issue, *, created: bool = False, edited: bool = False) -> None:
    """Tell the issue's viewers and, once it is public, the community's issue list that its
    row changed (and, `edited`, its text or photos); each hears it once per transaction,
    as it was committed."""
    events.announce_issue(issue, created=created, edited=edited)


def announce_to_list(issue: Issue) -> None:
    """The issue's row changed (a count): its viewers and the community's list hear it."""
    _announce(issue)


# Supports --------------------------------------------------------------------------------------


def support(actor: Actor, issue_id: int) -> Issue:
    """A resident in scope adds their support, once; enough of them move the issue on."""
    issue, _ = _acting(actor, issue_id, Act.SUPPORT)
    db.session.add(
        Support(issue_id=issue.id, person_id=actor.person_id, account_id=actor.account_id)
    )
    try:
        db.session.flush()
    except IntegrityError:  # the same person supporting from two devices at once
        db.session.rollback()
        raise refusals.ALREADY_SUPPORTED() from None
    _remember_support(actor, issue, True)
    settings = issue_settings(issue.community_id)
    needed = support_threshold(issue, settings)
    _count_support(issue, +1, needed)
    if settings.advance is Advance.AUTOMATIC and issue.support_count >= needed:
        facts = Facts(support_threshold_met=True)
        state = lifecycle.apply(issue.state, Name.ADVANCE, frozenset({Capacity.SYSTEM}), facts)
        _move(issue, Name.ADVANCE, state, None, "")
    db.session.commit()
    return issue


def withdraw_support(actor: Actor, issue_id: int) -> Issue:
    issue, _ = _acting(actor, issue_id, Act.WITHDRAW_SUPPORT)
    db.session.execute(
        delete(Support).where(Support.issue_id == issue.id, Support.person_id == actor.person_id)
    )
    _remember_support(actor, issue, False)
    _count_support(issue, -1, support_threshold(issue))
    db.session.commit()
    return issue


def _count_support(issue: Issue, change: int, needed: int) -> None:
    count(issue, "support_count", change)
    ledger.append(
        ledger.community_chain(issue.community_id),
        "issue.support" if change > 0 else "issue.support_withdrawn",
        issue_subject(issue.id),
        None,
        # Who supports is kept in the supports table, not in the ledger anyone in the
        # community may read: the chain records how the count moved.
        {"issue_id": issue.id, "supports": issue.support_count},
    )
    _announce_supports(issue, needed)
    announce_to_list(issue)


def count(issue: Issue, counter: str, change: int) -> None:
    """Move one of the issue's counts (`support_count`, `comment_count`) in SQL, not in
    Python: SQLite takes no row lock on the read before, so two at once would otherwise
    count as one. The row's new values come back with the update."""
    column = getattr(Issue, counter)
    changed = db.session.execute(
        update(Issue)
        .where(Issue.id == issue.id)
        .values({counter: column + change, "updated_at": utcnow()})
        .returning(column, Issue.updated_at)
        .execution_options(synchronize_session=False)
    ).one()
    set_committed_value(issue, counter, changed[0])
    set_committed_value(issue, "updated_at", changed[1])


def _announce_supports(issue: Issue, needed: int) -> None:
    events.ISSUE_SUPPORTS.queue(
        issue_room(issue.id),
        {"issue_id": issue.id, "support_count": issue.support_count, "threshold": needed},
        subject=issue_subject(issue.id),
    )
