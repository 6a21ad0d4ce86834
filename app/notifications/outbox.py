"""Sending the outbox: claim a due mail, hand it to SMTP, record the outcome, back off on failure.

A mail is claimed by one UPDATE that only one sender can win, so a worker, a cron pass and the
after-commit delivery of development never send the same mail twice. A sender that dies while a
mail is claimed leaves it `sending`; after CLAIM_TIMEOUT it is due again.
"""

from __future__ import annotations

import logging
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.core.db import is_contention, utcnow, writing
from app.extensions import db
from app.notifications.models import MailStatus, OutboxMail

log = logging.getLogger(__name__)
T = TypeVar("T")
CLAIM_TIMEOUT = timedelta(minutes=15)
MAX_BACKOFF = timedelta(hours=6)
BATCH = 200


def _due(now: datetime) -> Any:
    return or_((OutboxMail.status == MailStatus.PENDING) & (OutboxMail.next_attempt_at <= now),
               (OutboxMail.status == MailStatus.SENDING) & (OutboxMail.claimed_at <= now - CLAIM_TIMEOUT))


def _commit(session: Session, action: Callable[[], T], attempts: int = 5) -> T:
    """Run `action` in its own write transaction on `session`, again on contention."""
    for attempt in range(1, attempts + 1):
        try:
            with writing():
                result = action()
                session.commit()
            return result
        except Exception as error:
            session.rollback()
            if not is_contention(error) or attempt == attempts:
                raise
            time.sleep(0.1 * attempt)
    raise AssertionError("unreachable")


def backoff(attempts: int, base_seconds: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: base, 2×base, 4×base… at most 6 hours."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def smtp_send(raw: bytes, sender: str, recipient: str, config: dict[str, Any]) -> None:
    """Hand one stored message to the SMTP server; raises on any failure."""
    with smtplib.SMTP(str(config["MAIL_SERVER"]), int(config["MAIL_PORT"]), timeout=20) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(str(config["MAIL_USERNAME"]), str(config["MAIL_PASSWORD"]))
        smtp.sendmail(sender, [recipient], raw)


def _envelope_sender(config: dict[str, Any]) -> str:
    from email.utils import parseaddr

    return parseaddr(str(config["MAIL_DEFAULT_SENDER"]))[1]


def deliver(session: Session, mail_id: int, config: dict[str, Any], now: datetime | None = None) -> str | None:
    """Try to send one due mail; its new status, or None when it was not due or someone else has it."""
    now = now or utcnow()

    def claim() -> OutboxMail | None:
        claimed = session.execute(update(OutboxMail).where(OutboxMail.id == mail_id, _due(now))
                                  .values(status=MailStatus.SENDING, claimed_at=utcnow()))
        return session.get(OutboxMail, mail_id) if claimed.rowcount == 1 else None

    mail = _commit(session, claim)
    if mail is None:
        return None
    raw, recipient = mail.message, mail.to_address
    error: str | None = None
    if config.get("MAIL_SUPPRESS_SEND"):
        log.info("mail suppressed: %s to %s", mail.subject, recipient)
    else:
        try:
            smtp_send(raw, _envelope_sender(config), recipient, config)
        except (OSError, smtplib.SMTPException) as failure:
            error = f"{type(failure).__name__}: {failure}"[:2000]

    def record() -> str:
        stored = session.get(OutboxMail, mail_id)
        assert stored is not None
        stored.attempts += 1
        stored.claimed_at = None
        if error is None:
            stored.status, stored.sent_at, stored.last_error = MailStatus.SENT, utcnow(), None
        else:
            log.warning("mail %s to %s failed (attempt %d): %s", mail_id, recipient, stored.attempts, error)
            stored.last_error = error
            if stored.attempts >= int(config.get("MAIL_MAX_ATTEMPTS", 8)):
                stored.status = MailStatus.FAILED
            else:
                stored.status = MailStatus.PENDING
                stored.next_attempt_at = utcnow() + backoff(stored.attempts, int(config.get("MAIL_RETRY_BASE", 60)))
        return stored.status

    return _commit(session, record)


@dataclass(frozen=True)
class SendReport:
    """What one pass over the outbox did."""

    sent: int
    retrying: int
    failed: int
    purged: int


def send_queued(session: Session | None = None, *, now: datetime | None = None,
                stop: threading.Event | None = None) -> SendReport:
    """One pass: send every due mail (oldest first), then purge sent mails past MAIL_KEEP_SENT_DAYS."""
    session = session or db.session()
    config = current_app.config
    now = now or utcnow()
    counts = {MailStatus.SENT: 0, MailStatus.PENDING: 0, MailStatus.FAILED: 0}
    after = 0  # each mail once per pass, even when `now` lies ahead of a retry's time
    while not (stop is not None and stop.is_set()):
        ids = _commit(session, lambda after=after: list(session.scalars(
            select(OutboxMail.id).where(_due(now), OutboxMail.id > after)
            .order_by(OutboxMail.id).limit(BATCH))))
        if not ids:
            break
        for mail_id in ids:
            if stop is not None and stop.is_set():
                break
            after = mail_id
            status = deliver(session, mail_id, config, now)
            if status is not None:
                counts[MailStatus(status)] += 1
    purged = purge_sent(session, int(config.get("MAIL_KEEP_SENT_DAYS", 14)), now)
    return SendReport(counts[MailStatus.SENT], counts[MailStatus.PENDING], counts[MailStatus.FAILED], purged)


def purge_sent(session: Session, days: int, now: datetime | None = None) -> int:
    """Delete sent mails older than `days`; how many went."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    return _commit(session, lambda: session.execute(delete(OutboxMail).where(
        OutboxMail.status == MailStatus.SENT, OutboxMail.sent_at < cutoff)).rowcount or 0)


def deliver_after_commit(app: Flask, bind: Any, mail_id: int) -> None:
    """MAIL_DELIVERY=after_commit: try the mail just committed now, in its own session."""
    def run() -> None:
        if isinstance(bind, Connection):
            session = Session(bind=bind, join_transaction_mode="create_savepoint")
        else:
            session = Session(bind=db.engine)
        try:
            deliver(session, mail_id, app.config)
        finally:
            session.close()

    if has_app_context():
        run()
    else:
        with app.app_context():
            run()


@dataclass(frozen=True)
class Backlog:
    """Mails due and unsent, and how long the oldest has waited (for a readiness check)."""

    due: int
    oldest_age_seconds: float


def outbox_backlog(now: datetime | None = None) -> Backlog:
    """How many mails are due and unsent, and the age in seconds of the oldest of them."""
    now = now or utcnow()
    due, oldest = db.session.execute(select(func.count(OutboxMail.id), func.min(OutboxMail.created_at))
                                     .where(_due(now))).one()
    if oldest is not None and oldest.tzinfo is None:
        from datetime import UTC

        oldest = oldest.replace(tzinfo=UTC)
    return Backlog(int(due or 0), (now - oldest).total_seconds() if oldest else 0.0)


def status_counts() -> dict[str, int]:
    """How many mails the outbox holds in each status."""
    rows = db.session.execute(select(OutboxMail.status, func.count(OutboxMail.id)).group_by(OutboxMail.status))
    counts = {status.value: 0 for status in MailStatus}
    counts.update({str(status): int(count) for status, count in rows})
    return counts
