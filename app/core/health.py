"""Readiness checks: a small registry each feature can add to, run by `/readyz` with timings.

A check is a function that returns a JSON-safe detail (or None) when the dependency is usable
and raises when it is not. A *critical* check that fails makes the instance not ready (503);
a non-critical one (a backlog, say) is reported and never takes the instance out of rotation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import text

from app.extensions import db

EXTENSION = "caravanserai_readiness"


@dataclass(frozen=True)
class Check:
    """One named readiness check."""

    name: str
    run: Callable[[], Any]
    critical: bool = True


def add_check(app: Flask, name: str, run: Callable[[], Any], *, critical: bool = True) -> None:
    """Register `run` as the readiness check `name` (replacing one of the same name)."""
    checks: dict[str, Check] = app.extensions.setdefault(EXTENSION, {})
    checks[name] = Check(name, run, critical)


def run_checks() -> tuple[bool, dict[str, dict[str, Any]]]:
    """Run every registered check; (ready, {name: {ok, critical, ms, detail|error}})."""
    ready, results = True, {}
    for check in current_app.extensions.get(EXTENSION, {}).values():
        started = time.perf_counter()
        try:
            detail, ok, error = check.run(), True, None
        except Exception as exc:  # noqa: BLE001 - any failure means "not usable"; reported below
            detail, ok, error = None, False, f"{type(exc).__name__}: {exc}"[:300]
        result: dict[str, Any] = {"ok": ok, "critical": check.critical,
                                  "ms": round((time.perf_counter() - started) * 1000, 2)}
        if detail is not None:
            result["detail"] = detail
        if error is not None:
            result["error"] = error
        results[check.name] = result
        ready = ready and (ok or not check.critical)
    return ready, results


def check_database() -> None:
    """The database answers a trivial query."""
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.rollback()


def check_redis() -> None:
    """Redis (message queue and rate-limit storage) answers PING."""
    import redis

    client = redis.Redis.from_url(current_app.config["REDIS_URL"],
                                  socket_timeout=current_app.config.get("READYZ_TIMEOUT", 2),
                                  socket_connect_timeout=current_app.config.get("READYZ_TIMEOUT", 2))
    try:
        client.ping()
    finally:
        client.close()


def check_outbox() -> dict[str, float]:
    """The e-mail outbox's backlog (due unsent mails, age of the oldest): reported, never fatal."""
    from app.notifications import outbox_backlog

    try:
        backlog = outbox_backlog()
    finally:
        db.session.rollback()
    return {"due": backlog.due, "oldest_age_seconds": round(backlog.oldest_age_seconds, 1)}


def init_app(app: Flask) -> None:
    """The checks every instance needs: the database, Redis when one is configured, and the
    e-mail outbox's backlog (reported only: a slow SMTP server must not take the site down)."""
    add_check(app, "database", check_database)
    if app.config.get("REDIS_URL"):
        add_check(app, "redis", check_redis)
    add_check(app, "outbox", check_outbox, critical=False)
