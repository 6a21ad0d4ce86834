"""The secret key: generated once per instance (mode 0600), reused, and the placeholder refused."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.core.secrets import instance_secret_key
from config import DEFAULT_SECRET_KEY, DevelopmentConfig, ProductionConfig


def development_app(folder: Path, **overrides: object) -> Flask:
    return create_app("development", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'db.sqlite3'}",
                                      "INSTANCE_PATH": str(folder / "instance"), **overrides})


@pytest.fixture(autouse=True)
def no_configured_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DevelopmentConfig, "SECRET_KEY", None)


def test_a_key_is_generated_once_readable_by_its_owner_only_and_reused(tmp_path: Path) -> None:
    first = development_app(tmp_path)
    key_file = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 48
    assert first.config["SECRET_KEY"] != DEFAULT_SECRET_KEY
    assert development_app(tmp_path).config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert development_app(tmp_path / "other").config["SECRET_KEY"] != first.config["SECRET_KEY"]


def test_processes_starting_together_keep_one_key(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: instance_secret_key(tmp_path), range(32)))
    assert len(keys) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_a_configured_key_is_used_and_nothing_is_written(tmp_path: Path) -> None:
    app = development_app(tmp_path, SECRET_KEY="a-configured-and-long-secret-key")
    assert app.config["SECRET_KEY"] == "a-configured-and-long-secret-key"
    assert not (tmp_path / "instance").exists()


def test_the_placeholder_is_refused_outside_tests(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(RuntimeError, match="placeholder"):
        development_app(tmp_path, SECRET_KEY=DEFAULT_SECRET_KEY)
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", DEFAULT_SECRET_KEY)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_without_a_key_generates_one(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    monkeypatch.setattr(ProductionConfig, "SOCKETIO_ASYNC_MODE", "threading")
    app = create_app("production", {"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()


def test_a_cookie_signed_with_the_placeholder_signs_nobody_in(tmp_path: Path) -> None:
    from app.accounts import services as accounts
    from app.core.db import unit_of_work
    from app.core.permissions import Role
    from app.extensions import db

    app = development_app(tmp_path, RATELIMIT_ENABLED=False)
    with app.app_context():
        db.create_all()
        with unit_of_work():
            admin = accounts.create_user("root@example.org", "Root", "a-long-password-here",
                                         role=Role.ADMIN)
        session_id = admin.get_id()
        db.session.remove()

    def cookie_signed_with(key: str) -> str:
        forger = Flask("forger")
        forger.secret_key = key
        return forger.session_interface.get_signing_serializer(forger).dumps(
            {"_user_id": session_id, "_fresh": True})

    name = app.config["SESSION_COOKIE_NAME"]
    client = app.test_client()
    client.set_cookie(name, cookie_signed_with(app.config["SECRET_KEY"]))
    assert client.get("/admin/users").status_code == 200  # the real key signs in: the test can fail

    forged = app.test_client()
    forged.set_cookie(name, cookie_signed_with(DEFAULT_SECRET_KEY))
    response = forged.get("/admin/users")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    with app.app_context():
        db.engine.dispose()
