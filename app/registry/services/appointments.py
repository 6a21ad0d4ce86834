"""Tech Ambassador appointments."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.permissions import require_staff
from app.extensions import db
from app.registry.models import (
    Appointment,
    AppointmentLevel,
    Nation,
)
from app.registry.services.checks import check_signing_date, clean_text, nation_by_iso
from app.registry.services.notifications import issue_notification
from app.registry.services.vocabulary import NAME_MAX, TITLE_MAX

if TYPE_CHECKING:
    from app.accounts.models import User

# --- Registry: Tech Ambassador appointments -----------------------------------------------------

def check_level(level: str | None) -> AppointmentLevel:
    """One of the appointment levels."""
    try:
        return AppointmentLevel(level or "")
    except ValueError:
        raise Invalid(_l("Choose a level from the list."), code="level_unknown",
                      field="level") from None


def appoint_ambassador(actor: User, iso2: str, *, name: str, title: str, level: str,
                       appointed_on: date | None, user_email: str = "") -> Appointment:
    """An organiser records a State's verified appointment of its Tech Ambassador."""
    from app.accounts.services import get_user_by_email

    require_staff(actor)
    nation = nation_by_iso(iso2)
    person = clean_text(name, field="name", limit=NAME_MAX)
    position = clean_text(title, field="title", limit=TITLE_MAX)
    rank = check_level(level)
    day = check_signing_date(appointed_on, field="appointed_on")
    user = get_user_by_email(user_email) if user_email.strip() else None
    if user_email.strip() and user is None:
        raise Invalid(_l("No account uses this e-mail address."), code="user_unknown",
                      field="user_email")
    appointment = Appointment(nation=nation, name=person, title=position, level=rank.value,
                              appointed_on=day, user_id=user.id if user else None,
                              verified_by_id=actor.id, created_at=utcnow())
    db.session.add(appointment)
    db.session.flush()
    record(actor, "registry.ambassador_appointed", "appointment", appointment.id,
           nation=nation.iso2, name=person, title=position, level=rank.value,
           appointed_on=day.isoformat(), user_id=appointment.user_id)
    issue_notification(actor, "appointment", nation=nation, name=person, title=position,
                       level=rank.value, date=day.isoformat())
    return appointment


def current_appointment(nation: Nation) -> Appointment | None:
    """The State's most recent appointment."""
    return db.session.scalar(select(Appointment).where(Appointment.nation_id == nation.id)
                             .order_by(Appointment.appointed_on.desc(), Appointment.id.desc())
                             .limit(1))
