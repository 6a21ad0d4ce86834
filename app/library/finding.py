"""Finding practices: facets, full-text search in every language, paging, and the impact counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from app.accounts.models import User
from app.convenings.models import THEMES
from app.core.errors import Invalid
from app.core.geography import REGIONS
from app.extensions import db
from app.i18n import LANGUAGE_NAMES
from app.library.labels import ARTICLE_LABELS
from app.library.models import (
    Adaptation,
    PolicyStatus,
    Practice,
    PracticeKind,
    PracticeTag,
    PracticeText,
    PracticeToken,
)
from app.library.services import preload_published, readable_conditions
from app.registry.models import Grouping, GroupingMembership, Nation
from app.rooms import search

PAGE_SIZE = 20
MAX_PAGE = 10_000
QUERY_MAX = 200
SIMILAR_CANDIDATES = 100
DEVELOPING = frozenset(g.value for g in Grouping)


@dataclass(frozen=True)
class LibraryFilters:
    """The reader's search words and facet choices, validated."""

    q: str = ""
    theme: str = ""
    article: str = ""
    kind: str = ""
    region: str = ""
    grouping: str = ""
    language: str = ""
    year: int | None = None
    status: str = ""
    page: int = 1

    def query_args(self, **changes: object) -> dict[str, object]:
        """The filters as URL arguments (empty ones left out), with `changes` applied."""
        values = {**vars(replace(self)), **changes}
        return {key: value for key, value in values.items()
                if value not in ("", None) and not (key == "page" and value == 1)}


def _pick(args: Mapping[str, str], key: str, allowed: object) -> str:
    value = (args.get(key) or "").strip()
    if value and value not in allowed:  # type: ignore[operator]
        raise Invalid(_l("This filter has a value we do not know. Choose one from the list."),
                      code="filter_unknown", field=key)
    return value


def _number(args: Mapping[str, str], key: str, low: int, high: int) -> int | None:
    raw = (args.get(key) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Invalid(_l("This filter has a value we do not know. Choose one from the list."),
                      code="filter_unknown", field=key)
    return int(raw)


def parse_filters(args: Mapping[str, str]) -> LibraryFilters:
    """Filters from a query string; an unknown value is refused with a clear message."""
    query = " ".join((args.get("q") or "").split())
    if len(query) > QUERY_MAX:
        raise Invalid(_l("Search with at most %(count)d characters.", count=QUERY_MAX),
                      code="query_too_long", field="q")
    return LibraryFilters(
        q=query, theme=_pick(args, "theme", THEMES), article=_pick(args, "article", ARTICLE_LABELS),
        kind=_pick(args, "kind", {k.value for k in PracticeKind}),
        region=_pick(args, "region", REGIONS),
        grouping=_pick(args, "grouping", DEVELOPING),
        language=_pick(args, "language", LANGUAGE_NAMES),
        year=_number(args, "year", 1, 9999),
        status=_pick(args, "status", {s.value for s in PolicyStatus}),
        page=_number(args, "page", 1, MAX_PAGE) or 1,
    )


def _in_grouping(grouping: str, today: date):
    return select(GroupingMembership.nation_id).where(
        GroupingMembership.grouping == grouping,
        or_(GroupingMembership.since.is_(None), GroupingMembership.since <= today),
        or_(GroupingMembership.until.is_(None), GroupingMembership.until > today))


def _conditions(actor: User | None, filters: LibraryFilters, today: date) -> list:
    conditions = readable_conditions(actor)
    for facet, value in (("theme", filters.theme), ("article", filters.article)):
        if value:
            conditions.append(Practice.id.in_(select(PracticeTag.practice_id).where(
                PracticeTag.facet == facet, PracticeTag.value == value)))
    if filters.kind:
        conditions.append(Practice.kind == filters.kind)
    if filters.status:
        conditions.append(Practice.policy_status == filters.status)
    if filters.year:
        conditions.append(Practice.year == filters.year)
    if filters.region:
        conditions.append(Practice.nation_id.in_(select(Nation.id).where(Nation.region == filters.region)))
    if filters.grouping:
        conditions.append(Practice.nation_id.in_(_in_grouping(filters.grouping, today)))
    if filters.language:
        conditions.append(Practice.id.in_(select(PracticeText.practice_id).where(
            PracticeText.language == filters.language)))
    words = search.tokens(filters.q)[:search.MAX_QUERY_TOKENS]
    if words:
        conditions.append(Practice.id.in_(
            select(PracticeToken.practice_id).where(PracticeToken.token.in_(words))
            .group_by(PracticeToken.practice_id)
            .having(func.count(func.distinct(PracticeToken.token)) == len(words))))
    return conditions


@dataclass
class LibraryPage:
    """One page of practices and how many there are in all."""

    practices: list[Practice]
    total: int
    page: int
    pages: int


def find_practices(actor: User | None, filters: LibraryFilters, *,
                   today: date | None = None) -> LibraryPage:
    """The listed practices the actor may read that match `filters`, newest first, one page."""
    where = and_(*_conditions(actor, filters, today or date.today()))
    total = db.session.scalar(select(func.count()).select_from(Practice).where(where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    # Page through ids alone (an index walk), then load those rows with their eager joins.
    ids = list(db.session.scalars(
        select(Practice.id).where(where).order_by(Practice.published_at.desc(), Practice.id.desc())
        .offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    loaded = {p.id: p for p in db.session.scalars(select(Practice).where(Practice.id.in_(ids)))} if ids else {}
    practices = [loaded[i] for i in ids]
    preload_published(practices)
    return LibraryPage(practices, total, filters.page, pages)


def similar_practices(actor: User | None, practice: Practice, limit: int = 5) -> list[Practice]:
    """Other readable practices sharing the most themes and articles with this one."""
    tags = [(tag.facet, tag.value) for tag in practice.tags]
    if not tags:
        return []
    # Rank candidates on the tag index alone, then read only the few best (bounded work per page).
    shared = (select(PracticeTag.practice_id, func.count().label("shared"))
              .where(or_(*(and_(PracticeTag.facet == f, PracticeTag.value == v) for f, v in tags)),
                     PracticeTag.practice_id != practice.id)
              .group_by(PracticeTag.practice_id)
              .order_by(func.count().desc(), PracticeTag.practice_id.desc())
              .limit(SIMILAR_CANDIDATES).subquery())
    practices = list(db.session.scalars(
        select(Practice).join(shared, shared.c.practice_id == Practice.id)
        .where(*readable_conditions(actor))
        .order_by(shared.c.shared.desc(), Practice.id.desc()).limit(limit)))
    preload_published(practices)
    return practices


@dataclass
class Impact:
    """Counts for the impact page."""

    by_region: dict[str, int] = field(default_factory=dict)
    by_grouping: dict[str, int] = field(default_factory=dict)
    exchanges: int = 0
    pairs: Counter = field(default_factory=Counter)
    recent: list[Adaptation] = field(default_factory=list)


def _is_developing(nation: Nation, today: date) -> bool:
    return bool(DEVELOPING.intersection(nation.groupings_on(today)))


def impact(actor: User | None, *, today: date | None = None) -> Impact:
    """Practices by region and grouping; exchanges between States, South–South and North–South."""
    today = today or date.today()
    readable = and_(*readable_conditions(actor))
    result = Impact(by_region=dict.fromkeys(REGIONS, 0), by_grouping=dict.fromkeys(sorted(DEVELOPING), 0))
    for region, count in db.session.execute(
            select(Nation.region, func.count()).select_from(Practice).join(Nation)
            .where(readable).group_by(Nation.region)):
        result.by_region[region] = count
    for grouping in result.by_grouping:
        result.by_grouping[grouping] = db.session.scalar(
            select(func.count()).select_from(Practice).where(
                readable, Practice.nation_id.in_(_in_grouping(grouping, today)))) or 0
    exchanges = list(db.session.scalars(
        select(Adaptation).join(Adaptation.practice).where(readable)
        .order_by(Adaptation.created_at.desc())))
    result.exchanges = len(exchanges)
    for exchange in exchanges:
        source = _is_developing(exchange.practice.nation, today)
        learner = _is_developing(exchange.nation, today)
        if source and learner:
            result.pairs["south_south"] += 1
        elif source or learner:
            result.pairs["north_south"] += 1
        else:
            result.pairs["north_north"] += 1
    result.recent = exchanges[:20]
    preload_published([exchange.practice for exchange in result.recent])
    return result
