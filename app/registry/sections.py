"""Sections other features add to the registry's pages, registered when they are wired.

The registry is below the features that build on it (initiatives, the library), so it never imports
them: each registers a renderer here from its own `init_app`, keyed by name so wiring twice (one app
per test) does not show a section twice. A renderer returns `Markup` from an autoescaped template, or
an empty `Markup` to show nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from app.accounts.models import User
from app.registry.models import Nation

StateSection = Callable[[User | None, Nation], Markup]
TrackerSection = Callable[[], Markup]

_STATE: dict[str, StateSection] = {}
_TRACKER: dict[str, TrackerSection] = {}


def register_state_section(name: str, render: StateSection) -> None:
    """Add a section to every State's page (`render(actor, nation)`)."""
    _STATE[name] = render


def register_tracker_section(name: str, render: TrackerSection) -> None:
    """Add a section to the commitments tracker."""
    _TRACKER[name] = render


def state_sections(actor: User | None, nation: Nation) -> list[Markup]:
    """The registered sections of one State's page, in the order they were registered."""
    return [html for html in (render(actor, nation) for render in _STATE.values()) if html]


def tracker_sections() -> list[Markup]:
    """The registered sections of the commitments tracker."""
    return [html for html in (render() for render in _TRACKER.values()) if html]
