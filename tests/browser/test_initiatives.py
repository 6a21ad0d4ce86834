"""Initiatives in a real browser: an ambassador proposes one and a member posts an update (English);
a visitor reads the list and a demo initiative right to left at phone width (Arabic)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

NEPAL = "ambassador6@demo.example"    # Suman Adhikari, Tech Ambassador of Nepal (English)
KENYA = "ambassador23@demo.example"   # Wanjiru Kamau, Tech Ambassador of Kenya, member of the network
NETWORK_FR = "Réseau régional des équipes de réponse aux incidents"
NETWORK_EN = "Regional network of incident response teams"


def test_propose_and_post_an_update_in_english(live_server: str, browser_page: Page) -> None:
    page = browser_page
    sign_in(page, live_server, NEPAL)
    page.goto(f"{live_server}/initiatives")
    page.click("text=Propose an initiative")
    page.select_option("#language", "en")
    page.fill("#title", "Open maps for disaster response")
    page.fill("#summary", "Mountain States share map data for landslide warnings.")
    page.fill("#goal", "A shared map layer before the monsoon.")
    page.select_option("#themes", ["connectivity"])
    page.click("main form button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("TDI staff will review it")
    expect(page.locator("h1")).to_have_text("Open maps for disaster response")

    page.context.clear_cookies()
    sign_in(page, live_server, KENYA)
    page.goto(f"{live_server}/initiatives?theme=cybersecurity")
    page.click(f"text={NETWORK_EN}")
    expect(page.locator(".initiative-milestones li")).to_have_count(2)
    page.fill("#body", "Trainers from **Nairobi** are ready.")
    page.click("button:has-text('Post the update')")
    expect(page.locator(".flash-success")).to_contain_text("Your update is posted.")
    expect(page.locator(".initiative-update strong").first).to_have_text("Nairobi")


def test_visitor_reads_right_to_left_at_phone_width(live_server: str, browser: Browser) -> None:
    context = browser.new_context(locale="ar", timezone_id="Asia/Riyadh", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/initiatives")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("المبادرات المشتركة")
    expect(page.locator(".initiative-card")).to_have_count(2)  # the Arabic proposal waits for approval
    page.click(f"text={NETWORK_FR}")
    expect(page.locator("h1")).to_have_text(NETWORK_FR)
    expect(page.locator(".initiative-update")).to_have_count(1)  # the one update shared publicly
    expect(page.locator(".initiative-update strong")).to_have_text("charte")
    expect(page.locator(".initiative-milestones")).to_have_count(0)  # the work is for members
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
