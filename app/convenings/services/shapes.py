"""Convenings services: shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.convenings.models import (
    ConveningFormat,
    SessionKind,
    Visibility,
)
from app.core.permissions import Role

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
