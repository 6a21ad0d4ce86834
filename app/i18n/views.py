"""The language switcher and the zone picker: the user's preference when signed in, cookies for
visitors."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import services as accounts
from app.core.db import unit_of_work
from app.core.forms import Form
from app.core.web import redirect_next
from app.i18n import current_language, remember_language, remember_zone, select_timezone
from app.i18n.moments import (
    datetime_filter,
    format_day,
    format_local_span,
    format_moment,
    format_span,
    zone_label,
)
from app.i18n.plurals import plural_samples
from app.i18n.zone_picker import offered_zones, zone_groups

bp = Blueprint("i18n", __name__)
bp.add_app_template_global(format_moment, "format_moment")
bp.add_app_template_global(format_local_span, "format_local_span")
bp.add_app_template_global(format_span, "format_span")
bp.add_app_template_global(format_day, "format_day")
bp.add_app_template_global(zone_label, "zone_label")
bp.add_app_template_global(plural_samples, "plural_samples")
# Replaces Flask-Babel's filter of the same name (registered before the blueprints): no seconds
# and no all-numeric dates in any table or list.
bp.add_app_template_filter(datetime_filter, "datetimeformat")


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


@bp.get("/time-zone")
def choose_zone():
    """The zone picker for visitors (members set their zone on their profile)."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile") + "#profile-timezone")
    return render_template("i18n/zone.html", groups=zone_groups(current_language()),
                           current=select_timezone(), form=Form())


@bp.post("/time-zone")
def set_zone():
    """Keep the visitor's chosen zone in the `tz` cookie; an unknown zone changes nothing."""
    if not Form().validate_on_submit():
        abort(400)
    zone = request.form.get("timezone", "")[:64]
    if zone not in offered_zones():
        flash(_("Choose a time zone from the list."), "error")
        return redirect(url_for("i18n.choose_zone", next=request.values.get("next")))
    flash(_("Times are now shown in %(zone)s.", zone=zone), "success")
    return remember_zone(redirect_next(), zone)
