"""The room of a convening follows its publication and its registrations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.convenings import services as convenings
from app.core.db import unit_of_work, utcnow
from app.core.errors import NotFound
from app.rooms import services
from app.rooms.models import Room, RoomKind


@pytest.fixture
def convening(organiser, session):
    start = (utcnow() + timedelta(days=30)).replace(tzinfo=None, hour=9, minute=0, second=0,
                                                    microsecond=0)
    with unit_of_work():
        created = convenings.create_convening(organiser, convenings.ConveningData(
            kind="thematic", titles={"en": "AI governance lab"}, timezone="Asia/Tashkent",
            starts_local=start, ends_local=start + timedelta(days=1), themes=["ai_governance"],
            venue_name="Registan Hall", venue_city="Samarkand", venue_country="UZ"))
    return created


def _room_of(session, convening):
    return session.scalar(select(Room).where(Room.convening_id == convening.id))


def test_publishing_creates_the_room_with_organisers(convening, organiser, session) -> None:
    assert _room_of(session, convening) is None
    with unit_of_work():
        convenings.publish_convening(organiser, convening)
    room = _room_of(session, convening)
    assert room.kind == RoomKind.CONVENING.value and room.name == "AI governance lab"
    assert services.may_moderate(organiser, room)
    assert services.membership(organiser, room) is not None


def test_membership_follows_registrations(convening, organiser, make_user, session) -> None:
    with unit_of_work():
        convenings.publish_convening(organiser, convening)
    ambassador = make_user(display_name="Kadri Tamm")
    with unit_of_work():
        registration = convenings.register(ambassador, convening)
    room = _room_of(session, convening)
    assert registration.status == "confirmed"
    assert services.get_room(ambassador, room.id) is room
    with unit_of_work():
        convenings.cancel_registration(ambassador, registration)
    with pytest.raises(NotFound):
        services.get_room(ambassador, room.id)
    with pytest.raises(NotFound):
        services.post_message(ambassador, room, "still here?", "c1")
