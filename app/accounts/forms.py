"""Forms of the account pages; they check shape, services check the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.core.forms import Form
from app.core.permissions import ROLE_LABELS

REQUIRED = _l("This field is required.")


def role_choices() -> list[tuple[str, str]]:
    """The roles as select options."""
    return [(role.value, str(label)) for role, label in ROLE_LABELS.items()]


class LoginForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=256)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ResetRequestForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(REQUIRED), Length(max=254)])


class NewPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)])


class AcceptInvitationForm(Form):
    display_name = StringField(_l("Your name"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("Choose a password"), validators=[DataRequired(REQUIRED)])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired(REQUIRED)], validate_choice=False)


class ProfileForm(Form):
    display_name = StringField(_l("Name"), validators=[DataRequired(REQUIRED)])
    locale = SelectField(_l("Language"), validators=[DataRequired(REQUIRED)], validate_choice=False)
    timezone = SelectField(_l("Time zone"), validators=[DataRequired(REQUIRED)], validate_choice=False)


class PasswordChangeForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)])


class InviteForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(REQUIRED), Length(max=254)])
    display_name = StringField(_l("Name (optional)"), validators=[Length(max=120)])
    role = SelectField(_l("Role"), validators=[DataRequired(REQUIRED)], validate_choice=False)
    nation = SelectField(_l("Delegation (State)"), validate_choice=False)
    locale = SelectField(_l("Language of the invitation"), validate_choice=False)


class RoleForm(Form):
    role = SelectField(_l("Role"), validators=[DataRequired(REQUIRED)], validate_choice=False)


class ActiveForm(Form):
    """Deactivate or reactivate; the button says which."""


class SessionsForm(Form):
    """Sign out everywhere else: nothing to fill in but the CSRF token."""
