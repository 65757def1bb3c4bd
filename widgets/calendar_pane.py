"""The Calendar pane: the project's communication plan and its meetings."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Label

from clientdesk.store.enums import MeetingStatus
from clientdesk.widgets.cells import ALERT_STYLE, duration, label_of, plain, when
from clientdesk.widgets.record_table import Column, RecordTable, RowContext
from clientdesk.widgets.record_table_pane import RecordTablePane, counted

if TYPE_CHECKING:
    from clientdesk.store.models import CommunicationPlanItem, Meeting, Project
    from clientdesk.store.repository import Snapshot

_WEEKDAYS = {
    "MO": "Mon",
    "TU": "Tue",
    "WE": "Wed",
    "TH": "Thu",
    "FR": "Fri",
    "SA": "Sat",
    "SU": "Sun",
}
_FREQUENCIES = {
    "DAILY": ("daily", "days"),
    "WEEKLY": ("weekly", "weeks"),
    "MONTHLY": ("monthly", "months"),
    "YEARLY": ("yearly", "years"),
}


def describe_rrule(rrule: str | None) -> str:
    """A short reading of a recurrence rule: "weekly Mon", "every 2 weeks Thu".

    Args:
        rrule: an RFC 5545 RRULE without the ``RRULE:`` prefix, or None.

    Returns:
        The description; an empty string for no rule.
    """
    if not rrule:
        return ""
    parts = dict(part.split("=", 1) for part in rrule.split(";") if "=" in part)
    once, many = _FREQUENCIES.get(parts.get("FREQ", ""), (parts.get("FREQ", "").lower(), ""))
    interval = parts.get("INTERVAL", "1")
    text = once if interval == "1" or not many else f"every {interval} {many}"
    days = [
        _WEEKDAYS.get(day[-2:], day) + (f" #{day[:-2]}" if day[:-2] else "")
        for day in parts.get("BYDAY", "").split(",")
        if day
    ]
    if days:
        text += " " + ",".join(days)
    return text


def _overdue(item: CommunicationPlanItem, context: RowContext) -> Text:
    return plain("overdue", ALERT_STYLE) if item.is_overdue(context.now) else plain("")


def _meeting_status(meeting: Meeting, context: RowContext) -> Text:
    style = "dim strike" if meeting.status is MeetingStatus.CANCELLED else ""
    return label_of(meeting.status, style)


def _next_occurrence(meeting: Meeting, context: RowContext) -> Text:
    if meeting.status is MeetingStatus.CANCELLED:
        return plain("")
    return when(meeting.next_occurrence(context.now), context.zone)


PLAN_COLUMNS: list[Column[CommunicationPlanItem]] = [
    Column("key", "Key", lambda r, c: plain(r.key), 5, fit_content=True),
    Column("title", "What", lambda r, c: plain(r.title), 18, flex=True, ideal=30),
    Column("channel", "Channel", lambda r, c: label_of(r.channel), 9),
    Column("cadence", "Cadence", lambda r, c: plain(describe_rrule(r.cadence)), 18, drop_order=3),
    Column("owner", "Owner", lambda r, c: plain(r.owner), 14, drop_order=2),
    Column("next_due", "Next due", lambda r, c: when(r.next_due(c.now), c.zone), 16),
    Column("overdue", "Overdue", _overdue, 7),
]
"""The columns of the communication plan table."""

MEETING_COLUMNS: list[Column[Meeting]] = [
    Column("key", "Key", lambda r, c: plain(r.key), 5, fit_content=True),
    Column("title", "Title", lambda r, c: plain(r.title), 18, flex=True, ideal=30),
    Column("kind", "Kind", lambda r, c: label_of(r.kind), 18, drop_order=2),
    Column("start", "Start", lambda r, c: when(r.start, c.zone), 16),
    Column("repeat", "↻", lambda r, c: plain("↻" if r.rrule else ""), 1),
    Column("repeats", "Repeats", lambda r, c: plain(describe_rrule(r.rrule)), 16, drop_order=4),
    Column("next", "Next", _next_occurrence, 16, drop_order=3),
    Column("length", "Length", lambda r, c: duration(r.duration_minutes), 6),
    Column("status", "Status", _meeting_status, 9),
]
"""The columns of the meetings table."""


class CalendarPane(RecordTablePane):
    """The communication calendar: the plan above, the meetings it produces below."""

    DEFAULT_CSS = """
    CalendarPane > #plan-table {
        height: 2fr;
    }
    CalendarPane > #meeting-table {
        height: 3fr;
    }
    """

    NOUN = "calendar entry"
    PLURAL = "calendar entries"

    def compose_tables(self) -> ComposeResult:
        """The plan table and the meeting table, each under a section title."""
        yield Label("Communication plan", id="plan-title", classes="section-title")
        yield RecordTable(PLAN_COLUMNS, id="plan-table")
        yield Label("Meetings", id="meeting-title", classes="section-title")
        yield RecordTable(MEETING_COLUMNS, id="meeting-table")

    def show(self, snapshot: Snapshot, project: Project, now: datetime) -> None:
        """Show the plan items and meetings of ``project``."""
        # Imported here, not at the top: keeps pydantic out of start-up.
        from clientdesk.store.models import CommunicationPlanItem, Meeting

        context = RowContext(project, snapshot, now)
        self.fill("plan-table", snapshot.of_project(CommunicationPlanItem, project.id), context)
        self.fill("meeting-table", snapshot.of_project(Meeting, project.id), context)
        self.query_one("#meeting-title", Label).update(
            Text.assemble(
                "Meetings ", ("(times in ", "dim"), (project.timezone, "dim"), (")", "dim")
            )
        )
        self.refresh_status()

    def status_text(self) -> str:
        """How many plan items and meetings, or how many match the filter."""
        plan, meetings = self.tables
        if self.filter_text:
            return (
                f"{plan.shown_count} of {counted(plan.total_count, 'plan item')}, "
                f"{meetings.shown_count} of {counted(meetings.total_count, 'meeting')} match"
            )
        if not plan.total_count and not meetings.total_count:
            return "No plan items or meetings in this project yet"
        return (
            f"{counted(plan.total_count, 'plan item')} · {counted(meetings.total_count, 'meeting')}"
        )
