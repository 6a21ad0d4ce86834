"""The registry: States, signatures, appointments, partners and commitments."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire the registry: the `flask nations` commands and the registry pages (and their header link)."""
    from app.registry.cli import bp as nations_cli
    from app.registry.views import bp

    app.register_blueprint(nations_cli)
    app.register_blueprint(bp)
