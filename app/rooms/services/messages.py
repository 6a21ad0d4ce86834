"""Messages: numbered, idempotent posting, edits with revisions, deletions as tombstones, mentions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.i18n import fold
from app.notifications.services import notify
from app.rooms import markdown, search
from app.rooms.models import (
    EventKind,
    MemberStatus,
    Mention,
    Message,
    MessageRevision,
    Room,
    RoomEvent,
    RoomKind,
    RoomMember,
    SearchToken,
)
from app.rooms.services.access import (
    _id_or_none,
    may_delete,
    may_edit,
    require_reader,
    require_writer,
)
from app.rooms.services.common import MAX_CLIENT_ID, broadcast_after_commit

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
    """What clients receive about a new message.

    Payloads (and event names) carry plain strings (`.value`), not enum members: they go over
    the wire as they are, through JSON and the Socket.IO message queue's pickles.
    """
    return {"kind": EventKind.MESSAGE.value, "room": message.room_id, "seq": message.seq,
            "id": message.id, "author": {"id": message.author_id,
                                         "name": message.author.display_name},
            "body_html": message.body_html, "created_at": _iso(message.created_at),
            "client_id": message.client_id, "reply_to": message.reply_to_id,
            "mentions": list(mentions)}


def _record_event(room: Room, message: Message, kind: EventKind, seq: int,
                  payload: dict[str, Any]) -> None:
    db.session.add(RoomEvent(room_id=room.id, seq=seq, kind=kind, message_id=message.id,
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
        .where(RoomMember.room_id == room.id, RoomMember.status == MemberStatus.ACTIVE,
               User.id != author.id, User.active.is_(True)))
    return [u for u in members if f"@{fold(u.display_name)}" in folded]


def room_title(room: Room, viewer: User | None = None) -> str:
    """A room's name; a direct conversation is named after the other people in it."""
    if room.kind != RoomKind.DIRECT:
        return room.name
    names = sorted(m.user.display_name for m in room.members
                   if m.status == MemberStatus.ACTIVE
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


def get_message_to_edit(actor: User, room: Room, message_id: Any) -> Message:
    """A message of the room that the actor may edit (their own, not deleted)."""
    message = get_message(actor, room, message_id)
    if not may_edit(actor, message):
        raise Forbidden(code="not_author")
    return message


def edit_message(actor: User, message: Message, body: Any) -> Message:
    """Change one's own message within the edit window; the old text is kept as a revision."""
    room = message.room
    require_writer(actor, room)
    if not may_edit(actor, message):
        if message.author_id != actor.id:
            raise Forbidden(_l("Only the author may edit a message."), code="not_author")
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
    room = message.room
    member = require_reader(actor, room)
    if not may_delete(actor, message, member):
        raise Forbidden(_l("Only the author and moderators may delete a message."),
                        code="not_author")
    if message.deleted_at is None:
        _tombstone(actor, room, message)
    return message
