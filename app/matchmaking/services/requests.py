"""Meeting requests: send, accept, decline, cancel."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, or_, select

from app.accounts.models import User
from app.convenings.models import Convening
from app.convenings.services import is_participant
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.permissions import require_signed_in
from app.extensions import db
from app.matchmaking import notices
from app.matchmaking.models import (
    MeetingRequest,
    RequestStatus,
)
from app.matchmaking.services.common import MAX_MESSAGE
from app.matchmaking.services.scheduling import _assign, _place
from app.matchmaking.services.slots import is_opted_in, slots

# ---------------------------------------------------------------- requests


def _require_opted_in(actor: User, convening: Convening) -> User:
    user = require_signed_in(actor)
    if not is_participant(user, convening) or not is_opted_in(user, convening):
        raise Forbidden(_l("Opt in to this convening's matchmaking first."), code="not_opted_in")
    return user


def _slot_ids(convening: Convening, slot_ids: Iterable[int]) -> list[int]:
    known = {s.id for s in slots(convening)}
    chosen = sorted(set(slot_ids))
    if any(slot_id not in known for slot_id in chosen):
        raise Invalid(_l("Choose from the convening's bilateral slots."), code="unknown_slot",
                      field="slots")
    return chosen


def _between(convening: Convening, a: int, b: int) -> MeetingRequest | None:
    return db.session.scalar(select(MeetingRequest).where(
        MeetingRequest.convening_id == convening.id,
        MeetingRequest.status != RequestStatus.CANCELLED.value,
        or_((MeetingRequest.requester_id == a) & (MeetingRequest.recipient_id == b),
            (MeetingRequest.requester_id == b) & (MeetingRequest.recipient_id == a))).limit(1))


def _check_repeat(convening: Convening, user: User, recipient: User) -> None:
    """Bound request→cancel loops: one member asks the same person a few times per convening."""
    cap = current_app.config["MATCHMAKING_MAX_REQUESTS_PER_PERSON"]
    sent = db.session.scalar(select(func.count(MeetingRequest.id)).where(
        MeetingRequest.convening_id == convening.id, MeetingRequest.requester_id == user.id,
        MeetingRequest.recipient_id == recipient.id)) or 0
    if sent >= cap:
        raise Conflict(_l("You have already asked this person %(count)d times at this convening.",
                          count=cap), code="too_many_requests")


def send_request(actor: User, convening: Convening, recipient: User, message: str = "",
                 preferred_slot_ids: Iterable[int] = ()) -> MeetingRequest:
    """Ask another participant for a one-to-one meeting."""
    user = _require_opted_in(actor, convening)
    if recipient.id == user.id:
        raise Invalid(_l("You cannot request a meeting with yourself."), code="self")
    if (not recipient.is_active or not is_participant(recipient, convening)
            or not is_opted_in(recipient, convening)):
        raise Invalid(_l("This person does not take part in matchmaking here."),
                      code="recipient_not_opted_in")
    if _between(convening, user.id, recipient.id) is not None:
        raise Conflict(_l("There is already a request between the two of you."),
                       code="duplicate")
    _check_repeat(convening, user, recipient)
    cap = current_app.config["MATCHMAKING_MAX_PENDING"]
    pending = db.session.scalar(select(func.count(MeetingRequest.id)).where(
        MeetingRequest.convening_id == convening.id, MeetingRequest.requester_id == user.id,
        MeetingRequest.status == RequestStatus.PENDING.value)) or 0
    if pending >= cap:
        raise Conflict(lazy_ngettext("You have %(num)d request waiting for an answer; wait for the reply "
                           "or cancel it first.",
                           "You have %(num)d requests waiting for an answer; wait for replies "
                           "or cancel one first.", cap), code="too_many_pending")
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise Invalid(lazy_ngettext("Keep it under %(num)d character.", "Keep it under %(num)d characters.",
                          MAX_MESSAGE),
                      code="too_long", field="message")
    request = MeetingRequest(convening_id=convening.id, requester_id=user.id,
                             recipient_id=recipient.id, message=message,
                             preferred_slots=_slot_ids(convening, preferred_slot_ids),
                             status=RequestStatus.PENDING.value, created_at=utcnow(),
                             updated_at=utcnow())
    db.session.add(request)
    db.session.flush()
    notices.request_received(request, convening)
    return request


def get_request(actor: User, convening: Convening, request_id: int) -> MeetingRequest:
    """A request of `convening`; only its two parties may see it."""
    user = require_signed_in(actor)
    request = db.session.get(MeetingRequest, request_id)
    if (request is None or request.convening_id != convening.id
            or user.id not in (request.requester_id, request.recipient_id)):
        raise NotFound()
    return request


def _set_status(request: MeetingRequest, status: RequestStatus) -> None:
    request.status = status.value
    request.updated_at = utcnow()


def accept_request(actor: User, convening: Convening, request: MeetingRequest) -> MeetingRequest:
    """The recipient accepts; after a batch schedule the meeting is placed at once if it fits."""
    user = require_signed_in(actor)
    if request.recipient_id != user.id:
        raise Forbidden(_l("Only the person asked can answer this request."), code="not_recipient")
    if request.status != RequestStatus.PENDING.value:
        raise Conflict(_l("This request has already been answered."), code="not_pending")
    _require_opted_in(user, convening)
    _set_status(request, RequestStatus.ACCEPTED)
    db.session.flush()
    _place(convening, request)
    notices.request_accepted(request, convening)
    return request


def decline_request(actor: User, convening: Convening, request: MeetingRequest, reason: str = ""
                    ) -> MeetingRequest:
    """The recipient declines; the requester is told politely, with the reason only if given."""
    user = require_signed_in(actor)
    if request.recipient_id != user.id:
        raise Forbidden(_l("Only the person asked can answer this request."), code="not_recipient")
    if request.status != RequestStatus.PENDING.value:
        raise Conflict(_l("This request has already been answered."), code="not_pending")
    reason = (reason or "").strip()
    if len(reason) > MAX_MESSAGE:
        raise Invalid(lazy_ngettext("Keep it under %(num)d character.", "Keep it under %(num)d characters.",
                          MAX_MESSAGE),
                      code="too_long", field="reason")
    _set_status(request, RequestStatus.DECLINED)
    request.decline_reason = reason
    notices.request_declined(request, convening)
    return request


def cancel_request(actor: User, convening: Convening, request: MeetingRequest) -> MeetingRequest:
    """Either party calls off a pending or accepted request; its slot is freed."""
    user = require_signed_in(actor)
    if user.id not in (request.requester_id, request.recipient_id):
        raise NotFound()
    if request.status == RequestStatus.PENDING.value and user.id != request.requester_id:
        raise Forbidden(_l("Decline the request instead."), code="decline_instead")
    if request.status not in (RequestStatus.PENDING.value, RequestStatus.ACCEPTED.value):
        raise Conflict(_l("This request can no longer be cancelled."), code="not_cancellable")
    answered = request.status != RequestStatus.PENDING.value
    slot = request.slot
    _set_status(request, RequestStatus.CANCELLED)
    _assign(request, None, None)
    request.waiting_reason = None
    if answered:
        notices.request_cancelled(request, convening, user, slot=slot)
    else:
        notices.request_withdrawn(request)
    return request


def reschedule_request(actor: User, convening: Convening, request: MeetingRequest,
                       preferred_slot_ids: Iterable[int]) -> MeetingRequest:
    """Either party changes the preferred slots; an accepted meeting is placed again."""
    user = require_signed_in(actor)
    if user.id not in (request.requester_id, request.recipient_id):
        raise NotFound()
    if request.status not in (RequestStatus.PENDING.value, RequestStatus.ACCEPTED.value):
        raise Conflict(_l("Only open requests can be rescheduled."), code="not_open")
    request.preferred_slots = _slot_ids(convening, preferred_slot_ids)
    request.updated_at = utcnow()
    if request.status == RequestStatus.ACCEPTED.value:
        previous = (request.slot_id, request.table)
        _assign(request, None, None)
        db.session.flush()
        _place(convening, request)
        if (request.slot_id, request.table) != previous:
            notices.meeting_moved(request, convening, user)
    return request


@dataclass
class Inbox:
    """A member's requests at one convening."""

    incoming: list[MeetingRequest]
    outgoing: list[MeetingRequest]


def requests_for(actor: User, convening: Convening) -> Inbox:
    """The requests the actor sent and received (two queries, people joined)."""
    user = require_signed_in(actor)
    base = select(MeetingRequest).where(MeetingRequest.convening_id == convening.id).order_by(
        MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
    return Inbox(list(db.session.scalars(base.where(MeetingRequest.recipient_id == user.id))),
                 list(db.session.scalars(base.where(MeetingRequest.requester_id == user.id))))
