"""Time to first byte under load: 50 concurrent readers against `make serve` (gunicorn, one gevent
worker, production settings), on PostgreSQL and on SQLite.

Usage: .venv/bin/python bench/ttfb.py [--readers 50] [--seconds 10] [--backends postgresql sqlite]
Needs TEST_DATABASE_URL (a PostgreSQL server where it may create a throwaway database) for the
PostgreSQL half. Prints JSON: per backend and page, requests served, median and p99 of the time
from sending a request to its response headers, and throughput. The demo data (195 States, the
2,000-seat Forum with its agenda, rooms) is loaded first; readers are split evenly over the
registry, the Forum agenda and a room page (signed in as an ambassador, as a browser would be).
Figures only; there is no target yet (issue 18, part 5).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import free_port, fresh_database  # noqa: E402
from tests.deploy.stack import AppProcess, app_env, flask  # noqa: E402

PASSWORD = "ttfb-bench-demo-password"
MEMBER = "ambassador1@demo.example"
HTTPS = {"X-Forwarded-Proto": "https"}  # as nginx says it; the unit trusts one proxy


def sign_in(base: str) -> str:
    """The session cookie of a member signed in through the form (cookies are Secure: by hand)."""
    page = requests.get(f"{base}/login", headers=HTTPS, timeout=10)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    cookie = page.headers["Set-Cookie"].split(";")[0]
    origin = base.replace("http://", "https://")  # what the browser behind TLS would send
    answer = requests.post(f"{base}/login", headers={**HTTPS, "Cookie": cookie,
                                                     "Referer": f"{origin}/login", "Origin": origin},
                           data={"email": MEMBER, "password": PASSWORD, "csrf_token": token},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Set-Cookie"].split(";")[0]


def room_path(base: str, cookie: str) -> str:
    listing = requests.get(f"{base}/rooms/", headers={**HTTPS, "Cookie": cookie}, timeout=10).text
    return re.search(r'href="(/rooms/\d+)"', listing).group(1)


async def reader(session: aiohttp.ClientSession, url: str, headers: dict[str, str], until: float,
                 times: list[float]) -> None:
    while time.monotonic() < until:
        started = time.perf_counter()
        async with session.get(url, headers=headers) as response:
            times.append(time.perf_counter() - started)  # headers are in: first byte seen
            await response.read()
            assert response.status == 200, (url, response.status)


async def load(base: str, pages: dict[str, tuple[str, dict[str, str]]], readers: int,
               seconds: float) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in pages}
    until = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=readers)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = []
        names = list(pages)
        for i in range(readers):
            name = names[i % len(names)]
            path, headers = pages[name]
            tasks.append(reader(session, base + path, headers, until, times[name]))
        await asyncio.gather(*tasks)
    return times


def summary(samples: list[float], seconds: float) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"requests": len(samples), "median_ms": round(statistics.median(ordered) * 1000, 1),
            "p99_ms": round(p99 * 1000, 1), "per_second": round(len(samples) / seconds, 1)}


def measure(backend: str, folder: Path, readers: int, seconds: float) -> dict[str, object]:
    with fresh_database(backend, folder) as url:
        port = free_port()
        env = app_env(url, "", folder / f"instance-{backend}", port, DEMO_PASSWORD=PASSWORD)
        env.pop("REDIS_URL")
        (folder / f"instance-{backend}").mkdir()
        flask(env, "db", "upgrade")
        flask(env, "demo", "load", "--force")
        process = AppProcess(env, folder / f"{backend}.log").start()
        try:
            base = f"http://127.0.0.1:{port}"
            cookie = sign_in(base)
            agenda = re.search(r'href="(/convenings/\d+)"',
                               requests.get(f"{base}/convenings", headers=HTTPS, timeout=10).text)
            member = {**HTTPS, "Cookie": cookie}
            pages = {"registry": ("/registry", HTTPS), "agenda": (agenda.group(1), HTTPS),
                     "room": (room_path(base, cookie), member)}
            asyncio.run(load(base, pages, readers, 2))  # warm-up
            times = asyncio.run(load(base, pages, readers, seconds))
        finally:
            process.stop()
    return {name: summary(samples, seconds) for name, samples in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--backends", nargs="+", default=["postgresql", "sqlite"])
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backends:
            results[backend] = measure(backend, Path(folder), args.readers, args.seconds)
    print(json.dumps({"readers": args.readers, "seconds": args.seconds, "server":
                      "gunicorn, 1 gevent worker, production settings", "results": results},
                     indent=1))


if __name__ == "__main__":
    main()
