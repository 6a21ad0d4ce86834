"""The rules of joint initiatives: who may propose, join, lead, plan and report, and what changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import lazyload

from app.accounts.models import User
from app.convenings import fairtime
from app.convenings.models import THEMES
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.inputs import MAX_ID, check_date, clean_line, clean_text
from app.core.permissions import Role, is_signed_in, is_staff, require_signed_in, require_staff
from app.extensions import db
from app.i18n import LANGUAGE_NAMES, is_valid_timezone, territory_name
from app.initiatives.labels import ARTICLE_LABELS
from app.initiatives.models import (
    Follower,
    Initiative,
    InitiativeMember,
    InitiativeStatus,
    InitiativeTag,
    InitiativeText,
    InitiativeUpdate,
    InitiativeVisibility,
    MemberRole,
    MemberState,
    Milestone,
    MilestoneStatus,
)
from app.library import services as library_services
from app.notifications.services import notify, register_kind
from app.registry.models import Nation, Partner, PartnerStatus
from app.rooms import services as rooms_services
from app.rooms.markdown import render as render_markdown

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


# --- proposing and editing ------------------------------------------------------------------

def _clean_fields(fields: InitiativeFields) -> InitiativeFields:
    if fields.language not in LANGUAGE_NAMES:
        raise Invalid(_l("Choose a language from the list."), code="language_unknown", field="language")
    title = clean_line(fields.title or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise Invalid(_l("Give a title of up to %(count)s characters.", count=TITLE_MAX),
                      code="title_length", field="title")
    summary = clean_text(fields.summary or "").strip()
    if not summary or len(summary) > SUMMARY_MAX:
        raise Invalid(_l("Give a summary of up to %(count)s characters.", count=SUMMARY_MAX),
                      code="summary_length", field="summary")
    goal = clean_text(fields.goal or "").strip()
    if not goal or len(goal) > GOAL_MAX:
        raise Invalid(_l("Give a goal of up to %(count)s characters.", count=GOAL_MAX),
                      code="goal_length", field="goal")
    themes, articles = sorted(set(fields.themes)), sorted(set(fields.articles))
    if not themes or len(themes) > TAGS_MAX or any(t not in THEMES for t in themes):
        raise Invalid(_l("Choose at least one theme from the list."), code="theme_unknown", field="themes")
    if len(articles) > TAGS_MAX or any(a not in ARTICLE_LABELS for a in articles):
        raise Invalid(_l("Choose articles of the Declaration from the list."), code="article_unknown",
                      field="articles")
    if fields.visibility not in InitiativeVisibility.__members__.values():
        raise Invalid(_l("Choose who may read it from the list."), code="visibility_unknown",
                      field="visibility")
    return InitiativeFields(fields.language, title, summary, goal, themes, articles, fields.visibility)


def _set_tags(initiative: Initiative, fields: InitiativeFields) -> None:
    wanted = {("theme", t) for t in fields.themes} | {("article", a) for a in fields.articles}
    for tag in list(initiative.tags):
        if (tag.facet, tag.value) not in wanted:
            initiative.tags.remove(tag)
    have = {(tag.facet, tag.value) for tag in initiative.tags}
    for facet, value in sorted(wanted - have):
        initiative.tags.append(InitiativeTag(facet=facet, value=value))


def _set_text(initiative: Initiative, fields: InitiativeFields) -> None:
    text = initiative.text_in(fields.language)
    if text is None:
        initiative.texts.append(InitiativeText(language=fields.language, title=fields.title,
                                               summary=fields.summary))
    else:
        text.title, text.summary = fields.title, fields.summary


def propose_initiative(actor: User, fields: InitiativeFields) -> Initiative:
    """An ambassador proposes an initiative; their State leads it; staff approve it for the list."""
    require_signed_in(actor)
    if not may_propose(actor):
        raise Forbidden(_l("Only the Tech Ambassador of a State can propose an initiative."))
    clean = _clean_fields(fields)
    now = utcnow()
    initiative = Initiative(status=InitiativeStatus.PROPOSED.value, visibility=clean.visibility,
                            original_language=clean.language, goal=clean.goal, created_by_id=actor.id,
                            created_at=now, updated_at=now)
    db.session.add(initiative)
    _set_text(initiative, clean)
    _set_tags(initiative, clean)
    initiative.members.append(InitiativeMember(nation_id=actor.nation_id, role=MemberRole.LEAD.value,
                                               state=MemberState.ACTIVE.value, created_at=now,
                                               decided_at=now))
    db.session.flush()
    record(actor, "initiatives.proposed", "initiative", initiative.id)
    return initiative


def edit_initiative(actor: User, initiative: Initiative, fields: InitiativeFields) -> Initiative:
    """Leads change the goal, tags, visibility and the text in one language (adding a language)."""
    if not may_edit(actor, initiative):
        raise Forbidden()
    clean = _clean_fields(fields)
    initiative.goal, initiative.visibility = clean.goal, clean.visibility
    _set_text(initiative, clean)
    _set_tags(initiative, clean)
    initiative.updated_at = utcnow()
    db.session.flush()
    record(actor, "initiatives.edited", "initiative", initiative.id, language=clean.language)
    return initiative


def _title(initiative: Initiative) -> str:
    return initiative.reading(initiative.original_language).title


def _link(initiative: Initiative) -> str:
    return f"/initiatives/{initiative.id}"


def approve_initiative(actor: User, initiative: Initiative) -> Initiative:
    """Staff approve a proposal: it becomes active, listed, and its members get a working room."""
    require_staff(actor)
    if not may_approve(actor, initiative):
        raise Conflict(_l("Only a proposed initiative can be approved."), code="not_proposed")
    initiative.status = InitiativeStatus.ACTIVE.value
    initiative.approved_at, initiative.approved_by_id = utcnow(), actor.id
    _ensure_room(initiative)
    record(actor, "initiatives.approved", "initiative", initiative.id)
    creator = db.session.get(User, initiative.created_by_id)
    if creator is not None:
        notify(creator, "initiatives.approved", {"title": _title(initiative)}, link=_link(initiative))
    return initiative


STATUS_MOVES = {
    InitiativeStatus.PROPOSED: {InitiativeStatus.CLOSED},
    InitiativeStatus.ACTIVE: {InitiativeStatus.COMPLETED, InitiativeStatus.CLOSED},
    InitiativeStatus.COMPLETED: {InitiativeStatus.ACTIVE},
    InitiativeStatus.CLOSED: set(),
}


def may_change_status(actor: User | None, initiative: Initiative) -> bool:
    """Leads and staff move an initiative on (complete, close, reopen a completed one)."""
    return bool(STATUS_MOVES[InitiativeStatus(initiative.status)]) and (
        is_staff(actor) or is_lead(actor, initiative))


def change_status(actor: User, initiative: Initiative, status: str, outcome: str = "") -> Initiative:
    """Complete (with an outcome summary for the record), close or reopen an initiative."""
    if not may_change_status(actor, initiative):
        raise Forbidden()
    current = InitiativeStatus(initiative.status)
    if status not in {s.value for s in STATUS_MOVES[current]}:
        raise Invalid(_l("This initiative cannot move to that status."), code="status_move", field="status")
    summary = clean_text(outcome or "").strip()
    if status == InitiativeStatus.COMPLETED and not 0 < len(summary) <= GOAL_MAX:
        raise Invalid(_l("Sum up the outcome in up to %(count)s characters.", count=GOAL_MAX),
                      code="outcome_length", field="outcome")
    if summary:
        initiative.outcome = summary
    initiative.status, initiative.updated_at = status, utcnow()
    record(actor, "initiatives.status_changed", "initiative", initiative.id, old=current.value, new=status)
    return initiative


# --- membership ---------------------------------------------------------------------------------

def _notify_all(users: Sequence[User], kind: str, params: dict[str, Any], initiative: Initiative,
                *, exclude: User | None = None) -> int:
    seen: set[int] = set()
    for user in users:
        if user.id in seen or (exclude is not None and user.id == exclude.id):
            continue
        seen.add(user.id)
        notify(user, kind, params, link=_link(initiative), email=True)
    return len(seen)


def _lead_users(initiative: Initiative) -> list[User]:
    return [user for member in initiative.members if member.is_lead for user in users_of(member)]


def ask_to_join(actor: User, initiative: Initiative) -> InitiativeMember:
    """Ask to join, for one's State, one's partner organisation or oneself; leads decide."""
    require_signed_in(actor)
    if not may_read(actor, initiative):
        raise NotFound()
    joiner = _joiner(actor)
    existing = _existing(initiative, **joiner)
    if existing is not None and existing.state != MemberState.DECLINED:
        raise Conflict(_l("You have already asked to join, been invited or joined."), code="duplicate_join")
    if initiative.status not in (InitiativeStatus.PROPOSED, InitiativeStatus.ACTIVE):
        raise Invalid(_l("This initiative no longer takes new members."), code="not_open")
    now = utcnow()
    if existing is None:
        existing = InitiativeMember(**joiner, role=MemberRole.MEMBER.value, created_at=now)
        initiative.members.append(existing)
    existing.state, existing.role, existing.decided_at = MemberState.REQUESTED.value, MemberRole.MEMBER.value, None
    db.session.flush()
    record(actor, "initiatives.join_requested", "initiative", initiative.id, member_id=existing.id)
    _notify_all(_lead_users(initiative), "initiatives.join_requested",
                {**_who(existing), "title": _title(initiative)}, initiative)
    return existing


def invite(actor: User, initiative: Initiative, *, nation: Nation | None = None,
           partner: Partner | None = None, user: User | None = None) -> InitiativeMember:
    """A lead invites a State, an approved partner or a member; they accept or decline."""
    if not may_manage(actor, initiative):
        raise Forbidden(_l("Only the initiative's leads can invite."))
    if sum(x is not None for x in (nation, partner, user)) != 1:
        raise Invalid(_l("Choose one State, partner or member to invite."), code="invitee", field="invitee")
    if partner is not None and partner.status != PartnerStatus.APPROVED:
        raise Invalid(_l("Only approved Supporting Partners can be invited."), code="partner_not_approved",
                      field="invitee")
    if user is not None and not user.active:
        raise Invalid(_l("This member's account is not active."), code="inactive_user", field="invitee")
    key = ({"nation_id": nation.id} if nation is not None else
           {"partner_id": partner.id} if partner is not None else {"user_id": user.id})  # type: ignore[union-attr]
    existing = _existing(initiative, **key)
    if existing is not None and existing.state != MemberState.DECLINED:
        raise Conflict(_l("They have already asked to join, been invited or joined."), code="duplicate_join",
                       field="invitee")
    if existing is None:
        existing = InitiativeMember(**key, role=MemberRole.MEMBER.value, created_at=utcnow())
        initiative.members.append(existing)
    existing.state, existing.decided_at = MemberState.INVITED.value, None
    db.session.flush()
    record(actor, "initiatives.invited", "initiative", initiative.id, member_id=existing.id)
    invitees = users_of(existing)
    if partner is not None:
        contact = db.session.scalar(select(User).where(
            func.lower(User.email) == partner.contact_email.lower(), User.active.is_(True)))
        invitees = [contact] if contact is not None else []
    _notify_all(invitees, "initiatives.invited", {"title": _title(initiative)}, initiative)
    return existing


def accept(actor: User, member: InitiativeMember) -> InitiativeMember:
    """A lead accepts a request, or the invited member accepts; they join the room at once."""
    if not may_decide(actor, member):
        raise Forbidden()
    if member.state == MemberState.INVITED and member.partner_id is not None:
        member.user_id = actor.id  # the representative who accepted acts for the partner
    member.state, member.decided_at = MemberState.ACTIVE.value, utcnow()
    db.session.flush()
    initiative = member.initiative
    record(actor, "initiatives.member_accepted", "initiative", initiative.id, member_id=member.id)
    _sync_room(initiative, member)
    _notify_all([*users_of(member), *_lead_users(initiative)], "initiatives.joined",
                {**_who(member), "title": _title(initiative)}, initiative, exclude=actor)
    return member


def decline(actor: User, member: InitiativeMember) -> InitiativeMember:
    """A lead declines a request, or the invited member declines."""
    if not may_decide(actor, member):
        raise Forbidden()
    return _end(actor, member, "initiatives.member_declined")


def remove(actor: User, member: InitiativeMember) -> InitiativeMember:
    """A lead takes a member out, or a member leaves; their room access ends at once."""
    if not may_remove(actor, member):
        raise Forbidden()
    return _end(actor, member, "initiatives.member_removed")


def _end(actor: User, member: InitiativeMember, action: str) -> InitiativeMember:
    was_active = member.state == MemberState.ACTIVE
    member.state, member.decided_at = MemberState.DECLINED.value, utcnow()
    db.session.flush()
    initiative = member.initiative
    record(actor, action, "initiative", initiative.id, member_id=member.id)
    if was_active:
        _sync_room(initiative, member)
    _notify_all(users_of(member), "initiatives.declined", {**_who(member), "title": _title(initiative)},
                initiative, exclude=actor)
    return member


# --- links to the library ------------------------------------------------------------------

PRACTICE_LINKS_MAX = 10


def _practice_id(raw: str) -> int | None:
    """A practice's id from "12", "/library/12" or a full address of a practice page."""
    tail = (raw or "").strip().rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    return int(tail) if tail.isascii() and tail.isdigit() and 0 < len(tail) < 10 else None


def link_practice(actor: User, initiative: Initiative, raw: str) -> None:
    """Leads link a practice of the library the initiative builds on."""
    if not may_edit(actor, initiative):
        raise Forbidden()
    number = _practice_id(raw)
    try:
        practice = library_services.get_practice(actor, number) if number else None
    except NotFound:
        practice = None
    if practice is None or not practice.listed:
        raise Invalid(_l("Give the address of a practice published in the library."), code="practice",
                      field="practice")
    if practice.id in initiative.practice_ids:
        raise Conflict(_l("This practice is already linked."), code="duplicate_link", field="practice")
    if len(initiative.practice_ids) >= PRACTICE_LINKS_MAX:
        raise Invalid(_l("An initiative links at most %(num)d practices.", num=PRACTICE_LINKS_MAX),
                      code="too_many_links", field="practice")
    initiative.practice_ids = [*initiative.practice_ids, practice.id]
    record(actor, "initiatives.practice_linked", "initiative", initiative.id, practice_id=practice.id)


def unlink_practice(actor: User, initiative: Initiative, practice_id: int) -> None:
    """Leads remove a link to a practice."""
    if not may_edit(actor, initiative):
        raise Forbidden()
    if practice_id not in initiative.practice_ids:
        raise NotFound()
    initiative.practice_ids = [p for p in initiative.practice_ids if p != practice_id]
    record(actor, "initiatives.practice_unlinked", "initiative", initiative.id, practice_id=practice_id)


def linked_practices(actor: User | None, initiative: Initiative) -> list[Any]:
    """The linked practices the actor may read (at most PRACTICE_LINKS_MAX look-ups)."""
    found = []
    for practice_id in initiative.practice_ids[:PRACTICE_LINKS_MAX]:
        try:
            found.append(library_services.get_practice(actor, practice_id))
        except NotFound:
            continue
    return found


# --- the working-group room --------------------------------------------------------------------

def _ensure_room(initiative: Initiative) -> None:
    """A private working group (the rooms' existing kind) owned by a lead's ambassador."""
    if initiative.room_id is not None:
        return
    leads = _lead_users(initiative)
    if not leads:
        return
    room = rooms_services.create_working_group(leads[0], _title(initiative)[:120])
    db.session.flush()
    initiative.room_id = room.id
    for member in initiative.active_members:
        _sync_room(initiative, member)


def _sync_room(initiative: Initiative, member: InitiativeMember) -> None:
    """Room membership follows initiative membership."""
    room, owner = _room_and_owner(initiative)
    if room is None or owner is None:
        return
    for user in users_of(member) if member.nation_id is not None else ([member.user] if member.user else []):
        if user.id == room.owner_id:
            continue
        inside = rooms_services.membership(user, room)
        if member.state == MemberState.ACTIVE and user.active:
            rooms_services.invite(owner, room, user)
        elif inside is not None and inside.status == "active":
            rooms_services.leave(user, room)


def meeting_url(actor: User | None, initiative: Initiative) -> str | None:
    """The initiative's video-call address on the configured meeting server, for members only."""
    template = current_app.config.get("MEETING_URL_TEMPLATE") or ""
    if "{room}" not in template or not may_see_work(actor, initiative):
        return None
    return template.replace("{room}", f"tdi-{initiative.meeting_key}")


FAIR_TIMES_MAX_DAYS = 31


def fair_time_groups(initiative: Initiative) -> list[fairtime.Group]:
    """One group per active member, in the zone most of its people confirmed (else an assumed one)."""
    groups = []
    for member in initiative.active_members:
        people = users_of(member)
        confirmed = Counter(u.timezone for u in people if u.timezone_confirmed and is_valid_timezone(u.timezone))
        if confirmed:
            groups.append(fairtime.Group(member_label(member), confirmed.most_common(1)[0][0]))
        else:
            zone = next((u.timezone for u in people if is_valid_timezone(u.timezone)), "UTC")
            groups.append(fairtime.Group(member_label(member), zone, assumed=True))
    return groups


def fair_times(actor: User | None, initiative: Initiative, first_day: date | None, last_day: date | None,
               minutes: int | None) -> list[fairtime.Proposal]:
    """The three call times that ask least of the members across their time zones (members only)."""
    if not may_see_work(actor, initiative):
        raise Forbidden()
    if minutes is None or not 15 <= minutes <= 240:
        raise Invalid(_l("Enter a length between 15 and 240 minutes."), code="duration", field="duration")
    if first_day is None or last_day is None:
        raise Invalid(_l("Choose a range of at most a month, ending after it starts."), code="range",
                      field="last_day")
    check_date(first_day, "first_day")
    check_date(last_day, "last_day")
    if not 0 <= (last_day - first_day).days <= FAIR_TIMES_MAX_DAYS:
        raise Invalid(_l("Choose a range of at most a month, ending after it starts."), code="range",
                      field="last_day")
    return fairtime.propose(fair_time_groups(initiative), first_day, last_day, timedelta(minutes=minutes))


def _room_and_owner(initiative: Initiative) -> tuple[Any, User | None]:
    room = rooms_services.rooms_by_id([initiative.room_id]).get(initiative.room_id) if initiative.room_id else None
    owner = db.session.get(User, room.owner_id) if room is not None and room.owner_id else None
    return room, owner


def may_join_room(actor: User | None, initiative: Initiative) -> bool:
    """A participant outside the room (a State's newly appointed ambassador) may step in."""
    if actor is None or not is_participant(actor, initiative) or initiative.room_id is None:
        return False
    room, _owner = _room_and_owner(initiative)
    inside = rooms_services.membership(actor, room) if room is not None else None
    return room is not None and (inside is None or inside.status != "active")


def join_room(actor: User, initiative: Initiative) -> None:
    """Put a participant into the working group's room (membership follows the initiative's)."""
    if not may_join_room(actor, initiative):
        raise Forbidden()
    room, owner = _room_and_owner(initiative)
    if owner is None:
        raise Conflict(_l("The working group's room has no owner; ask TDI staff."), code="room_owner")
    rooms_services.invite(owner, room, actor)
    record(actor, "initiatives.room_joined", "initiative", initiative.id)


def room_id_for(actor: User | None, initiative: Initiative) -> int | None:
    """The working-group room's id, for active members only."""
    return initiative.room_id if may_see_work(actor, initiative) else None


# --- milestones ---------------------------------------------------------------------------------

def _clean_milestone(initiative: Initiative, title: str, due_on: date | None,
                     owner_id: Any) -> tuple[str, date, InitiativeMember]:
    title = clean_line(title or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise Invalid(_l("Give a title of up to %(count)s characters.", count=TITLE_MAX),
                      code="title_length", field="title")
    if due_on is None:
        raise Invalid(_l("Give a due date."), code="due_missing", field="due_on")
    check_date(due_on, "due_on")
    earliest = initiative.created_at.date() - timedelta(days=366)
    if not earliest <= due_on <= utcnow().date() + MILESTONE_HORIZON:
        raise Invalid(_l("The due date must be within ten years from now and not long before the "
                         "initiative began."), code="due_out_of_range", field="due_on")
    owner = next((m for m in initiative.active_members if m.id == owner_id), None)
    if owner is None:
        raise Invalid(_l("The owner must be a member of the initiative."), code="owner_not_member",
                      field="owner")
    return title, due_on, owner


def add_milestone(actor: User, initiative: Initiative, title: str, due_on: date | None,
                  owner_id: Any) -> Milestone:
    """Leads plan a milestone owned by a member."""
    if not may_manage(actor, initiative):
        raise Forbidden(_l("Only the initiative's leads can plan milestones."))
    clean_title, due, owner = _clean_milestone(initiative, title, due_on, owner_id)
    milestone = Milestone(initiative_id=initiative.id, title=clean_title, due_on=due, owner=owner,
                          status=MilestoneStatus.PLANNED.value, created_at=utcnow())
    db.session.add(milestone)
    db.session.flush()
    record(actor, "initiatives.milestone_added", "initiative", initiative.id, milestone_id=milestone.id)
    return milestone


def get_milestone(initiative: Initiative, milestone_id: Any) -> Milestone:
    """One milestone of this initiative."""
    number = milestone_id if isinstance(milestone_id, int) and 0 < milestone_id <= MAX_ID else None
    milestone = db.session.get(Milestone, number) if number else None
    if milestone is None or milestone.initiative_id != initiative.id:
        raise NotFound()
    return milestone


def edit_milestone(actor: User, milestone: Milestone, title: str, due_on: date | None, owner_id: Any,
                   status: str) -> Milestone:
    """Leads change a milestone, or mark it met or dropped."""
    initiative = db.session.get(Initiative, milestone.initiative_id)
    assert initiative is not None
    if not may_manage(actor, initiative):
        raise Forbidden(_l("Only the initiative's leads can plan milestones."))
    if status not in MilestoneStatus.__members__.values():
        raise Invalid(_l("Choose a status from the list."), code="status_unknown", field="status")
    clean_title, due, owner = _clean_milestone(initiative, title, due_on, owner_id)
    old = milestone.status
    if due != milestone.due_on or owner.id != milestone.owner_id:
        milestone.reminded_at = None  # the (new) owner hears about the new date
    milestone.title, milestone.due_on, milestone.owner, milestone.status = clean_title, due, owner, status
    db.session.flush()
    record(actor, "initiatives.milestone_changed", "initiative", initiative.id, milestone_id=milestone.id,
           old=old, new=status)
    return milestone


def delete_milestone(actor: User, milestone: Milestone) -> None:
    """Leads remove a milestone."""
    initiative = db.session.get(Initiative, milestone.initiative_id)
    assert initiative is not None
    if not may_manage(actor, initiative):
        raise Forbidden(_l("Only the initiative's leads can plan milestones."))
    record(actor, "initiatives.milestone_deleted", "initiative", initiative.id, milestone_id=milestone.id)
    db.session.delete(milestone)
    db.session.flush()


REMINDER_DAYS = 3


def send_milestone_reminders(today: date | None = None, days: int = REMINDER_DAYS) -> int:
    """Remind the people of each planned milestone's owner a few days before it is due, once
    (safe to run from cron repeatedly); the e-mails go through the outbox. Returns how many people."""
    today = today or utcnow().date()
    due = list(db.session.scalars(select(Milestone).join(Initiative).where(
        Milestone.status == MilestoneStatus.PLANNED.value, Milestone.reminded_at.is_(None),
        Milestone.due_on >= today, Milestone.due_on <= today + timedelta(days=days),
        Initiative.status == InitiativeStatus.ACTIVE.value).order_by(Milestone.id)))
    told = 0
    for milestone in due:
        initiative = db.session.get(Initiative, milestone.initiative_id)
        assert initiative is not None
        people = users_of(milestone.owner) if milestone.owner.state == MemberState.ACTIVE else []
        told += _notify_all(people, "initiatives.milestone_due", {
            "milestone": milestone.title, "title": _title(initiative), "due_on": milestone.due_on.isoformat()},
            initiative)
        milestone.reminded_at = utcnow()
    return told


# --- updates and followers ---------------------------------------------------------------------

def post_update(actor: User, initiative: Initiative, body: str, *, public: bool = False) -> InitiativeUpdate:
    """An active member posts a progress update, shared publicly or with members only; members and
    followers are told in their language."""
    if not may_post(actor, initiative):
        raise Forbidden(_l("Only members of an active initiative can post updates."))
    if public and not may_share_publicly(initiative):
        raise Invalid(_l("Only a public initiative's updates can be shared publicly."), code="not_public",
                      field="public")
    text = clean_text(body or "").strip()
    if not text or len(text) > UPDATE_MAX or not render_markdown(text):
        raise Invalid(_l("Write an update of up to %(count)s characters.", count=UPDATE_MAX),
                      code="body_length", field="body")
    update = InitiativeUpdate(initiative_id=initiative.id, author_id=actor.id, body=text, public=public,
                              created_at=utcnow())
    db.session.add(update)
    db.session.flush()
    record(actor, "initiatives.update_posted", "initiative", initiative.id, update_id=update.id, public=public)
    followers = list(db.session.scalars(select(User).join(Follower, Follower.user_id == User.id).where(
        Follower.initiative_id == initiative.id, User.active.is_(True))))
    people = [user for member in initiative.active_members for user in users_of(member)]
    _notify_all([*people, *followers], "initiatives.update",
                {"author": actor.display_name, "title": _title(initiative)}, initiative, exclude=actor)
    return update


def follow(actor: User, initiative: Initiative) -> None:
    """Receive the initiative's updates."""
    require_signed_in(actor)
    if not may_read(actor, initiative):
        raise NotFound()
    if not is_following(actor, initiative):
        db.session.add(Follower(initiative_id=initiative.id, user_id=actor.id, created_at=utcnow()))
        db.session.flush()


def unfollow(actor: User, initiative: Initiative) -> None:
    """Stop receiving the initiative's updates."""
    require_signed_in(actor)
    follower = db.session.scalar(select(Follower).where(Follower.initiative_id == initiative.id,
                                                        Follower.user_id == actor.id))
    if follower is not None:
        db.session.delete(follower)
        db.session.flush()
