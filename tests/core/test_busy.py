"""Contention with other writers: the unit of work runs again, then answers 503 / busy, never 500."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.core.db import is_contention, run_in_transaction
from app.core.errors import ServiceBusy
from app.extensions import db
from app.notifications import services as notices
from tests.conftest import csrf_token


def locked() -> OperationalError:
    return OperationalError("UPDATE notices", {}, sqlite3.OperationalError("database is locked"))


def test_contention_is_recognised_and_other_errors_are_not() -> None:
    assert is_contention(locked())
    assert not is_contention(OperationalError("x", {}, sqlite3.OperationalError("no such table: x")))
    assert not is_contention(ValueError("database is locked"))


def test_a_unit_of_work_runs_again_after_contention(session, make_user) -> None:
    user = make_user()
    calls: list[int] = []

    def action() -> str:
        calls.append(1)
        user.display_name = f"Attempt {len(calls)}"
        db.session.flush()
        if len(calls) < 3:
            raise locked()
        return "stored"

    assert run_in_transaction(action) == "stored"
    assert len(calls) == 3
    session.expire_all()
    assert session.get(type(user), user.id).display_name == "Attempt 3"


def test_contention_outlasting_the_retries_is_busy_and_stores_nothing(session, make_user) -> None:
    user = make_user(display_name="Before")
    calls: list[int] = []

    def action() -> None:
        calls.append(1)
        user.display_name = "Never"
        db.session.flush()
        raise locked()

    with pytest.raises(ServiceBusy) as error:
        run_in_transaction(action)
    assert len(calls) == 4 and error.value.code == "busy" and error.value.final
    session.expire_all()
    assert session.get(type(user), user.id).display_name == "Before"


def test_a_busy_view_answers_a_translated_503_after_retrying(login_as, monkeypatch) -> None:
    client, _user = login_as(locale="fr")
    calls: list[int] = []

    def always_locked(actor, notice_id=None):
        calls.append(1)
        raise locked()

    monkeypatch.setattr(notices, "mark_read", always_locked)
    token = csrf_token(client, "/notices")
    response = client.post("/notices/read", data={"csrf_token": token})
    assert response.status_code == 503 and len(calls) == 4
    assert "Rien n’a été modifié" in response.get_data(as_text=True)
    json = client.post("/notices/read", data={"csrf_token": token},
                       headers={"Accept": "application/json"})
    assert json.status_code == 503 and json.get_json()["code"] == "busy"


def test_a_view_that_meets_contention_once_succeeds(login_as, monkeypatch) -> None:
    client, _user = login_as()
    real, calls = notices.mark_read, []

    def locked_once(actor, notice_id=None):
        calls.append(1)
        if len(calls) == 1:
            db.session.execute(text("SELECT 1"))
            raise locked()
        return real(actor, notice_id)

    monkeypatch.setattr(notices, "mark_read", locked_once)
    response = client.post("/notices/read", data={"csrf_token": csrf_token(client, "/notices")})
    assert response.status_code == 302 and len(calls) == 2
