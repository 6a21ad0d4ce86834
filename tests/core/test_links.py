"""external_url: absolute links under BASE_URL whatever the request's Host, and outside requests."""

from __future__ import annotations

from flask import Flask

from app.core.links import external_url


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
