"""Forms of the convening pages; they check shape, services check the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import Form

REQUIRED = _l("This field is required.")
BAD_TIME = _l("Enter a date and time.")
LANGUAGE_CODES = ("en", "ar", "zh", "fr", "ru", "es", "uz")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class ConveningForm(Form):
    kind = SelectField(_l("Kind"), validators=[DataRequired(REQUIRED)], validate_choice=False)
    edition = IntegerField(_l("Edition number (Global Forum)"), validators=[Optional()])
    default_language = SelectField(_l("Default language"), validators=[DataRequired(REQUIRED)],
                                   validate_choice=False)
    themes = SelectMultipleField(_l("Themes"), validate_choice=False)
    region = SelectField(_l("Region (regional convenings)"), validate_choice=False)
    format = SelectField(_l("Format"), validators=[DataRequired(REQUIRED)], validate_choice=False)
    venue_name = StringField(_l("Venue"), validators=[Length(max=200)])
    venue_city = StringField(_l("City"), validators=[Length(max=120)])
    venue_country = SelectField(_l("Country"), validate_choice=False)
    online_link = StringField(_l("Online link (shown to registered participants only)"),
                              validators=[Length(max=500)])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired(REQUIRED)], validate_choice=False)
    starts_at = DateTimeLocalField(_l("Starts (local time)"), format=LOCAL_FORMAT,
                                   validators=[DataRequired(BAD_TIME)])
    ends_at = DateTimeLocalField(_l("Ends (local time)"), format=LOCAL_FORMAT,
                                 validators=[DataRequired(BAD_TIME)])
    registration_opens_at = DateTimeLocalField(_l("Registration opens (optional)"),
                                               format=LOCAL_FORMAT, validators=[Optional()])
    registration_closes_at = DateTimeLocalField(_l("Registration closes (optional)"),
                                                format=LOCAL_FORMAT, validators=[Optional()])
    capacity = IntegerField(_l("Capacity (empty for no limit)"), validators=[Optional()])
    seats_per_delegation = IntegerField(_l("Seats per delegation (empty for no limit)"),
                                        validators=[Optional()])
    visibility = SelectField(_l("Who may see and register"), validators=[DataRequired(REQUIRED)],
                             validate_choice=False)


for _code in LANGUAGE_CODES:
    setattr(ConveningForm, f"title_{_code}", StringField(_l("Title"), validators=[Length(max=200)]))
    setattr(ConveningForm, f"description_{_code}", TextAreaField(_l("Description"),
                                                                 validators=[Length(max=20_000)]))


class SessionForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=20_000)])
    kind = SelectField(_l("Kind"), validators=[DataRequired(REQUIRED)], validate_choice=False)
    starts_at = DateTimeLocalField(_l("Starts (convening's local time)"), format=LOCAL_FORMAT,
                                   validators=[DataRequired(BAD_TIME)])
    ends_at = DateTimeLocalField(_l("Ends (convening's local time)"), format=LOCAL_FORMAT,
                                 validators=[DataRequired(BAD_TIME)])
    location = StringField(_l("Location"), validators=[Length(max=120)])
    track = StringField(_l("Track"), validators=[Length(max=80)])
    language = SelectField(_l("Session language"), validators=[DataRequired(REQUIRED)],
                           validate_choice=False)
    interpretation = SelectMultipleField(_l("Interpretation into"), validate_choice=False)
    speakers = SelectMultipleField(_l("Speakers (members)"), validate_choice=False)
    guest_speakers = TextAreaField(_l("Guest speakers (one name a line)"),
                                   validators=[Length(max=4000)])


class RegisterForm(Form):
    consent_listed = BooleanField(_l("List me among the participants other participants can see"))


class CancelConveningForm(Form):
    reason = TextAreaField(_l("Reason for the cancellation"),
                           validators=[DataRequired(REQUIRED), Length(max=2000)])


class CloneForm(Form):
    new_start = DateField(_l("First day of the new convening"), validators=[DataRequired(REQUIRED)])


class FairTimesForm(Form):
    class Meta:
        csrf = False  # a read-only question sent with GET

    nations = SelectMultipleField(_l("Invited delegations"), validate_choice=False)
    regions = SelectMultipleField(_l("Invited regions"), validate_choice=False)
    first_day = DateField(_l("From"), validators=[DataRequired(REQUIRED)])
    last_day = DateField(_l("To"), validators=[DataRequired(REQUIRED)])
    duration = IntegerField(_l("Length in minutes"), validators=[DataRequired(REQUIRED)], default=120)
