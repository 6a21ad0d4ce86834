"""Matchmaking pages: profile, a convening's matchmaking page, requests, schedule, organiser view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.models import User
from app.convenings import services as convenings
from app.convenings.models import Convening
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.forms import Form
from app.core.permissions import is_staff
from app.core.web import acted, submit
from app.extensions import db
from app.i18n import current_language, format_in_zone
from app.matchmaking import replan, services
from app.matchmaking.forms import (
    DeclineForm,
    FeedbackForm,
    FixedTableForm,
    ParticipationForm,
    ProfileForm,
    PublishPlanForm,
    RequestForm,
    RescheduleForm,
    ScheduleForm,
    SlotForm,
    TablesForm,
)
from app.matchmaking.models import BilateralSlot

bp = Blueprint("matchmaking", __name__)


def _topic_choices() -> list[tuple[str, str]]:
    return [(code, str(services.TOPIC_LABELS[code])) for code in services.TOPICS]


def _language_choices() -> list[tuple[str, str]]:
    return sorted(((code, services.language_name(code)) for code in services.SPOKEN),
                  key=lambda pair: pair[1].casefold())


def _slot_label(slot: BilateralSlot, convening: Convening) -> str:
    return _("%(start)s – %(end)s (%(zone)s)",
             start=format_in_zone(slot.starts_at, convening.timezone, "short"),
             end=format_in_zone(slot.ends_at, convening.timezone, "short"), zone=convening.timezone)


def _slot_choices(convening: Convening) -> list[tuple[int, str]]:
    return [(slot.id, _slot_label(slot, convening)) for slot in services.slots(convening)]


def _back(convening_id: int, anchor: str = ""):  # type: ignore[no-untyped-def]
    return redirect(url_for("matchmaking.page", convening_id=convening_id) + anchor)


# ---------------------------------------------------------------- profile


@bp.route("/matchmaking/profile", methods=["GET", "POST"])
@login_required
def profile():
    """One's matchmaking profile: topics offered and sought, languages, a short bio."""
    form = ProfileForm()
    form.offers.choices = form.seeks.choices = _topic_choices()
    form.languages.choices = _language_choices()
    existing = services.profile_for(current_user)
    if request.method == "GET" and existing is not None:
        form.offers.data, form.seeks.data = existing.offers, existing.seeks
        form.languages.data, form.bio.data = existing.languages, existing.bio
    saved = submit(form, lambda: services.save_profile(current_user, services.ProfileData(
        form.offers.data or [], form.seeks.data or [], form.languages.data or [],
        form.bio.data or "")))
    if saved is not None:
        flash(_("Your matchmaking profile has been saved."), "success")
        convening_id = request.args.get("convening", "")
        if convening_id.isdigit():
            return _back(int(convening_id))
        return redirect(url_for("matchmaking.profile"))
    return render_template("matchmaking/profile.html", form=form)


# ---------------------------------------------------------------- a convening's page


@bp.get("/convenings/<int:convening_id>/matchmaking")
@login_required
def page(convening_id: int):
    """Suggestions with reasons, one's requests, one's meeting schedule and opt-in."""
    convening = convenings.get_convening(current_user, convening_id)
    participant = convenings.is_participant(current_user, convening)
    participation = services.participation_for(current_user, convening)
    slot_choices = _slot_choices(convening)
    form = ParticipationForm()
    form.slots.choices = slot_choices
    form.opted_in.data = participation.opted_in if participation else True
    form.slots.data = participation.available_slots if participation else [
        slot_id for slot_id, _label in slot_choices]
    opted_in = participant and participation is not None and participation.opted_in
    suggestions = services.recommendations(current_user, convening) if opted_in else []
    inbox = services.requests_for(current_user, convening)
    meetings = services.my_meetings(current_user, convening)
    request_form = RequestForm()
    request_form.slots.choices = slot_choices
    reschedule_form = RescheduleForm()
    reschedule_form.slots.choices = slot_choices
    return render_template(
        "matchmaking/page.html", convening=convening, participant=participant,
        has_profile=services.profile_for(current_user) is not None, opted_in=opted_in,
        form=form, suggestions=suggestions, inbox=inbox, meetings=meetings,
        request_form=request_form, decline_form=DeclineForm(), reschedule_form=reschedule_form,
        feedback_form=FeedbackForm(), action_form=Form(), staff=is_staff(current_user),
        slot_labels=dict(slot_choices), labels=services, language=current_language(),
        viewer_zone=current_user.timezone, now=utcnow())


@bp.post("/convenings/<int:convening_id>/matchmaking/participation")
@login_required
def participation(convening_id: int):
    """Opt in or out, and say which slots one is free for."""
    convening = convenings.get_convening(current_user, convening_id)
    form = ParticipationForm()
    acted(form, lambda: services.set_participation(current_user, convening,
                                                  bool(form.opted_in.data), form.slots.data or []), done=_("Your matchmaking choices have been saved."))
    return _back(convening_id)


@bp.post("/convenings/<int:convening_id>/matchmaking/request/<int:user_id>")
@login_required
def send(convening_id: int, user_id: int):
    """Ask someone for a meeting."""
    convening = convenings.get_convening(current_user, convening_id)
    recipient = db.session.get(User, user_id)
    if recipient is None:
        raise NotFound()
    form = RequestForm()
    acted(form, lambda: services.send_request(current_user, convening, recipient,
                                             form.message.data or "", form.slots.data or []), done=_("Your request has been sent."))
    return _back(convening_id, "#requests")


def _request_action(convening_id: int, request_id: int, form: Form,
                    action: Callable[[Convening, Any], Any], done: str):  # type: ignore[no-untyped-def]
    convening = convenings.get_convening(current_user, convening_id)
    meeting_request = services.get_request(current_user, convening, request_id)
    acted(form, lambda: action(convening, meeting_request), done=done)
    return _back(convening_id, "#requests")


@bp.post("/convenings/<int:convening_id>/matchmaking/requests/<int:request_id>/accept")
@login_required
def accept(convening_id: int, request_id: int):
    """Accept a request."""
    return _request_action(convening_id, request_id, Form(),
                           lambda c, r: services.accept_request(current_user, c, r),
                           _("You accepted the request."))


@bp.post("/convenings/<int:convening_id>/matchmaking/requests/<int:request_id>/decline")
@login_required
def decline(convening_id: int, request_id: int):
    """Decline a request, with an optional reason."""
    form = DeclineForm()
    return _request_action(convening_id, request_id, form,
                           lambda c, r: services.decline_request(current_user, c, r,
                                                                 form.reason.data or ""),
                           _("You declined the request."))


@bp.post("/convenings/<int:convening_id>/matchmaking/requests/<int:request_id>/cancel")
@login_required
def cancel(convening_id: int, request_id: int):
    """Call off a request or a meeting."""
    return _request_action(convening_id, request_id, Form(),
                           lambda c, r: services.cancel_request(current_user, c, r),
                           _("The request has been cancelled."))


@bp.post("/convenings/<int:convening_id>/matchmaking/requests/<int:request_id>/reschedule")
@login_required
def reschedule(convening_id: int, request_id: int):
    """Change the preferred slots of an open request."""
    form = RescheduleForm()
    return _request_action(convening_id, request_id, form,
                           lambda c, r: services.reschedule_request(current_user, c, r,
                                                                    form.slots.data or []),
                           _("The preferred slots have been changed."))


@bp.post("/convenings/<int:convening_id>/matchmaking/requests/<int:request_id>/feedback")
@login_required
def feedback(convening_id: int, request_id: int):
    """Say how a meeting went."""
    form = FeedbackForm()
    return _request_action(convening_id, request_id, form,
                           lambda c, r: services.leave_feedback(
                               current_user, c, r, took_place=bool(form.took_place.data),
                               useful=bool(form.useful.data), follow_up=bool(form.follow_up.data)),
                           _("Thank you for your feedback."))


# ---------------------------------------------------------------- organisers


def _staff_convening(convening_id: int) -> Convening:
    convening = convenings.get_convening(current_user, convening_id)
    convenings.require_organiser(current_user)
    return convening


@bp.route("/convenings/<int:convening_id>/matchmaking/organise", methods=["GET", "POST"])
@login_required
def organise(convening_id: int):
    """Slots and tables, the batch schedule, figures and the capacity warning."""
    convening = _staff_convening(convening_id)
    form = SlotForm()
    form.session_id.choices = [
        (block.id, f"{block.title} — {format_in_zone(block.starts_at, convening.timezone, 'short')}")
        for block in services.bilateral_blocks(convening)]
    if submit(form, lambda: services.add_slot(current_user, convening, services.SlotData(
            form.session_id.data, form.starts_at.data, form.ends_at.data, form.tables.data))):
        flash(_("The slot has been added."), "success")
        return redirect(url_for("matchmaking.organise", convening_id=convening_id))
    figures = services.figures(current_user, convening)
    status = 400 if form.errors else 200
    return render_template(
        "matchmaking/organise.html", convening=convening, form=form, figures=figures,
        slots=services.slots(convening), tables_form=TablesForm(), action_form=Form(),
        fixed_form=FixedTableForm(), schedule_form=ScheduleForm(), labels=services,
        slot_label=_slot_label), status


@bp.post("/convenings/<int:convening_id>/matchmaking/slots/<int:slot_id>/tables")
@login_required
def slot_tables(convening_id: int, slot_id: int):
    """Change a slot's number of tables."""
    convening = _staff_convening(convening_id)
    slot = services.get_slot(convening, slot_id)
    form = TablesForm()
    acted(form, lambda: services.set_slot_tables(current_user, slot, form.tables.data), done=_("The slot has been changed."))
    return redirect(url_for("matchmaking.organise", convening_id=convening_id))


@bp.post("/convenings/<int:convening_id>/matchmaking/slots/<int:slot_id>/delete")
@login_required
def delete_slot(convening_id: int, slot_id: int):
    """Remove an empty slot."""
    convening = _staff_convening(convening_id)
    slot = services.get_slot(convening, slot_id)
    acted(Form(), lambda: services.delete_slot(current_user, slot), done=_("The slot has been removed."))
    return redirect(url_for("matchmaking.organise", convening_id=convening_id))


@bp.post("/convenings/<int:convening_id>/matchmaking/fixed-table")
@login_required
def fixed_table(convening_id: int):
    """Keep one table for a host."""
    convening = _staff_convening(convening_id)
    form = FixedTableForm()

    def save() -> object:
        user = db.session.get(User, form.user_id.data or 0)
        if user is None:
            raise NotFound()
        return services.set_fixed_table(current_user, convening, user, form.table.data)

    acted(form, save, done=_("The fixed table has been saved."))
    return redirect(url_for("matchmaking.organise", convening_id=convening_id))


@bp.post("/convenings/<int:convening_id>/matchmaking/schedule")
@login_required
def schedule(convening_id: int):
    """Place every waiting accepted request; placed meetings stay unless moves are allowed."""
    convening = _staff_convening(convening_id)
    form = ScheduleForm()
    if form.validate_on_submit() and form.allow_moves.data:
        return redirect(url_for("matchmaking.replan_preview", convening_id=convening_id))
    acted(form, lambda: services.run_schedule(current_user, convening), done=_("The waiting meetings have been placed; no meeting people were told about moved."))
    return redirect(url_for("matchmaking.organise", convening_id=convening_id))


@bp.route("/convenings/<int:convening_id>/matchmaking/replan", methods=["GET", "POST"])
@login_required
def replan_preview(convening_id: int):
    """Preview a new plan with moves allowed; publish exactly what was shown."""
    convening = _staff_convening(convening_id)
    form = PublishPlanForm()
    if request.method == "POST" and acted(
            form, lambda: replan.publish_schedule(current_user, convening, form.token.data), done=_("The new plan has been published; everyone whose meeting moved has been told.")):
        return redirect(url_for("matchmaking.organise", convening_id=convening_id))
    preview = replan.preview_schedule(current_user, convening)
    form.token.data = preview.token
    return render_template("matchmaking/replan.html", convening=convening, preview=preview,
                           form=form, slot_label=_slot_label)


@bp.get("/convenings/<int:convening_id>/matchmaking/plan")
@login_required
def plan(convening_id: int):
    """A printable table plan, one section per slot."""
    convening = _staff_convening(convening_id)
    return render_template("matchmaking/plan.html", convening=convening,
                           plan=services.table_plan(current_user, convening),
                           slot_label=_slot_label)

