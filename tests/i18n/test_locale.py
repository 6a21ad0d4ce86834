"""Locale and time-zone selection, direction, and CLDR names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.i18n import format_in_zone, is_valid_timezone, territory_name, text_direction


def lang_of(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_accept_language_then_english(client) -> None:
    assert lang_of(client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})) == "ru"
    assert lang_of(client.get("/", headers={"Accept-Language": "de-DE"})) == "en"


def test_query_beats_cookie_beats_accept_language(client) -> None:
    client.set_cookie("lang", "es")
    assert lang_of(client.get("/", headers={"Accept-Language": "fr"})) == "es"
    assert lang_of(client.get("/?lang=zh", headers={"Accept-Language": "fr"})) == "zh"


def test_the_members_choice_comes_first(login_as) -> None:
    client, _ = login_as(locale="uz")
    client.set_cookie("lang", "es")
    assert lang_of(client.get("/?lang=fr")) == "uz"


def test_arabic_pages_are_right_to_left(client) -> None:
    html = client.get("/?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert '<html lang="fr" dir="ltr">' in client.get("/?lang=fr").get_data(as_text=True)


def test_css_uses_logical_properties_only() -> None:
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "app/static/css/app.css").read_text()
    for physical in ("margin-left", "margin-right", "padding-left", "padding-right", "text-align: left",
                     "text-align: right", "float: left", "float: right", " left:", " right:"):
        assert physical not in css, physical


@pytest.mark.parametrize("language, expected", [("en", "Uzbekistan"), ("ru", "Узбекистан"),
                                                ("ar", "أوزبكستان"), ("zh", "乌兹别克斯坦"),
                                                ("fr", "Ouzbékistan"), ("es", "Uzbekistán"),
                                                ("uz", "Oʻzbekiston")])
def test_country_names_come_from_cldr(app_ctx, language: str, expected: str) -> None:
    assert territory_name("UZ", language) == expected


def test_region_names_come_from_cldr(app_ctx) -> None:
    assert territory_name("143", "en") == "Central Asia"
    assert territory_name("143", "ru") == "Центральная Азия"


def test_time_zones_are_validated(app_ctx) -> None:
    assert is_valid_timezone("Asia/Tashkent")
    assert not is_valid_timezone("Asia/Atlantis")
    assert not is_valid_timezone("")
    assert not is_valid_timezone("../../etc/passwd")


def test_a_moment_shows_in_the_zone_asked(app) -> None:
    with app.test_request_context("/?lang=en"):
        moment = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)
        assert "Nov 2, 2026" in format_in_zone(moment, "Asia/Tashkent")
        assert "4:30" in format_in_zone(moment, "Asia/Tashkent")
        assert "Nov 1, 2026" in format_in_zone(moment, "America/New_York")
        assert text_direction("ar") == "rtl" and text_direction("uz") == "ltr"
