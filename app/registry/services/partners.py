"""Supporting Partners: applications, confirmation, review and publication."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import or_, select

from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.links import external_url
from app.core.permissions import require_staff
from app.extensions import db
from app.notifications.mail import queue_email
from app.registry.models import (
    Partner,
    PartnerCategory,
    PartnerStatus,
)
from app.registry.services.checks import (
    check_signing_date,
    clean_text,
    clean_url,
    nation_by_iso,
    organisation_key,
    website_key,
)
from app.registry.services.notifications import issue_notification
from app.registry.services.vocabulary import (
    _PARTNER_SALT,
    NAME_MAX,
    ORGANISATION_MAX,
    REASON_MAX,
    STATEMENT_MAX,
)

if TYPE_CHECKING:
    from app.accounts.models import User

# --- Registry: Supporting Partners --------------------------------------------------------------

def _partner_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_PARTNER_SALT)


def check_category(category: str | None) -> PartnerCategory:
    """One of the fixed Supporting Partner categories."""
    try:
        return PartnerCategory(category or "")
    except ValueError:
        raise Invalid(_l("Choose a category from the list."), code="category_unknown",
                      field="category") from None


def _find_duplicate(name_key: str, site_key: str) -> Partner | None:
    return db.session.scalar(select(Partner).where(
        Partner.status != PartnerStatus.REJECTED.value,
        or_(Partner.name_key == name_key, Partner.website_key == site_key)).limit(1))


def apply_as_partner(*, name: str, category: str, country: str, website: str,
                     contact_name: str, contact_email: str, statement: str,
                     locale: str) -> tuple[Partner, str]:
    """A visitor applies for their organisation; the contact address must confirm it."""
    from app.accounts.services import check_locale, normalise_email

    name = clean_text(name, field="name", limit=ORGANISATION_MAX)
    kind = check_category(category)
    nation = nation_by_iso(country, field="country")
    url = clean_url(website, field="website")
    contact = clean_text(contact_name, field="contact_name", limit=NAME_MAX)
    try:
        email = normalise_email(contact_email)
    except Invalid:
        raise Invalid(_l("Enter a valid e-mail address."), code="email_invalid",
                      field="contact_email") from None
    text = clean_text(statement, field="statement", limit=STATEMENT_MAX, multiline=True)
    language = check_locale(locale)
    name_key, site_key = organisation_key(name), website_key(url)
    if _find_duplicate(name_key, site_key) is not None:
        raise Conflict(_l("This organisation has already applied or is already registered."),
                       code="partner_duplicate", field="name")
    partner = Partner(name=name, name_key=name_key, category=kind.value, nation=nation,
                      website=url, website_key=site_key, contact_name=contact,
                      contact_email=email, statement=text, locale=language,
                      status=PartnerStatus.UNCONFIRMED.value, created_at=utcnow(),
                      rejection_reason="")
    db.session.add(partner)
    db.session.flush()
    token = _partner_serializer().dumps({"p": partner.id, "e": email})
    queue_email(email, "email/partner_confirm", language, partner=partner,
                link=external_url("registry.confirm_partner", token=token))
    record(None, "registry.partner_applied", "partner", partner.id, name=name)
    return partner, token


def confirm_partner_email(token: str) -> Partner:
    """The contact follows the e-mailed link: the application goes to the organisers."""
    try:
        payload = _partner_serializer().loads(token, max_age=7 * 24 * 3600)
    except BadSignature:
        raise Invalid(_l("This confirmation link is not valid or has expired."),
                      code="partner_token_invalid") from None
    partner = db.session.get(Partner, payload.get("p")) if isinstance(payload, dict) else None
    if partner is None or partner.contact_email != payload.get("e"):
        raise Invalid(_l("This confirmation link is not valid or has expired."),
                      code="partner_token_invalid")
    if partner.status == PartnerStatus.UNCONFIRMED.value:
        partner.status = PartnerStatus.PENDING.value
        partner.confirmed_at = utcnow()
        record(None, "registry.partner_confirmed", "partner", partner.id)
    return partner


def get_partner(partner_id: int) -> Partner:
    """Any application, for organisers' pages (check permissions before showing it)."""
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        raise NotFound()
    return partner


def get_public_partner(partner_id: int) -> Partner:
    """A published Supporting Partner; unpublished applications do not exist for visitors."""
    partner = db.session.get(Partner, partner_id)
    if partner is None or partner.status != PartnerStatus.APPROVED.value:
        raise NotFound()
    return partner


def _require_pending(partner: Partner) -> None:
    if partner.status != PartnerStatus.PENDING.value:
        raise Conflict(_l("Only confirmed applications awaiting a decision can be decided."),
                       code="partner_not_pending")


def approve_partner(actor: User, partner: Partner, endorsed_on: date | None = None) -> Partner:
    """An organiser approves an application: it is published with its endorsement date."""
    require_staff(actor)
    _require_pending(partner)
    day = check_signing_date(endorsed_on or utcnow().date(), field="endorsed_on")
    partner.status = PartnerStatus.APPROVED.value
    partner.endorsed_on = day
    partner.decided_at = utcnow()
    partner.decided_by_id = actor.id
    record(actor, "registry.partner_approved", "partner", partner.id, endorsed_on=day.isoformat())
    issue_notification(actor, "endorsement", partner=partner, name=partner.name,
                       country=partner.nation.iso2, category=partner.category,
                       date=day.isoformat())
    queue_email(partner.contact_email, "email/partner_decision", partner.locale, partner=partner,
                approved=True,
                link=external_url("registry.partner", partner_id=partner.id))
    return partner


def reject_partner(actor: User, partner: Partner, reason: str) -> Partner:
    """An organiser rejects an application with a reason the applicant is told."""
    require_staff(actor)
    _require_pending(partner)
    text = clean_text(reason, field="reason", limit=REASON_MAX, multiline=True)
    partner.status = PartnerStatus.REJECTED.value
    partner.rejection_reason = text
    partner.decided_at = utcnow()
    partner.decided_by_id = actor.id
    record(actor, "registry.partner_rejected", "partner", partner.id, reason=text)
    queue_email(partner.contact_email, "email/partner_decision", partner.locale, partner=partner,
                approved=False, link=None)
    return partner


def partner_queue(actor: User) -> list[Partner]:
    """Applications awaiting a decision (confirmed first), for organisers."""
    require_staff(actor)
    return list(db.session.scalars(select(Partner).where(Partner.status.in_(
        [PartnerStatus.PENDING.value, PartnerStatus.UNCONFIRMED.value]))
        .order_by(Partner.status, Partner.created_at)))
