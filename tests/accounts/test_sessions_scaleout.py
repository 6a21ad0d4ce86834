"""Two real server processes on one Redis: signing out on one closes the sockets on the other."""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator

import pytest
import requests
import socketio

from tests.conftest import PASSWORD, STRICT, free_port, fresh_database
from tests.rooms.serverkit import Server, prepare

pytestmark = pytest.mark.slow


@pytest.fixture
def two_servers(tmp_path) -> Iterator[tuple[list[Server], dict]]:
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        if STRICT:
            pytest.fail("TEST_REDIS_URL is not set")
        pytest.skip("TEST_REDIS_URL is not set")
    with fresh_database("sqlite", tmp_path) as url:
        world = prepare(url, 2)
        channel = f"sessions-test-{uuid.uuid4().hex}"
        servers = [Server(url, free_port(), redis_url, channel, log=tmp_path / f"s{n}.log")
                   for n in range(2)]
        try:
            for server in servers:
                server.start()
            yield servers, world
        finally:
            for server in servers:
                server.close()


def csrf(http: requests.Session, url: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', http.get(url, timeout=10).text
                     ).group(1)


def test_signing_out_on_one_server_closes_the_members_sockets_on_the_other(two_servers) -> None:
    (first, second), world = two_servers
    member = world["users"][1]
    with requests.Session() as http:
        response = http.post(f"{first.base}/login", data={
            "email": member["email"], "password": PASSWORD,
            "csrf_token": csrf(http, f"{first.base}/login")}, allow_redirects=False, timeout=10)
        assert response.status_code == 302
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        told, gone = threading.Event(), threading.Event()
        client = socketio.Client(reconnection=False)
        client.on("signed_out", lambda data: told.set(), namespace="/rooms")
        client.on("disconnect", lambda *args: gone.set(), namespace="/rooms")
        client.connect(second.base, headers={"Cookie": cookie}, namespaces=["/rooms"],
                       transports=["websocket"], wait_timeout=10)
        try:
            assert client.call("heartbeat", {"state": "online"}, namespace="/rooms",
                               timeout=10)["ok"] is True
            response = http.post(f"{first.base}/logout", data={
                "csrf_token": csrf(http, f"{first.base}/profile")}, allow_redirects=False,
                timeout=10)
            assert response.status_code == 302
            assert told.wait(10), "the socket on the other server was not told"
            # A client that ignores the notice is refused and disconnected at its next event.
            client.emit("heartbeat", {"state": "online"}, namespace="/rooms")
            assert gone.wait(10), "the socket on the other server was not disconnected"
        finally:
            client.disconnect()
        refused = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            refused.connect(second.base, headers={"Cookie": cookie}, namespaces=["/rooms"],
                            transports=["websocket"], wait_timeout=10)
