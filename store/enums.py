"""The enumerations of clientdesk's records, without pydantic.

Kept apart from :mod:`clientdesk.store.models` so that code which only needs a
value or a style per value (the app's widgets) can import them without paying
for pydantic and the models at start-up. ``models`` re-exports every name here.

Enumerations are ``StrEnum`` so that they are written to JSON as their plain
values and compare equal to them.
"""

from __future__ import annotations

from enum import StrEnum


class RAG(StrEnum):
    """A project's red/amber/green health."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Phase(StrEnum):
    """Where a project is in its life."""

    INITIATION = "initiation"
    PLANNING = "planning"
    EXECUTION = "execution"
    CLOSING = "closing"
    CLOSED = "closed"


class Channel(StrEnum):
    """How something is communicated."""

    VIDEO = "video"
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    IN_PERSON = "in_person"
    REPORT = "report"


class MeetingKind(StrEnum):
    """What sort of event a meeting is."""

    MEETING = "meeting"
    STATUS_REPORT = "status_report"
    REVIEW = "review"
    WORKSHOP = "workshop"
    STEERING_COMMITTEE = "steering_committee"


class MeetingStatus(StrEnum):
    """draft -> scheduled -> held -> minuted, or cancelled."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    HELD = "held"
    MINUTED = "minuted"
    CANCELLED = "cancelled"


class AttendeeRole(StrEnum):
    """RFC 5545 participation role, reduced to what a PM chooses."""

    REQUIRED = "required"
    OPTIONAL = "optional"


class RSVP(StrEnum):
    """An attendee's answer (RFC 5545 PARTSTAT)."""

    NEEDS_ACTION = "needs_action"
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    DECLINED = "declined"


class RequestType(StrEnum):
    """What a client asked for."""

    REQUIREMENT = "requirement"
    FEEDBACK = "feedback"
    CHANGE_REQUEST = "change_request"
    QUESTION = "question"
    COMPLAINT = "complaint"


class Priority(StrEnum):
    """P1 (urgent) to P4 (low)."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class RequestStatus(StrEnum):
    """The request workflow, from new to closed, or rejected."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CLIENT = "waiting_on_client"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"


class ChangeDecision(StrEnum):
    """The decision on a change request."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    DEFERRED = "deferred"


class RiskKind(StrEnum):
    """A risk is a threat or an opportunity."""

    THREAT = "threat"
    OPPORTUNITY = "opportunity"


class RiskStatus(StrEnum):
    """open -> monitoring -> occurred -> closed."""

    OPEN = "open"
    MONITORING = "monitoring"
    OCCURRED = "occurred"
    CLOSED = "closed"


class RiskResponse(StrEnum):
    """Response strategies; which are allowed depends on the risk's kind."""

    AVOID = "avoid"
    MITIGATE = "mitigate"
    TRANSFER = "transfer"
    EXPLOIT = "exploit"
    ENHANCE = "enhance"
    SHARE = "share"
    ACCEPT = "accept"
    ESCALATE = "escalate"


THREAT_RESPONSES = frozenset(
    {
        RiskResponse.AVOID,
        RiskResponse.MITIGATE,
        RiskResponse.TRANSFER,
        RiskResponse.ACCEPT,
        RiskResponse.ESCALATE,
    }
)
"""The responses a threat may take."""

OPPORTUNITY_RESPONSES = frozenset(
    {
        RiskResponse.EXPLOIT,
        RiskResponse.ENHANCE,
        RiskResponse.SHARE,
        RiskResponse.ACCEPT,
        RiskResponse.ESCALATE,
    }
)
"""The responses an opportunity may take."""


class ChecklistState(StrEnum):
    """A closing checklist item is open, done or waived."""

    OPEN = "open"
    DONE = "done"
    WAIVED = "waived"
