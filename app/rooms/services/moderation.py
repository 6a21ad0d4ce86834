"""Moderation: mutes, locks, reports and the moderation queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.accounts.models import User
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.permissions import is_staff, require_signed_in
from app.extensions import db
from app.rooms.models import (
    MemberRole,
    MemberStatus,
    Message,
    Report,
    Room,
    RoomMember,
)
from app.rooms.services.access import (
    _id_or_none,
    may_moderate,
    may_report,
    membership,
    require_moderator,
    require_reader,
)
from app.rooms.services.common import MAX_MUTE_MINUTES, broadcast_after_commit
from app.rooms.services.messages import _tombstone


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
    if member.role == MemberRole.OWNER:
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
    room = message.room
    require_reader(actor, room)
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise Invalid(_l("A reason has at most 500 characters."), code="reason_too_long",
                      field="reason")
    if not may_report(actor, message):
        if message.deleted_at is not None:
            raise Conflict(_l("This message was deleted."), code="deleted")
        raise Forbidden(code="own_message")
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
        RoomMember.user_id == actor.id, RoomMember.status == MemberStatus.ACTIVE,
        RoomMember.role.in_([MemberRole.OWNER, MemberRole.MODERATOR])))


def moderation_queue(actor: User) -> list[Report]:
    """Open reports in the rooms the actor moderates, oldest first."""
    require_signed_in(actor)
    return list(db.session.scalars(select(Report).where(
        Report.resolved_at.is_(None), _moderated_rooms(actor)).order_by(Report.id)))


#: Messages shown before and after a reported one when it is examined.
CONTEXT_AROUND = 5


def report_context(actor: User, report_id: Any) -> tuple[Report, list[Message]]:
    """A report with the messages around the reported one, for whoever handles it.

    Organisers handle reports in every room, private and direct ones included, without being
    members: they see the reported message in its context here rather than in the room, and each
    look is audited (docs/realtime.md).
    """
    require_signed_in(actor)
    entry = db.session.scalar(select(Report).where(Report.id == report_id, _moderated_rooms(actor))) \
        if _id_or_none(report_id) is not None else None
    if entry is None:
        raise NotFound()
    seq = entry.message.seq
    around = list(db.session.scalars(
        select(Message).where(Message.room_id == entry.room_id,
                              Message.seq.between(seq - CONTEXT_AROUND, seq + CONTEXT_AROUND))
        .order_by(Message.seq)))
    audit.record(actor, "rooms.report_examined", "room_message", entry.message_id, room_id=entry.room_id)
    return entry, around


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
    room = entry.message.room
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
