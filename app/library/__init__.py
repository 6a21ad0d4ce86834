"""The library of national practices: shared, reviewed, translated, found, learned from."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire the library: its blueprint and its header link."""
    from app.library import views

    views.register(app)
