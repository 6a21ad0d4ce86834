"""Notices: features register how each kind reads; `notify` stores one and may e-mail it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound
from app.core.permissions import require_signed_in, require_staff
from app.extensions import db
from app.i18n.moments import for_reader, reading_as
from app.notifications.mail import Attachment, queue_email
from app.notifications.models import MailStatus, Notice, OutboxMail

Renderer = Callable[[dict[str, Any]], str]
_RENDERERS: dict[str, Renderer] = {}
PAGE_SIZE = 50


def register_kind(kind: str, render: Renderer) -> None:
    """Declare how notices of `kind` read (called by each feature's init_app)."""
    _RENDERERS[kind] = render


def render(notice: Notice) -> str:
    """The notice's text in the current language."""
    renderer = _RENDERERS.get(notice.kind)
    return renderer(notice.params) if renderer else str(_l("You have a new notice."))


def notify(user: User, kind: str, params: dict[str, Any], *, link: str | None = None,
           email: bool = False, attachments: tuple[Attachment, ...] = ()) -> Notice:
    """Store a notice for `user`; with `email`, also send it in the user's language and zone."""
    notice = Notice(user_id=user.id, kind=kind, params=params, link=link, created_at=utcnow())
    db.session.add(notice)
    if email and user.active:
        with for_reader(user):
            text = render(notice)
        queue_email(user.email, "email/notice", user.locale, attachments=attachments, user=user,
                    text=text, link=link)
    return notice


@dataclass(frozen=True)
class RenderedNotice:
    """A notice ready for the page."""

    id: int
    text: str
    link: str | None
    created_at: Any
    unread: bool


def list_notices(actor: User, *, limit: int = PAGE_SIZE) -> list[RenderedNotice]:
    """The actor's newest notices, rendered in the current language and the actor's zone."""
    user = require_signed_in(actor)
    notices = db.session.scalars(select(Notice).where(Notice.user_id == user.id)
                                 .order_by(Notice.id.desc()).limit(limit))
    with reading_as(user.timezone):
        return [RenderedNotice(n.id, render(n), n.link, n.created_at, n.read_at is None)
                for n in notices]


def unread_count(actor: User) -> int:
    """How many notices the actor has not read."""
    return db.session.scalar(select(func.count(Notice.id)).where(
        Notice.user_id == actor.id, Notice.read_at.is_(None))) or 0


def mark_read(actor: User, notice_id: int | None = None) -> int:
    """Mark one notice (or all) of the actor's as read; returns how many changed."""
    user = require_signed_in(actor)
    query = update(Notice).where(Notice.user_id == user.id, Notice.read_at.is_(None))
    if notice_id is not None:
        if db.session.scalar(select(Notice.id).where(Notice.id == notice_id,
                                                     Notice.user_id == user.id)) is None:
            raise NotFound()
        query = query.where(Notice.id == notice_id)
    return db.session.execute(query.values(read_at=utcnow())).rowcount or 0


# --- The e-mail outbox, for organisers --------------------------------------------------------

OUTBOX_PAGE_SIZE = 200


def list_undelivered_mail(actor: User, *, limit: int = OUTBOX_PAGE_SIZE) -> list[OutboxMail]:
    """Mails that failed or still wait to go out, oldest first (organisers and administrators)."""
    require_staff(actor)
    return list(db.session.scalars(select(OutboxMail).where(
        OutboxMail.status.in_([MailStatus.FAILED, MailStatus.PENDING, MailStatus.SENDING]))
        .order_by(OutboxMail.status, OutboxMail.id).limit(limit)))


def retry_mail(actor: User, mail_id: int) -> OutboxMail:
    """Put a failed (or waiting) mail back in line to go out at the next pass."""
    require_staff(actor)
    mail = db.session.get(OutboxMail, mail_id) if 0 < mail_id < 2**31 else None
    if mail is None:
        raise NotFound()
    if mail.status not in (MailStatus.FAILED, MailStatus.PENDING):
        raise Conflict(_l("This e-mail has already been sent or is being sent."), code="mail_not_retryable")
    mail.status, mail.next_attempt_at = MailStatus.PENDING, utcnow()
    if mail.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        mail.attempts = current_app.config["MAIL_MAX_ATTEMPTS"] - 1
    return mail
