"""Input checks: names, websites, texts and links as the registry accepts them."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.db import utcnow
from app.core.errors import Invalid
from app.extensions import db
from app.i18n import fold
from app.registry.models import (
    DECLARATION_OPENED,
    Nation,
)
from app.registry.services.vocabulary import _MARKUP, URL_MAX

if TYPE_CHECKING:
    pass

# --- Registry: input checks ---------------------------------------------------------------------

def organisation_key(name: str) -> str:
    """What makes two spellings of an organisation's name the same one."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(name)).split())


def clean_text(raw: str | None, *, field: str, limit: int, required: bool = True,
               multiline: bool = False) -> str:
    """Trimmed plain text: required when asked, within `limit`, never markup."""
    text = (raw or "").strip() if multiline else " ".join((raw or "").split())
    if required and not text:
        raise Invalid(_l("This field is required."), code="required", field=field)
    if len(text) > limit:
        raise Invalid(_l("This text is limited to %(count)d characters.", count=limit),
                      code="too_long", field=field)
    if _MARKUP.search(text):
        raise Invalid(_l("Please write plain text: HTML and scripts are not accepted."),
                      code="markup", field=field)
    return text


def clean_url(raw: str | None, *, field: str) -> str:
    """An http(s) address with a real host name."""
    url = (raw or "").strip()
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").encode("idna").decode()
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except (ValueError, UnicodeError):
        parts, host = urlsplit(""), ""
    if (parts.scheme not in ("http", "https") or "." not in host or len(url) > URL_MAX
            or any(ch.isspace() or ch in "<>\"'" for ch in url)
            or not re.fullmatch(r"[a-z0-9.-]+", host)):
        raise Invalid(_l("Enter a full web address starting with https://."), code="url_invalid",
                      field=field)
    return url


def website_key(url: str) -> str:
    """The part of a web address that identifies an organisation (host and path)."""
    parts = urlsplit(url.lower())
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}"


def check_signing_date(day: date | None, *, field: str, today: date | None = None) -> date:
    """A date between the Declaration's opening and today."""
    if day is None:
        raise Invalid(_l("Enter a date."), code="date_required", field=field)
    if day > (today or utcnow().date()):
        raise Invalid(_l("The date cannot be in the future."), code="date_future", field=field)
    if day < DECLARATION_OPENED:
        raise Invalid(_l("The date cannot be before the Declaration opened on 1 November 2025."),
                      code="date_too_early", field=field)
    return day


def nation_by_iso(iso2: str | None, *, field: str = "nation") -> Nation:
    """The State with this ISO 3166 alpha-2 code, or a clear error."""
    code = (iso2 or "").strip().upper()
    nation = db.session.scalar(select(Nation).where(Nation.iso2 == code)) if len(code) == 2 else None
    if nation is None:
        raise Invalid(_l("Unknown country code: choose a State from the list."),
                      code="nation_unknown", field=field)
    return nation
