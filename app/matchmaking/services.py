"""The rules of matchmaking: profiles, opt-ins, slots and tables, requests, schedules, feedback."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from babel.lists import format_list
from flask import current_app
from flask_babel import get_locale, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from app.accounts.models import User
from app.convenings.calendar import FeedItem
from app.convenings.labels import THEME_LABELS
from app.convenings.models import THEMES, AgendaSession, Convening, SessionKind
from app.convenings.services import is_participant, to_utc
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.permissions import require_signed_in, require_staff
from app.extensions import db
from app.matchmaking import notices, recommend, scheduler
from app.matchmaking.models import (
    BilateralSlot,
    MatchProfile,
    MatchSettings,
    MeetingFeedback,
    MeetingRequest,
    Participation,
    RequestStatus,
)

# Finer tags under the convening themes; codes are stored, labels are translated.
FINE_TAGS = ("ai_safety", "open_source", "digital_public_infrastructure", "digital_identity",
             "e_government", "cross_border_data", "online_safety", "cyber_diplomacy",
             "capacity_building", "digital_trade", "semiconductors", "satellite_internet",
             "telecom_regulation", "health_data", "climate_tech", "research_cooperation")
TOPICS = THEMES + FINE_TAGS
TOPIC_LABELS = {
    **THEME_LABELS,
    "ai_safety": _l("AI safety and evaluation"),
    "open_source": _l("Open source"),
    "digital_public_infrastructure": _l("Digital public infrastructure"),
    "digital_identity": _l("Digital identity"),
    "e_government": _l("E-government services"),
    "cross_border_data": _l("Cross-border data flows"),
    "online_safety": _l("Online safety"),
    "cyber_diplomacy": _l("Cyber diplomacy and norms"),
    "capacity_building": _l("Capacity building"),
    "digital_trade": _l("Digital trade"),
    "semiconductors": _l("Semiconductors"),
    "satellite_internet": _l("Satellite internet"),
    "telecom_regulation": _l("Telecom regulation"),
    "health_data": _l("Health data"),
    "climate_tech": _l("Climate technology"),
    "research_cooperation": _l("Research cooperation"),
}
# Languages one can say one speaks (ISO 639-1); names come from CLDR in the viewer's language.
SPOKEN = ("ar", "zh", "en", "fr", "ru", "es", "uz", "pt", "de", "hi", "bn", "ur", "fa", "tr",
          "sw", "am", "ha", "id", "ms", "vi", "th", "ja", "ko", "it", "pl", "uk", "kk", "ky",
          "tg", "tk")
PRIORITY_GROUPINGS = frozenset({"LDC", "LLDC", "SIDS"})
MAX_BIO = 1000
MAX_MESSAGE = 1000
MAX_TOPICS = 12
MAX_TABLES = 1000
MAX_MOVES = 3
WAITING_LABELS = {
    "no_common_slot": _l("The two of you share no free slot."),
    "tables_full": _l("Every table is taken in the slots you share."),
    "conflicts": _l("Your other meetings fill the slots you share."),
    "fixed_tables": _l("Both of you keep a different fixed table."),
    "needs_batch": _l("Waiting for the organisers' next schedule run."),
}
STATUS_LABELS = {
    "pending": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
}


# ---------------------------------------------------------------- profiles


@dataclass
class ProfileData:
    """What a member says about themselves for matchmaking."""

    offers: list[str] = field(default_factory=list)
    seeks: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    bio: str = ""


def _codes(values: Iterable[str], allowed: tuple[str, ...], field_name: str, limit: int
           ) -> list[str]:
    chosen = list(dict.fromkeys(values))
    if any(value not in allowed for value in chosen):
        raise Invalid(_l("Choose from the list."), code="unknown_choice", field=field_name)
    if len(chosen) > limit:
        raise Invalid(_l("Choose at most %(count)d.", count=limit), code="too_many",
                      field=field_name)
    return chosen


def profile_for(user: User) -> MatchProfile | None:
    """The member's matchmaking profile, or None before they write one."""
    return db.session.scalar(select(MatchProfile).where(MatchProfile.user_id == user.id))


def save_profile(actor: User, data: ProfileData) -> MatchProfile:
    """Write one's own profile: topics offered and sought, languages spoken, a short bio."""
    user = require_signed_in(actor)
    offers = _codes(data.offers, TOPICS, "offers", MAX_TOPICS)
    seeks = _codes(data.seeks, TOPICS, "seeks", MAX_TOPICS)
    languages = _codes(data.languages, SPOKEN, "languages", MAX_TOPICS)
    bio = (data.bio or "").strip()
    if len(bio) > MAX_BIO:
        raise Invalid(lazy_ngettext("Keep it under %(num)d character.", "Keep it under %(num)d characters.",
                          MAX_BIO), code="too_long",
                      field="bio")
    if not offers and not seeks:
        raise Invalid(_l("Choose at least one topic you offer or seek."), code="no_topics",
                      field="offers")
    profile = profile_for(user) or MatchProfile(user_id=user.id)
    profile.offers, profile.seeks, profile.languages, profile.bio = offers, seeks, languages, bio
    profile.updated_at = utcnow()
    db.session.add(profile)
    db.session.flush()
    return profile


# ---------------------------------------------------------------- slots and tables


def settings_for(convening: Convening) -> MatchSettings:
    """The convening's matchmaking settings (created on first use)."""
    settings = db.session.scalar(select(MatchSettings).where(
        MatchSettings.convening_id == convening.id))
    if settings is None:
        settings = MatchSettings(convening_id=convening.id, expected_per_person=4)
        db.session.add(settings)
        db.session.flush()
    return settings


def slots(convening: Convening) -> list[BilateralSlot]:
    """The convening's bilateral slots, in time order."""
    return list(db.session.scalars(select(BilateralSlot).where(
        BilateralSlot.convening_id == convening.id).order_by(BilateralSlot.starts_at,
                                                             BilateralSlot.id)))


def bilateral_blocks(convening: Convening) -> list[AgendaSession]:
    """The agenda's bilateral-meeting blocks slots must sit in."""
    return list(db.session.scalars(select(AgendaSession).where(
        AgendaSession.convening_id == convening.id, AgendaSession.kind == SessionKind.BILATERAL.value,
        AgendaSession.cancelled.is_(False)).order_by(AgendaSession.starts_at)))


@dataclass
class SlotData:
    """What an organiser types for a slot; local times are in the convening's zone."""

    session_id: int
    starts_local: datetime
    ends_local: datetime
    tables: int


def _check_tables(tables: int | None) -> int:
    if tables is None or not 1 <= tables <= MAX_TABLES:
        raise Invalid(lazy_ngettext("Give between 1 and %(num)d table.", "Give between 1 and %(num)d tables.",
                          MAX_TABLES),
                      code="bad_tables", field="tables")
    return tables


def add_slot(actor: User, convening: Convening, data: SlotData) -> BilateralSlot:
    """Add a bilateral slot inside one of the agenda's bilateral blocks."""
    require_staff(actor)
    tables = _check_tables(data.tables)
    block = db.session.get(AgendaSession, data.session_id)
    if (block is None or block.convening_id != convening.id or block.cancelled
            or block.kind != SessionKind.BILATERAL.value):
        raise Invalid(_l("Choose one of the agenda's bilateral-meeting blocks."),
                      code="not_bilateral_block", field="session_id")
    starts = to_utc(data.starts_local, convening.timezone)
    ends = to_utc(data.ends_local, convening.timezone)
    if ends <= starts:
        raise Invalid(_l("The slot must end after it starts."), code="ends_before_start",
                      field="ends_at")
    if starts < block.starts_at or ends > block.ends_at:
        raise Invalid(_l("The slot must lie inside the bilateral block it belongs to."),
                      code="outside_block", field="starts_at")
    for other in slots(convening):
        if other.starts_at < ends and starts < other.ends_at:
            raise Conflict(_l("This slot overlaps another bilateral slot."), code="overlap",
                           field="starts_at")
    slot = BilateralSlot(convening_id=convening.id, session_id=block.id, starts_at=starts,
                         ends_at=ends, tables=tables)
    db.session.add(slot)
    db.session.flush()
    audit.record(actor, "matchmaking.slot_added", "convening", convening.id, slot=slot.id)
    return slot


def get_slot(convening: Convening, slot_id: int) -> BilateralSlot:
    """A slot of `convening`."""
    slot = db.session.get(BilateralSlot, slot_id)
    if slot is None or slot.convening_id != convening.id:
        raise NotFound()
    return slot


def _meetings_in(slot: BilateralSlot) -> int:
    return db.session.scalar(select(func.count(MeetingRequest.id)).where(
        MeetingRequest.slot_id == slot.id)) or 0


def set_slot_tables(actor: User, slot: BilateralSlot, tables: int) -> BilateralSlot:
    """Change how many tables a slot has; never fewer than the meetings already in it."""
    require_staff(actor)
    tables = _check_tables(tables)
    highest = db.session.scalar(select(func.max(MeetingRequest.table)).where(
        MeetingRequest.slot_id == slot.id)) or 0
    if highest > tables:
        raise Conflict(_l("A meeting in this slot already sits at table %(table)d.",
                          table=highest), code="tables_in_use", field="tables")
    slot.tables = tables
    return slot


def delete_slot(actor: User, slot: BilateralSlot) -> None:
    """Remove a slot that holds no meeting."""
    require_staff(actor)
    if _meetings_in(slot):
        raise Conflict(_l("Meetings are placed in this slot."), code="slot_in_use")
    db.session.delete(slot)
    db.session.flush()


def set_fixed_table(actor: User, convening: Convening, user: User, table: int | None
                    ) -> Participation:
    """Keep one table for a host in every slot (or free them of it with None)."""
    require_staff(actor)
    participation = participation_for(user, convening)
    if participation is None:
        raise NotFound()
    if table is not None:
        most = max((s.tables for s in slots(convening)), default=0)
        if not 1 <= table <= most:
            raise Invalid(_l("Give a table between 1 and %(count)d.", count=most),
                          code="bad_table", field="table")
    participation.fixed_table = table
    return participation


# ---------------------------------------------------------------- opt-in and availability


def participation_for(user: User, convening: Convening) -> Participation | None:
    """The member's matchmaking opt-in row for a convening, or None."""
    return db.session.scalar(select(Participation).where(
        Participation.convening_id == convening.id, Participation.user_id == user.id))


def is_opted_in(user: User, convening: Convening) -> bool:
    """True when the member takes part in the convening's matchmaking."""
    participation = participation_for(user, convening)
    return participation is not None and participation.opted_in


def set_participation(actor: User, convening: Convening, opted_in: bool,
                      available_slot_ids: Iterable[int]) -> Participation:
    """Opt in (or out) of a convening's matchmaking and say which slots one is free in."""
    user = require_signed_in(actor)
    if not is_participant(user, convening):
        raise Forbidden(_l("Only registered participants take part in matchmaking."),
                        code="not_registered")
    if opted_in and profile_for(user) is None:
        raise Invalid(_l("Write your matchmaking profile first."), code="no_profile")
    known = {s.id for s in slots(convening)}
    chosen = sorted(set(available_slot_ids))
    if any(slot_id not in known for slot_id in chosen):
        raise Invalid(_l("Choose from the convening's bilateral slots."), code="unknown_slot",
                      field="slots")
    participation = participation_for(user, convening) or Participation(
        convening_id=convening.id, user_id=user.id)
    participation.opted_in = opted_in
    participation.available_slots = chosen
    db.session.add(participation)
    db.session.flush()
    # Meetings now in a slot the member left (or all of them, on opting out) must move.
    for request in db.session.scalars(select(MeetingRequest).where(
            MeetingRequest.convening_id == convening.id,
            MeetingRequest.status == RequestStatus.ACCEPTED.value,
            MeetingRequest.slot_id.is_not(None),
            or_(MeetingRequest.requester_id == user.id, MeetingRequest.recipient_id == user.id))):
        if not opted_in or request.slot_id not in chosen:
            _assign(request, None, None)
            db.session.flush()
            _place(convening, request)
    return participation


# ---------------------------------------------------------------- requests


def _require_opted_in(actor: User, convening: Convening) -> User:
    user = require_signed_in(actor)
    if not is_participant(user, convening) or not is_opted_in(user, convening):
        raise Forbidden(_l("Opt in to this convening's matchmaking first."), code="not_opted_in")
    return user


def _slot_ids(convening: Convening, slot_ids: Iterable[int]) -> list[int]:
    known = {s.id for s in slots(convening)}
    chosen = sorted(set(slot_ids))
    if any(slot_id not in known for slot_id in chosen):
        raise Invalid(_l("Choose from the convening's bilateral slots."), code="unknown_slot",
                      field="slots")
    return chosen


def _between(convening: Convening, a: int, b: int) -> MeetingRequest | None:
    return db.session.scalar(select(MeetingRequest).where(
        MeetingRequest.convening_id == convening.id,
        MeetingRequest.status != RequestStatus.CANCELLED.value,
        or_((MeetingRequest.requester_id == a) & (MeetingRequest.recipient_id == b),
            (MeetingRequest.requester_id == b) & (MeetingRequest.recipient_id == a))).limit(1))


def _check_repeat(convening: Convening, user: User, recipient: User) -> None:
    """Bound request→cancel loops: one member asks the same person a few times per convening."""
    cap = current_app.config["MATCHMAKING_MAX_REQUESTS_PER_PERSON"]
    sent = db.session.scalar(select(func.count(MeetingRequest.id)).where(
        MeetingRequest.convening_id == convening.id, MeetingRequest.requester_id == user.id,
        MeetingRequest.recipient_id == recipient.id)) or 0
    if sent >= cap:
        raise Conflict(_l("You have already asked this person %(count)d times at this convening.",
                          count=cap), code="too_many_requests")


def send_request(actor: User, convening: Convening, recipient: User, message: str = "",
                 preferred_slot_ids: Iterable[int] = ()) -> MeetingRequest:
    """Ask another participant for a one-to-one meeting."""
    user = _require_opted_in(actor, convening)
    if recipient.id == user.id:
        raise Invalid(_l("You cannot request a meeting with yourself."), code="self")
    if (not recipient.is_active or not is_participant(recipient, convening)
            or not is_opted_in(recipient, convening)):
        raise Invalid(_l("This person does not take part in matchmaking here."),
                      code="recipient_not_opted_in")
    if _between(convening, user.id, recipient.id) is not None:
        raise Conflict(_l("There is already a request between the two of you."),
                       code="duplicate")
    _check_repeat(convening, user, recipient)
    cap = current_app.config["MATCHMAKING_MAX_PENDING"]
    pending = db.session.scalar(select(func.count(MeetingRequest.id)).where(
        MeetingRequest.convening_id == convening.id, MeetingRequest.requester_id == user.id,
        MeetingRequest.status == RequestStatus.PENDING.value)) or 0
    if pending >= cap:
        raise Conflict(lazy_ngettext("You have %(num)d request waiting for an answer; wait for the reply "
                           "or cancel it first.",
                           "You have %(num)d requests waiting for an answer; wait for replies "
                           "or cancel one first.", cap), code="too_many_pending")
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise Invalid(lazy_ngettext("Keep it under %(num)d character.", "Keep it under %(num)d characters.",
                          MAX_MESSAGE),
                      code="too_long", field="message")
    request = MeetingRequest(convening_id=convening.id, requester_id=user.id,
                             recipient_id=recipient.id, message=message,
                             preferred_slots=_slot_ids(convening, preferred_slot_ids),
                             status=RequestStatus.PENDING.value, created_at=utcnow(),
                             updated_at=utcnow())
    db.session.add(request)
    db.session.flush()
    notices.request_received(request, convening)
    return request


def get_request(actor: User, convening: Convening, request_id: int) -> MeetingRequest:
    """A request of `convening`; only its two parties may see it."""
    user = require_signed_in(actor)
    request = db.session.get(MeetingRequest, request_id)
    if (request is None or request.convening_id != convening.id
            or user.id not in (request.requester_id, request.recipient_id)):
        raise NotFound()
    return request


def _set_status(request: MeetingRequest, status: RequestStatus) -> None:
    request.status = status.value
    request.updated_at = utcnow()


def accept_request(actor: User, convening: Convening, request: MeetingRequest) -> MeetingRequest:
    """The recipient accepts; after a batch schedule the meeting is placed at once if it fits."""
    user = require_signed_in(actor)
    if request.recipient_id != user.id:
        raise Forbidden(_l("Only the person asked can answer this request."), code="not_recipient")
    if request.status != RequestStatus.PENDING.value:
        raise Conflict(_l("This request has already been answered."), code="not_pending")
    _require_opted_in(user, convening)
    _set_status(request, RequestStatus.ACCEPTED)
    db.session.flush()
    _place(convening, request)
    notices.request_accepted(request, convening)
    return request


def decline_request(actor: User, convening: Convening, request: MeetingRequest, reason: str = ""
                    ) -> MeetingRequest:
    """The recipient declines; the requester is told politely, with the reason only if given."""
    user = require_signed_in(actor)
    if request.recipient_id != user.id:
        raise Forbidden(_l("Only the person asked can answer this request."), code="not_recipient")
    if request.status != RequestStatus.PENDING.value:
        raise Conflict(_l("This request has already been answered."), code="not_pending")
    reason = (reason or "").strip()
    if len(reason) > MAX_MESSAGE:
        raise Invalid(lazy_ngettext("Keep it under %(num)d character.", "Keep it under %(num)d characters.",
                          MAX_MESSAGE),
                      code="too_long", field="reason")
    _set_status(request, RequestStatus.DECLINED)
    request.decline_reason = reason
    notices.request_declined(request, convening)
    return request


def cancel_request(actor: User, convening: Convening, request: MeetingRequest) -> MeetingRequest:
    """Either party calls off a pending or accepted request; its slot is freed."""
    user = require_signed_in(actor)
    if user.id not in (request.requester_id, request.recipient_id):
        raise NotFound()
    if request.status == RequestStatus.PENDING.value and user.id != request.requester_id:
        raise Forbidden(_l("Decline the request instead."), code="decline_instead")
    if request.status not in (RequestStatus.PENDING.value, RequestStatus.ACCEPTED.value):
        raise Conflict(_l("This request can no longer be cancelled."), code="not_cancellable")
    answered = request.status != RequestStatus.PENDING.value
    slot = request.slot
    _set_status(request, RequestStatus.CANCELLED)
    _assign(request, None, None)
    request.waiting_reason = None
    if answered:
        notices.request_cancelled(request, convening, user, slot=slot)
    else:
        notices.request_withdrawn(request)
    return request


def reschedule_request(actor: User, convening: Convening, request: MeetingRequest,
                       preferred_slot_ids: Iterable[int]) -> MeetingRequest:
    """Either party changes the preferred slots; an accepted meeting is placed again."""
    user = require_signed_in(actor)
    if user.id not in (request.requester_id, request.recipient_id):
        raise NotFound()
    if request.status not in (RequestStatus.PENDING.value, RequestStatus.ACCEPTED.value):
        raise Conflict(_l("Only open requests can be rescheduled."), code="not_open")
    request.preferred_slots = _slot_ids(convening, preferred_slot_ids)
    request.updated_at = utcnow()
    if request.status == RequestStatus.ACCEPTED.value:
        previous = (request.slot_id, request.table)
        _assign(request, None, None)
        db.session.flush()
        _place(convening, request)
        if (request.slot_id, request.table) != previous:
            notices.meeting_moved(request, convening, user)
    return request


@dataclass
class Inbox:
    """A member's requests at one convening."""

    incoming: list[MeetingRequest]
    outgoing: list[MeetingRequest]


def requests_for(actor: User, convening: Convening) -> Inbox:
    """The requests the actor sent and received (two queries, people joined)."""
    user = require_signed_in(actor)
    base = select(MeetingRequest).where(MeetingRequest.convening_id == convening.id).order_by(
        MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
    return Inbox(list(db.session.scalars(base.where(MeetingRequest.recipient_id == user.id))),
                 list(db.session.scalars(base.where(MeetingRequest.requester_id == user.id))))


# ---------------------------------------------------------------- recommendations


@dataclass
class Suggestion:
    """Someone worth meeting, and why, in plain words."""

    user: User
    profile: MatchProfile
    score: float
    reasons: list[str]


def _has_priority(user: User, convening: Convening) -> bool:
    nation = user.nation
    return bool(nation and PRIORITY_GROUPINGS & set(nation.groupings_on(convening.starts_at.date())))


def _pool(convening: Convening) -> tuple[list[Participation], dict[int, MatchProfile],
                                         recommend.Pool]:
    """Everyone opted in, as the arrays the recommender scores (a fixed number of queries)."""
    from app.convenings.models import Registration

    participations = list(db.session.scalars(
        select(Participation).join(Registration, (Registration.convening_id == Participation.convening_id)
                                   & (Registration.user_id == Participation.user_id))
        .where(Participation.convening_id == convening.id, Participation.opted_in.is_(True),
               Registration.status == "confirmed").order_by(Participation.user_id)))
    ids = [p.user_id for p in participations]
    profiles = {p.user_id: p for p in db.session.scalars(
        select(MatchProfile).where(MatchProfile.user_id.in_(ids)))} if ids else {}
    position = {uid: i for i, uid in enumerate(ids)}
    requests = db.session.execute(select(
        MeetingRequest.requester_id, MeetingRequest.recipient_id, MeetingRequest.status).where(
        MeetingRequest.convening_id == convening.id,
        MeetingRequest.status != RequestStatus.CANCELLED.value)).all()
    incoming = Counter(r.recipient_id for r in requests if r.status == RequestStatus.PENDING.value)
    excluded = [(position[r.requester_id], position[r.recipient_id]) for r in requests
                if r.requester_id in position and r.recipient_id in position]
    topic_at = {code: i for i, code in enumerate(TOPICS)}
    language_at = {code: i for i, code in enumerate(SPOKEN)}
    empty = MatchProfile(offers=[], seeks=[], languages=[])

    def columns(values: list[str], at: dict[str, int]) -> list[int]:
        return [at[v] for v in values if v in at]

    rows = [profiles.get(uid, empty) for uid in ids]
    pool = recommend.build_pool(
        [columns(p.offers, topic_at) for p in rows], [columns(p.seeks, topic_at) for p in rows],
        [columns(p.languages, language_at) for p in rows], len(TOPICS), len(SPOKEN),
        delegation=[p.user.nation_id if p.user.nation_id else -1 for p in participations],
        priority=[_has_priority(p.user, convening) for p in participations],
        incoming=[incoming[uid] for uid in ids], opted_in=[uid in profiles for uid in ids],
        excluded=excluded)
    return participations, profiles, pool


def _topics(indices: Iterable[int]) -> str:
    return format_list([str(TOPIC_LABELS[TOPICS[i]]) for i in indices],
                       locale=str(get_locale() or "en"))


def language_name(code: str) -> str:
    """A language's name in the viewer's language (CLDR)."""
    from app.i18n import cldr_locale

    return cldr_locale().languages.get(code, code)


def _reasons(why: recommend.Reason) -> list[str]:
    """One plain sentence per reason, each complete on its own."""
    from flask_babel import gettext as _

    reasons = []
    if why.they_offer:
        reasons.append(_("offers %(topics)s, which you seek", topics=_topics(why.they_offer)))
    if why.they_seek:
        reasons.append(_("seeks %(topics)s, which you offer", topics=_topics(why.they_seek)))
    if why.shared:
        reasons.append(_("you share an interest in %(topics)s", topics=_topics(why.shared)))
    if why.languages:
        names = format_list([language_name(SPOKEN[i]) for i in why.languages],
                            locale=str(get_locale() or "en"))
        reasons.append(_("you both speak %(languages)s", languages=names))
    if why.priority:
        reasons.append(_("your delegation has priority for expertise it seeks"))
    return reasons


def recommendations(actor: User, convening: Convening, k: int = 10) -> list[Suggestion]:
    """The actor's best suggestions, with reasons; empty unless they are opted in."""
    user = require_signed_in(actor)
    participations, profiles, pool = _pool(convening)
    row = next((i for i, p in enumerate(participations) if p.user_id == user.id), None)
    if row is None or user.id not in profiles:
        return []
    best, scores = recommend.top_k(pool, np.array([row]), k)
    out = []
    for j, score in zip(best[0].tolist(), scores[0].tolist(), strict=True):
        if j < 0:
            break
        other = participations[j]
        out.append(Suggestion(other.user, profiles[other.user_id], float(score),
                              _reasons(recommend.reason(pool, row, j))))
    return out


# ---------------------------------------------------------------- scheduling


@dataclass
class _Built:
    problem: scheduler.Problem
    requests: dict[int, MeetingRequest]
    clashes: list[MeetingRequest]


def _build_problem(convening: Convening, *, keep: bool = False, preferences: bool = True
                   ) -> _Built:
    """The scheduler's problem from the database: slots, tables, availability, priority.

    Requests carry their preferred slots. With ``keep``, meetings already placed (people were
    told) stay possible where they are even if someone's availability changed since.
    """
    all_slots = slots(convening)
    accepted = list(db.session.scalars(select(MeetingRequest).where(
        MeetingRequest.convening_id == convening.id,
        MeetingRequest.status == RequestStatus.ACCEPTED.value).order_by(MeetingRequest.id)))
    people = {r.requester_id for r in accepted} | {r.recipient_id for r in accepted}
    participations = {p.user_id: p for p in db.session.scalars(select(Participation).where(
        Participation.convening_id == convening.id, Participation.user_id.in_(people)))
    } if people else {}
    users = {r.requester_id: r.requester for r in accepted} | {
        r.recipient_id: r.recipient for r in accepted}
    slot_ids = [s.id for s in all_slots]
    fixed = {uid: p.fixed_table for uid, p in participations.items() if p.fixed_table}
    meetings, clashes = [], []
    held: dict[int, set[int]] = {}
    for r in accepted:
        ta, tb = fixed.get(r.requester_id), fixed.get(r.recipient_id)
        if ta and tb and ta != tb:
            clashes.append(r)
            continue
        meeting: dict[str, Any] = {"id": r.id, "a": str(r.requester_id), "b": str(r.recipient_id)}
        if keep and r.slot_id is not None:
            for uid in (r.requester_id, r.recipient_id):
                held.setdefault(uid, set()).add(r.slot_id)
        elif preferences and r.preferred_slots:
            meeting["preferred"] = [s for s in r.preferred_slots if s in slot_ids]
        meetings.append(meeting)
    participants = {}
    for uid in sorted(people):
        participation = participations.get(uid)
        free = set(participation.available_slots) if participation and participation.opted_in \
            else set()
        free |= held.get(uid, set())
        participants[str(uid)] = {"unavailable": [s for s in slot_ids if s not in free],
                                  "priority": 1 if _has_priority(users[uid], convening) else 0}
    most = max((s.tables for s in all_slots), default=0)
    problem = scheduler.parse_problem({
        "slots": slot_ids, "tables": {str(s.id): s.tables for s in all_slots},
        "participants": participants, "meetings": meetings,
        "fixed_tables": {str(uid): t for uid, t in fixed.items() if t <= most},
    })
    return _Built(problem, {r.id: r for r in accepted}, clashes)


def _assign(request: MeetingRequest, slot_id: int | None, table: int | None) -> None:
    """Put a request in a slot and table (or take it out); the slot is already loaded."""
    request.slot = db.session.get(BilateralSlot, slot_id) if slot_id is not None else None
    request.slot_id = slot_id  # the relationship sets it only at flush; callers compare it now
    request.table = table


def _apply(built: _Built, result: scheduler.Result, *, keep: bool = False) -> list[MeetingRequest]:
    """Store a result; returns the requests whose slot or table changed.

    With ``keep``, meetings already placed are left exactly as they are.
    """
    changed = []
    placed = {a.meeting: a for a in result.assignments}
    waiting = {u.meeting: u.reason for u in result.unscheduled}
    for request_id, request in built.requests.items():
        if keep and request.slot_id is not None:
            continue
        before = (request.slot_id, request.table)
        assignment = placed.get(request_id)
        if assignment is not None:
            _assign(request, int(assignment.slot), assignment.table)
            request.waiting_reason = None
        else:
            _assign(request, None, None)
            request.waiting_reason = waiting.get(request_id, "fixed_tables")
        if (request.slot_id, request.table) != before:
            request.updated_at = utcnow()
            changed.append(request)
    return changed


def run_schedule(actor: User, convening: Convening) -> Figures:
    """Organisers place every accepted request; a meeting people were told about never moves.

    The first run plans everything at once; later runs add the waiting meetings around the
    placed ones (`scheduler.extend`). Moving placed meetings is `replan.publish_schedule`.
    """
    require_staff(actor)
    built = _build_problem(convening, keep=True)
    kept = [scheduler.Assignment(r.id, r.slot_id, r.table) for r in built.requests.values()
            if r.slot_id is not None and r not in built.clashes]
    try:
        result = scheduler.schedule_preferring(
            built.problem, scheduler.Result(kept, [], 0) if kept else None)
    except scheduler.ProblemError as error:
        raise Conflict(_l("Some meetings no longer fit the slot or table they were agreed "
                          "in. Allow moves to plan them again."), code="schedule_stale") from error
    changed = _apply(built, result, keep=True)
    settings = settings_for(convening)
    settings.scheduled_at = utcnow()
    settings.upper_bound = result.upper_bound
    db.session.flush()
    for request in changed:
        if request.slot_id is not None:
            notices.meeting_scheduled(request, convening)
    audit.record(actor, "matchmaking.scheduled", "convening", convening.id,
                 scheduled=len(result.assignments), waiting=len(result.unscheduled))
    return figures(actor, convening)


def _place(convening: Convening, request: MeetingRequest) -> None:
    """Fit one accepted request into the existing schedule, moving at most a few meetings."""
    if settings_for(convening).scheduled_at is None:
        return
    built = _build_problem(convening, keep=True)
    if request.id not in built.requests or request in built.clashes:
        request.waiting_reason = "fixed_tables"
        return
    current = scheduler.Result(
        [scheduler.Assignment(r.id, r.slot_id, r.table) for r in built.requests.values()
         if r.slot_id is not None and r.id != request.id],
        [], 0)
    try:
        result = scheduler.place_one(built.problem, current, request.id, max_moves=MAX_MOVES)
        if request.preferred_slots and not any(a.meeting == request.id
                                               for a in result.assignments):
            # No preferred slot could take it: any common slot will do.
            built = _build_problem(convening, keep=True, preferences=False)
            result = scheduler.place_one(built.problem, current, request.id, max_moves=MAX_MOVES)
    except scheduler.ProblemError:
        # The stored schedule no longer fits the data (e.g. availability changed): the request
        # waits for the next batch run, which rebuilds everything.
        request.waiting_reason = "needs_batch"
        return
    placed = {a.meeting: a for a in result.assignments}
    for request_id, other in built.requests.items():
        assignment = placed.get(request_id)
        if assignment is None:
            continue
        if other.id != request.id and (other.slot_id, other.table) != (int(assignment.slot),
                                                                       assignment.table):
            _assign(other, int(assignment.slot), assignment.table)
            other.updated_at = utcnow()
            notices.meeting_moved(other, convening, None)
    assignment = placed.get(request.id)
    if assignment is None:
        _assign(request, None, None)
        request.waiting_reason = next((u.reason for u in result.unscheduled
                                       if u.meeting == request.id), "conflicts")
    else:
        _assign(request, int(assignment.slot), assignment.table)
        request.waiting_reason = None
        request.updated_at = utcnow()
        notices.meeting_scheduled(request, convening)
    db.session.flush()


@dataclass
class Figures:
    """What organisers see about a convening's matchmaking."""

    by_status: dict[str, int]
    scheduled: int
    waiting: dict[str, int]
    upper_bound: int
    capacity: int
    opted_in: int
    expected: int
    scheduled_at: datetime | None
    feedback: dict[str, int]

    @property
    def requested(self) -> int:
        return sum(self.by_status.values())

    @property
    def gap(self) -> int:
        return max(0, self.upper_bound - self.scheduled)

    @property
    def too_small(self) -> bool:
        """True when slots × tables cannot hold the meetings expected or already asked for."""
        asked = self.by_status.get("pending", 0) + self.by_status.get("accepted", 0)
        return self.capacity < max(self.expected, asked)


def figures(actor: User, convening: Convening) -> Figures:
    """Counts, upper bound and gap, capacity and outcome figures (a fixed number of queries)."""
    require_staff(actor)
    by_status = dict(db.session.execute(select(MeetingRequest.status, func.count()).where(
        MeetingRequest.convening_id == convening.id).group_by(MeetingRequest.status)).all())
    accepted = db.session.execute(select(MeetingRequest.slot_id, MeetingRequest.waiting_reason)
                                  .where(MeetingRequest.convening_id == convening.id,
                                         MeetingRequest.status == RequestStatus.ACCEPTED.value)
                                  ).all()
    scheduled = sum(1 for slot_id, _ in accepted if slot_id is not None)
    waiting = Counter(reason or "not_run" for slot_id, reason in accepted if slot_id is None)
    all_slots = slots(convening)
    capacity = sum(s.tables for s in all_slots)
    opted_in = db.session.scalar(select(func.count(Participation.id)).where(
        Participation.convening_id == convening.id, Participation.opted_in.is_(True))) or 0
    settings = settings_for(convening)
    bound = scheduler.upper_bound(_build_problem(convening, preferences=False).problem
                                  ) if accepted else 0
    return Figures({k: int(v) for k, v in by_status.items()}, scheduled, dict(waiting), bound,
                   capacity, opted_in, math.ceil(opted_in * settings.expected_per_person / 2),
                   settings.scheduled_at, outcome(convening))


def table_plan(actor: User, convening: Convening) -> list[tuple[BilateralSlot, list[MeetingRequest]]]:
    """Every slot with its meetings by table, for printing (two queries)."""
    require_staff(actor)
    placed: dict[int, list[MeetingRequest]] = {}
    for request in db.session.scalars(select(MeetingRequest).where(
            MeetingRequest.convening_id == convening.id,
            MeetingRequest.status == RequestStatus.ACCEPTED.value,
            MeetingRequest.slot_id.is_not(None)).order_by(MeetingRequest.table)):
        placed.setdefault(request.slot_id, []).append(request)  # type: ignore[arg-type]
    return [(slot, placed.get(slot.id, [])) for slot in slots(convening)]


def my_meetings(actor: User, convening: Convening) -> list[MeetingRequest]:
    """The actor's accepted meetings, scheduled ones first in time order."""
    user = require_signed_in(actor)
    meetings = list(db.session.scalars(select(MeetingRequest).where(
        MeetingRequest.convening_id == convening.id,
        MeetingRequest.status == RequestStatus.ACCEPTED.value,
        or_(MeetingRequest.requester_id == user.id, MeetingRequest.recipient_id == user.id))))
    return sorted(meetings, key=lambda r: (r.slot is None, r.slot.starts_at if r.slot else utcnow(),
                                           r.id))


# ---------------------------------------------------------------- after the meeting


def leave_feedback(actor: User, convening: Convening, request: MeetingRequest, *,
                   took_place: bool, useful: bool, follow_up: bool) -> MeetingFeedback:
    """A party says whether the meeting took place, was useful, and has a follow-up."""
    user = require_signed_in(actor)
    if user.id not in (request.requester_id, request.recipient_id):
        raise NotFound()
    if request.status != RequestStatus.ACCEPTED.value or request.slot is None:
        raise Conflict(_l("Only scheduled meetings take feedback."), code="not_scheduled")
    if request.slot.starts_at > utcnow():
        raise Conflict(_l("Feedback opens once the meeting has started."), code="too_early")
    feedback = db.session.scalar(select(MeetingFeedback).where(
        MeetingFeedback.request_id == request.id, MeetingFeedback.user_id == user.id)
    ) or MeetingFeedback(request_id=request.id, user_id=user.id)
    feedback.took_place = took_place
    feedback.useful = useful and took_place
    feedback.follow_up = follow_up and took_place
    feedback.created_at = utcnow()
    db.session.add(feedback)
    db.session.flush()
    return feedback


def outcome(convening: Convening) -> dict[str, int]:
    """How many answered the feedback, met, found it useful and plan a follow-up."""
    row = db.session.execute(select(
        func.count(MeetingFeedback.id),
        func.count(MeetingFeedback.id).filter(MeetingFeedback.took_place.is_(True)),
        func.count(MeetingFeedback.id).filter(MeetingFeedback.useful.is_(True)),
        func.count(MeetingFeedback.id).filter(MeetingFeedback.follow_up.is_(True)),
    ).join(MeetingRequest, MeetingRequest.id == MeetingFeedback.request_id).where(
        MeetingRequest.convening_id == convening.id)).one()
    return {"answers": row[0], "took_place": row[1], "useful": row[2], "follow_up": row[3]}


# ---------------------------------------------------------------- personal calendar


def calendar_items(user: User) -> list[FeedItem]:
    """The member's scheduled bilateral meetings, for their personal feed (one query)."""
    rows = db.session.execute(
        select(MeetingRequest, BilateralSlot, Convening)
        .join(BilateralSlot, BilateralSlot.id == MeetingRequest.slot_id)
        .join(Convening, Convening.id == MeetingRequest.convening_id)
        .where(MeetingRequest.status == RequestStatus.ACCEPTED.value,
               or_(MeetingRequest.requester_id == user.id, MeetingRequest.recipient_id == user.id))
    ).all()
    return [notices.meeting_item(request, slot, convening, user, place=", ".join(
        p for p in (convening.venue_name, convening.venue_city) if p))
        for request, slot, convening in rows]

