"""/api/v1: JSON over the same services as the pages, described by a generated OpenAPI document."""

from __future__ import annotations

from flask import Flask, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/v1/"


def init_app(app: Flask) -> None:
    """Register the API blueprint, its reference page, and problem answers for unrouted API paths."""
    from app.api.docs import bp as docs_bp
    from app.api.pages import bp as tokens_bp
    from app.api.problems import from_http_status
    from app.api.views import bp
    from app.core.web import error_response

    app.register_blueprint(bp)
    app.register_blueprint(docs_bp)
    app.register_blueprint(tokens_bp)

    # A path under /api/v1 that matches no route never reaches the blueprint's handlers; it
    # still gets a problem document. Every other path keeps the site's error page.
    def unrouted(error: HTTPException) -> ResponseReturnValue:
        if request.path.startswith(API_PREFIX):
            return from_http_status(error.code or 404)
        return error_response(error.code or 404)

    for status in (404, 405):
        app.register_error_handler(status, unrouted)
