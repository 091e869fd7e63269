"""The shell's forms. Flask-WTF adds and checks the CSRF token of each."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import AnyOf, InputRequired, Length

from hall.web.i18n import LOCALES


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
