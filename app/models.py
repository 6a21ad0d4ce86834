"""Every model, imported in one place so metadata is complete for create_all and Alembic."""

from app.accounts.models import Invitation, User
from app.core.audit import AuditEvent
from app.notifications.models import Notice
from app.registry.models import GroupingMembership, Nation

__all__ = ["AuditEvent", "GroupingMembership", "Invitation", "Nation", "Notice", "User"]
