"""The home page and the public status pages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire the home page."""
    from app.main.views import bp

    app.register_blueprint(bp)
