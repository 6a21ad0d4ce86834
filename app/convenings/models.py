"""Convenings, their agenda sessions, registrations and personal calendar tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import Model


class ConveningKind(enum.StrEnum):
    """What sort of meeting a convening is."""

    GLOBAL_FORUM = "global_forum"
    REGIONAL = "regional"
    THEMATIC = "thematic"
    ISSUE = "issue"


class ConveningFormat(enum.StrEnum):
    """Where people take part."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class Visibility(enum.StrEnum):
    """Who may see and register for a convening."""

    PUBLIC = "public"
    MEMBERS = "members"  # signatories and partners only
    INVITATION = "invitation"


class ConveningStatus(enum.StrEnum):
    """Where a convening is in its life."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class SessionKind(enum.StrEnum):
    """What happens in an agenda session."""

    PLENARY = "plenary"
    PANEL = "panel"
    WORKSHOP = "workshop"
    ROUNDTABLE = "roundtable"
    BILATERAL = "bilateral"
    BREAK = "break"
    SOCIAL = "social"


class RegistrationStatus(enum.StrEnum):
    """Where a registration stands."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING = "pending"
    CANCELLED = "cancelled"
    DECLINED = "declined"


THEMES = ("ai_governance", "data_protection", "cybersecurity", "digital_inclusion",
          "sustainable_development", "responsible_technology", "standards", "connectivity",
          "quantum", "biotechnology")
ACTIVE_STATUSES = (RegistrationStatus.CONFIRMED.value, RegistrationStatus.WAITLISTED.value,
                   RegistrationStatus.PENDING.value)


class Convening(Model):
    """A Global Forum edition or a regional, thematic or issue-specific convening."""

    __tablename__ = "convenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    edition: Mapped[int | None] = mapped_column(Integer)
    default_language: Mapped[str] = mapped_column(String(5), default="en")
    # language code -> text; the default language's entry is always present.
    titles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    region: Mapped[str | None] = mapped_column(String(3))
    format: Mapped[str] = mapped_column(String(12), default=ConveningFormat.IN_PERSON.value)
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_city: Mapped[str] = mapped_column(String(120), default="")
    venue_country: Mapped[str | None] = mapped_column(String(2))
    online_link: Mapped[str | None] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    capacity: Mapped[int | None] = mapped_column(Integer)
    seats_per_delegation: Mapped[int | None] = mapped_column(Integer)
    visibility: Mapped[str] = mapped_column(String(12), default=Visibility.PUBLIC.value)
    status: Mapped[str] = mapped_column(String(12), default=ConveningStatus.DRAFT.value, index=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    sessions: Mapped[list[AgendaSession]] = relationship(
        back_populates="convening", cascade="all, delete-orphan",
        order_by="(AgendaSession.starts_at, AgendaSession.id)")

    def title_in(self, language: str) -> str:
        """The title in `language`, else in the default language."""
        return pick_text(self.titles, language, self.default_language)

    def description_in(self, language: str) -> str:
        """The description in `language`, else in the default language."""
        return pick_text(self.descriptions, language, self.default_language)

    @property
    def is_published(self) -> bool:
        return self.status == ConveningStatus.PUBLISHED.value

    @property
    def is_cancelled(self) -> bool:
        return self.status == ConveningStatus.CANCELLED.value


def pick_text(texts: dict[str, Any], language: str, default_language: str) -> str:
    """The text in `language`, falling back to the default language, then to any."""
    return (texts.get(language) or texts.get(default_language)
            or next((value for value in texts.values() if value), ""))


class AgendaSession(Model):
    """One item of a convening's agenda."""

    __tablename__ = "convening_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    convening_id: Mapped[int] = mapped_column(ForeignKey("convenings.id", ondelete="CASCADE"),
                                              index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(12), default=SessionKind.PANEL.value)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(120), default="")
    track: Mapped[str] = mapped_column(String(80), default="")
    language: Mapped[str] = mapped_column(String(5), default="en")
    interpretation: Mapped[list[str]] = mapped_column(JSON, default=list)
    guest_speakers: Mapped[list[str]] = mapped_column(JSON, default=list)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    convening: Mapped[Convening] = relationship(back_populates="sessions")
    speakers: Mapped[list[SessionSpeaker]] = relationship(
        back_populates="session", cascade="all, delete-orphan", lazy="selectin")


class SessionSpeaker(Model):
    """A member who speaks in a session."""

    __tablename__ = "convening_session_speakers"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("convening_sessions.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    session: Mapped[AgendaSession] = relationship(back_populates="speakers")
    user = relationship("User", lazy="joined")


class Registration(Model):
    """A member's place (or place in the queue) at a convening."""

    __tablename__ = "convening_registrations"
    __table_args__ = (UniqueConstraint("convening_id", "user_id"),
                      # The organisers' list order (see convenings.lists).
                      Index("ix_convening_registrations_list", "convening_id", "status", "queued_at",
                            "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    convening_id: Mapped[int] = mapped_column(ForeignKey("convenings.id", ondelete="CASCADE"),
                                              index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the member joined the current queue: first come, first promoted.
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    consent_listed: Mapped[bool] = mapped_column(Boolean, default=False)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    reminded_at: Mapped[datetime | None]

    convening: Mapped[Convening] = relationship()
    user = relationship("User", lazy="joined")


class CalendarToken(Model):
    """A member's personal calendar feed key.

    The token in the URL is an HMAC of a random nonce under the app secret, so it can be shown
    again on the profile without being stored; lookups go through its SHA-256 hash.
    """

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
