"""Which language and time zone a page is shown in."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

LOCALES = ("zh_CN", "en")
LOCALE_COOKIE = "hall_locale"


def select_locale() -> str:
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
