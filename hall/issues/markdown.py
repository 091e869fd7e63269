"""Markdown in issue bodies and comments: CommonMark to safe HTML, and short plain excerpts.

Two layers, on purpose. markdown-it-py runs with raw HTML off, so `<script>` typed by a
resident is shown as text, and it already refuses `javascript:` links. nh3 then cleans the
result against an allow-list anyway: a renderer bug or a future option switched on must not
be enough to put markup we did not choose on a neighbour's screen.
"""

import re

import nh3
from markdown_it import MarkdownIt

# "js-default" is CommonMark plus tables and strikethrough, with raw HTML and linkify off
# (linkify would need linkify-it-py, which Hall does not depend on). `breaks` keeps the line
# breaks residents type: they write notices, not documents, and expect what they see.
_md = MarkdownIt("js-default", {"breaks": True, "html": False})
# Photos are uploaded and cleaned apart; an image in the text would fetch from any server
# and tell it who is reading. With the rule off, `![alt](url)` shows as an ordinary link.
_md.disable("image")

_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
# Nothing else, not even `class` or `style`: the page's stylesheet decides how text looks.
_ATTRIBUTES = {"a": {"href", "title"}}
_URL_SCHEMES = {"http", "https", "mailto"}
# Links point to pages residents did not vet: no search-engine credit, no window.opener,
# no referrer revealing which issue they came from.
_LINK_REL = "nofollow noopener noreferrer"

_WHITESPACE = re.compile(r"\s+")


def render(text: str) -> str:
    """The HTML for a Markdown text, safe to insert in a page as it is."""
    return nh3.clean(
        _md.render(text),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=_LINK_REL,
        # Relative links (`/issues/12`) stay: they can only lead within Hall.
    )


def plain_text(text: str, limit: int = 140) -> str:
    """A one-line excerpt of a Markdown text, at most `limit` characters, for lists and alerts.

    The result is text, not HTML: markup is dropped, but characters such as `<` are left as
    they are, and whoever puts the excerpt in a page escapes it like any other text.
    """
    pieces: list[str] = []
    for token in _md.parse(text):
        if token.type in ("code_block", "fence"):
            pieces.append(token.content)
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                pieces.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                pieces.append(" ")
        # Blocks (paragraphs, list items, cells) must not run into each other.
        pieces.append(" ")
    return _shorten(_WHITESPACE.sub(" ", "".join(pieces)).strip(), limit)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # Prefer a word boundary when there is one near the end; Chinese text has none, and
    # cutting between two characters is fine there.
    space = cut.rfind(" ")
    if space >= limit * 3 // 4:
        cut = cut[:space]
    return cut.rstrip() + "…"
