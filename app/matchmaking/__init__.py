"""Matchmaking: bilateral meeting requests and the schedule of meetings at a convening."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire matchmaking: its notice kinds, its meetings in the personal calendar feed, its pages."""
    from app.convenings.calendar import register_feed_source
    from app.matchmaking import notices, services
    from app.matchmaking.views import bp

    notices.register_notice_kinds()
    register_feed_source(services.calendar_items)
    app.register_blueprint(bp)
