"""Forms of the library pages; they check shape, services check the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired

from app.convenings.labels import choices
from app.core.forms import Form
from app.i18n import language_choices
from app.library import labels


def _languages() -> list[tuple[str, str]]:
    return language_choices()


class PracticeForm(Form):
    """An author's practice: its original text and what it is about."""

    language = SelectField(_l("Language of this text"), validate_choice=False)
    nation = SelectField(_l("State"), validate_choice=False)
    title = StringField(_l("Title"))
    summary = TextAreaField(_l("Summary"), render_kw={"rows": 3})
    body = TextAreaField(_l("Full text (Markdown: *italic*, **bold**, lists, links)"),
                         render_kw={"rows": 14})
    kind = SelectField(_l("Kind"), validate_choice=False)
    policy_status = SelectField(_l("Status in the country"), validate_choice=False)
    year = StringField(_l("Year"), render_kw={"inputmode": "numeric"})
    themes = SelectMultipleField(_l("Themes"), validate_choice=False)
    articles = SelectMultipleField(_l("Articles of the Declaration it serves"), validate_choice=False)
    links = TextAreaField(_l("Links (one web address per line)"))
    visibility = SelectField(_l("Who may read it"), validate_choice=False)
    edition = HiddenField()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = _languages()
        self.kind.choices = choices(labels.KIND_LABELS)
        self.policy_status.choices = choices(labels.POLICY_STATUS_LABELS)
        self.themes.choices = choices(labels.THEME_LABELS)
        self.articles.choices = [(key, f"{key} · {label}") for key, label in labels.ARTICLE_LABELS.items()]
        self.visibility.choices = choices(labels.VISIBILITY_LABELS)

    def edition_number(self) -> int | None:
        return _whole(self.edition.data)

    def year_number(self) -> int | None:
        return _whole(self.year.data)


def _whole(raw: str | None) -> int | None:
    """A short string of digits as a number; anything else as None (the service then refuses)."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


class TranslationForm(Form):
    """A member's signed translation."""

    language = SelectField(_l("Language of the translation"), validate_choice=False)
    title = StringField(_l("Title"))
    summary = TextAreaField(_l("Summary"), render_kw={"rows": 3})
    body = TextAreaField(_l("Full text (Markdown: *italic*, **bold**, lists, links)"),
                         render_kw={"rows": 14})

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = _languages()


class RefuseForm(Form):
    reason = TextAreaField(_l("Reason (shown to the authors)"), validators=[InputRequired()])


class AdaptationForm(Form):
    note = TextAreaField(_l("What your State adapted, in a few words"))


class AttachmentForm(Form):
    file = FileField(_l("File (PDF, ODT, DOCX, PNG or JPEG, up to 10 MB)"))


class ActionForm(Form):
    """A button that only needs the CSRF token."""


__all__ = ["ActionForm", "AdaptationForm", "AttachmentForm", "PracticeForm", "RefuseForm",
           "TranslationForm"]
