"""Input from outside, made safe at the boundary: bounded ids, cleaned text, bounded dates.

Every id, string and date that arrives in a URL, a query string or a form passes through here
before a service or the database sees it, so a malformed value is a clear 4xx, never a 500.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import Flask, Request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

# The largest value an INTEGER column holds on PostgreSQL (int4). Ids and counts are INTEGER
# columns, and SQLAlchemy's psycopg dialect casts every parameter to its column's type, so even a
# lookup by a larger number fails there ("integer out of range"); SQLite fails beyond 2^63.
MAX_INT = 2**31 - 1
MAX_ID = MAX_INT
# Dates the platform deals in; outside this, arithmetic (a clone moved by years) cannot overflow.
MIN_YEAR = 1900
MAX_YEAR = 2200

NUMBER_OUT_OF_RANGE = _l("This number is too large.")
DATE_OUT_OF_RANGE = _l("Enter a date between the years %(first)s and %(last)s.")

_SURROGATES = "\ud800-\udfff"
# C0 and C1 controls and DEL, except tab and the line breaks handled separately.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f"
# Embeddings, overrides and isolates: invisible, and they reorder what surrounds a name.
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_LINE_BREAKS = "\r\n\x85\u2028\u2029"

_UNSAFE_ANYWHERE = re.compile(f"[{_CONTROLS}{_SURROGATES}]")
_UNSAFE_IN_A_LINE = re.compile(f"[{_CONTROLS}{_SURROGATES}{_BIDI_CONTROLS}]")
_LINE_BREAK_RUN = re.compile(f"[{_LINE_BREAKS}\t]+")
_ANY_CONTROL = re.compile(f"[{_CONTROLS}{_SURROGATES}{_LINE_BREAKS}\t]")


def clean_line(value: str) -> str:
    """A single-line value: line breaks and tabs become a space; controls, surrogates, bidi overrides go."""
    return _UNSAFE_IN_A_LINE.sub("", _LINE_BREAK_RUN.sub(" ", value))


def clean_text(value: str) -> str:
    """A multi-line value: line breaks become \\n; controls and lone surrogates go."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _UNSAFE_ANYWHERE.sub("", value)


def has_control_characters(value: str) -> bool:
    """True when `value` holds a control character, a line break or a lone surrogate."""
    return _ANY_CONTROL.search(value) is not None


def bounded_int(value: Any) -> int:
    """`value` as an integer a database column can hold; ValueError otherwise (MultiDict `type=`)."""
    if isinstance(value, bool):
        raise ValueError("not an integer")
    number = value if isinstance(value, int) else int(str(value).strip())
    if not -MAX_INT <= number <= MAX_INT:
        raise ValueError("integer out of range")
    return number


def bounded_id(value: Any) -> int | None:
    """`value` as a possible row id (1..MAX_ID), or None when it cannot be one."""
    try:
        number = bounded_int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 1 else None


def date_in_range(value: date | datetime) -> bool:
    """True for a date the platform can store and shift without overflowing."""
    return MIN_YEAR <= value.year <= MAX_YEAR


def date_range_message() -> str:
    """The translated refusal of a date outside MIN_YEAR..MAX_YEAR."""
    return str(DATE_OUT_OF_RANGE % {"first": MIN_YEAR, "last": MAX_YEAR})


def check_date(value: date, field: str) -> date:
    """`value` when it lies in MIN_YEAR..MAX_YEAR; Invalid (on `field`) otherwise."""
    from app.core.errors import Invalid

    if not date_in_range(value):
        raise Invalid(date_range_message(), code="date_out_of_range", field=field)
    return value


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: 1..MAX_ID, so an out-of-range id is a 404 on every database."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = 1,  # noqa: A002
                 max: int | None = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TextConverter(UnicodeConverter):
    """The default path segment: a control character or line break in it is a 404."""

    def to_python(self, value: str) -> str:
        if has_control_characters(value):
            raise ValidationError()
        return value


class BoundedArgs(ImmutableMultiDict):
    """Query and form values where `get(..., type=int)` never yields an integer no column holds."""

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # noqa: A002
        return super().get(key, default, bounded_int if type is int else type)


class BoundedRequest(Request):
    """The request class of the application: its args and form use `BoundedArgs`."""

    parameter_storage_class = BoundedArgs


def init_app(app: Flask) -> None:
    """Bound ids and path segments in every route; must run before blueprints are registered."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
    app.request_class = BoundedRequest


def find(model: Any, raw_id: Any) -> Any:
    """The row of `model` whose id is `raw_id`, or None when there is none or it cannot be an id."""
    from app.extensions import db

    number = bounded_id(raw_id)
    return db.session.get(model, number) if number is not None else None
