"""Nation States and their UN groupings (LDC, LLDC, SIDS), dated so lists hold for any day."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Grouping(enum.StrEnum):
    """UN country groupings that the Declaration asks us to pay attention to."""

    LDC = "LDC"
    LLDC = "LLDC"
    SIDS = "SIDS"


class Nation(db.Model):
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


class GroupingMembership(db.Model):
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
