"""The voting stage's pages: a vote with its live participation meter, each household's share
under each plan, casting a ballot in two taps, proxies, the council's forms (set up, open,
close, paper ballots) and the table of every household's amounts.

Every action is a plain form POST answered with a redirect back to the vote, or, when a field
is wrong, with the page again and the error beside the field; so all of it works without
JavaScript. vote.js only turns the first tap into a confirmation on the same page and keeps
the meter live.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_skeleton
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext, lazy_gettext
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from hall.auth import current_actor
from hall.community import service as community_service
from hall.community.models import Community
from hall.errors import Conflict, Forbidden, HallError, Invalid, NotFound
from hall.extensions import db
from hall.issues import service as issues_service
from hall.issues.lifecycle import State
from hall.issues.models import Issue
from hall.realtime import outbox
from hall.types import utcnow
from hall.voting import ballots, casting, costshare, overview, rules, schemas, service
from hall.voting.models import Channel, Vote, VoteKind, VoteState
from hall.voting.tally import percent
from hall.web.forms import apply_errors, flash_refusal
from hall.web.labels import (
    CHANNEL_NAMES,
    COST_BASE_NAMES,
    IF_FAILED_NAMES,
    MEASURE_NAMES,
    RULE_PRESET_NAMES,
    SILENCE_NAMES,
    VOTE_KIND_NAMES,
    VOTE_STATE_NAMES,
    field_message,
    option_label,
)

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms before 3.3 takes (value, label) pairs
    SelectChoice = None

bp = Blueprint("voting", __name__)

FORM_PLANS = 3  # plans the setup form offers; the API takes up to service.MAX_PLANS
MEASURES = ("area", "headcount", "weight")
SETTING_UP = (State.DELIBERATION, State.JUDGMENT)


def _choice(value: str, label) -> object:
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


def _choices(names: dict) -> list:
    return [_choice(value, label) for value, label in names.items()]


# Forms ------------------------------------------------------------------------------------------


class ActionForm(FlaskForm):
    """A button's form: its CSRF token and nothing else."""


class BallotForm(FlaskForm):
    choice = HiddenField()
    unit = HiddenField()  # empty for the voter's own household
    replaces = HiddenField()  # the receipt of the ballot being changed


class ProxyForm(FlaskForm):
    username = StringField(
        lazy_gettext("Your neighbour's username in Hall"),
        validators=[
            InputRequired(lazy_gettext("Give your neighbour's username.")),
            Length(max=64, message=lazy_gettext("A username is at most 64 characters.")),
        ],
        render_kw={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"},
    )
    authorisation = TextAreaField(
        lazy_gettext("What you authorise them to do"),
        validators=[
            InputRequired(
                lazy_gettext(
                    "Say what authorises the proxy: the letter's reference or the owner's words."
                )
            ),
            Length(max=schemas.TEXT_MAX, message=lazy_gettext("The text is too long.")),
        ],
        render_kw={"rows": 2},
    )


class CloseForm(FlaskForm):
    if_failed = RadioField(
        lazy_gettext("If the vote fails, the issue goes"),
        choices=_choices(IF_FAILED_NAMES),
        validate_choice=False,
        validators=[InputRequired(lazy_gettext("Say where the issue goes if the vote fails."))],
    )
    reason = TextAreaField(
        lazy_gettext("Reason for closing before the closing time"),
        validators=[Length(max=schemas.TEXT_MAX, message=lazy_gettext("The text is too long."))],
        render_kw={"rows": 2},
    )


class PaperForm(FlaskForm):
    unit = SelectField(
        lazy_gettext("Household"),
        validate_choice=False,
        validators=[InputRequired(lazy_gettext("Choose the household of the sheet."))],
    )
    choice = SelectField(
        lazy_gettext("Choice marked on the sheet"),
        validate_choice=False,
        validators=[InputRequired(lazy_gettext("Choose one of the options offered."))],
    )
    sheet = StringField(
        lazy_gettext("Sheet reference"),
        validators=[
            InputRequired(
                lazy_gettext("Give the paper sheet's reference, so the sheet can be found again.")
            ),
            Length(max=schemas.SHEET_MAX, message=lazy_gettext("The text is too long.")),
        ],
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        lazy_gettext("What is wrong with the sheet?"),
        validators=[
            InputRequired(lazy_gettext("Say what is wrong with the sheet.")),
            Length(max=schemas.TEXT_MAX, message=lazy_gettext("The text is too long.")),
        ],
        render_kw={"rows": 2},
    )


class PlanForm(Form):
    """One cost-sharing plan of the setup form; a plan left blank is not offered."""

    name = StringField(
        lazy_gettext("Name of the plan"),
        validators=[
            Length(max=costshare.NAME_LIMIT, message=lazy_gettext("The name is too long."))
        ],
    )
    total = StringField(lazy_gettext("Total cost, in yuan"), render_kw={"inputmode": "decimal"})
    subsidy = StringField(lazy_gettext("Subsidy, in yuan"), render_kw={"inputmode": "decimal"})
    base = SelectField(
        lazy_gettext("What the cost is shared by"),
        choices=_choices(COST_BASE_NAMES),
        default="area",
        validate_choice=False,
    )
    floor_coefficients = StringField(lazy_gettext("Coefficient of each floor"))
    compensation = StringField(lazy_gettext("Compensation paid to each flat, by floor, in yuan"))


class VoteForm(FlaskForm):
    title = StringField(
        lazy_gettext("Title of the vote"),
        validators=[
            InputRequired(lazy_gettext("Give the vote a title.")),
            Length(max=schemas.TITLE_MAX, message=lazy_gettext("The title is too long.")),
        ],
    )
    kind = RadioField(
        lazy_gettext("What do the owners choose?"),
        choices=_choices(VOTE_KIND_NAMES),
        default=VoteKind.PLANS.value,
        validate_choice=False,
    )
    preset = SelectField(
        lazy_gettext("Rule"),
        choices=_choices(RULE_PRESET_NAMES),
        default=rules.MAJOR_MATTER,
        validate_choice=False,
    )
    silence = RadioField(
        lazy_gettext("Owners who do not vote"),
        choices=_choices(SILENCE_NAMES),
        default=rules.Silence.NOT_COUNTED.value,
        validate_choice=False,
    )
    secret = BooleanField(lazy_gettext("Secret ballot"))
    live_results = BooleanField(
        lazy_gettext("Show each option's count while the vote is open"), default=True
    )
    closes_at = StringField(lazy_gettext("Closes at"), render_kw={"type": "datetime-local"})
    plans = FieldList(FormField(PlanForm), min_entries=FORM_PLANS, max_entries=FORM_PLANS)


# Shared by the pages --------------------------------------------------------------------------


@bp.app_context_processor
def _vote_words() -> dict:
    return {
        "vote_panel": _vote_panel,
        "vote_state_names": VOTE_STATE_NAMES,
    }


def _vote_panel(issue: Issue) -> dict | None:
    """The issue page's panel: the issue's votes, and whether to offer setting one up."""
    actor = current_actor()
    try:
        votes = service.votes_of_issue(actor, issue.id)
        manages = service.may_manage(actor, issue)
    except HallError:
        return None
    except SQLAlchemyError:  # an error page must still render when the database cannot
        db.session.rollback()
        return None
    running = any(vote.state is not VoteState.CLOSED for vote in votes)
    may_set_up = manages and not running and issue.state in SETTING_UP
    if not votes and not may_set_up:
        return None
    return {"votes": votes, "may_set_up": may_set_up}


@bp.app_template_filter("yuan")
def yuan(fen: int | None, sign: bool = True) -> str:
    """Whole fen as yuan with two decimals and thousands grouped: 1234567 -> ¥12,345.67
    (without the ¥ where a table's heading says yuan already)."""
    if fen is None:
        return ""
    whole, cents = divmod(abs(fen), 100)
    return f"{'-' if fen < 0 else ''}{'¥' if sign else ''}{whole:,}.{cents:02d}"


@bp.app_template_filter("receipt_groups")
def receipt_groups(receipt: str) -> list[str]:
    """A receipt in groups of four, to read out or compare by eye."""
    return [receipt[index : index + 4] for index in range(0, len(receipt), 4)]


def _zone(community: Community) -> ZoneInfo:
    try:
        return ZoneInfo(community.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _moment(value: datetime | None, zone: ZoneInfo) -> str:
    """A moment in the community's time zone with its weekday: "2026年12月4日周五 18:00"."""
    if value is None:
        return ""
    locale = get_locale()
    day = format_skeleton("yMMMEd", value, tzinfo=zone, locale=locale)
    return f"{day} {format_skeleton('Hm', value, tzinfo=zone, locale=locale)}"


def _back_to_vote(vote_id: int, anchor: str | None = None):
    return redirect(url_for("voting.show", vote_id=vote_id, _anchor=anchor))


def _expired() -> Invalid:
    return Invalid("The form has expired.", {"csrf_token": ["The form has expired."]})


# The vote page ----------------------------------------------------------------------------------


@bp.get("/votes/<int:vote_id>")
@login_required
def show(vote_id: int):
    return _vote_page(vote_id)


def _vote_page(
    vote_id: int,
    *,
    status: int = 200,
    proxy_form: ProxyForm | None = None,
    close_form: CloseForm | None = None,
    paper_form: PaperForm | None = None,
    reject_form: RejectForm | None = None,
    reject_id: int | None = None,
):
    actor = current_actor()
    room = service.vote_room(vote_id)
    seq = outbox.current_seq(room)  # before the vote is read: nothing falls in between
    seen = overview.vote_overview(actor, vote_id)
    vote = seen.vote
    issue = issues_service.get_issue(actor, vote.issue_id)
    community = community_service.get_community(actor, vote.community_id)
    zone = _zone(community)
    rule = service.rule_of(vote)
    options = [
        {"key": option.key, "label": option_label(option), "plan": option.plan is not None}
        for option in vote.options
    ]
    labels = {option["key"]: option["label"] for option in options}
    taking = _taking_ballots(vote)
    given = overview.proxy_given(actor, vote) if vote.state is VoteState.OPEN else None
    households = [
        _household_view(household, options, labels, taking, given) for household in seen.households
    ]
    standing = seen.standing
    paper_form = paper_form or PaperForm(formdata=None)
    if seen.manages and vote.state is VoteState.OPEN:
        units = overview.electorate_units(vote)
        paper_form.unit.choices = [_choice("", gettext("Choose…"))] + [
            _choice(str(unit_id), label) for unit_id, label in units
        ]
        paper_form.choice.choices = [_choice("", gettext("Choose…"))] + [
            _choice(option["key"], option["label"]) for option in options
        ]
    recorders = overview.account_names({ballot.cast_by_id for ballot in seen.pending_paper})
    page = render_template(
        "votes/show.html",
        vote=vote,
        issue=issue,
        community=community,
        zone=zone,
        times=_times(vote, zone),
        rule_text=rules.describe(rule, gettext),
        preset_name=RULE_PRESET_NAMES.get(rule.preset),
        options=options,
        labels=labels,
        plan_options=[option for option in options if option["plan"]],
        standing=standing,
        meter=_meter(standing, rule),
        totals=_totals(standing, options),
        approval=_approval(standing, labels),
        households=households,
        given=given,
        taking=taking,
        manages=seen.manages,
        pending_paper=[
            {
                "ballot": ballot,
                "household": ballot.member.label,
                "choice": labels.get(ballot.choice, ballot.choice),
                "recorder": recorders.get(ballot.cast_by_id, ""),
                "mine": ballot.cast_by_id == actor.account_id,
            }
            for ballot in seen.pending_paper
        ],
        proxy_form=proxy_form or ProxyForm(formdata=None, authorisation=_default_authorisation()),
        close_form=close_form or CloseForm(formdata=None),
        paper_form=paper_form,
        reject_form=reject_form,
        reject_id=reject_id,
        channel_names=CHANNEL_NAMES,
        room=room,
        room_seq=seq,
    )
    return page, status


def _taking_ballots(vote: Vote) -> bool:
    """The rule the ballot box applies, asked beforehand to show or hide the vote buttons."""
    try:
        casting.check_open(vote.state, vote.opens_at, vote.closes_at)
    except Conflict:
        return False
    return True


def _times(vote: Vote, zone: ZoneInfo) -> dict:
    return {
        "opened": _moment(vote.opened_at, zone),
        "closes": _moment(vote.closes_at, zone),
        "closed": _moment(vote.closed_at, zone),
        "zone": zone.key,
    }


def _default_authorisation() -> str:
    return gettext("I authorise this neighbour to cast my household's ballot in this vote.")


def _household_view(household, options, labels, taking: bool, given) -> dict:
    """What the page shows of one household the reader votes for, and what they may do."""
    own = household.proxy is None
    ballot = household.ballot
    unit = household.unit_ids[0] if household.unit_ids else None
    paper = ballot is not None and ballot.channel is Channel.PAPER
    blocked_by_proxy = own and given is not None
    return {
        "label": household.label,
        "own": own,
        "unit": "" if own else str(unit),
        "anchor": "household-own" if own else f"household-{unit}",
        "ballot": ballot,
        "choice": labels.get(ballot.choice, ballot.choice) if ballot else None,
        "paper": paper,
        "pending": paper and not ballot.counted,
        "secret_key": ballot.nonce if ballot is not None else None,
        "shares": [
            {"key": option["key"], "label": option["label"], "fen": household.shares[option["key"]]}
            for option in options
            if option["key"] in household.shares
        ],
        "may_cast": taking and not paper and not blocked_by_proxy,
        "replaces": ballot.receipt if ballot is not None and not paper else "",
        "proxy": household.proxy,
    }


def _percent(part: str, whole: str) -> str:
    """part / whole as a percentage with two places, exactly, without the sign."""
    whole_value = Fraction(Decimal(whole))
    if whole_value <= 0:
        return "0.00"
    return percent(Fraction(Decimal(part)) / whole_value).rstrip("%")


def _meter(standing: dict, rule: rules.Rule) -> list[dict]:
    """Participation by each measure the vote counts, against its threshold if it has one."""
    if not standing:
        return []
    shown = {"area", "headcount"} | {measure.value for measure in rule.measures}
    reasons = {reason["measure"]: reason for reason in standing.get("participation", [])}
    rows = []
    for measure in MEASURES:
        if measure not in shown:
            continue
        part = standing["participants"][measure]
        whole = standing["eligible"][measure]
        reason = reasons.get(measure)
        rows.append(
            {
                "measure": measure,
                "label": MEASURE_NAMES[measure],
                "part": part,
                "whole": whole,
                "percent": reason["ratio"] if reason else _percent(part, whole),
                "threshold": reason["threshold"] if reason else None,
                "comparison": reason["comparison"] if reason else None,
                "met": reason["met"] if reason else None,
            }
        )
    return rows


def _totals(standing: dict, options: list[dict]) -> list[dict] | None:
    """Each option's headcount and area, where results are shown."""
    if "options" not in standing:
        return None
    return [
        {**option, **standing["options"].get(option["key"], {"headcount": 0, "area": "0"})}
        for option in options
    ]


def _approval(standing: dict, labels: dict) -> list[dict]:
    """How the leading choice stands against each approval threshold, where results are shown."""
    return [
        {
            **reason,
            "label": MEASURE_NAMES.get(reason["measure"], reason["measure"]),
            "choice_label": labels.get(reason["choice"], reason["choice"]),
        }
        for reason in standing.get("approval", [])
    ]


# Casting a ballot -------------------------------------------------------------------------------


@bp.get("/votes/<int:vote_id>/confirm")
@login_required
def confirm(vote_id: int):
    """The second tap without JavaScript: the choice made, and the button that casts it."""
    actor = current_actor()
    seen = overview.vote_overview(actor, vote_id)
    vote = seen.vote
    options = [
        {"key": option.key, "label": option_label(option), "plan": option.plan is not None}
        for option in vote.options
    ]
    labels = {option["key"]: option["label"] for option in options}
    choice = request.args.get("choice", "")
    if choice not in labels:
        raise NotFound("No such choice in this vote.")
    unit = request.args.get("unit", "")
    found = next(
        (
            household
            for household in seen.households
            if (household.proxy is None and not unit)
            or (household.proxy is not None and unit.isdigit() and int(unit) in household.unit_ids)
        ),
        None,
    )
    if found is None:
        raise Forbidden("You are not an owner who votes in this vote's electorate.")
    given = overview.proxy_given(actor, vote) if found.proxy is None else None
    household = _household_view(found, options, labels, _taking_ballots(vote), given)
    if not household["may_cast"]:
        return _back_to_vote(vote.id, household["anchor"])
    form = BallotForm(
        formdata=None, choice=choice, unit=household["unit"], replaces=household["replaces"]
    )
    share = next((s for s in household["shares"] if s["key"] == choice), None)
    return render_template(
        "votes/confirm.html",
        vote=vote,
        household=household,
        choice_label=labels[choice],
        share=share,
        form=form,
    )


@bp.post("/votes/<int:vote_id>/ballots")
@login_required
def cast(vote_id: int):
    actor = current_actor()
    form = BallotForm()
    if not form.validate_on_submit():
        raise _expired()
    unit = int(form.unit.data) if (form.unit.data or "").isdigit() else None
    anchor = f"household-{unit}" if unit is not None else "household-own"
    try:
        casting.cast(
            actor,
            vote_id,
            form.choice.data or "",
            unit_id=unit,
            replaces=form.replaces.data or None,
        )
    except (Invalid, Conflict) as error:
        db.session.rollback()
        flash_refusal(error)
        return _back_to_vote(vote_id, anchor)
    flash(gettext("Your ballot is cast. Its receipt is shown below."), "info")
    return _back_to_vote(vote_id, anchor)


# Proxies ----------------------------------------------------------------------------------------


@bp.post("/votes/<int:vote_id>/proxies")
@login_required
def grant_proxy(vote_id: int):
    actor = current_actor()
    form = ProxyForm()
    if form.validate_on_submit():
        account_id = overview.account_id_for_username(form.username.data)
        try:
            if account_id is None:
                # The same words as for an account that lives elsewhere: a proxy form does not
                # tell which usernames exist.
                message = "A proxy is a resident of this community with an account."
                raise Invalid(message, {"proxy_account_id": [message]})
            ballots.grant_proxy(
                actor,
                vote_id,
                proxy_account_id=account_id,
                authorisation=form.authorisation.data,
            )
        except Invalid as error:
            db.session.rollback()
            fields = {"proxy_account_id": form.username, "authorisation": form.authorisation}
            if not apply_errors(error, fields):
                raise
        except Conflict as error:
            db.session.rollback()
            flash_refusal(error)
            return _back_to_vote(vote_id, "proxy")
        else:
            flash(gettext("Your neighbour may now cast your household's ballot."), "info")
            return _back_to_vote(vote_id, "proxy")
    return _vote_page(vote_id, proxy_form=form, status=422)


@bp.post("/votes/<int:vote_id>/proxies/<int:proxy_id>/revoke")
@login_required
def revoke_proxy(vote_id: int, proxy_id: int):
    if not ActionForm().validate_on_submit():
        raise _expired()
    try:
        ballots.revoke_proxy(current_actor(), vote_id, proxy_id)
    except Conflict as error:
        db.session.rollback()
        flash_refusal(error)
    else:
        flash(gettext("The proxy is revoked: you vote for your household yourself."), "info")
    return _back_to_vote(vote_id, "household-own")


# The council ------------------------------------------------------------------------------------


@bp.post("/votes/<int:vote_id>/open")
@login_required
def open_vote(vote_id: int):
    if not ActionForm().validate_on_submit():
        raise _expired()
    try:
        service.open_vote(current_actor(), vote_id)
    except (Invalid, Conflict) as error:
        db.session.rollback()
        flash_refusal(error)
    else:
        flash(gettext("The vote is open: owners can cast their ballots now."), "info")
    return _back_to_vote(vote_id)


@bp.post("/votes/<int:vote_id>/close")
@login_required
def close_vote(vote_id: int):
    actor = current_actor()
    form = CloseForm()
    if form.validate_on_submit():
        try:
            vote = service.close_vote(
                actor, vote_id, if_failed=form.if_failed.data or "", reason=form.reason.data or ""
            )
        except (Invalid, Conflict) as error:
            db.session.rollback()
            if not apply_errors(error, {"if_failed": form.if_failed, "reason": form.reason}):
                flash_refusal(error)
                return _back_to_vote(vote_id, "close")
        else:
            if vote.passed:
                flash(gettext("The vote is closed. It passed."), "info")
            else:
                flash(gettext("The vote is closed. It did not pass."), "info")
            return _back_to_vote(vote_id)
    return _vote_page(vote_id, close_form=form, status=422)


@bp.post("/votes/<int:vote_id>/paper")
@login_required
def record_paper(vote_id: int):
    actor = current_actor()
    form = PaperForm()
    status = 422
    if form.validate_on_submit():
        unit = int(form.unit.data) if (form.unit.data or "").isdigit() else None
        try:
            if unit is None:
                message = "That unit is not in this vote's electorate."
                raise Invalid(message, {"unit": [message]})
            ballots.record_paper(
                actor, vote_id, unit_id=unit, choice=form.choice.data, sheet=form.sheet.data
            )
        except (Invalid, Conflict) as error:
            db.session.rollback()
            fields = {"unit": form.unit, "choice": form.choice, "sheet": form.sheet}
            if not apply_errors(error, fields):
                flash_refusal(error)
                return _back_to_vote(vote_id, "paper")
            status = error.status
        else:
            message = gettext(
                "The paper ballot is recorded. It counts once a second member confirms it."
            )
            flash(message, "info")
            return _back_to_vote(vote_id, "paper")
    return _vote_page(vote_id, paper_form=form, status=status)


@bp.post("/votes/<int:vote_id>/paper/<int:ballot_id>/confirm")
@login_required
def confirm_paper(vote_id: int, ballot_id: int):
    if not ActionForm().validate_on_submit():
        raise _expired()
    try:
        ballots.confirm_paper(current_actor(), vote_id, ballot_id)
    except (Invalid, Conflict) as error:
        db.session.rollback()
        flash_refusal(error)
    else:
        flash(gettext("The paper ballot is confirmed and counts."), "info")
    return _back_to_vote(vote_id, "paper")


@bp.post("/votes/<int:vote_id>/paper/<int:ballot_id>/reject")
@login_required
def reject_paper(vote_id: int, ballot_id: int):
    form = RejectForm()
    if form.validate_on_submit():
        try:
            ballots.reject_paper(current_actor(), vote_id, ballot_id, form.reason.data)
        except Invalid as error:
            db.session.rollback()
            if not apply_errors(error, {"reason": form.reason}):
                raise
        except Conflict as error:
            db.session.rollback()
            flash_refusal(error)
            return _back_to_vote(vote_id, "paper")
        else:
            flash(gettext("The paper ballot is struck out: the household may vote again."), "info")
            return _back_to_vote(vote_id, "paper")
    return _vote_page(vote_id, reject_form=form, reject_id=ballot_id, status=422)


# Setting a vote up ------------------------------------------------------------------------------

_YUAN = re.compile(r"\d{1,12}(?:\.\d{1,2})?")
_SEPARATORS = re.compile(r"[,，;；、\n]+")
_FLOOR_VALUE = re.compile(r"(-?\d{1,3})\s*[:：=]\s*(\d{1,12}(?:\.\d{1,12})?)")
_CLOSES_AT = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")
MONEY_MESSAGE = lazy_gettext("Give an amount in yuan, such as 1380000 or 1380000.50.")
COEFFICIENTS_MESSAGE = lazy_gettext(
    "Write each floor as floor:coefficient, such as 3:0.7, separated by commas."
)
COMPENSATION_MESSAGE = lazy_gettext(
    "Write each floor as floor:yuan, such as 1:2000, separated by commas."
)
PLAN_TEXT_FIELDS = ("name", "total", "subsidy", "floor_coefficients", "compensation")
PLAN_FIELDS = (*PLAN_TEXT_FIELDS, "base")


class _Wrong(ValueError):
    """A plan's field that does not read: its message is shown beside it."""


def _fen(text: str) -> int:
    cleaned = re.sub(r"[\s,，¥￥元]", "", text or "")
    if not _YUAN.fullmatch(cleaned):
        raise _Wrong(str(MONEY_MESSAGE))
    return int(Decimal(cleaned) * 100)


def _by_floor(text: str, message, value) -> dict[str, object]:
    """ "1:0, 2:0, 3:0.7" -> {"1": value("0"), ...}; a floor given twice is refused."""
    found: dict[str, object] = {}
    for item in _SEPARATORS.split(text or ""):
        item = item.strip()
        if not item:
            continue
        match = _FLOOR_VALUE.fullmatch(item)
        if match is None:
            raise _Wrong(str(message))
        floor = str(int(match.group(1)))
        if floor in found:
            raise _Wrong(gettext("Floor %(floor)s is given twice.", floor=floor))
        found[floor] = value(match.group(2))
    return found


def _plan_entry(plan: PlanForm) -> dict | None:
    """The plan as the service takes it; its fields' errors set where they do not read."""
    data = {name: (plan[name].data or "").strip() for name in PLAN_TEXT_FIELDS}
    if not any(data.values()):
        return None
    entry: dict = {"base": plan.base.data or "area"}
    readers = {
        "total": lambda text: _fen(text) if text else _missing_total(),
        "subsidy": lambda text: _fen(text) if text else 0,
        "floor_coefficients": lambda text: _by_floor(text, COEFFICIENTS_MESSAGE, str),
        "compensation": lambda text: _by_floor(text, COMPENSATION_MESSAGE, _fen_of_floor),
    }
    for name, read in readers.items():
        try:
            entry[name] = read(data[name])
        except _Wrong as wrong:
            plan[name].errors = list(plan[name].errors or []) + [str(wrong)]
    return {"label": data["name"], "plan": entry}


def _missing_total() -> int:
    raise _Wrong(gettext("Give the plan's total cost."))


def _fen_of_floor(text: str) -> int:
    try:
        return _fen(text)
    except _Wrong:
        raise _Wrong(str(COMPENSATION_MESSAGE)) from None


def _closes_at(text: str, zone: ZoneInfo) -> datetime | None:
    for pattern in _CLOSES_AT:
        try:
            moment = datetime.strptime((text or "").strip(), pattern)
        except ValueError:
            continue
        return moment.replace(tzinfo=zone).astimezone(UTC)
    return None


def _default_closing(zone: ZoneInfo) -> str:
    """A week from now, on the hour, as a datetime-local input shows it."""
    moment = (utcnow() + timedelta(days=7)).astimezone(zone)
    return moment.replace(minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")


@bp.route("/issues/<int:issue_id>/votes/new", methods=["GET", "POST"])
@login_required
def new_vote(issue_id: int):
    actor = current_actor()
    issue = issues_service.get_issue(actor, issue_id)
    service.require_manager(actor, issue)
    community = community_service.get_community(actor, issue.community_id)
    zone = _zone(community)
    form = VoteForm()
    if request.method == "GET":
        form.closes_at.data = _default_closing(zone)
    problems: list[str] = []
    plan_problems: list[str] = []
    failed = False
    if form.is_submitted():
        failed = not form.validate()
        spec, index_of = _spec(form, zone)
        failed = failed or spec is None
        if not failed:
            try:
                vote = service.create_vote(actor, issue.id, spec)
            except (Invalid, Conflict) as error:
                db.session.rollback()
                _place_setup_errors(error, form, index_of, problems, plan_problems)
                failed = True
            else:
                flash(gettext("The vote is set up. Check it, then open it."), "info")
                return redirect(url_for("voting.show", vote_id=vote.id))
    page = render_template(
        "votes/new.html",
        issue=issue,
        community=community,
        form=form,
        zone=zone.key,
        problems=problems,
        plan_problems=plan_problems,
        failed=failed,
        presets=[
            (label, rules.describe(rules.PRESETS[name], gettext))
            for name, label in RULE_PRESET_NAMES.items()
        ],
        issue_ready=issue.state in SETTING_UP,
    )
    return page, 422 if failed else 200


def _spec(form: VoteForm, zone: ZoneInfo) -> tuple[service.VoteSpec | None, list[int]]:
    """The vote the form describes, or None where a field does not read (its error set).

    Also the form's plan number of each plan offered: blank plans are left out, and the
    service names a plan by its place among those offered."""
    wrong = False
    if form.kind.data not in {kind.value for kind in VoteKind}:
        form.kind.errors = list(form.kind.errors) + [gettext("Choose one of the options offered.")]
        wrong = True
    if form.preset.data not in RULE_PRESET_NAMES:
        form.preset.errors = list(form.preset.errors) + [
            gettext("Choose one of the options offered.")
        ]
        wrong = True
    if form.silence.data not in SILENCE_NAMES:
        form.silence.errors = list(form.silence.errors) + [
            gettext("Choose one of the options offered.")
        ]
        wrong = True
    closes_at = _closes_at(form.closes_at.data, zone)
    if closes_at is None:
        form.closes_at.errors = list(form.closes_at.errors) + [
            gettext("Give the day and time the vote closes.")
        ]
        wrong = True
    plans, index_of, names = [], [], set()
    for index, plan in enumerate(form.plans):
        entry = _plan_entry(plan)
        if entry is None:
            continue
        if any(plan[name].errors for name in PLAN_FIELDS):
            wrong = True
        name = entry["label"]
        if name and name in names:
            plan["name"].errors = list(plan["name"].errors) + [gettext(costshare.DUPLICATE_PLAN)]
            wrong = True
        names.add(name)
        plans.append(entry)
        index_of.append(index)
    if wrong or form.errors:
        return None, index_of
    spec = service.VoteSpec(
        title=form.title.data,
        kind=VoteKind(form.kind.data),
        rule={"preset": form.preset.data, "silence": form.silence.data},
        closes_at=closes_at,
        secret=bool(form.secret.data),
        live_results=bool(form.live_results.data),
        plans=tuple(plans),
    )
    return spec, index_of


_PLAN_ERROR = re.compile(r"plans\.(\d+)\.plan\.(\w+)")


def _place_setup_errors(
    error: HallError, form: VoteForm, index_of: list[int], problems: list, plan_problems: list
) -> None:
    """Each of the service's field errors beside its field; the rest above the form."""
    fields = {"title": form.title, "closes_at": form.closes_at}
    for name, messages in (error.fields or {}).items():
        texts = [field_message(message) for message in messages]
        match = _PLAN_ERROR.match(name)
        if match and int(match.group(1)) < len(index_of) and match.group(2) in PLAN_FIELDS:
            target = form.plans[index_of[int(match.group(1))]][match.group(2)]
            target.errors = list(target.errors or []) + texts
        elif name in fields:
            fields[name].errors = list(fields[name].errors or []) + texts
        elif name.startswith("rule.silence"):
            form.silence.errors = list(form.silence.errors or []) + texts
        elif name.startswith("rule"):
            form.preset.errors = list(form.preset.errors or []) + texts
        elif name.startswith("plans"):
            plan_problems.extend(texts)
        else:
            problems.extend(texts)
    if not error.fields:
        problems.append(field_message(error.message))


# Every household's amounts ----------------------------------------------------------------------


@bp.get("/votes/<int:vote_id>/shares")
@login_required
def shares(vote_id: int):
    """Every household's amount under every plan, side by side: each is public (DOMAIN.md)."""
    actor = current_actor()
    seen = overview.vote_overview(actor, vote_id)
    table = overview.shares_table(actor, vote_id)
    mine = {unit for household in seen.households for unit in household.unit_ids}
    return render_template(
        "votes/shares.html",
        vote=seen.vote,
        plans=[{"key": option.key, "label": option_label(option)} for option in table["plans"]],
        rows=table["rows"],
        mine=mine,
    )
