"""Accounts: members, roles, invitations, sign-in and password reset."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire accounts: sign-in, invitations, password reset, profile and user administration pages."""
    from app.accounts.views import bp

    app.register_blueprint(bp)
