"""Joint initiatives: goals, members, milestones, updates and a working-group room."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire initiatives: the pages and their header link, the reminders command (notice kinds are
    declared by the services module, which the pages import)."""
    from app.initiatives import cli, views

    views.register(app)
    app.register_blueprint(cli.bp)
