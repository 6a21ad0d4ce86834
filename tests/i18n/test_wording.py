"""Every kind of notification, in every language: no doubled punctuation, no raw field names."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from app.notifications.mail import render_email
from app.notifications.services import _RENDERERS
from app.registry.services import NOTIFICATION_KINDS, SIGNATURE_FIELD_LABELS, notification_text
from config import Config

START = datetime(2027, 12, 13, 10, tzinfo=UTC).isoformat()
END = datetime(2027, 12, 13, 11, tzinfo=UTC).isoformat()
CONVENING = {"convening_id": 1, "titles": {"en": "AI governance lab"}, "default_language": "en",
             "tz": "Europe/Moscow"}
MEETING = {**CONVENING, "request_id": 1, "name": "Amina"}
ALL_CHANGES = ["time", "place", "format", "online_link", "cancelled"]
CHANGED = {**CONVENING, "changes": ALL_CHANGES, "start": START, "end": END, "place": "Main hall",
           "reason": "Venue flooded", "session": "Opening plenary"}
# One sample per kind, with every optional part present; a new kind must add its own.
SAMPLES = {
    "convening_changed": [CHANGED],
    "convening_session_changed": [CHANGED],
    "convening_promoted": [CONVENING],
    "convening_registration_decided": [{**CONVENING, "status": s}
                                       for s in ("confirmed", "waitlisted", "declined")],
    "convening_reminder": [{**CONVENING, "start": START}],
    "convening_registration_cancelled": [CONVENING],
    "matchmaking_request_received": [MEETING, {**MEETING, "slots": [START, END]}],
    "matchmaking_request_accepted": [MEETING],
    "matchmaking_request_declined": [MEETING, {**MEETING, "reason": "Fully booked"}],
    "matchmaking_request_cancelled": [MEETING],
    "matchmaking_meeting_scheduled": [{**MEETING, "start": START, "table": 3,
                                       "place": "Main hall"}],
    "matchmaking_meeting_moved": [MEETING, {**MEETING, "start": START, "table": 3,
                                            "place": "Main hall"}],
    "rooms.mention": [{"author": "Amina", "room": "Data governance"}],
    **{f"initiatives.{kind}": [{"who": "Kenya", "author": "Amina", "title": "Incident response network"}]
       for kind in ("join_requested", "invited", "joined", "declined", "update", "approved")},
    "initiatives.milestone_due": [{"milestone": "Charter signed", "title": "Incident response network",
                                   "due_on": "2027-12-13"}],
}
REGISTRY = {
    "signature": {"date": "2027-12-13"},
    "withdrawal": {"date": "2027-12-13"},
    "correction": {"fields": sorted(SIGNATURE_FIELD_LABELS)},
    "endorsement": {"date": "2027-12-13", "name": "Open Data Lab", "country": "KE"},
    "appointment": {"date": "2027-12-13", "name": "Amina", "title": "Director"},
}
DOUBLED = re.compile(r"([.,;:!?،。，：])\s*\1|[.!?]\s*[.。]|。\s*[.。]")
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|%\(|\{\{|\}\}")


def problems(text: str) -> list[str]:
    return DOUBLED.findall(text) + RAW.findall(text)


def test_every_notice_kind_has_a_sample(app_ctx) -> None:
    assert set(SAMPLES) == set(_RENDERERS)
    assert set(REGISTRY) == set(NOTIFICATION_KINDS)


@pytest.mark.parametrize("language", Config.LANGUAGES)
def test_notices_read_cleanly(app_ctx, language: str) -> None:
    for kind, samples in SAMPLES.items():
        for params in samples:
            with force_locale(language):
                text = _RENDERERS[kind](params)
            assert text and not problems(text), (kind, text)


@pytest.mark.parametrize("language", Config.LANGUAGES)
def test_depositary_notifications_read_cleanly(app_ctx, nation, language: str) -> None:
    state = nation("UZ")
    for kind, params in REGISTRY.items():
        item = SimpleNamespace(kind=kind, params=params, nation=state)
        with force_locale(language):
            text = notification_text(item)
        assert not problems(text), (kind, text)
        if kind == "correction":
            with force_locale(language):
                labels = [str(label) for label in SIGNATURE_FIELD_LABELS.values()]
            assert all(label in text for label in labels), text


@pytest.mark.parametrize("language", Config.LANGUAGES)
def test_registration_mail_reads_cleanly(app_ctx, language: str) -> None:
    user = SimpleNamespace(display_name="Amina")
    for status in ("confirmed", "waitlisted", "pending"):
        subject, text = render_email("email/convening_registration", language, user=user,
                                     title="AI governance lab", status=status,
                                     start="13 Dec, 10:00 Moscow time", link="/convenings/1")
        assert not problems(subject + text), (status, text)


def test_the_checker_sees_doubled_stops_and_field_names() -> None:
    assert problems("1 дек. 2027 г..") and problems("corrected (authority_title).")
    assert problems("结束。。") and not problems("пт, 11 дек. 2026 г., 18:00 (Шанхай).")
