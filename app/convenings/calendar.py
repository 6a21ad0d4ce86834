"""iCalendar (RFC 5545) feeds: a convening's agenda, one session, and a member's personal feed.

Other features add items to the personal feed through `register_feed_source` (matchmaking adds
bilateral meetings), so the feed stays one address for everything a member attends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress
from sqlalchemy import select

from app.accounts.models import User
from app.convenings.models import (
    ACTIVE_STATUSES,
    AgendaSession,
    Convening,
    Registration,
    RegistrationStatus,
)
from app.core.db import utcnow
from app.extensions import db

UID_DOMAIN = "caravanserai.example"


@dataclass(frozen=True)
class FeedItem:
    """One event of a calendar feed; `start`/`end` are aware UTC, shown in `tzid`."""

    uid: str
    summary: str
    description: str
    start: datetime
    end: datetime
    tzid: str
    location: str = ""
    sequence: int = 0
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE or CANCELLED
    url: str = ""
    # A whole-day entry (a milestone's due date): DTSTART/DTEND are DATE values, `end` the next day.
    all_day: bool = False


FeedSource = Callable[[User], Iterable[FeedItem]]
_FEED_SOURCES: list[FeedSource] = []


def register_feed_source(source: FeedSource) -> None:
    """Add a producer of personal-feed items (called by a feature's `init_app`; twice is once)."""
    if source not in _FEED_SOURCES:
        _FEED_SOURCES.append(source)


def session_uid(session: AgendaSession) -> str:
    """A UID that stays the same across edits, exports and clones' sources."""
    return f"convening-{session.convening_id}-session-{session.id}@{UID_DOMAIN}"


def convening_uid(convening: Convening) -> str:
    return f"convening-{convening.id}@{UID_DOMAIN}"


def _place(convening: Convening, session: AgendaSession | None = None) -> str:
    parts = [session.location if session else "", convening.venue_name, convening.venue_city,
             convening.venue_country or ""]
    return ", ".join(p for p in parts if p)


def session_item(convening: Convening, session: AgendaSession, *, base_url: str,
                 tentative: bool = False, online_link: str = "") -> FeedItem:
    """A session as a feed item; cancelled with its convening or on its own."""
    title = convening.title_in(convening.default_language)
    cancelled = convening.is_cancelled or session.cancelled
    status = "CANCELLED" if cancelled else ("TENTATIVE" if tentative else "CONFIRMED")
    description = "\n".join(p for p in (title, session.description, online_link) if p)
    return FeedItem(uid=session_uid(session), summary=session.title, description=description,
                    start=session.starts_at, end=session.ends_at, tzid=convening.timezone,
                    location=_place(convening, session),
                    sequence=convening.sequence + session.sequence, status=status,
                    url=f"{base_url}/convenings/{convening.id}#session-{session.id}")


def convening_item(convening: Convening, *, base_url: str, tentative: bool = False,
                   online_link: str = "") -> FeedItem:
    """A convening without an agenda yet, as a single feed item."""
    status = "CANCELLED" if convening.is_cancelled else ("TENTATIVE" if tentative else "CONFIRMED")
    description = "\n".join(p for p in (convening.description_in(convening.default_language),
                                        online_link) if p)
    return FeedItem(uid=convening_uid(convening), summary=convening.title_in(convening.default_language),
                    description=description, start=convening.starts_at, end=convening.ends_at,
                    tzid=convening.timezone, location=_place(convening), sequence=convening.sequence,
                    status=status, url=f"{base_url}/convenings/{convening.id}")


def convening_items(convening: Convening, sessions: list[AgendaSession], *, base_url: str,
                    tentative: bool = False, online_link: str = "") -> list[FeedItem]:
    """Every session of a convening, or the convening itself when it has no agenda."""
    if not sessions:
        return [convening_item(convening, base_url=base_url, tentative=tentative,
                               online_link=online_link)]
    return [session_item(convening, s, base_url=base_url, tentative=tentative,
                         online_link=online_link) for s in sessions]


def build_calendar(name: str, items: Iterable[FeedItem], *, method: str = "PUBLISH",
                   organizer: str = "", attendee: str = "") -> bytes:
    """Serialise feed items as an RFC 5545 calendar with the VTIMEZONEs it needs.

    With METHOD REQUEST or CANCEL (RFC 5546) the calendar is an invitation for `attendee` from
    `organizer`: a calendar program files it under the item's UID and replaces an older SEQUENCE.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Tech Diplomacy Institute//Caravanserai//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    years: dict[str, tuple[int, int]] = {}
    events = []
    for item in items:
        if not item.all_day:  # dates float: they need no VTIMEZONE
            low, high = years.get(item.tzid, (item.start.year, item.end.year))
            years[item.tzid] = (min(low, item.start.year), max(high, item.end.year))
        if method == "PUBLISH":
            events.append(_event_bytes(item))
        else:
            events.append(_invitation_bytes(item, method, organizer, attendee))
    # Components are serialised with icalendar one by one and cached, because feeds are polled
    # often and mostly unchanged; the calendar wraps them, time zones first as clients expect.
    head, end = calendar.to_ical().rsplit(b"END:VCALENDAR", 1)
    zones = [_vtimezone_bytes(tzid, low, high) for tzid, (low, high) in sorted(years.items())]
    return b"".join([head, *zones, *events, b"END:VCALENDAR", end])


@lru_cache(maxsize=256)
def _vtimezone_bytes(tzid: str, first_year: int, last_year: int) -> bytes:
    """A VTIMEZONE covering only the years a feed needs.

    Short spans keep feeds small, and clients built on dateutil (vobject among them) misread the
    1970-2038 rule lists icalendar writes by default.
    """
    return Timezone.from_tzinfo(ZoneInfo(tzid), tzid, first_date=date(first_year - 1, 12, 1),
                                last_date=date(last_year + 1, 12, 31)).to_ical()


@lru_cache(maxsize=50_000)
def _event_bytes(item: FeedItem) -> bytes:
    """One VEVENT; DTSTAMP is when this revision of the item was first serialised."""
    return _event(item).to_ical()


def _invitation_bytes(item: FeedItem, method: str, organizer: str, attendee: str) -> bytes:
    event = _event(item)
    if method == "CANCEL":
        event["status"] = "CANCELLED"
    if organizer:
        event.add("organizer", vCalAddress(f"mailto:{organizer}"))
    if attendee:
        address = vCalAddress(f"mailto:{attendee}")
        address.params["ROLE"] = "REQ-PARTICIPANT"
        address.params["PARTSTAT"] = "ACCEPTED"
        event.add("attendee", address)
    return event.to_ical()


def _event(item: FeedItem) -> Event:
    zone = ZoneInfo(item.tzid)
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", utcnow().replace(microsecond=0))
    if item.all_day:
        event.add("dtstart", item.start.astimezone(zone).date())
        event.add("dtend", item.end.astimezone(zone).date())
    else:
        event.add("dtstart", item.start.astimezone(zone))
        event.add("dtend", item.end.astimezone(zone))
    event.add("summary", item.summary)
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.url:
        event.add("url", item.url)
    event.add("sequence", item.sequence)
    event.add("status", item.status)
    return event


def published_sessions(convening: Convening) -> list[AgendaSession]:
    """The sessions a convening's public calendar carries."""
    return list(db.session.scalars(
        select(AgendaSession).where(AgendaSession.convening_id == convening.id)
        .order_by(AgendaSession.starts_at, AgendaSession.id)))


def personal_items(user: User, *, base_url: str) -> list[FeedItem]:
    """Everything the member registered for, plus what other features contribute."""
    rows = db.session.execute(
        select(Convening, Registration.status)
        .join(Registration, Registration.convening_id == Convening.id)
        .where(Registration.user_id == user.id, Registration.status.in_(ACTIVE_STATUSES),
               Convening.status != "draft")).all()
    by_convening: dict[int, list[AgendaSession]] = {c.id: [] for c, _ in rows}
    if by_convening:
        for session in db.session.scalars(
                select(AgendaSession).where(AgendaSession.convening_id.in_(list(by_convening)))
                .order_by(AgendaSession.starts_at, AgendaSession.id)):
            by_convening[session.convening_id].append(session)
    items: list[FeedItem] = []
    for convening, status in rows:
        confirmed = status == RegistrationStatus.CONFIRMED.value
        items.extend(convening_items(convening, by_convening[convening.id], base_url=base_url,
                                     tentative=not confirmed,
                                     online_link=convening.online_link or "" if confirmed else ""))
    for source in _FEED_SOURCES:
        items.extend(source(user))
    return items
