"""Presence by heartbeat, kept in Redis when several processes share it (memory otherwise).

Nothing here touches the database: presence and typing are ephemeral and may be lost.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core.errors import Invalid

HEARTBEAT_SECONDS = 30
# A member is offline when two heartbeats in a row are missing.
OFFLINE_AFTER = 2 * HEARTBEAT_SECONDS + 5
TYPING_EVERY = 2.0
STATES = ("online", "away")
_KEY = "caravanserai:rooms:presence"


class _MemoryStore:
    def __init__(self) -> None:
        self.seen: dict[int, tuple[float, str]] = {}
        self.typing: dict[tuple[int, int], float] = {}

    def put(self, user_id: int, state: str, now: float) -> None:
        self.seen[user_id] = (now, state)

    def get(self, user_ids: list[int]) -> dict[int, tuple[float, str]]:
        return {u: self.seen[u] for u in user_ids if u in self.seen}


class _RedisStore(_MemoryStore):
    def __init__(self, url: str) -> None:
        super().__init__()
        import redis

        self.redis = redis.Redis.from_url(url)

    def put(self, user_id: int, state: str, now: float) -> None:
        self.redis.hset(_KEY, str(user_id), f"{now}:{state}")

    def get(self, user_ids: list[int]) -> dict[int, tuple[float, str]]:
        if not user_ids:
            return {}
        values = self.redis.hmget(_KEY, [str(u) for u in user_ids])
        found = {}
        for user_id, value in zip(user_ids, values, strict=True):
            if value:
                text = value.decode() if isinstance(value, bytes) else value
                stamp, state = text.split(":", 1)
                found[user_id] = (float(stamp), state)
        return found


def _store() -> _MemoryStore:
    store = current_app.extensions.get("rooms.presence")
    if store is None:
        url = current_app.config.get("REDIS_URL")
        store = _RedisStore(url) if url else _MemoryStore()
        current_app.extensions["rooms.presence"] = store
    return store


def record(user_id: int, state: Any) -> str:
    """Store a heartbeat: "online" while the member is active, "away" when the page is idle."""
    if state not in STATES:
        raise Invalid(_l("Unknown presence state."), code="bad_state")
    _store().put(user_id, state, time.time())
    return state


def states(user_ids: list[int]) -> dict[str, str]:
    """online, away or offline for each member, keyed by user id as a string (JSON keys)."""
    seen = _store().get(user_ids)
    now = time.time()
    return {str(u): seen[u][1] if u in seen and now - seen[u][0] < OFFLINE_AFTER else "offline"
            for u in user_ids}


def typing_allowed(user_id: int, room_id: int) -> bool:
    """At most one typing notice per member and room every TYPING_EVERY seconds, per process."""
    store = _store()
    now = time.monotonic()
    last = store.typing.get((user_id, room_id), 0.0)
    if now - last < TYPING_EVERY:
        return False
    if len(store.typing) > 10_000:
        store.typing.clear()
    store.typing[(user_id, room_id)] = now
    return True
