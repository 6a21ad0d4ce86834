"""Forms of the room pages; they check shape, services check the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# SelectChoice is new in WTForms 3.3; the types-WTForms 3.2 stubs do not know it yet.
from wtforms import (  # type: ignore[attr-defined]
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.core.forms import Form

REQUIRED = _l("This field is required.")


class RoomForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=500)])
    KINDS = [SelectChoice("private", _l("Private working group (by invitation)")),
             SelectChoice("open", _l("Open thematic room (anyone may join)"))]
    kind = SelectField(_l("Kind of room"), choices=KINDS)


class DirectForm(Form):
    emails = StringField(_l("E-mail addresses of the people to write to"),
                         validators=[DataRequired(REQUIRED), Length(max=2000)])


class MessageForm(Form):
    body = TextAreaField(_l("Message"), validators=[DataRequired(REQUIRED)])
    # Generated with the page, so a form sent twice is stored once.
    client_id = HiddenField(validators=[DataRequired(REQUIRED), Length(max=64)])
    reply_to = HiddenField(validators=[Optional()])


class EditForm(Form):
    body = TextAreaField(_l("Message"), validators=[DataRequired(REQUIRED)])


class ReportForm(Form):
    reason = StringField(_l("Why are you reporting this message?"),
                         validators=[Optional(), Length(max=500)])


class InviteForm(Form):
    email = StringField(_l("E-mail address"), validators=[DataRequired(REQUIRED), Length(max=254)])


class MuteForm(Form):
    user_id = SelectField(_l("Member"), coerce=int, validate_choice=False)
    minutes = IntegerField(_l("Minutes (0 lifts the mute)"),
                           validators=[NumberRange(min=0, max=7 * 24 * 60)], default=60)


class ActionForm(Form):
    """A button that only needs the CSRF token."""


class ResolveForm(Form):
    action = SelectField(_l("Decision"), choices=[
        SelectChoice("dismiss", _l("Dismiss the report")),
        SelectChoice("delete", _l("Delete the message"))])
