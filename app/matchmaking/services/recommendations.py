"""Suggested counterparts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from babel.lists import format_list
from flask_babel import get_locale
from sqlalchemy import select

from app.accounts.models import User
from app.convenings.models import Convening
from app.core.permissions import require_signed_in
from app.extensions import db
from app.matchmaking import recommend
from app.matchmaking.models import (
    MatchProfile,
    MeetingRequest,
    Participation,
    RequestStatus,
)
from app.matchmaking.services.common import PRIORITY_GROUPINGS, SPOKEN, TOPIC_LABELS, TOPICS

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
