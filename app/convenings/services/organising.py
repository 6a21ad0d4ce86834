"""Convenings services: organising."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.convenings.models import (
    AgendaSession,
    Convening,
    ConveningStatus,
    SessionSpeaker,
)
from app.convenings.services import agenda, registration
from app.convenings.services.helpers import _title, _validated, to_local, to_utc
from app.convenings.services.shapes import ConveningData
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid
from app.core.inputs import check_date
from app.core.permissions import require_staff
from app.core.signals import convening_changed, convening_published
from app.extensions import db

# ---------------------------------------------------------------- organising


def require_organiser(actor: User | None) -> User:
    try:
        return require_staff(actor)
    except Forbidden:
        raise Forbidden(
            _l("Only organisers may change convenings."), code="not_organiser"
        ) from None


def create_convening(actor: User, data: ConveningData) -> Convening:
    """Create a draft convening."""
    user = require_organiser(actor)
    convening = Convening(
        **_validated(data),
        status=ConveningStatus.DRAFT.value,
        sequence=0,
        created_by_id=user.id,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    db.session.add(convening)
    db.session.flush()
    audit.record(user, "convening.create", "convening", convening.id, title=_title(convening))
    return convening


CHANGE_FIELDS = (
    "starts_at",
    "ends_at",
    "timezone",
    "venue_name",
    "venue_city",
    "venue_country",
    "format",
    "online_link",
    "status",
)


def update_convening(actor: User, convening: Convening, data: ConveningData) -> dict[str, Any]:
    """Change a convening; registrants hear about changes of time, place or status."""
    user = require_organiser(actor)
    if convening.is_cancelled:
        raise Conflict(_l("A cancelled convening cannot be changed."), code="cancelled")
    values = _validated(data)
    sessions = list(convening.sessions)
    if values["starts_at"] != convening.starts_at or values["ends_at"] != convening.ends_at:
        first, last = agenda._day_bounds(values["starts_at"], values["ends_at"], values["timezone"])
        if any(s.starts_at < first or s.ends_at > last for s in sessions):
            raise Invalid(
                _l("Some sessions would fall outside the new dates; move them first."),
                code="sessions_outside",
                field="starts_at",
            )
    changes = {
        name: (getattr(convening, name), value)
        for name, value in values.items()
        if getattr(convening, name) != value
    }
    if not changes:
        return {}
    old_capacity = convening.capacity
    for name, value in values.items():
        setattr(convening, name, value)
    convening.sequence += 1
    convening.updated_at = utcnow()
    db.session.flush()
    audit.record(user, "convening.update", "convening", convening.id, fields=sorted(changes))
    convening_changed.send(convening, changes=changes)
    if convening.is_published:
        registration._tell_registrants(convening, changes)
    if convening.capacity is None or (
        old_capacity is not None and convening.capacity > old_capacity
    ):
        registration._promote(convening)
    return changes


def publish_convening(actor: User, convening: Convening) -> Convening:
    """Make a draft convening visible and open for registration."""
    user = require_organiser(actor)
    if convening.is_cancelled:
        raise Conflict(_l("A cancelled convening cannot be published."), code="cancelled")
    if convening.is_published:
        return convening
    convening.status = ConveningStatus.PUBLISHED.value
    convening.sequence += 1
    convening.updated_at = utcnow()
    db.session.flush()
    audit.record(user, "convening.publish", "convening", convening.id)
    convening_published.send(convening)
    return convening


def cancel_convening(actor: User, convening: Convening, reason: str) -> Convening:
    """Cancel a convening, with a reason everyone registered is told."""
    user = require_organiser(actor)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(
            _l("Say why the convening is cancelled."), code="reason_required", field="reason"
        )
    if convening.is_cancelled:
        raise Conflict(_l("This convening is already cancelled."), code="cancelled")
    previous = convening.status
    convening.status = ConveningStatus.CANCELLED.value
    convening.cancel_reason = reason[:2000]
    convening.sequence += 1
    convening.updated_at = utcnow()
    db.session.flush()
    audit.record(
        user, "convening.cancel", "convening", convening.id, reason=convening.cancel_reason
    )
    changes = {"status": (previous, convening.status)}
    convening_changed.send(convening, changes=changes)
    if previous == ConveningStatus.PUBLISHED.value:
        registration._tell_registrants(convening, changes)
    return convening


def _shift_local(moment: datetime, zone: str, days: int) -> datetime:
    """Move a moment by whole days of wall-clock time in `zone` (so 09:00 stays 09:00 across DST)."""
    local = to_local(moment, zone) + timedelta(days=days)
    return to_utc(local, zone)


def clone_convening(actor: User, source: Convening, new_start: date) -> Convening:
    """Copy a convening and its whole agenda to start on `new_start`, as a draft."""
    user = require_organiser(actor)
    days = (
        check_date(new_start, "new_start") - to_local(source.starts_at, source.timezone).date()
    ).days
    zone = source.timezone

    def shift(moment: datetime | None) -> datetime | None:
        return _shift_local(moment, zone, days) if moment else None

    clone = Convening(
        kind=source.kind,
        default_language=source.default_language,
        titles=dict(source.titles),
        descriptions=dict(source.descriptions),
        themes=list(source.themes),
        region=source.region,
        format=source.format,
        venue_name=source.venue_name,
        venue_city=source.venue_city,
        venue_country=source.venue_country,
        online_link=source.online_link,
        timezone=zone,
        starts_at=shift(source.starts_at),
        ends_at=shift(source.ends_at),
        registration_opens_at=shift(source.registration_opens_at),
        registration_closes_at=shift(source.registration_closes_at),
        capacity=source.capacity,
        seats_per_delegation=source.seats_per_delegation,
        visibility=source.visibility,
        edition=(source.edition + 1) if source.edition else None,
        status=ConveningStatus.DRAFT.value,
        sequence=0,
        created_by_id=user.id,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    for item in source.sessions:
        clone.sessions.append(
            AgendaSession(
                title=item.title,
                description=item.description,
                kind=item.kind,
                starts_at=shift(item.starts_at),
                ends_at=shift(item.ends_at),
                location=item.location,
                track=item.track,
                language=item.language,
                interpretation=list(item.interpretation),
                guest_speakers=list(item.guest_speakers),
                cancelled=False,
                sequence=0,
                speakers=[SessionSpeaker(user_id=s.user_id) for s in item.speakers],
            )
        )
    db.session.add(clone)
    db.session.flush()
    audit.record(user, "convening.clone", "convening", clone.id, source=source.id)
    return clone
