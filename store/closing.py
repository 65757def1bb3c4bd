"""The closing gates of a project: computed from its records, never ticked.

A project may be closed only when every gate passes, or with an override
reason that is recorded. The gates:

- **requests**: every client request is closed, rejected, or handed over to a
  named owner who carries it on after the project;
- **risks**: every risk is closed or handed over;
- **meetings**: no meeting is still planned (draft or scheduled) with an
  occurrence from now on; cancel it first (closing in the app offers to,
  and to e-mail the attendees);
- **checklist**: every closing checklist item is done or waived.

Each failing gate lists its blockers by key, so the user can go and fix them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from clientdesk.store.enums import ChecklistState, MeetingStatus, RiskStatus
from clientdesk.store.models import ChecklistItem, ClientRequest, Meeting, Project, Record, Risk

if TYPE_CHECKING:  # the repository checks the gates, so it imports this module
    from clientdesk.store.snapshot import Snapshot


@dataclass(frozen=True)
class Blocker:
    """A record that keeps a gate from passing."""

    kind: str
    """The record kind as the command line names it: ``request``, ``risk``, ..."""
    key: str
    """The record's human key, e.g. ``REQ-4``."""
    title: str
    """The record's title."""
    record_id: str
    """The record's id (to jump to it)."""
    why: str
    """What keeps it open, e.g. ``in progress``."""

    def as_json(self) -> dict[str, str]:
        """The blocker as ``list checklist --json`` gives it."""
        return {"kind": self.kind, "key": self.key, "title": self.title, "why": self.why}


@dataclass(frozen=True)
class Gate:
    """One closing gate and what blocks it."""

    name: str
    """Short id: ``requests``, ``risks``, ``meetings`` or ``checklist``."""
    title: str
    """What the gate asks for, in words."""
    blockers: tuple[Blocker, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        """True when nothing blocks the gate."""
        return not self.blockers

    def as_json(self) -> dict[str, object]:
        """The gate as ``list checklist --json`` gives it."""
        return {
            "name": self.name,
            "title": self.title,
            "passed": self.passed,
            "blockers": [blocker.as_json() for blocker in self.blockers],
        }


def _blocker(kind: str, record: Record, why: str) -> Blocker:
    return Blocker(kind, record.key, str(getattr(record, "title", "")), record.id, why)


def _label(value: object) -> str:
    return str(value).replace("_", " ")


def request_gate(requests: list[ClientRequest]) -> Gate:
    """Every request closed, rejected or handed over to a named owner."""
    blockers = tuple(
        _blocker("request", request, _label(request.status))
        for request in requests
        if request.is_open and not request.handed_over_to.strip()
    )
    return Gate("requests", "All client requests closed, rejected or handed over", blockers)


def risk_gate(risks: list[Risk]) -> Gate:
    """Every risk closed or handed over."""
    blockers = tuple(
        _blocker("risk", risk, _label(risk.status))
        for risk in risks
        if risk.status is not RiskStatus.CLOSED and not risk.handed_over_to.strip()
    )
    return Gate("risks", "All risks closed or handed over", blockers)


PLANNED = frozenset({MeetingStatus.DRAFT, MeetingStatus.SCHEDULED})
"""Meeting states that still promise a meeting to come."""


def meeting_gate(meetings: list[Meeting], now: datetime) -> Gate:
    """No meeting still planned with an occurrence from ``now`` on."""
    blockers = []
    for meeting in meetings:
        if meeting.status not in PLANNED:
            continue
        upcoming = meeting.next_occurrence(now)
        if upcoming is not None:
            why = f"{_label(meeting.status)}, next on {upcoming:%Y-%m-%d %H:%M}"
            blockers.append(_blocker("meeting", meeting, why))
    return Gate("meetings", "No meeting still scheduled from now on", tuple(blockers))


def checklist_gate(items: list[ChecklistItem]) -> Gate:
    """Every checklist item done or waived."""
    blockers = tuple(
        _blocker("checklist", item, "open")
        for item in sorted(items, key=lambda i: i.position)
        if item.state is ChecklistState.OPEN
    )
    return Gate("checklist", "Every checklist item done or waived", blockers)


def closing_gates(snapshot: Snapshot, project: Project, now: datetime) -> list[Gate]:
    """The four gates of ``project`` as of ``snapshot`` at ``now``, in the order shown."""
    return [
        request_gate(snapshot.of_project(ClientRequest, project.id)),
        risk_gate(snapshot.of_project(Risk, project.id)),
        meeting_gate(snapshot.of_project(Meeting, project.id), now),
        checklist_gate(snapshot.of_project(ChecklistItem, project.id)),
    ]


def blockers_line(gates: list[Gate]) -> str:
    """One line listing every blocker of the failing gates ("" when all pass).

    e.g. ``requests: REQ-3, REQ-7; checklist: CHK-2``.
    """
    parts = [
        f"{gate.name}: {', '.join(blocker.key for blocker in gate.blockers)}"
        for gate in gates
        if not gate.passed
    ]
    return "; ".join(parts)
