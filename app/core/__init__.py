"""The foundation every feature builds on: database, errors, forms, permissions, transports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire the foundation's pages before any feature: the header navigation and the health checks."""
    from app.core import health
    from app.core.navigation import init_navigation

    init_navigation(app)
    health.init_app(app)


def init_transports(app: Flask) -> None:
    """Wire what must come after every feature: the error pages and the default Socket.IO namespace."""
    from app.core import realtime
    from app.core.web import register_error_handlers

    register_error_handlers(app)
    realtime.register()
