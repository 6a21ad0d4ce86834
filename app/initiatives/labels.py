"""How the initiatives' vocabularies read, in the viewer's language."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.convenings.labels import THEME_LABELS
from app.initiatives.models import (
    InitiativeStatus,
    InitiativeVisibility,
    MemberState,
    MilestoneStatus,
)
from app.library.labels import ARTICLE_LABELS

STATUS_LABELS: dict[str, LazyString] = {
    InitiativeStatus.PROPOSED: _l("Proposed"),
    InitiativeStatus.ACTIVE: _l("Active"),
    InitiativeStatus.COMPLETED: _l("Completed"),
    InitiativeStatus.CLOSED: _l("Closed"),
}
VISIBILITY_LABELS: dict[str, LazyString] = {
    InitiativeVisibility.PUBLIC: _l("Everyone"),
    InitiativeVisibility.MEMBERS: _l("Signed-in members"),
    InitiativeVisibility.PARTICIPANTS: _l("Its participants only"),
}
MEMBER_STATE_LABELS: dict[str, LazyString] = {
    MemberState.REQUESTED: _l("Asked to join"),
    MemberState.INVITED: _l("Invited"),
    MemberState.ACTIVE: _l("Member"),
    MemberState.DECLINED: _l("Declined"),
}
MILESTONE_LABELS: dict[str, LazyString] = {
    MilestoneStatus.PLANNED: _l("Planned"),
    MilestoneStatus.MET: _l("Met"),
    MilestoneStatus.DROPPED: _l("Dropped"),
}
__all__ = ["ARTICLE_LABELS", "MEMBER_STATE_LABELS", "MILESTONE_LABELS", "STATUS_LABELS", "THEME_LABELS",
           "VISIBILITY_LABELS"]
