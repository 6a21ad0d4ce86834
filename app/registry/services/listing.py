"""The public registry list: filters, search, sorting and exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from babel import Locale
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, or_, select

from app.core.csvsafe import safe_cell
from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.geography import REGIONS
from app.extensions import db
from app.i18n import current_language, fold, territory_name
from app.registry.models import (
    Grouping,
    GroupingMembership,
    Nation,
    Partner,
    PartnerCategory,
    PartnerStatus,
    Signature,
)
from app.registry.services.checks import organisation_key
from app.registry.services.common import all_nations, sort_key, territory_names
from app.registry.services.vocabulary import PARTNERS_PAGE_SIZE, PUBLIC_STATUSES

if TYPE_CHECKING:
    pass

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
