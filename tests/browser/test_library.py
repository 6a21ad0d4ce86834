"""The library in a real browser: an ambassador shares a practice, staff publish it, and readers
find the demo's Senegalese practice in English, Chinese and Arabic (right to left)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

KENYA = "ambassador23@demo.example"   # Wanjiru Kamau, Tech Ambassador of Kenya
SENEGAL_TITLE = "Espaces numériques communautaires dans les régions"


def test_share_review_and_publish_in_english(live_server: str, browser_page: Page) -> None:
    page = browser_page
    sign_in(page, live_server, KENYA)
    page.goto(f"{live_server}/library")
    page.click("text=Share a practice")
    page.select_option("#language", "en")
    page.fill("#title", "County innovation hubs")
    page.fill("#summary", "Shared workshops where start-ups meet county officials.")
    page.fill("#body", "Each hub has a **mentor** and a public data desk.")
    page.select_option("#kind", "programme")
    page.fill("#year", "2025")
    page.select_option("#themes", ["digital_inclusion"])
    page.click("main form button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("Your draft is saved")
    expect(page.locator(".practice-body strong")).to_have_text("mentor")
    page.click("button:has-text('Submit for review')")
    expect(page.locator(".flash-success")).to_contain_text("Sent to TDI staff for review")
    practice_url = page.url.split("?")[0]

    page.context.clear_cookies()
    sign_in(page, live_server, "organiser2@demo.example")
    page.goto(practice_url)
    page.click("button:has-text('Publish')")
    expect(page.locator(".flash-success")).to_contain_text("Published")
    page.context.clear_cookies()
    page.goto(f"{live_server}/library?q=hubs")
    expect(page.locator(".practice-card h2")).to_have_text("County innovation hubs")


def test_reader_in_arabic_finds_practice_by_chinese_words(live_server: str, browser: Browser) -> None:
    context = browser.new_context(locale="ar", timezone_id="Asia/Riyadh")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/library?q=数字空间")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("مكتبة الممارسات الوطنية")
    expect(page.locator(".practice-card")).to_have_count(1)
    page.click(f"text={SENEGAL_TITLE}")
    expect(page.locator("h1")).to_have_text(SENEGAL_TITLE)
    expect(page.locator(".language-note")).to_contain_text("غير متاحة بلغتك بعد")
    page.click(".language-note a[lang=zh]")
    expect(page.locator("h1")).to_have_text("各地区社区数字空间")
    expect(page.locator(".language-note")).to_contain_text("Li Wenjing")
    page.goto(f"{live_server}/library/impact")
    expect(page.locator("main")).to_contain_text("جنوب–جنوب")
    expect(page.locator("main")).to_contain_text("استفادت نيبال من تجربة السنغال")
    context.close()
