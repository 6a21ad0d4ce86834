"""Organisers' registration lists at Forum scale: search, filters, sorting, paging, export, bulk acts.

Filters and sorting run in SQL. Search folds case, accents and width the way rooms search does,
which SQL cannot do for every script, so it narrows the filtered rows by name and e-mail in Python
over two narrow columns; the page itself is then loaded by id. Each page costs the same few queries
whatever the number of registrations.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import defaultload

from app.accounts.models import User
from app.convenings import services
from app.convenings.models import Convening, Registration, RegistrationStatus
from app.core import audit
from app.core.csvsafe import safe_cell
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid
from app.core.geography import REGIONS
from app.core.permissions import Role
from app.extensions import db
from app.i18n import fold
from app.registry.models import Grouping, GroupingMembership, Nation

PAGE_SIZE = 50
MAX_PAGE = 100_000
MAX_SEARCH = 100
MAX_SELECTION = 500
SORTS = ("status", "name", "-name", "state", "registered", "-registered")
BULK_ACTIONS = ("approve", "decline", "promote", "attended")
# Which status a registration must have for each bulk action.
_NEEDS = {"approve": RegistrationStatus.PENDING, "decline": RegistrationStatus.PENDING,
          "promote": RegistrationStatus.WAITLISTED, "attended": RegistrationStatus.CONFIRMED}


@dataclass(frozen=True)
class RegistrationQuery:
    """What the organiser asked to see: a search, filters, an order and a page."""

    search: str = ""
    status: str = ""
    state: str = ""
    region: str = ""
    grouping: str = ""
    role: str = ""
    language: str = ""
    sort: str = "status"
    page: int = 1

    def as_args(self, **changes: object) -> dict[str, object]:
        """The non-default values as URL arguments, for links that keep the filters."""
        values = {**asdict(self), **changes}
        defaults = asdict(RegistrationQuery())
        return {key: value for key, value in values.items() if value != defaults[key]}


@dataclass
class RegistrationPage:
    """One page of matching registrations."""

    rows: list[Registration]
    total: int
    page: int
    pages: int
    query: RegistrationQuery


def _choice(args: Mapping[str, str], name: str, allowed: Iterable[str]) -> str:
    value = (args.get(name) or "").strip()
    if value and value not in allowed:
        raise Invalid(_l("This filter value is not recognised: %(value)s", value=value[:40]),
                      code="bad_filter", field=name)
    return value


def parse_query(args: Mapping[str, str]) -> RegistrationQuery:
    """Check the list's URL arguments; an unknown value is an error, not a silent default."""

    search = " ".join((args.get("search") or "").split())
    if len(search) > MAX_SEARCH:
        raise Invalid(_l("The search may have at most %(count)d characters.", count=MAX_SEARCH),
                      code="search_too_long", field="search")
    raw_page = (args.get("page") or "1").strip()
    if not raw_page.isdigit() or not 1 <= int(raw_page[:7]) <= MAX_PAGE or len(raw_page) > 6:
        raise Invalid(_l("The page number is not valid."), code="bad_page", field="page")
    state = (args.get("state") or "").strip().upper()
    if state and (len(state) != 2 or not state.isalpha()):
        raise Invalid(_l("This filter value is not recognised: %(value)s", value=state[:40]),
                      code="bad_filter", field="state")
    return RegistrationQuery(
        search=search,
        status=_choice(args, "status", [s.value for s in RegistrationStatus]),
        state=state,
        region=_choice(args, "region", REGIONS),
        grouping=_choice(args, "grouping", [g.value for g in Grouping]),
        role=_choice(args, "role", [r.value for r in Role]),
        language=_choice(args, "language", current_app.config["LANGUAGES"]),
        sort=_choice(args, "sort", SORTS) or "status",
        page=int(raw_page))


def _filtered(convening: Convening, query: RegistrationQuery, *columns,  # type: ignore[no-untyped-def]
              needs_user: bool = False) -> Select:
    statement = select(*columns).select_from(Registration).where(
        Registration.convening_id == convening.id)
    # Join only what the filters, the order or the columns need: a bare count stays on the index.
    if needs_user or query.search or query.role or query.language or query.sort not in (
            "status", "registered", "-registered") or query.state or query.region or query.grouping:
        statement = statement.join(User, User.id == Registration.user_id)
    if query.state or query.region or query.sort == "state":
        statement = statement.outerjoin(Nation, Nation.id == User.nation_id)
    if query.status:
        statement = statement.where(Registration.status == query.status)
    if query.state:
        statement = statement.where(Nation.iso2 == query.state)
    if query.region:
        statement = statement.where(Nation.region == query.region)
    if query.role:
        statement = statement.where(User.role == query.role)
    if query.language:
        statement = statement.where(User.locale == query.language)
    if query.grouping:
        day = convening.starts_at.date()
        statement = statement.where(exists().where(
            GroupingMembership.nation_id == User.nation_id,
            GroupingMembership.grouping == query.grouping,
            GroupingMembership.since.is_(None) | (GroupingMembership.since <= day),
            GroupingMembership.until.is_(None) | (GroupingMembership.until > day)))
    return statement


def _ordered(statement: Select, sort: str) -> Select:
    orders = {
        "status": (Registration.status, Registration.queued_at),
        "name": (User.display_name,),
        "-name": (User.display_name.desc(),),
        "state": (Nation.iso2, User.display_name),
        "registered": (Registration.created_at,),
        "-registered": (Registration.created_at.desc(),),
    }[sort]
    return statement.order_by(*orders, Registration.id)


@lru_cache(maxsize=65_536)
def _folded(name: str) -> str:
    """`fold(name)`, remembered: folding is most of a search's cost at Forum scale (~6 µs a name)."""
    return fold(name)


def _matching_ids(convening: Convening, query: RegistrationQuery) -> list[int]:
    """Ids of the filtered registrations whose name or e-mail contains the folded search."""
    needle = fold(query.search)
    rows = db.session.execute(_ordered(
        _filtered(convening, query, Registration.id, User.display_name, User.email,
                  needs_user=True), query.sort))
    return [row.id for row in rows if needle in _folded(row.display_name) or needle in row.email]


# The list shows each State's name only; its groupings load if something asks for them.
_ROW_OPTIONS = (defaultload(Registration.user).defaultload(User.nation).lazyload(Nation.groupings),)


def _load(ids: list[int]) -> list[Registration]:
    by_id = {r.id: r for r in db.session.scalars(
        select(Registration).where(Registration.id.in_(ids)).options(*_ROW_OPTIONS))}
    return [by_id[i] for i in ids if i in by_id]


def registration_page(actor: User, convening: Convening, query: RegistrationQuery) -> RegistrationPage:
    """One page (of PAGE_SIZE) of the convening's registrations matching `query`, for organisers."""
    services.require_organiser(actor)
    if query.search:
        ids = _matching_ids(convening, query)
        total = len(ids)
    else:
        total = db.session.scalar(_filtered(convening, query, func.count(Registration.id))) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(query.page, pages)
    offset = (page - 1) * PAGE_SIZE
    if query.search:
        rows = _load(ids[offset:offset + PAGE_SIZE])
    else:
        rows = list(db.session.scalars(_ordered(_filtered(convening, query, Registration), query.sort)
                                       .options(*_ROW_OPTIONS).limit(PAGE_SIZE).offset(offset)))
    return RegistrationPage(rows=rows, total=total, page=page, pages=pages, query=query)


def participant_page(actor: User, convening: Convening, query: RegistrationQuery) -> RegistrationPage:
    """One page of the listed participants, searched by name only (e-mails stay private)."""
    services.require_participant_list_access(actor, convening)
    listed = (Registration.convening_id == convening.id,
              Registration.status == RegistrationStatus.CONFIRMED.value,
              Registration.consent_listed.is_(True))
    order = (Registration.created_at, Registration.id)
    ids: list[int] = []
    if query.search:
        needle = fold(query.search)
        ids = [row.id for row in db.session.execute(
            select(Registration.id, User.display_name).join(User, User.id == Registration.user_id)
            .where(*listed).order_by(*order)) if needle in _folded(row.display_name)]
        total = len(ids)
    else:
        total = db.session.scalar(select(func.count(Registration.id)).where(*listed)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(query.page, pages)
    offset = (page - 1) * PAGE_SIZE
    if query.search:
        rows = _load(ids[offset:offset + PAGE_SIZE])
    else:
        rows = list(db.session.scalars(select(Registration).where(*listed).order_by(*order)
                                       .options(*_ROW_OPTIONS).limit(PAGE_SIZE).offset(offset)))
    return RegistrationPage(rows=rows, total=total, page=page, pages=pages, query=query)


def matching_registrations(actor: User, convening: Convening,
                           query: RegistrationQuery) -> list[Registration]:
    """Every registration matching `query` (all pages), for organisers."""
    services.require_organiser(actor)
    if query.search:
        return _load(_matching_ids(convening, query))
    return list(db.session.scalars(_ordered(_filtered(convening, query, Registration), query.sort)))


def registrations_csv(actor: User, convening: Convening, query: RegistrationQuery) -> str:
    """The registrations matching `query` as CSV, for organisers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "delegation", "role", "language", "status", "registered_at",
                     "listed", "attended"])
    for r in matching_registrations(actor, convening, query):
        writer.writerow([safe_cell(r.user.display_name), r.user.email,
                         r.user.nation.iso2 if r.user.nation else "", r.user.role, r.user.locale,
                         r.status, r.created_at.isoformat(), "yes" if r.consent_listed else "no",
                         "yes" if r.attended else "no"])
    return out.getvalue()


def _selected_ids(raw_ids: Iterable[str]) -> list[int]:
    ids: list[int] = []
    for raw in raw_ids:
        text = str(raw).strip()
        if not text.isdigit() or len(text) > 12:
            raise Invalid(_l("The selection contains an id that is not valid."), code="bad_id")
        if int(text) not in ids:
            ids.append(int(text))
    if not ids:
        raise Invalid(_l("Select at least one registration."), code="empty_selection")
    if len(ids) > MAX_SELECTION:
        raise Invalid(_l("Select at most %(count)d registrations at a time.", count=MAX_SELECTION),
                      code="selection_too_large")
    return ids


def bulk_update(actor: User, convening: Convening, action: str, raw_ids: Iterable[str]) -> int:
    """Apply one organiser action to every selected registration, or to none if any cannot take it."""
    from app.convenings import notices

    user = services.require_organiser(actor)
    if action not in BULK_ACTIONS:
        raise Invalid(_l("Choose an action for the selection."), code="bad_action")
    ids = _selected_ids(raw_ids)
    selected = list(db.session.scalars(
        select(Registration).where(Registration.id.in_(ids),
                                   Registration.convening_id == convening.id)
        .order_by(Registration.queued_at, Registration.id)))
    if len(selected) != len(ids):
        raise Invalid(_l("Some selected registrations do not belong to this convening; "
                         "nothing was changed."), code="unknown_registration")
    wrong = [r for r in selected if r.status != _NEEDS[action].value]
    if wrong:
        raise Conflict(_l("%(count)d of the selected registrations cannot take this action "
                          "because of their status; nothing was changed.", count=len(wrong)),
                       code="wrong_status")
    if action in ("approve", "decline"):
        for registration in selected:
            services.decide_registration(user, registration, action == "approve")
    elif action == "promote":
        services._lock(convening)
        for registration in selected:
            if not services._has_seat(convening, registration.user):
                raise Conflict(_l("There are not enough free seats for everyone selected; "
                                  "nothing was changed."), code="no_seat")
            services._set_status(registration, RegistrationStatus.CONFIRMED.value)
            audit.record(user, "convening.registration.promote", "convening", convening.id,
                         registration=registration.id)
            notices.registration_promoted(registration)
    else:
        for registration in selected:
            registration.attended = True
            registration.updated_at = utcnow()
            audit.record(user, "convening.registration.attendance", "convening", convening.id,
                         registration=registration.id, attended=True)
        db.session.flush()
    return len(selected)
