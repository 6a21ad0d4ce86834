"""Scheduled meetings in the personal calendar feed."""

from __future__ import annotations

from sqlalchemy import or_, select

from app.accounts.models import User
from app.convenings.calendar import FeedItem
from app.convenings.models import Convening
from app.extensions import db
from app.matchmaking import notices
from app.matchmaking.models import (
    BilateralSlot,
    MeetingRequest,
    RequestStatus,
)

# ---------------------------------------------------------------- personal calendar


def calendar_items(user: User) -> list[FeedItem]:
    """The member's scheduled bilateral meetings, for their personal feed (one query)."""
    rows = db.session.execute(
        select(MeetingRequest, BilateralSlot, Convening)
        .join(BilateralSlot, BilateralSlot.id == MeetingRequest.slot_id)
        .join(Convening, Convening.id == MeetingRequest.convening_id)
        .where(MeetingRequest.status == RequestStatus.ACCEPTED.value,
               or_(MeetingRequest.requester_id == user.id, MeetingRequest.recipient_id == user.id))
    ).all()
    return [notices.meeting_item(request, slot, convening, user, place=", ".join(
        p for p in (convening.venue_name, convening.venue_city) if p))
        for request, slot, convening in rows]
