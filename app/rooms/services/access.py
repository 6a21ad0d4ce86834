"""Reading rooms and permissions: who may read, write and moderate, and the predicates pages show."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.core.db import utcnow
from app.core.errors import Forbidden, Invalid, NotFound
from app.core.permissions import is_staff, require_signed_in
from app.extensions import db
from app.rooms.models import (
    MemberRole,
    MemberStatus,
    Message,
    Room,
    RoomKind,
    RoomMember,
)


def membership(actor: User, room: Room) -> RoomMember | None:
    """The actor's current membership of `room`, if any."""
    return db.session.scalar(select(RoomMember).where(
        RoomMember.room_id == room.id, RoomMember.user_id == actor.id,
        RoomMember.status == MemberStatus.ACTIVE))


MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def _id_or_none(value: Any) -> int | None:
    """A positive row id from a client, or None (wrong type, out of range)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        return None
    return value


def get_room(actor: User, room_id: Any) -> Room:
    """The room `room_id` if it exists and the actor may know of it (member, or open room)."""
    require_signed_in(actor)
    if isinstance(room_id, bool) or not isinstance(room_id, int | str):
        raise Invalid(_l("Choose a room."), code="bad_room")
    text = room_id.strip() if isinstance(room_id, str) else None
    if text is not None and not (text.isascii() and text.isdigit() and len(text) <= 12):
        raise Invalid(_l("Choose a room."), code="bad_room")
    number = _id_or_none(int(text) if text is not None else room_id)
    room = db.session.get(Room, number) if number is not None else None
    if room is None or (room.kind != RoomKind.OPEN and membership(actor, room) is None):
        raise NotFound(_l("This room does not exist, or you are not in it."),
                       code="room_not_found")
    return room


def require_reader(actor: User, room: Room) -> RoomMember:
    """Refuse anyone who is not a current member of the room."""
    require_signed_in(actor)
    member = membership(actor, room)
    if member is None:
        if room.kind == RoomKind.OPEN:
            raise Forbidden(_l("Join this room to read and write in it."), code="not_member")
        raise NotFound(_l("This room does not exist, or you are not in it."),
                       code="room_not_found")
    return member


def may_moderate(actor: User, room: Room, member: RoomMember | None = None) -> bool:
    """Owners and moderators of a room; organisers in open and convening rooms."""
    member = member if member is not None else membership(actor, room)
    if member is not None and member.role in (MemberRole.OWNER, MemberRole.MODERATOR):
        return True
    return is_staff(actor) and room.kind in (RoomKind.OPEN, RoomKind.CONVENING)


def require_moderator(actor: User, room: Room) -> None:
    """Refuse anyone who may not moderate the room."""
    require_signed_in(actor)
    if not may_moderate(actor, room):
        raise Forbidden(_l("Only the room's owner and moderators may do this."),
                        code="not_moderator")


def require_writer(actor: User, room: Room) -> RoomMember:
    """Refuse non-members, muted members, and anyone but moderators in a locked room."""
    member = require_reader(actor, room)
    if member.muted_until is not None and member.muted_until > utcnow():
        raise Forbidden(_l("You are muted in this room for now."), code="muted")
    if room.locked and not may_moderate(actor, room, member):
        raise Forbidden(_l("This room is locked."), code="locked")
    return member


# The predicates below decide what a page offers; the services' guards call the same ones.

def may_create_open_room(actor: User) -> bool:
    """Organisers open thematic rooms; every member may start a working group."""
    return is_staff(actor)


def may_leave(actor: User, room: Room, member: RoomMember | None = None) -> bool:
    """Members leave open rooms, working groups and direct conversations; owners stay, and
    convening rooms follow the registration."""
    member = member if member is not None else membership(actor, room)
    return member is not None and room.kind != RoomKind.CONVENING \
        and member.role != MemberRole.OWNER


def may_edit(actor: User, message: Message) -> bool:
    """Only the author edits a message, and never once it is deleted (the edit window aside)."""
    return message.author_id == actor.id and message.deleted_at is None


def may_delete(actor: User, message: Message, member: RoomMember | None = None) -> bool:
    """The author deletes their own message; the room's moderators delete any."""
    return message.author_id == actor.id or may_moderate(actor, message.room, member)


def may_report(actor: User, message: Message) -> bool:
    """Any reader reports someone else's message while it stands."""
    return message.author_id != actor.id and message.deleted_at is None


def may_invite(actor: User, room: Room, member: RoomMember | None = None) -> bool:
    """Working groups take invitations, from their owner and moderators."""
    return room.kind == RoomKind.PRIVATE and may_moderate(actor, room, member)
