"""Error pages, security headers, CSRF and the health check."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape

from tests.conftest import csrf_token


def test_liveness_answers_without_asking_the_database(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def translated(language: str, text: str) -> str:
    with force_locale(language):
        return gettext(text)


@pytest.mark.parametrize("language", ["en", "ar", "zh", "fr", "ru", "es", "uz"])
def test_not_found_page_is_translated(client, language: str) -> None:
    response = client.get(f"/no/such/page?lang={language}")
    assert response.status_code == 404
    expected = translated(language, "Page not found")
    assert language == "en" or expected != "Page not found"
    assert escape(expected) in response.get_data(as_text=True)


def test_forbidden_page_for_a_member_without_the_role(login_as) -> None:
    client, _ = login_as("ambassador", locale="es")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert escape(translated("es", "You are not allowed to do this.")) in response.get_data(as_text=True)


def test_security_headers_and_csp_without_inline_script(client) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert "<script>" not in html and "onclick" not in html and "style=" not in html


def test_forms_without_a_csrf_token_are_refused(client, make_user) -> None:
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "whatever-password"})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_session_cookie_is_http_only_and_same_site(client, make_user) -> None:
    user = make_user()
    token = csrf_token(client)
    response = client.post("/login", data={"email": user.email, "password": "a-long-test-password-42",
                                           "csrf_token": token})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_unexpected_errors_render_the_translated_500_page(client, monkeypatch) -> None:
    from app.main import services

    def boom(actor):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "home_overview", boom)
    response = client.get("/?lang=ru")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert '<html lang="ru"' in html
    assert escape(translated("ru", "Something went wrong on our side")) in html
