"""Subscriptions to depositary notifications."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.links import external_url
from app.extensions import db
from app.notifications.mail import queue_email
from app.registry.models import (
    NotificationSubscription,
)

if TYPE_CHECKING:
    pass

# --- Registry: subscriptions to notifications ---------------------------------------------------

def subscribe(email: str, locale: str) -> NotificationSubscription:
    """Ask to receive notifications; nothing is sent until the address confirms."""
    from app.accounts.services import check_locale, normalise_email

    address = normalise_email(email)
    language = check_locale(locale)
    subscription = db.session.scalar(select(NotificationSubscription)
                                     .where(NotificationSubscription.email == address))
    if subscription is None:
        subscription = NotificationSubscription(email=address, locale=language,
                                                token=secrets.token_urlsafe(32),
                                                created_at=utcnow())
        db.session.add(subscription)
        db.session.flush()
    if subscription.confirmed_at is None:
        subscription.locale = language
        queue_email(address, "email/registry_subscribe", language,
                    link=external_url("registry.confirm_subscription", token=subscription.token))
    return subscription


def _subscription(token: str) -> NotificationSubscription:
    subscription = db.session.scalar(select(NotificationSubscription)
                                     .where(NotificationSubscription.token == token))
    if subscription is None:
        raise NotFound(_l("This subscription link is not valid (perhaps you already "
                          "unsubscribed)."), code="subscription_unknown")
    return subscription


def confirm_subscription(token: str) -> NotificationSubscription:
    """The address confirms it wants the notifications."""
    subscription = _subscription(token)
    if subscription.confirmed_at is None:
        subscription.confirmed_at = utcnow()
    return subscription


def subscription_for(token: str) -> NotificationSubscription:
    """The subscription a link's token names; NotFound otherwise."""
    return _subscription(token)


def unsubscribe(token: str) -> str:
    """Stop the notifications at once and forget the address; returns it."""
    subscription = _subscription(token)
    db.session.delete(subscription)
    return subscription.email
