"""The organisers' registration list of the demo Forum in a real browser: filter, page, tick and act,
in English and Arabic, wide and narrow; the page stays short whatever the number of registrations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/lists-shots")


def _switch_language(page: Page, language: str) -> None:
    page.click("#language-menu summary")
    page.click(f"#language-menu button[lang={language}]")
    expect(page.locator("html")).to_have_attribute("lang", language)


def _forum_manage_url(page: Page, base: str) -> str:
    page.goto(f"{base}/convenings")
    _switch_language(page, "en")
    href = page.locator("a", has_text=re.compile("Global Tech Diplomacy Forum")).first.get_attribute("href")
    forum_id = re.search(r"/convenings/(\d+)", href).group(1)
    return f"{base}/convenings/{forum_id}/manage"


def test_forum_registrations_filter_page_and_bulk(live_server: str, browser_page: Page) -> None:
    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    sign_in(page, live_server, "organiser1@demo.example")
    manage = _forum_manage_url(page, live_server)
    page.goto(manage)
    assert page.locator("input[name=ids]").count() == 50
    expect(page.locator("nav.pagination")).to_contain_text("Page 1 of")

    page.select_option("#reg-status", "confirmed")
    page.select_option("#reg-language", "en")
    page.click("form[role=search] button[type=submit]")
    expect(page).to_have_url(re.compile(r"status=confirmed.*language=en|language=en.*status=confirmed"))
    found = page.locator("p[role=status]").inner_text()
    assert re.match(r"\d+ registrations? found", found)

    page.locator("input[name=ids]").nth(0).check()
    page.locator("input[name=ids]").nth(1).check()
    page.select_option("#bulk-action", "attended")
    page.click("#bulk-form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("2 registrations updated.")
    expect(page).to_have_url(re.compile(r"status=confirmed"))

    for language in ("en", "ar"):
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(manage)
            if page.locator("html").get_attribute("lang") != language:
                _switch_language(page, language)
            height = page.evaluate("document.documentElement.scrollHeight")
            overflow = page.evaluate("document.documentElement.scrollWidth") - width
            page.screenshot(path=str(SHOTS / f"manage-{language}-{width}.png"), full_page=True)
            # Fifty rows a page, not two thousand: once 117,000 px long.
            assert height < 20_000, (language, width, height)
            assert overflow <= 1, (language, width, overflow)


def test_forum_participants_page_is_paged(live_server: str, browser_page: Page) -> None:
    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    sign_in(page, live_server, "organiser1@demo.example")
    participants = _forum_manage_url(page, live_server).replace("/manage", "/participants")
    for language in ("en", "ar"):
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(participants)
            if page.locator("html").get_attribute("lang") != language:
                _switch_language(page, language)
            assert page.locator("tbody tr").count() <= 50
            overflow = page.evaluate("document.documentElement.scrollWidth") - width
            page.screenshot(path=str(SHOTS / f"participants-{language}-{width}.png"), full_page=True)
            assert overflow <= 1, (language, width, overflow)
    page.fill("#participant-search", "ZZZ-nobody")
    page.click("form[role=search] button[type=submit]")
    expect(page.locator("p[role=status]")).to_contain_text("0")
