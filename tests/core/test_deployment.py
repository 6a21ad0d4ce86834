"""Behind a proxy: X-Forwarded-* trusted only when configured; Socket.IO and CSP name our origin only."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from app import create_app


def make_app(tmp_path: Path, **overrides: object) -> Flask:
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}",
                                  "LOGIN_RATE_LIMIT": "2 per minute", "WTF_CSRF_ENABLED": False,
                                  **overrides})


def sign_in_statuses(app: Flask, addresses: list[str]) -> list[int]:
    client = app.test_client()
    return [client.post("/login", data={"email": "nobody@example.org", "password": "wrong"},
                        headers={"X-Forwarded-For": address}).status_code
            for address in addresses]


def test_without_a_trusted_proxy_forwarded_addresses_share_one_bucket(tmp_path: Path) -> None:
    statuses = sign_in_statuses(make_app(tmp_path), ["198.51.100.1", "198.51.100.1", "203.0.113.9"])
    assert statuses[-1] == 429  # X-Forwarded-For is ignored: a client cannot pick a fresh bucket


def test_with_a_trusted_proxy_each_forwarded_address_has_its_own_bucket(tmp_path: Path) -> None:
    app = make_app(tmp_path, PROXY_FIX_X_FOR=1)
    statuses = sign_in_statuses(app, ["198.51.100.1", "198.51.100.1", "198.51.100.1", "203.0.113.9"])
    assert statuses[2] == 429
    assert statuses[3] != 429
    # Only the address the proxy appended counts, not one the client put in front of it.
    spoofed = sign_in_statuses(app, ["10.0.0.1, 198.51.100.1"])
    assert spoofed == [429]


def seen_url(app: Flask, headers: dict[str, str]) -> tuple[str, bool]:
    from flask import request

    with app.test_client() as client:
        client.get("/healthz", headers=headers)
        return request.url, request.is_secure


def test_forwarded_scheme_and_host_are_used_only_when_trusted(tmp_path: Path) -> None:
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "caravanserai.example"}
    assert seen_url(make_app(tmp_path), headers) == ("http://localhost/healthz", False)
    trusted = make_app(tmp_path, PROXY_FIX_X_PROTO=1, PROXY_FIX_X_HOST=1)
    assert seen_url(trusted, headers) == ("https://caravanserai.example/healthz", True)


@pytest.mark.parametrize("origin, status", [("http://evil.example", 400),
                                            ("https://caravanserai.example", 200),
                                            ("http://localhost", 200)])
def test_socket_handshake_is_accepted_only_from_our_origin(tmp_path: Path, origin: str,
                                                           status: int) -> None:
    app = make_app(tmp_path, BASE_URL="https://caravanserai.example")
    response = app.test_client().get("/socket.io/?EIO=4&transport=polling",
                                     headers={"Origin": origin})
    assert response.status_code == status
    if status == 400:
        assert b"Not an accepted origin" in response.data


def test_csp_connect_src_names_only_our_own_origin(tmp_path: Path) -> None:
    app = make_app(tmp_path, BASE_URL="https://caravanserai.example")
    policy = app.test_client().get("/login").headers["Content-Security-Policy"]
    connect = next(p for p in policy.split(";") if p.strip().startswith("connect-src")).split()[1:]
    assert connect == ["'self'", "wss://caravanserai.example"]
