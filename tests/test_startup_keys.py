"""Keys pressed while the app starts: they wait for the panes, in order; q quits at any moment."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import TabbedContent

from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.widgets.request_form import RequestForm
from tests.helpers.keys import key_event, keys_handled
from tests.helpers.slow_store import SlowRepository
from tests.helpers.terminal import Terminal, crash_log_text

pytestmark = pytest.mark.usefixtures("app_now")


async def test_keys_typed_while_the_file_is_read_are_handled_in_order_once_it_is(
    demo_path: Path,
) -> None:
    gate = threading.Event()
    app = ClientDeskApp(SlowRepository(demo_path, gate))
    async with app.run_test(size=(120, 40)) as pilot:
        for key in ("2", "n", "tab", *"AAA"):
            event = key_event(key)
            event.set_sender(app)
            app.post_message(event)
        await pilot.pause()
        assert app.mode == "loading"
        assert app.keys_pending == 6, "the keys wait, none is lost"
        gate.set()
        await keys_handled(pilot)
        assert app.query_one("#panes", TabbedContent).active == "requests"
        assert isinstance(app.screen, RequestForm)
        assert app.screen.values()["title"] == "AAA"


@pytest.mark.parametrize("pauses", [0, 1, 3])
async def test_q_quits_at_once_while_the_file_is_read(demo_path: Path, pauses: int) -> None:
    """Even behind other keys that wait, and whenever in the start it comes."""
    gate = threading.Event()
    app = ClientDeskApp(SlowRepository(demo_path, gate))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(pauses):
                await pilot.pause()
            for key in ("2", "n", "q"):
                event = key_event(key)
                event.set_sender(app)
                app.post_message(event)
            for _ in range(200):
                await pilot.pause()
                if app.return_code is not None:
                    break
            assert app.return_code == 0
            assert app.mode == "loading", "it did not wait for the file"
            gate.set()  # the reading thread ends too
    finally:
        gate.set()
    assert app.return_code == 0


async def test_q_as_soon_as_the_app_runs_ends_it_cleanly(demo_path: Path) -> None:
    for _ in range(5):
        app = create_app(demo_path)
        async with app.run_test(size=(80, 24)):
            event = key_event("q")
            event.set_sender(app)
            app.post_message(event)
        assert app.return_code == 0


async def test_an_app_stopped_while_its_panes_are_built_raises_nothing(demo_path: Path) -> None:
    """As a stop signal or a test that ends early stops it, at each step of the start."""
    for pauses in range(6):
        app = create_app(demo_path)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(pauses):
                await pilot.pause()
        # run_test raises what the app met while it stopped (NoMatches, MountError)
        assert app.return_code in (None, 0)


@pytest.mark.slow  # a real app in a pseudo-terminal
def test_q_at_once_in_a_terminal_quits_cleanly_every_time(demo_path: Path) -> None:
    """Written as the app starts, at the first frame, and while the panes are built."""
    for moment in (b"", b"Opening the data file", b"Calendar"):
        terminal = Terminal(demo_path, controlling=False, size=(100, 30))
        try:
            if moment:
                assert terminal.read_until(moment), f"hung: {moment!r} never showed"
            terminal.type(b"q")
            status = terminal.end_status()
            assert status == 0, bytes(terminal.seen[-600:])
        finally:
            terminal.close()
        assert b"Traceback" not in terminal.seen and b"internal error" not in terminal.seen
    assert "Traceback" not in crash_log_text()
