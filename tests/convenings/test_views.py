"""The convening pages, through the test client."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select

from app.convenings import services
from app.convenings.models import Convening, Registration
from app.core.permissions import Role
from tests.conftest import csrf_token
from tests.convenings.conftest import local, session_data


def test_list_filters_and_hides_drafts(client, make_convening):
    make_convening(titles={"en": "Quantum roundtable"}, themes=["quantum"], format="online")
    make_convening(titles={"en": "Cyber week"}, themes=["cybersecurity"])
    make_convening(titles={"en": "Secret draft"}, publish=False)
    page = client.get("/convenings").get_data(as_text=True)
    assert "Quantum roundtable" in page and "Cyber week" in page and "Secret draft" not in page
    page = client.get("/convenings?theme=quantum").get_data(as_text=True)
    assert "Quantum roundtable" in page and "Cyber week" not in page
    page = client.get("/convenings?format=in_person").get_data(as_text=True)
    assert "Quantum roundtable" not in page and "Cyber week" in page
    assert "Quantum roundtable" not in client.get("/convenings?when=past").get_data(as_text=True)


def test_detail_shows_title_in_viewer_language(client, make_convening):
    convening = make_convening()
    assert "Atelier IA" in client.get(f"/convenings/{convening.id}?lang=fr").get_data(as_text=True)


def test_detail_falls_back_to_default_language(client, make_convening):
    convening = make_convening()
    page = client.get(f"/convenings/{convening.id}?lang=ar").get_data(as_text=True)
    assert 'lang="ar"' in page and "AI governance lab" in page


def test_agenda_time_zone_toggle_and_midnight(login_as, organiser, make_convening, session):
    convening = make_convening()
    services.add_session(organiser, convening, session_data(
        title="Gala dinner", kind="social", starts_local=local(30, 21), ends_local=local(30, 23)))
    client, viewer = login_as(Role.AMBASSADOR, timezone="America/Mexico_City")
    event_page = client.get(f"/convenings/{convening.id}").get_data(as_text=True)
    assert "Asia/Tashkent" in event_page and "America/Mexico_City" in event_page
    # 21:00 in Tashkent is 10:00 the same day in Mexico City: one day, no midnight crossing.
    assert event_page.count('data-session="') == 1
    assert "continues after midnight" not in event_page
    viewer_page = client.get(f"/convenings/{convening.id}?tz=viewer").get_data(as_text=True)
    assert "Times in your time zone (America/Mexico_City)" in viewer_page
    # In Bangkok (UTC+7) the same dinner runs 23:00-01:00 and shows on two days.
    viewer.timezone = "Asia/Bangkok"
    session.commit()
    bangkok_page = client.get(f"/convenings/{convening.id}?tz=viewer").get_data(as_text=True)
    assert bangkok_page.count('data-session="') == 2
    assert "continues after midnight" in bangkok_page and "continued from the day before" in bangkok_page


def test_register_waitlist_and_cancel_through_pages(login_as, make_convening, session):
    convening = make_convening(capacity=1, format="hybrid", online_link="https://meet.example/x")
    first, _ = login_as(Role.AMBASSADOR)
    page = first.get(f"/convenings/{convening.id}").get_data(as_text=True)
    assert "meet.example" not in page
    token = csrf_token(first, f"/convenings/{convening.id}")
    response = first.post(f"/convenings/{convening.id}/register",
                          data={"csrf_token": token, "consent_listed": "y"})
    assert response.status_code == 302
    page = first.get(f"/convenings/{convening.id}").get_data(as_text=True)
    assert "meet.example/x" in page
    response = first.post(f"/convenings/{convening.id}/register", data={"csrf_token": token})
    assert response.status_code == 409
    assert "already registered" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Registration.id))) == 1


def test_cancelling_someone_elses_registration_is_forbidden(login_as, make_user, make_convening):
    convening = make_convening()
    owner = make_user(Role.AMBASSADOR)
    registration = services.register(owner, convening)
    client, _ = login_as(Role.AMBASSADOR)
    token = csrf_token(client, f"/convenings/{convening.id}")
    response = client.post(f"/convenings/{convening.id}/registrations/{registration.id}/cancel",
                           data={"csrf_token": token})
    assert response.status_code == 403
    assert registration.status == "confirmed"


def test_non_organiser_cannot_edit(login_as, make_convening):
    convening = make_convening()
    client, _ = login_as(Role.AMBASSADOR)
    assert client.get(f"/convenings/{convening.id}/edit").status_code == 403
    assert client.get("/convenings/new").status_code == 403
    token = csrf_token(client, f"/convenings/{convening.id}")
    assert client.post(f"/convenings/{convening.id}/publish", data={"csrf_token": token}).status_code == 403


def form_values(**overrides) -> dict[str, str]:
    values = {"kind": "global_forum", "edition": "4", "default_language": "en",
              "title_en": "Global Tech Diplomacy Forum 2027", "format": "in_person",
              "venue_name": "Silk Road Congress Hall", "venue_city": "Samarkand",
              "venue_country": "UZ", "timezone": "Asia/Samarkand",
              "starts_at": "2027-05-12T09:00", "ends_at": "2027-05-14T18:00",
              "visibility": "public", "capacity": "500", "themes": ["ai_governance", "standards"]}
    values.update(overrides)
    return values


def test_organiser_builds_and_publishes_in_pages(login_as, session):
    client, _ = login_as(Role.ORGANISER)
    token = csrf_token(client, "/convenings/new")
    response = client.post("/convenings/new", data={**form_values(), "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    convening = session.scalar(select(Convening).order_by(Convening.id.desc()))
    assert convening.starts_at == datetime.fromisoformat("2027-05-12T04:00:00+00:00")
    response = client.post(f"/convenings/{convening.id}/sessions/new", data={
        "csrf_token": token, "title": "Opening", "kind": "plenary", "language": "en",
        "starts_at": "2027-05-12T09:30", "ends_at": "2027-05-12T10:30", "track": "Main"})
    assert response.status_code == 302
    response = client.post(f"/convenings/{convening.id}/sessions/new", data={
        "csrf_token": token, "title": "Too late", "kind": "plenary", "language": "en",
        "starts_at": "2027-05-20T09:30", "ends_at": "2027-05-20T10:30"})
    assert response.status_code == 200
    assert "must take place on the convening" in response.get_data(as_text=True)
    client.post(f"/convenings/{convening.id}/publish", data={"csrf_token": token})
    assert convening.status == "published" and len(convening.sessions) == 1


def test_bad_form_input_shows_error_and_stores_nothing(login_as, session):
    client, _ = login_as(Role.ORGANISER)
    token = csrf_token(client, "/convenings/new")
    before = session.scalar(select(func.count(Convening.id)))
    for overrides, message in (({"timezone": "Nowhere/Else"}, "not a known time zone"),
                               ({"ends_at": "2027-05-11T09:00"}, "end must come after"),
                               ({"capacity": "-5"}, "not negative"),
                               ({"title_en": "", "title_fr": "Forum"}, "title in the default language")):
        response = client.post("/convenings/new", data={**form_values(**overrides), "csrf_token": token})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Convening.id))) == before


def test_participants_csv_for_organisers_only(login_as, make_user, make_convening):
    convening = make_convening()
    services.register(make_user(Role.AMBASSADOR, display_name="Kwame"), convening)
    client, _ = login_as(Role.ORGANISER)
    response = client.get(f"/convenings/{convening.id}/participants.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "Kwame" in response.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/convenings")})
    other, _ = login_as(Role.AMBASSADOR)
    assert other.get(f"/convenings/{convening.id}/participants.csv").status_code == 403


def test_agenda_page_query_count_is_bounded(client, organiser, make_user, make_convening,
                                            query_counter):
    convening = make_convening()

    def measure() -> int:
        with query_counter() as counter:
            assert client.get(f"/convenings/{convening.id}").status_code == 200
        return counter.count

    services.add_session(organiser, convening, session_data(speaker_ids=[organiser.id]))
    services.register(make_user(Role.AMBASSADOR), convening)
    small = measure()
    for day in range(3):
        for hour in range(8, 18):
            speaker = make_user(Role.AMBASSADOR)
            services.add_session(organiser, convening, session_data(
                title=f"S{day}-{hour}", starts_local=local(30 + day, hour),
                ends_local=local(30 + day, hour, 45), track=f"T{hour % 4}", location=f"R{hour}",
                speaker_ids=[speaker.id], guest_speakers=["Guest"]))
            services.register(speaker, convening)
    assert measure() == small


def test_unknown_convening_is_404(client):
    assert client.get("/convenings/999999").status_code == 404


def test_nav_has_convenings(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'href="/convenings"[^>]*>Convenings<', html)


def test_registering_outside_the_window_shows_why(login_as, make_convening, session):
    convening = make_convening(registration_opens_local=local(10), registration_closes_local=local(20))
    client, _ = login_as(Role.AMBASSADOR)
    token = csrf_token(client, f"/convenings/{convening.id}")
    response = client.post(f"/convenings/{convening.id}/register", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Registration is not open at this time." in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Registration.id))) == 0


def test_anonymous_visitor_cannot_register(client, make_convening):
    convening = make_convening()
    response = client.post(f"/convenings/{convening.id}/register", data={})
    assert response.status_code in (302, 400)
    assert client.get(f"/convenings/{convening.id}").status_code == 200


def test_list_query_count_does_not_grow(client, make_convening, query_counter):
    make_convening()

    def measure() -> int:
        with query_counter() as counter:
            assert client.get("/convenings").status_code == 200
        return counter.count

    few = measure()
    for n in range(6):
        make_convening(titles={"en": f"More {n}"}, kind="regional", region="142")
    assert measure() == few


def test_organiser_actions_through_the_manage_page(login_as, organiser, make_user, make_convening,
                                                   session):
    convening = make_convening(visibility="invitation", capacity=5)
    item = services.add_session(organiser, convening, session_data())
    applicant = make_user(Role.AMBASSADOR)
    request = services.register(applicant, convening)
    session.commit()
    client, _ = login_as(Role.ORGANISER)
    page = client.get(f"/convenings/{convening.id}/manage").get_data(as_text=True)
    assert applicant.display_name in page and "Opening plenary" in page
    token = csrf_token(client, f"/convenings/{convening.id}/manage")
    base = f"/convenings/{convening.id}"
    assert client.post(f"{base}/registrations/{request.id}/approve",
                       data={"csrf_token": token}).status_code == 302
    assert request.status == "confirmed"
    client.post(f"{base}/registrations/{request.id}/attendance",
                data={"csrf_token": token, "attended": "1"})
    assert request.attended
    # A second session in the same room at the same time: saved, with a warning shown.
    response = client.post(f"{base}/sessions/new", follow_redirects=True, data={
        "csrf_token": token, "title": "Clash", "kind": "panel", "language": "en",
        "starts_at": services.to_local(item.starts_at, convening.timezone).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": services.to_local(item.ends_at, convening.timezone).strftime("%Y-%m-%dT%H:%M"),
        "location": "Main hall"})
    assert "overlap in Main hall" in response.get_data(as_text=True)
    client.post(f"{base}/sessions/{item.id}/cancel", data={"csrf_token": token})
    assert item.cancelled
    response = client.post(f"{base}/clone", data={"csrf_token": token, "new_start": "2031-01-06"})
    assert response.status_code == 302
    copy = session.scalar(select(Convening).order_by(Convening.id.desc()))
    assert copy.id != convening.id and copy.status == "draft" and len(copy.sessions) == 2
    assert client.post(f"{base}/cancel", data={"csrf_token": token, "reason": ""}).status_code == 302
    assert convening.status == "published"
    client.post(f"{base}/cancel", data={"csrf_token": token, "reason": "Moved online"})
    assert convening.status == "cancelled"


def test_a_waitlisted_member_sees_their_place_in_the_queue(session, client, login, make_user, make_convening):
    from app.convenings import services as convening_services

    convening = make_convening(capacity=1)
    first, second, third = (make_user(Role.AMBASSADOR) for _ in range(3))
    convening_services.register(first, convening)
    convening_services.register(second, convening)
    convening_services.register(third, convening)
    session.commit()
    login(third)
    page = client.get(f"/convenings/{convening.id}").get_data(as_text=True)
    assert "You are number 2 in the queue for a seat." in page
    convening_services.cancel_registration(first, convening_services.registration_for(first, convening))
    session.commit()  # the second is promoted: the third moves up
    assert "You are number 1 in the queue for a seat." in client.get(f"/convenings/{convening.id}").get_data(as_text=True)
