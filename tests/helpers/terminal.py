"""The real ``clientdesk`` in a pseudo-terminal: for tests of what a terminal going away does.

The test holds the terminal's master side, as a terminal emulator, tmux or
sshd does: it reads what the app draws, types keys, and closes the master to
hang the terminal up.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import platformdirs

from clientdesk.store import paths
from tests.helpers.waiting import HANG_SECONDS, wait_until

CLIENTDESK = [
    sys.executable,
    "-c",
    "import sys; from clientdesk.tui.cli import main; sys.exit(main())",
]
"""The ``clientdesk`` command, run by this interpreter."""


def read_until(master: int, wanted: bytes, seen: bytearray, timeout: float, start: int = 0) -> bool:
    """Read the terminal's output into ``seen`` until ``wanted`` shows at or after ``start``.

    False when the terminal is gone or ``timeout`` s passed (the app hung).
    """
    deadline = time.monotonic() + timeout
    if wanted in seen[start:]:
        return True
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                seen.extend(os.read(master, 65536))
            except OSError:
                return False
            if seen.find(wanted, start) >= 0:
                return True
    return False


def hang_up_by_default() -> None:
    """Give SIGHUP its default handling in the app about to start (``preexec_fn``)."""
    # As in a login session: a test run under nohup (SIGHUP ignored, and
    # inherited) would otherwise start an app that rightly keeps running.
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def _control_the_terminal() -> None:
    # The new session's leader takes its terminal (stdin) as its controlling
    # terminal, as a login shell or a tmux pane does: when the terminal hangs
    # up, the kernel sends the app SIGHUP and then SIGCONT.
    hang_up_by_default()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """One ``clientdesk`` running in a pseudo-terminal of its own."""

    def __init__(self, data: Path, *, controlling: bool, size: tuple[int, int] = (100, 30)):
        """Start the app on ``data``; ``controlling``: the terminal is its controlling one.

        Without a controlling terminal (as under ``setsid`` or ``su - user
        -c``), the app gets no SIGHUP when the terminal goes away.
        """
        self.master, slave = pty.openpty()
        os.set_blocking(self.master, False)
        columns, lines = size
        env = {**os.environ, "COLUMNS": str(columns), "LINES": str(lines), "TERM": "xterm-256color"}
        preexec: Callable[[], None] = _control_the_terminal if controlling else hang_up_by_default
        self.process = subprocess.Popen(
            [*CLIENTDESK, "--data", str(data)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            preexec_fn=preexec,
        )
        os.close(slave)
        self.seen = bytearray()
        """Everything the app wrote to the terminal so far."""
        self.hung_up = False

    def read_until(self, wanted: bytes, timeout: float = HANG_SECONDS) -> bool:
        """Read what the app draws until ``wanted`` shows (False if it hung)."""
        return read_until(self.master, wanted, self.seen, timeout)

    def type_and_read_until(self, keys: bytes, wanted: bytes) -> bool:
        """Type ``keys``, then read until the app draws ``wanted`` *after* them.

        What was drawn before the keys does not count: a word that was already on
        screen says nothing about whether the keys were handled.
        """
        start = len(self.seen)
        self.type(keys)
        return read_until(self.master, wanted, self.seen, HANG_SECONDS, start)

    def read_more(self, timeout: float = HANG_SECONDS) -> bool:
        """Read until the app draws something more (False if it hung)."""
        before = len(self.seen)
        deadline = time.monotonic() + timeout
        while len(self.seen) == before and time.monotonic() < deadline:
            self.read_for(0.01)
        return len(self.seen) > before

    def read_until_quiet(self, quiet: float = 0.3, timeout: float = HANG_SECONDS) -> bool:
        """Read until the app has drawn nothing for ``quiet`` s (False if it never stops)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = len(self.seen)
            self.read_for(quiet)
            if len(self.seen) == before:
                return True
        return False

    def read_for(self, seconds: float) -> None:
        """Read what the app draws for ``seconds`` (it never blocks on a full terminal)."""
        read_until(self.master, b"\0never", self.seen, seconds)

    def type(self, keys: bytes) -> None:
        """Type ``keys``."""
        os.write(self.master, keys)

    def hang_up(self) -> None:
        """Close the terminal, as a dropped SSH link or a killed tmux server does."""
        if not self.hung_up:
            self.hung_up = True
            os.close(self.master)

    def wait_for_end(self, timeout: float) -> int | None:
        """The app's exit status once it has ended; None if it still runs after ``timeout`` s."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def end_status(self) -> int:
        """The app's exit status once it has ended, reading what it draws meanwhile.

        An app whose output nobody reads stops drawing, and may never get to its
        end. Raises :class:`~tests.helpers.waiting.Hung` if it never ends.
        """
        wait_until(
            lambda: self.process.poll() is not None,
            "the app to end",
            poll=lambda: self.read_for(0.05) if not self.hung_up else time.sleep(0.05),
        )
        return self.process.wait()

    def close(self) -> None:
        """Kill the app if it still runs, and close the terminal."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.hang_up()


def crash_log_text() -> str:
    """What the crash log holds ("" when there is none), where the apps started here write it."""
    log = Path(platformdirs.user_log_dir(paths.APP_NAME, appauthor=False)) / "crash.log"
    try:
        return log.read_text("utf-8")
    except FileNotFoundError:
        return ""


def check_data_file(data: Path) -> subprocess.CompletedProcess[str]:
    """``clientdesk check`` on ``data``."""
    return subprocess.run(
        [*CLIENTDESK, "check", "--data", str(data)], capture_output=True, text=True, check=False
    )
