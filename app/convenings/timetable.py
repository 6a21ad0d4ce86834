"""Lay an agenda out by day and track in one time zone; sessions crossing midnight split by day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.convenings.models import AgendaSession


@dataclass(frozen=True)
class Segment:
    """The part of a session that falls on one day of the chosen zone."""

    session: AgendaSession
    start: datetime  # aware, in the chosen zone
    end: datetime
    continues_from_previous_day: bool
    continues_next_day: bool


@dataclass
class Day:
    """One day of the timetable: its tracks and, per track, the segments in time order."""

    day: date
    tracks: list[str] = field(default_factory=list)
    by_track: dict[str, list[Segment]] = field(default_factory=dict)


def segments(session: AgendaSession, zone: ZoneInfo) -> list[Segment]:
    """Split a session at each local midnight it crosses."""
    start = session.starts_at.astimezone(zone)
    end = session.ends_at.astimezone(zone)
    pieces = []
    day = start.date()
    while True:
        next_midnight = datetime.combine(day + timedelta(days=1), time(), zone)
        piece_start = max(start, datetime.combine(day, time(), zone))
        piece_end = min(end, next_midnight)
        if piece_end > piece_start:
            pieces.append(Segment(session, piece_start, piece_end, piece_start > start,
                                  piece_end < end))
        if end <= next_midnight:
            return pieces
        day += timedelta(days=1)


def build(sessions: Iterable[AgendaSession], zone_name: str) -> list[Day]:
    """The timetable of `sessions` in `zone_name`, days in order, tracks sorted by name."""
    zone = ZoneInfo(zone_name)
    days: dict[date, Day] = {}
    for session in sessions:
        for segment in segments(session, zone):
            entry = days.setdefault(segment.start.date(), Day(segment.start.date()))
            entry.by_track.setdefault(session.track, []).append(segment)
    for entry in days.values():
        entry.tracks = sorted(entry.by_track)
        for track in entry.tracks:
            entry.by_track[track].sort(key=lambda s: (s.start, s.session.id))
    return [days[d] for d in sorted(days)]
