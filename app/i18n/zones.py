"""Each State's main time zone: where a member of its delegation most likely is.

CLDR lists the zones of every territory; for the States spanning several, the capital's zone is
the main one (the table below, reviewed by hand). Used to propose a zone before the member
confirms their own, and for delegations whose members have confirmed none.
"""

from __future__ import annotations

from functools import cache

from babel.core import get_global

from app.i18n import is_valid_timezone

CAPITAL_ZONES = {
    "AR": "America/Argentina/Buenos_Aires", "AU": "Australia/Sydney", "BR": "America/Sao_Paulo",
    "CA": "America/Toronto", "CD": "Africa/Kinshasa", "CL": "America/Santiago",
    "CN": "Asia/Shanghai", "CY": "Asia/Nicosia", "DE": "Europe/Berlin",
    "EC": "America/Guayaquil", "ES": "Europe/Madrid", "FM": "Pacific/Pohnpei",
    "ID": "Asia/Jakarta", "KI": "Pacific/Tarawa", "KZ": "Asia/Almaty", "MH": "Pacific/Majuro",
    "MN": "Asia/Ulaanbaatar", "MX": "America/Mexico_City", "MY": "Asia/Kuala_Lumpur",
    "NZ": "Pacific/Auckland", "PG": "Pacific/Port_Moresby", "PS": "Asia/Hebron",
    "PT": "Europe/Lisbon", "RU": "Europe/Moscow", "UA": "Europe/Kyiv",
    "US": "America/New_York", "UZ": "Asia/Tashkent",
}


@cache
def main_zone(iso2: str | None) -> str | None:
    """The main IANA zone of a State (ISO 3166 alpha-2), or None when unknown."""
    if not iso2:
        return None
    code = iso2.upper()
    zones = get_global("territory_zones").get(code) or []
    zone = CAPITAL_ZONES.get(code) or (zones[0] if len(zones) == 1 else None)
    return zone if is_valid_timezone(zone) else None
