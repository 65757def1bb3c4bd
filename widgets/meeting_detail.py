"""The detail of one meeting occurrence, read-only, with the keys that act on it.

Opened from the Calendar pane on one :class:`~clientdesk.store.calendar.Occurrence`.
It shows everything about the occurrence (when, in the project's zone and the
viewer's, the series it belongs to, who comes, the agenda against the length,
minutes, decisions, action items and clashes) and closes with the name of what
the user wants to do next; the pane does it. Keys that make no sense for this
occurrence (splitting a one-off meeting, cancelling a cancelled one) are not
offered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from clientdesk.store.calendar import Occurrence, describe_rule
from clientdesk.store.clock import zone
from clientdesk.store.enums import MeetingStatus
from clientdesk.store.text import printable
from clientdesk.widgets.actions import Action, ExplainedActions, bindings, key_of
from clientdesk.widgets.calendar_pane import occurrence_refusal
from clientdesk.widgets.cells import ALERT_STYLE, date_text, datetime_text, time_text

if TYPE_CHECKING:
    from clientdesk.store.models import Project

ACTION_PREFIX = "action:"
"""What the dialog dismisses with to turn an action item into a request: ``action:<index>``."""

_HEADING = "bold"
_MUTED = "dim"
_DASH = "\u2013"  # between two times


def _span(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """The start's day and time and the end's time in ``zone`` (its date too when it differs)."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    end_text = time_text(local_end)
    if local_end.date() != local_start.date():
        end_text = f"{local_end:%a} {datetime_text(local_end)}"
    return f"{local_start:%a} {datetime_text(local_start)}{_DASH}{end_text}"


def _days_span(start: datetime, end: datetime) -> str:
    """An all-day span by its days, in the meeting's own zone: ``Tue 2026-12-01, all day``.

    Several days read ``Tue 2026-12-01 - Thu 2026-12-03, all day (3 days)`` (an en dash).
    """
    days = (end.date() - start.date()).days
    if days <= 1:
        return f"{start:%a} {date_text(start)}, all day"
    last = start + timedelta(days=days - 1)
    return f"{start:%a} {date_text(start)}{_DASH}{last:%a} {date_text(last)}, all day ({days} days)"


def _words(value: object) -> str:
    return str(value).replace("_", " ")


class MeetingDetail(ExplainedActions, ModalScreen[str | None]):
    """One occurrence of a meeting, read-only; dismisses with what to do next.

    The result is ``"edit"``, ``"minutes"``, ``"cancel_occurrence"``, ``"move"``,
    ``"split"``, ``"status"``, ``"action:<index>"`` (the index into the
    occurrence's ``action_items``), or None when closed.
    """

    DEFAULT_CSS = """
    MeetingDetail {
        align: center middle;
    }
    MeetingDetail > #detail-box {
        width: 100;
        max-width: 100%;
        height: 1fr;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    MeetingDetail #detail-text, MeetingDetail #detail-actions-title {
        width: 1fr;
    }
    MeetingDetail #detail-actions {
        height: auto;
        max-height: 8;
        border: none;
        padding: 0 0 0 2;
        margin-bottom: 1;
    }
    MeetingDetail #detail-actions-title {
        text-style: bold;
    }
    """

    BINDINGS = bindings("detail", explained=True)

    def __init__(
        self,
        occurrence: Occurrence,
        project: Project,
        viewer_zone: ZoneInfo,
        *,
        conflicts: Sequence[Occurrence] = (),
        request_keys: Mapping[str, str] | None = None,
    ) -> None:
        """Prepare the detail of one occurrence.

        Args:
            occurrence: the occurrence shown.
            project: the project (its home zone is the meeting's reference).
            viewer_zone: the zone of the person looking; its times are shown too
                when it differs from the project's.
            conflicts: the occurrences this one clashes with.
            request_keys: the key (``REQ-5``) of each request an action item links to, by id.
        """
        super().__init__()
        self.occurrence = occurrence
        """The occurrence shown."""
        self._project_zone = ZoneInfo(project.timezone)
        self._closed_key = project.key if project.is_closed else ""
        self._viewer_zone = viewer_zone
        self._conflicts = list(conflicts)
        self._request_keys = dict(request_keys or {})

    # -- what is offered ------------------------------------------------------------------

    @property
    def open_actions(self) -> list[int]:
        """The indexes of the action items not yet turned into a request."""
        return [i for i, item in enumerate(self.occurrence.action_items) if not item.request_id]

    def closed_project_key(self) -> str:
        """The project's key when it is closed: its meetings cannot change."""
        return self._closed_key

    def refusal(self, action: Action) -> str:
        """Why ``action`` does not apply to this occurrence ("" when it does)."""
        if action.id == "detail.action_to_request":
            if not self.occurrence.action_items:
                return "This occurrence has no action items (m records them)."
            return "" if self.open_actions else "Every action item is a request already."
        wanted = {
            "detail.cancel_occurrence": "cancel",
            "detail.move": "move",
            "detail.split": "split",
            "detail.minutes": "minutes",
            "detail.status": "status",
        }.get(action.id)
        return occurrence_refusal(self.occurrence, wanted) if wanted else ""

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """The details, the list of action items (when any), and the keys."""
        with VerticalScroll(id="detail-box"):
            yield Static(self._details(), id="detail-text")
            if self.occurrence.action_items:
                yield Static(self._actions_title(), id="detail-actions-title")
                yield OptionList(*self._action_options(), id="detail-actions")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        """Say what is shown in the border; start on the scrolling body."""
        box = self.query_one("#detail-box")
        box.border_title = Text(
            f"{self.occurrence.key} {printable(self.occurrence.meeting.title)}", end=""
        )
        box.border_subtitle = f"{key_of('detail.close')}: close"
        box.focus()

    # -- keys ------------------------------------------------------------------------------

    def action_close_with(self, result: str | None) -> None:
        """Close and tell the pane what to do next (None: nothing)."""
        self.dismiss(result)

    def action_action_to_request(self) -> None:
        """Turn an action item into a request: the only open one, or the one picked in the list."""
        open_actions = self.open_actions
        if len(open_actions) == 1:
            self.dismiss(f"{ACTION_PREFIX}{open_actions[0]}")
            return
        actions = self.query_one("#detail-actions", OptionList)
        if actions.has_focus and actions.highlighted in open_actions:
            self.dismiss(f"{ACTION_PREFIX}{actions.highlighted}")
            return
        actions.focus()
        if actions.highlighted not in open_actions:
            actions.highlighted = open_actions[0]
        self.notify(
            f"Pick the action item, then press enter or {key_of('detail.action_to_request')}.",
            title="Action items",
        )

    @on(OptionList.OptionSelected, "#detail-actions")
    def _action_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = event.option_index
        request_id = self.occurrence.action_items[index].request_id
        if request_id:
            key = self._request_keys.get(request_id, "a request")
            self.notify(f"This action item is already {key}.", severity="warning")
            return
        self.dismiss(f"{ACTION_PREFIX}{index}")

    # -- what is shown -------------------------------------------------------------------

    def _details(self) -> Text:
        occurrence = self.occurrence
        meeting = occurrence.meeting
        text = Text(end="")
        text.append(printable(meeting.title), style="bold")
        text.append("\n")
        text.append(f"{meeting.key} · {_words(meeting.kind)} · ")
        status_style = "dim strike" if occurrence.status is MeetingStatus.CANCELLED else "bold"
        text.append(_words(occurrence.status), style=status_style)
        if meeting.sequence:
            text.append(f" · invite sequence {meeting.sequence}", style=_MUTED)
        text.append("\n\n")
        self._when(text)
        if self._conflicts:
            text.append_text(self._conflict_text())
            text.append("\n")
        self._place(text)
        self._people(text)
        self._agenda(text)
        self._minutes(text)
        self._minutes_sent(text)
        self._sent(text)
        text.rstrip()
        return text

    def _minutes_sent(self, text: Text) -> None:
        """Who e-mailed these minutes, when, and to whom (a series: this occurrence's only)."""
        occurrence = self.occurrence
        sendings = [
            sending
            for sending in occurrence.meeting.minutes_sent
            if not occurrence.is_recurring or sending.occurrence == occurrence.original_start
        ]
        if not sendings:
            return
        text.append("\nMinutes sent\n", style=_HEADING)
        for sending in sendings:
            when = sending.sent_at.astimezone(self._project_zone)
            people = ", ".join(sending.recipients)
            text.append(f"  {datetime_text(when)} by {printable(sending.sent_by) or 'someone'}")
            text.append(f" to {printable(people)}\n", style=_MUTED)

    def _sent(self, text: Text) -> None:
        """What was e-mailed to the attendees: when, by whom, which SEQUENCE, to whom."""
        sent = self.occurrence.meeting.sent
        if not sent:
            return
        zone = self._project_zone
        text.append("\nInvites sent\n", style=_HEADING)
        for sending in sent:
            what = "cancellation" if sending.method == "CANCEL" else "invite"
            if sending.recurrence_id is not None:
                what += f" of {sending.recurrence_id.astimezone(zone):%a %d %b %H:%M}"
            when = sending.sent_at.astimezone(zone)
            text.append(f"  {datetime_text(when)} {what} · sequence {sending.sequence}")
            people = ", ".join(sending.recipients)
            text.append(f" · {printable(sending.sent_by)} to {printable(people)}\n", style=_MUTED)

    def _line(self, text: Text, label: str, value: str | Text, style: str = "") -> None:
        text.append(f"{label:<11}", style=_HEADING)
        if isinstance(value, Text):
            text.append_text(value)
        else:
            text.append(value, style=style)
        text.append("\n")

    def _when(self, text: Text) -> None:
        occurrence = self.occurrence
        meeting = occurrence.meeting
        project_zone, viewer_zone = self._project_zone, self._viewer_zone
        if meeting.all_day:
            # A day, not a time: the same day in every zone, so no "your time" line.
            self._line(text, "When", _days_span(occurrence.start, occurrence.end))
        else:
            span = _span(occurrence.start, occurrence.end, project_zone)
            minutes = occurrence.duration_minutes
            self._line(text, "When", f"{span} {project_zone.key} ({minutes} min)")
        if viewer_zone.key != project_zone.key and not meeting.all_day:
            yours = _span(occurrence.start, occurrence.end, viewer_zone)
            self._line(text, "", f"{yours} {viewer_zone.key} (your time)", _MUTED)
        if occurrence.is_recurring:
            rule = describe_rule(meeting.rrule, timezone=meeting.timezone)
            first = meeting.start.astimezone(project_zone)
            self._line(text, "Repeats", f"{rule}, since {date_text(first)}")
            if meeting.extra_dates:
                own_zone = zone(meeting.timezone)
                extra = ", ".join(
                    date_text(moment.astimezone(own_zone))
                    if meeting.all_day
                    else datetime_text(moment.astimezone(project_zone))
                    for moment in meeting.extra_dates
                )
                self._line(text, "Also on", extra)
        if occurrence.moved and meeting.all_day:
            moved_from = _days_span(
                occurrence.original_start,
                occurrence.original_start + timedelta(days=meeting.duration_minutes // 1440),
            )
            self._line(text, "Moved", f"this occurrence, from {moved_from}", "bold")
        elif occurrence.moved:
            moved_from = _span(
                occurrence.original_start,
                occurrence.original_start + (meeting.end - meeting.start),
                project_zone,
            )
            self._line(text, "Moved", f"this occurrence, from {moved_from}", "bold")
        if occurrence.cancelled:
            which = (
                "the meeting" if meeting.status is MeetingStatus.CANCELLED else "this occurrence"
            )
            self._line(text, "Cancelled", which, ALERT_STYLE)
        text.append("\n")

    def _place(self, text: Text) -> None:
        meeting = self.occurrence.meeting
        if self.occurrence.location:
            self._line(text, "Where", printable(self.occurrence.location))
        if meeting.video_link:
            self._line(text, "Video", printable(meeting.video_link))
        if not self.occurrence.location and not meeting.video_link:
            self._line(text, "Where", "not set", _MUTED)

    def _people(self, text: Text) -> None:
        meeting = self.occurrence.meeting
        organiser = " ".join(
            part
            for part in (
                printable(meeting.organiser_name),
                f"<{printable(meeting.organiser_email)}>" if meeting.organiser_email else "",
            )
            if part
        )
        self._line(text, "Organiser", organiser or "not set", "" if organiser else _MUTED)
        text.append("\n")
        text.append(f"Attendees ({len(meeting.attendees)})\n", style=_HEADING)
        if not meeting.attendees:
            text.append("  none\n", style=_MUTED)
        for attendee in meeting.attendees:
            who = printable(attendee.name)
            text.append(f"  {who} <{printable(attendee.email)}>" if who else f"  {attendee.email}")
            text.append(f"  {_words(attendee.role)} · {_words(attendee.rsvp)}\n", style=_MUTED)
        text.append("\n")

    def _agenda(self, text: Text) -> None:
        occurrence = self.occurrence
        allotted, length = occurrence.agenda_minutes, occurrence.duration_minutes
        text.append("Agenda", style=_HEADING)
        if occurrence.agenda:
            text.append(f"  {allotted} of {length} min")
            if allotted > length:
                text.append(f"  ⚠ {allotted - length} min over the meeting", style=ALERT_STYLE)
        text.append("\n")
        if not occurrence.agenda:
            text.append("  none\n", style=_MUTED)
        for number, item in enumerate(occurrence.agenda, start=1):
            text.append(f"  {number}. {printable(item.title)}")
            presenter = f" ({printable(item.presenter)})" if item.presenter else ""
            text.append(f"{presenter} · {item.minutes} min\n", style=_MUTED)
        text.append("\n")

    def _minutes(self, text: Text) -> None:
        occurrence = self.occurrence
        text.append("Minutes\n", style=_HEADING)
        lines = occurrence.minutes.strip().splitlines()
        if not lines:
            text.append("  none yet\n", style=_MUTED)
        for line in lines:
            text.append(f"  {printable(line)}\n")
        text.append("\n")
        text.append("Decisions\n", style=_HEADING)
        if not occurrence.decisions:
            text.append("  none\n", style=_MUTED)
        for decision in occurrence.decisions:
            text.append(f"  • {printable(decision)}\n")

    def _actions_title(self) -> Text:
        count = len(self.occurrence.action_items)
        waiting = len(self.open_actions)
        title = Text(f"\nAction items ({count})", style=_HEADING, end="")
        if waiting:
            title.append(f"  {waiting} without a request (a: make one a request)", style=_MUTED)
        return title

    def _action_options(self) -> list[Option]:
        options: list[Option] = []
        for index, item in enumerate(self.occurrence.action_items):
            line = Text(f"{index + 1}. {printable(item.text)}", end="")
            owner = printable(item.owner) if item.owner else "no owner"
            due = f", due {date_text(item.due)}" if item.due else ""
            line.append(f" · {owner}{due}", style=_MUTED)
            if item.request_id:
                key = self._request_keys.get(item.request_id, "a request")
                line.append(f" → {key}", style="bold")
            options.append(Option(line, id=f"action-{index}"))
        return options

    def _conflict_text(self) -> Text:
        own = {a.email.lower() for a in self.occurrence.meeting.attendees}
        text = Text(end="")
        for number, other in enumerate(self._conflicts):
            shared = sorted(
                a.email.lower() for a in other.meeting.attendees if a.email.lower() in own
            )
            start = other.start.astimezone(self._project_zone)
            end = other.end.astimezone(self._project_zone)
            same_day = start.date() == self.occurrence.start.astimezone(self._project_zone).date()
            day = "" if same_day else f"{start:%a %Y-%m-%d} "
            label = "Conflicts" if number == 0 else ""
            text.append(f"{label:<11}", style=_HEADING)
            text.append("⚠ clashes with ", style=ALERT_STYLE)
            text.append(f"{other.key} {printable(other.meeting.title)} ")
            text.append(f"{day}{time_text(start)}{_DASH}{time_text(end)}")
            if shared:
                text.append(f" ({', '.join(printable(e) for e in shared)})", style=_MUTED)
            text.append("\n")
        return text
