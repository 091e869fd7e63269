"""Panels that later stages add to a lower stage's pages, without that stage naming them.

A page declares a named slot in its template, `{{ panels("issue.after_body", issue=issue) }}`;
a stage registers a function for that slot when its pages are registered:

    @panel("issue.after_body")
    def vote_panel(issue, **context): return render_template("votes/_issue_panel.html", ...)

The slot renders every registered panel in registration order (the order of the stages), and
a panel that has nothing to show returns an empty string. So the issue stage's template knows
that panels exist, never which: voting, council and publicity each bring their own.

The page script works the same way: a stage's script, given to the page through the
"issue.scripts" slot, registers its handlers of the room's events with
`HallLive.on(kind, event, handler)` (hall/web/static/live.js).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from markupsafe import Markup

Panel = Callable[..., str]
_panels: dict[str, list[Panel]] = {}

# The slots pages declare, with what each passes its panels (as keywords; a panel takes
# **context for what it does not use). A panel registered for any other name is a typo,
# refused at start.
SLOTS = frozenset(
    {
        # The community's home page, below its figures: community.
        "community.home",
        # An issue's page, below its description: issue, and permissions (the issue
        # service's answer of what the reader may do with it).
        "issue.after_body",
        # An issue's page, after its own script: script tags of the stages that follow its
        # room (each registers its room-event handlers with HallLive.on("issue", ...)).
        # Given issue and permissions. No inline script: the Content-Security-Policy allows
        # only script files.
        "issue.scripts",
    }
)


def panel(slot: str) -> Callable[[Panel], Panel]:
    if slot not in SLOTS:
        raise ValueError(f"no page declares the panel slot {slot!r}")

    def register(render: Panel) -> Panel:
        registered = _panels.setdefault(slot, [])
        if render not in registered:
            registered.append(render)
        return render

    return register


def render_panels(slot: str, **context) -> Markup:
    return Markup("").join(Markup(render(**context)) for render in _panels.get(slot, ()))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["panels"] = render_panels
