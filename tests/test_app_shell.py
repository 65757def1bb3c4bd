"""The app shell, driven through Pilot as a user would: panes, projects, filter, refresh, errors."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from textual import constants as textual_constants
from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import Input, TabbedContent

from clientdesk.store.models import ClientRequest, Project, RequestType
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.status_report import overall_status
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.tui.contacts_screen import ContactsScreen
from clientdesk.widgets.calendar_pane import CalendarPane
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.filter_bar import FilterBar
from clientdesk.widgets.help_screen import HelpScreen
from clientdesk.widgets.key_footer import KeyFooter
from clientdesk.widgets.meeting_detail import MeetingDetail
from clientdesk.widgets.project_picker import ProjectPicker
from clientdesk.widgets.record_form import RecordForm
from clientdesk.widgets.record_table import RecordTable
from clientdesk.widgets.record_table_pane import RecordTablePane
from clientdesk.widgets.request_form import RequestForm
from clientdesk.widgets.requests_pane import RequestsPane
from clientdesk.widgets.week_view import WeekView
from clientdesk.widgets.welcome_panel import WelcomePanel
from tests.helpers.slow_store import SlowRepository
from tests.helpers.ui import FIXED_NOW, move_cursor_to, screen_text, search_the_palette, settle
from tests.helpers.waiting import pilot_wait_until

NOW = FIXED_NOW


pytestmark = pytest.mark.usefixtures("app_now")


def table_keys(table: RecordTable[ClientRequest]) -> list[str]:
    """The keys of the records a table shows, top to bottom."""
    return [record.key for record in table.records]


async def test_number_keys_switch_between_the_four_panes(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        for title in ("Calendar", "Requests", "Risks", "Closing"):
            assert title in text
        expected = {
            "1": ("calendar", ["PLN-1", "MTG-1", "Weekly status report"]),
            "2": ("requests", ["REQ-1", "Export the monthly report as CSV"]),
            "3": ("risks", ["RSK-1", "Key client SME unavailable"]),
            "4": ("closing", ["CHK-1", "Formal client acceptance signed"]),
        }
        for key in ("2", "3", "4", "1"):
            await pilot.press(key)
            await pilot.pause()
            pane_id, wanted = expected[key]
            assert app.query_one("#panes", TabbedContent).active == pane_id
            text = screen_text(app)
            for snippet in wanted:
                assert snippet in text, f"{snippet!r} missing on pane {pane_id}"
            assert isinstance(app.focused, RecordTable)


async def test_header_shows_project_key_name_client_and_rag(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first_line = screen_text(app).splitlines()[0]
        snapshot = TinyDBRepository(demo_path).snapshot()
        project = snapshot.projects()[0]
        assert project.key in first_line
        assert project.name in first_line
        overall = overall_status(snapshot, project, FIXED_NOW)  # as the status report gives it
        assert overall.rag.value.upper() in first_line


async def test_every_pane_fits_80_columns(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in "1234":
            await pilot.press(key)
            await pilot.pause()
            # Only the tables on show: at 24 rows the Closing pane shows one of its three.
            for table in (table for table in app.current_pane.tables if table.display):
                assert table.virtual_size.width <= table.size.width, f"pane {key} overflows"
                assert "title" in table.shown_columns


async def test_wider_terminal_shows_more_columns(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2", "down", "down")
        await pilot.pause()
        table = app.query_one(RequestsPane).tables[0]
        narrow = table.shown_columns
        before = table.selected_record
        assert before is not None and before == table.records[2]
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        wide = table.shown_columns
        assert len(narrow) < len(wide)
        assert "owner" in wide and "received" not in narrow and "owner" not in narrow
        assert "type_short" in narrow and "type" in wide, "the type is abbreviated when narrow"
        assert table.selected_record == before, "the cursor stays put"


async def test_p_switches_project_with_the_picker(demo_path: Path) -> None:
    snapshot = TinyDBRepository(demo_path).snapshot()
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = snapshot.projects()[0]
        assert app.project_id == first.id
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ProjectPicker)
        await pilot.press(*"fabrikam", "enter")
        await pilot.pause()
        fabrikam = snapshot.project("FABRIKAM")
        assert app.project_id == fabrikam.id
        assert "FABRIKAM" in screen_text(app).splitlines()[0]
        await pilot.press("2")
        await pilot.pause()
        shown = app.query_one(RequestsPane).tables[0].records
        assert shown and all(request.project_id == fabrikam.id for request in shown)


async def test_picker_escape_keeps_the_project(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = app.project_id
        await pilot.press("p", "down", "escape")
        await pilot.pause()
        assert app.project_id == before
        assert not isinstance(app.screen, ProjectPicker)


async def test_filter_narrows_the_rows_live_and_escape_clears_it(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await pilot.pause()
        table = app.query_one(RequestsPane).tables[0]
        total = table.total_count
        await pilot.press("slash", *"csv")
        await pilot.pause()
        assert table_keys(table) == ["REQ-1"]
        assert f"1 of {total}" in screen_text(app)
        await pilot.press("enter")  # keep the filter, back to the table
        await pilot.pause()
        assert app.focused is table
        assert table_keys(table) == ["REQ-1"]
        await pilot.press("escape")  # clear the filter from the table
        await pilot.pause()
        assert table.shown_count == total
        await pilot.press("slash", *"zzz-no-such-thing", "escape")
        await pilot.pause()
        assert table.shown_count == total
        assert app.focused is table


async def test_user_markup_in_a_title_shows_literally(data_path: Path) -> None:
    repo = TinyDBRepository(data_path)
    project = repo.add(Project(name="[b]Launch[/b]", client="[red]Acme[/]"))
    repo.add(
        ClientRequest(
            project_id=project.id,
            title="[bold red]x[/]",
            received_at=NOW,
            type=RequestType.QUESTION,
        )
    )
    app = create_app(data_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "[b]Launch[/b]" in screen_text(app).splitlines()[0]
        assert "[red]Acme[/]" in screen_text(app).splitlines()[0]
        await pilot.press("2")
        await pilot.pause()
        assert "[bold red]x[/]" in screen_text(app)


async def test_corrupt_data_file_shows_the_error_and_is_never_written(data_path: Path) -> None:
    data_path.parent.mkdir(parents=True, exist_ok=True)
    data_path.write_bytes(b'{"_meta": {"1": {"schema_version": 1}}, "projects": ')
    before = data_path.read_bytes()
    app = create_app(data_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.mode == "error"
        text = " ".join(screen_text(app).split())
        assert "cannot be used" in text
        assert "not valid JSON" in text
        # Keys that would write do nothing here.
        for key in ("n", "N", "l", "e", "d", "c", "p", "1"):
            await pilot.press(key)
            await settle(pilot)
        assert app.mode == "error"
        await pilot.press("r")  # try again: still broken, still not written
        await settle(pilot)
        assert app.mode == "error"
    assert data_path.read_bytes() == before
    assert sorted(p.name for p in data_path.parent.iterdir()) == [data_path.name]


async def test_live_refresh_shows_another_process_change(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2", "down", "down")
        await pilot.pause()
        table = app.query_one(RequestsPane).tables[0]
        selected = table.selected_record
        assert selected is not None and selected == table.records[2]

        other = TinyDBRepository(demo_path)
        project = other.snapshot().get(Project, app.project_id or "")
        assert project is not None
        added = other.add(
            ClientRequest(project_id=project.id, title="Added by a colleague", received_at=NOW)
        )
        await pilot_wait_until(  # the poll runs every second
            pilot, lambda: added.key in table_keys(table), "the colleague's request to show"
        )
        assert added.key in table_keys(table)
        assert "Added by a colleague" in screen_text(app)
        assert app.query_one("#panes", TabbedContent).active == "requests"
        assert app.project_id == project.id
        assert table.selected_record is not None
        assert table.selected_record.id == selected.id


async def test_welcome_offers_demo_data_when_empty(data_path: Path) -> None:
    app = create_app(data_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.mode == "welcome"
        text = screen_text(app)
        assert "Create a first project" in text
        assert "Load demo data" in text
        await pilot.press("l")
        await settle(pilot)
        assert app.mode == "panes"
    assert len(TinyDBRepository(data_path).snapshot().projects()) == 3


async def test_keys_pressed_while_the_file_is_read_wait_for_the_panes(demo_path: Path) -> None:
    """The first frame says the file is being opened; help works, pane keys wait for the panes."""
    gate = threading.Event()
    app = ClientDeskApp(SlowRepository(demo_path, gate))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Opening the data file" in screen_text(app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot_wait_until(
            pilot,
            lambda: "Every key of this pane, and the app's" in screen_text(app),
            "the help screen to show",
        )
        await pilot.press("escape", "2", "n")
        await pilot.pause()
        assert app.mode == "loading" and len(app.screen_stack) == 1
        assert footer_keys(app) == ["question_mark", "q"]
        gate.set()
        await settle(pilot)
        assert app.mode == "panes"
        # "2" and "n" waited, and are handled in order: the Requests pane, a new request.
        assert app.query_one("#panes", TabbedContent).active == "requests"
        assert isinstance(app.screen, RequestForm)
        await pilot.press("escape")
        await pilot.pause()
        # The footer follows the keys: the Requests pane's now.
        assert {"n", "e", "s", "question_mark", "q"} <= set(footer_keys(app))
        assert isinstance(app.focused, RecordTable) and app.focused.row_count
        assert "REQ-1" in screen_text(app)


def footer_keys(app: ClientDeskApp) -> list[str]:
    """The keys the footer shows, left to right, by their Textual names."""
    return [entry.binding.key for entry in app.screen.query_one(KeyFooter).shown]


async def test_typing_in_the_filter_leaves_the_footer_as_it_is(demo_path: Path) -> None:
    """The footer is rebuilt only when its keys change, not on every keystroke."""
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2", "slash")
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        before = footer.render()
        assert "Clear filter" in before.plain
        await pilot.press(*"export")
        await settle(pilot)
        assert app.query_one("#filter-input", Input).value == "export"
        assert footer.render() is before, "the same line: not rebuilt"


def test_animations_are_off_unless_textual_animations_asks(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over SSH each animation frame crosses the link: none by default, Textual's setting wins."""
    monkeypatch.delenv("TEXTUAL_ANIMATIONS", raising=False)
    assert create_app(demo_path).animation_level == "none"
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "full")
    assert create_app(demo_path).animation_level == textual_constants.TEXTUAL_ANIMATIONS


async def test_help_lists_the_keys_of_the_current_pane(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        entries = app.screen.entries
        sections = list(dict.fromkeys(entry.section for entry in entries))
        assert sections == ["Risks pane", "Moving around", "Everywhere"], "the pane's keys first"
        descriptions = {entry.description for entry in entries}
        for wanted in (
            "Next status: open → monitoring",
            "Heat map: its own view, or move to it and back",
            "Next row",
            "Show the Requests pane",
            "Switch to another project",
            "The open project's contacts (add, edit)",
            "New record in this pane",
            "Edit the record under the cursor",
            "Filter this pane by text",
            "Every key of this pane, and the app's",
            "Quit clientdesk",
        ):
            assert wanted in descriptions
        keys = {entry.binding_id: entry.key for entry in entries}
        assert keys["risk.next"] == "s" and keys["risk.occurred"] == "O"
        assert (keys["table.down"], keys["pane.requests"], keys["quit"]) == ("↓ j", "2", "q")
        text = screen_text(app)
        assert "Keys · Risks pane" in text and "Next status: open → monitoring" in text
        # The ids the config file remaps by are kept with each line, not shown.
        assert {"pane.calendar", "risk.heat_map", "help"} <= set(keys)
        assert "pane.requests" not in text and "Id (config [keys])" not in text


async def test_a_remapped_key_shows_in_the_footer_and_under_its_id_in_help(demo_path: Path) -> None:
    config = Path(os.environ["CLIENTDESK_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[keys]\n"pane.requests" = "f2"\n"help" = "f1"\n', encoding="utf-8")
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "f1 Help" in screen_text(app).splitlines()[-1], "the footer shows the new key"
        await pilot.press("f2")
        await pilot.pause()
        assert app.query_one("#panes", TabbedContent).active == "requests"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        [entry] = [e for e in app.screen.entries if e.binding_id == "pane.requests"]
        assert entry.key == "f2"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_names_every_action(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for wanted in (
            "Calendar",
            "Requests",
            "Risks",
            "Closing",
            "Switch project",
            "New project",
            "Edit project",
            "Contacts",
            "New contact",
            "Export the calendar",
            "Filter",
            "Help",
            "Quit",
        ):
            assert wanted in titles
        assert "Acknowledge" not in titles, "the Requests pane's actions are listed there"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await search_the_palette(pilot, "Risks")
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one("#panes", TabbedContent).active == "risks"
        # Acknowledge has no key of its own: the palette finds it by name.
        await pilot.press("2")
        await settle(pilot)
        requests = app.query_one("#request-table", RecordTable)
        request = next(r for r in requests.records if r.status == "new")
        await move_cursor_to(pilot, requests, request.key)
        assert "Acknowledge" in {c.title for c in app.get_system_commands(app.screen)}
        await pilot.press("ctrl+p")
        await pilot.pause()
        await search_the_palette(pilot, "Acknowledge")
        await pilot.press("enter")
        await settle(pilot)
        stored = TinyDBRepository(demo_path).snapshot().get(ClientRequest, request.id)
        assert stored is not None and stored.status == "acknowledged"


@pytest.mark.parametrize(
    "owner",
    [
        ClientDeskApp,
        CalendarPane,
        ContactsScreen,
        ConfirmDialog,
        FilterBar,
        HelpScreen,
        MeetingDetail,
        ProjectPicker,
        RecordForm,
        RecordTable,
        RecordTablePane,
        WeekView,
        WelcomePanel,
    ],
)
def test_every_binding_has_an_id_and_a_description(owner: type[DOMNode]) -> None:
    """Users remap keys by binding id; the help lists them by description."""
    for binding in owner.BINDINGS:
        assert isinstance(binding, Binding)
        assert binding.id and binding.description, binding


async def test_f12_saves_a_screenshot(
    demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f12")
        await settle(pilot)
    shots = list(tmp_path.glob("clientdesk_*.svg"))
    assert len(shots) == 1
    assert "<svg" in shots[0].read_text(encoding="utf-8")


async def test_q_quits(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_clicking_a_pane_title_shows_the_pane(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.click("#--content-tab-risks")
        await pilot.pause()
        assert app.query_one("#panes", TabbedContent).active == "risks"
        assert "RSK-1" in screen_text(app)
        assert isinstance(app.focused, RecordTable)


async def test_project_deleted_elsewhere_falls_back_to_another(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        other = TinyDBRepository(demo_path)
        doomed = other.snapshot().get(Project, app.project_id or "")
        assert doomed is not None
        other.delete(doomed)
        await pilot_wait_until(
            pilot, lambda: app.project_id != doomed.id, "the app to leave the deleted project"
        )
        assert app.project_id not in (None, doomed.id)
        assert doomed.key not in screen_text(app).splitlines()[0]
        messages = [notification.message for notification in app._notifications]
        assert any("deleted by someone else" in message for message in messages)


async def test_an_unexpected_error_shows_one_line_and_logs_the_traceback(
    demo_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A bug in a handler ends the app with one line naming the crash log, never a
    traceback on the user's terminal; the traceback is in the log."""

    def broken_help(self: ClientDeskApp) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(ClientDeskApp, "action_help", broken_help)
    app = create_app(demo_path)
    with pytest.raises(RuntimeError, match="boom"):  # Pilot re-raises it for tests
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await pilot.pause()
    printed = "".join(capsys.readouterr().err.splitlines())  # Rich wraps long lines
    assert printed.startswith("clientdesk: internal error (RuntimeError: boom); details in ")
    assert "Traceback" not in printed
    log = Path(printed.rsplit("details in ", 1)[1].strip())
    assert log.is_relative_to(tmp_path)
    assert "Traceback" in log.read_text() and "boom" in log.read_text()
    assert app.return_code == 1


def test_every_pane_defines_its_tables_and_how_it_shows_records() -> None:
    """The pane base class leaves compose_tables() and show() to each pane; none may
    fall back to the base's refusal."""
    from clientdesk.widgets.calendar_pane import CalendarPane
    from clientdesk.widgets.closing_pane import ClosingPane
    from clientdesk.widgets.contacts_pane import ContactsPane
    from clientdesk.widgets.risks_pane import RisksPane

    panes = [CalendarPane, RequestsPane, RisksPane, ClosingPane, ContactsPane]
    for pane in panes:
        for hook in ("compose_tables", "show"):
            assert getattr(pane, hook) is not getattr(RecordTablePane, hook), (pane, hook)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_saves_notice_is_shown_whole_at_every_size(
    demo_path: Path, size: tuple[int, int]
) -> None:
    """The notice ends with how to take the save back: at 80 columns its last words
    were cut off ("Saved request REQ-11 (ctrl+z" and no more)."""
    app = create_app(demo_path)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("2", "n", "tab", *"Notice test", "ctrl+s")
        await pilot_wait_until(
            pilot,
            lambda: "(ctrl+z undoes)." in screen_text(app),
            "the whole notice on screen",
        )
        assert "Saved request REQ-11" in screen_text(app)
