"""Who is asking: how a request or a socket says who it is (the session cookie or a bearer
token), and the Actor the services are given for it.

Importing this module registers Flask-Login's loaders (the app factory does, at start)."""

from __future__ import annotations

from flask import g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from hall.community import accounts
from hall.community.models import Account
from hall.community.policy import ANONYMOUS, Actor
from hall.config import current_settings
from hall.extensions import db, login_manager
from hall.realtime.server import session_account_id


def login_rate_limit() -> str:
    """Flask-Limiter's limit for every door that checks a password."""
    return current_settings().login_rate_limit


def comment_rate_limit() -> str:
    """Flask-Limiter's limit per person on every door that posts a comment."""
    return current_settings().comment_rate_limit


def rate_limit_key() -> str:
    """Per person where the request is logged in, else per address."""
    actor = current_actor()
    if actor.is_anonymous:
        return f"address:{get_remote_address()}"
    return f"account:{actor.account_id}"


@login_manager.user_loader
def _load_from_session(account_id: str) -> Account | None:
    account = db.session.get(Account, int(account_id))
    return account if account is not None and account.active else None


@login_manager.request_loader
def _load_from_bearer_token(req) -> Account | None:
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    account = accounts.account_for_token(token.strip())
    if account is not None:
        g.hall_authenticated_by_token = True
    return account


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token else None


def current_actor() -> Actor:
    """The Actor of this request or socket event, built once and kept for its duration."""
    if "hall_actor" not in g:
        if getattr(request, "sid", None):  # a Socket.IO event: who the connection said it was
            account_id = session_account_id()
            account = db.session.get(Account, account_id) if account_id else None
            g.hall_actor = actor_of(account) if account and account.active else ANONYMOUS
        else:
            g.hall_actor = actor_of(current_user)
    return g.hall_actor


def actor_of(user) -> Actor:
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    return accounts.actor_for(user)


def identify_socket(auth: dict | None) -> int | None:
    """The account a Socket.IO connection belongs to: its session cookie, else `auth.token`."""
    if current_user.is_authenticated:
        return current_user.id
    token = (auth or {}).get("token")
    if isinstance(token, str) and token:
        account = accounts.account_for_token(token)
        if account is not None:
            return account.id
    return None
