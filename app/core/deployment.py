"""What the app trusts about where it runs: proxies in front of it and the origins of its sockets."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower-cased, as browsers send it in Origin."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def trust_proxies(app: Flask) -> None:
    """Read client address, scheme and host from X-Forwarded-* only from the configured proxies.

    Called after Socket.IO wrapped the app, so the websocket Origin check sees them too.
    """
    counts = {name: int(app.config.get(f"PROXY_FIX_X_{name.upper()}", 0) or 0)
              for name in ("for", "proto", "host", "port")}
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=counts["for"], x_proto=counts["proto"],  # type: ignore[method-assign]
                                x_host=counts["host"], x_port=counts["port"])


def socket_origin_check(app: Flask) -> Callable[[str, dict], bool]:
    """Accept a Socket.IO handshake from BASE_URL's origin or the page's own origin, nothing else."""
    public = origin_of(app.config["BASE_URL"])

    def allowed(origin: str | None, environ: dict) -> bool:
        if not origin:
            return True  # not a browser: no ambient cookies were sent cross-site
        origin = origin.lower()
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}".lower()
        return origin in (public, own)

    return allowed


def websocket_source(app: Flask) -> str:
    """BASE_URL's origin with the websocket scheme, for CSP connect-src."""
    parts = urlsplit(app.config["BASE_URL"])
    return f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}".lower()
