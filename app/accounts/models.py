"""Members of the platform and the invitations that bring them in."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.core.db import utcnow
from app.core.permissions import Role
from app.extensions import Model
from app.registry.models import Nation


class User(UserMixin, Model):
    """A person with an account: ambassador, organiser, partner representative, observer, admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    display_name: Mapped[str] = mapped_column(String(120))
    # The name folded for matching in any script (app.i18n.fold), kept in step by `_fold_name`.
    name_key: Mapped[str] = mapped_column(String(120), default="", server_default="", index=True)
    # Listed in the people directory although not an ambassador or staff (their own consent).
    in_directory: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.OBSERVER.value, index=True)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # False while `timezone` is only a guess (a default, the State's main zone): messages still
    # label it, but fair times does not count it and the member is asked to confirm.
    timezone_confirmed: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default=false())
    nation_id: Mapped[int | None] = mapped_column(ForeignKey("nations.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped on sign-out, "sign out everywhere else", a password change or reset and
    # deactivation, so that session and remember-me cookies and reset links issued before stop
    # working (the session identifier is "<id>:<epoch>").
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)

    nation: Mapped[Nation | None] = relationship(lazy="joined")

    @validates("display_name")
    def _fold_name(self, _key: str, name: str) -> str:
        from app.i18n import fold

        self.name_key = fold(name)[:120]
        return name

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class Invitation(Model):
    """An organiser's invitation of an e-mail address; usable once, until it expires."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(5), default="en")
    nation_id: Mapped[int | None] = mapped_column(ForeignKey("nations.id"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    nation: Mapped[Nation | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class LoginThrottle(Model):
    """Failed sign-ins on one account from one client address, and when it may try again."""

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("user_id", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
