"""Initiative builders: ambassadors of States, staff, a partner representative, initiatives."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.core.permissions import Role
from app.initiatives import services
from app.initiatives.models import Initiative
from app.registry.models import Partner, PartnerStatus


@pytest.fixture
def staff(organiser):
    """TDI staff: the suite's one organiser (tests/conftest.py)."""
    return organiser


@pytest.fixture
def ambassador(make_user, nation) -> Callable[..., object]:
    """The Tech Ambassador of the State with this ISO code."""

    def build(iso2: str, **fields):
        return make_user(Role.AMBASSADOR, nation_id=nation(iso2).id, **fields)

    return build


@pytest.fixture
def partner_rep(session, make_user, nation):
    """A partner representative whose e-mail is the contact of an approved Supporting Partner."""
    user = make_user(Role.PARTNER, email="contact@openlab.example.org")
    partner = Partner(name="Open Lab", name_key="open lab", category="academia", nation_id=nation("KE").id,
                      website="https://openlab.example.org", website_key="openlab.example.org",
                      contact_name="Grace", contact_email="Contact@openlab.example.org", statement="We help.",
                      status=PartnerStatus.APPROVED.value)
    session.add(partner)
    session.commit()
    return user, partner


def fields(**changes) -> services.InitiativeFields:
    values = {"language": "fr", "title": "Réseau des équipes de réponse", "summary": "Partager les alertes.",
              "goal": "Un réseau régional d'ici 2027.", "themes": ["cybersecurity"], "articles": ["3.3"],
              "visibility": "public"}
    values.update(changes)
    return services.InitiativeFields(**values)


@pytest.fixture
def proposed(session, ambassador) -> Callable[..., Initiative]:
    """An initiative proposed by the ambassador of `iso2` (Senegal by default)."""

    def build(iso2: str = "SN", lead=None, **changes) -> Initiative:
        lead = lead or ambassador(iso2)
        initiative = services.propose_initiative(lead, fields(**changes))
        session.commit()
        return initiative

    return build


@pytest.fixture
def active(session, proposed, staff) -> Callable[..., Initiative]:
    """A proposed initiative approved by staff."""

    def build(**kwargs) -> Initiative:
        initiative = proposed(**kwargs)
        services.approve_initiative(staff, initiative)
        session.commit()
        return initiative

    return build
