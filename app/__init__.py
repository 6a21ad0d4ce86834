"""Caravanserai: the convening and peer-learning platform of the Tech Diplomacy Institute."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, flash, g, request
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
    _wire_features(app)
    _register_hooks(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app import models
    from app.accounts.services import load_session_user
    from app.core import assets
    from app.core.db import configure_engine
    from app.core.deployment import socket_origin_check, trust_proxies, websocket_source
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio, talisman
    from app.i18n import select_locale, select_timezone

    models.all_models()  # every model imported: the metadata is complete before anything queries
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


def _wire_features(app: Flask) -> None:
    """Each feature registers its blueprints, notice kinds, signals and commands, in this order.

    The order matters: it is the order of the header links, and the site's error handlers and the
    default Socket.IO namespace come after every feature's own.
    """
    from app import (
        accounts,
        api,
        cli,
        convenings,
        core,
        i18n,
        initiatives,
        library,
        main,
        matchmaking,
        notifications,
        people,
        registry,
        rooms,
    )

    core.init_app(app)
    main.init_app(app)
    accounts.init_app(app)
    i18n.init_app(app)
    notifications.init_app(app)
    registry.init_app(app)
    convenings.init_app(app)
    rooms.init_app(app)
    matchmaking.init_app(app)
    api.init_app(app)
    library.init_app(app)
    initiatives.init_app(app)
    people.init_app(app)
    core.init_transports(app)
    cli.register(app)


def _register_hooks(app: Flask) -> None:
    from app.i18n import LANGUAGE_NAMES, current_language, territory_name, text_direction

    @app.before_request
    def warn_unknown_language() -> None:
        if request.args.get("lang") and request.args["lang"] not in app.config["LANGUAGES"]:
            g.unknown_language = request.args["lang"]

    @app.after_request
    def no_cache_for_members(response: Response) -> Response:
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
