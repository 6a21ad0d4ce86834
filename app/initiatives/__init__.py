"""Joint initiatives: goals, members, milestones, updates and a working-group room."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, render_template
from markupsafe import Markup

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.registry.models import Nation


def init_app(app: Flask) -> None:
    """Wire initiatives: notice kinds, the pages and their header link, the reminders command."""
    from app.convenings.calendar import register_feed_source
    from app.initiatives import cli, views
    from app.initiatives.calendar import milestone_items
    from app.initiatives.services.rules import register_notice_kinds
    from app.registry import sections

    register_notice_kinds()
    register_feed_source(milestone_items)
    sections.register_state_section("initiatives", _state_section)
    sections.register_tracker_section("initiatives", _tracker_section)

    views.register(app)
    app.register_blueprint(cli.bp)


def _state_section(actor: User | None, nation: Nation) -> Markup:
    """The initiatives a State leads or has joined, on its registry page."""
    from app.i18n import current_language
    from app.initiatives import services

    html = render_template("initiatives/_state_section.html", rows=services.initiatives_of_nation(actor, nation),
                           language=current_language())
    return Markup(html)  # noqa: S704 - rendered by an autoescaped template


def _tracker_section() -> Markup:
    """Article 3.3's evidence on the commitments tracker: who cooperates, by region and grouping."""
    from app.initiatives import services

    html = render_template("initiatives/_tracker_section.html", evidence=services.cooperation_evidence())
    return Markup(html)  # noqa: S704 - rendered by an autoescaped template
