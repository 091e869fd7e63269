"""Chromium driven by Playwright against Hall served from this test process.

The app is the suite's own (threading async mode, the test database, the world built by the
`world` fixture), served by Werkzeug's threaded server: with simple-websocket installed that
is the same server `socketio.run()` starts in threading mode, with both Socket.IO transports,
but one a test can shut down. Playwright only drives the system's Chromium
(`tests.services.require_chromium`); it never downloads a browser of its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hall.config import PROJECT_ROOT
from hall.web.i18n import compile_translations
from tests.factories import PASSWORD
from tests.services import require_chromium

# As in tests/web: catalogs compiled before any page of the session renders.
compile_translations()

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def chromium():
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def neighbours(chromium):
    """Two phones, each its own browser with its own cookies."""
    contexts = [
        chromium.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2)
        for _ in range(2)
    ]
    pages = []
    for context in contexts:
        context.set_default_timeout(15_000)
        pages.append(context.new_page())
    yield pages
    for context in contexts:
        context.close()


@pytest.fixture
def phone(chromium):
    """A fresh phone-sized browser context (no cookies), Chinese like most residents."""
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def log_in(page, live_server: str, username: str) -> None:
    """Log in through the Chinese login page and wait for the live connection."""
    page.goto(live_server + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector('#live-indicator[data-state="connected"]')
