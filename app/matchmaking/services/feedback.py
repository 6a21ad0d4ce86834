"""After the meeting: feedback."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.models import User
from app.convenings.models import Convening
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound
from app.core.permissions import require_signed_in
from app.extensions import db
from app.matchmaking.models import (
    MeetingFeedback,
    MeetingRequest,
    RequestStatus,
)

# ---------------------------------------------------------------- after the meeting


def leave_feedback(actor: User, convening: Convening, request: MeetingRequest, *,
                   took_place: bool, useful: bool, follow_up: bool) -> MeetingFeedback:
    """A party says whether the meeting took place, was useful, and has a follow-up."""
    user = require_signed_in(actor)
    if user.id not in (request.requester_id, request.recipient_id):
        raise NotFound()
    if request.status != RequestStatus.ACCEPTED.value or request.slot is None:
        raise Conflict(_l("Only scheduled meetings take feedback."), code="not_scheduled")
    if request.slot.starts_at > utcnow():
        raise Conflict(_l("Feedback opens once the meeting has started."), code="too_early")
    feedback = db.session.scalar(select(MeetingFeedback).where(
        MeetingFeedback.request_id == request.id, MeetingFeedback.user_id == user.id)
    ) or MeetingFeedback(request_id=request.id, user_id=user.id)
    feedback.took_place = took_place
    feedback.useful = useful and took_place
    feedback.follow_up = follow_up and took_place
    feedback.created_at = utcnow()
    db.session.add(feedback)
    db.session.flush()
    return feedback


def outcome(convening: Convening) -> dict[str, int]:
    """How many answered the feedback, met, found it useful and plan a follow-up."""
    row = db.session.execute(select(
        func.count(MeetingFeedback.id),
        func.count(MeetingFeedback.id).filter(MeetingFeedback.took_place.is_(True)),
        func.count(MeetingFeedback.id).filter(MeetingFeedback.useful.is_(True)),
        func.count(MeetingFeedback.id).filter(MeetingFeedback.follow_up.is_(True)),
    ).join(MeetingRequest, MeetingRequest.id == MeetingFeedback.request_id).where(
        MeetingRequest.convening_id == convening.id)).one()
    return {"answers": row[0], "took_place": row[1], "useful": row[2], "follow_up": row[3]}
