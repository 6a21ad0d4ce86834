"""The work of members: library links, milestones and reminders, updates and followers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.inputs import MAX_ID, check_date, clean_line, clean_text
from app.core.permissions import require_signed_in
from app.extensions import db
from app.initiatives.models import (
    Follower,
    Initiative,
    InitiativeMember,
    InitiativeStatus,
    InitiativeUpdate,
    MemberState,
    Milestone,
    MilestoneStatus,
)
from app.initiatives.services.finding import is_following, may_share_publicly
from app.initiatives.services.membership import _notify_all, _title
from app.initiatives.services.rules import (
    MILESTONE_HORIZON,
    TITLE_MAX,
    UPDATE_MAX,
    may_edit,
    may_manage,
    may_post,
    may_read,
    users_of,
)
from app.library import services as library_services
from app.rooms.markdown import render as render_markdown

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
