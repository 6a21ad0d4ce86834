"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.main import services

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """Explain the platform to visitors; show members their next steps."""
    return render_template("main/home.html", overview=services.home_overview(current_user))


@bp.get("/healthz")
def healthz():
    """Report whether the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
