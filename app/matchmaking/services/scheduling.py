"""Placing accepted requests into slots and tables (over the pure scheduler)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from app.accounts.models import User
from app.convenings.models import Convening
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict
from app.core.permissions import require_signed_in, require_staff
from app.extensions import db
from app.matchmaking import notices, scheduler
from app.matchmaking.models import (
    BilateralSlot,
    MeetingRequest,
    Participation,
    RequestStatus,
)
from app.matchmaking.services.common import MAX_MOVES
from app.matchmaking.services.feedback import outcome
from app.matchmaking.services.recommendations import _has_priority
from app.matchmaking.services.slots import settings_for, slots

# ---------------------------------------------------------------- scheduling


@dataclass
class _Built:
    problem: scheduler.Problem
    requests: dict[int, MeetingRequest]
    clashes: list[MeetingRequest]


def _build_problem(convening: Convening, *, keep: bool = False, preferences: bool = True
                   ) -> _Built:
    """The scheduler's problem from the database: slots, tables, availability, priority.

    Requests carry their preferred slots. With ``keep``, meetings already placed (people were
    told) stay possible where they are even if someone's availability changed since.
    """
    all_slots = slots(convening)
    accepted = list(db.session.scalars(select(MeetingRequest).where(
        MeetingRequest.convening_id == convening.id,
        MeetingRequest.status == RequestStatus.ACCEPTED.value).order_by(MeetingRequest.id)))
    people = {r.requester_id for r in accepted} | {r.recipient_id for r in accepted}
    participations = {p.user_id: p for p in db.session.scalars(select(Participation).where(
        Participation.convening_id == convening.id, Participation.user_id.in_(people)))
    } if people else {}
    users = {r.requester_id: r.requester for r in accepted} | {
        r.recipient_id: r.recipient for r in accepted}
    slot_ids = [s.id for s in all_slots]
    fixed = {uid: p.fixed_table for uid, p in participations.items() if p.fixed_table}
    meetings, clashes = [], []
    held: dict[int, set[int]] = {}
    for r in accepted:
        ta, tb = fixed.get(r.requester_id), fixed.get(r.recipient_id)
        if ta and tb and ta != tb:
            clashes.append(r)
            continue
        meeting: dict[str, Any] = {"id": r.id, "a": str(r.requester_id), "b": str(r.recipient_id)}
        if keep and r.slot_id is not None:
            for uid in (r.requester_id, r.recipient_id):
                held.setdefault(uid, set()).add(r.slot_id)
        elif preferences and r.preferred_slots:
            meeting["preferred"] = [s for s in r.preferred_slots if s in slot_ids]
        meetings.append(meeting)
    participants = {}
    for uid in sorted(people):
        participation = participations.get(uid)
        free = set(participation.available_slots) if participation and participation.opted_in \
            else set()
        free |= held.get(uid, set())
        participants[str(uid)] = {"unavailable": [s for s in slot_ids if s not in free],
                                  "priority": 1 if _has_priority(users[uid], convening) else 0}
    most = max((s.tables for s in all_slots), default=0)
    problem = scheduler.parse_problem({
        "slots": slot_ids, "tables": {str(s.id): s.tables for s in all_slots},
        "participants": participants, "meetings": meetings,
        "fixed_tables": {str(uid): t for uid, t in fixed.items() if t <= most},
    })
    return _Built(problem, {r.id: r for r in accepted}, clashes)


def _assign(request: MeetingRequest, slot_id: int | None, table: int | None) -> None:
    """Put a request in a slot and table (or take it out); the slot is already loaded."""
    request.slot = db.session.get(BilateralSlot, slot_id) if slot_id is not None else None
    request.slot_id = slot_id  # the relationship sets it only at flush; callers compare it now
    request.table = table


def _apply(built: _Built, result: scheduler.Result, *, keep: bool = False) -> list[MeetingRequest]:
    """Store a result; returns the requests whose slot or table changed.

    With ``keep``, meetings already placed are left exactly as they are.
    """
    changed = []
    placed = {a.meeting: a for a in result.assignments}
    waiting = {u.meeting: u.reason for u in result.unscheduled}
    for request_id, request in built.requests.items():
        if keep and request.slot_id is not None:
            continue
        before = (request.slot_id, request.table)
        assignment = placed.get(request_id)
        if assignment is not None:
            _assign(request, int(assignment.slot), assignment.table)
            request.waiting_reason = None
        else:
            _assign(request, None, None)
            request.waiting_reason = waiting.get(request_id, "fixed_tables")
        if (request.slot_id, request.table) != before:
            request.updated_at = utcnow()
            changed.append(request)
    return changed


def run_schedule(actor: User, convening: Convening) -> Figures:
    """Organisers place every accepted request; a meeting people were told about never moves.

    The first run plans everything at once; later runs add the waiting meetings around the
    placed ones (`scheduler.extend`). Moving placed meetings is `replan.publish_schedule`.
    """
    require_staff(actor)
    built = _build_problem(convening, keep=True)
    kept = [scheduler.Assignment(r.id, r.slot_id, r.table) for r in built.requests.values()
            if r.slot_id is not None and r not in built.clashes]
    try:
        result = scheduler.schedule_preferring(
            built.problem, scheduler.Result(kept, [], 0) if kept else None)
    except scheduler.ProblemError as error:
        raise Conflict(_l("Some meetings no longer fit the slot or table they were agreed "
                          "in. Allow moves to plan them again."), code="schedule_stale") from error
    changed = _apply(built, result, keep=True)
    settings = settings_for(convening)
    settings.scheduled_at = utcnow()
    settings.upper_bound = result.upper_bound
    db.session.flush()
    for request in changed:
        if request.slot_id is not None:
            notices.meeting_scheduled(request, convening)
    audit.record(actor, "matchmaking.scheduled", "convening", convening.id,
                 scheduled=len(result.assignments), waiting=len(result.unscheduled))
    return figures(actor, convening)


def _place(convening: Convening, request: MeetingRequest) -> None:
    """Fit one accepted request into the existing schedule, moving at most a few meetings."""
    if settings_for(convening).scheduled_at is None:
        return
    built = _build_problem(convening, keep=True)
    if request.id not in built.requests or request in built.clashes:
        request.waiting_reason = "fixed_tables"
        return
    current = scheduler.Result(
        [scheduler.Assignment(r.id, r.slot_id, r.table) for r in built.requests.values()
         if r.slot_id is not None and r.id != request.id],
        [], 0)
    try:
        result = scheduler.place_one(built.problem, current, request.id, max_moves=MAX_MOVES)
        if request.preferred_slots and not any(a.meeting == request.id
                                               for a in result.assignments):
            # No preferred slot could take it: any common slot will do.
            built = _build_problem(convening, keep=True, preferences=False)
            result = scheduler.place_one(built.problem, current, request.id, max_moves=MAX_MOVES)
    except scheduler.ProblemError:
        # The stored schedule no longer fits the data (e.g. availability changed): the request
        # waits for the next batch run, which rebuilds everything.
        request.waiting_reason = "needs_batch"
        return
    placed = {a.meeting: a for a in result.assignments}
    for request_id, other in built.requests.items():
        assignment = placed.get(request_id)
        if assignment is None:
            continue
        if other.id != request.id and (other.slot_id, other.table) != (int(assignment.slot),
                                                                       assignment.table):
            _assign(other, int(assignment.slot), assignment.table)
            other.updated_at = utcnow()
            notices.meeting_moved(other, convening, None)
    assignment = placed.get(request.id)
    if assignment is None:
        _assign(request, None, None)
        request.waiting_reason = next((u.reason for u in result.unscheduled
                                       if u.meeting == request.id), "conflicts")
    else:
        _assign(request, int(assignment.slot), assignment.table)
        request.waiting_reason = None
        request.updated_at = utcnow()
        notices.meeting_scheduled(request, convening)
    db.session.flush()


@dataclass
class Figures:
    """What organisers see about a convening's matchmaking."""

    by_status: dict[str, int]
    scheduled: int
    waiting: dict[str, int]
    upper_bound: int
    capacity: int
    opted_in: int
    expected: int
    scheduled_at: datetime | None
    feedback: dict[str, int]

    @property
    def requested(self) -> int:
        return sum(self.by_status.values())

    @property
    def gap(self) -> int:
        return max(0, self.upper_bound - self.scheduled)

    @property
    def too_small(self) -> bool:
        """True when slots × tables cannot hold the meetings expected or already asked for."""
        asked = self.by_status.get("pending", 0) + self.by_status.get("accepted", 0)
        return self.capacity < max(self.expected, asked)


def figures(actor: User, convening: Convening) -> Figures:
    """Counts, upper bound and gap, capacity and outcome figures (a fixed number of queries)."""
    require_staff(actor)
    by_status = dict(db.session.execute(select(MeetingRequest.status, func.count()).where(
        MeetingRequest.convening_id == convening.id).group_by(MeetingRequest.status)).all())
    accepted = db.session.execute(select(MeetingRequest.slot_id, MeetingRequest.waiting_reason)
                                  .where(MeetingRequest.convening_id == convening.id,
                                         MeetingRequest.status == RequestStatus.ACCEPTED.value)
                                  ).all()
    scheduled = sum(1 for slot_id, _ in accepted if slot_id is not None)
    waiting = Counter(reason or "not_run" for slot_id, reason in accepted if slot_id is None)
    all_slots = slots(convening)
    capacity = sum(s.tables for s in all_slots)
    opted_in = db.session.scalar(select(func.count(Participation.id)).where(
        Participation.convening_id == convening.id, Participation.opted_in.is_(True))) or 0
    settings = settings_for(convening)
    bound = scheduler.upper_bound(_build_problem(convening, preferences=False).problem
                                  ) if accepted else 0
    return Figures({k: int(v) for k, v in by_status.items()}, scheduled, dict(waiting), bound,
                   capacity, opted_in, math.ceil(opted_in * settings.expected_per_person / 2),
                   settings.scheduled_at, outcome(convening))


def table_plan(actor: User, convening: Convening) -> list[tuple[BilateralSlot, list[MeetingRequest]]]:
    """Every slot with its meetings by table, for printing (two queries)."""
    require_staff(actor)
    placed: dict[int, list[MeetingRequest]] = {}
    for request in db.session.scalars(select(MeetingRequest).where(
            MeetingRequest.convening_id == convening.id,
            MeetingRequest.status == RequestStatus.ACCEPTED.value,
            MeetingRequest.slot_id.is_not(None)).order_by(MeetingRequest.table)):
        placed.setdefault(request.slot_id, []).append(request)  # type: ignore[arg-type]
    return [(slot, placed.get(slot.id, [])) for slot in slots(convening)]


def my_meetings(actor: User, convening: Convening) -> list[MeetingRequest]:
    """The actor's accepted meetings, scheduled ones first in time order."""
    user = require_signed_in(actor)
    meetings = list(db.session.scalars(select(MeetingRequest).where(
        MeetingRequest.convening_id == convening.id,
        MeetingRequest.status == RequestStatus.ACCEPTED.value,
        or_(MeetingRequest.requester_id == user.id, MeetingRequest.recipient_id == user.id))))
    return sorted(meetings, key=lambda r: (r.slot is None, r.slot.starts_at if r.slot else utcnow(),
                                           r.id))
