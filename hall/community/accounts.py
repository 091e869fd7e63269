"""Passwords, API tokens, and the Actor a request acts as."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select

from hall.community.models import Account, ApiToken, RoleGrant
from hall.community.policy import Actor, Grant, Place
from hall.community.roles import GrantScope
from hall.extensions import db
from hall.types import utcnow

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verifying against this keeps a login for an unknown username as slow as for a known one.
_DUMMY_HASH = _hasher.hash("not a password anybody has")
TOKEN_LIFETIME = timedelta(days=90)
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(username: str, password: str) -> Account | None:
    account = db.session.scalar(select(Account).where(Account.username == username))
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not account.active:
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
        db.session.commit()
    return account


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(account: Account, name: str = "") -> tuple[str, ApiToken]:
    """A new bearer token; the plain token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    record = ApiToken(
        account=account,
        token_hash=_token_hash(token),
        name=name,
        expires_at=utcnow() + TOKEN_LIFETIME,
    )
    db.session.add(record)
    db.session.commit()
    return token, record


# Built once: every API request asks it first.
_ACCOUNT_BY_TOKEN = (
    select(Account, ApiToken.expires_at)
    .join(ApiToken, ApiToken.account_id == Account.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def account_for_token(token: str) -> Account | None:
    found = db.session.execute(_ACCOUNT_BY_TOKEN, {"token_hash": _token_hash(token)}).first()
    if found is None or found.expires_at <= utcnow() or not found.Account.active:
        return None
    return found.Account


def revoke_token(token: str) -> None:
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if record is not None:
        db.session.delete(record)
        db.session.commit()


def grant_of(row) -> Grant:
    """A grant as the policy sees it, from a role_grants row (or anything with its columns)."""
    building_id = row.scope_id if row.scope_kind is GrantScope.BUILDING else None
    return Grant(
        role=row.role,
        kind=row.scope_kind,
        place=Place(row.subdistrict_id, row.community_id, building_id),
    )


_grants = RoleGrant.__table__
_GRANTS = select(
    _grants.c.role,
    _grants.c.scope_kind,
    _grants.c.scope_id,
    _grants.c.community_id,
    _grants.c.subdistrict_id,
).where(_grants.c.account_id == bindparam("account_id"))


def actor_for(account: Account) -> Actor:
    # Core, not the ORM: every request builds its actor, and the grants are plain data.
    rows = db.session.execute(_GRANTS, {"account_id": account.id})
    return Actor(
        account_id=account.id,
        grants=tuple(grant_of(row) for row in rows),
        person_id=account.person_id,
    )
