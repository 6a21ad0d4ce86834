"""Joint initiatives: goals, members, milestones, updates and a working-group room."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire initiatives: the blueprint, its header link and its notice kinds."""
    from app.initiatives import views

    views.register(app)
