"""Convenings services: helpers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel import Locale
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.convenings.models import (
    THEMES,
    Convening,
    ConveningFormat,
    ConveningKind,
    Visibility,
)
from app.convenings.services.shapes import MAX_CAPACITY, ConveningData
from app.core.errors import Invalid
from app.core.geography import REGIONS
from app.i18n import is_valid_timezone

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
            raise Invalid(
                _l("This language is not supported."), code="bad_language", field=field_name
            )
        text = (text or "").strip()
        if len(text) > limit:
            raise Invalid(_l("This text is too long."), code="too_long", field=field_name)
        if text:
            cleaned[language] = text
    return cleaned


def _check_choice(value: str | None, allowed: Iterable[str], field_name: str) -> str:
    if value not in set(allowed):
        raise Invalid(
            _l("Please choose one of the options offered."), code="bad_choice", field=field_name
        )
    return value  # type: ignore[return-value]


def _check_url(url: str | None) -> str | None:
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 500:
        raise Invalid(
            _l("Enter a full web address starting with https://."),
            code="bad_url",
            field="online_link",
        )
    return url


def _check_count(value: int | None, field_name: str, minimum: int) -> int | None:
    if value is None:
        return None
    if value < minimum or value > MAX_CAPACITY:
        raise Invalid(
            _l("Enter a number that is not negative, or leave it empty."),
            code="bad_number",
            field=field_name,
        )
    return value


def _validated(data: ConveningData) -> dict[str, Any]:
    """Check an organiser's input; return the column values to store."""
    kind = _check_choice(data.kind, [k.value for k in ConveningKind], "kind")
    if not is_valid_timezone(data.timezone):
        raise Invalid(_l("This is not a known time zone."), code="bad_timezone", field="timezone")
    default_language = _check_choice(data.default_language, languages(), "default_language")
    titles = _clean_texts(data.titles, "title", 200)
    if not titles.get(default_language):
        raise Invalid(
            _l("Give a title in the default language."), code="title_required", field="title"
        )
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
            raise Invalid(
                _l("Give the Forum's edition number."), code="edition_required", field="edition"
            )
    else:
        edition = None
    fmt = _check_choice(data.format, [f.value for f in ConveningFormat], "format")
    visibility = _check_choice(data.visibility, [v.value for v in Visibility], "visibility")
    country = (data.venue_country or "").upper() or None
    if country and (len(country) != 2 or country not in Locale.parse("en").territories):
        raise Invalid(
            _l("Choose a country from the list."), code="bad_country", field="venue_country"
        )
    starts_at = to_utc(data.starts_local, data.timezone)
    ends_at = to_utc(data.ends_local, data.timezone)
    if ends_at <= starts_at:
        raise Invalid(
            _l("The end must come after the start."), code="end_before_start", field="ends_at"
        )
    opens = (
        to_utc(data.registration_opens_local, data.timezone)
        if data.registration_opens_local
        else None
    )
    closes = (
        to_utc(data.registration_closes_local, data.timezone)
        if data.registration_closes_local
        else None
    )
    if opens and closes and closes <= opens:
        raise Invalid(
            _l("Registration must close after it opens."),
            code="window_reversed",
            field="registration_closes_at",
        )
    if closes and closes > ends_at:
        raise Invalid(
            _l("Registration must close before the convening ends."),
            code="window_after_end",
            field="registration_closes_at",
        )
    return {
        "kind": kind,
        "edition": edition,
        "default_language": default_language,
        "titles": titles,
        "descriptions": descriptions,
        "themes": themes,
        "region": region,
        "format": fmt,
        "venue_name": data.venue_name.strip()[:200],
        "venue_city": data.venue_city.strip()[:120],
        "venue_country": country,
        "online_link": _check_url(data.online_link),
        "timezone": data.timezone,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "registration_opens_at": opens,
        "registration_closes_at": closes,
        "capacity": _check_count(data.capacity, "capacity", 0),
        "seats_per_delegation": _check_count(data.seats_per_delegation, "seats_per_delegation", 1),
        "visibility": visibility,
    }


def _title(convening: Convening) -> str:
    return convening.title_in(convening.default_language)
