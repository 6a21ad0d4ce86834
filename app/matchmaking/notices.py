"""What members are told about meeting requests: in-app notices and e-mails, in their language."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.convenings.models import Convening, pick_text
from app.extensions import db
from app.i18n import current_language, format_in_zone
from app.matchmaking.models import MeetingRequest
from app.notifications.models import Notice
from app.notifications.services import notify, register_kind


def _link(convening_id: int) -> str:
    return f"/convenings/{convening_id}/matchmaking"


def _params(request: MeetingRequest, convening: Convening, name: str) -> dict[str, Any]:
    params: dict[str, Any] = {"request_id": request.id, "name": name,
                              "titles": dict(convening.titles),
                              "default_language": convening.default_language,
                              "tz": convening.timezone}
    if request.slot is not None:
        params.update(start=request.slot.starts_at.isoformat(), table=request.table)
    return params


def _title(params: dict[str, Any]) -> str:
    return pick_text(params.get("titles", {}), current_language(), params.get("default_language", "en"))


def _when(params: dict[str, Any]) -> str:
    from datetime import datetime

    return format_in_zone(datetime.fromisoformat(params["start"]), params["tz"])


def render_received(params: dict[str, Any]) -> str:
    return _("%(name)s asks to meet you at “%(title)s”.", name=params["name"], title=_title(params))


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
    return _("Your meeting with %(name)s at “%(title)s” is on %(start)s at table %(table)s.",
             name=params["name"], title=_title(params), start=_when(params), table=params["table"])


def render_moved(params: dict[str, Any]) -> str:
    if params.get("start"):
        return _("Your meeting with %(name)s at “%(title)s” moved to %(start)s, table %(table)s.",
                 name=params["name"], title=_title(params), start=_when(params),
                 table=params["table"])
    return _("Your meeting with %(name)s at “%(title)s” is waiting for a new slot.",
             name=params["name"], title=_title(params))


register_kind("matchmaking_request_received", render_received)
register_kind("matchmaking_request_accepted", render_accepted)
register_kind("matchmaking_request_declined", render_declined)
register_kind("matchmaking_request_cancelled", render_cancelled)
register_kind("matchmaking_meeting_scheduled", render_scheduled)
register_kind("matchmaking_meeting_moved", render_moved)


def request_received(request: MeetingRequest, convening: Convening) -> None:
    """Tell the recipient someone asks to meet them."""
    notify(request.recipient, "matchmaking_request_received",
           _params(request, convening, request.requester.display_name),
           link=_link(convening.id), email=True)


def request_accepted(request: MeetingRequest, convening: Convening) -> None:
    """Tell the requester their request was accepted."""
    notify(request.requester, "matchmaking_request_accepted",
           _params(request, convening, request.recipient.display_name),
           link=_link(convening.id), email=True)


def request_declined(request: MeetingRequest, convening: Convening) -> None:
    """Tell the requester politely; the reason only when the recipient gave one."""
    params = _params(request, convening, request.recipient.display_name)
    if request.decline_reason:
        params["reason"] = request.decline_reason
    notify(request.requester, "matchmaking_request_declined", params, link=_link(convening.id),
           email=True)


def request_cancelled(request: MeetingRequest, convening: Convening, by: User) -> None:
    """Tell the other party a request or meeting was called off."""
    other = request.other(by.id)
    notify(other, "matchmaking_request_cancelled", _params(request, convening, by.display_name),
           link=_link(convening.id), email=True)


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
    """Tell both parties when and where they meet (in-app; the feed carries it too)."""
    for user, other in ((request.requester, request.recipient),
                        (request.recipient, request.requester)):
        notify(user, "matchmaking_meeting_scheduled", _params(request, convening,
                                                              other.display_name),
               link=_link(convening.id))


def meeting_moved(request: MeetingRequest, convening: Convening, by: User | None) -> None:
    """Tell the parties (but not whoever moved it) that a meeting has a new slot or waits."""
    for user, other in ((request.requester, request.recipient),
                        (request.recipient, request.requester)):
        if by is None or user.id != by.id:
            notify(user, "matchmaking_meeting_moved", _params(request, convening,
                                                              other.display_name),
                   link=_link(convening.id), email=True)


def in_language(locale: str, key: str, **params: Any) -> str:
    """A short text for a calendar entry, in the member's language."""
    with force_locale(locale):
        if key == "meeting_summary" and params.get("table"):
            return _("Bilateral meeting with %(name)s, table %(table)s", name=params["name"],
                     table=params["table"])
        return _("Bilateral meeting with %(name)s", name=params["name"])
