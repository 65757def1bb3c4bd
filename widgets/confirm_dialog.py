"""A yes/no question as a modal dialog that returns the answer.

It may carry one option the user ticks or not (a checkbox under the
question: "and every later occurrence"); the caller reads it from
:attr:`ConfirmDialog.option_chosen` once the dialog is answered.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Static

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
    ConfirmDialog #confirm-option {
        margin-bottom: 1;
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
        self,
        question: str,
        *,
        yes: str = "Yes",
        no: str = "No",
        details: Sequence[str] = (),
        option: str = "",
        default_yes: bool = False,
    ) -> None:
        """Prepare the dialog.

        Args:
            question: the question, as plain text.
            yes: the label of the "yes" button.
            no: the label of the "no" button.
            details: lines shown under the question in a box that scrolls
                (what an import would change, say), as plain text.
            option: the label of a checkbox under the question, unticked at
                first ("": none).
            default_yes: start on "yes" (a harmless offer, such as sending
                what was just saved) rather than on the safe "no".
        """
        super().__init__(classes="-details" if details else None)
        self._question = question
        self._yes = yes
        self._no = no
        self._details = list(details)
        self._option = option
        self._default_yes = default_yes
        self.option_chosen = False
        """True when the option's checkbox was ticked as the dialog was answered."""

    def compose(self) -> ComposeResult:
        """The question and the two buttons."""
        with Vertical(id="confirm-box"):
            # Questions and details quote titles and names: their controls show as escapes.
            yield Static(Text(printable_lines(self._question)), id="confirm-question")
            if self._details:
                with VerticalScroll(id="confirm-details"):
                    details = printable_lines("\n".join(self._details))
                    yield Static(Text(details, no_wrap=True, overflow="ellipsis"))
            if self._option:
                yield Checkbox(
                    Text(printable_lines(self._option)), compact=True, id="confirm-option"
                )
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self._no} ({key_of('confirm.no')})", id="no")
                yield Button(f"{self._yes} ({key_of('confirm.yes')})", variant="warning", id="yes")

    def on_mount(self) -> None:
        """Start on "no", the safe answer (on "yes" when it is the default, on the option if any).

        On the option, space or enter ticks it and the answer keys still answer.
        """
        if self._option and not self._default_yes:
            self.query_one("#confirm-option", Checkbox).focus()
        else:
            self.query_one("#yes" if self._default_yes else "#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        """Close the dialog with ``answer``."""
        self._answer(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._answer(event.button.id == "yes")

    def _answer(self, answer: bool) -> None:
        if self._option:
            self.option_chosen = self.query_one("#confirm-option", Checkbox).value
        self.dismiss(answer)
