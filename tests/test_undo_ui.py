"""Undo and redo in the app: ctrl+z takes this session's changes back across panes,
ctrl+y makes them again, and a colleague's later change is never overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from clientdesk.store.models import ChecklistItem, ClientRequest, Risk
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.record_table import RecordTable
from tests.helpers.ui import move_cursor_to, screen_text, settle

pytestmark = pytest.mark.usefixtures("app_now")


def stored(path: Path, kind: type[ClientRequest] | type[Risk] | type[ChecklistItem], key: str):  # type: ignore[no-untyped-def]
    """The record ``key`` of the first demo project as the file holds it (None when gone)."""
    snapshot = TinyDBRepository(path).snapshot()
    project = snapshot.projects()[0]
    return next((r for r in snapshot.of_project(kind, project.id) if r.key == key), None)


def pane_table(app: ClientDeskApp, table_id: str) -> RecordTable[object]:
    """The table ``table_id`` of the panes."""
    return app.query_one(f"#{table_id}", RecordTable)


def told(app: ClientDeskApp) -> list[str]:
    """Every notification shown so far."""
    return [notification.message for notification in app._notifications]


async def acknowledge_a_new_request(
    pilot: Pilot[None], app: ClientDeskApp
) -> tuple[RecordTable[ClientRequest], ClientRequest]:
    """Show the Requests pane and acknowledge (s) its first new request; return both."""
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    requests: RecordTable[ClientRequest] = app.query_one("#request-table", RecordTable)
    request = next(r for r in requests.records if r.status == "new")
    await move_cursor_to(pilot, requests, request.key)
    await pilot.press("s")
    await settle(pilot)
    return requests, request


async def test_status_moves_are_undone_level_by_level_and_redone(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        requests, request = await acknowledge_a_new_request(pilot, app)
        await pilot.press("s")
        await settle(pilot)
        assert stored(demo_path, ClientRequest, request.key).status == "in_progress"
        assert f"{request.key}: acknowledged → in progress (ctrl+z undoes)." in told(app)

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert stored(demo_path, ClientRequest, request.key).status == "acknowledged"
        assert f"Undo: {request.key} status acknowledged → in progress (ctrl+y redoes)." in told(
            app
        )
        await pilot.press("ctrl+z")
        await settle(pilot)
        back = stored(demo_path, ClientRequest, request.key)
        assert back.status == "new" and back.status_history == []
        selected = requests.selected_record
        assert selected is not None and selected.key == request.key

        await pilot.press("ctrl+y")
        await settle(pilot)
        assert stored(demo_path, ClientRequest, request.key).status == "acknowledged"
        await pilot.press("ctrl+z", "ctrl+z")
        await settle(pilot)
        assert "Nothing to undo in this session." in told(app)


async def test_a_delete_asks_and_can_still_be_undone(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        risks = pane_table(app, "risk-table")
        risk = risks.records[1]
        await move_cursor_to(pilot, risks, risk.key)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert stored(demo_path, Risk, risk.key) is None
        assert f"Deleted {risk.key} (ctrl+z undoes)." in told(app)
        await pilot.press("ctrl+z")
        await settle(pilot)
        back = stored(demo_path, Risk, risk.key)
        assert back is not None and back.id == risk.id and back.title == risk.title
        selected = risks.selected_record
        assert selected is not None and selected.key == risk.key, "the cursor is on it again"


async def test_undo_goes_to_the_pane_of_the_change(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        checklist = pane_table(app, "checklist-table")
        await move_cursor_to(pilot, checklist, "CHK-7")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"INV-2044", "enter")
        await settle(pilot)
        assert stored(demo_path, ChecklistItem, "CHK-7").state == "done"
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("ctrl+z")
        await settle(pilot)
        item = stored(demo_path, ChecklistItem, "CHK-7")
        assert (item.state, item.done_by, item.evidence) == ("open", "", "")
        assert app.current_pane_id == "closing", "undo shows where the change was undone"
        selected = checklist.selected_record
        assert selected is not None and selected.key == "CHK-7"
        assert "6 of 10 items done or waived" not in screen_text(app)


async def test_an_undo_that_would_overwrite_a_colleague_is_refused(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        _requests, request = await acknowledge_a_new_request(pilot, app)
        colleague = TinyDBRepository(demo_path, user="ann")
        theirs = colleague.snapshot().get(ClientRequest, request.id)
        assert theirs is not None
        colleague.update(theirs.model_copy(update={"owner": "ann"}))
        before = demo_path.read_bytes()
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert demo_path.read_bytes() == before
        assert any(
            f"cannot undo {request.key} status new → acknowledged: ann changed {request.key}"
            in text
            for text in told(app)
        ), told(app)


async def test_undo_keys_belong_to_the_form_while_one_is_open(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        _requests, request = await acknowledge_a_new_request(pilot, app)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert stored(demo_path, ClientRequest, request.key).status == "acknowledged"
