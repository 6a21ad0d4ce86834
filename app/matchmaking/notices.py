"""What members are told about meeting requests: in-app notices and e-mails, in their language."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.convenings.calendar import UID_DOMAIN, FeedItem
from app.convenings.models import AgendaSession, Convening, pick_text
from app.convenings.notices import invitation
from app.extensions import db
from app.i18n import current_language
from app.i18n.moments import format_moment
from app.matchmaking.models import BilateralSlot, MeetingRequest
from app.notifications.mail import Attachment
from app.notifications.models import Notice
from app.notifications.services import notify, register_kind


def _link(convening_id: int) -> str:
    return f"/convenings/{convening_id}/matchmaking"


def meeting_place(convening: Convening, slot: BilateralSlot) -> str:
    """Where a bilateral meeting happens: the block's room, then the venue."""
    block = db.session.get(AgendaSession, slot.session_id)
    parts = (block.location if block else "", convening.venue_name, convening.venue_city)
    return ", ".join(p for p in parts if p)


def _params(request: MeetingRequest, convening: Convening, name: str) -> dict[str, Any]:
    params: dict[str, Any] = {"request_id": request.id, "name": name,
                              "titles": dict(convening.titles),
                              "default_language": convening.default_language,
                              "tz": convening.timezone}
    if request.slot is not None:
        params.update(start=request.slot.starts_at.isoformat(), table=request.table,
                      place=meeting_place(convening, request.slot))
    return params


def meeting_item(request: MeetingRequest, slot: BilateralSlot, convening: Convening, user: User,
                 *, place: str | None = None) -> FeedItem:
    """A scheduled meeting as a calendar entry for one party; each change raises its SEQUENCE."""
    other = request.other(user.id)
    base = current_app.config.get("BASE_URL", "")
    return FeedItem(
        uid=f"matchmaking-{request.id}@{UID_DOMAIN}",
        summary=in_language(user.locale, "meeting_summary", name=other.display_name,
                            table=request.table),
        description=convening.title_in(user.locale), start=slot.starts_at, end=slot.ends_at,
        tzid=convening.timezone,
        location=meeting_place(convening, slot) if place is None else place,
        sequence=int((request.updated_at - request.created_at).total_seconds()),
        url=f"{base}/convenings/{convening.id}/matchmaking")


def _meeting_invitation(request: MeetingRequest, slot: BilateralSlot, convening: Convening,
                        user: User, method: str) -> Attachment:
    item = meeting_item(request, slot, convening, user)
    if method == "CANCEL":
        # The cancellation is the entry's last revision, even within the second it was placed.
        item = replace(item, sequence=item.sequence + 1)
    return invitation(convening, [item], method, user)


def _title(params: dict[str, Any]) -> str:
    return pick_text(params.get("titles", {}), current_language(), params.get("default_language", "en"))


def _when(params: dict[str, Any]) -> str:
    return format_moment(datetime.fromisoformat(params["start"]), params["tz"])


def render_received(params: dict[str, Any]) -> str:
    text = _("%(name)s asks to meet you at “%(title)s”.", name=params["name"], title=_title(params))
    slots = params.get("slots") or []
    if not slots:
        return text
    times = "; ".join(format_moment(datetime.fromisoformat(s), params["tz"]) for s in slots)
    return text + " " + _("Preferred times: %(times)s", times=times)


def render_accepted(params: dict[str, Any]) -> str:
    return _("%(name)s accepted your meeting request at “%(title)s”.", name=params["name"],
             title=_title(params))


def render_declined(params: dict[str, Any]) -> str:
    if params.get("reason"):
        return _("%(name)s thanks you for your request but cannot meet at “%(title)s”: %(reason)s",
                 name=params["name"], title=_title(params), reason=params["reason"])
    return _("%(name)s thanks you for your request but cannot meet at “%(title)s”.",
             name=params["name"], title=_title(params))


def render_cancelled(params: dict[str, Any]) -> str:
    return _("%(name)s called off your meeting at “%(title)s”.", name=params["name"],
             title=_title(params))


def render_scheduled(params: dict[str, Any]) -> str:
    return _("Your meeting with %(name)s at “%(title)s” is on %(start)s, at %(place)s, table "
             "%(table)s.", name=params["name"], title=_title(params), start=_when(params),
             place=params.get("place") or "—", table=params["table"])


def render_moved(params: dict[str, Any]) -> str:
    if params.get("start"):
        return _("Your meeting with %(name)s at “%(title)s” moved to %(start)s, at %(place)s, "
                 "table %(table)s.", name=params["name"], title=_title(params),
                 start=_when(params), place=params.get("place") or "—", table=params["table"])
    return _("Your meeting with %(name)s at “%(title)s” is waiting for a new slot.",
             name=params["name"], title=_title(params))


def register_notice_kinds() -> None:
    """Declare how this feature's notices read (called by the feature's init_app)."""
    register_kind("matchmaking_request_received", render_received)
    register_kind("matchmaking_request_accepted", render_accepted)
    register_kind("matchmaking_request_declined", render_declined)
    register_kind("matchmaking_request_cancelled", render_cancelled)
    register_kind("matchmaking_meeting_scheduled", render_scheduled)
    register_kind("matchmaking_meeting_moved", render_moved)


def request_received(request: MeetingRequest, convening: Convening) -> None:
    """Tell the recipient someone asks to meet them."""
    params = _params(request, convening, request.requester.display_name)
    if request.preferred_slots:
        params["slots"] = [s.isoformat() for s in db.session.scalars(
            select(BilateralSlot.starts_at).where(BilateralSlot.id.in_(request.preferred_slots))
            .order_by(BilateralSlot.starts_at))]
    notify(request.recipient, "matchmaking_request_received", params, link=_link(convening.id),
           email=True)


def request_accepted(request: MeetingRequest, convening: Convening) -> None:
    """Tell the requester their request was accepted (by e-mail when no slot is known yet: the
    scheduling e-mail that follows a placed meeting says when and where)."""
    notify(request.requester, "matchmaking_request_accepted",
           _params(request, convening, request.recipient.display_name),
           link=_link(convening.id), email=request.slot is None)


def request_declined(request: MeetingRequest, convening: Convening) -> None:
    """Tell the requester politely; the reason only when the recipient gave one."""
    params = _params(request, convening, request.recipient.display_name)
    if request.decline_reason:
        params["reason"] = request.decline_reason
    notify(request.requester, "matchmaking_request_declined", params, link=_link(convening.id),
           email=True)


def request_cancelled(request: MeetingRequest, convening: Convening, by: User,
                      slot: BilateralSlot | None = None) -> None:
    """Tell the other party a request or meeting was called off; a meeting leaves their calendar."""
    other = request.other(by.id)
    attachments = ((_meeting_invitation(request, slot, convening, other, "CANCEL"),)
                   if slot is not None else ())
    notify(other, "matchmaking_request_cancelled", _params(request, convening, by.display_name),
           link=_link(convening.id), email=True, attachments=attachments)


def request_withdrawn(request: MeetingRequest) -> None:
    """A request cancelled before its answer: no word to the recipient, and its unread notice goes.

    The recipient was asked and never answered, so being told it was called off adds only noise
    (and a request→cancel loop would otherwise e-mail them each time).
    """
    for notice in db.session.scalars(select(Notice).where(
            Notice.user_id == request.recipient_id,
            Notice.kind == "matchmaking_request_received", Notice.read_at.is_(None))):
        if notice.params.get("request_id") == request.id:
            db.session.delete(notice)


def meeting_scheduled(request: MeetingRequest, convening: Convening) -> None:
    """Tell both parties when, where and at which table they meet, with the calendar entry."""
    for user, other in ((request.requester, request.recipient),
                        (request.recipient, request.requester)):
        attachments = ((_meeting_invitation(request, request.slot, convening, user, "REQUEST"),)
                       if request.slot is not None else ())
        notify(user, "matchmaking_meeting_scheduled", _params(request, convening,
                                                              other.display_name),
               link=_link(convening.id), email=True, attachments=attachments)


def meeting_moved(request: MeetingRequest, convening: Convening, by: User | None) -> None:
    """Tell the parties (but not whoever moved it) that a meeting has a new slot or waits."""
    for user, other in ((request.requester, request.recipient),
                        (request.recipient, request.requester)):
        if by is None or user.id != by.id:
            attachments = ((_meeting_invitation(request, request.slot, convening, user,
                                                "REQUEST"),)
                           if request.slot is not None else ())
            notify(user, "matchmaking_meeting_moved", _params(request, convening,
                                                              other.display_name),
                   link=_link(convening.id), email=True, attachments=attachments)


def in_language(locale: str, key: str, **params: Any) -> str:
    """A short text for a calendar entry, in the member's language."""
    with force_locale(locale):
        if key == "meeting_summary" and params.get("table"):
            return _("Bilateral meeting with %(name)s, table %(table)s", name=params["name"],
                     table=params["table"])
        return _("Bilateral meeting with %(name)s", name=params["name"])
