"""Settings, read from the environment once, with safe defaults for the embedded setup."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from flask import current_app

ASYNC_MODES = ("eventlet", "gevent", "threading")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """A setting is missing or wrong; Hall refuses to start rather than run half-configured."""


def _instance_path() -> Path:
    return Path(os.environ.get("HALL_INSTANCE_PATH", PROJECT_ROOT / "instance")).resolve()


def _persisted_secret_key(instance: Path) -> str:
    # The embedded default must survive restarts, or every restart logs everybody out.
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    async_mode: str = "eventlet"
    redis_url: str | None = None
    # The Redis pub/sub channel Socket.IO fans out on. Pub/sub ignores Redis database numbers,
    # so two installations (or test runs) sharing one Redis need channels of their own.
    socketio_channel: str = "flask-socketio"
    # How many proxies (nginx) stand in front of Hall and may be believed about the client's
    # address and scheme; 0 believes no X-Forwarded-* header at all.
    trusted_proxies: int = 0
    production: bool = False
    instance_path: Path = field(default_factory=_instance_path)
    # "polling,websocket" needs sticky sessions behind several workers; "websocket" does not.
    socket_transports: tuple[str, ...] = ("polling", "websocket")
    max_upload_bytes: int = 16 * 1024 * 1024
    max_json_bytes: int = 1024 * 1024
    login_rate_limit: str = "10 per minute"
    # Per person, on every door that posts a comment (Flask-Limiter's notation).
    comment_rate_limit: str = "10 per minute;100 per hour"
    # Seconds between announcements of a room's viewer count (0: at every change).
    viewer_count_interval: float = 1.0
    # Seconds between announcements of a vote's live tally (0: after every ballot).
    tally_interval: float = 0.5
    # Database connections each worker may hold; a request finding them all busy waits its
    # turn. None are opened beyond them for a burst: a new PostgreSQL connection plans its
    # first queries from cold caches, and under a burst of ballots that churn cost PostgreSQL
    # more than the ballots did.
    database_pool_size: int = 20
    default_locale: str = "zh_CN"
    default_timezone: str = "Asia/Shanghai"
    node_modules: Path = PROJECT_ROOT / "node_modules"
    testing: bool = False

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        env = os.environ
        production = env.get("HALL_ENV", "development") == "production"
        instance = _instance_path()
        database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'hall.sqlite3'}"
        secret_key = env.get("SECRET_KEY")
        if not secret_key:
            if production:
                raise SettingsError("SECRET_KEY must be set when HALL_ENV=production")
            secret_key = _persisted_secret_key(instance)
        settings = cls(
            database_url=database_url,
            secret_key=secret_key,
            async_mode=env.get("HALL_ASYNC_MODE", "eventlet"),
            redis_url=env.get("REDIS_URL") or None,
            socketio_channel=env.get("HALL_SOCKETIO_CHANNEL") or "flask-socketio",
            trusted_proxies=_whole_number(env, "HALL_TRUSTED_PROXIES", 0),
            production=production,
            instance_path=instance,
            socket_transports=tuple(
                t.strip()
                for t in env.get("HALL_SOCKET_TRANSPORTS", "polling,websocket").split(",")
                if t.strip()
            ),
            node_modules=Path(env.get("HALL_NODE_MODULES", PROJECT_ROOT / "node_modules")),
            comment_rate_limit=env.get("HALL_COMMENT_RATE_LIMIT") or cls.comment_rate_limit,
            viewer_count_interval=_seconds(
                env, "HALL_VIEWER_COUNT_INTERVAL", cls.viewer_count_interval
            ),
            tally_interval=_seconds(env, "HALL_TALLY_INTERVAL", cls.tally_interval),
            database_pool_size=_whole_number(
                env, "HALL_DATABASE_POOL_SIZE", cls.database_pool_size
            ),
        )
        return settings.replace(**overrides).validated()

    def replace(self, **changes) -> Settings:
        return replace(self, **changes)

    def validated(self) -> Settings:
        if self.async_mode not in ASYNC_MODES:
            raise SettingsError(
                f"HALL_ASYNC_MODE must be one of {', '.join(ASYNC_MODES)}, not {self.async_mode!r}"
            )
        unknown = set(self.socket_transports) - {"polling", "websocket"}
        if unknown or not self.socket_transports:
            raise SettingsError("HALL_SOCKET_TRANSPORTS takes polling and/or websocket")
        return self

    def flask_config(self) -> dict:
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(self.database_url),
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(self.database_pool_size),
            "MAX_CONTENT_LENGTH": self.max_upload_bytes,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.production,
            "REMEMBER_COOKIE_SECURE": self.production,
            "WTF_CSRF_TIME_LIMIT": None,
            "BABEL_DEFAULT_LOCALE": self.default_locale,
            "BABEL_DEFAULT_TIMEZONE": self.default_timezone,
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            "RATELIMIT_HEADERS_ENABLED": True,
            "TESTING": self.testing,
            "API_TITLE": "Hall",
            "API_VERSION": "1",
            "OPENAPI_VERSION": "3.0.3",
            "OPENAPI_URL_PREFIX": "/api",
            "OPENAPI_JSON_PATH": "openapi.json",
            "OPENAPI_SWAGGER_UI_PATH": "docs",
            "OPENAPI_SWAGGER_UI_URL": "/vendor/swagger-ui/",
        }


def current_settings() -> Settings:
    """The settings of the app handling this request, command or socket event."""
    return current_app.extensions["hall.settings"]


def _whole_number(env, name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise SettingsError(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


def _seconds(env, name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}")
    return seconds


def normalise_database_url(url: str) -> str:
    # Heroku-style "postgres://" URLs are common in deployment panels; SQLAlchemy wants the
    # dialect name, and Hall's one PostgreSQL driver is psycopg2 (cooperative via psycogreen).
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url[len("postgresql://") :]
    return url


def engine_options(pool_size: int) -> dict:
    """SQLAlchemy's engine options: Hall's app and the benchmarks' bare app share them."""
    return {"pool_pre_ping": True, "pool_size": pool_size, "max_overflow": 0}
