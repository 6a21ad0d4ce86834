"""Rooms, their members, messages, the per-room event log, mentions, reports and search tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

import app.convenings.models  # noqa: F401 - rooms point at convenings; table must exist first
from app.core.db import utcnow
from app.extensions import Model


class RoomKind(enum.StrEnum):
    """What a room is for, which decides who may read and join it."""

    CONVENING = "convening"  # members follow the convening's registrations
    OPEN = "open"  # any signed-in member may read, join and leave
    PRIVATE = "private"  # a working group: by invitation of its owner
    DIRECT = "direct"  # a conversation between two to ten members


class MemberRole(enum.StrEnum):
    """A member's standing in one room."""

    OWNER = "owner"
    MODERATOR = "moderator"
    MEMBER = "member"


class MemberStatus(enum.StrEnum):
    """Whether a membership is current; old rows keep read state and mutes."""

    ACTIVE = "active"
    LEFT = "left"
    REMOVED = "removed"


class EventKind(enum.StrEnum):
    """What happened at one sequence number of a room."""

    MESSAGE = "message"
    EDIT = "edit"
    DELETE = "delete"


def _enum(kind: type[enum.StrEnum], length: int) -> Enum:
    """A StrEnum column stored as its plain value in a VARCHAR of `length` (no CHECK, no native
    enum type: the schema is exactly the String column it replaces); rows read back as members."""
    return Enum(kind, native_enum=False, create_constraint=False, length=length,
                values_callable=lambda members: [m.value for m in members], validate_strings=True)


class Room(Model):
    """A place where members talk; `last_seq` numbers its events without gaps."""

    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RoomKind] = mapped_column(_enum(RoomKind, 12), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    topic: Mapped[str] = mapped_column(String(500), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    convening_id: Mapped[int | None] = mapped_column(
        ForeignKey("convenings.id", ondelete="SET NULL"), unique=True)
    # Sorted member ids of a direct conversation, so the same people reuse one conversation.
    direct_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[RoomMember]] = relationship(back_populates="room",
                                                     cascade="all, delete-orphan")


class RoomMember(Model):
    """A member's place in a room, with the last sequence they read and any mute."""

    __tablename__ = "room_members"
    __table_args__ = (UniqueConstraint("room_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[MemberRole] = mapped_column(_enum(MemberRole, 12), default=MemberRole.MEMBER)
    status: Mapped[MemberStatus] = mapped_column(_enum(MemberStatus, 8),
                                                 default=MemberStatus.ACTIVE)
    last_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    muted_until: Mapped[datetime | None]
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    room: Mapped[Room] = relationship(back_populates="members")
    user = relationship("User", lazy="joined")


class Message(Model):
    """A message as it reads now; its history lives in revisions and room events."""

    __tablename__ = "room_messages"
    __table_args__ = (UniqueConstraint("room_id", "author_id", "client_id"),
                      Index("ix_room_messages_room_id_seq", "room_id", "seq"))

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    # Chosen by the sending client; a retried send with the same id is stored once.
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("room_messages.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    # Many-to-one: read from the identity map when the room is loaded already (no query).
    room: Mapped[Room] = relationship()
    revisions: Mapped[list[MessageRevision]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="MessageRevision.id")


class MessageRevision(Model):
    """A message's earlier text, kept when its author edits it."""

    __tablename__ = "room_message_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("room_messages.id", ondelete="CASCADE"),
                                            index=True)
    body: Mapped[str] = mapped_column(Text)
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[Message] = relationship(back_populates="revisions")


class RoomEvent(Model):
    """One numbered event of a room (new message, edit, deletion), replayed to late clients."""

    __tablename__ = "room_events"
    __table_args__ = (UniqueConstraint("room_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, 8))
    message_id: Mapped[int] = mapped_column(ForeignKey("room_messages.id", ondelete="CASCADE"),
                                            index=True)
    # The exact payload that was broadcast, so a replay is one query and byte-identical.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Mention(Model):
    """A member named with @ in a message; counted until they read past it."""

    __tablename__ = "room_mentions"
    __table_args__ = (UniqueConstraint("message_id", "user_id"),
                      Index("ix_room_mentions_user_id_room_id", "user_id", "room_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("room_messages.id", ondelete="CASCADE"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    seq: Mapped[int] = mapped_column(Integer)


class Report(Model):
    """A member's report of a message, waiting in the moderation queue."""

    __tablename__ = "room_reports"
    __table_args__ = (UniqueConstraint("message_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("room_messages.id", ondelete="CASCADE"),
                                            index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(12))

    message: Mapped[Message] = relationship(lazy="joined")
    reporter = relationship("User", foreign_keys=[reporter_id], lazy="joined")


class SearchToken(Model):
    """A normalised word (or CJK bigram) of a message, for search on every database."""

    __tablename__ = "room_search_tokens"
    __table_args__ = (Index("ix_room_search_tokens_token_room_id", "token", "room_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("room_messages.id", ondelete="CASCADE"),
                                            index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64))
