"""The home page, liveness (`/healthz`) and readiness (`/readyz`)."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from app.core import health
from app.main import services

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """Explain the platform to visitors; show members their next steps."""
    return render_template("main/home.html", overview=services.home_overview(current_user))


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers requests (restart it when this fails)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Readiness: every critical check passes (else 503, take it out of rotation); with timings."""
    ready, checks = health.run_checks()
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503
