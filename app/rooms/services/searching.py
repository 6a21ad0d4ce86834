"""Search over messages, and looking members up by e-mail."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.core.errors import Invalid
from app.core.permissions import require_signed_in
from app.extensions import db
from app.rooms import search
from app.rooms.models import (
    MemberStatus,
    Message,
    Room,
    RoomMember,
    SearchToken,
)
from app.rooms.services.common import MAX_DIRECT, SEARCH_LIMIT


def search_messages(actor: User, query: str, room: Room | None = None) -> list[Message]:
    """Messages holding every word of `query` in the rooms the actor reads, newest first."""
    user = require_signed_in(actor)
    words = search.tokens(query or "")[:search.MAX_QUERY_TOKENS]
    if not words:
        return []
    readable = select(RoomMember.room_id).where(RoomMember.user_id == user.id,
                                                RoomMember.status == MemberStatus.ACTIVE)
    conditions: list[ColumnElement[bool]] = [SearchToken.token.in_(words), SearchToken.room_id.in_(readable)]
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
