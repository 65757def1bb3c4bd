"""A save never blocks the UI: the rows shown after a save, a colleague's save or a reload
are made in the worker that read the store, and the UI thread only swaps them in.

A fill made for filters the pane no longer has, or from an older read than the
one shown, is dropped: the pane then shows what it would have shown anyway.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from clientdesk.store import clock
from clientdesk.store.models import ClientRequest, Project
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import Snapshot
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.tui.messages import SnapshotLoaded
from clientdesk.tui.readings import prepare_pane_fill, read_readings
from clientdesk.widgets.record_table import (
    RecordTable,
    RowContext,
    RowKind,
    TableState,
    prepare_rows,
)
from clientdesk.widgets.request_form import RequestForm
from clientdesk.widgets.requests_pane import RequestsPane
from tests.helpers.ui import screen_text, settle
from tests.helpers.waiting import pilot_wait_until
from tests.test_record_table import COLUMNS, Item, TableApp
from tests.test_requests_pane import keys, open_requests, put_cursor_on, stored_requests, table

pytestmark = pytest.mark.usefixtures("app_now")


def spy_on_fills(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record, for every fill of the Requests pane made from now on, if the UI thread made it."""
    import clientdesk.widgets.requests_pane as requests_pane

    on_ui_thread: list[bool] = []
    prepare = requests_pane.prepare_requests

    def spied(*args: Any, **kwargs: Any) -> Any:
        on_ui_thread.append(threading.current_thread() is threading.main_thread())
        return prepare(*args, **kwargs)

    monkeypatch.setattr(requests_pane, "prepare_requests", spied)
    return on_ui_thread


def renamed_by_colleague(path: Path, key: str, title: str) -> ClientRequest:
    """Another process (ann) renames the request ``key``."""
    other = TinyDBRepository(path, user="ann")
    request = other.snapshot().find(ClientRequest, key)
    return other.update(request.model_copy(update={"title": title}))


def pane(app: ClientDeskApp) -> RequestsPane:
    """The Requests pane."""
    return app.query_one(RequestsPane)


# -- the table on its own ------------------------------------------------------------------


def test_rows_made_off_the_ui_thread_are_filtered_and_measured_there() -> None:
    items = [Item(f"id{n}", f"ITM-{n}", f"item number {n}") for n in range(1, 12)]
    context = _context()
    state = TableState(RowKind(tuple(COLUMNS)), filter_text="NUMBER 1")
    prepared = prepare_rows(items, context, state)
    assert [row.record.key for row in prepared.shown] == ["ITM-1", "ITM-10", "ITM-11"]
    assert prepared.shown_at == {"id1": 0, "id10": 1, "id11": 2}
    assert prepared.content_widths == {"key": 6}, "the key column fits ITM-11"
    assert len(prepared.rows) == len(items), "the rows the filter hides are kept"


async def test_a_table_refuses_rows_made_for_another_filter_or_other_columns() -> None:
    app = TableApp(20)
    async with app.run_test(size=(60, 12)) as pilot:
        shown: RecordTable[Item] = app.query_one(RecordTable)
        made_unfiltered = prepare_rows(list(reversed(app.items)), _context(), shown.fill_state())
        shown.filter_text = "number 1"
        await pilot.pause()
        before = [item.key for item in shown.records]
        assert not shown.swap_in(made_unfiltered)
        assert [item.key for item in shown.records] == before, "nothing changed"
        other_columns = TableState(RowKind(tuple(COLUMNS[:1])), filter_text="number 1")
        assert not shown.swap_in(prepare_rows(app.items, _context(), other_columns))
        assert shown.swap_in(prepare_rows(app.items[:3], _context(), shown.fill_state()))
        assert [item.key for item in shown.records] == ["ITM-1"]


def _context() -> RowContext:
    return RowContext(Project(name="Test"), Snapshot.empty(), clock.now())


# -- the app -------------------------------------------------------------------------------


async def test_the_rows_shown_after_a_save_are_the_saved_state_made_off_the_ui_thread(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        request = table(app).records[2]
        await put_cursor_on(pilot, request.key)
        on_ui_thread = spy_on_fills(monkeypatch)
        await pilot.press("e")
        await pilot_wait_until(
            pilot, lambda: isinstance(app.screen, RequestForm), "the form to open"
        )
        title = app.screen.query_one("#field-title", Input)
        title.focus()
        await pilot.press("end", *" (signed off)")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RequestForm)
        saved = next(r for r in stored_requests(demo_path) if r.id == request.id)
        assert saved.title == f"{request.title} (signed off)"
        shown = table(app).selected_record
        assert shown is not None and shown.id == request.id, "the cursor stays on the request"
        assert shown.title == saved.title and shown.revision == saved.revision
        assert f"{request.title} (signed off)"[:30] in screen_text(app)
        assert on_ui_thread and not any(on_ui_thread), (
            "the save's refresh made its rows in the worker"
        )


async def test_a_colleagues_save_is_shown_with_rows_made_off_the_ui_thread(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        cursor_on = await put_cursor_on(pilot, table(app).records[1].key)
        changed = table(app).records[3]
        on_ui_thread = spy_on_fills(monkeypatch)
        renamed_by_colleague(demo_path, changed.key, "Renamed by Ann")
        await pilot_wait_until(
            pilot,
            lambda: "Renamed by Ann" in screen_text(app),
            "the colleague's save to show in the Requests pane",
        )
        assert table(app).get_cell(changed.id, "title").plain == "Renamed by Ann"
        selected = table(app).selected_record
        assert selected is not None and selected.id == cursor_on.id, "the cursor stayed"
        assert on_ui_thread and not any(on_ui_thread)


async def test_a_fill_made_for_the_filters_before_a_key_is_dropped(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        snapshot, project = app.snapshot, app.current_project
        assert snapshot is not None and project is not None
        readings = read_readings(snapshot, project, clock.now())
        # Made as a reading worker makes it, for the filters the pane has now...
        fill = prepare_pane_fill(readings, "requests", RequestsPane, pane(app).fill_state())
        await pilot.press("a")  # ...then the user shows closed requests too, before it lands
        await pilot.pause()
        every_key = keys(app)
        app.post_message(SnapshotLoaded(snapshot, 10**9, readings=readings, fill=fill))
        await settle(pilot)
        assert pane(app).show_closed
        assert keys(app) == every_key, "the pane shows what its filters ask for"
        closed = [r.key for r in stored_requests(demo_path) if not r.is_open]
        assert closed and set(closed) <= set(keys(app))


@pytest.mark.usefixtures("no_polling")
async def test_a_fill_made_from_an_older_read_is_dropped(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        older, project = app.snapshot, app.current_project
        assert older is not None and project is not None
        state = pane(app).fill_state()
        stale = prepare_pane_fill(
            read_readings(older, project, clock.now()), "requests", RequestsPane, state
        )
        changed = table(app).records[0]
        renamed_by_colleague(demo_path, changed.key, "Newer title")
        newer = TinyDBRepository(demo_path).snapshot()
        newer_project = newer.get(Project, project.id)
        assert newer_project is not None
        readings = read_readings(newer, newer_project, clock.now())
        app.post_message(SnapshotLoaded(newer, 10**9, readings=readings, fill=stale))
        await pilot_wait_until(
            pilot, lambda: app.snapshot is newer, "the newer snapshot to be shown"
        )
        await settle(pilot)
        assert table(app).get_cell(changed.id, "title").plain == "Newer title"
        shown = next(r for r in table(app).all_records if r.id == changed.id)
        assert shown.title == "Newer title", "the rows are the newer read's, not the stale fill's"


async def test_the_risks_after_a_move_are_the_saved_state_made_off_the_ui_thread(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import clientdesk.widgets.risks_pane as risks_pane
    from tests.test_risks_pane import open_risks, stored_risks
    from tests.test_risks_pane import table as risk_table

    on_ui_thread: list[bool] = []
    prepare = risks_pane.prepare_risks

    def spied(*args: Any, **kwargs: Any) -> Any:
        on_ui_thread.append(threading.current_thread() is threading.main_thread())
        return prepare(*args, **kwargs)

    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_risks(pilot)
        risk = next(r for r in risk_table(app).records if r.status == "open")
        await put_cursor_on_risk(pilot, risk.key)
        monkeypatch.setattr(risks_pane, "prepare_risks", spied)
        await pilot.press("s")  # open -> monitoring, saved in a worker
        await settle(pilot)
        stored = next(r for r in stored_risks(demo_path) if r.id == risk.id)
        assert stored.status == "monitoring"
        shown = risk_table(app).selected_record
        assert shown is not None and shown.id == risk.id, "the cursor stays on the risk"
        assert (shown.status, shown.revision) == ("monitoring", stored.revision)
        assert on_ui_thread and not any(on_ui_thread), (
            "the move's refresh made its rows in the worker"
        )


async def put_cursor_on_risk(pilot: Any, key: str) -> Any:
    """Move the Risks table's cursor to the risk with ``key`` with the arrow keys."""
    from tests.helpers.ui import move_cursor_to
    from tests.test_risks_pane import table as risk_table

    return await move_cursor_to(pilot, risk_table(pilot.app), key)


async def test_a_colleagues_save_in_the_calendar_is_shown_with_rows_made_off_the_ui_thread(
    calendar_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import clientdesk.widgets.calendar_pane as calendar_pane
    from clientdesk.store.models import Meeting

    on_ui_thread: list[bool] = []
    prepare = calendar_pane.prepare_calendar

    def spied(*args: Any, **kwargs: Any) -> Any:
        on_ui_thread.append(threading.current_thread() is threading.main_thread())
        return prepare(*args, **kwargs)

    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(calendar_pane, "prepare_calendar", spied)
        other = TinyDBRepository(calendar_path, user="ann")
        meeting = other.snapshot().find(Meeting, "MTG-3")
        other.update(meeting.model_copy(update={"title": "Design review (moved room)"}))
        await pilot_wait_until(
            pilot,
            lambda: "Design review (moved room)" in screen_text(app),
            "the colleague's save to show in the agenda",
        )
        assert on_ui_thread and not any(on_ui_thread), "the agenda was made in the worker"
