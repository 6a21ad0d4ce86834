"""What the home page says: figures for visitors, next steps for members."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.models import User
from app.convenings import services as convenings
from app.convenings.models import Convening, ConveningKind
from app.core.db import utcnow
from app.core.permissions import Role, is_signed_in, is_staff
from app.extensions import db
from app.registry.models import Grouping
from app.registry.services import members_of


@dataclass(frozen=True)
class NextStep:
    """A suggestion on a member's home page."""

    title: str
    text: str
    endpoint: str


@dataclass(frozen=True)
class HomeOverview:
    """The figures and suggestions the home page shows."""

    members: int
    ambassadors: int
    developing: int
    steps: list[NextStep] = field(default_factory=list)
    forum: Convening | None = None


def coming_forum(actor: User | None) -> Convening | None:
    """The next Global Forum the actor may see (published, not yet over), if one is announced."""
    found = convenings.list_convenings(
        actor, filters=convenings.ConveningFilters(kind=ConveningKind.GLOBAL_FORUM.value))
    return next((c for c in found if c.is_published), None)


def home_overview(actor: User | None) -> HomeOverview:
    """Platform figures, and for a member the steps that fit their role."""
    counts = dict(db.session.execute(
        select(User.role, func.count(User.id)).where(User.active.is_(True)).group_by(User.role)).all())
    today = utcnow().date()
    developing = {n.id for g in Grouping for n in members_of(g, today)}
    steps: list[NextStep] = []
    if is_signed_in(actor):
        steps.append(NextStep(str(_l("Complete your profile")),
                              str(_l("Set your language and time zone so that every time is shown in yours.")),
                              "accounts.profile"))
        if is_staff(actor):
            steps.append(NextStep(str(_l("Invite Tech Ambassadors")),
                                  str(_l("Send invitations to the ambassadors your States appointed.")),
                                  "accounts.invite"))
            steps.append(NextStep(str(_l("Review the members")),
                                  str(_l("Search accounts, change roles and deactivate those who left.")),
                                  "accounts.admin_users"))
            steps.append(NextStep(str(_l("Keep the registry")),
                                  str(_l("Record signatures and appointments, and decide Supporting Partner applications.")),
                                  "registry.manage"))
        elif actor.role == Role.AMBASSADOR.value and actor.nation_id:  # type: ignore[union-attr]
            steps.append(NextStep(str(_l("Report your State's progress")),
                                  str(_l("Tell the community where your State stands on each commitment of the Declaration.")),
                                  "registry.report_progress"))
        steps.append(NextStep(str(_l("Find a convening")),
                              str(_l("Register for the Global Forum and other convenings, and carry them in your own calendar.")),
                              "convenings.index"))
    return HomeOverview(members=sum(counts.values()), ambassadors=counts.get(Role.AMBASSADOR.value, 0),
                        developing=len(developing), steps=steps,
                        forum=None if is_signed_in(actor) else coming_forum(actor))
