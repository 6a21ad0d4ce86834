"""In-app notices and the durable e-mail outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.notifications.outbox import Backlog


def outbox_backlog() -> Backlog:
    """Mails due and unsent and the age of the oldest (for a readiness check)."""
    from app.notifications.outbox import outbox_backlog as backlog

    return backlog()
