"""Time and dates on convening pages: past convenings end without a Register button, times in
the reader's zone (a visitor's from the `tz` cookie) without seconds, one-day ranges said once,
and the home page pointing visitors to the coming Forum."""

from __future__ import annotations

from datetime import timedelta

from app.convenings import services
from app.core.db import utcnow
from app.core.permissions import Role
from tests.convenings.conftest import local


def test_past_convening_says_it_ended_and_offers_no_register(login_as, make_convening):
    past = make_convening(starts_local=local(-5, 9), ends_local=local(-4, 18))
    client, member = login_as(Role.AMBASSADOR)
    assert not services.may_register(member, past)
    assert services.has_ended(past)
    page = client.get(f"/convenings/{past.id}").get_data(as_text=True)
    assert "This convening ended on" in page
    assert '>Register</button>' not in page
    assert f'action="/convenings/{past.id}/register"' not in page


def test_ended_convening_offers_no_cancel_to_its_participants(login_as, make_convening, session):
    convening = make_convening(starts_local=local(1, 9), ends_local=local(1, 18))
    client, member = login_as(Role.AMBASSADOR)
    services.register(member, convening)
    convening.starts_at -= timedelta(days=5)
    convening.ends_at -= timedelta(days=5)
    session.commit()
    page = client.get(f"/convenings/{convening.id}").get_data(as_text=True)
    assert 'data-status="ended"' in page and "Cancel my registration" not in page
    assert "See the participants" in page


def test_may_register_follows_the_service(login_as, make_convening, session):
    coming = make_convening()
    client, member = login_as(Role.AMBASSADOR)
    assert services.may_register(member, coming)
    assert '>Register</button>' in client.get(f"/convenings/{coming.id}").get_data(as_text=True)
    services.register(member, coming)
    session.commit()
    assert not services.may_register(member, coming)
    # After the start the service refuses, and the page no longer offers the button.
    started = coming.starts_at + timedelta(hours=1)
    assert not services.may_register(None, coming, now=started)
    assert not services.registration_open(coming, now=started)
    assert services.registration_open(coming, now=coming.starts_at - timedelta(hours=1))


def test_started_convening_shows_registration_closed(login_as, make_convening):
    running = make_convening(starts_local=local(-1, 0), ends_local=local(2, 18))
    client, _ = login_as(Role.AMBASSADOR)
    page = client.get(f"/convenings/{running.id}").get_data(as_text=True)
    assert "Registration is not open at this time." in page
    assert '>Register</button>' not in page


def test_visitor_cookie_zone_shapes_times_and_bad_cookie_is_ignored(client, make_convening):
    convening = make_convening()
    client.set_cookie("tz", "America/New_York")
    page = client.get(f"/convenings/{convening.id}").get_data(as_text=True)
    assert "New York time" in page and "Tashkent, the event&#39;s time" in page
    assert "Times are shown in America/New_York." in page
    assert ":00:00" not in page  # no seconds anywhere
    client.set_cookie("tz", "Mars/Olympus_Mons")
    page = client.get(f"/convenings/{convening.id}").get_data(as_text=True)
    assert "New York time" not in page and "Times are shown in UTC." in page


def test_member_zone_beats_the_cookie(login_as, make_convening):
    convening = make_convening()
    client, _ = login_as(Role.AMBASSADOR, timezone="Asia/Tokyo")
    client.set_cookie("tz", "America/New_York")
    page = client.get(f"/convenings/{convening.id}").get_data(as_text=True)
    assert "Tokyo time" in page and "New York time" not in page


def test_one_day_range_says_the_date_once(client, make_convening):
    convening = make_convening(starts_local=local(30, 9), ends_local=local(30, 17), timezone="UTC")
    page = client.get(f"/convenings/{convening.id}?lang=en").get_data(as_text=True)
    day = convening.starts_at.strftime("%b %-d, %Y")
    assert page.count(day) >= 1
    assert "9:00\u202fAM – 5:00\u202fPM UTC time" in page


def test_home_points_visitors_to_the_coming_forum(client, make_convening):
    make_convening(kind="global_forum", titles={"en": "Old Forum"}, edition=1,
                   starts_local=local(-40), ends_local=local(-38))
    make_convening(kind="global_forum", titles={"en": "Next Forum", "ar": "المنتدى القادم"},
                   edition=2, starts_local=local(60, 9), ends_local=local(62, 17))
    make_convening(kind="global_forum", titles={"en": "Later Forum"}, edition=3,
                   starts_local=local(400), ends_local=local(402))
    client.set_cookie("tz", "America/New_York")
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "The coming Forum" in page and "Next Forum" in page
    assert "Old Forum" not in page and "Later Forum" not in page
    assert "New York time" in page
    arabic = client.get("/?lang=ar").get_data(as_text=True)
    assert "المنتدى القادم" in arabic and "بتوقيت نيويورك" in arabic


def test_home_without_a_forum_has_no_forum_box(client):
    assert "The coming Forum" not in client.get("/?lang=en").get_data(as_text=True)
    assert utcnow()  # the page renders for visitors with no convenings at all
