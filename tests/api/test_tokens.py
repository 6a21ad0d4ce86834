"""Personal access tokens: hashed, shown once, scoped, expiring, revocable, audited."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from app.api import tokens
from app.api.models import ApiToken
from app.core.audit import events_for
from app.core.db import utcnow
from app.core.errors import Forbidden, Invalid, NotFound
from app.core.permissions import Role
from tests.conftest import csrf_token


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_only_a_hash_is_stored_and_the_secret_authenticates(session, make_user):
    member = make_user(Role.AMBASSADOR)
    token, secret = tokens.create_token(member, "  My  script ", ["read"], 30)
    assert token.name == "My script"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.token_hash, token.name, token.scopes}
    user, found = tokens.authenticate(secret, "read")
    assert (user.id, found.id) == (member.id, token.id)
    assert found.last_used_at is not None
    assert [e.action for e in events_for("api_token", token.id)] == ["api_token.create"]


def test_scope_expiry_and_revocation_are_enforced(session, make_user):
    member = make_user(Role.AMBASSADOR)
    token, secret = tokens.create_token(member, "reader", ["read"], 30)
    with pytest.raises(Forbidden) as refused:
        tokens.authenticate(secret, "write")
    assert refused.value.code == "scope_insufficient"
    with pytest.raises(tokens.Unauthenticated):
        tokens.authenticate(secret, "read", now=utcnow() + timedelta(days=31))
    tokens.revoke_token(member, token.id)
    with pytest.raises(tokens.Unauthenticated):
        tokens.authenticate(secret, "read")
    for forged in (None, "", "cst_nope", "x" * 500):
        with pytest.raises(tokens.Unauthenticated):
            tokens.authenticate(forged, "read")


def test_rules_on_creation_and_revocation(session, make_user):
    member, other = make_user(Role.AMBASSADOR), make_user(Role.AMBASSADOR)
    with pytest.raises(Forbidden):
        tokens.create_token(member, "x", ["staff"], 30)
    with pytest.raises(Invalid):
        tokens.create_token(member, "x", ["read", "root"], 30)
    with pytest.raises(Invalid):
        tokens.create_token(member, "x", ["read"], 7)
    with pytest.raises(Invalid):
        tokens.create_token(member, "", ["read"], 30)
    staff_token, _ = tokens.create_token(make_user(Role.ORGANISER), "ops", ["read", "staff"], 90)
    assert staff_token.scope_list == ["read", "staff"]
    mine, _ = tokens.create_token(member, "mine", ["read"], 30)
    with pytest.raises(NotFound):
        tokens.revoke_token(other, mine.id)
    with pytest.raises(NotFound):
        tokens.revoke_token(member, 10**12)


def test_me_over_the_api(client, session, make_user):
    member = make_user(Role.AMBASSADOR)
    token, secret = tokens.create_token(member, "cli", ["read"], 30)
    session.commit()
    answer = client.get("/api/v1/me", headers=bearer(secret))
    assert answer.status_code == 200
    assert answer.get_json()["id"] == str(member.id)
    assert answer.get_json()["token_name"] == "cli"
    assert "Access-Control-Allow-Origin" not in answer.headers
    assert answer.headers["Cache-Control"] == "private, no-store"
    missing = client.get("/api/v1/me")
    assert missing.status_code == 401 and missing.get_json()["code"] == "token_invalid"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    tokens.revoke_token(member, token.id)
    session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_profile_page_creates_shows_once_and_revokes(login_as, session):
    client, member = login_as(Role.AMBASSADOR)
    assert "/profile/tokens" in client.get("/profile").get_data(as_text=True)
    page = client.post("/profile/tokens", data={
        "csrf_token": csrf_token(client, "/profile/tokens"), "name": "Ministry sync",
        "scopes": ["read", "write"], "days": "90"})
    html = page.get_data(as_text=True)
    secret = re.search(r"(cst_[A-Za-z0-9_\-]+)", html).group(1)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    assert secret not in client.get("/profile/tokens").get_data(as_text=True)
    token = session.query(ApiToken).filter_by(user_id=member.id).one()
    revoked = client.post(f"/profile/tokens/{token.id}/revoke",
                          data={"csrf_token": csrf_token(client, "/profile/tokens")})
    assert revoked.status_code == 302
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_staff_scope_refused_on_the_page_for_members(login_as, session):
    client, member = login_as(Role.AMBASSADOR)
    page = client.post("/profile/tokens", data={
        "csrf_token": csrf_token(client, "/profile/tokens"), "name": "x", "scopes": ["staff"],
        "days": "30"})
    assert page.status_code == 200
    assert "cst_" not in page.get_data(as_text=True)
    assert session.query(ApiToken).filter_by(user_id=member.id).count() == 0


def test_per_token_rate_limit_with_ratelimit_headers(app, client, session, make_user):
    from app.api import ratelimit

    ratelimit.reset()
    app.config["API_TOKEN_RATE_LIMIT"] = "2 per minute"
    try:
        member = make_user(Role.AMBASSADOR)
        _, secret = tokens.create_token(member, "busy", ["read"], 30)
        _, other = tokens.create_token(member, "calm", ["read"], 30)
        session.commit()
        first = client.get("/api/v1/me", headers=bearer(secret))
        assert first.headers["RateLimit-Policy"] == '"token";q=2;w=60'
        assert first.headers["RateLimit"].startswith('"token";r=1;t=')
        assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
        refused = client.get("/api/v1/me", headers=bearer(secret))
        assert refused.status_code == 429
        assert refused.get_json()["code"] == "rate_limited"
        assert refused.headers["RateLimit"].startswith('"token";r=0;')
        assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200
    finally:
        app.config.pop("API_TOKEN_RATE_LIMIT")
        ratelimit.reset()


def test_my_registrations_are_mine_only(client, session, make_user, convening_with_agenda):
    from app.convenings import services as convenings

    member, other = make_user(Role.AMBASSADOR), make_user(Role.AMBASSADOR)
    convening = convening_with_agenda()
    registration = convenings.register(member, convening)
    _, secret = tokens.create_token(member, "mine", ["read"], 30)
    _, others = tokens.create_token(other, "theirs", ["read"], 30)
    session.commit()
    items = client.get("/api/v1/me/registrations", headers=bearer(secret)).get_json()["items"]
    assert [(i["id"], i["convening"]["id"]) for i in items] == [
        (str(registration.id), str(convening.id))]
    assert client.get("/api/v1/me/registrations", headers=bearer(others)).get_json() == {
        "items": []}
    assert client.get("/api/v1/me/registrations").status_code == 401
