"""Signatures of the Declaration: recording, correcting and withdrawing them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.permissions import require_staff
from app.extensions import db
from app.i18n import territory_name
from app.registry.models import (
    Nation,
    Signature,
)
from app.registry.services.checks import check_signing_date, clean_text, nation_by_iso
from app.registry.services.notifications import issue_notification
from app.registry.services.vocabulary import NAME_MAX, NOTE_MAX, REFERENCE_MAX, TITLE_MAX

if TYPE_CHECKING:
    from app.accounts.models import User

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
