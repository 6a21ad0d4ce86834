"""A State's page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.core.errors import NotFound
from app.core.permissions import require_staff
from app.extensions import db
from app.registry.models import (
    Appointment,
    CommitmentReport,
    DepositaryNotification,
    Nation,
    Signature,
)
from app.registry.services.appointments import current_appointment

if TYPE_CHECKING:
    from app.accounts.models import User

# --- Registry: a State's page -------------------------------------------------------------------

@dataclass(frozen=True)
class StatePage:
    """Everything a State's public page shows."""

    nation: Nation
    signatures: list[Signature]
    appointment: Appointment | None
    reports: dict[str, CommitmentReport]
    history: dict[str, list[CommitmentReport]]
    notifications: list[DepositaryNotification]


def state_page(iso2: str) -> StatePage:
    """A State's registry page: signatures (with withdrawals), ambassador, progress and its
    history, notifications."""
    nation = db.session.scalar(select(Nation).where(Nation.iso2 == (iso2 or "").upper()))
    if nation is None:
        raise NotFound()
    signatures = list(db.session.scalars(select(Signature).where(Signature.nation_id == nation.id)
                                         .order_by(Signature.signed_on.desc(), Signature.id.desc())))
    notifications = list(db.session.scalars(
        select(DepositaryNotification).where(DepositaryNotification.nation_id == nation.id)
        .order_by(DepositaryNotification.id.desc())))
    history: dict[str, list[CommitmentReport]] = {}
    for report in db.session.scalars(select(CommitmentReport)
                                     .where(CommitmentReport.nation_id == nation.id)
                                     .order_by(CommitmentReport.id.desc())):
        history.setdefault(report.commitment, []).append(report)
    return StatePage(nation, signatures, current_appointment(nation),
                     {key: reports[0] for key, reports in history.items()}, history, notifications)


def registry_audit(actor: User, *, limit: int = 300) -> list[Any]:
    """Every registry change with who made it and when (organisers only)."""
    from app.core.audit import AuditEvent

    require_staff(actor)
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("registry.%"))
                                   .order_by(AuditEvent.id.desc()).limit(limit)))
