"""Matchmaking vocabulary: topics, spoken languages and the groupings given priority."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.convenings.labels import THEME_LABELS
from app.convenings.models import THEMES

# Finer tags under the convening themes; codes are stored, labels are translated.
FINE_TAGS = ("ai_safety", "open_source", "digital_public_infrastructure", "digital_identity",
             "e_government", "cross_border_data", "online_safety", "cyber_diplomacy",
             "capacity_building", "digital_trade", "semiconductors", "satellite_internet",
             "telecom_regulation", "health_data", "climate_tech", "research_cooperation")
TOPICS = THEMES + FINE_TAGS
TOPIC_LABELS = {
    **THEME_LABELS,
    "ai_safety": _l("AI safety and evaluation"),
    "open_source": _l("Open source"),
    "digital_public_infrastructure": _l("Digital public infrastructure"),
    "digital_identity": _l("Digital identity"),
    "e_government": _l("E-government services"),
    "cross_border_data": _l("Cross-border data flows"),
    "online_safety": _l("Online safety"),
    "cyber_diplomacy": _l("Cyber diplomacy and norms"),
    "capacity_building": _l("Capacity building"),
    "digital_trade": _l("Digital trade"),
    "semiconductors": _l("Semiconductors"),
    "satellite_internet": _l("Satellite internet"),
    "telecom_regulation": _l("Telecom regulation"),
    "health_data": _l("Health data"),
    "climate_tech": _l("Climate technology"),
    "research_cooperation": _l("Research cooperation"),
}
# Languages one can say one speaks (ISO 639-1); names come from CLDR in the viewer's language.
SPOKEN = ("ar", "zh", "en", "fr", "ru", "es", "uz", "pt", "de", "hi", "bn", "ur", "fa", "tr",
          "sw", "am", "ha", "id", "ms", "vi", "th", "ja", "ko", "it", "pl", "uk", "kk", "ky",
          "tg", "tk")
PRIORITY_GROUPINGS = frozenset({"LDC", "LLDC", "SIDS"})
MAX_BIO = 1000
MAX_MESSAGE = 1000
MAX_TOPICS = 12
MAX_TABLES = 1000
MAX_MOVES = 3
WAITING_LABELS = {
    "no_common_slot": _l("The two of you share no free slot."),
    "tables_full": _l("Every table is taken in the slots you share."),
    "conflicts": _l("Your other meetings fill the slots you share."),
    "fixed_tables": _l("Both of you keep a different fixed table."),
    "needs_batch": _l("Waiting for the organisers' next schedule run."),
}
STATUS_LABELS = {
    "pending": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
}
