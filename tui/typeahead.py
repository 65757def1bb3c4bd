"""Keys typed while the app starts are kept for it as keys, not taken as a line for the shell.

Python and clientdesk take about half a second to start, and Textual puts the
terminal in its raw mode only then. Until that moment the terminal is still
in the shell's line mode: it echoes what is typed, turns enter into ctrl+j,
and takes ctrl+s as "stop output" (which froze the screen until ctrl+q). A
burst typed right after the command, or an SSH link that delivers one, then
did not act as typed. :func:`keys_typed_ahead` changes only what the line
mode does to input, as the very first thing the app does: no echo, input byte
for byte, no line editing, CR kept as CR, ctrl+s and ctrl+q passed on. ctrl+c
still interrupts a start that takes too long.

The terminal's own settings are restored when the app ends, and the driver
hands them to the shell while the app is suspended (see
:mod:`clientdesk.tui.terminal_guard`), never the changed ones.
"""

from __future__ import annotations

import os
import sys
import termios
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

_saved: list[Any] | None = None


def original_attributes() -> list[Any] | None:
    """The terminal's settings from before :func:`keys_typed_ahead` (None when unchanged)."""
    return _saved


@contextmanager
def keys_typed_ahead() -> Iterator[None]:
    """Keep what is typed during start-up as keys; restore the terminal at the end."""
    global _saved
    stream = sys.__stdin__
    try:
        fd = stream.fileno() if stream is not None else -1
        before = termios.tcgetattr(fd) if fd >= 0 and os.isatty(fd) else None
    except (OSError, ValueError, termios.error):
        before = None
    if before is None:  # not a terminal: nothing to keep
        yield
        return
    iflag, oflag, cflag, lflag, ispeed, ospeed, control = before
    control = list(control)
    control[termios.VMIN], control[termios.VTIME] = 1, 0
    changed = [
        int(iflag) & ~(termios.ICRNL | termios.INLCR | termios.IGNCR | termios.IXON),
        oflag,
        cflag,
        int(lflag) & ~(termios.ECHO | termios.ICANON | termios.IEXTEN),
        ispeed,
        ospeed,
        control,
    ]
    try:
        termios.tcsetattr(fd, termios.TCSANOW, changed)
    except termios.error:
        yield
        return
    _saved = before
    try:
        yield
    finally:
        _saved = None
        with suppress(termios.error):
            termios.tcsetattr(fd, termios.TCSANOW, before)
