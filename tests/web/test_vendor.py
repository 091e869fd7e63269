"""The browser packages Hall serves from node_modules, and the API docs page that uses them."""

from __future__ import annotations

import json
import re

import pytest

from hall.config import PROJECT_ROOT
from tests.services import missing


@pytest.fixture
def node_modules(app):
    directory = app.extensions["hall.settings"].node_modules
    if not all((directory / name).is_dir() for name in ("socket.io-client", "swagger-ui-dist")):
        missing("npm packages (run npm ci)")
    return directory


def test_the_socket_io_client_is_served_with_cache_headers(client, node_modules):
    response = client.get("/vendor/socket.io.min.js")
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert "max-age=604800" in response.headers["Cache-Control"]
    assert "public" in response.headers["Cache-Control"]
    assert response.headers.get("ETag")
    assert response.data == (node_modules / "socket.io-client/dist/socket.io.min.js").read_bytes()
    unchanged = {"If-None-Match": response.headers["ETag"]}
    assert client.get("/vendor/socket.io.min.js", headers=unchanged).status_code == 304


def test_the_socket_io_client_speaks_to_a_python_socketio_5_server(node_modules):
    # python-socketio 5.x speaks Socket.IO protocol 5, which is the JavaScript client's 4.x.
    version = json.loads((node_modules / "socket.io-client/package.json").read_text())["version"]
    assert version.split(".")[0] == "4"
    declared = json.loads((PROJECT_ROOT / "package.json").read_text())["dependencies"]
    assert declared["socket.io-client"].lstrip("~^").split(".")[0] == "4"


def test_the_lock_file_pins_what_package_json_asks_for():
    declared = json.loads((PROJECT_ROOT / "package.json").read_text())["dependencies"]
    locked = json.loads((PROJECT_ROOT / "package-lock.json").read_text())["packages"]
    assert locked[""]["dependencies"] == declared
    for name in declared:
        assert f"node_modules/{name}" in locked


def test_swagger_ui_files_are_served(client, node_modules):
    for name in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        response = client.get(f"/vendor/swagger-ui/{name}")
        assert response.status_code == 200, name
        assert "max-age=604800" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/vendor/swagger-ui/../package.json",
        "/vendor/swagger-ui/%2e%2e/%2e%2e/package.json",
        "/vendor/swagger-ui/no-such-file.js",
        "/vendor/socket.io.js",
        "/vendor/engine.io.js",
    ],
)
def test_nothing_else_is_served_from_node_modules(client, node_modules, path):
    assert client.get(path).status_code == 404


def test_missing_packages_are_a_404_not_a_crash(app, client, tmp_path):
    settings = app.extensions["hall.settings"]
    app.extensions["hall.settings"] = settings.replace(node_modules=tmp_path)
    try:
        response = client.get("/vendor/socket.io.min.js", headers={"Accept": "application/json"})
    finally:
        app.extensions["hall.settings"] = settings
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_the_api_docs_load_swagger_ui_from_hall_itself(client, node_modules):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.text
    assert "/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/vendor/swagger-ui/swagger-ui.css" in html
    referenced = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert referenced
    for url in referenced:
        assert url.startswith("/"), f"{url} is not served by Hall"
        assert not url.startswith("//"), f"{url} is another host"
    for cdn in ("unpkg", "jsdelivr", "cdnjs", "googleapis", "bootcdn", "staticfile"):
        assert cdn not in html
    for url in referenced:
        assert client.get(url).status_code == 200, url
