"""Demo convenings: a three-day Global Forum at full scale, and smaller convenings past and upcoming.

Bulk inserts keep the load to seconds: 2,000 extra participants share one password hash and
their registrations go in as one statement. Dates are relative to today, so the demo always has
upcoming and past convenings. Running it again changes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.convenings.models import (
    AgendaSession,
    Convening,
    Registration,
    SessionSpeaker,
)
from app.core.db import utcnow
from app.core.permissions import Role
from app.core.signals import convening_published
from app.extensions import db
from app.i18n.zones import main_zone
from app.registry.models import Nation

PARTICIPANTS = 2000
FORUM_ZONE = "Asia/Samarkand"
TRACKS = ("AI governance", "Data protection", "Cybersecurity", "Digital inclusion",
          "Connectivity", "Standards", "Quantum and biotechnology", "Bilateral meetings")
SLOTS = ((10, 30, 11, 30), (11, 45, 12, 45), (14, 0, 15, 0), (15, 15, 16, 15), (16, 30, 17, 30),
         (17, 45, 18, 45))
TOPICS = ("Roundtable", "Panel", "Workshop", "Dialogue", "Briefing", "Lab")


def _at(day: date, hour: int, minute: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone)).astimezone(UTC)


def _participants(password_hash: str) -> int:
    """Create participant<n>@demo.example accounts that are missing; returns how many were made."""
    existing = set(db.session.scalars(select(User.email).where(User.email.like("participant%@demo.example"))))
    nations = list(db.session.execute(select(Nation.id, Nation.iso2).order_by(Nation.iso2)))
    now = utcnow()
    rows = [{"email": f"participant{n}@demo.example", "display_name": f"Participant {n}",
             "password_hash": password_hash, "role": Role.OBSERVER.value, "locale": "en",
             # A guess nobody confirmed: the State's main zone, never counted by fair times.
             "timezone": main_zone(nations[n % len(nations)][1] if nations else None) or "UTC",
             "timezone_confirmed": False,
             "nation_id": nations[n % len(nations)][0] if nations else None,
             "active": True, "created_at": now, "failed_logins": 0, "session_epoch": 0}
            for n in range(1, PARTICIPANTS + 1) if f"participant{n}@demo.example" not in existing]
    if rows:
        db.session.execute(insert(User), rows)
    return len(rows)


def _convening(organiser: User, **values: object) -> Convening:
    values.setdefault("descriptions", {})
    values.setdefault("default_language", "en")
    convening = Convening(status="published", sequence=0, created_by_id=organiser.id,
                          created_at=utcnow(), updated_at=utcnow(), **values)
    db.session.add(convening)
    db.session.flush()
    return convening


def _forum(organiser: User, speakers: list[int], first_day: date, edition: int) -> Convening:
    zone = FORUM_ZONE
    forum = _convening(
        organiser, kind="global_forum", edition=edition,
        titles={"en": f"Global Tech Diplomacy Forum {first_day.year}",
                "fr": f"Forum mondial de la diplomatie technologique {first_day.year}",
                "ru": f"Глобальный форум по технологической дипломатии {first_day.year}",
                "uz": f"Texnologik diplomatiya global forumi {first_day.year}"},
        descriptions={"en": "Three days of plenaries, eight thematic tracks and bilateral "
                            "meetings between Tech Ambassadors, hosted in Samarkand."},
        themes=["ai_governance", "data_protection", "cybersecurity", "digital_inclusion",
                "connectivity", "standards"],
        format="hybrid", venue_name="Silk Road Samarkand Congress Hall", venue_city="Samarkand",
        venue_country="UZ", online_link="https://meet.demo.example/forum", timezone=zone,
        starts_at=_at(first_day, 9, 0, zone), ends_at=_at(first_day + timedelta(days=2), 19, 0, zone),
        registration_opens_at=None, registration_closes_at=None, capacity=PARTICIPANTS,
        seats_per_delegation=None, visibility="public")
    sessions = []
    counter = 0
    for offset in range(3):
        day = first_day + timedelta(days=offset)
        sessions.append(AgendaSession(
            convening=forum, title=f"Plenary: day {offset + 1}", kind="plenary", track="",
            location="Plenary hall", starts_at=_at(day, 9, 0, zone), ends_at=_at(day, 10, 15, zone),
            language="en", interpretation=["ar", "zh", "fr", "ru", "es", "uz"], guest_speakers=[],
            description="", cancelled=False, sequence=0))
        sessions.append(AgendaSession(
            convening=forum, title="Lunch", kind="break", track="", location="Garden",
            starts_at=_at(day, 12, 45, zone), ends_at=_at(day, 14, 0, zone), language="en",
            interpretation=[], guest_speakers=[], description="", cancelled=False, sequence=0))
        for track_number, track in enumerate(TRACKS):
            for slot_number, (h1, m1, h2, m2) in enumerate(SLOTS):
                bilateral = track == "Bilateral meetings"
                title = ("Bilateral meetings block" if bilateral else
                         f"{track}: {TOPICS[(slot_number + offset) % len(TOPICS)]} {slot_number + 1}")
                item = AgendaSession(
                    convening=forum, title=title, kind="bilateral" if bilateral else "panel",
                    track=track, location=f"Room {track_number + 1}",
                    starts_at=_at(day, h1, m1, zone), ends_at=_at(day, h2, m2, zone),
                    language=("en", "ru", "fr", "ar")[counter % 4], interpretation=["en"],
                    guest_speakers=[] if bilateral else [f"Guest expert {counter % 37 + 1}"],
                    description="", cancelled=False, sequence=0)
                if speakers and not bilateral:
                    item.speakers = [SessionSpeaker(user_id=speakers[counter % len(speakers)])]
                counter += 1
                sessions.append(item)
    sessions.append(AgendaSession(
        convening=forum, title="Gala dinner on the Registan", kind="social", track="",
        location="Registan Square", starts_at=_at(first_day + timedelta(days=1), 20, 0, zone),
        ends_at=_at(first_day + timedelta(days=2), 0, 30, zone), language="en", interpretation=[],
        guest_speakers=[], description="", cancelled=False, sequence=0))
    db.session.add_all(sessions)
    db.session.flush()
    return forum


def _small(organiser: User, start_day: date, days: int, zone: str, **values: object) -> Convening:
    convening = _convening(organiser, timezone=zone, starts_at=_at(start_day, 9, 0, zone),
                           ends_at=_at(start_day + timedelta(days=days - 1), 17, 0, zone),
                           registration_opens_at=None, registration_closes_at=None,
                           seats_per_delegation=None, **values)
    for offset in range(days):
        day = start_day + timedelta(days=offset)
        for number, (h1, m1, h2, m2) in enumerate(((9, 30, 11, 0), (11, 30, 13, 0), (14, 30, 16, 30))):
            db.session.add(AgendaSession(
                convening=convening, title=f"Session {offset * 3 + number + 1}",
                kind=("plenary", "workshop", "roundtable")[number], track="", location="Main room",
                starts_at=_at(day, h1, m1, zone), ends_at=_at(day, h2, m2, zone), language="en",
                interpretation=[], guest_speakers=[], description="", cancelled=False, sequence=0))
    return convening


def _register(convening: Convening, user_ids: list[int], status: str = "confirmed") -> None:
    now = utcnow()
    db.session.execute(insert(Registration), [
        {"convening_id": convening.id, "user_id": uid, "status": status, "created_at": now,
         "queued_at": now + timedelta(microseconds=i), "updated_at": now, "consent_listed": i % 3 != 0,
         "attended": False} for i, uid in enumerate(user_ids)])


def load(password: str) -> str:
    """Create the demo participants and convenings that are missing."""
    created_people = _participants(hash_password(password))
    organiser = db.session.scalar(select(User).where(User.email == "organiser1@demo.example"))
    if organiser is None:
        return f"convenings: skipped (no demo organiser); {created_people} participants created"
    if db.session.scalar(select(func.count(Convening.id)).where(Convening.created_by_id == organiser.id)):
        return f"convenings: already there; {created_people} participants created"
    people = dict(db.session.execute(select(User.email, User.id).where(User.email.like("%@demo.example"))).all())
    ambassadors = [people[f"ambassador{n}@demo.example"] for n in range(1, 41)
                   if f"ambassador{n}@demo.example" in people]
    partners = [people[f"partner{n}@demo.example"] for n in range(1, 9) if f"partner{n}@demo.example" in people]
    participants = [people[f"participant{n}@demo.example"] for n in range(1, PARTICIPANTS + 1)]
    today = utcnow().date()

    forum = _forum(organiser, ambassadors[1:] + partners, today + timedelta(days=45), 4)
    # The Forum is full: every seat taken by participants and all ambassadors but the first,
    # so ambassador1 lands on the waiting list when they register.
    seat_holders = ambassadors[1:] + partners
    _register(forum, seat_holders + participants[: PARTICIPANTS - len(seat_holders)])
    past_forum = _forum(organiser, ambassadors, today - timedelta(days=320), 3)
    _register(past_forum, participants[:300] + ambassadors)

    asia = _small(organiser, today + timedelta(days=20), 2, "Asia/Tashkent", kind="regional",
                  region="142", titles={"en": "Central Asia regional convening",
                                        "ru": "Региональная встреча Центральной Азии"},
                  themes=["connectivity", "digital_inclusion"], format="in_person",
                  venue_name="Tashkent City Congress Centre", venue_city="Tashkent",
                  venue_country="UZ", online_link=None, capacity=60, visibility="members")
    _register(asia, ambassadors[:3])
    _small(organiser, today + timedelta(days=30), 1, "Europe/Zurich", kind="thematic",
           titles={"en": "AI governance lab", "fr": "Laboratoire de gouvernance de l'IA"},
           themes=["ai_governance", "standards"], format="hybrid", venue_name="Maison de la Paix",
           venue_city="Geneva", venue_country="CH", online_link="https://meet.demo.example/ai-lab",
           capacity=40, visibility="public", region=None)
    online = _small(organiser, today + timedelta(days=12), 1, "UTC", kind="issue",
                    titles={"en": "Submarine cables and resilience (online)"},
                    themes=["connectivity", "cybersecurity"], format="online", venue_name="",
                    venue_city="", venue_country=None, online_link="https://meet.demo.example/cables",
                    capacity=None, visibility="public", region=None)
    _register(online, ambassadors[5:15] + partners[:3])
    _small(organiser, today + timedelta(days=70), 1, "Africa/Nairobi", kind="thematic",
           titles={"en": "Closed roundtable on quantum readiness"}, themes=["quantum"],
           format="in_person", venue_name="UN Gigiri", venue_city="Nairobi", venue_country="KE",
           online_link=None, capacity=20, visibility="invitation", region=None)
    past = _small(organiser, today - timedelta(days=60), 2, "Africa/Nairobi", kind="regional",
                  region="002", titles={"en": "Africa regional convening on digital inclusion"},
                  themes=["digital_inclusion", "sustainable_development"], format="hybrid",
                  venue_name="Kenyatta International Convention Centre", venue_city="Nairobi",
                  venue_country="KE", online_link="https://meet.demo.example/africa",
                  capacity=80, visibility="public")
    _register(past, ambassadors[17:27])
    _small(organiser, today - timedelta(days=150), 1, "America/Sao_Paulo", kind="thematic",
           titles={"en": "Environmentally responsible technology dialogue",
                   "es": "Diálogo sobre tecnología ambientalmente responsable"},
           themes=["responsible_technology", "sustainable_development"], format="online",
           venue_name="", venue_city="", venue_country=None,
           online_link="https://meet.demo.example/green", capacity=None, visibility="public",
           region=None)
    db.session.flush()
    # Other features (the convening rooms) set themselves up from the publication signal, now
    # that the seats are taken.
    for convening in db.session.scalars(select(Convening).where(
            Convening.created_by_id == organiser.id, Convening.status == "published")):
        convening_published.send(convening)
    sessions = db.session.scalar(select(func.count(AgendaSession.id)))
    registrations = db.session.scalar(select(func.count(Registration.id)))
    return (f"convenings: 8 created with {sessions} sessions and {registrations} registrations; "
            f"{created_people} participants created")
