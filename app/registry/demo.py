"""Reference data is part of the demo: the States come first."""

from __future__ import annotations

from app.registry.services import load_nations


def load(password: str) -> str:
    """Load or refresh the States."""
    report = load_nations()
    return f"nations: {report.created} created, {report.updated} updated"
