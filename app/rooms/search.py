"""Search tokens that work the same on SQLite and PostgreSQL, in every script.

Text is NFKC-normalised, case-folded and stripped of combining accents; Han, Hiragana, Katakana
and Hangul runs (written without spaces) become overlapping character bigrams, every other run of
word characters is one token. A message matches when it holds every token of the query.
"""

from __future__ import annotations

import re

from app.i18n import fold

MAX_TOKEN = 64
MAX_QUERY_TOKENS = 12
_CJK = (r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
        r"\U00020000-\U0002fa1f")
_WORDS = re.compile(rf"[{_CJK}]+|[^\W{_CJK}]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")


def tokens(text: str) -> list[str]:
    """The distinct search tokens of `text`, in first-seen order."""
    found: dict[str, None] = {}
    for run in _WORDS.findall(fold(text)):
        if _CJK_RUN.fullmatch(run):
            grams = [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]
        else:
            grams = [run]
        for gram in grams:
            found.setdefault(gram[:MAX_TOKEN], None)
    return list(found)
