"""Rooms: convening rooms, open thematic rooms, working groups and direct conversations."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire rooms: its pages (and their header link) and socket events.

    Its signal receivers (convening published, registration changed) are still connected when
    `app.rooms.services` is imported (that module is being split into a package; they move here after).
    """
    from app.rooms.views import bp

    app.register_blueprint(bp)
