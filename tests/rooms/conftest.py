"""Room builders and a Socket.IO client factory for the rooms tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import g

from app.core.db import unit_of_work
from app.extensions import socketio
from app.rooms import services
from app.rooms.models import Room


@pytest.fixture(autouse=True)
def fresh_rate_limits(app_ctx) -> Iterator[None]:
    """Each test starts with nobody over the rate limit; each request gets its own CSRF token.

    The test's app context is shared by every request, and Flask-WTF caches the token in `g`,
    so a second signed-in client would otherwise be handed the first one's token.
    """
    services.reset_rate_limits()
    app_ctx.extensions.pop("rooms.presence", None)

    def forget_csrf() -> None:
        g.pop("csrf_token", None)

    app_ctx.before_request_funcs.setdefault(None, []).insert(0, forget_csrf)
    yield
    app_ctx.before_request_funcs[None].remove(forget_csrf)


@pytest.fixture
def open_room(organiser) -> Callable[..., Room]:
    """An open room created by an organiser; `members` join it."""

    def build(name: str = "AI governance", *members) -> Room:
        with unit_of_work():
            room = services.create_open_room(organiser, name, "Talk about AI rules")
            for member in members:
                services.join(member, room)
        return room

    return build


@pytest.fixture
def post() -> Callable[..., object]:
    """Post a message in its own transaction, like a handler would."""
    counter = iter(range(1, 1_000_000))

    def do(user, room, body: str = "Hello", client_id: str | None = None, **kwargs):
        with unit_of_work():
            message, _ = services.post_message(user, room, body,
                                               client_id or f"c{next(counter)}", **kwargs)
        return message

    return do


class _Socket:
    """A Socket.IO test client that forgets the cached member before each event.

    Every test client shares the test's app context, where Flask-Login caches the user in `g`;
    a real server gives each event its own context.
    """

    def __init__(self, app, flask_client) -> None:
        g.pop("_login_user", None)
        self.inner = socketio.test_client(app, namespace="/rooms", flask_test_client=flask_client)

    def emit(self, *args, **kwargs):
        g.pop("_login_user", None)
        return self.inner.emit(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


@pytest.fixture
def sio(app_ctx) -> Iterator[Callable[..., object]]:
    """Connect Socket.IO test clients to /rooms with a signed-in Flask test client."""
    clients = []

    def connect(flask_client):
        socket = _Socket(app_ctx, flask_client)
        clients.append(socket)
        return socket

    yield connect
    for socket in clients:
        if socket.is_connected("/rooms"):
            socket.disconnect("/rooms")


@pytest.fixture
def signed_in(app_ctx) -> Callable[..., object]:
    """A further test client signed in as `user` (a second browser)."""
    from tests.conftest import PASSWORD, csrf_token

    def do(user):
        other = app_ctx.test_client()
        response = other.post("/login", data={"email": user.email, "password": PASSWORD,
                                              "csrf_token": csrf_token(other)})
        assert response.status_code == 302
        return other

    return do
