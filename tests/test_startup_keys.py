"""Keys pressed while the app starts: they wait for the panes, in order; q quits at any moment."""

from __future__ import annotations

import os
import signal
import termios
import threading
from pathlib import Path

import pytest
from textual.widgets import TabbedContent

from clientdesk.store.models import ClientRequest
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.widgets.request_form import RequestForm
from tests.helpers.keys import key_event, keys_handled
from tests.helpers.slow_store import SlowRepository
from tests.helpers.terminal import Terminal, crash_log_text
from tests.helpers.waiting import wait_until

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


def stopped(terminal: Terminal) -> bool:
    """True once the app's process is stopped (ctrl+z done, not merely begun)."""
    with open(f"/proc/{terminal.process.pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] == "T"


@pytest.mark.slow  # a real app in a pseudo-terminal
def test_a_burst_typed_before_the_first_frame_acts_as_typed(demo_path: Path) -> None:
    """Enter, tab and ctrl+s typed while Python still imports the app reach it as keys:
    the terminal stops being a shell line (echo, CR to ctrl+j, ctrl+s as XOFF) before
    the app draws anything, and is the shell's again once the app has ended."""
    terminal = Terminal(demo_path, controlling=False, size=(120, 40))
    shell_mode = termios.tcgetattr(terminal.master)

    threads_then: list[int] = []

    def keys_as_keys() -> bool:
        if termios.tcgetattr(terminal.master)[3] & termios.ECHO:
            return False
        # Textual's driver starts its threads before it changes the terminal: one
        # thread means the app is still being imported.
        threads_then.append(len(os.listdir(f"/proc/{terminal.process.pid}/task")))
        return True

    def saved() -> bool:
        requests = TinyDBRepository(demo_path).snapshot().all(ClientRequest)
        return any(request.title == "Typed ahead" for request in requests)

    try:
        wait_until(keys_as_keys, "the terminal to take keys as keys")
        assert threads_then == [1], "keys are taken as keys while the app is still imported"
        terminal.type(b"2n\tTyped ahead\x13")
        wait_until(saved, "the burst typed ahead to save", poll=lambda: terminal.read_for(0.05))
        # ctrl+z: the shell gets its terminal back as it was, echo and all.
        os.kill(terminal.process.pid, signal.SIGTSTP)
        wait_until(
            lambda: termios.tcgetattr(terminal.master) == shell_mode and stopped(terminal),
            "the shell's terminal while the app is suspended",
            poll=lambda: terminal.read_for(0.05),
        )
        os.kill(terminal.process.pid, signal.SIGCONT)  # fg
        wait_until(keys_as_keys, "the app's terminal again", poll=lambda: terminal.read_for(0.05))
        terminal.type(b"q")
        assert terminal.end_status() == 0
        assert termios.tcgetattr(terminal.master) == shell_mode, "the shell's terminal is back"
    finally:
        terminal.close()
    before_the_app = bytes(terminal.seen).split(b"\x1b[?1049h", 1)[0]  # its alternate screen
    assert b"Typed" not in before_the_app, "nothing typed was echoed"
    assert b"Traceback" not in terminal.seen
