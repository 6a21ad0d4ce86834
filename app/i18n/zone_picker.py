"""The time-zone picker: zones by country and city, each with its offset now, no old aliases.

CLDR (through Babel) lists each territory's zones under their current names (Asia/Kolkata, not
Asia/Calcutta; Europe/Kyiv, not Europe/Kiev); only names the server also accepts are offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from babel.core import get_global
from babel.dates import get_timezone_location

from app.core.db import utcnow
from app.i18n import cldr_locale, fold, is_valid_timezone, territory_name


@dataclass(frozen=True)
class ZoneChoice:
    """One zone as offered: its IANA name, its city and its offset from UTC at the moment."""

    zone: str
    city: str
    offset: str


@dataclass(frozen=True)
class CountryZones:
    """A country's zones, under the country's name in the reader's language."""

    name: str
    zones: tuple[ZoneChoice, ...]


def utc_offset(zone: str, now: datetime | None = None) -> str:
    """"UTC+05:30", "UTC−03:00" or "UTC" for `zone` at `now`."""
    delta = (now or utcnow()).astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta else 0
    if not minutes:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@cache
def _named_zones(language: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    aliases = get_global("zone_aliases")
    locale = cldr_locale(language)
    countries = []
    for code, zones in get_global("territory_zones").items():
        if len(code) != 2 or not code.isalpha():
            continue
        named = tuple((zone, get_timezone_location(ZoneInfo(zone), locale, return_city=True))
                      for zone in zones if zone not in aliases and is_valid_timezone(zone))
        if named:
            countries.append((territory_name(code, language), named))
    return tuple(sorted(countries, key=lambda item: fold(item[0])))


def zone_groups(language: str, now: datetime | None = None) -> list[CountryZones]:
    """Every country with its zones (west to east, then by city), named in `language`."""
    # Offsets change on the hour at most (clock changes): one computation per language and hour.
    hour = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    return list(_groups_at(language, hour))


@lru_cache(maxsize=16)
def _groups_at(language: str, now: datetime) -> tuple[CountryZones, ...]:
    groups = []
    for name, named in _named_zones(language):
        choices = [ZoneChoice(zone, city, utc_offset(zone, now)) for zone, city in named]
        choices.sort(key=lambda c: (now.astimezone(ZoneInfo(c.zone)).utcoffset(), fold(c.city)))
        groups.append(CountryZones(name, tuple(choices)))
    return tuple(groups)


def offered_zones() -> frozenset[str]:
    """Every zone the picker offers (plus UTC): what a visitor may choose."""
    return frozenset({"UTC"} | {zone for _, named in _named_zones("en") for zone, _ in named})
