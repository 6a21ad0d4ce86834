"""Convening pages: lists, detail with the agenda, registration, organiser pages and calendars."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from app.accounts.models import User
from app.convenings import (
    calendar,
    fairtime,
    labels,
    lists,
    participation,
    services,
    timetable,
)
from app.convenings.forms import (
    LANGUAGE_CODES,
    CancelConveningForm,
    CloneForm,
    ConveningForm,
    FairTimesForm,
    RegisterForm,
    SessionForm,
)
from app.convenings.models import AgendaSession, Convening
from app.core.db import unit_of_work
from app.core.errors import Conflict, DomainError, Invalid
from app.core.forms import Form
from app.core.links import external_url
from app.core.navigation import add_nav_entry
from app.core.permissions import ROLE_LABELS, Role, is_staff
from app.core.web import attach_error, flash_errors, submit
from app.extensions import db
from app.i18n import (
    LANGUAGE_NAMES,
    current_language,
    format_in_zone,
    language_choices,
    select_timezone,
    timezone_names,
)
from app.registry.models import Grouping, Nation
from app.registry.services import nation_choices

bp = Blueprint("convenings", __name__)
T = TypeVar("T")


@bp.record_once
def _add_navigation(state) -> None:  # type: ignore[no-untyped-def]
    add_nav_entry(state.app, "convenings.index", _l("Convenings"))


@bp.app_template_global("format_in_zone")
def _format_in_zone(moment: datetime, zone: str, fmt: str = "medium") -> str:
    return format_in_zone(moment, zone, fmt)


def _with_fields(call: Callable[[], T], aliases: dict[str, str]) -> T:
    """Point a service's refusal at the form field that holds the value."""
    try:
        return call()
    except DomainError as error:
        error.field = aliases.get(error.field or "", error.field)
        raise


def _region_choices() -> list[tuple[str, str]]:
    from app.i18n import territory_name

    return [(code, territory_name(code)) for code in services.REGIONS]


def _language_choices() -> list[tuple[str, str]]:
    return language_choices()


def _viewer_zone() -> str:
    return select_timezone()


# ---------------------------------------------------------------- finding convenings


@bp.get("/convenings")
def index():
    """Upcoming (or past) convenings, with filters; works without JavaScript."""
    past = request.args.get("when") == "past"
    filters = services.ConveningFilters(**{
        name: request.args.get(name, "")[:40]
        for name in ("kind", "region", "theme", "format", "language")})
    convenings = services.list_convenings(current_user, past=past, filters=filters)
    return render_template("convenings/index.html", convenings=convenings, past=past,
                           filters=filters, labels=labels, regions=_region_choices(),
                           language_choices=_language_choices(), language=current_language())


@bp.get("/convenings/<int:convening_id>")
def detail(convening_id: int):
    """A convening with its agenda by day and track, in the event's time or the viewer's."""
    convening = services.get_convening(current_user, convening_id)
    shown_zone = _viewer_zone() if request.args.get("tz") == "viewer" else convening.timezone
    sessions = services.agenda(convening)
    registration = services.registration_for(current_user, convening)
    staff = is_staff(current_user)
    return render_template(
        "convenings/detail.html", convening=convening, days=timetable.build(sessions, shown_zone),
        shown_zone=shown_zone, viewer_zone=_viewer_zone(),
        showing_viewer=request.args.get("tz") == "viewer", registration=registration,
        waiting_position=participation.waiting_position(registration) if registration else None,
        counts=services.registration_counts(convening), ended=services.has_ended(convening),
        registration_open=services.registration_open(convening),
        may_register=services.may_register(current_user, convening),
        show_link=staff or (registration is not None and registration.status == "confirmed"),
        warnings=services.agenda_warnings(convening) if staff else [],
        register_form=RegisterForm(), form=Form(), labels=labels, staff=staff,
        language=current_language())


@bp.get("/convenings/<int:convening_id>.ics")
def convening_ics(convening_id: int):
    """Every session of a convening as a calendar file."""
    convening = services.get_convening(current_user, convening_id)
    items = calendar.convening_items(convening, calendar.published_sessions(convening),
                                     base_url=current_app.config["BASE_URL"])
    return _ics(calendar.build_calendar(convening.title_in(current_language()), items),
                f"convening-{convening.id}.ics")


@bp.get("/convenings/<int:convening_id>/sessions/<int:session_id>.ics")
def session_ics(convening_id: int, session_id: int):
    """One session as a calendar file."""
    convening = services.get_convening(current_user, convening_id)
    session = services.get_session(current_user, convening, session_id)
    item = calendar.session_item(convening, session, base_url=current_app.config["BASE_URL"])
    return _ics(calendar.build_calendar(session.title, [item]), f"session-{session.id}.ics")


def _ics(body: bytes, filename: str) -> Response:
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# ---------------------------------------------------------------- registration


@bp.post("/convenings/<int:convening_id>/register")
@login_required
def register(convening_id: int):
    """Register (a seat, the waiting list or a request for approval)."""
    form = RegisterForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            convening = services.get_convening(current_user, convening_id)
            registration = services.register(current_user, convening,
                                              consent_listed=bool(form.consent_listed.data))
    except DomainError as error:
        if error.status == 404:
            raise
        flash(str(error), "error")
        return detail(convening_id), error.status
    messages = {
        "confirmed": _("You are registered. A confirmation with the calendar file is on its way."),
        "waitlisted": _("The convening is full: you are on the waiting list and will be told if a seat frees up."),
        "pending": _("Your request has been sent to the organisers."),
    }
    flash(messages[registration.status], "success")
    return redirect(url_for("convenings.detail", convening_id=convening_id))


@bp.post("/convenings/<int:convening_id>/registrations/<int:registration_id>/cancel")
@login_required
def cancel_registration(convening_id: int, registration_id: int):
    """Give up a registration."""
    if not Form().validate_on_submit():
        abort(400)
    with unit_of_work():
        convening = services.get_convening(current_user, convening_id)
        services.cancel_registration(current_user, services.get_registration(convening, registration_id))
    flash(_("Your registration has been cancelled."), "success")
    return redirect(url_for("convenings.detail", convening_id=convening_id))


@bp.get("/convenings/<int:convening_id>/participants")
@login_required
def participants(convening_id: int):
    """Participants who agreed to be listed, for fellow participants."""
    convening = services.get_convening(current_user, convening_id)
    query = lists.parse_query({key: request.args.get(key, "") for key in ("search", "page")})
    return render_template("convenings/participants.html", convening=convening,
                           listing=lists.participant_page(current_user, convening, query),
                           language=current_language())


# ---------------------------------------------------------------- organisers


def _fill_convening_form(form: ConveningForm) -> None:
    form.kind.choices = labels.choices(labels.KIND_LABELS)
    form.default_language.choices = _language_choices()
    form.themes.choices = labels.choices(labels.THEME_LABELS)
    form.region.choices = [("", _("No region")), *_region_choices()]
    form.format.choices = labels.choices(labels.FORMAT_LABELS)
    form.venue_country.choices = [("", _("No country")), *nation_choices()]
    form.timezone.choices = [(zone, zone.replace("_", " ")) for zone in timezone_names()]
    form.visibility.choices = labels.choices(labels.VISIBILITY_LABELS)


def _convening_data(form: ConveningForm) -> services.ConveningData:
    return services.ConveningData(
        kind=form.kind.data, edition=form.edition.data, default_language=form.default_language.data,
        titles={code: getattr(form, f"title_{code}").data or "" for code in LANGUAGE_CODES},
        descriptions={code: getattr(form, f"description_{code}").data or ""
                      for code in LANGUAGE_CODES},
        themes=list(form.themes.data or []), region=form.region.data or None,
        format=form.format.data, venue_name=form.venue_name.data or "",
        venue_city=form.venue_city.data or "", venue_country=form.venue_country.data or None,
        online_link=form.online_link.data or None, timezone=form.timezone.data,
        starts_local=form.starts_at.data, ends_local=form.ends_at.data,
        registration_opens_local=form.registration_opens_at.data,
        registration_closes_local=form.registration_closes_at.data,
        capacity=form.capacity.data, seats_per_delegation=form.seats_per_delegation.data,
        visibility=form.visibility.data)


def _aliases(form: ConveningForm) -> dict[str, str]:
    return {"title": f"title_{form.default_language.data or 'en'}"}


def _load_convening_form(form: ConveningForm, convening: Convening) -> None:
    zone = convening.timezone
    for name in ("kind", "edition", "default_language", "themes", "region", "format", "venue_name",
                 "venue_city", "venue_country", "online_link", "timezone", "capacity",
                 "seats_per_delegation", "visibility"):
        getattr(form, name).data = getattr(convening, name)
    for code in LANGUAGE_CODES:
        getattr(form, f"title_{code}").data = convening.titles.get(code, "")
        getattr(form, f"description_{code}").data = convening.descriptions.get(code, "")
    form.starts_at.data = services.to_local(convening.starts_at, zone)
    form.ends_at.data = services.to_local(convening.ends_at, zone)
    for name in ("registration_opens_at", "registration_closes_at"):
        value = getattr(convening, name)
        getattr(form, name).data = services.to_local(value, zone) if value else None


@bp.route("/convenings/new", methods=["GET", "POST"])
@login_required
def create():
    """An organiser creates a draft convening."""
    services.require_organiser(current_user)
    form = ConveningForm()
    _fill_convening_form(form)
    if request.method == "GET":
        form.default_language.data = current_language()
        form.timezone.data = current_user.timezone
    convening = submit(form, lambda: _with_fields(
        lambda: services.create_convening(current_user, _convening_data(form)), _aliases(form)))
    if convening is not None:
        flash(_("The convening has been saved as a draft. Add its agenda, then publish it."), "success")
        return redirect(url_for("convenings.manage", convening_id=convening.id))
    return render_template("convenings/form.html", form=form, convening=None,
                           languages=LANGUAGE_CODES, language_names=LANGUAGE_NAMES)


@bp.route("/convenings/<int:convening_id>/edit", methods=["GET", "POST"])
@login_required
def edit(convening_id: int):
    """An organiser changes a convening."""
    services.require_organiser(current_user)
    convening = services.get_convening(current_user, convening_id)
    form = ConveningForm()
    _fill_convening_form(form)
    if request.method == "GET":
        _load_convening_form(form, convening)
    changes = submit(form, lambda: _with_fields(
        lambda: services.update_convening(current_user, convening, _convening_data(form)) or {"": None},
        _aliases(form)))
    if changes is not None:
        flash(_("The convening has been saved."), "success")
        return redirect(url_for("convenings.manage", convening_id=convening.id))
    return render_template("convenings/form.html", form=form, convening=convening,
                           languages=LANGUAGE_CODES, language_names=LANGUAGE_NAMES)


@bp.get("/convenings/<int:convening_id>/manage")
@login_required
def manage(convening_id: int):
    """The organisers' page: status, agenda warnings, registrations."""
    services.require_organiser(current_user)
    convening = services.get_convening(current_user, convening_id)
    query = lists.parse_query(request.args)
    return render_template(
        "convenings/manage.html", convening=convening, sessions=services.agenda(convening),
        warnings=services.agenda_warnings(convening),
        listing=lists.registration_page(current_user, convening, query),
        counts=services.registration_counts(convening), filters=_list_filters(), labels=labels,
        form=Form(), cancel_form=CancelConveningForm(), clone_form=CloneForm(),
        language=current_language())


def _list_filters() -> dict[str, list[tuple[str, str]]]:
    """The choices of each filter of the registrations list, labelled in the reader's language."""
    return {
        "status": [(key, str(text)) for key, text in labels.REGISTRATION_LABELS.items()],
        "state": nation_choices(list(db.session.scalars(
            select(Nation).options(lazyload(Nation.groupings))))),
        "region": _region_choices(),
        "grouping": [(g.value, g.value) for g in Grouping],
        "role": [(role.value, str(text)) for role, text in ROLE_LABELS.items()],
        "language": _language_choices(),
        "sort": [("status", _("Status")), ("name", _("Name, A to Z")), ("-name", _("Name, Z to A")),
                 ("state", _("Delegation")), ("registered", _("Registered first")),
                 ("-registered", _("Registered last"))],
    }


@bp.post("/convenings/<int:convening_id>/registrations/bulk")
@login_required
def bulk_registrations(convening_id: int):
    """Apply one action to the registrations ticked on the manage page."""
    if not Form().validate_on_submit():
        abort(400)
    try:
        back = lists.parse_query(request.form).as_args()
    except DomainError:
        back = {}
    try:
        with unit_of_work():
            convening = services.get_convening(current_user, convening_id)
            count = lists.bulk_update(current_user, convening, request.form.get("action", ""),
                                      request.form.getlist("ids"))
    except (Invalid, Conflict) as error:
        flash(str(error), "error")
    else:
        flash(ngettext("%(num)d registration updated.", "%(num)d registrations updated.", count),
              "success")
    return redirect(url_for("convenings.manage", convening_id=convening_id, **back)
                    + "#registrations-heading")


@bp.post("/convenings/<int:convening_id>/publish")
@login_required
def publish(convening_id: int):
    """Publish a draft."""
    if not Form().validate_on_submit():
        abort(400)
    with unit_of_work():
        services.publish_convening(current_user, services.get_convening(current_user, convening_id))
    flash(_("The convening is published."), "success")
    return redirect(url_for("convenings.manage", convening_id=convening_id))


@bp.post("/convenings/<int:convening_id>/cancel")
@login_required
def cancel(convening_id: int):
    """Cancel a convening with a reason."""
    form = CancelConveningForm()
    convening = services.get_convening(current_user, convening_id)
    if submit(form, lambda: services.cancel_convening(current_user, convening, form.reason.data)):
        flash(_("The convening is cancelled; everyone registered has been told."), "success")
    elif form.errors:
        flash_errors(form)
    return redirect(url_for("convenings.manage", convening_id=convening_id))


@bp.post("/convenings/<int:convening_id>/clone")
@login_required
def clone(convening_id: int):
    """Copy a convening and its agenda to new dates."""
    form = CloneForm()
    convening = services.get_convening(current_user, convening_id)
    copy = submit(form, lambda: services.clone_convening(current_user, convening, form.new_start.data))
    if copy is None:
        if form.new_start.data is None:
            flash(_("Choose the first day of the new convening."), "error")
        else:
            flash_errors(form)
        return redirect(url_for("convenings.manage", convening_id=convening_id))
    flash(_("The copy has been saved as a draft."), "success")
    return redirect(url_for("convenings.manage", convening_id=copy.id))


def _fill_session_form(form: SessionForm) -> None:
    form.kind.choices = labels.choices(labels.SESSION_KIND_LABELS)
    form.language.choices = _language_choices()
    form.interpretation.choices = _language_choices()
    speakers = db.session.execute(
        select(User.id, User.display_name).where(
            User.active.is_(True),
            User.role.in_([Role.AMBASSADOR.value, Role.PARTNER.value, Role.ORGANISER.value,
                           Role.ADMIN.value])).order_by(User.display_name)).all()
    form.speakers.choices = [(str(uid), name) for uid, name in speakers]


def _session_data(form: SessionForm) -> services.SessionData:
    return services.SessionData(
        title=form.title.data or "", description=form.description.data or "", kind=form.kind.data,
        starts_local=form.starts_at.data, ends_local=form.ends_at.data,
        location=form.location.data or "", track=form.track.data or "",
        language=form.language.data, interpretation=list(form.interpretation.data or []),
        speaker_ids=[int(v) for v in form.speakers.data or [] if v.isdigit()],
        guest_speakers=(form.guest_speakers.data or "").splitlines())


@bp.route("/convenings/<int:convening_id>/sessions/new", methods=["GET", "POST"])
@bp.route("/convenings/<int:convening_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def session_form(convening_id: int, session_id: int | None = None):
    """An organiser adds or changes an agenda session."""
    services.require_organiser(current_user)
    convening = services.get_convening(current_user, convening_id)
    item: AgendaSession | None = (services.get_session(current_user, convening, session_id)
                                  if session_id else None)
    form = SessionForm()
    _fill_session_form(form)
    if request.method == "GET":
        if item is not None:
            for name in ("title", "description", "kind", "location", "track", "language",
                         "interpretation"):
                getattr(form, name).data = getattr(item, name)
            form.starts_at.data = services.to_local(item.starts_at, convening.timezone)
            form.ends_at.data = services.to_local(item.ends_at, convening.timezone)
            form.speakers.data = [str(s.user_id) for s in item.speakers]
            form.guest_speakers.data = "\n".join(item.guest_speakers)
        else:
            form.language.data = convening.default_language
            form.starts_at.data = services.to_local(convening.starts_at, convening.timezone)
            form.ends_at.data = services.to_local(convening.starts_at, convening.timezone)

    def save() -> object:
        if item is None:
            return services.add_session(current_user, convening, _session_data(form))
        return services.update_session(current_user, item, _session_data(form)) or {"": None}

    if submit(form, save) is not None:
        flash(_("The session has been saved."), "success")
        for warning in services.agenda_warnings(convening):
            flash(warning.message, "error")
        return redirect(url_for("convenings.manage", convening_id=convening.id))
    return render_template("convenings/session_form.html", form=form, convening=convening, item=item)


@bp.post("/convenings/<int:convening_id>/sessions/<int:session_id>/cancel")
@login_required
def cancel_session(convening_id: int, session_id: int):
    """Cancel one session."""
    if not Form().validate_on_submit():
        abort(400)
    with unit_of_work():
        convening = services.get_convening(current_user, convening_id)
        services.cancel_session(current_user, services.get_session(current_user, convening, session_id))
    flash(_("The session is cancelled; everyone registered has been told."), "success")
    return redirect(url_for("convenings.manage", convening_id=convening_id))


@bp.post("/convenings/<int:convening_id>/registrations/<int:registration_id>/<any(approve, decline):decision>")
@login_required
def decide(convening_id: int, registration_id: int, decision: str):
    """Approve or decline a request to attend."""
    if not Form().validate_on_submit():
        abort(400)
    with unit_of_work():
        convening = services.get_convening(current_user, convening_id)
        services.decide_registration(current_user, services.get_registration(convening, registration_id),
                                     decision == "approve")
    return redirect(url_for("convenings.manage", convening_id=convening_id))


@bp.post("/convenings/<int:convening_id>/registrations/<int:registration_id>/attendance")
@login_required
def attendance(convening_id: int, registration_id: int):
    """Record whether a participant came."""
    if not Form().validate_on_submit():
        abort(400)
    with unit_of_work():
        convening = services.get_convening(current_user, convening_id)
        services.mark_attendance(current_user, services.get_registration(convening, registration_id),
                                 request.form.get("attended") == "1")
    return redirect(url_for("convenings.manage", convening_id=convening_id))


@bp.get("/convenings/<int:convening_id>/participants.csv")
@login_required
def participants_csv(convening_id: int):
    """The registrations matching the manage page's filters as CSV, for organisers."""
    convening = services.get_convening(current_user, convening_id)
    body = lists.registrations_csv(current_user, convening, lists.parse_query(request.args))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="convening-{convening.id}-participants.csv"'})


# ---------------------------------------------------------------- personal calendar


@bp.get("/calendar")
@login_required
def my_calendar():
    """The member's convenings and their personal calendar subscription."""
    with unit_of_work():
        token = services.calendar_token(current_user)
    https_url = external_url("convenings.feed", token=token)
    webcal = "webcal://" + https_url.split("://", 1)[1]
    return render_template("convenings/calendar.html", https_url=https_url, webcal=webcal,
                           entries=services.convenings_for_user(current_user), labels=labels,
                           form=Form(), language=current_language())


@bp.post("/calendar/regenerate")
@login_required
def regenerate_token():
    """Issue a new feed address; the old one stops working."""
    if not Form().validate_on_submit():
        abort(400)
    with unit_of_work():
        services.regenerate_calendar_token(current_user)
    flash(_("Your calendar has a new address. Subscribe again with it; the old one no longer works."),
          "success")
    return redirect(url_for("convenings.my_calendar"))


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    """A member's personal feed, found by its secret token alone."""
    user = services.user_for_calendar_token(token)
    items = calendar.personal_items(user, base_url=current_app.config["BASE_URL"])
    response = _ics(calendar.build_calendar(_("Caravanserai: %(name)s", name=user.display_name),
                                            items), "caravanserai.ics")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


# ---------------------------------------------------------------- fair times


@bp.get("/convenings/fair-times")
@login_required
def fair_times():
    """Propose the three start times that burden the invited delegations least."""
    services.require_organiser(current_user)
    form = FairTimesForm(request.args)
    form.nations.choices = nation_choices()
    form.regions.choices = _region_choices()
    proposals: list[fairtime.Proposal] = []
    asked = bool(request.args.getlist("nations") or request.args.getlist("regions"))
    if asked and form.validate():
        duration = form.duration.data or 0
        if not 15 <= duration <= 720:
            form.duration.errors = [_("Enter a length between 15 and 720 minutes.")]
        elif not 0 <= (form.last_day.data - form.first_day.data).days <= 31:
            form.last_day.errors = [_("Choose a range of at most a month, ending after it starts.")]
        else:
            try:
                groups = services.fair_time_groups(current_user, form.nations.data or [],
                                                   form.regions.data or [])
            except DomainError as error:
                attach_error(form, error)
            else:
                proposals = fairtime.propose(groups, form.first_day.data, form.last_day.data,
                                             timedelta(minutes=duration))
    return render_template("convenings/fair_times.html", form=form, proposals=proposals,
                           asked=asked, viewer_zone=_viewer_zone())
