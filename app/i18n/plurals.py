"""Plural wordings for counts that change in the browser (live unread and mention badges).

The server renders each wording once per CLDR plural category of the reader's language, for a
sample number of that category, and the page's script picks the category of the new count with
`Intl.PluralRules` (the same CLDR rules). So a live "1 غير مقروءة" or "21 непрочитанное" reads as
the server would have written it, in every language, without shipping the catalogs to the browser.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale

from app.i18n import current_language


@lru_cache(maxsize=16)
def _samples(language: str) -> tuple[tuple[str, int], ...]:
    locale = Locale.parse(language)
    found: dict[str, int] = {}
    for number in range(0, 1001):
        found.setdefault(locale.plural_form(number), number)
    return tuple(found.items())


def plural_samples() -> dict[str, int]:
    """One whole number per plural category of the reader's language ({"one": 1, "other": 0, ...})."""
    return dict(_samples(current_language()))
