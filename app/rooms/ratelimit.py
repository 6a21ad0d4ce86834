"""Per-member rate limits of the rooms events, shared across processes through Redis."""

from __future__ import annotations

from typing import Any

import redis
from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse as parse_limit
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.core.errors import RateLimited

# Buckets: the setting holding each limit, and the refusal it answers with.
_LIMITS = {
    "rooms": ("ROOMS_RATE_LIMIT",
              _l("You are sending too fast. Wait a moment and try again.")),
    "rooms-follow": ("ROOMS_FOLLOW_RATE_LIMIT",
                     _l("Too many requests at once. Wait a moment and try again.")),
}


def _limiter() -> MovingWindowRateLimiter:
    limiter = current_app.extensions.get("rooms.ratelimit")
    if limiter is None:
        url = current_app.config.get("REDIS_URL")
        if url:
            # A burst of sends waits for a free connection rather than failing.
            pool = redis.BlockingConnectionPool.from_url(url, max_connections=32, timeout=10)
            options: dict[str, Any] = {"connection_pool": pool}  # limits types options as scalars
            storage = storage_from_string(url, **options)
        else:
            storage = storage_from_string("memory://")
        limiter = MovingWindowRateLimiter(storage)
        current_app.extensions["rooms.ratelimit"] = limiter
    return limiter


def check_rate(member_id: int, bucket: str = "rooms") -> None:
    """Refuse a member who writes (or follows rooms) faster than the bucket's setting allows.

    Counts are shared across processes through Redis when REDIS_URL is set.
    """
    setting, message = _LIMITS[bucket]
    limit = parse_limit(current_app.config[setting])
    if not _limiter().hit(limit, bucket, str(member_id)):
        raise RateLimited(message, code="rate_limited")


def reset_rate_limits() -> None:
    """Forget every member's counts (tests)."""
    limiter = current_app.extensions.get("rooms.ratelimit")
    if limiter is not None:
        limiter.storage.reset()
