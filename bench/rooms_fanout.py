"""Fan-out of room messages: the production server against a bare Flask-SocketIO broadcast server.

Usage: .venv/bin/python bench/rooms_fanout.py [--members 500] [--rate 20] [--seconds 10]
           [--burst 200] [--redis redis://127.0.0.1:6379/6] [--database-url URL]   (prints JSON)

It starts the server as `make serve` does (gunicorn, one gevent worker, production settings,
Redis message queue) on a throwaway SQLite database unless --database-url is given, signs N
members in (signed session cookies), connects them with light asyncio websocket clients
speaking Engine.IO 4 / Socket.IO 5 directly (python-socketio's threaded client cannot hold
hundreds of connections), and has one sender post at a fixed rate. Every message goes through
the real path: authentication, rights, rate limit, storage with its sequence number, broadcast.
Then the same load runs against a bare Flask-SocketIO server (no auth, no database) in the same
async mode and message queue, and against two production processes sharing Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import free_port  # noqa: E402
from tests.rooms.serverkit import Server, prepare  # noqa: E402

BARE_APP = '''
import os
from flask import Flask
from flask_socketio import SocketIO, emit, join_room

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent", message_queue=os.environ.get("REDIS_URL"),
                    channel=os.environ["SOCKETIO_CHANNEL"])
state = {"seq": 0}


@app.get("/healthz")
def healthz():
    return "ok"


@socketio.on("join", namespace="/rooms")
def join(data):
    join_room("room")
    return {"ok": True, "room": 1, "messages": [], "last_seq": state["seq"], "more": False}


@socketio.on("send", namespace="/rooms")
def send(data):
    state["seq"] += 1
    payload = {"kind": "message", "room": 1, "seq": state["seq"], "id": state["seq"],
               "author": {"id": 1, "name": "Bench"}, "body_html": "<p>" + data["body"] + "</p>",
               "created_at": "2026-01-01T00:00:00+00:00", "client_id": data["client_id"],
               "reply_to": None, "mentions": []}
    emit("message", payload, to="room", namespace="/rooms")
    return {"ok": True, "message": payload}
'''


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class Client:
    """One member's websocket, speaking Engine.IO 4 / Socket.IO 5 by hand."""

    def __init__(self, http: aiohttp.ClientSession, base: str, cookie: str, room: int,
                 sent: dict[str, float]) -> None:
        self.http, self.base, self.cookie, self.room, self.sent = http, base, cookie, room, sent
        self.latencies: list[float] = []
        self.received: dict[str, int] = {}
        self.acks: dict[int, asyncio.Future] = {}
        self.next_ack = 0
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.reader: asyncio.Task | None = None
        self.last_arrival = 0.0

    async def connect(self) -> None:
        url = self.base.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await self.http.ws_connect(url, headers={"Cookie": self.cookie},
                                             autoping=False, max_msg_size=0)
        opening = await self.ws.receive_str()
        assert opening.startswith("0"), opening
        await self.ws.send_str("40/rooms,")
        answer = await self.ws.receive_str()
        if not answer.startswith("40/rooms,"):
            raise RuntimeError(f"refused: {answer}")
        self.reader = asyncio.create_task(self._read())
        ack = await self.call("join", {"room": self.room, "after_seq": 10**9 - 1})
        if ack.get("ok") is False and ack.get("code") == "bad_seq":
            raise RuntimeError(ack)

    async def call(self, event: str, data: dict) -> dict:
        self.next_ack += 1
        number = self.next_ack
        future = asyncio.get_running_loop().create_future()
        self.acks[number] = future
        await self.ws.send_str(f"42/rooms,{number}{json.dumps([event, data])}")
        return await asyncio.wait_for(future, 30)

    async def _read(self) -> None:
        async for frame in self.ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                break
            data = frame.data
            if data == "2":
                await self.ws.send_str("3")
            elif data.startswith('42/rooms,["message"'):
                now = time.perf_counter()
                # A string search, not a JSON parse: the clients share the CPU with the server.
                start = data.index('"client_id":"') + 13
                client_id = data[start:data.index('"', start)]
                self.received[client_id] = self.received.get(client_id, 0) + 1
                if client_id in self.sent:
                    self.latencies.append(now - self.sent[client_id])
                self.last_arrival = now
            elif data.startswith("43/rooms,"):
                body = data[9:]
                split = body.index("[")
                future = self.acks.pop(int(body[:split]), None)
                if future is not None and not future.done():
                    future.set_result(json.loads(body[split:])[0])

    async def close(self) -> None:
        if self.reader:
            self.reader.cancel()
        if self.ws:
            await self.ws.close()


async def run_load(bases: list[str], cookies: list[str], room: int, rate: float, seconds: float,
                   burst: int, pids: list[int]) -> dict:
    """Connect everyone, send at `rate` for `seconds`, then a burst; figures as a dict."""
    sent: dict[str, float] = {}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        rss_before = sum(rss_bytes(p) for p in pids)
        receivers = [Client(http, bases[n % len(bases)], cookie, room, sent)
                     for n, cookie in enumerate(cookies[1:])]
        for start in range(0, len(receivers), 50):
            await asyncio.gather(*(c.connect() for c in receivers[start:start + 50]))
        sender = Client(http, bases[0], cookies[0], room, sent)
        await sender.connect()
        await asyncio.sleep(1)
        rss_after = sum(rss_bytes(p) for p in pids)

        async def send(tag: str) -> None:
            client_id = f"{tag}-{uuid.uuid4().hex[:12]}"
            sent[client_id] = time.perf_counter()
            ack = await sender.call("send", {"room": room, "body": f"bench {tag}",
                                             "client_id": client_id})
            if not ack.get("ok"):
                raise RuntimeError(ack)

        cpu_before = sum(cpu_seconds(p) for p in pids)
        tasks = []
        started = time.perf_counter()
        count = int(rate * seconds)
        for n in range(count):
            tasks.append(asyncio.create_task(send(f"s{n}")))
            await asyncio.sleep(max(0.0, started + (n + 1) / rate - time.perf_counter()))
        await asyncio.gather(*tasks)
        await asyncio.sleep(2)
        cpu_after = sum(cpu_seconds(p) for p in pids)
        steady = set(sent)
        latencies = sorted(x for c in receivers for x in c.latencies)
        deliveries = sum(sum(v for k, v in c.received.items() if k in steady) for c in receivers)
        lost = sum(1 for c in receivers for k in steady if k not in c.received)
        duplicates = sum(v - 1 for c in receivers for k, v in c.received.items() if v > 1)

        for c in receivers:
            c.latencies.clear()
        burst_start = time.perf_counter()
        await asyncio.gather(*(send(f"b{n}") for n in range(burst)))
        burst_ids = set(sent) - steady
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline and any(
                any(k not in c.received for k in burst_ids) for c in receivers[:5]):
            await asyncio.sleep(0.05)
        await asyncio.sleep(1)
        burst_lost = sum(1 for c in receivers for k in burst_ids if k not in c.received)
        burst_drained = max(c.last_arrival for c in receivers) - burst_start

        await sender.close()
        await asyncio.gather(*(c.close() for c in receivers))
    elapsed = count / rate
    return {
        "members": len(receivers), "messages": count, "rate_per_s": rate,
        "p50_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2) if latencies else None,
        "deliveries_per_s": round(deliveries / elapsed, 1),
        "lost": lost, "duplicates": duplicates,
        "server_cpu_us_per_delivery": round((cpu_after - cpu_before) * 1e6 / max(deliveries, 1), 2),
        "rss_per_connection_kb": round((rss_after - rss_before) / 1024 / len(cookies), 1),
        "burst_messages": burst, "burst_drained_s": round(burst_drained, 3),
        "burst_lost": burst_lost,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL",
                                                           "redis://127.0.0.1:6379/6"))
    parser.add_argument("--database-url")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        world = prepare(url, args.members + 1)
        cookies = [u["cookie"] for u in world["users"]]
        room = world["room"]
        results: dict[str, object] = {"async_mode": "gevent", "database": url.split(":", 1)[0]}

        def measure(servers: list[Server], name: str) -> None:
            for n, server in enumerate(servers):
                server.log = Path(folder, f"{name}-{n}.log")
            try:
                for server in servers:
                    server.start()
                pids = [s.worker_pid() for s in servers]
                results[name] = asyncio.run(run_load([s.base for s in servers], cookies, room,
                                                     args.rate, args.seconds, args.burst, pids))
            except Exception:
                for server in servers:
                    server.close()
                    sys.stderr.write(server.log.read_text()[-5000:])
                raise
            finally:
                for server in servers:
                    server.close()

        channel = f"bench-{uuid.uuid4().hex}"
        measure([Server(url, free_port(), args.redis, channel)], "caravanserai")
        Path(folder, "bare_app.py").write_text(BARE_APP)
        measure([Server(url, free_port(), args.redis, channel, app="bare_app:app",
                        cwd=Path(folder))], "bare_flask_socketio")
        measure([Server(url, free_port(), args.redis, channel) for _ in range(2)],
                "caravanserai_two_processes")

    ours, two = results["caravanserai"], results["caravanserai_two_processes"]
    results["targets_met"] = {
        "p50_le_15ms": ours["p50_ms"] is not None and ours["p50_ms"] <= 15,
        "p99_le_30ms": ours["p99_ms"] is not None and ours["p99_ms"] <= 30,
        "nothing_lost": ours["lost"] == 0 and ours["duplicates"] == 0 and ours["burst_lost"] == 0,
        "cpu_le_30us_per_delivery": ours["server_cpu_us_per_delivery"] <= 30,
        "rss_le_64kb_per_connection": ours["rss_per_connection_kb"] <= 64,
        "burst_drained_le_0_6s": ours["burst_drained_s"] <= 0.6,
        "two_processes_p99_le_35ms": two["p99_ms"] is not None and two["p99_ms"] <= 35,
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
