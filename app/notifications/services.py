"""Notices: features register how each kind reads; `notify` stores one and may e-mail it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.permissions import require_signed_in
from app.extensions import db
from app.i18n.moments import for_reader, reading_as
from app.notifications.mail import Attachment, queue_email
from app.notifications.models import Notice

Renderer = Callable[[dict[str, Any]], str]
_RENDERERS: dict[str, Renderer] = {}
PAGE_SIZE = 50


def register_kind(kind: str, render: Renderer) -> None:
    """Declare how notices of `kind` read (called at import time by each feature)."""
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
