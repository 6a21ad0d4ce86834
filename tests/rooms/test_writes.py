"""Room writes are retried when the database says another writer is busy, and only then."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from app.core import db as core_db
from app.core.errors import ServiceBusy
from app.rooms import writes


def _busy(message: str) -> OperationalError:
    return OperationalError("INSERT ...", {}, sqlite3.OperationalError(message))


def test_a_busy_database_is_retried_until_the_write_goes_through(app_ctx, monkeypatch) -> None:
    monkeypatch.setattr(core_db.time, "sleep", lambda seconds: None)
    calls = []

    def work() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _busy("database is locked")
        return "stored"

    assert writes.write(work) == "stored"
    assert len(calls) == 3


def test_other_errors_and_endless_contention_are_not_hidden(app_ctx, monkeypatch) -> None:
    monkeypatch.setattr(core_db.time, "sleep", lambda seconds: None)
    calls = []

    def broken() -> None:
        calls.append(1)
        raise _busy("no such table: rooms")

    with pytest.raises(OperationalError):
        writes.write(broken)
    assert len(calls) == 1

    def always_busy() -> None:
        calls.append(1)
        raise _busy("database is locked")

    with pytest.raises(ServiceBusy):
        writes.write(always_busy)
    assert len(calls) == 1 + core_db.RETRY_ATTEMPTS
