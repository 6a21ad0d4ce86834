"""National practices: their texts in several languages, published versions, search tokens,
facet tags and the record of States that learned from them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import Model


class PracticeKind(enum.StrEnum):
    """What sort of thing a practice is."""

    POLICY = "policy"
    LAW = "law"
    STRATEGY = "strategy"
    INSTITUTION = "institution"
    PROGRAMME = "programme"
    LESSON = "lesson"


class PolicyStatus(enum.StrEnum):
    """Where the practice itself stands in its country."""

    IN_FORCE = "in_force"
    DRAFT = "draft"
    ENDED = "ended"


class Visibility(enum.StrEnum):
    """Who may read a published practice."""

    PUBLIC = "public"
    MEMBERS = "members"
    SIGNATORIES = "signatories"


class Workflow(enum.StrEnum):
    """Where a practice stands in the library's review."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Practice(Model):
    """A State's policy, law, strategy, institution, programme or lesson learned."""

    __tablename__ = "library_practices"
    __table_args__ = (Index("ix_library_practices_published_at_id", "published_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    policy_status: Mapped[str] = mapped_column(String(12))
    visibility: Mapped[str] = mapped_column(String(12), default=Visibility.PUBLIC.value)
    status: Mapped[str] = mapped_column(String(12), default=Workflow.DRAFT.value, index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    original_language: Mapped[str] = mapped_column(String(5))
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    # Every save bumps it; a form carries the value it was read at, so a second save is refused.
    edition: Mapped[int] = mapped_column(Integer, default=1)
    # 0 until first published; readers see the newest published version of the original text.
    published_version: Mapped[int] = mapped_column(Integer, default=0, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    nation = relationship("Nation", lazy="joined", innerjoin=True)
    author = relationship("User", lazy="joined", foreign_keys=[author_id])
    texts: Mapped[list[PracticeText]] = relationship(
        back_populates="practice", cascade="all, delete-orphan", lazy="selectin",
        order_by="PracticeText.language")
    tags: Mapped[list[PracticeTag]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                   order_by="PracticeTag.value")

    def tagged(self, facet: str) -> list[str]:
        """The values of one facet (themes or articles)."""
        return [tag.value for tag in self.tags if tag.facet == facet]

    def text_in(self, language: str) -> PracticeText | None:
        """The text in `language`, if one was written."""
        return next((text for text in self.texts if text.language == language), None)

    @property
    def original(self) -> PracticeText:
        text = self.text_in(self.original_language)
        assert text is not None, "a practice always has its original text"
        return text

    @property
    def listed(self) -> bool:
        """True when readers may find it: published once and not withdrawn."""
        return self.published_version > 0 and self.status != Workflow.WITHDRAWN


class PracticeText(Model):
    """A practice's title, summary and body in one language; the original or a signed translation."""

    __tablename__ = "library_texts"
    __table_args__ = (UniqueConstraint("practice_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("library_practices.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(5))
    is_translation: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    practice: Mapped[Practice] = relationship(back_populates="texts")
    signed_by = relationship("User", lazy="joined")


class PracticeVersion(Model):
    """A published version of the original text, kept for ever so changes can be shown."""

    __tablename__ = "library_versions"
    __table_args__ = (UniqueConstraint("practice_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("library_practices.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class PracticeTag(Model):
    """One facet value of a practice: a theme or a Declaration article."""

    __tablename__ = "library_tags"
    __table_args__ = (UniqueConstraint("practice_id", "facet", "value"),
                      Index("ix_library_tags_facet_value", "facet", "value"))

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("library_practices.id", ondelete="CASCADE"))
    facet: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(32))


class PracticeToken(Model):
    """A folded word (or CJK bigram) of any published text of a practice, for search."""

    __tablename__ = "library_tokens"
    __table_args__ = (Index("ix_library_tokens_token_practice_id", "token", "practice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("library_practices.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64))


class Adaptation(Model):
    """A State's record that it learned from another State's practice and adapted it."""

    __tablename__ = "library_adaptations"
    __table_args__ = (UniqueConstraint("practice_id", "nation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("library_practices.id", ondelete="CASCADE"), index=True)
    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    nation = relationship("Nation", lazy="joined", innerjoin=True)
    practice: Mapped[Practice] = relationship(lazy="joined", innerjoin=True)



class Attachment(Model):
    """A file attached to a practice; stored outside `static/` under its SHA-256, type sniffed."""

    __tablename__ = "library_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("library_practices.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(120))
    media_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
