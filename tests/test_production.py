"""`make serve`: gunicorn with one gevent worker serves pages and authenticated websockets."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import socketio

from tests.browser.conftest import wait_for
from tests.conftest import STRICT, TEST_DATABASE_URL, free_port, fresh_database

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture
def production_server(tmp_path: Path):
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        if STRICT:
            pytest.fail("TEST_REDIS_URL is required")
        pytest.skip("TEST_REDIS_URL is not set")
    backend = "postgresql" if TEST_DATABASE_URL else "sqlite"
    with fresh_database(backend, tmp_path) as database:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "CARAVANSERAI_"))}
        env.update({"HOST": "127.0.0.1", "PORT": str(port), "DATABASE_URL": database,
                    "REDIS_URL": redis_url, "SECRET_KEY": "production-smoke-secret-0123456789",
                    "SESSION_COOKIE_SECURE": "0", "MAIL_SUPPRESS_SEND": "1"})
        env["INSTANCE_PATH"] = str(tmp_path / "instance")
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, check=True, capture_output=True,
                       env={**env, "CARAVANSERAI_CONFIG": "production"})  # the release step
        log = (tmp_path / "serve.log").open("wb")
        process = subprocess.Popen(["make", "--no-print-directory", "serve", f"VENV={sys.prefix}"],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz", process, timeout=180)
            subprocess.run([*flask, "users", "create",
                            "--email", "smoke@example.org", "--name", "Smoke Test", "--password",
                            "a-fine-long-password"], cwd=ROOT,
                           env={**env, "CARAVANSERAI_CONFIG": "production"}, check=True,
                           capture_output=True)
            yield f"http://127.0.0.1:{port}"
        finally:
            os.killpg(process.pid, 15)
            process.wait(timeout=20)
            log.close()


def test_make_serve_serves_pages_and_authenticated_websockets(production_server: str) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{production_server}/login").read().decode()
    assert "<html" in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": "smoke@example.org", "password": "a-fine-long-password",
                                   "csrf_token": token}).encode()
    opener.open(f"{production_server}/login", data=data)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    assert "session=" in cookie

    anonymous = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        anonymous.connect(production_server, transports=["websocket"], wait_timeout=10)

    member = socketio.Client(reconnection=False)
    member.connect(production_server, headers={"Cookie": cookie}, transports=["websocket"],
                   wait_timeout=10)
    try:
        assert member.transport() == "websocket"
        assert member.call("whoami", timeout=10)["name"] == "Smoke Test"
    finally:
        member.disconnect()
