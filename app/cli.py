"""Commands: `flask users create` for the first admin, `flask demo load` for the demo data."""

from __future__ import annotations

import click
from flask import Flask, current_app

from app.accounts import services as accounts
from app.core.db import run_in_transaction
from app.core.errors import DomainError
from app.core.permissions import Role
from app.notifications import cli as notifications_cli


def register(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(users)
    app.cli.add_command(demo)
    notifications_cli.register(app)


@click.group()
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.ADMIN.value,
              show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--locale", default="en", show_default=True)
@click.option("--timezone", default="UTC", show_default=True)
def create_user(email: str, display_name: str, role: str, password: str, locale: str,
                timezone: str) -> None:
    """Create an account, the first administrator for instance."""
    try:
        user = run_in_transaction(lambda: accounts.create_user(
            email, display_name, password, role=Role(role), locale=locale, timezone=timezone))
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"created {user.role} {user.email} (id {user.id})")


@click.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
def load_demo() -> None:
    """Load the demo data (safe to run again: nothing is duplicated)."""
    from app.demo import load_all

    try:
        summary = load_all(current_app.config["DEMO_PASSWORD"])
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    for line in summary:
        click.echo(line)
