"""Many members acting at the same instant on the development server (`make run`).

Usage: PYTHONPATH=. .venv/bin/python bench/concurrency.py --db sqlite|postgresql [--members 50]
           [--rounds 10] [--database-url postgresql+psycopg://postgres@127.0.0.1/postgres]
(prints JSON)

It prepares a throwaway database (SQLite file, or a new PostgreSQL database dropped afterwards)
with N members in one open room, starts `python wsgi.py` as `make run` does (development
settings, threading Socket.IO), then
- signs all N members in through the real login form at the same instant (a barrier releases the
  POSTs together), ROUNDS times;
- connects every member's Socket.IO client to the room and has all N send at the same instant,
  ROUNDS times.
Success counts and the median latency of each burst are printed, with a baseline measured in the
same run: one member signing in and one member sending alone.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import free_port  # noqa: E402
from tests.rooms.serverkit import PASSWORD, SECRET, prepare  # noqa: E402


class DevServer:
    """`python wsgi.py` with development settings, as `make run` starts it."""

    def __init__(self, url: str, log: Path | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "CARAVANSERAI_"))}
        self.env.update({"CARAVANSERAI_CONFIG": "development", "SECRET_KEY": SECRET, "DATABASE_URL": url,
                         "HOST": "127.0.0.1", "PORT": str(self.port), "BASE_URL": self.base,
                         "MAIL_SUPPRESS_SEND": "1", "LOGIN_RATE_LIMIT": "100000 per minute",
                         "ROOMS_RATE_LIMIT": "100000/1 second", "PYTHONUNBUFFERED": "1"})
        self.env.pop("REDIS_URL", None)
        self.log = log
        self.output: Any = None
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> DevServer:
        self.output = self.log.open("ab") if self.log else None
        self.process = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=self.env,
                                        stdout=self.output or subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise TimeoutError("the server did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.output is not None:
            self.output.close()


@contextmanager
def fresh_database(kind: str, admin_url: str | None) -> Iterator[str]:
    """A new empty database URL of `kind`, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/crowd.sqlite3"
        return
    from tests.conftest import throwaway_postgres

    with throwaway_postgres(admin_url or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                            "caravanserai_crowd") as url:
        yield url


def at_once(count: int, prepare_one: Callable[[int], Any], act: Callable[[int, Any], Any]) -> list[Any]:
    """Prepare `count` actors, then release their acts together; each act's result, in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            state = prepare_one(index)
        except Exception as error:  # an actor that cannot even prepare still meets the others
            state = error
        barrier.wait()
        if isinstance(state, Exception):
            results[index] = (False, 0.0, f"prepare: {state}")
            return
        try:
            results[index] = act(index, state)
        except Exception as error:
            results[index] = (False, 0.0, f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def sign_in_at_once(base: str, emails: list[str]) -> list[tuple[bool, float, Any]]:
    """Every member posts the login form at the same instant: (ok, seconds, cookie or error)."""

    def form(index: int) -> tuple[requests.Session, str]:
        http = requests.Session()
        page = http.get(f"{base}/login", timeout=60).text
        return http, re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def post(index: int, state: tuple[requests.Session, str]) -> tuple[bool, float, Any]:
        http, token = state
        start = time.perf_counter()
        with http:
            response = http.post(f"{base}/login", data={"email": emails[index], "password": PASSWORD,
                                                         "csrf_token": token},
                                 allow_redirects=False, timeout=120)
        elapsed = time.perf_counter() - start
        if response.status_code != 302:
            return False, elapsed, f"HTTP {response.status_code}"
        return True, elapsed, "; ".join(f"{k}={v}" for k, v in http.cookies.items())

    return at_once(len(emails), form, post)


def connect(base: str, cookie: str, room: int) -> socketio.Client:
    """A member's Socket.IO client, joined to the room."""
    client = socketio.Client(reconnection=False)
    # websocket-client sends the page's Origin itself (a second one would be refused as foreign).
    client.connect(base, headers={"Cookie": cookie}, transports=["websocket"],
                   namespaces=["/rooms"], wait_timeout=30)
    answer = client.call("join", {"room": room}, namespace="/rooms", timeout=60)
    if not answer.get("ok", True) and "messages" not in answer:
        raise RuntimeError(f"join refused: {answer}")
    return client


def send_at_once(clients: list[socketio.Client], room: int, tag: str) -> list[tuple[bool, float, Any]]:
    """Every connected member sends one message at the same instant: (ok, seconds, ack)."""

    def send(index: int, client: socketio.Client) -> tuple[bool, float, Any]:
        start = time.perf_counter()
        ack = client.call("send", {"room": room, "body": f"{tag} from {index}",
                                   "client_id": f"{tag}-{index}-{uuid.uuid4().hex[:8]}"},
                          namespace="/rooms", timeout=120)
        return bool(ack and ack.get("ok")), time.perf_counter() - start, ack.get("code") if ack else None

    return at_once(len(clients), lambda index: clients[index], send)


def summary(results: list[tuple[bool, float, Any]]) -> dict[str, Any]:
    """Successes, failures by reason, median and slowest latency of one burst."""
    times = [r[1] for r in results if r[0]]
    failures: dict[str, int] = {}
    for ok, _seconds, detail in results:
        if not ok:
            failures[str(detail)] = failures.get(str(detail), 0) + 1
    return {"ok": len(times), "failed": len(results) - len(times), "failures": failures,
            "median_s": round(statistics.median(times), 4) if times else None,
            "max_s": round(max(times), 4) if times else None}


def run(kind: str, members: int, rounds: int, admin_url: str | None) -> dict[str, Any]:
    """The whole measurement on one database kind."""
    with fresh_database(kind, admin_url) as url:
        world = prepare(url, members + 1)
        emails = [u["email"] for u in world["users"][1:]]  # member 0 is the room's organiser
        room = world["room"]
        with DevServer(url) as server:
            baseline_sign_in = [sign_in_at_once(server.base, emails[:1])[0] for _ in range(rounds)]
            sign_ins, cookies = [], []
            for _ in range(rounds):
                burst = sign_in_at_once(server.base, emails)
                sign_ins.append(summary(burst))
                cookies = [r[2] if r[0] else None for r in burst]
            clients = [connect(server.base, c, room) for c in cookies if c]
            try:
                baseline_send = [send_at_once(clients[:1], room, f"alone{n}")[0] for n in range(rounds)]
                sends = [summary(send_at_once(clients, room, f"round{n}")) for n in range(rounds)]
            finally:
                for client in clients:
                    client.disconnect()
    base_in = summary(baseline_sign_in)["median_s"]
    base_send = summary(baseline_send)["median_s"]
    med_in = statistics.median([s["median_s"] for s in sign_ins if s["median_s"] is not None])
    med_send = statistics.median([s["median_s"] for s in sends if s["median_s"] is not None])
    return {
        "db": kind, "members": members, "rounds": rounds, "server": "python wsgi.py (make run)",
        "sign_in": {"ok": sum(s["ok"] for s in sign_ins), "of": members * rounds,
                    "median_of_burst_medians_s": med_in, "baseline_alone_median_s": base_in,
                    "ratio_to_baseline": round(med_in / base_in, 2) if base_in else None,
                    "rounds": sign_ins},
        "send": {"ok": sum(s["ok"] for s in sends), "of": len(clients) * rounds,
                 "median_of_burst_medians_s": med_send, "baseline_alone_median_s": base_send,
                 "ratio_to_baseline": round(med_send / base_send, 2) if base_send else None,
                 "rounds": sends},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="a PostgreSQL server URL (a database is created and dropped on it)")
    args = parser.parse_args()
    print(json.dumps(run(args.db, args.members, args.rounds, args.database_url), indent=2))


if __name__ == "__main__":
    main()
