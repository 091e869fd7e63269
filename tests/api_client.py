"""A small REST client over Flask's test client: logs in by token, returns JSON."""

from __future__ import annotations

from dataclasses import dataclass

from tests.factories import PASSWORD


@dataclass
class Reply:
    status: int
    json: dict | list | None
    headers: dict


class ApiClient:
    def __init__(self, client):
        self.client = client
        self.token: str | None = None

    def login(self, username: str, password: str = PASSWORD) -> ApiClient:
        reply = self.post("/api/tokens", {"username": username, "password": password})
        assert reply.status == 201, reply.json
        self.token = reply.json["token"]
        return self

    def as_user(self, username: str) -> ApiClient:
        return ApiClient(self.client).login(username)

    def request(self, method: str, path: str, json=None, **kwargs) -> Reply:
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        response = self.client.open(path, method=method, json=json, headers=headers, **kwargs)
        return Reply(response.status_code, response.get_json(silent=True), dict(response.headers))

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.request("POST", path, json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.request("PUT", path, json, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)
