"""Outgoing e-mail: composed in the recipient's language and stored in the outbox with the change.

`queue_email` never talks to SMTP. The stored message goes out after commit (MAIL_DELIVERY
`after_commit`, development and tests) or from `flask mail worker` / `flask mail send-queued`
(`worker`, production); see app/notifications/outbox.py.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from app.core.db import on_commit, utcnow
from app.extensions import db
from app.notifications.models import MailStatus, OutboxMail


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message."""

    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)


def render_email(template: str, locale: str, **context: object) -> tuple[str, str]:
    """Render `<template>.subject.txt` and `<template>.txt` in `locale`."""
    with force_locale(locale):
        subject = render_template(f"{template}.subject.txt", **context).strip()
        body = render_template(f"{template}.txt", **context)
    return subject, body


_URL = re.compile(r"https?://[^\s<>\"']+")


def text_to_html(body: str, locale: str) -> str:
    """The HTML alternative: the plain text itself, escaped, with paragraphs and live links."""
    from app.i18n import text_direction

    with force_locale(locale):
        direction = text_direction()
    paragraphs = []
    for block in re.split(r"\n\s*\n", body.strip()):
        escaped = html.escape(block)
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(locale)}" dir="{direction}">'
            '<head><meta charset="utf-8"></head>\n<body>\n' + "\n".join(paragraphs) + "\n</body></html>\n")


def message_id_domain() -> str:
    """MAIL_MESSAGE_ID_DOMAIN, else the host of BASE_URL."""
    config = current_app.config
    return config.get("MAIL_MESSAGE_ID_DOMAIN") or urlsplit(config["BASE_URL"]).hostname or "localhost"


def compose(to: str, template: str, locale: str, *, attachments: tuple[Attachment, ...] = (),
            list_unsubscribe: str | None = None, **context: object) -> EmailMessage:
    """The whole message: headers, plain text and HTML alternatives, attachments."""
    subject, body = render_email(template, locale, **context)
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=message_id_domain())
    # Every mail of the platform is written by the platform, never by a person (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    if list_unsubscribe:
        message["List-Unsubscribe"] = f"<{list_unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body)
    message.add_alternative(text_to_html(body, locale), subtype="html")
    for item in attachments:
        message.add_attachment(item.content, maintype=item.maintype, subtype=item.subtype,
                               filename=item.filename, params=item.params)
    # set_content(), add_alternative() and add_attachment() move content headers into the
    # parts, so the language goes on last.
    message["Content-Language"] = locale
    return message


def queue_email(to: str, template: str, locale: str, *, attachments: tuple[Attachment, ...] = (),
                list_unsubscribe: str | None = None, **context: object) -> OutboxMail:
    """Compose an e-mail and store it in the outbox, in the current transaction."""
    message = compose(to, template, locale, attachments=attachments,
                      list_unsubscribe=list_unsubscribe, **context)
    now = utcnow()
    # SMTP wants CRLF line ends, and smtplib sends stored bytes as they are.
    raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    mail = OutboxMail(message=raw, to_address=to[:320], subject=str(message["Subject"])[:500],
                      template=template[:100], status=MailStatus.PENDING,
                      attempts=0, created_at=now, next_attempt_at=now)
    session = db.session()
    session.add(mail)
    session.flush()
    if current_app.config.get("MAIL_DELIVERY", "after_commit") == "after_commit":
        from app.notifications.outbox import deliver_after_commit

        app = current_app._get_current_object()  # type: ignore[attr-defined]
        bind = session.bind
        mail_id = mail.id
        on_commit(session, lambda: deliver_after_commit(app, bind, mail_id))
    return mail
