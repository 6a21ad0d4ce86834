"""Demo matchmaking at the upcoming Global Forum: profiles, opt-ins, slots, requests in every state.

Rows go in directly (no notices or e-mails for made-up requests), then the real batch scheduler
places the accepted ones. The last (past) Forum gets held meetings with feedback, so the outcome
figures show. Running it again changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from app.accounts.models import User
from app.convenings.models import AgendaSession, Convening, Registration
from app.core.db import utcnow
from app.extensions import db
from app.matchmaking import services
from app.matchmaking.models import (
    BilateralSlot,
    MatchProfile,
    MeetingFeedback,
    MeetingRequest,
    Participation,
    RequestStatus,
)

SLOT_MINUTES = 25
TABLES = 12
# (requester, recipient, status, decline reason) among the demo logins.
REQUESTS = (
    ("ambassador2", "ambassador3", "accepted", ""),
    ("ambassador4", "ambassador2", "accepted", ""),
    ("partner1", "ambassador2", "pending", ""),
    ("ambassador2", "partner2", "pending", ""),
    ("ambassador2", "ambassador6", "declined", ""),
    ("ambassador7", "ambassador2", "cancelled", ""),
    ("ambassador3", "partner3", "declined", "My agenda at the Forum is already full, sorry."),
    ("ambassador5", "partner1", "accepted", ""),
    ("ambassador8", "partner4", "accepted", ""),
    ("partner5", "ambassador9", "accepted", ""),
    ("ambassador10", "ambassador3", "pending", ""),
)


def _forum(upcoming: bool = True) -> Convening | None:
    when = Convening.starts_at > utcnow() if upcoming else Convening.ends_at < utcnow()
    order = Convening.starts_at if upcoming else Convening.starts_at.desc()
    return db.session.scalar(select(Convening).where(
        Convening.kind == "global_forum", when, Convening.status == "published")
        .order_by(order).limit(1))


def _slots(forum: Convening, blocks: int | None = None, tables: int = TABLES) -> list[BilateralSlot]:
    """Slots of SLOT_MINUTES with 5-minute changeovers filling the Forum's bilateral blocks."""
    query = select(AgendaSession).where(AgendaSession.convening_id == forum.id,
                                        AgendaSession.kind == "bilateral").order_by(
        AgendaSession.starts_at)
    slots = []
    for block in db.session.scalars(query.limit(blocks) if blocks else query):
        start = block.starts_at
        while start + timedelta(minutes=SLOT_MINUTES) <= block.ends_at:
            slots.append(BilateralSlot(convening_id=forum.id, session_id=block.id, starts_at=start,
                                       ends_at=start + timedelta(minutes=SLOT_MINUTES),
                                       tables=tables))
            start += timedelta(minutes=SLOT_MINUTES + 5)
    db.session.add_all(slots)
    db.session.flush()
    return slots


def _members(forum: Convening) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Registration, Registration.user_id == User.id)
        .where(Registration.convening_id == forum.id, Registration.status == "confirmed",
               User.email.like("ambassador%@demo.example") | User.email.like("partner%@demo.example"))
        .order_by(User.id)))


def _past() -> str:
    """Meetings held at the last Forum, with the parties' feedback, for the outcome figures."""
    forum = _forum(upcoming=False)
    if forum is None or db.session.scalar(select(BilateralSlot.id).where(
            BilateralSlot.convening_id == forum.id).limit(1)) is not None:
        return "no past meetings added"
    slots = _slots(forum, blocks=2, tables=6)
    users = _members(forum)
    _profiles(users)
    db.session.execute(insert(Participation), [
        {"convening_id": forum.id, "user_id": u.id, "opted_in": True,
         "available_slots": [s.id for s in slots], "fixed_table": None} for u in users])
    now = utcnow()
    # Disjoint pairs, so any slot and table assignment is free of clashes.
    pairs = list(zip(users[0::2], users[1::2], strict=False))[:len(slots) * 6]
    rows = [{"convening_id": forum.id, "requester_id": a.id, "recipient_id": b.id,
             "status": RequestStatus.ACCEPTED.value, "message": "", "preferred_slots": [],
             "decline_reason": "", "slot_id": slots[k % len(slots)].id,
             "table": k // len(slots) + 1, "created_at": now, "updated_at": now}
            for k, (a, b) in enumerate(pairs)]
    if not rows:
        return "no past meetings added"
    db.session.execute(insert(MeetingRequest), rows)
    ids = db.session.execute(select(MeetingRequest.id, MeetingRequest.requester_id,
                                    MeetingRequest.recipient_id)
                             .where(MeetingRequest.convening_id == forum.id)).all()
    db.session.execute(insert(MeetingFeedback), [
        {"request_id": rid, "user_id": uid, "took_place": k % 7 != 6, "useful": k % 7 not in (4, 6),
         "follow_up": k % 3 == 0 and k % 7 != 6, "created_at": now}
        for k, (rid, a, b) in enumerate(ids) for uid in (a, b)])
    return f"{len(rows)} past meetings with feedback"


def _profiles(users: list[User]) -> None:
    """A profile for each demo ambassador and partner who has none, varied but deterministic."""
    have = set(db.session.scalars(select(MatchProfile.user_id).where(
        MatchProfile.user_id.in_([u.id for u in users]))))
    topics, now = services.TOPICS, utcnow()
    rows = []
    for n, user in enumerate(users):
        if user.id in have:
            continue
        languages = list(dict.fromkeys([user.locale, "en", ("fr", "ru", "es", "ar")[n % 4]]))
        rows.append({"user_id": user.id, "offers": [topics[n % len(topics)],
                                                    topics[(n * 7 + 3) % len(topics)]],
                     "seeks": [topics[(n * 5 + 1) % len(topics)], topics[(n * 3 + 11) % len(topics)]],
                     "languages": [code for code in languages if code in services.SPOKEN],
                     "bio": f"{user.display_name}: glad to compare notes at the Forum.",
                     "updated_at": now})
    if rows:
        db.session.execute(insert(MatchProfile), rows)


def load(password: str) -> str:
    """Set up matchmaking at the upcoming demo Forum if it is not there yet."""
    forum = _forum()
    if forum is None:
        return "matchmaking: skipped (no upcoming demo Forum)"
    if db.session.scalar(select(BilateralSlot.id).where(BilateralSlot.convening_id == forum.id)
                         .limit(1)) is not None:
        return "matchmaking: already there"
    slots = _slots(forum)
    users = _members(forum)
    _profiles(users)
    slot_ids = [s.id for s in slots]
    db.session.execute(insert(Participation), [
        {"convening_id": forum.id, "user_id": user.id, "opted_in": n % 9 != 8,
         # Everyone is free for most slots; each misses a different few.
         "available_slots": [s for i, s in enumerate(slot_ids) if (i + n) % 5 != 0],
         "fixed_table": 1 if user.email == "partner1@demo.example" else None}
        for n, user in enumerate(users)])
    by_login = {u.email.split("@")[0]: u for u in users}
    now = utcnow()
    rows = [{"convening_id": forum.id, "requester_id": by_login[a].id,
             "recipient_id": by_login[b].id, "status": RequestStatus(status).value,
             "message": "Could we compare our national approaches?", "preferred_slots": slot_ids[:2],
             "decline_reason": reason, "created_at": now, "updated_at": now}
            for a, b, status, reason in REQUESTS if a in by_login and b in by_login]
    if rows:
        db.session.execute(insert(MeetingRequest), rows)
    organiser = db.session.scalar(select(User).where(User.email == "organiser1@demo.example"))
    scheduled = 0
    if organiser is not None:
        scheduled = services.run_schedule(organiser, forum).scheduled
    return (f"matchmaking: {len(slots)} slots, {len(users)} profiles and opt-ins, "
            f"{len(rows)} requests, {scheduled} meetings scheduled; {_past()}")
