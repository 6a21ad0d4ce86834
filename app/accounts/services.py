"""Account rules: invitations, sign-in with back-off, password reset, profile and administration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import format_timedelta
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Invitation, LoginThrottle, User
from app.accounts.passwords import (
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from app.core.db import end_idle_transaction, utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from app.core.links import external_url
from app.core.permissions import Role, require_admin, require_signed_in, require_staff
from app.core.realtime import signed_out_after_commit
from app.extensions import db
from app.i18n import is_valid_timezone
from app.i18n.zones import main_zone
from app.notifications.mail import compose, queue_email
from app.registry.models import Nation

# Sign-in throttling per (account, client address): after THROTTLE_FREE failures the address
# waits THROTTLE_BASE, doubling with each further failure up to THROTTLE_MAX. Other addresses,
# the owner's included, are never held back by it.
THROTTLE_FREE = 5
THROTTLE_BASE = timedelta(seconds=2)
THROTTLE_MAX = timedelta(minutes=15)
THROTTLE_FORGET = timedelta(days=1)
ADDRESS_MAX = 64
NAME_MAX = 120
USERS_PAGE_SIZE = 50
_INVITATION_SALT = "caravanserai.invitation"
_RESET_SALT = "caravanserai.password-reset"


def normalise_email(raw: str) -> str:
    """A syntactically valid address, lower-cased; raises Invalid otherwise."""
    try:
        result = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise Invalid(_l("Enter a valid e-mail address."), code="email_invalid",
                      field="email") from None
    return result.normalized.lower()


def clean_display_name(raw: str) -> str:
    """A trimmed display name of sensible length."""
    name = " ".join((raw or "").split())
    if not name:
        raise Invalid(_l("Enter your name."), code="name_required", field="display_name")
    if len(name) > NAME_MAX:
        raise Invalid(_l("Names are limited to %(count)d characters.", count=NAME_MAX),
                      code="name_too_long", field="display_name")
    if any(ch in name for ch in "<>"):
        raise Invalid(_l("Names cannot contain angle brackets."), code="name_markup",
                      field="display_name")
    return name


def check_locale(locale: str) -> str:
    """One of the interface languages."""
    if locale not in current_app.config["LANGUAGES"]:
        raise Invalid(_l("This language is not available."), code="locale_unknown", field="locale")
    return locale


def check_timezone(zone: str) -> str:
    """A known IANA time zone."""
    if not is_valid_timezone(zone):
        raise Invalid(_l("Choose a time zone from the list."), code="timezone_unknown",
                      field="timezone")
    return zone


def check_role(role: str) -> Role:
    """One of the platform roles."""
    try:
        return Role(role)
    except ValueError:
        raise Invalid(_l("Choose a role from the list."), code="role_unknown", field="role") from None


def find_nation(iso2: str | None) -> Nation | None:
    """The State with ISO code `iso2`, None for no delegation."""
    if not iso2:
        return None
    nation = db.session.scalar(select(Nation).where(Nation.iso2 == iso2.upper()))
    if nation is None:
        raise Invalid(_l("Choose a State from the list."), code="nation_unknown", field="nation")
    return nation


def get_user_by_email(email: str) -> User | None:
    """The account registered with `email`, whatever its case."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def get_user(user_id: int) -> User:
    """The account with `user_id`, or NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def _ensure_email_free(email: str) -> None:
    if get_user_by_email(email) is not None:
        raise Conflict(_l("An account with this e-mail address already exists."),
                       code="email_taken", field="email")


def create_user(email: str, display_name: str, password: str, *, role: Role = Role.OBSERVER,
                locale: str = "en", timezone: str = "UTC", nation: Nation | None = None,
                timezone_confirmed: bool = False) -> User:
    """Create an active account (the CLI's first admin, invitations, demo data)."""
    email = normalise_email(email)
    display_name = clean_display_name(display_name)
    _ensure_email_free(email)
    check_password_policy(password, email=email, name=display_name)
    user = User(email=email, display_name=display_name, password_hash=hash_password(password),
                role=role.value, locale=check_locale(locale), timezone=check_timezone(timezone),
                nation=nation, active=True, failed_logins=0, session_epoch=0,
                timezone_confirmed=timezone_confirmed)
    db.session.add(user)
    db.session.flush()
    return user


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def invite(actor: User, email: str, role: str, *, display_name: str = "", locale: str = "en",
           nation_iso2: str | None = None) -> tuple[Invitation, str]:
    """Invite an address to join with a role; returns the invitation and its signed token."""
    require_staff(actor)
    email = normalise_email(email)
    role_value = check_role(role)
    if role_value == Role.ADMIN and actor.role_enum != Role.ADMIN:
        raise Forbidden(_l("Only administrators can invite administrators."), code="admin_only")
    _ensure_email_free(email)
    name = clean_display_name(display_name) if display_name.strip() else ""
    now = utcnow()
    for pending in db.session.scalars(select(Invitation).where(
            Invitation.email == email, Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None))):
        pending.revoked_at = now
    invitation = Invitation(
        email=email, display_name=name, role=role_value.value, locale=check_locale(locale),
        nation=find_nation(nation_iso2), invited_by=actor, created_at=now,
        expires_at=now + timedelta(seconds=current_app.config["INVITATION_MAX_AGE"]))
    db.session.add(invitation)
    db.session.flush()
    token = _serializer(_INVITATION_SALT).dumps({"i": invitation.id})
    queue_email(email, "email/invitation", invitation.locale, invitation=invitation,
                inviter=actor, link=external_url("accounts.accept_invitation", token=token))
    return invitation, token


def invitation_from_token(token: str) -> Invitation:
    """The open invitation a token stands for; raises Invalid for a bad, expired or used token."""
    max_age = current_app.config["INVITATION_MAX_AGE"]
    try:
        payload = _serializer(_INVITATION_SALT).loads(token, max_age=max_age)
    except SignatureExpired:
        raise Invalid(_l("This invitation has expired. Ask the organiser for a new one."),
                      code="invitation_expired") from None
    except BadSignature:
        raise Invalid(_l("This invitation link is not valid."), code="invitation_invalid") from None
    invitation = db.session.get(Invitation, payload.get("i") if isinstance(payload, dict) else None)
    if invitation is None or invitation.revoked_at is not None:
        raise Invalid(_l("This invitation link is not valid."), code="invitation_invalid")
    if invitation.accepted_at is not None:
        raise Invalid(_l("This invitation has already been used. Sign in instead."),
                      code="invitation_used")
    if invitation.expires_at <= utcnow():
        raise Invalid(_l("This invitation has expired. Ask the organiser for a new one."),
                      code="invitation_expired")
    return invitation


def accept_invitation(token: str, display_name: str, password: str, *, timezone: str,
                      locale: str | None = None) -> User:
    """Create the invitee's account from a valid invitation; the link then stops working."""
    invitation = invitation_from_token(token)
    user = create_user(invitation.email, display_name, password, role=Role(invitation.role),
                       locale=locale or invitation.locale, timezone=timezone,
                       nation=invitation.nation, timezone_confirmed=True)
    invitation.accepted_at = utcnow()
    invitation.user_id = user.id
    return user


def _throttle(user: User, address: str) -> LoginThrottle | None:
    return db.session.scalar(select(LoginThrottle).where(LoginThrottle.user_id == user.id,
                                                         LoginThrottle.address == address))


def _record_failure(user: User, address: str, now: datetime) -> None:
    """Count a failure from `address` and set when it may try again; forget stale addresses."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.user_id == user.id,
                                                   LoginThrottle.updated_at < now - THROTTLE_FORGET))
    throttle = _throttle(user, address)
    if throttle is None:
        try:
            with db.session.begin_nested():
                throttle = LoginThrottle(user_id=user.id, address=address, failures=0,
                                         updated_at=now)
                db.session.add(throttle)
        except IntegrityError:
            # A simultaneous failure from the same address stored the row first.
            throttle = _throttle(user, address)
            if throttle is None:
                raise
    throttle.failures += 1
    throttle.updated_at = now
    if throttle.failures >= THROTTLE_FREE:
        step = min(throttle.failures - THROTTLE_FREE, 16)
        throttle.retry_at = now + min(THROTTLE_BASE * (2 ** step), THROTTLE_MAX)
    user.failed_logins += 1


def authenticate(email: str, password: str, address: str | None = None) -> User:
    """The account for these credentials; failures slow down that address for that account only."""
    invalid = Invalid(_l("The e-mail address or password is not correct."), code="login_failed",
                      persist=True)
    try:
        email = normalise_email(email)
    except Invalid:
        raise invalid from None
    address = (address or "unknown")[:ADDRESS_MAX]
    user = get_user_by_email(email)
    now = utcnow()
    stored_hash = user.password_hash if user is not None else None
    end_idle_transaction()  # the hash takes about a second: not under SQLite's write lock
    correct = verify_password(stored_hash, password)
    if user is None:
        raise invalid
    throttle = _throttle(user, address)
    if throttle is not None and throttle.retry_at is not None and throttle.retry_at > now:
        wait = timedelta(seconds=max(1, round((throttle.retry_at - now).total_seconds())))
        raise RateLimited(_l("Too many failed attempts from your connection. Try again in "
                             "%(wait)s.", wait=format_timedelta(wait, threshold=2)),
                          code="login_throttled", persist=True)
    if not correct:
        _record_failure(user, address, now)
        raise invalid
    if not user.active:
        raise Forbidden(_l("This account has been deactivated. Contact the TDI secretariat."),
                        code="account_inactive")
    if throttle is not None:
        db.session.delete(throttle)
    user.failed_logins = 0
    user.last_login_at = now
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    return user


def load_session_user(session_id: str) -> User | None:
    """The user behind a session identifier, None when it was revoked."""
    try:
        user_id, epoch = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_epoch != epoch or not user.active:
        return None
    return user


def request_password_reset(email: str) -> str | None:
    """E-mail a reset link when the address has an active account; reveals nothing either way."""
    try:
        email = normalise_email(email)
    except Invalid:
        raise
    user = get_user_by_email(email)
    if user is None or not user.active:
        # The same work as for a real account (a token, the composed mail), then nothing is kept:
        # the answer's timing must not tell whether the address has an account.
        nobody = User(email=email, display_name=email, locale="en", session_epoch=0)
        token = _serializer(_RESET_SALT).dumps({"u": 0, "e": 0})
        compose(email, "email/password_reset", "en", user=nobody,
                link=external_url("accounts.reset_password", token=token))
        return None
    token = _serializer(_RESET_SALT).dumps({"u": user.id, "e": user.session_epoch})
    queue_email(user.email, "email/password_reset", user.locale, user=user,
                link=external_url("accounts.reset_password", token=token))
    return token


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; the link works once."""
    try:
        payload = _serializer(_RESET_SALT).loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise Invalid(_l("This reset link has expired. Ask for a new one."),
                      code="reset_expired") from None
    except BadSignature:
        raise Invalid(_l("This reset link is not valid."), code="reset_invalid") from None
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None or not user.active or user.session_epoch != payload.get("e"):
        raise Invalid(_l("This reset link is not valid."), code="reset_invalid")
    _set_password(user, password)
    user.failed_logins = 0
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.user_id == user.id))
    return user


def _end_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of `user` and close their sockets."""
    user.session_epoch += 1
    signed_out_after_commit(user.id)


def end_sessions(actor: User) -> User:
    """End the member's sessions on the server: cookies, remember-me cookies and open sockets.

    Sessions live in signed cookies and the server keeps one epoch per account, so this ends the
    sessions on every device of the account (sign-out; "sign out everywhere else" then signs the
    current browser in again with the new epoch).
    """
    user = require_signed_in(actor)
    _end_sessions(user)
    return user


def _set_password(user: User, password: str) -> None:
    check_password_policy(password, email=user.email, name=user.display_name)
    user.password_hash = hash_password(password)
    _end_sessions(user)


def update_profile(actor: User, *, display_name: str, locale: str, timezone: str) -> User:
    """Change the actor's own name, language and time zone."""
    user = require_signed_in(actor)
    name = clean_display_name(display_name)
    lang = check_locale(locale)
    zone = check_timezone(timezone)
    user.display_name, user.locale, user.timezone = name, lang, zone
    user.timezone_confirmed = True
    return user


def confirm_timezone(actor: User, timezone: str) -> User:
    """The member says which zone they are really in (the banner shown while it is a guess)."""
    user = require_signed_in(actor)
    user.timezone = check_timezone(timezone)
    user.timezone_confirmed = True
    return user


def proposed_timezone(nation: Nation | None) -> str:
    """The zone to offer before the browser tells us better: the State's main zone, else UTC."""
    return main_zone(nation.iso2 if nation else None) or "UTC"


def set_language(actor: User, locale: str) -> User:
    """Change only the actor's interface language (the language switcher)."""
    user = require_signed_in(actor)
    user.locale = check_locale(locale)
    return user


def change_password(actor: User, current: str, new: str) -> User:
    """Change the actor's password after checking the current one."""
    user = require_signed_in(actor)
    if not verify_password(user.password_hash, current):
        raise Invalid(_l("Your current password is not correct."), code="password_wrong",
                      field="current_password")
    _set_password(user, new)
    return user


@dataclass(frozen=True)
class UserPage:
    """One page of the administrators' user list."""

    users: list[User]
    total: int
    page: int
    pages: int


def list_users(actor: User, *, query: str = "", role: str = "", page: int = 1) -> UserPage:
    """Search accounts by name or e-mail, optionally by role (organisers and admins)."""
    require_staff(actor)
    conditions = []
    if query.strip():
        pattern = f"%{query.strip().lower()}%"
        conditions.append(or_(func.lower(User.display_name).like(pattern), User.email.like(pattern)))
    if role:
        conditions.append(User.role == check_role(role).value)
    total = db.session.scalar(select(func.count(User.id)).where(*conditions)) or 0
    pages = max(1, -(-total // USERS_PAGE_SIZE))
    page = min(max(page, 1), pages)
    users = list(db.session.scalars(
        select(User).where(*conditions).order_by(func.lower(User.display_name), User.id)
        .offset((page - 1) * USERS_PAGE_SIZE).limit(USERS_PAGE_SIZE)))
    return UserPage(users=users, total=total, page=page, pages=pages)


def change_role(actor: User, user: User, role: str) -> User:
    """An administrator changes someone's role (never their own, to keep one admin at least)."""
    require_admin(actor)
    new_role = check_role(role)
    if user.id == actor.id:
        raise Forbidden(_l("You cannot change your own role."), code="own_role")
    user.role = new_role.value
    return user


def set_active(actor: User, user: User, active: bool) -> User:
    """An administrator deactivates or reactivates an account; deactivation ends its sessions."""
    require_admin(actor)
    if user.id == actor.id:
        raise Forbidden(_l("You cannot deactivate your own account."), code="own_account")
    if user.active and not active:
        _end_sessions(user)
    user.active = active
    return user
