"""The base of every form: each field's value is cleaned and bounded before any validator runs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import TextAreaField
from wtforms.fields.core import UnboundField

from app.core.inputs import (
    NUMBER_OUT_OF_RANGE,
    bounded_int,
    clean_line,
    clean_text,
    date_in_range,
    date_range_message,
)


def _cleaner(multiline: bool):
    clean = clean_text if multiline else clean_line

    def cleaned(value: Any) -> Any:
        if isinstance(value, str):
            return clean(value)
        if isinstance(value, list):
            return [cleaned(item) for item in value]
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return bounded_int(value)
            except ValueError:
                raise ValueError(str(NUMBER_OUT_OF_RANGE)) from None
        if isinstance(value, date | datetime) and not date_in_range(value):
            raise ValueError(date_range_message())
        return value

    return cleaned


def _json_formdata(payload: Any) -> ImmutableMultiDict:
    pairs: list[tuple[str, str]] = []
    for key, value in (payload.items() if isinstance(payload, dict) else ()):
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool):
                pairs.append((key, "true" if item else "false"))
            elif isinstance(item, str | int | float):
                # JSON can carry lone surrogates, which a form re-rendering the value cannot encode.
                pairs.append((key, clean_text(str(item))))
    return ImmutableMultiDict(pairs)


_CLEAN_LINE = _cleaner(multiline=False)
_CLEAN_TEXT = _cleaner(multiline=True)


class Form(FlaskForm):
    """A Flask-WTF form whose every field strips control characters and bounds numbers and dates.

    Single-line fields lose line breaks (a title with CR/LF would break a calendar file), bidi
    overrides and lone surrogates; text areas keep their line breaks. Integers beyond what a
    database column holds and dates outside MIN_YEAR..MAX_YEAR are field errors.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            # Flask-WTF hands a JSON body to the form as it is; only text, numbers and flat lists
            # of them are form data, anything else (a list body, nested objects, null) is dropped.
            if formdata is _Auto and _is_submitted() and not request.form and not request.files and request.is_json:
                return _json_formdata(request.get_json(silent=True))
            return super().wrap_formdata(form, formdata)

        def bind_field(self, form: Any, unbound_field: UnboundField, options: dict[str, Any]) -> Any:
            multiline = issubclass(unbound_field.field_class, TextAreaField)
            filters = [*unbound_field.kwargs.get("filters", ()), _CLEAN_TEXT if multiline else _CLEAN_LINE]
            return unbound_field.bind(form=form, filters=filters, **options)
