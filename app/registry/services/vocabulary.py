"""The registry's vocabulary: labels of categories, levels, statuses and commitments."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from app.registry.models import (
    AppointmentLevel,
    CommitmentStatus,
    PartnerCategory,
)

if TYPE_CHECKING:
    pass

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
