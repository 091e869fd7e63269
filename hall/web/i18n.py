"""Which language and time zone a page is shown in, and the compiled catalogs it needs."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel import Locale
from flask import current_app, request
from flask_babel import get_locale, gettext
from flask_login import current_user

from hall.text import N_, Translate

log = logging.getLogger(__name__)

# What the cookie, the settings and the switcher call the languages. Babel reads "zh_CN" as
# zh_Hans_CN (language, script, territory) and looks for its catalog under that name, so the
# Chinese catalog lives in translations/zh_Hans_CN/ while everything else says zh_CN.
LOCALES = ("zh_CN", "en")
LOCALE_COOKIE = "hall_locale"
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600
# Each language is offered in its own words: someone who cannot read the current language
# must still recognise theirs. So these names are deliberately not translated.
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


# What marshmallow and webargs say of a bad field, as Hall's schemas can make them say it:
# marked here so that the catalogs carry them, translated by `field_message` at the door.
# Messages with a number in them (a length, a range, the choices of an enum) come formatted
# from marshmallow and stay as it wrote them. A schema's own message is marked where it is
# raised: `ValidationError(N_("Upload a file."))`.
FIELD_MESSAGES = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Unknown field."),
    N_("Invalid input type."),
    N_("Invalid type."),
    N_("Invalid value."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid boolean."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not a valid datetime."),
    N_("Not a valid date."),
    N_("Not a valid email address."),
    N_("String does not match expected pattern."),
)


def field_message(message: str, translate: Translate = gettext) -> str:
    """A schema's message about a field, in the reader's language where the catalog has it."""
    return translate(message)


def field_messages(messages, translate: Translate = gettext):
    """webargs' messages of a request, nested as the fields are, each translated."""
    if isinstance(messages, str):
        return field_message(messages, translate)
    if isinstance(messages, dict):
        return {name: field_messages(inner, translate) for name, inner in messages.items()}
    if isinstance(messages, list | tuple):
        return [field_messages(inner, translate) for inner in messages]
    return messages


def select_locale() -> str:
    if request.path.startswith("/api/"):
        return _api_locale()
    # The switcher's cookie is the latest explicit choice on this device, so it wins over the
    # account's stored preference, which wins over what the browser happens to ask for.
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in LOCALES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    return (
        request.accept_languages.best_match(LOCALES) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _api_locale() -> str:
    # An API client says which language it reads in each request; the account's choice is
    # the fallback for a client that says nothing (a phone app logged in as its resident).
    if request.accept_languages:
        asked = request.accept_languages.best_match(LOCALES)
        if asked:
            return asked
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_locale() -> str:
    """Which of LOCALES this request is shown in."""
    shown = get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])
    for identifier in LOCALES:
        offered = Locale.parse(identifier)
        if (offered.language, offered.territory) == (shown.language, shown.territory):
            return identifier
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang() -> str:
    """The page's BCP 47 language tag for <html lang>: "zh-CN" or "en"."""
    return current_locale().replace("_", "-")


def compile_translations(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile every messages.po whose .mo is missing or older; return the .mo files written.

    The .mo files are build output and not committed; compiling on start keeps a checkout that
    skipped `pybabel compile` from showing English to everybody. Fuzzy entries are left out,
    as pybabel does (write_mo's default), so a guessed translation never reaches a page.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        try:
            _write_atomically(mo_path, lambda mo_file, c=catalog: write_mo(mo_file, c))
        except OSError as error:  # a read-only install: its packager compiled the catalogs
            log.warning("cannot compile %s: %s", po_path, error)
            continue
        written.append(mo_path)
    return written


def _write_atomically(path: Path, write) -> None:
    # Written aside and renamed: several workers may start at once, and none of them may ever
    # read half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def zone_name(zone) -> str:
    """A time zone as a reader names it ("中国（上海）时间", "China (Shanghai) Time"), not its
    tz database key."""
    from babel.dates import get_timezone_location

    return get_timezone_location(str(zone), locale=get_locale())
