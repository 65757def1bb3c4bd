"""A centred panel with a heading and a message: for loading and for errors."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.reactive import reactive
from textual.widgets import Static

from clientdesk.store.text import printable_lines


class NoticePanel(Vertical):
    """A heading and a message, centred; the message is plain text, never markup."""

    DEFAULT_CSS = """
    NoticePanel {
        align: center middle;
        height: 1fr;
    }
    NoticePanel #notice-box {
        width: 80%;
        max-width: 90;
        height: auto;
        border: round $primary;
        padding: 1 2;
    }
    NoticePanel.-error #notice-box {
        border: round $error;
    }
    NoticePanel #notice-heading {
        text-style: bold;
        width: 1fr;
        margin-bottom: 1;
    }
    NoticePanel #notice-body {
        width: 1fr;
    }
    NoticePanel #notice-hint {
        width: 1fr;
        margin-top: 1;
        color: $text-muted;
    }
    """

    heading: reactive[str] = reactive("", init=False)
    """The first line, in bold."""

    body: reactive[str] = reactive("", init=False)
    """The message; wraps as needed."""

    hint: reactive[str] = reactive("", init=False)
    """What the user can do now, e.g. "Press q to quit"."""

    def compose(self) -> ComposeResult:
        """The box with its three lines."""
        with Center(), Vertical(id="notice-box"):
            yield Static(Text(printable_lines(self.heading)), id="notice-heading")
            yield Static(Text(printable_lines(self.body)), id="notice-body")
            yield Static(Text(printable_lines(self.hint)), id="notice-hint")

    def watch_heading(self, heading: str) -> None:
        """Show the heading."""
        self.query_one("#notice-heading", Static).update(Text(printable_lines(heading)))

    def watch_body(self, body: str) -> None:
        """Show the message."""
        # The body names the data file and quotes what is wrong in it.
        self.query_one("#notice-body", Static).update(Text(printable_lines(body)))

    def watch_hint(self, hint: str) -> None:
        """Show the hint."""
        self.query_one("#notice-hint", Static).update(Text(printable_lines(hint)))
