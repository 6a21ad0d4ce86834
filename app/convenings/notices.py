"""What members are told about convenings: in-app notices and e-mails, in their own language."""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr
from typing import Any

from babel.lists import format_list
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.convenings.calendar import (
    FeedItem,
    build_calendar,
    convening_items,
    published_sessions,
    session_item,
)
from app.convenings.models import (
    AgendaSession,
    Convening,
    Registration,
    RegistrationStatus,
    pick_text,
)
from app.extensions import db
from app.i18n import current_language
from app.i18n.moments import for_reader, format_moment
from app.notifications.mail import Attachment, queue_email
from app.notifications.services import notify, register_kind


def _link(convening_id: int) -> str:
    return f"/convenings/{convening_id}"


def _title_params(convening: Convening) -> dict[str, Any]:
    return {"convening_id": convening.id, "titles": dict(convening.titles),
            "default_language": convening.default_language, "tz": convening.timezone}


def _title(params: dict[str, Any]) -> str:
    return pick_text(params.get("titles", {}), current_language(), params.get("default_language", "en"))


def _when(params: dict[str, Any], key: str) -> str:
    return format_moment(datetime.fromisoformat(params[key]), params["tz"])


def _change_phrases(params: dict[str, Any]) -> list[str]:
    phrases = []
    for change in params.get("changes", []):
        if change == "time":
            phrases.append(_("it now starts %(start)s and ends %(end)s",
                             start=_when(params, "start"), end=_when(params, "end")))
        elif change == "place":
            phrases.append(_("it now takes place at %(place)s", place=params.get("place") or "—"))
        elif change == "format":
            phrases.append(_("the way to take part has changed"))
        elif change == "online_link":
            phrases.append(_("the online link has changed"))
        elif change == "cancelled":
            phrases.append(_("it has been cancelled: %(reason)s", reason=params.get("reason") or "—"))
    return phrases


def _join(phrases: list[str]) -> str:
    return format_list(phrases, locale=str(get_locale() or "en")) if phrases else ""


def render_convening_changed(params: dict[str, Any]) -> str:
    return _("“%(title)s” has changed: %(changes)s.", title=_title(params),
             changes=_join(_change_phrases(params)))


def render_session_changed(params: dict[str, Any]) -> str:
    return _("The session “%(session)s” of “%(title)s” has changed: %(changes)s.",
             session=params.get("session", ""), title=_title(params),
             changes=_join(_change_phrases(params)))


def render_promoted(params: dict[str, Any]) -> str:
    return _("A seat became free: you are now registered for “%(title)s”.", title=_title(params))


def render_decided(params: dict[str, Any]) -> str:
    if params.get("status") == RegistrationStatus.CONFIRMED.value:
        return _("Your registration for “%(title)s” has been approved.", title=_title(params))
    if params.get("status") == RegistrationStatus.WAITLISTED.value:
        return _("Your registration for “%(title)s” has been approved; you are on the waiting list.",
                 title=_title(params))
    return _("Your registration for “%(title)s” has been declined.", title=_title(params))


def render_cancelled(params: dict[str, Any]) -> str:
    return _("Your registration for “%(title)s” is cancelled; the attached calendar file removes "
             "it from your calendar.", title=_title(params))


def render_reminder(params: dict[str, Any]) -> str:
    return _("Reminder: “%(title)s” starts %(start)s.", title=_title(params),
             start=_when(params, "start"))


def register_notice_kinds() -> None:
    """Declare how this feature's notices read (called by the feature's init_app)."""
    register_kind("convening_changed", render_convening_changed)
    register_kind("convening_session_changed", render_session_changed)
    register_kind("convening_promoted", render_promoted)
    register_kind("convening_registration_decided", render_decided)
    register_kind("convening_reminder", render_reminder)
    register_kind("convening_registration_cancelled", render_cancelled)


def _place(convening: Convening, location: str = "") -> str:
    return ", ".join(p for p in (location, convening.venue_name, convening.venue_city) if p)


def _changes(changes: dict[str, Any]) -> list[str]:
    kinds = []
    for name, code in (("starts_at", "time"), ("ends_at", "time"), ("timezone", "time"),
                       ("venue_name", "place"), ("venue_city", "place"), ("venue_country", "place"),
                       ("location", "place"), ("format", "format"), ("online_link", "online_link"),
                       ("status", "cancelled"), ("cancelled", "cancelled")):
        if name in changes and code not in kinds:
            kinds.append(code)
    return kinds


def convening_changed(convening: Convening, changes: dict[str, Any], users: list[User]) -> None:
    """Tell everyone registered what changed about a convening."""
    params = {**_title_params(convening), "changes": _changes(changes),
              "start": convening.starts_at.isoformat(), "end": convening.ends_at.isoformat(),
              "place": _place(convening), "reason": convening.cancel_reason or ""}
    kinds = params["changes"]
    items = (convening_items(convening, published_sessions(convening),
                             base_url=current_app.config["BASE_URL"])
             if {"time", "place", "cancelled"} & set(kinds) else [])
    method = "CANCEL" if convening.is_cancelled else "REQUEST"
    confirmed = _confirmed_ids(convening) if items else set()
    for user in users:
        attachments = ((invitation(convening, items, method, user),)
                       if user.id in confirmed else ())
        notify(user, "convening_changed", params, link=_link(convening.id), email=True,
               attachments=attachments)


def session_changed(session: AgendaSession, changes: dict[str, Any], users: list[User]) -> None:
    """Tell everyone registered what changed about one session."""
    convening = session.convening
    params = {**_title_params(convening), "session": session.title, "changes": _changes(changes),
              "start": session.starts_at.isoformat(), "end": session.ends_at.isoformat(),
              "place": _place(convening, session.location), "reason": ""}
    items = []
    if {"time", "place", "cancelled"} & set(params["changes"]):
        items = [session_item(convening, session, base_url=current_app.config["BASE_URL"])]
    method = "CANCEL" if session.cancelled or convening.is_cancelled else "REQUEST"
    confirmed = _confirmed_ids(convening) if items else set()
    for user in users:
        attachments = ((invitation(convening, items, method, user),)
                       if user.id in confirmed else ())
        notify(user, "convening_session_changed", params, link=_link(convening.id), email=True,
               attachments=attachments)


def _confirmed_ids(convening: Convening) -> set[int]:
    """Who holds a seat, and so has the convening in their calendar."""
    return set(db.session.scalars(select(Registration.user_id).where(
        Registration.convening_id == convening.id,
        Registration.status == RegistrationStatus.CONFIRMED.value)))


def invitation(convening: Convening, items: list[FeedItem], method: str, user: User) -> Attachment:
    """Calendar entries as an iTIP invitation (REQUEST or CANCEL) for `user`, to attach."""
    sender = parseaddr(str(current_app.config["MAIL_DEFAULT_SENDER"]))[1]
    content = build_calendar(convening.title_in(user.locale), items, method=method,
                             organizer=sender, attendee=user.email)
    return Attachment(f"convening-{convening.id}.ics", content, "text", "calendar",
                      {"method": method})


def registration_received(registration: Registration, user: User) -> None:
    """Confirm a registration by e-mail; a confirmed seat comes with the calendar invitation."""
    convening = registration.convening
    confirmed = registration.status == RegistrationStatus.CONFIRMED.value
    attachments = ()
    if confirmed:
        attachments = (_agenda_invitation(convening, user, "REQUEST"),)
    with for_reader(user):
        title = convening.title_in(user.locale)
        start = format_moment(convening.starts_at, convening.timezone)
    queue_email(user.email, "email/convening_registration", user.locale, attachments=attachments,
                user=user, title=title, status=registration.status, start=start,
                link=_link(convening.id))


def registration_promoted(registration: Registration) -> None:
    """Tell a member their place on the waiting list became a seat (with the calendar file)."""
    convening = registration.convening
    notify(registration.user, "convening_promoted", _title_params(convening),
           link=_link(convening.id), email=False)
    registration_received(registration, registration.user)


def _agenda_invitation(convening: Convening, user: User, method: str) -> Attachment:
    items = convening_items(convening, published_sessions(convening),
                            base_url=current_app.config["BASE_URL"])
    return invitation(convening, items, method, user)


def registration_decided(registration: Registration) -> None:
    """Tell a member the organisers' decision on their request; a seat comes with the calendar."""
    convening = registration.convening
    confirmed = registration.status == RegistrationStatus.CONFIRMED.value
    notify(registration.user, "convening_registration_decided",
           {**_title_params(convening), "status": registration.status},
           link=_link(convening.id), email=True,
           attachments=(_agenda_invitation(convening, registration.user, "REQUEST"),)
           if confirmed else ())


def registration_cancelled(registration: Registration) -> None:
    """Confirm a given-up seat and take the convening out of the member's calendar."""
    convening = registration.convening
    notify(registration.user, "convening_registration_cancelled", _title_params(convening),
           link=_link(convening.id), email=True,
           attachments=(_agenda_invitation(convening, registration.user, "CANCEL"),))


def reminder(registration: Registration) -> None:
    """Remind a participant that the convening starts within a day."""
    convening = registration.convening
    notify(registration.user, "convening_reminder",
           {**_title_params(convening), "start": convening.starts_at.isoformat()},
           link=_link(convening.id), email=True)

