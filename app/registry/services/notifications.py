"""Depositary notifications: numbering, wording and sending them to subscribers."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from babel.lists import format_list
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.db import utcnow
from app.core.links import external_url
from app.extensions import db
from app.i18n import territory_name
from app.notifications.mail import queue_email
from app.registry.models import (
    DepositaryNotification,
    Nation,
    NotificationSubscription,
    Partner,
)
from app.registry.services.vocabulary import SIGNATURE_FIELD_LABELS

if TYPE_CHECKING:
    from app.accounts.models import User

# --- Registry: depositary notifications ---------------------------------------------------------

def issue_notification(actor: User | None, kind: str, *, nation: Nation | None = None,
                       partner: Partner | None = None, **params: Any) -> DepositaryNotification:
    """Append the next numbered notification of the year and tell confirmed subscribers."""
    now = utcnow()
    last = db.session.scalar(select(func.max(DepositaryNotification.sequence))
                             .where(DepositaryNotification.year == now.year)) or 0
    notification = DepositaryNotification(
        year=now.year, sequence=last + 1, kind=kind, nation=nation, partner=partner,
        params=params, actor_id=getattr(actor, "id", None), created_at=now)
    db.session.add(notification)
    db.session.flush()
    link = external_url("registry.notifications", _anchor=f"n{notification.id}")
    for subscription in db.session.scalars(select(NotificationSubscription).where(
            NotificationSubscription.confirmed_at.is_not(None))):
        queue_email(subscription.email, "email/registry_notification", subscription.locale,
                    notification=notification, notification_text=notification_text,
                    link=link,
                    unsubscribe=(unsubscribe := external_url("registry.unsubscribe", token=subscription.token)),
                    list_unsubscribe=unsubscribe)
    return notification


def notification_text(notification: DepositaryNotification) -> str:
    """What a notification announces, in the current language."""
    p = notification.params
    state = territory_name(notification.nation.iso2) if notification.nation else ""
    if notification.kind == "signature":
        return _("%(state)s signed the Declaration on %(date)s.", state=state,
                  date=format_date(date.fromisoformat(p["date"]), "long"))
    if notification.kind == "withdrawal":
        return _("%(state)s withdrew its signature of the Declaration on %(date)s.", state=state,
                  date=format_date(date.fromisoformat(p["date"]), "long"))
    if notification.kind == "correction":
        labels = [str(SIGNATURE_FIELD_LABELS[f]) for f in p.get("fields", [])
                  if f in SIGNATURE_FIELD_LABELS]
        return _("The registry entry of %(state)s was corrected (%(fields)s).", state=state,
                  fields=format_list(labels, locale=str(get_locale() or "en")))
    if notification.kind == "endorsement":
        return _("%(name)s (%(country)s) endorsed the Declaration as a Supporting Partner on "
                  "%(date)s.", name=p["name"], country=territory_name(p["country"]),
                  date=format_date(date.fromisoformat(p["date"]), "long"))
    return _("%(state)s appointed %(name)s, %(title)s, as its Tech Ambassador on %(date)s.",
              state=state, name=p["name"], title=p["title"],
              date=format_date(date.fromisoformat(p["date"]), "long"))


def list_notifications(*, limit: int = 100, page: int = 1) -> list[DepositaryNotification]:
    """The newest depositary notifications first, `limit` per page."""
    return list(db.session.scalars(select(DepositaryNotification)
                                   .order_by(DepositaryNotification.id.desc())
                                   .offset((max(page, 1) - 1) * limit).limit(limit)))


def notifications_before(before_id: int | None, limit: int) -> list[DepositaryNotification]:
    """Up to `limit` notifications older than `before_id` (all when None), newest first."""
    query = select(DepositaryNotification).order_by(DepositaryNotification.id.desc())
    if before_id is not None:
        query = query.where(DepositaryNotification.id < before_id)
    return list(db.session.scalars(query.limit(limit)))


def notification_pages(limit: int = 100) -> int:
    """How many pages of notifications there are."""
    total = db.session.scalar(select(func.count(DepositaryNotification.id))) or 0
    return max(1, -(-total // limit))
