"""A modal dialog asking what to raise for a risk that occurred: a request, a meeting, neither."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from clientdesk.store.text import printable_lines

FOLLOW_UPS = ("request", "meeting")
"""What the dialog may return besides None (neither)."""


class FollowUpDialog(ModalScreen[str | None]):
    """Offer a linked request or meeting; dismiss with ``"request"``, ``"meeting"`` or None.

    None means neither; escape means neither too.
    """

    DEFAULT_CSS = """
    FollowUpDialog {
        align: center middle;
    }
    FollowUpDialog > #follow-up-box {
        width: 64;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    FollowUpDialog #follow-up-question {
        width: 1fr;
        margin-bottom: 1;
    }
    FollowUpDialog #follow-up-buttons {
        height: auto;
        align-horizontal: right;
    }
    FollowUpDialog Button {
        margin-left: 2;
    }
    """

    BINDINGS = [
        Binding("r", "choose('request')", "Request", id="follow_up.request"),
        Binding("m", "choose('meeting')", "Meeting", id="follow_up.meeting"),
        Binding("n", "neither", "Neither", id="follow_up.neither"),
        Binding("escape", "neither", "Neither", show=False, id="follow_up.cancel"),
    ]

    def __init__(self, question: str) -> None:
        """Prepare the dialog.

        Args:
            question: the question, as plain text.
        """
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        """The question and the three buttons."""
        with Vertical(id="follow-up-box"):
            yield Static(Text(printable_lines(self._question)), id="follow-up-question")
            with Horizontal(id="follow-up-buttons"):
                yield Button("Neither (n)", id="neither")
                yield Button("Meeting (m)", variant="primary", id="meeting")
                yield Button("Request (r)", variant="primary", id="request")

    def on_mount(self) -> None:
        """Start on "neither": the answer that creates nothing."""
        self.query_one("#neither", Button).focus()

    def action_choose(self, follow_up: str) -> None:
        """Close the dialog with ``follow_up`` (``request`` or ``meeting``)."""
        self.dismiss(follow_up if follow_up in FOLLOW_UPS else None)

    def action_neither(self) -> None:
        """Close the dialog: raise nothing."""
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice = event.button.id
        self.dismiss(choice if choice in FOLLOW_UPS else None)
