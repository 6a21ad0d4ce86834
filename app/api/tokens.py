"""Personal access tokens: create (shown once), list, revoke, authenticate with a scope."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.api.models import ApiToken
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import DomainError, Forbidden, Invalid, NotFound
from app.core.permissions import is_staff, require_signed_in
from app.extensions import db

SCOPES = ("read", "write", "staff")
EXPIRY_DAYS = (30, 90, 365)
PREFIX = "cst_"
MAX_TOKENS = 20
#: last_used_at is written at most this often, so reads do not each write a row.
LAST_USE_PRECISION = timedelta(minutes=1)


class Unauthenticated(DomainError):
    """No valid token: missing, unknown, expired or revoked."""

    status = 401
    code = "token_invalid"
    default_message = _l("The access token is missing, expired or revoked.")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def tokens_of(actor: User) -> list[ApiToken]:
    """The member's tokens, newest first (revoked ones included, marked)."""
    require_signed_in(actor)
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == actor.id)
                                   .order_by(ApiToken.id.desc())))


def create_token(actor: User, name: str, scopes: list[str], days: int,
                 *, now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token and its secret, which is returned here once and never stored."""
    require_signed_in(actor)
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise Invalid(_l("Give the token a name of at most 80 characters."), field="name")
    chosen = [s for s in SCOPES if s in set(scopes or [])]
    if not chosen or len(chosen) != len(set(scopes)):
        raise Invalid(_l("Choose at least one scope."), field="scopes")
    if "staff" in chosen and not is_staff(actor):
        raise Forbidden(_l("Only staff may create a token with the staff scope."),
                        code="scope_forbidden", field="scopes")
    if days not in EXPIRY_DAYS:
        raise Invalid(_l("Choose one of the offered expiry periods."), field="days")
    live = [t for t in tokens_of(actor) if t.revoked_at is None]
    if len(live) >= MAX_TOKENS:
        raise Invalid(_l("Revoke a token before creating another."), code="too_many_tokens")
    now = now or utcnow()
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, name=name, token_hash=_digest(secret),
                     scopes=" ".join(chosen), created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record(actor, "api_token.create", "api_token", token.id, name=name, scopes=chosen)
    return token, secret


def revoke_token(actor: User, token_id: int) -> ApiToken:
    """Revoke one of the member's own tokens; another member's is not found."""
    require_signed_in(actor)
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None or token.user_id != actor.id:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(actor, "api_token.revoke", "api_token", token.id, name=token.name)
    return token


def authenticate(secret: str | None, scope: str, *, now: datetime | None = None
                 ) -> tuple[User, ApiToken]:
    """The member and token behind a bearer secret, if it is live and carries `scope`."""
    now = now or utcnow()
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        raise Unauthenticated()
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise Unauthenticated()
    user = db.session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise Unauthenticated()
    if scope not in token.scope_list:
        raise Forbidden(_l("This token's scopes do not allow this request."),
                        code="scope_insufficient")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        token.last_used_at = now
    return user, token
