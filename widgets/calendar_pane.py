"""The Calendar pane: what is due to whom this week, and what came out of the last meeting.

Four views, stepped through with ``v``:

- **agenda** (the default): the occurrences of the next weeks, grouped by
  day, each at its time in the project's zone and, when the viewer lives in
  another zone, in theirs too; overdue plan items on top. Meetings that
  overlap and share an attendee are flagged.
- **week** (terminals at least 100 columns wide): seven days by working
  hours, meetings as blocks.
- **plan**: the communication plan, each item with its next due date.
- **meetings**: every meeting and series as a record, drafts and cancelled
  ones too.

``t`` goes back to today, ``[`` and ``]`` a week back and forth. The keys
that act on one occurrence (its detail, minutes, status, cancelling or
moving it, splitting the series) are asked of the app with
:class:`CalendarPane.OccurrenceAction`; the pane never saves anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import events, on
from textual.actions import parse
from textual.app import ComposeResult
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label

from clientdesk.store.clock import zone
from clientdesk.store.enums import MeetingStatus
from clientdesk.widgets.actions import Action, bindings, key_of
from clientdesk.widgets.cells import (
    ALERT_STYLE,
    DATE_FIT,
    date_text,
    duration,
    key_width,
    label_of,
    plain,
    time_text,
    when,
)
from clientdesk.widgets.record_table import (
    Column,
    PreparedRows,
    RecordTable,
    RowContext,
    RowKind,
    TableState,
    prepare_rows,
)
from clientdesk.widgets.record_table_pane import (
    FillParts,
    FillSource,
    PreparedFill,
    RecordTablePane,
    counted,
)
from clientdesk.widgets.week_view import WeekView

if TYPE_CHECKING:
    from clientdesk.store.calendar import Occurrence, PlanDue
    from clientdesk.store.models import CommunicationPlanItem, Meeting, Project, Record
    from clientdesk.store.snapshot import Snapshot

DASH = "\u2013"
"""The en dash of a span of time (10:00 to 11:00 reads "10:00\u201311:00")."""

AGENDA_DAYS = 28
"""How many days the agenda lists, from its first day."""

WEEK_VIEW_MIN_WIDTH = 100
"""The narrowest pane that offers the week view (seven day columns need the room)."""

VIEWS: dict[str, str] = {
    "agenda": "Agenda",
    "week": "Week",
    "plan": "Communication plan",
    "meetings": "Meetings and series",
}
"""The pane's views in the order ``v`` steps through them, with their titles."""


@dataclass(frozen=True)
class AgendaEntry:
    """One row of the agenda: an occurrence, or a plan item that is overdue.

    Attributes:
        id: the row's stable id (the occurrence's, or the plan item's).
        day: the day it falls on, in the project's zone.
        first_of_day: the first row of its day (the day is shown on it).
        occurrence: the occurrence of a meeting, for a meeting row.
        plan_item: the overdue plan item, for a plan row.
        due: where the plan item stands, for a plan row.
        clashes: occurrences that overlap this one and share an attendee.
    """

    id: str
    day: date
    first_of_day: bool
    occurrence: Occurrence | None = None
    plan_item: CommunicationPlanItem | None = None
    due: PlanDue | None = None
    clashes: tuple[Occurrence, ...] = ()


@dataclass(frozen=True)
class CalendarRowContext(RowContext):
    """The row context of the Calendar pane: also the viewer's zone and the plan's standing.

    Attributes:
        viewer: the zone of the person at the terminal.
        plan_dues: where each plan item stands, by id.
    """

    viewer: ZoneInfo | None = None
    plan_dues: dict[str, PlanDue] | None = None


ALL_DAY = "all day"
"""What the time column shows for an all-day meeting (it has no time of day)."""


def all_day_text(occurrence: Occurrence) -> str:
    """``all day``, with the number of days when it spans more than one (``all day 3d``).

    As narrow as a span of times (``10:00-11:00``), so it fits the same column.
    """
    days = (occurrence.end.date() - occurrence.start.date()).days
    return f"{ALL_DAY} {days}d" if days > 1 else ALL_DAY


def _time_span(start: datetime, end: datetime, in_zone: ZoneInfo) -> str:
    first, last = start.astimezone(in_zone), end.astimezone(in_zone)
    span = f"{time_text(first)}{DASH}{time_text(last)}"
    if last.date() != first.date():
        span += f" (+{(last.date() - first.date()).days}d)"
    return span


def _agenda_day(entry: AgendaEntry, context: RowContext) -> Text:
    if not entry.first_of_day:
        return plain("")
    if entry.plan_item is not None:
        return plain("Overdue", ALERT_STYLE)
    today = context.now.astimezone(context.zone).date()
    text = f"{entry.day:%a %d %b}"
    return plain(text, "bold reverse" if entry.day == today else "bold")


def _agenda_time(entry: AgendaEntry, context: RowContext) -> Text:
    occurrence = entry.occurrence
    if occurrence is None:
        due = entry.due.last_due if entry.due is not None else None
        return plain(f"due {due.astimezone(context.zone):%d %b}" if due else "", ALERT_STYLE)
    style = "dim strike" if occurrence.cancelled else (ALERT_STYLE if entry.clashes else "")
    if occurrence.meeting.all_day:
        return plain(all_day_text(occurrence), style)
    return plain(_time_span(occurrence.start, occurrence.end, context.zone), style)


def _agenda_viewer_time(entry: AgendaEntry, context: RowContext) -> Text:
    occurrence = entry.occurrence
    viewer = context.viewer if isinstance(context, CalendarRowContext) else None
    if occurrence is None or viewer is None or occurrence.meeting.all_day:
        return plain("")  # an all-day meeting is the same day wherever it is read
    text = _time_span(occurrence.start, occurrence.end, viewer)
    local_day = occurrence.start.astimezone(viewer).date()
    if local_day != entry.day:
        text = f"{local_day:%a} {text}"
    return plain(text, "dim")


def _agenda_marks(entry: AgendaEntry, context: RowContext) -> Text:
    occurrence = entry.occurrence
    if occurrence is None:
        return plain("!", ALERT_STYLE)
    marks = Text(no_wrap=True, end="")
    if entry.clashes:
        marks.append("⚠", ALERT_STYLE)
    if occurrence.cancelled:
        marks.append("✗", "dim")
    elif occurrence.moved:
        marks.append("⇄")
    if occurrence.is_recurring and not occurrence.cancelled and not occurrence.moved:
        marks.append("↻", "dim")
    return marks


def _agenda_title(entry: AgendaEntry, context: RowContext) -> Text:
    if entry.plan_item is not None:
        return plain(entry.plan_item.title, ALERT_STYLE)
    assert entry.occurrence is not None
    style = "dim strike" if entry.occurrence.cancelled else ""
    return plain(entry.occurrence.meeting.title, style)


def _agenda_kind(entry: AgendaEntry, context: RowContext) -> Text:
    if entry.plan_item is not None:
        return label_of(entry.plan_item.channel)
    assert entry.occurrence is not None
    return label_of(entry.occurrence.meeting.kind)


def _agenda_status(entry: AgendaEntry, context: RowContext) -> Text:
    if entry.plan_item is not None:
        return plain("overdue", ALERT_STYLE)
    assert entry.occurrence is not None
    if entry.clashes:
        return plain("clash", ALERT_STYLE)
    occurrence = entry.occurrence
    status = MeetingStatus.CANCELLED if occurrence.cancelled else occurrence.status
    return label_of(status, "dim" if status is MeetingStatus.CANCELLED else "")


def _agenda_where(entry: AgendaEntry, context: RowContext) -> Text:
    if entry.occurrence is None:
        return plain(entry.plan_item.owner if entry.plan_item is not None else "")
    meeting = entry.occurrence.meeting
    if entry.occurrence.location:
        return plain(entry.occurrence.location)
    return plain("video" if meeting.video_link else "")


def _agenda_key(entry: AgendaEntry, context: RowContext) -> Text:
    record = entry.plan_item if entry.plan_item is not None else entry.occurrence
    return plain(record.key if record is not None else "")


def _agenda_search(entry: AgendaEntry) -> str:
    """What the filter finds an agenda row by besides its cells: attendees and kind."""
    if entry.occurrence is None:
        return entry.plan_item.purpose if entry.plan_item is not None else ""
    meeting = entry.occurrence.meeting
    people = " ".join(f"{person.name} {person.email}" for person in meeting.attendees)
    return f"{people} {meeting.kind} {meeting.organiser_name}"


AGENDA_COLUMNS: list[Column[AgendaEntry]] = [
    Column("day", "Day", _agenda_day, 10),
    Column("time", "Time", _agenda_time, 11),
    Column("marks", "", _agenda_marks, 2),
    Column("title", "Title", _agenda_title, 16, flex=True, ideal=20),
    Column("kind", "Kind", _agenda_kind, 12, drop_order=3),
    Column("status", "Status", _agenda_status, 9),
    Column("where", "Where", _agenda_where, 12, drop_order=4),
    Column("key", "Key", _agenda_key, 5, fit_content=True, drop_order=2),
]
"""The columns of the agenda (the viewer's time is added when their zone differs)."""

VIEWER_TIME_COLUMN: Column[AgendaEntry] = Column(
    "yours", "Your time", _agenda_viewer_time, 11, drop_order=1
)
"""The agenda column with each time in the viewer's own zone."""


def _plan_next_due(item: CommunicationPlanItem, context: RowContext) -> Text:
    due = _due_of(item, context)
    return when(due.next_due if due is not None else None, context.zone)


def _plan_overdue(item: CommunicationPlanItem, context: RowContext) -> Text:
    due = _due_of(item, context)
    if due is not None and due.overdue and due.last_due is not None:
        return plain(f"since {due.last_due.astimezone(context.zone):%d %b}", ALERT_STYLE)
    return plain("")


def _due_of(item: CommunicationPlanItem, context: RowContext) -> PlanDue | None:
    if isinstance(context, CalendarRowContext) and context.plan_dues is not None:
        return context.plan_dues.get(item.id)
    return None


def _rule_text(rule: str | None, context: RowContext) -> Text:
    from clientdesk.store.calendar import describe_rule

    return plain(describe_rule(rule, timezone=context.project.timezone))


PLAN_COLUMNS: list[Column[CommunicationPlanItem]] = [
    Column("key", "Key", lambda r, c: plain(r.key), 5, fit_content=True, measure=key_width),
    Column("title", "What", lambda r, c: plain(r.title), 18, flex=True, ideal=30),
    Column("channel", "Channel", lambda r, c: label_of(r.channel), 9),
    Column("cadence", "Cadence", lambda r, c: _rule_text(r.cadence, c), 18, drop_order=3),
    Column("owner", "Owner", lambda r, c: plain(r.owner), 14, drop_order=2),
    Column("next_due", "Next due", _plan_next_due, 16, **DATE_FIT),
    Column("overdue", "Overdue", _plan_overdue, 12),
]
"""The columns of the communication plan table."""


def _meeting_status(meeting: Meeting, context: RowContext) -> Text:
    style = "dim strike" if meeting.status is MeetingStatus.CANCELLED else ""
    return label_of(meeting.status, style)


def _next_occurrence(meeting: Meeting, context: RowContext) -> Text:
    from clientdesk.store.calendar import next_occurrence

    if meeting.status is MeetingStatus.CANCELLED:
        return plain("")
    upcoming = next_occurrence(meeting, context.now)
    if upcoming is not None and meeting.all_day:
        return plain(date_text(upcoming.start))  # its day in its own zone; Length says days
    return when(upcoming.start if upcoming is not None else None, context.zone)


def _meeting_start(meeting: Meeting, context: RowContext) -> Text:
    if meeting.all_day:
        # The date alone: the column fits a date and a time, and Length says "2 days".
        return plain(date_text(meeting.start.astimezone(zone(meeting.timezone))))
    return when(meeting.start, context.zone)


def _meeting_length(meeting: Meeting, context: RowContext) -> Text:
    if meeting.all_day:
        # Whole days (a timed meeting lasts 24 h at most, shown as "45m" or "2h").
        days = meeting.duration_minutes // (24 * 60)
        return plain(f"{days} day" if days == 1 else f"{days} days")
    return duration(meeting.duration_minutes)


MEETING_COLUMNS: list[Column[Meeting]] = [
    Column("key", "Key", lambda r, c: plain(r.key), 5, fit_content=True, measure=key_width),
    Column("title", "Title", lambda r, c: plain(r.title), 18, flex=True, ideal=30),
    Column("kind", "Kind", lambda r, c: label_of(r.kind), 18, drop_order=2),
    Column("start", "Start", _meeting_start, 16, **DATE_FIT),
    Column("repeats", "Repeats", lambda r, c: _rule_text(r.rrule, c), 16, drop_order=4),
    Column("next", "Next", _next_occurrence, 16, drop_order=3),
    Column("length", "Length", _meeting_length, 6),
    Column("status", "Status", _meeting_status, 9),
]
"""The columns of the meetings table."""


def agenda_entries(
    occurrences: Sequence[Occurrence],
    overdue: Sequence[tuple[CommunicationPlanItem, PlanDue]],
    clashes: dict[str, list[Occurrence]],
    in_zone: ZoneInfo,
) -> list[AgendaEntry]:
    """The agenda's rows: overdue plan items first, then the occurrences by day.

    Args:
        occurrences: the occurrences to list, sorted by start.
        overdue: the overdue plan items with where each stands.
        clashes: for each clashing occurrence's id, what it clashes with.
        in_zone: the zone whose days group the rows (the project's).
    """
    entries: list[AgendaEntry] = []
    for position, (item, due) in enumerate(overdue):
        last = due.last_due or item.first_due
        entries.append(
            AgendaEntry(
                id=item.id,
                day=last.astimezone(in_zone).date(),
                first_of_day=position == 0,
                plan_item=item,
                due=due,
            )
        )
    previous_day: date | None = None
    for occurrence in occurrences:
        # An all-day meeting is on its own day, wherever the project is.
        own_day = occurrence.meeting.all_day
        day = occurrence.start.date() if own_day else occurrence.start.astimezone(in_zone).date()
        entries.append(
            AgendaEntry(
                id=occurrence.id,
                day=day,
                first_of_day=day != previous_day,
                occurrence=occurrence,
                clashes=tuple(clashes.get(occurrence.id, ())),
            )
        )
        previous_day = day
    return entries


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


# -- the fill, made off the UI thread ---------------------------------------------------


@dataclass(frozen=True)
class CalendarFillState:
    """What the Calendar pane's rows depend on besides the data, read on the UI thread."""

    first_day: date | None
    """The agenda's first day (None: today)."""
    show_cancelled: bool
    """Cancelled occurrences are listed too."""
    filter_text: str
    """The pane's text filter (the agenda and the week are filtered by the pane)."""
    viewer_zone: ZoneInfo | None
    """The zone of the person at the terminal."""
    agenda: TableState[AgendaEntry]
    """The agenda table's search text (its columns follow ``viewer_zone``)."""
    plan: TableState[CommunicationPlanItem]
    """The plan table's columns and text filter."""
    meetings: TableState[Meeting]
    """The meetings table's columns and text filter."""


@dataclass(frozen=True, eq=False)
class PreparedCalendar(PreparedFill):
    """The Calendar pane's fill, made in a worker thread (see :func:`prepare_calendar`)."""

    state: CalendarFillState
    """What the rows were made for."""
    meetings: list[Meeting]
    """The project's meetings and series."""
    plan_items: list[CommunicationPlanItem]
    """The project's communication plan."""
    context: CalendarRowContext
    """The rows' context: the viewer's zone and where each plan item stands."""
    clashes: dict[str, list[Occurrence]]
    """For each clashing occurrence's id, what it clashes with."""
    entries: list[AgendaEntry]
    """The agenda's rows."""
    week: list[Occurrence]
    """The occurrences of the week on show."""
    first: date
    """The agenda's first day."""
    today: date
    """Today, in the project's zone."""
    agenda_rows: PreparedRows[AgendaEntry]
    """The agenda table's rows."""
    plan_rows: PreparedRows[CommunicationPlanItem] | None
    """The plan table's rows (None: the table keeps its rows)."""
    meeting_rows: PreparedRows[Meeting] | None
    """The meetings table's rows (None: the table keeps its rows)."""


def calendar_context(
    snapshot: Snapshot,
    project: Project,
    now: datetime,
    meetings: Sequence[Meeting],
    plan_items: Sequence[CommunicationPlanItem],
    viewer_zone: ZoneInfo | None,
) -> CalendarRowContext:
    """The rows' context: where each plan item stands at ``now``, and the viewer's zone."""
    # Imported here, not at the top: keeps dateutil out of start-up.
    from clientdesk.store.calendar import plan_due

    viewer = viewer_zone
    if viewer is not None and _same_zone(viewer, zone(project.timezone)):
        viewer = None
    linked: dict[str, list[Meeting]] = {}
    for meeting in meetings:
        if meeting.plan_item_id:
            linked.setdefault(meeting.plan_item_id, []).append(meeting)
    dues = {
        item.id: plan_due(item, linked.get(item.id, []), now, timezone=project.timezone)
        for item in plan_items
    }
    return CalendarRowContext(project, snapshot, now, viewer=viewer, plan_dues=dues)


def prepare_calendar(
    source: FillSource,
    state: CalendarFillState,
    *,
    shown: tuple[CalendarRowContext, list[Meeting], list[CommunicationPlanItem]] | None = None,
    tables: bool = True,
) -> PreparedCalendar:
    """The Calendar pane's rows for ``source`` in ``state`` (any thread).

    Args:
        source: the snapshot, project and moment to show.
        state: the pane's first day, toggles and filter, read on the UI thread.
        shown: the context, meetings and plan items already read (a week key,
            a filter keystroke): only the agenda and the week are made again.
        tables: make the plan and meetings tables' rows too.
    """
    from clientdesk.store.calendar import conflicts, project_occurrences
    from clientdesk.store.models import CommunicationPlanItem, Meeting

    if shown is None:
        snapshot, project = source.snapshot, source.project
        meetings = snapshot.of_project(Meeting, project.id)
        plan_items = snapshot.of_project(CommunicationPlanItem, project.id)
        context = calendar_context(
            snapshot, project, source.now, meetings, plan_items, state.viewer_zone
        )
    else:
        context, meetings, plan_items = shown
    project_zone = context.zone
    first = state.first_day or context.now.astimezone(project_zone).date()
    window_start = datetime.combine(first, datetime.min.time(), tzinfo=project_zone)
    window_end = window_start + timedelta(days=AGENDA_DAYS)
    monday = week_start(first)
    week_from = datetime.combine(monday, datetime.min.time(), tzinfo=project_zone)
    week_to = week_from + timedelta(days=7)
    span_start, span_end = min(window_start, week_from), max(window_end, week_to)
    every = project_occurrences(
        meetings, span_start, span_end, include_cancelled=state.show_cancelled
    )
    clashes = conflicts(every)
    words = state.filter_text.casefold().split()
    in_agenda = [o for o in every if o.end > window_start and o.start < window_end]
    overdue = [
        (item, due)
        for item in plan_items
        if (due := (context.plan_dues or {}).get(item.id)) is not None and due.overdue
    ]
    entries = agenda_entries(in_agenda, overdue, clashes, project_zone)
    if words:
        entries = _matching(entries, words, context)
    columns = (
        [*AGENDA_COLUMNS[:2], VIEWER_TIME_COLUMN, *AGENDA_COLUMNS[2:]]
        if context.viewer is not None
        else AGENDA_COLUMNS
    )
    agenda_state = replace(
        state.agenda, kind=RowKind(tuple(columns), state.agenda.kind.search_text)
    )
    agenda_rows = prepare_rows(entries, context, agenda_state)
    week = [o for o in every if o.end > week_from and o.start < week_to]
    if words:
        listed = {entry.id for entry in entries}
        week = [o for o in week if o.id in listed or _occurrence_matches(o, words)]
    today = context.now.astimezone(project_zone).date()
    return PreparedCalendar(
        state,
        source,
        meetings,
        plan_items,
        context,
        clashes,
        entries,
        week,
        first,
        today,
        agenda_rows,
        prepare_rows(plan_items, context, state.plan) if tables else None,
        prepare_rows(meetings, context, state.meetings) if tables else None,
    )


def _matching(
    entries: list[AgendaEntry], words: list[str], context: RowContext
) -> list[AgendaEntry]:
    # The agenda is filtered here rather than by its table, so that the
    # first row of each day still carries the day after filtering.
    kept = [entry for entry in entries if _entry_matches(entry, words, context)]
    regrouped: list[AgendaEntry] = []
    previous: tuple[bool, date] | None = None
    for entry in kept:
        group = (entry.plan_item is not None, entry.day)
        first = group != previous if entry.plan_item is None else previous is None
        regrouped.append(
            AgendaEntry(
                entry.id,
                entry.day,
                first,
                entry.occurrence,
                entry.plan_item,
                entry.due,
                entry.clashes,
            )
        )
        previous = group
    return regrouped


def _entry_matches(entry: AgendaEntry, words: list[str], context: RowContext) -> bool:
    cells = " ".join(column.render(entry, context).plain for column in AGENDA_COLUMNS[1:])
    haystack = f"{cells} {_agenda_search(entry)}".casefold()
    return all(word in haystack for word in words)


def _occurrence_matches(occurrence: Occurrence, words: list[str]) -> bool:
    meeting = occurrence.meeting
    entry = AgendaEntry(occurrence.id, occurrence.start.date(), False, occurrence)
    haystack = f"{meeting.title} {meeting.key} {_agenda_search(entry)}".casefold()
    return all(word in haystack for word in words)


class CalendarPane(RecordTablePane):
    """The communication calendar: the agenda, the week, the plan and the meetings."""

    DEFAULT_CSS = """
    CalendarPane > .calendar-view {
        display: none;
    }
    CalendarPane.-view-agenda > .view-agenda,
    CalendarPane.-view-week > .view-week,
    CalendarPane.-view-plan > .view-plan,
    CalendarPane.-view-meetings > .view-meetings {
        display: block;
    }
    CalendarPane > WeekView {
        height: 1fr;
    }
    """

    ACTION_SCOPE = "calendar"
    BINDINGS = bindings("calendar", explained=True)

    NOUN = "calendar entry"
    PLURAL = "calendar entries"

    view: reactive[str] = reactive("agenda", init=False)
    """The view on show: a key of :data:`VIEWS`."""

    first_day: reactive[date | None] = reactive(None, init=False)
    """The first day of the agenda (the week view shows its week); None means today."""

    show_cancelled: reactive[bool] = reactive(False, init=False)
    """Cancelled occurrences are listed too."""

    viewer_zone: ZoneInfo | None = None
    """The zone of the person at the terminal (set by the app from the config)."""

    class OccurrenceAction(Message):
        """The user asked for something done to one occurrence of a meeting.

        ``action`` is one of ``detail``, ``status``, ``minutes``, ``cancel``,
        ``restore``, ``move``, ``split``, ``export`` and ``send``.
        """

        def __init__(self, occurrence: Occurrence, action: str) -> None:
            """Say which occurrence and what to do."""
            super().__init__()
            self.occurrence = occurrence
            """The occurrence as shown (its meeting's revision is the one acted on)."""
            self.action = action
            """What to do."""

    class SeriesFromPlan(Message):
        """The user asked to turn a plan item into a meeting series."""

        def __init__(self, item: CommunicationPlanItem) -> None:
            """Say which plan item."""
            super().__init__()
            self.item = item
            """The plan item."""

    class PublishAsked(Message):
        """The user asked to put the project's meetings on the CalDAV calendar."""

    class PlanItemDone(Message):
        """The user marked a plan item done now (a report sent outside a meeting)."""

        def __init__(self, item: CommunicationPlanItem) -> None:
            """Say which plan item."""
            super().__init__()
            self.item = item
            """The plan item, as shown."""

    def __init__(self, *, id: str | None = None) -> None:
        """Create the empty pane."""
        super().__init__(id=id)
        self._row_context: CalendarRowContext | None = None
        self._meetings: list[Meeting] = []
        self._plan_items: list[CommunicationPlanItem] = []
        self._entries: list[AgendaEntry] = []
        self._week: list[Occurrence] = []
        self._clashes: dict[str, list[Occurrence]] = {}

    def compose_tables(self) -> ComposeResult:
        """A title and a table (or the week grid) per view; one view shows at a time."""
        yield Label(id="agenda-title", classes="section-title calendar-view view-agenda")
        yield RecordTable(
            AGENDA_COLUMNS,
            id="agenda-table",
            classes="calendar-view view-agenda",
            search_text=_agenda_search,
        )
        yield Label(id="week-title", classes="section-title calendar-view view-week")
        yield WeekView(id="week-view", classes="calendar-view view-week")
        yield Label(id="plan-title", classes="section-title calendar-view view-plan")
        yield RecordTable(PLAN_COLUMNS, id="plan-table", classes="calendar-view view-plan")
        yield Label(id="meeting-title", classes="section-title calendar-view view-meetings")
        yield RecordTable(
            MEETING_COLUMNS, id="meeting-table", classes="calendar-view view-meetings"
        )

    def on_mount(self) -> None:
        """Show the agenda."""
        self.set_class(True, "-view-agenda")

    # -- filling ---------------------------------------------------------------------

    def show(self, snapshot: Snapshot, project: Project, now: datetime) -> None:
        """Show the plan items and meetings of ``project`` as of ``now``."""
        state = self.fill_state(search_ready=False)
        self.show_prepared(prepare_calendar(FillParts(snapshot, project, now), state))

    def fill_state(self, *, search_ready: bool | None = None) -> CalendarFillState:
        """The first day, toggles, text filter and viewer's zone the rows depend on.

        See the base class; ``search_ready`` goes to each of the three tables.
        """

        def state_of(table_id: str) -> TableState[Any]:
            table = self.query_one(f"#{table_id}", RecordTable)
            return table.fill_state(search_ready=search_ready)

        return CalendarFillState(
            self.first_day,
            self.show_cancelled,
            self.filter_text,
            self.viewer_zone,
            state_of("agenda-table"),
            state_of("plan-table"),
            state_of("meeting-table"),
        )

    @classmethod
    def prepare_fill(cls, source: FillSource, state: object) -> PreparedCalendar:
        """The agenda, week, plan and meetings for ``source`` in ``state`` (in a worker thread)."""
        assert isinstance(state, CalendarFillState)
        return prepare_calendar(source, state)

    def show_prepared(self, prepared: PreparedFill) -> bool:
        """Swap in rows made by :func:`prepare_calendar` (False: made for other settings)."""
        if not isinstance(prepared, PreparedCalendar):
            return False
        state = prepared.state
        if (state.first_day, state.show_cancelled, state.filter_text, state.viewer_zone) != (
            self.first_day,
            self.show_cancelled,
            self.filter_text,
            self.viewer_zone,
        ):
            return False
        agenda = self._agenda_table
        plan = self.query_one("#plan-table", RecordTable)
        meetings = self.query_one("#meeting-table", RecordTable)
        if prepared.plan_rows is not None and not plan.can_swap_in(prepared.plan_rows):
            return False
        if prepared.meeting_rows is not None and not meetings.can_swap_in(prepared.meeting_rows):
            return False
        columns = prepared.agenda_rows.state.kind.columns
        if agenda.all_columns != columns:
            agenda.set_columns(columns)  # the viewer's own time, when their zone differs
        if not agenda.swap_in(prepared.agenda_rows):
            return False
        context = prepared.context
        self._row_context = context
        self._meetings = prepared.meetings
        self._plan_items = prepared.plan_items
        self._clashes = prepared.clashes
        self._entries = prepared.entries
        self._week = prepared.week
        monday = week_start(prepared.first)
        self._week_view.show_week(
            monday, self._week, context.zone, prepared.today, set(self._clashes)
        )
        if prepared.plan_rows is not None:
            plan.swap_in(prepared.plan_rows)
        if prepared.meeting_rows is not None:
            meetings.swap_in(prepared.meeting_rows)
        self._show_titles(prepared.first, context)
        self.refresh_status()
        self.refresh_bindings()
        return True

    def _refill(self, *, tables: bool = True) -> None:
        """Compute the weeks on show again; with ``tables``, refill the plan and meeting tables.

        The filter and the week keys change only the agenda and the week: the
        two tables filter themselves, and their rows (each meeting's next
        occurrence) are not recomputed on every keystroke.
        """
        context = self._row_context
        if context is None:
            return
        source = FillParts(context.snapshot, context.project, context.now)
        shown = (context, self._meetings, self._plan_items)
        state = self.fill_state(search_ready=False)
        self.show_prepared(prepare_calendar(source, state, shown=shown, tables=tables))

    def _show_titles(self, first: date, context: CalendarRowContext) -> None:
        zone_note: list[tuple[str, str] | str] = [
            ("times in ", "dim"),
            (context.project.timezone, "dim"),
        ]
        if context.viewer is not None:
            zone_note += [(", yours in ", "dim"), (str(context.viewer.key), "dim")]
        last = first + timedelta(days=AGENDA_DAYS - 1)
        self.query_one("#agenda-title", Label).update(
            Text.assemble(f"Agenda {first:%a %d %b} {DASH} {last:%a %d %b} ", *zone_note)
        )
        monday = week_start(first)
        self.query_one("#week-title", Label).update(
            Text.assemble(
                f"Week of {monday:%a %d %b %Y} ({monday.isocalendar().week}) ", *zone_note
            )
        )
        self.query_one("#plan-title", Label).update(Text("Communication plan"))
        self.query_one("#meeting-title", Label).update(
            Text.assemble("Meetings and series ", *zone_note)
        )

    # -- what the app and the tests read ---------------------------------------------

    @property
    def _agenda_table(self) -> RecordTable[AgendaEntry]:
        return self.query_one("#agenda-table", RecordTable)

    @property
    def _week_view(self) -> WeekView:
        return self.query_one("#week-view", WeekView)

    @property
    def project(self) -> Project | None:
        """The project shown."""
        return self._row_context.project if self._row_context is not None else None

    @property
    def is_closed(self) -> bool:
        """True when the project shown is closed: its calendar cannot change."""
        return self._row_context is not None and self._row_context.project.is_closed

    @property
    def agenda(self) -> list[AgendaEntry]:
        """The agenda's rows as listed (after the filter)."""
        return list(self._entries)

    @property
    def week_occurrences(self) -> list[Occurrence]:
        """The occurrences of the week on show."""
        return list(self._week)

    @property
    def clashes(self) -> dict[str, list[Occurrence]]:
        """The clashing occurrences of the weeks on show, by occurrence id."""
        return dict(self._clashes)

    @property
    def selected_entry(self) -> AgendaEntry | None:
        """The agenda row under the cursor (in the agenda view)."""
        if self.view != "agenda":
            return None
        entry: AgendaEntry | None = self._agenda_table.selected_record
        return entry

    @property
    def selected_occurrence(self) -> Occurrence | None:
        """The occurrence under the cursor (agenda or week view)."""
        if self.view == "week":
            return self._week_view.selected_occurrence
        entry = self.selected_entry
        return entry.occurrence if entry is not None else None

    @property
    def selected_plan_item(self) -> CommunicationPlanItem | None:
        """The plan item under the cursor (plan view, or an overdue row of the agenda)."""
        if self.view == "plan":
            item: CommunicationPlanItem | None = self.query_one(
                "#plan-table", RecordTable
            ).selected_record
            return item
        entry = self.selected_entry
        return entry.plan_item if entry is not None else None

    @property
    def selected_record(self) -> Record | None:
        """The record the record keys (edit, delete) act on in the view on show."""
        if self.view == "meetings":
            meeting: Record | None = self.query_one("#meeting-table", RecordTable).selected_record
            return meeting
        plan_item = self.selected_plan_item
        if plan_item is not None:
            return plan_item
        occurrence = self.selected_occurrence
        return occurrence.meeting if occurrence is not None else None

    @property
    def new_record_kind(self) -> str:
        """What ``n`` adds in the view on show: ``plan`` or ``meeting``."""
        return "plan" if self.view == "plan" else "meeting"

    def status_text(self) -> str:
        """What the view on show lists: occurrences and clashes, or plan items, or meetings."""
        if not self._meetings and not self._plan_items:
            return "No plan items or meetings in this project yet · n adds one"
        if self.view == "plan":
            table = self.query_one("#plan-table", RecordTable)
            overdue = sum(1 for entry in self._entries if entry.plan_item is not None)
            text = counted(table.total_count, "plan item")
            if self.filter_text:
                text = f"{table.shown_count} of {text} match"
            return f"{text} · {overdue} overdue"
        if self.view == "meetings":
            table = self.query_one("#meeting-table", RecordTable)
            text = counted(table.total_count, "meeting")
            return f"{table.shown_count} of {text} match" if self.filter_text else text
        listed = (
            self._week
            if self.view == "week"
            else [entry.occurrence for entry in self._entries if entry.occurrence is not None]
        )
        overdue = sum(1 for entry in self._entries if entry.plan_item is not None)
        clashing = sum(1 for occurrence in listed if occurrence.id in self._clashes)
        parts = [counted(len(listed), "occurrence")]
        if self.filter_text:
            parts[0] += " match"
        if overdue:
            parts.append(f"{overdue} overdue plan item{'s' if overdue != 1 else ''}")
        if clashing:
            parts.append(f"{clashing} clashing")
        if self.show_cancelled:
            parts.append("showing cancelled")
        return " · ".join(parts)

    # -- the app asks ------------------------------------------------------------------

    def focus_table(self) -> None:
        """Focus the table (or week grid) of the view on show."""
        self._view_widget().focus()

    def reveal(self, record_id: str) -> bool:
        """Put the cursor on a meeting (its next occurrence in the agenda) or a plan item."""
        if self.filter_text:
            self.action_clear_filter()
        if any(item.id == record_id for item in self._plan_items):
            self.view = "plan"
            table = self.query_one("#plan-table", RecordTable)
        elif any(meeting.id == record_id for meeting in self._meetings):
            entry = next(
                (e for e in self._entries if e.occurrence and e.occurrence.meeting.id == record_id),
                None,
            )
            if entry is not None:
                self.view = "agenda"
                self._agenda_table.select_record(entry.id)
                self._agenda_table.focus()
                return True
            self.view = "meetings"
            table = self.query_one("#meeting-table", RecordTable)
        else:
            return False
        table.select_record(record_id)
        table.focus()
        return True

    def select_occurrence(self, occurrence_id: str) -> None:
        """Put the cursor on an occurrence (after a refresh, say) in the agenda and week."""
        self._agenda_table.select_record(occurrence_id)
        self._week_view.select(occurrence_id)

    def row_chosen(self, table: RecordTable[Any]) -> None:
        """Enter on the agenda opens the occurrence's detail; elsewhere the record's form."""
        if table.id != "agenda-table":
            super().row_chosen(table)
            return
        entry = self.selected_entry
        if entry is None:
            return
        if entry.occurrence is not None:
            self.post_message(self.OccurrenceAction(entry.occurrence, "detail"))
        elif entry.plan_item is not None:
            self.post_message(self.OpenRecord(self, entry.plan_item))

    @on(WeekView.OccurrenceChosen)
    def _week_occurrence_chosen(self, message: WeekView.OccurrenceChosen) -> None:
        message.stop()
        self.post_message(self.OccurrenceAction(message.occurrence, "detail"))

    # -- actions -------------------------------------------------------------------------

    def is_live(self, action: Action) -> bool:
        """The week's keys belong to the agenda and week views only."""
        if action.id in ("calendar.today", "calendar.previous_week", "calendar.next_week"):
            return self.view in ("agenda", "week")
        return True

    @property
    def shown_project(self) -> Project | None:
        """The project whose calendar is shown."""
        return self._row_context.project if self._row_context is not None else None

    def why_not(self, action: Action) -> str:
        """Export gives a closed project's invites too: the rest is read-only."""
        if action.id == "calendar.export":
            return self.refusal(action)
        return super().why_not(action)

    def refusal(self, action: Action) -> str:
        """Why ``action`` cannot act on the row under the cursor ("" when it can)."""
        _, name, parameters = parse(action.run)
        if name in ("series_from_plan", "plan_done"):
            if self.selected_plan_item is None:
                view = key_of("calendar.view")
                return f"{action.name} works on a plan item: {view} shows the plan."
            return ""
        if name != "occurrence":
            return ""
        occurrence = self.selected_occurrence
        if occurrence is None:
            if self.selected_plan_item is not None:
                return f"{action.name} works on a meeting; this row is a plan item."
            if self.view not in ("agenda", "week"):
                return (
                    f"{action.name} works on one occurrence: the agenda and week views list them."
                )
            return "No meeting under the cursor."
        return occurrence_refusal(occurrence, str(parameters[0]))

    def action_cycle_view(self) -> None:
        """Step to the next view (the week view only where it fits)."""
        names = list(VIEWS)
        position = names.index(self.view)
        for step in range(1, len(names) + 1):
            candidate = names[(position + step) % len(names)]
            if candidate != "week" or self.fits_week_view:
                self.view = candidate
                return

    @property
    def fits_week_view(self) -> bool:
        """True when the pane is wide enough for seven day columns."""
        return self.size.width >= WEEK_VIEW_MIN_WIDTH

    def action_today(self) -> None:
        """Show the weeks from today again."""
        self.first_day = None

    def action_shift_week(self, weeks: int) -> None:
        """Show the weeks ``weeks`` weeks later (earlier when negative)."""
        if self._row_context is None:
            return
        first = self.first_day or self._row_context.now.astimezone(self._row_context.zone).date()
        self.first_day = first + timedelta(weeks=weeks)

    def action_toggle_cancelled(self) -> None:
        """List cancelled occurrences too, or hide them again."""
        self.show_cancelled = not self.show_cancelled

    def action_occurrence(self, action: str) -> None:
        """Ask the app to do ``action`` to the occurrence under the cursor."""
        occurrence = self.selected_occurrence
        if occurrence is not None:
            self.post_message(self.OccurrenceAction(occurrence, action))

    def action_plan_done(self) -> None:
        """Ask the app to mark the plan item under the cursor done now."""
        item = self.selected_plan_item
        if item is not None:
            self.post_message(self.PlanItemDone(item))

    def action_series_from_plan(self) -> None:
        """Ask the app to turn the plan item under the cursor into a meeting series."""
        item = self.selected_plan_item
        if item is not None:
            self.post_message(self.SeriesFromPlan(item))

    def action_publish_caldav(self) -> None:
        """Ask the app to publish the shown project's meetings to CalDAV."""
        self.post_message(self.PublishAsked())

    # -- watchers ------------------------------------------------------------------------

    def watch_view(self, old: str, new: str) -> None:
        """Show the view's widget and put the focus in it."""
        self.remove_class(f"-view-{old}")
        self.add_class(f"-view-{new}")
        self._view_widget().focus()
        self.refresh_status()
        self.refresh_bindings()

    def watch_first_day(self) -> None:
        """List the weeks from the new first day."""
        self._refill(tables=False)

    def watch_show_cancelled(self) -> None:
        """List or hide the cancelled occurrences."""
        self._refill(tables=False)

    def watch_filter_text(self, filter_text: str) -> None:
        """Filter the plan and meeting tables; the agenda and the week are filtered on refill."""
        for table in self.tables:
            if table.id != "agenda-table":
                table.filter_text = filter_text
        self._refill(tables=False)

    def on_resize(self, event: events.Resize) -> None:
        """Leave the week view when the terminal gets too narrow for it."""
        if self.view == "week" and not self.fits_week_view:
            self.view = "agenda"

    def _view_widget(self) -> RecordTable[Any] | WeekView:
        if self.view == "week":
            return self._week_view
        table_ids = {"agenda": "agenda-table", "plan": "plan-table", "meetings": "meeting-table"}
        table: RecordTable[Any] = self.query_one(f"#{table_ids[self.view]}", RecordTable)
        return table


def occurrence_refusal(occurrence: Occurrence, action: str) -> str:
    """Why ``action`` does not apply to ``occurrence``, in one line ("" when it does)."""
    from clientdesk.store.calendar import occurrence_action_allowed

    if occurrence_action_allowed(occurrence, action):
        return ""
    meeting = occurrence.meeting
    local = occurrence.original_start.astimezone(zone(meeting.timezone))
    what = f"{meeting.key} on {local:%a %d %b %H:%M}" if occurrence.is_recurring else meeting.key
    if action == "restore":
        if occurrence.cancelled:
            edit = key_of("record.edit")
            return f"The whole series {meeting.key} is cancelled: {edit} edits it to bring it back."
        shown = key_of("calendar.show_cancelled")
        return f"{what} is not cancelled ({shown} shows cancelled occurrences too)."
    if occurrence.cancelled:
        return f"{what} is cancelled: {key_of('calendar.restore')} in the Calendar restores it."
    if action == "status":
        return f"{what} is {occurrence.status}: that is its last status."
    if action == "split":
        if not occurrence.is_recurring:
            return f"{meeting.key} is a one-off meeting: {key_of('record.edit')} edits it."
        edit = key_of("record.edit")
        return f"{what} is the series' first occurrence: {edit} edits the whole series."
    return f"{what} took place ({occurrence.status}): it stays as it was."


def _same_zone(one: ZoneInfo, other: ZoneInfo) -> bool:
    return one.key == other.key
