"""The rules of rooms: who may read, write and moderate; numbered, idempotent messages; read state."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.core import audit
from app.core.db import on_commit, utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.permissions import Role, is_staff, require_signed_in, require_staff
from app.core.signals import convening_published, registration_changed
from app.extensions import db, socketio
from app.i18n import fold
from app.notifications.services import notify, register_kind
from app.rooms import markdown, search
from app.rooms.models import (
    EventKind,
    MemberRole,
    MemberStatus,
    Mention,
    Message,
    MessageRevision,
    Report,
    Room,
    RoomEvent,
    RoomKind,
    RoomMember,
    SearchToken,
)
from app.rooms.ratelimit import check_rate, reset_rate_limits  # noqa: F401 (the rooms API)

NAMESPACE = "/rooms"
PAGE_SIZE = 100
HISTORY_SIZE = 50
SEARCH_LIMIT = 50
MAX_DIRECT = 10
MAX_CLIENT_ID = 64
MAX_MUTE_MINUTES = 7 * 24 * 60

register_kind("rooms.mention", lambda p: str(_l("%(author)s mentioned you in %(room)s.",
                                                 author=p.get("author", ""),
                                                 room=p.get("room", ""))))


def channel(room_id: int, user_id: int) -> str:
    """The Socket.IO room of one member's sockets in one room.

    A room's broadcasts go to the channels of its current members, so taking one member out
    (leaving, removal) closes only that member's channel, on every server process.
    """
    return f"room:{room_id}:member:{user_id}"


def broadcast_targets(room_id: int) -> list[str]:
    """The channels of a room's current members (one query)."""
    return [channel(room_id, user_id) for user_id in db.session.scalars(
        select(RoomMember.user_id).where(RoomMember.room_id == room_id,
                                         RoomMember.status == MemberStatus.ACTIVE.value))]


def broadcast_after_commit(room_id: int, event: str, payload: dict[str, Any]) -> None:
    """Send `event` to the room's members once the transaction commits (never if it rolls back)."""
    targets = broadcast_targets(room_id)
    if targets:
        on_commit(db.session(), lambda: socketio.emit(event, payload, to=targets,
                                                      namespace=NAMESPACE))


# --- Reading rooms and permissions -------------------------------------------------------------

def membership(actor: User, room: Room) -> RoomMember | None:
    """The actor's current membership of `room`, if any."""
    return db.session.scalar(select(RoomMember).where(
        RoomMember.room_id == room.id, RoomMember.user_id == actor.id,
        RoomMember.status == MemberStatus.ACTIVE.value))


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
    if room is None or (room.kind != RoomKind.OPEN.value and membership(actor, room) is None):
        raise NotFound(_l("This room does not exist, or you are not in it."),
                       code="room_not_found")
    return room


def require_reader(actor: User, room: Room) -> RoomMember:
    """Refuse anyone who is not a current member of the room."""
    require_signed_in(actor)
    member = membership(actor, room)
    if member is None:
        if room.kind == RoomKind.OPEN.value:
            raise Forbidden(_l("Join this room to read and write in it."), code="not_member")
        raise NotFound(_l("This room does not exist, or you are not in it."),
                       code="room_not_found")
    return member


def may_moderate(actor: User, room: Room, member: RoomMember | None = None) -> bool:
    """Owners and moderators of a room; organisers in open and convening rooms."""
    member = member if member is not None else membership(actor, room)
    if member is not None and member.role in (MemberRole.OWNER.value, MemberRole.MODERATOR.value):
        return True
    return is_staff(actor) and room.kind in (RoomKind.OPEN.value, RoomKind.CONVENING.value)


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


# --- Creating rooms and membership ------------------------------------------------------------

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
        member = RoomMember(room=room, user_id=user.id, role=role.value,
                            last_read_seq=room.last_seq or 0, joined_at=utcnow())
        db.session.add(member)
    else:
        member.status = MemberStatus.ACTIVE.value
        if role != MemberRole.MEMBER:
            member.role = role.value
    db.session.flush()
    return member


def _end_membership(member: RoomMember, status: MemberStatus) -> None:
    """Take a member out of a room, and their open sockets out of its broadcasts (every process).

    Only the leaver's channel is closed: nobody else's sockets are touched.
    """
    member.status = status.value
    db.session.flush()
    target = channel(member.room_id, member.user_id)
    on_commit(db.session(), lambda: socketio.close_room(target, namespace=NAMESPACE))


def create_open_room(actor: User, name: str, topic: str = "") -> Room:
    """An open thematic room that any signed-in member may join (organisers create them)."""
    require_staff(actor)
    return _create_owned_room(actor, RoomKind.OPEN, name, topic)


def create_working_group(actor: User, name: str, topic: str = "") -> Room:
    """A private working group owned by the actor; others join by invitation."""
    require_signed_in(actor)
    return _create_owned_room(actor, RoomKind.PRIVATE, name, topic)


def _create_owned_room(actor: User, kind: RoomKind, name: str, topic: str) -> Room:
    room = Room(kind=kind.value, name=_clean_name(name), topic=_clean_topic(topic),
                owner_id=actor.id, created_at=utcnow())
    db.session.add(room)
    _add_member(room, actor, MemberRole.OWNER)
    audit.record(actor, "rooms.created", "room", room.id, kind=room.kind)
    return room


def invite(actor: User, room: Room, user: User) -> RoomMember:
    """Add a member to a working group (its owner or moderators only)."""
    require_reader(actor, room)
    if room.kind != RoomKind.PRIVATE.value:
        raise Invalid(_l("Only working groups take invitations."), code="not_private")
    require_moderator(actor, room)
    if not user.active:
        raise Invalid(_l("This member's account is not active."), code="inactive_user",
                      field="email")
    member = _add_member(room, user)
    audit.record(actor, "rooms.invited", "room", room.id, user_id=user.id)
    return member


def join(actor: User, room: Room) -> RoomMember:
    """Join an open room."""
    require_signed_in(actor)
    if room.kind != RoomKind.OPEN.value:
        raise Forbidden(_l("This room is open by invitation only."), code="not_open")
    return _add_member(room, actor)


def leave(actor: User, room: Room) -> None:
    """Leave an open room, a working group or a direct conversation (owners stay)."""
    member = require_reader(actor, room)
    if room.kind == RoomKind.CONVENING.value:
        raise Invalid(_l("Convening rooms follow your registration."), code="convening_room")
    if member.role == MemberRole.OWNER.value:
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
        room = Room(kind=RoomKind.DIRECT.value, direct_key=key, created_at=utcnow())
        db.session.add(room)
        for user in [actor, *people.values()]:
            _add_member(room, user)
    else:
        _add_member(room, actor)
    return room


# --- Messages --------------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean_body(body: Any) -> str:
    if not isinstance(body, str):
        raise Invalid(_l("Write a message."), code="bad_body", field="body")
    if _SURROGATE.search(body):
        raise Invalid(_l("The message holds characters that cannot be stored."), code="bad_body",
                      field="body")
    # Control characters other than line breaks and tabs are dropped (they break displays).
    body = _CONTROL.sub("", body.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not body:
        raise Invalid(_l("Write a message."), code="empty_body", field="body")
    limit = current_app.config["ROOMS_MAX_BODY"]
    if len(body) > limit:
        raise Invalid(_l("A message has at most %(num)d characters.", num=limit),
                      code="body_too_long", field="body")
    return body


def _clean_client_id(client_id: Any) -> str:
    if not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID \
            or not client_id.isprintable():
        raise Invalid(_l("The message could not be sent; reload the page."), code="bad_client_id")
    return client_id


def _next_seq(room: Room) -> int:
    """Take the room's next sequence number; the row lock serialises writers until commit."""
    seq = db.session.execute(
        update(Room).where(Room.id == room.id).values(last_seq=Room.last_seq + 1)
        .returning(Room.last_seq).execution_options(synchronize_session=False)).scalar_one()
    set_committed_value(room, "last_seq", seq)
    return seq


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def message_payload(message: Message, mentions: Sequence[int] = ()) -> dict[str, Any]:
    """What clients receive about a new message."""
    return {"kind": EventKind.MESSAGE.value, "room": message.room_id, "seq": message.seq,
            "id": message.id, "author": {"id": message.author_id,
                                         "name": message.author.display_name},
            "body_html": message.body_html, "created_at": _iso(message.created_at),
            "client_id": message.client_id, "reply_to": message.reply_to_id,
            "mentions": list(mentions)}


def _record_event(room: Room, message: Message, kind: EventKind, seq: int,
                  payload: dict[str, Any]) -> None:
    db.session.add(RoomEvent(room_id=room.id, seq=seq, kind=kind.value, message_id=message.id,
                             payload=payload, created_at=utcnow()))
    db.session.flush()
    broadcast_after_commit(room.id, kind.value, payload)


def _index(message: Message, *, fresh: bool = False) -> None:
    if not fresh:
        db.session.execute(delete(SearchToken).where(SearchToken.message_id == message.id))
    words = search.tokens(message.body)
    if words:
        db.session.execute(insert(SearchToken), [
            {"message_id": message.id, "room_id": message.room_id, "token": w} for w in words])


def _mentioned(room: Room, author: User, body: str) -> list[User]:
    """Members named as @Display Name in the body (longest names first, so prefixes do not win)."""
    if "@" not in body:
        return []
    folded = fold(body)
    members = db.session.scalars(
        select(User).join(RoomMember, RoomMember.user_id == User.id)
        .where(RoomMember.room_id == room.id, RoomMember.status == MemberStatus.ACTIVE.value,
               User.id != author.id, User.active.is_(True)))
    return [u for u in members if f"@{fold(u.display_name)}" in folded]


def room_title(room: Room, viewer: User | None = None) -> str:
    """A room's name; a direct conversation is named after the other people in it."""
    if room.kind != RoomKind.DIRECT.value:
        return room.name
    names = sorted(m.user.display_name for m in room.members
                   if m.status == MemberStatus.ACTIVE.value
                   and (viewer is None or m.user_id != viewer.id))
    return ", ".join(names) or str(_l("Only you"))


def _find_own(room: Room, author: User, client_id: str) -> Message | None:
    return db.session.scalar(select(Message).where(
        Message.room_id == room.id, Message.author_id == author.id, Message.client_id == client_id))


def post_message(actor: User, room: Room, body: Any, client_id: Any,
                 reply_to: Any = None) -> tuple[Message, bool]:
    """Store a message with the room's next sequence; a retried client_id returns the stored one."""
    client_id = _clean_client_id(client_id)
    require_writer(actor, room)
    existing = _find_own(room, actor, client_id)
    if existing is not None:
        return existing, False
    body = _clean_body(body)
    parent = None
    if reply_to not in (None, ""):
        number = _id_or_none(reply_to)
        parent = db.session.get(Message, number) if number is not None else None
        if parent is None or parent.room_id != room.id:
            raise Invalid(_l("You can only reply to a message of this room."), code="bad_reply")
    mentioned = _mentioned(room, actor, body)
    now = utcnow()
    try:
        with db.session.begin_nested():
            seq = _next_seq(room)
            message = Message(room_id=room.id, author_id=actor.id, author=actor, seq=seq,
                              client_id=client_id, body=body, body_html=markdown.render(body),
                              reply_to_id=parent.id if parent else None, created_at=now)
            db.session.add(message)
            db.session.flush()
    except IntegrityError:
        # Another process stored the same client_id first; its transaction won the row lock.
        existing = _find_own(room, actor, client_id)
        if existing is None:
            raise
        return existing, False
    payload = message_payload(message, [u.id for u in mentioned])
    _record_event(room, message, EventKind.MESSAGE, seq, payload)
    _index(message, fresh=True)
    if mentioned:
        db.session.execute(insert(Mention), [
            {"message_id": message.id, "room_id": room.id, "user_id": u.id, "seq": seq}
            for u in mentioned])
        for user in mentioned:
            notify(user, "rooms.mention", {"author": actor.display_name,
                                           "room": room_title(room, user)},
                   link=f"/rooms/{room.id}#m{message.id}")
    return message, True


def get_message(actor: User, room: Room, message_id: Any) -> Message:
    """A message of a room the actor reads."""
    require_reader(actor, room)
    number = _id_or_none(message_id)
    message = db.session.get(Message, number) if number is not None else None
    if message is None or message.room_id != room.id:
        raise NotFound(_l("This message does not exist."), code="message_not_found")
    return message


def edit_message(actor: User, message: Message, body: Any) -> Message:
    """Change one's own message within the edit window; the old text is kept as a revision."""
    room = db.session.get(Room, message.room_id)
    require_writer(actor, room)
    if message.author_id != actor.id:
        raise Forbidden(_l("Only the author may edit a message."), code="not_author")
    if message.deleted_at is not None:
        raise Conflict(_l("This message was deleted."), code="deleted")
    window = timedelta(seconds=current_app.config["ROOMS_EDIT_WINDOW"])
    if utcnow() - message.created_at > window:
        raise Forbidden(_l("Messages can only be edited for a short while after sending."),
                        code="edit_window_closed")
    body = _clean_body(body)
    if body == message.body:
        return message
    db.session.add(MessageRevision(message=message, body=message.body, replaced_at=utcnow()))
    message.body, message.body_html, message.edited_at = body, markdown.render(body), utcnow()
    seq = _next_seq(room)
    _record_event(room, message, EventKind.EDIT, seq, {
        "kind": EventKind.EDIT.value, "room": room.id, "seq": seq, "id": message.id,
        "body_html": message.body_html, "edited_at": _iso(message.edited_at)})
    _index(message)
    return message


def _tombstone(actor: User, room: Room, message: Message) -> None:
    by_moderator = message.author_id != actor.id
    if by_moderator:
        audit.record(actor, "rooms.message_deleted", "room_message", message.id,
                     room_id=room.id, author_id=message.author_id, body=message.body)
    message.body, message.body_html = "", ""
    message.deleted_at, message.deleted_by_id = utcnow(), actor.id
    message.revisions.clear()
    db.session.execute(delete(SearchToken).where(SearchToken.message_id == message.id))
    seq = _next_seq(room)
    _record_event(room, message, EventKind.DELETE, seq, {
        "kind": EventKind.DELETE.value, "room": room.id, "seq": seq, "id": message.id,
        "deleted_at": _iso(message.deleted_at), "by_moderator": by_moderator})


def delete_message(actor: User, message: Message) -> Message:
    """Delete one's own message, or any as a moderator; a tombstone stays in its place."""
    room = db.session.get(Room, message.room_id)
    member = require_reader(actor, room)
    if message.author_id != actor.id and not may_moderate(actor, room, member):
        raise Forbidden(_l("Only the author and moderators may delete a message."),
                        code="not_author")
    if message.deleted_at is None:
        _tombstone(actor, room, message)
    return message


# --- Replay, history and read state ---------------------------------------------------------

def _bad_seq() -> Invalid:
    return Invalid(_l("The sequence number must be a whole number."), code="bad_seq")


def parse_seq(value: Any) -> int:
    """A non-negative sequence number from a client."""
    if isinstance(value, bool):
        raise _bad_seq()
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 12):
            raise _bad_seq()
        value = int(text)
    if not isinstance(value, int) or not 0 <= value < 2**31:
        raise _bad_seq()
    return value


def events_after(actor: User, room: Room, after_seq: Any,
                 limit: int = PAGE_SIZE) -> dict[str, Any]:
    """Every event newer than `after_seq`, oldest first, one page at a time."""
    require_reader(actor, room)
    after = parse_seq(after_seq)
    rows = list(db.session.scalars(
        select(RoomEvent.payload).where(RoomEvent.room_id == room.id, RoomEvent.seq > after)
        .order_by(RoomEvent.seq).limit(limit + 1)))
    return {"ok": True, "room": room.id, "messages": rows[:limit], "last_seq": room.last_seq,
            "more": len(rows) > limit}


def history(actor: User, room: Room, before_seq: int | None = None,
            limit: int = HISTORY_SIZE) -> list[Message]:
    """The newest messages as they read now (tombstones included), oldest first."""
    require_reader(actor, room)
    query = select(Message).where(Message.room_id == room.id)
    if before_seq is not None:
        query = query.where(Message.seq < before_seq)
    rows = list(db.session.scalars(query.order_by(Message.seq.desc()).limit(limit)))
    return rows[::-1]


def mark_read(actor: User, room: Room, seq: Any) -> int:
    """Record that the actor read up to `seq`; never moves backwards. Returns the stored value."""
    member = require_reader(actor, room)
    seq = min(parse_seq(seq), room.last_seq)
    if seq > member.last_read_seq:
        member.last_read_seq = seq
        db.session.flush()
    return member.last_read_seq


@dataclass(frozen=True)
class RoomSummary:
    """A line of the room list."""

    id: int
    kind: str
    title: str
    topic: str
    last_seq: int
    last_read_seq: int
    unread: int
    mentions: int
    locked: bool


def list_rooms(actor: User) -> list[RoomSummary]:
    """The actor's rooms with unread and mention counts (three queries, whatever the number)."""
    user = require_signed_in(actor)
    unread = (select(func.count(Message.id))
              .where(Message.room_id == RoomMember.room_id, Message.seq > RoomMember.last_read_seq,
                     Message.author_id != user.id, Message.deleted_at.is_(None))
              .correlate(RoomMember).scalar_subquery())
    mentions = (select(func.count(Mention.id))
                .where(Mention.room_id == RoomMember.room_id, Mention.user_id == user.id,
                       Mention.seq > RoomMember.last_read_seq)
                .correlate(RoomMember).scalar_subquery())
    rows = db.session.execute(
        select(Room, RoomMember.last_read_seq, unread, mentions)
        .join(RoomMember, RoomMember.room_id == Room.id)
        .where(RoomMember.user_id == user.id, RoomMember.status == MemberStatus.ACTIVE.value)
        .order_by(Room.kind, Room.name, Room.id)).all()
    direct_ids = [room.id for room, *_ in rows if room.kind == RoomKind.DIRECT.value]
    others: dict[int, list[str]] = {}
    if direct_ids:
        for room_id, name in db.session.execute(
                select(RoomMember.room_id, User.display_name)
                .join(User, User.id == RoomMember.user_id)
                .where(RoomMember.room_id.in_(direct_ids), RoomMember.user_id != user.id,
                       RoomMember.status == MemberStatus.ACTIVE.value)):
            others.setdefault(room_id, []).append(name)
    return [RoomSummary(room.id, room.kind,
                        ", ".join(sorted(others.get(room.id, []))) or str(_l("Only you"))
                        if room.kind == RoomKind.DIRECT.value else room.name,
                        room.topic, room.last_seq, read, count or 0, named or 0, room.locked)
            for room, read, count, named in rows]


def open_rooms_to_join(actor: User) -> list[Room]:
    """Open rooms the actor is not in."""
    user = require_signed_in(actor)
    mine = select(RoomMember.room_id).where(RoomMember.user_id == user.id,
                                            RoomMember.status == MemberStatus.ACTIVE.value)
    return list(db.session.scalars(select(Room).where(
        Room.kind == RoomKind.OPEN.value, Room.id.not_in(mine)).order_by(Room.name)))


def members_of(actor: User, room: Room) -> list[RoomMember]:
    """The room's current members, by name."""
    require_reader(actor, room)
    return list(db.session.scalars(
        select(RoomMember).join(User, User.id == RoomMember.user_id)
        .where(RoomMember.room_id == room.id, RoomMember.status == MemberStatus.ACTIVE.value)
        .order_by(User.display_name)))


# --- Moderation --------------------------------------------------------------------------------

def mute(actor: User, room: Room, user: User, minutes: Any) -> RoomMember:
    """Stop a member writing in the room for `minutes` (0 lifts the mute)."""
    require_moderator(actor, room)
    if isinstance(minutes, bool) or not isinstance(minutes, int) \
            or not 0 <= minutes <= MAX_MUTE_MINUTES:
        raise Invalid(_l("Mute for 0 to %(num)d minutes.", num=MAX_MUTE_MINUTES),
                      code="bad_minutes", field="minutes")
    member = membership(user, room)
    if member is None:
        raise NotFound(_l("This person is not a member of the room."), code="not_member")
    if member.role == MemberRole.OWNER.value:
        raise Forbidden(_l("The owner cannot be muted."), code="owner")
    member.muted_until = utcnow() + timedelta(minutes=minutes) if minutes else None
    audit.record(actor, "rooms.muted" if minutes else "rooms.unmuted", "room", room.id,
                 user_id=user.id, minutes=minutes)
    db.session.flush()
    return member


def set_locked(actor: User, room: Room, locked: bool) -> Room:
    """Lock a room (only moderators write) or unlock it."""
    require_moderator(actor, room)
    room.locked = bool(locked)
    audit.record(actor, "rooms.locked" if locked else "rooms.unlocked", "room", room.id)
    db.session.flush()
    broadcast_after_commit(room.id, "room_state", {"room": room.id, "locked": room.locked})
    return room


def report(actor: User, message: Message, reason: str = "") -> Report:
    """Report a message to the room's moderators (once per member and message)."""
    room = db.session.get(Room, message.room_id)
    require_reader(actor, room)
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise Invalid(_l("A reason has at most 500 characters."), code="reason_too_long",
                      field="reason")
    if message.deleted_at is not None:
        raise Conflict(_l("This message was deleted."), code="deleted")
    existing = db.session.scalar(select(Report).where(Report.message_id == message.id,
                                                      Report.reporter_id == actor.id))
    if existing is not None:
        return existing
    entry = Report(message_id=message.id, room_id=room.id, reporter_id=actor.id, reason=reason,
                   created_at=utcnow())
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "rooms.reported", "room_message", message.id, room_id=room.id)
    return entry


def may_handle_reports(actor: User, room: Room) -> bool:
    """The room's owner and moderators; organisers for every room, private and direct included.

    A report asks the secretariat to look at one message, so organisers see and resolve it even
    where they may not moderate (no mute, lock or other deletion there): docs/realtime.md.
    """
    return is_staff(actor) or may_moderate(actor, room)


def _moderated_rooms(actor: User) -> Any:
    """A condition on Report: the rooms whose reports the actor handles (may_handle_reports)."""
    if is_staff(actor):
        return Report.id.is_not(None)
    return Report.room_id.in_(select(RoomMember.room_id).where(
        RoomMember.user_id == actor.id, RoomMember.status == MemberStatus.ACTIVE.value,
        RoomMember.role.in_([MemberRole.OWNER.value, MemberRole.MODERATOR.value])))


def moderation_queue(actor: User) -> list[Report]:
    """Open reports in the rooms the actor moderates, oldest first."""
    require_signed_in(actor)
    return list(db.session.scalars(select(Report).where(
        Report.resolved_at.is_(None), _moderated_rooms(actor)).order_by(Report.id)))


def resolve_report(actor: User, report_id: Any, action: str) -> Report:
    """Dismiss a report or delete the reported message; every open report on it is closed."""
    require_signed_in(actor)
    entry = db.session.scalar(select(Report).where(Report.id == report_id,
                                                   _moderated_rooms(actor))) \
        if _id_or_none(report_id) is not None else None
    if entry is None:
        raise NotFound()
    if action not in ("dismiss", "delete"):
        raise Invalid(code="bad_action")
    room = db.session.get(Room, entry.room_id)
    if action == "delete" and entry.message.deleted_at is None:
        _tombstone(actor, room, entry.message)
    now = utcnow()
    db.session.execute(update(Report).where(Report.message_id == entry.message_id,
                                            Report.resolved_at.is_(None))
                       .values(resolved_at=now, resolved_by_id=actor.id, resolution=action))
    db.session.refresh(entry)
    audit.record(actor, f"rooms.report_{action}", "room_message", entry.message_id,
                 room_id=room.id, report_id=entry.id)
    return entry


# --- Search ------------------------------------------------------------------------------------

def search_messages(actor: User, query: str, room: Room | None = None) -> list[Message]:
    """Messages holding every word of `query` in the rooms the actor reads, newest first."""
    user = require_signed_in(actor)
    words = search.tokens(query or "")[:search.MAX_QUERY_TOKENS]
    if not words:
        return []
    readable = select(RoomMember.room_id).where(RoomMember.user_id == user.id,
                                                RoomMember.status == MemberStatus.ACTIVE.value)
    conditions = [SearchToken.token.in_(words), SearchToken.room_id.in_(readable)]
    if room is not None:
        conditions.append(SearchToken.room_id == room.id)
    matching = (select(SearchToken.message_id).where(and_(*conditions))
                .group_by(SearchToken.message_id)
                .having(func.count(func.distinct(SearchToken.token)) == len(words)))
    return list(db.session.scalars(select(Message).where(
        Message.id.in_(matching), Message.deleted_at.is_(None))
        .order_by(Message.id.desc()).limit(SEARCH_LIMIT)))


def rooms_by_id(ids: Sequence[int]) -> dict[int, Room]:
    """Rooms keyed by id (for labelling search results in one query)."""
    if not ids:
        return {}
    rooms = db.session.scalars(select(Room).where(Room.id.in_(set(ids)))
                               .options(selectinload(Room.members)))
    return {r.id: r for r in rooms}


def find_members(emails: str) -> list[User]:
    """Active members by comma- or space-separated e-mail addresses; unknown ones are refused."""
    wanted = {e.strip().lower() for e in (emails or "").replace(",", " ").split() if e.strip()}
    if not wanted:
        raise Invalid(_l("Give at least one e-mail address."), code="no_recipients",
                      field="emails")
    if len(wanted) > MAX_DIRECT:
        raise Invalid(_l("A direct conversation has at most %(num)d people.", num=MAX_DIRECT),
                      code="too_many_recipients", field="emails")
    found = list(db.session.scalars(select(User).where(User.email.in_(wanted),
                                                       User.active.is_(True))))
    if len(found) != len(wanted):
        raise Invalid(_l("Some of these addresses are not members of the platform."),
                      code="unknown_member", field="emails")
    return found


# --- Convening rooms (driven by the convenings feature's signals) -----------------------------

def ensure_convening_room(convening: Any) -> Room:
    """The room of a published convening, with its organisers as moderators."""
    room = db.session.scalar(select(Room).where(Room.convening_id == convening.id))
    if room is None:
        room = Room(kind=RoomKind.CONVENING.value, convening_id=convening.id,
                    name=convening.title_in(convening.default_language)[:120],
                    created_at=utcnow())
        db.session.add(room)
        db.session.flush()
    organisers = select(User).where(User.active.is_(True), or_(
        User.role == Role.ORGANISER.value, User.id == convening.created_by_id))
    for user in db.session.scalars(organisers):
        _add_member(room, user, MemberRole.MODERATOR)
    return room


def sync_registration(registration: Any) -> None:
    """Keep the convening room in step: confirmed participants are members, others are not."""
    convening = registration.convening
    if not convening.is_published:
        return
    room = ensure_convening_room(convening)
    user = db.session.get(User, registration.user_id)
    if registration.status == "confirmed":
        _add_member(room, user)
        return
    member = db.session.scalar(select(RoomMember).where(
        RoomMember.room_id == room.id, RoomMember.user_id == user.id,
        RoomMember.role == MemberRole.MEMBER.value))
    if member is not None and member.status == MemberStatus.ACTIVE.value:
        _end_membership(member, MemberStatus.REMOVED)


def on_convening_published(convening: Any, **_extra: Any) -> None:
    """A published convening gets its room, with everyone already confirmed in it."""
    from app.convenings.models import Registration

    room = ensure_convening_room(convening)
    confirmed = db.session.scalars(select(User).join(Registration, Registration.user_id == User.id)
                                   .where(Registration.convening_id == convening.id,
                                          Registration.status == "confirmed"))
    for user in confirmed:
        _add_member(room, user)


def on_registration_changed(registration: Any, **_extra: Any) -> None:
    """Registrations move people in and out of the convening room."""
    sync_registration(registration)


convening_published.connect(on_convening_published)
registration_changed.connect(on_registration_changed)
