"""The demo library loads through the real services and reloads harmlessly."""

from __future__ import annotations

from app.core.db import unit_of_work
from app.core.permissions import Role
from app.library import demo, finding, services
from app.library.models import Practice


def test_demo_library(session, make_user, nation):
    make_user(Role.ORGANISER, email="organiser1@demo.example")
    for n, iso2 in enumerate(("SN", "CN", "NP", "KE", "EE", "FJ")):
        make_user(Role.AMBASSADOR, email=f"ambassador{n}@demo.example", nation_id=nation(iso2).id)
    with unit_of_work():
        assert demo.load("pw").startswith("library: 4 practices")
    senegal = session.query(Practice).filter_by(original_language="fr").one()
    assert "LDC" in senegal.nation.groupings_on(senegal.created_at.date())
    assert services.reading(senegal, "zh").is_translation
    impact = finding.impact(None)
    assert impact.exchanges == 2 and impact.pairs["south_south"] == 1 and impact.pairs["north_south"] == 1
    with unit_of_work():
        assert demo.load("pw") == "library: already there"
