"""The notices page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.db import run_in_transaction, unit_of_work
from app.core.forms import Form
from app.notifications import services

bp = Blueprint("notifications", __name__)


@bp.get("/notices")
@login_required
def index():
    """The member's notices, newest first."""
    return render_template("notifications/index.html", notices=services.list_notices(current_user),
                           form=Form())


@bp.post("/notices/read")
@login_required
def read_all():
    """Mark every notice read."""
    if not Form().validate_on_submit():
        abort(400)
    with unit_of_work():
        services.mark_read(current_user)
    return redirect(url_for("notifications.index"))


@bp.app_context_processor
def notice_count() -> dict[str, object]:
    return {"unread_notices": lambda: services.unread_count(current_user)
            if current_user.is_authenticated else 0}


@bp.get("/mail/outbox")
@login_required
def outbox():
    """Organisers: e-mails that failed or wait to go out."""
    return render_template("notifications/outbox.html", form=Form(),
                           mails=services.list_undelivered_mail(current_user))


@bp.post("/mail/outbox/<int:mail_id>/retry")
@login_required
def retry_mail(mail_id: int):
    """Organisers: send a failed e-mail again at the next pass."""
    if not Form().validate_on_submit():
        abort(400)
    run_in_transaction(lambda: services.retry_mail(current_user, mail_id))
    flash(_("The e-mail will be sent again at the next pass."), "success")
    return redirect(url_for("notifications.outbox"))
