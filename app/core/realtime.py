"""Socket.IO wiring: emit only after commit, refuse sockets without a signed-in session."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_socketio import ConnectionRefusedError, disconnect, join_room

from app.core.db import on_commit
from app.core.permissions import is_signed_in
from app.extensions import db, socketio


def emit_after_commit(event: str, payload: dict[str, Any], *, to: str, namespace: str) -> None:
    """Queue a broadcast that goes out only if the current transaction commits."""
    on_commit(db.session(), lambda: socketio.emit(event, payload, to=to, namespace=namespace))


def refuse_anonymous(auth: object = None) -> None:
    """A connect guard: no session cookie of an active member, no socket.

    The socket also joins its member's channel, so that signing out reaches it in every process.
    """
    if not is_signed_in(current_user):
        raise ConnectionRefusedError("unauthorized")
    join_room(member_channel(current_user.id))


def member_channel(user_id: int) -> str:
    """The channel every socket of one member joins on connect."""
    return f"member:{user_id}"


# Namespaces whose sockets join the member channel; names are constants of the code, the same
# for every app built in this process.
_MEMBER_NAMESPACES: set[str] = {"/"}


def add_member_namespace(namespace: str) -> None:
    """Declare a namespace whose sockets are told when their member signs out."""
    _MEMBER_NAMESPACES.add(namespace)


def signed_out_after_commit(user_id: int) -> None:
    """Tell the member's open sockets in every process that their sessions ended.

    The client leaves for the sign-in page; a client that ignores the event is refused (and
    disconnected) at its next event, because every event loads the member through the session
    epoch again.
    """
    for namespace in sorted(_MEMBER_NAMESPACES):
        emit_after_commit("signed_out", {}, to=member_channel(user_id), namespace=namespace)


def connect_default(auth: object = None) -> bool:
    """The default namespace answers only signed-in members (used by the smoke test)."""
    refuse_anonymous(auth)
    return True


def session_ended() -> bool:
    """True (and the socket disconnected) when the member's session ended since connecting.

    Each event loads the member again from the session cookie, so a bumped session epoch (sign
    out, password change, deactivation) refuses the very next event.
    """
    if is_signed_in(current_user):
        return False
    disconnect()
    return True


def whoami() -> dict[str, Any]:
    """Tell a connected client who it is signed in as."""
    if session_ended():
        return {"ok": False, "code": "login_required"}
    return {"ok": True, "id": current_user.id, "name": current_user.display_name}


def register() -> None:
    """Attach the default namespace's handlers to the server that init_app just made.

    SocketIO.init_app builds a new server each time, and handlers added with the decorators after
    the first init_app are not carried over, so every app registers its own.
    """
    socketio.on_event("connect", connect_default)
    socketio.on_event("whoami", whoami)
