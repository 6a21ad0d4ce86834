"""Matchmaking: profiles, opt-ins with availability, bilateral slots, meeting requests, feedback."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import Model


class RequestStatus(enum.StrEnum):
    """Where a meeting request stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class MatchProfile(Model):
    """What a member can offer and seeks, the languages they speak, and a short bio."""

    __tablename__ = "matchmaking_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    offers: Mapped[list[str]] = mapped_column(JSON, default=list)
    seeks: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    bio: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", lazy="joined")


class MatchSettings(Model):
    """A convening's matchmaking settings and the state of its last batch schedule."""

    __tablename__ = "matchmaking_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    convening_id: Mapped[int] = mapped_column(ForeignKey("convenings.id", ondelete="CASCADE"),
                                              unique=True)
    expected_per_person: Mapped[int] = mapped_column(Integer, default=4)
    scheduled_at: Mapped[datetime | None]
    upper_bound: Mapped[int | None] = mapped_column(Integer)


class BilateralSlot(Model):
    """A time slot for bilateral meetings, inside one of the agenda's bilateral blocks."""

    __tablename__ = "matchmaking_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    convening_id: Mapped[int] = mapped_column(ForeignKey("convenings.id", ondelete="CASCADE"),
                                              index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("convening_sessions.id", ondelete="CASCADE"),
                                            index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    tables: Mapped[int] = mapped_column(Integer)


class Participation(Model):
    """A member's opt-in to a convening's matchmaking, with the slots they are free in."""

    __tablename__ = "matchmaking_participations"
    __table_args__ = (UniqueConstraint("convening_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convening_id: Mapped[int] = mapped_column(ForeignKey("convenings.id", ondelete="CASCADE"),
                                              index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    opted_in: Mapped[bool] = mapped_column(Boolean, default=True)
    available_slots: Mapped[list[int]] = mapped_column(JSON, default=list)
    # A host who keeps one table for every meeting (set by organisers).
    fixed_table: Mapped[int | None] = mapped_column(Integer)

    user = relationship("User", lazy="joined")


class MeetingRequest(Model):
    """A request for a one-to-one meeting; once accepted and scheduled it holds its slot and table."""

    __tablename__ = "matchmaking_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    convening_id: Mapped[int] = mapped_column(ForeignKey("convenings.id", ondelete="CASCADE"),
                                              index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=RequestStatus.PENDING.value, index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    preferred_slots: Mapped[list[int]] = mapped_column(JSON, default=list)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("matchmaking_slots.id",
                                                           ondelete="SET NULL"), index=True)
    table: Mapped[int | None] = mapped_column(Integer)
    # Why an accepted request has no slot yet (a scheduler reason), or None.
    waiting_reason: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    requester = relationship("User", foreign_keys=[requester_id], lazy="joined")
    recipient = relationship("User", foreign_keys=[recipient_id], lazy="joined")
    slot: Mapped[BilateralSlot | None] = relationship(lazy="joined")

    def other(self, user_id: int):  # type: ignore[no-untyped-def]
        """The party who is not `user_id`."""
        return self.recipient if self.requester_id == user_id else self.requester


class MeetingFeedback(Model):
    """One party's word after a meeting."""

    __tablename__ = "matchmaking_feedback"
    __table_args__ = (UniqueConstraint("request_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("matchmaking_requests.id",
                                                       ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    took_place: Mapped[bool] = mapped_column(Boolean)
    useful: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
