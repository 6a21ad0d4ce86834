"""The official registry: public list, State and Partner pages, exports, feed, organiser pages."""

from __future__ import annotations

import json
from datetime import date

from babel.dates import format_date as babel_format_date
from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.atom import Entry, atom_response
from app.core.db import unit_of_work
from app.core.errors import Forbidden
from app.core.links import external_url
from app.core.navigation import add_nav_entry
from app.core.permissions import Role, is_signed_in, is_staff, require_staff
from app.core.web import submit
from app.extensions import csrf, limiter
from app.i18n import current_language, remember_language, show_in_language, territory_name
from app.registry import charts, sections, services
from app.registry.forms import (
    ActionForm,
    AppointmentForm,
    ApproveForm,
    PartnerApplicationForm,
    ProgressReportForm,
    RejectForm,
    SignatureForm,
    SubscribeForm,
    WithdrawalForm,
)
from app.registry.models import DepositaryNotification, Grouping, PartnerStatus

bp = Blueprint("registry", __name__)
# Public forms that send e-mail: enough for people, too little for a script flooding inboxes.
PUBLIC_FORM_LIMIT = "10 per minute;50 per hour"


@bp.record_once
def _add_navigation(state: BlueprintSetupState) -> None:
    add_nav_entry(state.app, "registry.index", _l("Registry"))


@bp.app_context_processor
def _registry_labels() -> dict[str, object]:
    return {"registry_labels": {
        "categories": services.CATEGORY_LABELS, "levels": services.LEVEL_LABELS,
        "statuses": services.COMMITMENT_STATUS_LABELS, "commitments": services.COMMITMENTS,
        "groupings": services.GROUPING_LABELS, "kinds": services.NOTIFICATION_KINDS,
    }}


def _subregion_choices(nations: list) -> list[tuple[str, str]]:
    names = services.territory_names(current_language())
    codes = {n.subregion for n in nations}
    return sorted(((c, names.get(c, c)) for c in codes), key=lambda p: services.sort_key(p[1]))


@bp.get("/registry")
def index():
    """The public registry: counters, States, Partners, filters, search and sorting."""
    nations = services.all_nations()
    filters = services.parse_filters(request.args, nations)
    states = services.registry_states(filters) if filters.kind in ("", "states") and not filters.category else []
    partners = services.registry_partners(filters) if filters.kind in ("", "partners") else None
    return render_template(
        "registry/index.html", filters=filters, counts=services.registry_counts(), states=states,
        partners=partners, regions=[(r, territory_name(r)) for r in services.REGIONS],
        subregions=_subregion_choices(nations), groupings=list(Grouping),
        countries=services.nation_choices(nations),
        names=services.territory_names(current_language()),
        dates=_date_labels([e.signature.signed_on for e in states]
                           + [e.signature.withdrawn_on for e in states if e.signature.withdrawn_on]
                           + [p.endorsed_on for p in (partners.partners if partners else [])
                              if p.endorsed_on]))


def _date_labels(days: list[date]) -> dict[date, str]:
    """Each distinct day formatted once in the viewer's language (the list's hot loop)."""
    locale = get_locale()
    return {day: babel_format_date(day, "medium", locale=locale) for day in set(days)}


@bp.get("/registry.csv")
def export_csv():
    """The filtered registry as CSV (documented columns, formula-safe cells)."""
    body = services.export_csv(services.parse_filters(request.args))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=registry.csv"})


@bp.get("/registry.json")
def export_json():
    """The filtered registry as JSON, with the same columns as the CSV."""
    rows = list(services.export_rows(services.parse_filters(request.args)))
    body = json.dumps({"columns": list(services.EXPORT_COLUMNS), "entries": rows},
                      ensure_ascii=False)
    return Response(body, mimetype="application/json")


@bp.get("/registry/states/<iso2>")
def state(iso2: str):
    """A State's page: signature history, Tech Ambassador, commitments, notifications."""
    page = services.state_page(iso2)
    return render_template("registry/state.html", page=page,
                           groupings=page.nation.groupings_on(services.utcnow().date()),
                           sections=sections.state_sections(current_user, page.nation))


@bp.get("/registry/partners/<int:partner_id>")
def partner(partner_id: int):
    """A published Supporting Partner's page (no contact details)."""
    return render_template("registry/partner.html", partner=services.get_public_partner(partner_id))


@bp.route("/registry/apply", methods=["GET", "POST"])
@limiter.limit(PUBLIC_FORM_LIMIT, methods=["POST"])
def apply():
    """The public application form for Supporting Partners."""
    form = PartnerApplicationForm()
    form.category.choices = [("", _("Choose…"))] + [
        (c.value, str(label)) for c, label in services.CATEGORY_LABELS.items()]
    form.country.choices = [("", _("Choose…")), *services.nation_choices()]
    result = submit(form, lambda: services.apply_as_partner(
        name=form.name.data or "", category=form.category.data, country=form.country.data,
        website=form.website.data or "", contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "", statement=form.statement.data or "",
        locale=current_language()))
    if result is not None:
        return render_template("registry/applied.html", email=result[0].contact_email)
    status = 400 if request.method == "POST" else 200
    return render_template("registry/apply.html", form=form), status


@bp.get("/registry/partners/confirm/<token>")
def confirm_partner(token: str):
    """The contact confirms their address; the application goes to the organisers."""
    with unit_of_work():
        partner = services.confirm_partner_email(token)
    # The applicant goes on in the language they applied in.
    show_in_language(partner.locale)
    flash(_("Thank you: your address is confirmed. The TDI secretariat will review the "
            "application and write to you."), "success")
    return remember_language(redirect(url_for("registry.index")), current_language())


@bp.get("/registry/notifications")
def notifications():
    """Every depositary notification, newest first, and the subscription form."""
    return _notifications_page(SubscribeForm())


def _notifications_page(form: SubscribeForm) -> ResponseReturnValue:
    pages = services.notification_pages()
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    return render_template("registry/notifications.html",
                           notifications=services.list_notifications(page=page),
                           page=page, pages=pages, form=form)


@bp.get("/registry/notifications.atom")
def notifications_atom():
    """The depositary notifications as an Atom 1.0 feed."""
    items = services.list_notifications(limit=100)
    page = external_url("registry.notifications")
    return atom_response(
        feed_id=page, title=_("Depositary notifications"), author=_("Tech Diplomacy Institute"),
        updated=items[0].created_at if items else services.utcnow(),
        self_link=external_url("registry.notifications_atom"), alternate=page,
        entries=[Entry(id=f"{page}/{item.year}/{item.sequence}", title=item.number, updated=item.created_at,
                       link=external_url("registry.notifications", _anchor=f"n{item.id}"),
                       summary=services.notification_text(item)) for item in items])


@bp.post("/registry/subscribe")
@limiter.limit(PUBLIC_FORM_LIMIT)
def subscribe():
    """Ask for the notifications by e-mail (confirmed by a link)."""
    form = SubscribeForm()
    if submit(form, lambda: services.subscribe(form.email.data or "", current_language())):
        flash(_("Almost done: follow the link we sent to %(email)s to confirm.",
                email=form.email.data), "success")
        return redirect(url_for("registry.notifications"))
    return _notifications_page(form), 400


@bp.get("/registry/subscriptions/<token>/confirm")
def confirm_subscription(token: str):
    """The subscriber confirms their address."""
    with unit_of_work():
        services.confirm_subscription(token)
    flash(_("You will now receive every new depositary notification."), "success")
    return redirect(url_for("registry.notifications"))


@bp.route("/registry/subscriptions/<token>/unsubscribe", methods=["GET", "POST"])
@csrf.exempt  # mail clients' one-click POST carries no form token; the secret URL is the proof
def unsubscribe(token: str):
    """GET asks to confirm (link scanners follow links); POST stops the notifications, also as an
    RFC 8058 one-click POST from the mail client."""
    if request.method == "GET":
        services.subscription_for(token)
        return render_template("registry/unsubscribe_confirm.html", token=token)
    with unit_of_work():
        email = services.unsubscribe(token)
    return render_template("registry/unsubscribed.html", email=email)


@bp.get("/registry/progress")
def progress():
    """The commitments tracker: aggregates and charts with their data tables, and the map."""
    overview = services.progress_overview()
    return render_template("registry/progress.html", overview=overview, charts=charts,
                           statuses=list(services.CommitmentStatus), sections=sections.tracker_sections(),
                           world=charts.world_map({n.m49 for n in overview.signatories},
                                                 _("World map of the signatory States")))


@bp.route("/registry/progress/report", methods=["GET", "POST"])
@login_required
def report_progress():
    """A Tech Ambassador reports on one commitment of their own State."""
    nation = current_user.nation
    if Role(current_user.role) != Role.AMBASSADOR or nation is None:
        raise Forbidden(_l("Only the Tech Ambassador of a State can report its progress."),
                                 code="not_own_state")
    form = ProgressReportForm()
    form.commitment.choices = [(k, f"{k} {v}") for k, v in services.COMMITMENTS.items()]
    form.status.choices = [(s.value, str(label)) for s, label in services.COMMITMENT_STATUS_LABELS.items()]
    if submit(form, lambda: services.report_progress(
            current_user, nation, commitment=form.commitment.data, status=form.status.data,
            narrative=form.narrative.data or "", evidence=form.evidence.data or "")):
        flash(_("Your report has been saved."), "success")
        return redirect(url_for("registry.state", iso2=nation.iso2))
    return render_template("registry/report.html", form=form, nation=nation,
                           reports=services.latest_reports(nation)), (400 if request.method == "POST" else 200)


# --- Organiser pages ----------------------------------------------------------------------------

@bp.get("/registry/manage")
@login_required
def manage():
    """The depositary's desk: applications, unreviewed reports, quick links."""
    return render_template("registry/manage.html", queue=services.partner_queue(current_user),
                           reports=services.unreviewed_reports(current_user),
                           action=ActionForm(), PartnerStatus=PartnerStatus)


@bp.route("/registry/manage/signatures/new", methods=["GET", "POST"])
@login_required
def new_signature():
    """Record a State's signature."""
    require_staff(current_user)
    form = SignatureForm()
    form.nation.choices = [("", _("Choose…")), *services.nation_choices()]
    signature = submit(form, lambda: services.record_signature(
        current_user, form.nation.data, signed_on=form.signed_on.data,
        authority_name=form.authority_name.data or "", authority_title=form.authority_title.data or "",
        note_reference=form.note_reference.data or "", note=form.note.data or ""))
    if signature is not None:
        flash(_("The signature of %(state)s is recorded.", state=territory_name(signature.nation.iso2)),
              "success")
        return redirect(url_for("registry.state", iso2=signature.nation.iso2))
    return render_template("registry/signature_form.html", form=form, signature=None,
                           withdrawal=None), (400 if request.method == "POST" else 200)


@bp.route("/registry/manage/signatures/<int:signature_id>", methods=["GET", "POST"])
@login_required
def edit_signature(signature_id: int):
    """Correct a signature entry, or record its withdrawal."""
    require_staff(current_user)
    signature = services.get_signature(signature_id)
    form = SignatureForm(prefix="correct")
    form.nation.choices = [(signature.nation.iso2, territory_name(signature.nation.iso2))]
    withdrawal = WithdrawalForm(prefix="withdraw")
    if request.method == "GET":
        for key in ("signed_on", "authority_name", "authority_title", "note_reference", "note"):
            getattr(form, key).data = getattr(signature, key)
    done = None
    if "correct-signed_on" in request.form:
        done = submit(form, lambda: services.correct_signature(
            current_user, signature, signed_on=form.signed_on.data,
            authority_name=form.authority_name.data or "", authority_title=form.authority_title.data or "",
            note_reference=form.note_reference.data or "", note=form.note.data or ""))
    elif "withdraw-withdrawn_on" in request.form:
        done = submit(withdrawal, lambda: services.withdraw_signature(
            current_user, signature, withdrawal.withdrawn_on.data))
    if done is not None:
        flash(_("The registry entry has been updated."), "success")
        return redirect(url_for("registry.state", iso2=signature.nation.iso2))
    return render_template("registry/signature_form.html", form=form, signature=signature,
                           withdrawal=withdrawal), (400 if request.method == "POST" else 200)


@bp.get("/registry/manage/partners/<int:partner_id>")
@login_required
def review_partner(partner_id: int):
    """An application with its contact details, for organisers."""
    require_staff(current_user)
    return render_template("registry/partner_review.html",
                           partner=services.get_partner(partner_id), approve=ApproveForm(),
                           reject=RejectForm(), PartnerStatus=PartnerStatus)


@bp.post("/registry/manage/partners/<int:partner_id>/approve")
@login_required
def approve_partner(partner_id: int):
    """Approve and publish an application."""
    require_staff(current_user)
    partner = services.get_partner(partner_id)
    form = ApproveForm()
    if submit(form, lambda: services.approve_partner(current_user, partner, form.endorsed_on.data)):
        flash(_("%(name)s is published as a Supporting Partner.", name=partner.name), "success")
        return redirect(url_for("registry.manage"))
    return render_template("registry/partner_review.html", partner=partner, approve=form,
                           reject=RejectForm(), PartnerStatus=PartnerStatus), 400


@bp.post("/registry/manage/partners/<int:partner_id>/reject")
@login_required
def reject_partner(partner_id: int):
    """Reject an application with a reason."""
    require_staff(current_user)
    partner = services.get_partner(partner_id)
    form = RejectForm()
    if submit(form, lambda: services.reject_partner(current_user, partner, form.reason.data or "")):
        flash(_("The application of %(name)s has been rejected.", name=partner.name), "success")
        return redirect(url_for("registry.manage"))
    return render_template("registry/partner_review.html", partner=partner, approve=ApproveForm(),
                           reject=form, PartnerStatus=PartnerStatus), 400


@bp.route("/registry/manage/appointments/new", methods=["GET", "POST"])
@login_required
def new_appointment():
    """Record a verified Tech Ambassador appointment."""
    require_staff(current_user)
    form = AppointmentForm()
    form.nation.choices = [("", _("Choose…")), *services.nation_choices()]
    form.level.choices = [(lvl.value, str(label)) for lvl, label in services.LEVEL_LABELS.items()]
    appointment = submit(form, lambda: services.appoint_ambassador(
        current_user, form.nation.data, name=form.name.data or "", title=form.title.data or "",
        level=form.level.data, appointed_on=form.appointed_on.data,
        user_email=form.user_email.data or ""))
    if appointment is not None:
        flash(_("The appointment is recorded."), "success")
        return redirect(url_for("registry.state", iso2=appointment.nation.iso2))
    return render_template("registry/appointment_form.html", form=form), (
        400 if request.method == "POST" else 200)


@bp.post("/registry/manage/reports/<int:report_id>/review")
@login_required
def review_report(report_id: int):
    """Mark a progress report as reviewed."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("registry.manage"))
    with unit_of_work():
        services.review_report(current_user, services.get_report(report_id))
    flash(_("The report is marked as reviewed."), "success")
    return redirect(url_for("registry.manage"))


@bp.get("/registry/manage/audit")
@login_required
def audit():
    """Who changed what in the registry, and when."""
    return render_template("registry/audit.html", events=services.registry_audit(current_user))


@bp.app_template_global("registry_can_manage")
def _can_manage() -> bool:
    return is_staff(current_user)


@bp.app_template_global("registry_can_report")
def _can_report() -> bool:
    return is_signed_in(current_user) and current_user.role == Role.AMBASSADOR.value


@bp.app_template_global("notification_text")
def _notification_text(notification: DepositaryNotification) -> str:
    return services.notification_text(notification)

