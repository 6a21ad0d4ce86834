"""Creating rooms and membership: open rooms, working groups, invitations, joining, leaving, direct conversations."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.core import audit
from app.core.db import on_commit, utcnow
from app.core.errors import Forbidden, Invalid
from app.core.permissions import require_signed_in, require_staff
from app.extensions import db, socketio
from app.rooms.models import (
    MemberRole,
    MemberStatus,
    Room,
    RoomKind,
    RoomMember,
)
from app.rooms.services.access import (
    may_create_open_room,
    may_invite,
    may_leave,
    require_moderator,
    require_reader,
)
from app.rooms.services.common import MAX_DIRECT, NAMESPACE, channel


def _clean_name(name: str, field: str = "name") -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(_l("Give the room a name."), code="name_required", field=field)
    if len(name) > 120:
        raise Invalid(_l("A room name has at most 120 characters."), code="name_too_long",
                      field=field)
    return name


def _clean_topic(topic: str) -> str:
    topic = (topic or "").strip()
    if len(topic) > 500:
        raise Invalid(_l("A topic has at most 500 characters."), code="topic_too_long",
                      field="topic")
    return topic


def _add_member(room: Room, user: User, role: MemberRole = MemberRole.MEMBER) -> RoomMember:
    """Make `user` an active member, reviving an old membership (read state and mutes kept)."""
    member = db.session.scalar(select(RoomMember).where(RoomMember.room_id == room.id,
                                                        RoomMember.user_id == user.id))
    if member is None:
        # A newcomer starts with everything before today read, so old history is not "unread".
        member = RoomMember(room=room, user_id=user.id, role=role,
                            last_read_seq=room.last_seq or 0, joined_at=utcnow())
        db.session.add(member)
    else:
        member.status = MemberStatus.ACTIVE
        if role != MemberRole.MEMBER:
            member.role = role
    db.session.flush()
    return member


def _end_membership(member: RoomMember, status: MemberStatus) -> None:
    """Take a member out of a room, and their open sockets out of its broadcasts (every process).

    Only the leaver's channel is closed: nobody else's sockets are touched.
    """
    member.status = status
    db.session.flush()
    target = channel(member.room_id, member.user_id)
    on_commit(db.session(), lambda: socketio.close_room(target, namespace=NAMESPACE))


def create_open_room(actor: User, name: str, topic: str = "") -> Room:
    """An open thematic room that any signed-in member may join (organisers create them)."""
    if not may_create_open_room(actor):
        require_staff(actor)  # refuses, as a guest or as a member who is not staff
    return _create_owned_room(actor, RoomKind.OPEN, name, topic)


def create_working_group(actor: User, name: str, topic: str = "") -> Room:
    """A private working group owned by the actor; others join by invitation."""
    require_signed_in(actor)
    return _create_owned_room(actor, RoomKind.PRIVATE, name, topic)


def _create_owned_room(actor: User, kind: RoomKind, name: str, topic: str) -> Room:
    room = Room(kind=kind, name=_clean_name(name), topic=_clean_topic(topic),
                owner_id=actor.id, created_at=utcnow())
    db.session.add(room)
    _add_member(room, actor, MemberRole.OWNER)
    audit.record(actor, "rooms.created", "room", room.id, kind=room.kind)
    return room


def invite(actor: User, room: Room, user: User) -> RoomMember:
    """Add a member to a working group (its owner or moderators only)."""
    member = require_reader(actor, room)
    if not may_invite(actor, room, member):
        if room.kind != RoomKind.PRIVATE:
            raise Invalid(_l("Only working groups take invitations."), code="not_private")
        require_moderator(actor, room)
    if not user.active:
        raise Invalid(_l("This member's account is not active."), code="inactive_user",
                      field="email")
    invited = _add_member(room, user)
    audit.record(actor, "rooms.invited", "room", room.id, user_id=user.id)
    return invited


def join(actor: User, room: Room) -> RoomMember:
    """Join an open room."""
    require_signed_in(actor)
    if room.kind != RoomKind.OPEN:
        raise Forbidden(_l("This room is open by invitation only."), code="not_open")
    return _add_member(room, actor)


def leave(actor: User, room: Room) -> None:
    """Leave an open room, a working group or a direct conversation (owners stay)."""
    member = require_reader(actor, room)
    if not may_leave(actor, room, member):
        if room.kind == RoomKind.CONVENING:
            raise Invalid(_l("Convening rooms follow your registration."), code="convening_room")
        raise Invalid(_l("The owner cannot leave their own room."), code="owner_cannot_leave")
    _end_membership(member, MemberStatus.LEFT)


def open_direct(actor: User, others: Sequence[User]) -> Room:
    """The direct conversation between the actor and `others` (one to nine people), made once."""
    require_signed_in(actor)
    people = {u.id: u for u in others if u.id != actor.id}
    if not people:
        raise Invalid(_l("Choose at least one other member."), code="no_recipients",
                      field="emails")
    if len(people) + 1 > MAX_DIRECT:
        raise Invalid(_l("A direct conversation has at most %(num)d people.", num=MAX_DIRECT),
                      code="too_many_recipients", field="emails")
    if any(not u.active for u in people.values()):
        raise Invalid(_l("This member's account is not active."), code="inactive_user",
                      field="emails")
    key = "-".join(str(i) for i in sorted([actor.id, *people]))
    room = db.session.scalar(select(Room).where(Room.direct_key == key))
    if room is None:
        room = Room(kind=RoomKind.DIRECT, direct_key=key, created_at=utcnow())
        db.session.add(room)
        for user in [actor, *people.values()]:
            _add_member(room, user)
    else:
        _add_member(room, actor)
    return room
