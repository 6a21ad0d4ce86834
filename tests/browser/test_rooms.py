"""Two people chat live in two pages; one drops off the network and comes back to find every
message in all seven languages; hostile messages render inert."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

GREETINGS = [
    "Hello from Tashkent",
    "Bonjour depuis Paris",
    "Hola desde Madrid",
    "Привет из Москвы",
    "مرحبا من دبي",
    "来自北京的问候",
    "Salom, Samarqanddan",
]
XSS = [
    "<script>window.__pwned = 1; alert(1)</script>",
    "<img src=x onerror=\"window.__pwned = 1; alert(2)\">",
    "[click](javascript:window.__pwned=1)",
    "<svg onload=alert(3)></svg>",
    "\"><iframe src=javascript:alert(4)></iframe>",
    "<a href=\"javascript:alert(5)\">x</a> **bold**",
]


def open_room(page: Page, base: str, email: str, name: str = "AI governance") -> None:
    sign_in(page, base, email)
    page.goto(f"{base}/rooms/")
    page.get_by_role("link", name=name).first.click()
    page.wait_for_url(re.compile(r"/rooms/\d+$"))
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")


def send(page: Page, text: str) -> None:
    page.fill("#message-form textarea", text)
    page.click("#message-form button[type=submit]")


def test_two_people_chat_and_a_dropped_page_catches_up(live_server: str, browser: Browser) -> None:
    contexts = [browser.new_context(locale="en-GB", timezone_id="UTC") for _ in range(2)]
    try:
        alice, bob = (context.new_page() for context in contexts)
        for page in (alice, bob):
            page.set_default_timeout(15_000)
        open_room(alice, live_server, "ambassador1@demo.example")
        open_room(bob, live_server, "ambassador4@demo.example")

        send(alice, "Live hello")
        expect(bob.locator("#messages .body").last).to_have_text("Live hello")

        hello = bob.locator(".room-message", has_text="Live hello").last
        hello_id = hello.get_attribute("data-id")
        hello.locator(".reply-link").click()
        expect(bob.locator("#replying")).to_be_visible()
        assert "reply_to" not in bob.url, "the script answers in place, without reloading"
        send(bob, "Live answer")
        expect(bob.locator("#replying")).to_be_hidden()
        answer = alice.locator(".room-message", has_text="Live answer").last
        expect(answer.locator(f".reply-to a[href='#m{hello_id}']")).to_have_count(1)

        contexts[1].set_offline(True)
        expect(bob.locator("#connection")).to_have_attribute("data-state", "offline",
                                                         timeout=30_000)
        for text in GREETINGS:
            send(alice, text)
        expect(alice.locator("#messages .body").last).to_have_text(GREETINGS[-1])
        contexts[1].set_offline(False)
        expect(bob.locator("#connection")).to_have_attribute("data-state", "online", timeout=30_000)
        for text in GREETINGS:
            expect(bob.locator("#messages .body", has_text=text)).to_have_count(1)
        bodies = bob.locator("#messages .body").all_inner_texts()
        assert bodies[-len(GREETINGS):] == GREETINGS
        assert bob.locator("#messages .body").last.get_attribute("dir") == "auto"
    finally:
        for context in contexts:
            context.close()


def test_hostile_messages_render_inert(live_server: str, browser: Browser) -> None:
    contexts = [browser.new_context(locale="en-GB", timezone_id="UTC") for _ in range(2)]
    dialogs: list[str] = []
    try:
        sender, reader = (context.new_page() for context in contexts)
        for page in (sender, reader):
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        open_room(sender, live_server, "ambassador7@demo.example")
        open_room(reader, live_server, "ambassador10@demo.example")
        for payload in XSS:
            send(sender, payload)
        expect(reader.locator("#messages .body").last).to_contain_text("bold")
        reader.reload()  # the server-rendered history, too
        expect(reader.locator("#messages .body").last).to_contain_text("bold")
        for page in (sender, reader):
            assert page.evaluate("window.__pwned") is None
            assert page.locator("#messages script, #messages iframe, #messages svg, "
                                "#messages img").count() == 0
            assert page.locator("#messages a[href^='javascript']").count() == 0
        assert dialogs == []
    finally:
        for context in contexts:
            context.close()


@pytest.mark.parametrize("language", ["ar", "ru"])
def test_live_unread_badges_read_as_the_server_writes_them(live_server: str, browser: Browser,
                                                           language: str) -> None:
    """A count that changes in the browser takes the plural wording of the page's language."""
    contexts = [browser.new_context(locale="en-GB", timezone_id="UTC") for _ in range(2)]
    try:
        alice, bob = (context.new_page() for context in contexts)
        for page in (alice, bob):
            page.set_default_timeout(15_000)
        open_room(alice, live_server, "ambassador1@demo.example")
        room_id = alice.url.rsplit("/", 1)[1]
        sign_in(bob, live_server, "ambassador4@demo.example")
        bob.goto(f"{live_server}/rooms/?lang={language}")
        badge = bob.locator(f'[data-room="{room_id}"] .unread-count')
        expect(badge).to_have_count(1)
        bob.wait_for_function("() => window.io && document.querySelector('[data-room]')")
        before = int(badge.get_attribute("data-count") or "0")
        for n in range(3):
            send(alice, f"{language} ping {n}")
            expect(badge).to_have_attribute("data-count", str(before + n + 1))
            live = badge.inner_text()
            bob.reload()
            expect(badge).to_have_attribute("data-count", str(before + n + 1))
            assert badge.inner_text() == live, "the live wording differs from the server's"
            assert str(before + n + 1) in live
    finally:
        for context in contexts:
            context.close()
