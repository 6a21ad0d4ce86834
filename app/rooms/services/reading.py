"""Replay, history and read state; the room list with unread counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.errors import Invalid
from app.core.permissions import require_signed_in
from app.extensions import db
from app.rooms.models import (
    MemberStatus,
    Mention,
    Message,
    Room,
    RoomEvent,
    RoomKind,
    RoomMember,
)
from app.rooms.services.access import require_reader
from app.rooms.services.common import HISTORY_SIZE, PAGE_SIZE


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
        .where(RoomMember.user_id == user.id, RoomMember.status == MemberStatus.ACTIVE)
        .order_by(Room.kind, Room.name, Room.id)).all()
    direct_ids = [room.id for room, *_ in rows if room.kind == RoomKind.DIRECT]
    others: dict[int, list[str]] = {}
    if direct_ids:
        for room_id, name in db.session.execute(
                select(RoomMember.room_id, User.display_name)
                .join(User, User.id == RoomMember.user_id)
                .where(RoomMember.room_id.in_(direct_ids), RoomMember.user_id != user.id,
                       RoomMember.status == MemberStatus.ACTIVE)):
            others.setdefault(room_id, []).append(name)
    return [RoomSummary(room.id, room.kind,
                        ", ".join(sorted(others.get(room.id, []))) or str(_l("Only you"))
                        if room.kind == RoomKind.DIRECT else room.name,
                        room.topic, room.last_seq, read, count or 0, named or 0, room.locked)
            for room, read, count, named in rows]


def open_rooms_to_join(actor: User) -> list[Room]:
    """Open rooms the actor is not in."""
    user = require_signed_in(actor)
    mine = select(RoomMember.room_id).where(RoomMember.user_id == user.id,
                                            RoomMember.status == MemberStatus.ACTIVE)
    return list(db.session.scalars(select(Room).where(
        Room.kind == RoomKind.OPEN, Room.id.not_in(mine)).order_by(Room.name)))


def members_of(actor: User, room: Room) -> list[RoomMember]:
    """The room's current members, by name."""
    require_reader(actor, room)
    return list(db.session.scalars(
        select(RoomMember).join(User, User.id == RoomMember.user_id)
        .where(RoomMember.room_id == room.id, RoomMember.status == MemberStatus.ACTIVE)
        .order_by(User.display_name)))
