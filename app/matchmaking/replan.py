"""Planning every bilateral meeting again, moves allowed: previewed first, published on confirmation.

A normal run (`services.run_schedule`) never moves a meeting people were told about. When the
organisers want the best schedule anyway, they see what would move and what would be placed,
then publish exactly that: the token names the previewed result, and publishing recomputes it
(the scheduler is deterministic) and refuses if anything changed in between.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.convenings.models import Convening
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict
from app.core.permissions import require_staff
from app.extensions import db
from app.matchmaking import notices, scheduler
from app.matchmaking.models import BilateralSlot, MeetingRequest
from app.matchmaking.services import (
    Figures,
    _apply,
    _build_problem,
    _Built,
    figures,
    settings_for,
)


@dataclass(frozen=True)
class Move:
    """A placed meeting the new plan puts elsewhere (or takes out: ``slot`` None)."""

    request: MeetingRequest
    was_slot: BilateralSlot
    was_table: int | None
    slot: BilateralSlot | None
    table: int | None


@dataclass(frozen=True)
class Preview:
    """What publishing the new plan would do."""

    moves: list[Move]
    placed: int
    scheduled_now: int
    scheduled: int
    upper_bound: int
    token: str

    @property
    def gap(self) -> int:
        return max(0, self.upper_bound - self.scheduled)


def _plan(convening: Convening) -> tuple[_Built, scheduler.Result, Preview]:
    built = _build_problem(convening)
    result = scheduler.schedule_preferring(built.problem)
    placed = {a.meeting: a for a in result.assignments}
    slots = {s.id: s for s in db.session.scalars(
        select(BilateralSlot).where(BilateralSlot.convening_id == convening.id))}
    moves, added, now = [], 0, 0
    for request_id, request in built.requests.items():
        after = placed.get(request_id)
        target = (int(after.slot), after.table) if after else (None, None)
        if request.slot_id is None:
            added += after is not None
            continue
        now += 1
        if (request.slot_id, request.table) != target:
            moves.append(Move(request, slots[request.slot_id], request.table,
                              slots.get(target[0]) if target[0] else None, target[1]))
    digest = hashlib.sha256(repr((
        convening.id,
        sorted((str(a.meeting), str(a.slot), a.table) for a in result.assignments),
        sorted(str(u.meeting) for u in result.unscheduled),
        sorted((r.id, r.slot_id, r.table) for r in built.requests.values()),
    )).encode()).hexdigest()[:32]
    return built, result, Preview(moves, added, now, len(result.assignments), result.upper_bound,
                                  digest)


def preview_schedule(actor: User, convening: Convening) -> Preview:
    """The plan a run with moves allowed would publish; nothing is stored."""
    require_staff(actor)
    return _plan(convening)[2]


def publish_schedule(actor: User, convening: Convening, token: str) -> Figures:
    """Publish the previewed plan; everyone whose meeting moved is told, in their language."""
    require_staff(actor)
    built, result, preview = _plan(convening)
    if token != preview.token:
        raise Conflict(_l("Requests, slots or availability changed since the preview. Check the "
                          "new preview before publishing."), code="preview_outdated")
    moved = {m.request.id for m in preview.moves}
    changed = _apply(built, result)
    settings = settings_for(convening)
    settings.scheduled_at = utcnow()
    settings.upper_bound = result.upper_bound
    db.session.flush()
    for request in changed:
        if request.id in moved:
            notices.meeting_moved(request, convening, None)
        elif request.slot_id is not None:
            notices.meeting_scheduled(request, convening)
    audit.record(actor, "matchmaking.replanned", "convening", convening.id,
                 moved=len(moved), scheduled=len(result.assignments))
    return figures(actor, convening)
