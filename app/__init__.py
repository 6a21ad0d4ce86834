"""Caravanserai: the convening and peer-learning platform of the Tech Diplomacy Institute."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, flash, g, request
from flask_babel import gettext as _

from app.core import inputs
from config import get_config

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": ["'self'"],  # create_app adds BASE_URL's websocket origin
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application for the named configuration."""
    config = get_config(config_name)
    config.check()
    app = Flask(__name__, instance_relative_config=True,
                instance_path=(overrides or {}).get("INSTANCE_PATH") or config.INSTANCE_PATH)
    app.config.from_object(config)
    if overrides:
        app.config.update(overrides)
    from app.core.secrets import ensure_secret_key

    ensure_secret_key(app)

    _init_extensions(app)
    inputs.init_app(app)
    _register_blueprints(app)
    _register_hooks(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (complete metadata before anything queries)
    from app.accounts.services import load_session_user
    from app.core import assets
    from app.core.db import configure_engine
    from app.core.deployment import socket_origin_check, trust_proxies, websocket_source
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio, talisman
    from app.i18n import select_locale, select_timezone

    configure_engine(app.config)
    db.init_app(app)
    assets.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to see this page.")
    talisman.init_app(
        app,
        force_https=False,
        strict_transport_security=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy={**CSP, "connect-src": [*CSP["connect-src"], websocket_source(app)]},
        referrer_policy="strict-origin-when-cross-origin",
        frame_options="DENY",
    )
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config.get("REDIS_URL"),
        channel=app.config.get("SOCKETIO_CHANNEL", "flask-socketio"),
        cors_allowed_origins=socket_origin_check(app),
        manage_session=False,
    )
    trust_proxies(app)


def _register_blueprints(app: Flask) -> None:
    from app import api, cli
    from app.accounts.views import bp as accounts_bp
    from app.convenings.cli import bp as convenings_cli
    from app.convenings.views import bp as convenings_bp
    from app.core import health, realtime
    from app.core.navigation import init_navigation
    from app.core.web import register_error_handlers
    from app.i18n.views import bp as i18n_bp
    from app.main.views import bp as main_bp
    from app.matchmaking.views import bp as matchmaking_bp
    from app.notifications.views import bp as notifications_bp
    from app.registry.cli import bp as nations_cli
    from app.registry.views import bp as registry_bp
    from app.rooms.views import bp as rooms_bp

    init_navigation(app)
    health.init_app(app)
    for blueprint in (main_bp, accounts_bp, i18n_bp, notifications_bp, nations_cli,
                      registry_bp,
                      convenings_bp, convenings_cli, rooms_bp, matchmaking_bp):
        app.register_blueprint(blueprint)
    api.init_app(app)
    from app.library import init_app as init_library

    init_library(app)
    from app.initiatives import init_app as init_initiatives
    init_initiatives(app)
    register_error_handlers(app)
    realtime.register()
    cli.register(app)


def _register_hooks(app: Flask) -> None:
    from app.i18n import LANGUAGE_NAMES, current_language, territory_name, text_direction

    @app.before_request
    def warn_unknown_language() -> None:
        if request.args.get("lang") and request.args["lang"] not in app.config["LANGUAGES"]:
            g.unknown_language = request.args["lang"]

    @app.after_request
    def no_cache_for_members(response):  # type: ignore[no-untyped-def]
        if request.endpoint != "static" and request.cookies.get(
                app.config.get("SESSION_COOKIE_NAME", "session")):
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    @app.context_processor
    def language_context() -> dict[str, Any]:
        if g.pop("unknown_language", None):
            flash(_("This language is not available; the page is shown in another one."), "error")
        return {
            "current_language": current_language(),
            "text_direction": text_direction(),
            "language_names": LANGUAGE_NAMES,
            "languages": app.config["LANGUAGES"],
            "territory_name": territory_name,
        }
