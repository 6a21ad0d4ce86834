"""Time and dates in a real browser: a visitor's zone comes from the browser, the home page leads
to the coming Forum, and a past convening offers no Register button."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("DATES_SHOTS", "/tmp/dates-shots"))


@pytest.fixture
def new_york(browser: Browser) -> Iterator[Page]:
    """A visitor whose browser is in New York."""
    context = browser.new_context(locale="en-US", timezone_id="America/New_York")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_visitor_sees_new_york_times_and_can_change_zone(live_server: str, new_york: Page) -> None:
    page = new_york
    page.goto(f"{live_server}/?lang=en")
    # The first page was written in UTC; zone.js keeps the browser's zone and loads it once more.
    expect(page.locator("[data-visitor-zone]")).to_have_attribute("data-visitor-zone",
                                                                   "America/New_York")
    assert {c["name"]: c["value"] for c in page.context.cookies()}["tz"] == "America/New_York"
    forum = page.locator(".coming-forum")
    expect(forum).to_contain_text("New York time")
    expect(forum).to_contain_text("Samarkand")
    forum.locator("a").first.click()
    header = page.locator("article.convening header")
    expect(header).to_contain_text("New York time")
    expect(header).to_contain_text("in Samarkand, the event's time")
    assert ":00:00" not in header.inner_text()
    # The visitor picks another zone; the browser's guess no longer overrides it.
    page.locator("footer a", has_text="Change").click()
    page.select_option("select[name=timezone]", "Asia/Kolkata")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("article.convening header")).to_contain_text("Kolkata time")
    page.reload()
    expect(page.locator("[data-visitor-zone]")).to_have_attribute("data-visitor-zone", "Asia/Kolkata")


def test_past_convening_has_no_register_button(live_server: str, browser_page: Page) -> None:
    page = browser_page
    sign_in(page, live_server, "ambassador3@demo.example")
    page.goto(f"{live_server}/convenings?when=past&kind=global_forum&lang=en")
    page.locator("main a[href*='/convenings/']").first.click()
    box = page.locator(".registration-box")
    # This member registered for it: the page says it ended (in the member's language, which
    # other browser tests may have changed) and offers neither Register nor Cancel.
    expect(box.locator(".status-line[data-status=ended]")).to_have_text(re.compile(r"\S{3}"))
    expect(box.locator("form")).to_have_count(0)
    expect(box.locator("button")).to_have_count(0)


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [1280, 390])
def test_dates_pages_render_in_both_directions(live_server: str, browser: Browser, language: str,
                                               width: int) -> None:
    context = browser.new_context(locale="en-US", timezone_id="America/New_York",
                                  viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.goto(f"{live_server}/?lang={language}")
        expect(page.locator("[data-visitor-zone]")).to_have_attribute("data-visitor-zone",
                                                                       "America/New_York")
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        expect(page.locator(".coming-forum")).to_be_visible()
        page.screenshot(path=str(SHOTS / f"home-{language}-{width}.png"), full_page=True)
        page.locator(".coming-forum a").first.click()
        page.wait_for_load_state()
        page.goto(f"{page.url}?lang={language}")
        page.screenshot(path=str(SHOTS / f"forum-{language}-{width}.png"))
        page.goto(f"{live_server}/time-zone?lang={language}")
        page.screenshot(path=str(SHOTS / f"picker-{language}-{width}.png"))
        # Nothing sticks out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    finally:
        context.close()


def test_live_unread_count_keeps_its_space(browser_page: Page) -> None:
    """rooms.js rewrites only the number of a count badge ("15 unread" becomes "16 unread")."""
    source = (Path(__file__).resolve().parents[2] / "app/static/js/rooms.js").read_text()
    line = next(x for x in source.splitlines() if "badge.textContent = badge.textContent" in x)
    expression = line.split("=", 1)[1].strip().rstrip(";").replace("badge.textContent", "text")
    for text, value, expected in (("15 unread", 16, "16 unread"), ("1 غير مقروءة", 2, "2 غير مقروءة"),
                                  ("1,204 unread", 1205, "1205 unread")):
        got = browser_page.evaluate(f"([text, value]) => {expression}", [text, value])
        assert got == expected
