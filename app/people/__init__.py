"""The people directory: find members by name in any script, State, role, themes and languages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire the directory pages and their header link (shown to signed-in members)."""
    from app.people import views

    views.register(app)
