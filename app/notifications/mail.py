"""Outgoing e-mail: composed in the recipient's language, sent only after the transaction commits."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale

from app.core.db import on_commit
from app.extensions import db

log = logging.getLogger(__name__)


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


def queue_email(to: str, template: str, locale: str, *, attachments: tuple[Attachment, ...] = (),
                **context: object) -> None:
    """Compose an e-mail now and send it once the current transaction commits."""
    subject, body = render_email(template, locale, **context)
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="caravanserai.example")
    message.set_content(body)
    for item in attachments:
        message.add_attachment(item.content, maintype=item.maintype, subtype=item.subtype,
                               filename=item.filename, params=item.params)
    # set_content() and add_attachment() move content headers into the parts, so the language
    # goes on last.
    message["Content-Language"] = locale
    settings = _smtp_settings()
    on_commit(db.session(), lambda: send_message(message, settings))


def _smtp_settings() -> dict[str, object]:
    config = current_app.config
    return {
        "host": config["MAIL_SERVER"],
        "port": config["MAIL_PORT"],
        "username": config["MAIL_USERNAME"],
        "password": config["MAIL_PASSWORD"],
        "tls": config["MAIL_USE_TLS"],
        "suppress": config["MAIL_SUPPRESS_SEND"],
    }


def send_message(message: EmailMessage, settings: dict[str, object]) -> None:
    """Hand one message to the SMTP server; a failure is logged, never raised into the request."""
    if settings["suppress"]:
        log.info("mail suppressed: %s to %s", message["Subject"], message["To"])
        return
    try:
        with smtplib.SMTP(str(settings["host"]), int(settings["port"]), timeout=10) as smtp:  # type: ignore[call-overload]
            if settings["tls"]:
                smtp.starttls()
            if settings["username"]:
                smtp.login(str(settings["username"]), str(settings["password"]))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send mail %s to %s", message["Subject"], message["To"])
