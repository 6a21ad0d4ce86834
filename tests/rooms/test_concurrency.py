"""Many members sending in one room at the same instant, against a real server, on both databases.

Every send must be stored and acknowledged; the same client_id sent from several sockets at once
gives every sender the one stored message (docs/realtime.md), never `internal`.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator

import pytest
import socketio

from tests.conftest import free_port, fresh_database
from tests.rooms.serverkit import Server, prepare

pytestmark = pytest.mark.slow
MEMBERS = 16
ROUNDS = 3


class ThreadedServer(Server):
    """`python wsgi.py` as `make run` starts it: Werkzeug with one thread per connection."""

    def start(self) -> Server:
        self.env["SOCKETIO_ASYNC_MODE"] = "threading"
        original = subprocess.Popen

        def popen(command, **kwargs):  # the same process handling, another command line
            return original([sys.executable, "wsgi.py"], **kwargs)

        subprocess.Popen = popen
        try:
            return super().start()
        finally:
            subprocess.Popen = original


@pytest.fixture(params=["threads", "gevent"])
def world(request, app, tmp_path) -> Iterator[dict]:
    """One server without Redis (as `make run` and a small `make serve`), members, one room.

    The database is a fresh one of the backend the suite runs on (both, in CI).
    """
    mode = request.param
    with fresh_database(app.config["BACKEND"], tmp_path) as url:
        world = prepare(url, MEMBERS)
        kind = ThreadedServer if mode == "threads" else Server
        server = kind(url, free_port(), None, log=tmp_path / "server.log",
                      ROOMS_RATE_LIMIT="20/10 second").start()
        try:
            yield {"server": server, **world}
        finally:
            server.close()


def _connect(base: str, cookie: str) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(base, headers={"Cookie": cookie}, namespaces=["/rooms"],
                   transports=["websocket"], wait_timeout=10)
    return client


def _all_at_once(calls: list) -> list:
    """Run every call in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[index] = {"ok": False, "code": f"exception: {error!r}"}

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_members_sending_at_the_same_instant_are_all_stored(world) -> None:
    base, room = world["server"].base, world["room"]
    clients = [_connect(base, u["cookie"]) for u in world["users"]]
    try:
        for client in clients:
            assert client.call("join", {"room": room}, namespace="/rooms", timeout=10)["ok"]
        stored: set[int] = set()
        for round_ in range(ROUNDS):
            acks = _all_at_once([
                (lambda c=c, n=n: c.call("send", {"room": room, "body": f"r{round_} m{n}",
                                                  "client_id": uuid.uuid4().hex},
                                         namespace="/rooms", timeout=30))
                for n, c in enumerate(clients)])
            assert [a.get("code") for a in acks if not a.get("ok")] == []
            stored |= {a["message"]["seq"] for a in acks}
        assert stored == set(range(1, MEMBERS * ROUNDS + 1))
        replay = clients[0].call("join", {"room": room}, namespace="/rooms", timeout=10)
        assert [e["seq"] for e in replay["messages"]] == list(range(1, MEMBERS * ROUNDS + 1))
    finally:
        for client in clients:
            client.disconnect()


def test_one_client_id_from_four_sockets_at_once_gives_everyone_the_one_message(world) -> None:
    base, room, cookie = world["server"].base, world["room"], world["users"][1]["cookie"]
    sockets = [_connect(base, cookie) for _ in range(4)]
    try:
        for client_number in range(3):
            client_id = uuid.uuid4().hex
            acks = _all_at_once([
                (lambda s=s: s.call("send", {"room": room, "body": "once", "client_id": client_id},
                                    namespace="/rooms", timeout=30))
                for s in sockets])
            assert all(a.get("ok") for a in acks), acks
            assert len({a["message"]["id"] for a in acks}) == 1
            assert {a["message"]["seq"] for a in acks} == {client_number + 1}
        replay = sockets[0].call("join", {"room": room}, namespace="/rooms", timeout=10)
        assert [e["seq"] for e in replay["messages"]] == [1, 2, 3]
    finally:
        for client in sockets:
            client.disconnect()
