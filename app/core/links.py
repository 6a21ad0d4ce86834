"""Absolute links for e-mails, notices and feeds, built from the route map and the configured BASE_URL."""

from __future__ import annotations

from typing import Any, cast

from flask import current_app, url_for


def external_url(endpoint: str, **values: object) -> str:
    """The absolute URL of `endpoint` under BASE_URL, never under the request's Host.

    Works inside a request, from the CLI and from the outbox worker alike.
    """
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **cast("dict[str, Any]", values))
