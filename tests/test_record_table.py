"""The record table on its own: only the rows on screen are rendered, the keys move the cursor,
enter and a click choose a row, and the filter finds rows by any cell."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult

from clientdesk.store.models import Project
from clientdesk.store.snapshot import Snapshot
from clientdesk.widgets.record_table import Column, RecordTable, RowContext
from tests.helpers.ui import screen_text


@dataclass(frozen=True)
class Item:
    """A row: anything with an id will do."""

    id: str
    key: str
    title: str


RENDERED: list[str] = []
"""The ids whose title cell was rendered, in order."""


def title_cell(item: Item, context: RowContext) -> Text:
    """The title, counting each time a cell is made."""
    RENDERED.append(item.id)
    return Text(item.title)


COLUMNS: list[Column[Item]] = [
    Column("key", "Key", lambda item, context: Text(item.key), 6, fit_content=True),
    Column("title", "Title", title_cell, 20, flex=True),
]


class TableApp(App[None]):
    """One table of ``count`` items, keeping the rows chosen."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.items = [Item(f"id{n}", f"ITM-{n}", f"item number {n}") for n in range(count)]
        self.chosen: list[str] = []

    def compose(self) -> ComposeResult:
        yield RecordTable(COLUMNS, id="table")

    def on_mount(self) -> None:
        context = RowContext(Project(name="Test"), Snapshot.empty(), datetime.now(UTC))
        table = self.query_one(RecordTable)
        table.set_records(self.items, context)
        table.focus()

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        record: Any = event.table.selected_record
        self.chosen.append(record.key)


async def test_fifty_thousand_rows_render_only_what_is_on_screen() -> None:
    RENDERED.clear()
    app = TableApp(50_000)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        assert 0 < len(set(RENDERED)) <= 11, "a screenful of rows, not 50,000"
        table = app.query_one(RecordTable)
        assert table.row_count == 50_000
        RENDERED.clear()
        await pilot.press("end")
        await pilot.pause()
        assert table.selected_record is not None
        assert table.selected_record.key == "ITM-49999"
        assert len(set(RENDERED)) <= 11
        assert "ITM-49999" in screen_text(app)


async def test_the_keys_move_the_cursor_and_keep_it_on_screen() -> None:
    app = TableApp(100)
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(RecordTable)
        await pilot.pause()
        await pilot.press("down", "down")
        assert table.cursor_row == 2
        await pilot.press("pagedown")
        assert table.cursor_row == 2 + 11, "a page is the 11 rows under the header"
        assert table.scroll_offset.y > 0
        await pilot.press("home")
        assert (table.cursor_row, table.scroll_offset.y) == (0, 0)
        await pilot.press("up")
        assert table.cursor_row == 0, "the cursor stops at the first row"


async def test_enter_and_a_click_on_the_cursor_row_choose_it() -> None:
    app = TableApp(10)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.chosen == ["ITM-1"]
        await pilot.click(RecordTable, offset=(2, 4))  # the row of ITM-3: moves the cursor
        await pilot.pause()
        assert app.query_one(RecordTable).cursor_row == 3 and app.chosen == ["ITM-1"]
        await pilot.click(RecordTable, offset=(2, 4))
        await pilot.pause()
        assert app.chosen == ["ITM-1", "ITM-3"]


async def test_the_filter_keeps_the_cursor_on_its_record_and_finds_any_cell() -> None:
    app = TableApp(30)
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(RecordTable)
        await pilot.pause()
        table.select_record("id12")
        table.filter_text = "number 1"
        await pilot.pause()
        assert [item.key for item in table.records][:3] == ["ITM-1", "ITM-10", "ITM-11"]
        assert table.selected_record is not None and table.selected_record.key == "ITM-12"
        table.filter_text = "itm-2"
        await pilot.pause()
        assert table.shown_count == 11 and table.total_count == 30
        assert table.get_cell("id20", "title").plain == "item number 20"


KEYS_RENDERED: list[str] = []
"""The ids whose key cell was rendered."""


def key_cell(item: Item, context: RowContext) -> Text:
    """The key, counting each time a cell is made."""
    KEYS_RENDERED.append(item.id)
    return Text(item.key)


class MeasuredTableApp(TableApp):
    """The same table, its key column fitted by measuring instead of rendering."""

    def compose(self) -> ComposeResult:
        measured = Column(
            "key",
            "Key",
            key_cell,
            6,
            fit_content=True,
            measure=lambda item, context: len(item.key),
        )
        yield RecordTable([measured, COLUMNS[1]], id="table")


async def test_a_measured_column_fits_its_longest_cell_without_rendering_every_row() -> None:
    KEYS_RENDERED.clear()
    app = MeasuredTableApp(20_000)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        assert 0 < len(set(KEYS_RENDERED)) <= 11, "fitting measured the keys, not rendered them"
        await pilot.press("end")
        await pilot.pause()
        last_line = next(line for line in screen_text(app).splitlines() if "ITM-19999" in line)
        assert "ITM-19999 " in last_line, "the widest key, far below the first screen, fits"


async def test_the_search_text_is_made_in_the_background_as_the_filter_opens() -> None:
    app = TableApp(20_000)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(RecordTable)
        table.prepare_search()
        await app.workers.wait_for_complete()
        RENDERED.clear()
        table.filter_text = "number 1999"
        await pilot.pause()
        assert table.shown_count == 12  # 1999, 11999 and 19990 to 19999
        assert len(set(RENDERED)) <= 11, "the filter only compared text made beforehand"
        assert "item number 19990" in screen_text(app)
