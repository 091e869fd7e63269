"""Settings from the environment, and the refusals that keep a deployment honest."""

from __future__ import annotations

import pytest

from hall.config import Settings, SettingsError, normalise_database_url


@pytest.fixture
def environment(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "HALL_ENV", "HALL_ASYNC_MODE",
                 "HALL_SOCKET_TRANSPORTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HALL_INSTANCE_PATH", str(tmp_path / "instance"))
    return monkeypatch


def test_embedded_default_is_sqlite_under_instance_with_a_kept_secret_key(environment, tmp_path):
    first = Settings.from_env()
    assert first.database_url == f"sqlite:///{tmp_path / 'instance' / 'hall.sqlite3'}"
    assert len(first.secret_key) == 64
    assert Settings.from_env().secret_key == first.secret_key  # survives a restart
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0
    assert first.redis_url is None
    assert first.async_mode == "eventlet"


def test_production_refuses_to_start_without_a_secret_key(environment):
    environment.setenv("HALL_ENV", "production")
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings.from_env()
    environment.setenv("SECRET_KEY", "s" * 64)
    settings = Settings.from_env()
    assert settings.production
    assert settings.flask_config()["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("mode", ["eventlet", "gevent", "threading"])
def test_async_mode_is_one_setting(environment, mode):
    environment.setenv("HALL_ASYNC_MODE", mode)
    assert Settings.from_env().async_mode == mode


def test_unknown_async_mode_or_transport_is_refused(environment):
    environment.setenv("HALL_ASYNC_MODE", "asyncio")
    with pytest.raises(SettingsError, match="HALL_ASYNC_MODE"):
        Settings.from_env()
    environment.setenv("HALL_ASYNC_MODE", "gevent")
    environment.setenv("HALL_SOCKET_TRANSPORTS", "carrier-pigeon")
    with pytest.raises(SettingsError, match="HALL_SOCKET_TRANSPORTS"):
        Settings.from_env()


def test_redis_url_also_backs_the_rate_limiter(environment):
    environment.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    config = Settings.from_env().flask_config()
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u@h/db", "postgresql+psycopg2://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg2://u@h/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg2://u@h/db"),
        ("sqlite:////tmp/x.sqlite3", "sqlite:////tmp/x.sqlite3"),
    ],
)
def test_postgresql_urls_use_the_cooperative_driver(given, used):
    assert normalise_database_url(given) == used


def test_app_sets_socketio_async_mode_explicitly(app):
    from hall.extensions import socketio

    assert socketio.async_mode == app.extensions["hall.settings"].async_mode == "threading"


def test_login_rate_limit_counts_each_client_behind_a_trusted_proxy(app, world):
    from hall import create_app

    behind_nginx = create_app(app.extensions["hall.settings"].replace(trusted_proxies=1))
    client = behind_nginx.test_client()

    def attempt(address: str) -> int:
        return client.post(
            "/api/tokens",
            json={"username": "resident", "password": "wrong"},
            headers={"X-Forwarded-For": address},
        ).status_code

    assert [attempt("203.0.113.7") for _ in range(11)][-1] == 429
    assert attempt("198.51.100.9") == 401  # another client is not held back by the first


def test_trusted_proxies_must_be_a_whole_number(environment):
    environment.setenv("HALL_TRUSTED_PROXIES", "one")
    with pytest.raises(SettingsError, match="HALL_TRUSTED_PROXIES"):
        Settings.from_env()
