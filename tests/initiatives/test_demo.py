"""The demo initiatives load through the real services and reload harmlessly."""

from __future__ import annotations

from sqlalchemy import select

from app.core.db import unit_of_work
from app.core.permissions import Role
from app.initiatives import demo, services
from app.initiatives.models import Initiative
from app.registry.models import Partner, PartnerStatus


def test_demo_initiatives(session, make_user, nation):
    make_user(Role.ORGANISER, email="organiser1@demo.example")
    representative = make_user(Role.PARTNER, email="partner1@demo.example")
    for n, iso2 in enumerate(("SN", "KE", "CN", "UZ", "EG", "NP", "JO")):
        make_user(Role.AMBASSADOR, email=f"ambassador{n}@demo.example", nation_id=nation(iso2).id)
    session.add(Partner(name="Demo Lab", name_key="demo lab", category="academia", nation_id=nation("KE").id,
                        website="https://lab.example.org", website_key="lab.example.org", contact_name="C",
                        contact_email="contact1@demo.example", statement="We help.",
                        status=PartnerStatus.APPROVED.value))
    session.commit()
    with unit_of_work():
        assert demo.load("pw").startswith("initiatives: 4 initiatives")
    items = list(session.scalars(select(Initiative).order_by(Initiative.id)))
    assert {i.original_language for i in items} == {"fr", "zh", "ar", "en"}
    assert {i.status for i in items} == {"active", "proposed", "completed"}
    cables = items[0]
    assert cables.text_in("en") is not None and services.is_participant(representative, cables)
    assert any(m.partner_id for m in cables.active_members)
    assert len(services.milestones(representative, cables)) == 2
    with unit_of_work():
        assert demo.load("pw") == "initiatives: already there"
