"""Constants, Socket.IO channels and after-commit broadcasts shared by the rooms services."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.db import on_commit
from app.extensions import db, socketio
from app.notifications.services import register_kind
from app.rooms.models import (
    MemberStatus,
    RoomMember,
)

NAMESPACE = "/rooms"
PAGE_SIZE = 100
HISTORY_SIZE = 50
SEARCH_LIMIT = 50
MAX_DIRECT = 10
MAX_CLIENT_ID = 64
MAX_MUTE_MINUTES = 7 * 24 * 60


def register_notice_kinds() -> None:
    """Declare how the rooms' notices read (called once by `app.rooms.init_app`)."""
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
                                         RoomMember.status == MemberStatus.ACTIVE))]


def broadcast_after_commit(room_id: int, event: str, payload: dict[str, Any]) -> None:
    """Send `event` to the room's members once the transaction commits (never if it rolls back)."""
    targets = broadcast_targets(room_id)
    if targets:
        on_commit(db.session(), lambda: socketio.emit(event, payload, to=targets,
                                                      namespace=NAMESPACE))
