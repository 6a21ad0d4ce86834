"""What every public read shares: cursors, Link headers, conditional GET, CORS, ISO times."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, TypeVar

from flask import Response, request

from app.core.errors import Invalid
from app.i18n import current_language

T = TypeVar("T")

CURSOR_PREFIX = "v1:"
MAX_CURSOR_VALUE = 10**9


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a `Z`, from the UTC datetimes the database keeps."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def encode_cursor(position: int) -> str:
    """An opaque cursor for a position in a list (an offset or a key, per endpoint)."""
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The position inside a cursor; a forged or damaged one is a clear 400."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    digits = raw[len(CURSOR_PREFIX):] if raw.startswith(CURSOR_PREFIX) else ""
    if not digits.isdigit() or len(digits) > 10 or int(digits) > MAX_CURSOR_VALUE:
        raise Invalid(code="cursor_invalid", field="cursor")
    return int(digits)


def page_of(items: Sequence[T], cursor: str | None, limit: int) -> tuple[list[T], str | None]:
    """A slice of an already bounded, ordered list and the cursor of the next slice."""
    start = decode_cursor(cursor) or 0
    chunk = list(items[start:start + limit])
    following = encode_cursor(start + limit) if start + limit < len(items) else None
    return chunk, following


def link_header(next_cursor: str | None) -> str | None:
    """RFC 8288 `Link` with rel="next", keeping the request's other arguments."""
    if not next_cursor:
        return None
    args = request.args.to_dict()
    args["cursor"] = next_cursor
    query = "&".join(f"{k}={v}" for k, v in sorted(args.items()))
    return f'<{request.base_url}?{query}>; rel="next"'


def _version_tag(version: str) -> str:
    key = f"{current_language()}\n{request.full_path}\n{version}"
    return "v" + hashlib.sha256(key.encode()).hexdigest()[:31]


#: Answers of versioned reads by their tag (which holds language, URL and data version), so a
#: repeated read of unchanged data costs the version query only. Bounded; per process.
_ANSWERS: dict[str, tuple[str, datetime | None, str | None]] = {}
ANSWERS_KEPT = 256


def answered_already(version: str) -> Response | None:
    """Before any work: a 304 when the client holds this request's answer at `version`, or the
    answer this process made already; None when the answer must be built.

    `version` is a cheap fingerprint of everything the answer depends on (one small query)."""
    tag = _version_tag(version)
    if request.if_none_match and request.if_none_match.contains_weak(tag):
        not_modified = Response(status=304)
        not_modified.set_etag(tag, weak=True)
        not_modified.vary.add("Accept-Language")
        return not_modified
    if tag in _ANSWERS:
        payload, last_modified, next_cursor = _ANSWERS[tag]
        return _finish(Response(payload, mimetype="application/json"), tag, last_modified,
                       next_cursor)
    return None


def public_json(body: Any, *, last_modified: datetime | None = None,
                next_cursor: str | None = None, version: str | None = None) -> Response:
    """A cacheable public answer: ETag (over `version` when given, else over the body and
    language), Last-Modified, and 304 when the client's copy is fresh."""
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    digest = (_version_tag(version) if version is not None else
              hashlib.sha256(f"{current_language()}\n{payload}".encode()).hexdigest()[:32])
    if version is not None:
        if len(_ANSWERS) >= ANSWERS_KEPT:
            _ANSWERS.clear()
        _ANSWERS[digest] = (payload, last_modified, next_cursor)
    return _finish(Response(payload, mimetype="application/json"), digest, last_modified,
                   next_cursor)


def _finish(response: Response, digest: str, last_modified: datetime | None,
            next_cursor: str | None) -> Response:
    response.set_etag(digest, weak=True)
    response.vary.add("Accept-Language")
    if last_modified is not None:
        stamp = last_modified if last_modified.tzinfo else last_modified.replace(tzinfo=UTC)
        response.headers["Last-Modified"] = format_datetime(stamp.astimezone(UTC), usegmt=True)
    link = link_header(next_cursor)
    if link:
        response.headers["Link"] = link
    if request.if_none_match and request.if_none_match.contains_weak(digest):
        not_modified = Response(status=304)
        for header in ("ETag", "Vary", "Last-Modified", "Link"):
            if header in response.headers:
                not_modified.headers[header] = response.headers[header]
        return not_modified
    return response


def newest(*moments: datetime | None) -> datetime | None:
    """The latest of the given times (for Last-Modified)."""
    present = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments if m is not None]
    return max(present) if present else None


def allow_cors(response: Response) -> Response:
    """Public reads are open to every origin; nothing with credentials is."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Accept-Language, If-None-Match"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Link"
    response.headers["Access-Control-Max-Age"] = "600"
    return response
