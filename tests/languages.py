"""What a reader of each language reads: the catalogs, a page's visible text, and the words of
a text a Chinese reader should not meet.

Shared by the refusal tests and the crawl of the Chinese pages, so that all allow the same
few Latin-script words:
- "Hall", the product's name, and "English", which the language switcher offers in its own
  words so that someone who cannot read the page still finds it;
- the names of file formats, text encodings and protocols (TECHNICAL_NAMES), which Chinese
  writes in Latin letters as well;
- e-mail addresses and URLs;
- hashes (hexadecimal runs holding a digit) and a receipt's groups of four hexadecimal
  digits (each group is its own text on the page);
- words the caller names as user data (the demo's usernames).
A word with an underscore inside (`plan_2`, `property_manager`) is an internal key: never
allowed, whatever its letters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator
from html.parser import HTMLParser

from babel.messages.pofile import read_po

from hall.text import Phrase
from hall.web.i18n import TRANSLATIONS

ALLOWED = frozenset({"Hall", "English"})
TECHNICAL_NAMES = frozenset(
    {"Markdown", "Excel", "CSV", "csv", "xlsx", "JPEG", "PNG", "WebP", "UTF", "Bearer"}
)
CATALOG_DIRECTORIES = {"zh_CN": "zh_Hans_CN", "en": "en"}  # see hall.web.i18n.LOCALES

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_TOKEN = re.compile(r"[A-Za-z0-9_\u00c0-\u024f]+")
_HEXADECIMAL = re.compile(r"[0-9a-f]{4,}")
_LATIN_RUN = re.compile(r"[A-Za-z\u00c0-\u024f]{3,}")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def foreign_words(text: str, user_words: Collection[str] = ()) -> list[str]:
    """The Latin-script words of three letters or more, and the internal keys, in a text."""
    text = _URL.sub(" ", _EMAIL.sub(" ", text))
    return [token for token in _TOKEN.findall(text) if _is_foreign(token, user_words)]


def _is_foreign(token: str, user_words: Collection[str]) -> bool:
    if "_" in token.strip("_") and any(c.isalpha() for c in token):
        return True  # an internal key
    if _HEXADECIMAL.fullmatch(token) and (len(token) == 4 or any(map(str.isdigit, token))):
        return False  # a hash, or a receipt's group
    if token in ALLOWED or token in TECHNICAL_NAMES or token in user_words:
        return False
    return bool(_LATIN_RUN.search(token))


def reads_as_chinese(text: str) -> bool:
    """Chinese characters, and no foreign word."""
    return bool(_HAN.search(text)) and not foreign_words(text)


def catalog(locale: str):
    """A language's catalog as it is in the repository (messages.po, read with Babel)."""
    path = TRANSLATIONS / CATALOG_DIRECTORIES[locale] / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        return read_po(file, locale=CATALOG_DIRECTORIES[locale])


def translator(messages) -> Callable[[str], str]:
    """gettext over a catalog as the pages read it: fuzzy or empty entries are not used."""

    def translate(message: str) -> str:
        entry = messages.get(message)
        if entry is None or entry.fuzzy or not entry.string:
            return message
        return entry.string if isinstance(entry.string, str) else entry.string[0]

    return translate


def in_chinese(phrase: Phrase, **params) -> str:
    """A phrase or refusal as a Chinese reader is meant to read it."""
    return phrase.render(translator(catalog("zh_CN")), params)


class VisibleText(HTMLParser):
    """The texts of a page a reader sees or hears, in document order, and its links.

    Text nodes outside script and style and outside machine text (<code>, <kbd>, <samp>: what
    a file or a field must hold), and the attributes a reader sees or hears: tooltips,
    screen-reader labels, the hints inside empty fields, image descriptions, the labels of
    input buttons, and the texts a script shows (`data-text-*`). A <template>'s links are the
    script's patterns, not links. With `within`, only the texts inside the element of that
    id (a form's errors, an alert).

    The JSON a page hands its script (`<script type="application/json">`) holds the texts the
    script shows (labels, messages): its strings are read too, but for the machine values
    the script only reads (paths and URLs, room names like `issue:3`, time-zone names).
    """

    SKIPPED = frozenset({"script", "style", "code", "kbd", "samp"})
    SPOKEN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
    SHOWN_INPUT_TYPES = ("submit", "button", "reset")

    def __init__(self, within: str | None = None):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self.lang: str | None = None
        self._skipping = 0
        self._templates = 0
        self._within = within
        self._reading = within is None
        self._read_tag: str | None = None
        self._read_depth = 0
        self._json: list[str] | None = None

    @classmethod
    def of(cls, html: str, within: str | None = None) -> VisibleText:
        page = cls(within)
        page.feed(html)
        page.close()
        return page

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self._within is not None:
            if not self._reading and attributes.get("id") == self._within:
                self._reading, self._read_tag = True, tag
            if self._reading and tag == self._read_tag:
                self._read_depth += 1
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag in self.SKIPPED:
            self._skipping += 1
        if tag == "script" and attributes.get("type") == "application/json":
            self._json = []
        if tag == "template":
            self._templates += 1
        if tag == "a" and attributes.get("href") and not self._templates:
            self.links.append(attributes["href"])
        shown = [attributes.get(name) for name in self.SPOKEN_ATTRIBUTES]
        shown += [value for name, value in attributes.items() if name.startswith("data-text-")]
        if tag == "input" and attributes.get("type") in self.SHOWN_INPUT_TYPES:
            shown.append(attributes.get("value"))
        if self._reading:
            self.texts += [text for text in shown if text]

    def handle_endtag(self, tag):
        if tag == "script" and self._json is not None:
            if self._reading:
                self.texts += list(_shown_strings(json.loads("".join(self._json))))
            self._json = None
        if tag in self.SKIPPED and self._skipping:
            self._skipping -= 1
        if tag == "template" and self._templates:
            self._templates -= 1
        if self._reading and tag == self._read_tag and self._read_depth:
            self._read_depth -= 1
            self._reading = self._read_depth > 0

    def handle_data(self, data):
        if self._json is not None:
            self._json.append(data)
        if self._reading and not self._skipping and data.strip():
            self.texts.append(" ".join(data.split()))


_MACHINE_VALUE = re.compile(r"(?:/|#|https?://)\S*|[a-z]+:\d+|[A-Z][a-z]+/[A-Za-z_]+")


def _shown_strings(data) -> Iterator[str]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _shown_strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _shown_strings(value)
    elif isinstance(data, str) and data.strip() and not _MACHINE_VALUE.fullmatch(data):
        yield " ".join(data.split())
