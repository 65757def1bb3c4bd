"""A yes/no question as a modal dialog that returns the answer."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from clientdesk.store.text import printable_lines
from clientdesk.widgets.actions import bindings, key_of


class ConfirmDialog(ModalScreen[bool]):
    """Ask a question; dismiss with True for yes, False for no (escape means no)."""

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
    }
    ConfirmDialog > #confirm-box {
        width: 60;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    ConfirmDialog #confirm-question {
        width: 1fr;
        margin-bottom: 1;
    }
    ConfirmDialog.-details > #confirm-box {
        width: 100;
    }
    ConfirmDialog #confirm-details {
        height: auto;
        max-height: 14;
        margin-bottom: 1;
        background: $surface-lighten-1;
    }
    ConfirmDialog #confirm-buttons {
        height: auto;
        align-horizontal: right;
    }
    ConfirmDialog Button {
        margin-left: 2;
    }
    """

    BINDINGS = bindings("confirm")

    def __init__(
        self, question: str, *, yes: str = "Yes", no: str = "No", details: Sequence[str] = ()
    ) -> None:
        """Prepare the dialog.

        Args:
            question: the question, as plain text.
            yes: the label of the "yes" button.
            no: the label of the "no" button.
            details: lines shown under the question in a box that scrolls
                (what an import would change, say), as plain text.
        """
        super().__init__(classes="-details" if details else None)
        self._question = question
        self._yes = yes
        self._no = no
        self._details = list(details)

    def compose(self) -> ComposeResult:
        """The question and the two buttons."""
        with Vertical(id="confirm-box"):
            # Questions and details quote titles and names: their controls show as escapes.
            yield Static(Text(printable_lines(self._question)), id="confirm-question")
            if self._details:
                with VerticalScroll(id="confirm-details"):
                    details = printable_lines("\n".join(self._details))
                    yield Static(Text(details, no_wrap=True, overflow="ellipsis"))
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self._no} ({key_of('confirm.no')})", id="no")
                yield Button(f"{self._yes} ({key_of('confirm.yes')})", variant="warning", id="yes")

    def on_mount(self) -> None:
        """Start on "no": the safe answer."""
        self.query_one("#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        """Close the dialog with ``answer``."""
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")
