"""Registry builders: an organiser, signatures, partners."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from app.registry import services
from app.registry.models import Partner, Signature


@pytest.fixture
def sign(session, organiser) -> Callable[..., Signature]:
    """Record a signature for a State as the organiser."""

    def do(iso2: str, signed_on: date = date(2025, 11, 1), **fields) -> Signature:
        values = {"authority_name": "Jane Minister", "authority_title": "Minister of Foreign Affairs",
                  "note_reference": f"NV/{iso2}/1"}
        values.update(fields)
        return services.record_signature(organiser, iso2, signed_on=signed_on, **values)

    return do


@pytest.fixture
def apply_partner(session) -> Callable[..., Partner]:
    """Submit (and by default confirm) a Supporting Partner application."""
    counter = iter(range(1, 100_000))

    def do(confirm: bool = True, **fields) -> Partner:
        n = next(counter)
        values = {"name": f"Acme Digital {n}", "category": "private_sector", "country": "FR",
                  "website": f"https://acme{n}.example.org", "contact_name": "Ann Contact",
                  "contact_email": f"ann{n}@acme.example.org",
                  "statement": "We support the Declaration.", "locale": "fr"}
        values.update(fields)
        partner, token = services.apply_as_partner(**values)
        if confirm:
            services.confirm_partner_email(token)
        return partner

    return do
