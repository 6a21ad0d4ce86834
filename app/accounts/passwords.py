"""Password hashing (argon2) and the password policy."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

from app.core.errors import Invalid

MIN_LENGTH = 10
MAX_LENGTH = 256
_hasher = PasswordHasher()
_COMMON = Path(__file__).parent / "data" / "common-passwords.txt.gz"


@cache
def common_passwords() -> frozenset[str]:
    """The leaked-password list shipped with the project."""
    with gzip.open(_COMMON, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def check_password_policy(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse passwords that are too short, too long, too common or built from the account."""
    if len(password) < MIN_LENGTH:
        raise Invalid(_l("Use at least %(count)d characters for your password.", count=MIN_LENGTH),
                      code="password_too_short", field="password")
    if len(password) > MAX_LENGTH:
        raise Invalid(_l("That password is too long."), code="password_too_long", field="password")
    lowered = password.lower()
    local_part = email.split("@")[0].lower()
    if (lowered in common_passwords() or (local_part and lowered == local_part)
            or (name and lowered == name.lower())):
        raise Invalid(_l("This password is too common. Choose one that is harder to guess."),
                      code="password_common", field="password")


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches the stored hash."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
