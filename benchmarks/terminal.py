"""Drive an app in a real pseudo-terminal and measure each key as a user over SSH sees it.

A :class:`TerminalSession` starts a command on a pty of a given size, reads
everything it writes in a thread, and :meth:`TerminalSession.press` sends one
key and waits until the screen is quiet again. It reports how long that took
(from the key written to the last byte of the answer) and how many bytes the
app wrote for it: what would cross an SSH link.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import threading
import time
from dataclasses import dataclass
from pathlib import Path

QUIET_SECONDS = 0.25
"""No output for this long means the app has finished answering a key."""

KEYS = {
    "down": b"\x1b[B",
    "pagedown": b"\x1b[6~",
    "escape": b"\x1b",
    "ctrl+s": b"\x13",
    "tab": b"\t",
}
"""Terminal input for the named keys (anything else is sent as its characters)."""


@dataclass(frozen=True)
class KeyAnswer:
    """One key and what the app did about it.

    Attributes:
        ms: from the key written to the last byte of the answer.
        bytes: how many bytes the app wrote in answer.
    """

    ms: float
    bytes: int


class TerminalSession:
    """A command running in a pseudo-terminal of ``columns`` by ``lines``."""

    def __init__(
        self, command: list[str], *, columns: int, lines: int, env: dict[str, str] | None = None
    ) -> None:
        """Start ``command`` on a new pty and start reading what it writes."""
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        environment = {**os.environ, **(env or {}), "TERM": "xterm-256color"}
        environment.update(COLUMNS=str(columns), LINES=str(lines))
        self.process = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=environment,
            start_new_session=True,
        )
        os.close(slave)
        self._master = master
        self._lock = threading.Lock()
        self._received = 0
        self._last_output = time.monotonic()
        self._text = bytearray()
        self._marker: bytes | None = None
        self._marker_seen = False
        self._tail = b""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self._master], [], [], 0.05)
                if not ready:
                    if self.process.poll() is not None:
                        return
                    continue
                chunk = os.read(self._master, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self._received += len(chunk)
                self._last_output = time.monotonic()
                self._text.extend(chunk[-4096:])
                del self._text[:-8192]
                if self._marker is not None and not self._marker_seen:
                    # The whole chunk, not the trimmed text: a large paint may
                    # carry the marker anywhere in it.
                    self._marker_seen = self._marker in self._tail + chunk
                self._tail = chunk[-256:]

    def wait_for(self, wanted: bytes, timeout: float = 120.0) -> float:
        """Wait until ``wanted`` was written (recently); return the seconds waited."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            with self._lock:
                if wanted in self._text:
                    return time.monotonic() - started
            time.sleep(0.01)
        raise TimeoutError(f"{wanted!r} did not appear within {timeout:.0f} s")

    def expect(self, marker: bytes) -> None:
        """Watch every byte written from now on for ``marker`` (see :meth:`wait_expected`).

        Unlike :meth:`wait_for`, which looks at the recent text only, this sees
        the marker anywhere in a large paint, however much is written after it.
        """
        with self._lock:
            self._marker, self._marker_seen, self._tail = marker, False, b""

    def wait_expected(self, timeout: float = 60.0) -> None:
        """Wait until the marker given to :meth:`expect` was written."""
        started = time.monotonic()
        while True:
            with self._lock:
                if self._marker_seen:
                    self._marker = None
                    return
                marker = self._marker
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{marker!r} did not appear within {timeout:.0f} s")
            time.sleep(0.002)

    def wait_quiet(self, quiet: float = QUIET_SECONDS, timeout: float = 60.0) -> None:
        """Wait until the app has written nothing for ``quiet`` seconds."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            with self._lock:
                silent = time.monotonic() - self._last_output
            if silent >= quiet:
                return
            time.sleep(0.01)

    def press(
        self,
        key: str,
        *,
        quiet: float = QUIET_SECONDS,
        until: bytes | None = None,
        timeout: float = 60.0,
    ) -> KeyAnswer:
        """Send ``key`` (a name in :data:`KEYS` or characters) and measure the answer.

        With ``until``, the answer lasts at least until those bytes were
        written: an answer that writes a little at once and then works in
        silence for longer than ``quiet`` (composing a large screen) is not
        cut short at its first bytes.
        """
        self.wait_quiet(quiet)
        with self._lock:
            before = self._received
            self._text.clear()
        if until is not None:
            self.expect(until)
        sent = time.monotonic()
        os.write(self._master, KEYS.get(key, key.encode()))
        if until is not None:
            self.wait_expected(timeout)
        time.sleep(quiet)
        self.wait_quiet(quiet)
        with self._lock:
            answered = self._received - before
            last = self._last_output
        return KeyAnswer(ms=max(0.0, last - sent) * 1000 if answered else 0.0, bytes=answered)

    def close(self) -> None:
        """Stop the app and the reader."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        os.close(self._master)


def bare_command(python: str, rows: int) -> list[str]:
    """A bare Textual app with the shell's widgets and ``rows`` rows per table."""
    child = Path(__file__).with_name("bare_app.py")
    return [python, str(child), str(rows)]
