"""The SpecTree instance: it validates requests and writes the OpenAPI 3.1 document."""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask
from spectree import SecurityScheme, SecuritySchemeData, SpecTree

from app.api.problems import PROBLEM_TYPE, problem

API_TITLE = "Caravanserai API"
API_VERSION = "1.0.0"


def _problem_on_invalid(request: Any, response: Any, error: Any, instance: Any,
                        adapter: Any = None) -> None:
    """Turn SpecTree's validation answer into a problem document (same status, our shape)."""
    if error is None or response is None:
        return
    errors = [{"loc": [str(part) for part in item.get("loc", ())], "msg": str(item.get("msg", ""))}
              for item in adapter.validation_errors(error)] if adapter else None
    replacement = problem(400, "validation", errors=errors)
    response.set_data(replacement.get_data())
    response.mimetype = PROBLEM_TYPE
    response.status_code = 400


spec = SpecTree(
    "flask",
    title=API_TITLE,
    version=API_VERSION,
    description="Public JSON API of Caravanserai. Errors are RFC 9457 problem documents.",
    mode="strict",
    path="api/v1/_spectree",
    page_templates={},
    validation_error_status=400,
    before=_problem_on_invalid,
    annotations=False,
    security_schemes=[SecurityScheme(
        name="token", data=SecuritySchemeData(type="http", scheme="bearer"))],
)

#: What an operation that needs a personal access token declares.
TOKEN: dict[str, list[str]] = {"token": []}


def openapi_document(app: Flask) -> dict[str, Any]:
    """The generated document, with problem responses typed as application/problem+json."""
    cached = app.extensions.get("caravanserai_openapi")
    if cached is not None:
        return cached
    spec.app = app
    document = copy.deepcopy(spec._generate_spec())
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                if status.startswith(("4", "5")) and "application/json" in content:
                    answer["content"] = {PROBLEM_TYPE: content["application/json"]}
    app.extensions["caravanserai_openapi"] = document
    return document
