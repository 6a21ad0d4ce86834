"""A small world where every route has something real to show: ids and tokens for each path parameter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from app.accounts import services as accounts
from app.accounts.models import User
from app.convenings import services as convenings
from app.core.db import unit_of_work, utcnow
from app.core.permissions import Role
from app.matchmaking import services as matchmaking
from app.registry import services as registry
from app.rooms import services as rooms


def _local(days: int, hour: int, minute: int = 0) -> datetime:
    base = utcnow().replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    return base + timedelta(days=days, hours=hour, minutes=minute)


def build(make_user: Callable[..., User]) -> tuple[dict[str, User], dict[str, str]]:
    """Members by role name, and a valid value for every path parameter name the routes use."""
    organiser = make_user(Role.ORGANISER)
    admin = make_user(Role.ADMIN)
    uzbekistan = registry.nation_by_iso("UZ")
    ambassador = make_user(Role.AMBASSADOR, nation_id=uzbekistan.id)
    peer = make_user(Role.AMBASSADOR)
    with unit_of_work():
        convening = convenings.create_convening(organiser, convenings.ConveningData(
            kind="thematic", titles={"en": "AI governance lab"}, timezone="Asia/Tashkent",
            starts_local=_local(30, 9), ends_local=_local(32, 18), themes=["ai_governance"],
            venue_name="Registan Hall", venue_city="Samarkand", venue_country="UZ"))
        convenings.publish_convening(organiser, convening)
        plenary = convenings.add_session(organiser, convening, convenings.SessionData(
            title="Opening plenary", starts_local=_local(30, 10), ends_local=_local(30, 11),
            kind="plenary", location="Main hall", track="Main"))
        block = convenings.add_session(organiser, convening, convenings.SessionData(
            title="Bilateral meetings", starts_local=_local(30, 14), ends_local=_local(30, 17),
            kind="bilateral", location="Hall B", track="Main"))
        slot = matchmaking.add_slot(organiser, convening, matchmaking.SlotData(
            block.id, _local(30, 14), _local(30, 14, 50), tables=2))
        registration = convenings.register(ambassador, convening)
        convenings.register(peer, convening)
        for member in (ambassador, peer):
            matchmaking.save_profile(member, matchmaking.ProfileData(
                ["data_protection"], ["ai_governance"], ["en"], "Bio"))
            matchmaking.set_participation(member, convening, True, [slot.id])
        meeting = matchmaking.send_request(ambassador, convening, peer, "Shall we meet?", [slot.id])
        room = rooms.create_open_room(organiser, "AI governance", "Talk about AI rules")
        rooms.join(ambassador, room)
        rooms.join(peer, room)
        message, _ = rooms.post_message(ambassador, room, "Hello @everyone", "fuzz-1")
        room_report = rooms.report(peer, message, "Spam")
        signature = registry.record_signature(organiser, "UZ", signed_on=date(2025, 11, 1),
                                              authority_name="Jane Minister",
                                              authority_title="Minister of Foreign Affairs",
                                              note_reference="NV/UZ/1")
        partner, partner_token = registry.apply_as_partner(
            name="Acme Digital", category="private_sector", country="FR",
            website="https://acme.example.org", contact_name="Ann Contact",
            contact_email="ann@acme.example.org", statement="We support the Declaration.", locale="fr")
        registry.confirm_partner_email(partner_token)
        registry.appoint_ambassador(organiser, "UZ", name="Aziz Karimov", title="Deputy Minister",
                                    level="ministerial", appointed_on=date(2025, 11, 2),
                                    user_email=ambassador.email)
        progress = registry.report_progress(ambassador, uzbekistan,
                                            commitment=next(iter(registry.COMMITMENTS)),
                                            status="in_progress", narrative="Drafting a law.", evidence="")
        _, invitation_token = accounts.invite(organiser, "guest@example.org", "ambassador")
    values = {
        "convening_id": convening.id, "session_id": plenary.id, "registration_id": registration.id,
        "request_id": meeting.id, "slot_id": slot.id, "user_id": peer.id, "room_id": room.id,
        "message_id": message.id, "partner_id": partner.id, "signature_id": signature.id,
        "decision": "approve", "iso2": "UZ", "code": "ar", "filename": "app.css",
        "token": invitation_token,
    }
    # Two routes call different things `report_id`: a room report and a progress report.
    reports = {"rooms.resolve": room_report.id, "registry.review_report": progress.id}
    members = {"ambassador": ambassador, "organiser": organiser, "admin": admin}
    return members, {**{k: str(v) for k, v in values.items()},
                     **{f"{endpoint}:report_id": str(v) for endpoint, v in reports.items()}}

