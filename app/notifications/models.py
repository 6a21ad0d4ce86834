"""In-app notices. The text is rendered when read, in the reader's language, from kind and params."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import utcnow
from app.extensions import Model


class Notice(Model):
    """Something a member should know: a change to a convening, a mention, a meeting request."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class MailStatus(enum.StrEnum):
    """Where an outgoing e-mail stands."""

    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a sender; reclaimed if the sender died
    SENT = "sent"
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS; an organiser may retry it


class OutboxMail(Model):
    """One e-mail, stored whole (attachments included) in the transaction that caused it."""

    __tablename__ = "outbox_mails"
    __table_args__ = (Index("ix_outbox_mails_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    template: Mapped[str] = mapped_column(String(100))
    message: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[MailStatus] = mapped_column(String(16), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
