"""Commands: `flask users create` for the first admin, `flask demo load` for the demo data."""

from __future__ import annotations

import secrets

import click
from flask import Flask, current_app

from app.accounts import services as accounts
from app.core.db import run_in_transaction
from app.core.errors import DomainError
from app.core.permissions import Role
from config import PUBLISHED_DEMO_PASSWORD


def register(app: Flask) -> None:
    """Attach the platform-wide command groups (each feature's own come from its init_app)."""
    app.cli.add_command(users)
    app.cli.add_command(demo)


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
@click.option("--force", is_flag=True, help="Load into a production instance anyway.")
def load_demo(force: bool) -> None:
    """Load the demo data (safe to run again: nothing is duplicated)."""
    from app import demo as demo_data

    password = current_app.config["DEMO_PASSWORD"]
    if current_app.config.get("PRODUCTION"):
        if not force:
            raise click.ClickException("this is a production instance: demo data would add an "
                                       "administrator and 2,000 accounts; add --force to load it anyway")
        if password == PUBLISHED_DEMO_PASSWORD:
            password = secrets.token_urlsafe(12)
            click.echo(f"demo accounts' password (the published one is never used in production): {password}")
    try:
        summary = demo_data.load_all(password)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    for line in summary:
        click.echo(line)
