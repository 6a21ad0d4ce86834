"""The registry's rules: reference States, signatures, Supporting Partners, depositary
notifications, subscriptions, Tech Ambassador appointments and the commitments tracker."""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from babel import Locale
from babel.lists import format_list
from flask import current_app
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import false, func, or_, select

from app.core.audit import record
from app.core.csvsafe import safe_cell
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.geography import REGIONS
from app.core.links import external_url
from app.core.permissions import Role, require_signed_in, require_staff
from app.extensions import db
from app.i18n import current_language, fold, territory_name
from app.notifications.mail import queue_email
from app.registry.models import (
    DECLARATION_OPENED,
    Appointment,
    AppointmentLevel,
    CommitmentReport,
    CommitmentStatus,
    DepositaryNotification,
    Grouping,
    GroupingMembership,
    Nation,
    NotificationSubscription,
    Partner,
    PartnerCategory,
    PartnerStatus,
    Signature,
)

if TYPE_CHECKING:
    from app.accounts.models import User

NATIONS_FILE = Path(__file__).parent / "data" / "nations.json"

GROUPING_LABELS = {
    Grouping.LDC: _l("Least developed countries (LDC)"),
    Grouping.LLDC: _l("Landlocked developing countries (LLDC)"),
    Grouping.SIDS: _l("Small island developing States (SIDS)"),
}


@dataclass(frozen=True)
class LoadReport:
    """What a load of the reference data changed."""

    created: int
    updated: int
    groupings: int


def _parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def read_reference_file(path: Path = NATIONS_FILE) -> dict:
    """The committed nations file, checked for shape."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise Invalid(_l("The reference data file cannot be read: %(error)s", error=str(error)),
                      code="reference_unreadable") from None
    if not isinstance(data, dict) or not isinstance(data.get("nations"), list):
        raise Invalid(_l("The reference data file has no list of nations."), code="reference_shape")
    return data


def load_nations(path: Path = NATIONS_FILE) -> LoadReport:
    """Insert or update every State and its groupings from the committed file (idempotent)."""
    data = read_reference_file(path)
    sources = data.get("sources", {})
    existing = {n.iso2: n for n in db.session.scalars(select(Nation))}
    created = updated = memberships = 0
    for row in data["nations"]:
        nation = existing.get(row["iso2"])
        fields = {
            "iso3": row["iso3"], "m49": row["m49"], "name": row["name"],
            "un_status": row["un_status"], "region": row["region"], "subregion": row["subregion"],
            "intermediate_region": row.get("intermediate_region"),
        }
        if nation is None:
            nation = Nation(iso2=row["iso2"], **fields)
            db.session.add(nation)
            created += 1
        elif any(getattr(nation, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(nation, key, value)
            updated += 1
        wanted = {
            (g["grouping"], _parse_day(g.get("since")), _parse_day(g.get("until")),
             sources.get(g.get("source", ""), g.get("source", ""))[:300])
            for g in row.get("groupings", [])
        }
        have = {(m.grouping, m.since, m.until, m.source) for m in nation.groupings}
        if wanted != have:
            nation.groupings.clear()
            db.session.flush()
            for grouping, since, until, source in sorted(wanted, key=lambda w: (w[0], str(w[1]))):
                nation.groupings.append(GroupingMembership(
                    grouping=grouping, since=since, until=until, source=source))
                memberships += 1
    db.session.flush()
    return LoadReport(created=created, updated=updated, groupings=memberships)


def nation_name(nation: Nation, language: str | None = None) -> str:
    """The State's name from CLDR in the viewer's language."""
    return territory_name(nation.iso2, language)


def sort_key(text: str) -> str:
    """A language-neutral sort key that ignores accents and case."""
    return fold(text)


def all_nations() -> list[Nation]:
    """Every State, in one query."""
    return list(db.session.scalars(select(Nation)))


@cache
def territory_names(language: str) -> dict[str, str]:
    """Every CLDR territory name in `language` (English where CLDR has none), built once."""
    return {**Locale.parse("en").territories, **Locale.parse(language).territories}


def nation_choices(nations: list[Nation] | None = None) -> list[tuple[str, str]]:
    """(ISO code, localised name) pairs sorted by name, for select boxes."""
    names = territory_names(current_language())
    pairs = [(n.iso2, names.get(n.iso2, n.iso2)) for n in (nations or all_nations())]
    return sorted(pairs, key=lambda pair: (sort_key(pair[1]), pair[1]))


def members_of(grouping: Grouping, day: date) -> list[Nation]:
    """The States in `grouping` on `day`."""
    query = (select(Nation).join(GroupingMembership)
             .where(GroupingMembership.grouping == grouping.value)
             .where((GroupingMembership.since.is_(None)) | (GroupingMembership.since <= day))
             .where((GroupingMembership.until.is_(None)) | (GroupingMembership.until > day))
             .distinct())
    return list(db.session.scalars(query))


# --- Registry: vocabulary ----------------------------------------------------------------------

CATEGORY_LABELS = {
    PartnerCategory.PRIVATE_SECTOR: _l("Private sector"),
    PartnerCategory.CIVIL_SOCIETY: _l("Civil society"),
    PartnerCategory.ACADEMIA: _l("Academia"),
    PartnerCategory.INTERNATIONAL_ORGANISATION: _l("International organisation"),
}
LEVEL_LABELS = {
    AppointmentLevel.MINISTERIAL: _l("Ministerial"),
    AppointmentLevel.DEPUTY_MINISTERIAL: _l("Deputy ministerial"),
    AppointmentLevel.EQUIVALENT: _l("Equivalent"),
}
COMMITMENT_STATUS_LABELS = {
    CommitmentStatus.NOT_STARTED: _l("Not started"),
    CommitmentStatus.IN_PROGRESS: _l("In progress"),
    CommitmentStatus.IMPLEMENTED: _l("Implemented"),
}
#: The Declaration's commitments, keyed by article; the short titles are ours.
COMMITMENTS = {
    "1.1": _l("Appoint a Tech Ambassador"),
    "1.2": _l("Integrate tech diplomacy with foreign policy"),
    "1.3": _l("Take part in the TDI community"),
    "2.1": _l("Contribute to global standards"),
    "2.2": _l("Advance digital rights and inclusion"),
    "3.1": _l("Participate in the Forum"),
    "3.2": _l("Engage regionally and thematically"),
    "3.3": _l("Cooperate bilaterally and multilaterally"),
}
PUBLIC_STATUSES = ("active", "withdrawn")
NOTIFICATION_KINDS = {
    "signature": _l("Signature"),
    "withdrawal": _l("Withdrawal"),
    "correction": _l("Correction"),
    "endorsement": _l("Supporting Partner endorsement"),
    "appointment": _l("Tech Ambassador appointment"),
}
#: How a correction notice names the corrected fields of a signature.
SIGNATURE_FIELD_LABELS = {
    "signed_on": _l("Date of signature"),
    "authority_name": _l("Signing authority"),
    "authority_title": _l("Title of the signing authority"),
    "note_reference": _l("Reference of the diplomatic note"),
    "note": _l("Note"),
}
NAME_MAX = 120
TITLE_MAX = 200
ORGANISATION_MAX = 200
REFERENCE_MAX = 120
NOTE_MAX = 2000
STATEMENT_MAX = 3000
NARRATIVE_MAX = 5000
REASON_MAX = 1000
EVIDENCE_MAX = 10
URL_MAX = 300
PARTNERS_PAGE_SIZE = 50
_PARTNER_SALT = "caravanserai.partner-confirmation"
_MARKUP = re.compile(r"<\s*[a-z/!?]|javascript\s*:|on[a-z]+\s*=", re.IGNORECASE)


# --- Registry: input checks ---------------------------------------------------------------------

def organisation_key(name: str) -> str:
    """What makes two spellings of an organisation's name the same one."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(name)).split())


def clean_text(raw: str | None, *, field: str, limit: int, required: bool = True,
               multiline: bool = False) -> str:
    """Trimmed plain text: required when asked, within `limit`, never markup."""
    text = (raw or "").strip() if multiline else " ".join((raw or "").split())
    if required and not text:
        raise Invalid(_l("This field is required."), code="required", field=field)
    if len(text) > limit:
        raise Invalid(_l("This text is limited to %(count)d characters.", count=limit),
                      code="too_long", field=field)
    if _MARKUP.search(text):
        raise Invalid(_l("Please write plain text: HTML and scripts are not accepted."),
                      code="markup", field=field)
    return text


def clean_url(raw: str | None, *, field: str) -> str:
    """An http(s) address with a real host name."""
    url = (raw or "").strip()
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").encode("idna").decode()
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except (ValueError, UnicodeError):
        parts, host = urlsplit(""), ""
    if (parts.scheme not in ("http", "https") or "." not in host or len(url) > URL_MAX
            or any(ch.isspace() or ch in "<>\"'" for ch in url)
            or not re.fullmatch(r"[a-z0-9.-]+", host)):
        raise Invalid(_l("Enter a full web address starting with https://."), code="url_invalid",
                      field=field)
    return url


def website_key(url: str) -> str:
    """The part of a web address that identifies an organisation (host and path)."""
    parts = urlsplit(url.lower())
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}"


def check_signing_date(day: date | None, *, field: str, today: date | None = None) -> date:
    """A date between the Declaration's opening and today."""
    if day is None:
        raise Invalid(_l("Enter a date."), code="date_required", field=field)
    if day > (today or utcnow().date()):
        raise Invalid(_l("The date cannot be in the future."), code="date_future", field=field)
    if day < DECLARATION_OPENED:
        raise Invalid(_l("The date cannot be before the Declaration opened on 1 November 2025."),
                      code="date_too_early", field=field)
    return day


def nation_by_iso(iso2: str | None, *, field: str = "nation") -> Nation:
    """The State with this ISO 3166 alpha-2 code, or a clear error."""
    code = (iso2 or "").strip().upper()
    nation = db.session.scalar(select(Nation).where(Nation.iso2 == code)) if len(code) == 2 else None
    if nation is None:
        raise Invalid(_l("Unknown country code: choose a State from the list."),
                      code="nation_unknown", field=field)
    return nation


# --- Registry: depositary notifications ---------------------------------------------------------

def issue_notification(actor: User | None, kind: str, *, nation: Nation | None = None,
                       partner: Partner | None = None, **params: Any) -> DepositaryNotification:
    """Append the next numbered notification of the year and tell confirmed subscribers."""
    now = utcnow()
    last = db.session.scalar(select(func.max(DepositaryNotification.sequence))
                             .where(DepositaryNotification.year == now.year)) or 0
    notification = DepositaryNotification(
        year=now.year, sequence=last + 1, kind=kind, nation=nation, partner=partner,
        params=params, actor_id=getattr(actor, "id", None), created_at=now)
    db.session.add(notification)
    db.session.flush()
    link = external_url("registry.notifications", _anchor=f"n{notification.id}")
    for subscription in db.session.scalars(select(NotificationSubscription).where(
            NotificationSubscription.confirmed_at.is_not(None))):
        queue_email(subscription.email, "email/registry_notification", subscription.locale,
                    notification=notification, notification_text=notification_text,
                    link=link,
                    unsubscribe=(unsubscribe := external_url("registry.unsubscribe", token=subscription.token)),
                    list_unsubscribe=unsubscribe)
    return notification


def notification_text(notification: DepositaryNotification) -> str:
    """What a notification announces, in the current language."""
    p = notification.params
    state = territory_name(notification.nation.iso2) if notification.nation else ""
    if notification.kind == "signature":
        return _("%(state)s signed the Declaration on %(date)s.", state=state,
                  date=format_date(date.fromisoformat(p["date"]), "long"))
    if notification.kind == "withdrawal":
        return _("%(state)s withdrew its signature of the Declaration on %(date)s.", state=state,
                  date=format_date(date.fromisoformat(p["date"]), "long"))
    if notification.kind == "correction":
        labels = [str(SIGNATURE_FIELD_LABELS[f]) for f in p.get("fields", [])
                  if f in SIGNATURE_FIELD_LABELS]
        return _("The registry entry of %(state)s was corrected (%(fields)s).", state=state,
                  fields=format_list(labels, locale=str(get_locale() or "en")))
    if notification.kind == "endorsement":
        return _("%(name)s (%(country)s) endorsed the Declaration as a Supporting Partner on "
                  "%(date)s.", name=p["name"], country=territory_name(p["country"]),
                  date=format_date(date.fromisoformat(p["date"]), "long"))
    return _("%(state)s appointed %(name)s, %(title)s, as its Tech Ambassador on %(date)s.",
              state=state, name=p["name"], title=p["title"],
              date=format_date(date.fromisoformat(p["date"]), "long"))


def list_notifications(*, limit: int = 100, page: int = 1) -> list[DepositaryNotification]:
    """The newest depositary notifications first, `limit` per page."""
    return list(db.session.scalars(select(DepositaryNotification)
                                   .order_by(DepositaryNotification.id.desc())
                                   .offset((max(page, 1) - 1) * limit).limit(limit)))


def notifications_before(before_id: int | None, limit: int) -> list[DepositaryNotification]:
    """Up to `limit` notifications older than `before_id` (all when None), newest first."""
    query = select(DepositaryNotification).order_by(DepositaryNotification.id.desc())
    if before_id is not None:
        query = query.where(DepositaryNotification.id < before_id)
    return list(db.session.scalars(query.limit(limit)))


def notification_pages(limit: int = 100) -> int:
    """How many pages of notifications there are."""
    total = db.session.scalar(select(func.count(DepositaryNotification.id))) or 0
    return max(1, -(-total // limit))


# --- Registry: signatures -----------------------------------------------------------------------

def _signature_fields(*, signed_on: date | None, authority_name: str, authority_title: str,
                      note_reference: str, note: str) -> dict[str, Any]:
    return {
        "signed_on": check_signing_date(signed_on, field="signed_on"),
        "authority_name": clean_text(authority_name, field="authority_name", limit=NAME_MAX),
        "authority_title": clean_text(authority_title, field="authority_title", limit=TITLE_MAX),
        "note_reference": clean_text(note_reference, field="note_reference", limit=REFERENCE_MAX),
        "note": clean_text(note, field="note", limit=NOTE_MAX, required=False, multiline=True),
    }


def active_signature(nation: Nation) -> Signature | None:
    """The State's signature in force, if any."""
    return db.session.scalar(select(Signature).where(Signature.nation_id == nation.id,
                                                     Signature.withdrawn_on.is_(None)))


def get_signature(signature_id: int) -> Signature:
    """A signature by id, or NotFound."""
    signature = db.session.get(Signature, signature_id)
    if signature is None:
        raise NotFound()
    return signature


def record_signature(actor: User, iso2: str, *, signed_on: date | None, authority_name: str,
                     authority_title: str, note_reference: str, note: str = "") -> Signature:
    """An organiser records a State's signature (one in force per State)."""
    require_staff(actor)
    nation = nation_by_iso(iso2)
    fields = _signature_fields(signed_on=signed_on, authority_name=authority_name,
                               authority_title=authority_title, note_reference=note_reference,
                               note=note)
    if active_signature(nation) is not None:
        raise Conflict(_l("%(state)s has already signed; correct or withdraw that entry instead.",
                          state=territory_name(nation.iso2)), code="already_signed", field="nation")
    now = utcnow()
    signature = Signature(nation=nation, recorded_by_id=actor.id, created_at=now, updated_at=now,
                          withdrawn_on=None, **fields)
    db.session.add(signature)
    db.session.flush()
    record(actor, "registry.signature_recorded", "signature", signature.id, nation=nation.iso2,
           **_jsonable(fields))
    issue_notification(actor, "signature", nation=nation, date=fields["signed_on"].isoformat())
    return signature


def correct_signature(actor: User, signature: Signature, *, signed_on: date | None,
                      authority_name: str, authority_title: str, note_reference: str,
                      note: str = "") -> Signature:
    """An organiser corrects an entry; the previous values stay in the audit trail."""
    require_staff(actor)
    fields = _signature_fields(signed_on=signed_on, authority_name=authority_name,
                               authority_title=authority_title, note_reference=note_reference,
                               note=note)
    if signature.withdrawn_on is not None and fields["signed_on"] > signature.withdrawn_on:
        raise Invalid(_l("The signature cannot be dated after its withdrawal."),
                      code="date_after_withdrawal", field="signed_on")
    changed = {key: (getattr(signature, key), value) for key, value in fields.items()
               if getattr(signature, key) != value}
    if not changed:
        raise Invalid(_l("Nothing was changed."), code="unchanged")
    for key, (_old, new) in changed.items():
        setattr(signature, key, new)
    signature.updated_at = utcnow()
    record(actor, "registry.signature_corrected", "signature", signature.id,
           nation=signature.nation.iso2,
           before=_jsonable({k: old for k, (old, _new) in changed.items()}),
           after=_jsonable({k: new for k, (_old, new) in changed.items()}))
    issue_notification(actor, "correction", nation=signature.nation, fields=sorted(changed))
    return signature


def withdraw_signature(actor: User, signature: Signature, withdrawn_on: date | None) -> Signature:
    """An organiser records a withdrawal; the entry stays, shown as withdrawn."""
    require_staff(actor)
    if signature.withdrawn_on is not None:
        raise Conflict(_l("This signature has already been withdrawn."), code="already_withdrawn")
    day = check_signing_date(withdrawn_on, field="withdrawn_on")
    if day < signature.signed_on:
        raise Invalid(_l("A withdrawal cannot precede the signature."),
                      code="withdrawal_before_signature", field="withdrawn_on")
    signature.withdrawn_on = day
    signature.updated_at = utcnow()
    record(actor, "registry.signature_withdrawn", "signature", signature.id,
           nation=signature.nation.iso2, withdrawn_on=day.isoformat())
    issue_notification(actor, "withdrawal", nation=signature.nation, date=day.isoformat())
    return signature


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


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


# --- Registry: Tech Ambassador appointments -----------------------------------------------------

def check_level(level: str | None) -> AppointmentLevel:
    """One of the appointment levels."""
    try:
        return AppointmentLevel(level or "")
    except ValueError:
        raise Invalid(_l("Choose a level from the list."), code="level_unknown",
                      field="level") from None


def appoint_ambassador(actor: User, iso2: str, *, name: str, title: str, level: str,
                       appointed_on: date | None, user_email: str = "") -> Appointment:
    """An organiser records a State's verified appointment of its Tech Ambassador."""
    from app.accounts.services import get_user_by_email

    require_staff(actor)
    nation = nation_by_iso(iso2)
    person = clean_text(name, field="name", limit=NAME_MAX)
    position = clean_text(title, field="title", limit=TITLE_MAX)
    rank = check_level(level)
    day = check_signing_date(appointed_on, field="appointed_on")
    user = get_user_by_email(user_email) if user_email.strip() else None
    if user_email.strip() and user is None:
        raise Invalid(_l("No account uses this e-mail address."), code="user_unknown",
                      field="user_email")
    appointment = Appointment(nation=nation, name=person, title=position, level=rank.value,
                              appointed_on=day, user_id=user.id if user else None,
                              verified_by_id=actor.id, created_at=utcnow())
    db.session.add(appointment)
    db.session.flush()
    record(actor, "registry.ambassador_appointed", "appointment", appointment.id,
           nation=nation.iso2, name=person, title=position, level=rank.value,
           appointed_on=day.isoformat(), user_id=appointment.user_id)
    issue_notification(actor, "appointment", nation=nation, name=person, title=position,
                       level=rank.value, date=day.isoformat())
    return appointment


def current_appointment(nation: Nation) -> Appointment | None:
    """The State's most recent appointment."""
    return db.session.scalar(select(Appointment).where(Appointment.nation_id == nation.id)
                             .order_by(Appointment.appointed_on.desc(), Appointment.id.desc())
                             .limit(1))


# --- Registry: subscriptions to notifications ---------------------------------------------------

def subscribe(email: str, locale: str) -> NotificationSubscription:
    """Ask to receive notifications; nothing is sent until the address confirms."""
    from app.accounts.services import check_locale, normalise_email

    address = normalise_email(email)
    language = check_locale(locale)
    subscription = db.session.scalar(select(NotificationSubscription)
                                     .where(NotificationSubscription.email == address))
    if subscription is None:
        subscription = NotificationSubscription(email=address, locale=language,
                                                token=secrets.token_urlsafe(32),
                                                created_at=utcnow())
        db.session.add(subscription)
        db.session.flush()
    if subscription.confirmed_at is None:
        subscription.locale = language
        queue_email(address, "email/registry_subscribe", language,
                    link=external_url("registry.confirm_subscription", token=subscription.token))
    return subscription


def _subscription(token: str) -> NotificationSubscription:
    subscription = db.session.scalar(select(NotificationSubscription)
                                     .where(NotificationSubscription.token == token))
    if subscription is None:
        raise NotFound(_l("This subscription link is not valid (perhaps you already "
                          "unsubscribed)."), code="subscription_unknown")
    return subscription


def confirm_subscription(token: str) -> NotificationSubscription:
    """The address confirms it wants the notifications."""
    subscription = _subscription(token)
    if subscription.confirmed_at is None:
        subscription.confirmed_at = utcnow()
    return subscription


def subscription_for(token: str) -> NotificationSubscription:
    """The subscription a link's token names; NotFound otherwise."""
    return _subscription(token)


def unsubscribe(token: str) -> str:
    """Stop the notifications at once and forget the address; returns it."""
    subscription = _subscription(token)
    db.session.delete(subscription)
    return subscription.email


# --- Registry: the public list, search and exports ----------------------------------------------

@cache
def _name_index(languages: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Folded CLDR names of every territory in every interface language, built once per process.

    CLDR names only change with a Babel upgrade (a new process), so memory beats a database
    column that would have to be kept in step: 195 States x 7 languages is a few kilobytes.
    """
    index: dict[str, set[str]] = {}
    for language in languages:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                index.setdefault(code, set()).add(fold(name))
    return {code: tuple(sorted(names)) for code, names in index.items()}


def nations_matching(query: str) -> set[str]:
    """ISO codes of the States whose name in any interface language contains `query`."""
    needle = fold(query)
    if not needle:
        return set()
    index = _name_index(tuple(current_app.config["LANGUAGES"]))
    return {code for code, names in index.items()
            if needle == code.casefold() or any(needle in name for name in names)}


@dataclass(frozen=True)
class RegistryFilters:
    """What a visitor narrowed the registry to; the page and both exports honour it."""

    kind: str = ""
    q: str = ""
    region: str = ""
    subregion: str = ""
    grouping: str = ""
    category: str = ""
    country: str = ""
    status: str = ""
    sort: str = "name"
    page: int = 1

    def query_args(self, **changes: Any) -> dict[str, Any]:
        """Non-empty filters as URL arguments, with `changes` applied."""
        values = {k: v for k, v in asdict(self).items() if v and not (k == "page" and v == 1)}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}


STATE_SORTS = ("name", "date", "region")
PARTNER_SORTS = ("name", "date", "category", "country")


def parse_filters(args: Mapping[str, str], nations: list[Nation] | None = None) -> RegistryFilters:
    """Filters from URL arguments; an unknown value is a clear error, not a silent empty list."""
    def pick(key: str, allowed: Any, limit: int = 10) -> str:
        value = (args.get(key) or "").strip()[:limit]
        if value and value not in allowed:
            raise Invalid(_l("Unknown filter value: %(value)s", value=value),
                          code="filter_invalid", field=key)
        return value

    nations = nations or all_nations()
    try:
        page = max(1, int(args.get("page") or 1))
    except ValueError:
        page = 1
    return RegistryFilters(
        kind=pick("kind", ("states", "partners")),
        q=" ".join((args.get("q") or "").split())[:100],
        region=pick("region", REGIONS),
        subregion=pick("subregion", {n.subregion for n in nations}),
        grouping=pick("grouping", [g.value for g in Grouping] + ["none"]),
        category=pick("category", [c.value for c in PartnerCategory], 32),
        country=pick("country", {n.iso2 for n in nations}, 2),
        status=pick("status", PUBLIC_STATUSES),
        sort=pick("sort", STATE_SORTS + PARTNER_SORTS) or "name",
        page=page,
    )


def signatures_version(*, today: date | None = None) -> str:
    """A cheap fingerprint of what registry_states depends on (one query): signatures, the
    grouping memberships, and the day (memberships start and end on dates)."""
    count, newest, groupings = db.session.execute(select(
        func.count(Signature.id), func.max(Signature.updated_at),
        select(func.count(GroupingMembership.id)).scalar_subquery())).one()
    return f"{count}:{newest.isoformat() if newest else ''}:{groupings}:{today or utcnow().date()}"


@dataclass(frozen=True)
class StateEntry:
    """A signatory State as the registry shows it."""

    nation: Nation
    signature: Signature
    groupings: list[str]

    @property
    def status(self) -> str:
        return "active" if self.signature.is_active else "withdrawn"


def _nation_matches(nation: Nation, groupings: list[str], filters: RegistryFilters) -> bool:
    if filters.region and nation.region != filters.region:
        return False
    if filters.subregion and nation.subregion != filters.subregion:
        return False
    if filters.country and nation.iso2 != filters.country:
        return False
    if filters.grouping == "none":
        return not groupings
    return not filters.grouping or filters.grouping in groupings


def registry_states(filters: RegistryFilters, *, today: date | None = None) -> list[StateEntry]:
    """The States' latest signatures, filtered and sorted (two queries whatever the data)."""
    day = today or utcnow().date()
    latest: dict[int, Signature] = {}
    for signature in db.session.scalars(select(Signature).order_by(Signature.id)):
        latest[signature.nation_id] = signature
    matching = nations_matching(filters.q) if filters.q else None
    entries = []
    for signature in latest.values():
        nation = signature.nation
        groupings = nation.groupings_on(day)
        if matching is not None and nation.iso2 not in matching:
            continue
        if filters.status and (signature.is_active != (filters.status == "active")):
            continue
        if _nation_matches(nation, groupings, filters):
            entries.append(StateEntry(nation, signature, groupings))
    names = territory_names(current_language())
    by_name = {e.nation.iso2: (sort_key(names.get(e.nation.iso2, e.nation.iso2)),
                               names.get(e.nation.iso2, e.nation.iso2)) for e in entries}
    if filters.sort == "date":
        entries.sort(key=lambda e: (e.signature.signed_on, by_name[e.nation.iso2]))
    elif filters.sort == "region":
        entries.sort(key=lambda e: (REGIONS.index(e.nation.region) if e.nation.region in REGIONS
                                    else 9, by_name[e.nation.iso2]))
    else:
        entries.sort(key=lambda e: by_name[e.nation.iso2])
    return entries


def _partner_conditions(filters: RegistryFilters, today: date) -> list[Any]:
    conditions: list[Any] = [Partner.status == PartnerStatus.APPROVED.value]
    if filters.status == "withdrawn":
        conditions.append(false())
    if filters.q:
        # A Partner is found by its own name, or by its country's name in any interface language.
        by_name = Partner.name_key.contains(organisation_key(filters.q), autoescape=True)
        countries = nations_matching(filters.q)
        conditions.append(or_(by_name, Nation.iso2.in_(sorted(countries))) if countries else by_name)
    if filters.category:
        conditions.append(Partner.category == filters.category)
    if filters.country:
        conditions.append(Nation.iso2 == filters.country)
    if filters.region:
        conditions.append(Nation.region == filters.region)
    if filters.subregion:
        conditions.append(Nation.subregion == filters.subregion)
    if filters.grouping:
        in_grouping = (select(GroupingMembership.nation_id).where(
            or_(GroupingMembership.since.is_(None), GroupingMembership.since <= today),
            or_(GroupingMembership.until.is_(None), GroupingMembership.until > today)))
        if filters.grouping != "none":
            in_grouping = in_grouping.where(GroupingMembership.grouping == filters.grouping)
            conditions.append(Nation.id.in_(in_grouping))
        else:
            conditions.append(Nation.id.not_in(in_grouping))
    return conditions


@dataclass(frozen=True)
class PartnerPage:
    """One page of published Supporting Partners."""

    partners: list[Partner]
    total: int
    page: int
    pages: int


def registry_partners(filters: RegistryFilters, *, today: date | None = None) -> PartnerPage:
    """Published Supporting Partners, filtered, sorted and paged (two queries)."""
    conditions = _partner_conditions(filters, today or utcnow().date())
    base = select(Partner).join(Partner.nation).where(*conditions)
    total = db.session.scalar(select(func.count()).select_from(
        select(Partner.id).join(Partner.nation).where(*conditions).subquery())) or 0
    order = _partner_order(filters.sort)
    pages = max(1, -(-total // PARTNERS_PAGE_SIZE))
    page = min(filters.page, pages)
    partners = list(db.session.scalars(base.order_by(*order)
                                       .offset((page - 1) * PARTNERS_PAGE_SIZE)
                                       .limit(PARTNERS_PAGE_SIZE)))
    return PartnerPage(partners, total, page, pages)


def _partner_order(sort: str) -> tuple[Any, ...]:
    return {
        "date": (Partner.endorsed_on.desc(), Partner.name_key, Partner.id),
        "category": (Partner.category, Partner.name_key, Partner.id),
        "country": (Nation.name, Partner.name_key, Partner.id),
    }.get(sort, (Partner.name_key, Partner.id))


#: Upper bound of one answer of published_partners (the API pages through it with cursors).
PUBLISHED_PARTNERS_LIMIT = 5000


def published_partners(filters: RegistryFilters, *, today: date | None = None) -> list[Partner]:
    """Every published Supporting Partner the filters select, in the page's order (one query)."""
    conditions = _partner_conditions(filters, today or utcnow().date())
    return list(db.session.scalars(select(Partner).join(Partner.nation).where(*conditions)
                                   .order_by(*_partner_order(filters.sort))
                                   .limit(PUBLISHED_PARTNERS_LIMIT)))


@dataclass(frozen=True)
class RegistryCounts:
    """The headline figures of the registry."""

    states: int
    withdrawn: int
    partners: int
    by_category: dict[str, int]


def registry_counts() -> RegistryCounts:
    """Signatory States and published partners per category (two queries)."""
    states = dict(db.session.execute(
        select(Signature.withdrawn_on.is_(None), func.count(func.distinct(Signature.nation_id)))
        .group_by(Signature.withdrawn_on.is_(None))).all())
    by_category = dict(db.session.execute(
        select(Partner.category, func.count(Partner.id))
        .where(Partner.status == PartnerStatus.APPROVED.value).group_by(Partner.category)).all())
    return RegistryCounts(states=states.get(True, 0), withdrawn=states.get(False, 0),
                          partners=sum(by_category.values()),
                          by_category={c.value: by_category.get(c.value, 0)
                                       for c in PartnerCategory})


#: The documented, stable columns of /registry.csv and /registry.json (see docs/registry.md).
EXPORT_COLUMNS = ("kind", "name", "iso2", "iso3", "country", "category", "region", "subregion",
                  "groupings", "date", "status", "withdrawn_on")


def export_rows(filters: RegistryFilters, *, today: date | None = None) -> Iterator[dict[str, str]]:
    """Every entry the filters select, as plain strings in English (stable for machines)."""
    day = today or utcnow().date()
    if filters.kind in ("", "states") and not filters.category:
        for entry in registry_states(filters, today=day):
            nation, signature = entry.nation, entry.signature
            yield {"kind": "state", "name": territory_name(nation.iso2, "en"),
                   "iso2": nation.iso2, "iso3": nation.iso3, "country": nation.iso2,
                   "category": "", "region": nation.region, "subregion": nation.subregion,
                   "groupings": ";".join(entry.groupings),
                   "date": signature.signed_on.isoformat(), "status": entry.status,
                   "withdrawn_on": signature.withdrawn_on.isoformat() if signature.withdrawn_on else ""}
    if filters.kind in ("", "partners"):
        groupings: dict[int, list[str]] = {}
        for membership in db.session.scalars(select(GroupingMembership)):
            if membership.active_on(day):
                groupings.setdefault(membership.nation_id, []).append(membership.grouping)
        rows = db.session.execute(
            select(Partner.name, Partner.category, Partner.endorsed_on, Nation.id, Nation.iso2,
                   Nation.region, Nation.subregion)
            .join(Partner.nation).where(*_partner_conditions(filters, day))
            .order_by(Partner.name_key, Partner.id))
        for name, category, endorsed_on, nation_id, iso2, region, subregion in rows:
            yield {"kind": "partner", "name": name, "iso2": "", "iso3": "", "country": iso2,
                   "category": category, "region": region, "subregion": subregion,
                   "groupings": ";".join(sorted(groupings.get(nation_id, []))),
                   "date": endorsed_on.isoformat() if endorsed_on else "", "status": "active",
                   "withdrawn_on": ""}


def export_csv(filters: RegistryFilters) -> str:
    """The registry as CSV, formula-injection safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in export_rows(filters):
        writer.writerow([safe_cell(row[column]) for column in EXPORT_COLUMNS])
    return buffer.getvalue()


# --- Registry: a State's page -------------------------------------------------------------------

@dataclass(frozen=True)
class StatePage:
    """Everything a State's public page shows."""

    nation: Nation
    signatures: list[Signature]
    appointment: Appointment | None
    reports: dict[str, CommitmentReport]
    history: dict[str, list[CommitmentReport]]
    notifications: list[DepositaryNotification]


def state_page(iso2: str) -> StatePage:
    """A State's registry page: signatures (with withdrawals), ambassador, progress and its
    history, notifications."""
    nation = db.session.scalar(select(Nation).where(Nation.iso2 == (iso2 or "").upper()))
    if nation is None:
        raise NotFound()
    signatures = list(db.session.scalars(select(Signature).where(Signature.nation_id == nation.id)
                                         .order_by(Signature.signed_on.desc(), Signature.id.desc())))
    notifications = list(db.session.scalars(
        select(DepositaryNotification).where(DepositaryNotification.nation_id == nation.id)
        .order_by(DepositaryNotification.id.desc())))
    history: dict[str, list[CommitmentReport]] = {}
    for report in db.session.scalars(select(CommitmentReport)
                                     .where(CommitmentReport.nation_id == nation.id)
                                     .order_by(CommitmentReport.id.desc())):
        history.setdefault(report.commitment, []).append(report)
    return StatePage(nation, signatures, current_appointment(nation),
                     {key: reports[0] for key, reports in history.items()}, history, notifications)


def registry_audit(actor: User, *, limit: int = 300) -> list[Any]:
    """Every registry change with who made it and when (organisers only)."""
    from app.core.audit import AuditEvent

    require_staff(actor)
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("registry.%"))
                                   .order_by(AuditEvent.id.desc()).limit(limit)))


# --- Registry: commitments tracker --------------------------------------------------------------

def check_commitment(key: str | None) -> str:
    """One of the Declaration's commitment articles."""
    if key not in COMMITMENTS:
        raise Invalid(_l("Choose a commitment from the list."), code="commitment_unknown",
                      field="commitment")
    return key  # type: ignore[return-value]


def report_progress(actor: User, nation: Nation, *, commitment: str, status: str,
                    narrative: str, evidence: list[str] | str,
                    reported_on: date | None = None) -> CommitmentReport:
    """A State's ambassador reports on one commitment; earlier reports stay as history."""
    user = require_signed_in(actor)
    if Role(user.role) != Role.AMBASSADOR or user.nation_id != nation.id:
        raise Forbidden(_l("Only the Tech Ambassador of this State can report its progress."),
                        code="not_own_state")
    if active_signature(nation) is None:
        raise Invalid(_l("Only signatory States report on the commitments."),
                      code="not_signatory")
    key = check_commitment(commitment)
    try:
        state = CommitmentStatus(status or "")
    except ValueError:
        raise Invalid(_l("Choose a status from the list."), code="status_unknown",
                      field="status") from None
    text = clean_text(narrative, field="narrative", limit=NARRATIVE_MAX, multiline=True)
    lines = evidence.split() if isinstance(evidence, str) else list(evidence)
    if len(lines) > EVIDENCE_MAX:
        raise Invalid(_l("Give at most %(count)d evidence links.", count=EVIDENCE_MAX),
                      code="evidence_too_many", field="evidence")
    links = [clean_url(line, field="evidence") for line in lines if line.strip()]
    day = check_signing_date(reported_on or utcnow().date(), field="reported_on")
    report = CommitmentReport(nation_id=nation.id, commitment=key, status=state.value,
                              narrative=text, evidence=links, reported_on=day,
                              author_id=user.id, created_at=utcnow())
    db.session.add(report)
    db.session.flush()
    record(user, "registry.progress_reported", "commitment_report", report.id,
           nation=nation.iso2, commitment=key, status=state.value)
    return report


def review_report(actor: User, report: CommitmentReport) -> CommitmentReport:
    """An organiser marks a progress report as reviewed."""
    require_staff(actor)
    if report.reviewed_at is None:
        report.reviewed_at = utcnow()
        report.reviewed_by_id = actor.id
        record(actor, "registry.progress_reviewed", "commitment_report", report.id)
    return report


def get_report(report_id: int) -> CommitmentReport:
    """A progress report by id, or NotFound."""
    report = db.session.get(CommitmentReport, report_id)
    if report is None:
        raise NotFound()
    return report


def latest_reports(nation: Nation) -> dict[str, CommitmentReport]:
    """The newest report per commitment of one State."""
    latest: dict[str, CommitmentReport] = {}
    for report in db.session.scalars(select(CommitmentReport)
                                     .where(CommitmentReport.nation_id == nation.id)
                                     .order_by(CommitmentReport.id)):
        latest[report.commitment] = report
    return latest


def report_history(nation: Nation, commitment: str) -> list[CommitmentReport]:
    """Every report of a State on one commitment, newest first."""
    return list(db.session.scalars(select(CommitmentReport).where(
        CommitmentReport.nation_id == nation.id,
        CommitmentReport.commitment == check_commitment(commitment))
        .order_by(CommitmentReport.id.desc())))


def unreviewed_reports(actor: User) -> list[CommitmentReport]:
    """Reports no organiser has reviewed yet."""
    require_staff(actor)
    return list(db.session.scalars(select(CommitmentReport)
                                   .where(CommitmentReport.reviewed_at.is_(None))
                                   .order_by(CommitmentReport.id)))


@dataclass(frozen=True)
class Tally:
    """How many (State, commitment) pairs stand at each status."""

    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class ProgressOverview:
    """The aggregate figures of /registry/progress."""

    by_commitment: list[Tally]
    by_region: list[Tally]
    by_grouping: list[Tally]
    over_time: list[tuple[date, int]]
    signatories: list[Nation]


def _empty_counts() -> dict[str, int]:
    return {s.value: 0 for s in CommitmentStatus}


def progress_overview(*, today: date | None = None) -> ProgressOverview:
    """Aggregates over the States whose signature is in force (a fixed handful of queries)."""
    day = today or utcnow().date()
    signatures = list(db.session.scalars(select(Signature).order_by(Signature.id)))
    active = {s.nation_id: s.nation for s in signatures if s.is_active}
    latest: dict[tuple[int, str], str] = {}
    for nation_id, commitment, status in db.session.execute(
            select(CommitmentReport.nation_id, CommitmentReport.commitment,
                   CommitmentReport.status).order_by(CommitmentReport.id)):
        latest[(nation_id, commitment)] = status
    by_commitment = {key: _empty_counts() for key in COMMITMENTS}
    by_region = {region: _empty_counts() for region in REGIONS}
    by_grouping = {"developing": _empty_counts(), "rest": _empty_counts()}
    for nation_id, nation in active.items():
        developing = "developing" if nation.groupings_on(day) else "rest"
        for key in COMMITMENTS:
            status = latest.get((nation_id, key), CommitmentStatus.NOT_STARTED.value)
            by_commitment[key][status] += 1
            by_region.setdefault(nation.region, _empty_counts())[status] += 1
            by_grouping[developing][status] += 1
    events: dict[date, int] = {}
    for signature in signatures:
        events[signature.signed_on] = events.get(signature.signed_on, 0) + 1
        if signature.withdrawn_on:
            events[signature.withdrawn_on] = events.get(signature.withdrawn_on, 0) - 1
    running, over_time = 0, []
    for when in sorted(events):
        running += events[when]
        over_time.append((when, running))
    return ProgressOverview(
        by_commitment=[Tally(f"{key} {COMMITMENTS[key]}", counts)
                       for key, counts in by_commitment.items()],
        by_region=[Tally(territory_name(region), counts) for region, counts in by_region.items()],
        by_grouping=[Tally(str(_l("LDC, LLDC and SIDS")), by_grouping["developing"]),
                     Tally(str(_l("Other States")), by_grouping["rest"])],
        over_time=over_time,
        signatories=sorted(active.values(), key=lambda n: sort_key(territory_name(n.iso2))),
    )
