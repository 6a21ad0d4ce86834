"""Milestones in the members' personal calendar feeds (one whole-day entry per planned milestone)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import or_, select

from app.accounts.models import User
from app.convenings.calendar import UID_DOMAIN, FeedItem
from app.core.links import external_url
from app.core.permissions import Role
from app.extensions import db
from app.initiatives.models import (
    Initiative,
    InitiativeMember,
    InitiativeStatus,
    MemberState,
    Milestone,
    MilestoneStatus,
)
from app.initiatives.services.rules import partner_of


def milestone_items(user: User) -> list[FeedItem]:
    """The planned milestones of the active initiatives the member works in (a fixed number of queries).

    The member works in an initiative when they, their State (as its ambassador) or their Supporting
    Partner (as its representative) is an active member; the same rule as the initiative's pages.
    """
    mine = [InitiativeMember.user_id == user.id]
    if user.role == Role.AMBASSADOR and user.nation_id is not None:
        mine.append(InitiativeMember.nation_id == user.nation_id)
    partner = partner_of(user)
    if partner is not None:
        mine.append(InitiativeMember.partner_id == partner.id)
    initiatives = select(InitiativeMember.initiative_id).where(
        or_(*mine), InitiativeMember.state == MemberState.ACTIVE.value)
    rows = db.session.execute(
        select(Milestone, Initiative).join(Initiative, Initiative.id == Milestone.initiative_id)
        .where(Milestone.initiative_id.in_(initiatives), Milestone.status == MilestoneStatus.PLANNED.value,
               Initiative.status == InitiativeStatus.ACTIVE.value)
        .order_by(Milestone.due_on, Milestone.id)).all()
    items = []
    for milestone, initiative in rows:
        day = datetime.combine(milestone.due_on, time(), tzinfo=UTC)
        title = initiative.reading(user.locale).title
        items.append(FeedItem(
            uid=f"initiative-{initiative.id}-milestone-{milestone.id}@{UID_DOMAIN}",
            summary=f"{milestone.title} · {title}", description=title, start=day,
            end=day + timedelta(days=1), tzid="UTC", all_day=True,
            url=external_url("initiatives.detail", initiative_id=initiative.id)))
    return items
