"""deploy/nginx/caravanserai.conf in front of two application processes, over HTTPS.

Debian's nginx runs the recipe's own site file; two gunicorn gevent processes share PostgreSQL
and Redis. A member signs in over HTTPS, and a message sent on a socket held by one process
reaches a socket held by the other, through the proxy.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator

import pytest
import requests
import socketio
import websocket

from tests.conftest import STRICT, free_port, fresh_database
from tests.deploy.stack import AppProcess, Nginx, app_env, flask, nginx_binary
from tests.rooms.serverkit import PASSWORD, prepare

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not nginx_binary() or not redis_url:
        if STRICT:
            pytest.fail("nginx (apt-get install nginx) and TEST_REDIS_URL are required")
        pytest.skip("nginx or TEST_REDIS_URL is missing")
    folder = tmp_path_factory.mktemp("stack")
    with fresh_database("postgresql", folder) as url:
        ports = [free_port(), free_port()]
        http_port, https_port = free_port(), free_port()
        # BASE_URL is another name on purpose: the page's own origin must be recognised from the
        # Host (with its port) and X-Forwarded-Proto that nginx passes on.
        envs = [app_env(url, redis_url, folder / "instance", port,
                        BASE_URL="https://caravanserai.example",
                        LOGIN_RATE_LIMIT="1000 per minute") for port in ports]
        for env in envs:
            env["SOCKETIO_CHANNEL"] = envs[0]["SOCKETIO_CHANNEL"]
        flask(envs[0], "db", "upgrade")  # the release step
        world = prepare(url, 3)
        processes = [AppProcess(env, folder / f"app{n}.log") for n, env in enumerate(envs)]
        proxy = Nginx(folder, ports, http_port, https_port)
        try:
            for process in processes:
                process.start()
            proxy.start()
            sessions: list[requests.Session] = []
            yield {"nginx": proxy, "processes": processes, "folder": folder,
                   "sessions": sessions, **world}
            for session in sessions:
                session.close()
        finally:
            proxy.stop()
            for process in processes:
                process.stop()


def https_session(stack: dict) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE overrides the test certificate
    session.verify = str(stack["nginx"].cert)
    stack["sessions"].append(session)  # closed with the stack: no unclosed TLS sockets
    return session


def sign_in(stack: dict, email: str) -> requests.Session:
    session = https_session(stack)
    base = stack["nginx"].base
    page = session.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = session.post(f"{base}/login", data={"email": email, "password": PASSWORD,
                                                   "csrf_token": token},
                            # As a browser sends it: over HTTPS, Flask-WTF checks that the
                            # referrer is this very host and port, as nginx passed them on.
                            headers={"Referer": f"{base}/login"},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:300]
    return session


def socket_for(stack: dict, session: requests.Session, **headers: str) -> socketio.Client:
    client = socketio.Client(reconnection=False, http_session=session)
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    client.connect(stack["nginx"].base, headers={"Cookie": cookie, **headers},
                   namespaces=["/rooms"], transports=["websocket"], wait_timeout=10)
    return client


def test_nginx_accepts_the_recipe_as_written(stack: dict) -> None:
    assert stack["nginx"].test_config().returncode == 0


def test_plain_http_is_redirected_to_https(stack: dict) -> None:
    proxy = stack["nginx"]
    response = requests.get(f"http://127.0.0.1:{proxy.http_port}/login?lang=fr",
                            allow_redirects=False, timeout=10)
    assert response.status_code == 301
    assert response.headers["Location"] == "https://127.0.0.1/login?lang=fr"


def test_https_answers_with_one_hsts_header_and_secure_cookies(stack: dict) -> None:
    response = https_session(stack).get(f"{stack['nginx'].base}/login", timeout=10)
    assert response.status_code == 200
    assert response.raw.headers.getlist("Strict-Transport-Security") == [
        "max-age=63072000; includeSubDomains"]
    assert "Secure" in response.headers["Set-Cookie"]


def test_readiness_through_the_proxy_names_database_and_redis(stack: dict) -> None:
    body = https_session(stack).get(f"{stack['nginx'].base}/readyz", timeout=10).json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]


def test_processes_share_the_generated_secret_key(stack: dict) -> None:
    key = stack["folder"] / "instance" / "secret_key"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    # A session made through nginx is valid on either process, whichever it reaches directly.
    session = sign_in(stack, stack["users"][0]["email"])
    cookie = {"session": session.cookies["session"]}
    for process in stack["processes"]:
        response = requests.get(f"http://127.0.0.1:{process.port}/profile", cookies=cookie,
                                allow_redirects=False, timeout=10,
                                headers={"X-Forwarded-Proto": "https"})
        assert response.status_code == 200


def handshake(stack: dict, session: requests.Session, origin: str) -> str:
    """Open a raw Engine.IO websocket with this Origin (as a browser page on `origin` would)."""
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    url = stack["nginx"].base.replace("https://", "wss://") + "/socket.io/?EIO=4&transport=websocket"
    connection = websocket.create_connection(url, origin=origin, cookie=cookie, timeout=10,
                                             sslopt={"ca_certs": str(stack["nginx"].cert)})
    try:
        return connection.recv()
    finally:
        connection.close()


def test_a_socket_from_another_origin_is_refused_through_the_proxy(stack: dict) -> None:
    session = sign_in(stack, stack["users"][1]["email"])
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        handshake(stack, session, "http://evil.example")
    assert refused.value.status_code == 400
    # The page's own origin (Host with its port, scheme from X-Forwarded-Proto) is accepted.
    assert handshake(stack, session, stack["nginx"].base).startswith("0{")


def test_a_message_crosses_processes_through_the_proxy(stack: dict) -> None:
    room = stack["room"]
    before = len(stack["nginx"].websocket_upstreams())
    received: list[dict] = []
    arrived = threading.Event()
    listener = socket_for(stack, sign_in(stack, stack["users"][1]["email"]))
    listener.on("message", lambda event: (received.append(event), arrived.set()), namespace="/rooms")
    speaker = socket_for(stack, sign_in(stack, stack["users"][2]["email"]))
    try:
        assert listener.transport() == speaker.transport() == "websocket"
        assert listener.call("join", {"room": room, "after_seq": 0}, namespace="/rooms",
                             timeout=10)["ok"]
        ack = speaker.call("send", {"room": room, "body": "Across the proxy", "client_id": "d-1"},
                           namespace="/rooms", timeout=10)
        assert ack["ok"], ack
        assert arrived.wait(10)
        assert received[0]["seq"] == ack["message"]["seq"]
    finally:
        listener.disconnect()
        speaker.disconnect()
    # least_conn put the two open sockets on different processes (nginx logs each at its end).
    deadline = time.monotonic() + 5
    while len(stack["nginx"].websocket_upstreams()) < before + 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(set(stack["nginx"].websocket_upstreams()[before:])) == 2


def open_rooms_socket(stack: dict, cookie: str) -> websocket.WebSocket:
    """A raw Engine.IO websocket through nginx, connected to the /rooms namespace."""
    url = stack["nginx"].base.replace("https://", "wss://") + "/socket.io/?EIO=4&transport=websocket"
    connection = websocket.create_connection(url, cookie=cookie, timeout=10,
                                             sslopt={"ca_certs": str(stack["nginx"].cert)})
    assert connection.recv().startswith("0{")
    connection.send("40/rooms,")
    assert connection.recv().startswith("40/rooms,")
    return connection


def wait_closed(connections: list[websocket.WebSocket], deadline: float) -> list[float | None]:
    """When the server dropped each connection (None: still open), reading all of them in turn
    and answering pings and closes, as browsers do."""
    closed: list[float | None] = [None] * len(connections)
    while time.monotonic() < deadline and None in closed:
        for n, connection in enumerate(connections):
            if closed[n] is not None:
                continue
            try:
                frame = connection.recv()
            except websocket.WebSocketTimeoutException:
                continue
            except (websocket.WebSocketConnectionClosedException, OSError):
                closed[n] = time.monotonic()
                continue
            if frame == "2":
                connection.send("3")
            elif not frame:
                closed[n] = time.monotonic()
    return closed


def test_a_restarted_process_hands_its_sockets_over_quickly(stack: dict) -> None:
    first = stack["processes"][0]
    session = sign_in(stack, stack["users"][1]["email"])
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    connections = [open_rooms_socket(stack, cookie) for _ in range(4)]
    drains: list[float] = []
    try:
        for connection in connections:
            connection.settimeout(0.05)
        stopped = time.monotonic()
        # SIGTERM, as `systemctl restart caravanserai@PORT` sends it, while the clients listen
        # (and answer the close, as browsers do).
        stopping = threading.Thread(target=lambda: drains.append(first.stop()))
        stopping.start()
        closed = wait_closed(connections, stopped + 5)
        stopping.join()
        dropped = [t for t in closed if t is not None]
        assert dropped, "least_conn put no socket on the stopped process"
        assert max(dropped) - stopped < 3
        # deploy/gunicorn.conf.py drops the sockets instead of holding them for the whole
        # graceful timeout, so the process is gone well before it.
        assert drains[0] < first.graceful_timeout / 2, drains
        # Reconnecting through nginx reaches the remaining process at once.
        for _ in dropped:
            open_rooms_socket(stack, cookie).close()
    finally:
        for connection in connections:
            connection.shutdown()  # close() skips the socket of a connection the server dropped
        first.start()
