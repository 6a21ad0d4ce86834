"""Readiness: the database and Redis are checked with timings; a backlog is reported, never fatal."""

from __future__ import annotations

import os
import socket

import pytest
from flask import Flask

from app import create_app
from app.core import health


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_readiness_reports_the_database_with_timings(client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    database = response.json["checks"]["database"]
    assert database["ok"] is True and database["critical"] is True
    assert isinstance(database["ms"], float)
    assert "redis" not in response.json["checks"]  # none configured in tests


def app_checking_redis(tmp_path, url: str) -> Flask:
    """An app whose readiness checks Redis at `url` (its Socket.IO stays on the test's queue)."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.sqlite3'}",
                                 "READYZ_TIMEOUT": 0.5})
    app.config["REDIS_URL"] = url
    health.init_app(app)
    return app


def test_redis_is_checked_only_when_configured() -> None:
    bare = Flask(__name__)
    health.init_app(bare)
    assert set(bare.extensions[health.EXTENSION]) == {"database", "outbox"}
    bare.config["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    health.init_app(bare)
    assert set(bare.extensions[health.EXTENSION]) == {"database", "redis", "outbox"}


def test_readiness_fails_when_redis_is_unreachable(tmp_path) -> None:
    app = app_checking_redis(tmp_path, f"redis://127.0.0.1:{closed_port()}/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["checks"]["redis"]["ok"] is False
    assert "ConnectionError" in response.json["checks"]["redis"]["error"]
    assert response.json["checks"]["database"]["ok"] is True
    assert app.test_client().get("/healthz").status_code == 200  # alive, not ready


def test_readiness_passes_with_a_reachable_redis(tmp_path) -> None:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set")
    response = app_checking_redis(tmp_path, url).test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["redis"]["ok"] is True


def test_readiness_fails_when_the_database_is_unreachable(tmp_path) -> None:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI":
                                 f"postgresql+psycopg://nobody@127.0.0.1:{closed_port()}/none"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"]["ok"] is False


def test_a_feature_adds_a_check_and_a_non_critical_failure_is_only_reported(tmp_path) -> None:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.sqlite3'}"})
    health.add_check(app, "backlog", lambda: {"queued": 7}, critical=False)
    body = app.test_client().get("/readyz").json
    assert body["checks"]["backlog"] == {"ok": True, "critical": False,
                                         "ms": body["checks"]["backlog"]["ms"],
                                         "detail": {"queued": 7}}

    def overloaded() -> None:
        raise RuntimeError("1200 mails waiting")

    health.add_check(app, "backlog", overloaded, critical=False)
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["backlog"]["error"] == "RuntimeError: 1200 mails waiting"

    health.add_check(app, "backlog", overloaded)
    assert app.test_client().get("/readyz").status_code == 503


def test_readiness_reports_the_outbox_backlog_without_failing(client, session, monkeypatch) -> None:
    from app.notifications.mail import queue_email

    monkeypatch.setitem(client.application.config, "MAIL_DELIVERY", "worker")  # nobody sends it
    before = client.get("/readyz").json["checks"]["outbox"]
    assert before["ok"] is True and before["critical"] is False
    queue_email("someone@example.org", "email/notice", "en", text="Hello", link=None, user=None)
    session.commit()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["outbox"]["detail"]["due"] == before["detail"]["due"] + 1
