"""The DomainError family: what services raise when a rule says no."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule of the domain refused an act; carries a translatable message and a stable code."""

    status = 400
    code = "invalid"
    default_message: LazyString | str = _l("The request could not be processed.")

    def __init__(self, message: LazyString | str | None = None, *, code: str | None = None,
                 field: str | None = None, persist: bool = False) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.field = field
        # Refusals that must still be recorded (a failed sign-in counts towards back-off).
        self.persist = persist
        super().__init__(str(self.code))

    def __str__(self) -> str:
        return str(self.message)


class Invalid(DomainError):
    """Input that breaks a rule."""

    status = 400
    code = "invalid"
    default_message = _l("The request could not be processed.")


class Forbidden(DomainError):
    """The actor may not do this."""

    status = 403
    code = "forbidden"
    default_message = _l("You are not allowed to do this.")


class NotFound(DomainError):
    """The thing does not exist, or the actor may not know it exists."""

    status = 404
    code = "not_found"
    default_message = _l("We could not find what you asked for.")


class Conflict(DomainError):
    """The act clashes with what is already stored."""

    status = 409
    code = "conflict"
    default_message = _l("This clashes with what is already recorded.")


class RateLimited(DomainError):
    """Too many attempts in a short time."""

    status = 429
    code = "rate_limited"
    default_message = _l("Too many attempts. Please wait a moment and try again.")


class ServiceBusy(DomainError):
    """Other writers held the database for longer than the retries waited; nothing was changed."""

    status = 503
    code = "busy"
    default_message = _l("Many people are acting at this moment. Nothing was changed: please try again.")
    # Set once the retries are spent, so an outer retry does not start over.
    final = False
