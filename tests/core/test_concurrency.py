"""Many members at the same instant against a real development server, on each database."""

from __future__ import annotations

import pytest

from bench.concurrency import DevServer, connect, prepare, send_at_once, sign_in_at_once
from tests.conftest import BACKENDS, fresh_database

MEMBERS = 16


@pytest.mark.parametrize("backend", BACKENDS)
def test_sixteen_members_sign_in_and_send_at_once(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        world = prepare(url, MEMBERS + 1)
        emails = [u["email"] for u in world["users"][1:]]
        with DevServer(url, log=tmp_path / "server.log") as server:
            signed_in = sign_in_at_once(server.base, emails)
            assert [ok for ok, _s, _c in signed_in] == [True] * MEMBERS, signed_in
            clients = [connect(server.base, cookie, world["room"]) for _ok, _s, cookie in signed_in]
            try:
                for round_number in range(2):
                    sent = send_at_once(clients, world["room"], f"round{round_number}")
                    assert [ok for ok, _s, _a in sent] == [True] * MEMBERS, sent
            finally:
                for client in clients:
                    client.disconnect()
        log = (tmp_path / "server.log").read_text(errors="replace")
        assert "database is locked" not in log and "Traceback" not in log
