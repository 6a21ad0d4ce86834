"""Room pages that work without JavaScript, and the JSON replay endpoint."""

from __future__ import annotations

import uuid
from typing import Any, cast

from flask import Blueprint, Flask, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.accounts.models import User
from app.core.errors import DomainError, NotFound
from app.core.inputs import bounded_id, find
from app.core.navigation import add_nav_entry
from app.core.web import acted, attach_error, flash_errors, submit
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
    SelectChoice,
)
from app.rooms.models import Message, Room, RoomKind
from app.rooms.writes import write

Page = ResponseReturnValue

bp = Blueprint("rooms", __name__, url_prefix="/rooms")
bp.record_once(lambda state: add_nav_entry(cast(Flask, state.app), "rooms.index", _l("Rooms"),
                                           lambda: bool(current_user.is_authenticated)))
bp.record_once(lambda state: events.register())


@bp.context_processor
def rules() -> dict[str, Any]:
    """The services' predicates, so the room pages offer exactly what the services allow."""
    return {"may_moderate": services.may_moderate, "may_leave": services.may_leave,
            "may_invite": services.may_invite, "may_edit": services.may_edit,
            "may_delete": services.may_delete, "may_report": services.may_report}


def _room(room_id: int) -> Room:
    return services.get_room(current_user, room_id)


@bp.get("/")
@login_required
def index() -> Page:
    """The member's rooms with unread counts, open rooms to join, and forms to start new ones."""
    room_form, direct_form = RoomForm(), DirectForm()
    if not services.may_create_open_room(current_user):
        room_form.kind.choices = RoomForm.KINDS[:1]
    return render_template("rooms/index.html", rooms=services.list_rooms(current_user),
                           open_rooms=services.open_rooms_to_join(current_user),
                           room_form=room_form, direct_form=direct_form, action_form=ActionForm())


@bp.post("/new")
@login_required
def create() -> Page:
    """Start a working group, or (organisers) an open room."""
    form = RoomForm()
    create_room = services.create_open_room if form.kind.data == RoomKind.OPEN \
        else services.create_working_group
    room = submit(form, lambda: create_room(current_user, form.name.data or "", form.topic.data or ""))
    if room is None:
        flash_errors(form)
        return redirect(url_for("rooms.index"))
    return redirect(url_for("rooms.show", room_id=room.id))


@bp.post("/direct")
@login_required
def direct() -> Page:
    """Open (or reopen) a direct conversation with one to nine members."""
    form = DirectForm()
    room = submit(form, lambda: services.open_direct(current_user,
                                                     services.find_members(form.emails.data or "")))
    if room is None:
        flash_errors(form)
        return redirect(url_for("rooms.index"))
    return redirect(url_for("rooms.show", room_id=room.id))


@bp.get("/<int:room_id>")
@login_required
def show(room_id: int) -> Page:
    """The room: recent history, the message form, members and moderation tools."""
    return _show(_room(room_id))


def _show(room: Room, form: MessageForm | None = None, status: int = 200) -> Page:
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
        reply_to = bounded_id(form.reply_to.data)
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
        replies={m.id: m for m in messages}), status


def _replying_to(room: Room, messages: list[Message], message_id: int | None) -> Message | None:
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
def messages_json(room_id: int) -> Page:
    """Every event after ?after_seq=, oldest first, as JSON: the same as the Socket.IO join ack."""
    try:
        room = _room(room_id)
        return jsonify(services.events_after(current_user, room, request.args.get("after_seq", "0")))
    except DomainError as error:
        return jsonify(ok=False, error=str(error), code=error.code), error.status


@bp.post("/<int:room_id>/messages")
@login_required
def send(room_id: int) -> Page:
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


def _message(room_id: int, message_id: int) -> tuple[Room, Message]:
    room = _room(room_id)
    return room, services.get_message(current_user, room, message_id)


def _back(room: Room, message: Message | None = None) -> Page:
    """Back to the room (at the message)."""
    anchor = f"m{message.id}" if message is not None else None
    return redirect(url_for("rooms.show", room_id=room.id, _anchor=anchor))


@bp.route("/<int:room_id>/messages/<int:message_id>/edit", methods=["GET", "POST"])
@login_required
def edit(room_id: int, message_id: int) -> Page:
    """Edit one's own message (within the edit window)."""
    room = _room(room_id)
    message = services.get_message_to_edit(current_user, room, message_id)
    form = EditForm(body=message.body)
    if submit(form, lambda: services.edit_message(current_user, message, form.body.data)):
        return redirect(url_for("rooms.show", room_id=room.id, _anchor=f"m{message.id}"))
    return render_template("rooms/edit.html", room=room, message=message, form=form)


@bp.post("/<int:room_id>/messages/<int:message_id>/delete")
@login_required
def delete(room_id: int, message_id: int) -> Page:
    """Delete a message (the author's own, or any as a moderator)."""
    room, message = _message(room_id, message_id)
    acted(ActionForm(), lambda: services.delete_message(current_user, message), run=write)
    return _back(room, message)


@bp.route("/<int:room_id>/messages/<int:message_id>/report", methods=["GET", "POST"])
@login_required
def report(room_id: int, message_id: int) -> Page:
    """Report a message to the moderators."""
    room, message = _message(room_id, message_id)
    form = ReportForm()
    if submit(form, lambda: services.report(current_user, message, form.reason.data or "")):
        flash(_("Thank you. The moderators will look at this message."), "success")
        return redirect(url_for("rooms.show", room_id=room.id, _anchor=f"m{message.id}"))
    return render_template("rooms/report.html", room=room, message=message, form=form)


@bp.post("/<int:room_id>/join")
@login_required
def join(room_id: int) -> Page:
    """Join an open room."""
    room = _room(room_id)
    acted(ActionForm(), lambda: services.join(current_user, room), run=write)
    return _back(room)


@bp.post("/<int:room_id>/leave")
@login_required
def leave(room_id: int) -> Page:
    """Leave a room."""
    room = _room(room_id)
    if acted(ActionForm(), lambda: services.leave(current_user, room)):
        return redirect(url_for("rooms.index"))
    return _back(room)


@bp.post("/<int:room_id>/invite")
@login_required
def invite(room_id: int) -> Page:
    """Invite a member into a working group."""
    room = _room(room_id)
    form = InviteForm()
    if submit(form, lambda: services.invite(current_user, room,
                                            services.find_members(form.email.data or "")[0])):
        flash(_("Invitation done: they are now a member of this room."), "success")
    else:
        for error in form.email.errors:
            flash(error, "error")
    return redirect(url_for("rooms.show", room_id=room.id))


@bp.post("/<int:room_id>/mute")
@login_required
def mute(room_id: int) -> Page:
    """Mute a member of the room for a while."""
    room = _room(room_id)
    form = MuteForm()
    acted(form, lambda: services.mute(current_user, room, _user(form.user_id.data),
                                      form.minutes.data))
    return _back(room)


def _user(user_id: Any) -> User:
    """The member chosen in a form (the 404 page when there is none)."""
    user = find(User, user_id)
    if user is None:
        raise NotFound()
    return user


@bp.post("/<int:room_id>/lock")
@login_required
def lock(room_id: int) -> Page:
    """Lock or unlock the room."""
    room = _room(room_id)
    acted(ActionForm(), lambda: services.set_locked(current_user, room, not room.locked), run=write)
    return _back(room)


@bp.get("/moderation")
@login_required
def moderation() -> Page:
    """Open reports in the rooms the member moderates."""
    return render_template("rooms/moderation.html",
                           reports=services.moderation_queue(current_user), form=ResolveForm())


@bp.get("/moderation/<int:report_id>")
@login_required
def report_context(report_id: int) -> Page:
    """A reported message among its neighbours, with the decision form (also for private rooms)."""
    entry, around = write(lambda: services.report_context(current_user, report_id))
    return render_template("rooms/report_context.html", report=entry, messages=around,
                           title=services.room_title(entry.message.room, current_user), form=ResolveForm())


@bp.post("/moderation/<int:report_id>")
@login_required
def resolve(report_id: int) -> Page:
    """Dismiss a report or delete the message."""
    form = ResolveForm()
    if submit(form, lambda: services.resolve_report(current_user, report_id, form.action.data)):
        flash(_("The report is resolved."), "success")
    return redirect(url_for("rooms.moderation"))


@bp.get("/search")
@login_required
def search() -> Page:
    """Find messages in the member's rooms, in any language."""
    query = (request.args.get("q") or "").strip()[:200]
    results = services.search_messages(current_user, query) if query else []
    rooms = services.rooms_by_id([m.room_id for m in results])
    return render_template("rooms/search.html", query=query, results=results, rooms=rooms,
                           title_of=lambda room: services.room_title(room, current_user))
