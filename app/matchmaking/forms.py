"""Forms of the matchmaking pages; they check shape, services check the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import Form

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
BAD_TIME = _l("Enter a date and time.")


class ProfileForm(Form):
    offers = SelectMultipleField(_l("Topics I can offer expertise on"), validate_choice=False)
    seeks = SelectMultipleField(_l("Topics I seek expertise on"), validate_choice=False)
    languages = SelectMultipleField(_l("Languages I speak"), validate_choice=False)
    bio = TextAreaField(_l("Short bio"), validators=[Length(max=1000)])


class ParticipationForm(Form):
    opted_in = BooleanField(_l("I take part in bilateral matchmaking at this convening"))
    slots = SelectMultipleField(_l("Slots I am free for"), coerce=int, validate_choice=False)


class RequestForm(Form):
    message = TextAreaField(_l("Message"), validators=[Length(max=1000)])
    slots = SelectMultipleField(_l("Preferred slots (optional)"), coerce=int,
                                validate_choice=False)


class DeclineForm(Form):
    reason = TextAreaField(_l("Reason (optional; shown to the requester)"),
                           validators=[Length(max=1000)])


class RescheduleForm(Form):
    slots = SelectMultipleField(_l("Preferred slots"), coerce=int, validate_choice=False)


class FeedbackForm(Form):
    took_place = BooleanField(_l("The meeting took place"))
    useful = BooleanField(_l("It was useful"))
    follow_up = BooleanField(_l("A follow-up is planned"))


class SlotForm(Form):
    session_id = SelectField(_l("Bilateral block"), coerce=int, validate_choice=False,
                             validators=[InputRequired()])
    starts_at = DateTimeLocalField(_l("Starts (local time)"), format=LOCAL_FORMAT,
                                   validators=[DataRequired(BAD_TIME)])
    ends_at = DateTimeLocalField(_l("Ends (local time)"), format=LOCAL_FORMAT,
                                 validators=[DataRequired(BAD_TIME)])
    tables = IntegerField(_l("Tables"), validators=[InputRequired(), NumberRange(min=1, max=1000)])


class TablesForm(Form):
    tables = IntegerField(_l("Tables"), validators=[InputRequired(), NumberRange(min=1, max=1000)])


class FixedTableForm(Form):
    user_id = IntegerField(_l("Participant"), validators=[InputRequired()])
    table = IntegerField(_l("Fixed table (empty to free)"), validators=[Optional()])


class ScheduleForm(Form):
    allow_moves = BooleanField(_l("Allow moving meetings people were already told about "
                                  "(shows a preview first)"))


class PublishPlanForm(Form):
    token = HiddenField(validators=[DataRequired(), Length(max=64)])
