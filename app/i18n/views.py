"""The language switcher: the user's preference when signed in, a cookie for visitors."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import services as accounts
from app.core.db import unit_of_work
from app.core.forms import Form
from app.core.web import redirect_next
from app.i18n import LANGUAGE_COOKIE

bp = Blueprint("i18n", __name__)


@bp.post("/language/<code>")
def switch_language(code: str):
    """Switch the interface language and go back to the page."""
    if not Form().validate_on_submit():
        abort(400)
    if code not in current_app.config["LANGUAGES"]:
        flash(_("This language is not available."), "error")
        return redirect_next()
    if current_user.is_authenticated:
        with unit_of_work():
            accounts.set_language(current_user, code)
    response = redirect_next()
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    return response
