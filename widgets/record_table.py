"""A read-only table of records that fits its columns to the width it is given.

Each pane describes its columns once (:class:`Column`); the table shows as
many as fit, dropping the least important first on a narrow terminal and
giving the room left over to the flexible column (usually the title). Rows
are keyed by record id, so the cursor stays on the same record when the data
is refreshed or filtered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from clientdesk.store.clock import zone
from clientdesk.widgets.actions import bindings

if TYPE_CHECKING:
    from clientdesk.store.models import Project
    from clientdesk.store.snapshot import Snapshot


class Identified(Protocol):
    """What a table row stands for: a record, or anything else with a stable id."""

    @property
    def id(self) -> str:
        """The id the row is keyed by (the cursor follows it across refreshes)."""
        ...


R = TypeVar("R", bound=Identified)

SEARCH_CHUNK = 250
"""Rows whose search text is made in one step of :meth:`RecordTable.prepare_search` (~10 ms)."""


@dataclass(frozen=True)
class RowContext:
    """What a cell may need besides its own record.

    Attributes:
        project: the project the rows belong to (its time zone is the display zone).
        snapshot: every record, to look up related ones (e.g. a requester's name).
        now: the current time, for computed flags such as "overdue".
    """

    project: Project
    snapshot: Snapshot
    now: datetime

    @property
    def zone(self) -> ZoneInfo:
        """The project's home time zone, in which times are shown."""
        return zone(self.project.timezone)


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column of a :class:`RecordTable`.

    Attributes:
        key: a stable name for the column.
        label: the column header.
        render: builds the cell of one record.
        width: the column's width in cells; for a flexible column, its minimum.
        flex: the column takes the width left over by the others.
        drop_order: 0 keeps the column at every width; on a narrow table the
            column with the highest number is dropped first.
        fit_content: widen the column to its longest cell (at most ``max_width``),
            e.g. for keys, which grow from ``REQ-9`` to ``REQ-1234``.
        max_width: the widest a ``fit_content`` column grows.
        ideal: for a flexible column, the width it should get before optional
            columns are shown (defaults to ``width``).
        short: a narrower stand-in shown when this column does not fit.
        uniform: every cell of a ``fit_content`` column that has a value is as
            wide as any other (dates in one format): only the first is measured.
        measure: the width of a record's cell without rendering it, for a
            ``fit_content`` column: fitting measures every row of the table
            (thousands) where only the rows on screen are rendered.
    """

    key: str
    label: str
    render: Callable[[R, RowContext], Text]
    width: int
    flex: bool = False
    drop_order: int = 0
    fit_content: bool = False
    max_width: int = 12
    ideal: int | None = None
    short: Column[R] | None = None
    uniform: bool = False
    measure: Callable[[R, RowContext], int] | None = None


@dataclass(frozen=True)
class RowKind(Generic[R]):
    """What every row of one table shares: its columns and the extra text it is found by.

    Read off the table on the UI thread and handed to a worker, so that the
    worker makes rows without touching the widget (see :func:`prepare_rows`).
    """

    columns: tuple[Column[R], ...]
    """Every column the table can show, in display order."""
    search_text: Callable[[R], str] | None = None
    """Text a row is found by besides its cells (None: its cells only)."""


class _Row(Generic[R]):
    """One record and its cells, each rendered the first time it is needed.

    A table of thousands of records renders only the rows on screen; the
    others' cells are made when they scroll into view, or when the filter
    first needs their text.
    """

    __slots__ = ("_cells", "_haystack", "_kind", "context", "record")

    def __init__(self, record: R, context: RowContext, kind: RowKind[R]) -> None:
        self.record = record
        self.context = context
        self._kind = kind
        self._cells: dict[str, Text] = {}
        self._haystack: str | None = None

    def cell(self, column: Column[R]) -> Text:
        """The cell of ``column`` (rendered once)."""
        found = self._cells.get(column.key)
        if found is None:
            found = self._cells[column.key] = column.render(self.record, self.context)
        return found

    def _text_of(self, column: Column[R]) -> str:
        # A cell made for the search alone is not kept: most rows never show.
        found = self._cells.get(column.key)
        if found is None:
            found = column.render(self.record, self.context)
        return found.plain

    @property
    def haystack(self) -> str:
        """Every cell's text and the table's search text, folded: what the filter looks in."""
        if self._haystack is None:
            texts = []
            for column in self._kind.columns:
                texts.append(self._text_of(column))
                if column.short is not None:
                    texts.append(self._text_of(column.short))
            search = self._kind.search_text
            if search is not None:
                texts.append(search(self.record))
            self._haystack = " ".join(texts).casefold()
        return self._haystack


@dataclass(frozen=True)
class TableState(Generic[R]):
    """What a refill of one table depends on besides its records, read on the UI thread."""

    kind: RowKind[R]
    """The table's columns and search text."""
    filter_text: str = ""
    """The text filter the rows are shown through."""
    search_ready: bool = False
    """Every row's search text is wanted (the filter is open): made in the worker too."""


@dataclass(frozen=True, eq=False)
class PreparedRows(Generic[R]):
    """A table's rows made in a worker thread: the UI thread only swaps them in.

    Made by :func:`prepare_rows`, shown by :meth:`RecordTable.swap_in`.
    """

    state: TableState[R]
    """What the rows were made for; a table in another state makes its own."""
    context: RowContext
    """The project and moment the cells are rendered for."""
    rows: list[_Row[R]]
    """Every row, in display order."""
    shown: list[_Row[R]]
    """The rows that pass ``state.filter_text``, in display order."""
    shown_at: dict[str, int]
    """The index of each shown row, by record id."""
    content_widths: dict[str, int]
    """The width of each ``fit_content`` column, fitted to its longest cell."""


def prepare_rows(
    records: Iterable[R], context: RowContext, state: TableState[R]
) -> PreparedRows[R]:
    """Make a table's rows for ``records`` off the UI thread (nothing here touches a widget).

    Filtering by the text filter and measuring the ``fit_content`` columns go
    through every row: at tens of thousands of records they are what a refill
    costs, so they are done here, not where the rows are shown.

    Args:
        records: the rows' records, in display order.
        context: the project and moment the cells are rendered for.
        state: the table's columns, text filter and whether search text is wanted.
    """
    kind = state.kind
    rows = [_Row(record, context, kind) for record in records]
    words = state.filter_text.casefold().split()
    if state.search_ready or words:
        for row in rows:
            row.haystack  # noqa: B018 (made and kept by the property)
    shown = [row for row in rows if all(w in row.haystack for w in words)] if words else rows
    shown_at = {row.record.id: index for index, row in enumerate(shown)}
    return PreparedRows(state, context, rows, shown, shown_at, content_widths(rows, kind.columns))


def content_widths(rows: Sequence[_Row[R]], columns: Iterable[Column[R]]) -> dict[str, int]:
    """The width of each ``fit_content`` column of ``columns`` over ``rows``, by column key."""
    widths: dict[str, int] = {}
    for column in columns:
        if not column.fit_content:
            continue
        measure = column.measure
        lengths = (
            measure(row.record, row.context) if measure else row.cell(column).cell_len
            for row in rows
        )
        if column.uniform:  # the first cell with a value stands for all
            longest = next((length for length in lengths if length), 0)
        else:
            longest = 0
            for length in lengths:
                longest = max(longest, length)
                if longest >= column.max_width:
                    break  # as wide as the column gets: no need to look further
        widths[column.key] = min(max(column.width, longest), column.max_width)
    return widths


def fit_columns(
    columns: Sequence[Column[R]], width: int, padding: int = 1
) -> list[tuple[Column[R], int]]:
    """Choose the columns that fit in ``width`` cells and the width of each.

    Args:
        columns: every column, in display order.
        width: the cells available.
        padding: the cells a table adds on each side of every column.

    Returns:
        The columns to show, in display order, each with its width.
    """
    shown = list(columns)

    def needed(selection: Sequence[Column[R]], *, ideal: bool = False) -> int:
        return sum(
            (column.ideal or column.width if ideal and column.flex else column.width) + 2 * padding
            for column in selection
        )

    # Optional columns go, least important first, until the flexible columns
    # get their ideal width; a column with a short form is first narrowed.
    for column in sorted(columns, key=lambda c: c.drop_order, reverse=True):
        if column.drop_order == 0 or needed(shown, ideal=True) <= width:
            break
        position = next(i for i, c in enumerate(shown) if c is column)
        if column.short is not None:
            shown[position] = column.short
        else:
            del shown[position]
    spare = max(0, width - needed(shown))
    flexible = [column for column in shown if column.flex]
    widths: list[tuple[Column[R], int]] = []
    for column in shown:
        extra = 0
        if flexible and column is flexible[0]:
            extra = spare - (spare // len(flexible)) * (len(flexible) - 1)
        elif column.flex:
            extra = spare // len(flexible)
        widths.append((column, column.width + extra))
    return widths


class RecordTable(ScrollView, Generic[R], can_focus=True):
    """A read-only, filterable table of records of one kind, one row per record.

    A row may stand for something other than a stored record (an occurrence
    of a meeting series, say): anything with an ``id`` will do.

    Only the rows on screen are rendered: a key costs the same with fifty
    records as with fifty thousand, and moving the cursor redraws two lines.
    """

    DEFAULT_CSS = """
    RecordTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
        overflow-y: auto;
        &:focus {
            background-tint: $foreground 5%;
            & > .record-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .record-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .record-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .record-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .record-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "record-table--header",
        "record-table--even-row",
        "record-table--cursor",
    }

    BINDINGS = bindings("table")

    RESERVED_SCROLLBAR: ClassVar[int] = 1
    """Cells kept free for the vertical scrollbar, so columns do not shift when it appears."""

    CELL_PADDING: ClassVar[int] = 1
    """Cells of space on each side of every column."""

    filter_text: reactive[str] = reactive("", init=False)
    """Only rows whose text holds every word of this (case-insensitive) are shown."""

    class RowSelected(Message):
        """Enter (or a click on the cursor's row) chose the row under the cursor."""

        def __init__(self, table: RecordTable[Any]) -> None:
            """Carry the table whose row was chosen."""
            super().__init__()
            self.table = table
            """The table (its :attr:`RecordTable.selected_record` is the row)."""

        @property
        def control(self) -> RecordTable[Any]:
            """The table the row belongs to."""
            return self.table

    def __init__(
        self,
        columns: Sequence[Column[R]],
        *,
        id: str | None = None,
        classes: str | None = None,
        search_text: Callable[[R], str] | None = None,
    ) -> None:
        """Create an empty table.

        Args:
            columns: every column the table can show, in display order.
            id: the widget id.
            classes: CSS classes.
            search_text: text the filter finds a row by besides its cells
                (e.g. a meeting's attendees, which no column shows).
        """
        super().__init__(id=id, classes=classes)
        self.all_columns: tuple[Column[R], ...] = tuple(columns)
        """Every column the table can show, in display order."""
        self.search_text = search_text
        """Text a row is found by besides its cells (None: its cells only)."""
        self._rows: list[_Row[R]] = []
        self._shown: list[_Row[R]] = []
        self._shown_at: dict[str, int] = {}
        self._content_widths: dict[str, int] | None = None
        self._project_id: str | None = None
        self._cursor = 0
        self._fitted: list[tuple[Column[R], int]] = []
        self._fitted_width: int | None = None
        self._lines: dict[tuple[int, bool], Strip] = {}
        self.keeps_search_ready = False
        """Make the search text of new rows in the background too (while the filter is open)."""

    # -- what the owner reads --------------------------------------------------

    @property
    def total_count(self) -> int:
        """How many records the table holds."""
        return len(self._rows)

    @property
    def shown_count(self) -> int:
        """How many records pass the filter."""
        return len(self._shown)

    @property
    def row_count(self) -> int:
        """How many rows are shown (those that pass the filter)."""
        return len(self._shown)

    @property
    def records(self) -> list[R]:
        """The records shown, in display order."""
        return [row.record for row in self._shown]

    @property
    def all_records(self) -> list[R]:
        """Every record the table holds, shown or filtered out."""
        return [row.record for row in self._rows]

    @property
    def cursor_row(self) -> int:
        """The index of the row under the cursor among the rows shown."""
        return self._cursor

    @property
    def selected_record(self) -> R | None:
        """The record under the cursor, if any."""
        if not self._shown:
            return None
        return self._shown[self._cursor].record

    @property
    def shown_columns(self) -> list[str]:
        """The keys of the columns on screen at the table's width, in order."""
        return [column.key for column, _ in self._fit()]

    def get_cell(self, record_id: str, column_key: str) -> Text:
        """The cell of column ``column_key`` in the row of the record ``record_id``.

        Raises:
            KeyError: no such record or column.
        """
        row = next(row for row in self._rows if row.record.id == record_id)
        for column in self.all_columns:
            for candidate in (column, column.short):
                if candidate is not None and candidate.key == column_key:
                    return row.cell(candidate)
        raise KeyError(column_key)

    # -- what the owner sets ---------------------------------------------------

    def set_records(self, records: Iterable[R], context: RowContext) -> None:
        """Show ``records``; the cursor stays on the same record when it is still there.

        Args:
            records: the rows, in display order.
            context: the project and moment the cells are rendered for.
        """
        self.swap_in(prepare_rows(records, context, self.fill_state(search_ready=False)))

    def fill_state(self, *, search_ready: bool | None = None) -> TableState[R]:
        """What a refill depends on besides the records (for :func:`prepare_rows` in a worker).

        Args:
            search_ready: make every row's search text too (default: while the filter is open).
        """
        ready = self.keeps_search_ready if search_ready is None else search_ready
        kind = RowKind(self.all_columns, self.search_text)
        return TableState(kind, self.filter_text, ready)

    def can_swap_in(self, prepared: PreparedRows[R]) -> bool:
        """True when ``prepared`` was made for the table as it is now (columns and filter)."""
        state = prepared.state
        return (
            state.kind.columns == self.all_columns
            and state.kind.search_text == self.search_text
            and state.filter_text == self.filter_text
        )

    def swap_in(self, prepared: PreparedRows[R]) -> bool:
        """Show rows made by :func:`prepare_rows`; the cursor stays on its record if still there.

        This costs the same at fifty rows as at fifty thousand: the rows were
        made, filtered and measured where they were prepared.

        Returns:
            False, and nothing changed, when ``prepared`` was made for other
            columns or another text filter than the table has now.
        """
        if not self.can_swap_in(prepared):
            return False
        context = prepared.context
        keep: str | None = None
        at_top = False
        if context.project.id == self._project_id:
            selected = self.selected_record
            keep = selected.id if selected is not None else None
        else:
            at_top = True
        self._project_id = context.project.id
        self._rows = prepared.rows
        self._content_widths = prepared.content_widths
        self._fitted_width = None  # fit_content columns follow the new rows
        self._show_rows(prepared.shown, prepared.shown_at, keep, at_top=at_top)
        if self.keeps_search_ready:
            self.prepare_search()
        return True

    def prepare_search(self) -> None:
        """Make every row's search text in the background, a few hundred rows at a time.

        Called as the filter opens: the first character typed would otherwise
        make the search text of every row at once (~0.4 s at 8,000 rows). The
        rows still waiting when a character comes are made then.
        """
        self.keeps_search_ready = True
        self._prepare_search(self._rows)

    @work(exclusive=True, group="search-text")
    async def _prepare_search(self, rows: list[_Row[R]]) -> None:
        for start in range(0, len(rows), SEARCH_CHUNK):
            if rows is not self._rows:
                return  # new rows came: their own preparation has started
            for row in rows[start : start + SEARCH_CHUNK]:
                row.haystack  # noqa: B018 (made and kept by the property)
            await asyncio.sleep(0)  # let keys and paints through between chunks

    def set_columns(self, columns: Sequence[Column[R]]) -> None:
        """Change the columns the table can show; takes effect with the next :meth:`set_records`."""
        self.all_columns = tuple(columns)
        self._content_widths = None

    def select_record(self, record_id: str) -> None:
        """Move the cursor to the record with id ``record_id`` when it is shown."""
        index = self._shown_at.get(record_id)
        if index is not None:
            self._move_to(index)

    def move_cursor(self, *, row: int) -> None:
        """Move the cursor to the ``row``-th row shown (kept within the rows)."""
        self._move_to(row)

    def watch_filter_text(self) -> None:
        """Re-filter the rows, keeping the cursor on its record when it still matches."""
        selected = self.selected_record
        self._refill(selected.id if selected is not None else None)

    # -- keys and mouse ----------------------------------------------------------

    def action_cursor_up(self) -> None:
        """One row up."""
        self._move_to(self._cursor - 1)

    def action_cursor_down(self) -> None:
        """One row down."""
        self._move_to(self._cursor + 1)

    def action_page_up(self) -> None:
        """One screen of rows up."""
        self._move_to(self._cursor - self._rows_on_screen())

    def action_page_down(self) -> None:
        """One screen of rows down."""
        self._move_to(self._cursor + self._rows_on_screen())

    def action_first_row(self) -> None:
        """The first row."""
        self._move_to(0)

    def action_last_row(self) -> None:
        """The last row."""
        self._move_to(len(self._shown) - 1)

    def action_select_cursor(self) -> None:
        """Choose the row under the cursor (the pane opens its record)."""
        if self._shown:
            self.post_message(self.RowSelected(self))

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor to the row; a click on the cursor's row chooses it."""
        if event.y < 1:
            return
        index = self.scroll_offset.y + event.y - 1
        if not 0 <= index < len(self._shown):
            return
        if index == self._cursor:
            self.action_select_cursor()
        else:
            self._move_to(index)

    def on_focus(self) -> None:
        """The cursor takes its focused look."""
        self._forget_lines()

    def on_blur(self) -> None:
        """The cursor takes its blurred look."""
        self._forget_lines()

    def notify_style_update(self) -> None:
        """A theme or CSS change: render every line again."""
        super().notify_style_update()
        self._forget_lines()

    # -- rendering -----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of the widget: the header, or the row scrolled to that line."""
        fitted = self._fit()
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(fitted, width)
        index = self.scroll_offset.y + y - 1
        if not 0 <= index < len(self._shown):
            return Strip.blank(width, self.rich_style)
        key = (index, index == self._cursor)
        line = self._lines.get(key)
        if line is None:
            line = self._lines[key] = self._render_row(index, fitted, width)
        return line

    def _header(self, fitted: list[tuple[Column[R], int]], width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("record-table--header")
        text = Text(style=style, no_wrap=True, end="")
        for column, column_width in fitted:
            text.append_text(self._padded(Text(column.label), column_width))
        return self._strip(text, width, style)

    def _render_row(self, index: int, fitted: list[tuple[Column[R], int]], width: int) -> Strip:
        style = self.rich_style
        if index % 2:
            style += self.get_component_rich_style("record-table--even-row")
        row = self._shown[index]
        text = Text(no_wrap=True, end="")
        for column, column_width in fitted:
            text.append_text(self._padded(row.cell(column), column_width))
        line = self._strip(text, width, style)
        if index != self._cursor:
            return line
        # The cursor's colours over the cells' own, as a highlighted row reads best.
        cursor = self.get_component_rich_style("record-table--cursor")
        return Strip(
            [Segment(part, (own or Style()) + cursor, control) for part, own, control in line],
            line.cell_length,
        )

    def _padded(self, cell: Text, width: int) -> Text:
        shown = cell.copy()
        shown.truncate(width, overflow="ellipsis", pad=True)
        pad = " " * self.CELL_PADDING
        return Text.assemble(pad, shown, pad, no_wrap=True, end="")

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        segments = list(text.render(self.app.console))
        line = Strip(segments, text.cell_len).adjust_cell_length(width)
        # The row's style under each cell's own (a red "overdue" stays red on the cursor).
        return line.apply_style(style)

    def _forget_lines(self) -> None:
        self._lines.clear()
        self.refresh()

    # -- internals -------------------------------------------------------------

    def _fit(self) -> list[tuple[Column[R], int]]:
        width = self._usable_width()
        if width != self._fitted_width:
            self._fitted = fit_columns(self._sized_columns(), max(width, 0), self.CELL_PADDING)
            self._fitted_width = width
            self._lines.clear()
        return self._fitted

    def _sized_columns(self) -> list[Column[R]]:
        widths = self._content_widths
        if widths is None:
            widths = self._content_widths = content_widths(self._rows, self.all_columns)
        return [
            replace(column, width=widths[column.key]) if column.key in widths else column
            for column in self.all_columns
        ]

    def _usable_width(self) -> int:
        return self.size.width - self.RESERVED_SCROLLBAR

    def _rows_on_screen(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _refill(self, keep: str | None, *, at_top: bool = False) -> None:
        words = self.filter_text.casefold().split()
        if words:
            shown = [row for row in self._rows if all(w in row.haystack for w in words)]
        else:
            shown = list(self._rows)
        shown_at = {row.record.id: index for index, row in enumerate(shown)}
        self._show_rows(shown, shown_at, keep, at_top=at_top)

    def _show_rows(
        self,
        shown: list[_Row[R]],
        shown_at: dict[str, int],
        keep: str | None,
        *,
        at_top: bool = False,
    ) -> None:
        """Show ``shown``, the cursor on the record ``keep`` when it is among them."""
        self._shown = shown
        self._shown_at = shown_at
        self.virtual_size = Size(max(self._usable_width(), 0), len(self._shown) + 1)
        self._lines.clear()
        target = self._shown_at.get(keep) if keep is not None else None
        if target is None:
            target = 0 if at_top else self._cursor
        self._cursor = min(max(target, 0), max(len(self._shown) - 1, 0))
        if at_top:
            self.scroll_to(y=0, animate=False, immediate=True)
        self._scroll_to_cursor()
        self.refresh()

    def _move_to(self, index: int) -> None:
        if not self._shown:
            return
        index = min(max(index, 0), len(self._shown) - 1)
        if index == self._cursor:
            return
        old, self._cursor = self._cursor, index
        for row in (old, index):
            self._lines.pop((row, True), None)
            self._lines.pop((row, False), None)
        if not self._scroll_to_cursor():
            self.refresh_line(old + 1)
            self.refresh_line(index + 1)

    def _scroll_to_cursor(self) -> bool:
        """Scroll so that the cursor's row is on screen; True when it scrolled."""
        height = self._rows_on_screen()
        top = self.scroll_offset.y
        if self._cursor < top:
            wanted = self._cursor
        elif self._cursor >= top + height:
            wanted = self._cursor - height + 1
        else:
            return False
        self.scroll_to(y=wanted, animate=False, immediate=True)
        self.refresh()
        return True

    def on_resize(self, event: events.Resize) -> None:
        """Fit the columns again to the new width."""
        self.virtual_size = Size(max(self._usable_width(), 0), len(self._shown) + 1)
        self._lines.clear()
        self._scroll_to_cursor()
        self.refresh()
