"""The /rooms Socket.IO namespace: every event checked against the member's rights (docs/realtime.md)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import Namespace, emit, join_room, leave_room

from app.core.db import retry_on_busy
from app.core.errors import DomainError, Invalid
from app.core.realtime import add_member_namespace, refuse_anonymous, session_ended
from app.extensions import db, socketio
from app.rooms import presence, services
from app.rooms.writes import write

Handler = Callable[..., dict[str, Any]]
# Rate-limited per member: events that write (ROOMS_RATE_LIMIT), and events that follow rooms
# or report presence (ROOMS_FOLLOW_RATE_LIMIT). `typing` has its own throttle.
_BUCKETS = {"on_send": "rooms", "on_edit": "rooms", "on_delete": "rooms",
            "on_join": "rooms-follow", "on_watch": "rooms-follow", "on_heartbeat": "rooms-follow",
            "on_leave": "rooms-follow", "on_read": "rooms-follow"}


def error_ack(error: DomainError) -> dict[str, Any]:
    """The error acknowledgement every handler answers with when a rule says no."""
    return {"ok": False, "error": str(error), "code": error.code}


def end_read() -> None:
    """End the read transaction before waiting on Redis.

    Under gevent, a wait lets other greenlets run; on SQLite an open read transaction would keep
    them from committing, and SQLite's busy wait blocks the whole event loop. PostgreSQL has no
    such problem, and keeping the transaction saves reloading the member.
    """
    if db.engine.dialect.name == "sqlite":
        db.session.rollback()


def _fields(data: Any, *required: str) -> dict[str, Any]:
    if not isinstance(data, dict) or any(name not in data for name in required):
        raise Invalid(_l("The request is missing some of its fields."), code="bad_request")
    return data


def handler(function: Handler) -> Handler:
    """Turn refusals and malformed input into an error ack; never let a handler crash the worker."""

    @functools.wraps(function)
    def wrapped(self: RoomsNamespace, data: Any = None) -> dict[str, Any]:
        try:
            if session_ended():
                return {"ok": False, "error": _("Please sign in to continue."),
                        "code": "login_required"}
            member_id = current_user.id
            end_read()
            if function.__name__ in _BUCKETS:
                services.check_rate(member_id, _BUCKETS[function.__name__])
            return retry_on_busy(lambda: function(self, data))
        except DomainError as error:
            return error_ack(error)
        except Exception:
            db.session.rollback()
            current_app.logger.exception("rooms event failed")
            return {"ok": False, "error": _("Something went wrong on our side."),
                    "code": "internal"}

    return wrapped


class RoomsNamespace(Namespace):
    """join, send, edit, delete, read, typing, heartbeat, watch: see docs/realtime.md."""

    def on_connect(self, auth: object = None) -> bool:
        refuse_anonymous(auth)
        return True

    def on_disconnect(self, reason: object = None) -> None:
        db.session.remove()

    @handler
    def on_join(self, data: Any) -> dict[str, Any]:
        data = _fields(data, "room")
        room = services.get_room(current_user, data["room"])
        services.require_reader(current_user, room)
        after = services.parse_seq(data.get("after_seq", 0))
        # Enter the broadcast room before reading, so nothing committed in between is missed;
        # the client drops what it already has by sequence number.
        join_room(services.channel(room.id, current_user.id))
        return services.events_after(current_user, room, after)

    @handler
    def on_leave(self, data: Any) -> dict[str, Any]:
        data = _fields(data, "room")
        room = services.get_room(current_user, data["room"])
        leave_room(services.channel(room.id, current_user.id))
        return {"ok": True, "room": room.id}

    @handler
    def on_watch(self, data: Any) -> dict[str, Any]:
        """Follow every room of the room list, for live unread counts."""
        summaries = services.list_rooms(current_user)
        for summary in summaries:
            join_room(services.channel(summary.id, current_user.id))
        return {"ok": True, "rooms": {str(s.id): {"unread": s.unread, "mentions": s.mentions,
                                             "last_read_seq": s.last_read_seq}
                                      for s in summaries}}

    @handler
    def on_send(self, data: Any) -> dict[str, Any]:
        data = _fields(data, "room", "body", "client_id")

        def send() -> dict[str, Any]:
            room = services.get_room(current_user, data["room"])
            message, _created = services.post_message(current_user, room, data["body"],
                                                      data["client_id"], data.get("reply_to"))
            return services.message_payload(message)

        return {"ok": True, "message": write(send)}

    @handler
    def on_edit(self, data: Any) -> dict[str, Any]:
        data = _fields(data, "room", "id", "body")

        def edit() -> int:
            room = services.get_room(current_user, data["room"])
            message = services.get_message(current_user, room, data["id"])
            return services.edit_message(current_user, message, data["body"]).id

        return {"ok": True, "id": write(edit)}

    @handler
    def on_delete(self, data: Any) -> dict[str, Any]:
        data = _fields(data, "room", "id")

        def delete() -> int:
            room = services.get_room(current_user, data["room"])
            message = services.get_message(current_user, room, data["id"])
            return services.delete_message(current_user, message).id

        return {"ok": True, "id": write(delete)}

    @handler
    def on_read(self, data: Any) -> dict[str, Any]:
        data = _fields(data, "room", "seq")

        def read() -> tuple[int, int]:
            room = services.get_room(current_user, data["room"])
            return room.id, services.mark_read(current_user, room, data["seq"])

        room_id, seq = write(read)
        return {"ok": True, "room": room_id, "last_read_seq": seq}

    @handler
    def on_typing(self, data: Any) -> dict[str, Any]:
        """Tell the room someone is typing: never stored, dropped when it comes too often."""
        data = _fields(data, "room")
        room = services.get_room(current_user, data["room"])
        services.require_writer(current_user, room)
        room_id, user = room.id, {"id": current_user.id, "name": current_user.display_name}
        targets = services.broadcast_targets(room_id)
        end_read()
        if presence.typing_allowed(user["id"], room_id):
            emit("typing", {"room": room_id, "user": user}, to=targets, include_self=False)
        return {"ok": True}

    @handler
    def on_heartbeat(self, data: Any) -> dict[str, Any]:
        """Record presence (active or idle); answer with the presence of a room's members."""
        data = _fields(data, "state")
        state = presence.record(current_user.id, data["state"])
        answer: dict[str, Any] = {"ok": True, "state": state}
        if data.get("room") is not None:
            room = services.get_room(current_user, data["room"])
            member_ids = [m.user_id for m in services.members_of(current_user, room)]
            end_read()
            answer["presence"] = presence.states(member_ids)
        return answer


def register() -> None:
    """Attach the namespace to the Socket.IO server of the app being built.

    Called once per app: SocketIO.init_app makes a new server each time, and handlers added
    after the first init_app are not carried over to the next one.
    """
    socketio.on_namespace(RoomsNamespace(services.NAMESPACE))
    add_member_namespace(services.NAMESPACE)
