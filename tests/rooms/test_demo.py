"""The demo rooms load once, with history in several scripts, and load again harmlessly."""

from __future__ import annotations

from sqlalchemy import func, select

from app.core.db import unit_of_work
from app.core.permissions import Role
from app.rooms import demo, services
from app.rooms.models import Message, Room


def test_demo_rooms_have_history_and_reload_harmlessly(make_user, session) -> None:
    make_user(Role.ORGANISER, email="organiser1@demo.example")
    reader = make_user(email="ambassador7@demo.example")
    for login in ("ambassador1", "ambassador15", "ambassador39"):
        make_user(email=f"{login}@demo.example")
    with unit_of_work():
        assert demo.load("pw") == "demo rooms: 3 created"
    with unit_of_work():
        assert demo.load("pw") == "demo rooms: 0 created"
    room = session.scalar(select(Room).where(Room.name == "AI governance"))
    assert session.scalar(select(func.count(Message.id)).where(Message.room_id == room.id)) >= 5
    assert services.search_messages(reader, "人工智能")
    assert services.search_messages(reader, "стандарты")
