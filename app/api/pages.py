"""/profile/tokens: a member creates (sees once), lists and revokes personal access tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.api import tokens
from app.api.forms import SCOPE_LABELS, TokenForm
from app.core.forms import Form
from app.core.web import submit

bp = Blueprint("api_tokens", __name__)


@bp.route("/profile/tokens", methods=["GET", "POST"])
@login_required
def token_list():
    """The member's tokens and the form for a new one; a new secret is shown on this answer only."""
    form = TokenForm()
    created = submit(form, lambda: tokens.create_token(
        current_user, form.name.data, form.scopes.data or [], form.days.data))
    secret = created[1] if created else None
    if secret:
        form = TokenForm(formdata=None)
    return render_template("api/tokens.html", form=form, secret=secret,
                           tokens=tokens.tokens_of(current_user), scope_labels=SCOPE_LABELS,
                           revoke_form=Form())


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    """Revoke one of the member's tokens."""
    if submit(Form(), lambda: tokens.revoke_token(current_user, token_id)):
        flash(_("The token has been revoked."), "success")
    return redirect(url_for("api_tokens.token_list"))
