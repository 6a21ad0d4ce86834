"""Sign-in, invitations, password reset, profile and the user administration pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import services
from app.accounts.forms import (
    AcceptInvitationForm,
    ActiveForm,
    InviteForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    ProfileForm,
    ResetRequestForm,
    RoleForm,
    SessionsForm,
    role_choices,
)
from app.core.db import unit_of_work
from app.core.errors import DomainError
from app.core.forms import Form
from app.core.permissions import ROLE_LABELS, Role, is_staff, require_staff
from app.core.web import redirect_next, submit
from app.extensions import limiter
from app.i18n import (
    LANGUAGE_NAMES,
    current_language,
    remember_language,
    show_in_language,
    timezone_names,
)
from app.registry.services import nation_choices

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _language_choices() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES[code]) for code in current_app.config["LANGUAGES"]]


def _timezone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in timezone_names()]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect_next()
    form = LoginForm()
    user = submit(form, lambda: services.authenticate(form.email.data, form.password.data,
                                                      request.remote_addr))
    if user is not None:
        login_user(user, remember=bool(form.remember.data))
        flash(_("Welcome, %(name)s.", name=user.display_name), "success")
        return redirect_next()
    status = 401 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Sign out (a POST, so a link on another site cannot sign people out).

    The session ends on the server too: copies of the cookies and open sockets stop working.
    """
    with unit_of_work():
        services.end_sessions(current_user)
    logout_user()
    flash(_("You have signed out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_request():
    """Ask for a password-reset link; the answer is the same whether the address exists or not."""
    form = ResetRequestForm()
    if submit(form, lambda: services.request_password_reset(form.email.data) or True):
        flash(_("If an account uses this address, we have sent it a link to choose a new password."),
              "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from an e-mailed link."""
    form = NewPasswordForm()
    user = submit(form, lambda: services.reset_password(token, form.password.data))
    if user is not None:
        flash(_("Your password has been changed. Sign in with it now."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Join the platform from an invitation link."""
    try:
        invitation = services.invitation_from_token(token)
    except DomainError as error:
        return render_template("accounts/invitation_invalid.html", message=str(error)), 400
    # The invitation's language, unless the invitee picked another: the account keeps it.
    show_in_language(invitation.locale)
    form = AcceptInvitationForm()
    form.timezone.choices = _timezone_choices()
    if request.method == "GET":
        form.display_name.data = invitation.display_name
        form.timezone.data = services.proposed_timezone(invitation.nation)
    user = submit(form, lambda: services.accept_invitation(
        token, form.display_name.data, form.password.data, timezone=form.timezone.data,
        locale=current_language()))
    if user is not None:
        logout_user()
        login_user(user)
        flash(_("Welcome to Caravanserai, %(name)s.", name=user.display_name), "success")
        return remember_language(redirect(url_for("main.home")), user.locale)
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Change one's name, language and time zone."""
    form = ProfileForm(prefix="profile")
    form.locale.choices = _language_choices()
    form.timezone.choices = _timezone_choices()
    password_form = PasswordChangeForm(prefix="password")
    if request.method == "GET":
        form.display_name.data = current_user.display_name
        form.locale.data = current_user.locale
        form.timezone.data = current_user.timezone
    if "profile-display_name" in request.form and submit(form, lambda: services.update_profile(
            current_user, display_name=form.display_name.data, locale=form.locale.data,
            timezone=form.timezone.data)):
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("accounts.profile"))
    if "password-current_password" in request.form and submit(password_form, lambda: services.change_password(
            current_user, password_form.current_password.data, password_form.password.data)):
        login_user(current_user._get_current_object())
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, password_form=password_form,
                           sessions_form=SessionsForm(prefix="sessions"))


@bp.post("/profile/sessions")
@login_required
def end_other_sessions():
    """Sign out everywhere else: end every session of the account, then keep this one."""
    form = SessionsForm(prefix="sessions")
    if submit(form, lambda: services.end_sessions(current_user)):
        login_user(current_user._get_current_object())
        flash(_("You have been signed out on every other device."), "success")
    return redirect(url_for("accounts.profile"))


@bp.post("/profile/timezone")
@login_required
def confirm_timezone():
    """The member confirms the zone they are in (from the banner)."""
    if not Form().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            services.confirm_timezone(current_user, request.form.get("timezone", "")[:64])
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.profile"))
    flash(_("Your time zone has been saved."), "success")
    return redirect_next("main.home")


@bp.get("/admin/users")
@login_required
def admin_users():
    """Organisers and administrators list and search the accounts."""
    page = services.list_users(current_user, query=request.args.get("q", ""),
                               role=request.args.get("role", ""),
                               page=request.args.get("page", 1, type=int) or 1)
    return render_template("accounts/admin_users.html", page=page, roles=ROLE_LABELS,
                           query=request.args.get("q", ""), role=request.args.get("role", ""),
                           role_form=RoleForm(), active_form=ActiveForm(),
                           role_choices=role_choices())


@bp.route("/admin/invitations/new", methods=["GET", "POST"])
@login_required
def invite():
    """Invite someone by e-mail with a role and, optionally, a delegation."""
    require_staff(current_user)
    form = InviteForm()
    form.role.choices = [c for c in role_choices()
                         if c[0] != Role.ADMIN.value or current_user.role_enum == Role.ADMIN]
    form.nation.choices = [("", _("No delegation")), *nation_choices()]
    form.locale.choices = _language_choices()
    if request.method == "GET":
        form.role.data = Role.AMBASSADOR.value
        form.locale.data = current_language()
    result = submit(form, lambda: services.invite(
        current_user, form.email.data, form.role.data, display_name=form.display_name.data or "",
        locale=form.locale.data, nation_iso2=form.nation.data or None))
    if result is not None:
        flash(_("Invitation sent to %(email)s.", email=result[0].email), "success")
        return redirect(url_for("accounts.admin_users"))
    return render_template("accounts/invite.html", form=form)


@bp.post("/admin/users/<int:user_id>/role")
@login_required
def change_role(user_id: int):
    """An administrator changes an account's role."""
    form = RoleForm()
    form.role.choices = role_choices()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work():
        user = services.change_role(current_user, services.get_user(user_id), form.role.data)
    flash(_("%(name)s is now: %(role)s.", name=user.display_name, role=ROLE_LABELS[user.role_enum]),
          "success")
    return redirect_next("accounts.admin_users")


@bp.post("/admin/users/<int:user_id>/active")
@login_required
def set_active(user_id: int):
    """An administrator deactivates or reactivates an account."""
    if not ActiveForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    with unit_of_work():
        user = services.set_active(current_user, services.get_user(user_id), active)
    message = (_("%(name)s can sign in again.", name=user.display_name) if active
               else _("%(name)s has been deactivated.", name=user.display_name))
    flash(message, "success")
    return redirect_next("accounts.admin_users")


@bp.app_context_processor
def account_helpers() -> dict[str, object]:
    return {"is_staff": lambda: is_staff(current_user), "ROLE_LABELS": ROLE_LABELS, "Role": Role}
