"""The pages behind the login: home, a community, the roster import, errors, the language."""

from __future__ import annotations

import io
import re

import pytest

from tests.web.conftest import csrf_token_of, logged_in, post_form

ROSTER_HEADER = "楼栋,单元,房号,楼层,建筑面积(㎡),业主姓名,联系电话\n"


def test_home_lists_every_visible_community_by_subdistrict(english, world):
    page = logged_in(english, "officer").get("/")
    assert page.status_code == 200
    html = page.text
    assert "江北街道" in html
    assert f'href="/communities/{world.home}"' in html
    assert f'href="/communities/{world.neighbour}"' in html
    assert "渝北小区" not in html  # another subdistrict's


def test_home_tells_an_account_without_a_community_whom_to_ask(english, world):
    page = logged_in(english, "outsider").get("/")
    assert page.status_code == 200
    assert "Your account does not belong to any community yet." in page.text


def test_the_community_page_shows_counts_buildings_and_roles(english, world):
    html = logged_in(english, "resident").get(f"/communities/{world.home}").text
    assert "<h1>金世界花园</h1>" in html
    assert "江北街道" in html
    assert "<dd>5</dd>" in html  # units
    # owners as heads: 谭英娟 owns two units, 林强 and 钱磊涛 share one, 李二栋 owns one
    assert "<dd>3</dd>" in html
    assert "478.20" in html  # 89.52 + 102.36 + 89.52 + 76.80 + 120.00 m²
    assert "1栋" in html and "2栋" in html and "2单元" in html
    assert "3 units" in html and "1 unit<" in html
    assert '<span class="tag">Resident</span>' in html
    assert f'data-room="community:{world.home}"' in html
    assert "/roster" not in html  # a resident is not offered the import


def test_the_manager_is_offered_the_roster_import(english, world):
    html = logged_in(english, "manager").get(f"/communities/{world.home}").text
    assert f'href="/communities/{world.home}/roster"' in html
    assert "Property manager" in html


def test_an_officer_sees_the_scope_of_their_role(english, world):
    html = logged_in(english, "officer").get(f"/communities/{world.home}").text
    assert "Subdistrict officer (whole subdistrict)" in html


@pytest.mark.parametrize("community", ["neighbour", "far"])
def test_other_communities_are_not_found(english, world, community):
    response = logged_in(english, "resident").get(f"/communities/{getattr(world, community)}")
    assert response.status_code == 404
    assert "This page does not exist, or is not open to you" in response.text
    assert "江北新村" not in response.text and "渝北小区" not in response.text


def test_a_community_that_does_not_exist_is_not_found(english, world):
    assert logged_in(english, "admin").get("/communities/999999").status_code == 404


def test_the_roster_page_is_forbidden_to_a_resident(english, world):
    client = logged_in(english, "resident")
    response = client.get(f"/communities/{world.home}/roster")
    assert response.status_code == 403
    assert "You may not do this here" in response.text
    upload = post_form(
        client,
        f"/communities/{world.home}/roster",
        {"roster": _file("1栋,1单元,101,1,80,某人,13800000000\n")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 403


def test_the_roster_page_of_another_community_is_not_found(english, world):
    client = logged_in(english, "manager")
    assert client.get(f"/communities/{world.neighbour}/roster").status_code == 404


def test_the_roster_form_explains_the_columns(english, world):
    html = logged_in(english, "manager").get(f"/communities/{world.home}/roster").text
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert "建筑面积" in html and "业主姓名" in html
    assert 'name="dry_run"' in html and "checked" in html  # checking first is the default


def test_a_dry_run_reports_and_changes_nothing(english, world):
    client = logged_in(english, "manager")
    response = _upload(client, world.home, "3栋,1单元,101,1,80.5,王五,13800000009\n", dry=True)
    assert response.status_code == 200, response.text
    assert "The file is correct. Nothing has been changed yet." in response.text
    assert _report_value(response.text, "Units added") == "1"
    assert _report_value(response.text, "Buildings added") == "1"
    page = client.get(f"/communities/{world.home}").text
    assert "3栋" not in page


def test_an_import_changes_the_registry(english, world):
    client = logged_in(english, "manager")
    response = _upload(client, world.home, "3栋,1单元,101,1,80.5,王五,13800000009\n", dry=False)
    assert response.status_code == 200, response.text
    assert "The roster has been imported" in response.text
    assert "3栋" in client.get(f"/communities/{world.home}").text


def test_a_bad_roster_shows_every_row_error(english, world):
    client = logged_in(english, "manager")
    rows = "1栋,1单元,101,一楼,80,张三,13800000001\n1栋,1单元,102,1,-5,,13800000002\n"
    response = _upload(client, world.home, rows, dry=False)
    assert response.status_code == 422
    html = response.text
    assert "The file was not imported" in html
    assert 'id="roster-row-errors"' in html
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert "2" in cells and "3" in cells  # spreadsheet rows: the header is row 1
    assert {"Floor", "Floor area", "Owners"} <= set(cells)
    assert "一楼 is not a whole floor number." in html


def test_a_file_error_is_shown_in_the_readers_language(client, world):
    client = logged_in(client, "manager")
    response = _upload(client, world.home, "", dry=True, header="楼栋,单元,房号\n")
    assert response.status_code == 422
    assert "文件没有导入" in response.text
    assert "缺少“楼层”列" in response.text  # the column named in Chinese too


def test_a_roster_post_without_a_file_names_the_field(english, world):
    client = logged_in(english, "manager")
    response = post_form(
        client, f"/communities/{world.home}/roster", {}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "Please choose the roster file to import." in response.text


def test_the_language_switcher_sets_the_cookie_and_returns(client, world):
    token = csrf_token_of(client.get("/login").text)
    response = client.post("/locale", data={"csrf_token": token, "locale": "en", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("hall_locale=en;")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert '<html lang="en">' in client.get("/login").text


def test_the_language_switcher_refuses_other_languages_and_other_sites(client, world):
    token = csrf_token_of(client.get("/login").text)
    refused = client.post("/locale", data={"csrf_token": token, "locale": "fr"})
    assert refused.status_code == 422
    sent_home = client.post(
        "/locale", data={"csrf_token": token, "locale": "en", "next": "//evil.example"}
    )
    assert sent_home.headers["Location"] == "/"


def test_the_language_switcher_marks_the_current_language(english, world):
    html = english.get("/login").text
    assert 'value="en"\n                    lang="en"' in html
    assert html.count('aria-pressed="true"') == 1


def test_an_unknown_page_is_a_readable_404(english, world):
    response = english.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Go to the home page" in response.text


def test_every_page_links_the_stylesheet_and_script(english, world):
    html = logged_in(english, "resident").get(f"/communities/{world.home}").text
    assert "/static/hall.css" in html and "/static/hall.js" in html
    assert "/vendor/socket.io.min.js" in html
    assert 'data-socket-transports="polling,websocket"' in html
    assert 'id="live-indicator"' in html and "Connecting…" in html


def test_the_login_page_does_not_load_the_socket_client(english, world):
    # The server refuses anonymous sockets; the login page would only show "offline".
    html = english.get("/login").text
    assert "socket.io.min.js" not in html and 'id="live-indicator"' not in html


def _file(rows: str, header: str = ROSTER_HEADER):
    return (io.BytesIO((header + rows).encode("utf-8")), "roster.csv")


def _upload(client, community_id: int, rows: str, *, dry: bool, header: str = ROSTER_HEADER):
    data = {"roster": _file(rows, header)}
    if dry:
        data["dry_run"] = "y"
    return post_form(
        client, f"/communities/{community_id}/roster", data, content_type="multipart/form-data"
    )


def _report_value(html: str, label: str) -> str:
    start = html.index(f"<dt>{label}</dt>")
    value_start = html.index("<dd>", start) + len("<dd>")
    return html[value_start : html.index("</dd>", value_start)].strip()
