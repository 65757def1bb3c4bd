"""The base of the four panes: one or more record tables, a filter and a status line.

A pane is told what to show (:meth:`RecordTablePane.show`, attributes down)
and reports what the user asked for (:class:`RecordTablePane.OpenRecord`,
messages up). It never loads or saves anything itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label

from clientdesk.widgets.actions import ExplainedActions, bindings
from clientdesk.widgets.filter_bar import FilterBar
from clientdesk.widgets.record_table import RecordTable, RowContext

# The store's models and repository appear here, and in the panes, in annotations
# only; a pane imports the record classes it reads inside ``show``. Importing them
# loads pydantic and TinyDB, which the app's first paint must not wait for (the
# first ``show`` comes after the data file is read, and by then they are loaded).
if TYPE_CHECKING:
    from clientdesk.store.closing import Gate
    from clientdesk.store.models import Project, Record, RequestClocks
    from clientdesk.store.snapshot import Snapshot


class FillSource(Protocol):
    """What a pane is filled from: a snapshot, its project, a moment, and what was read of it.

    The app's readings of a refresh are one (the clocks and gates are read once
    for the tab titles and the panes alike).
    """

    @property
    def snapshot(self) -> Snapshot:
        """Every record at one moment."""
        ...

    @property
    def project(self) -> Project:
        """The project whose records to show."""
        ...

    @property
    def now(self) -> datetime:
        """The current time, for computed columns."""
        ...

    @property
    def clocks(self) -> Mapping[str, RequestClocks]:
        """The clocks of the project's open requests, by request id."""
        ...

    @property
    def gates(self) -> list[Gate]:
        """The project's closing gates."""
        ...


@dataclass(frozen=True)
class FillParts:
    """A :class:`FillSource` made of its parts: a fill a pane makes for itself (a filter key)."""

    snapshot: Snapshot
    """Every record at one moment."""
    project: Project
    """The project whose records to show."""
    now: datetime
    """The current time, for computed columns."""
    clocks: Mapping[str, RequestClocks] = field(default_factory=dict)
    """The clocks of the project's open requests, by request id (when the pane needs them)."""
    gates: list[Gate] = field(default_factory=list)
    """The project's closing gates (when the pane needs them)."""


@dataclass(frozen=True, eq=False)
class PreparedFill:
    """A pane's fill made in a worker thread: sorted, filtered rows ready to be swapped in.

    Each pane that can be filled this way extends it with what it shows
    (see :meth:`RecordTablePane.prepare_fill`).
    """

    state: object
    """The pane's controls (filters, sort) the fill was made for."""
    source: FillSource
    """What it was made from."""


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun`` in the right number: "1 risk", "3 risks"."""
    return f"{count} {noun if count == 1 else (plural or noun + 's')}"


class RecordTablePane(ExplainedActions, Vertical):
    """Base class of a pane showing one project's records in one or more tables.

    Subclasses yield their tables (and section titles) from
    :meth:`compose_tables` and fill them in :meth:`show`.
    """

    DEFAULT_CSS = """
    RecordTablePane {
        height: 1fr;
    }
    RecordTablePane > .section-title {
        height: 1;
        padding: 0 1;
        text-style: bold;
        color: $text-accent;
    }
    RecordTablePane > #pane-status {
        height: 1;
        width: 1fr;
        padding: 0 1;
        color: $text-muted;
    }
    RecordTablePane > FilterBar {
        display: none;
    }
    RecordTablePane.-filtering > FilterBar {
        display: block;
    }
    RecordTablePane.-filtering > #pane-status {
        display: none;
    }
    """

    BINDINGS = bindings("pane")

    NOUN: ClassVar[str] = "record"
    """What one row is called, for the status line ("1 risk")."""

    PLURAL: ClassVar[str] = ""
    """What several rows are called ("3 risks"); empty means ``NOUN`` + "s"."""

    filter_text: reactive[str] = reactive("", init=False)
    """The filter applied to every table of the pane."""

    class OpenRecord(Message):
        """The user asked to open (edit) a record: enter on a row."""

        def __init__(self, pane: RecordTablePane, record: Record) -> None:
            """Say which record of which pane."""
            super().__init__()
            self.pane = pane
            """The pane the record is shown in."""
            self.record = record
            """The record to open."""

    def compose(self) -> ComposeResult:
        """The pane's tables, then the status line.

        The filter bar is mounted above the status line when the user first
        filters: most panes are never filtered, and composing a bar in each
        would delay the app's first paint.
        """
        yield from self.compose_tables()
        yield Label(id="pane-status", markup=False)

    def compose_tables(self) -> ComposeResult:
        """Yield the pane's tables and their section titles (each pane defines this)."""
        raise NotImplementedError(f"{type(self).__name__} must define compose_tables()")

    def show(self, snapshot: Snapshot, project: Project, now: datetime) -> None:
        """Show ``project``'s records as of ``snapshot``.

        Args:
            snapshot: every record at one moment.
            project: the project whose records to show.
            now: the current time, for computed columns.

        Each pane defines this: the base class cannot know which records it lists.
        """
        raise NotImplementedError(f"{type(self).__name__} must define show()")

    # -- filled from a worker thread ---------------------------------------------

    def fill_state(self, *, search_ready: bool | None = None) -> object | None:
        """What a fill depends on besides the data (filters, sort), read on the UI thread.

        A pane that answers can be filled off the UI thread: the app reads this
        when it starts reading the store, the worker that read the snapshot
        calls :meth:`prepare_fill` with it, and the UI thread only swaps the
        result in (:meth:`show_prepared`). None (this default): the pane is
        filled by :meth:`show`, on the UI thread.

        Args:
            search_ready: make every row's search text with the rows (default:
                while the filter is open). A fill made here on the UI thread
                leaves it to the table, which makes it a few rows at a time.
        """
        return None

    @classmethod
    def prepare_fill(cls, source: FillSource, state: object) -> PreparedFill:
        """Make the pane's rows for ``source`` as the pane shows them in ``state`` (any thread).

        Nothing here may touch a widget: it runs in a worker thread. Called
        only with a state :meth:`fill_state` gave: a pane that gives none (the
        Closing pane, filled by :meth:`show`) is never asked, and asking it
        is a programming error.
        """
        raise NotImplementedError(f"{cls.__name__} gives no fill state: it is filled by show()")

    def show_prepared(self, prepared: PreparedFill) -> bool:
        """Show a fill made by :meth:`prepare_fill`.

        Returns:
            False, with nothing changed, when the pane's controls changed since
            the fill was prepared (the caller then fills it by :meth:`show`).
        """
        return False

    # -- what the app reads ------------------------------------------------------

    @property
    def tables(self) -> list[RecordTable[Any]]:
        """The pane's tables, top to bottom."""
        return list(self.query(RecordTable))

    @property
    def selected_record(self) -> Record | None:
        """The record under the cursor of the focused table (else of the first table)."""
        tables = self.tables
        focused = next((table for table in tables if table.has_focus), None)
        for table in [focused, *tables] if focused else tables:
            record: Record | None = table.selected_record
            if record is not None:
                return record
        return None

    @property
    def is_filtering(self) -> bool:
        """True while the filter bar is shown."""
        return self.has_class("-filtering")

    # -- what the app asks -------------------------------------------------------

    def focus_table(self) -> None:
        """Focus the table that had focus last (the first one when none had)."""
        tables = self.tables
        if not tables:
            return
        last = self._last_table
        (last if last is not None and last in tables else tables[0]).focus()

    async def start_filter(self) -> None:
        """Show the filter bar (mounting it the first time) and put the cursor in it."""
        if self.query_one_optional(FilterBar) is None:
            await self.mount(FilterBar(), before="#pane-status")
            self.refresh_status()
        self.add_class("-filtering")
        self.query_one(FilterBar).focus_input()
        for table in self.tables:
            table.prepare_search()

    def reveal(self, record_id: str) -> bool:
        """Put the cursor on the record with ``record_id`` and focus its table.

        A text filter that hides the record is cleared first; panes with
        filters of their own reset those too (and then call this).

        Returns:
            True when the record is shown and selected; False when the pane
            does not list it.
        """
        if self.filter_text and not any(
            record.id == record_id for table in self.tables for record in table.records
        ):
            self.action_clear_filter()
        for table in self.tables:
            table.select_record(record_id)
            if any(record.id == record_id for record in table.records):
                table.focus()
                return True
        return False

    def action_clear_filter(self) -> None:
        """Clear the filter and hide the filter bar."""
        bar = self.query_one_optional(FilterBar)
        if bar is not None:
            bar.clear()
        self.filter_text = ""
        self._end_filtering()
        self.focus_table()

    def _end_filtering(self) -> None:
        self.remove_class("-filtering")
        for table in self.tables:
            table.keeps_search_ready = False  # refreshes need no search text now

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer "clear filter" only while a filter is set."""
        if action == "clear_filter":
            return self.is_filtering or bool(self.filter_text)
        return super().check_action(action, parameters)

    @property
    def shown_project(self) -> Project | None:
        """The project whose records are shown (None before the first :meth:`show`)."""
        return None

    def closed_project_key(self) -> str:
        """The shown project's key when it is closed: its records cannot change."""
        project = self.shown_project
        return project.key if project is not None and project.is_closed else ""

    def nothing_selected(self) -> str:
        """The line that says no record is under the cursor."""
        return f"No {self.NOUN} under the cursor."

    # -- internals ---------------------------------------------------------------

    _last_table: RecordTable[Any] | None = None

    @on(events.DescendantFocus)
    def _remember_table(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, RecordTable):
            self._last_table = event.widget

    def status_text(self) -> str:
        """The status line: how many records, or how many match the filter."""
        shown = sum(table.shown_count for table in self.tables)
        total = sum(table.total_count for table in self.tables)
        plural = self.PLURAL or f"{self.NOUN}s"
        if self.filter_text:
            return f"{shown} of {counted(total, self.NOUN, plural)} match"
        if not total:
            return f"No {plural} in this project yet"
        return counted(total, self.NOUN, plural)

    def refresh_status(self) -> None:
        """Update the status line and the filter's count."""
        text = self.status_text()
        # The line's size is fixed (one row, the pane's width): no layout of the
        # screen for a new count, which a keystroke in the filter would pay.
        self.query_one("#pane-status", Label).update(Text(text), layout=False)
        shown = sum(table.shown_count for table in self.tables)
        total = sum(table.total_count for table in self.tables)
        bar = self.query_one_optional(FilterBar)
        if bar is not None:
            bar.count_text = f"{shown} of {total}"

    def fill(self, table_id: str, records: Iterable[Record], context: RowContext) -> None:
        """Fill the table with id ``table_id`` (a helper for :meth:`show`)."""
        self.query_one(f"#{table_id}", RecordTable).set_records(records, context)

    def watch_filter_text(self, filter_text: str) -> None:
        """Apply the filter to every table."""
        for table in self.tables:
            table.filter_text = filter_text
        self.refresh_status()
        self.refresh_bindings()

    @on(FilterBar.Changed)
    def _filter_changed(self, event: FilterBar.Changed) -> None:
        event.stop()
        self.filter_text = event.text

    @on(FilterBar.Closed)
    def _filter_closed(self, event: FilterBar.Closed) -> None:
        event.stop()
        if event.cleared or not self.filter_text:
            self.filter_text = ""
            self._end_filtering()
        self.focus_table()
        self.refresh_bindings()

    @on(RecordTable.RowSelected)
    def _row_selected(self, event: RecordTable.RowSelected) -> None:
        event.stop()
        self.row_chosen(event.table)

    def row_chosen(self, table: RecordTable[Any]) -> None:
        """Enter on a row of ``table``: ask the app to open its record.

        A pane whose rows are not plain records (the Calendar's agenda)
        decides here what enter opens.
        """
        record = table.selected_record
        if record is not None:
            self.post_message(self.OpenRecord(self, record))
