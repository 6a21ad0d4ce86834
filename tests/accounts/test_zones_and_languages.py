"""Zones members are really in, and languages that stick from invitations and applications."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.accounts import services
from app.accounts.models import User
from app.core.db import unit_of_work
from app.core.permissions import Role
from app.registry import services as registry
from tests.conftest import csrf_token

BANNER = 'class="zone-banner'


def lang_of(html: str) -> str:
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_invitation_page_speaks_the_invitations_language_and_proposes_the_states_zone(
        client, login_as, session, mailbox) -> None:
    client, organiser = login_as(Role.ORGANISER)
    with unit_of_work():
        _invitation, token = services.invite(organiser, "mere@example.org", "ambassador",
                                             locale="ar", nation_iso2="FJ")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/profile")})
    english_browser = {"Accept-Language": "en-GB,en;q=0.9"}
    html = client.get(f"/invitations/{token}", headers=english_browser).get_data(as_text=True)
    assert lang_of(html) == "ar" and 'dir="rtl"' in html
    assert re.search(r'<option selected value="Pacific/Fiji">|<option value="Pacific/Fiji" selected',
                     html), "the State's main zone is proposed"
    assert "data-browser-zone" in html and re.search(r"js/zone\.[0-9a-f]{12}\.js", html)
    response = client.post(f"/invitations/{token}", headers=english_browser, data={
        "display_name": "Mere Tuilau", "password": "a-fine-long-password",
        "timezone": "Pacific/Fiji", "csrf_token": csrf_token(client, f"/invitations/{token}")})
    assert response.status_code == 302
    assert "lang=ar" in response.headers.get("Set-Cookie", "")
    user = session.scalar(select(User).where(User.email == "mere@example.org"))
    assert (user.locale, user.timezone, user.timezone_confirmed) == ("ar", "Pacific/Fiji", True)
    home = client.get("/", headers=english_browser).get_data(as_text=True)
    assert lang_of(home) == "ar" and BANNER not in home


def test_a_visitor_who_chose_a_language_keeps_it_on_the_invitation(client, login_as) -> None:
    client, organiser = login_as(Role.ORGANISER)
    with unit_of_work():
        _invitation, token = services.invite(organiser, "x@example.org", "observer", locale="ru")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/profile")})
    assert lang_of(client.get(f"/invitations/{token}").get_data(as_text=True)) == "ru"
    assert lang_of(client.get(f"/invitations/{token}?lang=fr").get_data(as_text=True)) == "fr"


def test_banner_asks_members_on_a_guess_and_confirming_saves_the_zone(client, login_as,
                                                                      session) -> None:
    client, user = login_as(timezone="UTC", timezone_confirmed=False)
    html = client.get("/convenings").get_data(as_text=True)
    assert BANNER in html and re.search(r"js/zone\.[0-9a-f]{12}\.js", html)
    token = csrf_token(client, "/convenings")
    bad = client.post("/profile/timezone", data={"timezone": "Mars/Olympus", "csrf_token": token})
    assert bad.status_code == 302
    session.refresh(user)
    assert (user.timezone, user.timezone_confirmed) == ("UTC", False)
    assert client.post("/profile/timezone", data={"timezone": "Asia/Tashkent"}).status_code == 400
    done = client.post("/profile/timezone?next=/convenings",
                       data={"timezone": "Asia/Tashkent", "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/convenings")
    session.refresh(user)
    assert (user.timezone, user.timezone_confirmed) == ("Asia/Tashkent", True)
    assert BANNER not in client.get("/convenings").get_data(as_text=True)


def test_saving_the_profile_confirms_the_zone(make_user) -> None:
    user = make_user(timezone_confirmed=False)
    services.update_profile(user, display_name=user.display_name, locale="en",
                            timezone="America/Mexico_City")
    assert user.timezone_confirmed and user.timezone == "America/Mexico_City"


def test_partner_applicant_confirms_in_the_language_they_applied_in(client, session) -> None:
    with unit_of_work():
        _partner, token = registry.apply_as_partner(
            name="Atelier Numérique", category="private_sector", country="FR",
            website="https://atelier.example.org", contact_name="Anne", contact_email="anne@atelier.example.org",
            statement="Nous soutenons la Déclaration.", locale="fr")
    response = client.get(f"/registry/partners/confirm/{token}",
                          headers={"Accept-Language": "en-US,en;q=0.9"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert lang_of(html) == "fr" and "Merci" in html
    assert lang_of(client.get("/registry", headers={"Accept-Language": "en"}).get_data(
        as_text=True)) == "fr"
