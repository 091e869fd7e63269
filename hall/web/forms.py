"""The shell's forms. Flask-WTF adds and checks the CSRF token of each."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import flash
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import AnyOf, InputRequired, Length

from hall.errors import Forbidden, HallError, NotFound, Unauthenticated
from hall.extensions import db
from hall.web.i18n import LOCALES

T = TypeVar("T")
ACCESS_REFUSALS = (Unauthenticated, Forbidden, NotFound)


class LoginForm(FlaskForm):
    username = StringField(
        lazy_gettext("Username"),
        validators=[InputRequired(lazy_gettext("Please enter your username.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        lazy_gettext("Password"),
        validators=[InputRequired(lazy_gettext("Please enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(lazy_gettext("Stay logged in on this device"))
    next = HiddenField()
    submit = SubmitField(lazy_gettext("Log in"))


class LocaleForm(FlaskForm):
    """The language switcher: its buttons are named `locale`, each carrying one value."""

    locale = HiddenField(validators=[AnyOf(LOCALES)])
    next = HiddenField()


@dataclass
class Outcome(Generic[T]):
    """What a page form's action came to: `done` with the service's result, or refused (the
    refusal beside its fields, or flashed when no field of the form shows it)."""

    done: bool
    value: T | None = None
    refusal: HallError | None = None


def submit(form: FlaskForm, act: Callable[[], T], fields: Mapping[str, Field] = {}) -> Outcome[T]:
    """The page door's one way to act: validate the form, call the service, and on a refusal
    put it beside the form fields it names or flash it.

    The service owns its transaction (one each, committed by it); a refusal raised before its
    commit is rolled back here, so nothing half written outlives the request.

    A refusal of who is asking (401, 403, 404) that names no field of the form is not the
    form's to show: it is raised again, and the error page answers with its status.
    """
    if not form.validate_on_submit():
        return Outcome(False)
    try:
        return Outcome(True, act())
    except HallError as error:
        db.session.rollback()
        if not apply_errors(error, fields):
            if isinstance(error, ACCESS_REFUSALS):
                raise
            flash_refusal(error)
        return Outcome(False, refusal=error)


def apply_errors(error: HallError, fields: Mapping[str, Field]) -> bool:
    """Put a refusal beside the form fields it names, in the page's language; False if none
    of them is on this form."""
    placed = False
    for name, messages in error.field_messages(gettext).items():
        target = fields.get(name)
        if target is None:
            continue
        target.errors = list(target.errors or []) + messages
        placed = True
    return placed


def flash_refusal(error: HallError) -> None:
    """A refusal of a form that has no field to show it beside: flashed."""
    flash(error.render(gettext), "error")
