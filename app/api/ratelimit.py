"""Per-token rate limits, announced with the IETF `RateLimit-Policy` and `RateLimit` headers."""

from __future__ import annotations

import time

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app.core.errors import DomainError

#: Requests one token may make per window, unless the configuration says otherwise.
DEFAULT_RATE = "600 per hour"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    default_message = _l("Too many requests with this token; wait for the window to reset.")


def _limiter() -> FixedWindowRateLimiter:
    state = current_app.extensions.get("api.ratelimit")
    if state is None:
        uri = current_app.config.get("RATELIMIT_STORAGE_URI", "memory://")
        state = FixedWindowRateLimiter(storage_from_string(uri))
        current_app.extensions["api.ratelimit"] = state
    return state


def spend(token_id: int) -> None:
    """Count one request of the token; refuse it past the limit. Headers go on the answer."""
    item = parse(current_app.config.get("API_TOKEN_RATE_LIMIT", DEFAULT_RATE))
    limiter = _limiter()
    allowed = limiter.hit(item, "api-token", str(token_id))
    stats = limiter.get_window_stats(item, "api-token", str(token_id))
    g.api_rate_headers = {
        "RateLimit-Policy": f'"token";q={item.amount};w={item.get_expiry()}',
        "RateLimit": f'"token";r={stats.remaining};t={max(0, int(stats.reset_time - time.time()))}',
    }
    if not allowed:
        raise RateLimited()


def reset() -> None:
    """Forget every token's counts (tests)."""
    state = current_app.extensions.get("api.ratelimit")
    if state is not None:
        state.storage.reset()
