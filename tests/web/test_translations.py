"""Every message has its Chinese, and pages speak the reader's language."""

from __future__ import annotations

import os
import shutil

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from hall.config import PROJECT_ROOT
from hall.web.i18n import TRANSLATIONS, compile_translations
from tests.web.conftest import logged_in

CATALOG_DIRECTORIES = {"zh_CN": "zh_Hans_CN", "en": "en"}  # see hall.web.i18n.LOCALES


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages the code has now, extracted exactly as a developer would (babel.cfg)."""
    pot = tmp_path_factory.mktemp("extract") / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "--quiet",
            "extract",
            "--mapping-file",
            str(PROJECT_ROOT / "babel.cfg"),
            "--ignore-dirs",
            ".* ._ node_modules instance test-artifacts",
            "--output-file",
            str(pot),
            str(PROJECT_ROOT),
        ]
    )
    with pot.open("rb") as file:
        template = read_po(file)
    messages = {message.id: message for message in template if message.id}
    assert len(messages) > 50, "extraction found almost nothing: is babel.cfg right?"
    return messages


def catalog(locale: str):
    path = TRANSLATIONS / CATALOG_DIRECTORIES[locale] / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        return read_po(file)


def _where(message) -> str:
    return ", ".join(sorted({filename for filename, _ in message.locations}))


def test_every_message_has_a_chinese_translation(extracted):
    chinese = catalog("zh_CN")
    untranslated = []
    for msgid, template in extracted.items():
        entry = chinese.get(msgid)
        strings = entry.string if entry is not None else None
        if isinstance(strings, str):
            strings = (strings,)
        if not strings or not all(strings) or (entry is not None and entry.fuzzy):
            untranslated.append(f"{msgid!r} ({_where(template)})")
    assert not untranslated, (
        "messages without a Chinese translation; run pybabel extract and update (see "
        "babel.cfg), then translate them:\n  " + "\n  ".join(untranslated)
    )


def test_every_message_is_in_the_english_catalog(extracted):
    english = catalog("en")
    missing = [repr(msgid) for msgid in extracted if english.get(msgid) is None]
    assert not missing, "messages missing from en/messages.po:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("locale", sorted(CATALOG_DIRECTORIES))
def test_catalogs_are_clean(extracted, locale):
    translations = catalog(locale)
    fuzzy = [message.id for message in translations if message.id and message.fuzzy]
    assert not fuzzy, f"fuzzy entries never reach a page, translate them: {fuzzy}"
    # Placeholders that differ from the msgid's would raise KeyError when a page fills them.
    problems = [(message.id, errors) for message, errors in translations.check()]
    assert not problems
    stale = [message.id for message in translations if message.id and message.id not in extracted]
    assert not stale, f"messages the code no longer has (pybabel update drops them): {stale}"


def test_pages_are_chinese_by_default(client, world):
    html = client.get("/login").text
    assert '<html lang="zh-CN">' in html
    assert "<h1 id=\"login-heading\">登录</h1>" in html
    assert "指尖议事厅" in html
    assert 'aria-pressed="true">中文</button>' in html


@pytest.mark.parametrize("accept", ["en", "en-US,en;q=0.9", "fr;q=0.9, en;q=0.8"])
def test_an_english_browser_gets_english(client, world, accept):
    html = client.get("/login", headers={"Accept-Language": accept}).text
    assert '<html lang="en">' in html
    assert "<h1 id=\"login-heading\">Log in</h1>" in html
    assert "Finger-tip Discussion Hall" in html


def test_a_chinese_browser_gets_chinese(client, world):
    html = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).text
    assert '<html lang="zh-CN">' in html


def test_the_cookie_beats_the_browser(client, world):
    client.set_cookie("hall_locale", "en")
    html = client.get("/login", headers={"Accept-Language": "zh-CN"}).text
    assert '<html lang="en">' in html
    client.set_cookie("hall_locale", "zh_CN")
    html = client.get("/login", headers={"Accept-Language": "en"}).text
    assert '<html lang="zh-CN">' in html and "登录" in html


def test_an_unknown_cookie_value_is_ignored(client, world):
    client.set_cookie("hall_locale", "xx")
    assert '<html lang="zh-CN">' in client.get("/login").text


def test_the_community_page_in_chinese_uses_chinese_counting(client, world):
    html = logged_in(client, "resident").get(f"/communities/{world.home}").text
    assert "<dt>户数</dt>" in html
    assert "3 户" in html
    assert '<span class="tag">居民</span>' in html
    assert 'data-text-connected="实时：已连接"' in html


def test_a_flashed_message_is_translated(client, world):
    client.get(f"/communities/{world.home}")
    assert "请登录后查看这个页面。" in client.get(f"/login?next=/communities/{world.home}").text


def test_compile_translations_writes_only_what_is_stale(tmp_path):
    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    first = compile_translations(copy)
    assert sorted(path.parent.parent.name for path in first) == sorted(CATALOG_DIRECTORIES.values())
    assert compile_translations(copy) == []  # fresh: nothing to do
    po = copy / "en" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    os.utime(mo, (po.stat().st_mtime - 10, po.stat().st_mtime - 10))
    assert compile_translations(copy) == [mo]
    assert not list(copy.rglob("*.tmp"))
