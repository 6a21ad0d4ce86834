"""Two real server processes on one Redis: messages cross between them, and nothing is lost
while clients drop and reconnect at random and a server restarts mid-stream."""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import socketio

from tests.conftest import STRICT, free_port, fresh_database
from tests.rooms.serverkit import Server, login_cookie, prepare

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        if STRICT:
            pytest.fail("TEST_REDIS_URL is not set")
        pytest.skip("TEST_REDIS_URL is not set")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def cluster(request, redis_url, tmp_path) -> Iterator[dict]:
    """Two servers on one database and one Redis channel; yields servers, room and members."""
    with fresh_database(request.param, tmp_path) as url:
        world = prepare(url, 8)
        channel = f"rooms-test-{uuid.uuid4().hex}"
        servers = [Server(url, free_port(), redis_url, channel, log=tmp_path / f"s{n}.log")
                   for n in range(2)]
        try:
            for server in servers:
                server.start()
            yield {"servers": servers, **world}
        finally:
            for server in servers:
                server.close()


class Follower:
    """A client that applies room events strictly in sequence, like rooms.js does.

    A gap (a lost broadcast, a reconnect) makes it rejoin with the last sequence it applied,
    and the server replays the rest. Rejoins run in the follower's own thread: Socket.IO
    handlers must not block waiting for an ack.
    """

    def __init__(self, cookie: str, room: int) -> None:
        self.cookie, self.room = cookie, room
        self.seen: list[int] = []
        self.bodies: list[str] = []
        self.lock = threading.Lock()
        self.needs_join = threading.Event()
        self.stopping = False
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.2,
                                      reconnection_delay_max=1)
        self.client.on("connect", self.needs_join.set, namespace="/rooms")
        self.client.on("message", self._receive, namespace="/rooms")
        self.thread = threading.Thread(target=self._rejoin_loop, daemon=True)

    @property
    def last(self) -> int:
        return self.seen[-1] if self.seen else 0

    def connect(self, base: str) -> None:
        self.client.connect(base, headers={"Cookie": self.cookie}, namespaces=["/rooms"],
                            transports=["websocket"], wait_timeout=10)

    def start(self, base: str) -> Follower:
        self.connect(base)
        self.thread.start()
        return self

    def _apply(self, event: dict) -> bool:
        if event["seq"] <= self.last:
            return True
        if event["seq"] != self.last + 1:
            return False
        self.seen.append(event["seq"])
        self.bodies.append(event["body_html"])
        return True

    def _receive(self, event: dict) -> None:
        with self.lock:
            if not self._apply(event):
                self.needs_join.set()

    def _rejoin_loop(self) -> None:
        while not self.stopping:
            if not self.needs_join.wait(0.2):
                continue
            self.needs_join.clear()
            try:
                self.catch_up()
            except Exception:
                self.needs_join.set()
                time.sleep(0.2)

    def catch_up(self) -> None:
        more = True
        while more:
            ack = self.client.call("join", {"room": self.room, "after_seq": self.last},
                                   namespace="/rooms", timeout=10)
            assert ack["ok"], ack
            with self.lock:
                for event in ack["messages"]:
                    self._apply(event)
            more = ack["more"]

    def close(self) -> None:
        self.stopping = True
        self.client.disconnect()


def send(client: socketio.Client, room: int, body: str, client_id: str) -> dict:
    """Send until acknowledged, always with the same client_id (a retry is stored once)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            ack = client.call("send", {"room": room, "body": body, "client_id": client_id},
                              namespace="/rooms", timeout=5)
            if ack and ack.get("ok"):
                return ack["message"]
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                socketio.exceptions.SocketIOError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"send of {client_id} never acknowledged")


def test_a_message_sent_through_one_server_reaches_a_member_on_the_other(cluster) -> None:
    first, second = cluster["servers"]
    room = cluster["room"]
    users = cluster["users"]
    receiver = Follower(login_cookie(second.base, users[1]["email"]), room).start(second.base)
    receiver.catch_up()
    sender = socketio.Client()
    sender.connect(first.base, headers={"Cookie": login_cookie(first.base, users[2]["email"])},
                   namespaces=["/rooms"], transports=["websocket"], wait_timeout=10)
    try:
        message = send(sender, room, "Across the **cluster**, 你好", "x-1")
        deadline = time.monotonic() + 10
        while receiver.seen != [message["seq"]] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receiver.bodies == ["<p>Across the <strong>cluster</strong>, 你好</p>"]
    finally:
        sender.disconnect()
        receiver.close()


def test_anonymous_sockets_are_refused_by_a_real_server(cluster) -> None:
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(cluster["servers"][0].base, namespaces=["/rooms"],
                       transports=["websocket"], wait_timeout=5)


def test_nothing_is_lost_through_drops_and_a_server_restart(cluster) -> None:
    first, second = cluster["servers"]
    room, users = cluster["room"], cluster["users"]
    rng = random.Random(5)
    followers = []
    for n, user in enumerate(users[1:7]):
        home = (first, second)[n % 2]
        followers.append(Follower(user["cookie"], room).start(home.base))
    sender = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
    sender.connect(first.base, headers={"Cookie": users[7]["cookie"]}, namespaces=["/rooms"],
                   transports=["websocket"], wait_timeout=10)
    total = 120
    stop = threading.Event()
    drops = []

    def chaos() -> None:
        while not stop.is_set():
            time.sleep(rng.uniform(0.1, 0.4))
            victim = rng.choice(followers)
            try:
                victim.client.disconnect()
                drops.append(victim)
                time.sleep(rng.uniform(0.0, 0.5))
                victim.connect(rng.choice((first, second)).base)
            except Exception:  # the server being restarted: the next round tries again
                continue

    agent = threading.Thread(target=chaos, daemon=True)
    agent.start()
    try:
        for n in range(total):
            send(sender, room, f"message {n}", f"m-{n}")
            if n == total // 3:
                second.stop()
            if n == total // 2:
                second.start()
            time.sleep(0.02)
    finally:
        stop.set()
        agent.join(timeout=10)
    try:
        for follower in followers:
            if not follower.client.connected:
                follower.connect(first.base)
            deadline = time.monotonic() + 20
            while follower.last < total and time.monotonic() < deadline:
                follower.needs_join.set()
                time.sleep(0.2)
        assert len(drops) >= 5
        for follower in followers:
            assert follower.seen == list(range(1, total + 1))
            assert follower.bodies == [f"<p>message {n}</p>" for n in range(total)]
    finally:
        sender.disconnect()
        for follower in followers:
            follower.close()


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """These tests run their own servers: no in-process app, so nothing to reset."""
