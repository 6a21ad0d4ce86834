"""Matchmaking pages: the whole journey, privacy of requests, refusals that change nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.convenings import services as convenings
from app.matchmaking import services
from app.matchmaking.models import BilateralSlot, MeetingRequest
from tests.conftest import PASSWORD, csrf_token
from tests.convenings.conftest import local


def signed_in(app, user):
    """A separate browser for `user`, signed in through the real form."""
    browser = app.test_client()
    response = browser.post("/login", data={"email": user.email, "password": PASSWORD,
                                             "csrf_token": csrf_token(browser)})
    assert response.status_code == 302
    return browser


def test_two_ambassadors_meet_through_a_suggestion(app_ctx, forum, member, organiser, session):
    amina = member(display_name="Amina Diallo", offers=["cybersecurity"],
                   seeks=["data_protection"], languages=["fr"])
    bruno = member(display_name="Bruno Sato", offers=["data_protection"],
                   seeks=["cybersecurity"], languages=["fr", "en"], locale="fr")
    page = f"/convenings/{forum.id}/matchmaking"

    client = signed_in(app_ctx, amina)
    html = client.get(page).get_data(as_text=True)
    assert "Bruno Sato" in html and "offers Data protection, which you seek" in html
    token = csrf_token(client, page)
    response = client.post(f"{page}/request/{bruno.id}",
                           data={"csrf_token": token, "message": "Bonjour"})
    assert response.status_code == 302
    request = session.scalar(select(MeetingRequest))

    client = signed_in(app_ctx, bruno)
    html = client.get(page).get_data(as_text=True)
    assert "Amina Diallo" in html and "Bonjour" in html
    response = client.post(f"{page}/requests/{request.id}/accept",
                           data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 302

    client = signed_in(app_ctx, organiser)
    organise = f"{page}/organise"
    response = client.post(f"{page}/schedule", data={"csrf_token": csrf_token(client, organise)})
    assert response.status_code == 302
    html = client.get(organise).get_data(as_text=True)
    assert 'id="figure-scheduled">1<' in html
    assert "Amina Diallo" in client.get(f"{page}/plan").get_data(as_text=True)

    session.refresh(request)
    for user in (amina, bruno):
        client = signed_in(app_ctx, user)
        html = client.get(page).get_data(as_text=True)
        assert f"Table {request.table}" in html
        client.get("/calendar")
        feed_token = convenings.calendar_token(user)
        session.commit()
        feed = client.get(f"/calendar/{feed_token}.ics").get_data(as_text=True)
        assert f"matchmaking-{request.id}@" in feed


def test_only_the_two_parties_see_or_answer_a_request(client, login, forum, member, session):
    a, b, c = member(), member(), member()
    request = services.send_request(a, forum, b, "Private note")
    session.commit()
    login(c)
    page = f"/convenings/{forum.id}/matchmaking"
    assert "Private note" not in client.get(page).get_data(as_text=True)
    response = client.post(f"{page}/requests/{request.id}/accept",
                           data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 404
    assert session.get(MeetingRequest, request.id).status == "pending"


def test_requesting_oneself_is_refused_with_a_message(client, login, forum, member, session):
    a = member()
    login(a)
    page = f"/convenings/{forum.id}/matchmaking"
    response = client.post(f"{page}/request/{a.id}", data={"csrf_token": csrf_token(client, page)},
                           follow_redirects=True)
    assert "You cannot request a meeting with yourself." in response.get_data(as_text=True)
    assert session.scalar(select(func.count(MeetingRequest.id))) == 0


def test_bad_slot_is_refused_and_changes_nothing(client, login, forum, organiser, session):
    login(organiser)
    organise = f"/convenings/{forum.id}/matchmaking/organise"
    before = session.scalar(select(func.count(BilateralSlot.id)))
    response = client.post(organise, data={
        "csrf_token": csrf_token(client, organise), "session_id": forum.block.id,
        "starts_at": local(30, 20).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(30, 21).strftime("%Y-%m-%dT%H:%M"), "tables": 3})
    assert response.status_code == 400
    assert "inside the bilateral block" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(BilateralSlot.id))) == before


def test_organiser_pages_are_for_organisers(client, login, forum, member):
    login(member())
    assert client.get(f"/convenings/{forum.id}/matchmaking/organise").status_code == 403
    assert client.get(f"/convenings/{forum.id}/matchmaking/plan").status_code == 403


def test_capacity_warning_shows(client, login, forum, organiser, member, session):
    for _ in range(3):
        member()
    settings = services.settings_for(forum)
    settings.expected_per_person = 10
    session.commit()
    login(organiser)
    html = client.get(f"/convenings/{forum.id}/matchmaking/organise").get_data(as_text=True)
    assert 'id="capacity-warning"' in html


def test_page_query_count_does_not_grow_with_requests(client, login, forum, member, session,
                                                      query_counter):
    me = member()
    login(me)
    page = f"/convenings/{forum.id}/matchmaking"
    counts = []
    for _ in range(2):
        for _ in range(3):
            services.send_request(me, forum, member())
            services.send_request(member(), forum, me)
        session.commit()
        with query_counter() as counter:
            assert client.get(page).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_profile_page_saves_and_refuses_unknown_topics(client, login, make_user, session):
    user = make_user()
    login(user)
    token = csrf_token(client, "/matchmaking/profile")
    response = client.post("/matchmaking/profile", data={"csrf_token": token, "offers": ["bogus"]})
    assert response.status_code == 200 and "Choose from the list." in response.get_data(as_text=True)
    assert services.profile_for(user) is None
    response = client.post("/matchmaking/profile", data={
        "csrf_token": token, "offers": ["quantum"], "seeks": ["open_source"], "languages": ["ar"],
        "bio": "Hello"})
    assert response.status_code == 302
    assert services.profile_for(user).languages == ["ar"]


def test_page_in_arabic_is_right_to_left(app_ctx, forum, member):
    arab = member(locale="ar")
    html = signed_in(app_ctx, arab).get(f"/convenings/{forum.id}/matchmaking").get_data(as_text=True)
    assert 'lang="ar"' in html and 'dir="rtl"' in html


def test_tables_cannot_drop_below_a_table_in_use(app_ctx, forum, member, organiser, session):
    a, b = member(), member()
    services.set_fixed_table(organiser, forum, b, 2)
    request = services.send_request(a, forum, b)
    services.accept_request(b, forum, request)
    services.run_schedule(organiser, forum)
    session.commit()
    client = signed_in(app_ctx, organiser)
    organise = f"/convenings/{forum.id}/matchmaking/organise"
    response = client.post(f"/convenings/{forum.id}/matchmaking/slots/{request.slot_id}/tables",
                           data={"csrf_token": csrf_token(client, organise), "tables": 1},
                           follow_redirects=True)
    assert "A meeting in this slot already sits at table 2." in response.get_data(as_text=True)
    assert session.get(BilateralSlot, request.slot_id).tables == 2
