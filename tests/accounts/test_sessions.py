"""Signing out ends the session on the server: cookies, remember-me cookies and open sockets."""

from __future__ import annotations

from flask import g

from app.extensions import socketio
from tests.conftest import PASSWORD, csrf_token


def sign_in(client, user, **extra) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": csrf_token(client), **extra})
    assert response.status_code == 302


def copy_cookie(app, source, name: str):
    """A second browser holding a copy of one of the first browser's cookies."""
    cookie = source.get_cookie(name)
    assert cookie is not None, name
    thief = app.test_client()
    thief.set_cookie(name, cookie.value)
    return thief


def sign_out(client) -> None:
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 302


def test_a_copied_session_cookie_stops_working_after_sign_out(app_ctx, client, make_user) -> None:
    user = make_user()
    sign_in(client, user)
    thief = copy_cookie(app_ctx, client, "session")
    assert thief.get("/profile").status_code == 200
    sign_out(client)
    assert thief.get("/profile").status_code == 302
    assert client.get("/profile").status_code == 302


def test_a_copied_remember_me_cookie_stops_working_after_sign_out(app_ctx, client,
                                                                  make_user) -> None:
    user = make_user()
    sign_in(client, user, remember="y")
    thief = copy_cookie(app_ctx, client, "remember_token")
    assert thief.get("/profile").status_code == 200  # the cookie alone signs in, until...
    sign_out(client)
    assert thief.get("/profile").status_code == 302
    thief.delete_cookie("session")  # the remember-me cookie alone is refused too
    assert thief.get("/profile").status_code == 302


def test_open_sockets_are_told_and_then_refused_after_sign_out(app_ctx, client,
                                                               make_user) -> None:
    user = make_user()
    sign_in(client, user)
    default = socketio.test_client(app_ctx, flask_test_client=client)
    rooms = socketio.test_client(app_ctx, namespace="/rooms", flask_test_client=client)
    assert default.is_connected() and rooms.is_connected("/rooms")
    g.pop("_login_user", None)
    assert default.emit("whoami", callback=True)["ok"] is True
    default.get_received()
    sign_out(client)
    assert [m["name"] for m in default.get_received()] == ["signed_out"]
    assert [m["name"] for m in rooms.get_received("/rooms")] == ["signed_out"]
    # A client that ignores the notice is refused and disconnected at its next event.
    g.pop("_login_user", None)
    assert default.emit("whoami", callback=True) is None or not default.is_connected()
    assert not default.is_connected()
    g.pop("_login_user", None)
    rooms.emit("heartbeat", {"state": "online"}, namespace="/rooms", callback=True)
    assert not rooms.is_connected("/rooms")
    # And a new socket on the old cookie is not accepted.
    g.pop("_login_user", None)
    assert not socketio.test_client(app_ctx, flask_test_client=client).is_connected()


def test_sign_out_everywhere_else_keeps_only_this_browser(app_ctx, client, make_user) -> None:
    user = make_user()
    sign_in(client, user)
    laptop = app_ctx.test_client()
    sign_in(laptop, user, remember="y")
    copied_remember = copy_cookie(app_ctx, laptop, "remember_token")
    response = client.post("/profile/sessions",
                           data={"sessions-csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert laptop.get("/profile").status_code == 302
    assert copied_remember.get("/profile").status_code == 302


def test_sign_out_everywhere_else_needs_the_csrf_token(app_ctx, client, make_user) -> None:
    user = make_user()
    sign_in(client, user)
    laptop = app_ctx.test_client()
    sign_in(laptop, user)
    client.post("/profile/sessions", data={})
    assert laptop.get("/profile").status_code == 200


def test_a_password_change_ends_the_other_sessions(app_ctx, client, make_user) -> None:
    user = make_user()
    sign_in(client, user)
    laptop = app_ctx.test_client()
    sign_in(laptop, user)
    response = client.post("/profile", data={
        "password-csrf_token": csrf_token(client, "/profile"),
        "password-current_password": PASSWORD, "password-password": "a-brand-new-password"})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert laptop.get("/profile").status_code == 302
