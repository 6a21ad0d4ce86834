"""Forms of the initiatives' pages; they check shape, services check the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from app.convenings.labels import choices
from app.core.forms import Form
from app.i18n import language_choices
from app.initiatives import labels


class InitiativeForm(Form):
    """A proposal, or a lead's change to it (the text in one language at a time)."""

    language = SelectField(_l("Language of this text"), validate_choice=False)
    title = StringField(_l("Title"))
    summary = TextAreaField(_l("Summary"), render_kw={"rows": 3})
    goal = TextAreaField(_l("Goal"), render_kw={"rows": 4})
    themes = SelectMultipleField(_l("Themes"), validate_choice=False)
    articles = SelectMultipleField(_l("Articles of the Declaration it serves"), validate_choice=False)
    visibility = SelectField(_l("Who may read it"), validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
        self.themes.choices = choices(labels.THEME_LABELS)
        self.articles.choices = [(key, f"{key} · {label}") for key, label in labels.ARTICLE_LABELS.items()]
        self.visibility.choices = choices(labels.VISIBILITY_LABELS)


class InviteForm(Form):
    """A lead invites a State (by ISO code) or a member (by e-mail)."""

    nation = StringField(_l("State (two-letter code, e.g. SN)"))
    partner = SelectField(_l("or a Supporting Partner"), validate_choice=False)
    email = StringField(_l("or a member's e-mail address"))


class MilestoneForm(Form):
    title = StringField(_l("Milestone"))
    due_on = DateField(_l("Due date"), validators=[Optional()])
    owner = SelectField(_l("Owner"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = choices(labels.MILESTONE_LABELS)


class UpdateForm(Form):
    body = TextAreaField(_l("Update (Markdown: *italic*, **bold**, lists, links)"), render_kw={"rows": 5})
    public = BooleanField(_l("Share on the public record (the page and its Atom feed)"))


class StatusForm(Form):
    status = SelectField(_l("Status"), validate_choice=False)
    outcome = TextAreaField(_l("Outcome (needed to complete the initiative)"), render_kw={"rows": 3})


class ActionForm(Form):
    """A button that only needs the CSRF token."""


class FairTimesForm(Form):
    """A read-only question sent with GET: when could the members meet?"""

    class Meta:
        csrf = False

    first_day = DateField(_l("From"), validators=[Optional()])
    last_day = DateField(_l("To"), validators=[Optional()])
    duration = IntegerField(_l("Length in minutes"), validators=[Optional()], default=60)


class PracticeLinkForm(Form):
    practice = StringField(_l("Address of a practice in the library"))
