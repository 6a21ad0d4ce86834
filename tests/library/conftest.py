"""Library builders: ambassadors of States, staff, and practices at each step of the workflow."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.core.permissions import Role
from app.library import services
from app.library.models import Practice


@pytest.fixture
def ambassador(make_user, nation) -> Callable[[str], object]:
    """The Tech Ambassador of the State with this ISO code."""

    def build(iso2: str, role: Role = Role.AMBASSADOR, **fields):
        return make_user(role, nation_id=nation(iso2).id, **fields)

    return build


def fields(**changes) -> services.PracticeFields:
    values = {"title": "Stratégie nationale de cybersécurité", "summary": "Une stratégie en trois volets.",
              "body": "Nous avons créé une **équipe** nationale de réponse.\n\n- formation\n- exercices",
              "kind": "strategy", "policy_status": "in_force", "visibility": "public", "year": 2024,
              "themes": ["cybersecurity"], "articles": ["2.1"], "links": "https://example.org/strategie"}
    values.update(changes)
    return services.PracticeFields(**values)


@pytest.fixture
def draft(session, ambassador) -> Callable[..., Practice]:
    """A draft written by the ambassador of `iso2` (Senegal, an LDC, by default)."""

    def build(iso2: str = "SN", language: str = "fr", author=None, **changes) -> Practice:
        author = author or ambassador(iso2)
        practice = services.create_practice(author, fields(**changes), language=language)
        session.commit()
        return practice

    return build


@pytest.fixture
def published(session, draft, organiser) -> Callable[..., Practice]:
    """A practice submitted by its author and published by an organiser."""

    def build(**kwargs) -> Practice:
        practice = draft(**kwargs)
        services.submit_practice(practice.author, practice)
        services.publish_practice(organiser, practice)
        session.commit()
        return practice

    return build


@pytest.fixture
def sign_state(session, organiser) -> Callable[[str], object]:
    """Record a State's signature of the Declaration."""
    from datetime import date

    from app.registry import services as registry

    def do(iso2: str):
        signature = registry.record_signature(organiser, iso2, signed_on=date(2025, 11, 1),
                                              authority_name="Jane Minister",
                                              authority_title="Minister of Foreign Affairs",
                                              note_reference=f"NV/{iso2}/1")
        session.commit()
        return signature

    return do
