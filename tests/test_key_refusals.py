"""Keys that do not apply say why in one line, vim's keys move, and a jump can be undone.

Each story drives the real app on the demo data with Pilot, as a user would.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clientdesk.store.enums import RequestStatus
from clientdesk.store.models import ClientRequest, Project
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import dump_record, validate_record
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.widgets.calendar_pane import CalendarPane
from clientdesk.widgets.closing_gates import ClosingGates
from clientdesk.widgets.closing_pane import ClosingPane
from clientdesk.widgets.record_table import RecordTable
from clientdesk.widgets.requests_pane import RequestsPane, move_refusal
from tests.helpers.ui import FIXED_NOW, notices, settle

pytestmark = pytest.mark.usefixtures("app_now")


def requests_of(path: Path) -> dict[str, ClientRequest]:
    """The first demo project's requests by key, as stored."""
    snapshot = TinyDBRepository(path).snapshot()
    project = snapshot.projects()[0]
    return {request.key: request for request in snapshot.of_project(ClientRequest, project.id)}


def close_first_project(path: Path) -> None:
    """Close the first demo project with an override, as a colleague would."""
    repo = TinyDBRepository(path)
    project = repo.snapshot().projects()[0]
    data = {**dump_record(project), "closed_at": FIXED_NOW, "close_override_reason": "ended"}
    repo.update(validate_record(Project, data))


def request_table(app: ClientDeskApp) -> RecordTable[ClientRequest]:
    """The Requests pane's table."""
    return app.query_one(RequestsPane).query_one(RecordTable)


async def test_j_and_k_move_the_cursor_and_change_nothing(demo_path: Path) -> None:
    before = requests_of(demo_path)
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = request_table(app)
        assert table.cursor_row == 0
        await pilot.press("j", "j", "k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0
        await settle(pilot)
    assert requests_of(demo_path) == before


async def test_keys_in_a_closed_project_say_why_they_do_nothing(demo_path: Path) -> None:
    close_first_project(demo_path)
    before = requests_of(demo_path)
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        for key in ("n", "s", "d", "m", "x"):
            app.clear_notifications()
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is app.screen_stack[0], key
            assert notices(app) == ["NWPORTAL is closed: reopen it (Closing pane, R) to change it"]
    assert requests_of(demo_path) == before


async def test_a_move_the_status_does_not_allow_says_what_is_possible(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        request = request_table(app).selected_record
        assert request is not None and request.status != RequestStatus.RESOLVED
        await pilot.press("r")
        await settle(pilot)
        assert notices(app) == [
            f"{request.key} is {request.status.value.replace('_', ' ')}: "
            "only a resolved request is reopened."
        ]
        assert requests_of(demo_path)[request.key].status == request.status


def test_the_refusal_of_each_move_names_the_way_forward(demo_path: Path) -> None:
    requests = list(requests_of(demo_path).values())
    new = next(r for r in requests if r.status == RequestStatus.NEW)
    assert move_refusal(new, RequestStatus.CLOSED) == (
        f"{new.key} is new: resolve it first, then close it."
    )
    assert move_refusal(new, RequestStatus.ACKNOWLEDGED) == ""
    closed = new.model_copy(update={"status": RequestStatus.CLOSED})
    assert move_refusal(closed, RequestStatus.IN_PROGRESS) == f"{new.key} is closed: that is final."


async def test_calendar_keys_on_the_wrong_row_say_why(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.query_one(CalendarPane)
        assert pane.selected_plan_item is not None  # the agenda starts on an overdue plan item
        await pilot.press("m")
        await settle(pilot)
        assert notices(app) == ["Minutes works on a meeting; this row is a plan item."]
        while pane.selected_occurrence is None:
            await pilot.press("j")
        app.clear_notifications()
        await pilot.press("r")
        await settle(pilot)
        [notice] = notices(app)
        assert "is not cancelled (a shows cancelled occurrences too)." in notice


async def test_back_returns_from_a_blocker_to_its_gate(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        gates = app.query_one(ClosingGates)
        gates.focus()
        await pilot.pause()
        failed = next(i for i, gate in enumerate(gates.gates) if not gate.passed)
        gates.highlighted = failed
        await pilot.press("enter")  # unfold the gate
        await pilot.press("j", "enter")  # the first blocker: jump to it
        await settle(pilot)
        assert app.current_pane_id != "closing"
        assert "backspace goes back" in notices(app)[-1]
        await pilot.press("backspace")
        await settle(pilot)
        assert app.current_pane_id == "closing"
        assert app.focused is gates and gates.highlighted == failed + 1
        app.clear_notifications()
        await pilot.press("backspace")  # nothing more to go back to
        await settle(pilot)
        assert notices(app) == [
            "Nothing to go back to: backspace returns from a jump (enter on a gate's blocker)."
        ]
        assert isinstance(app.current_pane, ClosingPane)


async def test_a_closed_projects_contacts_are_not_opened_for_editing(demo_path: Path) -> None:
    close_first_project(demo_path)
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        contacts_screen = app.screen
        for keys in (("n",), ("e",), ("enter",)):
            app.clear_notifications()
            await pilot.press(*keys)
            await settle(pilot)
            assert app.screen is contacts_screen, keys
            assert notices(app) == ["NWPORTAL is closed: reopen it (Closing pane, R) to change it"]
