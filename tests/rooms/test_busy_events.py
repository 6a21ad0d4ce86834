"""A send that keeps meeting another writer answers `busy`, never `internal`."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import OperationalError

from app.rooms import services


def test_send_retries_contention_then_answers_busy(login_as, open_room, sio, monkeypatch) -> None:
    client, alice = login_as()
    room = open_room("R", alice)
    socket = sio(client)
    socket.emit("join", {"room": room.id}, namespace="/rooms", callback=True)
    real, calls = services.post_message, []

    def locked_twice(*args, **kwargs):
        calls.append(1)
        if len(calls) <= 2:
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "post_message", locked_twice)
    ack = socket.emit("send", {"room": room.id, "body": "Hello", "client_id": "c-1"},
                      namespace="/rooms", callback=True)
    assert ack["ok"] and len(calls) == 3

    def always_locked(*args, **kwargs):
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(services, "post_message", always_locked)
    ack = socket.emit("send", {"room": room.id, "body": "Again", "client_id": "c-2"},
                      namespace="/rooms", callback=True)
    assert ack["ok"] is False and ack["code"] == "busy"
