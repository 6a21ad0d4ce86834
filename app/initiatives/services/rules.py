"""The rules: vocabularies, notices, who acts for whom and the may_* questions pages and guards share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.permissions import Role, is_signed_in, is_staff
from app.extensions import db
from app.i18n import territory_name
from app.initiatives.models import (
    Initiative,
    InitiativeMember,
    InitiativeStatus,
    InitiativeVisibility,
    MemberState,
)
from app.notifications.services import register_kind
from app.registry.models import Partner, PartnerStatus

TITLE_MAX = 200
SUMMARY_MAX = 2_000
GOAL_MAX = 4_000
UPDATE_MAX = 20_000
TAGS_MAX = 12
PAGE_SIZE = 20
#: How far ahead a milestone may be planned.
MILESTONE_HORIZON = timedelta(days=366 * 10)


@dataclass(frozen=True)
class InitiativeFields:
    """What a proposer fills in; checked by `_clean_fields`."""

    language: str
    title: str
    summary: str
    goal: str
    themes: Sequence[str] = ()
    articles: Sequence[str] = ()
    visibility: str = InitiativeVisibility.PUBLIC.value


# --- notices (rendered in the reader's language when read) -----------------------------------

def register_notice_kinds() -> None:
    """Declare the initiatives' notice kinds (called once by `app.initiatives.init_app`)."""
    register_kind("initiatives.join_requested", lambda p: str(_l(
        "%(who)s asks to join the initiative “%(title)s”.", who=_who_text(p), title=p.get("title", ""))))
    register_kind("initiatives.invited", lambda p: str(_l(
        "You are invited to join the initiative “%(title)s”.", title=p.get("title", ""))))
    register_kind("initiatives.joined", lambda p: str(_l(
        "%(who)s is now a member of the initiative “%(title)s”.", who=_who_text(p), title=p.get("title", ""))))
    register_kind("initiatives.declined", lambda p: str(_l(
        "%(who)s is not a member of the initiative “%(title)s”.", who=_who_text(p), title=p.get("title", ""))))
    register_kind("initiatives.update", lambda p: str(_l(
        "%(author)s posted an update in the initiative “%(title)s”.", author=p.get("author", ""),
        title=p.get("title", ""))))
    register_kind("initiatives.milestone_due", lambda p: str(_l(
        "The milestone “%(milestone)s” of the initiative “%(title)s” is due on %(date)s.",
        milestone=p.get("milestone", ""), title=p.get("title", ""), date=_due_date(p.get("due_on", "")))))
    register_kind("initiatives.approved", lambda p: str(_l(
        "The initiative “%(title)s” is approved and listed.", title=p.get("title", ""))))


def member_label(member: InitiativeMember) -> str:
    """A member's name in the current language (States by their localised name)."""
    return territory_name(member.nation.iso2) if member.nation is not None else member.name


def _who(member: InitiativeMember) -> dict[str, str]:
    return {"who": member.name, "who_iso2": member.nation.iso2 if member.nation is not None else ""}


def _who_text(params: dict[str, Any]) -> str:
    return territory_name(params["who_iso2"]) if params.get("who_iso2") else str(params.get("who", ""))


def _due_date(value: str) -> str:
    try:
        return format_date(date.fromisoformat(value), "long")
    except ValueError:
        return value


# --- who acts for whom ------------------------------------------------------------------------

def partner_of(actor: User | None) -> Partner | None:
    """The approved Supporting Partner whose contact is the actor (a partner representative)."""
    if actor is None or not is_signed_in(actor) or actor.role != Role.PARTNER:
        return None
    return db.session.scalar(select(Partner).where(
        func.lower(Partner.contact_email) == actor.email.lower(),
        Partner.status == PartnerStatus.APPROVED.value).order_by(Partner.id).limit(1))


def approved_partners(*, limit: int = 1000) -> list[Partner]:
    """Supporting Partners that may be invited, by name."""
    return list(db.session.scalars(select(Partner).where(Partner.status == PartnerStatus.APPROVED.value)
                                   .order_by(Partner.name_key, Partner.id).limit(limit)))


def acts_for(actor: User | None, member: InitiativeMember) -> bool:
    """True when the actor speaks for this member: a State's ambassador, a partner's
    representative, or the person themselves."""
    if not is_signed_in(actor):
        return False
    if member.nation_id is not None:
        return actor.role == Role.AMBASSADOR and actor.nation_id == member.nation_id  # type: ignore[union-attr]
    return member.user_id == actor.id  # type: ignore[union-attr]


def own_memberships(actor: User | None, initiative: Initiative) -> list[InitiativeMember]:
    """The memberships (in any state) the actor speaks for."""
    return [member for member in initiative.members if acts_for(actor, member)]


def is_participant(actor: User | None, initiative: Initiative) -> bool:
    """True when the actor speaks for an active member."""
    return any(m.state == MemberState.ACTIVE for m in own_memberships(actor, initiative))


def is_lead(actor: User | None, initiative: Initiative) -> bool:
    """True when the actor speaks for an active lead."""
    return any(m.is_lead for m in own_memberships(actor, initiative))


def users_of(member: InitiativeMember) -> list[User]:
    """The people who act for a member: a State's active ambassadors, or the one person."""
    if member.nation_id is not None:
        return list(db.session.scalars(select(User).where(
            User.nation_id == member.nation_id, User.role == Role.AMBASSADOR.value,
            User.active.is_(True)).order_by(User.id)))
    return [member.user] if member.user is not None and member.user.active else []


# --- may_* questions that templates and guards share ------------------------------------------

def may_propose(actor: User | None) -> bool:
    """Any Tech Ambassador of a State may propose an initiative."""
    return (is_signed_in(actor) and actor.role == Role.AMBASSADOR  # type: ignore[union-attr]
            and actor.nation_id is not None)  # type: ignore[union-attr]


def is_listed(initiative: Initiative) -> bool:
    """Approved by staff and not withdrawn from the list."""
    return initiative.approved_at is not None


def may_read(actor: User | None, initiative: Initiative) -> bool:
    """Staff and the initiative's own people always; others once listed, within its visibility."""
    if is_staff(actor) or any(m.state != MemberState.DECLINED for m in own_memberships(actor, initiative)) or (
            is_signed_in(actor) and initiative.created_by_id == actor.id):  # type: ignore[union-attr]
        return True
    if not is_listed(initiative):
        return False
    if initiative.visibility == InitiativeVisibility.PUBLIC:
        return True
    if initiative.visibility == InitiativeVisibility.MEMBERS:
        return is_signed_in(actor)
    return False


def may_see_work(actor: User | None, initiative: Initiative) -> bool:
    """Milestones, updates and the room are for active members (and staff)."""
    return is_staff(actor) or is_participant(actor, initiative)


def may_edit(actor: User | None, initiative: Initiative) -> bool:
    """Leads (and staff) change an initiative that is not closed."""
    return initiative.status != InitiativeStatus.CLOSED and (is_staff(actor) or is_lead(actor, initiative))


def may_approve(actor: User | None, initiative: Initiative) -> bool:
    """TDI staff approve a proposed initiative for the public list."""
    return is_staff(actor) and initiative.status == InitiativeStatus.PROPOSED


def may_manage(actor: User | None, initiative: Initiative) -> bool:
    """Only leads manage membership and milestones, while the initiative is open."""
    return is_lead(actor, initiative) and initiative.status in (InitiativeStatus.PROPOSED,
                                                                 InitiativeStatus.ACTIVE)


def may_post(actor: User | None, initiative: Initiative) -> bool:
    """Active members post updates while the initiative is active."""
    return initiative.status == InitiativeStatus.ACTIVE and is_participant(actor, initiative)


def _joiner(actor: User) -> dict[str, Any]:
    """Who joins when the actor asks: their State, their partner organisation, or themselves."""
    if actor.role == Role.AMBASSADOR and actor.nation_id is not None:
        return {"nation_id": actor.nation_id}
    partner = partner_of(actor)
    if partner is not None:
        return {"partner_id": partner.id, "user_id": actor.id}
    return {"user_id": actor.id}


def _existing(initiative: Initiative, nation_id: int | None = None, partner_id: int | None = None,
              user_id: int | None = None) -> InitiativeMember | None:
    for member in initiative.members:
        if nation_id is not None and member.nation_id == nation_id:
            return member
        if partner_id is not None and member.partner_id == partner_id:
            return member
        if (nation_id is None and partner_id is None and member.nation_id is None
                and member.partner_id is None and member.user_id == user_id):
            return member
    return None


def may_ask_to_join(actor: User | None, initiative: Initiative) -> bool:
    """Signed-in readers whose State, organisation or self is not in yet (or was declined)."""
    if not is_signed_in(actor) or initiative.status not in (InitiativeStatus.PROPOSED, InitiativeStatus.ACTIVE):
        return False
    if not may_read(actor, initiative):
        return False
    existing = _existing(initiative, **_joiner(actor))  # type: ignore[arg-type]
    return existing is None or existing.state == MemberState.DECLINED


def may_decide(actor: User | None, member: InitiativeMember) -> bool:
    """A lead answers a request; the invited member (a State's ambassador) answers an invitation."""
    if member.state == MemberState.REQUESTED:
        return may_manage(actor, member.initiative)
    if member.state == MemberState.INVITED:
        return acts_for(actor, member) or (member.partner_id is not None and _is_partner_contact(actor, member))
    return False


def may_remove(actor: User | None, member: InitiativeMember) -> bool:
    """Leads take an active member out (never the last lead); a member may leave."""
    if member.state != MemberState.ACTIVE:
        return False
    leads = [m for m in member.initiative.members if m.is_lead]
    if member.is_lead and len(leads) <= 1:
        return False
    return may_manage(actor, member.initiative) or acts_for(actor, member)


def _is_partner_contact(actor: User | None, member: InitiativeMember) -> bool:
    partner = partner_of(actor)
    return partner is not None and partner.id == member.partner_id
