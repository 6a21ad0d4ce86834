"""Settings classes chosen by name; the only place that reads the environment."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-insecure-change-me"  # noqa: S105 - accepted by the test suite only
PUBLISHED_DEMO_PASSWORD = "caravanserai-demo"  # noqa: S105 - printed in the README; never in production


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


def _sqlite_default() -> str:
    return f"sqlite:///{ROOT / 'instance' / 'caravanserai.sqlite3'}"


class Config:
    """Settings shared by every environment."""

    # Unset: a random key is generated once and kept in INSTANCE_PATH/secret_key (app.core.secrets).
    SECRET_KEY = _env("SECRET_KEY")
    # Where per-instance state lives (the generated secret key); ROOT/instance when unset.
    INSTANCE_PATH = _env("INSTANCE_PATH")
    PRODUCTION = False
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", _sqlite_default())
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT = float(_env("SQLITE_BUSY_TIMEOUT", "15") or 15)  # seconds a writer waits
    REDIS_URL = _env("REDIS_URL")
    HOST = _env("HOST", "127.0.0.1")
    PORT = _env_int("PORT", 5000)
    BASE_URL = _env("BASE_URL", f"http://127.0.0.1:{_env_int('PORT', 5000)}")

    MAIL_SERVER = _env("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_DEFAULT_SENDER = _env("MAIL_DEFAULT_SENDER", "Caravanserai <no-reply@caravanserai.example>")
    MAIL_SUPPRESS_SEND = _env_bool("MAIL_SUPPRESS_SEND", False)
    # after_commit: send right after the change commits (development); worker: only `flask mail
    # worker` / `flask mail send-queued` send (production). Either way the mail is stored first.
    MAIL_DELIVERY = _env("MAIL_DELIVERY", "after_commit")
    MAIL_MESSAGE_ID_DOMAIN = _env("MAIL_MESSAGE_ID_DOMAIN")  # default: the host of BASE_URL
    MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 8)
    MAIL_RETRY_BASE = _env_int("MAIL_RETRY_BASE", 60)  # seconds; doubles after each failure
    MAIL_KEEP_SENT_DAYS = _env_int("MAIL_KEEP_SENT_DAYS", 14)

    BABEL_DEFAULT_LOCALE = _env("DEFAULT_LOCALE", "en")
    BABEL_DEFAULT_TIMEZONE = _env("DEFAULT_TIMEZONE", "UTC")
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = ("en", "ar", "zh", "fr", "ru", "es", "uz")

    DEMO_PASSWORD = _env("DEMO_PASSWORD", PUBLISHED_DEMO_PASSWORD)
    INVITATION_MAX_AGE = _env_int("INVITATION_MAX_AGE", 7 * 24 * 3600)
    PASSWORD_RESET_MAX_AGE = _env_int("PASSWORD_RESET_MAX_AGE", 3600)
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "10 per minute;100 per hour")
    ROOMS_RATE_LIMIT = _env("ROOMS_RATE_LIMIT", "20/10 second")  # `limits` syntax
    # join, watch, heartbeat, read, leave per member (docs/realtime.md)
    ROOMS_FOLLOW_RATE_LIMIT = _env("ROOMS_FOLLOW_RATE_LIMIT", "60/10 second")
    ROOMS_EDIT_WINDOW = _env_int("ROOMS_EDIT_WINDOW", 15 * 60)  # seconds
    ROOMS_MAX_BODY = _env_int("ROOMS_MAX_BODY", 4000)  # characters
    MATCHMAKING_MAX_PENDING = _env_int("MATCHMAKING_MAX_PENDING", 10)
    # How many requests one member may send the same person per convening (cancelled ones count).
    MATCHMAKING_MAX_REQUESTS_PER_PERSON = _env_int("MATCHMAKING_MAX_REQUESTS_PER_PERSON", 3)
    MEETING_URL_TEMPLATE = _env("MEETING_URL_TEMPLATE", "")  # e.g. https://meet.example.org/{room}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_DURATION = 30 * 24 * 3600
    WTF_CSRF_TIME_LIMIT = None
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    SOCKETIO_ASYNC_MODE = _env("SOCKETIO_ASYNC_MODE", "threading")
    # The Redis pub/sub channel; deployments (and test runs) sharing one Redis need their own.
    SOCKETIO_CHANNEL = _env("SOCKETIO_CHANNEL", "flask-socketio")
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = True
    # How many proxies in front of the app set each X-Forwarded-* header (0: trust none).
    PROXY_FIX_X_FOR = _env_int("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = _env_int("PROXY_FIX_X_PROTO", 0)
    PROXY_FIX_X_HOST = _env_int("PROXY_FIX_X_HOST", 0)
    PROXY_FIX_X_PORT = _env_int("PROXY_FIX_X_PORT", 0)
    # Seconds a readiness check may take before it counts as failed.
    READYZ_TIMEOUT = float(_env("READYZ_TIMEOUT", "2") or 2)

    @classmethod
    def check(cls) -> None:
        """Refuse settings that are unsafe for this environment."""


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, threading Socket.IO."""

    DEBUG = False


class TestingConfig(Config):
    """The test suite: CSRF on, e-mail to a local SMTP server the tests start."""

    TESTING = True
    SECRET_KEY = DEFAULT_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL", "sqlite://")
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = _env_int("TEST_MAIL_PORT", 8025)
    RATELIMIT_STORAGE_URI = "memory://"
    REDIS_URL = None


class ProductionConfig(Config):
    """Production: gevent workers, PostgreSQL, Redis, secure cookies."""

    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SOCKETIO_ASYNC_MODE = _env("SOCKETIO_ASYNC_MODE", "gevent")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
    PRODUCTION = True
    MAIL_DELIVERY = _env("MAIL_DELIVERY", "worker")

    @classmethod
    def check(cls) -> None:
        """Refuse to start with the placeholder or a short secret key, or without a database URL."""
        if cls.SECRET_KEY is not None and (cls.SECRET_KEY == DEFAULT_SECRET_KEY or len(cls.SECRET_KEY) < 16):
            raise RuntimeError("SECRET_KEY must be a long random value in production (or unset: "
                               "one is then generated once in INSTANCE_PATH/secret_key)")
        if not cls.SQLALCHEMY_DATABASE_URI:
            raise RuntimeError("DATABASE_URL must be set in production")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_name_from_env() -> str:
    """The configuration named by CARAVANSERAI_CONFIG, development by default."""
    return _env("CARAVANSERAI_CONFIG", "development") or "development"


def get_config(name: str | None = None) -> type[Config]:
    """Return the settings class called `name`."""
    name = name or config_name_from_env()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"unknown configuration {name!r}; choose one of {sorted(CONFIGS)}") from None
