"""The pages every visitor meets: login, logout, the language, the home page; vendor assets."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user

from hall.community import accounts, service
from hall.community.identity import current_actor, login_rate_limit
from hall.config import current_settings
from hall.errors import NO_SUCH_THING, invalid
from hall.extensions import limiter, login_manager
from hall.text import N_
from hall.web.forms import LocaleForm, LoginForm
from hall.web.i18n import (
    LANGUAGE_NAMES,
    LOCALE_COOKIE,
    LOCALE_COOKIE_MAX_AGE,
    LOCALES,
    current_locale,
    html_lang,
    zone_name,
)
from hall.web.redirects import local_path

log = logging.getLogger(__name__)

bp = Blueprint("web", __name__)

# Vendor files change only when package-lock.json does; a week keeps phones on slow mobile
# data from fetching 1 MB of Swagger UI again on every visit, and ETags cover the rest.
VENDOR_MAX_AGE = 7 * 24 * 3600
SOCKET_IO_CLIENT_FILES = frozenset({"socket.io.min.js", "socket.io.min.js.map"})

# The shell's own refusal.
UNKNOWN_LANGUAGE = invalid(
    "unknown_language", N_("Please choose one of the languages offered."), field="locale"
)


@bp.record_once
def _localise_login_prompt(state) -> None:
    # Flask-Login flashes this when a page needs a login; it passes it through gettext then.
    login_manager.login_message = N_("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = gettext


def _current_page() -> str:
    """Where the language switcher returns to: this page, unless it answered a form."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    return url_for("web.home")


@bp.app_context_processor
def _shell_context() -> dict:
    return {
        "html_lang": html_lang(),
        "current_locale": current_locale(),
        "language_names": LANGUAGE_NAMES,
        "locales": LOCALES,
        "socket_transports": ",".join(current_settings().socket_transports),
        "current_page": _current_page(),
        "zone_name": zone_name,
    }


@bp.get("/healthz")
def health():
    return {"ok": True}


# Login, logout, language ----------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = local_path(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(form.next.data or url_for("web.home"))
    failed = False
    if form.validate_on_submit():
        account = accounts.authenticate(form.username.data.strip(), form.password.data)
        if account is not None:
            login_user(account, remember=form.remember.data)
            return redirect(local_path(form.next.data) or url_for("web.home"))
        # One message for a wrong username and a wrong password: which one it was would tell
        # a stranger which usernames exist.
        failed = True
    return render_template("login.html", form=form, failed=failed)


@bp.post("/logout")
def logout():
    logout_user()
    flash(gettext("You have logged out."), "info")
    return redirect(url_for("web.login"))


@bp.post("/locale")
def set_locale():
    form = LocaleForm()
    if not form.validate_on_submit():
        raise UNKNOWN_LANGUAGE()
    response = redirect(local_path(form.next.data) or url_for("web.home"))
    response.set_cookie(
        LOCALE_COOKIE,
        form.locale.data,
        max_age=LOCALE_COOKIE_MAX_AGE,
        secure=current_settings().production,
        httponly=True,
        samesite="Lax",
    )
    return response


# Home -----------------------------------------------------------------------------------------


@bp.get("/")
@login_required
def home():
    communities = service.list_communities(current_actor())
    if len(communities) == 1:
        return redirect(url_for("community.show", community_id=communities[0].id))
    return render_template("home.html", communities=communities)


# Browser packages from node_modules ---------------------------------------------------------


@bp.get("/vendor/<name>")
def socket_io_client(name: str):
    if name not in SOCKET_IO_CLIENT_FILES:
        raise NO_SUCH_THING()
    return _from_node_modules("socket.io-client/dist", name)


@bp.get("/vendor/swagger-ui/<path:filename>")
def swagger_ui(filename: str):
    return _from_node_modules("swagger-ui-dist", filename)


def _from_node_modules(package_directory: str, filename: str):
    directory = current_settings().node_modules / package_directory
    if not directory.is_dir():
        log.error("%s is missing: run `npm ci` in the project root", directory)
        raise NO_SUCH_THING()  # the log above tells the operator why
    # send_from_directory refuses paths that climb out of the directory.
    return send_from_directory(directory, filename, max_age=VENDOR_MAX_AGE)
