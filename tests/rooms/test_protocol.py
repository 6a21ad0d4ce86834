"""Protocol hygiene of /rooms: every malformed payload of every event answers a documented error
code (never `internal`), following rooms is rate-limited, and no undocumented event is sent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.core.db import unit_of_work
from app.rooms import services

DOC = Path(__file__).resolve().parents[2] / "docs" / "realtime.md"
EVENTS = ["join", "send", "edit", "delete", "read", "typing", "heartbeat", "watch", "leave"]
HUGE = 2**63 + 7
MALFORMED = [None, True, False, 0, -1, -(2**63), HUGE, 2**31, 10**400 // 10**399 * 10**30, 1.5,
             float("inf"), "", " ", "abc", "١٢", "²", "9" * 5000, "\ud800", "a\udfffb", "\x00\x1b[31m",
             "x\r\ny", "\u202e", "x" * 1_000_000, [], [1], {}, {"a": 1}, ["room"]]
FIELDS = ["room", "after_seq", "body", "client_id", "reply_to", "id", "seq", "state"]


def _documented_codes() -> set[str]:
    table = DOC.read_text(encoding="utf-8").split("## Error codes", 1)[1].split("##", 1)[0]
    return set(re.findall(r"`([a-z_]+)`", table))


def _payloads(room_id: int, message_id: int):
    base = {"room": room_id, "after_seq": 0, "body": "hello", "client_id": "fuzz-1",
            "reply_to": message_id, "id": message_id, "seq": 1, "state": "online"}
    yield from MALFORMED  # the whole payload of the wrong shape
    for field in FIELDS:
        yield {k: v for k, v in base.items() if k != field}  # a field missing
        for value in MALFORMED:
            yield {**base, field: value}


def test_every_event_answers_every_malformed_payload_with_a_documented_code(
        login_as, open_room, post, sio, app_ctx, monkeypatch) -> None:
    monkeypatch.setitem(app_ctx.config, "ROOMS_RATE_LIMIT", "1000000/1 second")
    monkeypatch.setitem(app_ctx.config, "ROOMS_FOLLOW_RATE_LIMIT", "1000000/1 second")
    client, alice = login_as(display_name="Alice")
    room = open_room("Fuzz", alice)
    message = post(alice, room, "the first")
    socket = sio(client)
    documented = _documented_codes()
    assert "internal" in documented and "rate_limited" in documented
    seen: set[str] = set()
    for event in EVENTS:
        for number, payload in enumerate(_payloads(room.id, message.id)):
            if isinstance(payload, dict) and payload.get("client_id") == "fuzz-1":
                payload = {**payload, "client_id": f"fuzz-{event}-{number}"}  # not a retry
            ack = socket.emit(event, payload, namespace="/rooms", callback=True)
            assert isinstance(ack, dict) and "ok" in ack, (event, repr(payload)[:200], ack)
            if not ack["ok"]:
                assert ack["code"] != "internal", (event, repr(payload)[:200], ack)
                assert ack["code"] in documented, (event, ack["code"])
                assert ack["error"]
                seen.add(ack["code"])
    assert {"bad_request", "bad_room", "room_not_found", "bad_seq", "bad_body", "empty_body",
            "body_too_long", "bad_client_id", "bad_reply", "message_not_found",
            "bad_state"} <= seen
    # Whatever was stored is clean: no control characters, no lone surrogates.
    for stored in services.history(alice, room):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]", stored.body)


def test_a_body_with_a_lone_surrogate_is_refused_and_control_characters_are_dropped(
        login_as, open_room, sio) -> None:
    client, alice = login_as(display_name="Alice")
    room = open_room("Clean", alice)
    socket = sio(client)
    ack = socket.emit("send", {"room": room.id, "body": "a\ud800b", "client_id": "s1"},
                      namespace="/rooms", callback=True)
    assert ack["code"] == "bad_body"
    ack = socket.emit("send", {"room": room.id, "body": "a\x00b\x1b[31mc\tok\nnext",
                               "client_id": "s2"}, namespace="/rooms", callback=True)
    assert ack["ok"]
    assert [m.body for m in services.history(alice, room)] == ["ab[31mc\tok\nnext"]


@pytest.mark.parametrize("event", ["join", "watch", "heartbeat"])
def test_following_rooms_is_rate_limited_per_member(event, login_as, open_room, sio,
                                                    app_ctx, monkeypatch) -> None:
    monkeypatch.setitem(app_ctx.config, "ROOMS_FOLLOW_RATE_LIMIT", "5/10 second")
    client, alice = login_as(display_name="Alice")
    room = open_room("Busy", alice)
    payload = {"room": room.id, "state": "online"}
    first, second = sio(client), sio(client)
    acks = [(first if n % 2 else second).emit(event, payload, namespace="/rooms", callback=True)
            for n in range(7)]
    assert [a["ok"] for a in acks] == [True] * 5 + [False] * 2
    assert {a["code"] for a in acks[5:]} == {"rate_limited"}
    services.reset_rate_limits()
    assert first.emit(event, payload, namespace="/rooms", callback=True)["ok"]


def test_the_server_sends_only_documented_events(login_as, make_user, signed_in, open_room,
                                                 organiser, post, sio) -> None:
    client, alice = login_as(display_name="Alice")
    bob = make_user(display_name="Bob")
    room = open_room("Doc", alice, bob)
    socket = sio(signed_in(bob))
    socket.emit("join", {"room": room.id}, namespace="/rooms", callback=True)
    message = post(alice, room, "hello")
    with unit_of_work():
        services.edit_message(alice, message, "hello again")
    with unit_of_work():
        services.delete_message(alice, message)
    with unit_of_work():
        services.set_locked(organiser, room, True)
    names = {p["name"] for p in socket.get_received("/rooms")}
    assert names == {"message", "edit", "delete", "room_state"}
    text = DOC.read_text(encoding="utf-8").split("## Events from the server", 1)[1]
    assert all(f"- `{name}`" in text for name in names)
