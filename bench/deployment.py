"""Sizing and rolling-restart figures of the deployment recipe (docs/deployment.md).

Usage: .venv/bin/python bench/deployment.py [--sockets 100] [--messages 30] [--rate 10]
           [--graceful-timeout 10]     (prints JSON)
Needs TEST_DATABASE_URL (a PostgreSQL server where it may create a throwaway database),
TEST_REDIS_URL and Debian's nginx.

It starts the stack of tests/deploy/test_nginx.py (deploy/nginx/caravanserai.conf in front of
two gunicorn gevent processes as deploy/systemd runs them, PostgreSQL, Redis), then measures:
- memory per process: the worker's RSS after warm-up (the baseline) and with the sockets open;
- memory per websocket: RSS growth of both workers divided by the sockets opened through nginx;
- members per core: a sender posts in a room every member joined; CPU time of both workers per
  delivered message gives deliveries per CPU-second, hence members one core serves at the stated
  delivery rate per member;
- drain and reconnect: SIGTERM to one process (what `systemctl restart caravanserai@PORT` sends):
  seconds until its sockets closed and it exited, and until each dropped client was connected
  and joined again through nginx (retrying at once; browsers add their 0.5-1.5 s back-off);
  then seconds until the restarted process is ready.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.rooms_fanout import Client, cpu_seconds, rss_bytes  # noqa: E402
from tests.conftest import free_port, fresh_database  # noqa: E402
from tests.deploy.stack import AppProcess, Nginx, app_env, flask  # noqa: E402
from tests.rooms.serverkit import SECRET, prepare  # noqa: E402

ASSUMED_DELIVERIES_PER_MEMBER_PER_S = 1.0  # a busy plenary room: one message a second reaches everyone


class Member(Client):
    """A bench client that notes when its socket closed."""

    closed_at: float | None = None

    async def _read(self) -> None:
        try:
            await super()._read()
        finally:
            self.closed_at = time.perf_counter()


def warm_rss(process: AppProcess, base: str) -> int:
    for _ in range(20):
        requests.get(f"{base}/login", timeout=10)
    return rss_bytes(process.worker_pid())


async def measure(args: argparse.Namespace, nginx: Nginx, processes: list[AppProcess],
                  world: dict) -> dict:
    pids = [p.worker_pid() for p in processes]
    direct = [f"http://127.0.0.1:{p.port}" for p in processes]
    idle = [warm_rss(p, base) for p, base in zip(processes, direct, strict=True)]
    context = ssl.create_default_context(cafile=str(nginx.cert))
    cookies = [u["cookie"] for u in world["users"]]
    room = world["room"]
    sent: dict[str, float] = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, ssl=context)) as http:
        members = [Member(http, nginx.base, cookie, room, sent) for cookie in cookies[1:]]
        for start in range(0, len(members), 25):
            await asyncio.gather(*(m.connect() for m in members[start:start + 25]))
        sender = Member(http, f"http://127.0.0.1:{processes[1].port}", cookies[0], room, sent)
        await sender.connect()
        await asyncio.sleep(1)
        loaded = [rss_bytes(pid) for pid in pids]

        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        for n in range(args.messages):
            client_id = f"m{n}-{uuid.uuid4().hex[:8]}"
            sent[client_id] = time.perf_counter()
            ack = await sender.call("send", {"room": room, "body": f"sizing {n}", "client_id": client_id})
            assert ack.get("ok"), ack
            await asyncio.sleep(1 / args.rate)
        await asyncio.sleep(2)
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
        deliveries = sum(sum(m.received.values()) for m in members)

        # Rolling restart of the first process: SIGTERM, as systemd sends it.
        stopped = time.perf_counter()
        stop_task = asyncio.get_running_loop().run_in_executor(None, processes[0].stop)
        dropped: list[Member] = []
        reconnects: list[float] = []

        async def rejoin(member: Member) -> None:
            while member.closed_at is None:
                await asyncio.sleep(0.05)
            dropped.append(member)
            closed = member.closed_at
            while True:
                fresh = Member(http, nginx.base, member.cookie, room, sent)
                try:
                    await fresh.connect()
                    break
                except (TimeoutError, aiohttp.ClientError, RuntimeError, AssertionError):
                    await asyncio.sleep(0.1)
            reconnects.append(time.perf_counter() - closed)
            members[members.index(member)] = fresh

        watchers = [asyncio.create_task(rejoin(m)) for m in members]
        drain = await stop_task
        await asyncio.sleep(2)
        for watcher in watchers:
            if not watcher.done():
                watcher.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
        last_closed = max((m.closed_at for m in dropped), default=stopped) - stopped
        all_back = last_closed + max(reconnects, default=0.0)
        restarted = time.perf_counter()
        processes[0].start()
        ready = time.perf_counter() - restarted
        await sender.close()
        await asyncio.gather(*(m.close() for m in members))

    per_process_idle = statistics.median(idle) / 2**20
    return {
        "sockets": len(members), "processes": len(processes),
        "memory_per_process_idle_mb": round(per_process_idle, 1),
        "memory_per_process_loaded_mb": round(statistics.median(loaded) / 2**20, 1),
        "loaded_to_idle_ratio": round(statistics.median(loaded) / statistics.median(idle), 3),
        "memory_per_websocket_kb": round((sum(loaded) - sum(idle)) / 1024 / len(members), 1),
        "messages": args.messages, "deliveries": deliveries,
        "worker_cpu_us_per_delivery": round(cpu * 1e6 / max(deliveries, 1), 1),
        "deliveries_per_cpu_second": round(deliveries / cpu, 0) if cpu else None,
        "assumed_deliveries_per_member_per_s": ASSUMED_DELIVERIES_PER_MEMBER_PER_S,
        "members_per_core": round(deliveries / cpu / ASSUMED_DELIVERIES_PER_MEMBER_PER_S, 0) if cpu else None,
        "graceful_timeout_s": args.graceful_timeout,
        "drain_s": round(drain, 2),
        "sockets_dropped": len(dropped),
        "sockets_closed_after_s": round(last_closed, 2),
        "reconnect_p50_s": round(statistics.median(reconnects), 3) if reconnects else None,
        "reconnect_max_s": round(max(reconnects), 3) if reconnects else None,
        "all_reconnected_after_sigterm_s": round(all_back, 2),
        "restart_ready_s": round(ready, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sockets", type=int, default=100)
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--graceful-timeout", type=int, default=10)
    args = parser.parse_args()
    redis_url = os.environ["TEST_REDIS_URL"]
    folder = Path(tempfile.mkdtemp(prefix="bench-deployment-"))
    with fresh_database("postgresql", folder) as url:
        envs = [app_env(url, redis_url, folder / "instance", free_port(), SECRET_KEY=SECRET,
                        ROOMS_RATE_LIMIT="100000/1 second", LOGIN_RATE_LIMIT="100000 per minute")
                for _ in range(2)]
        for env in envs:
            env["SOCKETIO_CHANNEL"] = envs[0]["SOCKETIO_CHANNEL"]
        flask(envs[0], "db", "upgrade")
        world = prepare(url, args.sockets + 1, SECRET)
        processes = [AppProcess(env, folder / f"app{n}.log", args.graceful_timeout)
                     for n, env in enumerate(envs)]
        nginx = Nginx(folder, [p.port for p in processes], free_port(), free_port())
        try:
            for process in processes:
                process.start()
            nginx.start()
            figures = asyncio.run(measure(args, nginx, processes, world))
        finally:
            nginx.stop()
            for process in processes:
                process.stop()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
