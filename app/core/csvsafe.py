"""One guard against spreadsheet formula injection in CSV exports (OWASP "CSV Injection").

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return may be run as a formula by
Excel, LibreOffice or Google Sheets; prefixing a single quote makes it text.
"""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell's text, which a spreadsheet will show and never run."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(TRIGGERS) else text
