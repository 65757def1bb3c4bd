"""A terminal that goes away ends the app promptly, its open form kept, whatever it was doing.

The first tests pin what :mod:`clientdesk.tui.terminal_guard` changes in
Textual's driver, on a real pseudo-terminal that hung up; the slow ones run the
real ``clientdesk`` in pseudo-terminals and close them, as a dropped SSH link
or a killed tmux server does.
"""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import threading
import time
import tty
from collections.abc import AsyncIterator, Iterator
from contextlib import suppress
from pathlib import Path
from typing import IO, Any, cast

import pytest
from textual import events
from textual.app import App
from textual.drivers._writer_thread import MAX_QUEUED_WRITES, WriterThread
from textual.message import Message

from clientdesk.store.demo import populate_demo
from clientdesk.store.drafts import read_draft
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui import terminal_guard
from clientdesk.tui.terminal_guard import TerminalGone, TerminalGuardDriver, TerminalOutput
from tests.helpers.terminal import Terminal, check_data_file, crash_log_text
from tests.helpers.ui import FIXED_NOW
from tests.helpers.waiting import HANG_SECONDS, wait_until

HANG_UP_STATUS = 128 + signal.SIGHUP


@pytest.fixture
def hung_up_terminal() -> Iterator[IO[str]]:
    """The app's side of a pseudo-terminal whose other side has closed, as a text stream."""
    master, slave = pty.openpty()
    os.close(master)
    stream = open(slave, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        yield stream
    finally:
        with suppress(OSError):  # what it holds cannot be written
            stream.close()


def test_the_writer_thread_keeps_taking_writes_after_the_terminal_hung_up(
    hung_up_terminal: IO[str],
) -> None:
    failures: list[str] = []
    output = TerminalOutput(hung_up_terminal, lambda: failures.append("gone"))
    writer = WriterThread(cast(Any, output))
    writer.start()
    done = threading.Event()

    def paint_and_stop() -> None:
        # More frames than Textual's queue holds, as a paint and a shutdown write.
        for frame in range(3 * MAX_QUEUED_WRITES):
            writer.write(f"frame {frame}\r\n")
        writer.stop()
        done.set()

    threading.Thread(target=paint_and_stop, daemon=True).start()
    assert done.wait(HANG_SECONDS), "a write waited for ever on a writer thread that died"
    assert output.failed
    assert failures == ["gone"], "told once"


class StandInApp:
    """What the driver needs of the app: somewhere to post messages."""

    def __init__(self) -> None:
        self.posted: list[Message] = []

    def post_message(self, message: Message) -> bool:
        self.posted.append(message)
        return True


@pytest.fixture
def last_resort(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The exit statuses the driver armed its last resort with (not armed for real here)."""
    armed: list[int] = []
    # The test process must not end itself a few seconds from now.
    monkeypatch.setattr(terminal_guard, "end_if_the_stop_stalls", armed.append)
    return armed


@pytest.fixture
async def driver(last_resort: list[int]) -> AsyncIterator[TerminalGuardDriver]:
    """The driver over a stand-in app; the signal handlers it sets are given back after."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTSTP, signal.SIGCONT)}
    the_driver = TerminalGuardDriver(cast(App[Any], StandInApp()))
    try:
        yield the_driver
    finally:
        the_driver.exit_event.set()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


async def test_a_sigcont_that_follows_no_sigtstp_leaves_the_terminal_alone(
    driver: TerminalGuardDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    happened: list[str] = []
    monkeypatch.setattr(driver, "start_application_mode", lambda: happened.append("start"))
    monkeypatch.setattr(driver, "stop_application_mode", lambda: happened.append("stop"))
    monkeypatch.setattr(driver, "close", lambda: happened.append("close"))
    monkeypatch.setattr(os, "kill", lambda pid, sig: happened.append(signal.Signals(sig).name))

    # What the kernel sends after a hang-up's SIGHUP: application mode is running.
    signal.raise_signal(signal.SIGCONT)
    assert happened == [], "no second writer thread on a terminal that is gone"

    # ctrl+z, then fg: suspended, and taken up again once.
    signal.raise_signal(signal.SIGTSTP)
    signal.raise_signal(signal.SIGCONT)
    signal.raise_signal(signal.SIGCONT)
    assert happened == ["stop", "close", "SIGSTOP", "start"]


async def test_end_of_input_ends_the_input_thread_and_tells_the_app(
    driver: TerminalGuardDriver, last_resort: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    master, slave = pty.openpty()
    tty.setraw(slave)  # as in application mode: each key as it is typed
    driver.fileno = slave
    received: list[Message] = []
    monkeypatch.setattr(driver, "process_message", received.append)
    reader = threading.Thread(target=driver.run_input_thread, daemon=True)
    try:
        reader.start()
        os.write(master, b"x")
        wait_until(lambda: bool(received), "the input thread to read the key")
        os.close(master)  # the terminal hangs up
        reader.join(HANG_SECONDS)
        assert not reader.is_alive(), "the input thread reads the end of input for ever"
    finally:
        driver.exit_event.set()
        os.close(slave)
    assert [event.key for event in received if isinstance(event, events.Key)] == ["x"]
    stand_in = cast(StandInApp, driver._app)
    assert [type(message) for message in stand_in.posted] == [TerminalGone]
    assert driver.is_gone
    assert last_resort == [HANG_UP_STATUS], "the process ends even if the app cannot stop"


def test_a_stop_that_stalls_ends_the_process_and_logs_where_it_waited(tmp_path: Path) -> None:
    stalled = tmp_path / "stalled.py"
    stalled.write_text(
        "import threading\n"
        "from clientdesk.tui.terminal_guard import end_if_the_stop_stalls\n"
        "end_if_the_stop_stalls(129, grace=0.2)\n"
        "threading.Event().wait()  # a shutdown waiting for what never comes\n",
        "utf-8",
    )
    result = subprocess.run([sys.executable, str(stalled)], timeout=60, check=False)
    assert result.returncode == HANG_UP_STATUS
    log = crash_log_text()
    assert "had not ended 0.2 s after it began to stop" in log
    assert "a shutdown waiting for what never comes" in log, "the main thread's stack"


def open_a_request_form(terminal: Terminal, title: str) -> None:
    """Open REQ-1's form in the app and type ``title`` over its title."""
    assert terminal.read_until(b"breached"), "hung: the app never showed its data"
    # Each step waits for what the app draws after the keys, never for a time.
    for keys, wanted in [(b"2", b"REQ-"), (b"e", b"Edit request")]:
        assert terminal.type_and_read_until(keys, wanted), f"hung: {keys!r} never drew {wanted!r}"
    # To the title, then the title: the hang-up comes once it shows in the form.
    assert terminal.type_and_read_until(b"\t" + title.encode(), title.encode()), (
        "hung: the typing never showed in the form"
    )


@pytest.mark.slow
def test_a_terminal_gone_with_no_sighup_ends_the_app_and_keeps_the_form(
    demo_path: Path,
) -> None:
    # No controlling terminal (setsid, su - user -c): no SIGHUP when it goes.
    terminal = Terminal(demo_path, controlling=False)
    try:
        open_a_request_form(terminal, "Typed before the terminal went")
        terminal.hang_up()
        status = terminal.wait_for_end(timeout=HANG_SECONDS)
    finally:
        terminal.close()
    assert status == HANG_UP_STATUS, "the app ended as on a hang-up"
    draft = read_draft(demo_path)
    assert draft is not None and draft.values["title"] == "Typed before the terminal went"
    assert check_data_file(demo_path).returncode == 0
    assert crash_log_text() == "", "no traceback, and no stop that stalled"


HANG_UPS = 10
"""How many apps are hung up mid-paint (before the fix, every one stayed behind)."""


@pytest.mark.slow
def test_hanging_up_while_the_app_paints_ends_it_every_time(data_path: Path) -> None:
    populate_demo(TinyDBRepository(data_path), projects=3, seed=1, now=FIXED_NOW, records=1000)
    before = data_path.read_bytes()
    # The terminal is each app's controlling terminal, as in a login session or
    # a tmux pane: the kernel sends SIGHUP, then SIGCONT, as it hangs up.
    terminals = [Terminal(data_path, controlling=True, size=(120, 40)) for _ in range(HANG_UPS)]
    try:
        for terminal in terminals:
            assert terminal.read_until(b"breached"), "hung: the app never showed its data"
        statuses = []
        for terminal in terminals:
            terminal.read_for(0.05)  # what it drew meanwhile
            terminal.type(b"2341")  # every pane in turn, each a new screen to paint
            # Long enough for the app to read the keys (a hang-up throws away
            # what it has not read), too short for it to paint four panes.
            time.sleep(0.02)
            terminal.hang_up()
            # One at a time: each stop has the machine to itself.
            statuses.append(terminal.wait_for_end(timeout=HANG_SECONDS))
    finally:
        for terminal in terminals:
            terminal.close()
    assert statuses == [HANG_UP_STATUS] * HANG_UPS, "every app ended, as on a hang-up"
    assert crash_log_text() == "", "each ended by its own stop, not by the last resort"
    assert data_path.read_bytes() == before
    assert check_data_file(data_path).returncode == 0
