"""Convenings services: scheduling."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.convenings.fairtime import Group
from app.convenings.models import (
    CalendarToken,
    Convening,
    ConveningStatus,
    Registration,
    RegistrationStatus,
)
from app.convenings.services.helpers import _check_choice
from app.convenings.services.organising import require_organiser
from app.core.db import utcnow
from app.core.errors import Invalid, NotFound
from app.core.geography import REGIONS
from app.core.permissions import require_signed_in
from app.extensions import db
from app.i18n import is_valid_timezone, territory_name
from app.i18n.zones import main_zone

# ---------------------------------------------------------------- reminders


def send_reminders(now: datetime | None = None) -> int:
    """Remind confirmed participants of convenings starting within a day; never twice."""
    from app.convenings import notices

    now = now or utcnow()
    query = (
        select(Registration)
        .join(Convening, Convening.id == Registration.convening_id)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED.value,
            Registration.reminded_at.is_(None),
            Convening.status == ConveningStatus.PUBLISHED.value,
            Convening.starts_at > now,
            Convening.starts_at <= now + timedelta(days=1),
        )
    )
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
    user = db.session.scalar(
        select(User)
        .join(CalendarToken, CalendarToken.user_id == User.id)
        .where(CalendarToken.token_hash == _hash(token))
    )
    if user is None or not user.active:
        raise NotFound()
    return user


# ---------------------------------------------------------------- fair times

REGION_ZONES = {
    "002": "Africa/Nairobi",
    "019": "America/Mexico_City",
    "142": "Asia/Kolkata",
    "150": "Europe/Brussels",
    "009": "Australia/Sydney",
}


def fair_time_groups(
    actor: User, nation_codes: Iterable[str], regions: Iterable[str]
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
            select(Nation.iso2, User.timezone)
            .join(User, User.nation_id == Nation.id)
            .where(Nation.iso2.in_(codes), User.active.is_(True), User.timezone_confirmed.is_(True))
        ):
            if is_valid_timezone(zone):
                zones[iso2][zone] += 1
        for code in codes:
            if zones[code]:
                groups.append(Group(territory_name(code), zones[code].most_common(1)[0][0]))
            else:
                groups.append(Group(territory_name(code), main_zone(code) or "UTC", assumed=True))
    for region in wanted_regions:
        counts: Counter[str] = Counter(
            db.session.scalars(
                select(User.timezone)
                .join(Nation, User.nation_id == Nation.id)
                .where(
                    Nation.region == region,
                    User.active.is_(True),
                    User.timezone_confirmed.is_(True),
                )
            )
        )
        if not counts:
            counts[REGION_ZONES[region]] = 1
        for zone, weight in counts.most_common(8):
            if is_valid_timezone(zone):
                groups.append(Group(f"{territory_name(region)} · {zone}", zone, weight))
    if not groups:
        raise Invalid(
            _l("Choose at least one delegation or region."), code="no_groups", field="nations"
        )
    return groups
