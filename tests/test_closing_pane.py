"""The Closing pane driven through Pilot: tick, waive, reorder, the gates, close and reopen."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TabbedContent

from clientdesk.store.closing import closing_gates
from clientdesk.store.enums import MeetingStatus
from clientdesk.store.models import (
    ChecklistItem,
    ClientRequest,
    LessonLearned,
    Meeting,
    Project,
    Record,
    Risk,
)
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import dump_record, validate_record
from clientdesk.store.write_rules import Change
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.widgets.actions import BY_ID, in_scope
from clientdesk.widgets.checklist_dialog import ChecklistDialog
from clientdesk.widgets.close_dialog import CloseBlockedDialog
from clientdesk.widgets.closing_pane import ClosingPane
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.lesson_form import LessonForm
from clientdesk.widgets.reason_dialog import ReasonDialog
from clientdesk.widgets.record_table import RecordTable
from clientdesk.widgets.request_form import RequestForm
from clientdesk.widgets.requests_pane import RequestsPane
from clientdesk.widgets.risk_form import RiskForm
from clientdesk.widgets.risks_pane import RisksPane
from tests.helpers.ui import FIXED_NOW, move_cursor_to, screen_text, settle

pytestmark = pytest.mark.usefixtures("app_now")


def first_project(path: Path) -> Project:
    """The first demo project, as stored."""
    return TinyDBRepository(path).snapshot().projects()[0]


def stored_items(path: Path) -> dict[str, ChecklistItem]:
    """The checklist items of the first demo project by key, as stored."""
    snapshot = TinyDBRepository(path).snapshot()
    project = snapshot.projects()[0]
    return {item.key: item for item in snapshot.of_project(ChecklistItem, project.id)}


def pane(app: ClientDeskApp) -> ClosingPane:
    """The Closing pane."""
    return app.query_one(ClosingPane)


def checklist(app: ClientDeskApp) -> RecordTable[ChecklistItem]:
    """The checklist table."""
    return pane(app).table_of("checklist")


def notifications(app: ClientDeskApp) -> list[tuple[str, str]]:
    """Every notification so far: (severity, text)."""
    return [(n.severity, str(n.message)) for n in app._notifications]


async def open_closing(pilot: Pilot[None]) -> None:
    """Wait for the data and show the Closing pane."""
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)


async def put_cursor_on(pilot: Pilot[None], key: str) -> ChecklistItem:
    """Move the checklist's cursor to the item with ``key`` with the arrow keys."""
    assert isinstance(pilot.app, ClientDeskApp)
    return await move_cursor_to(pilot, checklist(pilot.app), key)


def settle_blockers(path: Path, *, keep: frozenset[str] = frozenset()) -> None:
    """Hand over every open request and risk, cancel planned meetings, tick every item.

    The records whose keys are in ``keep`` are left as they are (blocking).
    """
    repo = TinyDBRepository(path)
    snapshot = repo.snapshot()
    project = snapshot.projects()[0]
    changes: list[Change] = []

    def changed(record: Record, **fields: Any) -> None:
        if record.key in keep:
            return
        data = {**dump_record(record), **fields}
        changes.append(Change.update(validate_record(type(record), data)))

    for request in snapshot.of_project(ClientRequest, project.id):
        if request.is_open:
            changed(request, handed_over_to="Support desk")
    for risk in snapshot.of_project(Risk, project.id):
        if risk.status != "closed":
            changed(risk, handed_over_to="Operations")
    for meeting in snapshot.of_project(Meeting, project.id):
        if meeting.status in (MeetingStatus.DRAFT, MeetingStatus.SCHEDULED):
            changed(meeting, status="cancelled")
    for item in snapshot.of_project(ChecklistItem, project.id):
        if item.state == "open":
            score = 9 if item.asks_score else None
            changed(item, state="done", done_by="ann", done_at=FIXED_NOW, score=score)
    repo.apply(changes)
    gates = closing_gates(repo.snapshot(), project, FIXED_NOW)
    assert all(gate.passed for gate in gates) == (not keep)


def close_with_override(path: Path, reason: str) -> None:
    """Close the first demo project with an override, as another process would."""
    repo = TinyDBRepository(path)
    project = repo.snapshot().projects()[0]
    data = {**dump_record(project), "closed_at": FIXED_NOW, "close_override_reason": reason}
    repo.update(validate_record(Project, data))


# -- the checklist -------------------------------------------------------------------


async def test_tick_asks_for_evidence_and_stamps_who_and_when(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        await put_cursor_on(pilot, "CHK-7")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistDialog)
        assert "Score" not in screen_text(app), "only the survey asks a score"
        await pilot.press(*"[b]INV-2044[/b]", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, ChecklistDialog)
        assert "[b]INV-2044[/b]" in screen_text(app), "user text is shown as typed"
        assert "6 of 10 items done or waived" in screen_text(app)
        assert checklist(app).selected_record is not None
        assert checklist(app).selected_record.key == "CHK-7", "the cursor stays on the item"
    item = stored_items(demo_path)["CHK-7"]
    assert (item.state, item.done_by, item.done_at) == ("done", "tester", FIXED_NOW)
    assert item.evidence == "[b]INV-2044[/b]"


async def test_the_survey_item_is_not_ticked_without_a_score(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        await put_cursor_on(pilot, "CHK-6")
        await pilot.press("space")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistDialog)
        await pilot.press(*"Survey by mail", "enter", "enter")  # enter moves to the score
        await pilot.pause()
        assert isinstance(app.screen, ChecklistDialog), "no score: refused"
        assert "the score is a whole number from 0 to 10" in screen_text(app)
        await pilot.press(*"11", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistDialog), "11 is out of range"
        await pilot.press("backspace", "backspace", "8", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, ChecklistDialog)
        assert "8/10" in screen_text(app)
    item = stored_items(demo_path)["CHK-6"]
    assert (item.state, item.score, item.evidence) == ("done", 8, "Survey by mail")


async def test_waive_needs_a_reason_and_open_again_undoes_it(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        await put_cursor_on(pilot, "CHK-8")
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("space", "enter")  # blank: refused, the dialog stays
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        assert "a reason is needed" in screen_text(app)
        await pilot.press(*"No purchase orders", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, ReasonDialog)
        waived = stored_items(demo_path)["CHK-8"]
        assert (waived.state, waived.waive_reason) == ("waived", "No purchase orders")
        assert "No purchase orders" in screen_text(app)
        assert pane(app).why_not(BY_ID["closing.waive"]) == "CHK-8 is waived already."
        await pilot.press("w")  # waived already: nothing asks, the reason is said
        await settle(pilot)
        assert not isinstance(app.screen, ReasonDialog)
        assert ("warning", "CHK-8 is waived already.") in notifications(app)
        assert stored_items(demo_path)["CHK-8"] == waived
        await pilot.press("r")
        await settle(pilot)
    item = stored_items(demo_path)["CHK-8"]
    assert (item.state, item.waive_reason, item.done_by) == ("open", "", "")


async def test_open_again_clears_the_tick(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        await put_cursor_on(pilot, "CHK-1")
        await pilot.press("r")
        await settle(pilot)
        assert "4 of 10 items done or waived" in screen_text(app)
    item = stored_items(demo_path)["CHK-1"]
    assert (item.state, item.done_by, item.done_at, item.evidence) == ("open", "", None, "")


async def test_items_move_up_and_down_and_new_ones_go_last(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_closing(pilot)
        await put_cursor_on(pilot, "CHK-3")
        await pilot.press("shift+down")
        await settle(pilot)
        assert [item.key for item in checklist(app).records][:4] == [
            "CHK-1",
            "CHK-2",
            "CHK-4",
            "CHK-3",
        ]
        assert checklist(app).selected_record is not None
        assert checklist(app).selected_record.key == "CHK-3", "the cursor moves with the item"
        await pilot.press("shift+up", "shift+up")
        await settle(pilot)
        assert [item.key for item in checklist(app).records][:3] == ["CHK-1", "CHK-3", "CHK-2"]
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Escrow deposit confirmed", "ctrl+s")
        await settle(pilot)
        assert checklist(app).records[-1].title == "Escrow deposit confirmed"
    items = sorted(stored_items(demo_path).values(), key=lambda item: item.position)
    assert [item.key for item in items[:3]] == ["CHK-1", "CHK-3", "CHK-2"]
    assert items[-1].title == "Escrow deposit confirmed" and items[-1].state == "open"
    assert len({item.position for item in items}) == len(items), "positions stay distinct"


# -- the gates -------------------------------------------------------------------------


async def test_the_gates_show_their_blockers_and_the_tab_counts_them(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        text = screen_text(app)
        assert "✗ Requests closed or handed over — REQ-1, REQ-2, REQ-3, +5 more" in text
        assert "✗ Checklist items done or waived — CHK-6, CHK-7, CHK-8, +2 more" in text
        tab = app.query_one("#panes", TabbedContent).get_tab("closing")
        assert tab.label_text == "Closing · 4 open"


async def test_closing_with_blockers_lists_them_and_saves_nothing(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        await pilot.press("C")
        await pilot.pause()
        assert isinstance(app.screen, CloseBlockedDialog)
        text = screen_text(app)
        assert "cannot close yet: 4 gates fail" in text
        assert "REQ-1, REQ-2, REQ-3, REQ-4" in text and "CHK-10" in text
        assert "Override with a reason" in text
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, CloseBlockedDialog)
    project = first_project(demo_path)
    assert project.closed_at is None and project.revision == 1


async def test_enter_on_a_blocker_goes_to_it_in_its_pane(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        await pilot.press("shift+tab")  # from the checklist up to the gates
        await pilot.pause()
        gates = pane(app).gate_list
        assert gates.has_focus
        await pilot.press("home", "enter")  # the requests gate unfolds
        await pilot.pause()
        assert "requests" in gates.unfolded
        assert "REQ-3  " in screen_text(app), "each blocker on its own line"
        await pilot.press("down", "down", "down", "enter")  # REQ-3
        await settle(pilot)
        assert app.current_pane_id == "requests"
        requests = app.query_one(RequestsPane)
        assert requests.selected_record is not None
        assert requests.selected_record.key == "REQ-3"
        assert app.query_one("#request-table", RecordTable).has_focus
        # A checklist blocker: back to the Closing pane, cursor on the item.
        await pilot.press("4")
        await pilot.pause()
        gates.focus()
        await pilot.press("end", "enter", "down", "down", "enter")  # checklist gate: CHK-7
        await settle(pilot)
        assert app.current_pane_id == "closing"
        assert checklist(app).has_focus
        assert checklist(app).selected_record is not None
        assert checklist(app).selected_record.key == "CHK-7"


async def test_a_blocker_hidden_by_a_quick_filter_is_shown_when_followed(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        await pilot.press("2", "f", "f", "f", "f")  # open, mine, breached, waiting, changes
        await pilot.pause()
        requests = app.query_one(RequestsPane)
        shown = app.query_one("#request-table", RecordTable)
        assert requests.quick_filter == "changes"
        assert "REQ-3" not in [r.key for r in shown.records], "a complaint: hidden"
        await pilot.press("4")
        await pilot.pause()
        pane(app).gate_list.focus()
        await pilot.press("home", "enter", "down", "down", "down", "enter")  # REQ-3
        await settle(pilot)
        assert app.current_pane_id == "requests"
        assert requests.quick_filter == "open", "the filter that hid it is reset"
        assert requests.selected_record is not None
        assert requests.selected_record.key == "REQ-3"
        assert shown.has_focus
        assert not [text for severity, text in notifications(app) if severity == "warning"]


async def move_to(pilot: Pilot[None], table_id: str, key: str) -> None:
    """Move the cursor of the table ``table_id`` to the record with ``key``."""
    table = pilot.app.query_one(f"#{table_id}", RecordTable)
    table.focus()
    keys = [record.key for record in table.records]
    await pilot.press(*["up"] * len(keys), *["down"] * keys.index(key))
    await pilot.pause()
    assert table.selected_record is not None and table.selected_record.key == key


async def hand_over(pilot: Pilot[None], to: str) -> None:
    """Open the form of the record under the cursor, fill in "Handed over to", save."""
    await pilot.press("e")
    await pilot.pause()
    field = pilot.app.screen.query_one("#field-handed_over_to", Input)
    assert field.placeholder == "who carries it on after the project closes"
    field.focus()
    await pilot.press(*to, "ctrl+s")
    await settle(pilot)


async def test_handing_over_the_blockers_in_the_app_passes_the_gates(demo_path: Path) -> None:
    settle_blockers(demo_path, keep=frozenset({"REQ-3", "RSK-2"}))
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_closing(pilot)
        tab = app.query_one("#panes", TabbedContent).get_tab("closing")
        assert tab.label_text == "Closing · 2 open"
        await pilot.press("2")
        await move_to(pilot, "request-table", "REQ-3")
        await hand_over(pilot, "Support desk")
        assert not isinstance(app.screen, RequestForm)
        await pilot.press("3")
        await move_to(pilot, "risk-table", "RSK-2")
        await hand_over(pilot, "Operations")
        assert not isinstance(app.screen, RiskForm)
        assert tab.label_text == "Closing · ready"
        await pilot.press("4")
        await settle(pilot)
        assert all(gate.passed for gate in pane(app).gates)
    snapshot = TinyDBRepository(demo_path).snapshot()
    project = snapshot.projects()[0]
    assert all(gate.passed for gate in closing_gates(snapshot, project, FIXED_NOW))
    request = next(r for r in snapshot.of_project(ClientRequest, project.id) if r.key == "REQ-3")
    risk = next(r for r in snapshot.of_project(Risk, project.id) if r.key == "RSK-2")
    assert (request.handed_over_to, risk.handed_over_to) == ("Support desk", "Operations")


CLOSED_NOTICE = "NWPORTAL is closed: reopen it (Closing pane, R) to change it"
"""What a key that would change the closed demo project says instead."""


# -- closing and reopening --------------------------------------------------------------


async def test_close_once_settled_then_nothing_can_change(demo_path: Path) -> None:
    settle_blockers(demo_path)
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        assert "Closing · ready" in screen_text(app)
        await pilot.press("C")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog), "every gate passes: just confirm"
        await pilot.press("y")
        await settle(pilot)
        text = screen_text(app)
        project = first_project(demo_path)
        local = FIXED_NOW.astimezone(ZoneInfo(project.timezone))
        assert project.timezone != "UTC", "the banner's time is in the project's zone"
        assert f"Closed on {local:%Y-%m-%d %H:%M} by tester" in text
        assert "Closing · closed" in text
        for action_id in ("tick", "waive", "open", "move_down"):
            assert pane(app).why_not(BY_ID[f"closing.{action_id}"]) == CLOSED_NOTICE, action_id
        assert pane(app).why_not(BY_ID["closing.close_project"]) == "NWPORTAL is closed already."
        assert app.why_not(BY_ID["record.new"]) == CLOSED_NOTICE
        before = stored_items(demo_path)
        app.clear_notifications()
        await pilot.press("s", "r", "w", "n", "e", "d", "shift+down")
        await settle(pilot)
        assert app.screen is app.screen_stack[0], "no dialog or form opens"
        assert stored_items(demo_path) == before
        assert set(notifications(app)) == {("warning", CLOSED_NOTICE)}, "each key says why"
    project = first_project(demo_path)
    assert project.closed_at == FIXED_NOW and project.closed_by == "tester"
    assert project.phase == "closed" and project.close_override_reason == ""


async def test_close_with_an_override_records_the_reason(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_closing(pilot)
        await pilot.press("C")
        await pilot.pause()
        assert isinstance(app.screen, CloseBlockedDialog)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter")  # blank: refused
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"Client accepted; support takes the rest", "enter")
        await settle(pilot)
        assert "(override: Client accepted; support takes the rest)" in screen_text(app)
    project = first_project(demo_path)
    assert project.is_closed and project.close_override_reason.startswith("Client accepted")
    event = project.closing_log[-1]
    assert (event.action, event.by) == ("closed", "tester")
    assert "REQ-3" in event.overridden


async def test_the_footer_offers_close_or_reopen_whichever_applies(demo_path: Path) -> None:
    def footer_line() -> str:
        return screen_text(app).splitlines()[-1]

    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_closing(pilot)
        assert "C Close project" in footer_line() and "Reopen" not in footer_line()
    close_with_override(demo_path, "Budget ended")
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_closing(pilot)
        assert "R Reopen project" in footer_line() and "Close project" not in footer_line()


async def test_reopen_asks_and_is_recorded(demo_path: Path) -> None:
    close_with_override(demo_path, "Budget ended")
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        assert "(override: Budget ended)" in screen_text(app)
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert first_project(demo_path).is_closed
        await pilot.press("R", "y")
        await settle(pilot)
        assert "Closed on" not in screen_text(app)
        assert pane(app).why_not(BY_ID["closing.close_project"]) == ""
    project = first_project(demo_path)
    assert not project.is_closed and project.closing_log[-1].action == "reopened"


async def test_a_close_by_someone_else_refuses_the_change_in_one_line(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        await put_cursor_on(pilot, "CHK-7")
        close_with_override(demo_path, "Closed from the shell")  # before the app notices
        await pilot.press("s", *"Paid", "enter")
        await settle(pilot)
        errors = [text for severity, text in notifications(app) if severity == "error"]
        assert len(errors) == 1 and "is closed" in errors[0]
        assert "\n" not in errors[0]
    assert stored_items(demo_path)["CHK-7"].state == "open"


async def test_a_closed_project_offers_no_change_to_its_requests_and_risks(
    demo_path: Path,
) -> None:
    close_with_override(demo_path, "Budget ended")
    before = TinyDBRepository(demo_path).snapshot()
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for pane_id, table_id, scope in [
            ("2", "request-table", "requests"),
            ("3", "risk-table", "risks"),
        ]:
            await pilot.press(pane_id)
            await pilot.pause()
            node = app.query_one(RequestsPane if scope == "requests" else RisksPane)
            changes = [action for action in in_scope(scope) if action.writes and action.keys]
            table = app.query_one(f"#{table_id}", RecordTable)
            for record in table.records:  # whatever the status, no change applies
                await move_to(pilot, table_id, record.key)
                for action in changes:
                    assert node.why_not(action) == CLOSED_NOTICE, (record.key, action.id)
            app.clear_notifications()
            await pilot.press(*(action.keys.split(",")[0] for action in changes))
            await settle(pilot)
            assert app.screen is app.screen_stack[0], "no dialog or form opens"
            assert notifications(app) == [("warning", CLOSED_NOTICE)] * len(changes), scope
            for key in ("e", "enter", "S"):
                app.clear_notifications()
                await pilot.press(key)
                await settle(pilot)
                assert app.screen is app.screen_stack[0], key
                assert notifications(app) == [("warning", CLOSED_NOTICE)], key
    after = TinyDBRepository(demo_path).snapshot()
    assert after.all(ClientRequest) == before.all(ClientRequest)
    assert after.all(Risk) == before.all(Risk)


# -- lessons, follow-ons and the report ---------------------------------------------------


async def test_a_lesson_is_added_in_its_own_table(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        await pilot.press("v")
        await pilot.pause()
        assert pane(app).view == "lessons"
        assert pane(app).table_of("lessons").has_focus
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, LessonForm)
        await pilot.press(*"Late test data", "tab", *"Data came 3 weeks late", "tab")
        await pilot.press(*"The DBA needs lead time", "tab", *"Ask at kick-off", "ctrl+s")
        await settle(pilot)
        assert "Late test data" in screen_text(app)
        assert "Lessons learned (1)" in screen_text(app)
    snapshot = TinyDBRepository(demo_path).snapshot()
    (lesson,) = snapshot.all(LessonLearned)
    assert (lesson.title, lesson.learned, lesson.next_time, lesson.category) == (
        "Late test data",
        "The DBA needs lead time",
        "Ask at kick-off",
        "process",
    )


async def test_the_report_key_writes_the_closing_report_here(
    demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        await pilot.press("W")
        await settle(pilot)
        target = tmp_path / "NWPORTAL-closing-report.md"
        assert any(str(target) in text for _, text in notifications(app))
    report = target.read_text(encoding="utf-8")
    assert report.startswith("# ")
    assert "## Lessons learned" in report and "REQ-3" in report


async def test_the_report_key_keeps_an_earlier_report(
    demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    earlier = tmp_path / "NWPORTAL-closing-report.md"
    earlier.write_text("my edited report", encoding="utf-8")
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        await pilot.press("W")
        await settle(pilot)
        await pilot.press("W")
        await settle(pilot)
        texts = [text for _, text in notifications(app)]
        for name in ("NWPORTAL-closing-report-2.md", "NWPORTAL-closing-report-3.md"):
            assert any(str(tmp_path / name) in text for text in texts), name
    assert earlier.read_text(encoding="utf-8") == "my edited report"
    assert (tmp_path / "NWPORTAL-closing-report-3.md").read_text(encoding="utf-8").startswith("# ")


async def test_the_tables_follow_the_height(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        assert not pane(app).table_of("lessons").display, "one table at a time at 24 rows"
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert all(pane(app).table_of(view).display for view in ("lessons", "follow_ons"))
        await pilot.press("v")  # on a tall screen, v moves to the next table
        await pilot.pause()
        assert pane(app).table_of("lessons").has_focus


async def test_a_tick_does_not_overwrite_a_colleagues_tick_of_the_same_item(
    demo_path: Path,
) -> None:
    """Ann ticked CHK-7 while the dialog was open: her tick and evidence stand, ours is
    refused in one line and the dialog comes back with what we typed."""
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closing(pilot)
        shown = await put_cursor_on(pilot, "CHK-7")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"INV-2044")
        theirs = TinyDBRepository(demo_path, user="ann")
        item = theirs.snapshot().get(ChecklistItem, shown.id)
        assert item is not None
        theirs.update(
            validate_record(
                ChecklistItem,
                {**dump_record(item), "state": "done", "done_by": "ann", "evidence": "PO-17"},
            )
        )
        await pilot.press("enter")
        await settle(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "ann" in errors[0] and "state now done" in errors[0]
        assert isinstance(app.screen, ChecklistDialog), "the dialog is back"
        assert "INV-2044" in screen_text(app), "with the text we typed"
    stored = stored_items(demo_path)["CHK-7"]
    assert (stored.done_by, stored.evidence) == ("ann", "PO-17")
