"""Builders for the API tests: signatures, partners, convenings with an agenda."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from app.convenings import services as convenings
from app.convenings.models import Convening
from app.registry import services as registry
from app.registry.models import Partner, Signature
from tests.convenings.conftest import local, session_data


@pytest.fixture
def sign(session, organiser) -> Callable[..., Signature]:
    def do(iso2: str, signed_on: date = date(2025, 11, 1)) -> Signature:
        return registry.record_signature(organiser, iso2, signed_on=signed_on,
                                         authority_name="Jane Minister",
                                         authority_title="Minister of Foreign Affairs",
                                         note_reference=f"NV/{iso2}/1")
    return do


@pytest.fixture
def partner(session, organiser) -> Callable[..., Partner]:
    counter = iter(range(1, 100_000))

    def do(**fields) -> Partner:
        n = next(counter)
        values = {"name": f"Acme Digital {n}", "category": "private_sector", "country": "FR",
                  "website": f"https://acme{n}.example.org", "contact_name": "Ann Contact",
                  "contact_email": f"ann{n}@acme.example.org",
                  "statement": "We support the Declaration.", "locale": "fr"}
        values.update(fields)
        found, token = registry.apply_as_partner(**values)
        registry.confirm_partner_email(token)
        return registry.approve_partner(organiser, found)
    return do


@pytest.fixture
def convening_with_agenda(session, organiser) -> Callable[..., Convening]:
    def build(publish: bool = True, sessions: int = 2) -> Convening:
        convening = convenings.create_convening(organiser, convenings.ConveningData(
            kind="thematic", titles={"en": "AI governance lab", "ar": "مختبر حوكمة الذكاء"},
            timezone="Asia/Tashkent", starts_local=local(30, 9), ends_local=local(32, 18),
            themes=["ai_governance"], venue_name="Registan Hall", venue_city="Samarkand",
            venue_country="UZ"))
        for n in range(sessions):
            convenings.add_session(organiser, convening, session_data(
                title=f"Session {n}", starts_local=local(30, 10 + n % 8),
                ends_local=local(30, 11 + n % 8), track="Main" if n % 2 else "Practice",
                guest_speakers=["Guest Speaker"]))
        if publish:
            convenings.publish_convening(organiser, convening)
        session.flush()
        return convening
    return build
