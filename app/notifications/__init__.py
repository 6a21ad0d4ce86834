"""In-app notices and the durable e-mail outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from app.notifications.outbox import Backlog


def outbox_backlog() -> Backlog:
    """Mails due and unsent and the age of the oldest (for a readiness check)."""
    from app.notifications.outbox import outbox_backlog as backlog

    return backlog()


def init_app(app: Flask) -> None:
    """Wire notices: the notices and outbox pages and the `flask outbox` commands."""
    from app.notifications import cli
    from app.notifications.views import bp

    app.register_blueprint(bp)
    cli.register(app)
