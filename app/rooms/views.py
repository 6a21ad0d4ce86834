"""Room pages that work without JavaScript, and the JSON replay endpoint."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.accounts.models import User
from app.core.db import unit_of_work
from app.core.errors import DomainError, Forbidden
from app.core.inputs import bounded_id, find
from app.core.navigation import add_nav_entry
from app.core.permissions import is_staff
from app.core.web import attach_error, flash_errors, submit
from app.rooms import events, services
from app.rooms.forms import (
    ActionForm,
    DirectForm,
    EditForm,
    InviteForm,
    MessageForm,
    MuteForm,
    ReportForm,
    ResolveForm,
    RoomForm,
)
from app.rooms.models import RoomKind
from app.rooms.writes import write

bp = Blueprint("rooms", __name__, url_prefix="/rooms")
bp.record_once(lambda state: add_nav_entry(state.app, "rooms.index", _l("Rooms"),
                                           lambda: bool(current_user.is_authenticated)))
bp.record_once(lambda state: events.register())


def _room(room_id: int):  # type: ignore[no-untyped-def]
    return services.get_room(current_user, room_id)


@bp.get("/")
@login_required
def index():
    """The member's rooms with unread counts, open rooms to join, and forms to start new ones."""
    room_form, direct_form = RoomForm(), DirectForm()
    if not is_staff(current_user):
        room_form.kind.choices = room_form.kind.choices[:1]
    return render_template("rooms/index.html", rooms=services.list_rooms(current_user),
                           open_rooms=services.open_rooms_to_join(current_user),
                           room_form=room_form, direct_form=direct_form, action_form=ActionForm())


@bp.post("/new")
@login_required
def create():
    """Start a working group, or (organisers) an open room."""
    form = RoomForm()
    create_room = services.create_open_room if form.kind.data == RoomKind.OPEN.value \
        else services.create_working_group
    room = submit(form, lambda: create_room(current_user, form.name.data, form.topic.data or ""))
    if room is None:
        flash_errors(form)
        return redirect(url_for("rooms.index"))
    return redirect(url_for("rooms.show", room_id=room.id))


@bp.post("/direct")
@login_required
def direct():
    """Open (or reopen) a direct conversation with one to nine members."""
    form = DirectForm()
    room = submit(form, lambda: services.open_direct(current_user,
                                                     services.find_members(form.emails.data)))
    if room is None:
        flash_errors(form)
        return redirect(url_for("rooms.index"))
    return redirect(url_for("rooms.show", room_id=room.id))


@bp.get("/<int:room_id>")
@login_required
def show(room_id: int):
    """The room: recent history, the message form, members and moderation tools."""
    return _show(_room(room_id))


def _show(room, form: MessageForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    """Render the room; a refused message comes back in `form`, its text kept (with `status`)."""
    member = services.membership(current_user, room)
    if member is None:
        return render_template("rooms/join.html", room=room, form=ActionForm())
    before = request.args.get("before", type=int) if form is None else None
    if before is None and form is None:
        # Showing the newest messages is reading them (committed first: a commit expires objects).
        write(lambda: services.mark_read(current_user, room, room.last_seq))
    messages = services.history(current_user, room, before_seq=before)
    reply_to = request.args.get("reply_to", type=int)
    if form is not None:
        reply_to = int(form.reply_to.data) if (form.reply_to.data or "").isdigit() else None
    replying = _replying_to(room, messages, reply_to)
    members = services.members_of(current_user, room)
    mute_form = MuteForm()
    mute_form.user_id.choices = [SelectChoice(m.user_id, m.user.display_name) for m in members
                                 if m.user_id != current_user.id]
    return render_template(
        "rooms/room.html", room=room, title=services.room_title(room, current_user),
        messages=messages, members=members, member=member,
        older=messages[0].seq if messages and messages[0].seq > 1 else None,
        form=form or MessageForm(client_id=uuid.uuid4().hex,
                                 reply_to=replying.id if replying else None),
        replying=replying, action_form=ActionForm(),
        invite_form=InviteForm(), mute_form=mute_form,
        moderator=services.may_moderate(current_user, room, member),
        replies={m.id: m for m in messages}), status


def _replying_to(room, messages, message_id: int | None):  # type: ignore[no-untyped-def]
    """The live message the member chose to answer (from ?reply_to=), if it is one of this room."""
    if message_id is None:
        return None
    shown = next((m for m in messages if m.id == message_id), None)
    try:
        message = shown or services.get_message(current_user, room, message_id)
    except DomainError:
        return None
    return None if message.deleted_at else message


@bp.get("/<int:room_id>/messages")
@login_required
def messages_json(room_id: int):
    """Every event after ?after_seq=, oldest first, as JSON: the same as the Socket.IO join ack."""
    try:
        room = _room(room_id)
        return jsonify(services.events_after(current_user, room, request.args.get("after_seq", "0")))
    except DomainError as error:
        return jsonify(ok=False, error=str(error), code=error.code), error.status


@bp.post("/<int:room_id>/messages")
@login_required
def send(room_id: int):
    """Post a message from the no-JavaScript form; a refused message is shown again, text kept.

    The form keeps its client_id, so sending it again after an error stores the message once.
    """
    member_id = current_user.id
    events.end_read()
    form = MessageForm()
    room = _room(room_id)
    if not form.validate_on_submit():
        for error in form.client_id.errors:
            flash(error, "error")
        return _show(room, form, 400)
    try:
        services.check_rate(member_id)
        reply = bounded_id(form.reply_to.data)
        message_id = write(lambda: services.post_message(
            current_user, services.get_room(current_user, room_id), form.body.data,
            form.client_id.data, reply)[0].id)
    except DomainError as error:
        attach_error(form, error)
        return _show(services.get_room(current_user, room_id), form, error.status)
    return redirect(url_for("rooms.show", room_id=room_id, _anchor=f"m{message_id}"))


def _message(room_id: int, message_id: int):  # type: ignore[no-untyped-def]
    room = _room(room_id)
    return room, services.get_message(current_user, room, message_id)


def _act(action, room_id: int, message=None):  # type: ignore[no-untyped-def]
    """Run a CSRF-checked button's action and go back to the room."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        write(action)
    except DomainError as error:
        flash(str(error), "error")
    anchor = f"m{message.id}" if message is not None else None
    return redirect(url_for("rooms.show", room_id=room_id, _anchor=anchor))


@bp.route("/<int:room_id>/messages/<int:message_id>/edit", methods=["GET", "POST"])
@login_required
def edit(room_id: int, message_id: int):
    """Edit one's own message (within the edit window)."""
    room, message = _message(room_id, message_id)
    if message.author_id != current_user.id or message.deleted_at is not None:
        raise Forbidden(code="not_author")
    form = EditForm(body=message.body)
    if submit(form, lambda: services.edit_message(current_user, message, form.body.data)):
        return redirect(url_for("rooms.show", room_id=room.id, _anchor=f"m{message.id}"))
    return render_template("rooms/edit.html", room=room, message=message, form=form)


@bp.post("/<int:room_id>/messages/<int:message_id>/delete")
@login_required
def delete(room_id: int, message_id: int):
    """Delete a message (the author's own, or any as a moderator)."""
    _room_, message = _message(room_id, message_id)
    return _act(lambda: services.delete_message(current_user, message), room_id, message)


@bp.route("/<int:room_id>/messages/<int:message_id>/report", methods=["GET", "POST"])
@login_required
def report(room_id: int, message_id: int):
    """Report a message to the moderators."""
    room, message = _message(room_id, message_id)
    form = ReportForm()
    if submit(form, lambda: services.report(current_user, message, form.reason.data or "")):
        flash(_("Thank you. The moderators will look at this message."), "success")
        return redirect(url_for("rooms.show", room_id=room.id, _anchor=f"m{message.id}"))
    return render_template("rooms/report.html", room=room, message=message, form=form)


@bp.post("/<int:room_id>/join")
@login_required
def join(room_id: int):
    """Join an open room."""
    room = _room(room_id)
    return _act(lambda: services.join(current_user, room), room.id)


@bp.post("/<int:room_id>/leave")
@login_required
def leave(room_id: int):
    """Leave a room."""
    room = _room(room_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            services.leave(current_user, room)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("rooms.show", room_id=room.id))
    return redirect(url_for("rooms.index"))


@bp.post("/<int:room_id>/invite")
@login_required
def invite(room_id: int):
    """Invite a member into a working group."""
    room = _room(room_id)
    form = InviteForm()
    if submit(form, lambda: services.invite(current_user, room,
                                            services.find_members(form.email.data)[0])):
        flash(_("Invitation done: they are now a member of this room."), "success")
    else:
        for error in form.email.errors:
            flash(error, "error")
    return redirect(url_for("rooms.show", room_id=room.id))


@bp.post("/<int:room_id>/mute")
@login_required
def mute(room_id: int):
    """Mute a member of the room for a while."""
    room = _room(room_id)
    form = MuteForm()
    if not form.validate_on_submit():
        for error in form.minutes.errors:
            flash(error, "error")
        return redirect(url_for("rooms.show", room_id=room.id))
    user = find(User, form.user_id.data)
    if user is None:
        abort(404)
    try:
        with unit_of_work():
            services.mute(current_user, room, user, form.minutes.data)
    except DomainError as error:
        attach_error(form, error)
    return redirect(url_for("rooms.show", room_id=room.id))


@bp.post("/<int:room_id>/lock")
@login_required
def lock(room_id: int):
    """Lock or unlock the room."""
    room = _room(room_id)
    return _act(lambda: services.set_locked(current_user, room, not room.locked), room.id)


@bp.get("/moderation")
@login_required
def moderation():
    """Open reports in the rooms the member moderates."""
    return render_template("rooms/moderation.html",
                           reports=services.moderation_queue(current_user), form=ResolveForm())


@bp.post("/moderation/<int:report_id>")
@login_required
def resolve(report_id: int):
    """Dismiss a report or delete the message."""
    form = ResolveForm()
    if submit(form, lambda: services.resolve_report(current_user, report_id, form.action.data)):
        flash(_("The report is resolved."), "success")
    return redirect(url_for("rooms.moderation"))


@bp.get("/search")
@login_required
def search():
    """Find messages in the member's rooms, in any language."""
    query = (request.args.get("q") or "").strip()[:200]
    results = services.search_messages(current_user, query) if query else []
    rooms = services.rooms_by_id([m.room_id for m in results])
    return render_template("rooms/search.html", query=query, results=results, rooms=rooms,
                           title_of=lambda room: services.room_title(room, current_user))
