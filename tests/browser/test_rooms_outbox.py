"""Nothing a member writes is lost: the rooms.js outbox keeps unsent messages across a reload,
delivers them once when the server is back, and offers Retry, Edit and Discard after a refusal."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
ROOM = "Digital inclusion"
SHOTS = Path(os.environ.get("ROOMS_SHOTS", "/tmp/chat-shots"))


def _open(page: Page, base: str, email: str) -> None:
    sign_in(page, base, email)
    page.goto(f"{base}/rooms/")
    page.get_by_role("link", name=ROOM).first.click()
    page.wait_for_url(re.compile(r"/rooms/\d+$"))


def _send(page: Page, text: str) -> None:
    page.fill("#message-form textarea", text)
    page.click("#message-form button[type=submit]")


def test_a_message_written_while_the_server_is_unreachable_survives_a_reload_and_arrives_once(
        live_server: str, browser: Browser) -> None:
    context = browser.new_context(locale="en-GB", timezone_id="UTC")
    reader_context = browser.new_context(locale="en-GB", timezone_id="UTC")
    blocked = {"on": False}

    def socket_route(ws: WebSocketRoute) -> None:
        # While "down", the socket opens but no server answers: Socket.IO never connects.
        if not blocked["on"]:
            ws.connect_to_server()

    try:
        page, reader = context.new_page(), reader_context.new_page()
        for each in (page, reader):
            each.set_default_timeout(20_000)
        page.route_web_socket(re.compile(r".*/socket\.io/.*"), socket_route)
        _open(reader, live_server, "ambassador35@demo.example")
        _open(page, live_server, "ambassador10@demo.example")
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")

        blocked["on"] = True
        page.reload()
        _send(page, "Written while the server was away")
        pending = page.locator("#outbox .room-message.pending")
        expect(pending).to_have_count(1)
        expect(pending.locator(".outbox-status")).to_have_text("Sending…")
        expect(page.locator("#message-form textarea")).to_have_value("")

        page.reload()  # still unreachable: the message is still there, still pending
        expect(page.locator("#outbox .room-message.pending .body")).to_have_text(
            "Written while the server was away")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "outbox-pending-en-1280.png"), full_page=True)

        blocked["on"] = False
        page.reload()
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")
        expect(page.locator("#outbox .room-message")).to_have_count(0)
        delivered = page.locator("#messages .body", has_text="Written while the server was away")
        expect(delivered).to_have_count(1)
        expect(reader.locator("#messages .body",
                              has_text="Written while the server was away")).to_have_count(1)
        assert page.evaluate("Object.keys(localStorage).filter(k => k.includes('outbox'))") == []
        page.reload()
        expect(page.locator("#messages .body",
                            has_text="Written while the server was away")).to_have_count(1)
    finally:
        context.close()
        reader_context.close()


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("en", 390), ("ar", 1280),
                                                 ("ar", 390)])
def test_a_refused_message_is_kept_with_retry_edit_and_discard(live_server: str, browser: Browser,
                                                               language: str, width: int) -> None:
    context = browser.new_context(locale="en-GB", timezone_id="UTC",
                                  viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        _open(page, live_server, "ambassador10@demo.example")
        page.click("#language-menu summary")
        page.click(f"#language-menu button[lang={language}]")
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.set_viewport_size({"width": width, "height": 900})
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")
        too_long = "طويل جدا " * 500 if language == "ar" else "far too long " * 400
        _send(page, too_long)
        failed = page.locator("#outbox .room-message.failed")
        expect(failed).to_have_count(1)
        expect(failed.locator(".outbox-status")).to_contain_text(
            "A message has at most 4000 characters" if language == "en" else "لم تُرسَل")
        buttons = failed.locator("button")
        expect(buttons).to_have_count(3)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"outbox-refused-{language}-{width}.png"),
                        full_page=True)
        page.reload()  # a refused message is kept too, until the member decides
        failed = page.locator("#outbox .room-message.failed")
        expect(failed).to_have_count(1)
        failed.locator("button[data-action=retry]").click()
        expect(page.locator("#outbox .room-message.failed")).to_have_count(1)  # refused again
        page.locator("#outbox button[data-action=edit]").click()
        expect(page.locator("#outbox .room-message")).to_have_count(0)
        assert page.locator("#message-form textarea").input_value() == too_long.strip()
        page.fill("#message-form textarea", "Shorter now")
        page.click("#message-form button[type=submit]")
        expect(page.locator("#messages .body", has_text="Shorter now").last).to_be_visible()
        _send(page, too_long)
        expect(page.locator("#outbox .room-message.failed")).to_have_count(1)
        page.locator("#outbox button[data-action=discard]").click()
        expect(page.locator("#outbox .room-message")).to_have_count(0)
        assert page.evaluate("Object.keys(localStorage).filter(k => k.includes('outbox'))") == []
    finally:
        context.close()


def test_the_form_without_javascript_keeps_the_text_when_refused(live_server: str,
                                                                 browser: Browser) -> None:
    context = browser.new_context(locale="en-GB", timezone_id="UTC", java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        _open(page, live_server, "ambassador38@demo.example")
        too_long = "no script, but too long " * 200
        page.fill("#message-form textarea", too_long)
        page.click("#message-form button[type=submit]")
        expect(page.locator("#message-form")).to_contain_text("4000")
        assert page.locator("#message-form textarea").input_value().strip() == too_long.strip()
        page.fill("#message-form textarea", "No script, short enough")
        page.click("#message-form button[type=submit]")
        expect(page.locator("#messages .body", has_text="No script, short enough")).to_have_count(1)
    finally:
        context.close()
