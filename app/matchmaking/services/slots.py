"""Bilateral slots and their tables; opting in to a convening's matchmaking and one's free slots."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, or_, select

from app.accounts.models import User
from app.convenings.models import AgendaSession, Convening, SessionKind
from app.convenings.services import is_participant, to_utc
from app.core import audit
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.permissions import require_signed_in, require_staff
from app.extensions import db
from app.matchmaking.models import (
    BilateralSlot,
    MatchSettings,
    MeetingRequest,
    Participation,
    RequestStatus,
)
from app.matchmaking.services.common import MAX_TABLES
from app.matchmaking.services.profiles import profile_for

# ---------------------------------------------------------------- slots and tables


def settings_for(convening: Convening) -> MatchSettings:
    """The convening's matchmaking settings (created on first use)."""
    settings = db.session.scalar(select(MatchSettings).where(
        MatchSettings.convening_id == convening.id))
    if settings is None:
        settings = MatchSettings(convening_id=convening.id, expected_per_person=4)
        db.session.add(settings)
        db.session.flush()
    return settings


def slots(convening: Convening) -> list[BilateralSlot]:
    """The convening's bilateral slots, in time order."""
    return list(db.session.scalars(select(BilateralSlot).where(
        BilateralSlot.convening_id == convening.id).order_by(BilateralSlot.starts_at,
                                                             BilateralSlot.id)))


def bilateral_blocks(convening: Convening) -> list[AgendaSession]:
    """The agenda's bilateral-meeting blocks slots must sit in."""
    return list(db.session.scalars(select(AgendaSession).where(
        AgendaSession.convening_id == convening.id, AgendaSession.kind == SessionKind.BILATERAL.value,
        AgendaSession.cancelled.is_(False)).order_by(AgendaSession.starts_at)))


@dataclass
class SlotData:
    """What an organiser types for a slot; local times are in the convening's zone."""

    session_id: int
    starts_local: datetime
    ends_local: datetime
    tables: int


def _check_tables(tables: int | None) -> int:
    if tables is None or not 1 <= tables <= MAX_TABLES:
        raise Invalid(lazy_ngettext("Give between 1 and %(num)d table.", "Give between 1 and %(num)d tables.",
                          MAX_TABLES),
                      code="bad_tables", field="tables")
    return tables


def add_slot(actor: User, convening: Convening, data: SlotData) -> BilateralSlot:
    """Add a bilateral slot inside one of the agenda's bilateral blocks."""
    require_staff(actor)
    tables = _check_tables(data.tables)
    block = db.session.get(AgendaSession, data.session_id)
    if (block is None or block.convening_id != convening.id or block.cancelled
            or block.kind != SessionKind.BILATERAL.value):
        raise Invalid(_l("Choose one of the agenda's bilateral-meeting blocks."),
                      code="not_bilateral_block", field="session_id")
    starts = to_utc(data.starts_local, convening.timezone)
    ends = to_utc(data.ends_local, convening.timezone)
    if ends <= starts:
        raise Invalid(_l("The slot must end after it starts."), code="ends_before_start",
                      field="ends_at")
    if starts < block.starts_at or ends > block.ends_at:
        raise Invalid(_l("The slot must lie inside the bilateral block it belongs to."),
                      code="outside_block", field="starts_at")
    for other in slots(convening):
        if other.starts_at < ends and starts < other.ends_at:
            raise Conflict(_l("This slot overlaps another bilateral slot."), code="overlap",
                           field="starts_at")
    slot = BilateralSlot(convening_id=convening.id, session_id=block.id, starts_at=starts,
                         ends_at=ends, tables=tables)
    db.session.add(slot)
    db.session.flush()
    audit.record(actor, "matchmaking.slot_added", "convening", convening.id, slot=slot.id)
    return slot


def get_slot(convening: Convening, slot_id: int) -> BilateralSlot:
    """A slot of `convening`."""
    slot = db.session.get(BilateralSlot, slot_id)
    if slot is None or slot.convening_id != convening.id:
        raise NotFound()
    return slot


def _meetings_in(slot: BilateralSlot) -> int:
    return db.session.scalar(select(func.count(MeetingRequest.id)).where(
        MeetingRequest.slot_id == slot.id)) or 0


def set_slot_tables(actor: User, slot: BilateralSlot, tables: int) -> BilateralSlot:
    """Change how many tables a slot has; never fewer than the meetings already in it."""
    require_staff(actor)
    tables = _check_tables(tables)
    highest = db.session.scalar(select(func.max(MeetingRequest.table)).where(
        MeetingRequest.slot_id == slot.id)) or 0
    if highest > tables:
        raise Conflict(_l("A meeting in this slot already sits at table %(table)d.",
                          table=highest), code="tables_in_use", field="tables")
    slot.tables = tables
    return slot


def delete_slot(actor: User, slot: BilateralSlot) -> None:
    """Remove a slot that holds no meeting."""
    require_staff(actor)
    if _meetings_in(slot):
        raise Conflict(_l("Meetings are placed in this slot."), code="slot_in_use")
    db.session.delete(slot)
    db.session.flush()


def set_fixed_table(actor: User, convening: Convening, user: User, table: int | None
                    ) -> Participation:
    """Keep one table for a host in every slot (or free them of it with None)."""
    require_staff(actor)
    participation = participation_for(user, convening)
    if participation is None:
        raise NotFound()
    if table is not None:
        most = max((s.tables for s in slots(convening)), default=0)
        if not 1 <= table <= most:
            raise Invalid(_l("Give a table between 1 and %(count)d.", count=most),
                          code="bad_table", field="table")
    participation.fixed_table = table
    return participation


# ---------------------------------------------------------------- opt-in and availability


def participation_for(user: User, convening: Convening) -> Participation | None:
    """The member's matchmaking opt-in row for a convening, or None."""
    return db.session.scalar(select(Participation).where(
        Participation.convening_id == convening.id, Participation.user_id == user.id))


def is_opted_in(user: User, convening: Convening) -> bool:
    """True when the member takes part in the convening's matchmaking."""
    participation = participation_for(user, convening)
    return participation is not None and participation.opted_in


def set_participation(actor: User, convening: Convening, opted_in: bool,
                      available_slot_ids: Iterable[int]) -> Participation:
    """Opt in (or out) of a convening's matchmaking and say which slots one is free in."""
    from app.matchmaking.services.scheduling import (  # scheduling reads slots: imported when used
        _assign,
        _place,
    )
    user = require_signed_in(actor)
    if not is_participant(user, convening):
        raise Forbidden(_l("Only registered participants take part in matchmaking."),
                        code="not_registered")
    if opted_in and profile_for(user) is None:
        raise Invalid(_l("Write your matchmaking profile first."), code="no_profile")
    known = {s.id for s in slots(convening)}
    chosen = sorted(set(available_slot_ids))
    if any(slot_id not in known for slot_id in chosen):
        raise Invalid(_l("Choose from the convening's bilateral slots."), code="unknown_slot",
                      field="slots")
    participation = participation_for(user, convening) or Participation(
        convening_id=convening.id, user_id=user.id)
    participation.opted_in = opted_in
    participation.available_slots = chosen
    db.session.add(participation)
    db.session.flush()
    # Meetings now in a slot the member left (or all of them, on opting out) must move.
    for request in db.session.scalars(select(MeetingRequest).where(
            MeetingRequest.convening_id == convening.id,
            MeetingRequest.status == RequestStatus.ACCEPTED.value,
            MeetingRequest.slot_id.is_not(None),
            or_(MeetingRequest.requester_id == user.id, MeetingRequest.recipient_id == user.id))):
        if not opted_in or request.slot_id not in chosen:
            _assign(request, None, None)
            db.session.flush()
            _place(convening, request)
    return participation
