"""Wordings with a number take the plural form the number needs, in every language."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, ngettext

KEEP = ("Keep it under %(num)d character.", "Keep it under %(num)d characters.")


@pytest.mark.parametrize(("language", "number", "expected"), [
    ("en", 1, "Keep it under 1 character."),
    ("en", 500, "Keep it under 500 characters."),
    ("ru", 21, "Текст должен содержать не более 21 символа."),
    ("ru", 5, "Текст должен содержать не более 5 символов."),
    ("ar", 2, "يُرجى ألا يتجاوز النص 2 حرفين."),
    ("ar", 7, "يُرجى ألا يتجاوز النص 7 أحرف."),
    ("ar", 50, "يُرجى ألا يتجاوز النص 50 حرفًا."),
    ("fr", 1, "Pas plus de 1 caractère."),
    ("fr", 500, "Pas plus de 500 caractères."),
])
def test_character_limit_is_pluralised(app_ctx, language, number, expected) -> None:
    with force_locale(language):
        assert ngettext(*KEEP, number) == expected


def test_unread_badge_has_a_space_and_a_plural(app_ctx) -> None:
    with force_locale("en"):
        assert ngettext("%(num)d unread", "%(num)d unread", 15) == "15 unread"
    with force_locale("ar"):
        assert ngettext("%(num)d unread", "%(num)d unread", 1) == "1 غير مقروءة"


def test_pending_requests_message_in_the_singular(app_ctx) -> None:
    with force_locale("es"):
        one = ngettext("You have %(num)d request waiting for an answer; wait for the reply or "
                       "cancel it first.", "You have %(num)d requests waiting for an answer; "
                       "wait for replies or cancel one first.", 1)
    assert one.startswith("Tiene 1 solicitud pendiente")
