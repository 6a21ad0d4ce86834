"""How the convening vocabularies read, in the viewer's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "global_forum": _l("Global Tech Diplomacy Forum"),
    "regional": _l("Regional convening"),
    "thematic": _l("Thematic convening"),
    "issue": _l("Issue-specific convening"),
}
FORMAT_LABELS = {"in_person": _l("In person"), "online": _l("Online"), "hybrid": _l("Hybrid")}
VISIBILITY_LABELS = {
    "public": _l("Public"),
    "members": _l("Signatories and partners only"),
    "invitation": _l("Invitation only (organisers approve registrations)"),
}
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"), "cancelled": _l("Cancelled")}
THEME_LABELS = {
    "ai_governance": _l("AI governance"),
    "data_protection": _l("Data protection"),
    "cybersecurity": _l("Cybersecurity"),
    "digital_inclusion": _l("Digital inclusion"),
    "sustainable_development": _l("Sustainable development"),
    "responsible_technology": _l("Environmentally responsible technology"),
    "standards": _l("Standards"),
    "connectivity": _l("Connectivity"),
    "quantum": _l("Quantum"),
    "biotechnology": _l("Biotechnology"),
}
SESSION_KIND_LABELS = {
    "plenary": _l("Plenary"),
    "panel": _l("Panel"),
    "workshop": _l("Workshop"),
    "roundtable": _l("Roundtable"),
    "bilateral": _l("Bilateral meetings"),
    "break": _l("Break"),
    "social": _l("Social"),
}
REGISTRATION_LABELS = {
    "confirmed": _l("Registered"),
    "waitlisted": _l("On the waiting list"),
    "pending": _l("Waiting for approval"),
    "cancelled": _l("Cancelled"),
    "declined": _l("Declined"),
}


def choices(labels: dict[str, object]) -> list[tuple[str, str]]:
    """Select options from a label table."""
    return [(value, str(label)) for value, label in labels.items()]
