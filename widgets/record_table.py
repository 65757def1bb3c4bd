"""A read-only table of records that fits its columns to the width it is given.

Each pane describes its columns once (:class:`Column`); the table shows as
many as fit, dropping the least important first on a narrow terminal and
giving the room left over to the flexible column (usually the title). Rows
are keyed by record id, so the cursor stays on the same record when the data
is refreshed or filtered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowKey

from clientdesk.store.clock import zone

if TYPE_CHECKING:
    from clientdesk.store.models import Project
    from clientdesk.store.repository import Snapshot


class Identified(Protocol):
    """What a table row stands for: a record, or anything else with a stable id."""

    @property
    def id(self) -> str:
        """The id the row is keyed by (the cursor follows it across refreshes)."""
        ...


R = TypeVar("R", bound=Identified)


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


@dataclass(frozen=True)
class _Row(Generic[R]):
    record: R
    cells: dict[str, Text]
    haystack: str


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


class RecordTable(DataTable[Text], Generic[R]):
    """A read-only, filterable table of records of one kind, one row per record.

    A row may stand for something other than a stored record (an occurrence
    of a meeting series, say): anything with an ``id`` will do.
    """

    DEFAULT_CSS = """
    RecordTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    """

    BINDINGS = [
        Binding("enter", "select_cursor", "Open / edit", show=False, id="table.open"),
    ]

    RESERVED_SCROLLBAR: ClassVar[int] = 1
    """Cells kept free for the vertical scrollbar, so columns do not shift when it appears."""

    filter_text: reactive[str] = reactive("", init=False)
    """Only rows whose text holds every word of this (case-insensitive) are shown."""

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
        super().__init__(cursor_type="row", zebra_stripes=True, id=id, classes=classes)
        self._all_columns = tuple(columns)
        self._search_text = search_text
        self._rows: list[_Row[R]] = []
        self._shown: list[_Row[R]] = []
        self._project_id: str | None = None
        self._laid_out_width: int | None = None
        self._pending_selection: str | None = None
        self._start_at_top = False

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
    def records(self) -> list[R]:
        """The records shown, in display order."""
        return [row.record for row in self._shown]

    @property
    def all_records(self) -> list[R]:
        """Every record the table holds, shown or filtered out."""
        return [row.record for row in self._rows]

    @property
    def selected_record(self) -> R | None:
        """The record under the cursor, if any."""
        if self._laid_out_width is None:
            wanted = self._pending_selection
            return next((row.record for row in self._shown if row.record.id == wanted), None)
        if not self._shown:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return next((row.record for row in self._shown if row.record.id == row_key.value), None)

    # -- what the owner sets ---------------------------------------------------

    def set_records(self, records: Iterable[R], context: RowContext) -> None:
        """Show ``records``; the cursor stays on the same record when it is still there.

        Args:
            records: the rows, in display order.
            context: the project and moment the cells are rendered for.
        """
        keep: str | None = None
        if context.project.id == self._project_id:
            selected = self.selected_record
            keep = selected.id if selected is not None else None
        else:
            self._start_at_top = True
        self._project_id = context.project.id
        self._rows = [self._make_row(record, context) for record in records]
        self._refill(keep)

    def set_columns(self, columns: Sequence[Column[R]]) -> None:
        """Change the columns the table can show; takes effect with the next :meth:`set_records`."""
        self._all_columns = tuple(columns)

    def select_record(self, record_id: str) -> None:
        """Move the cursor to the record with id ``record_id`` when it is shown."""
        self._refill(record_id)

    def watch_filter_text(self) -> None:
        """Re-filter the rows, keeping the cursor on its record when it still matches."""
        selected = self.selected_record
        self._refill(selected.id if selected is not None else None)

    # -- internals -------------------------------------------------------------

    def _make_row(self, record: R, context: RowContext) -> _Row[R]:
        cells: dict[str, Text] = {}
        for column in self._all_columns:
            cells[column.key] = column.render(record, context)
            if column.short is not None:
                cells[column.short.key] = column.short.render(record, context)
        haystack = " ".join(cell.plain for cell in cells.values())
        if self._search_text is not None:
            haystack += " " + self._search_text(record)
        haystack = haystack.casefold()
        return _Row(record, cells, haystack)

    def _sized_columns(self) -> list[Column[R]]:
        columns: list[Column[R]] = []
        for column in self._all_columns:
            if column.fit_content:
                longest = max((row.cells[column.key].cell_len for row in self._rows), default=0)
                width = min(max(column.width, longest), column.max_width)
                column = replace(column, width=width)
            columns.append(column)
        return columns

    def _usable_width(self) -> int:
        return self.size.width - self.RESERVED_SCROLLBAR

    def _refill(self, keep: str | None) -> None:
        words = self.filter_text.casefold().split()
        self._shown = [row for row in self._rows if all(word in row.haystack for word in words)]
        width = self._usable_width()
        if width <= 0:
            # Not laid out yet (e.g. on a hidden tab): build when it gets a size.
            self._laid_out_width = None
            self._pending_selection = keep
            return
        previous_row = self.cursor_row
        columns = self._sized_columns()
        fitted = fit_columns(columns, width, self.cell_padding)
        keys = [column.key for column, _ in fitted]
        self.clear(columns=True)
        for column, column_width in fitted:
            self.add_column(Text(column.label, no_wrap=True), width=column_width, key=column.key)
        for row in self._shown:
            self.add_row(*(row.cells[key] for key in keys), key=row.record.id)
        self._laid_out_width = width
        self._pending_selection = None
        if not self._shown:
            return
        target = next((i for i, row in enumerate(self._shown) if row.record.id == keep), None)
        if target is None:
            start = 0 if self._start_at_top else previous_row
            target = min(max(start, 0), len(self._shown) - 1)
        self._start_at_top = False
        self.move_cursor(row=target, animate=False)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # DataTable measures every cell of every new row, for columns sized to
        # their content. Here each column has the width fit_columns gave it and
        # each row is one line: the measuring would change nothing, and costs
        # ~0.4 s for a refill of 10,000 rows. Only the scrollable size is set.
        if any(column.auto_width for column in self.columns.values()):
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, self.row_count + header)

    def on_resize(self, event: events.Resize) -> None:
        """Fit the columns again when the width changed."""
        if self._usable_width() != self._laid_out_width:
            selected = self.selected_record
            self._refill(selected.id if selected is not None else self._pending_selection)
