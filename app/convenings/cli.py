"""`flask convenings send-reminders`: the day-before reminders, safe to run from cron repeatedly."""

from __future__ import annotations

import click
from flask import Blueprint

from app.convenings import services
from app.core.db import run_in_transaction

bp = Blueprint("convenings_cli", __name__, cli_group="convenings")


@bp.cli.command("send-reminders")
def send_reminders() -> None:
    """Remind participants of convenings starting within a day (each participant once)."""
    sent = run_in_transaction(services.send_reminders)
    click.echo(f"reminders sent: {sent}")
