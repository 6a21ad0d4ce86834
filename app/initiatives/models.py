"""Joint initiatives: States, Supporting Partners and members working together between convenings."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import Model


class InitiativeStatus(enum.StrEnum):
    """Where an initiative stands."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    COMPLETED = "completed"
    CLOSED = "closed"


class InitiativeVisibility(enum.StrEnum):
    """Who may read an initiative's page."""

    PUBLIC = "public"
    MEMBERS = "members"  # signed-in members of the platform
    PARTICIPANTS = "participants"  # the initiative's own members


class MemberRole(enum.StrEnum):
    """A member's part in an initiative."""

    LEAD = "lead"
    MEMBER = "member"


class MemberState(enum.StrEnum):
    """Where a membership stands."""

    REQUESTED = "requested"  # asked to join; a lead decides
    INVITED = "invited"  # a lead invited; the member (for a State, its ambassador) decides
    ACTIVE = "active"
    DECLINED = "declined"


class MilestoneStatus(enum.StrEnum):
    """Where a milestone stands."""

    PLANNED = "planned"
    MET = "met"
    DROPPED = "dropped"


class Initiative(Model):
    """A joint initiative with a goal, the themes and Declaration articles it serves."""

    __tablename__ = "initiatives"
    __table_args__ = (Index("ix_initiatives_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default=InitiativeStatus.PROPOSED.value)
    visibility: Mapped[str] = mapped_column(String(12), default=InitiativeVisibility.PUBLIC.value)
    original_language: Mapped[str] = mapped_column(String(5))
    goal: Mapped[str] = mapped_column(Text)
    # What was achieved, written by a lead when the initiative is completed (the public record).
    outcome: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    # Practices of the library this initiative builds on (ids; at most PRACTICE_LINKS_MAX).
    practice_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The unguessable room name on the meeting server (MEETING_URL_TEMPLATE); members only.
    meeting_key: Mapped[str] = mapped_column(String(43), default=lambda: secrets.token_urlsafe(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by = relationship("User", lazy="joined", foreign_keys=[created_by_id])
    texts: Mapped[list[InitiativeText]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan", lazy="selectin",
        order_by="InitiativeText.language")
    tags: Mapped[list[InitiativeTag]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                     order_by="InitiativeTag.value")
    members: Mapped[list[InitiativeMember]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan", lazy="selectin",
        order_by="InitiativeMember.id")

    def tagged(self, facet: str) -> list[str]:
        """The values of one facet (themes or articles)."""
        return [tag.value for tag in self.tags if tag.facet == facet]

    def text_in(self, language: str) -> InitiativeText | None:
        """The title and summary in `language`, if written."""
        return next((text for text in self.texts if text.language == language), None)

    def reading(self, language: str) -> InitiativeText:
        """The text in `language`, else the original."""
        text = self.text_in(language) or self.text_in(self.original_language) or self.texts[0]
        return text

    @property
    def active_members(self) -> list[InitiativeMember]:
        return [m for m in self.members if m.state == MemberState.ACTIVE]


class InitiativeText(Model):
    """An initiative's title and summary in one language."""

    __tablename__ = "initiative_texts"
    __table_args__ = (UniqueConstraint("initiative_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)

    initiative: Mapped[Initiative] = relationship(back_populates="texts")


class InitiativeTag(Model):
    """One facet value of an initiative: a theme or a Declaration article."""

    __tablename__ = "initiative_tags"
    __table_args__ = (UniqueConstraint("initiative_id", "facet", "value"),
                      Index("ix_initiative_tags_facet_value", "facet", "value", "initiative_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    facet: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(32))


class InitiativeMember(Model):
    """A State, a Supporting Partner or one person in an initiative.

    A State's row is held by the State itself (`nation_id`): whoever is its ambassador acts for
    it, so an appointment in the registry changes nothing here. A partner's row keeps the
    representative who acts for it in `user_id`; a person's row has only `user_id`.
    """

    __tablename__ = "initiative_members"
    __table_args__ = (UniqueConstraint("initiative_id", "nation_id"),
                      UniqueConstraint("initiative_id", "partner_id"),
                      Index("ix_initiative_members_nation_id_state", "nation_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"),
                                               index=True)
    nation_id: Mapped[int | None] = mapped_column(ForeignKey("nations.id"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("registry_partners.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(8), default=MemberRole.MEMBER.value)
    state: Mapped[str] = mapped_column(String(12), default=MemberState.REQUESTED.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    initiative: Mapped[Initiative] = relationship(back_populates="members")
    nation = relationship("Nation", lazy="joined")
    partner = relationship("Partner", lazy="joined")
    user = relationship("User", lazy="joined")

    @property
    def is_lead(self) -> bool:
        return self.role == MemberRole.LEAD and self.state == MemberState.ACTIVE

    @property
    def name(self) -> str:
        if self.partner is not None:
            return str(self.partner.name)
        if self.nation is not None:
            return str(self.nation.name)
        return str(self.user.display_name) if self.user is not None else ""


class Milestone(Model):
    """A step of an initiative, with a due date and the member who owns it."""

    __tablename__ = "initiative_milestones"
    __table_args__ = (Index("ix_initiative_milestones_status_due_on", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"),
                                               index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int] = mapped_column(ForeignKey("initiative_members.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default=MilestoneStatus.PLANNED.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the owner was reminded of the due date; a new due date clears it.
    reminded_at: Mapped[datetime | None]

    owner: Mapped[InitiativeMember] = relationship(lazy="joined", innerjoin=True)


class InitiativeUpdate(Model):
    """A progress update in the safe Markdown."""

    __tablename__ = "initiative_updates"
    __table_args__ = (Index("ix_initiative_updates_initiative_id_id", "initiative_id", "id"),
                      Index("ix_initiative_updates_public_id", "public", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    # Shared on the public record (the page's visitors and the Atom feed) of a public initiative.
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User", lazy="joined")
    initiative: Mapped[Initiative] = relationship(lazy="joined", innerjoin=True)


class Follower(Model):
    """A member who receives an initiative's updates without being in it."""

    __tablename__ = "initiative_followers"
    __table_args__ = (UniqueConstraint("initiative_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
