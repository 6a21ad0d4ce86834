"""A visitor's zone: from the browser (the `tz` cookie), changeable with a picker by country and
city, each zone with its current offset and under its current name."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import force_locale

from app.i18n import select_timezone
from app.i18n.zone_picker import offered_zones, utc_offset, zone_groups
from tests.conftest import csrf_token

JANUARY = datetime(2027, 1, 15, 12, tzinfo=UTC)
JULY = datetime(2027, 7, 15, 12, tzinfo=UTC)


def test_offsets_follow_the_season_and_the_sign():
    assert utc_offset("America/New_York", JANUARY) == "UTC\u221205:00"
    assert utc_offset("America/New_York", JULY) == "UTC\u221204:00"
    assert utc_offset("Asia/Kolkata", JULY) == "UTC+05:30"
    assert utc_offset("Africa/Abidjan", JULY) == "UTC"


def test_picker_groups_by_country_without_deprecated_aliases(app_ctx):
    with force_locale("en"):
        groups = {group.name: group for group in zone_groups("en", JULY)}
    india = [choice.zone for choice in groups["India"].zones]
    assert india == ["Asia/Kolkata"]
    assert [c.zone for c in groups["Ukraine"].zones][0] in ("Europe/Simferopol", "Europe/Kyiv")
    zones = offered_zones()
    assert "Asia/Kolkata" in zones and "Europe/Kyiv" in zones and "UTC" in zones
    assert not zones & {"Asia/Calcutta", "Europe/Kiev", "US/Eastern", "America/Buenos_Aires"}
    us = groups["United States"].zones
    order = [c.zone for c in us]  # west to east
    assert order.index("Pacific/Honolulu") < order.index("America/Los_Angeles") < \
        order.index("America/New_York")
    new_york = next(c for c in us if c.zone == "America/New_York")
    assert new_york.city == "New York" and new_york.offset == "UTC\u221204:00"


def test_picker_speaks_the_reader_language(app_ctx):
    with force_locale("ar"):
        names = [group.name for group in zone_groups("ar", JULY)]
    assert "الهند" in names


def test_visitor_cookie_is_read_only_when_valid(app):
    with app.test_request_context(headers={"Cookie": "tz=Asia/Tashkent"}):
        assert select_timezone() == "Asia/Tashkent"
    with app.test_request_context(headers={"Cookie": "tz=../../etc/passwd"}):
        assert select_timezone() == "UTC"
    with app.test_request_context():
        assert select_timezone() == "UTC"


def test_visitor_chooses_a_zone_and_bad_choice_changes_nothing(client):
    page = client.get("/time-zone?lang=en").get_data(as_text=True)
    assert '<optgroup label="India">' in page and "Kolkata (UTC+05:30)" in page
    assert "Asia/Calcutta" not in page
    token = csrf_token(client, "/time-zone")
    bad = client.post("/time-zone", data={"csrf_token": token, "timezone": "Asia/Calcutta"},
                      follow_redirects=True)
    assert "Choose a time zone from the list." in bad.get_data(as_text=True)
    assert client.get_cookie("tz") is None
    good = client.post("/time-zone?next=/convenings", data={"csrf_token": token,
                                                           "timezone": "Asia/Kolkata"})
    assert good.status_code == 302 and good.headers["Location"].endswith("/convenings")
    assert client.get_cookie("tz").value == "Asia/Kolkata"
    assert "Times are shown in Asia/Kolkata." in client.get("/").get_data(as_text=True)


def test_picker_without_csrf_is_refused(client):
    assert client.post("/time-zone", data={"timezone": "Asia/Kolkata"}).status_code == 400
    assert client.get_cookie("tz") is None


def test_members_set_their_zone_on_their_profile(login_as):
    from app.core.permissions import Role

    client, _ = login_as(Role.AMBASSADOR)
    response = client.get("/time-zone")
    assert response.status_code == 302 and "#profile-timezone" in response.headers["Location"]
