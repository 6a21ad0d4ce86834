"""How the library's vocabularies read, in the viewer's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.convenings.labels import THEME_LABELS
from app.library.models import PolicyStatus, PracticeKind, Visibility, Workflow
from app.registry.services import COMMITMENTS

KIND_LABELS = {
    PracticeKind.POLICY: _l("Policy"),
    PracticeKind.LAW: _l("Law or regulation"),
    PracticeKind.STRATEGY: _l("National strategy"),
    PracticeKind.INSTITUTION: _l("Institution"),
    PracticeKind.PROGRAMME: _l("Programme"),
    PracticeKind.LESSON: _l("Lesson learned"),
}
POLICY_STATUS_LABELS = {
    PolicyStatus.IN_FORCE: _l("In force"),
    PolicyStatus.DRAFT: _l("In preparation"),
    PolicyStatus.ENDED: _l("Ended"),
}
VISIBILITY_LABELS = {
    Visibility.PUBLIC: _l("Everyone"),
    Visibility.MEMBERS: _l("Signed-in members"),
    Visibility.SIGNATORIES: _l("Signatory States only"),
}
WORKFLOW_LABELS = {
    Workflow.DRAFT: _l("Draft"),
    Workflow.SUBMITTED: _l("Waiting for review"),
    Workflow.PUBLISHED: _l("Published"),
    Workflow.WITHDRAWN: _l("Withdrawn"),
}
#: The Declaration's articles a practice may serve (the registry's commitment titles).
ARTICLE_LABELS = COMMITMENTS
__all__ = ["ARTICLE_LABELS", "KIND_LABELS", "POLICY_STATUS_LABELS", "THEME_LABELS",
           "VISIBILITY_LABELS", "WORKFLOW_LABELS"]
