"""Room pages without JavaScript, the JSON replay endpoint, and nobody seeing others' rooms."""

from __future__ import annotations

import re

from app.core.db import unit_of_work
from app.rooms import services
from app.rooms.models import Message
from tests.conftest import csrf_token


def test_room_list_shows_counts_and_nav_entry(login_as, make_user, open_room, post) -> None:
    client, alice = login_as()
    bob = make_user()
    room = open_room("AI governance", alice, bob)
    post(bob, room, "hello")
    html = client.get("/rooms/").get_data(as_text=True)
    assert 'href="/rooms/"' in html and "AI governance" in html
    assert "1 unread" in html


def test_anonymous_visitors_are_sent_to_sign_in(client) -> None:
    assert client.get("/rooms/").status_code == 302
    assert client.get("/rooms/1/messages").status_code == 302


def test_post_and_read_without_javascript(login_as, open_room, session) -> None:
    client, alice = login_as()
    room = open_room("R", alice)
    page = client.get(f"/rooms/{room.id}").get_data(as_text=True)
    client_id = re.search(r'name="client_id"[^>]*value="([^"]+)"', page).group(1)
    data = {"body": "Salom, dunyo! مرحبا", "client_id": client_id,
            "csrf_token": csrf_token(client, f"/rooms/{room.id}")}
    assert client.post(f"/rooms/{room.id}/messages", data=data).status_code == 302
    assert client.post(f"/rooms/{room.id}/messages", data=data).status_code == 302  # resent form
    assert session.query(Message).count() == 1
    page = client.get(f"/rooms/{room.id}").get_data(as_text=True)
    assert '<div class="body" dir="auto"><p>Salom, dunyo! مرحبا</p></div>' in page


def test_json_endpoint_returns_the_same_events(login_as, open_room, post) -> None:
    client, alice = login_as()
    room = open_room("R", alice)
    post(alice, room, "one")
    post(alice, room, "two")
    body = client.get(f"/rooms/{room.id}/messages?after_seq=1").get_json()
    assert body == services.events_after(alice, room, 1)
    assert [m["seq"] for m in body["messages"]] == [2]
    bad = client.get(f"/rooms/{room.id}/messages?after_seq=abc")
    assert bad.status_code == 400 and bad.get_json()["code"] == "bad_seq"


def test_members_never_see_rooms_they_are_not_in(login_as, make_user, post) -> None:
    client, outsider = login_as()
    alice, bob = make_user(display_name="Alice"), make_user(display_name="Bob")
    with unit_of_work():
        direct = services.open_direct(alice, [bob])
        group = services.create_working_group(alice, "Secret group")
    post(alice, direct, "private words")
    for room in (direct, group):
        assert client.get(f"/rooms/{room.id}").status_code == 404
        response = client.get(f"/rooms/{room.id}/messages?after_seq=0")
        assert response.status_code == 404 and response.get_json()["code"] == "room_not_found"
    listing = client.get("/rooms/").get_data(as_text=True)
    assert "Secret group" not in listing and "Alice" not in listing
    assert "private words" not in client.get("/rooms/search?q=private").get_data(as_text=True)


def test_join_edit_delete_and_report_through_forms(login_as, make_user, open_room, post,
                                                   organiser, signed_in) -> None:
    client, alice = login_as()
    room = open_room("R")
    token = csrf_token(client, "/rooms/")
    assert client.post(f"/rooms/{room.id}/join", data={"csrf_token": token}).status_code == 302
    mine = post(alice, room, "typo")
    response = client.post(f"/rooms/{room.id}/messages/{mine.id}/edit",
                           data={"body": "fixed", "csrf_token": token})
    assert response.status_code == 302 and mine.body == "fixed"
    assert "edited" in client.get(f"/rooms/{room.id}").get_data(as_text=True)
    theirs = post(organiser, room, "something odd")
    client.post(f"/rooms/{room.id}/messages/{theirs.id}/report",
                data={"reason": "odd", "csrf_token": token})
    client.post(f"/rooms/{room.id}/messages/{mine.id}/delete", data={"csrf_token": token})
    assert "This message was deleted." in client.get(f"/rooms/{room.id}").get_data(as_text=True)
    staff = signed_in(organiser)
    queue = staff.get("/rooms/moderation").get_data(as_text=True)
    assert "something odd" in queue and "odd" in queue


def test_moderators_lock_and_mute_from_the_page(login_as, make_user, open_room, organiser,
                                                signed_in) -> None:
    client, alice = login_as()
    room = open_room("R", alice)
    staff = signed_in(organiser)
    token = csrf_token(staff, f"/rooms/{room.id}")
    staff.post(f"/rooms/{room.id}/lock", data={"csrf_token": token})
    assert room.locked
    staff.post(f"/rooms/{room.id}/mute", data={"csrf_token": token, "user_id": alice.id,
                                               "minutes": 30})
    assert services.membership(alice, room).muted_until is not None
    token = csrf_token(client, f"/rooms/{room.id}")
    client.post(f"/rooms/{room.id}/lock", data={"csrf_token": token})
    assert room.locked  # members cannot unlock


def test_direct_conversation_and_working_group_from_forms(login_as, make_user) -> None:
    client, alice = login_as()
    bob = make_user(display_name="Bob Marley")
    token = csrf_token(client, "/rooms/")
    response = client.post("/rooms/direct", data={"emails": bob.email, "csrf_token": token})
    assert response.status_code == 302
    assert "Bob Marley" in client.get(response.location).get_data(as_text=True)
    unknown = client.post("/rooms/direct", data={"emails": "nobody@nowhere.example",
                                                 "csrf_token": token}, follow_redirects=True)
    assert "not members of the platform" in unknown.get_data(as_text=True)
    created = client.post("/rooms/new", data={"name": "Data flows", "topic": "",
                                              "kind": "private", "csrf_token": token})
    assert created.status_code == 302
    refused = client.post("/rooms/new", data={"name": "Open one", "kind": "open",
                                              "csrf_token": token}, follow_redirects=True)
    assert "Open one" not in refused.get_data(as_text=True).split("</h1>", 1)[0]


def test_room_page_query_count_is_bounded(login_as, make_user, open_room, post,
                                          query_counter) -> None:
    client, alice = login_as()
    people = [make_user() for _ in range(5)]
    room = open_room("R", alice, *people)
    for person in people:
        post(person, room, "hi")
    with query_counter() as few:
        client.get(f"/rooms/{room.id}")
    for person in people:
        post(person, room, "again")
    with query_counter() as more:
        client.get(f"/rooms/{room.id}")
    assert more.count == few.count


def test_hostile_names_and_topics_are_escaped(login_as, make_user, post, signed_in) -> None:
    client, alice = login_as(display_name='<script>alert("name")</script>')
    bob = make_user(display_name="<img src=x onerror=alert(1)>")
    with unit_of_work():
        room = services.create_working_group(alice, "<b>Group</b>", "<svg onload=alert(2)>")
        services.invite(alice, room, bob)
    post(bob, room, "hi <script>alert(3)</script>")
    for page in (client.get(f"/rooms/{room.id}"), client.get("/rooms/"),
                 signed_in(bob).get(f"/rooms/{room.id}")):
        html = page.get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "<svg onload" not in html and "<b>Group</b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in client.get(f"/rooms/{room.id}").get_data(
        as_text=True)


def test_reply_without_javascript(login_as, make_user, open_room, post, session) -> None:
    client, alice = login_as()
    bob = make_user(display_name="Bob Counterpart")
    room = open_room("R", alice, bob)
    question = post(bob, room, "Who leads the data working group?")
    question_id = session.query(Message).filter_by(body="Who leads the data working group?").one().id
    assert question is not None
    page = client.get(f"/rooms/{room.id}?reply_to={question_id}").get_data(as_text=True)
    assert "Replying to Bob Counterpart" in page
    assert re.search(rf'name="reply_to"[^>]*value="{question_id}"', page)
    client_id = re.search(r'name="client_id"[^>]*value="([^"]+)"', page).group(1)
    client.post(f"/rooms/{room.id}/messages", data={
        "body": "Our ministry does.", "client_id": client_id, "reply_to": str(question_id),
        "csrf_token": csrf_token(client, f"/rooms/{room.id}")})
    answer = session.query(Message).filter_by(body="Our ministry does.").one()
    assert answer.reply_to_id == question_id
    page = client.get(f"/rooms/{room.id}").get_data(as_text=True)
    assert "In reply to Bob Counterpart" in page
    assert 'id="replying" hidden' in page


def test_reply_to_a_message_of_another_room_is_ignored_on_the_page(login_as, make_user, open_room,
                                                                    post, session) -> None:
    client, alice = login_as()
    bob = make_user()
    room, other = open_room("R", alice), open_room("Elsewhere", bob)
    post(bob, other, "not yours")
    foreign = session.query(Message).filter_by(body="not yours").one().id
    page = client.get(f"/rooms/{room.id}?reply_to={foreign}").get_data(as_text=True)
    assert 'id="replying" hidden' in page
    assert not re.search(rf'name="reply_to"[^>]*value="{foreign}"', page)


def test_a_refused_message_without_javascript_comes_back_with_its_text(
        login_as, open_room, organiser, session) -> None:
    client, alice = login_as()
    room = open_room("R", alice)
    page = client.get(f"/rooms/{room.id}").get_data(as_text=True)
    client_id = re.search(r'name="client_id"[^>]*value="([^"]+)"', page).group(1)
    data = {"body": "Long words " * 500, "client_id": client_id,
            "csrf_token": csrf_token(client, f"/rooms/{room.id}")}
    response = client.post(f"/rooms/{room.id}/messages", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A message has at most 4000 characters." in page
    assert "Long words Long words" in page and f'value="{client_id}"' in page
    with unit_of_work():
        services.mute(organiser, room, alice, 5)
    data["body"] = "Muted, but my words stay"
    response = client.post(f"/rooms/{room.id}/messages", data=data)
    assert response.status_code == 403
    assert "Muted, but my words stay" in response.get_data(as_text=True)
    assert session.query(Message).count() == 0


def test_organisers_examine_a_report_from_a_direct_conversation_in_its_context(
        login, make_user, post, organiser) -> None:
    """The queue's link works for organisers who are not in the conversation, and each look is audited."""
    from sqlalchemy import select

    from app.core.audit import AuditEvent
    from app.core.db import unit_of_work
    from app.extensions import db

    alice, bob, dave = make_user(), make_user(), make_user()
    with unit_of_work():
        direct = services.open_direct(bob, [alice])
    before = [post(alice, direct, f"message {n}") for n in range(8)]
    rude = post(alice, direct, "you are rude")
    post(bob, direct, "please stop")
    with unit_of_work():
        services.report(bob, rude, "harassment")
    report_id = services.moderation_queue(organiser)[0].id

    client = login(organiser)
    queue = client.get("/rooms/moderation").get_data(as_text=True)
    assert f"/rooms/moderation/{report_id}" in queue
    assert client.get(f"/rooms/{direct.id}").status_code == 404  # the room itself stays private
    page = client.get(f"/rooms/moderation/{report_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "you are rude" in text and "please stop" in text
    assert "message 3" in text and "message 2" not in text  # five before, five after
    assert before[7].body in text
    examined = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rooms.report_examined")).all()
    assert [e.subject_id for e in examined] == [rude.id]

    assert client.get("/rooms/moderation/99999999999").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/rooms/moderation")})
    assert login(dave).get(f"/rooms/moderation/{report_id}").status_code == 404
