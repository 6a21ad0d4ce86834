"""The token form of the profile: shape only; app/api/tokens.py checks the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import Form

SCOPE_LABELS = {"read": _l("Read"), "write": _l("Write"), "staff": _l("Staff")}


class TokenForm(Form):
    name = StringField(_l("Token name"),
                       validators=[DataRequired(_l("This field is required.")), Length(max=80)])
    scopes = SelectMultipleField(_l("Scopes"), choices=[SelectChoice(k, v) for k, v in SCOPE_LABELS.items()],
                                 option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
                                 default=["read"])
    days = SelectField(_l("Expires after"), coerce=int,
                       choices=[SelectChoice(30, _l("30 days")), SelectChoice(90, _l("90 days")),
                                SelectChoice(365, _l("one year"))],
                       default=90)
