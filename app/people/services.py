"""The people directory: who may be found, searching them in any script, one person's page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, cast, func, or_, select

from app.accounts.models import User
from app.convenings.labels import THEME_LABELS
from app.convenings.models import Convening
from app.convenings.participation import shared_convenings
from app.core.errors import Invalid, NotFound
from app.core.permissions import Role, is_signed_in, require_signed_in
from app.extensions import db
from app.i18n import LANGUAGE_NAMES, fold
from app.matchmaking.models import MatchProfile
from app.registry.models import Nation

PAGE_SIZE = 30
QUERY_MAX = 100
MAX_PAGE = 10_000
#: Roles listed without asking: the people others come to the platform to meet.
LISTED_ROLES = (Role.AMBASSADOR.value, Role.ORGANISER.value, Role.ADMIN.value)
ROLES = tuple(r.value for r in Role)


@dataclass(frozen=True)
class PeopleFilters:
    """The reader's search words and facet choices, validated."""

    q: str = ""
    state: str = ""  # ISO alpha-2
    role: str = ""
    theme: str = ""
    language: str = ""
    page: int = 1

    def query_args(self, **changes: object) -> dict[str, object]:
        values = {**vars(replace(self)), **changes}
        return {key: value for key, value in values.items()
                if value not in ("", None) and not (key == "page" and value == 1)}


@dataclass
class PeoplePage:
    people: list[User] = field(default_factory=list)
    profiles: dict[int, MatchProfile] = field(default_factory=dict)
    total: int = 0
    page: int = 1
    pages: int = 1


def _nation(iso2: str) -> Nation | None:
    return db.session.scalar(select(Nation).where(Nation.iso2 == iso2)) if len(iso2) == 2 else None


def _pick(args: Mapping[str, str], key: str, allowed: Any) -> str:
    value = (args.get(key) or "").strip()
    if value and value not in allowed:
        raise Invalid(_l("This filter value is not known."), code="filter_invalid", field=key)
    return value


def parse_filters(args: Mapping[str, str]) -> PeopleFilters:
    """Filters from a query string; an unknown value is refused with a clear message."""
    words = " ".join((args.get("q") or "").split())
    if len(words) > QUERY_MAX:
        raise Invalid(_l("Search with at most %(count)d characters.", count=QUERY_MAX),
                      code="query_too_long", field="q")
    state = (args.get("state") or "").strip().upper()
    if state and _nation(state) is None:
        raise Invalid(_l("This filter value is not known."), code="filter_invalid", field="state")
    raw_page = (args.get("page") or "1").strip()
    if not (raw_page.isascii() and raw_page.isdigit() and 0 < int(raw_page[:6]) <= MAX_PAGE):
        raise Invalid(_l("This filter value is not known."), code="filter_invalid", field="page")
    return PeopleFilters(q=words, state=state, role=_pick(args, "role", ROLES),
                         theme=_pick(args, "theme", THEME_LABELS), language=_pick(args, "language", LANGUAGE_NAMES),
                         page=int(raw_page))


def listed() -> Any:
    """The condition on User of being found: active, and an ambassador, staff, or by consent."""
    return and_(User.active.is_(True), or_(User.role.in_(LISTED_ROLES), User.in_directory.is_(True)))


def is_listed(user: User) -> bool:
    return bool(user.active and (user.role in LISTED_ROLES or user.in_directory))


def may_browse(actor: User | None) -> bool:
    """Signed-in members browse the directory; visitors never see who is on the platform."""
    return is_signed_in(actor)


def _json_has(column: Any, value: str) -> Any:
    # JSON lists of short codes: the quoted code inside the stored text (SQLite and PostgreSQL).
    return cast(column, String).contains(f'"{value}"')


def find_people(actor: User, filters: PeopleFilters) -> PeoplePage:
    """Listed members matching `filters`, by name, one page (three queries whatever the page)."""
    require_signed_in(actor)
    conditions = [listed()]
    for word in fold(filters.q).split():
        conditions.append(User.name_key.contains(word, autoescape=True))
    if filters.state:
        conditions.append(User.nation_id.in_(select(Nation.id).where(Nation.iso2 == filters.state)))
    if filters.role:
        conditions.append(User.role == filters.role)
    if filters.theme or filters.language:
        profile = select(MatchProfile.user_id)
        if filters.theme:
            profile = profile.where(or_(_json_has(MatchProfile.offers, filters.theme),
                                        _json_has(MatchProfile.seeks, filters.theme)))
        if filters.language:
            profile = profile.where(_json_has(MatchProfile.languages, filters.language))
        conditions.append(User.id.in_(profile))
    where = and_(*conditions)
    total = db.session.scalar(select(func.count()).select_from(User).where(where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    people = list(db.session.scalars(select(User).where(where).order_by(User.name_key, User.id)
                                     .offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    profiles = {p.user_id: p for p in db.session.scalars(
        select(MatchProfile).where(MatchProfile.user_id.in_([u.id for u in people])))} if people else {}
    return PeoplePage(people, profiles, total, filters.page, pages)


@dataclass
class Person:
    user: User
    profile: MatchProfile | None
    convenings: list[Convening]
    is_me: bool


def get_person(actor: User, user_id: int) -> Person:
    """One listed member's page (or one's own), with what both attend; NotFound otherwise."""
    require_signed_in(actor)
    user = db.session.get(User, user_id) if 0 < user_id <= 2**31 - 1 else None
    if user is None or not (is_listed(user) or user.id == actor.id):
        raise NotFound()
    profile = db.session.scalar(select(MatchProfile).where(MatchProfile.user_id == user.id))
    shared = [] if user.id == actor.id else shared_convenings(actor.id, user.id)
    return Person(user, profile, shared, user.id == actor.id)


def may_message(actor: User | None, person: User) -> bool:
    """Any signed-in member may start a direct conversation with a listed, active member."""
    return is_signed_in(actor) and person.active and person.id != getattr(actor, "id", None)


def set_listing(actor: User, listed_by_choice: bool) -> None:
    """A member other than an ambassador or staff chooses whether the directory lists them."""
    require_signed_in(actor)
    actor.in_directory = bool(listed_by_choice)
