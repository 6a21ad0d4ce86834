"""Builders for convenings: an organiser, a published convening, a session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from app.convenings import services
from app.convenings.models import Convening
from app.core.db import utcnow


def local(days: int, hour: int = 9, minute: int = 0) -> datetime:
    """A naive wall-clock time `days` from today at hour:minute."""
    base = utcnow().replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    return base + timedelta(days=days, hours=hour, minutes=minute)


@pytest.fixture
def make_convening(session, organiser) -> Callable[..., Convening]:
    """Create (and by default publish) a convening 30 days ahead in Tashkent."""

    def build(publish: bool = True, **fields) -> Convening:
        values = {"kind": "thematic", "titles": {"en": "AI governance lab", "fr": "Atelier IA"},
                  "timezone": "Asia/Tashkent", "starts_local": local(30, 9),
                  "ends_local": local(32, 18), "themes": ["ai_governance"],
                  "venue_name": "Registan Hall", "venue_city": "Samarkand", "venue_country": "UZ"}
        values.update(fields)
        convening = services.create_convening(organiser, services.ConveningData(**values))
        if publish:
            services.publish_convening(organiser, convening)
        session.commit()
        return convening

    return build


def session_data(**fields) -> services.SessionData:
    values = {"title": "Opening plenary", "starts_local": local(30, 10), "ends_local": local(30, 11),
              "kind": "plenary", "location": "Main hall", "track": "Main"}
    values.update(fields)
    return services.SessionData(**values)
