"""A resident logs in with a real browser and sees their community live; the API docs render."""

from __future__ import annotations

import pytest

from hall.community import service
from hall.community.accounts import actor_for
from hall.community.models import Account
from hall.extensions import db
from tests.browser.conftest import artifact, log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_a_resident_logs_in_and_the_community_page_goes_live(app, world, live_server, phone):
    phone.goto(live_server + "/")
    assert "/login" in phone.url
    assert phone.locator("html").get_attribute("lang") == "zh-CN"
    phone.screenshot(path=artifact("login-phone.png"), full_page=True)

    phone.get_by_label("用户名").fill("resident")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()

    phone.wait_for_url(f"{live_server}/communities/{world.home}")
    assert phone.get_by_role("heading", level=1).inner_text() == "金世界花园"

    indicator = phone.locator("#live-indicator")
    phone.wait_for_selector('#live-indicator[data-state="connected"]')
    assert indicator.inner_text().strip() == "实时：已连接"
    phone.wait_for_selector('body[data-room-joined="true"]')
    # The polling connection upgrades to a WebSocket: both transports really work.
    phone.wait_for_function("window.hallSocket.io.engine.transport.name === 'websocket'")

    notice = phone.locator("#live-notice")
    assert notice.is_hidden()
    _add_building_as_manager(app, world.home, "9栋")
    notice.wait_for(state="visible")
    assert "刚刚有了更新" in notice.inner_text()
    phone.screenshot(path=artifact("community-phone.png"), full_page=True)

    phone.get_by_role("button", name="English").click()
    phone.wait_for_selector('html[lang="en"]')
    assert phone.get_by_role("heading", name="Buildings").is_visible()
    phone.wait_for_selector('#live-indicator[data-state="connected"]')
    assert phone.locator("#live-indicator").inner_text().strip() == "Live: connected"
    assert "9栋" in phone.content()  # the new building, now that the page was reloaded

    phone.get_by_role("button", name="Log out").click()
    phone.wait_for_url(f"{live_server}/login")
    assert "You have logged out." in phone.content()


def test_a_wrong_password_is_told_plainly(world, live_server, phone):
    phone.goto(live_server + "/login")
    phone.get_by_label("用户名").fill("resident")
    phone.get_by_label("密码").fill("not the password")
    phone.get_by_role("button", name="登录").click()
    alert = phone.get_by_role("alert")
    alert.wait_for()
    assert "用户名或密码不正确" in alert.inner_text()
    assert "/login" in phone.url


def test_a_manager_imports_a_roster_from_the_phone(world, live_server, phone):
    header = "楼栋,单元,房号,楼层,建筑面积(㎡),业主姓名,联系电话\n"
    bad = header + "3栋,1单元,101,一楼,80,张三,13800000001\n3栋,1单元,102,1,-5,,138\n"
    good = header + "3栋,1单元,101,1,80.00,张三,13800000001\n"
    log_in(phone, live_server, "manager")
    phone.get_by_role("link", name="导入业主名册").click()
    phone.wait_for_url(f"{live_server}/communities/{world.home}/roster")

    phone.get_by_label("名册文件", exact=True).set_input_files(_csv("roster.csv", bad))
    phone.get_by_role("button", name="导入业主名册").click()
    errors = phone.locator("#roster-row-errors")
    errors.wait_for()
    assert errors.locator("tbody tr").count() >= 3
    assert "一楼 不是整数楼层。" in errors.inner_text()
    phone.screenshot(path=artifact("roster-errors-phone.png"), full_page=True)

    phone.get_by_label("名册文件", exact=True).set_input_files(_csv("roster.csv", good))
    phone.get_by_label("只检查文件，暂不做任何更改").uncheck()
    phone.get_by_role("button", name="导入业主名册").click()
    phone.locator("#roster-report").wait_for()
    assert "名册已经导入" in phone.locator("#roster-report").inner_text()
    phone.screenshot(path=artifact("roster-report-phone.png"), full_page=True)


def test_the_api_docs_render_from_hall_alone(live_server, phone):
    requested_hosts = set()
    phone.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))
    phone.goto(live_server + "/api/docs")
    phone.wait_for_selector(".opblock")
    assert phone.locator(".opblock").count() > 10
    assert phone.get_by_text("/api/communities", exact=True).first.is_visible()
    assert requested_hosts == {live_server.split("/")[2]}


def _csv(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}


def _add_building_as_manager(app, community_id: int, name: str) -> None:
    with app.app_context():
        manager = db.session.scalar(db.select(Account).where(Account.username == "manager"))
        service.create_building(actor_for(manager), community_id, name)
        db.session.remove()
