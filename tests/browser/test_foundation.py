"""The foundation in a real browser: sign in, switch to Arabic, sign out; accessibility."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_sign_in_switch_to_arabic_and_sign_out(live_server: str, browser_page: Page) -> None:
    page = browser_page
    sign_in(page, live_server, "ambassador1@demo.example")
    expect(page.locator("#user-menu summary")).to_contain_text("Dilnoza Rashidova")

    page.click("#language-menu summary")
    page.click("#language-menu button[lang=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    header = page.locator(".header-inner").bounding_box()
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] + brand["width"] > header["x"] + header["width"] / 2, "brand should sit on the right in RTL"

    # The choice is stored on the account: a new page load stays in Arabic.
    page.goto(f"{live_server}/profile")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("#profile-locale")).to_have_value("ar")

    page.click("#user-menu summary")
    page.click("#user-menu form button")
    page.wait_for_url(f"{live_server}/")
    expect(page.locator("header a[href='/login']")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def test_visitor_language_switch_uses_a_cookie(live_server: str, browser_page: Page) -> None:
    page = browser_page
    page.goto(f"{live_server}/")
    page.click("#language-menu summary")
    page.click("#language-menu button[lang=zh]")
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    page.goto(f"{live_server}/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh")


def test_wrong_password_shows_an_error_and_keeps_the_visitor_out(live_server: str, browser_page: Page) -> None:
    page = browser_page
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "ambassador2@demo.example")
    page.fill("input[name=password]", "not the password")
    page.click("main form button[type=submit]")
    expect(page.locator(".flash-error")).to_contain_text("not correct")
    page.goto(f"{live_server}/profile")
    assert "/login" in page.url


@pytest.mark.parametrize("path", ["/", "/login", "/reset", "/profile", "/admin/users",
                                  "/admin/invitations/new", "/notices"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_main_pages_have_no_serious_accessibility_violations(live_server: str, browser_page: Page,
                                                             path: str, language: str) -> None:
    page = browser_page
    signed_in = path not in ("/", "/login", "/reset")
    if signed_in:
        sign_in(page, live_server, "admin1@demo.example")
    page.goto(f"{live_server}{path}?lang={language}")
    if signed_in and language != "en":
        choose_language(page, language)
    try:
        expect(page.locator("html")).to_have_attribute("lang", language)
        results = Axe().run(page)
    finally:
        if signed_in and language != "en":
            choose_language(page, "en")
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, results.generate_report()


def choose_language(page: Page, language: str) -> None:
    """Use the header's language switcher."""
    page.click("#language-menu summary")
    page.click(f"#language-menu button[lang={language}]")
    expect(page.locator("html")).to_have_attribute("lang", language)
