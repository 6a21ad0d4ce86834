"""The durable e-mail outbox: stored with the change, sent once, retried with back-off."""

from __future__ import annotations

import re
import statistics
import time
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import func, select

from app.core.db import on_commit, unit_of_work, utcnow
from app.core.errors import Forbidden
from app.core.permissions import Role
from app.extensions import db
from app.notifications import outbox_backlog
from app.notifications.mail import Attachment, queue_email
from app.notifications.models import MailStatus, OutboxMail
from app.notifications.outbox import backoff, send_queued
from app.notifications.services import list_undelivered_mail, notify, retry_mail
from app.registry import services as registry
from tests.conftest import csrf_token, free_port


def _mails(session) -> list[OutboxMail]:
    session.expire_all()
    return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_smtp_down_then_up_delivers_every_mail_exactly_once(app, session, make_user, mailbox,
                                                            monkeypatch) -> None:
    users = [make_user() for _ in range(3)]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    for user in users:
        notify(user, "mention", {"room": "x"}, email=True)
    queue_email(users[0].email, "email/notice", "en", text="with a file", link=None, user=users[0],
                attachments=(Attachment("a.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text", "calendar"),))
    session.commit()  # after_commit delivery tries at once, and fails
    mails = _mails(session)
    assert len(mails) == 4 and not mailbox
    assert all(m.status == MailStatus.PENDING and m.attempts == 1 and m.last_error for m in mails)
    assert all(m.next_attempt_at > utcnow() + timedelta(seconds=50) for m in mails)
    # Not due yet: a pass sends nothing, even with the server back.
    monkeypatch.setitem(app.config, "MAIL_PORT", app.config["TEST_SMTP_PORT"])
    assert send_queued().sent == 0 and not mailbox
    report = send_queued(now=utcnow() + timedelta(minutes=2))
    assert report.sent == 4
    assert send_queued(now=utcnow() + timedelta(days=1)).sent == 0
    assert sorted(m["To"] for m in mailbox) == sorted([u.email for u in users] + [users[0].email])
    assert len({m["Message-ID"] for m in mailbox}) == 4
    mails = _mails(session)
    assert all(m.status == MailStatus.SENT and m.sent_at and m.attempts == 2 and m.last_error is None
               for m in mails)
    with_file = next(m for m in mailbox if any(p.get_filename() == "a.ics" for p in m.walk()))
    assert "with a file" in with_file.get_body(("plain",)).get_content()


def test_back_off_doubles_and_gives_up_after_max_attempts(app, session, make_user, mailbox,
                                                          monkeypatch) -> None:
    assert [backoff(n, 60).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(30, 60) == timedelta(hours=6)
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    user = make_user()
    notify(user, "mention", {"room": "x"}, email=True)
    session.commit()
    later = utcnow()
    for _ in range(3):
        later += timedelta(hours=7)
        send_queued(now=later)
    [mail] = _mails(session)
    assert mail.status == MailStatus.FAILED and mail.attempts == 3 and "Error" in mail.last_error


def test_sent_mail_is_purged_after_the_keeping_period(app, session, make_user, mailbox) -> None:
    user = make_user()
    notify(user, "mention", {"room": "x"}, email=True)
    session.commit()
    assert len(mailbox) == 1
    assert send_queued(now=utcnow() + timedelta(days=app.config["MAIL_KEEP_SENT_DAYS"] - 1)).purged == 0
    assert send_queued(now=utcnow() + timedelta(days=app.config["MAIL_KEEP_SENT_DAYS"] + 1)).purged == 1
    assert _mails(session) == []


def test_a_rolled_back_change_stores_and_sends_no_mail(app, session, make_user, mailbox) -> None:
    user = make_user()
    try:
        with unit_of_work():
            notify(user, "mention", {"room": "x"}, email=True)
            raise RuntimeError("the change fails")
    except RuntimeError:
        pass
    assert _mails(session) == [] and not mailbox


def test_worker_mode_sends_nothing_in_the_request_and_backlog_reports_it(app, session, make_user,
                                                                         mailbox, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "worker")
    user = make_user()
    notify(user, "mention", {"room": "x"}, email=True)
    session.commit()
    assert not mailbox
    backlog = outbox_backlog()
    assert backlog.due == 1 and 0 <= backlog.oldest_age_seconds < 60
    result = app.test_cli_runner().invoke(args=["mail", "status"])
    assert '"pending": 1' in result.output and '"due": 1' in result.output
    result = app.test_cli_runner().invoke(args=["mail", "send-queued"])
    assert result.exit_code == 0 and "sent 1" in result.output
    assert len(mailbox) == 1 and outbox_backlog().due == 0


def test_password_reset_waits_on_no_smtp_and_takes_the_same_time(app, client, make_user, mailbox,
                                                                 monkeypatch) -> None:
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "worker")
    user = make_user()

    def ask(email: str) -> float:
        token = csrf_token(client, "/reset")
        start = time.perf_counter()
        response = client.post("/reset", data={"email": email, "csrf_token": token})
        elapsed = time.perf_counter() - start
        assert response.status_code == 302
        return elapsed

    known, unknown = [], []
    for _ in range(5):  # interleaved, so both see the same load on a shared machine
        known.append(ask(user.email))
        unknown.append(ask("nobody-here@example.org"))
    assert not mailbox  # no SMTP conversation inside any request
    slower = max(statistics.median(known), statistics.median(unknown))
    assert abs(statistics.median(known) - statistics.median(unknown)) < max(0.05, slower / 2)
    assert db.session.scalar(select(func.count(OutboxMail.id))) == 5
    assert send_queued().sent == 5 and len(mailbox.to(user.email)) == 5


def test_headers_and_alternatives_parse_with_the_standard_library(app, session, make_user,
                                                                  mailbox) -> None:
    user = make_user(locale="ar")
    notify(user, "mention", {"room": "x"}, email=True, link="http://127.0.0.1/rooms/1")
    session.commit()
    [message] = mailbox
    assert abs(parsedate_to_datetime(message["Date"]) - utcnow()) < timedelta(minutes=1)
    domain = app.config.get("MAIL_MESSAGE_ID_DOMAIN") or "127.0.0.1"
    assert message["Message-ID"].strip("<>").endswith("@" + domain)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"] is None
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    urls = re.findall(r"https?://\S+", plain)
    assert 'dir="rtl"' in html and urls and all(f'<a href="{url}">' in html for url in urls)
    for line in filter(None, (line.strip() for line in plain.splitlines())):
        assert line.replace("'", "&#x27;").replace('"', "&quot;") in html


def test_message_id_domain_is_configurable(app, session, make_user, mailbox, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "MAIL_MESSAGE_ID_DOMAIN", "mail.tdi.example")
    notify(make_user(), "mention", {"room": "x"}, email=True)
    session.commit()
    assert mailbox[0]["Message-ID"].endswith("@mail.tdi.example>")


def test_depositary_notifications_carry_one_click_unsubscribe(app, client, session, mailbox) -> None:
    subscription = registry.subscribe("reader@example.org", "fr")
    registry.confirm_subscription(subscription.token)
    session.commit()
    mailbox.clear()
    registry.issue_notification(None, "endorsement", name="Acme", country="FR", date="2026-12-01")
    session.commit()
    [message] = mailbox.to("reader@example.org")
    url = message["List-Unsubscribe"].strip("<>")
    assert url.endswith(f"/registry/subscriptions/{subscription.token}/unsubscribe")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    path = url.split("://", 1)[1].split("/", 1)[1]
    # What a mail client does on one click (RFC 8058): a POST with no session and no form token.
    response = client.post("/" + path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert client.post("/" + path, data={"List-Unsubscribe": "One-Click"}).status_code == 404


def test_after_commit_callbacks_are_isolated(app, session, make_user, caplog, monkeypatch) -> None:
    import app.core.db as core_db

    # Alembic's logging setup (the migration tests) disables loggers created before it.
    monkeypatch.setattr(core_db.log, "disabled", False)
    user = make_user()
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("broadcast server gone")

    with unit_of_work():
        user.display_name = "Stored anyway"
        on_commit(db.session(), broken)
        on_commit(db.session(), lambda: ran.append("second"))
    assert ran == ["second"]
    assert "after-commit callback" in caplog.text and "broadcast server gone" in caplog.text
    session.expire_all()
    assert session.get(type(user), user.id).display_name == "Stored anyway"


def test_outbox_page_is_for_organisers_and_retries_failed_mail(app, session, login_as, make_user,
                                                               mailbox, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 1)
    notify(make_user(), "mention", {"room": "x"}, email=True)
    session.commit()
    [mail] = _mails(session)
    assert mail.status == MailStatus.FAILED
    member = make_user(Role.AMBASSADOR)
    for refused in (lambda: list_undelivered_mail(member), lambda: retry_mail(member, mail.id)):
        with pytest.raises(Forbidden):
            refused()
    client, _ = login_as(Role.ORGANISER)
    page = client.get("/mail/outbox?lang=fr").get_data(as_text=True)
    assert mail.subject in page and "ConnectionRefusedError" in page
    token = csrf_token(client, "/mail/outbox")
    assert client.post(f"/mail/outbox/{mail.id}/retry", data={"csrf_token": token}).status_code == 302
    assert client.post("/mail/outbox/99999999999999999999/retry", data={"csrf_token": token}).status_code == 404
    monkeypatch.setitem(app.config, "MAIL_PORT", app.config["TEST_SMTP_PORT"])
    assert send_queued().sent == 1 and len(mailbox) == 1
    assert client.post(f"/mail/outbox/{mail.id}/retry", data={"csrf_token": token}).status_code == 409
