"""The shell's forms. Flask-WTF adds and checks the CSRF token of each."""

from __future__ import annotations

from flask import flash
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import AnyOf, InputRequired, Length

from hall.errors import HallError
from hall.web.i18n import LOCALES
from hall.web.labels import field_message


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


def apply_errors(error: HallError, fields: dict) -> bool:
    """Put a service's field errors beside the form fields they name; False if none matched."""
    placed = False
    for name, messages in (error.fields or {}).items():
        target = fields.get(name)
        if target is None:
            continue
        if isinstance(messages, str):
            messages = [messages]
        target.errors = list(target.errors or []) + [field_message(m) for m in messages]
        placed = True
    return placed


def flash_refusal(error: HallError) -> None:
    """A service's refusal of a form that has no field to show it beside: flashed."""
    messages = [m for listed in (error.fields or {}).values() for m in listed]
    flash(field_message(messages[0] if messages else error.message), "error")
