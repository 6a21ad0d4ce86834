"""One way to say "when" to a person: a moment in the reader's zone and language, and the event's.

Every e-mail, notice and reminder formats times through `format_moment`, so a member in Shanghai
reads "18:00 Shanghai time" and, where the event keeps another clock, the event's time beside it,
each labelled with its city. The reader comes from `for_reader(user)` (messages composed for
someone else) or from the signed-in viewer (pages).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, format_time, get_timezone_location
from flask import has_request_context
from flask_babel import force_locale, get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from app.i18n import is_valid_timezone, visitor_zone

_UNSET = object()
# The zone of the reader a text is being composed for; a reader without a confirmed zone is
# None (they read the event's own time), never silently UTC.
_READER_ZONE: ContextVar[object] = ContextVar("reader_zone", default=_UNSET)


class Reader(Protocol):
    """Whoever a message is for: their language and (possibly unconfirmed) time zone."""

    locale: str
    timezone: str | None


@contextmanager
def reading_as(zone: str | None) -> Iterator[None]:
    """Format moments for a reader in `zone` inside the block (None: a reader with no known zone)."""
    token = _READER_ZONE.set(zone if is_valid_timezone(zone) else None)
    try:
        yield
    finally:
        _READER_ZONE.reset(token)


@contextmanager
def for_reader(user: Reader) -> Iterator[None]:
    """Compose text for `user`: their language and their time zone."""
    with force_locale(user.locale), reading_as(user.timezone):
        yield


def reader_zone() -> str | None:
    """The zone of whoever the text is for: the reader set above, else the signed-in viewer's."""
    zone = _READER_ZONE.get()
    if zone is _UNSET:
        if has_request_context() and getattr(current_user, "is_authenticated", False):
            zone = current_user.timezone
        else:
            zone = visitor_zone()
    return zone if isinstance(zone, str) and is_valid_timezone(zone) else None


def _locale() -> str:
    return str(get_locale() or "en")


def zone_label(zone: str) -> str:
    """A zone's city (or "UTC") from CLDR, in the current language."""
    if zone in ("UTC", "Etc/UTC"):
        return "UTC"
    return get_timezone_location(ZoneInfo(zone), _locale(), return_city=True)


def _date(local: datetime) -> str:
    return format_skeleton("yMMMEd", local, locale=_locale())


def _time(local: datetime) -> str:
    return format_time(local, "short", locale=_locale())


def _date_time(local: datetime) -> str:
    """Date and time joined the way the locale joins them (CLDR's medium date-time pattern)."""
    pattern = get_locale().datetime_formats["medium"] if get_locale() else "{1}, {0}"
    return str(pattern).replace("'", "").format(_time(local), _date(local))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _reader(zone: str | None, event_zone: str | None) -> str:
    """The zone to write for: `zone` if given, else the reader's, else the event's, else UTC."""
    reader = zone if is_valid_timezone(zone) else reader_zone()
    if not is_valid_timezone(reader):
        reader = event_zone if is_valid_timezone(event_zone) else "UTC"
    assert reader is not None
    return reader


def _with_event_time(text: str, mine: datetime, event_zone: str | None, reader: str,
                     event_text: str) -> str:
    if not is_valid_timezone(event_zone) or event_zone == reader:
        return text
    assert event_zone is not None
    if mine.astimezone(ZoneInfo(event_zone)).utcoffset() == mine.utcoffset():
        return text
    return _("%(reader_time)s (%(event_time)s in %(city)s, the event's time)", reader_time=text,
             event_time=event_text, city=zone_label(event_zone))


def format_moment(moment: datetime, event_zone: str | None = None, *,
                  zone: str | None = None) -> str:
    """`moment` (aware, or naive UTC) for the reader, labelled; the event's time too where it differs.

    "Fri, Dec 11, 2026, 6:00 PM Shanghai time (10:00 AM in Geneva, the event's time)"; the event's
    date is repeated only when it is not the reader's date (across midnight or the date line).
    """
    reader = _reader(zone, event_zone)
    mine = _aware(moment).astimezone(ZoneInfo(reader))
    text = _("%(when)s %(city)s time", when=_date_time(mine), city=zone_label(reader))
    if not is_valid_timezone(event_zone):
        return text
    assert event_zone is not None
    theirs = mine.astimezone(ZoneInfo(event_zone))
    when = _time(theirs) if theirs.date() == mine.date() else _date_time(theirs)
    return _with_event_time(text, mine, event_zone, reader, when)


def _span(start: datetime, end: datetime) -> str:
    """Two local moments without seconds; the date is written once when both share it."""
    if start.date() == end.date():
        pattern = get_locale().datetime_formats["medium"] if get_locale() else "{1}, {0}"
        return str(pattern).replace("'", "").format(f"{_time(start)} – {_time(end)}", _date(start))
    return f"{_date_time(start)} – {_date_time(end)}"


def format_span(start: datetime, end: datetime, event_zone: str | None = None, *,
                zone: str | None = None) -> str:
    """From `start` to `end` for the reader, labelled, the shared date once; the event's too.

    "Fri, Dec 11, 2026, 9:00 AM – 6:00 PM New York time (Sat, Dec 12, 2026, 3:00 AM – 12:00 PM
    in Tashkent, the event's time)".
    """
    reader = _reader(zone, event_zone)
    mine_start = _aware(start).astimezone(ZoneInfo(reader))
    mine_end = _aware(end).astimezone(ZoneInfo(reader))
    text = _("%(when)s %(city)s time", when=_span(mine_start, mine_end), city=zone_label(reader))
    if not is_valid_timezone(event_zone):
        return text
    assert event_zone is not None
    event = ZoneInfo(event_zone)
    return _with_event_time(text, mine_start, event_zone, reader,
                            _span(mine_start.astimezone(event), mine_end.astimezone(event)))


def _join(time_text: str, date_text: str) -> str:
    pattern = get_locale().datetime_formats["medium"] if get_locale() else "{1}, {0}"
    return str(pattern).replace("'", "").format(time_text, date_text)


def format_plain(moment: datetime | None, zone: str | None = None) -> str:
    """A moment for tables and lists: the medium date and the short time (no seconds, never the
    ambiguous all-numeric date), in `zone` or else the viewer's zone: "Dec 11, 2026, 9:00 AM"."""
    if moment is None:
        return ""
    local = _aware(moment).astimezone(ZoneInfo(zone) if is_valid_timezone(zone) else get_timezone())
    return _join(_time(local), format_date(local, "medium", locale=_locale()))


def datetime_filter(value: datetime | None, format: str = "medium", rebase: bool = True) -> str:  # noqa: A002
    """The `datetimeformat` template filter, kept to one readable form (see `format_plain`);
    `rebase=False` keeps the moment's own zone."""
    if value is None:
        return ""
    if not rebase and value.tzinfo is not None:
        return _join(_time(value), format_date(value, "medium", locale=_locale()))
    return format_plain(value)


def format_day(moment: datetime, zone: str) -> str:
    """The date of `moment` in `zone`, in the current language ("Fri, Dec 11, 2026")."""
    return _date(_aware(moment).astimezone(ZoneInfo(zone if is_valid_timezone(zone) else "UTC")))


def format_local_span(start: datetime, end: datetime) -> str:
    """A meeting on a local clock in the current locale's time format: "Fri 8:00 AM–9:30 AM";
    the end's weekday is repeated when it falls on another day."""
    day = format_skeleton("E", start, locale=_locale())
    if end.date() == start.date():
        return f"{day} {_time(start)}–{_time(end)}"
    return f"{day} {_time(start)}–{format_skeleton('E', end, locale=_locale())} {_time(end)}"
