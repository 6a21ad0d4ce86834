"""Builders for matchmaking: a convening with a bilateral block and slots, opted-in participants."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.convenings import services as convenings
from app.core.permissions import Role
from app.matchmaking import services
from tests.convenings.conftest import local, make_convening, session_data

__all__ = ["make_convening"]


@pytest.fixture
def forum(make_convening, organiser, session):
    """A published convening 30 days ahead with one bilateral block of three hourly slots."""
    convening = make_convening()
    block = convenings.add_session(organiser, convening, session_data(
        title="Bilateral meetings", kind="bilateral", starts_local=local(30, 14),
        ends_local=local(30, 17)))
    for hour in (14, 15, 16):
        services.add_slot(organiser, convening, services.SlotData(
            block.id, local(30, hour), local(30, hour, 50), tables=2))
    session.commit()
    convening.block = block  # type: ignore[attr-defined]
    return convening


@pytest.fixture
def member(make_user, forum, session) -> Callable[..., object]:
    """A confirmed participant of `forum`, with a profile, opted in and free in every slot."""

    def build(offers=("data_protection",), seeks=("ai_governance",), languages=("en",),
              opt_in: bool = True, role: Role = Role.AMBASSADOR, **fields):
        user = make_user(role, **fields)
        convenings.register(user, forum)
        services.save_profile(user, services.ProfileData(list(offers), list(seeks),
                                                         list(languages), "Bio"))
        if opt_in:
            services.set_participation(user, forum, True, [s.id for s in services.slots(forum)])
        session.commit()
        return user

    return build
