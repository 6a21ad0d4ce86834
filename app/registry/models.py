"""Nation States and their UN groupings (LDC, LLDC, SIDS), dated so lists hold for any day;
the registry of signatures, Supporting Partners, notifications, appointments and commitments."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import Model

#: The Declaration opened for signature, and entered into force, at Samarkand on this day.
DECLARATION_OPENED = date(2025, 11, 1)


class Grouping(enum.StrEnum):
    """UN country groupings that the Declaration asks us to pay attention to."""

    LDC = "LDC"
    LLDC = "LLDC"
    SIDS = "SIDS"


class Nation(Model):
    """A UN member or observer State."""

    __tablename__ = "nations"

    id: Mapped[int] = mapped_column(primary_key=True)
    iso2: Mapped[str] = mapped_column(String(2), unique=True)
    iso3: Mapped[str] = mapped_column(String(3), unique=True)
    m49: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    un_status: Mapped[str] = mapped_column(String(10))
    region: Mapped[str] = mapped_column(String(3), index=True)
    subregion: Mapped[str] = mapped_column(String(3), index=True)
    intermediate_region: Mapped[str | None] = mapped_column(String(3))

    groupings: Mapped[list[GroupingMembership]] = relationship(
        back_populates="nation", cascade="all, delete-orphan", lazy="selectin",
        order_by="GroupingMembership.grouping",
    )

    def groupings_on(self, day: date) -> list[str]:
        """The groupings this State belongs to on `day`."""
        return sorted({m.grouping for m in self.groupings if m.active_on(day)})


class GroupingMembership(Model):
    """A State's membership of a grouping, from `since` (inclusive) to `until` (exclusive)."""

    __tablename__ = "nation_groupings"
    __table_args__ = (UniqueConstraint("nation_id", "grouping", "since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id", ondelete="CASCADE"), index=True)
    grouping: Mapped[str] = mapped_column(String(8))
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300))

    nation: Mapped[Nation] = relationship(back_populates="groupings")

    def active_on(self, day: date) -> bool:
        """True when the membership holds on `day`."""
        return (self.since is None or self.since <= day) and (self.until is None or day < self.until)


class Signature(Model):
    """A State's signature of the Declaration; a withdrawal keeps the row, as depositaries do."""

    __tablename__ = "registry_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)
    signed_on: Mapped[date] = mapped_column(Date, index=True)
    authority_name: Mapped[str] = mapped_column(String(120))
    authority_title: Mapped[str] = mapped_column(String(200))
    note_reference: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    nation: Mapped[Nation] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None

    @property
    def is_founding(self) -> bool:
        """Founding signatories signed at Samarkand the day the Declaration opened."""
        return self.signed_on == DECLARATION_OPENED


class PartnerStatus(enum.StrEnum):
    """Where an application to become a Supporting Partner stands."""

    UNCONFIRMED = "unconfirmed"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class PartnerCategory(enum.StrEnum):
    """The fixed categories of Supporting Partners."""

    PRIVATE_SECTOR = "private_sector"
    CIVIL_SOCIETY = "civil_society"
    ACADEMIA = "academia"
    INTERNATIONAL_ORGANISATION = "international_organisation"


class Partner(Model):
    """An organisation's application to support the Declaration; public once approved."""

    __tablename__ = "registry_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)
    website: Mapped[str] = mapped_column(String(300))
    website_key: Mapped[str] = mapped_column(String(300), index=True)
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    statement: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    status: Mapped[str] = mapped_column(String(16), default=PartnerStatus.UNCONFIRMED.value,
                                        index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    endorsed_on: Mapped[date | None] = mapped_column(Date, index=True)

    nation: Mapped[Nation] = relationship(lazy="joined", innerjoin=True)


class DepositaryNotification(Model):
    """An immutable, numbered notice of a registry act (TDI/DN/<year>/<nnnn>)."""

    __tablename__ = "registry_notifications"
    __table_args__ = (UniqueConstraint("year", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    nation_id: Mapped[int | None] = mapped_column(ForeignKey("nations.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("registry_partners.id"), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    nation: Mapped[Nation | None] = relationship(lazy="joined")
    partner: Mapped[Partner | None] = relationship(lazy="joined")

    @property
    def number(self) -> str:
        return f"TDI/DN/{self.year}/{self.sequence:04d}"


@event.listens_for(DepositaryNotification, "before_update")
def _notifications_are_immutable(mapper: Any, connection: Any, target: DepositaryNotification) -> None:
    raise ValueError("depositary notifications are immutable")


@event.listens_for(DepositaryNotification, "before_delete")
def _notifications_are_never_deleted(mapper: Any, connection: Any,
                                     target: DepositaryNotification) -> None:
    raise ValueError("depositary notifications are immutable")


class NotificationSubscription(Model):
    """An e-mail address that receives new depositary notifications once confirmed."""

    __tablename__ = "registry_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]


class AppointmentLevel(enum.StrEnum):
    """The rank of a Tech Ambassador or equivalent."""

    MINISTERIAL = "ministerial"
    DEPUTY_MINISTERIAL = "deputy_ministerial"
    EQUIVALENT = "equivalent"


class Appointment(Model):
    """A State's organiser-verified appointment of its Tech Ambassador (the newest one holds)."""

    __tablename__ = "registry_appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(24))
    appointed_on: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    nation: Mapped[Nation] = relationship(lazy="joined", innerjoin=True)


class CommitmentStatus(enum.StrEnum):
    """How far a State has come with one commitment."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"


class CommitmentReport(Model):
    """An ambassador's dated report on one commitment; every report is kept as history."""

    __tablename__ = "registry_commitment_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)
    commitment: Mapped[str] = mapped_column(String(8), index=True)
    status: Mapped[str] = mapped_column(String(16))
    narrative: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    reported_on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    nation: Mapped[Nation] = relationship(lazy="joined", innerjoin=True)
