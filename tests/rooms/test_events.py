"""The /rooms Socket.IO protocol: join with replay, idempotent send, broadcasts, error acks."""

from __future__ import annotations

import pytest

from app.core.db import unit_of_work
from app.rooms import services
from app.rooms.models import Message


def _join(socket, room, after_seq=0):
    return socket.emit("join", {"room": room.id, "after_seq": after_seq}, namespace="/rooms",
                       callback=True)


def _send(socket, room, body, client_id):
    return socket.emit("send", {"room": room.id, "body": body, "client_id": client_id},
                       namespace="/rooms", callback=True)


def test_anonymous_connections_are_refused(app_ctx, client) -> None:
    from app.extensions import socketio

    socket = socketio.test_client(app_ctx, namespace="/rooms", flask_test_client=client)
    assert not socket.is_connected("/rooms")


def test_join_replays_everything_after_the_given_sequence(login_as, open_room, post, sio) -> None:
    client, alice = login_as(display_name="Alice")
    room = open_room("AI governance", alice)
    for body in ("one", "two", "three"):
        post(alice, room, body)
    socket = sio(client)
    ack = _join(socket, room, after_seq=1)
    assert ack["ok"] and ack["room"] == room.id and ack["last_seq"] == 3 and not ack["more"]
    assert [m["seq"] for m in ack["messages"]] == [2, 3]
    assert ack["messages"][0]["body_html"] == "<p>two</p>"
    assert ack["messages"][0]["author"] == {"id": alice.id, "name": "Alice"}


def test_send_is_stored_broadcast_and_idempotent(login_as, make_user, signed_in, open_room, sio,
                                                 session) -> None:
    client, alice = login_as(display_name="Alice")
    bob = make_user(display_name="Bob")
    room = open_room("R", alice, bob)
    sender = sio(client)
    _join(sender, room)
    receiver = sio(signed_in(bob))
    _join(receiver, room)
    receiver.get_received("/rooms")

    ack = _send(sender, room, "Привет, 世界 **!**", "abc-1")
    assert ack["ok"] and ack["message"]["seq"] == 1 and ack["message"]["client_id"] == "abc-1"
    again = _send(sender, room, "Привет, 世界 **!**", "abc-1")
    assert again["message"]["id"] == ack["message"]["id"]
    assert session.query(Message).count() == 1

    received = [p for p in receiver.get_received("/rooms") if p["name"] == "message"]
    assert len(received) == 1
    payload = received[0]["args"]
    assert set(payload) >= {"room", "seq", "id", "author", "body_html", "created_at", "client_id"}
    assert payload["author"] == {"id": alice.id, "name": "Alice"}
    assert payload["body_html"] == "<p>Привет, 世界 <strong>!</strong></p>"


def test_edits_and_deletions_are_broadcast_and_replayed(login_as, open_room, sio) -> None:
    client, alice = login_as()
    room = open_room("R", alice)
    socket = sio(client)
    _join(socket, room)
    sent = _send(socket, room, "draft", "c1")["message"]
    assert socket.emit("edit", {"room": room.id, "id": sent["id"], "body": "final"},
                       namespace="/rooms", callback=True)["ok"]
    assert socket.emit("delete", {"room": room.id, "id": sent["id"]}, namespace="/rooms",
                       callback=True)["ok"]
    names = [p["name"] for p in socket.get_received("/rooms")]
    assert names == ["message", "edit", "delete"]
    replay = _join(socket, room, 0)["messages"]
    assert [(m["kind"], m["seq"]) for m in replay] == [("message", 1), ("edit", 2), ("delete", 3)]


@pytest.mark.parametrize("data", [
    None, "text", [], {}, {"room": 1}, {"room": "x", "body": "hi", "client_id": "c"},
    {"room": True, "body": "hi", "client_id": "c"}, {"room": 99999, "body": "hi", "client_id": "c"},
    {"room": {"a": 1}, "body": "hi", "client_id": "c"}])
def test_malformed_sends_get_an_error_ack(login_as, open_room, sio, data) -> None:
    client, alice = login_as()
    open_room("R", alice)
    socket = sio(client)
    ack = socket.emit("send", data, namespace="/rooms", callback=True)
    assert ack["ok"] is False and ack["code"] in {"bad_request", "bad_room", "room_not_found"}
    assert isinstance(ack["error"], str) and ack["error"]


def test_rules_are_enforced_over_the_socket(login_as, make_user, open_room, sio, organiser,
                                            session) -> None:
    client, alice = login_as()
    room = open_room("R", alice)
    stranger_room = open_room("Other")
    with unit_of_work():
        secret = services.create_working_group(organiser, "Secret")
    socket = sio(client)
    assert _send(socket, stranger_room, "hi", "c1")["code"] == "not_member"
    assert _send(socket, secret, "hi", "c2")["code"] == "room_not_found"
    assert _join(socket, secret)["code"] == "room_not_found"
    assert _send(socket, room, "", "c3")["code"] == "empty_body"
    assert _send(socket, room, "x" * 5000, "c4")["code"] == "body_too_long"
    with unit_of_work():
        services.mute(organiser, room, alice, 5)
    assert _send(socket, room, "hi", "c5")["code"] == "muted"
    with unit_of_work():
        services.mute(organiser, room, alice, 0)
        services.set_locked(organiser, room, True)
    assert _send(socket, room, "hi", "c6")["code"] == "locked"
    assert _join(socket, room, after_seq=-3)["code"] == "bad_seq"
    assert session.query(Message).count() == 0


def test_floods_are_refused_with_the_rate_limit(login_as, open_room, sio, app_ctx) -> None:
    client, alice = login_as()
    room = open_room("R", alice)
    socket = sio(client)
    codes = [(_send(socket, room, f"m{n}", f"c{n}").get("code")) for n in range(25)]
    assert codes[:20] == [None] * 20 and set(codes[20:]) == {"rate_limited"}


def test_read_marks_and_watch_counts(login_as, make_user, open_room, post, sio) -> None:
    client, alice = login_as(display_name="Alice Smith")
    bob = make_user(display_name="Bob")
    room = open_room("R", alice, bob)
    post(bob, room, "one")
    post(bob, room, "hey @Alice Smith")
    socket = sio(client)
    watched = socket.emit("watch", {}, namespace="/rooms", callback=True)
    assert watched["rooms"][str(room.id)] == {"unread": 2, "mentions": 1, "last_read_seq": 0}
    ack = socket.emit("read", {"room": room.id, "seq": 2}, namespace="/rooms", callback=True)
    assert ack == {"ok": True, "room": room.id, "last_read_seq": 2}
    post(bob, room, "three")
    assert [p["name"] for p in socket.get_received("/rooms")] == ["message"]


def test_typing_and_presence_are_not_stored(login_as, make_user, signed_in, open_room,
                                            sio) -> None:
    client, alice = login_as(display_name="Alice")
    bob = make_user(display_name="Bob")
    room = open_room("R", alice, bob)
    socket, other = sio(client), sio(signed_in(bob))
    _join(socket, room)
    _join(other, room)
    assert socket.emit("typing", {"room": room.id}, namespace="/rooms", callback=True)["ok"]
    assert socket.emit("typing", {"room": room.id}, namespace="/rooms", callback=True)["ok"]
    typing = [p["args"][0] for p in other.get_received("/rooms") if p["name"] == "typing"]
    assert typing == [{"room": room.id, "user": {"id": alice.id, "name": "Alice"}}]  # throttled
    assert not [p for p in socket.get_received("/rooms") if p["name"] == "typing"]
    assert room.last_seq == 0
    ack = socket.emit("heartbeat", {"state": "online", "room": room.id}, namespace="/rooms",
                      callback=True)
    assert ack["presence"][str(alice.id)] == "online"
    assert socket.emit("heartbeat", {"state": "dancing"}, namespace="/rooms",
                       callback=True)["code"] == "bad_state"


def test_a_member_who_leaves_stops_hearing_the_room(login_as, make_user, signed_in, open_room,
                                                    post, sio) -> None:
    client, alice = login_as(display_name="Alice")
    bob = make_user(display_name="Bob")
    room = open_room("R", alice, bob)
    mine, theirs = sio(client), sio(signed_in(bob))
    _join(mine, room)
    _join(theirs, room)
    with unit_of_work():
        services.leave(bob, room)
    # Nothing undocumented is sent, and only the leaver's sockets leave the room's broadcasts.
    assert theirs.get_received("/rooms") == []
    assert mine.get_received("/rooms") == []
    assert _join(theirs, room)["code"] == "not_member"
    post(alice, room, "after Bob left")
    assert [p["name"] for p in mine.get_received("/rooms")] == ["message"]
    assert theirs.get_received("/rooms") == []
