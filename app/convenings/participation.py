"""Who takes part in a convening, read by other features (rooms, matchmaking) through these
functions instead of querying registrations and comparing their status themselves."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from app.convenings.models import Convening, ConveningStatus, Registration, RegistrationStatus
from app.extensions import db


def is_confirmed(user_id: int, convening_id: int) -> bool:
    """True when the member holds a confirmed registration for the convening."""
    return db.session.scalar(select(Registration.id).where(
        Registration.user_id == user_id, Registration.convening_id == convening_id,
        Registration.status == RegistrationStatus.CONFIRMED.value).limit(1)) is not None


def confirmed_participant_ids(convening_id: int) -> list[int]:
    """The user ids of the convening's confirmed registrations."""
    return list(db.session.scalars(select(Registration.user_id).where(
        Registration.convening_id == convening_id,
        Registration.status == RegistrationStatus.CONFIRMED.value)))


def shared_convenings(user_id: int, other_id: int) -> list[Convening]:
    """Published convenings both members are confirmed for, soonest first (one query)."""
    both = (select(Registration.convening_id)
            .where(Registration.user_id.in_([user_id, other_id]),
                   Registration.status == RegistrationStatus.CONFIRMED.value)
            .group_by(Registration.convening_id)
            .having(func.count(func.distinct(Registration.user_id)) == 2))
    return list(db.session.scalars(select(Convening).where(
        Convening.id.in_(both), Convening.status == ConveningStatus.PUBLISHED.value)
        .order_by(Convening.starts_at, Convening.id)))


def waiting_position(registration: Registration) -> int | None:
    """Where a waitlisted registration stands in its queue (1 is next), else None (one query).

    The queue is first come, first served (`queued_at`, then id), as promotion reads it; a seat
    can still skip someone whose delegation is full.
    """
    if registration.status != RegistrationStatus.WAITLISTED.value:
        return None
    ahead = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.convening_id == registration.convening_id,
        Registration.status == RegistrationStatus.WAITLISTED.value,
        or_(Registration.queued_at < registration.queued_at,
            and_(Registration.queued_at == registration.queued_at, Registration.id < registration.id))))
    return int(ahead or 0) + 1
