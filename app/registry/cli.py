"""`flask nations load`: bring the reference data in line with the committed file."""

from __future__ import annotations

import click
from flask import Blueprint

from app.core.db import run_in_transaction
from app.core.errors import DomainError
from app.registry import services

bp = Blueprint("nations_cli", __name__, cli_group="nations")


@bp.cli.command("load")
def load() -> None:
    """Load or refresh the UN member and observer States and their groupings."""
    try:
        report = run_in_transaction(services.load_nations)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"nations: {report.created} created, {report.updated} updated, "
               f"{report.groupings} grouping rows written")
