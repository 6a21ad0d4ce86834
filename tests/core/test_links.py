"""external_url: absolute links under BASE_URL whatever the request's Host, and outside requests."""

from __future__ import annotations

from email import message_from_bytes

from flask import Flask
from sqlalchemy import select

from app.accounts import services as accounts
from app.core.links import external_url
from app.notifications.models import OutboxMail


def test_outside_a_request_the_link_is_under_base_url(app_ctx: Flask, monkeypatch) -> None:
    monkeypatch.setitem(app_ctx.config, "BASE_URL", "https://caravanserai.example.org")
    assert external_url("accounts.reset_password", token="abc") == \
        "https://caravanserai.example.org/reset/abc"


def test_inside_a_request_the_host_header_is_ignored(app_ctx: Flask, monkeypatch) -> None:
    monkeypatch.setitem(app_ctx.config, "BASE_URL", "https://caravanserai.example.org")
    with app_ctx.test_request_context("/", base_url="http://attacker.example.net"):
        link = external_url("library.practice", practice_id=7)
    assert link == "https://caravanserai.example.org/library/7"


def test_a_base_url_with_a_path_prefix_keeps_it(app_ctx: Flask, monkeypatch) -> None:
    monkeypatch.setitem(app_ctx.config, "BASE_URL", "https://example.org/tdi")
    assert external_url("accounts.accept_invitation", token="t0k") == \
        "https://example.org/tdi/invitations/t0k"


def test_values_are_quoted(app_ctx: Flask, monkeypatch) -> None:
    monkeypatch.setitem(app_ctx.config, "BASE_URL", "https://example.org")
    assert external_url("library.theme_feed", theme="a b") == "https://example.org/library/themes/a%20b.atom"



def test_a_reset_mail_asked_for_under_another_host_links_to_base_url(app_ctx: Flask, session, make_user,
                                                                     monkeypatch) -> None:
    monkeypatch.setitem(app_ctx.config, "BASE_URL", "https://caravanserai.example.org")
    user = make_user()
    with app_ctx.test_request_context("/reset", base_url="http://evil.example.net"):
        token = accounts.request_password_reset(user.email)
    mail = session.scalars(select(OutboxMail).where(OutboxMail.to_address == user.email)).one()
    text = "".join(part.get_payload(decode=True).decode() for part in message_from_bytes(mail.message).walk()
                   if part.get_content_type() == "text/plain")
    assert f"https://caravanserai.example.org/reset/{token}" in text
    assert "evil.example.net" not in text
