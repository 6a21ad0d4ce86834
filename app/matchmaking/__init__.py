"""Matchmaking: bilateral meeting requests and the schedule of meetings at a convening."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire matchmaking: its notice kinds and its pages.

    Its calendar feed source is still registered when `app.matchmaking.services` is imported
    (that module is being split into a package; the call moves here after).
    """
    from app.matchmaking import notices
    from app.matchmaking.views import bp

    notices.register_notice_kinds()
    app.register_blueprint(bp)
