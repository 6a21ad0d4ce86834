"""Convening rooms, driven by the convenings feature's signals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select

from app.accounts.models import User
from app.convenings import participation
from app.core.db import utcnow
from app.core.permissions import Role
from app.core.signals import convening_published, registration_changed
from app.extensions import db
from app.rooms.models import (
    MemberRole,
    MemberStatus,
    Room,
    RoomKind,
    RoomMember,
)
from app.rooms.services.members import _add_member, _end_membership


def ensure_convening_room(convening: Any) -> Room:
    """The room of a published convening, with its organisers as moderators."""
    room = db.session.scalar(select(Room).where(Room.convening_id == convening.id))
    if room is None:
        room = Room(kind=RoomKind.CONVENING, convening_id=convening.id,
                    name=convening.title_in(convening.default_language)[:120],
                    created_at=utcnow())
        db.session.add(room)
        db.session.flush()
    organisers = select(User).where(User.active.is_(True), or_(
        User.role == Role.ORGANISER.value, User.id == convening.created_by_id))
    for user in db.session.scalars(organisers):
        _add_member(room, user, MemberRole.MODERATOR)
    return room


def takes_part(registration: Any) -> bool:
    """Whether a registration makes its member a participant of the convening's room."""
    return participation.is_confirmed(registration.user_id, registration.convening_id)


def sync_registration(registration: Any) -> None:
    """Keep the convening room in step: confirmed participants are members, others are not."""
    convening = registration.convening
    if not convening.is_published:
        return
    room = ensure_convening_room(convening)
    user = db.session.get(User, registration.user_id)
    if user is None:
        return
    if takes_part(registration):
        _add_member(room, user)
        return
    member = db.session.scalar(select(RoomMember).where(
        RoomMember.room_id == room.id, RoomMember.user_id == user.id,
        RoomMember.role == MemberRole.MEMBER))
    if member is not None and member.status == MemberStatus.ACTIVE:
        _end_membership(member, MemberStatus.REMOVED)


def on_convening_published(convening: Any, **_extra: Any) -> None:
    """A published convening gets its room, with everyone already confirmed in it."""
    room = ensure_convening_room(convening)
    ids = participation.confirmed_participant_ids(convening.id)
    confirmed: Iterable[User] = db.session.scalars(select(User).where(User.id.in_(ids))) if ids else ()
    for user in confirmed:
        _add_member(room, user)


def on_registration_changed(registration: Any, **_extra: Any) -> None:
    """Registrations move people in and out of the convening room."""
    sync_registration(registration)



def connect_signals() -> None:
    """Follow the convenings: a published convening gets its room, registrations move people."""
    convening_published.connect(on_convening_published)
    registration_changed.connect(on_registration_changed)
