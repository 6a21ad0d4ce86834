"""The audit trail: who did what to which record, and when. Rows are only ever added."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import Model, db


class AuditEvent(Model):
    """One attributable act on a record."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor = relationship("User", lazy="joined")


def record(actor: Any, action: str, subject_type: str, subject_id: int | None,
           **data: Any) -> AuditEvent:
    """Append an audit event in the current transaction."""
    event = AuditEvent(actor_id=getattr(actor, "id", None), action=action,
                       subject_type=subject_type, subject_id=subject_id, data=data,
                       created_at=utcnow())
    db.session.add(event)
    return event


def events_for(subject_type: str, subject_id: int | None = None, *, limit: int = 200) -> list[AuditEvent]:
    """The newest audit events about a kind of record, or one record."""
    query = select(AuditEvent).where(AuditEvent.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
    return list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
