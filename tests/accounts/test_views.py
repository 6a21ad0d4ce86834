"""Account pages through HTTP, as a browser without JavaScript uses them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.permissions import Role
from tests.conftest import PASSWORD, csrf_token


def test_sign_in_and_sign_out(client, make_user) -> None:
    user = make_user(display_name="Kwame Mensah")
    token = csrf_token(client)
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD,
                                           "csrf_token": token}, follow_redirects=True)
    assert "Kwame Mensah" in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 302


def test_wrong_password_is_a_translated_401(client, make_user) -> None:
    user = make_user()
    response = client.post("/login?lang=fr", data={"email": user.email, "password": "nope-nope-nope",
                                                   "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    assert client.get("/profile").status_code == 302


def test_remember_me_sets_a_persistent_cookie(client, make_user) -> None:
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y",
                                           "csrf_token": csrf_token(client)})
    assert any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


def test_next_parameter_never_leaves_the_site(client, make_user) -> None:
    user = make_user()
    response = client.post("/login?next=//evil.example/x", data={
        "email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/"


def test_login_is_rate_limited(app, client, make_user) -> None:
    user = make_user()
    token = csrf_token(client)
    statuses = [client.post("/login", data={"email": user.email, "password": f"wrong-{i}",
                                            "csrf_token": token}).status_code for i in range(12)]
    assert 429 in statuses


def test_unauthenticated_visitors_reach_only_public_pages(client) -> None:
    for path in ["/", "/login", "/reset", "/healthz"]:
        assert client.get(path).status_code == 200, path
    for path in ["/profile", "/admin/users", "/admin/invitations/new", "/notices"]:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_invitation_flow_through_the_pages(client, login_as, session, mailbox) -> None:
    client, organiser = login_as(Role.ORGANISER)
    response = client.post("/admin/invitations/new", data={
        "email": "guest@example.org", "display_name": "", "role": "partner", "nation": "",
        "locale": "es", "csrf_token": csrf_token(client, "/admin/invitations/new")})
    assert response.status_code == 302
    [message] = mailbox.to("guest@example.org")
    link = re.search(r"http://\S+/invitations/(\S+)", message.get_body(("plain",)).get_content()).group(1)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/profile")})

    page = client.get(f"/invitations/{link}")
    assert page.status_code == 200
    response = client.post(f"/invitations/{link}", data={
        "display_name": "Isabel Moreno", "password": "short", "timezone": "America/Buenos_Aires",
        "csrf_token": csrf_token(client, f"/invitations/{link}")})
    # The page speaks the invitation's language (Spanish), not the browser's.
    assert response.status_code == 200 and "al menos" in response.get_data(as_text=True).lower()
    assert session.scalar(select(func.count(User.id)).where(User.email == "guest@example.org")) == 0
    response = client.post(f"/invitations/{link}", data={
        "display_name": "Isabel Moreno", "password": "a-fine-long-password",
        "timezone": "America/Buenos_Aires", "csrf_token": csrf_token(client, f"/invitations/{link}")})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert client.get(f"/invitations/{link}").status_code == 400


def test_reset_request_page_answers_the_same_for_unknown_addresses(client, make_user, mailbox) -> None:
    user = make_user()
    known = client.post("/reset", data={"email": user.email, "csrf_token": csrf_token(client, "/reset")},
                        follow_redirects=True).get_data(as_text=True)
    unknown = client.post("/reset", data={"email": "ghost@example.org",
                                          "csrf_token": csrf_token(client, "/reset")},
                          follow_redirects=True).get_data(as_text=True)
    flash = re.compile(r'<li class="flash[^"]*">(.*?)</li>', re.S)
    assert flash.findall(known) == flash.findall(unknown) != []
    assert len(mailbox.to(user.email)) == 1 and mailbox.to("ghost@example.org") == []


def test_profile_page_changes_language_and_time_zone(client, login_as) -> None:
    client, user = login_as()
    response = client.post("/profile", data={
        "profile-display_name": "Li Wenjing", "profile-locale": "zh", "profile-timezone": "Asia/Shanghai",
        "profile-csrf_token": csrf_token(client, "/profile")}, follow_redirects=True)
    assert '<html lang="zh"' in response.get_data(as_text=True)
    response = client.post("/profile", data={
        "profile-display_name": "Li Wenjing", "profile-locale": "zh", "profile-timezone": "Nowhere/City",
        "profile-csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_admin_page_lists_searches_and_changes_roles(client, login_as, make_user, session) -> None:
    target = make_user(Role.OBSERVER, display_name="Noah Williams")
    client, admin = login_as(Role.ADMIN)
    page = client.get("/admin/users?q=noah").get_data(as_text=True)
    assert "Noah Williams" in page
    token = csrf_token(client, "/admin/users")
    client.post(f"/admin/users/{target.id}/role", data={"role": "ambassador", "csrf_token": token})
    client.post(f"/admin/users/{target.id}/active", data={"active": "0", "csrf_token": token})
    session.expire_all()
    refreshed = session.get(User, target.id)
    assert refreshed.role == "ambassador" and refreshed.active is False


def test_organisers_cannot_change_roles(client, login_as, make_user, session) -> None:
    target = make_user(Role.OBSERVER)
    client, _ = login_as(Role.ORGANISER)
    response = client.post(f"/admin/users/{target.id}/role", data={
        "role": "admin", "csrf_token": csrf_token(client, "/admin/users")})
    assert response.status_code == 403
    session.expire_all()
    assert session.get(User, target.id).role == "observer"


def test_admin_user_list_query_count_does_not_grow(client, login_as, make_user, nation, session,
                                                   query_counter) -> None:
    client, _ = login_as(Role.ADMIN)
    make_user(nation_id=nation("KE").id)
    session.expire_all()
    with query_counter() as few:
        client.get("/admin/users")
    for iso2 in ("UZ", "FR", "BR", "FJ", "EG", "CN", "RU", "MX", "IN", "NG"):
        make_user(nation_id=nation(iso2).id)
        make_user()
    session.expire_all()
    with query_counter() as many:
        client.get("/admin/users")
    assert many.count == few.count, (few.statements, many.statements)


@pytest.mark.parametrize("lang", ["ar", "uz"])
def test_language_switcher_sets_a_cookie_for_visitors(client, lang: str) -> None:
    response = client.post(f"/language/{lang}?next=/login", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert f'<html lang="{lang}"' in client.get("/login").get_data(as_text=True)


def test_unknown_language_is_reported_and_ignored(client) -> None:
    html = client.get("/?lang=klingon").get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "flash-error" in html


def test_an_attacker_failing_from_one_address_never_locks_the_owner_out(app, client,
                                                                        make_user) -> None:
    admin = make_user(Role.ADMIN)
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    token = csrf_token(client)
    statuses = {client.post("/login", data={"email": admin.email, "password": f"wrong-{i}",
                                            "csrf_token": token},
                            environ_base=attacker).status_code for i in range(30)}
    assert statuses == {401, 429}
    right = client.post("/login", data={"email": admin.email, "password": PASSWORD,
                                        "csrf_token": token}, environ_base=attacker)
    assert right.status_code in (401, 429)
    owner = app.test_client()
    response = owner.post("/login", data={"email": admin.email, "password": PASSWORD,
                                          "csrf_token": csrf_token(owner)},
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 302
    assert owner.get("/profile").status_code == 200


def test_a_throttled_address_is_told_how_long_to_wait_in_its_language(client, make_user) -> None:
    user = make_user()
    token = csrf_token(client)
    for i in range(5):
        client.post("/login", data={"email": user.email, "password": f"wrong-{i}",
                                    "csrf_token": token})
    response = client.post("/login?lang=fr", data={"email": user.email, "password": PASSWORD,
                                                   "csrf_token": token})
    assert response.status_code == 401
    assert "Réessayez dans" in response.get_data(as_text=True)
