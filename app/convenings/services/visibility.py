"""Convenings services: visibility."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.accounts.models import User
from app.convenings.models import (
    AgendaSession,
    Convening,
    ConveningStatus,
    Visibility,
)
from app.convenings.services.shapes import MEMBER_ROLES
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.permissions import Role, is_signed_in, is_staff
from app.extensions import db

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


def list_convenings(
    actor: User | None,
    *,
    past: bool = False,
    filters: ConveningFilters | None = None,
    now: datetime | None = None,
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
    for column, value in (
        (Convening.kind, filters.kind),
        (Convening.region, filters.region),
        (Convening.format, filters.format),
    ):
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
