"""RFC 9457 problem documents: a stable `code`, a translated `title`, never a bare 500."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, request
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError

PROBLEM_TYPE = "application/problem+json"

#: Stable codes and their translated titles (the `title` is chosen by Accept-Language).
TITLES = {
    "invalid": _l("The request could not be processed"),
    "validation": _l("The request does not match the API description"),
    "cursor_invalid": _l("The page cursor is not valid"),
    "filter_invalid": _l("Unknown filter value"),
    "not_found": _l("Not found"),
    "token_invalid": _l("A valid access token is required"),
    "scope_insufficient": _l("The token's scopes do not allow this"),
    "forbidden": _l("You are not allowed to do this"),
    "conflict": _l("This clashes with what is already recorded"),
    "method_not_allowed": _l("This method is not allowed here"),
    "not_acceptable": _l("This representation is not available"),
    "rate_limited": _l("Too many requests"),
    "server_error": _l("Something went wrong on our side"),
}
HTTP_CODES = {400: "invalid", 401: "token_invalid", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
              406: "not_acceptable", 409: "conflict", 422: "validation", 429: "rate_limited"}


def problem(status: int, code: str, detail: str | None = None,
            errors: list[dict[str, Any]] | None = None) -> Response:
    """A problem document answering the current request."""
    body: dict[str, Any] = {"type": "about:blank", "title": str(TITLES.get(code, TITLES["invalid"])),
                            "status": status, "code": code, "instance": request.path}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_TYPE)


def from_domain_error(error: DomainError) -> Response:
    """The problem document for a refusal raised by a service."""
    code = error.code if error.code in TITLES else HTTP_CODES.get(error.status, "invalid")
    errors = [{"field": error.field, "code": error.code}] if error.field else None
    return problem(error.status, code, str(error), errors)


def from_http_status(status: int) -> Response:
    """The problem document for a plain HTTP error (unknown route, wrong method, ...)."""
    if status >= 500:
        current_app.logger.exception("unhandled error in the API")
        return problem(500, "server_error")
    return problem(status, HTTP_CODES.get(status, "invalid"))
