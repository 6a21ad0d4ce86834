"""Initiative pages: the list with filters, one initiative, proposing, joining, milestones, updates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel.lists import format_list
from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from app.core.atom import Entry, atom_response
from app.core.db import utcnow
from app.core.errors import DomainError, Forbidden, Invalid
from app.core.inputs import bounded_id, find
from app.core.links import external_url
from app.core.navigation import add_nav_entry
from app.core.web import acted, attach_error, submit
from app.i18n import current_language, select_timezone
from app.initiatives import labels, services
from app.initiatives.forms import (
    ActionForm,
    FairTimesForm,
    InitiativeForm,
    InviteForm,
    MilestoneForm,
    PracticeLinkForm,
    StatusForm,
    UpdateForm,
)
from app.initiatives.models import Initiative
from app.registry.models import Partner
from app.rooms.markdown import render as render_markdown

bp = Blueprint("initiatives", __name__)


@bp.app_context_processor
def initiatives_context() -> dict[str, Any]:
    return {"initiative_labels": labels}


@bp.app_template_global("initiative_markdown")
def initiative_markdown(body: str) -> Markup:
    return Markup(render_markdown(body))  # noqa: S704 - sanitised by nh3 in the rooms renderer


@bp.app_template_global("initiative_member_names")
def initiative_member_names(members: list[Any]) -> str:
    """Members' names joined the way the reader's language lists things (", ", "، ", "、")."""
    names = [services.member_label(m) for m in members]
    return format_list(names, locale=str(get_locale() or "en")) if names else ""


@bp.get("/initiatives")
def index():
    """Listed initiatives with filters by theme, article, status and member State."""
    filters = services.parse_filters(request.args)
    page = services.find_initiatives(current_user, filters)
    return render_template("initiatives/index.html", filters=filters, page=page, language=current_language(),
                           may_propose=services.may_propose(current_user),
                           mine=services.my_initiatives(current_user))


def _permissions(item: Initiative) -> dict[str, bool]:
    return {name: check(current_user, item) for name, check in (
        ("edit", services.may_edit), ("approve", services.may_approve), ("manage", services.may_manage),
        ("post", services.may_post), ("join", services.may_ask_to_join), ("work", services.may_see_work),
        ("status", services.may_change_status), ("join_room", services.may_join_room))}


@bp.get("/initiatives/<int:initiative_id>")
def detail(initiative_id: int):
    """One initiative: its public record; members also see milestones, updates and the room."""
    item = services.get_initiative(current_user, initiative_id)
    may = _permissions(item)
    invite_form = InviteForm()
    invite_form.partner.choices = [("", "—")] + (
        [(str(p.id), p.name) for p in services.approved_partners()] if may["manage"] else [])
    milestone_form = MilestoneForm()
    milestone_form.owner.choices = [(str(m.id), services.member_label(m)) for m in item.active_members]
    status_form = StatusForm()
    moves = services.STATUS_MOVES[labels.InitiativeStatus(item.status)]
    status_form.status.choices = [(s.value, str(labels.STATUS_LABELS[s])) for s in labels.InitiativeStatus
                                  if s in moves]
    return render_template(
        "initiatives/detail.html", initiative=item, text=item.reading(current_language()), may=may,
        milestones=services.milestones(current_user, item), updates=services.updates(current_user, item),
        room_id=services.room_id_for(current_user, item), meeting_url=services.meeting_url(current_user, item), action=ActionForm(), invite_form=invite_form,
        milestone_form=milestone_form, update_form=UpdateForm(), status_form=status_form,
        following=services.is_following(current_user, item), practices=services.linked_practices(current_user, item),
        link_form=PracticeLinkForm(), share=services.may_share_publicly(item),
        deciders={m.id: services.may_decide(current_user, m) for m in item.members},
        removers={m.id: services.may_remove(current_user, m) for m in item.members})


def _fields(form: InitiativeForm) -> services.InitiativeFields:
    return services.InitiativeFields(
        language=form.language.data or "", title=form.title.data or "", summary=form.summary.data or "",
        goal=form.goal.data or "", themes=form.themes.data or [], articles=form.articles.data or [],
        visibility=form.visibility.data or "")


@bp.route("/initiatives/new", methods=["GET", "POST"])
@login_required
def new():
    """An ambassador proposes an initiative led by their State."""
    if not services.may_propose(current_user):
        raise Forbidden(_l("Only the Tech Ambassador of a State can propose an initiative."))
    form = InitiativeForm()
    if request.method == "GET":
        form.language.data = current_language()
    created = submit(form, lambda: services.propose_initiative(current_user, _fields(form)),
                     done=_("Proposed. TDI staff will review it for the public list."))
    if created is not None:
        return redirect(url_for("initiatives.detail", initiative_id=created.id))
    return render_template("initiatives/form.html", form=form, initiative=None)


@bp.route("/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
@login_required
def edit(initiative_id: int):
    """A lead changes the initiative, or writes it in another language."""
    item = services.get_initiative(current_user, initiative_id)
    if not services.may_edit(current_user, item):
        raise Forbidden()
    form = InitiativeForm()
    if request.method == "GET":
        language = request.args.get("language") or current_language()
        text = item.text_in(language) or item.reading(language)
        form.language.data = language
        form.title.data, form.summary.data, form.goal.data = text.title, text.summary, item.goal
        form.themes.data, form.articles.data = item.tagged("theme"), item.tagged("article")
        form.visibility.data = item.visibility
    saved = submit(form, lambda: services.edit_initiative(current_user, item, _fields(form)),
                   done=_("Your changes are saved."))
    if saved is not None:
        return redirect(url_for("initiatives.detail", initiative_id=item.id))
    return render_template("initiatives/form.html", form=form, initiative=item)


def _back(item_id: int) -> Response:
    return redirect(url_for("initiatives.detail", initiative_id=item_id))


def _act(initiative_id: int, form: Any, action: Callable[[Initiative], object], done: str) -> Response:
    item = services.get_initiative(current_user, initiative_id)
    acted(form, lambda: action(item), done=done)
    return _back(initiative_id)


@bp.post("/initiatives/<int:initiative_id>/approve")
@login_required
def approve(initiative_id: int):
    return _act(initiative_id, ActionForm(), lambda i: services.approve_initiative(current_user, i),
                _("Approved: the initiative is active and listed."))


@bp.post("/initiatives/<int:initiative_id>/status")
@login_required
def status(initiative_id: int):
    form = StatusForm()
    form.status.choices = [(s.value, s.value) for s in labels.InitiativeStatus]
    return _act(initiative_id, form, lambda i: services.change_status(current_user, i, form.status.data or "",
                                                                 form.outcome.data or ""),
                _("The status is changed."))


@bp.post("/initiatives/<int:initiative_id>/join")
@login_required
def join(initiative_id: int):
    return _act(initiative_id, ActionForm(), lambda i: services.ask_to_join(current_user, i),
                _("Your request is sent to the initiative's leads."))


@bp.post("/initiatives/<int:initiative_id>/room")
@login_required
def join_room(initiative_id: int):
    return _act(initiative_id, ActionForm(), lambda i: services.join_room(current_user, i),
                _("You are in the working group's room."))


@bp.post("/initiatives/<int:initiative_id>/practices")
@login_required
def link_practice(initiative_id: int):
    form = PracticeLinkForm()
    return _act(initiative_id, form, lambda i: services.link_practice(current_user, i, form.practice.data or ""),
                _("The practice is linked."))


@bp.post("/initiatives/<int:initiative_id>/practices/<int:practice_id>/unlink")
@login_required
def unlink_practice(initiative_id: int, practice_id: int):
    return _act(initiative_id, ActionForm(), lambda i: services.unlink_practice(current_user, i, practice_id),
                _("The link is removed."))


@bp.post("/initiatives/<int:initiative_id>/follow")
@login_required
def follow(initiative_id: int):
    return _act(initiative_id, ActionForm(), lambda i: services.follow(current_user, i),
                _("You will receive this initiative's updates."))


@bp.post("/initiatives/<int:initiative_id>/unfollow")
@login_required
def unfollow(initiative_id: int):
    return _act(initiative_id, ActionForm(), lambda i: services.unfollow(current_user, i),
                _("You no longer follow this initiative."))


def _invite(actor: Any, item: Initiative, form: InviteForm) -> object:
    from app.registry.services import nation_by_iso
    from app.rooms import services as rooms_services

    if (form.nation.data or "").strip():
        return services.invite(actor, item, nation=nation_by_iso(form.nation.data, field="nation"))
    if (form.partner.data or "").strip():
        partner = find(Partner, form.partner.data)
        if partner is None:
            raise Invalid(_l("Only approved Supporting Partners can be invited."), code="partner", field="partner")
        return services.invite(actor, item, partner=partner)
    if (form.email.data or "").strip():
        found = rooms_services.find_members(form.email.data or "")
        if len(found) != 1:
            raise Invalid(_l("Give one State or one member's e-mail address."), code="invitee", field="email")
        return services.invite(actor, item, user=found[0])
    raise Invalid(_l("Give one State or one member's e-mail address."), code="invitee", field="email")


@bp.post("/initiatives/<int:initiative_id>/invite")
@login_required
def invite(initiative_id: int):
    form = InviteForm()
    return _act(initiative_id, form, lambda i: _invite(current_user, i, form), _("The invitation is sent."))


@bp.post("/initiatives/<int:initiative_id>/members/<int:member_id>/<any(accept,decline,remove):verb>")
@login_required
def decide(initiative_id: int, member_id: int, verb: str):
    action = {"accept": services.accept, "decline": services.decline, "remove": services.remove}[verb]
    done = {"accept": _("Accepted."), "decline": _("Declined."), "remove": _("The membership has ended.")}[verb]
    return _act(initiative_id, ActionForm(),
                lambda i: action(current_user, services.get_member(i, member_id)), done)


@bp.post("/initiatives/<int:initiative_id>/milestones")
@login_required
def add_milestone(initiative_id: int):
    form = MilestoneForm()
    return _act(initiative_id, form, lambda i: services.add_milestone(
        current_user, i, form.title.data or "", form.due_on.data, bounded_id(form.owner.data)),
        _("The milestone is added."))


@bp.post("/initiatives/<int:initiative_id>/milestones/<int:milestone_id>")
@login_required
def edit_milestone(initiative_id: int, milestone_id: int):
    form = MilestoneForm()
    return _act(initiative_id, form, lambda i: services.edit_milestone(
        current_user, services.get_milestone(i, milestone_id), form.title.data or "", form.due_on.data,
        bounded_id(form.owner.data), form.status.data or ""), _("The milestone is saved."))


@bp.post("/initiatives/<int:initiative_id>/milestones/<int:milestone_id>/delete")
@login_required
def delete_milestone(initiative_id: int, milestone_id: int):
    return _act(initiative_id, ActionForm(), lambda i: services.delete_milestone(
        current_user, services.get_milestone(i, milestone_id)), _("The milestone is removed."))


@bp.post("/initiatives/<int:initiative_id>/updates")
@login_required
def post_update(initiative_id: int):
    form = UpdateForm()
    return _act(initiative_id, form, lambda i: services.post_update(current_user, i, form.body.data or "",
                                                                    public=bool(form.public.data)),
                _("Your update is posted."))


@bp.get("/initiatives/<int:initiative_id>/record")
def record(initiative_id: int):
    """The printable record: goal, members, milestones met, updates the reader may see, outcome."""
    item = services.get_initiative(current_user, initiative_id)
    return render_template("initiatives/record.html", initiative=item, text=item.reading(current_language()),
                           milestones=services.milestones_met(current_user, item),
                           updates=services.updates(current_user, item, limit=200))


@bp.get("/initiatives/<int:initiative_id>/fair-times")
@login_required
def fair_times(initiative_id: int):
    """Propose the three call times that ask least of the members across their time zones."""
    item = services.get_initiative(current_user, initiative_id)
    if not services.may_see_work(current_user, item):
        raise Forbidden()
    form = FairTimesForm(request.args)
    proposals: list[Any] = []
    asked = "first_day" in request.args
    if asked and form.validate():
        try:
            proposals = services.fair_times(current_user, item, form.first_day.data, form.last_day.data,
                                            form.duration.data)
        except DomainError as error:
            attach_error(form, error)
    return render_template("initiatives/fair_times.html", initiative=item, text=item.reading(current_language()),
                           form=form, proposals=proposals, asked=asked, viewer_zone=select_timezone())


@bp.get("/initiatives/feed.atom")
def feed():
    """The newest public updates of public initiatives as an Atom 1.0 feed."""
    items = services.public_updates()
    language = current_language()
    entries = []
    for update in items:
        link = external_url("initiatives.detail", initiative_id=update.initiative_id)
        entries.append(Entry(id=f"{link}#update-{update.id}", title=update.initiative.reading(language).title,
                             updated=update.created_at, link=link, author=update.author.display_name,
                             html=render_markdown(update.body)))
    return atom_response(
        feed_id=external_url("initiatives.index").rstrip("/"), title=_("Joint initiatives"),
        author=_("Tech Diplomacy Institute"), updated=items[0].created_at if items else utcnow(),
        self_link=external_url("initiatives.feed"), entries=entries)


def register(app: Flask) -> None:
    """Register the initiatives' pages and their header link."""
    app.register_blueprint(bp)
    add_nav_entry(app, "initiatives.index", _l("Initiatives"))
