"""Reading initiatives: one, its work, the filtered list, a State's list and the evidence for the tracker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import lazyload

from app.accounts.models import User
from app.convenings.models import THEMES
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.inputs import MAX_ID
from app.core.permissions import Role, is_signed_in, is_staff
from app.extensions import db
from app.initiatives.labels import ARTICLE_LABELS
from app.initiatives.models import (
    Follower,
    Initiative,
    InitiativeMember,
    InitiativeStatus,
    InitiativeTag,
    InitiativeUpdate,
    InitiativeVisibility,
    MemberState,
    Milestone,
    MilestoneStatus,
)
from app.initiatives.services.rules import PAGE_SIZE, may_read, may_see_work
from app.registry.models import Nation

# --- reading -----------------------------------------------------------------------------------

def get_initiative(actor: User | None, initiative_id: Any) -> Initiative:
    """The initiative if the actor may read it; NotFound otherwise (its existence stays private)."""
    number = initiative_id if isinstance(initiative_id, int) and 0 < initiative_id <= MAX_ID else None
    initiative = db.session.get(Initiative, number) if number else None
    if initiative is None or not may_read(actor, initiative):
        raise NotFound()
    return initiative


def get_member(initiative: Initiative, member_id: Any) -> InitiativeMember:
    """One membership row of this initiative."""
    member = next((m for m in initiative.members if m.id == member_id), None)
    if member is None:
        raise NotFound()
    return member


def milestones(actor: User | None, initiative: Initiative) -> list[Milestone]:
    """The initiative's milestones by due date (members and staff only)."""
    if not may_see_work(actor, initiative):
        return []
    return list(db.session.scalars(select(Milestone).where(Milestone.initiative_id == initiative.id)
                                   .order_by(Milestone.due_on, Milestone.id)))


def updates(actor: User | None, initiative: Initiative, *, limit: int = 50) -> list[InitiativeUpdate]:
    """The newest updates: all of them for members and staff, the public ones for other readers."""
    query = select(InitiativeUpdate).where(InitiativeUpdate.initiative_id == initiative.id)
    if not may_see_work(actor, initiative):
        if not may_read(actor, initiative):
            return []
        query = query.where(InitiativeUpdate.public.is_(True))
    return list(db.session.scalars(query.order_by(InitiativeUpdate.id.desc()).limit(limit)))


def milestones_met(actor: User | None, initiative: Initiative) -> list[Milestone]:
    """Milestones met, for the record: members always, every reader once the initiative is completed."""
    if not (may_see_work(actor, initiative) or (initiative.status == InitiativeStatus.COMPLETED
                                                 and may_read(actor, initiative))):
        return []
    return list(db.session.scalars(select(Milestone).where(
        Milestone.initiative_id == initiative.id, Milestone.status == MilestoneStatus.MET.value)
        .order_by(Milestone.due_on, Milestone.id)))


def public_updates(*, limit: int = 50) -> list[InitiativeUpdate]:
    """The newest updates shared on the public record of listed public initiatives (the feed)."""
    return list(db.session.scalars(select(InitiativeUpdate).join(Initiative).where(
        InitiativeUpdate.public.is_(True), Initiative.approved_at.is_not(None),
        Initiative.visibility == InitiativeVisibility.PUBLIC.value)
        .order_by(InitiativeUpdate.id.desc()).limit(limit)))


def may_share_publicly(initiative: Initiative) -> bool:
    """Updates may go on the public record of a public initiative only."""
    return initiative.visibility == InitiativeVisibility.PUBLIC


def is_following(actor: User | None, initiative: Initiative) -> bool:
    """True when the actor follows the initiative's updates."""
    if actor is None or not is_signed_in(actor):
        return False
    return db.session.scalar(select(Follower.id).where(
        Follower.initiative_id == initiative.id, Follower.user_id == actor.id)) is not None


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to."""

    theme: str = ""
    article: str = ""
    status: str = ""
    nation: str = ""  # ISO alpha-2 of a member State
    page: int = 1


@dataclass
class Page:
    """One page of the list."""

    initiatives: list[Initiative] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def parse_filters(args: Any) -> Filters:
    """Filters from query arguments; unknown values are ignored rather than refused."""
    theme = args.get("theme", "")
    article = args.get("article", "")
    status = args.get("status", "")
    nation = (args.get("nation", "") or "").upper()
    raw_page = args.get("page", "1") or "1"
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 6 else 1
    return Filters(theme=theme if theme in THEMES else "",
                   article=article if article in ARTICLE_LABELS else "",
                   status=status if status in InitiativeStatus.__members__.values() else "",
                   nation=nation if len(nation) == 2 and nation.isalpha() else "",
                   page=max(page, 1))


def find_initiatives(actor: User | None, filters: Filters) -> Page:
    """Listed initiatives the actor may read, newest first, one page; a fixed number of queries."""
    query = select(Initiative.id)
    if not is_staff(actor):  # staff also see proposals waiting for their approval
        query = query.where(Initiative.approved_at.is_not(None))
    if not is_signed_in(actor):
        query = query.where(Initiative.visibility == InitiativeVisibility.PUBLIC.value)
    elif not is_staff(actor):
        query = query.where(Initiative.visibility.in_([InitiativeVisibility.PUBLIC.value,
                                                       InitiativeVisibility.MEMBERS.value]))
    if filters.status:
        query = query.where(Initiative.status == filters.status)
    for facet, value in (("theme", filters.theme), ("article", filters.article)):
        if value:
            query = query.where(Initiative.id.in_(select(InitiativeTag.initiative_id).where(
                InitiativeTag.facet == facet, InitiativeTag.value == value)))
    if filters.nation:
        query = query.where(Initiative.id.in_(
            select(InitiativeMember.initiative_id).join(Nation, Nation.id == InitiativeMember.nation_id)
            .where(Nation.iso2 == filters.nation, InitiativeMember.state == MemberState.ACTIVE.value)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(filters.page, pages)
    ids = list(db.session.scalars(query.order_by(Initiative.id.desc())
                                  .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    found = {i.id: i for i in db.session.scalars(select(Initiative).where(Initiative.id.in_(ids)))} if ids else {}
    return Page([found[i] for i in ids if i in found], total, page, pages)


def my_initiatives(actor: User | None, *, limit: int = 50) -> list[Initiative]:
    """The initiatives the actor's State, organisation or self is in or was invited to or asked to join."""
    if actor is None or not is_signed_in(actor):
        return []
    mine = [InitiativeMember.user_id == actor.id]
    if actor.role == Role.AMBASSADOR and actor.nation_id is not None:
        mine.append(InitiativeMember.nation_id == actor.nation_id)
    ids = select(InitiativeMember.initiative_id).where(
        or_(*mine), InitiativeMember.state != MemberState.DECLINED.value)
    return list(db.session.scalars(select(Initiative).where(Initiative.id.in_(ids))
                                   .order_by(Initiative.id.desc()).limit(limit)))


def initiatives_of_nation(actor: User | None, nation: Nation, *, limit: int = 100) -> list[tuple[Initiative, str]]:
    """The listed initiatives a State leads or has joined that the actor may read, with its role
    (for the State's registry page); a fixed number of queries."""
    query = (select(Initiative, InitiativeMember.role)
             .join(InitiativeMember, InitiativeMember.initiative_id == Initiative.id)
             .where(InitiativeMember.nation_id == nation.id, InitiativeMember.state == MemberState.ACTIVE.value,
                    Initiative.approved_at.is_not(None)))
    if not is_signed_in(actor):
        query = query.where(Initiative.visibility == InitiativeVisibility.PUBLIC.value)
    elif not is_staff(actor):
        query = query.where(Initiative.visibility.in_([InitiativeVisibility.PUBLIC.value,
                                                       InitiativeVisibility.MEMBERS.value]))
    # The page shows titles, status and the State's role: members and tags load only if asked for.
    query = query.options(lazyload(Initiative.members), lazyload(Initiative.tags))
    rows = db.session.execute(query.order_by(InitiativeMember.role, Initiative.id.desc()).limit(limit))
    return [(initiative, role) for initiative, role in rows]


@dataclass
class Cooperation:
    """Evidence for Article 3.3: listed initiatives under way or completed, and who takes part."""

    initiatives: int = 0
    states: int = 0
    states_by_region: dict[str, int] = field(default_factory=dict)
    states_by_grouping: dict[str, int] = field(default_factory=dict)
    with_developing_states: int = 0  # initiatives with at least one LDC, LLDC or SIDS member


DEVELOPING = ("LDC", "LLDC", "SIDS")


def cooperation_evidence(today: date | None = None) -> Cooperation:
    """What the commitments tracker counts for Article 3.3 (aggregates of listed initiatives only)."""
    today = today or utcnow().date()
    rows = db.session.execute(
        select(InitiativeMember.initiative_id, Nation).join(Nation, Nation.id == InitiativeMember.nation_id)
        .join(Initiative, Initiative.id == InitiativeMember.initiative_id)
        .where(InitiativeMember.state == MemberState.ACTIVE.value, Initiative.approved_at.is_not(None),
               Initiative.status.in_([InitiativeStatus.ACTIVE.value, InitiativeStatus.COMPLETED.value])))
    nations: dict[int, Nation] = {}
    initiatives: set[int] = set()
    developing: set[int] = set()
    for initiative_id, nation in rows:
        nations[nation.id] = nation
        initiatives.add(initiative_id)
        if set(DEVELOPING).intersection(nation.groupings_on(today)):
            developing.add(initiative_id)
    result = Cooperation(initiatives=len(initiatives), states=len(nations),
                         states_by_grouping=dict.fromkeys(DEVELOPING, 0), with_developing_states=len(developing))
    for nation in nations.values():
        result.states_by_region[nation.region] = result.states_by_region.get(nation.region, 0) + 1
        for grouping in set(DEVELOPING).intersection(nation.groupings_on(today)):
            result.states_by_grouping[grouping] += 1
    return result
