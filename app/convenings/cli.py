"""`flask convenings send-reminders`: the day-before reminders, safe to run from cron repeatedly."""

from __future__ import annotations

import click
from flask import Blueprint

from app.convenings import services
from app.core.db import unit_of_work

bp = Blueprint("convenings_cli", __name__, cli_group="convenings")


@bp.cli.command("send-reminders")
def send_reminders() -> None:
    """Remind participants of convenings starting within a day (each participant once)."""
    with unit_of_work():
        sent = services.send_reminders()
    click.echo(f"reminders sent: {sent}")
