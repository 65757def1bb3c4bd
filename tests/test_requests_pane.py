"""The Requests pane driven through Pilot: the form, the workflow keys, the clocks, filters,
sorting and change control."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label, Select, TabbedContent

from clientdesk.store.models import ClientRequest, Project, RequestClocks
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.sla import ClockReading, is_breached
from clientdesk.store.snapshot import dump_record, validate_record
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.widgets.actions import BY_ID
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.reason_dialog import ReasonDialog
from clientdesk.widgets.record_table import RecordTable
from clientdesk.widgets.request_form import RequestForm
from clientdesk.widgets.requests_pane import PAUSED_MARK, RequestsPane, approved_totals_text
from clientdesk.widgets.service_level_form import ServiceLevelForm
from tests.helpers.ui import FIXED_NOW, choose_option, move_cursor_to, screen_text, settle

pytestmark = pytest.mark.usefixtures("app_now")


def first_project(path: Path) -> Project:
    """The first demo project, as stored."""
    return TinyDBRepository(path).snapshot().projects()[0]


def stored_requests(path: Path) -> list[ClientRequest]:
    """The requests of the first demo project, as stored."""
    snapshot = TinyDBRepository(path).snapshot()
    return snapshot.of_project(ClientRequest, snapshot.projects()[0].id)


def stored_request(path: Path, key: str) -> ClientRequest:
    """One request of the first demo project, as stored."""
    return next(request for request in stored_requests(path) if request.key == key)


def pane(app: ClientDeskApp) -> RequestsPane:
    """The Requests pane."""
    return app.query_one(RequestsPane)


def table(app: ClientDeskApp) -> RecordTable[ClientRequest]:
    """The table of the Requests pane."""
    return app.query_one("#request-table", RecordTable)


def keys(app: ClientDeskApp) -> list[str]:
    """The keys of the rows shown, top to bottom."""
    return [request.key for request in table(app).records]


def status_line(app: ClientDeskApp) -> str:
    """The pane's status line."""
    return str(pane(app).query_one("#pane-status", Label).render())


def notifications(app: ClientDeskApp) -> list[tuple[str, str]]:
    """Every notification so far, as ``(severity, message)``."""
    return [(n.severity, str(n.message)) for n in app._notifications]


def _shown(clocks: RequestClocks) -> ClockReading:
    """The clock the table shows (there must be one)."""
    assert clocks.shown is not None
    return clocks.shown[1]


def row_text(app: ClientDeskApp, key: str) -> str:
    """The screen line of the row of the request with ``key``."""
    return next(line for line in screen_text(app).splitlines() if f" {key} " in line)


async def open_requests(pilot: Pilot[None]) -> None:
    """Wait for the data and show the Requests pane."""
    await settle(pilot)
    await pilot.press("2")
    await pilot.pause()


async def put_cursor_on(pilot: Pilot[None], key: str) -> ClientRequest:
    """Move the table's cursor to the request with ``key`` with the arrow keys."""
    assert isinstance(pilot.app, ClientDeskApp)
    return await move_cursor_to(pilot, table(pilot.app), key)


async def choose(pilot: Pilot[None], field: str, steps: int) -> None:
    """Open the Select of ``field`` and move ``steps`` options down."""
    await choose_option(pilot, field, steps)


async def retype(pilot: Pilot[None], field: str, text: str) -> None:
    """Replace the text of the form's input ``field`` with ``text``, typed."""
    pilot.app.screen.query_one(f"#field-{field}", Input).focus()
    await pilot.press("end", "ctrl+u", *text)


def stored_clocks(path: Path) -> dict[str, RequestClocks]:
    """The clocks of every stored request of the first demo project at the fixed time, by key."""
    project = first_project(path)
    policy, zone = project.service_levels, project.timezone
    return {r.key: r.clocks(policy, zone, FIXED_NOW) for r in stored_requests(path)}


def breached_keys(path: Path) -> set[str]:
    """The keys of the open requests of the first demo project with a breached clock."""
    readings = stored_clocks(path)
    return {r.key for r in stored_requests(path) if r.is_open and is_breached(readings[r.key])}


# -- the table ---------------------------------------------------------------------------


async def test_open_requests_most_urgent_first_with_their_clocks(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        every = stored_requests(demo_path)
        readings = stored_clocks(demo_path)
        shown = table(app).records
        assert {r.key for r in shown} == {r.key for r in every if r.is_open}
        assert all(r.status not in ("closed", "rejected") for r in shown)
        breached = [r.key for r in shown if r.key in breached_keys(demo_path)]
        assert breached and keys(app)[: len(breached)] == breached, "breached ones first"
        overdue = [-_shown(readings[key]).left_seconds for key in breached]
        assert overdue == sorted(overdue, reverse=True), "the most overdue on top"
        assert f"{len(shown)} of {len(every)} requests · {len(breached)} breached" in (
            status_line(app)
        )
        assert "sorted by urgency" in status_line(app)
        first = shown[0]
        assert _shown(readings[first.key]).breached
        cell = table(app).get_cell(first.id, "clock")
        assert cell.plain.startswith(("resp over ", "res over ")) and "red" in str(cell.style)
        resolved = next(r for r in shown if r.status == "resolved")
        assert table(app).get_cell(resolved.id, "clock").plain == "", "no clock runs"
        running = next(r for r in shown if r.status == "acknowledged" and r.key not in breached)
        assert " over " not in table(app).get_cell(running.id, "clock").plain


async def test_the_tab_counts_breached_requests(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)  # the Calendar pane is on show: the tab counts anyway
        breached = [r for r in stored_requests(demo_path) if r.key in breached_keys(demo_path)]
        tab = app.query_one("#panes", TabbedContent).get_tab("requests")
        assert tab.label_text == f"Requests · {len(breached)} breached"
        (tab_bar,) = [line for line in screen_text(app).splitlines() if "Calendar" in line]
        assert "Requests · " in tab_bar and "Closing" in tab_bar, "one line at 80 columns"
        await pilot.press("2")
        await pilot.pause()
        late = next(r for r in breached if r.status in ("acknowledged", "in_progress"))
        await put_cursor_on(pilot, late.key)
        for _ in range(2 if late.status == "acknowledged" else 1):
            await pilot.press("s")  # the next status, up to resolved: the clocks stop
            await settle(pilot)
        assert stored_request(demo_path, late.key).status == "resolved"
        assert tab.label_text == f"Requests · {len(breached) - 1} breached"


async def test_80x24_keeps_key_title_status_and_clock(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_requests(pilot)
        columns = table(app).shown_columns
        assert columns == ["key", "type_short", "title", "priority", "status", "clock"]
        assert table(app).virtual_size.width <= table(app).size.width
        line = row_text(app, keys(app)[0])
        assert " over " in line, "the breach reads in full"
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        wide = table(app).shown_columns
        assert {"requester", "owner", "received", "type"} <= set(wide)


# -- the form ----------------------------------------------------------------------------


async def test_new_request_typed_with_the_keys_is_stored_and_shown(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RequestForm)
        await pilot.press("tab", *"Export [b]all[/b] invoices")
        await choose(pilot, "priority", 0)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RequestForm)
        (new,) = [r for r in stored_requests(demo_path) if r.title.startswith("Export [b]")]
        assert (new.status, new.received_at, new.updated_by) == ("new", FIXED_NOW, "tester")
        assert ("information", f"Saved request {new.key} (ctrl+z undoes).") in notifications(app)
        assert table(app).selected_record is not None
        assert table(app).selected_record.id == new.id, "the cursor is on the new request"
        assert "Export [b]all[/b] invoices" in screen_text(app)
        assert table(app).get_cell(new.id, "clock").plain.startswith("resp ")


async def test_delete_asks_first(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_requests(pilot)
        request = await put_cursor_on(pilot, keys(app)[1])
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert f"Delete request {request.key}" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert request.key in {r.key for r in stored_requests(demo_path)}
        await pilot.press("d", "y")
        await settle(pilot)
        assert request.key not in keys(app)
    assert request.key not in {r.key for r in stored_requests(demo_path)}


# -- the workflow ------------------------------------------------------------------------


async def test_a_request_moves_through_the_workflow_with_the_keys(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        request = next(r for r in table(app).records if r.status == "new")
        key = request.key
        await put_cursor_on(pilot, key)
        for move, status in [("s", "acknowledged"), ("s", "in_progress")]:
            await pilot.press(move)
            await settle(pilot)
            selected = table(app).selected_record
            assert selected is not None and selected.status == status, move
        await pilot.press("w")
        await settle(pilot)
        waiting = table(app).selected_record
        assert waiting is not None and waiting.status == "waiting_on_client"
        reading = pane(app).clocks_of(waiting)
        assert reading is not None and reading.resolution.paused
        assert stored_clocks(demo_path)[key].resolution.paused
        assert table(app).get_cell(waiting.id, "clock").plain.startswith(f"{PAUSED_MARK} res")
        assert f"{PAUSED_MARK} res" in row_text(app, key)
        for move, status in [("s", "in_progress"), ("s", "resolved"), ("r", "in_progress")]:
            await pilot.press(move)
            await settle(pilot)
            selected = table(app).selected_record
            assert selected is not None and selected.status == status, move
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("s")  # resolved → closed: final, so asked first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog), "closed is final: asked first"
        await pilot.press("n")
        await settle(pilot)
        assert stored_request(demo_path, key).status == "resolved"
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog), "closed is final: asked first"
        await pilot.press("y")
        await settle(pilot)
        assert key not in keys(app), "closed: hidden unless asked for"
        assert f"{key}: resolved → closed (ctrl+z undoes)." in [t for _, t in notifications(app)]
        await pilot.press("a")
        await pilot.pause()
        assert key in keys(app)
    stored = stored_request(demo_path, key)
    assert [change.new for change in stored.status_history] == [
        "acknowledged",
        "in_progress",
        "waiting_on_client",
        "in_progress",
        "resolved",
        "in_progress",
        "resolved",
        "closed",
    ]
    assert {change.by for change in stored.status_history} == {"tester"}
    assert stored.status_history[0].old == "new"


async def test_closing_a_request_asks_first_as_it_is_final(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        resolved = next(r for r in table(app).records if r.status == "resolved")
        await put_cursor_on(pilot, resolved.key)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        words = " ".join(screen_text(app).replace("█", " ").split())
        assert f"Close {resolved.key} for good? A closed request cannot be reopened." in words
        await pilot.press("n")
        await settle(pilot)
        assert resolved.key in keys(app)
    stored = stored_request(demo_path, resolved.key)
    assert (stored.status, stored.revision) == ("resolved", resolved.revision)


async def test_a_refresh_reads_each_clock_once(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import clientdesk.store.closing as closing

    calls = {"clocks": 0, "gates": 0}
    read_clock, compute_gates = ClientRequest.clocks, closing.closing_gates

    def counted_clocks(self: ClientRequest, *args: object) -> RequestClocks:
        calls["clocks"] += 1
        return read_clock(self, *args)  # type: ignore[arg-type]

    def counted_gates(*args: object) -> object:
        calls["gates"] += 1
        return compute_gates(*args)  # type: ignore[arg-type]

    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        monkeypatch.setattr(ClientRequest, "clocks", counted_clocks)
        monkeypatch.setattr(closing, "closing_gates", counted_gates)
        app._refresh_clock()  # what the minute timer does
        await settle(pilot)
        open_requests_count = sum(r.is_open for r in stored_requests(demo_path))
        assert calls == {"clocks": open_requests_count, "gates": 1}
        await pilot.press("4")  # filled with the gates the tab title counted
        await pilot.pause()
        assert calls == {"clocks": open_requests_count, "gates": 1}
        tab = app.query_one("#panes", TabbedContent).get_tab("requests")
        assert tab.label_text == f"Requests · {len(breached_keys(demo_path))} breached"


async def test_the_clocks_are_read_off_the_ui_thread(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import clientdesk.tui.readings as readings_module

    on_ui_thread: list[bool] = []
    read = readings_module.read_clocks

    def spied(*args: Any) -> Any:
        on_ui_thread.append(threading.current_thread() is threading.main_thread())
        return read(*args)

    monkeypatch.setattr(readings_module, "read_clocks", spied)
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        app._refresh_clock()
        await settle(pilot)
        await pilot.press("s")  # a save, and the refresh after it
        await settle(pilot)
    assert len(on_ui_thread) >= 3, "the first load, the minute's refresh, the save's"
    assert not any(on_ui_thread), "a refresh never reads the clocks on the UI thread"


async def test_a_move_the_rules_forbid_changes_nothing_and_says_why(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_requests(pilot)
        request = next(r for r in table(app).records if r.status == "new")
        await put_cursor_on(pilot, request.key)
        for move, reason in [
            ("x", f"{request.key} is new: resolve it first, then close it."),
            ("r", f"{request.key} is new: only a resolved request is reopened."),
        ]:
            assert pane(app).check_action(*_parsed(pane(app), move)) is True, "the key is live"
            await pilot.press(move)
            await settle(pilot)
            assert not isinstance(app.screen, ConfirmDialog), move
            assert ("warning", reason) in notifications(app), move
        assert stored_request(demo_path, request.key).revision == request.revision
        assert not [text for severity, text in notifications(app) if severity == "error"]
        assert pane(app).why_not(BY_ID["request.acknowledge"]) == ""
        assert pane(app).why_not(BY_ID["request.close"]) != ""
        resolved = next(r for r in table(app).records if r.status == "resolved")
        await put_cursor_on(pilot, resolved.key)
        assert pane(app).why_not(BY_ID["request.close"]) == ""
        assert pane(app).why_not(BY_ID["request.reopen"]) == ""
        assert pane(app).why_not(BY_ID["request.acknowledge"]) != ""
        # Acknowledge, start work and resolve have no key of their own: "s" steps through them.
        for old_key in ("k", "i", "v", "j"):
            assert old_key not in pane(app)._bindings.key_to_bindings, old_key


def _parsed(owner: RequestsPane, key: str) -> tuple[str, tuple[object, ...]]:
    """The action name and parameters bound to ``key`` in the pane."""
    import ast

    (binding,) = [b for b in owner._bindings.key_to_bindings[key]]
    name, _, rest = binding.action.partition("(")
    parameters = ast.literal_eval(f"({rest[:-1]},)") if rest else ()
    return name, parameters


async def test_rejecting_needs_a_reason(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_requests(pilot)
        request = await put_cursor_on(pilot, keys(app)[0])
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog), "a blank reason is refused"
        assert "a reason is needed" in screen_text(app)
        await pilot.press(*"Out of [i]scope[/i]", "enter")
        await settle(pilot)
        assert request.key not in keys(app)
    stored = stored_request(demo_path, request.key)
    assert (stored.status, stored.reject_reason) == ("rejected", "Out of [i]scope[/i]")


async def test_escape_rejects_nothing(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_requests(pilot)
        request = await put_cursor_on(pilot, keys(app)[0])
        await pilot.press("X", *"half")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ReasonDialog)
    assert stored_request(demo_path, request.key).revision == request.revision


async def test_a_comment_is_added_to_the_log(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_requests(pilot)
        request = await put_cursor_on(pilot, keys(app)[2])
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert "a comment is needed" in screen_text(app)
        await pilot.press(*"Called [b]Ann[/b]; file comes Friday", "enter")
        await settle(pilot)
    stored = stored_request(demo_path, request.key)
    assert stored.comments[: len(request.comments)] == request.comments, "the log is kept"
    last = stored.comments[-1]
    assert last.text == "Called [b]Ann[/b]; file comes Friday"
    assert (last.by, last.at) == ("tester", FIXED_NOW)
    assert stored.status == request.status


def save_as_colleague(path: Path, request: ClientRequest, **fields: object) -> None:
    """Save ``fields`` on ``request`` from a second repository on the same file."""
    other = TinyDBRepository(path, user="colleague")
    theirs = other.snapshot().get(ClientRequest, request.id)
    assert theirs is not None
    other.update(validate_record(ClientRequest, {**dump_record(theirs), **fields}))


@pytest.mark.usefixtures("no_polling")
async def test_a_move_on_a_stale_request_is_made_to_the_new_version(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        request = next(r for r in table(app).records if r.status == "new")
        await put_cursor_on(pilot, request.key)
        save_as_colleague(demo_path, request, owner="Someone else")  # before the app notices
        await pilot.press("s")
        await settle(pilot)
        assert not [text for severity, text in notifications(app) if severity == "error"]
        assert (
            "information",
            f"{request.key} was changed by colleague meanwhile; "
            "your change was made to the new version (ctrl+z undoes).",
        ) in notifications(app)
    stored = stored_request(demo_path, request.key)
    assert (stored.status, stored.owner) == ("acknowledged", "Someone else")


@pytest.mark.usefixtures("no_polling")
async def test_a_comment_on_a_stale_request_is_added_to_the_new_log(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        request = await put_cursor_on(pilot, keys(app)[0])
        await pilot.press("m", *"Client phoned")
        await pilot.pause()
        save_as_colleague(  # while the dialog is open
            demo_path, request, comments=[*dump_record(request)["comments"], {"text": "Their note"}]
        )
        await pilot.press("enter")
        await settle(pilot)
        assert (
            "information",
            f"{request.key} was changed by colleague meanwhile; "
            "your comment was added to the new version (ctrl+z undoes).",
        ) in notifications(app)
    stored = stored_request(demo_path, request.key)
    assert [c.text for c in stored.comments[-2:]] == ["Their note", "Client phoned"]
    assert [c.by for c in stored.comments[-2:]] == ["colleague", "tester"]


@pytest.mark.usefixtures("no_polling")
async def test_a_move_the_new_version_forbids_is_refused_in_one_line(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        request = next(r for r in table(app).records if r.status == "new")
        await put_cursor_on(pilot, request.key)
        save_as_colleague(demo_path, request, status="rejected", reject_reason="Duplicate")
        await pilot.press("s")
        await settle(pilot)
        errors = [text for severity, text in notifications(app) if severity == "error"]
        assert len(errors) == 1 and "rejected" in errors[0]
        assert "\n" not in errors[0]
    stored = stored_request(demo_path, request.key)
    assert (stored.status, stored.reject_reason) == ("rejected", "Duplicate")


async def test_a_comment_that_cannot_be_saved_comes_back_in_the_dialog(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        request = await put_cursor_on(pilot, keys(app)[0])
        await pilot.press("m", *"Long text typed with care")
        await pilot.pause()
        other = TinyDBRepository(demo_path, user="colleague")
        theirs = other.snapshot().get(ClientRequest, request.id)
        assert theirs is not None
        other.delete(theirs)  # nothing left to comment on
        await pilot.press("enter")
        await settle(pilot)
        errors = [text for severity, text in notifications(app) if severity == "error"]
        assert len(errors) == 1 and "deleted by someone else" in errors[0]
        assert isinstance(app.screen, ReasonDialog), "the dialog is back"
        assert app.screen.query_one(Input).value == "Long text typed with care"


# -- filters and sorting -----------------------------------------------------------------


async def test_quick_filters_and_the_closed_toggle(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLIENTDESK_USER", "sam lee")  # compared without case
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        every = stored_requests(demo_path)
        open_ = {r.key for r in every if r.is_open}
        assert set(keys(app)) == open_ and len(open_) < len(every)
        await pilot.press("f")
        assert set(keys(app)) == {r.key for r in every if r.is_open and r.owner == "Sam Lee"}
        assert "showing mine" in status_line(app)
        await pilot.press("f")
        breached = breached_keys(demo_path)
        assert breached and set(keys(app)) == breached
        await pilot.press("f")
        waiting = {r.key for r in every if r.status == "waiting_on_client"}
        assert waiting and set(keys(app)) == waiting
        assert "showing waiting on client" in status_line(app)
        await pilot.press("f")
        assert set(keys(app)) == {r.key for r in every if r.is_open and r.type == "change_request"}
        # The demo data has approved changes: the line sums them up.
        assert pane(app).changes_text == approved_totals_text(every)
        assert pane(app).changes_text.startswith("approved changes: +")
        await pilot.press("a")
        await pilot.pause()
        assert set(keys(app)) == {r.key for r in every if r.type == "change_request"}
        assert "showing changes + closed · sorted by urgency" in status_line(app)
        await pilot.press("f")
        assert set(keys(app)) == {r.key for r in every}, "all, closed and rejected too"
        assert "showing all" in status_line(app)
        # The approved changes stay summed up while any exists, whatever the filter.
        assert pane(app).changes_text == approved_totals_text(every)
        await pilot.press("a")
        assert set(keys(app)) == open_
        assert "showing" not in status_line(app)


async def test_the_sort_key_cycles_the_orders(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_requests(pilot)
        urgent = keys(app)
        await pilot.press("o")
        assert "sorted by priority" in status_line(app)
        priorities = [str(r.priority) for r in table(app).records]
        assert priorities == sorted(priorities)
        await pilot.press("o")
        assert "newest first" in status_line(app)
        received = [r.received_at for r in table(app).records]
        assert received == sorted(received, reverse=True)
        await pilot.press("o")
        numbers = [int(key.split("-")[1]) for key in keys(app)]
        assert numbers == sorted(numbers) and "sorted by key" in status_line(app)
        await pilot.press("o")
        assert keys(app) == urgent


# -- change control ----------------------------------------------------------------------


async def test_approving_then_editing_the_cost_clears_the_approval(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        change = next(
            r for r in table(app).records if r.type == "change_request" and r.decision == "pending"
        )
        await put_cursor_on(pilot, change.key)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RequestForm)
        await choose(pilot, "decision", 1)  # pending -> approved
        await pilot.press("ctrl+s")
        await settle(pilot)
        approved = stored_request(demo_path, change.key)
        assert (approved.decision, approved.decided_by) == ("approved", "tester")
        assert approved.impact_days is not None and approved.impact_cost is not None
        others = [r for r in stored_requests(demo_path) if r.key != change.key]
        assert pane(app).changes_text == approved_totals_text([*others, approved])
        assert pane(app).changes_text != approved_totals_text(others)
        assert pane(app).changes_text in screen_text(app)
        await put_cursor_on(pilot, change.key)
        await pilot.press("e")
        await pilot.pause()
        await retype(pilot, "impact_cost", "4250.00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RequestForm)
        assert (
            "warning",
            f"{change.key}: the approval was cleared because the impact changed.",
        ) in notifications(app)
        assert pane(app).changes_text == approved_totals_text(others), "back to the others"
    stored = stored_request(demo_path, change.key)
    assert (stored.decision, stored.decided_by, stored.impact_cost) == (
        "pending",
        "",
        Decimal("4250.00"),
    )
    assert stored.comments[-1].text.startswith("Approval by tester cleared")


async def test_setting_pending_oneself_is_not_called_a_cleared_approval(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        change = next(
            r for r in table(app).records if r.type == "change_request" and r.decision == "pending"
        )
        await put_cursor_on(pilot, change.key)
        await pilot.press("e")
        await pilot.pause()
        await choose(pilot, "decision", 1)  # pending -> approved
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert stored_request(demo_path, change.key).decision == "approved"
        await put_cursor_on(pilot, change.key)
        await pilot.press("e")
        await pilot.pause()
        pilot.app.screen.query_one("#field-decision", Select).focus()
        await pilot.pause()
        await pilot.press("enter", "up", "enter")  # approved -> pending, by the user
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RequestForm)
        assert ("information", f"Saved request {change.key} (ctrl+z undoes).") in notifications(app)
        assert not [text for severity, text in notifications(app) if severity == "warning"]
    assert stored_request(demo_path, change.key).decision == "pending"


async def test_service_levels_from_the_pane_recount_the_clocks(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_requests(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Service levels" in titles
        tab = app.query_one("#panes", TabbedContent).get_tab("requests")
        before = len(breached_keys(demo_path))
        late = table(app).records[0]
        assert late.priority == "P1" and late.status == "new", "waits for its first response"
        assert late.key in breached_keys(demo_path)
        assert " over " in table(app).get_cell(late.id, "clock").plain
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, ServiceLevelForm)
        await retype(pilot, "p1_resolution", "10d")
        await retype(pilot, "p1_first_response", "5d")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ServiceLevelForm)
        project = first_project(demo_path)
        assert project.service_levels.target(late.priority).first_response_minutes == 5 * 24 * 60
        assert ("information", f"Saved the service levels of {project.key} (ctrl+z undoes).") in (
            notifications(app)
        )
        assert late.key not in breached_keys(demo_path)
        assert table(app).get_cell(late.id, "clock").plain.startswith("resp ")
        assert " over " not in table(app).get_cell(late.id, "clock").plain
        assert tab.label_text == f"Requests · {before - 1} breached"


def test_approved_changes_add_up_per_currency() -> None:
    def change(decision: str, days: float | None, cost: str | None, currency: str) -> ClientRequest:
        return ClientRequest(
            project_id="p",
            title="Change",
            type="change_request",
            received_at=FIXED_NOW,
            impact_days=days,
            impact_cost=Decimal(cost) if cost is not None else None,
            cost_currency=currency,
            decision=decision,
        )

    requests = [
        change("approved", 5, "4000", "EUR"),
        change("approved", 4, "250.5", "EUR"),
        change("approved", None, "-300", "USD"),
        change("pending", 30, "99999", "EUR"),
        change("rejected", 10, "1000", "USD"),
    ]
    assert approved_totals_text(requests) == (
        "approved changes: +9 days, EUR 4,250.50, USD -300.00"
    )
    assert approved_totals_text(requests[2:3]) == "approved changes: +0 days, USD -300.00"
    assert approved_totals_text(requests[3:]) == "approved changes: none yet"
