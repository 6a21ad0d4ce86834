"""Convenings services: registration."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.models import User
from app.convenings.models import (
    ACTIVE_STATUSES,
    Convening,
    Registration,
    RegistrationStatus,
    Visibility,
)
from app.convenings.services import organising
from app.convenings.services.shapes import MEMBER_ROLES
from app.convenings.services.visibility import can_view
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.permissions import Role, is_signed_in, is_staff, require_signed_in
from app.core.signals import registration_changed
from app.extensions import db

# ---------------------------------------------------------------- registration


def registration_for(user: User | None, convening: Convening) -> Registration | None:
    """The user's registration row for a convening (whatever its status), or None."""
    if not is_signed_in(user):
        return None
    return db.session.scalar(
        select(Registration).where(
            Registration.convening_id == convening.id, Registration.user_id == user.id
        )
    )  # type: ignore[union-attr]


def is_participant(user: User | None, convening: Convening) -> bool:
    """True when the user holds a confirmed place."""
    registration = registration_for(user, convening)
    return registration is not None and registration.status == RegistrationStatus.CONFIRMED.value


def can_see_online_link(user: User | None, convening: Convening) -> bool:
    """Only confirmed participants and organisers see where to join online."""
    return is_staff(user) or is_participant(user, convening)


def online_link_for(user: User | None, convening: Convening) -> str:
    """The online link, refused to anyone not registered."""
    if not can_see_online_link(user, convening):
        raise Forbidden(
            _l("The online link is shown only to registered participants."), code="not_registered"
        )
    return convening.online_link or ""


def convenings_for_user(
    user: User, *, statuses: Iterable[str] = ACTIVE_STATUSES
) -> list[tuple[Convening, Registration]]:
    """The convenings a user registered for (active registrations), soonest first."""
    rows = db.session.execute(
        select(Convening, Registration)
        .join(Registration, Registration.convening_id == Convening.id)
        .where(Registration.user_id == user.id, Registration.status.in_(list(statuses)))
        .order_by(Convening.starts_at)
    ).all()
    return [(c, r) for c, r in rows]


def registration_counts(convening: Convening) -> dict[str, int]:
    """How many registrations there are in each status."""
    return dict(
        db.session.execute(
            select(Registration.status, func.count(Registration.id))
            .where(Registration.convening_id == convening.id)
            .group_by(Registration.status)
        ).all()
    )


def _lock(convening: Convening) -> None:
    """Serialise seat counting on PostgreSQL (SQLite already writes one at a time)."""
    db.session.execute(select(Convening.id).where(Convening.id == convening.id).with_for_update())


def _confirmed_count(convening: Convening, nation_id: int | None = None) -> int:
    query = select(func.count(Registration.id)).where(
        Registration.convening_id == convening.id,
        Registration.status == RegistrationStatus.CONFIRMED.value,
    )
    if nation_id is not None:
        query = query.join(User, User.id == Registration.user_id).where(User.nation_id == nation_id)
    return db.session.scalar(query) or 0


def _has_seat(convening: Convening, user: User) -> bool:
    if convening.capacity is not None and _confirmed_count(convening) >= convening.capacity:
        return False
    return not (
        convening.seats_per_delegation
        and user.nation_id is not None
        and _confirmed_count(convening, user.nation_id) >= convening.seats_per_delegation
    )


def _set_status(registration: Registration, status: str) -> None:
    previous = registration.status
    registration.status = status
    registration.updated_at = utcnow()
    db.session.flush()
    registration_changed.send(registration, previous=previous)


def has_ended(convening: Convening, now: datetime | None = None) -> bool:
    """True once the convening's last day is over."""
    return convening.ends_at <= (now or utcnow())


def registration_open(convening: Convening, now: datetime | None = None) -> bool:
    """True while a published convening takes registrations (its window, never after the start)."""
    now = now or utcnow()
    closes = convening.registration_closes_at or convening.starts_at
    opens = convening.registration_opens_at
    return convening.is_published and not (opens and now < opens) and now < closes


def _check_open_to(user: User, convening: Convening, now: datetime) -> None:
    if not convening.is_published:
        raise Invalid(_l("This convening is not open for registration."), code="not_open")
    if convening.visibility == Visibility.MEMBERS.value and Role(user.role) not in MEMBER_ROLES:
        raise Forbidden(
            _l("This convening is for signatories and partners only."), code="members_only"
        )
    if not registration_open(convening, now):
        raise Invalid(_l("Registration is not open at this time."), code="outside_window")


def may_register(actor: User | None, convening: Convening, now: datetime | None = None) -> bool:
    """True when `register` would take this member now (the page offers Register only then)."""
    if not is_signed_in(actor) or not can_view(actor, convening):
        return False
    try:
        _check_open_to(actor, convening, now or utcnow())  # type: ignore[arg-type]
    except (Invalid, Forbidden):
        return False
    registration = registration_for(actor, convening)
    return registration is None or registration.status not in (
        *ACTIVE_STATUSES,
        RegistrationStatus.DECLINED.value,
    )


def register(
    actor: User, convening: Convening, *, consent_listed: bool = False, now: datetime | None = None
) -> Registration:
    """Register for a convening: a seat, a place on the waiting list, or a request to approve."""
    user = require_signed_in(actor)
    if not can_view(user, convening):
        raise NotFound()
    now = now or utcnow()
    _check_open_to(user, convening, now)
    _lock(convening)
    registration = registration_for(user, convening)
    if registration is not None and registration.status in ACTIVE_STATUSES:
        raise Conflict(
            _l("You are already registered for this convening."), code="already_registered"
        )
    if registration is not None and registration.status == RegistrationStatus.DECLINED.value:
        raise Forbidden(_l("The organisers declined your registration."), code="declined")
    if convening.visibility == Visibility.INVITATION.value:
        status = RegistrationStatus.PENDING.value
    elif _has_seat(convening, user):
        status = RegistrationStatus.CONFIRMED.value
    else:
        status = RegistrationStatus.WAITLISTED.value
    previous = registration.status if registration is not None else None
    if registration is None:
        registration = Registration(convening=convening, user_id=user.id, created_at=now)
        db.session.add(registration)
    registration.status = status
    registration.queued_at = now
    registration.updated_at = now
    registration.consent_listed = bool(consent_listed)
    registration.attended = False
    registration.reminded_at = None
    db.session.flush()
    registration_changed.send(registration, previous=previous)
    from app.convenings import notices

    notices.registration_received(registration, user)
    return registration


def get_registration(convening: Convening, registration_id: int) -> Registration:
    """A registration of `convening`."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.convening_id != convening.id:
        raise NotFound()
    return registration


def cancel_registration(actor: User, registration: Registration) -> Registration:
    """Give up a registration (one's own, or any as an organiser); the seat goes to the queue."""
    user = require_signed_in(actor)
    if registration.user_id != user.id and not is_staff(user):
        raise Forbidden(_l("You can only cancel your own registration."), code="not_yours")
    if registration.status not in ACTIVE_STATUSES:
        raise Conflict(_l("This registration is not active."), code="not_active")
    from app.convenings import notices

    _lock(registration.convening)
    held_seat = registration.status == RegistrationStatus.CONFIRMED.value
    _set_status(registration, RegistrationStatus.CANCELLED.value)
    if held_seat:
        notices.registration_cancelled(registration)
        _promote(registration.convening)
    return registration


def _promote(convening: Convening) -> list[Registration]:
    """Give free seats to the waiting list, first come first served, within delegation limits."""
    from app.convenings import notices

    promoted = []
    queue = list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.convening_id == convening.id,
                Registration.status == RegistrationStatus.WAITLISTED.value,
            )
            .order_by(Registration.queued_at, Registration.id)
        )
    )
    for registration in queue:
        if convening.capacity is not None and _confirmed_count(convening) >= convening.capacity:
            break
        if not _has_seat(convening, registration.user):
            continue
        _set_status(registration, RegistrationStatus.CONFIRMED.value)
        notices.registration_promoted(registration)
        promoted.append(registration)
    return promoted


def decide_registration(actor: User, registration: Registration, approve: bool) -> Registration:
    """An organiser approves or declines a request to attend an invitation-only convening."""
    from app.convenings import notices

    user = organising.require_organiser(actor)
    if registration.status != RegistrationStatus.PENDING.value:
        raise Conflict(_l("This registration is not waiting for a decision."), code="not_pending")
    if approve:
        _lock(registration.convening)
        seat = _has_seat(registration.convening, registration.user)
        status = RegistrationStatus.CONFIRMED if seat else RegistrationStatus.WAITLISTED
        registration.queued_at = utcnow()
    else:
        status = RegistrationStatus.DECLINED
    _set_status(registration, status.value)
    audit.record(
        user,
        "convening.registration.decide",
        "convening",
        registration.convening_id,
        registration=registration.id,
        status=status.value,
    )
    notices.registration_decided(registration)
    return registration


def mark_attendance(actor: User, registration: Registration, attended: bool) -> Registration:
    """An organiser records whether a confirmed participant came."""
    user = organising.require_organiser(actor)
    if registration.status != RegistrationStatus.CONFIRMED.value:
        raise Conflict(
            _l("Only confirmed participants can be marked as present."), code="not_confirmed"
        )
    registration.attended = attended
    registration.updated_at = utcnow()
    audit.record(
        user,
        "convening.registration.attendance",
        "convening",
        registration.convening_id,
        registration=registration.id,
        attended=attended,
    )
    db.session.flush()
    return registration


def require_participant_list_access(actor: User | None, convening: Convening) -> None:
    """Only participants and organisers see who else takes part."""
    if not (is_staff(actor) or is_participant(actor, convening)):
        raise Forbidden(
            _l("The participant list is shown only to participants."), code="not_registered"
        )


def participant_list(actor: User, convening: Convening) -> list[Registration]:
    """Confirmed participants who agreed to be listed; only participants and organisers see it."""
    require_participant_list_access(actor, convening)
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.convening_id == convening.id,
                Registration.status == RegistrationStatus.CONFIRMED.value,
                Registration.consent_listed.is_(True),
            )
            .order_by(Registration.created_at, Registration.id)
        )
    )


def _registrants(convening: Convening) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Registration, Registration.user_id == User.id)
            .where(
                Registration.convening_id == convening.id, Registration.status.in_(ACTIVE_STATUSES)
            )
        )
    )


def _tell_registrants(convening: Convening, changes: dict[str, Any]) -> None:
    from app.convenings import notices

    if set(changes) & set(organising.CHANGE_FIELDS):
        notices.convening_changed(convening, changes, _registrants(convening))
