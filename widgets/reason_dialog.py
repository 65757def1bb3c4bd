"""A modal dialog that asks for a reason (e.g. why a risk is closed) and returns it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from clientdesk.store.text import printable_lines
from clientdesk.widgets.actions import bindings, key_of
from clientdesk.widgets.field_input import FieldInput


class ReasonDialog(ModalScreen[str | None]):
    """Ask for a one-line reason; dismiss with the text, or None on escape.

    A blank reason is not accepted: the dialog says so and stays open.
    """

    DEFAULT_CSS = """
    ReasonDialog {
        align: center middle;
    }
    ReasonDialog > #reason-box {
        width: 64;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    ReasonDialog #reason-question {
        margin-bottom: 1;
    }
    ReasonDialog #reason-error {
        color: $text-error;
        display: none;
    }
    ReasonDialog #reason-error.-shown {
        display: block;
    }
    ReasonDialog #reason-help {
        color: $text-muted;
        margin-top: 1;
    }
    """

    BINDINGS = bindings("reason")

    def __init__(
        self,
        question: str,
        *,
        placeholder: str = "",
        missing: str = "a reason is needed",
        value: str = "",
    ) -> None:
        """Prepare the dialog.

        Args:
            question: the question, as plain text.
            placeholder: the hint shown in the empty input.
            missing: what the dialog says when the answer is blank.
            value: the text already in the input (e.g. typed before a save failed).
        """
        super().__init__()
        self._question = question
        self._placeholder = placeholder
        self._missing = missing
        self._value = value

    def again(self, value: str) -> ReasonDialog:
        """The same question asked again, with ``value`` already in the input."""
        return ReasonDialog(
            self._question, placeholder=self._placeholder, missing=self._missing, value=value
        )

    def compose(self) -> ComposeResult:
        """The question, the input, a place for the error, and the keys."""
        with Vertical(id="reason-box"):
            yield Static(Text(printable_lines(self._question)), id="reason-question")
            yield FieldInput(
                self._value, placeholder=self._placeholder, compact=True, id="reason-input"
            )
            yield Static(id="reason-error")
            yield Static(f"enter: confirm · {key_of('reason.cancel')}: cancel", id="reason-help")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        reason = event.value.strip()
        if not reason:
            error = self.query_one("#reason-error", Static)
            error.update(Text(f"✗ {self._missing}"))
            error.add_class("-shown")
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        """Close without a reason."""
        self.dismiss(None)
