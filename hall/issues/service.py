"""What users do with issues: propose, edit, attach photos, list, support, move through the
lifecycle. One transaction each, authorised first; every transition and support is recorded in
the community's ledger and announced through the outbox in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, undefer

from hall.community.models import Account, Community
from hall.community.policy import Action, Actor, Decision, Place, decide
from hall.community.roles import ScopeKind as GrantScope
from hall.community.service import community_room, get_community, place_of_community, require
from hall.errors import Conflict, Forbidden, Invalid, NotFound
from hall.extensions import db
from hall.issues import lifecycle, markdown, notifications, photos, scope
from hall.issues.lifecycle import Capacity, Facts, Name, Refusal, State, TransitionRefused
from hall.issues.models import (
    Advance,
    Issue,
    IssuePhoto,
    IssueSettings,
    ScopeKind,
    Support,
    ThresholdKind,
)
from hall.ledger import chain as ledger
from hall.realtime import outbox
from hall.types import utcnow

TITLE_MAX = 120
BODY_MAX = 20_000
PHOTOS_PER_ISSUE = 6
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PAGE_SIZE = 20
# Roles that speak for the council: they move issues along and reply officially.
COUNCIL_ACTIONS = (Action.RUN_SESSION, Action.MANAGE_VOTE, Action.PUBLISH_DECISION)


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
    require(actor, Action.MODERATE, place_of_community(community))
    current = issue_settings(community_id)
    if "categories" in changes:
        categories = [c.strip() for c in changes["categories"] if c.strip()]
        if not categories or len(set(categories)) != len(categories):
            message = "List at least one category, each once."
            raise Invalid(message, {"categories": [message]})
    kind = changes.get("threshold_kind", current.threshold_kind)
    threshold = changes.get("support_threshold", current.support_threshold)
    if kind == ThresholdKind.SHARE and threshold > 100:
        message = "A share of households is at most 100 per cent."
        raise Invalid(message, {"support_threshold": [message]})
    for key, value in changes.items():
        setattr(current, key, value)
    db.session.add(current)
    db.session.commit()
    return current


# Reading ---------------------------------------------------------------------------------------


def place_of_issue(issue: Issue) -> Place:
    community = db.session.get(Community, issue.community_id)
    return place_of_community(community)


def capacities(actor: Actor, issue: Issue, place: Place | None = None) -> frozenset[Capacity]:
    """Who the actor is to this issue, for the lifecycle."""
    place = place or place_of_issue(issue)
    held = set()
    if actor.account_id is not None and actor.account_id == issue.proposer_id:
        held.add(Capacity.PROPOSER)
    if any(decide(actor, action, place) is Decision.ALLOWED for action in COUNCIL_ACTIONS):
        held.add(Capacity.COUNCIL)
    if decide(actor, Action.OVERSEE, place) is Decision.ALLOWED:
        held.add(Capacity.SUBDISTRICT)
    return frozenset(held)


def get_issue(actor: Actor, issue_id: int, *, for_update: bool = False) -> Issue:
    """An issue the actor may see. A draft is its proposer's alone until it is submitted."""
    query = select(Issue).where(Issue.id == issue_id)
    if for_update:
        query = query.with_for_update()
    issue = db.session.scalar(query)
    if issue is None:
        raise NotFound("No such issue.")
    get_community(actor, issue.community_id)
    if issue.state is State.DRAFT and actor.account_id != issue.proposer_id:
        raise NotFound("No such issue.")
    return issue


def require_on_issue(actor: Actor, action: Action, issue: Issue, place: Place | None = None):
    """The action allowed at the issue's community, or at one of its buildings that the issue
    reaches (a resident granted at their building takes part in what concerns it)."""
    place = place or place_of_issue(issue)
    _require_in_community(actor, action, place, lambda: scope.buildings_reached(issue))


def _require_in_community(
    actor: Actor, action: Action, place: Place, reached: Callable[[], set[int] | None]
) -> None:
    if decide(actor, action, place) is Decision.ALLOWED:
        return
    own_buildings = {
        grant.place.building_id
        for grant in actor.grants
        if grant.kind is GrantScope.BUILDING and grant.place.community_id == place.community_id
    }
    if own_buildings:
        buildings = reached()  # None: every building of the community
        for building_id in own_buildings if buildings is None else own_buildings & buildings:
            at_building = Place(place.subdistrict_id, place.community_id, building_id)
            if decide(actor, action, at_building) is Decision.ALLOWED:
                return
    require(actor, action, place, "issue")


def require_participant(actor: Actor, issue: Issue, place: Place | None = None) -> None:
    """May the actor take part in the issue's thread and supports: a resident of its scope, or
    someone who speaks for the council or the subdistrict."""
    place = place or place_of_issue(issue)
    require_on_issue(actor, Action.COMMENT, issue, place)
    if capacities(actor, issue, place) & {Capacity.COUNCIL, Capacity.SUBDISTRICT}:
        return
    if not scope.lives_in_scope(actor.person_id, issue):
        raise Forbidden("This issue concerns residents of its scope only, and you are not one.")


@dataclass(frozen=True)
class IssuePage:
    items: list[Issue]
    total: int
    page: int
    per_page: int

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
    get_community(actor, community_id)
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
    return IssuePage(list(items), total, filters.page, filters.per_page)


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
    except NotFound:  # someone else's draft
        return None


def get_photo(actor: Actor, photo_id: int) -> IssuePhoto:
    photo = db.session.scalar(
        select(IssuePhoto).where(IssuePhoto.id == photo_id).options(undefer(IssuePhoto.data))
    )
    if photo is None:
        raise NotFound("No such photo.")
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


def support_threshold(issue: Issue) -> int:
    """How many supports move this issue on."""
    settings = issue_settings(issue.community_id)
    if settings.threshold_kind is ThresholdKind.COUNT:
        return settings.support_threshold
    return lifecycle.supports_needed(
        settings.threshold_kind.value, settings.support_threshold, scope.households_in_scope(issue)
    )


def timeline(issue: Issue) -> list[dict]:
    """The issue's recorded transitions, oldest first, from the ledger."""
    entries = ledger.entries_about(issue_subject(issue.id))
    names = dict(
        db.session.execute(
            select(Account.id, Account.display_name).where(
                Account.id.in_({e.actor_account_id for e in entries if e.actor_account_id})
            )
        ).all()
    )
    return [
        {
            "at": entry.recorded_at,
            "kind": entry.kind,
            "actor": names.get(entry.actor_account_id),
            "hash": entry.hash,
            **entry.payload,
        }
        for entry in entries
        if entry.kind == "issue.transition"
    ]


# Writing ---------------------------------------------------------------------------------------


def _text(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise Invalid("The title is empty.", {"title": ["Give the issue a title."]})
    if len(title) > TITLE_MAX:
        message = f"At most {TITLE_MAX} characters."
        raise Invalid("The title is too long.", {"title": [message]})
    if not body:
        raise Invalid("The description is empty.", {"body": ["Describe the issue."]})
    if len(body) > BODY_MAX:
        message = f"At most {BODY_MAX} characters."
        raise Invalid("The description is too long.", {"body": [message]})
    return title, body


def _category(community_id: int, category: str) -> str:
    if category not in issue_settings(community_id).categories:
        message = "Not one of this community's categories."
        raise Invalid(message, {"category": [message]})
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
    """A new issue in draft, or straight into collecting supports when `submit`."""
    community = get_community(actor, community_id)
    title, body = _text(title, body)
    rows = scope.scope_rows(community_id, scope_kind, scope_ids)
    _require_in_community(
        actor,
        Action.PROPOSE_ISSUE,
        place_of_community(community),
        lambda: scope.buildings_of(scope_kind, rows),
    )
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
        raise Conflict("Another issue took this number; try again.") from None
    if submit:
        _move(issue, Name.SUBMIT, State.COLLECTING, actor.account_id)
    db.session.commit()
    return issue


def _open_to_its_proposer(actor: Actor, issue_id: int) -> Issue:
    """The issue, locked, if the actor proposed it and deliberation has not begun: until then
    its text and photos are the proposer's to correct; after, the thread is the place."""
    issue = get_issue(actor, issue_id, for_update=True)
    if Capacity.PROPOSER not in capacities(actor, issue):
        raise Forbidden("Only the proposer changes an issue's text and photos.")
    if issue.state not in (State.DRAFT, State.COLLECTING):
        raise Conflict("Once deliberation begins an issue is no longer changed; comment instead.")
    return issue


def edit_issue(actor: Actor, issue_id: int, changes: dict) -> Issue:
    """The proposer corrects the text or category while supports are being gathered."""
    issue = _open_to_its_proposer(actor, issue_id)
    title, body = _text(changes.get("title", issue.title), changes.get("body", issue.body))
    if "category" in changes:
        issue.category = _category(issue.community_id, changes["category"])
    issue.title, issue.body, issue.body_html = title, body, markdown.render(body)
    issue.updated_at = utcnow()
    _announce(issue, "issue.updated")
    db.session.commit()
    return issue


def add_photo(actor: Actor, issue_id: int, data: bytes) -> IssuePhoto:
    issue = _open_to_its_proposer(actor, issue_id)
    count = db.session.scalar(
        select(func.count()).select_from(IssuePhoto).where(IssuePhoto.issue_id == issue.id)
    )
    if count >= PHOTOS_PER_ISSUE:
        message = f"At most {PHOTOS_PER_ISSUE} photos."
        raise Invalid(message, {"photo": [message]})
    try:
        photo = photos.process(data, max_bytes=PHOTO_MAX_BYTES)
    except photos.PhotoRefused as refused:
        raise Invalid(refused.message, {"photo": [refused.message]}) from None
    row = IssuePhoto(
        issue_id=issue.id,
        content_type=photo.content_type,
        width=photo.width,
        height=photo.height,
        data=photo.data,
    )
    db.session.add(row)
    issue.updated_at = utcnow()
    db.session.flush()
    _announce(issue, "issue.updated")
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
        message = f"{name!r} is not a transition made here."
        raise Invalid(message, {"transition": [message]})
    target = None
    if merge_into is not None:
        target = db.session.get(Issue, merge_into)
        if target is None or target.community_id != issue.community_id:
            raise Invalid("No such issue here.", {"merge_into": ["No such issue here."]})
    facts = Facts(
        reason=reason,
        support_threshold_met=issue.support_count >= support_threshold(issue),
        merge_target_state=target.state if target is not None else None,
        merge_target_is_self=target is not None and target.id == issue.id,
    )
    try:
        state = lifecycle.apply(issue.state, name, capacities(actor, issue), facts)
    except TransitionRefused as refused:
        raise _refusal(refused) from None
    _move(issue, Name(name), state, actor.account_id, reason.strip(), merge_into=target)
    db.session.commit()
    return issue


def move_on(actor: Actor, issue: Issue, name: Name, reason: str = "") -> None:
    """A later stage moves the issue as its own work requires: voting opens judgment and
    closes it. The caller has locked the issue (`get_issue(..., for_update=True)`) and commits."""
    facts = Facts(reason=reason)
    try:
        state = lifecycle.apply(issue.state, name, capacities(actor, issue), facts)
    except TransitionRefused as refused:
        raise _refusal(refused) from None
    _move(issue, name, state, actor.account_id, reason.strip())


_REFUSAL_FIELD = {
    Refusal.REASON_REQUIRED: "reason",
    Refusal.NO_MERGE_TARGET: "merge_into",
    Refusal.MERGE_TARGET_INVALID: "merge_into",
    Refusal.THRESHOLD_NOT_MET: "transition",
    Refusal.UNKNOWN: "transition",
}


def _refusal(refused: TransitionRefused):
    if refused.refusal is Refusal.NOT_YOURS:
        return Forbidden(refused.detail)
    if refused.refusal is Refusal.WRONG_STATE:
        return Conflict(refused.detail, {"transition": [refused.detail]})
    return Invalid(refused.detail, {_REFUSAL_FIELD[refused.refusal]: [refused.detail]})


def _move(
    issue: Issue,
    name: Name,
    state: State,
    account_id: int | None,
    reason: str = "",
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
        "issue.transition",
        issue_subject(issue.id),
        account_id,
        payload,
    )
    outbox.queue(
        issue_room(issue.id),
        "issue.state",
        {**payload, "at": entry.recorded_at.isoformat(), "hash": entry.hash},
    )
    _announce(issue, "issue.created" if name is Name.SUBMIT else "issue.updated")
    summary = {"transition": name.value, "state": state.value, "reason": reason}
    if account_id != issue.proposer_id:
        notifications.notify([issue.proposer_id], notifications.Kind.STATE, issue, summary)
    if name is Name.SUBMIT:
        residents = [a for a in scope.accounts_in_scope(issue) if a != issue.proposer_id]
        notifications.notify(residents, notifications.Kind.NEW_ISSUE, issue, {})


def _announce(issue: Issue, event: str) -> None:
    """Tell the issue's viewers and, once it is public, the community's issue list."""
    outbox.queue(issue_room(issue.id), event, {"issue": issue_summary(issue)})
    announce_to_list(issue, event)


def announce_to_list(issue: Issue, event: str) -> None:
    if issue.state is not State.DRAFT:  # a draft is its proposer's alone
        outbox.queue(community_room(issue.community_id), event, {"issue": issue_summary(issue)})


def issue_summary(issue: Issue) -> dict:
    """What a list row or a live update shows of an issue."""
    return {
        "id": issue.id,
        "community_id": issue.community_id,
        "number": issue.number,
        "title": issue.title,
        "category": issue.category,
        "state": issue.state.value,
        "support_count": issue.support_count,
        "comment_count": issue.comment_count,
        "updated_at": issue.updated_at.isoformat(),
    }


# Supports --------------------------------------------------------------------------------------


def support(actor: Actor, issue_id: int) -> Issue:
    """A resident in scope adds their support, once; enough of them move the issue on."""
    issue = get_issue(actor, issue_id, for_update=True)
    require_on_issue(actor, Action.COMMENT, issue)
    if issue.state not in lifecycle.SUPPORTABLE:
        raise Conflict("Supports are gathered only while the issue is collecting them.")
    if not scope.lives_in_scope(actor.person_id, issue):
        raise Forbidden("Only residents of the issue's scope support it.")
    if supported_by(actor, issue):
        raise Conflict("You already support this issue.")
    db.session.add(
        Support(issue_id=issue.id, person_id=actor.person_id, account_id=actor.account_id)
    )
    try:
        db.session.flush()
    except IntegrityError:  # the same person supporting from two devices at once
        db.session.rollback()
        raise Conflict("You already support this issue.") from None
    needed = support_threshold(issue)
    _count_support(issue, +1, needed)
    settings = issue_settings(issue.community_id)
    if settings.advance is Advance.AUTOMATIC and issue.support_count >= needed:
        facts = Facts(support_threshold_met=True)
        state = lifecycle.apply(issue.state, Name.ADVANCE, frozenset({Capacity.SYSTEM}), facts)
        _move(issue, Name.ADVANCE, state, None, "")
    db.session.commit()
    return issue


def withdraw_support(actor: Actor, issue_id: int) -> Issue:
    issue = get_issue(actor, issue_id, for_update=True)
    if issue.state not in lifecycle.SUPPORTABLE:
        raise Conflict("Supports change only while the issue is collecting them.")
    found = db.session.scalar(
        select(Support).where(Support.issue_id == issue.id, Support.person_id == actor.person_id)
    )
    if found is None:
        raise Conflict("You do not support this issue.")
    db.session.delete(found)
    _count_support(issue, -1, support_threshold(issue))
    db.session.commit()
    return issue


def _count_support(issue: Issue, change: int, needed: int) -> None:
    # In SQL, not in Python: SQLite takes no row lock on the read before, so two supports at
    # once would otherwise count as one.
    db.session.execute(
        update(Issue)
        .where(Issue.id == issue.id)
        .values(support_count=Issue.support_count + change, updated_at=utcnow())
    )
    db.session.refresh(issue)
    ledger.append(
        ledger.community_chain(issue.community_id),
        "issue.support" if change > 0 else "issue.support_withdrawn",
        issue_subject(issue.id),
        None,
        # Who supports is kept in the supports table, not in the ledger anyone in the
        # community may read: the chain records how the count moved.
        {"issue_id": issue.id, "supports": issue.support_count},
    )
    data = {"issue_id": issue.id, "support_count": issue.support_count, "threshold": needed}
    outbox.queue(issue_room(issue.id), "issue.supports", data)
    announce_to_list(issue, "issue.updated")
