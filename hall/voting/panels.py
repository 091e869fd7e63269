"""What the voting stage adds to the issue's page, through the slots the page declares
(hall.web.hooks): the panel of the issue's votes, and the script that follows them live."""

from __future__ import annotations

from flask import render_template, url_for
from markupsafe import Markup

from hall.community.identity import current_actor
from hall.voting import service
from hall.voting.labels import VOTE_STATE_NAMES
from hall.web.hooks import panel


@panel("issue.after_body")
def vote_panel(issue, **context) -> str:
    """The issue's votes with their states, and the council's way to set one up."""
    actor = current_actor()
    votes = service.votes_of_issue(actor, issue.id)
    may = service.permissions_on_issue(actor, issue)
    if not votes and not may.set_up:
        return ""
    return render_template(
        "votes/_issue_panel.html",
        issue=issue,
        votes=votes,
        may_set_up=may.set_up,
        vote_state_names=VOTE_STATE_NAMES,
    )


@panel("issue.scripts")
def vote_script(**context) -> str:
    """vote.js hears the issue room's vote events: a vote set up, opened, closed, cancelled."""
    return Markup('<script src="{}"></script>').format(url_for("static", filename="vote.js"))
