"""The library of national practices: shared, reviewed, translated, found, learned from."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire the library: its blueprint and its header link."""
    from flask_babel import lazy_gettext as _l

    from app.core.navigation import add_nav_entry
    from app.library.views import bp

    app.register_blueprint(bp)
    add_nav_entry(app, "library.index", _l("Library"))
