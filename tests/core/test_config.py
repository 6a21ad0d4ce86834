"""Configuration classes: chosen by name, production refuses unsafe settings."""

from __future__ import annotations

import pytest

from config import DEFAULT_SECRET_KEY, ProductionConfig, get_config


def test_configurations_are_chosen_by_name() -> None:
    assert get_config("testing").TESTING is True
    assert get_config("development").DEBUG is False
    with pytest.raises(RuntimeError, match="unknown configuration"):
        get_config("staging")


def test_production_refuses_the_default_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", DEFAULT_SECRET_KEY)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://x/y")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig.check()


def test_production_refuses_to_start_without_a_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-long-and-random-secret-value")
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", None)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        ProductionConfig.check()


def test_production_starts_with_proper_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from app import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-long-and-random-secret-value")
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    monkeypatch.setattr(ProductionConfig, "SOCKETIO_ASYNC_MODE", "threading")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
