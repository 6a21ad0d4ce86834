"""`flask initiatives send-reminders`: milestone reminders, safe to run from cron repeatedly."""

from __future__ import annotations

import click
from flask import Blueprint

from app.core.db import run_in_transaction
from app.initiatives import services

bp = Blueprint("initiatives_cli", __name__, cli_group="initiatives")


@bp.cli.command("send-reminders")
def send_reminders() -> None:
    """Remind the owners of milestones due within a few days (each milestone once)."""
    told = run_in_transaction(services.send_milestone_reminders)
    click.echo(f"milestone reminders sent: {told}")
