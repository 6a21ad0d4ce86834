"""The demo matchmaking loads once at the upcoming Forum, with requests in every state."""

from __future__ import annotations

from sqlalchemy import func, select

from app.convenings import services as convenings
from app.core.db import unit_of_work
from app.core.permissions import Role
from app.matchmaking import demo
from app.matchmaking.models import BilateralSlot, MeetingRequest
from tests.convenings.conftest import local, session_data


def test_demo_loads_every_state_and_reloads_harmlessly(make_user, make_convening, organiser,
                                                       session):
    make_user(Role.ORGANISER, email="organiser1@demo.example")
    forum = make_convening(kind="global_forum", edition=4)
    convenings.add_session(organiser, forum, session_data(
        title="Bilateral meetings block", kind="bilateral", starts_local=local(30, 14),
        ends_local=local(30, 17)))
    logins = {login for row in demo.REQUESTS for login in row[:2]}
    for login in sorted(logins):
        role = Role.PARTNER if login.startswith("partner") else Role.AMBASSADOR
        convenings.register(make_user(role, email=f"{login}@demo.example"), forum)
    session.commit()
    with unit_of_work():
        summary = demo.load("pw")
    assert summary.startswith("matchmaking: 6 slots")
    statuses = set(session.scalars(select(MeetingRequest.status)))
    assert statuses == {"pending", "accepted", "declined", "cancelled"}
    placed = session.scalar(select(func.count(MeetingRequest.id)).where(
        MeetingRequest.slot_id.is_not(None)))
    assert placed >= 1
    with unit_of_work():
        assert demo.load("pw") == "matchmaking: already there"
    assert session.scalar(select(func.count(BilateralSlot.id))) == 6
