"""Calendar feeds, re-read with vobject (a second, independent parser)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import vobject

from app.convenings import calendar, services
from app.convenings.calendar import FeedItem, register_feed_source
from app.core.permissions import Role
from tests.conftest import csrf_token
from tests.convenings.conftest import local, session_data


def parse(body: bytes):
    """Parse with vobject, which must use this document's VTIMEZONEs, not ones it cached."""
    vobject.icalendar.__dict__["__tzidMap"].clear()
    vobject.icalendar.registerTzid("UTC", vobject.icalendar.utc)
    return vobject.readOne(body.decode())


def events(cal) -> dict[str, object]:
    return {event.uid.value: event for event in cal.vevent_list}


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def test_convening_feed_round_trips_times(client, organiser, make_convening):
    convening = make_convening(timezone="America/Santiago", starts_local=local(30, 9),
                               ends_local=local(31, 18))
    first = services.add_session(organiser, convening, session_data(
        starts_local=local(30, 23), ends_local=local(31, 1, 30), kind="social"))
    second = services.add_session(organiser, convening, session_data(
        title="Panel, with; commas", starts_local=local(31, 10), ends_local=local(31, 11)))
    response = client.get(f"/convenings/{convening.id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert b"DTSTART;TZID=America/Santiago:" in response.data
    cal = parse(response.data)
    assert cal.contents["x-wr-calname"][0].value == "AI governance lab"
    assert [tz.tzid.value for tz in cal.vtimezone_list] == ["America/Santiago"]
    found = events(cal)
    for item in (first, second):
        event = found[calendar.session_uid(item)]
        assert event.dtstart.value.tzinfo is not None
        assert utc(event.dtstart.value) == item.starts_at
        assert utc(event.dtend.value) == item.ends_at
        assert event.status.value == "CONFIRMED"
    assert found[calendar.session_uid(second)].summary.value == "Panel, with; commas"


def test_sequence_rises_and_cancellation_shows(client, organiser, make_convening):
    convening = make_convening()
    item = services.add_session(organiser, convening, session_data())
    uid = calendar.session_uid(item)
    before = int(events(parse(client.get(f"/convenings/{convening.id}.ics").data))[uid].sequence.value)
    services.update_session(organiser, item, session_data(starts_local=local(30, 15),
                                                          ends_local=local(30, 16)))
    after_move = events(parse(client.get(f"/convenings/{convening.id}.ics").data))[uid]
    assert int(after_move.sequence.value) > before
    assert utc(after_move.dtstart.value) == item.starts_at
    services.cancel_convening(organiser, convening, "Postponed")
    cancelled = events(parse(client.get(f"/convenings/{convening.id}.ics").data))[uid]
    assert cancelled.status.value == "CANCELLED"
    assert int(cancelled.sequence.value) > int(after_move.sequence.value)


def test_single_session_file(client, organiser, make_convening):
    convening = make_convening()
    item = services.add_session(organiser, convening, session_data())
    cal = parse(client.get(f"/convenings/{convening.id}/sessions/{item.id}.ics").data)
    assert len(cal.vevent_list) == 1 and cal.vevent.uid.value == calendar.session_uid(item)


def test_draft_feed_is_hidden(client, make_convening):
    convening = make_convening(publish=False)
    assert client.get(f"/convenings/{convening.id}.ics").status_code == 404


def test_personal_feed_token_and_regeneration(client, login_as, organiser, make_convening):
    convening = make_convening(format="online", online_link="https://meet.example/abc")
    services.add_session(organiser, convening, session_data())
    other = make_convening(titles={"en": "No agenda yet"}, capacity=0)
    member_client, member = login_as(Role.AMBASSADOR)
    services.register(member, convening)
    services.register(member, other)  # waiting list: shown as tentative
    page = member_client.get("/calendar").get_data(as_text=True)
    assert "webcal://" in page
    token = services.calendar_token(member)
    assert f"/calendar/{token}.ics" in page
    cal = parse(client.get(f"/calendar/{token}.ics").data)
    by_summary = {e.summary.value: e for e in cal.vevent_list}
    assert by_summary["Opening plenary"].status.value == "CONFIRMED"
    assert "meet.example/abc" in by_summary["Opening plenary"].description.value
    assert by_summary["No agenda yet"].status.value == "TENTATIVE"
    assert utc(by_summary["No agenda yet"].dtstart.value) == other.starts_at
    response = member_client.post("/calendar/regenerate",
                                  data={"csrf_token": csrf_token(member_client, "/calendar")})
    assert response.status_code == 302
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert client.get(f"/calendar/{services.calendar_token(member)}.ics").status_code == 200
    assert client.get("/calendar/" + "0" * 40 + ".ics").status_code == 404


def test_feed_sources_add_items(client, make_user):
    member = make_user(Role.AMBASSADOR)
    start = datetime(2027, 1, 5, 6, 30, tzinfo=UTC)

    def bilateral(user):
        if user.id == member.id:
            yield FeedItem(uid="meeting-1@test", summary="Bilateral with Kenya", description="",
                           start=start, end=start.replace(hour=7), tzid="Africa/Nairobi")

    register_feed_source(bilateral)
    try:
        cal = parse(client.get(f"/calendar/{services.calendar_token(member)}.ics").data)
    finally:
        calendar._FEED_SOURCES.remove(bilateral)
    assert cal.vevent.summary.value == "Bilateral with Kenya"
    assert utc(cal.vevent.dtstart.value) == start
    assert cal.vtimezone.tzid.value == "Africa/Nairobi"


@pytest.mark.parametrize("zone", ["Europe/London", "Australia/Sydney", "Asia/Kathmandu"])
def test_times_round_trip_across_dst_zones(session, organiser, make_convening, zone):
    convening = make_convening(timezone=zone, starts_local=datetime(2027, 3, 26, 9),
                               ends_local=datetime(2027, 4, 4, 18))
    items = [services.add_session(organiser, convening, session_data(
        title=f"D{day}", starts_local=datetime(2027, 3, 26, 1, 30) + timedelta(days=day),
        ends_local=datetime(2027, 3, 26, 4, 15) + timedelta(days=day))) for day in range(0, 9, 2)]
    body = calendar.build_calendar("t", calendar.convening_items(convening, items, base_url=""))
    parsed = events(parse(body))
    for item in items:
        assert utc(parsed[calendar.session_uid(item)].dtstart.value) == item.starts_at
        assert utc(parsed[calendar.session_uid(item)].dtend.value) == item.ends_at
