"""Forms of the registry pages; they check shape, services check the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from app.core.forms import Form

REQUIRED = _l("This field is required.")
DATE_INVALID = _l("Enter a date as YYYY-MM-DD.")


class SignatureForm(Form):
    nation = SelectField(_l("State"), validate_choice=False)
    signed_on = DateField(_l("Date of signature"), validators=[DataRequired(DATE_INVALID)])
    authority_name = StringField(_l("Signing authority"), validators=[DataRequired(REQUIRED)])
    authority_title = StringField(_l("Title of the signing authority"),
                                  validators=[DataRequired(REQUIRED)])
    note_reference = StringField(_l("Reference of the diplomatic note"),
                                 validators=[DataRequired(REQUIRED)])
    note = TextAreaField(_l("Note (optional)"))


class WithdrawalForm(Form):
    withdrawn_on = DateField(_l("Date of withdrawal"), validators=[DataRequired(DATE_INVALID)])


class PartnerApplicationForm(Form):
    name = StringField(_l("Organisation name"), validators=[DataRequired(REQUIRED)])
    category = SelectField(_l("Category"), validate_choice=False)
    country = SelectField(_l("Country"), validate_choice=False)
    website = StringField(_l("Website"), validators=[DataRequired(REQUIRED)])
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(REQUIRED)])
    contact_email = EmailField(_l("Contact e-mail address"), validators=[DataRequired(REQUIRED)])
    statement = TextAreaField(_l("Statement of endorsement"), validators=[DataRequired(REQUIRED)])


class ApproveForm(Form):
    endorsed_on = DateField(_l("Endorsement date"), validators=[Optional()])


class RejectForm(Form):
    reason = TextAreaField(_l("Reason, sent to the applicant"), validators=[DataRequired(REQUIRED)])


class AppointmentForm(Form):
    nation = SelectField(_l("State"), validate_choice=False)
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED)])
    title = StringField(_l("Official title"), validators=[DataRequired(REQUIRED)])
    level = SelectField(_l("Level"), validate_choice=False)
    appointed_on = DateField(_l("Date of appointment"), validators=[DataRequired(DATE_INVALID)])
    user_email = EmailField(_l("E-mail of the member's account (optional)"))


class SubscribeForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(REQUIRED)])


class ProgressReportForm(Form):
    commitment = SelectField(_l("Commitment"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    narrative = TextAreaField(_l("What has been done"), validators=[DataRequired(REQUIRED)])
    evidence = TextAreaField(_l("Evidence links (one per line, optional)"))


class ActionForm(Form):
    """A button that only needs the CSRF token."""
