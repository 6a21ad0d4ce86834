"""The Socket.IO connect guard: only signed-in members get a socket."""

from __future__ import annotations

from app.extensions import socketio


def test_anonymous_sockets_are_refused(app_ctx, client) -> None:
    socket = socketio.test_client(app_ctx, flask_test_client=client)
    assert not socket.is_connected()


def test_signed_in_members_connect_and_are_known(app_ctx, login_as) -> None:
    client, user = login_as(display_name="Haruto Sato")
    socket = socketio.test_client(app_ctx, flask_test_client=client)
    assert socket.is_connected()
    assert socket.emit("whoami", callback=True) == {"ok": True, "id": user.id, "name": "Haruto Sato"}
    socket.disconnect()


def test_deactivated_members_lose_their_socket_access(app_ctx, login_as, session) -> None:
    client, user = login_as()
    user.active = False
    session.commit()
    socket = socketio.test_client(app_ctx, flask_test_client=client)
    assert not socket.is_connected()
