"""Markdown from residents becomes HTML that can do nothing but show text and links."""

import re
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from hall.issues.markdown import plain_text, render

REL = 'rel="nofollow noopener noreferrer"'


class _Tags(HTMLParser):
    """Every start tag of a fragment with its attributes, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def test_a_script_tag_is_shown_as_text():
    html = render("<script>alert(1)</script>")
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_a_javascript_link_is_not_a_link():
    for source in (
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java\tscript:alert(1))",
        "<javascript:alert(1)>",
        '<a href="javascript:alert(1)">click</a>',
    ):
        html = render(source)
        assert not any("href" in attrs for _, attrs in tags_of(html)), source


def test_an_event_handler_attribute_never_reaches_the_page():
    html = render('<img src="x" onerror="alert(1)">')
    assert tags_of(html) == [("p", {})]
    assert "&lt;img" in html


def test_raw_images_and_frames_are_escaped():
    html = render('<img src="http://tracker.example/p.gif">\n\n<iframe src="http://evil.example">')
    assert [tag for tag, _ in tags_of(html)] == ["p", "p"]


def test_a_markdown_image_becomes_a_plain_link():
    html = render("![the broken lamp](https://example.org/lamp.jpg)")
    assert "<img" not in html
    assert tags_of(html)[1] == (
        "a",
        {"href": "https://example.org/lamp.jpg", "rel": "nofollow noopener noreferrer"},
    )


def test_data_urls_are_not_links():
    for source in (
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](data:image/png;base64,iVBORw0KGgo=)",
    ):
        assert "data:" not in "".join(str(attrs) for _, attrs in tags_of(render(source)))


def test_nested_emphasis_is_kept():
    assert render("*very **important** notice*") == (
        "<p><em>very <strong>important</strong> notice</em></p>\n"
    )


def test_links_open_without_giving_away_the_page():
    html = render('[minutes](https://example.org/minutes "March meeting")')
    assert html == (
        f'<p><a href="https://example.org/minutes" title="March meeting" {REL}>minutes</a></p>\n'
    )


def test_mail_and_relative_links_are_kept():
    assert 'href="mailto:board@example.org"' in render("[board](mailto:board@example.org)")
    assert 'href="/issues/12"' in render("[see issue 12](/issues/12)")


def test_links_with_other_schemes_lose_their_target():
    assert "href" not in render("[files](ftp://example.org/files)")


def test_chinese_text_passes_through_unchanged():
    source = "三号楼电梯又坏了，请物业尽快维修。\n\n居民代表：张伟"
    assert render(source) == "<p>三号楼电梯又坏了，请物业尽快维修。</p>\n<p>居民代表：张伟</p>\n"


def test_line_breaks_typed_by_residents_are_kept():
    assert render("first line\nsecond line") == "<p>first line<br>\nsecond line</p>\n"


def test_code_blocks_escape_html():
    html = render('```html\n<script src="x.js"></script>\n```')
    assert html == '<pre><code>&lt;script src="x.js"&gt;&lt;/script&gt;\n</code></pre>\n'
    assert render("use `<b>` for bold") == "<p>use <code>&lt;b&gt;</code> for bold</p>\n"


def test_tables_and_strikethrough_keep_their_structure_without_styles():
    html = render("| a | b |\n|:-|-:|\n| 1 | ~~2~~ |")
    assert "style" not in html
    assert [tag for tag, _ in tags_of(html)] == [
        "table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td", "s",
    ]  # fmt: skip


def test_plain_text_drops_markup_and_joins_blocks():
    source = "# Lift\n\nThe **lift** in `building 3` is [broken](http://x.org).\n\n- again\n- today"
    assert plain_text(source) == "Lift The lift in building 3 is broken. again today"


def test_plain_text_keeps_angle_brackets_as_text():
    assert plain_text("a <b> c") == "a <b> c"


def test_plain_text_cuts_at_a_word_with_an_ellipsis():
    excerpt = plain_text("The residents meeting will take place on Saturday morning", 30)
    assert excerpt == "The residents meeting will…"
    assert len(excerpt) <= 30


def test_plain_text_cuts_chinese_between_characters():
    assert plain_text("请大家周六上午到三号楼前集合讨论停车问题", 10) == "请大家周六上午到三…"


def test_plain_text_leaves_short_text_alone():
    assert plain_text("  short \n\n text ") == "short text"


_DANGEROUS = st.sampled_from(
    [
        "<script>", "</script>", "<img src=x onerror=alert(1)>", "javascript:", "JAVASCRIPT:",
        "java\nscript:", "&#106;avascript:", "data:text/html,", "vbscript:", "[", "](", ")",
        "<", ">", '"', "'", "`", "```", "\n", "![", "*", "_", "<a href=", " onclick=",
        "<svg onload=alert(1)>", "&", "\\", "http://", "<http://", "mailto:",
    ]
)  # fmt: skip


@given(st.lists(st.one_of(st.text(max_size=20), _DANGEROUS), max_size=30).map("".join))
def test_no_text_can_produce_script_handlers_or_javascript_links(source):
    html = render(source)
    assert "<script" not in html.lower()
    # Attribute values are quoted: a title reading " onclick=" is text, not a handler.
    tags = [re.sub(r'"[^"]*"', '""', tag) for tag in re.findall(r"<[^>]*>", html)]
    assert not any(re.search(r"\son\w+\s*=", tag) for tag in tags)
    for tag, attrs in tags_of(html):
        assert tag not in {"script", "img", "iframe", "svg", "style", "object"}
        assert not any(name.startswith("on") for name in attrs)
        href = (attrs.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "vbscript:", "data:"))
