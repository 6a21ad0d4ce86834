"""The main navigation: features add their entries when their blueprint is registered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask.sansio.app import App
from flask_babel import LazyString, get_timezone
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavEntry:
    """A link in the header, shown when `visible()` says so."""

    endpoint: str
    label: LazyString
    visible: Callable[[], bool]


def _always() -> bool:
    return True


def init_navigation(app: Flask) -> None:
    """Give templates `main_navigation()` and `current_timezone_name()`."""
    app.extensions["caravanserai.nav"] = [NavEntry("main.home", _l("Home"), _always)]

    @app.context_processor
    def navigation_context() -> dict[str, object]:
        entries = app.extensions["caravanserai.nav"]
        return {
            "main_navigation": lambda: [(e.endpoint, e.label) for e in entries if e.visible()],
            "current_timezone_name": lambda: str(get_timezone()),
        }


def add_nav_entry(app: App, endpoint: str, label: LazyString,
                  visible: Callable[[], bool] = _always) -> None:
    """Add a header link for a feature."""
    app.extensions["caravanserai.nav"].append(NavEntry(endpoint, label, visible))
