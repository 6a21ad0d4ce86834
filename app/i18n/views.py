"""The language switcher: the user's preference when signed in, a cookie for visitors."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import services as accounts
from app.core.db import unit_of_work
from app.core.forms import Form
from app.core.web import redirect_next
from app.i18n import remember_language
from app.i18n.moments import format_local_span, format_moment, zone_label

bp = Blueprint("i18n", __name__)
bp.add_app_template_global(format_moment, "format_moment")
bp.add_app_template_global(format_local_span, "format_local_span")
bp.add_app_template_global(zone_label, "zone_label")


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
    return remember_language(redirect_next(), code)
