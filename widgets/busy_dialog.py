"""A modal notice that work runs in the background, which escape cancels."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from clientdesk.store.text import printable_lines
from clientdesk.widgets.actions import bindings, key_of


class BusyDialog(ModalScreen[bool]):
    """Say what is being worked on; dismissed with True when done, False when cancelled.

    The caller starts the work, shows this dialog and calls :meth:`finish`
    when the work is over; escape dismisses it with False first, and the
    caller then drops whatever the work still produces.
    """

    DEFAULT_CSS = """
    BusyDialog {
        align: center middle;
    }
    BusyDialog > #busy-box {
        width: 64;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    BusyDialog #busy-help {
        color: $text-muted;
        margin-top: 1;
    }
    """

    BINDINGS = bindings("busy")

    def __init__(self, message: str) -> None:
        """Prepare the notice.

        Args:
            message: what is being done, as plain text.
        """
        super().__init__()
        self._message = message
        # (Not ``_closed``: the message pump's own flag has that name.)
        self._work_done = False
        self._dismissed = False

    def compose(self) -> ComposeResult:
        """The message and the key that stops the work."""
        with Vertical(id="busy-box"):
            yield Static(Text(printable_lines(self._message)), id="busy-message")
            yield Static(f"{key_of('busy.cancel')} cancels", id="busy-help")

    def finish(self) -> None:
        """The work is done: close the notice (unless escape closed it already).

        Under another screen (the help, say) it closes when it is on top again:
        a dismissal closes whatever screen is on top.
        """
        self._work_done = True
        self._close(True)

    def on_screen_resume(self) -> None:
        """Back on top: close if the work finished meanwhile."""
        if self._work_done:
            self._close(True)

    def action_cancel(self) -> AwaitComplete | None:
        """Stop waiting: the work's result will be dropped."""
        return self._close(False)

    def _close(self, finished: bool) -> AwaitComplete | None:
        # Only from the top, and once: a dismissal pops whatever screen is on top.
        if self._dismissed or not self.is_attached or self.app.screen is not self:
            return None
        self._dismissed = True
        return self.dismiss(finished)
