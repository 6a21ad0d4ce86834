"""Library pages: the list with facets, a practice, writing, review, translations, impact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.atom import Entry, atom_response
from app.core.db import unit_of_work
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.forms import Form
from app.core.geography import REGIONS
from app.core.links import external_url
from app.core.web import flash_errors, submit
from app.i18n import current_language, territory_name
from app.library import attachments, finding, labels, services
from app.library.forms import (
    ActionForm,
    AdaptationForm,
    AttachmentForm,
    PracticeForm,
    RefuseForm,
    TranslationForm,
)
from app.library.models import Practice
from app.registry.models import Grouping
from app.registry.services import nation_choices
from app.rooms.markdown import render as render_markdown

bp = Blueprint("library", __name__)


@bp.app_context_processor
def library_context() -> dict[str, Any]:
    return {"library_labels": labels}


@bp.app_template_global("library_reading")
def library_reading(practice: Practice, language: str) -> services.Reading:
    return services.reading(practice, language)


@bp.app_template_global("library_markdown")
def library_markdown(body: str) -> str:
    from markupsafe import Markup

    return Markup(render_markdown(body))  # noqa: S704 - sanitised by nh3 in the rooms renderer


def _facets() -> dict[str, Any]:
    return {"regions": [(r, territory_name(r)) for r in REGIONS], "groupings": [g.value for g in Grouping]}


@bp.get("/library")
def index():
    """Published practices with facets and search in every language."""
    filters = finding.parse_filters(request.args)
    page = finding.find_practices(current_user, filters)
    return render_template("library/index.html", filters=filters, page=page,
                           language=current_language(), may_create=services.may_create(current_user),
                           **_facets())


@bp.get("/library/impact")
def impact():
    """Practices by region and grouping; exchanges between States."""
    return render_template("library/impact.html", impact=finding.impact(current_user), **_facets())


@bp.get("/library/themes/<theme>.atom")
def theme_feed(theme: str):
    """The newest public practices of one theme as an Atom 1.0 feed."""
    if theme not in labels.THEME_LABELS:
        abort(404)
    page = finding.find_practices(None, finding.LibraryFilters(theme=theme))
    feed_url = external_url("library.theme_feed", theme=theme)
    newest = [p.published_at for p in page.practices if p.published_at]
    entries = []
    for practice in page.practices:
        text = services.reading(practice, current_language())
        link = external_url("library.practice", practice_id=practice.id)
        entries.append(Entry(id=link, title=text.title, updated=practice.published_at or practice.updated_at,
                             link=link, summary=text.summary))
    return atom_response(
        feed_id=feed_url.removesuffix(".atom"),  # a stable IRI, kept as it was
        title=_("Practices: %(theme)s", theme=labels.THEME_LABELS[theme]), author=_("Tech Diplomacy Institute"),
        updated=max(newest) if newest else services.utcnow(), self_link=feed_url, entries=entries)


@bp.get("/library/<int:practice_id>")
def practice(practice_id: int):
    """One practice in the reader's language, or its original and the languages available."""
    item = services.get_practice(current_user, practice_id)
    wanted = request.args.get("text") or current_language()
    writer = services.may_write_for(current_user, item.nation)
    draft_view = writer and request.args.get("draft") == "1"
    text = services.reading(item, wanted if wanted in item_languages(item) else current_language(),
                            working_copy=draft_view or not item.listed)
    return render_template(
        "library/practice.html", practice=item, text=text, draft_view=draft_view, writer=writer,
        versions=services.versions(item), adaptations=services.adaptations(item),
        similar=finding.similar_practices(current_user, item), action=ActionForm(),
        refuse_form=RefuseForm(), adapt_form=AdaptationForm(), attach_form=AttachmentForm(),
        files=attachments.attachments_of(item),
        may=_permissions(item))


def item_languages(item: Practice) -> set[str]:
    return {text.language for text in item.texts}


def _permissions(item: Practice) -> dict[str, bool]:
    return {name: check(current_user, item) for name, check in (
        ("edit", services.may_edit), ("submit", services.may_submit), ("review", services.may_review),
        ("withdraw", services.may_withdraw), ("translate", services.may_translate),
        ("adapt", services.may_record_adaptation))}


def _fields(form: PracticeForm) -> services.PracticeFields:
    return services.PracticeFields(
        title=form.title.data or "", summary=form.summary.data or "", body=form.body.data or "",
        kind=form.kind.data or "", policy_status=form.policy_status.data or "",
        visibility=form.visibility.data or "", year=form.year_number(),
        themes=form.themes.data or [], articles=form.articles.data or [], links=form.links.data or "")


@bp.route("/library/new", methods=["GET", "POST"])
@login_required
def new():
    """Start a practice for one's State (staff choose the State)."""
    if not services.may_create(current_user):
        raise Forbidden(_l("Only the Tech Ambassador of a State or TDI staff can share its practices."))
    form = PracticeForm()
    form.nation.choices = nation_choices()
    if request.method == "GET":
        form.language.data = current_language()
        form.year.data = str(services.utcnow().year)
    created = submit(form, lambda: services.create_practice(
        current_user, _fields(form), language=form.language.data or "",
        iso2=form.nation.data))
    if created is not None:
        flash(_("Your draft is saved. Submit it for review when it is ready."), "success")
        return redirect(url_for("library.practice", practice_id=created.id, draft=1))
    return render_template("library/form.html", form=form, practice=None,
                           choose_nation=services.is_staff(current_user))


@bp.route("/library/<int:practice_id>/edit", methods=["GET", "POST"])
@login_required
def edit(practice_id: int):
    """Change a practice; a published one goes back to review."""
    item = services.get_practice(current_user, practice_id)
    if not services.may_edit(current_user, item):
        raise Forbidden()
    form = PracticeForm()
    if request.method == "GET":
        original = item.original
        form.title.data, form.summary.data, form.body.data = original.title, original.summary, original.body
        form.kind.data, form.policy_status.data, form.visibility.data = item.kind, item.policy_status, item.visibility
        form.year.data = str(item.year)
        form.themes.data, form.articles.data = item.tagged("theme"), item.tagged("article")
        form.links.data = "\n".join(item.links)
        form.edition.data = str(item.edition)
    saved = submit(form, lambda: services.update_practice(current_user, item, _fields(form),
                                                          edition=form.edition_number()))
    if saved is not None:
        flash(_("Your changes are saved."), "success")
        return redirect(url_for("library.practice", practice_id=item.id, draft=1))
    return render_template("library/form.html", form=form, practice=item, choose_nation=False)


def _act(practice_id: int, form: Form, action: Callable[[Practice], Any], done: str,
         draft: bool = False) -> Response:
    item = services.get_practice(current_user, practice_id)
    if not form.validate_on_submit():
        flash_errors(form)
    else:
        try:
            with unit_of_work():
                action(item)
        except NotFound:
            raise
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(done, "success")
    args = {"draft": 1} if draft and services.may_write_for(current_user, item.nation) else {}
    return redirect(url_for("library.practice", practice_id=practice_id, **args))


@bp.post("/library/<int:practice_id>/submit")
@login_required
def submit_for_review(practice_id: int):
    return _act(practice_id, ActionForm(), lambda p: services.submit_practice(current_user, p),
                _("Sent to TDI staff for review."), draft=True)


@bp.post("/library/<int:practice_id>/publish")
@login_required
def publish(practice_id: int):
    return _act(practice_id, ActionForm(), lambda p: services.publish_practice(current_user, p),
                _("Published."))


@bp.post("/library/<int:practice_id>/refuse")
@login_required
def refuse(practice_id: int):
    form = RefuseForm()
    return _act(practice_id, form, lambda p: services.refuse_practice(current_user, p, form.reason.data),
                _("Sent back to the authors with your reason."), draft=True)


@bp.post("/library/<int:practice_id>/withdraw")
@login_required
def withdraw(practice_id: int):
    return _act(practice_id, ActionForm(), lambda p: services.withdraw_practice(current_user, p),
                _("Withdrawn from the library."), draft=True)


@bp.post("/library/<int:practice_id>/adapt")
@login_required
def adapt(practice_id: int):
    form = AdaptationForm()
    return _act(practice_id, form, lambda p: services.record_adaptation(current_user, p, form.note.data),
                _("Recorded: your State learned from this practice."))


@bp.post("/library/<int:practice_id>/files")
@login_required
def attach(practice_id: int):
    """Attach a file (type read from its content) to a practice one may edit."""
    request.max_content_length = attachments.ATTACHMENT_MAX + 64 * 1024
    form = AttachmentForm()
    upload = form.file.data if form.validate_on_submit() else None
    return _act(practice_id, form, lambda p: attachments.attach_file(
        current_user, p, filename=getattr(upload, "filename", None),
        data=upload.read(attachments.ATTACHMENT_MAX + 1) if upload else b""),
        _("The file is attached."), draft=True)


@bp.post("/library/<int:practice_id>/files/<int:file_id>/remove")
@login_required
def detach(practice_id: int, file_id: int):
    return _act(practice_id, ActionForm(), lambda p: attachments.remove_attachment(
        current_user, p, attachments.get_attachment(current_user, p, file_id)),
        _("The file is removed."), draft=True)


@bp.get("/library/<int:practice_id>/files/<int:file_id>")
def download(practice_id: int, file_id: int):
    """A practice's file, always as a download, with its sniffed type."""
    item = services.get_practice(current_user, practice_id)
    attachment = attachments.get_attachment(current_user, item, file_id)
    response = Response(attachments.read_attachment(attachment), mimetype=attachment.media_type)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(attachment.filename)}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/library/<int:practice_id>/translate", methods=["GET", "POST"])
@login_required
def translate(practice_id: int):
    """Write a signed translation of a published practice."""
    item = services.get_practice(current_user, practice_id)
    if not services.may_translate(current_user, item):
        raise Forbidden()
    form = TranslationForm()
    if request.method == "GET":
        language = request.args.get("language") or current_language()
        existing = item.text_in(language)
        form.language.data = language
        if existing is not None and existing.is_translation:
            form.title.data, form.summary.data, form.body.data = existing.title, existing.summary, existing.body
    saved = submit(form, lambda: services.translate_practice(
        current_user, item, language=form.language.data or "", title=form.title.data or "",
        summary=form.summary.data or "", body=form.body.data or ""))
    if saved is not None:
        flash(_("Thank you: your translation is published and signed with your name."), "success")
        return redirect(url_for("library.practice", practice_id=item.id, text=saved.language))
    source = services.reading(item, item.original_language)
    return render_template("library/translate.html", form=form, practice=item, source=source)


@bp.get("/library/<int:practice_id>/versions/<int:number>")
def version(practice_id: int, number: int):
    """What changed in one published version against the one before."""
    item = services.get_practice(current_user, practice_id)
    changes = services.version_diff(item, number)
    return render_template("library/version.html", practice=item, number=number, changes=changes,
                           text=services.reading(item, current_language()))


@bp.get("/library/desk")
@login_required
def desk():
    """The practices one may write, and (for staff) what waits for review."""
    queue = services.review_queue(current_user) if services.is_staff(current_user) else []
    return render_template("library/desk.html", mine=services.my_practices(current_user), queue=queue,
                           may_create=services.may_create(current_user), language=current_language())
