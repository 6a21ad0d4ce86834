"""The rules of convenings: who may organise, see and register, and what each change sets off."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel import Locale
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.convenings.fairtime import Group
from app.convenings.models import (
    ACTIVE_STATUSES,
    THEMES,
    AgendaSession,
    CalendarToken,
    Convening,
    ConveningFormat,
    ConveningKind,
    ConveningStatus,
    Registration,
    RegistrationStatus,
    SessionKind,
    SessionSpeaker,
    Visibility,
)
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.geography import REGIONS
from app.core.inputs import check_date
from app.core.permissions import Role, is_signed_in, is_staff, require_signed_in, require_staff
from app.core.signals import convening_changed, convening_published, registration_changed
from app.extensions import db
from app.i18n import is_valid_timezone, territory_name
from app.i18n.zones import main_zone

MEMBER_ROLES = frozenset({Role.AMBASSADOR, Role.PARTNER, Role.ADMIN, Role.ORGANISER})
MAX_CAPACITY = 100_000


# ---------------------------------------------------------------- input shapes


@dataclass
class ConveningData:
    """What an organiser types for a convening; local times are in `timezone`."""

    kind: str
    titles: dict[str, str]
    timezone: str
    starts_local: datetime
    ends_local: datetime
    default_language: str = "en"
    descriptions: dict[str, str] = field(default_factory=dict)
    edition: int | None = None
    themes: list[str] = field(default_factory=list)
    region: str | None = None
    format: str = ConveningFormat.IN_PERSON.value
    venue_name: str = ""
    venue_city: str = ""
    venue_country: str | None = None
    online_link: str | None = None
    registration_opens_local: datetime | None = None
    registration_closes_local: datetime | None = None
    capacity: int | None = None
    seats_per_delegation: int | None = None
    visibility: str = Visibility.PUBLIC.value


@dataclass
class SessionData:
    """What an organiser types for an agenda session; local times are in the convening's zone."""

    title: str
    starts_local: datetime
    ends_local: datetime
    kind: str = SessionKind.PANEL.value
    description: str = ""
    location: str = ""
    track: str = ""
    language: str = "en"
    interpretation: list[str] = field(default_factory=list)
    speaker_ids: list[int] = field(default_factory=list)
    guest_speakers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AgendaWarning:
    """A clash an organiser should look at; not a refusal."""

    code: str
    message: str


# ---------------------------------------------------------------- helpers


def to_utc(moment: datetime, zone: str) -> datetime:
    """A wall-clock time in `zone` (or an aware time) as aware UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


def to_local(moment: datetime, zone: str) -> datetime:
    """An aware moment as a naive wall-clock time in `zone`, for forms."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def _clean_texts(texts: dict[str, str], field_name: str, limit: int) -> dict[str, str]:
    cleaned = {}
    for language, text in texts.items():
        if language not in languages():
            raise Invalid(_l("This language is not supported."), code="bad_language", field=field_name)
        text = (text or "").strip()
        if len(text) > limit:
            raise Invalid(_l("This text is too long."), code="too_long", field=field_name)
        if text:
            cleaned[language] = text
    return cleaned


def _check_choice(value: str | None, allowed: Iterable[str], field_name: str) -> str:
    if value not in set(allowed):
        raise Invalid(_l("Please choose one of the options offered."), code="bad_choice",
                      field=field_name)
    return value  # type: ignore[return-value]


def _check_url(url: str | None) -> str | None:
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 500:
        raise Invalid(_l("Enter a full web address starting with https://."), code="bad_url",
                      field="online_link")
    return url


def _check_count(value: int | None, field_name: str, minimum: int) -> int | None:
    if value is None:
        return None
    if value < minimum or value > MAX_CAPACITY:
        raise Invalid(_l("Enter a number that is not negative, or leave it empty."),
                      code="bad_number", field=field_name)
    return value


def _validated(data: ConveningData) -> dict[str, Any]:
    """Check an organiser's input; return the column values to store."""
    kind = _check_choice(data.kind, [k.value for k in ConveningKind], "kind")
    if not is_valid_timezone(data.timezone):
        raise Invalid(_l("This is not a known time zone."), code="bad_timezone", field="timezone")
    default_language = _check_choice(data.default_language, languages(), "default_language")
    titles = _clean_texts(data.titles, "title", 200)
    if not titles.get(default_language):
        raise Invalid(_l("Give a title in the default language."), code="title_required",
                      field="title")
    descriptions = _clean_texts(data.descriptions, "description", 20_000)
    themes = sorted(set(data.themes))
    for theme in themes:
        _check_choice(theme, THEMES, "themes")
    region = data.region or None
    if kind == ConveningKind.REGIONAL.value:
        _check_choice(region, REGIONS, "region")
    else:
        region = None
    edition = data.edition
    if kind == ConveningKind.GLOBAL_FORUM.value:
        if not edition or edition < 1:
            raise Invalid(_l("Give the Forum's edition number."), code="edition_required",
                          field="edition")
    else:
        edition = None
    fmt = _check_choice(data.format, [f.value for f in ConveningFormat], "format")
    visibility = _check_choice(data.visibility, [v.value for v in Visibility], "visibility")
    country = (data.venue_country or "").upper() or None
    if country and (len(country) != 2 or country not in Locale.parse("en").territories):
        raise Invalid(_l("Choose a country from the list."), code="bad_country", field="venue_country")
    starts_at = to_utc(data.starts_local, data.timezone)
    ends_at = to_utc(data.ends_local, data.timezone)
    if ends_at <= starts_at:
        raise Invalid(_l("The end must come after the start."), code="end_before_start",
                      field="ends_at")
    opens = to_utc(data.registration_opens_local, data.timezone) if data.registration_opens_local else None
    closes = to_utc(data.registration_closes_local, data.timezone) if data.registration_closes_local else None
    if opens and closes and closes <= opens:
        raise Invalid(_l("Registration must close after it opens."), code="window_reversed",
                      field="registration_closes_at")
    if closes and closes > ends_at:
        raise Invalid(_l("Registration must close before the convening ends."),
                      code="window_after_end", field="registration_closes_at")
    return {
        "kind": kind, "edition": edition, "default_language": default_language, "titles": titles,
        "descriptions": descriptions, "themes": themes, "region": region, "format": fmt,
        "venue_name": data.venue_name.strip()[:200], "venue_city": data.venue_city.strip()[:120],
        "venue_country": country, "online_link": _check_url(data.online_link),
        "timezone": data.timezone, "starts_at": starts_at, "ends_at": ends_at,
        "registration_opens_at": opens, "registration_closes_at": closes,
        "capacity": _check_count(data.capacity, "capacity", 0),
        "seats_per_delegation": _check_count(data.seats_per_delegation, "seats_per_delegation", 1),
        "visibility": visibility,
    }


def _title(convening: Convening) -> str:
    return convening.title_in(convening.default_language)


# ---------------------------------------------------------------- visibility


def can_view(actor: User | None, convening: Convening) -> bool:
    """True when `actor` may see the convening at all."""
    if is_staff(actor):
        return True
    if convening.status == ConveningStatus.DRAFT.value:
        return False
    if convening.visibility == Visibility.PUBLIC.value:
        return True
    if not is_signed_in(actor):
        return False
    if convening.visibility == Visibility.MEMBERS.value:
        return Role(actor.role) in MEMBER_ROLES  # type: ignore[union-attr]
    return True


def get_convening(actor: User | None, convening_id: int) -> Convening:
    """The convening, if it exists and the actor may see it."""
    convening = db.session.get(Convening, convening_id)
    if convening is None or not can_view(actor, convening):
        raise NotFound()
    return convening


def get_session(actor: User | None, convening: Convening, session_id: int) -> AgendaSession:
    """An agenda session of `convening`."""
    session = db.session.get(AgendaSession, session_id)
    if session is None or session.convening_id != convening.id:
        raise NotFound()
    return session


@dataclass(frozen=True)
class ConveningFilters:
    """What the list page narrows by."""

    kind: str = ""
    region: str = ""
    theme: str = ""
    format: str = ""
    language: str = ""


def list_convenings(actor: User | None, *, past: bool = False,
                    filters: ConveningFilters | None = None, now: datetime | None = None
                    ) -> list[Convening]:
    """Upcoming (or past) convenings the actor may see, narrowed by `filters`."""
    filters = filters or ConveningFilters()
    now = now or utcnow()
    query = select(Convening)
    query = query.where(Convening.ends_at < now) if past else query.where(Convening.ends_at >= now)
    if not is_staff(actor):
        query = query.where(Convening.status != ConveningStatus.DRAFT.value)
        if not is_signed_in(actor):
            query = query.where(Convening.visibility == Visibility.PUBLIC.value)
        elif Role(actor.role) not in MEMBER_ROLES:  # type: ignore[union-attr]
            query = query.where(Convening.visibility != Visibility.MEMBERS.value)
    for column, value in ((Convening.kind, filters.kind), (Convening.region, filters.region),
                          (Convening.format, filters.format)):
        if value:
            query = query.where(column == value)
    query = query.order_by(Convening.starts_at.desc() if past else Convening.starts_at)
    found = list(db.session.scalars(query.limit(500)))
    # Themes and languages live in JSON columns, which the two databases query differently.
    if filters.theme:
        found = [c for c in found if filters.theme in c.themes]
    if filters.language:
        found = [c for c in found if filters.language in c.titles]
    return found


# ---------------------------------------------------------------- organising


def require_organiser(actor: User | None) -> User:
    try:
        return require_staff(actor)
    except Forbidden:
        raise Forbidden(_l("Only organisers may change convenings."), code="not_organiser") from None


def create_convening(actor: User, data: ConveningData) -> Convening:
    """Create a draft convening."""
    user = require_organiser(actor)
    convening = Convening(**_validated(data), status=ConveningStatus.DRAFT.value, sequence=0,
                          created_by_id=user.id, created_at=utcnow(), updated_at=utcnow())
    db.session.add(convening)
    db.session.flush()
    audit.record(user, "convening.create", "convening", convening.id, title=_title(convening))
    return convening


CHANGE_FIELDS = ("starts_at", "ends_at", "timezone", "venue_name", "venue_city", "venue_country",
                 "format", "online_link", "status")


def update_convening(actor: User, convening: Convening, data: ConveningData) -> dict[str, Any]:
    """Change a convening; registrants hear about changes of time, place or status."""
    user = require_organiser(actor)
    if convening.is_cancelled:
        raise Conflict(_l("A cancelled convening cannot be changed."), code="cancelled")
    values = _validated(data)
    sessions = list(convening.sessions)
    if values["starts_at"] != convening.starts_at or values["ends_at"] != convening.ends_at:
        first, last = _day_bounds(values["starts_at"], values["ends_at"], values["timezone"])
        if any(s.starts_at < first or s.ends_at > last for s in sessions):
            raise Invalid(_l("Some sessions would fall outside the new dates; move them first."),
                          code="sessions_outside", field="starts_at")
    changes = {name: (getattr(convening, name), value) for name, value in values.items()
               if getattr(convening, name) != value}
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
        _tell_registrants(convening, changes)
    if convening.capacity is None or (old_capacity is not None and convening.capacity > old_capacity):
        _promote(convening)
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
        raise Invalid(_l("Say why the convening is cancelled."), code="reason_required",
                      field="reason")
    if convening.is_cancelled:
        raise Conflict(_l("This convening is already cancelled."), code="cancelled")
    previous = convening.status
    convening.status = ConveningStatus.CANCELLED.value
    convening.cancel_reason = reason[:2000]
    convening.sequence += 1
    convening.updated_at = utcnow()
    db.session.flush()
    audit.record(user, "convening.cancel", "convening", convening.id, reason=convening.cancel_reason)
    changes = {"status": (previous, convening.status)}
    convening_changed.send(convening, changes=changes)
    if previous == ConveningStatus.PUBLISHED.value:
        _tell_registrants(convening, changes)
    return convening


def _shift_local(moment: datetime, zone: str, days: int) -> datetime:
    """Move a moment by whole days of wall-clock time in `zone` (so 09:00 stays 09:00 across DST)."""
    local = to_local(moment, zone) + timedelta(days=days)
    return to_utc(local, zone)


def clone_convening(actor: User, source: Convening, new_start: date) -> Convening:
    """Copy a convening and its whole agenda to start on `new_start`, as a draft."""
    user = require_organiser(actor)
    days = (check_date(new_start, "new_start") - to_local(source.starts_at, source.timezone).date()).days
    zone = source.timezone

    def shift(moment: datetime | None) -> datetime | None:
        return _shift_local(moment, zone, days) if moment else None

    clone = Convening(
        kind=source.kind, default_language=source.default_language, titles=dict(source.titles),
        descriptions=dict(source.descriptions), themes=list(source.themes), region=source.region,
        format=source.format, venue_name=source.venue_name, venue_city=source.venue_city,
        venue_country=source.venue_country, online_link=source.online_link, timezone=zone,
        starts_at=shift(source.starts_at), ends_at=shift(source.ends_at),
        registration_opens_at=shift(source.registration_opens_at),
        registration_closes_at=shift(source.registration_closes_at), capacity=source.capacity,
        seats_per_delegation=source.seats_per_delegation, visibility=source.visibility,
        edition=(source.edition + 1) if source.edition else None,
        status=ConveningStatus.DRAFT.value, sequence=0, created_by_id=user.id,
        created_at=utcnow(), updated_at=utcnow())
    for item in source.sessions:
        clone.sessions.append(AgendaSession(
            title=item.title, description=item.description, kind=item.kind,
            starts_at=shift(item.starts_at), ends_at=shift(item.ends_at), location=item.location,
            track=item.track, language=item.language, interpretation=list(item.interpretation),
            guest_speakers=list(item.guest_speakers), cancelled=False, sequence=0,
            speakers=[SessionSpeaker(user_id=s.user_id) for s in item.speakers]))
    db.session.add(clone)
    db.session.flush()
    audit.record(user, "convening.clone", "convening", clone.id, source=source.id)
    return clone


# ---------------------------------------------------------------- agenda


def _day_bounds(starts_at: datetime, ends_at: datetime, zone: str) -> tuple[datetime, datetime]:
    """Midnight opening the first day and midnight closing the last, in `zone`, as UTC."""
    first = datetime.combine(to_local(starts_at, zone).date(), time())
    last_local = to_local(ends_at, zone)
    last_day = last_local.date() if last_local.time() != time() else last_local.date() - timedelta(days=1)
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
        raise Invalid(_l("The end must come after the start."), code="end_before_start",
                      field="ends_at")
    first, last = _day_bounds(convening.starts_at, convening.ends_at, convening.timezone)
    if starts_at < first or ends_at > last:
        raise Invalid(_l("The session must take place on the convening's days."),
                      code="outside_convening", field="starts_at")
    speaker_ids = sorted(set(data.speaker_ids))
    if speaker_ids:
        known = set(db.session.scalars(select(User.id).where(User.id.in_(speaker_ids))))
        if known != set(speaker_ids):
            raise Invalid(_l("Choose speakers from the list."), code="bad_speaker", field="speakers")
    guests = [g.strip()[:120] for g in data.guest_speakers if g.strip()][:30]
    return {"title": title, "description": (data.description or "").strip()[:20_000],
            "kind": kind, "starts_at": starts_at, "ends_at": ends_at,
            "location": data.location.strip()[:120], "track": data.track.strip()[:80],
            "language": language, "interpretation": interpretation, "guest_speakers": guests,
            "speaker_ids": speaker_ids}


def add_session(actor: User, convening: Convening, data: SessionData) -> AgendaSession:
    """Add a session to a convening's agenda."""
    user = require_organiser(actor)
    if convening.is_cancelled:
        raise Conflict(_l("A cancelled convening cannot be changed."), code="cancelled")
    values = _session_values(convening, data)
    speaker_ids = values.pop("speaker_ids")
    session = AgendaSession(convening=convening, **values, cancelled=False, sequence=0,
                            speakers=[SessionSpeaker(user_id=uid) for uid in speaker_ids])
    db.session.add(session)
    convening.sequence += 1
    db.session.flush()
    audit.record(user, "convening.session.add", "convening", convening.id, session=session.id)
    return session


SESSION_NOTICE_FIELDS = ("starts_at", "ends_at", "location", "cancelled")


def update_session(actor: User, session: AgendaSession, data: SessionData) -> dict[str, Any]:
    """Change a session; registrants hear about changes of time, place or status."""
    user = require_organiser(actor)
    convening = session.convening
    if convening.is_cancelled:
        raise Conflict(_l("A cancelled convening cannot be changed."), code="cancelled")
    values = _session_values(convening, data)
    speaker_ids = values.pop("speaker_ids")
    changes = {name: (getattr(session, name), value) for name, value in values.items()
               if getattr(session, name) != value}
    if sorted(s.user_id for s in session.speakers) != speaker_ids:
        changes["speakers"] = (None, speaker_ids)
        session.speakers = [s for s in session.speakers if s.user_id in speaker_ids]
        have = {s.user_id for s in session.speakers}
        session.speakers.extend(SessionSpeaker(user_id=uid) for uid in speaker_ids if uid not in have)
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
    user = require_organiser(actor)
    if session.cancelled:
        raise Conflict(_l("This session is already cancelled."), code="cancelled")
    session.cancelled = True
    session.sequence += 1
    db.session.flush()
    _after_session_change(user, session, {"cancelled": (False, True)})
    return session


def _after_session_change(user: User, session: AgendaSession, changes: dict[str, Any]) -> None:
    convening = session.convening
    audit.record(user, "convening.session.update", "convening", convening.id,
                 session=session.id, fields=sorted(changes))
    convening_changed.send(convening, changes={f"session.{name}": value
                                               for name, value in changes.items()})
    if convening.is_published and set(changes) & set(SESSION_NOTICE_FIELDS):
        from app.convenings import notices

        notices.session_changed(session, changes, _registrants(convening))


def agenda_warnings(convening: Convening) -> list[AgendaWarning]:
    """Overlapping sessions in one location and speakers booked twice."""
    from flask_babel import gettext as _

    live = [s for s in convening.sessions if not s.cancelled]
    warnings = []
    for i, first in enumerate(live):
        for second in live[i + 1:]:
            if not (first.starts_at < second.ends_at and second.starts_at < first.ends_at):
                continue
            if first.location and first.location.casefold() == second.location.casefold():
                warnings.append(AgendaWarning("location_overlap", _(
                    "“%(first)s” and “%(second)s” overlap in %(location)s.",
                    first=first.title, second=second.title, location=first.location)))
            shared = ({s.user.display_name for s in first.speakers if s.user_id in
                       {t.user_id for t in second.speakers}}
                      | (set(first.guest_speakers) & set(second.guest_speakers)))
            for name in sorted(shared):
                warnings.append(AgendaWarning("speaker_double_booked", _(
                    "%(name)s speaks in both “%(first)s” and “%(second)s” at the same time.",
                    name=name, first=first.title, second=second.title)))
    return warnings


def agenda(convening: Convening) -> list[AgendaSession]:
    """The convening's sessions with their speakers, in a bounded number of queries."""
    return list(db.session.scalars(
        select(AgendaSession).where(AgendaSession.convening_id == convening.id)
        .options(selectinload(AgendaSession.speakers))
        .order_by(AgendaSession.starts_at, AgendaSession.id)))


# ---------------------------------------------------------------- registration


def registration_for(user: User | None, convening: Convening) -> Registration | None:
    """The user's registration row for a convening (whatever its status), or None."""
    if not is_signed_in(user):
        return None
    return db.session.scalar(select(Registration).where(
        Registration.convening_id == convening.id, Registration.user_id == user.id))  # type: ignore[union-attr]


def is_participant(user: User | None, convening: Convening) -> bool:
    """True when the user holds a confirmed place."""
    registration = registration_for(user, convening)
    return registration is not None and registration.status == RegistrationStatus.CONFIRMED.value


def can_see_online_link(user: User | None, convening: Convening) -> bool:
    """Only confirmed participants and organisers see where to join online."""
    return is_staff(user) or is_participant(user, convening)


def online_link_for(user: User | None, convening: Convening) -> str:
    """The online link, refused to anyone not registered."""
    if not can_see_online_link(user, convening):
        raise Forbidden(_l("The online link is shown only to registered participants."),
                        code="not_registered")
    return convening.online_link or ""


def convenings_for_user(user: User, *, statuses: Iterable[str] = ACTIVE_STATUSES
                        ) -> list[tuple[Convening, Registration]]:
    """The convenings a user registered for (active registrations), soonest first."""
    rows = db.session.execute(
        select(Convening, Registration).join(Registration, Registration.convening_id == Convening.id)
        .where(Registration.user_id == user.id, Registration.status.in_(list(statuses)))
        .order_by(Convening.starts_at)).all()
    return [(c, r) for c, r in rows]


def registration_counts(convening: Convening) -> dict[str, int]:
    """How many registrations there are in each status."""
    return dict(db.session.execute(
        select(Registration.status, func.count(Registration.id))
        .where(Registration.convening_id == convening.id).group_by(Registration.status)).all())


def _lock(convening: Convening) -> None:
    """Serialise seat counting on PostgreSQL (SQLite already writes one at a time)."""
    db.session.execute(select(Convening.id).where(Convening.id == convening.id).with_for_update())


def _confirmed_count(convening: Convening, nation_id: int | None = None) -> int:
    query = select(func.count(Registration.id)).where(
        Registration.convening_id == convening.id,
        Registration.status == RegistrationStatus.CONFIRMED.value)
    if nation_id is not None:
        query = query.join(User, User.id == Registration.user_id).where(User.nation_id == nation_id)
    return db.session.scalar(query) or 0


def _has_seat(convening: Convening, user: User) -> bool:
    if convening.capacity is not None and _confirmed_count(convening) >= convening.capacity:
        return False
    return not (convening.seats_per_delegation and user.nation_id is not None
                and _confirmed_count(convening, user.nation_id) >= convening.seats_per_delegation)


def _set_status(registration: Registration, status: str) -> None:
    previous = registration.status
    registration.status = status
    registration.updated_at = utcnow()
    db.session.flush()
    registration_changed.send(registration, previous=previous)


def has_ended(convening: Convening, now: datetime | None = None) -> bool:
    """True once the convening's last day is over."""
    return convening.ends_at <= (now or utcnow())


def registration_open(convening: Convening, now: datetime | None = None) -> bool:
    """True while a published convening takes registrations (its window, never after the start)."""
    now = now or utcnow()
    closes = convening.registration_closes_at or convening.starts_at
    opens = convening.registration_opens_at
    return convening.is_published and not (opens and now < opens) and now < closes


def _check_open_to(user: User, convening: Convening, now: datetime) -> None:
    if not convening.is_published:
        raise Invalid(_l("This convening is not open for registration."), code="not_open")
    if (convening.visibility == Visibility.MEMBERS.value
            and Role(user.role) not in MEMBER_ROLES):
        raise Forbidden(_l("This convening is for signatories and partners only."),
                        code="members_only")
    if not registration_open(convening, now):
        raise Invalid(_l("Registration is not open at this time."), code="outside_window")


def may_register(actor: User | None, convening: Convening, now: datetime | None = None) -> bool:
    """True when `register` would take this member now (the page offers Register only then)."""
    if not is_signed_in(actor) or not can_view(actor, convening):
        return False
    try:
        _check_open_to(actor, convening, now or utcnow())  # type: ignore[arg-type]
    except (Invalid, Forbidden):
        return False
    registration = registration_for(actor, convening)
    return registration is None or registration.status not in (
        *ACTIVE_STATUSES, RegistrationStatus.DECLINED.value)


def register(actor: User, convening: Convening, *, consent_listed: bool = False,
             now: datetime | None = None) -> Registration:
    """Register for a convening: a seat, a place on the waiting list, or a request to approve."""
    user = require_signed_in(actor)
    if not can_view(user, convening):
        raise NotFound()
    now = now or utcnow()
    _check_open_to(user, convening, now)
    _lock(convening)
    registration = registration_for(user, convening)
    if registration is not None and registration.status in ACTIVE_STATUSES:
        raise Conflict(_l("You are already registered for this convening."),
                       code="already_registered")
    if registration is not None and registration.status == RegistrationStatus.DECLINED.value:
        raise Forbidden(_l("The organisers declined your registration."), code="declined")
    if convening.visibility == Visibility.INVITATION.value:
        status = RegistrationStatus.PENDING.value
    elif _has_seat(convening, user):
        status = RegistrationStatus.CONFIRMED.value
    else:
        status = RegistrationStatus.WAITLISTED.value
    previous = registration.status if registration is not None else None
    if registration is None:
        registration = Registration(convening=convening, user_id=user.id, created_at=now)
        db.session.add(registration)
    registration.status = status
    registration.queued_at = now
    registration.updated_at = now
    registration.consent_listed = bool(consent_listed)
    registration.attended = False
    registration.reminded_at = None
    db.session.flush()
    registration_changed.send(registration, previous=previous)
    from app.convenings import notices

    notices.registration_received(registration, user)
    return registration


def get_registration(convening: Convening, registration_id: int) -> Registration:
    """A registration of `convening`."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.convening_id != convening.id:
        raise NotFound()
    return registration


def cancel_registration(actor: User, registration: Registration) -> Registration:
    """Give up a registration (one's own, or any as an organiser); the seat goes to the queue."""
    user = require_signed_in(actor)
    if registration.user_id != user.id and not is_staff(user):
        raise Forbidden(_l("You can only cancel your own registration."), code="not_yours")
    if registration.status not in ACTIVE_STATUSES:
        raise Conflict(_l("This registration is not active."), code="not_active")
    from app.convenings import notices

    _lock(registration.convening)
    held_seat = registration.status == RegistrationStatus.CONFIRMED.value
    _set_status(registration, RegistrationStatus.CANCELLED.value)
    if held_seat:
        notices.registration_cancelled(registration)
        _promote(registration.convening)
    return registration


def _promote(convening: Convening) -> list[Registration]:
    """Give free seats to the waiting list, first come first served, within delegation limits."""
    from app.convenings import notices

    promoted = []
    queue = list(db.session.scalars(
        select(Registration).where(Registration.convening_id == convening.id,
                                   Registration.status == RegistrationStatus.WAITLISTED.value)
        .order_by(Registration.queued_at, Registration.id)))
    for registration in queue:
        if convening.capacity is not None and _confirmed_count(convening) >= convening.capacity:
            break
        if not _has_seat(convening, registration.user):
            continue
        _set_status(registration, RegistrationStatus.CONFIRMED.value)
        notices.registration_promoted(registration)
        promoted.append(registration)
    return promoted


def decide_registration(actor: User, registration: Registration, approve: bool) -> Registration:
    """An organiser approves or declines a request to attend an invitation-only convening."""
    from app.convenings import notices

    user = require_organiser(actor)
    if registration.status != RegistrationStatus.PENDING.value:
        raise Conflict(_l("This registration is not waiting for a decision."), code="not_pending")
    if approve:
        _lock(registration.convening)
        seat = _has_seat(registration.convening, registration.user)
        status = RegistrationStatus.CONFIRMED if seat else RegistrationStatus.WAITLISTED
        registration.queued_at = utcnow()
    else:
        status = RegistrationStatus.DECLINED
    _set_status(registration, status.value)
    audit.record(user, "convening.registration.decide", "convening", registration.convening_id,
                 registration=registration.id, status=status.value)
    notices.registration_decided(registration)
    return registration


def mark_attendance(actor: User, registration: Registration, attended: bool) -> Registration:
    """An organiser records whether a confirmed participant came."""
    user = require_organiser(actor)
    if registration.status != RegistrationStatus.CONFIRMED.value:
        raise Conflict(_l("Only confirmed participants can be marked as present."),
                       code="not_confirmed")
    registration.attended = attended
    registration.updated_at = utcnow()
    audit.record(user, "convening.registration.attendance", "convening", registration.convening_id,
                 registration=registration.id, attended=attended)
    db.session.flush()
    return registration


def require_participant_list_access(actor: User | None, convening: Convening) -> None:
    """Only participants and organisers see who else takes part."""
    if not (is_staff(actor) or is_participant(actor, convening)):
        raise Forbidden(_l("The participant list is shown only to participants."),
                        code="not_registered")


def participant_list(actor: User, convening: Convening) -> list[Registration]:
    """Confirmed participants who agreed to be listed; only participants and organisers see it."""
    require_participant_list_access(actor, convening)
    return list(db.session.scalars(
        select(Registration).where(Registration.convening_id == convening.id,
                                   Registration.status == RegistrationStatus.CONFIRMED.value,
                                   Registration.consent_listed.is_(True))
        .order_by(Registration.created_at, Registration.id)))


def _registrants(convening: Convening) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Registration, Registration.user_id == User.id)
        .where(Registration.convening_id == convening.id,
               Registration.status.in_(ACTIVE_STATUSES))))


def _tell_registrants(convening: Convening, changes: dict[str, Any]) -> None:
    from app.convenings import notices

    if set(changes) & set(CHANGE_FIELDS):
        notices.convening_changed(convening, changes, _registrants(convening))


# ---------------------------------------------------------------- reminders


def send_reminders(now: datetime | None = None) -> int:
    """Remind confirmed participants of convenings starting within a day; never twice."""
    from app.convenings import notices

    now = now or utcnow()
    query = (select(Registration).join(Convening, Convening.id == Registration.convening_id)
             .where(Registration.status == RegistrationStatus.CONFIRMED.value,
                    Registration.reminded_at.is_(None),
                    Convening.status == ConveningStatus.PUBLISHED.value,
                    Convening.starts_at > now, Convening.starts_at <= now + timedelta(days=1)))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Registration)
    sent = 0
    for registration in db.session.scalars(query):
        registration.reminded_at = now
        notices.reminder(registration)
        sent += 1
    db.session.flush()
    return sent


# ---------------------------------------------------------------- calendar tokens


def _token(user_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"calendar:{user_id}:{nonce}".encode(), hashlib.sha256).hexdigest()[:40]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_token(actor: User) -> str:
    """The member's personal feed token, created on first use."""
    user = require_signed_in(actor)
    row = db.session.scalar(select(CalendarToken).where(CalendarToken.user_id == user.id))
    if row is None:
        return regenerate_calendar_token(user)
    return _token(user.id, row.nonce)


def regenerate_calendar_token(actor: User) -> str:
    """Issue a new feed token; the old feed address stops working."""
    user = require_signed_in(actor)
    row = db.session.scalar(select(CalendarToken).where(CalendarToken.user_id == user.id))
    if row is None:
        row = CalendarToken(user_id=user.id)
        db.session.add(row)
    row.nonce = secrets.token_hex(16)
    token = _token(user.id, row.nonce)
    row.token_hash = _hash(token)
    row.created_at = utcnow()
    db.session.flush()
    return token


def user_for_calendar_token(token: str) -> User:
    """The active member a feed token belongs to."""
    if not token or len(token) > 100:
        raise NotFound()
    user = db.session.scalar(select(User).join(CalendarToken, CalendarToken.user_id == User.id)
                             .where(CalendarToken.token_hash == _hash(token)))
    if user is None or not user.active:
        raise NotFound()
    return user


# ---------------------------------------------------------------- fair times

REGION_ZONES = {"002": "Africa/Nairobi", "019": "America/Mexico_City", "142": "Asia/Kolkata",
                "150": "Europe/Brussels", "009": "Australia/Sydney"}


def fair_time_groups(actor: User, nation_codes: Iterable[str], regions: Iterable[str]
                     ) -> list[Group]:
    """The groups to weigh: each invited delegation in its members' zone, each region by zone.

    Only zones members confirmed count; a delegation none of whose members confirmed one is
    placed in its State's main zone and marked `assumed`, so the page can say so.
    """
    from collections import Counter

    from app.registry.models import Nation

    require_organiser(actor)
    codes = sorted({c.upper() for c in nation_codes if c})
    wanted_regions = sorted({r for r in regions if r})
    for region in wanted_regions:
        _check_choice(region, REGIONS, "regions")
    nations = {n.iso2: n for n in db.session.scalars(select(Nation).where(Nation.iso2.in_(codes)))}
    if len(nations) != len(codes):
        raise Invalid(_l("Choose delegations from the list."), code="bad_nation", field="nations")
    groups: list[Group] = []
    if codes:
        zones: dict[str, Counter[str]] = {code: Counter() for code in codes}
        for iso2, zone in db.session.execute(
                select(Nation.iso2, User.timezone).join(User, User.nation_id == Nation.id)
                .where(Nation.iso2.in_(codes), User.active.is_(True),
                       User.timezone_confirmed.is_(True))):
            if is_valid_timezone(zone):
                zones[iso2][zone] += 1
        for code in codes:
            if zones[code]:
                groups.append(Group(territory_name(code), zones[code].most_common(1)[0][0]))
            else:
                groups.append(Group(territory_name(code), main_zone(code) or "UTC", assumed=True))
    for region in wanted_regions:
        counts: Counter[str] = Counter(db.session.scalars(
            select(User.timezone).join(Nation, User.nation_id == Nation.id)
            .where(Nation.region == region, User.active.is_(True),
                   User.timezone_confirmed.is_(True))))
        if not counts:
            counts[REGION_ZONES[region]] = 1
        for zone, weight in counts.most_common(8):
            if is_valid_timezone(zone):
                groups.append(Group(f"{territory_name(region)} · {zone}", zone, weight))
    if not groups:
        raise Invalid(_l("Choose at least one delegation or region."), code="no_groups",
                      field="nations")
    return groups
