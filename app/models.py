"""Every model, imported in one place so metadata is complete for create_all and Alembic."""

from app.accounts.models import Invitation, User
from app.api.models import ApiToken
from app.convenings.models import (
    AgendaSession,
    CalendarToken,
    Convening,
    Registration,
    SessionSpeaker,
)
from app.core.audit import AuditEvent
from app.initiatives.models import (
    Follower,
    Initiative,
    InitiativeMember,
    InitiativeTag,
    InitiativeText,
    InitiativeUpdate,
    Milestone,
)
from app.library.models import (
    Adaptation,
    Attachment,
    Practice,
    PracticeTag,
    PracticeText,
    PracticeToken,
    PracticeVersion,
)
from app.matchmaking.models import (
    BilateralSlot,
    MatchProfile,
    MatchSettings,
    MeetingFeedback,
    MeetingRequest,
    Participation,
)
from app.notifications.models import Notice, OutboxMail
from app.registry.models import (
    Appointment,
    CommitmentReport,
    DepositaryNotification,
    GroupingMembership,
    Nation,
    NotificationSubscription,
    Partner,
    Signature,
)
from app.rooms.models import (
    Mention,
    Message,
    MessageRevision,
    Report,
    Room,
    RoomEvent,
    RoomMember,
    SearchToken,
)

__all__ = ["Appointment", "CommitmentReport", "DepositaryNotification", "NotificationSubscription",
           "Partner", "Signature", "AgendaSession", "AuditEvent", "CalendarToken", "Convening", "Registration", "SessionSpeaker", "GroupingMembership", "Invitation", "Nation", "Notice", "User",
           "Mention", "Message", "MessageRevision", "Report", "Room", "RoomEvent", "RoomMember",
           "SearchToken", "BilateralSlot", "MatchProfile", "MatchSettings", "MeetingFeedback",
           "MeetingRequest", "Participation", "OutboxMail", "ApiToken", "Adaptation", "Attachment",
           "Practice", "PracticeTag", "PracticeText", "PracticeToken", "PracticeVersion", "Follower",
           "Initiative", "InitiativeMember", "InitiativeTag", "InitiativeText", "InitiativeUpdate",
           "Milestone"]


def all_models() -> tuple[type, ...]:
    """Every model class: create_app calls this so the metadata is complete before anything queries."""
    return tuple(globals()[name] for name in __all__)
