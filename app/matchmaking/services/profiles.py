"""Matchmaking profiles: what a member offers and seeks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select

from app.accounts.models import User
from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.permissions import require_signed_in
from app.extensions import db
from app.matchmaking.models import (
    MatchProfile,
)
from app.matchmaking.services.common import MAX_BIO, MAX_TOPICS, SPOKEN, TOPICS

# ---------------------------------------------------------------- profiles


@dataclass
class ProfileData:
    """What a member says about themselves for matchmaking."""

    offers: list[str] = field(default_factory=list)
    seeks: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    bio: str = ""


def _codes(values: Iterable[str], allowed: tuple[str, ...], field_name: str, limit: int
           ) -> list[str]:
    chosen = list(dict.fromkeys(values))
    if any(value not in allowed for value in chosen):
        raise Invalid(_l("Choose from the list."), code="unknown_choice", field=field_name)
    if len(chosen) > limit:
        raise Invalid(_l("Choose at most %(count)d.", count=limit), code="too_many",
                      field=field_name)
    return chosen


def profile_for(user: User) -> MatchProfile | None:
    """The member's matchmaking profile, or None before they write one."""
    return db.session.scalar(select(MatchProfile).where(MatchProfile.user_id == user.id))


def save_profile(actor: User, data: ProfileData) -> MatchProfile:
    """Write one's own profile: topics offered and sought, languages spoken, a short bio."""
    user = require_signed_in(actor)
    offers = _codes(data.offers, TOPICS, "offers", MAX_TOPICS)
    seeks = _codes(data.seeks, TOPICS, "seeks", MAX_TOPICS)
    languages = _codes(data.languages, SPOKEN, "languages", MAX_TOPICS)
    bio = (data.bio or "").strip()
    if len(bio) > MAX_BIO:
        raise Invalid(lazy_ngettext("Keep it under %(num)d character.", "Keep it under %(num)d characters.",
                          MAX_BIO), code="too_long",
                      field="bio")
    if not offers and not seeks:
        raise Invalid(_l("Choose at least one topic you offer or seek."), code="no_topics",
                      field="offers")
    profile = profile_for(user) or MatchProfile(user_id=user.id)
    profile.offers, profile.seeks, profile.languages, profile.bio = offers, seeks, languages, bio
    profile.updated_at = utcnow()
    db.session.add(profile)
    db.session.flush()
    return profile
