"""The rules of rooms: who may read, write and moderate; numbered, idempotent messages; read state.

A package split along the old module's sections, every public name re-exported here:
`common` (constants, channels, after-commit broadcasts), `access` (reading rooms, permissions and
the `may_*` predicates the pages share), `members` (creating rooms, membership), `messages`,
`reading` (replay, history, read state, the room list), `moderation`, `searching`, `convening`
(rooms that follow convening registrations). Callers (views, socket events, tests) call
`services.<name>`, so a monkeypatched name takes effect.
"""

from __future__ import annotations

from app.rooms.ratelimit import check_rate, reset_rate_limits
from app.rooms.services.access import (
    MAX_ID,
    get_room,
    may_create_open_room,
    may_delete,
    may_edit,
    may_invite,
    may_leave,
    may_moderate,
    may_report,
    membership,
    require_moderator,
    require_reader,
    require_writer,
)
from app.rooms.services.common import (
    HISTORY_SIZE,
    MAX_CLIENT_ID,
    MAX_DIRECT,
    MAX_MUTE_MINUTES,
    NAMESPACE,
    PAGE_SIZE,
    SEARCH_LIMIT,
    broadcast_after_commit,
    broadcast_targets,
    channel,
)
from app.rooms.services.convening import (
    ensure_convening_room,
    on_convening_published,
    on_registration_changed,
    sync_registration,
    takes_part,
)
from app.rooms.services.members import (
    create_open_room,
    create_working_group,
    invite,
    join,
    leave,
    open_direct,
)
from app.rooms.services.messages import (
    delete_message,
    edit_message,
    get_message,
    get_message_to_edit,
    message_payload,
    post_message,
    room_title,
)
from app.rooms.services.moderation import (
    may_handle_reports,
    moderation_queue,
    mute,
    report,
    report_context,
    resolve_report,
    set_locked,
)
from app.rooms.services.reading import (
    RoomSummary,
    events_after,
    history,
    list_rooms,
    mark_read,
    members_of,
    open_rooms_to_join,
    parse_seq,
)
from app.rooms.services.searching import (
    find_members,
    rooms_by_id,
    search_messages,
)

__all__ = [
    "may_create_open_room",
    "get_message_to_edit",
    "may_delete",
    "may_edit",
    "may_invite",
    "may_leave",
    "may_report",
    "takes_part",
    "HISTORY_SIZE",
    "MAX_CLIENT_ID",
    "MAX_DIRECT",
    "MAX_ID",
    "MAX_MUTE_MINUTES",
    "NAMESPACE",
    "PAGE_SIZE",
    "RoomSummary",
    "SEARCH_LIMIT",
    "broadcast_after_commit",
    "broadcast_targets",
    "channel",
    "check_rate",
    "create_open_room",
    "create_working_group",
    "delete_message",
    "edit_message",
    "ensure_convening_room",
    "events_after",
    "find_members",
    "get_message",
    "get_room",
    "history",
    "invite",
    "join",
    "leave",
    "list_rooms",
    "mark_read",
    "may_handle_reports",
    "may_moderate",
    "members_of",
    "membership",
    "message_payload",
    "moderation_queue",
    "mute",
    "on_convening_published",
    "on_registration_changed",
    "open_direct",
    "open_rooms_to_join",
    "parse_seq",
    "post_message",
    "report",
    "require_moderator",
    "require_reader",
    "require_writer",
    "reset_rate_limits",
    "report_context",
    "resolve_report",
    "room_title",
    "rooms_by_id",
    "search_messages",
    "set_locked",
    "sync_registration",
]
