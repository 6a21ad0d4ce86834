"""Rooms: convening rooms, open thematic rooms, working groups and direct conversations."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire rooms: the mention notice, the convening signals, its pages (and header link), socket events."""
    from app.rooms.services.common import register_notice_kinds
    from app.rooms.services.convening import connect_signals
    from app.rooms.views import bp

    register_notice_kinds()
    connect_signals()

    app.register_blueprint(bp)
