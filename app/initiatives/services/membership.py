"""Proposing, approving and editing initiatives; joining, inviting, deciding; the working-group room."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.models import User
from app.convenings import fairtime
from app.convenings.models import THEMES
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.inputs import check_date, clean_line, clean_text
from app.core.permissions import is_staff, require_signed_in, require_staff
from app.extensions import db
from app.i18n import LANGUAGE_NAMES, is_valid_timezone
from app.initiatives.labels import ARTICLE_LABELS
from app.initiatives.models import (
    Initiative,
    InitiativeMember,
    InitiativeStatus,
    InitiativeTag,
    InitiativeText,
    InitiativeVisibility,
    MemberRole,
    MemberState,
)
from app.initiatives.services.rules import (
    GOAL_MAX,
    SUMMARY_MAX,
    TAGS_MAX,
    TITLE_MAX,
    InitiativeFields,
    _existing,
    _joiner,
    _who,
    is_lead,
    is_participant,
    may_approve,
    may_decide,
    may_edit,
    may_manage,
    may_propose,
    may_read,
    may_remove,
    may_see_work,
    member_label,
    users_of,
)
from app.notifications.services import notify
from app.registry.models import Nation, Partner, PartnerStatus
from app.rooms import services as rooms_services

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
