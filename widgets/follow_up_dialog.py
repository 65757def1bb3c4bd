"""A modal dialog asking what to raise for a risk that occurred: a request, a meeting, neither."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from clientdesk.store.text import printable_lines
from clientdesk.widgets.actions import bindings, key_of

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

    BINDINGS = bindings("follow_up")

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
                yield Button(f"Neither ({key_of('follow_up.neither')})", id="neither")
                yield Button(
                    f"Meeting ({key_of('follow_up.meeting')})", variant="primary", id="meeting"
                )
                yield Button(
                    f"Request ({key_of('follow_up.request')})", variant="primary", id="request"
                )

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
