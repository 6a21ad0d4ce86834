"""Who takes part in a convening, read by other features (rooms, matchmaking) through these
functions instead of querying registrations and comparing their status themselves."""

from __future__ import annotations

from sqlalchemy import select

from app.convenings.models import Registration, RegistrationStatus
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
