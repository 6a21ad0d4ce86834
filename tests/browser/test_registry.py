"""The Supporting Partner path in a real browser: application, e-mail confirmation, approval,
publication in the public registry."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.conftest import Mailbox

pytestmark = pytest.mark.browser


def wait_for_mail(box: Mailbox, address: str, count: int = 1, timeout: float = 15) -> str:
    """The body of the `count`-th message to `address`, once it has arrived."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = box.to(address)
        if len(messages) >= count:
            return messages[count - 1].get_body(("plain",)).get_content()
        time.sleep(0.2)
    raise AssertionError(f"no message {count} to {address}")


def test_application_approval_and_publication(live_server: str, browser_page: Page,
                                              smtp_server: tuple[int, Mailbox]) -> None:
    page, box = browser_page, smtp_server[1]
    address = "grace@greenbytes.example.org"
    page.goto(f"{live_server}/registry/apply")
    page.fill("#name", "Green Bytes Initiative")
    page.select_option("#category", "civil_society")
    page.select_option("#country", "KE")
    page.fill("#website", "https://greenbytes.example.org")
    page.fill("#contact_name", "Grace Wanjiku")
    page.fill("#contact_email", address)
    page.fill("#statement", "We endorse the Declaration and will train rural youth.")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Check your e-mail")

    link = re.search(r"http://\S+/registry/partners/confirm/\S+", wait_for_mail(box, address)).group(0)
    page.goto(link)
    expect(page.locator(".flash-success")).to_contain_text("your address is confirmed")
    page.goto(f"{live_server}/registry?q=Green+Bytes")
    expect(page.locator("#partners-heading")).to_contain_text("(0)")

    sign_in(page, live_server, "organiser2@demo.example")
    page.goto(f"{live_server}/registry/manage")
    page.click("text=Green Bytes Initiative")
    expect(page.locator("dl.facts")).to_contain_text(address)
    page.click("button:has-text('Approve and publish')")
    expect(page.locator(".flash-success")).to_contain_text("is published as a Supporting Partner")
    assert "Green Bytes Initiative" in wait_for_mail(box, address, 2)

    page.goto(f"{live_server}/registry?q=green+bytes&kind=partners")
    page.click("text=Green Bytes Initiative")
    expect(page.locator("h1")).to_have_text("Green Bytes Initiative")
    expect(page.locator("main")).not_to_contain_text(address)
    page.goto(f"{live_server}/registry/notifications")
    expect(page.locator(".notice-list li").first).to_contain_text("Green Bytes Initiative")
