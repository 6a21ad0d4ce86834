"""Reference data and constants shared by the registry rules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.errors import Invalid
from app.extensions import db
from app.i18n import current_language, fold, territory_name
from app.registry.models import (
    Grouping,
    GroupingMembership,
    Nation,
)

if TYPE_CHECKING:
    pass

NATIONS_FILE = Path(__file__).parent.parent / "data" / "nations.json"

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
