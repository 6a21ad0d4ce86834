"""The UTC datetime type and the unit of work, on each database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.core.db import on_commit, unit_of_work
from app.core.errors import Invalid
from app.extensions import db


def test_aware_datetimes_round_trip_as_utc(session, make_user) -> None:
    tashkent = timezone(timedelta(hours=5))
    user = make_user(last_login_at=datetime(2026, 3, 1, 9, 30, tzinfo=tashkent))
    session.expire_all()
    stored = session.scalar(select(User).where(User.id == user.id))
    assert stored.last_login_at == datetime(2026, 3, 1, 4, 30, tzinfo=UTC)
    assert stored.last_login_at.tzinfo is not None
    assert stored.last_login_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(session, make_user) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        make_user(last_login_at=datetime(2026, 3, 1, 9, 30))
    session.rollback()


def test_unit_of_work_rolls_back_and_drops_after_commit_callbacks(session, make_user) -> None:
    user = make_user()
    fired: list[str] = []
    with pytest.raises(Invalid), unit_of_work():
        user.display_name = "Changed"
        on_commit(db.session(), lambda: fired.append("rolled back"))
        raise Invalid("no")
    session.expire_all()
    assert session.get(User, user.id).display_name != "Changed"
    with unit_of_work():
        on_commit(db.session(), lambda: fired.append("committed"))
    assert fired == ["committed"]


def test_refusals_marked_persist_keep_their_changes(session, make_user) -> None:
    user = make_user()
    with pytest.raises(Invalid), unit_of_work():
        user.failed_logins = 3
        raise Invalid("counted", persist=True)
    session.expire_all()
    assert session.get(User, user.id).failed_logins == 3
