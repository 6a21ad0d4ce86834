"""Real server processes for the scale-out and no-loss tests and the fan-out benchmark.

`python -m tests.rooms.serverkit prepare URL MEMBERS SECRET` creates the tables, MEMBERS members
in one open room, and prints their ids and signed session cookies as JSON.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SECRET = "rooms-scale-tests-secret-0123456789"
PASSWORD = "a-long-test-password-42"


def prepare(url: str, members: int, secret: str = SECRET) -> dict:
    """Tables, members and a room in the database at `url` (run in a subprocess)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "tests.rooms.serverkit", "prepare", url,
                          str(members), secret], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _prepare_here(url: str, members: int, secret: str) -> dict:
    from sqlalchemy import insert, select

    from app import create_app
    from app.accounts.models import User
    from app.accounts.passwords import hash_password
    from app.core.db import unit_of_work, utcnow
    from app.extensions import db
    from app.rooms import services
    from app.rooms.models import RoomMember

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})
    with app.app_context(), app.test_request_context():
        db.create_all()
        digest = hash_password(PASSWORD)
        now = utcnow()
        db.session.execute(insert(User), [
            {"email": f"member{n}@scale.example", "display_name": f"Member {n}",
             "password_hash": digest, "role": "organiser" if n == 0 else "ambassador",
             "locale": "en", "timezone": "UTC", "active": True, "created_at": now,
             "failed_logins": 0, "session_epoch": 0} for n in range(members)])
        users = list(db.session.scalars(select(User).order_by(User.id)))
        with unit_of_work():
            room = services.create_open_room(users[0], "Scale", "")
            db.session.execute(insert(RoomMember), [
                {"room_id": room.id, "user_id": u.id, "role": "member", "status": "active",
                 "last_read_seq": 0, "joined_at": now} for u in users[1:]])
        serializer = app.session_interface.get_signing_serializer(app)
        name = app.config["SESSION_COOKIE_NAME"]
        cookies = [f"{name}={serializer.dumps({'_user_id': u.get_id(), '_fresh': True})}"
                   for u in users]
        result = {"room": room.id, "users": [{"id": u.id, "email": u.email, "cookie": c}
                                             for u, c in zip(users, cookies, strict=True)]}
        db.session.remove()
        db.engine.dispose()
    return result


def server_env(url: str, port: int, redis_url: str | None, channel: str,
               **extra: str) -> dict[str, str]:
    """The environment of a production-mode server process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "CARAVANSERAI_"))}
    env.update({"CARAVANSERAI_CONFIG": "production", "SECRET_KEY": SECRET, "DATABASE_URL": url,
                "SESSION_COOKIE_SECURE": "0", "HOST": "127.0.0.1", "PORT": str(port),
                "SOCKETIO_CHANNEL": channel, "ROOMS_RATE_LIMIT": "100000/1 second",
                "ROOMS_FOLLOW_RATE_LIMIT": "100000/1 second",
                "LOGIN_RATE_LIMIT": "100000 per minute", "PYTHONUNBUFFERED": "1"})
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


class Server:
    """One `gunicorn -k gevent -w 1` process, as `make serve` runs it."""

    def __init__(self, url: str, port: int, redis_url: str | None, channel: str | None = None,
                 log: Path | None = None, app: str = "wsgi:app", cwd: Path = ROOT,
                 **extra: str) -> None:
        self.port = port
        self.app, self.cwd = app, cwd
        self.base = f"http://127.0.0.1:{port}"
        self.env = server_env(url, port, redis_url, channel or f"rooms-{uuid.uuid4().hex}",
                              **extra)
        self.log = log
        self.process: subprocess.Popen | None = None
        self.output = None

    def start(self) -> Server:
        if self.log and self.output is None:
            self.output = self.log.open("ab")
        output = self.output or subprocess.DEVNULL
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--worker-class", "gevent", "--workers",
             "1", "--bind", f"127.0.0.1:{self.port}", self.app],
            cwd=self.cwd, env=self.env, stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server on {self.port} exited with {self.process.returncode}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise TimeoutError(f"server on {self.port} did not start")

    def worker_pid(self) -> int:
        """The gunicorn worker's process id (the one that serves)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = children.read_text().split()
        return int(pids[0]) if pids else self.process.pid

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def close(self) -> None:
        """Stop the server and close its log."""
        self.stop()
        if self.output is not None:
            self.output.close()
            self.output = None


def login_cookie(base: str, email: str, password: str = PASSWORD) -> str:
    """Sign in through the real form; returns the Cookie header for Socket.IO."""
    with requests.Session() as http:
        page = http.get(f"{base}/login", timeout=10).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        response = http.post(f"{base}/login", data={"email": email, "password": password,
                                                     "csrf_token": token},
                             allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text[:500]
        return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        print(json.dumps(_prepare_here(sys.argv[2], int(sys.argv[3]), sys.argv[4])))
