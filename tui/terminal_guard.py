"""The terminal driver, changed so that the app ends promptly when its terminal goes away.

A terminal goes away when an SSH link drops, a terminal window closes or a
tmux server is killed. Textual's Linux driver (``LinuxDriver`` in
``textual.drivers.linux_driver``) expects the terminal to stay, and this is
the one module that changes it (private Textual API, pinned by
``tests/test_terminal_guard.py``). :class:`TerminalGuardDriver` changes three
things:

1. **SIGCONT restarts the terminal only after SIGTSTP.** When a terminal hangs
   up, the kernel sends its session leader SIGHUP and then SIGCONT. Textual
   answers every SIGCONT by starting application mode again, as if coming back
   from ``ctrl+z``: a second writer thread starts on the dead terminal and dies
   at its first write, while the first one is left waiting for text that no
   longer comes to it. Everything written from then on, the app's shutdown
   included, goes to the dead thread's queue, which holds 30 writes: the 31st
   blocks the app for ever (the main thread in ``Queue.put`` under
   ``App._shutdown``, the first writer in ``Queue.get``). A painting app gets
   there every time.
2. **A failed write ends the output, not the writer thread.** Textual's writer
   thread dies at the first write that fails (``EIO`` once the terminal has
   hung up), and the next 30 writes again fill a queue nobody empties. The
   driver gives the thread an output stream that drops what can no longer be
   written, so the queue keeps draining, and reports the terminal gone.
3. **End of input ends the input thread.** A terminal that hangs up on an app
   it does not control (started with ``setsid`` or ``su - user -c``) sends no
   SIGHUP; reading it only returns end of input, at once and for ever, and
   Textual's input thread reads it again and again, a core spinning for as
   long as the process lives. The driver's input loop stops there and reports
   the terminal gone.

It also reads what is typed through :class:`~clientdesk.tui.escape_keys.EscapeSpeller`,
so that escape typed just before a letter stays two keys in a burst.

The terminal gone is a :class:`TerminalGone` message to the app, which stops
as on SIGHUP (it keeps the open form's typing first). In case the stop itself
stalls, :func:`end_if_the_stop_stalls` ends the process a few seconds later,
whatever it is waiting for.
"""

from __future__ import annotations

import os
import selectors
import signal
import sys
import threading
import time
import traceback
from codecs import getincrementaldecoder
from collections.abc import Callable
from contextlib import suppress
from typing import IO, TYPE_CHECKING, Any, cast

from textual._xterm_parser import XTermParser
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

from clientdesk.tui.escape_keys import HOLD_SECONDS, EscapeSpeller
from clientdesk.tui.typeahead import original_attributes

if TYPE_CHECKING:
    from io import TextIOWrapper

    from textual.app import App

STOP_GRACE_SECONDS = 5.0
"""How long a stop that a hang-up or signal began may take before the process ends itself."""

HANG_UP_STATUS = 128 + signal.SIGHUP
"""The exit status of an app whose terminal went away, as if SIGHUP had ended it."""

_READ_SIZE = 4096


class TerminalGone(Message):
    """The app's terminal went away: its input ended, or writing to it failed."""


class TerminalOutput:
    """The terminal's output stream as the writer thread sees it: a failed write ends output.

    Once a write or a flush fails, everything after it is dropped: the terminal
    cannot show it, and the writer thread must go on emptying its queue, or
    the app blocks on the next write that finds the queue full.
    """

    def __init__(self, stream: IO[str], on_failure: Callable[[], None]) -> None:
        """Write to ``stream``; call ``on_failure`` (once) when it fails."""
        self._stream = stream
        self._on_failure = on_failure
        self.failed = False
        """True once a write or flush failed; nothing is written after that."""

    def write(self, text: str) -> None:
        """Write ``text``, unless the terminal has failed."""
        if not self.failed:
            try:
                self._stream.write(text)
            except (OSError, ValueError):
                self._fail()

    def flush(self) -> None:
        """Flush what was written, unless the terminal has failed."""
        if not self.failed:
            try:
                self._stream.flush()
            except (OSError, ValueError):
                self._fail()

    def fileno(self) -> int:
        """The terminal's file descriptor."""
        return self._stream.fileno()

    def _fail(self) -> None:
        self.failed = True
        self._on_failure()


class TerminalGuardDriver(LinuxDriver):
    """Textual's Linux driver, changed so that a terminal going away ends the app (see above)."""

    def __init__(
        self,
        app: App[Any],
        *,
        debug: bool = False,
        mouse: bool = True,
        size: tuple[int, int] | None = None,
    ) -> None:
        """Set up the driver as Textual's does, with the output and signals guarded."""
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self._stopped_for_sigtstp = False
        self._gone = False
        self._gone_lock = threading.Lock()
        # Textual's writer thread writes to ``_file``; it only calls write,
        # flush and fileno.
        output = TerminalOutput(cast(IO[str], self._file), self.terminal_gone)
        self._file = cast("TextIOWrapper", output)

    @property
    def is_gone(self) -> bool:
        """True once the terminal went away."""
        return self._gone

    def terminal_gone(self) -> None:
        """Tell the app its terminal went away (once), and make sure the process ends.

        Called from the input or the writer thread.
        """
        with self._gone_lock:
            if self._gone:
                return
            self._gone = True
        # The app may be closing already, its loop too: then it is ending anyway.
        with suppress(RuntimeError):
            self._app.post_message(TerminalGone())
        end_if_the_stop_stalls(HANG_UP_STATUS)

    def _sigtstp_application(self, *args: object) -> None:
        # Textual stops application mode here only when it restarts it on SIGCONT.
        self._stopped_for_sigtstp = self._auto_restart
        super()._sigtstp_application(*args)

    def start_application_mode(self) -> None:
        """Start as Textual does; on stopping, give back the terminal as the shell had it.

        Textual keeps the settings it found, to restore at the end and on
        ctrl+z; found after :func:`~clientdesk.tui.typeahead.keys_typed_ahead`
        changed them, they would leave the shell without echo.
        """
        super().start_application_mode()  # type: ignore[no-untyped-call]
        original = original_attributes()
        if original is not None and self.attrs_before is not None:
            self.attrs_before = original

    def _sigcont_application(self, *args: object) -> None:
        # A SIGCONT that follows no SIGTSTP (the kernel's, after a hang-up's
        # SIGHUP; a ``kill -CONT``) finds application mode running: starting it
        # again would only start a second writer thread.
        if self._stopped_for_sigtstp:
            self._stopped_for_sigtstp = False
            super()._sigcont_application(*args)

    def run_input_thread(self) -> None:
        """Read the terminal and pass what is typed to the app until input is disabled.

        End of input, or a read that fails, means the terminal went away: the
        loop reports it and ends. Bytes that are not UTF-8 are replaced, never
        fatal.
        """
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")(errors="replace").decode
        escapes = EscapeSpeller()
        # Textual's choice too: select() is the one selector that works on a
        # terminal everywhere (kqueue and poll do not on macOS).
        with selectors.SelectSelector() as selector:
            selector.register(self.fileno, selectors.EVENT_READ)
            while not self.exit_event.is_set():
                if selector.select(HOLD_SECONDS if escapes.holding else 0.1):
                    try:
                        data = os.read(self.fileno, _READ_SIZE)
                    except OSError:
                        data = b""
                    if not data:
                        self.terminal_gone()
                        return
                    text = escapes.feed(decode(data))
                    # An empty feed is the parser's end of input: a read that was only
                    # a held ESC, or half of a character, gives nothing to read yet.
                    for event in parser.feed(text) if text else ():
                        self.process_message(event)
                elif escapes.holding:
                    for event in parser.feed(escapes.release()):
                        self.process_message(event)
                for event in parser.tick():
                    self.process_message(event)


def guarded_driver_class(driver_class: type[Driver]) -> type[Driver]:
    """:class:`TerminalGuardDriver` in place of Textual's Linux driver; any other as it is."""
    return TerminalGuardDriver if driver_class is LinuxDriver else driver_class


class _StopWatchdog:
    """Ends the process if a stop has not ended it within the grace time (armed once)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def arm(self, exit_status: int, grace: float) -> None:
        # Imported now: the thread must need nothing more once it wakes up.
        from clientdesk.tui.crash_log import write_crash_note

        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._end_after,
                args=(exit_status, grace, write_crash_note),
                name="clientdesk-stop-watchdog",
                daemon=True,
            )
            self._thread.start()

    @staticmethod
    def _end_after(
        exit_status: int, grace: float, write_crash_note: Callable[[str], object]
    ) -> None:
        time.sleep(grace)
        # Still here: something in the stop waits for what will not come. Say
        # where each thread was, for whoever finds out why, then end.
        names = {thread.ident: thread.name for thread in threading.enumerate()}
        stacks = [
            f"Thread {names.get(thread_id, thread_id)}:\n{''.join(traceback.format_stack(frame))}"
            for thread_id, frame in sys._current_frames().items()
            if thread_id != threading.get_ident()
        ]
        write_crash_note(
            f"The app had not ended {grace:g} s after it began to stop; it was ended "
            f"with exit status {exit_status}. Where each thread was:\n" + "\n".join(stacks)
        )
        os._exit(exit_status)


_WATCHDOG = _StopWatchdog()


def end_if_the_stop_stalls(exit_status: int, grace: float = STOP_GRACE_SECONDS) -> None:
    """End the process with ``exit_status`` if it is still running ``grace`` seconds from now.

    For a stop nobody is at the terminal to see through: a hang-up, a kill. The
    stop normally ends the process well before; should it stall (a thread
    waiting on a terminal that is gone), the process ends itself rather than
    stay behind for ever. What must outlive it is on disk by then: the open
    form's draft is written before the stop begins, and a save under way is
    atomic (an unfinished one leaves the data file as it was). Where each
    thread was goes to the crash log. Armed once per process; later calls do
    nothing.
    """
    _WATCHDOG.arm(exit_status, grace)
