"""Role checks that services call; views never decide who may act."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from app.core.errors import Forbidden

if TYPE_CHECKING:
    from app.accounts.models import User


class Role(enum.StrEnum):
    """What a member of the platform is."""

    ADMIN = "admin"
    ORGANISER = "organiser"
    AMBASSADOR = "ambassador"
    PARTNER = "partner"
    OBSERVER = "observer"


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.ORGANISER: _l("TDI organiser"),
    Role.AMBASSADOR: _l("Tech Ambassador"),
    Role.PARTNER: _l("Supporting Partner representative"),
    Role.OBSERVER: _l("Observer"),
}

STAFF_ROLES = frozenset({Role.ADMIN, Role.ORGANISER})


def is_signed_in(actor: User | None) -> bool:
    """True for an active, authenticated member."""
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def is_staff(actor: User | None) -> bool:
    """True for TDI organisers and administrators."""
    return is_signed_in(actor) and Role(actor.role) in STAFF_ROLES  # type: ignore[union-attr]


def require_signed_in(actor: User | None) -> User:
    """Refuse anonymous or deactivated actors."""
    if not is_signed_in(actor):
        raise Forbidden(_l("Please sign in to continue."), code="login_required")
    return actor  # type: ignore[return-value]


def require_role(actor: User | None, *roles: Role) -> User:
    """Refuse actors whose role is not among `roles`."""
    user = require_signed_in(actor)
    if Role(user.role) not in roles:
        raise Forbidden()
    return user


def require_staff(actor: User | None) -> User:
    """Refuse anyone but organisers and administrators."""
    return require_role(actor, Role.ADMIN, Role.ORGANISER)


def require_admin(actor: User | None) -> User:
    """Refuse anyone but administrators."""
    return require_role(actor, Role.ADMIN)
