"""Malformed convening input: a clear error or a cleaned value, and never a broken calendar."""

from __future__ import annotations

from datetime import date

import pytest
import vobject

from app.convenings import services
from app.convenings.models import Convening
from app.core.errors import Invalid
from app.core.permissions import Role
from tests.conftest import csrf_token
from tests.convenings.test_views import form_values


def test_line_breaks_in_a_title_are_cleaned_so_calendar_and_registration_work(login_as, make_user,
                                                                              session):
    client, _ = login_as(Role.ORGANISER)
    token = csrf_token(client, "/convenings/new")
    response = client.post("/convenings/new", data={
        **form_values(title_en="Forum\r\nSUMMARY:Injected\r\n\u202eReversed\x00", venue_city="Sam\narkand"),
        "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    convening_id = int(response.headers["Location"].rstrip("/").split("/")[-2])
    convening = session.get(Convening, convening_id)
    assert convening.titles["en"] == "Forum SUMMARY:Injected Reversed"
    assert convening.venue_city == "Sam arkand"
    assert client.post(f"/convenings/{convening_id}/publish", data={"csrf_token": token}).status_code == 302
    ics = client.get(f"/convenings/{convening_id}.ics")
    assert ics.status_code == 200
    (event,) = vobject.readOne(ics.get_data(as_text=True)).vevent_list
    assert event.summary.value.startswith("Forum SUMMARY:Injected")
    registration = services.register(make_user(Role.AMBASSADOR), convening)
    session.commit()
    assert registration.status == "confirmed"


@pytest.mark.parametrize("new_start", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_cloning_far_into_the_future_or_past_is_a_clear_error(login_as, make_convening, session,
                                                              new_start: str):
    convening = make_convening()
    client, _ = login_as(Role.ORGANISER)
    token = csrf_token(client, f"/convenings/{convening.id}/manage")
    response = client.post(f"/convenings/{convening.id}/clone", data={"csrf_token": token,
                                                                       "new_start": new_start},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Enter a date between the years 1900 and 2200." in response.get_data(as_text=True)


def test_the_clone_service_refuses_a_date_beyond_the_range(make_convening, organiser) -> None:
    convening = make_convening()
    with pytest.raises(Invalid) as refused:
        services.clone_convening(organiser, convening, date(9999, 12, 31))
    assert refused.value.code == "date_out_of_range" and refused.value.field == "new_start"


def test_an_over_long_time_zone_name_is_a_field_error(login_as, session):
    client, _ = login_as(Role.ORGANISER)
    token = csrf_token(client, "/convenings/new")
    response = client.post("/convenings/new", data={**form_values(timezone="Europe/" + "a" * 400),
                                                    "csrf_token": token})
    assert response.status_code == 200
    assert "not a known time zone" in response.get_data(as_text=True)
