"""Socket.IO wiring: emit only after commit, refuse sockets without a signed-in session."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_socketio import ConnectionRefusedError

from app.core.db import on_commit
from app.core.permissions import is_signed_in
from app.extensions import db, socketio


def emit_after_commit(event: str, payload: dict[str, Any], *, to: str, namespace: str) -> None:
    """Queue a broadcast that goes out only if the current transaction commits."""
    on_commit(db.session(), lambda: socketio.emit(event, payload, to=to, namespace=namespace))


def refuse_anonymous(auth: object = None) -> None:
    """A connect guard: no session cookie of an active member, no socket."""
    if not is_signed_in(current_user):
        raise ConnectionRefusedError("unauthorized")


def connect_default(auth: object = None) -> bool:
    """The default namespace answers only signed-in members (used by the smoke test)."""
    refuse_anonymous(auth)
    return True


def whoami() -> dict[str, Any]:
    """Tell a connected client who it is signed in as."""
    return {"ok": True, "id": current_user.id, "name": current_user.display_name}


def register() -> None:
    """Attach the default namespace's handlers to the server that init_app just made.

    SocketIO.init_app builds a new server each time, and handlers added with the decorators after
    the first init_app are not carried over, so every app registers its own.
    """
    socketio.on_event("connect", connect_default)
    socketio.on_event("whoami", whoami)
