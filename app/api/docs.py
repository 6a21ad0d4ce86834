"""/api/docs: the API reference, rendered in the browser by the vendored Swagger UI."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("api_docs", __name__)


@bp.get("/api/docs")
def reference() -> str:
    """The reference page; its content is /api/v1/openapi.json."""
    return render_template("api/docs.html")
