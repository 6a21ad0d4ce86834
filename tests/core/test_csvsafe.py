"""The one CSV formula-injection guard, used by every export."""

from __future__ import annotations

import pytest

from app.core.csvsafe import safe_cell


@pytest.mark.parametrize("typed, cell", [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\r=1+1"),
    ("Awa Diop", "Awa Diop"), ("ليلى حداد", "ليلى حداد"), ("", ""), (None, ""), (42, "42"),
])
def test_a_cell_a_spreadsheet_would_run_is_made_text(typed, cell):
    assert safe_cell(typed) == cell
