"""What is raised when a risk occurs: a linked change request or a review meeting.

Domain rules, kept out of the UI so that the app and any later command build
the same records. Both records carry the risk's id in ``risk_ids``.
"""

from __future__ import annotations

from datetime import datetime, time

from clientdesk.store import rules
from clientdesk.store.clock import zone
from clientdesk.store.models import ClientRequest, Meeting, Project, Risk
from clientdesk.store.snapshot import validate_record

FOLLOW_UP_MEETING_AT = time(10, 0)
"""Local time (project zone) of the review meeting raised for a risk that occurred."""

FOLLOW_UP_MEETING_MINUTES = 60
"""Length of that meeting."""


def occurred_description(risk: Risk) -> str:
    """The description of a request raised because ``risk`` occurred."""
    sentence = (
        f"Because of {risk.cause or '…'}, {risk.event or risk.title} may happen, "
        f"which would {risk.effect or '…'}."
    )
    lines = [f"{risk.key} occurred. {sentence}"]
    if risk.contingency:
        lines.append(f"Contingency plan: {risk.contingency}")
    return "\n".join(lines)


def request_for_occurred_risk(risk: Risk, now: datetime) -> ClientRequest:
    """A change request linked to ``risk``, P2 for a high or critical risk, else P3.

    Raises:
        ValidationFailed: the risk's fields make no valid request.
    """
    return validate_record(
        ClientRequest,
        {
            "project_id": risk.project_id,
            "type": "change_request",
            "title": f"Risk occurred: {risk.title}"[:200],
            "description": occurred_description(risk),
            "received_at": now,
            "priority": "P2" if risk.band in ("high", "critical") else "P3",
            "owner": risk.owner,
            "risk_ids": [risk.id],
        },
    )


def meeting_for_occurred_risk(risk: Risk, project: Project, now: datetime) -> Meeting:
    """A draft review meeting linked to ``risk``, the next working day at 10:00 project time.

    Raises:
        ValidationFailed: the project's fields make no valid meeting.
    """
    start = rules.next_working_day_at(now, zone(project.timezone), FOLLOW_UP_MEETING_AT)
    return validate_record(
        Meeting,
        {
            "project_id": risk.project_id,
            "title": f"Risk occurred: {risk.title}"[:200],
            "kind": "review",
            "start": start,
            "duration_minutes": FOLLOW_UP_MEETING_MINUTES,
            "timezone": project.timezone,
            "organiser_name": project.organiser_name,
            "organiser_email": project.organiser_email,
            "status": "draft",
            "risk_ids": [risk.id],
        },
    )
