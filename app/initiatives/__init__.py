"""Joint initiatives: goals, members, milestones, updates and a working-group room."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire initiatives: notice kinds, the pages and their header link, the reminders command."""
    from app.initiatives import cli, views
    from app.initiatives.services.rules import register_notice_kinds

    register_notice_kinds()

    views.register(app)
    app.register_blueprint(cli.bp)
