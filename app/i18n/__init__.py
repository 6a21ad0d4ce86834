"""Locale and time-zone selection, CLDR names, and direction (RTL) helpers."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale, refresh
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

LANGUAGE_COOKIE = "lang"
# A visitor's time zone, set by static/js/zone.js from the browser (or by the zone picker);
# read only when it names a zone on the allow-list, else the platform default (UTC) stands.
#: Any response (Flask's, or the werkzeug one `redirect()` gives), handed back as it came.
ResponseT = TypeVar("ResponseT", bound=BaseResponse)

ZONE_COOKIE = "tz"
RTL_LANGUAGES = frozenset({"ar"})
# Native names, shown in the switcher so a reader finds their own language in any interface.
LANGUAGE_NAMES = {
    "en": "English",
    "ar": "العربية",
    "zh": "中文",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
    "uz": "Oʻzbekcha",
}


def language_choices() -> list[tuple[str, str]]:
    """The platform's seven languages as form choices, each by its own name (one list for every form)."""
    return list(LANGUAGE_NAMES.items())


def supported_languages() -> tuple[str, ...]:
    """The interface languages, in the order the switcher shows them."""
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """The user's choice, then ?lang=, then the visitor's cookie, then the language of the link
    followed (an invitation's), then Accept-Language, then English."""
    languages = supported_languages()
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    asked = request.args.get("lang")
    if asked:
        if asked in languages:
            return asked
        g.unknown_language = asked
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in languages:
        return cookie
    # A link that carries its own language (an invitation, a confirmation) beats the browser's guess.
    if g.get("page_language") in languages:
        return g.page_language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def show_in_language(code: str | None) -> None:
    """Render this request in `code` unless the visitor chose a language themselves."""
    if code in supported_languages():
        g.page_language = code
        refresh()


def remember_language(response: ResponseT, code: str) -> ResponseT:
    """Keep showing `code` to this browser until its user picks another language."""
    if code in supported_languages():
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    return response


def remember_zone(response: ResponseT, zone: str) -> ResponseT:
    """Keep showing times in `zone` to this visitor (readable by static/js/zone.js, which then
    leaves the choice alone)."""
    if is_valid_timezone(zone):
        response.set_cookie(ZONE_COOKIE, zone, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=False)
    return response


def select_timezone() -> str:
    """The signed-in user's time zone, else the visitor's browser zone (cookie), else the default."""
    if has_request_context() and getattr(current_user, "is_authenticated", False) and is_valid_timezone(current_user.timezone):
        return current_user.timezone
    return visitor_zone() or current_app.config["BABEL_DEFAULT_TIMEZONE"]


def visitor_zone() -> str | None:
    """The zone a visitor's browser reported (the `tz` cookie), if it is a known zone."""
    if not has_request_context() or getattr(current_user, "is_authenticated", False):
        return None
    zone = request.cookies.get(ZONE_COOKIE, "")[:64]
    return zone if is_valid_timezone(zone) else None


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA zone name the system knows, sorted."""
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


def is_valid_timezone(name: str | None) -> bool:
    """True for a known IANA zone name."""
    # The allow-list first: ZoneInfo opens a file named after its argument.
    if not name or name not in timezone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def current_language() -> str:
    """The language code of the locale in force."""
    return str(get_locale().language) if get_locale() else "en"


def text_direction(language: str | None = None) -> str:
    """'rtl' for right-to-left languages, else 'ltr'."""
    return "rtl" if (language or current_language()) in RTL_LANGUAGES else "ltr"


def cldr_locale(language: str | None = None) -> Locale:
    """The CLDR locale for an interface language."""
    return Locale.parse(language or current_language())


def territory_name(code: str, language: str | None = None) -> str:
    """A country or M49 region name from CLDR in the viewer's language."""
    names = cldr_locale(language).territories
    return names.get(code) or Locale.parse("en").territories.get(code, code)


def fold(text: str | None) -> str:
    """Text for matching and sorting in any script: NFKC, case-folded, accents dropped, single-spaced."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text or "").casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", stripped).split())


def format_in_zone(moment: datetime, zone: str, fmt: str = "medium") -> str:
    """A UTC moment shown in `zone`, in the viewer's language: medium date, short time, no
    seconds, whatever `fmt` ("short" once gave the all-numeric US date); the zone is labelled
    beside it by the caller."""
    from app.i18n.moments import format_plain

    return format_plain(moment, zone)


def init_app(app: Flask) -> None:
    """Wire the language and time-zone pages and the date and time template helpers."""
    from app.i18n.views import bp

    app.register_blueprint(bp)
