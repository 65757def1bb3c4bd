"""A burst of keys lands where the same keys typed slowly would: forms, dialogs, the filter.

Each test gives the app a whole burst before it has handled the first key
(see tests/helpers/keys.py), as a fast typist, a paste or a laggy SSH link
does, and then checks what was stored or shown field by field. The last one
writes a burst in one ``write()`` to the real app in a pseudo-terminal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Input

from clientdesk.store.models import ClientRequest, Contact, Risk
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.widgets.contact_form import ContactForm
from clientdesk.widgets.follow_up_dialog import FollowUpDialog
from clientdesk.widgets.project_picker import ProjectPicker
from clientdesk.widgets.reason_dialog import ReasonDialog
from clientdesk.widgets.record_table import RecordTable
from clientdesk.widgets.request_form import RequestForm
from tests.helpers.keys import key_event, keys_handled, press_at_once
from tests.helpers.terminal import Terminal, check_data_file
from tests.helpers.ui import move_cursor_to, settle
from tests.helpers.waiting import HANG_SECONDS

pytestmark = pytest.mark.usefixtures("app_now")


def stored(path: Path) -> TinyDBRepository:
    """The data file as another process would read it."""
    return TinyDBRepository(path)


def stored_requests(path: Path) -> list[ClientRequest]:
    """Every request the data file holds."""
    return stored(path).snapshot().all(ClientRequest)


async def test_a_burst_in_the_request_form_fills_each_field_in_turn(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # "n" opens the form with its first field focused; the rest of the
        # burst follows before the form has even mounted.
        await press_at_once(pilot, "2", "n", "tab", *"AAA", "tab", *"BBB")
        assert isinstance(app.screen, RequestForm)
        values = app.screen.values()
        assert (values["title"], values["description"]) == ("AAA", "BBB")
        await press_at_once(pilot, "ctrl+s")
        assert not isinstance(app.screen, RequestForm)
    (added,) = [request for request in stored_requests(demo_path) if request.title == "AAA"]
    assert added.description == "BBB"


async def test_text_typed_right_after_the_contact_form_opens_goes_to_its_first_field(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_at_once(pilot, "c", "n", *"AAA", "tab", *"bbb@x.example")
        assert isinstance(app.screen, ContactForm)
        values = app.screen.values()
        assert (values["name"], values["email"]) == ("AAA", "bbb@x.example")
        await press_at_once(pilot, "ctrl+s")
    (added,) = [c for c in stored(demo_path).snapshot().all(Contact) if c.name == "AAA"]
    assert added.email == "bbb@x.example"


async def test_a_burst_answers_the_reason_dialog_it_opens(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        risks = app.query_one("#risks-pane").query_one(RecordTable)
        await move_cursor_to(pilot, risks, "RSK-1")
        await press_at_once(pilot, "x", *"Workshop moved", "enter")
        assert not isinstance(app.screen, ReasonDialog)
        project_id = app.project_id
    risks = stored(demo_path).snapshot().of_project(Risk, project_id or "")
    (risk,) = [r for r in risks if r.key == "RSK-1"]
    assert (risk.status, risk.close_reason) == ("closed", "Workshop moved")


async def test_a_burst_after_the_filter_key_is_typed_into_the_filter(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = app.query_one("#requests-pane").query_one(RecordTable)
        every = len(table.records)
        await press_at_once(pilot, "slash", *"export")
        assert app.query_one("#filter-input", Input).value == "export"
        titles = [request.title for request in table.records]
        assert 0 < len(titles) < every
        assert all("export" in title.lower() for title in titles)


async def test_escape_then_a_letter_in_one_read_closes_the_form_then_acts(demo_path: Path) -> None:
    """ESC and p in one read reach Textual as alt+p: they close the form, then open the picker."""
    before = {request.id: request.revision for request in stored_requests(demo_path)}
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_at_once(pilot, "2", "e")
        assert isinstance(app.screen, RequestForm)
        alt_p = events.Key("alt+p", "p")  # what the terminal driver makes of b"\x1bp"
        alt_p.set_sender(app)
        app.post_message(alt_p)
        await keys_handled(pilot)
        await settle(pilot)
        assert isinstance(app.screen, ProjectPicker), type(app.screen).__name__
        await press_at_once(pilot, "escape")
        assert not isinstance(app.screen, RequestForm | ProjectPicker)
    after = {request.id: request.revision for request in stored_requests(demo_path)}
    assert after == before, "nothing meant for the main screen was typed into the form"


@pytest.mark.slow  # a real app in a pseudo-terminal
def test_escape_and_a_key_written_at_once_to_the_real_app_are_two_keys(demo_path: Path) -> None:
    """As a fast typist over SSH sends escape then p: the form closes and the picker opens."""
    terminal = Terminal(demo_path, controlling=False, size=(80, 24))
    try:
        assert terminal.read_until(b"Opening the data file"), "hung: no first frame"
        assert terminal.type_and_read_until(b"2e", b"Edit request"), "hung: no request form"
        assert terminal.type_and_read_until(b"\x1bp", b"Switch project"), "hung: no picker"
        terminal.type(b"\x1bq")
        assert wait_for(terminal, lambda: terminal.process.poll() is not None)
        assert terminal.process.returncode == 0
    finally:
        terminal.close()
    assert b"Traceback" not in terminal.seen and b"internal error" not in terminal.seen


@pytest.mark.slow  # a real app in a pseudo-terminal
def test_escape_a_key_and_arrows_written_at_once_never_reach_the_closed_form(
    demo_path: Path,
) -> None:
    """tmux sends ``escape p down enter`` in one write: the form closes first, the picker
    takes the rest, and the request the form held is as it was."""
    before = {request.id: request.revision for request in stored_requests(demo_path)}
    terminal = Terminal(demo_path, controlling=False, size=(80, 24))
    try:
        assert terminal.read_until(b"Opening the data file"), "hung: no first frame"
        assert terminal.type_and_read_until(b"2e", b"Edit request"), "hung: no request form"
        terminal.type(b"\x1bp\x1b[B\x1b[A\r")
        assert terminal.read_until(b"Switch project"), "hung: no picker"
        terminal.type(b"\x13q")  # ctrl+s (nothing to save now) and quit
        assert wait_for(terminal, lambda: terminal.process.poll() is not None)
        assert terminal.process.returncode == 0
    finally:
        terminal.close()
    after = {request.id: request.revision for request in stored_requests(demo_path)}
    assert after == before, "nothing typed after escape reached the form"
    assert b"Traceback" not in terminal.seen and b"internal error" not in terminal.seen


@pytest.mark.slow  # a real app in a pseudo-terminal
def test_a_burst_written_at_once_to_the_real_app_lands_field_by_field(demo_path: Path) -> None:
    """Tab, text, tab, text and ctrl+s in one write(), as an SSH link delivers them."""
    terminal = Terminal(demo_path, controlling=False, size=(120, 40))
    try:
        # The first frame: the terminal is in raw mode (ctrl+s is a key, not XOFF).
        assert terminal.read_until(b"Opening the data file"), "hung: no first frame"
        # Typed ahead while the file is read: the keys wait for the panes.
        terminal.type(b"2n\tAAA\tBBB\x13")
        assert wait_for(terminal, lambda: any(r.title == "AAA" for r in stored_requests(demo_path)))
        (added,) = [r for r in stored_requests(demo_path) if r.title == "AAA"]
        assert added.description == "BBB"
        terminal.type(b"q")
        assert wait_for(terminal, lambda: terminal.process.poll() is not None)
        assert terminal.process.returncode == 0
    finally:
        terminal.close()
    assert b"Traceback" not in terminal.seen and b"internal error" not in terminal.seen
    assert check_data_file(demo_path).returncode == 0


def wait_for(
    terminal: Terminal, condition: Callable[[], bool], timeout: float = HANG_SECONDS
) -> bool:
    """Read what the app draws until ``condition`` holds; False if it hung."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except (OSError, ValueError):
            pass  # the data file is being replaced: read it again
        terminal.read_for(0.05)  # an app whose output nobody reads stops drawing
    return False


class SlowSaves(TinyDBRepository):
    """A data file whose writes wait until the test lets them go (a slow shared disk)."""

    def __init__(self, path: Path, gate: threading.Event) -> None:
        super().__init__(path)
        self.gate = gate

    def apply(self, *args: Any, **kwargs: Any) -> Any:
        self.gate.wait(HANG_SECONDS)  # however long the test takes to let it go
        return super().apply(*args, **kwargs)


async def test_keys_typed_while_a_save_runs_wait_for_it(demo_path: Path) -> None:
    gate = threading.Event()
    gate.set()
    app = ClientDeskApp(SlowSaves(demo_path, gate))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2", "e")
        await settle(pilot)
        assert isinstance(app.screen, RequestForm)
        app.screen.query_one("#field-title", Input).focus()
        gate.clear()  # the save is slow: the rest of the burst comes while it runs
        for key in ("end", "Z", "ctrl+s", "3", "s"):
            event = key_event(key)
            event.set_sender(app)
            app.post_message(event)
        for _ in range(50):
            await pilot.pause()
        assert app.keys_pending >= 2  # "3" and "s" wait for the save
        gate.set()
        await keys_handled(pilot)
        assert app.current_pane_id == "risks"  # "3" met the panes, as typed slowly
        saved = TinyDBRepository(demo_path).snapshot()
        titles = [r.title for r in saved.all(ClientRequest)]
        assert any(title.endswith("Z") for title in titles)
        assert not any(title.endswith("Z3") or title.endswith("3s") for title in titles)


async def test_a_question_a_write_brings_gets_the_keys_typed_after_it(demo_path: Path) -> None:
    gate = threading.Event()
    gate.set()
    app = ClientDeskApp(SlowSaves(demo_path, gate))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        gate.clear()
        for key in ("O", "2"):  # occurred, then (too soon) the Requests pane
            event = key_event(key)
            event.set_sender(app)
            app.post_message(event)
        for _ in range(50):
            await pilot.pause()
        gate.set()
        await keys_handled(pilot)
        # Typed slowly, "2" would have met the follow-up question: it waits for it.
        assert isinstance(app.screen, FollowUpDialog)
        assert app.current_pane_id == "risks"
