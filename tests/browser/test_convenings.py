"""The convenings story in a real browser: build and publish a Forum, register onto the waiting
list, get promoted, subscribe to the personal feed, and hear about a moved session."""

from __future__ import annotations

import re
import urllib.request
from datetime import date, timedelta

import pytest
import vobject
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def new_page(browser: Browser) -> Page:
    context = browser.new_context(locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_forum_story(live_server: str, browser_page: Page, browser: Browser) -> None:
    base = live_server
    day = date.today() + timedelta(days=40)
    organiser = browser_page
    sign_in(organiser, base, "organiser2@demo.example")

    # The organiser builds the Forum (one seat, so the waiting list is easy to reach) ...
    organiser.goto(f"{base}/convenings/new")
    organiser.select_option("select[name=kind]", "global_forum")
    organiser.fill("input[name=edition]", "5")
    organiser.select_option("select[name=default_language]", "en")
    organiser.fill("input[name=title_en]", "Browser Forum")
    organiser.fill("input[name=title_ar]", "منتدى المتصفح")
    organiser.select_option("select[name=themes]", ["ai_governance", "standards"])
    organiser.select_option("select[name=format]", "hybrid")
    organiser.fill("input[name=venue_name]", "Congress Hall")
    organiser.fill("input[name=venue_city]", "Samarkand")
    organiser.select_option("select[name=venue_country]", "UZ")
    organiser.fill("input[name=online_link]", "https://meet.example/browser-forum")
    organiser.select_option("select[name=timezone]", "Asia/Samarkand")
    organiser.fill("input[name=starts_at]", f"{day.isoformat()}T09:00")
    organiser.fill("input[name=ends_at]", f"{(day + timedelta(days=2)).isoformat()}T18:00")
    organiser.fill("input[name=capacity]", "1")
    organiser.select_option("select[name=visibility]", "public")
    organiser.click("form.convening-form button[type=submit]")
    organiser.wait_for_url(re.compile(r"/convenings/\d+/manage$"))
    convening_id = int(re.search(r"/convenings/(\d+)/manage", organiser.url).group(1))

    # ... adds a session and publishes.
    organiser.click(f"a[href='/convenings/{convening_id}/sessions/new']")
    organiser.fill("input[name=title]", "Opening of the browser Forum")
    organiser.select_option("select[name=kind]", "plenary")
    organiser.fill("input[name=starts_at]", f"{day.isoformat()}T09:30")
    organiser.fill("input[name=ends_at]", f"{day.isoformat()}T10:30")
    organiser.fill("input[name=location]", "Plenary hall")
    organiser.click("main form button[type=submit]")
    organiser.wait_for_url(f"{base}/convenings/{convening_id}/manage")
    organiser.click(f"form[action='/convenings/{convening_id}/publish'] button")
    organiser.wait_for_url(f"{base}/convenings/{convening_id}/manage")

    # Someone takes the only seat; the ambassador lands on the waiting list.
    holder = new_page(browser)
    sign_in(holder, base, "ambassador4@demo.example")
    holder.goto(f"{base}/convenings/{convening_id}")
    holder.click(f"form[action='/convenings/{convening_id}/register'] button")
    expect(holder.locator(".status-line")).to_have_attribute("data-status", "confirmed")

    ambassador = new_page(browser)
    sign_in(ambassador, base, "ambassador3@demo.example")
    ambassador.goto(f"{base}/convenings")
    ambassador.click("text=Browser Forum")
    expect(ambassador.locator("body")).not_to_contain_text("meet.example/browser-forum")
    ambassador.click(f"form[action='/convenings/{convening_id}/register'] button")
    expect(ambassador.locator(".status-line")).to_have_attribute("data-status", "waitlisted")

    # The seat frees up: the ambassador is promoted and told.
    holder.click(f"form[action^='/convenings/{convening_id}/registrations/'] button")
    ambassador.goto(f"{base}/convenings/{convening_id}")
    expect(ambassador.locator(".status-line")).to_have_attribute("data-status", "confirmed")
    expect(ambassador.locator("body")).to_contain_text("meet.example/browser-forum")
    ambassador.goto(f"{base}/notices")
    expect(ambassador.locator(f"a[href='/convenings/{convening_id}']").first).to_be_visible()

    # The ambassador subscribes to the personal feed.
    ambassador.goto(f"{base}/calendar")
    webcal = ambassador.locator("#webcal-link").get_attribute("href")
    assert webcal.startswith("webcal://")
    feed_url = ambassador.locator("#feed-url").input_value()
    with urllib.request.urlopen(feed_url) as response:  # noqa: S310 - loopback
        cal = vobject.readOne(response.read().decode())
    opening = next(e for e in cal.vevent_list if e.summary.value == "Opening of the browser Forum")
    assert opening.dtstart.value.hour == 9 and opening.dtstart.value.minute == 30
    first_sequence = int(opening.sequence.value)

    # The organiser moves the session; the ambassador gets a notice and the feed changes.
    organiser.goto(f"{base}/convenings/{convening_id}/manage")
    organiser.click(f"a[href^='/convenings/{convening_id}/sessions/'][href$='/edit']")
    organiser.fill("input[name=starts_at]", f"{day.isoformat()}T11:00")
    organiser.fill("input[name=ends_at]", f"{day.isoformat()}T12:00")
    organiser.click("main form button[type=submit]")
    organiser.wait_for_url(f"{base}/convenings/{convening_id}/manage")

    ambassador.goto(f"{base}/notices")
    expect(ambassador.locator("body")).to_contain_text("Opening of the browser Forum")
    with urllib.request.urlopen(feed_url) as response:  # noqa: S310 - loopback
        cal = vobject.readOne(response.read().decode())
    moved = next(e for e in cal.vevent_list if e.summary.value == "Opening of the browser Forum")
    assert (moved.dtstart.value.hour, int(moved.sequence.value) > first_sequence) == (11, True)

    # The agenda is read in Arabic, with the Arabic title, and in the viewer's own time zone.
    ambassador.goto(f"{base}/convenings/{convening_id}?lang=ar&tz=viewer")
    ambassador.click("#language-menu summary")
    ambassador.click("#language-menu button[lang=ar]")
    expect(ambassador.locator("html")).to_have_attribute("dir", "rtl")
    expect(ambassador.locator("h1")).to_contain_text("منتدى المتصفح")
    expect(ambassador.locator(".agenda .session")).to_have_count(1)
