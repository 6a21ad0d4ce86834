"""/people: the directory of members, one person's page, and starting a conversation from it."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField

from app.convenings.labels import THEME_LABELS
from app.core.forms import Form
from app.core.navigation import add_nav_entry
from app.core.permissions import ROLE_LABELS, is_signed_in
from app.core.web import acted, submit
from app.i18n import current_language, territory_name
from app.people import services
from app.registry.services import all_nations
from app.rooms import services as rooms

bp = Blueprint("people", __name__, url_prefix="/people")


class ListingForm(Form):
    listed = BooleanField(_l("List me in the people directory"))


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    """Listed members, searchable by name in any script, by State, role, theme and language."""
    filters = services.parse_filters(request.args)
    page = services.find_people(current_user, filters)
    language = current_language()
    states = sorted(((n.iso2, territory_name(n.iso2)) for n in all_nations()), key=lambda p: p[1])
    listing = ListingForm(listed=current_user.in_directory)
    return render_template("people/index.html", filters=filters, page=page, states=states,
                           roles=ROLE_LABELS, themes=THEME_LABELS, language=language,
                           listed_by_role=current_user.role in services.LISTED_ROLES, listing=listing)


@bp.post("/listing")
@login_required
def listing() -> ResponseReturnValue:
    """Choose whether the directory lists me (members other than ambassadors and staff)."""
    form = ListingForm()
    acted(form, lambda: services.set_listing(current_user, bool(form.listed.data)),
          done=_("Your choice is saved."))
    return redirect(url_for("people.index"))


@bp.get("/<int:user_id>")
@login_required
def person(user_id: int) -> ResponseReturnValue:
    """What a member offers and seeks, the convenings we both attend, and ways to reach them."""
    found = services.get_person(current_user, user_id)
    return render_template("people/person.html", person=found, themes=THEME_LABELS, roles=ROLE_LABELS, form=Form(),
                           may_message=services.may_message(current_user, found.user))


@bp.post("/<int:user_id>/message")
@login_required
def message(user_id: int) -> ResponseReturnValue:
    """Open (or find) the direct conversation with this member and go to it."""
    found = services.get_person(current_user, user_id)
    room = submit(Form(), lambda: rooms.open_direct(current_user, [found.user]), elsewhere=True)
    if room is None:
        return redirect(url_for("people.person", user_id=user_id))
    return redirect(url_for("rooms.show", room_id=room.id))


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav_entry(app, "people.index", _l("People"), visible=lambda: is_signed_in(current_user))
