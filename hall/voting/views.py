"""The voting stage's pages: a vote with its live participation meter, each household's share
under each plan, casting a ballot in two taps, proxies, the council's forms (set up, open,
close, paper ballots) and the table of every household's amounts.

Every action is a plain form POST through `hall.web.forms.submit`, answered with a redirect
back to the vote, or, when a field is wrong, with the page again and the error beside the
field; so all of it works without JavaScript. vote.js only turns the first tap into a
confirmation on the same page and keeps the meter live. What a reader may do is the service's
answer (`permissions`); the service refuses, the page says so in its language.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from hall.community import service as community_service
from hall.community.identity import current_actor
from hall.issues import service as issues_service
from hall.realtime import outbox
from hall.voting import access, casting, overview, paper, presenters, proxies, service
from hall.voting import panels as _panels  # noqa: F401  (registers the issue page's panels)
from hall.voting.forms import (
    NO_ACCOUNT,
    ActionForm,
    BallotForm,
    CloseForm,
    PaperForm,
    ProxyForm,
    RejectForm,
    VoteForm,
    default_authorisation,
    default_closing,
    read_setup,
)
from hall.voting.labels import CHANNEL_NAMES, VOTE_STATE_NAMES
from hall.web.forms import submit

bp = Blueprint("voting", __name__)
bp.add_app_template_filter(presenters.yuan, "yuan")
bp.add_app_template_filter(presenters.receipt_groups, "receipt_groups")


def _back_to_vote(vote_id: int, anchor: str | None = None):
    return redirect(url_for("voting.show", vote_id=vote_id, _anchor=anchor))


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
    vote, permissions = seen.vote, seen.permissions
    issue = issues_service.get_issue(actor, vote.issue_id)
    community = community_service.get_community(actor, vote.community_id)
    zone = presenters.zone_of(community)
    rule = service.rule_of(vote)
    options = presenters.options_of(vote)
    given = overview.proxy_given(actor, vote) if permissions.revoke_proxy else None
    paper_form = paper_form or PaperForm(formdata=None)
    if permissions.record_paper:
        paper_form.offer(overview.electorate_units(vote), options)
    recorders = overview.account_names({ballot.cast_by_id for ballot in seen.pending_paper})
    page = render_template(
        "votes/show.html",
        vote=vote,
        issue=issue,
        community=community,
        permissions=permissions,
        times=presenters.times(vote, zone),
        rule=presenters.rule_in_words(rule),
        verdict=presenters.verdict(vote),
        options=options,
        labels={option["key"]: option["label"] for option in options},
        plan_options=[option for option in options if option["plan"]],
        standing=seen.standing,
        meter=presenters.meter(seen.standing, rule),
        totals=presenters.totals(seen.standing, options),
        approval=presenters.approval(seen.standing, options),
        households=[
            presenters.household_view(household, options, given) for household in seen.households
        ],
        taking=presenters.taking_ballots(vote),
        pending_paper=presenters.pending_paper(
            seen.pending_paper,
            options,
            recorders,
            lambda ballot: access.confirms_sheet(permissions, actor.account_id, ballot.cast_by_id),
        ),
        proxy_form=proxy_form or ProxyForm(formdata=None, authorisation=default_authorisation()),
        close_form=close_form or CloseForm(formdata=None),
        paper_form=paper_form,
        reject_form=reject_form,
        reject_id=reject_id,
        vote_state_names=VOTE_STATE_NAMES,
        channel_names=CHANNEL_NAMES,
        room=room,
        room_seq=seq,
    )
    return page, status


def _status(outcome) -> int:
    return outcome.refusal.status if outcome.refusal is not None else 422


# Casting a ballot -------------------------------------------------------------------------------


@bp.get("/votes/<int:vote_id>/confirm")
@login_required
def confirm(vote_id: int):
    """The second tap without JavaScript: the choice made, and the button that casts it."""
    seen = overview.vote_overview(current_actor(), vote_id)
    options = presenters.options_of(seen.vote)
    choice = request.args.get("choice", "")
    found = presenters.household_to_confirm(
        seen.households, options, choice, request.args.get("unit", "")
    )
    household = presenters.household_view(found, options, None)
    if not household["may_cast"]:
        return _back_to_vote(vote_id, household["anchor"])
    form = BallotForm(
        formdata=None, choice=choice, unit=household["unit"], replaces=household["replaces"]
    )
    return render_template(
        "votes/confirm.html",
        vote=seen.vote,
        household=household,
        form=form,
        **presenters.confirmation(household, choice, options),
    )


@bp.post("/votes/<int:vote_id>/ballots")
@login_required
def cast(vote_id: int):
    form = BallotForm()
    unit = form.unit_id()
    outcome = submit(
        form,
        lambda: casting.cast(
            current_actor(),
            vote_id,
            form.choice.data or "",
            unit_id=unit,
            replaces=form.replaces.data or None,
        ),
    )
    if outcome.done:
        flash(gettext("Your ballot is cast. Its receipt is shown below."), "info")
    return _back_to_vote(vote_id, f"household-{unit}" if unit is not None else "household-own")


# Proxies ----------------------------------------------------------------------------------------


@bp.post("/votes/<int:vote_id>/proxies")
@login_required
def grant_proxy(vote_id: int):
    form = ProxyForm()
    outcome = submit(
        form,
        lambda: proxies.grant_proxy(
            current_actor(),
            vote_id,
            proxy_account_id=overview.account_id_for_username(form.username.data or "")
            or NO_ACCOUNT,
            authorisation=form.authorisation.data,
        ),
        form.fields(),
    )
    if outcome.done:
        flash(gettext("Your neighbour may now cast your household's ballot."), "info")
    if outcome.done or outcome.refusal is not None and not form.shows_errors():
        return _back_to_vote(vote_id, "proxy")
    return _vote_page(vote_id, proxy_form=form, status=_status(outcome))


@bp.post("/votes/<int:vote_id>/proxies/<int:proxy_id>/revoke")
@login_required
def revoke_proxy(vote_id: int, proxy_id: int):
    outcome = submit(ActionForm(), lambda: proxies.revoke_proxy(current_actor(), vote_id, proxy_id))
    if outcome.done:
        flash(gettext("The proxy is revoked: you vote for your household yourself."), "info")
    return _back_to_vote(vote_id, "household-own")


# The council ------------------------------------------------------------------------------------


@bp.post("/votes/<int:vote_id>/open")
@login_required
def open_vote(vote_id: int):
    outcome = submit(ActionForm(), lambda: service.open_vote(current_actor(), vote_id))
    if outcome.done:
        flash(gettext("The vote is open: owners can cast their ballots now."), "info")
    return _back_to_vote(vote_id)


@bp.post("/votes/<int:vote_id>/close")
@login_required
def close_vote(vote_id: int):
    form = CloseForm()
    outcome = submit(
        form,
        lambda: service.close_vote(
            current_actor(), vote_id, if_failed=form.if_failed.data or "", reason=form.reason.data
        ),
        form.fields(),
    )
    if outcome.done:
        if outcome.value.passed:
            flash(gettext("The vote is closed. It passed."), "info")
        else:
            flash(gettext("The vote is closed. It did not pass."), "info")
        return _back_to_vote(vote_id)
    if outcome.refusal is not None and not form.shows_errors():
        return _back_to_vote(vote_id, "close")
    return _vote_page(vote_id, close_form=form, status=_status(outcome))


@bp.post("/votes/<int:vote_id>/paper")
@login_required
def record_paper(vote_id: int):
    form = PaperForm()
    outcome = submit(
        form,
        lambda: paper.record_paper(
            current_actor(),
            vote_id,
            unit_id=int(form.unit.data),
            choice=form.choice.data,
            sheet=form.sheet.data,
        ),
        form.fields(),
    )
    if outcome.done:
        flash(
            gettext("The paper ballot is recorded. It counts once a second member confirms it."),
            "info",
        )
    if outcome.done or outcome.refusal is not None and not form.shows_errors():
        return _back_to_vote(vote_id, "paper")
    return _vote_page(vote_id, paper_form=form, status=_status(outcome))


@bp.post("/votes/<int:vote_id>/paper/<int:ballot_id>/confirm")
@login_required
def confirm_paper(vote_id: int, ballot_id: int):
    outcome = submit(ActionForm(), lambda: paper.confirm_paper(current_actor(), vote_id, ballot_id))
    if outcome.done:
        flash(gettext("The paper ballot is confirmed and counts."), "info")
    return _back_to_vote(vote_id, "paper")


@bp.post("/votes/<int:vote_id>/paper/<int:ballot_id>/reject")
@login_required
def reject_paper(vote_id: int, ballot_id: int):
    form = RejectForm()
    outcome = submit(
        form,
        lambda: paper.reject_paper(current_actor(), vote_id, ballot_id, form.reason.data),
        {"reason": form.reason},
    )
    if outcome.done:
        flash(gettext("The paper ballot is struck out: the household may vote again."), "info")
    if outcome.done or outcome.refusal is not None and not form.shows_errors():
        return _back_to_vote(vote_id, "paper")
    return _vote_page(vote_id, reject_form=form, reject_id=ballot_id, status=_status(outcome))


# Setting a vote up ------------------------------------------------------------------------------


@bp.route("/issues/<int:issue_id>/votes/new", methods=["GET", "POST"])
@login_required
def new_vote(issue_id: int):
    actor = current_actor()
    issue = issues_service.get_issue(actor, issue_id)
    service.require_manager(actor, issue)
    community = community_service.get_community(actor, issue.community_id)
    zone = presenters.zone_of(community)
    form = VoteForm()
    if request.method == "GET":
        form.closes_at.data = default_closing(zone)
    spec, fields = read_setup(form, zone) if form.is_submitted() else (None, None)
    if spec is not None:
        outcome = submit(form, lambda: service.create_vote(actor, issue.id, spec), fields)
        if outcome.done:
            flash(gettext("The vote is set up. Check it, then open it."), "info")
            return redirect(url_for("voting.show", vote_id=outcome.value.id))
    failed = form.is_submitted()
    page = render_template(
        "votes/new.html",
        issue=issue,
        community=community,
        form=form,
        zone=zone.key,
        problems=fields.above.errors if fields else [],
        plan_problems=fields.plans.errors if fields else [],
        failed=failed,
        presets=presenters.presets_in_words(),
        may_set_up=service.permissions_on_issue(actor, issue).set_up,
    )
    return page, 422 if failed else 200


# Every household's amount -----------------------------------------------------------------------


@bp.get("/votes/<int:vote_id>/shares")
@login_required
def shares(vote_id: int):
    """Every household's amount under every plan, side by side: each is public (docs/domain.md)."""
    actor = current_actor()
    seen = overview.vote_overview(actor, vote_id)
    table = overview.shares_table(actor, vote_id)
    return render_template(
        "votes/shares.html", vote=seen.vote, **presenters.shares_table(table, seen.households)
    )
