"""Two ambassadors find each other through a suggestion, request and accept; the organiser
schedules; both see the meeting with its table on the page and in their calendar feed."""

from __future__ import annotations

import re
import urllib.request

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

AMINA = ("ambassador22@demo.example", "Chinedu Okafor")
BRUNO = ("ambassador23@demo.example", "Wanjiru Kamau")


def new_page(browser: Browser) -> Page:
    context = browser.new_context(locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def forum_id(page: Page, base: str) -> int:
    page.goto(f"{base}/convenings")
    href = page.locator("a", has_text=re.compile(r"^Global Tech Diplomacy Forum")).first.get_attribute("href")
    return int(re.search(r"/convenings/(\d+)", href).group(1))


def take_part(page: Page, base: str, convening_id: int, offers: str, seeks: str) -> None:
    """Write the profile, then opt in with every slot."""
    page.goto(f"{base}/matchmaking/profile?convening={convening_id}")
    page.select_option("select[name=offers]", [offers])
    page.select_option("select[name=seeks]", [seeks])
    page.select_option("select[name=languages]", ["en", "sw"])
    page.click("form.matchmaking-profile button[type=submit]")
    page.wait_for_url(re.compile(rf"/convenings/{convening_id}/matchmaking"))
    form = page.locator("#participation-form")
    form.locator("input[name=opted_in]").check()
    for box in form.locator("input[name=slots]").all():
        box.check()
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()


def feed_text(page: Page, base: str) -> str:
    page.goto(f"{base}/calendar")
    address = page.locator("#feed-url").input_value()
    with urllib.request.urlopen(address, timeout=10) as response:  # noqa: S310 - loopback
        return response.read().decode()


def test_two_ambassadors_meet(live_server: str, browser_page: Page, browser: Browser) -> None:
    base = live_server
    amina, bruno = browser_page, new_page(browser)
    sign_in(amina, base, AMINA[0])
    sign_in(bruno, base, BRUNO[0])
    convening_id = forum_id(amina, base)
    page_url = f"{base}/convenings/{convening_id}/matchmaking"

    take_part(bruno, base, convening_id, offers="health_data", seeks="telecom_regulation")
    take_part(amina, base, convening_id, offers="telecom_regulation", seeks="health_data")

    # Amina sees Bruno among her suggestions, with the reason in words, and asks for a meeting.
    amina.goto(page_url)
    card = amina.locator(".suggestion", has_text=BRUNO[1])
    expect(card).to_contain_text("offers Health data, which you seek")
    expect(card).to_contain_text("you both speak")
    card.locator("summary").click()
    card.locator("textarea[name=message]").fill("Shall we compare telecom rules?")
    card.locator("button[type=submit]").click()
    expect(amina.locator(".flash-success")).to_be_visible()

    # Bruno accepts.
    bruno.goto(page_url)
    request = bruno.locator("#requests li", has_text=AMINA[1])
    expect(request).to_contain_text("Shall we compare telecom rules?")
    request.get_by_role("button", name="Accept").click()
    expect(bruno.locator(".flash-success")).to_be_visible()

    # The organiser runs the schedule.
    organiser = new_page(browser)
    sign_in(organiser, base, "organiser2@demo.example")
    organiser.goto(f"{page_url}/organise")
    organiser.get_by_role("button", name="Schedule all accepted requests").click()
    expect(organiser.locator(".flash-success")).to_be_visible()

    # Both see the meeting with its table, on the page and in their calendar feed.
    tables = []
    for page, other in ((amina, BRUNO[1]), (bruno, AMINA[1])):
        page.goto(page_url)
        row = page.locator("#schedule-heading ~ .table-wrap tr", has_text=other)
        expect(row).to_contain_text(re.compile(r"Table \d+"))
        tables.append(re.search(r"Table (\d+)", row.inner_text()).group(1))
        feed = feed_text(page, base)
        assert f"Bilateral meeting with {other}, table {tables[-1]}" in feed.replace("\r\n ", "").replace("\\,", ",")
    assert tables[0] == tables[1]
