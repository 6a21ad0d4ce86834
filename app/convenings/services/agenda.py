"""Convenings services: agenda."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.convenings.models import (
    AgendaSession,
    Convening,
    SessionKind,
    SessionSpeaker,
)
from app.convenings.services import organising, registration
from app.convenings.services.helpers import _check_choice, languages, to_local, to_utc
from app.convenings.services.shapes import AgendaWarning, SessionData
from app.core import audit
from app.core.errors import Conflict, Invalid
from app.core.signals import convening_changed
from app.extensions import db

# ---------------------------------------------------------------- agenda


def _day_bounds(starts_at: datetime, ends_at: datetime, zone: str) -> tuple[datetime, datetime]:
    """Midnight opening the first day and midnight closing the last, in `zone`, as UTC."""
    first = datetime.combine(to_local(starts_at, zone).date(), time())
    last_local = to_local(ends_at, zone)
    last_day = (
        last_local.date() if last_local.time() != time() else last_local.date() - timedelta(days=1)
    )
    return to_utc(first, zone), to_utc(datetime.combine(last_day + timedelta(days=1), time()), zone)


def _session_values(convening: Convening, data: SessionData) -> dict[str, Any]:
    title = (data.title or "").strip()
    if not title:
        raise Invalid(_l("Give the session a title."), code="title_required", field="title")
    if len(title) > 200:
        raise Invalid(_l("This text is too long."), code="too_long", field="title")
    kind = _check_choice(data.kind, [k.value for k in SessionKind], "kind")
    language = _check_choice(data.language, languages(), "language")
    interpretation = sorted(set(data.interpretation) - {language})
    for item in interpretation:
        _check_choice(item, languages(), "interpretation")
    starts_at = to_utc(data.starts_local, convening.timezone)
    ends_at = to_utc(data.ends_local, convening.timezone)
    if ends_at <= starts_at:
        raise Invalid(
            _l("The end must come after the start."), code="end_before_start", field="ends_at"
        )
    first, last = _day_bounds(convening.starts_at, convening.ends_at, convening.timezone)
    if starts_at < first or ends_at > last:
        raise Invalid(
            _l("The session must take place on the convening's days."),
            code="outside_convening",
            field="starts_at",
        )
    speaker_ids = sorted(set(data.speaker_ids))
    if speaker_ids:
        known = set(db.session.scalars(select(User.id).where(User.id.in_(speaker_ids))))
        if known != set(speaker_ids):
            raise Invalid(
                _l("Choose speakers from the list."), code="bad_speaker", field="speakers"
            )
    guests = [g.strip()[:120] for g in data.guest_speakers if g.strip()][:30]
    return {
        "title": title,
        "description": (data.description or "").strip()[:20_000],
        "kind": kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": data.location.strip()[:120],
        "track": data.track.strip()[:80],
        "language": language,
        "interpretation": interpretation,
        "guest_speakers": guests,
        "speaker_ids": speaker_ids,
    }


def add_session(actor: User, convening: Convening, data: SessionData) -> AgendaSession:
    """Add a session to a convening's agenda."""
    user = organising.require_organiser(actor)
    if convening.is_cancelled:
        raise Conflict(_l("A cancelled convening cannot be changed."), code="cancelled")
    values = _session_values(convening, data)
    speaker_ids = values.pop("speaker_ids")
    session = AgendaSession(
        convening=convening,
        **values,
        cancelled=False,
        sequence=0,
        speakers=[SessionSpeaker(user_id=uid) for uid in speaker_ids],
    )
    db.session.add(session)
    convening.sequence += 1
    db.session.flush()
    audit.record(user, "convening.session.add", "convening", convening.id, session=session.id)
    return session


SESSION_NOTICE_FIELDS = ("starts_at", "ends_at", "location", "cancelled")


def update_session(actor: User, session: AgendaSession, data: SessionData) -> dict[str, Any]:
    """Change a session; registrants hear about changes of time, place or status."""
    user = organising.require_organiser(actor)
    convening = session.convening
    if convening.is_cancelled:
        raise Conflict(_l("A cancelled convening cannot be changed."), code="cancelled")
    values = _session_values(convening, data)
    speaker_ids = values.pop("speaker_ids")
    changes = {
        name: (getattr(session, name), value)
        for name, value in values.items()
        if getattr(session, name) != value
    }
    if sorted(s.user_id for s in session.speakers) != speaker_ids:
        changes["speakers"] = (None, speaker_ids)
        session.speakers = [s for s in session.speakers if s.user_id in speaker_ids]
        have = {s.user_id for s in session.speakers}
        session.speakers.extend(
            SessionSpeaker(user_id=uid) for uid in speaker_ids if uid not in have
        )
    if not changes:
        return {}
    for name, value in values.items():
        setattr(session, name, value)
    session.sequence += 1
    db.session.flush()
    _after_session_change(user, session, changes)
    return changes


def cancel_session(actor: User, session: AgendaSession) -> AgendaSession:
    """Cancel one session; it stays on the agenda and in calendars as cancelled."""
    user = organising.require_organiser(actor)
    if session.cancelled:
        raise Conflict(_l("This session is already cancelled."), code="cancelled")
    session.cancelled = True
    session.sequence += 1
    db.session.flush()
    _after_session_change(user, session, {"cancelled": (False, True)})
    return session


def _after_session_change(user: User, session: AgendaSession, changes: dict[str, Any]) -> None:
    convening = session.convening
    audit.record(
        user,
        "convening.session.update",
        "convening",
        convening.id,
        session=session.id,
        fields=sorted(changes),
    )
    convening_changed.send(
        convening, changes={f"session.{name}": value for name, value in changes.items()}
    )
    if convening.is_published and set(changes) & set(SESSION_NOTICE_FIELDS):
        from app.convenings import notices

        notices.session_changed(session, changes, registration._registrants(convening))


def agenda_warnings(convening: Convening) -> list[AgendaWarning]:
    """Overlapping sessions in one location and speakers booked twice."""
    from flask_babel import gettext as _

    live = [s for s in convening.sessions if not s.cancelled]
    warnings = []
    for i, first in enumerate(live):
        for second in live[i + 1 :]:
            if not (first.starts_at < second.ends_at and second.starts_at < first.ends_at):
                continue
            if first.location and first.location.casefold() == second.location.casefold():
                warnings.append(
                    AgendaWarning(
                        "location_overlap",
                        _(
                            "“%(first)s” and “%(second)s” overlap in %(location)s.",
                            first=first.title,
                            second=second.title,
                            location=first.location,
                        ),
                    )
                )
            shared = {
                s.user.display_name
                for s in first.speakers
                if s.user_id in {t.user_id for t in second.speakers}
            } | (set(first.guest_speakers) & set(second.guest_speakers))
            for name in sorted(shared):
                warnings.append(
                    AgendaWarning(
                        "speaker_double_booked",
                        _(
                            "%(name)s speaks in both “%(first)s” and “%(second)s” at the same time.",
                            name=name,
                            first=first.title,
                            second=second.title,
                        ),
                    )
                )
    return warnings


def agenda(convening: Convening) -> list[AgendaSession]:
    """The convening's sessions with their speakers, in a bounded number of queries."""
    return list(
        db.session.scalars(
            select(AgendaSession)
            .where(AgendaSession.convening_id == convening.id)
            .options(selectinload(AgendaSession.speakers))
            .order_by(AgendaSession.starts_at, AgendaSession.id)
        )
    )
