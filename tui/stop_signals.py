"""Stopping the app the way a user would not: a kill, a dropped connection, a terminal gone.

A dropped SSH connection (SIGHUP) or a kill (SIGTERM) would end the process
at once, with a form's typing lost and the terminal raw. :class:`StopSignals`
turns them into :func:`stop_app`, which keeps the open form's typing for the
next start and quits; the terminal's going away
(:class:`~clientdesk.tui.terminal_guard.TerminalGone`) ends the same way.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.driver import Driver

    from clientdesk.tui.app import ClientDeskApp

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""The signals that stop the app the way a user would not: a kill, a dropped connection."""


class StopSignals:
    """The stop signals' handling while the app runs: one per app."""

    def __init__(self, stop: Callable[[str], None]) -> None:
        """Call ``stop`` with the signal's name (``SIGTERM``) when a stop signal comes."""
        self._stop = stop
        self._handlers_before: dict[signal.Signals, Any] = {}

    def install(self) -> None:
        """Handle the stop signals in the running event loop."""
        self._handle(install=True)

    def remove(self) -> None:
        """Give the stop signals back the handling they had."""
        self._handle(install=False)

    def _handle(self, *, install: bool) -> None:
        # A signal ignored when the app started (``nohup``) stays ignored, and
        # each signal gets back the handling it had.
        loop = asyncio.get_running_loop()
        for stop in STOP_SIGNALS:
            with suppress(NotImplementedError, RuntimeError, ValueError, OSError):
                if install:
                    previous = signal.getsignal(stop)
                    if previous == signal.SIG_IGN:
                        continue
                    loop.add_signal_handler(stop, self._stop, stop.name)
                    self._handlers_before[stop] = previous
                elif stop in self._handlers_before:
                    loop.remove_signal_handler(stop)
                    signal.signal(stop, self._handlers_before.pop(stop))


def stop_app(app: ClientDeskApp, signal_name: str) -> None:
    """Keep ``app``'s open form's unsaved typing for the next start, then quit.

    A save already under way finishes or leaves the file as it was (saves
    are atomic). A second stop (SIGHUP after the terminal was seen to go)
    changes nothing.
    """
    from clientdesk.tui.draft_recovery import keep_open_form

    if app.return_code is not None:
        return  # already stopping: the first stop's draft and exit status stand
    kept = keep_open_form(app, app.store_location, signal_name)
    message = f"clientdesk: stopped by {signal_name}"
    if kept is not None:
        message += "; your unsaved edit is kept and offered at the next start"
    exit_status = 128 + int(getattr(signal, signal_name))
    app.exit(return_code=exit_status, message=message)
    if not app.is_headless:
        from clientdesk.tui.terminal_guard import end_if_the_stop_stalls

        # Nobody may be at the terminal to see the stop through: should it
        # stall, the process ends itself a few seconds from now.
        end_if_the_stop_stalls(exit_status)


def guarded(driver_class: type[Driver]) -> type[Driver]:
    """``driver_class`` changed to end the app when its terminal goes (on POSIX systems)."""
    if os.name != "posix":
        return driver_class
    from clientdesk.tui.terminal_guard import guarded_driver_class

    return guarded_driver_class(driver_class)
