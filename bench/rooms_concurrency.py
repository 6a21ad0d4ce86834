"""Members sending in one room at the same instant, against a real server (prints JSON).

Usage: .venv/bin/python bench/rooms_concurrency.py [--members 50] [--rounds 10]
       [--database-url URL] [--mode threads|gevent]
Starts the server as `make run` (threads, the default) or `make serve` (gevent) on a fresh
SQLite file (or the given database, which must be empty), connects every member over a websocket,
and releases all their sends together with a barrier, round after round. Prints how many sends
were stored, how many were refused and with which codes, and the median and worst time from
release to acknowledgement.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import socketio  # noqa: E402

from tests.conftest import free_port  # noqa: E402
from tests.rooms.serverkit import Server, prepare  # noqa: E402
from tests.rooms.test_concurrency import ThreadedServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--database-url")
    parser.add_argument("--mode", choices=["threads", "gevent"], default="threads")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="rooms-bench-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    world = prepare(url, args.members)
    kind = ThreadedServer if args.mode == "threads" else Server
    server = kind(url, free_port(), None, log=Path(folder) / "server.log",
                  ROOMS_RATE_LIMIT="1000/10 second").start()
    clients = []
    try:
        for user in world["users"]:
            client = socketio.Client(reconnection=False)
            client.connect(server.base, headers={"Cookie": user["cookie"]},
                           namespaces=["/rooms"], transports=["websocket"], wait_timeout=20)
            client.call("join", {"room": world["room"]}, namespace="/rooms", timeout=30)
            clients.append(client)
        codes: dict[str, int] = {}
        latencies: list[float] = []
        stored = 0
        for round_ in range(args.rounds):
            barrier = threading.Barrier(len(clients))
            lock = threading.Lock()

            def send(client: socketio.Client, number: int, round_: int = round_,
                     barrier: threading.Barrier = barrier, lock: threading.Lock = lock) -> None:
                nonlocal stored
                barrier.wait()
                start = time.perf_counter()
                try:
                    ack = client.call("send", {"room": world["room"], "body": f"{round_}/{number}",
                                               "client_id": uuid.uuid4().hex},
                                      namespace="/rooms", timeout=60)
                except Exception as error:  # noqa: BLE001 - counted as a failure
                    ack = {"ok": False, "code": type(error).__name__}
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    latencies.append(elapsed)
                    if ack.get("ok"):
                        stored += 1
                    else:
                        codes[ack.get("code", "?")] = codes.get(ack.get("code", "?"), 0) + 1

            threads = [threading.Thread(target=send, args=(c, n)) for n, c in enumerate(clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        print(json.dumps({
            "database": url.split(":", 1)[0], "mode": args.mode, "members": args.members,
            "rounds": args.rounds, "sends": args.members * args.rounds, "stored": stored,
            "refused": codes, "ack_ms_median": round(statistics.median(latencies), 1),
            "ack_ms_max": round(max(latencies), 1)}))
    finally:
        for client in clients:
            client.disconnect()
        server.close()


if __name__ == "__main__":
    main()
