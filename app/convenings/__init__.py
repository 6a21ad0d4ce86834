"""Convenings: the Global Forum and smaller meetings, agendas, registrations and calendars."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire convenings: its notice kinds, its pages (and their header link) and `flask convenings`."""
    from app.convenings import notices
    from app.convenings.cli import bp as convenings_cli
    from app.convenings.views import bp

    notices.register_notice_kinds()
    app.register_blueprint(bp)
    app.register_blueprint(convenings_cli)
